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
#include "core/util.h"
#include "crimetab/facematch.h"
#include "fm_test.h"
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
	int watchlist, confirmed;
	char site[32];
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
	g->confirmed = s->confirmed;
	snprintf(g->site, sizeof g->site, "%s", s->site_id ? s->site_id : "");
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
	rc = run_fm(path, "", T_2024, T_2025, collect_sink, &c, name, sizeof name, err, sizeof err);
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
	assert_int_equal(run_fm(path, "", T_2024, T_2025, collect_sink, &c, NULL, 0, err, sizeof err),
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
	assert_int_equal(run_fm(path, NULL, T_2024, T_2025, collect_sink, &c, name, sizeof name, err,
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
	assert_int_equal(run_fm(path, NULL, T_2024, T_2025, collect_sink, &c, NULL, 0, err, sizeof err), 42);
	assert_int_equal(c.n, 1);
	assert_contains(err, "stopped by the caller after 1 sightings");
}

static void test_refuses_bare_name(void **state)
{
	char err[512];
	collect c = { 0 };

	(void)state;
	assert_int_equal(run_fm("facematch-embeddings.so", "", T_2024, T_2025, collect_sink, &c, NULL, 0,
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
	assert_int_equal(run_fm(copy, config, T_2024, T_2025, collect_sink, &c, NULL, 0, err, sizeof err),
	                 CT_EPLUGIN);
	assert_contains(err, "writable by group or others (mode 0664)");
	assert_int_equal(c.n, 0);

	assert_int_equal(chmod(copy, 0755), 0);
	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(run_fm(copy, config, T_2024, T_2025, collect_sink, &c, NULL, 0, err, sizeof err),
	                 CT_EPLUGIN);
	assert_contains(err, "directory");
	assert_contains(err, "writable by group or others (mode 0777)");

	/* The same file, once nobody else can change it, loads. */
	assert_int_equal(chmod(dir, 0700), 0);
	assert_int_equal(run_fm(copy, config, T_2024, T_2025, collect_sink, &c, NULL, 0, err, sizeof err),
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
	assert_int_equal(run_fm(fake, "", T_2024, T_2025, collect_sink, &c, NULL, 0, err, sizeof err),
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
		assert_int_equal(run_fm(path, "", T_2024, T_2025, collect_sink, &c, NULL, 0, err, sizeof err), CT_EPLUGIN);
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
	assert_int_equal(run_fm(path, "threshold=0.7", T_2024, T_2025, collect_sink, &c, NULL, 0, err,
	                        sizeof err),
	                 CT_EPLUGIN);
	assert_contains(err, "config: \"sightings=PATH\" is required");
	assert_int_equal(run_fm(path, "sightings=/nonexistent/x.jsonl;colour=red", T_2024, T_2025,
	                        collect_sink, &c, NULL, 0, err, sizeof err),
	                 CT_EPLUGIN);
	assert_contains(err, "config: unknown key \"colour\"");
	assert_int_equal(run_fm(path, "sightings=/nonexistent/x.jsonl", T_2024, T_2025, collect_sink, &c,
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

	assert_int_equal(run_fm(path, config, T_2024, T_2025, collect_sink, &c, name, sizeof name, err,
	                        sizeof err),
	                 CT_OK);
	assert_string_equal(name, "facematch-embeddings 1.1.0");
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
	assert_int_equal(run_fm(path, config, T_2024, T_2025, collect_sink, &again, NULL, 0, err,
	                        sizeof err),
	                 CT_OK);
	assert_int_equal(again.n, c.n);
	for (size_t i = 0; i < c.n; i++)
		assert_string_equal(again.items[i].key, c.items[i].key);

	unlink(sp);
	unlink(wp);
	rmdir(dir);
}

/* Runs test plugin NAME with CONFIG and a timeout of TIMEOUT seconds. */
static int run_test_plugin(const char *name, const char *config, int timeout, collect *c, char *err, size_t errlen)
{
	char path[512];
	fm_request req = { .config = config, .from = T_2024, .to = T_2025, .forget_before = INT64_MIN,
		           .timeout = timeout };
	fm_callbacks cb = { .sighting = collect_sink, .ctx = c };

	test_plugin(path, sizeof path, name);
	return fm_run(path, &req, &cb, NULL, err, errlen);
}

static void test_crash_is_a_plugin_failure(void **state)
{
	char err[1024];
	collect c = { 0 };

	(void)state;
	assert_int_equal(run_test_plugin("crash", "", 30, &c, err, sizeof err), CT_EPLUGIN);
	/* Plainly a signal; under a sanitizer the child reports and exits. */
	if (!strstr(err, "plugin crashed (signal"))
		assert_contains(err, "plugin process ended without finishing");
	assert_contains(err, "after 2 sightings");
	assert_int_equal(c.n, 2); /* what arrived before is the caller's to drop */
}

static void test_hang_is_stopped_at_the_timeout(void **state)
{
	char err[1024];
	collect c = { 0 };
	double t0 = ct_now();

	(void)state;
	assert_int_equal(run_test_plugin("hang", "", 1, &c, err, sizeof err), CT_EPLUGIN);
	assert_true(ct_now() - t0 < 10.0);
	assert_contains(err, "plugin did not finish within 1 s; stopped after 1 sightings");
	/* A slow plugin within its time is fine. */
	c.n = 0;
	assert_int_equal(run_test_plugin("hang", "sleep=1", 20, &c, err, sizeof err), CT_OK);
	assert_int_equal(c.n, 2);
}

static void test_garbage_is_refused(void **state)
{
	static const struct {
		const char *kind, *message;
	} cases[] = {
		{ "pipe", "plugin sent malformed data after 2 sightings" },
		{ "nan", "sighting 3 has confidence nan outside 0..1" },
		{ "key", "sighting 3 has no individual key" },
		{ "long", "sighting 3 has a key longer than 1024 bytes" },
		{ "utf8", "sighting 3 has a crime id that is not UTF-8 text" },
		{ "range", "is outside the requested range" },
		{ "size", "sighting struct is 8 bytes, host needs at least 60" },
	};

	(void)state;
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		char err[1024];
		collect c = { 0 };
		int rc = run_test_plugin("garbage", cases[k].kind, 30, &c, err, sizeof err);
		if (rc != CT_EPLUGIN || !strstr(err, cases[k].message))
			fail_msg("%s: status %d, \"%s\"", cases[k].kind, rc, err);
		assert_null(strchr(err, '\n'));
	}
}

/* A plugin built against the ABI 1.0 header loads, and what lies past its
 * 64-byte sighting (0xAB bytes here) is never read as 1.1 fields. */
static void test_abi_1_0_plugin_loads(void **state)
{
	char path[512], err[1024];
	collect c = { 0 };
	fm_info info = { 0 };
	fm_request req = { .config = "", .from = T_2024, .to = T_2025, .forget_before = INT64_MIN, .timeout = 30 };
	fm_callbacks cb = { .sighting = collect_sink, .ctx = &c };

	(void)state;
	test_plugin(path, sizeof path, "abi10");
	assert_int_equal(fm_run(path, &req, &cb, &info, err, sizeof err), CT_OK);
	assert_int_equal(c.n, 3);
	assert_string_equal(info.name, "abi10");
	assert_int_equal(info.abi_major, 1);
	assert_int_equal(info.abi_minor, 0);
	assert_int_equal(info.has_run_info, 0);
	assert_int_equal(strlen(info.plugin_sha256), 64);
	for (size_t i = 0; i < c.n; i++) {
		assert_int_equal(c.items[i].confirmed, 0);
		assert_string_equal(c.items[i].site, "");
		assert_true(c.items[i].confidence == 0.75);
	}
	assert_string_equal(c.items[0].key, "W-0001");
	assert_int_equal(c.items[0].watchlist, 1);
	fm_info_clear(&info);
}

/* Each field begins where the one before it ends, so no struct of the ABI
 * has a hole an appended field could fall into; and 1.1 fields of the
 * sighting begin past anything a 1.0 plugin's size covers. */
#define FIELD_END(t, f) (offsetof(t, f) + sizeof(((t *)0)->f))
static void test_abi_structs_have_no_padding(void **state)
{
	(void)state;
	assert_int_equal(offsetof(crimetab_fm_sighting, has_coords), FIELD_END(crimetab_fm_sighting, size));
	assert_int_equal(offsetof(crimetab_fm_sighting, time), FIELD_END(crimetab_fm_sighting, has_coords));
	assert_int_equal(offsetof(crimetab_fm_sighting, lon), FIELD_END(crimetab_fm_sighting, time));
	assert_int_equal(offsetof(crimetab_fm_sighting, lat), FIELD_END(crimetab_fm_sighting, lon));
	assert_int_equal(offsetof(crimetab_fm_sighting, crime_id), FIELD_END(crimetab_fm_sighting, lat));
	assert_int_equal(offsetof(crimetab_fm_sighting, individual_key), FIELD_END(crimetab_fm_sighting, crime_id));
	assert_int_equal(offsetof(crimetab_fm_sighting, confidence), FIELD_END(crimetab_fm_sighting, individual_key));
	assert_int_equal(offsetof(crimetab_fm_sighting, watchlist), FIELD_END(crimetab_fm_sighting, confidence));
	assert_int_equal(offsetof(crimetab_fm_sighting, reserved_1_0), FIELD_END(crimetab_fm_sighting, watchlist));
	assert_int_equal(offsetof(crimetab_fm_sighting, confirmed), FIELD_END(crimetab_fm_sighting, reserved_1_0));
	assert_int_equal(offsetof(crimetab_fm_sighting, reserved_1_1), FIELD_END(crimetab_fm_sighting, confirmed));
	assert_int_equal(offsetof(crimetab_fm_sighting, site_id), FIELD_END(crimetab_fm_sighting, reserved_1_1));
	assert_int_equal(sizeof(crimetab_fm_sighting), FIELD_END(crimetab_fm_sighting, site_id));
	/* what a 1.0 plugin built on this platform said its sighting was */
	struct sighting_1_0 {
		uint32_t size;
		int32_t has_coords;
		int64_t time;
		double lon, lat;
		const char *crime_id, *individual_key;
		double confidence;
		int32_t watchlist;
	};
	assert_true(offsetof(crimetab_fm_sighting, confirmed) >= sizeof(struct sighting_1_0));

	assert_int_equal(offsetof(crimetab_fm_descriptor, abi_major), FIELD_END(crimetab_fm_descriptor, struct_size));
	assert_int_equal(offsetof(crimetab_fm_descriptor, abi_minor), FIELD_END(crimetab_fm_descriptor, abi_major));
	assert_int_equal(offsetof(crimetab_fm_descriptor, name), FIELD_END(crimetab_fm_descriptor, abi_minor));
	assert_int_equal(offsetof(crimetab_fm_descriptor, version), FIELD_END(crimetab_fm_descriptor, name));
	assert_int_equal(offsetof(crimetab_fm_descriptor, open), FIELD_END(crimetab_fm_descriptor, version));
	assert_int_equal(offsetof(crimetab_fm_descriptor, identify), FIELD_END(crimetab_fm_descriptor, open));
	assert_int_equal(offsetof(crimetab_fm_descriptor, close), FIELD_END(crimetab_fm_descriptor, identify));
	assert_int_equal(offsetof(crimetab_fm_descriptor, last_error), FIELD_END(crimetab_fm_descriptor, close));
	assert_int_equal(offsetof(crimetab_fm_descriptor, open_host), FIELD_END(crimetab_fm_descriptor, last_error));
	assert_int_equal(offsetof(crimetab_fm_descriptor, run_info), FIELD_END(crimetab_fm_descriptor, open_host));
	assert_int_equal(sizeof(crimetab_fm_descriptor), FIELD_END(crimetab_fm_descriptor, run_info));

	assert_int_equal(offsetof(crimetab_fm_host, abi_major), FIELD_END(crimetab_fm_host, size));
	assert_int_equal(offsetof(crimetab_fm_host, abi_minor), FIELD_END(crimetab_fm_host, abi_major));
	assert_int_equal(offsetof(crimetab_fm_host, state_dir), FIELD_END(crimetab_fm_host, abi_minor));
	assert_int_equal(offsetof(crimetab_fm_host, forget_before), FIELD_END(crimetab_fm_host, state_dir));
	assert_int_equal(offsetof(crimetab_fm_host, merge), FIELD_END(crimetab_fm_host, forget_before));
	assert_int_equal(sizeof(crimetab_fm_host), FIELD_END(crimetab_fm_host, merge));

	assert_int_equal(offsetof(crimetab_fm_run_info, identity), FIELD_END(crimetab_fm_run_info, size));
	assert_int_equal(offsetof(crimetab_fm_run_info, model_name), FIELD_END(crimetab_fm_run_info, identity));
	assert_int_equal(offsetof(crimetab_fm_run_info, model_version), FIELD_END(crimetab_fm_run_info, model_name));
	assert_int_equal(offsetof(crimetab_fm_run_info, similarity), FIELD_END(crimetab_fm_run_info, model_version));
	assert_int_equal(offsetof(crimetab_fm_run_info, threshold), FIELD_END(crimetab_fm_run_info, similarity));
	assert_int_equal(offsetof(crimetab_fm_run_info, gallery_name), FIELD_END(crimetab_fm_run_info, threshold));
	assert_int_equal(offsetof(crimetab_fm_run_info, gallery_version), FIELD_END(crimetab_fm_run_info, gallery_name));
	assert_int_equal(offsetof(crimetab_fm_run_info, gallery_hash), FIELD_END(crimetab_fm_run_info, gallery_version));
	assert_int_equal(offsetof(crimetab_fm_run_info, options), FIELD_END(crimetab_fm_run_info, gallery_hash));
	assert_int_equal(offsetof(crimetab_fm_run_info, inputs), FIELD_END(crimetab_fm_run_info, options));
	assert_int_equal(sizeof(crimetab_fm_run_info), FIELD_END(crimetab_fm_run_info, inputs));
}

typedef struct merges {
	char from[8][64], into[8][64];
	size_t n;
} merges;

static int merge_sink(void *ctx, const char *from, const char *into)
{
	merges *m = ctx;

	assert_true(m->n < 8);
	snprintf(m->from[m->n], sizeof m->from[0], "%s", from);
	snprintf(m->into[m->n], sizeof m->into[0], "%s", into);
	m->n++;
	return 0;
}

typedef struct both {
	collect c;
	merges m;
} both;

static int both_sighting(void *ctx, const fm_sighting *s)
{
	return collect_sink(&((both *)ctx)->c, s);
}

static int both_merge(void *ctx, const char *from, const char *into)
{
	return merge_sink(&((both *)ctx)->m, from, into);
}

/* Runs the reference plugin on TEXT with a state folder under ROOT. */
static int run_with_state(const char *root, const char *dir, const char *text, int merges_ok, both *out, fm_info *info,
                          char *err, size_t errlen)
{
	char sp[512], config[700], path[512];
	fm_request req = { .config = config, .from = T_2024, .to = T_2025, .state_dir = root,
		           .forget_before = INT64_MIN, .timeout = 60 };
	fm_callbacks cb = { .sighting = both_sighting, .merge = merges_ok ? both_merge : NULL, .ctx = out };

	snprintf(sp, sizeof sp, "%s/s.jsonl", dir);
	write_file(sp, text);
	snprintf(config, sizeof config, "sightings=%s;model=toy;model_version=2", sp);
	ref_plugin(path, sizeof path);
	memset(out, 0, sizeof *out);
	return fm_run(path, &req, &cb, info, err, errlen);
}

/* A keeps its key from one run to the next; C, between A and B, shows they
 * are one individual, which the plugin reports as a merge; a host that
 * takes no merges gets a failure, not counts that would be wrong. */
static void test_reference_plugin_state(void **state)
{
	char dir[256], root[300], err[1024];
	both r1, r2, r3;
	fm_info info = { 0 };
	struct stat st;

	(void)state;
	make_tmpdir(dir, sizeof dir);
	snprintf(root, sizeof root, "%s/state", dir);
	assert_int_equal(mkdir(root, 0700), 0);
	assert_int_equal(run_with_state(root, dir,
	                                "{\"id\":\"a1\",\"time\":\"2024-01-05T10:00:00Z\",\"embedding\":[1,0,0,0]}\n"
	                                "{\"id\":\"b1\",\"time\":\"2024-01-06T10:00:00Z\",\"embedding\":[0,1,0,0]}\n",
	                                1, &r1, &info, err, sizeof err),
	                 CT_OK);
	assert_int_equal(r1.c.n, 2);
	assert_string_not_equal(r1.c.items[0].key, r1.c.items[1].key);
	assert_int_equal(info.has_run_info, 1);
	assert_int_equal(info.identity, CRIMETAB_FM_IDENTITY_PERSISTENT);
	assert_string_equal(info.model_name, "toy");
	assert_string_equal(info.similarity, "cosine");
	assert_true(info.threshold == 0.6);
	assert_non_null(strstr(info.inputs, "/s.jsonl sha256:"));
	fm_info_clear(&info);
	/* the state is the plugin's, private, under the root */
	char gallery[400];
	snprintf(gallery, sizeof gallery, "%s/facematch-embeddings/gallery.bin", root);
	assert_int_equal(stat(gallery, &st), 0);

	/* a2 is a1's person again: same key, though its own id is new */
	assert_int_equal(run_with_state(root, dir,
	                                "{\"id\":\"a2\",\"time\":\"2024-02-05T10:00:00Z\",\"embedding\":[0.95,0.05,0.1,0]}\n",
	                                1, &r2, NULL, err, sizeof err),
	                 CT_OK);
	assert_int_equal(r2.c.n, 1);
	assert_string_equal(r2.c.items[0].key, r1.c.items[0].key);
	assert_int_equal(r2.m.n, 0);

	/* c links a and b: without merges the host could not count this right */
	const char *bridge = "{\"id\":\"c1\",\"time\":\"2024-03-05T10:00:00Z\",\"embedding\":[1,1,0,0]}\n";
	assert_int_equal(run_with_state(root, dir, bridge, 0, &r3, NULL, err, sizeof err), CT_EPLUGIN);
	assert_contains(err, "the host takes no merges");
	assert_int_equal(run_with_state(root, dir, bridge, 1, &r3, NULL, err, sizeof err), CT_OK);
	assert_int_equal(r3.m.n, 1);
	assert_int_equal(r3.c.n, 1);
	assert_string_equal(r3.c.items[0].key, r3.m.into[0]);
	assert_true((!strcmp(r3.m.from[0], r1.c.items[0].key) && !strcmp(r3.m.into[0], r1.c.items[1].key)) ||
	            (!strcmp(r3.m.from[0], r1.c.items[1].key) && !strcmp(r3.m.into[0], r1.c.items[0].key)));

	/* another threshold would make keys mean something else: refused */
	char sp[512], config[700], path[512];
	collect c = { 0 };
	fm_request req = { .config = config, .from = T_2024, .to = T_2025, .state_dir = root,
		           .forget_before = INT64_MIN, .timeout = 60 };
	fm_callbacks cb = { .sighting = collect_sink, .ctx = &c };
	snprintf(sp, sizeof sp, "%s/s.jsonl", dir);
	snprintf(config, sizeof config, "sightings=%s;model=toy;threshold=0.4", sp);
	ref_plugin(path, sizeof path);
	assert_int_equal(fm_run(path, &req, &cb, NULL, err, sizeof err), CT_EPLUGIN);
	assert_contains(err, "were matched with threshold 0.6, this run asks for 0.4");

	unlink(gallery);
	snprintf(gallery, sizeof gallery, "%s/facematch-embeddings", root);
	rmdir(gallery);
	rmdir(root);
	unlink(sp);
	rmdir(dir);
}

/* The wire from the child, read from the fuzzing seed: accepted whole;
 * refused, with the reason, when it reports a merge the host did not offer,
 * when it is cut short, or when a header is damaged. */
static void test_wire_reports(void **state)
{
	FILE *fp = fopen("tests/fuzz/seeds/reports.fmwire", "rb");
	unsigned char buf[4096];
	size_t n;
	char err[1024];
	both b;
	fm_request req = { .from = 0, .to = 2000000000, .forget_before = INT64_MIN };
	fm_callbacks cb = { .sighting = both_sighting, .merge = both_merge, .ctx = &b };
	fm_info info = { 0 };

	(void)state;
	assert_non_null(fp);
	n = fread(buf, 1, sizeof buf, fp);
	fclose(fp);
	assert_true(n > 100);

	memset(&b, 0, sizeof b);
	assert_int_equal(fm_parse_reports(buf, n, &req, &cb, &info, err, sizeof err), CT_OK);
	assert_int_equal(b.c.n, 2);
	assert_int_equal(b.m.n, 1);
	assert_string_equal(b.m.from[0], "ind-2");
	assert_string_equal(b.c.items[0].site, "CAM-1");
	assert_int_equal(b.c.items[0].confirmed, 1);
	assert_string_equal(info.name, "facematch-embeddings");
	assert_string_equal(info.model_name, "toy");
	assert_true(info.threshold == 0.6);
	fm_info_clear(&info);

	cb.merge = NULL;
	memset(&b, 0, sizeof b);
	assert_int_equal(fm_parse_reports(buf, n, &req, &cb, &info, err, sizeof err), CT_EPLUGIN);
	assert_contains(err, "reports: plugin reported a merge, which this host did not offer");
	fm_info_clear(&info);

	cb.merge = both_merge;
	assert_int_equal(fm_parse_reports(buf, n - 1, &req, &cb, &info, err, sizeof err), CT_EPLUGIN);
	assert_contains(err, "(truncated record)");
	fm_info_clear(&info);

	buf[2] ^= 1;
	memset(&b, 0, sizeof b);
	assert_int_equal(fm_parse_reports(buf, n, &req, &cb, &info, err, sizeof err), CT_EPLUGIN);
	assert_contains(err, "plugin sent malformed data after 0 sightings (bad record header)");
	assert_int_equal(b.c.n, 0);
	fm_info_clear(&info);
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
		cmocka_unit_test(test_crash_is_a_plugin_failure),
		cmocka_unit_test(test_hang_is_stopped_at_the_timeout),
		cmocka_unit_test(test_garbage_is_refused),
		cmocka_unit_test(test_abi_1_0_plugin_loads),
		cmocka_unit_test(test_abi_structs_have_no_padding),
		cmocka_unit_test(test_reference_plugin_state),
		cmocka_unit_test(test_wire_reports),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
