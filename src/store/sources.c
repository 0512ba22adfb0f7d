/* Imported files (sources): their counts and layout, the force-months each
 * provides and what a newer file supersedes, the rows kept aside as rejects,
 * and what saved police.uk API responses cover. */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "store/store_int.h"

/* Which columns a statement writes: W_ADD when a source is added (its rows
 * then follow it), W_FINISH when its file has been read. */
enum { W_ADD = 1, W_FINISH = 2 };

/* To add a column: its field in store_source (store.h), one line here, and
 * an ALTER TABLE in a new sql/ migration. */
static const store_column source_cols[] = {
	STORE_COL(store_source, id, COL_INT64),
	STORE_COL_W(store_source, path, COL_STR, W_ADD),
	STORE_COL_W(store_source, sha256, COL_STR, W_ADD | W_FINISH),
	STORE_COL_W(store_source, kind, COL_STR, W_ADD),
	STORE_COL_W(store_source, force, COL_STR, W_ADD | W_FINISH),
	STORE_COL_W(store_source, mapping, COL_STR, W_ADD),
	STORE_COL(store_source, imported_at, COL_STR),
	STORE_COL_W(store_source, month_min, COL_MONTH, W_FINISH),
	STORE_COL_W(store_source, month_max, COL_MONTH, W_FINISH),
	STORE_COL_W(store_source, bytes, COL_INT64, W_ADD | W_FINISH),
	STORE_COL_W(store_source, rows_read, COL_INT64, W_FINISH),
	STORE_COL_W(store_source, rows_imported, COL_INT64, W_FINISH),
	STORE_COL_W(store_source, rows_rejected, COL_INT64, W_FINISH),
	STORE_COL_W(store_source, rows_superseded, COL_INT64, W_FINISH),
	STORE_COL(store_source, superseded_by, COL_INT64),
	STORE_COL(store_source, first_row, COL_INT64),
	STORE_COL(store_source, last_row, COL_INT64),
	STORE_COL_W(store_source, head, COL_BYTES, W_FINISH),
	STORE_COL_W(store_source, eol, COL_STR, W_FINISH),
	STORE_COL_W(store_source, tail, COL_BYTES, W_FINISH),
};
static const store_table sources_table = STORE_TABLE("sources", source_cols);

static const store_column reject_cols[] = {
	STORE_COL(store_reject, source_id, COL_INT64),
	STORE_COL(store_reject, line, COL_INT64),
	STORE_COL(store_reject, reason, COL_STR),
	STORE_COL(store_reject, raw, COL_STR),
	STORE_COL(store_reject, span, COL_BYTES),
};
static const store_table rejects_table = STORE_TABLE("rejects", reject_cols);

/* A source's rows are stored in one transaction, so their ids are
 * consecutive and its sources row keeps the span (see
 * sql/003_import_speed.sql): first_row is set when it is added, last_row
 * when it is finished. */
static const char sql_source_first_row[] =
	"UPDATE sources SET first_row = 1 + CASE kind WHEN 'outcomes' THEN (SELECT coalesce(max(id), 0) FROM "
	"outcome_records) WHEN 'stop-and-search' THEN (SELECT coalesce(max(id), 0) FROM stop_records) "
	"ELSE (SELECT coalesce(max(id), 0) FROM crime_records) END WHERE id = ?1";
static const char last_row_sql[] =
	"CASE kind WHEN 'outcomes' THEN (SELECT max(id) FROM outcome_records) WHEN 'stop-and-search' THEN "
	"(SELECT max(id) FROM stop_records) ELSE (SELECT max(id) FROM crime_records) END";

/* The crime's force (falls within, else reported by) is the text ?3. */
#define FORCE_IS(t) "coalesce(" t "falls_within, " t "reported_by) = ?3"

/* Crimes of source s (joined as s): its span of row ids, open at the top for
 * the source being imported, whose last_row is written when it is done. */
#define SPAN_ROWS "c.id BETWEEN s.first_row AND coalesce(s.last_row, (SELECT max(id) FROM crime_records)) AND " \
	"c.source_id = s.id"

static const char sql_api_cover_add[] =
	"INSERT INTO api_coverage (source_id, month, crimes, with_id, lon_min, lat_min, lon_max, "
	"lat_max) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char sql_api_month_seen[] = "SELECT EXISTS (SELECT 1 FROM api_coverage WHERE month = ?1)";
static const char sql_api_months_each[] =
	"SELECT month, sum(crimes - superseded) FROM api_coverage GROUP BY month HAVING sum(crimes - "
	"superseded) > 0 ORDER BY month";
static const char sql_api_of_month[] =
	"SELECT source_id, contained FROM api_coverage WHERE month = ?1 ORDER BY source_id DESC";
static const char sql_recon_reset[] = "DELETE FROM temp.recon_ids";
static const char sql_recon_drop_reset[] = "DELETE FROM temp.recon_drop";
static const char sql_recon_csv_ids[] =
	"INSERT OR IGNORE INTO temp.recon_ids (crime_id, api) SELECT c.crime_id, 0 FROM source_months sm "
	"JOIN sources s ON s.id = sm.source_id JOIN crimes c ON "
	SPAN_ROWS
	" WHERE sm.kind = 'street' AND sm.month = ?1 AND c.month = ?1 AND c.crime_id IS NOT NULL";
static const char sql_recon_api_ids[] =
	"INSERT OR IGNORE INTO temp.recon_ids (crime_id, api) SELECT c.crime_id, 1 FROM sources s JOIN "
	"crimes c ON "
	SPAN_ROWS
	" WHERE s.id = ?1 AND c.month = ?2 AND c.crime_id IS NOT NULL";
static const char sql_recon_count[] =
	"SELECT count(*), count(r.crime_id), coalesce(sum(r.api), 0) FROM sources s JOIN crimes c ON "
	SPAN_ROWS
	" LEFT JOIN temp.recon_ids r ON r.crime_id = c.crime_id WHERE s.id = ?1 AND c.month = ?2 AND "
	"c.crime_id IS NOT NULL";
static const char sql_recon_drop_matched[] =
	"INSERT OR IGNORE INTO temp.recon_drop (id) SELECT c.id FROM sources s JOIN crimes c ON "
	SPAN_ROWS
	" WHERE s.id = ?1 AND c.month = ?2 AND c.crime_id IN (SELECT crime_id FROM temp.recon_ids)";
static const char sql_recon_drop_idless[] =
	"INSERT OR IGNORE INTO temp.recon_drop (id) SELECT c.id FROM sources s JOIN crimes c ON "
	SPAN_ROWS
	" WHERE s.id = ?1 AND c.month = ?2 AND c.crime_id IS NULL AND ((?3 AND c.force <> 'British "
	"Transport Police') OR (?4 AND c.force = 'British Transport Police'))";
static const char sql_recon_idless_left[] =
	"SELECT count(*) FROM sources s JOIN crimes c ON "
	SPAN_ROWS
	" WHERE s.id = ?1 AND c.month = ?2 AND c.crime_id IS NULL AND c.id NOT IN (SELECT id FROM "
	"temp.recon_drop)";
static const char sql_recon_csv_any[] =
	"SELECT EXISTS (SELECT 1 FROM source_months WHERE kind = 'street' AND month = ?1)";
static const char sql_recon_btp_csv[] =
	"SELECT EXISTS (SELECT 1 FROM source_months WHERE kind = 'street' AND month = ?1 AND force = "
	"'British Transport Police')";
static const char sql_recon_cube_all[] =
	"INSERT INTO cube (area, kind, month, category, n) SELECT 0, kind, month, category, -count(*) "
	"FROM crimes WHERE id IN (SELECT id FROM temp.recon_drop) GROUP BY kind, month, category ON "
	"CONFLICT (area, kind, month, category) DO UPDATE SET n = n + excluded.n";
static const char sql_recon_cube_areas[] =
	"INSERT INTO cube (area, kind, month, category, n) SELECT ca.area, c.kind, c.month, c.category, "
	"-count(*) FROM crimes c JOIN crime_areas ca ON ca.crime = c.id WHERE c.id IN (SELECT id FROM "
	"temp.recon_drop) GROUP BY ca.area, c.kind, c.month, c.category ON CONFLICT (area, kind, month, "
	"category) DO UPDATE SET n = n + excluded.n";
static const char sql_recon_del_areas[] =
	"DELETE FROM crime_areas WHERE crime IN (SELECT id FROM temp.recon_drop)";
static const char sql_recon_del_crimes[] =
	"DELETE FROM crime_records WHERE id IN (SELECT id FROM temp.recon_drop)";
static const char sql_recon_mark[] =
	"UPDATE api_coverage SET superseded = superseded + ?3, contained = ?4 WHERE source_id = ?1 AND "
	"month = ?2";
static const char sql_recon_mark_source[] =
	"UPDATE sources SET superseded_by = CASE WHEN ?1 <> ?2 THEN ?2 ELSE (SELECT max(source_id) FROM "
	"source_months WHERE kind = 'street' AND month = ?3) END WHERE id = ?1 AND superseded_by IS NULL "
	"AND NOT EXISTS (SELECT 1 FROM api_coverage WHERE source_id = ?1 AND crimes > superseded)";
static const char sql_source_by_hash[] = "SELECT id FROM sources WHERE sha256 = ?1";
static const char sql_source_size_seen[] = "SELECT EXISTS (SELECT 1 FROM sources WHERE bytes = ?1)";
static const char sql_month_owner[] =
	"SELECT source_id FROM source_months WHERE kind = ?1 AND force = ?2 AND month = ?3";
static const char sql_month_claim[] =
	"INSERT OR REPLACE INTO source_months (source_id, kind, force, month) VALUES (?1, ?2, ?3, ?4)";
static const char sql_del_crimes[] =
	"DELETE FROM crime_records WHERE "
	SOURCE_ROWS("")
	" AND month = ?2 AND "
	FORCE_IS("");
static const char sql_del_outcomes[] =
	"DELETE FROM outcome_records WHERE "
	SOURCE_ROWS("")
	" AND month = ?2 AND "
	FORCE_IS("");
static const char sql_del_stops[] =
	"DELETE FROM stop_records WHERE "
	SOURCE_ROWS("")
	" AND month = ?2";
static const char sql_mark_superseded[] =
	"UPDATE sources SET superseded_by = ?2 WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM source_months "
	"WHERE source_id = ?1)";
static const char sql_source_forces_each[] =
	"SELECT DISTINCT source_id, kind, force FROM source_months ORDER BY source_id";
static const char sql_coverage_each[] =
	"SELECT kind, force, month FROM source_months ORDER BY kind, force, month";
static const char sql_reject_add[] =
	"INSERT INTO rejects (source_id, line, reason, raw, span) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char sql_cube_sub_all[] =
	"INSERT INTO cube (area, kind, month, category, n) SELECT 0, k.text, ?2, t.text, -count(*) FROM "
	"crime_records c JOIN texts k ON k.id = c.kind JOIN texts t ON t.id = c.category WHERE "
	SOURCE_ROWS("c.")
	" AND c.month = ?2 AND "
	FORCE_IS("c.")
	" GROUP BY c.kind, c.category ON CONFLICT (area, kind, month, category) DO UPDATE SET n = n + "
	"excluded.n";
static const char sql_del_crime_areas[] =
	"DELETE FROM crime_areas WHERE crime IN (SELECT id FROM crime_records WHERE "
	SOURCE_ROWS("")
	" AND month = ?2 AND "
	FORCE_IS("")
	")";
static const char sql_cube_prune[] = "DELETE FROM cube WHERE month = ?1 AND n = 0";
static const char sql_cube_sub_areas[] =
	"INSERT INTO cube (area, kind, month, category, n) SELECT ca.area, k.text, ?2, t.text, -count(*) "
	"FROM crime_records c JOIN crime_areas ca ON ca.crime = c.id JOIN texts k ON k.id = c.kind JOIN "
	"texts t ON t.id = c.category WHERE "
	SOURCE_ROWS("c.")
	" AND c.month = ?2 AND "
	FORCE_IS("c.")
	" GROUP BY ca.area, c.kind, c.category ON CONFLICT (area, kind, month, category) DO UPDATE SET n "
	"= n + excluded.n";

long long store_source_by_hash(store *s, const char *sha256)
{
	sqlite3_stmt *st = store_stmt(s, sql_source_by_hash);
	if (!st)
		return -1;
	store_bind_text(st, 1, sha256);
	long long id;
	return store_step_value(st, &id) == 0 ? id : -1;
}

int store_source_size_seen(store *s, long long bytes)
{
	sqlite3_stmt *st = store_stmt(s, sql_source_size_seen);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, bytes);
	long long seen;
	return store_step_value(st, &seen) == 0 ? seen != 0 : -1;
}

long long store_source_add(store *s, const store_source *src)
{
	static char *sql;
	if (!sql)
		sql = store_columns_insert(&sources_table, W_ADD);
	sqlite3_stmt *st = store_stmt(s, sql);
	if (!st || store_columns_bind(s, st, 1, &sources_table, W_ADD, src, NULL, NULL) != 0)
		return -1;
	long long id = store_step_insert(s, st);
	return id >= 0 && store_run_int(s, sql_source_first_row, id) == 0 ? id : -1;
}

int store_source_finish(store *s, const store_source *src)
{
	static char *sql;
	if (!sql) {
		char *set = store_columns_set(&sources_table, W_FINISH, 2);
		sql = xasprintf("UPDATE sources SET %s, last_row = %s WHERE id = ?1", set, last_row_sql);
		free(set);
	}
	sqlite3_stmt *st = store_stmt(s, sql);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, src->id);
	if (store_columns_bind(s, st, 2, &sources_table, W_FINISH, src, NULL, NULL) != 0)
		return -1;
	return store_step_done(st);
}

int store_source_claim_month(store *s, long long id, const char *kind, const char *force, int month,
			     long long *superseded)
{
	sqlite3_stmt *st = store_stmt(s, sql_month_owner);
	if (!st)
		return -1;
	store_bind_text(st, 1, kind);
	store_bind_text(st, 2, force);
	sqlite3_bind_int(st, 3, month);
	long long old;
	if (store_step_value(st, &old) != 0)
		return -1;
	if (old == id)
		return 0;
	st = store_stmt(s, sql_month_claim);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	store_bind_text(st, 2, kind);
	store_bind_text(st, 3, force);
	sqlite3_bind_int(st, 4, month);
	if (store_step_done(st) != 0)
		return -1;
	if (!old)
		return 0;
	const char *del = strcmp(kind, "outcomes") == 0 ? sql_del_outcomes
			  : strcmp(kind, "stop-and-search") == 0 ? sql_del_stops : sql_del_crimes;
	/* rows name their force by its id in texts (a stop and search's force is its source's) */
	long long force_id = del == sql_del_stops ? 0 : store_text_id(s, force);
	if (force_id < 0)
		return -1;
	/* the cube is kept by counting, not recounting: take the old rows out
	 * first; then their areas (an import runs with foreign keys off, so no
	 * cascade does it: see store_bulk_begin) */
	static const char *const before[] = {sql_cube_sub_all, sql_cube_sub_areas, sql_del_crime_areas};
	for (size_t k = 0; del == sql_del_crimes && k < sizeof before / sizeof before[0]; k++) {
		st = store_stmt(s, before[k]);
		if (!st)
			return -1;
		sqlite3_bind_int64(st, 1, old);
		sqlite3_bind_int(st, 2, month);
		sqlite3_bind_int64(st, 3, force_id);
		if (store_step_done(st) != 0)
			return -1;
	}
	if (del == sql_del_crimes && store_run_int(s, sql_cube_prune, month) != 0)
		return -1;
	st = store_stmt(s, del);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, old);
	sqlite3_bind_int(st, 2, month);
	if (del != sql_del_stops)
		sqlite3_bind_int64(st, 3, force_id);
	if (store_step_done(st) != 0)
		return -1;
	*superseded += sqlite3_changes(store_sqlite(s));
	st = store_stmt(s, sql_mark_superseded);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, old);
	sqlite3_bind_int64(st, 2, id);
	return store_step_done(st);
}

int store_sources_each(store *s, int (*fn)(void *ctx, const store_source *src), void *ctx)
{
	static char *sql;
	store_source src;
	sqlite3_stmt *st = store_columns_select(s, &sql, &sources_table, NULL, "FROM sources ORDER BY id");
	int rc;
	while ((rc = store_columns_next(s, st, &sources_table, &src, sizeof src)) == SQLITE_ROW)
		if (fn(ctx, &src))
			break;
	return st ? store_rows_end(st, rc) : -1;
}

/* Which source holds each (kind, force, month): source_months and the path. */
static const store_column month_owner_cols[] = {
	STORE_COL_AS(store_month_owner, kind, "m.kind", COL_STR),
	STORE_COL_AS(store_month_owner, force, "m.force", COL_STR),
	STORE_COL_AS(store_month_owner, month, "m.month", COL_INT),
	STORE_COL_AS(store_month_owner, source_id, "m.source_id", COL_INT64),
	STORE_COL_AS(store_month_owner, path, "s.path", COL_STR),
};
static const store_table month_owners_table = STORE_TABLE("source_months", month_owner_cols);

int store_month_owners_each(store *s, int (*fn)(void *ctx, const store_month_owner *o), void *ctx)
{
	static char *sql;
	store_month_owner o;
	sqlite3_stmt *st = store_columns_select(s, &sql, &month_owners_table, NULL,
						 "FROM source_months m JOIN sources s ON s.id = m.source_id "
						 "ORDER BY m.kind, m.force, m.month");
	int rc;
	while ((rc = store_columns_next(s, st, &month_owners_table, &o, sizeof o)) == SQLITE_ROW)
		if (fn(ctx, &o))
			break;
	return st ? store_rows_end(st, rc) : -1;
}

int store_source_forces_each(store *s, int (*fn)(void *ctx, long long source, const char *kind, const char *force),
			     void *ctx)
{
	sqlite3_stmt *st = store_stmt(s, sql_source_forces_each);
	if (!st)
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(ctx, sqlite3_column_int64(st, 0), store_col_text(st, 1), store_col_text(st, 2)))
			break;
	return store_rows_end(st, rc);
}

int store_coverage_each(store *s, int (*fn)(void *ctx, const char *kind, const char *force, int month), void *ctx)
{
	sqlite3_stmt *st = store_stmt(s, sql_coverage_each);
	if (!st)
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(ctx, store_col_text(st, 0), store_col_text(st, 1), sqlite3_column_int(st, 2)))
			break;
	return store_rows_end(st, rc);
}

int store_reject_add(store *s, long long source_id, long long line, const char *reason, const char *raw,
		     store_bytes span)
{
	sqlite3_stmt *st = store_stmt(s, sql_reject_add);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, source_id);
	sqlite3_bind_int64(st, 2, line);
	store_bind_text(st, 3, reason);
	/* raw may hold invalid UTF-8: keep its bytes exactly, as a blob-typed text */
	sqlite3_bind_blob(st, 4, raw, (int)strlen(raw), SQLITE_STATIC);
	store_bind_bytes(st, 5, span);
	return store_step_done(st);
}

int store_rejects_each(store *s, long long source_id, int (*fn)(void *ctx, const store_reject *r), void *ctx)
{
	static char *sql;
	store_reject r;
	sqlite3_stmt *st = store_columns_select(s, &sql, &rejects_table, "(SELECT path FROM sources WHERE id = source_id)",
						 "FROM rejects WHERE ?1 = 0 OR source_id = ?1 ORDER BY source_id, line");
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, source_id);
	int rc;
	while ((rc = store_columns_next(s, st, &rejects_table, &r, sizeof r)) == SQLITE_ROW) {
		r.path = store_col_text(st, (int)rejects_table.ncols);
		if (fn(ctx, &r))
			break;
	}
	return store_rows_end(st, rc);
}

int store_api_cover_add(store *s, const store_api_cover *c)
{
	sqlite3_stmt *st = store_stmt(s, sql_api_cover_add);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, c->source_id);
	sqlite3_bind_int(st, 2, c->month);
	sqlite3_bind_int64(st, 3, c->crimes);
	sqlite3_bind_int64(st, 4, c->with_id);
	store_bind_real(st, 5, c->has_extent, c->lon_min);
	store_bind_real(st, 6, c->has_extent, c->lat_min);
	store_bind_real(st, 7, c->has_extent, c->lon_max);
	store_bind_real(st, 8, c->has_extent, c->lat_max);
	return store_step_done(st);
}

int store_api_month_seen(store *s, int month)
{
	sqlite3_stmt *st = store_stmt(s, sql_api_month_seen);
	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, month);
	long long v;
	return store_step_value(st, &v) != 0 ? -1 : v != 0;
}

int store_api_months_each(store *s, int (*fn)(void *ctx, int month, long long crimes), void *ctx)
{
	sqlite3_stmt *st = store_stmt(s, sql_api_months_each);
	if (!st)
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(ctx, sqlite3_column_int(st, 0), sqlite3_column_int64(st, 1)) != 0)
			break;
	return store_rows_end(st, rc);
}

/* Runs SQL with ?1 = A and ?2 = B; 0 or -1. */
static int run2(store *s, const char *sql, long long a, long long b)
{
	sqlite3_stmt *st = store_stmt(s, sql);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	return store_step_done(st);
}

/* Deletes the crimes listed in temp.recon_drop, out of the cube and their
 * areas first (imports run with foreign keys off); *n = how many. */
static int recon_drop(store *s, int month, long long *n)
{
	static const char *const steps[] = {sql_recon_cube_all, sql_recon_cube_areas, sql_recon_del_areas,
					     sql_recon_del_crimes};
	*n = 0;
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		if (store_step_done(store_stmt(s, steps[i])) != 0)
			return -1;
		if (steps[i] == sql_recon_del_crimes)
			*n = sqlite3_changes(store_sqlite(s));
	}
	return store_run_int(s, sql_cube_prune, month);
}

int store_api_reconcile(store *s, int month, long long self, store_api_recon *out)
{
	memset(out, 0, sizeof *out);
	if (store_exec(s, "CREATE TEMP TABLE IF NOT EXISTS recon_ids (crime_id TEXT PRIMARY KEY, api INTEGER NOT NULL) "
		    "WITHOUT ROWID; CREATE TEMP TABLE IF NOT EXISTS recon_drop (id INTEGER PRIMARY KEY)") != 0 ||
	    store_step_done(store_stmt(s, sql_recon_reset)) != 0 || store_run_int(s, sql_recon_csv_ids, month) != 0)
		return -1;
	long long csv_any, btp_csv;
	sqlite3_stmt *st = store_stmt(s, sql_recon_csv_any);
	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, month);
	if (store_step_value(st, &csv_any) != 0 || !(st = store_stmt(s, sql_recon_btp_csv)))
		return -1;
	sqlite3_bind_int(st, 1, month);
	if (store_step_value(st, &btp_csv) != 0)
		return -1;
	/* the responses of the month, newest first: each is checked against the
	 * CSV files and the responses newer than it */
	long long *ids = NULL;
	int *contained = NULL;
	size_t n = 0;
	if (!(st = store_stmt(s, sql_api_of_month)))
		return -1;
	sqlite3_bind_int(st, 1, month);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ids = xrealloc(ids, (n + 1) * sizeof *ids);
		contained = xrealloc(contained, (n + 1) * sizeof *contained);
		ids[n] = sqlite3_column_int64(st, 0);
		contained[n++] = sqlite3_column_int(st, 1);
	}
	int ret = store_rows_end(st, rc);
	for (size_t i = 0; ret == 0 && i < n; i++) {
		long long with_id = 0, matched = 0, matched_api = 0, dropped = 0, left = 0;
		ret = -1;
		if (!(st = store_stmt(s, sql_recon_count)))
			break;
		sqlite3_bind_int64(st, 1, ids[i]);
		sqlite3_bind_int(st, 2, month);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			with_id = sqlite3_column_int64(st, 0);
			matched = sqlite3_column_int64(st, 1);
			matched_api = sqlite3_column_int64(st, 2);
		}
		if (store_rows_end(st, rc) != 0)
			break;
		/* every crime with an ID is held elsewhere: the response's area lies
		 * inside what holds them, and so do its rows without an ID */
		int whole = contained[i] || (with_id > 0 && matched == with_id);
		int btp = btp_csv || (with_id > 0 && matched_api == with_id);
		if (store_step_done(store_stmt(s, sql_recon_drop_reset)) != 0 || run2(s, sql_recon_drop_matched, ids[i], month) != 0)
			break;
		if (!(st = store_stmt(s, sql_recon_drop_idless)))
			break;
		sqlite3_bind_int64(st, 1, ids[i]);
		sqlite3_bind_int(st, 2, month);
		sqlite3_bind_int(st, 3, whole);
		sqlite3_bind_int(st, 4, btp);
		if (store_step_done(st) != 0)
			break;
		if (!whole && (matched > 0 || (with_id == 0 && csv_any))) {
			if (!(st = store_stmt(s, sql_recon_idless_left)))
				break;
			sqlite3_bind_int64(st, 1, ids[i]);
			sqlite3_bind_int(st, 2, month);
			if (store_step_value(st, &left) != 0)
				break;
		}
		if (recon_drop(s, month, &dropped) != 0)
			break;
		if (!(st = store_stmt(s, sql_recon_mark)))
			break;
		sqlite3_bind_int64(st, 1, ids[i]);
		sqlite3_bind_int(st, 2, month);
		sqlite3_bind_int64(st, 3, dropped);
		sqlite3_bind_int(st, 4, whole);
		if (store_step_done(st) != 0 || run2(s, sql_recon_api_ids, ids[i], month) != 0)
			break;
		/* a response whose every row is held elsewhere provides nothing now */
		if (dropped) {
			if (!(st = store_stmt(s, sql_recon_mark_source)))
				break;
			sqlite3_bind_int64(st, 1, ids[i]);
			sqlite3_bind_int64(st, 2, self);
			sqlite3_bind_int(st, 3, month);
			if (store_step_done(st) != 0)
				break;
		}
		if (ids[i] == self)
			out->self += dropped;
		else
			out->others += dropped;
		out->idless_kept += left;
		ret = 0;
	}
	free(ids);
	free(contained);
	return ret;
}

