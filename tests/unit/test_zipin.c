/* Unit tests for zip members as import inputs, on tests/fuzz/seeds/download.zip
 * (real police.uk rows, see tests/fuzz/seeds/README.md): listing, order,
 * accounting, idempotence, and archives that cannot be read. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "core/util.h"
#include "import/zipin.h"
#include "dbanswer.h"
#include "tmpdir.h"

#define SEED "tests/fuzz/seeds/download.zip"

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *buf = malloc(1 << 16);
	assert_non_null(buf);
	*n = fread(buf, 1, 1 << 16, f);
	fclose(f);
	return buf;
}

static void test_members_sorted_folders_left_out(void **state)
{
	(void)state;
	char err[512] = "";
	imp_zip *z = imp_zip_open(SEED, err, sizeof err);
	assert_non_null(z);
	assert_int_equal(imp_zip_count(z), 3);
	assert_string_equal(imp_zip_member(z, 0), "2024-09/2024-09-cleveland-outcomes.csv");
	assert_string_equal(imp_zip_member(z, 1), "2024-09/2024-09-cleveland-stop-and-search.csv");
	assert_string_equal(imp_zip_member(z, 2), "2024-09/2024-09-cleveland-street.csv");
	imp_zip_close(z);
	imp_zip_close(NULL);
}

static void test_import_members(void **state)
{
	(void)state;
	char dir[] = "/tmp/crimetab-zipin-XXXXXX", db[64], err[2048] = "";
	assert_non_null(mkdtemp(dir));
	snprintf(db, sizeof db, "%s/t.db", dir);
	store *s = store_open(db, 0, err, sizeof err);
	assert_non_null(s);
	imp_zip *z = imp_zip_open(SEED, err, sizeof err);
	assert_non_null(z);
	static const long long rows[] = {2, 2, 5};
	static const char *const kinds[] = {"outcomes", "stop-and-search", "street"};
	for (size_t i = 0; i < 3; i++) {
		imp_result r;
		assert_int_equal(imp_zip_import(z, i, s, NULL, NULL, &r, err, sizeof err), CT_OK);
		assert_false(r.duplicate);
		assert_string_equal(r.kind, kinds[i]);
		assert_int_equal(r.rows_read, rows[i]);
		assert_int_equal(r.imported + r.rejected, r.rows_read);
		assert_int_equal(r.month_min, CT_MONTH(2024, 9));
	}
	/* the same member again, even from a second handle, is a duplicate */
	imp_zip *again = imp_zip_open(SEED, err, sizeof err);
	assert_non_null(again);
	imp_result r;
	assert_int_equal(imp_zip_import(again, 2, s, NULL, NULL, &r, err, sizeof err), CT_OK);
	assert_true(r.duplicate);
	imp_zip_close(again);
	imp_zip_close(z);
	store_close(s);
	rm_tree(dir);
}

/* Imports Z's three members into a new store at DB, with imp_bulk_member
 * (each read ahead: AHEAD says which, from the second) or, BULK 0,
 * imp_zip_import. */
static void import_members(imp_zip *z, const char *db, int bulk, int ahead)
{
	char err[2048] = "";
	store *s = store_open(db, 0, err, sizeof err);
	assert_non_null(s);
	imp_bulk *b = bulk ? imp_bulk_new(s, NULL, NULL) : NULL;
	for (size_t i = 0; i < 3; i++) {
		imp_result r;
		if (b) {
			assert_int_equal(imp_bulk_member(b, z, i, i < 2 ? (long)i + 1 : -1, &r, err, sizeof err), CT_OK);
			assert_int_equal(r.ahead, ahead && i > 0);
		} else {
			assert_int_equal(imp_zip_import(z, i, s, NULL, NULL, &r, err, sizeof err), CT_OK);
		}
		assert_false(r.duplicate);
	}
	imp_bulk_free(b);
	store_close(s);
}

/* imp_bulk_member reads each member while the one before is stored (on a
 * handle of its own): the database is the one imp_zip_import gives.  An
 * archive held in memory is not read ahead, and imports the same way. */
static void test_bulk_members(void **state)
{
	(void)state;
	char dir[] = "/tmp/crimetab-zipin-XXXXXX", db[64], one_db[64], mem_db[64], err[2048] = "";
	assert_non_null(mkdtemp(dir));
	snprintf(db, sizeof db, "%s/t.db", dir);
	snprintf(one_db, sizeof one_db, "%s/one.db", dir);
	snprintf(mem_db, sizeof mem_db, "%s/mem.db", dir);
	imp_zip *z = imp_zip_open(SEED, err, sizeof err);
	assert_non_null(z);

	import_members(z, db, 1, 1);
	import_members(z, one_db, 0, 0);
	assert_same_imports(db, one_db);
	imp_zip_close(z);

	size_t n;
	char *buf = slurp(SEED, &n);
	z = imp_zip_open_buffer(SEED, buf, n, err, sizeof err);
	assert_non_null(z);
	import_members(z, mem_db, 1, 0);
	imp_zip_close(z);
	free(buf);
	assert_same_imports(mem_db, one_db);
	rm_tree(dir);
}

/* Copies the file FROM to TO. */
static void copy_file(const char *from, const char *to)
{
	size_t n;
	char *buf = slurp(from, &n);
	FILE *f = fopen(to, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
	free(buf);
}

/* The archive is replaced (a download renamed over it) while its members
 * are imported: the members read ahead, through a handle opened by the path
 * again, would come from the new archive, so none is; every member comes
 * from the archive as first opened, as imp_zip_import would import it. */
static void test_bulk_members_archive_replaced(void **state)
{
	(void)state;
	char dir[] = "/tmp/crimetab-zipin-XXXXXX", db[64], one_db[64], path[64], other[64], err[2048] = "";
	assert_non_null(mkdtemp(dir));
	snprintf(db, sizeof db, "%s/t.db", dir);
	snprintf(one_db, sizeof one_db, "%s/one.db", dir);
	snprintf(path, sizeof path, "%s/a.zip", dir);
	snprintf(other, sizeof other, "%s/new.zip", dir);
	copy_file(SEED, path);
	/* the new archive: the same members, of the same sizes, but another
	 * place in each ("On or NEAR"): only the archive's file tells them apart */
	int code = 0;
	zip_t *old = zip_open(SEED, ZIP_RDONLY, &code), *za = zip_open(other, ZIP_CREATE | ZIP_TRUNCATE, &code);
	assert_non_null(old);
	assert_non_null(za);
	char *bufs[8];
	zip_int64_t n = zip_get_num_entries(old, 0);
	assert_true(n > 0 && n <= 8);
	for (zip_int64_t i = 0; i < n; i++) {
		zip_stat_t st;
		assert_int_equal(zip_stat_index(old, (zip_uint64_t)i, 0, &st), 0);
		bufs[i] = calloc(1, st.size + 1);
		assert_non_null(bufs[i]);
		zip_file_t *zf = zip_fopen_index(old, (zip_uint64_t)i, 0);
		assert_non_null(zf);
		assert_int_equal(zip_fread(zf, bufs[i], st.size), (zip_int64_t)st.size);
		zip_fclose(zf);
		char *at = strstr(bufs[i], "On or near");
		if (at)
			memcpy(at, "On or NEAR", 10);
		zip_source_t *src = zip_source_buffer(za, bufs[i], st.size, 0);
		assert_non_null(src);
		assert_true(zip_file_add(za, st.name, src, 0) >= 0);
	}
	assert_int_equal(zip_close(za), 0);
	zip_discard(old);
	for (zip_int64_t i = 0; i < n; i++)
		free(bufs[i]);

	imp_zip *z = imp_zip_open(path, err, sizeof err);
	assert_non_null(z);
	assert_int_equal(rename(other, path), 0);
	import_members(z, db, 1, 0);
	import_members(z, one_db, 0, 0);
	imp_zip_close(z);
	assert_same_imports(db, one_db);
	assert_int_equal(db_count(db, "SELECT count(*) FROM texts WHERE text GLOB 'On or NEAR*'"), 0);
	rm_tree(dir);
}

static void test_unreadable_archives(void **state)
{
	(void)state;
	size_t n;
	char *buf = slurp(SEED, &n);
	char err[512] = "";
	/* cut short: the central directory at the end is gone */
	assert_null(imp_zip_open_buffer("cut.zip", buf, n / 2, err, sizeof err));
	assert_non_null(strstr(err, "cut.zip: cannot read the zip archive: "));
	assert_non_null(strstr(err, "truncated"));
	assert_null(imp_zip_open_buffer("text.zip", "Crime ID,Month\n", 15, err, sizeof err));
	assert_non_null(strstr(err, "text.zip: cannot read the zip archive"));
	assert_null(imp_zip_open("/nonexistent-crimetab/x.zip", err, sizeof err));
	assert_non_null(strstr(err, "/nonexistent-crimetab/x.zip: cannot open: "));
	imp_zip *z = imp_zip_open_buffer("whole.zip", buf, n, err, sizeof err);
	assert_non_null(z);
	assert_int_equal(imp_zip_count(z), 3);
	imp_zip_close(z);
	free(buf);
}

static void test_is_zip(void **state)
{
	(void)state;
	assert_int_equal(imp_zip_is_zip(SEED), 1);
	assert_int_equal(imp_zip_is_zip("tests/fixtures/api/crimes-street-all-crime-point-2024-10.json"), 0);
	assert_int_equal(imp_zip_is_zip("/nonexistent-crimetab/x.ZIP"), 1); /* by its name */
	assert_int_equal(imp_zip_is_zip("/nonexistent-crimetab/x.csv"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_members_sorted_folders_left_out),
		cmocka_unit_test(test_import_members),
		cmocka_unit_test(test_bulk_members),
		cmocka_unit_test(test_bulk_members_archive_replaced),
		cmocka_unit_test(test_unreadable_archives),
		cmocka_unit_test(test_is_zip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
