/* Unit tests for the months of UK civil time (core/util.c): face-match
 * sightings carry UTC instants, and count in the month they happened in
 * Britain, like the crimes they sit beside. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/embedded.h"
#include "core/util.h"
#include "store/store.h"
#include "tmpdir.h"

/* Unix seconds of a UTC date-time. */
static long long utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = s};
	return (long long)timegm(&tm);
}

static void test_uk_month_around_summer_time(void **state)
{
	(void)state;
	/* 30 June 23:30 UTC is 00:30 on 1 July in British Summer Time */
	assert_int_equal(ct_uk_month(utc(2024, 6, 30, 23, 30, 0)), CT_MONTH(2024, 7));
	assert_int_equal(ct_uk_month(utc(2024, 6, 30, 22, 59, 59)), CT_MONTH(2024, 6));
	/* in winter UK time is UTC */
	assert_int_equal(ct_uk_month(utc(2024, 12, 31, 23, 59, 59)), CT_MONTH(2024, 12));
	assert_int_equal(ct_uk_month(utc(2025, 1, 31, 23, 30, 0)), CT_MONTH(2025, 1));
	/* summer time began at 01:00 UTC on Sunday 31 March 2024: 23:30 UTC that
	 * day is already 1 April */
	assert_int_equal(ct_uk_month(utc(2024, 3, 31, 23, 30, 0)), CT_MONTH(2024, 4));
	/* and ended at 01:00 UTC on Sunday 27 October: 31 October 23:30 UTC is
	 * still October */
	assert_int_equal(ct_uk_month(utc(2024, 10, 31, 23, 30, 0)), CT_MONTH(2024, 10));
	/* 30 September 23:30 UTC is 1 October 00:30 BST */
	assert_int_equal(ct_uk_month(utc(2024, 9, 30, 23, 30, 0)), CT_MONTH(2024, 10));
	/* 2023: summer time from 26 March to 29 October; 31 March 23:30 UTC is
	 * 1 April */
	assert_int_equal(ct_uk_month(utc(2023, 3, 31, 23, 30, 0)), CT_MONTH(2023, 4));
	assert_int_equal(ct_uk_month(utc(2023, 3, 26, 0, 59, 59)), CT_MONTH(2023, 3));
}

static void test_uk_month_start(void **state)
{
	(void)state;
	assert_int_equal(ct_uk_month_start(CT_MONTH(2024, 1)), utc(2024, 1, 1, 0, 0, 0));
	assert_int_equal(ct_uk_month_start(CT_MONTH(2024, 4)), utc(2024, 3, 31, 23, 0, 0));
	assert_int_equal(ct_uk_month_start(CT_MONTH(2024, 7)), utc(2024, 6, 30, 23, 0, 0));
	assert_int_equal(ct_uk_month_start(CT_MONTH(2024, 11)), utc(2024, 11, 1, 0, 0, 0));
	/* every month from 1996 to 2040 begins where the one before ends */
	for (int m = CT_MONTH(1996, 1); m <= CT_MONTH(2040, 12); m++) {
		long long start = ct_uk_month_start(m);
		assert_int_equal(ct_uk_month(start), m);
		assert_int_equal(ct_uk_month(start - 1), m - 1);
	}
}

static void exec_ok(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg ? msg : "?");
}

/* Migration 004 files sightings stored by UTC month again, by UK month:
 * the same months as ct_uk_month, around every month's two boundaries. */
static void test_migration_refiles_sightings(void **state)
{
	(void)state;
	char dir[] = "/tmp/crimetab-test-util-XXXXXX", path[128], err[256];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/test.db", dir);
	/* a database as migration 003 left it, which later ones then change */
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	for (const struct embedded_file *f = embedded_files; f->name; f++) {
		int v;
		if (sscanf(f->name, "sql/%d_", &v) == 1 && v <= 3)
			exec_ok(db, f->data);
	}
	exec_ok(db, "INSERT INTO fm_runs (id, plugin, plugin_path, time_from, time_to) VALUES (1, 'p', 'p', 0, 0)");
	sqlite3_stmt *ins;
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO fm_sightings (run_id, time, month, individual, confidence, "
						"watchlist) VALUES (1, ?1, -1, 'x', 1, 0)",
					    -1, &ins, NULL),
			 SQLITE_OK);
	exec_ok(db, "BEGIN");
	/* each month's start in the UK and in UTC, and the changes of clock in
	 * 2024 (31 March and 27 October, 01:00 UTC), and a second either side */
	long long at[2 * 12 * 16 + 2];
	size_t nat = 0;
	for (int m = CT_MONTH(2015, 1); m <= CT_MONTH(2030, 12); m++) {
		struct tm tm = {.tm_year = CT_MONTH_YEAR(m) - 1900, .tm_mon = CT_MONTH_NUM(m) - 1, .tm_mday = 1};
		at[nat++] = ct_uk_month_start(m);
		at[nat++] = (long long)timegm(&tm);
	}
	at[nat++] = 1711846800LL;
	at[nat++] = 1729990800LL;
	int n = 0;
	for (size_t k = 0; k < nat; k++)
		for (long long d = -1; d <= 1; d++) {
			sqlite3_bind_int64(ins, 1, at[k] + d);
			assert_int_equal(sqlite3_step(ins), SQLITE_DONE);
			sqlite3_reset(ins);
			n++;
		}
	sqlite3_finalize(ins);
	exec_ok(db, "COMMIT");
	exec_ok(db, "PRAGMA user_version = 3");
	sqlite3_close(db);

	store *s = store_open(path, 0, err, sizeof err); /* runs 004 and later */
	assert_non_null(s);
	store_close(s);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_stmt *sel;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT time, month FROM fm_sightings", -1, &sel, NULL), SQLITE_OK);
	int seen = 0;
	while (sqlite3_step(sel) == SQLITE_ROW) {
		long long t = sqlite3_column_int64(sel, 0);
		if (sqlite3_column_int(sel, 1) != ct_uk_month(t))
			fail_msg("time %lld: migrated to month %d, not %d", t, sqlite3_column_int(sel, 1), ct_uk_month(t));
		seen++;
	}
	sqlite3_finalize(sel);
	sqlite3_close(db);
	assert_int_equal(seen, n);
	rm_tree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uk_month_around_summer_time),
		cmocka_unit_test(test_uk_month_start),
		cmocka_unit_test(test_migration_refiles_sightings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
