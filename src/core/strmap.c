/* Open addressing over entries kept in the order they were put; the strings
 * live in a text pool, so the pointers handed out stay valid. */
#include "core/strmap.h"

#include <stdlib.h>
#include <string.h>

#include "core/textpool.h"
#include "core/util.h"

typedef struct entry {
	const char *s;
	size_t n;
	uint64_t h;
	long long id;
} entry;

/* A slot holds the entry's index + 1 (0: empty) and the hash's top 32 bits,
 * so that a probe rarely reads an entry that is not the one. */
typedef struct slot {
	uint32_t idx, tag;
} slot;

struct ct_strmap {
	entry *e;
	size_t n, cap; /* entries */
	slot *slot;
	size_t nslots; /* a power of two, at least twice n */
	ct_textpool *text;
};

ct_strmap *ct_strmap_new(void)
{
	ct_strmap *m = xcalloc(1, sizeof(ct_strmap));
	m->text = ct_textpool_new();
	return m;
}

void ct_strmap_free(ct_strmap *m)
{
	if (!m)
		return;
	ct_textpool_free(m->text);
	free(m->e);
	free(m->slot);
	free(m);
}

void ct_strmap_clear(ct_strmap *m)
{
	m->n = 0;
	if (m->slot)
		memset(m->slot, 0, m->nslots * sizeof *m->slot);
	ct_textpool_clear(m->text);
}

uint64_t ct_strhash(const char *s, size_t n)
{
	/* eight bytes at a time, each mixed by a multiply and a shift */
	uint64_t h = (uint64_t)n * 0x9e3779b97f4a7c15ULL, w;
	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 29);
}

long long ct_strmap_get(const ct_strmap *m, const char *s, size_t n, uint64_t h)
{
	if (!m->nslots)
		return 0;
	size_t mask = m->nslots - 1;
	uint32_t tag = (uint32_t)(h >> 32);
	for (size_t j = h & mask; m->slot[j].idx; j = (j + 1) & mask) {
		if (m->slot[j].tag != tag)
			continue;
		const entry *e = &m->e[m->slot[j].idx - 1];
		if (e->h == h && e->n == n && memcmp(e->s, s, n) == 0)
			return e->id;
	}
	return 0;
}

static void grow_slots(ct_strmap *m)
{
	size_t ns = m->nslots ? 2 * m->nslots : 1024;
	free(m->slot);
	m->slot = xcalloc(ns, sizeof *m->slot);
	m->nslots = ns;
	for (size_t i = 0; i < m->n; i++) {
		size_t j = m->e[i].h & (ns - 1);
		while (m->slot[j].idx)
			j = (j + 1) & (ns - 1);
		m->slot[j] = (slot){(uint32_t)i + 1, (uint32_t)(m->e[i].h >> 32)};
	}
}

const char *ct_strmap_put(ct_strmap *m, const char *s, size_t n, uint64_t h, long long id)
{
	if (2 * (m->n + 1) > m->nslots)
		grow_slots(m);
	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 256;
		m->e = xrealloc(m->e, m->cap * sizeof *m->e);
	}
	const char *copy = ct_textpool_keep(m->text, s, n);
	m->e[m->n] = (entry){.s = copy, .n = n, .h = h, .id = id};
	size_t mask = m->nslots - 1, j = h & mask;
	while (m->slot[j].idx)
		j = (j + 1) & mask;
	m->slot[j] = (slot){(uint32_t)++m->n, (uint32_t)(h >> 32)};
	return copy;
}

void ct_strmap_each(const ct_strmap *m, void (*fn)(void *ctx, const char *s, size_t n, uint64_t h, long long id),
		    void *ctx)
{
	for (size_t i = 0; i < m->n; i++)
		fn(ctx, m->e[i].s, m->e[i].n, m->e[i].h, m->e[i].id);
}
