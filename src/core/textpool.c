/* Blocks of 64 KiB (or one the size of a longer string), in a list in the
 * order they were made; CUR is the one being filled. */
#include "core/textpool.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"

#define BLOCK (1 << 16)

typedef struct block {
	struct block *next;
	size_t used, size;
	char data[];
} block;

struct ct_textpool {
	block *blocks, *cur;
};

ct_textpool *ct_textpool_new(void)
{
	return xcalloc(1, sizeof(ct_textpool));
}

void ct_textpool_free(ct_textpool *p)
{
	if (!p)
		return;
	while (p->blocks) {
		block *b = p->blocks;
		p->blocks = b->next;
		free(b);
	}
	free(p);
}

void ct_textpool_clear(ct_textpool *p)
{
	for (block *b = p->blocks; b; b = b->next)
		b->used = 0;
	p->cur = p->blocks;
}

const char *ct_textpool_keep(ct_textpool *p, const char *s, size_t n)
{
	block *b = p->cur;
	while (b && b->used + n + 1 > b->size)
		b = p->cur = b->next;
	if (!b) {
		size_t size = n + 1 > BLOCK ? n + 1 : BLOCK;
		b = xmalloc(sizeof *b + size);
		b->used = 0;
		b->size = size;
		b->next = NULL;
		/* appended, so that a cleared pool refills its blocks in order */
		block **at = &p->blocks;
		while (*at)
			at = &(*at)->next;
		*at = b;
		p->cur = b;
	}
	char *d = b->data + b->used;
	memcpy(d, s, n);
	d[n] = '\0';
	b->used += n + 1;
	return d;
}
