/* Copies of strings kept in blocks that never move, so that the pointers
 * handed out stay valid; clearing keeps the blocks for the next fill.  The
 * strings of a ct_strmap and of an import's batch of rows live in one. */
#ifndef CRIMETAB_TEXTPOOL_H
#define CRIMETAB_TEXTPOOL_H

#include <stddef.h>

typedef struct ct_textpool ct_textpool;

ct_textpool *ct_textpool_new(void);
/* Frees P and every copy in it; accepts NULL. */
void ct_textpool_free(ct_textpool *p);
/* Forgets every copy (the pointers handed out no longer hold); the blocks
 * are kept and filled again in the order they were made. */
void ct_textpool_clear(ct_textpool *p);
/* A NUL-terminated copy of the N bytes at S, valid until P is cleared or
 * freed. */
const char *ct_textpool_keep(ct_textpool *p, const char *s, size_t n);

#endif
