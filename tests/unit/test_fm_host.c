/* Unit tests for the face-match host: what it refuses, what it reports when
 * a plugin fails, and what the reference plugin returns on a tiny input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <link.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/status.h"
#include "plugin/fm_elf.h"
#include "plugin/fm_host.h"

/* 2024-01-01T00:00:00Z and 2025-01-01T00:00:00Z. */
#define T_2024 1704067200LL
#define T_2025 1735689600LL

typedef struct got {
	char key[64];
	char crime[32];
	int64_t time;
	int has_coords;
	double lon, lat, confidence;
	int watchlist;
} got;

typedef struct collect {
	got items[32];
	size_t n;
	int stop_after; /* 0: never */
	int stop_rc;
} collect;

static int collect_sink(void *ctx, const fm_sighting *s)
{
	collect *c = ctx;
	got *g;

	if (c->stop_after && (int)c->n >= c->stop_after)
		return c->stop_rc;
	assert_true(c->n < sizeof c->items / sizeof c->items[0]);
	g = &c->items[c->n++];
	snprintf(g->key, sizeof g->key, "%s", s->individual_key);
	snprintf(g->crime, sizeof g->crime, "%s", s->crime_id ? s->crime_id : "");
	g->time = s->time;
	g->has_coords = s->has_coords;
	g->lon = s->lon;
	g->lat = s->lat;
	g->confidence = s->confidence;
	g->watchlist = s->watchlist;
	return 0;
}

static const got *find_crime(const collect *c, const char *crime)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->items[i].crime, crime))
			return &c->items[i];
	return NULL;
}

static const char *build_dir(void)
{
	const char *b = getenv("BUILD");

	return b && *b ? b : "build";
}

static void test_plugin(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/tests/plugins/%s.so", build_dir(), name);
}

static void ref_plugin(char *buf, size_t len)
{
	snprintf(buf, len, "%s/plugins/facematch-embeddings.so", build_dir());
}

static void make_tmpdir(char *buf, size_t len)
{
	const char *t = getenv("TMPDIR");

	snprintf(buf, len, "%s/crimetab-fmhost-XXXXXX", t && *t ? t : "/tmp");
	assert_non_null(mkdtemp(buf));
}

static void copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out;
	char buf[8192];
	size_t n;

	assert_non_null(in);
	out = fopen(to, "wb");
	assert_non_null(out);
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static void assert_contains(const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle))
		fail_msg("expected \"%s\" in \"%s\"", needle, haystack);
}

static void test_refuses_other_abi_major(void **state)
{
	char path[512], err[512], name[64] = "unchanged";
	collect c = { 0 };
	int rc;

	(void)state;
	test_plugin(path, sizeof path, "bad_abi");
	rc = fm_run(path, "", T_2024, T_2025, collect_sink, &c, name, sizeof name, err, sizeof err);
	assert_int_equal(rc, CT_EPLUGIN);
	assert_int_equal(c.n, 0);
	assert_contains(err, path);
	assert_contains(err, ": ABI version 99.0 not supported (host speaks 1.x)");
	assert_string_equal(name, "");
}

static void test_refuses_short_descriptor(void **state)
{
	char path[512], err[512];
	collect c = { 0 };

	(void)state;
	test_plugin(path, sizeof path, "short_desc");
	assert_int_equal(fm_run(path, "", T_2024, T_2025, collect_sink, &c, NULL, 0, err, sizeof err),
	                 CT_EPLUGIN);
	assert_int_equal(c.n, 0);
	assert_contains(err, "plugin descriptor is");
	assert_contains(err, "host needs at least");
}

static void test_failure_midstream_is_reported(void **state)
{
	char path[512], err[512], name[64];
	collect c = { 0 };

	(void)state;
	test_plugin(path, sizeof path, "fail_midstream");
	assert_int_equal(fm_run(path, NULL, T_2024, T_2025, collect_sink, &c, name, sizeof name, err,
	                        sizeof err),
	                 CT_EPLUGIN);
	/* Three were delivered before the failure: the caller must roll back. */
	assert_int_equal(c.n, 3);
	assert_string_equal(c.items[2].key, "ind-a");
	assert_string_equal(name, "fail-midstream 0.0.1");
	assert_contains(err, "failed after 3 sightings: match service connection lost after 3 sightings");
	assert_null(strchr(err, '\n'));
}

static void test_sink_stop_passes_its_value(void **state)
{
	char path[512], err[512];
	collect c = { 0 };

	(void)state;
	c.stop_after = 1;
	c.stop_rc = 42;
	test_plugin(path, sizeof path, "fail_midstream");
	assert_int_equal(fm_run(path, NULL, T_2024, T_2025, collect_sink, &c, NULL, 0, err, sizeof err), 42);
	assert_int_equal(c.n, 1);
	assert_contains(err, "stopped by the caller after 1 sightings");
}

static void test_refuses_bare_name(void **state)
{
	char err[512];
	collect c = { 0 };

	(void)state;
	assert_int_equal(fm_run("facematch-embeddings.so", "", T_2024, T_2025, collect_sink, &c, NULL, 0,
	                        err, sizeof err),
	                 CT_EPLUGIN);
	assert_contains(err, "plugin path must name a file");
}

static void test_refuses_writable_plugin(void **state)
{
	char dir[256], copy[512], path[512], data[512], config[1100], err[1024];
	collect c = { 0 };

	(void)state;
	make_tmpdir(dir, sizeof dir);
	ref_plugin(path, sizeof path);
	snprintf(copy, sizeof copy, "%s/fm.so", dir);
	copy_file(path, copy);
	snprintf(data, sizeof data, "%s/s.jsonl", dir);
	write_file(data, "{\"id\":\"a\",\"time\":\"2024-03-01T10:00:00Z\",\"embedding\":[1,0,0]}\n");
	snprintf(config, sizeof config, "sightings=%s", data);

	assert_int_equal(chmod(copy, 0664), 0);
	assert_int_equal(fm_run(copy, config, T_2024, T_2025, collect_sink, &c, NULL, 0, err, sizeof err),
	                 CT_EPLUGIN);
	assert_contains(err, "writable by group or others (mode 0664)");
	assert_int_equal(c.n, 0);

	assert_int_equal(chmod(copy, 0755), 0);
	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(fm_run(copy, config, T_2024, T_2025, collect_sink, &c, NULL, 0, err, sizeof err),
	                 CT_EPLUGIN);
	assert_contains(err, "directory");
	assert_contains(err, "writable by group or others (mode 0777)");

	/* The same file, once nobody else can change it, loads. */
	assert_int_equal(chmod(dir, 0700), 0);
	assert_int_equal(fm_run(copy, config, T_2024, T_2025, collect_sink, &c, NULL, 0, err, sizeof err),
	                 CT_OK);
	assert_int_equal(c.n, 1);

	unlink(data);
	unlink(copy);
	rmdir(dir);
}

static void test_refuses_non_plugin(void **state)
{
	char dir[256], fake[512], err[1024];
	collect c = { 0 };

	(void)state;
	make_tmpdir(dir, sizeof dir);
	snprintf(fake, sizeof fake, "%s/fake.so", dir);
	write_file(fake, "not a shared object\n");
	assert_int_equal(fm_run(fake, "", T_2024, T_2025, collect_sink, &c, NULL, 0, err, sizeof err),
	                 CT_EPLUGIN);
	assert_contains(err, "refusing plugin: not a shared library");
	unlink(fake);
	rmdir(dir);
}

/* Copies the reference plugin into DIR as NAME, cut to BYTES (or whole when
 * BYTES is 0), with its section header offset zeroed if NO_SHDR. */
static void cut_plugin(const char *dir, const char *name, long bytes, int no_shdr, char *out, size_t len)
{
	char ref[512];
	ref_plugin(ref, sizeof ref);
	snprintf(out, len, "%s/%s", dir, name);
	copy_file(ref, out);
	if (bytes)
		assert_int_equal(truncate(out, bytes), 0);
	if (no_shdr) {
		int fd = open(out, O_WRONLY);
		assert_true(fd >= 0);
		ElfW(Off) zero = 0;
		assert_int_equal(pwrite(fd, &zero, sizeof zero, offsetof(ElfW(Ehdr), e_shoff)), (ssize_t)sizeof zero);
		close(fd);
	}
}

/* A truncated plugin used to be mapped past its end and kill crimetab with
 * SIGBUS; it is refused with a message before dlopen. */
static void test_refuses_truncated_plugin(void **state)
{
	char dir[256], path[512], err[1024];
	collect c = { 0 };
	struct stat st;

	(void)state;
	make_tmpdir(dir, sizeof dir);
	cut_plugin(dir, "whole.so", 0, 0, path, sizeof path);
	assert_int_equal(fm_elf_check(path, "whole.so", err, sizeof err), 0);
	assert_int_equal(stat(path, &st), 0);
	static const struct {
		long keep; /* bytes kept; negative: that many fewer than the whole */
		int no_shdr;
		const char *why;
	} cuts[] = {
		{10, 0, "no ELF header"},
		{200, 0, "program headers are not in its 200 bytes"},
		{-1, 0, "section headers are not in its"},
		{20000, 0, "section headers are not in its 20000 bytes"},
		{20000, 1, "a segment ends at byte"},
	};
	for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
		long keep = cuts[i].keep > 0 ? cuts[i].keep : (long)st.st_size + cuts[i].keep;
		cut_plugin(dir, "cut.so", keep, cuts[i].no_shdr, path, sizeof path);
		err[0] = '\0';
		assert_int_equal(fm_run(path, "", T_2024, T_2025, collect_sink, &c, NULL, 0, err, sizeof err), CT_EPLUGIN);
		assert_contains(err, "refusing plugin");
		assert_contains(err, cuts[i].why);
		assert_int_equal(c.n, 0);
	}
	/* not a regular file */
	assert_int_equal(fm_elf_check(dir, "d", err, sizeof err), -1);
	assert_contains(err, "d: refusing plugin: a folder, not a regular file");
	unlink(path);
	snprintf(path, sizeof path, "%s/whole.so", dir);
	unlink(path);
	rmdir(dir);
}

static void test_open_error_is_reported(void **state)
{
	char path[512], err[1024];
	collect c = { 0 };

	(void)state;
	ref_plugin(path, sizeof path);
	assert_int_equal(fm_run(path, "threshold=0.7", T_2024, T_2025, collect_sink, &c, NULL, 0, err,
	                        sizeof err),
	                 CT_EPLUGIN);
	assert_contains(err, "config: \"sightings=PATH\" is required");
	assert_int_equal(fm_run(path, "sightings=/nonexistent/x.jsonl;colour=red", T_2024, T_2025,
	                        collect_sink, &c, NULL, 0, err, sizeof err),
	                 CT_EPLUGIN);
	assert_contains(err, "config: unknown key \"colour\"");
	assert_int_equal(fm_run(path, "sightings=/nonexistent/x.jsonl", T_2024, T_2025, collect_sink, &c,
	                        NULL, 0, err, sizeof err),
	                 CT_EPLUGIN);
	assert_contains(err, "/nonexistent/x.jsonl: No such file or directory");
	assert_int_equal(c.n, 0);
}

/* s1 and s5 share nothing directly; they are one person only through s2,
 * which falls before the requested range: matching must still use it. */
static const char ref_sightings[] =
	"{\"id\":\"s1\",\"time\":\"2024-01-10T09:00:00Z\",\"crime_id\":\"c1\",\"embedding\":[1,0,0,0,0,0,0,0]}\n"
	"{\"id\":\"s2\",\"time\":\"2023-06-01T09:00:00Z\",\"crime_id\":\"c2\",\"embedding\":[1,1,0,0,0,0,0,0]}\n"
	"\n"
	"{\"id\":\"s5\",\"time\":\"2024-02-01T12:30:00+01:00\",\"crime_id\":\"c5\",\"embedding\":[0,2,0,0,0,0,0,0]}\n"
	"{\"id\":\"s3\",\"time\":\"2024-01-15T17:45:10Z\",\"lon\":-1.3125,\"lat\":54.5655,\"crime_id\":\"c3\","
	"\"embedding\":[0,0,1,0,0,0,0,0]}\n"
	"{\"id\":\"s4\",\"time\":\"2024-01-20T08:00:00.250Z\",\"crime_id\":\"c4\",\"embedding\":[0,0,0,1,0.1,0,0,0]}\n"
	"{\"id\":\"s6\",\"time\":\"2024-03-01T00:00:00Z\",\"crime_id\":null,\"embedding\":[0,0,0,0,0,0,0,3]}\n";

static const char ref_watchlist[] =
	"{\"id\":\"W-0001\",\"embedding\":[0,0,0,1,0,0,0,0]}\n"
	"{\"id\":\"W-0002\",\"embedding\":[0,0,0,0,0,1,0,0]}\n";

static void test_reference_plugin_keys(void **state)
{
	char dir[256], path[512], sp[512], wp[512], config[1200], err[1024], name[64];
	collect c = { 0 }, again = { 0 };
	const got *g;

	(void)state;
	make_tmpdir(dir, sizeof dir);
	snprintf(sp, sizeof sp, "%s/sightings.jsonl", dir);
	snprintf(wp, sizeof wp, "%s/watchlist.jsonl", dir);
	write_file(sp, ref_sightings);
	write_file(wp, ref_watchlist);
	snprintf(config, sizeof config, "sightings=%s\nwatchlist = %s ;threshold=0.6", sp, wp);
	ref_plugin(path, sizeof path);

	assert_int_equal(fm_run(path, config, T_2024, T_2025, collect_sink, &c, name, sizeof name, err,
	                        sizeof err),
	                 CT_OK);
	assert_string_equal(name, "facematch-embeddings 1.0.0");
	assert_int_equal(c.n, 5);
	assert_null(find_crime(&c, "c2"));

	g = find_crime(&c, "c1");
	assert_non_null(g);
	assert_string_equal(g->key, "ind-08d8ff07b578d149");
	assert_int_equal(g->watchlist, 0);
	assert_int_equal(g->has_coords, 0);
	assert_true(g->confidence > 0.70 && g->confidence < 0.71);
	g = find_crime(&c, "c5");
	assert_non_null(g);
	assert_string_equal(g->key, "ind-08d8ff07b578d149");
	assert_int_equal(g->time, 1706787000LL); /* 2024-02-01T11:30:00Z */

	g = find_crime(&c, "c3");
	assert_non_null(g);
	assert_string_equal(g->key, "ind-08d8fd07b578cde3");
	assert_true(g->confidence == 1.0);
	assert_int_equal(g->has_coords, 1);
	assert_true(g->lon == -1.3125 && g->lat == 54.5655);

	g = find_crime(&c, "c4");
	assert_non_null(g);
	assert_string_equal(g->key, "W-0001");
	assert_int_equal(g->watchlist, 1);
	assert_int_equal(g->time, 1705737600LL);
	assert_true(g->confidence > 0.99 && g->confidence <= 1.0);

	g = find_crime(&c, "");
	assert_non_null(g);
	assert_string_equal(g->key, "ind-08d90007b578d2fc");

	/* Same input, same keys, in the same order. */
	assert_int_equal(fm_run(path, config, T_2024, T_2025, collect_sink, &again, NULL, 0, err,
	                        sizeof err),
	                 CT_OK);
	assert_int_equal(again.n, c.n);
	for (size_t i = 0; i < c.n; i++)
		assert_string_equal(again.items[i].key, c.items[i].key);

	unlink(sp);
	unlink(wp);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refuses_other_abi_major),
		cmocka_unit_test(test_refuses_short_descriptor),
		cmocka_unit_test(test_failure_midstream_is_reported),
		cmocka_unit_test(test_sink_stop_passes_its_value),
		cmocka_unit_test(test_refuses_bare_name),
		cmocka_unit_test(test_refuses_writable_plugin),
		cmocka_unit_test(test_refuses_non_plugin),
		cmocka_unit_test(test_refuses_truncated_plugin),
		cmocka_unit_test(test_open_error_is_reported),
		cmocka_unit_test(test_reference_plugin_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
