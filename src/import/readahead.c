/* Reading ahead of the parser.  An import has a thread that parses and
 * checks rows and one that stores them (import.c); the parsing one was the
 * slower once SQLite's side got quicker, and a quarter of its time went on
 * the read() calls and on hashing the file (SHA-256, for the sources table).
 * Both now run here, a block ahead. */
#include "import/readahead.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

#define RA_BLOCK (1 << 18) /* as the CSV reader's own block */
#define RA_FIRST (1 << 16) /* the first read is smaller: the header is parsed sooner */
#define RA_BLOCKS 4

typedef struct ra_block {
	long len; /* bytes in data; 0 at the end; -1 after a read error */
	int err;  /* errno of that error */
	char *data;
} ra_block;

struct imp_readahead {
	imp_read_fn read;
	void *ctx;
	struct sha256_ctx *hash;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	ra_block blocks[RA_BLOCKS];
	ra_block *full[RA_BLOCKS], *spare[RA_BLOCKS];
	size_t head, nfull, nspare;
	int stop;
	int started;  /* the first read was made */
	int threaded; /* a thread reads on; else imp_readahead_read reads */
	ra_block *cur; /* the block being handed out, and how far */
	size_t pos;
};

/* Reads the next block of the input into B, and hashes it. */
static void read_block(imp_readahead *ra, ra_block *b)
{
	errno = 0;
	b->len = ra->read(ra->ctx, b->data, ra->started ? RA_BLOCK : RA_FIRST);
	b->err = errno;
	ra->started = 1;
	if (b->len > 0 && ra->hash)
		sha256_update(ra->hash, (size_t)b->len, (const uint8_t *)b->data);
}

static void *ra_thread(void *arg)
{
	imp_readahead *ra = arg;
	for (;;) {
		pthread_mutex_lock(&ra->mu);
		while (!ra->nspare && !ra->stop)
			pthread_cond_wait(&ra->cv, &ra->mu);
		ra_block *b = ra->stop ? NULL : ra->spare[--ra->nspare];
		pthread_mutex_unlock(&ra->mu);
		if (!b)
			return NULL;
		read_block(ra, b);
		pthread_mutex_lock(&ra->mu);
		ra->full[(ra->head + ra->nfull++) % RA_BLOCKS] = b;
		pthread_cond_broadcast(&ra->cv);
		pthread_mutex_unlock(&ra->mu);
		if (b->len <= 0)
			return NULL;
	}
}

imp_readahead *imp_readahead_start(imp_read_fn read, void *ctx, struct sha256_ctx *hash)
{
	imp_readahead *ra = xcalloc(1, sizeof *ra);
	ra->read = read;
	ra->ctx = ctx;
	ra->hash = hash;
	for (size_t i = 0; i < RA_BLOCKS; i++) {
		ra->blocks[i].data = xmalloc(RA_BLOCK);
		ra->spare[ra->nspare++] = &ra->blocks[i];
	}
	pthread_mutex_init(&ra->mu, NULL);
	pthread_cond_init(&ra->cv, NULL);
	/* The first block is read here: the header is parsed from it at once,
	 * while the new thread is still getting a processor.  Without a thread
	 * (a short file, or none could be started) imp_readahead_read reads the
	 * rest itself. */
	ra_block *b = ra->spare[--ra->nspare];
	read_block(ra, b);
	ra->full[0] = b;
	ra->nfull = 1;
	ra->threaded = b->len > 0 && pthread_create(&ra->thread, NULL, ra_thread, ra) == 0;
	return ra;
}

long imp_readahead_read(void *arg, char *buf, size_t n)
{
	imp_readahead *ra = arg;
	if (!ra->cur && !ra->threaded && !ra->nfull) {
		ra->cur = ra->spare[--ra->nspare];
		read_block(ra, ra->cur);
		ra->pos = 0;
	}
	if (!ra->cur) {
		pthread_mutex_lock(&ra->mu);
		while (!ra->nfull)
			pthread_cond_wait(&ra->cv, &ra->mu);
		ra->cur = ra->full[ra->head];
		ra->head = (ra->head + 1) % RA_BLOCKS;
		ra->nfull--;
		pthread_mutex_unlock(&ra->mu);
		ra->pos = 0;
	}
	ra_block *b = ra->cur;
	if (b->len <= 0) { /* the end, or an error: it stays the answer */
		errno = b->err;
		return b->len;
	}
	size_t take = (size_t)b->len - ra->pos < n ? (size_t)b->len - ra->pos : n;
	memcpy(buf, b->data + ra->pos, take);
	ra->pos += take;
	if (ra->pos == (size_t)b->len) {
		pthread_mutex_lock(&ra->mu);
		ra->spare[ra->nspare++] = b;
		pthread_cond_broadcast(&ra->cv);
		pthread_mutex_unlock(&ra->mu);
		ra->cur = NULL;
	}
	return (long)take;
}

void imp_readahead_stop(imp_readahead *ra)
{
	if (!ra)
		return;
	pthread_mutex_lock(&ra->mu);
	ra->stop = 1;
	pthread_cond_broadcast(&ra->cv);
	pthread_mutex_unlock(&ra->mu);
	if (ra->threaded)
		pthread_join(ra->thread, NULL);
	pthread_cond_destroy(&ra->cv);
	pthread_mutex_destroy(&ra->mu);
	for (size_t i = 0; i < RA_BLOCKS; i++)
		free(ra->blocks[i].data);
	free(ra);
}
