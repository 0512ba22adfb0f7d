/* A map from strings to ids (whole numbers above 0): the store's copy of its
 * texts table, and an import's texts new to the store. */
#ifndef CRIMETAB_STRMAP_H
#define CRIMETAB_STRMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct ct_strmap ct_strmap;

ct_strmap *ct_strmap_new(void);
/* Frees M and the strings it holds; accepts NULL. */
void ct_strmap_free(ct_strmap *m);
/* Empties M (its memory is kept for reuse). */
void ct_strmap_clear(ct_strmap *m);

/* The hash every function here takes (callers compute it once). */
uint64_t ct_strhash(const char *s, size_t n);
/* The id of the N bytes at S (hash H), or 0.  Only reads M: any number of
 * threads may call it while none changes M. */
long long ct_strmap_get(const ct_strmap *m, const char *s, size_t n, uint64_t h);
/* Maps a copy of S to ID (S must not be in M yet) and returns the copy,
 * NUL-terminated, which lives as long as M (not past ct_strmap_clear). */
const char *ct_strmap_put(ct_strmap *m, const char *s, size_t n, uint64_t h, long long id);
/* Calls FN for every entry, in the order they were put. */
void ct_strmap_each(const ct_strmap *m, void (*fn)(void *ctx, const char *s, size_t n, uint64_t h, long long id),
		    void *ctx);

#endif
