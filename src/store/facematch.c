/* Face-match runs, the sightings a plugin returned, and the areas they are
 * in; the offender counts reports show.  Individual keys are pseudonymous
 * and only counted. */
#include <stdlib.h>

#include "core/util.h"
#include "store/store_int.h"

static const char sql_fm_run_add[] =
	"INSERT INTO fm_runs (plugin, plugin_path, time_from, time_to) VALUES (?1, ?2, ?3, ?4)";
static const char sql_fm_replace[] =
	"DELETE FROM fm_sightings WHERE time >= ?3 AND time < ?4 AND run_id IN (SELECT id FROM fm_runs "
	"WHERE plugin_path = ?1 OR plugin = ?2)";
static const char sql_fm_runs_prune[] =
	"DELETE FROM fm_runs WHERE id <> ?1 AND NOT EXISTS (SELECT 1 FROM fm_sightings s WHERE s.run_id "
	"= fm_runs.id)";
static const char sql_fm_sighting_add[] =
	"INSERT INTO fm_sightings (run_id, time, month, lon, lat, crime_id, individual, confidence, "
	"watchlist) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char sql_fm_sighting_area_add[] =
	"INSERT OR IGNORE INTO fm_sighting_areas (area, sighting) VALUES (?1, ?2)";
static const char sql_fm_naming[] =
	"SELECT id, crime_id FROM fm_sightings WHERE crime_id IS NOT NULL AND (?1 = 0 OR run_id = ?1)";
static const char sql_fm_areas_of_crime[] =
	"INSERT OR IGNORE INTO fm_sighting_areas (area, sighting) SELECT area, ?2 FROM crime_areas WHERE "
	"crime = ?1 AND (?3 = 0 OR area = ?3)";
static const char sql_fm_run_finish[] =
	"UPDATE fm_runs SET sightings = (SELECT count(*) FROM fm_sightings WHERE run_id = ?1) WHERE id = "
	"?1";
static const char sql_fm_sighting_locs[] = "SELECT id, lon, lat FROM fm_sightings WHERE lon IS NOT NULL";
static const char sql_fm_any[] =
	"SELECT count(*), (SELECT group_concat(DISTINCT plugin) FROM fm_runs WHERE sightings > 0) FROM "
	"fm_sightings";
static const char sql_fm_counts[] =
	"SELECT count(*), count(DISTINCT individual), coalesce(sum(watchlist), 0) FROM fm_sightings s "
	"WHERE s.month BETWEEN ?2 AND ?3 AND (?1 = 0 OR s.id IN (SELECT sighting FROM fm_sighting_areas "
	"WHERE area = ?1))";
static const char sql_fm_repeat[] =
	"SELECT count(*) FROM (SELECT individual FROM fm_sightings s WHERE s.month BETWEEN ?2 AND ?3 AND "
	"(?1 = 0 OR s.id IN (SELECT sighting FROM fm_sighting_areas WHERE area = ?1)) GROUP BY "
	"individual HAVING count(DISTINCT coalesce(crime_id, 'sighting ' || s.id)) >= 2)";

/* A run's columns (the struct's names differ from some of the table's). */
static const store_column fm_run_cols[] = {
	STORE_COL(store_fm_run, id, COL_INT64),
	STORE_COL(store_fm_run, plugin, COL_STR),
	STORE_COL_AS(store_fm_run, path, "plugin_path", COL_STR),
	STORE_COL_AS(store_fm_run, from, "time_from", COL_INT64),
	STORE_COL_AS(store_fm_run, to, "time_to", COL_INT64),
	STORE_COL(store_fm_run, sightings, COL_INT64),
	STORE_COL(store_fm_run, run_at, COL_STR),
};
static const store_table fm_runs_table = STORE_TABLE("fm_runs", fm_run_cols);

long long store_fm_run_begin(store *s, const char *plugin, const char *path, long long from, long long to)
{
	sqlite3_stmt *st = store_stmt(s, sql_fm_replace);
	if (!st)
		return -1;
	store_bind_text(st, 1, path);
	store_bind_text(st, 2, plugin);
	sqlite3_bind_int64(st, 3, from);
	sqlite3_bind_int64(st, 4, to);
	if (store_step_done(st) != 0)
		return -1;
	st = store_stmt(s, sql_fm_run_add);
	if (!st)
		return -1;
	store_bind_text(st, 1, plugin);
	store_bind_text(st, 2, path);
	sqlite3_bind_int64(st, 3, from);
	sqlite3_bind_int64(st, 4, to);
	if (store_step_done(st) != 0)
		return -1;
	return sqlite3_last_insert_rowid(store_sqlite(s));
}

long long store_fm_sighting_add(store *s, long long run, const store_sighting *x)
{
	sqlite3_stmt *st = store_stmt(s, sql_fm_sighting_add);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, x->time);
	sqlite3_bind_int(st, 3, x->month);
	store_bind_coord(st, 4, x->has_coords, x->lon);
	store_bind_coord(st, 5, x->has_coords, x->lat);
	store_bind_text(st, 6, x->crime_id);
	store_bind_text(st, 7, x->individual);
	sqlite3_bind_double(st, 8, x->confidence);
	sqlite3_bind_int(st, 9, x->watchlist);
	if (store_step_done(st) != 0)
		return -1;
	return sqlite3_last_insert_rowid(store_sqlite(s));
}

int store_fm_sighting_area_add(store *s, long long sighting, long long area)
{
	sqlite3_stmt *st = store_stmt(s, sql_fm_sighting_area_add);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, area);
	sqlite3_bind_int64(st, 2, sighting);
	return store_step_done(st);
}

/* The sightings that name a crime (of RUN, or all for 0) and the crimes they
 * name, found by the runs of crime-ID keys (crimes.c). */
typedef struct fm_naming {
	long long *sighting;
	char **crime_id;
	size_t n;
	long long area; /* 0: every area */
	store *s;
	int failed;
} fm_naming;

static int fm_crime_found(void *ctx, size_t i, long long crime)
{
	fm_naming *f = ctx;
	sqlite3_stmt *st = store_stmt(f->s, sql_fm_areas_of_crime);
	if (!st) {
		f->failed = 1;
		return 1;
	}
	sqlite3_bind_int64(st, 1, crime);
	sqlite3_bind_int64(st, 2, f->sighting[i]);
	sqlite3_bind_int64(st, 3, f->area);
	f->failed = store_step_done(st) != 0;
	return f->failed;
}

/* Assigns the sightings of RUN (0: all) that name a crime to that crime's
 * areas (AREA only, unless 0). */
static int fm_assign_by_crime(store *s, long long run, long long area)
{
	fm_naming f = {.area = area, .s = s};
	sqlite3_stmt *st = store_stmt(s, sql_fm_naming);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		f.sighting = xrealloc(f.sighting, (f.n + 1) * sizeof *f.sighting);
		f.crime_id = xrealloc(f.crime_id, (f.n + 1) * sizeof *f.crime_id);
		f.sighting[f.n] = sqlite3_column_int64(st, 0);
		f.crime_id[f.n++] = xstrdup(store_col_text(st, 1));
	}
	int ret = store_rows_end(st, rc);
	if (ret == 0 && f.n)
		ret = store_crimes_by_ids(s, (const char *const *)f.crime_id, f.n, fm_crime_found, &f) != 0 || f.failed
			      ? -1 : 0;
	for (size_t i = 0; i < f.n; i++)
		free(f.crime_id[i]);
	free(f.crime_id);
	free(f.sighting);
	return ret;
}

int store_fm_run_finish(store *s, long long run, long long *sightings)
{
	if (fm_assign_by_crime(s, run, 0) != 0)
		return -1;
	sqlite3_stmt *st = store_stmt(s, sql_fm_run_finish);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	if (store_step_done(st) != 0)
		return -1;
	st = store_stmt(s, sql_fm_runs_prune);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	if (store_step_done(st) != 0)
		return -1;
	return store_step_value(store_stmt(s, sql_fm_any), sightings);
}

int store_fm_assign_area(store *s, long long area, int (*match)(void *ctx, double lon, double lat), void *ctx)
{
	if (fm_assign_by_crime(s, 0, area) != 0)
		return -1;
	/* collect first: inserting while stepping the same table is unsafe */
	long long *ids = NULL;
	size_t n = 0;
	sqlite3_stmt *st = store_stmt(s, sql_fm_sighting_locs);
	if (!st)
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (match(ctx, sqlite3_column_double(st, 1), sqlite3_column_double(st, 2))) {
			ids = xrealloc(ids, (n + 1) * sizeof *ids);
			ids[n++] = sqlite3_column_int64(st, 0);
		}
	sqlite3_reset(st);
	for (size_t i = 0; rc == SQLITE_DONE && i < n; i++)
		if (store_fm_sighting_area_add(s, ids[i], area) != 0)
			rc = SQLITE_ERROR;
	free(ids);
	return rc == SQLITE_DONE ? 0 : -1;
}

int store_fm_present(store *s, char **plugins)
{
	sqlite3_stmt *st = store_stmt(s, sql_fm_any);
	if (!st)
		return -1;
	int rc = -1;
	*plugins = NULL;
	if (sqlite3_step(st) == SQLITE_ROW) {
		rc = sqlite3_column_int64(st, 0) > 0;
		if (rc && store_col_text(st, 1))
			*plugins = xstrdup(store_col_text(st, 1));
	}
	sqlite3_reset(st);
	return rc;
}

int store_fm_counts(store *s, long long area, int from, int to, long long out[4])
{
	sqlite3_stmt *st = store_stmt(s, sql_fm_counts);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, area);
	sqlite3_bind_int(st, 2, from);
	sqlite3_bind_int(st, 3, to);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return -1;
	}
	out[0] = sqlite3_column_int64(st, 0);
	out[1] = sqlite3_column_int64(st, 1);
	out[3] = sqlite3_column_int64(st, 2);
	sqlite3_reset(st);
	st = store_stmt(s, sql_fm_repeat);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, area);
	sqlite3_bind_int(st, 2, from);
	sqlite3_bind_int(st, 3, to);
	return store_step_value(st, &out[2]);
}

int store_fm_runs_each(store *s, int (*fn)(void *ctx, const store_fm_run *r), void *ctx)
{
	static char *sql;
	if (!sql) {
		char *cols = store_columns_list(&fm_runs_table, 0, "");
		sql = xasprintf("SELECT %s FROM fm_runs ORDER BY id", cols);
		free(cols);
	}
	sqlite3_stmt *st = store_stmt(s, sql);
	if (!st)
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_fm_run r = {0};
		store_columns_read(s, st, 0, &fm_runs_table, &r, NULL);
		if (fn(ctx, &r))
			break;
	}
	return store_rows_end(st, rc);
}

