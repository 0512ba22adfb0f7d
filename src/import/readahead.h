/* Reading ahead: a thread of its own reads an input in large blocks, and
 * hashes them, while the thread that parses works on the blocks before.
 * Internal to import/. */
#ifndef CRIMETAB_READAHEAD_H
#define CRIMETAB_READAHEAD_H

#include <nettle/sha2.h>
#include <stddef.h>

#include "import/csvread.h"

typedef struct imp_readahead imp_readahead;

/* Starts reading READ(CTX) on a new thread, feeding every byte read to HASH
 * (when not NULL) in order.  NULL when the thread cannot be started: the
 * caller then reads READ itself.  From here until imp_readahead_stop,
 * only the reading thread calls READ. */
imp_readahead *imp_readahead_start(imp_read_fn read, void *ctx, struct sha256_ctx *hash);
/* An imp_read_fn over RA (an imp_readahead *): the input's bytes in order,
 * 0 at its end, or -1 with errno set as the input's read left it. */
long imp_readahead_read(void *ra, char *buf, size_t n);
/* Stops reading (at once, if the input was not read to its end), waits for
 * the thread and frees RA.  HASH has then seen every byte read.  RA may be
 * NULL. */
void imp_readahead_stop(imp_readahead *ra);

#endif
