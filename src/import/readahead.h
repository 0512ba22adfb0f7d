/* Reading ahead: a thread of its own reads an input in large blocks, and
 * hashes them, while the thread that parses works on the blocks before.
 * Internal to import/. */
#ifndef CRIMETAB_READAHEAD_H
#define CRIMETAB_READAHEAD_H

#include <nettle/sha2.h>
#include <stddef.h>

#include "import/csvread.h"

typedef struct imp_readahead imp_readahead;

/* Starts reading READ(CTX): the first block at once, on this thread, the
 * rest on a new one (or, if none can be started, by imp_readahead_read as
 * it goes); every byte read goes to HASH (when not NULL) in order.  From
 * here until imp_readahead_stop, only the read-ahead calls READ. */
imp_readahead *imp_readahead_start(imp_read_fn read, void *ctx, struct sha256_ctx *hash);
/* An imp_read_fn over RA (an imp_readahead *): the input's bytes in order,
 * 0 at its end, or -1 with errno set as the input's read left it. */
long imp_readahead_read(void *ra, char *buf, size_t n);
/* Stops reading (at once, if the input was not read to its end), waits for
 * the thread and frees RA.  HASH has then seen every byte read.  RA may be
 * NULL. */
void imp_readahead_stop(imp_readahead *ra);

#endif
