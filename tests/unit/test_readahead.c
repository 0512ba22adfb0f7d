/* Unit tests for reading ahead (src/import/readahead.c): the bytes come out
 * in order and whole whatever the block and request sizes, the hash is the
 * file's, a read error reaches the reader with its errno, and stopping
 * early neither hangs nor leaks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <nettle/sha2.h>
#include <stdlib.h>
#include <string.h>

#include "import/readahead.h"

/* An input of N pseudo-random bytes, read at most CHUNK at a time (short
 * reads, as a pipe or a zip member gives); after FAIL_AT bytes (when not
 * negative) a read fails with EIO. */
typedef struct mem_input {
	unsigned char *data;
	size_t n, pos, chunk;
	long long fail_at;
	int reads;
} mem_input;

static void mem_init(mem_input *m, size_t n, size_t chunk, long long fail_at)
{
	m->data = malloc(n ? n : 1);
	assert_non_null(m->data);
	uint32_t x = 2463534242u;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		m->data[i] = (unsigned char)x;
	}
	m->n = n;
	m->pos = 0;
	m->chunk = chunk;
	m->fail_at = fail_at;
	m->reads = 0;
}

static long mem_read(void *ctx, char *buf, size_t want)
{
	mem_input *m = ctx;
	m->reads++;
	if (m->fail_at >= 0 && m->pos >= (size_t)m->fail_at) {
		errno = EIO;
		return -1;
	}
	size_t k = m->n - m->pos;
	if (k > want)
		k = want;
	if (k > m->chunk)
		k = m->chunk;
	memcpy(buf, m->data + m->pos, k);
	m->pos += k;
	return (long)k;
}

static void digest(const unsigned char *p, size_t n, uint8_t out[SHA256_DIGEST_SIZE])
{
	struct sha256_ctx c;
	sha256_init(&c);
	sha256_update(&c, n, p);
	sha256_digest(&c, SHA256_DIGEST_SIZE, out);
}

/* Reads an input of N bytes through a read-ahead, in requests of WANT, and
 * checks the bytes, the end and the hash. */
static void round_trip(size_t n, size_t chunk, size_t want)
{
	mem_input m;
	mem_init(&m, n, chunk, -1);
	struct sha256_ctx h;
	sha256_init(&h);
	imp_readahead *ra = imp_readahead_start(mem_read, &m, &h);
	assert_non_null(ra);
	unsigned char *got = malloc(n + 1);
	char *buf = malloc(want);
	assert_non_null(got);
	assert_non_null(buf);
	size_t have = 0;
	long k;
	while ((k = imp_readahead_read(ra, buf, want)) > 0) {
		assert_true((size_t)k <= want);
		assert_true(have + (size_t)k <= n);
		memcpy(got + have, buf, (size_t)k);
		have += (size_t)k;
	}
	assert_int_equal(k, 0);
	assert_int_equal(imp_readahead_read(ra, buf, want), 0); /* the end stays the end */
	imp_readahead_stop(ra);
	assert_int_equal(have, n);
	assert_memory_equal(got, m.data, n);
	uint8_t a[SHA256_DIGEST_SIZE], b[SHA256_DIGEST_SIZE];
	sha256_digest(&h, sizeof a, a);
	digest(m.data, n, b);
	assert_memory_equal(a, b, sizeof a);
	free(buf);
	free(got);
	free(m.data);
}

static void test_sizes(void **state)
{
	(void)state;
	static const size_t sizes[] = {0, 1, 65535, 65536, 65537, 262144, 262145, 3 * 262144 + 17, 2000000};
	for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
		round_trip(sizes[i], (size_t)1 << 30, 262144); /* whole blocks */
		round_trip(sizes[i], 1000, 262144);            /* short reads */
		round_trip(sizes[i], (size_t)1 << 30, 4096);   /* small requests */
		round_trip(sizes[i], 777, 333);
	}
}

static void test_read_error(void **state)
{
	(void)state;
	mem_input m;
	mem_init(&m, 1000000, 50000, 300000);
	imp_readahead *ra = imp_readahead_start(mem_read, &m, NULL);
	assert_non_null(ra);
	char buf[65536];
	size_t have = 0;
	long k;
	while ((k = imp_readahead_read(ra, buf, sizeof buf)) > 0) {
		assert_memory_equal(buf, m.data + have, (size_t)k);
		have += (size_t)k;
	}
	/* the bytes before the error, then the error with its errno, again and again */
	assert_int_equal(k, -1);
	assert_int_equal(errno, EIO);
	assert_int_equal(have, 300000);
	errno = 0;
	assert_int_equal(imp_readahead_read(ra, buf, sizeof buf), -1);
	assert_int_equal(errno, EIO);
	imp_readahead_stop(ra);
	free(m.data);

	/* an error at the very first read (made before any thread starts) */
	mem_init(&m, 1000, 1000, 0);
	ra = imp_readahead_start(mem_read, &m, NULL);
	assert_non_null(ra);
	errno = 0;
	assert_int_equal(imp_readahead_read(ra, buf, sizeof buf), -1);
	assert_int_equal(errno, EIO);
	imp_readahead_stop(ra);
	free(m.data);
}

/* The reader gives up early (a database error): stopping neither hangs nor
 * reads the rest of the input. */
static void test_stop_early(void **state)
{
	(void)state;
	mem_input m;
	mem_init(&m, 64u << 20, (size_t)1 << 30, -1);
	imp_readahead *ra = imp_readahead_start(mem_read, &m, NULL);
	assert_non_null(ra);
	char buf[1000];
	assert_int_equal(imp_readahead_read(ra, buf, sizeof buf), 1000);
	imp_readahead_stop(ra);
	assert_true(m.pos < m.n / 8); /* a few blocks ahead at most */
	imp_readahead_stop(NULL);
	free(m.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_read_error),
		cmocka_unit_test(test_stop_early),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
