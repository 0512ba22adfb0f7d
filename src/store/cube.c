/* The monthly count cube: area x kind x month x category.  Imports count
 * what they store into it, superseding takes rows out (sources.c), and
 * reports read only this. */
#include "store/store_int.h"

static const char sql_area_cube_del[] = "DELETE FROM cube WHERE area = ?1";
static const char sql_crimes_latest[] = "SELECT max(month) FROM cube WHERE area = 0";
static const char sql_cube_add[] =
	"INSERT INTO cube (area, kind, month, category, n) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT "
	"(area, kind, month, category) DO UPDATE SET n = n + excluded.n";
static const char sql_cube_area[] =
	"INSERT INTO cube (area, kind, month, category, n) SELECT ?1, k.text, c.month, t.text, count(*) "
	"FROM crime_areas ca JOIN crime_records c ON c.id = ca.crime JOIN texts k ON k.id = c.kind JOIN "
	"texts t ON t.id = c.category WHERE ca.area = ?1 GROUP BY c.kind, c.month, c.category";
static const char sql_cube_each[] =
	"SELECT month, category, n FROM cube WHERE area = ?1 AND kind = ?4 AND month BETWEEN ?2 AND ?3";
static const char sql_latest_month[] = "SELECT max(month) FROM cube WHERE area = 0 AND kind = ?1";
static const char sql_kind_count[] = "SELECT coalesce(sum(n), 0) FROM cube WHERE area = 0 AND kind = ?1";

int store_cube_drop_area(store *s, long long area)
{
	return store_run_int(s, sql_area_cube_del, area);
}

int store_cube_add(store *s, long long area, const char *kind, int month, const char *category, long long n)
{
	sqlite3_stmt *st = store_stmt(s, sql_cube_add);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, area);
	store_bind_text(st, 2, kind);
	sqlite3_bind_int(st, 3, month);
	store_bind_text(st, 4, category);
	sqlite3_bind_int64(st, 5, n);
	return store_step_done(st);
}

int store_cube_rebuild_area(store *s, long long area)
{
	if (store_cube_drop_area(s, area) != 0)
		return -1;
	sqlite3_stmt *st = store_stmt(s, sql_cube_area);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, area);
	return store_step_done(st);
}

int store_cube_each(store *s, long long area, const char *kind, int from, int to,
		    int (*fn)(void *ctx, int month, const char *category, long long n), void *ctx)
{
	sqlite3_stmt *st = store_stmt(s, sql_cube_each);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, area);
	store_bind_text(st, 4, kind);
	sqlite3_bind_int(st, 2, from);
	sqlite3_bind_int(st, 3, to);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(ctx, sqlite3_column_int(st, 0), store_col_text(st, 1), sqlite3_column_int64(st, 2)))
			break;
	return store_rows_end(st, rc);
}

long long store_kind_count(store *s, const char *kind)
{
	sqlite3_stmt *st = store_stmt(s, sql_kind_count);
	if (!st)
		return -1;
	store_bind_text(st, 1, kind);
	long long n;
	return store_step_value(st, &n) == 0 ? n : -1;
}

int store_latest_month(store *s, const char *kind)
{
	sqlite3_stmt *st = store_stmt(s, sql_latest_month);
	if (!st)
		return -1;
	store_bind_text(st, 1, kind);
	int m = -1;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		m = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return m;
}

int store_crimes_latest_month(store *s)
{
	sqlite3_stmt *st = store_stmt(s, sql_crimes_latest);
	if (!st)
		return -2;
	int m = -1, rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		m = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? m : -2;
}

