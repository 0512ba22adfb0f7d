/* Face-match runs with their provenance, the sightings a plugin returned,
 * the areas they are in, retention and purging; the offender counts reports
 * show.  Individual keys are keyed hashes, only counted. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/util.h"
#include "store/store_int.h"

static const char sql_fm_run_add[] =
	"INSERT INTO fm_runs (plugin, plugin_path, time_from, time_to, plugin_name, plugin_version, "
	"plugin_sha256, abi, identity, model, model_version, similarity, threshold, gallery_name, "
	"gallery_version, gallery_hash, options, inputs) VALUES (?5 || coalesce(' ' || ?6, ''), ?1, ?2, "
	"?3, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)";
static const char sql_fm_replace[] =
	"DELETE FROM fm_sightings WHERE time >= ?2 AND time < ?3 AND run_id IN (SELECT id FROM fm_runs "
	"WHERE plugin_name = ?1)";
static const char sql_fm_runs_prune[] =
	"DELETE FROM fm_runs WHERE id <> ?1 AND NOT EXISTS (SELECT 1 FROM fm_sightings s WHERE s.run_id "
	"= fm_runs.id)";
static const char sql_fm_sighting_add[] =
	"INSERT INTO fm_sightings (run_id, time, month, lon, lat, crime_id, individual, confidence, "
	"watchlist, confirmed, site) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
static const char sql_fm_sighting_area_add[] =
	"INSERT OR IGNORE INTO fm_sighting_areas (area, sighting) VALUES (?1, ?2)";
static const char sql_fm_merge[] =
	"UPDATE fm_sightings SET individual = ?3 WHERE individual = ?2 AND run_id IN (SELECT id FROM "
	"fm_runs WHERE plugin_name = ?1)";
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
	"SELECT count(*), (SELECT group_concat(DISTINCT coalesce(plugin_name || coalesce(' ' || "
	"plugin_version, ''), plugin)) FROM fm_runs r WHERE EXISTS (SELECT 1 FROM fm_sightings s WHERE "
	"s.run_id = r.id)) FROM fm_sightings";
/* The sightings a count reads: months ?2 to ?3, confirmed ones only when ?4,
 * in area ?1 (0: anywhere). */
#define FM_SIGHTINGS_COUNTED                                                                     \
	"fm_sightings s WHERE s.month BETWEEN ?2 AND ?3 AND (?4 = 0 OR s.confirmed <> 0) AND (?1 = 0 " \
	"OR s.id IN (SELECT sighting FROM fm_sighting_areas WHERE area = ?1))"
static const char sql_fm_counts[] =
	"SELECT count(*), count(DISTINCT individual), coalesce(sum(watchlist), 0) FROM " FM_SIGHTINGS_COUNTED;
static const char sql_fm_repeat[] =
	"SELECT count(*) FROM (SELECT individual FROM " FM_SIGHTINGS_COUNTED
	" GROUP BY individual HAVING count(DISTINCT coalesce(crime_id, 'sighting ' || s.id)) >= 2)";
static const char sql_fm_purge_run[] = "DELETE FROM fm_sightings WHERE run_id = ?1";
static const char sql_fm_purge_run_row[] = "DELETE FROM fm_runs WHERE id = ?1";
static const char sql_fm_purge_before[] = "DELETE FROM fm_sightings WHERE month < ?1";
static const char sql_fm_purge_all[] = "DELETE FROM fm_sightings";
static const char sql_fm_runs_prune_empty[] =
	"DELETE FROM fm_runs WHERE NOT EXISTS (SELECT 1 FROM fm_sightings s WHERE s.run_id = fm_runs.id)";
static const char sql_fm_policy_get[] =
	"SELECT coalesce(retain_months, 0), coalesce(forget_before, -9223372036854775807 - 1) FROM "
	"fm_policy WHERE id = 1";
static const char sql_fm_policy_retain[] = "UPDATE fm_policy SET retain_months = nullif(?1, 0) WHERE id = 1";
static const char sql_fm_policy_forget[] =
	"UPDATE fm_policy SET forget_before = max(coalesce(forget_before, ?1), ?1) WHERE id = 1";
static const char sql_fm_policy_unforget[] = "UPDATE fm_policy SET forget_before = NULL WHERE id = 1";

/* What a run listing reads, each column once: the run's own columns and what
 * it holds now. */
#define RUN_HOLDS(what) "(SELECT " what " FROM fm_sightings s WHERE s.run_id = r.id)"
static const store_column fm_run_cols[] = {
	STORE_COL_AS(store_fm_run, id, "r.id", COL_INT64),
	STORE_COL_AS(store_fm_run, plugin, "coalesce(r.plugin_name, r.plugin)", COL_STR),
	STORE_COL_AS(store_fm_run, version, "r.plugin_version", COL_STR),
	STORE_COL_AS(store_fm_run, path, "r.plugin_path", COL_STR),
	STORE_COL_AS(store_fm_run, from, "r.time_from", COL_INT64),
	STORE_COL_AS(store_fm_run, to, "r.time_to", COL_INT64),
	STORE_COL_AS(store_fm_run, sightings, RUN_HOLDS("count(*)"), COL_INT64),
	STORE_COL_AS(store_fm_run, confirmed,
		     "(SELECT count(*) FROM fm_sightings s WHERE s.run_id = r.id AND s.confirmed <> 0)", COL_INT64),
	STORE_COL_AS(store_fm_run, run_at, "r.run_at", COL_STR),
	STORE_COL_AS(store_fm_run, plugin_sha256, "r.plugin_sha256", COL_STR),
	STORE_COL_AS(store_fm_run, abi, "r.abi", COL_STR),
	STORE_COL_AS(store_fm_run, identity, "r.identity", COL_STR),
	STORE_COL_AS(store_fm_run, model, "r.model", COL_STR),
	STORE_COL_AS(store_fm_run, model_version, "r.model_version", COL_STR),
	STORE_COL_AS(store_fm_run, similarity, "r.similarity", COL_STR),
	STORE_COL_AS(store_fm_run, threshold, "r.threshold", COL_REAL),
	STORE_COL_AS(store_fm_run, gallery_name, "r.gallery_name", COL_STR),
	STORE_COL_AS(store_fm_run, gallery_version, "r.gallery_version", COL_STR),
	STORE_COL_AS(store_fm_run, gallery_hash, "r.gallery_hash", COL_STR),
	STORE_COL_AS(store_fm_run, options, "r.options", COL_STR),
	STORE_COL_AS(store_fm_run, inputs, "r.inputs", COL_STR),
	STORE_COL_AS(store_fm_run, month_min, RUN_HOLDS("min(month)"), COL_MONTH),
	STORE_COL_AS(store_fm_run, month_max, RUN_HOLDS("max(month)"), COL_MONTH),
};
static const store_table fm_runs_table = STORE_TABLE("fm_runs", fm_run_cols);

/* Deleted sightings are overwritten, not just unlinked (see sql/008). */
static int fm_secure_delete(store *s)
{
	return store_exec(s, "PRAGMA secure_delete = ON");
}

long long store_fm_run_begin(store *s, const store_fm_run *r)
{
	if (fm_secure_delete(s) != 0)
		return -1;
	sqlite3_stmt *st = store_stmt(s, sql_fm_replace);
	if (!st)
		return -1;
	store_bind_text(st, 1, r->plugin);
	sqlite3_bind_int64(st, 2, r->from);
	sqlite3_bind_int64(st, 3, r->to);
	if (store_step_done(st) != 0)
		return -1;
	st = store_stmt(s, sql_fm_run_add);
	if (!st)
		return -1;
	store_bind_text(st, 1, r->path);
	sqlite3_bind_int64(st, 2, r->from);
	sqlite3_bind_int64(st, 3, r->to);
	store_bind_text(st, 5, r->plugin);
	store_bind_text(st, 6, r->version);
	store_bind_text(st, 7, r->plugin_sha256);
	store_bind_text(st, 8, r->abi);
	store_bind_text(st, 9, r->identity);
	store_bind_text(st, 10, r->model);
	store_bind_text(st, 11, r->model_version);
	store_bind_text(st, 12, r->similarity);
	store_bind_real(st, 13, !isnan(r->threshold), r->threshold);
	store_bind_text(st, 14, r->gallery_name);
	store_bind_text(st, 15, r->gallery_version);
	store_bind_text(st, 16, r->gallery_hash);
	store_bind_text(st, 17, r->options);
	store_bind_text(st, 18, r->inputs);
	return store_step_insert(s, st);
}

long long store_fm_sighting_add(store *s, long long run, const store_sighting *x)
{
	sqlite3_stmt *st = store_stmt_rows(s, sql_fm_sighting_add);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, x->time);
	sqlite3_bind_int(st, 3, x->month);
	store_bind_real(st, 4, x->has_coords, x->lon);
	store_bind_real(st, 5, x->has_coords, x->lat);
	store_bind_text(st, 6, x->crime_id);
	sqlite3_bind_blob(st, 7, x->individual, STORE_FM_KEY_LEN, SQLITE_STATIC);
	sqlite3_bind_double(st, 8, x->confidence);
	sqlite3_bind_int(st, 9, x->watchlist);
	sqlite3_bind_int(st, 10, x->confirmed);
	store_bind_text(st, 11, x->site);
	return store_step_insert(s, st);
}

int store_fm_sighting_area_add(store *s, long long sighting, long long area)
{
	sqlite3_stmt *st = store_stmt_rows(s, sql_fm_sighting_area_add);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, area);
	sqlite3_bind_int64(st, 2, sighting);
	return store_step_done(st);
}

int store_fm_merge(store *s, const char *plugin, const unsigned char *from, const unsigned char *into)
{
	sqlite3_stmt *st = store_stmt(s, sql_fm_merge);
	if (!st)
		return -1;
	store_bind_text(st, 1, plugin);
	sqlite3_bind_blob(st, 2, from, STORE_FM_KEY_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, into, STORE_FM_KEY_LEN, SQLITE_STATIC);
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
	int rc = sqlite3_step(st), present = -1;
	if (plugins)
		*plugins = NULL;
	if (rc == SQLITE_ROW) {
		present = sqlite3_column_int64(st, 0) > 0;
		if (present && plugins && store_col_text(st, 1))
			*plugins = xstrdup(store_col_text(st, 1));
	}
	return store_rows_end(st, rc) == 0 ? present : -1;
}

int store_fm_counts(store *s, long long area, int from, int to, int confirmed_only, long long out[4])
{
	sqlite3_stmt *st = store_stmt(s, sql_fm_counts);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, area);
	sqlite3_bind_int(st, 2, from);
	sqlite3_bind_int(st, 3, to);
	sqlite3_bind_int(st, 4, confirmed_only);
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
	sqlite3_bind_int(st, 4, confirmed_only);
	return store_step_value(st, &out[2]);
}

int store_fm_runs_each(store *s, int (*fn)(void *ctx, const store_fm_run *r), void *ctx)
{
	static char *sql;
	store_fm_run r;
	sqlite3_stmt *st = store_columns_select(s, &sql, &fm_runs_table, NULL, "FROM fm_runs r ORDER BY r.id");
	int rc;
	while ((rc = store_columns_next(s, st, &fm_runs_table, &r, sizeof r)) == SQLITE_ROW)
		if (fn(ctx, &r))
			break;
	return st ? store_rows_end(st, rc) : -1;
}

int store_fm_purge(store *s, long long run, int before_month, long long *deleted)
{
	*deleted = 0;
	if (fm_secure_delete(s) != 0)
		return -1;
	sqlite3_stmt *st = store_stmt(s, run > 0		? sql_fm_purge_run
					 : before_month >= 0 ? sql_fm_purge_before
							     : sql_fm_purge_all);
	if (!st)
		return -1;
	if (run > 0)
		sqlite3_bind_int64(st, 1, run);
	else if (before_month >= 0)
		sqlite3_bind_int(st, 1, before_month);
	if (store_step_done(st) != 0)
		return -1;
	*deleted = sqlite3_changes(store_sqlite(s));
	/* with everything gone, the plugin's state goes too: nothing is left
	 * to forget */
	if (run <= 0 && before_month < 0 && store_step_done(store_stmt(s, sql_fm_policy_unforget)) != 0)
		return -1;
	if (run > 0) {
		st = store_stmt(s, sql_fm_purge_run_row);
		if (!st)
			return -1;
		sqlite3_bind_int64(st, 1, run);
		if (store_step_done(st) != 0)
			return -1;
	}
	return store_step_done(store_stmt(s, sql_fm_runs_prune_empty));
}

int store_fm_policy(store *s, int *retain_months, long long *forget_before)
{
	sqlite3_stmt *st = store_stmt(s, sql_fm_policy_get);
	if (!st)
		return -1;
	*retain_months = 0;
	*forget_before = INT64_MIN;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*retain_months = sqlite3_column_int(st, 0);
		*forget_before = sqlite3_column_int64(st, 1);
	}
	return store_rows_end(st, rc);
}

int store_fm_set_retention(store *s, int retain_months)
{
	sqlite3_stmt *st = store_stmt(s, sql_fm_policy_retain);
	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, retain_months);
	return store_step_done(st);
}

int store_fm_raise_forget(store *s, long long before)
{
	sqlite3_stmt *st = store_stmt(s, sql_fm_policy_forget);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, before);
	return store_step_done(st);
}
