/* Test helper: SQL answers read back from a database file, and the check
 * that two databases hold the same imports. */
#ifndef CRIMETAB_TEST_DBANSWER_H
#define CRIMETAB_TEST_DBANSWER_H

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* The one-row, one-column answer of SQL on the database DB, as a string to
 * free ("" for NULL). */
static inline char *db_answer(const char *db, const char *sql)
{
	sqlite3 *c;
	assert_int_equal(sqlite3_open_v2(db, &c, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(c, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	const char *t = (const char *)sqlite3_column_text(st, 0);
	char *v = strdup(t ? t : "");
	sqlite3_finalize(st);
	sqlite3_close(c);
	return v;
}

static inline long long db_count(const char *db, const char *sql)
{
	char *v = db_answer(db, sql);
	long long n = atoll(v);
	free(v);
	return n;
}

/* Everything an import decides, ids of texts included. */
#define DBA_COL(c) "coalesce(\"" c "\", '-')"
static const char *const import_views[] = {
	"SELECT group_concat(id || ':' || text, '|') FROM (SELECT id, text FROM texts ORDER BY id)",
	"SELECT group_concat(" DBA_COL("Crime ID") " || ',' || " DBA_COL("Month") " || ',' || " DBA_COL("Falls within")
	" || ',' || " DBA_COL("Location") " || ',' || " DBA_COL("LSOA code") " || ',' || " DBA_COL("Crime type")
	" || ',' || " DBA_COL("Last outcome category") ", '|') FROM street_crimes",
	"SELECT group_concat(" DBA_COL("Crime ID") " || ',' || " DBA_COL("Location") " || ',' || " DBA_COL("Outcome type")
	", '|') FROM outcomes",
	"SELECT group_concat(" DBA_COL("Type") " || ',' || " DBA_COL("Legislation") " || ',' || " DBA_COL("Object of search")
	" || ',' || " DBA_COL("Outcome") ", '|') FROM stop_and_search",
	"SELECT group_concat(id || ',' || path || ',' || sha256 || ',' || rows_imported || ',' || rows_rejected, '|')"
	" FROM sources",
	"SELECT count(*) || '/' || count(DISTINCT text) FROM texts",
};

/* DB and OTHER hold the same imports: texts under the same ids, rows,
 * rejects and sources (the answers are not all empty). */
static inline void assert_same_imports(const char *db, const char *other)
{
	for (size_t i = 0; i < sizeof import_views / sizeof *import_views; i++) {
		char *x = db_answer(db, import_views[i]), *y = db_answer(other, import_views[i]);
		assert_string_equal(x, y);
		assert_true(*x);
		free(x);
		free(y);
	}
}

#endif
