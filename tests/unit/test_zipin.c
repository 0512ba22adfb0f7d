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

	store *s = store_open(db, 0, err, sizeof err);
	assert_non_null(s);
	imp_bulk *b = imp_bulk_new(s, NULL, NULL);
	for (size_t i = 0; i < 3; i++) {
		imp_result r;
		assert_int_equal(imp_bulk_member(b, z, i, i < 2 ? (long)i + 1 : -1, &r, err, sizeof err), CT_OK);
		assert_int_equal(r.ahead, i > 0);
		assert_false(r.duplicate);
	}
	imp_bulk_free(b);
	store_close(s);

	s = store_open(one_db, 0, err, sizeof err);
	assert_non_null(s);
	for (size_t i = 0; i < 3; i++) {
		imp_result r;
		assert_int_equal(imp_zip_import(z, i, s, NULL, NULL, &r, err, sizeof err), CT_OK);
	}
	store_close(s);
	assert_same_imports(db, one_db);
	imp_zip_close(z);

	size_t n;
	char *buf = slurp(SEED, &n);
	z = imp_zip_open_buffer(SEED, buf, n, err, sizeof err);
	assert_non_null(z);
	s = store_open(mem_db, 0, err, sizeof err);
	assert_non_null(s);
	b = imp_bulk_new(s, NULL, NULL);
	for (size_t i = 0; i < 3; i++) {
		imp_result r;
		assert_int_equal(imp_bulk_member(b, z, i, i < 2 ? (long)i + 1 : -1, &r, err, sizeof err), CT_OK);
		assert_int_equal(r.ahead, 0);
	}
	imp_bulk_free(b);
	store_close(s);
	imp_zip_close(z);
	free(buf);
	assert_same_imports(mem_db, one_db);
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
		cmocka_unit_test(test_unreadable_archives),
		cmocka_unit_test(test_is_zip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
