/* SQLite store: migrations, prepared statements, and every query crimetab
 * runs.  Statements are prepared once per handle and reused. */
#include "store/store.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/embedded.h"
#include "core/util.h"

/* Rows of source ?1 (of the table aliased T): a source's rows are stored in
 * one transaction, so their ids are consecutive and its sources row keeps the
 * span (see sql/003_import_speed.sql). */
#define SOURCE_ROWS(t) t "id BETWEEN (SELECT first_row FROM sources WHERE id = ?1) AND " \
	"(SELECT last_row FROM sources WHERE id = ?1) AND " t "source_id = ?1"

/* Crimes of source s (joined as s): its span of row ids, open at the top for
 * the source being imported, whose last_row is written when it is done. */
#define SPAN_ROWS "c.id BETWEEN s.first_row AND coalesce(s.last_row, (SELECT max(id) FROM crimes)) AND " \
	"c.source_id = s.id"

/* police.uk API responses: coverage, and the rows other sources also hold. */
#define API_STMT_LIST(X) \
	X(API_COVER_ADD, "INSERT INTO api_coverage (source_id, month, crimes, with_id, lon_min, lat_min, lon_max, " \
		"lat_max) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)") \
	X(API_MONTH_SEEN, "SELECT EXISTS (SELECT 1 FROM api_coverage WHERE month = ?1)") \
	X(API_MONTHS_EACH, "SELECT month, sum(crimes - superseded) FROM api_coverage GROUP BY month " \
		"HAVING sum(crimes - superseded) > 0 ORDER BY month") \
	X(API_OF_MONTH, "SELECT source_id, contained FROM api_coverage WHERE month = ?1 ORDER BY source_id DESC") \
	X(RECON_RESET, "DELETE FROM temp.recon_ids") \
	X(RECON_DROP_RESET, "DELETE FROM temp.recon_drop") \
	X(RECON_CSV_IDS, "INSERT OR IGNORE INTO temp.recon_ids (crime_id, api) SELECT c.crime_id, 0 FROM " \
		"source_months sm JOIN sources s ON s.id = sm.source_id JOIN crimes c ON " SPAN_ROWS " WHERE " \
		"sm.kind = 'street' AND sm.month = ?1 AND c.month = ?1 AND c.crime_id IS NOT NULL") \
	X(RECON_API_IDS, "INSERT OR IGNORE INTO temp.recon_ids (crime_id, api) SELECT c.crime_id, 1 FROM sources s " \
		"JOIN crimes c ON " SPAN_ROWS " WHERE s.id = ?1 AND c.month = ?2 AND c.crime_id IS NOT NULL") \
	X(RECON_COUNT, "SELECT count(*), count(r.crime_id), coalesce(sum(r.api), 0) FROM sources s JOIN crimes c ON " \
		SPAN_ROWS " LEFT JOIN temp.recon_ids r ON r.crime_id = c.crime_id WHERE s.id = ?1 AND c.month = ?2 " \
		"AND c.crime_id IS NOT NULL") \
	X(RECON_DROP_MATCHED, "INSERT OR IGNORE INTO temp.recon_drop (id) SELECT c.id FROM sources s JOIN crimes c " \
		"ON " SPAN_ROWS " WHERE s.id = ?1 AND c.month = ?2 AND c.crime_id IN (SELECT crime_id FROM " \
		"temp.recon_ids)") \
	X(RECON_DROP_IDLESS, "INSERT OR IGNORE INTO temp.recon_drop (id) SELECT c.id FROM sources s JOIN crimes c " \
		"ON " SPAN_ROWS " WHERE s.id = ?1 AND c.month = ?2 AND c.crime_id IS NULL AND ((?3 AND c.force <> " \
		"'British Transport Police') OR (?4 AND c.force = 'British Transport Police'))") \
	X(RECON_IDLESS_LEFT, "SELECT count(*) FROM sources s JOIN crimes c ON " SPAN_ROWS " WHERE s.id = ?1 AND " \
		"c.month = ?2 AND c.crime_id IS NULL AND c.id NOT IN (SELECT id FROM temp.recon_drop)") \
	X(RECON_CSV_ANY, "SELECT EXISTS (SELECT 1 FROM source_months WHERE kind = 'street' AND month = ?1)") \
	X(RECON_BTP_CSV, "SELECT EXISTS (SELECT 1 FROM source_months WHERE kind = 'street' AND month = ?1 AND " \
		"force = 'British Transport Police')") \
	X(RECON_CUBE_ALL, "INSERT INTO cube (area, kind, month, category, n) SELECT 0, kind, month, category, " \
		"-count(*) FROM crimes WHERE id IN (SELECT id FROM temp.recon_drop) GROUP BY kind, month, category " \
		"ON CONFLICT (area, kind, month, category) DO UPDATE SET n = n + excluded.n") \
	X(RECON_CUBE_AREAS, "INSERT INTO cube (area, kind, month, category, n) SELECT ca.area, c.kind, c.month, " \
		"c.category, -count(*) FROM crimes c JOIN crime_areas ca ON ca.crime = c.id WHERE c.id IN (SELECT id " \
		"FROM temp.recon_drop) GROUP BY ca.area, c.kind, c.month, c.category " \
		"ON CONFLICT (area, kind, month, category) DO UPDATE SET n = n + excluded.n") \
	X(RECON_DEL_AREAS, "DELETE FROM crime_areas WHERE crime IN (SELECT id FROM temp.recon_drop)") \
	X(RECON_DEL_CRIMES, "DELETE FROM crimes WHERE id IN (SELECT id FROM temp.recon_drop)") \
	X(RECON_MARK, "UPDATE api_coverage SET superseded = superseded + ?3, contained = ?4 WHERE source_id = ?1 " \
		"AND month = ?2") \
	X(RECON_MARK_SOURCE, "UPDATE sources SET superseded_by = CASE WHEN ?1 <> ?2 THEN ?2 ELSE (SELECT " \
		"max(source_id) FROM source_months WHERE kind = 'street' AND month = ?3) END WHERE id = ?1 AND " \
		"superseded_by IS NULL AND NOT EXISTS (SELECT 1 FROM api_coverage WHERE source_id = ?1 AND " \
		"crimes > superseded)")

#define STMT_LIST(X) \
	X(SOURCE_BY_HASH, "SELECT id FROM sources WHERE sha256 = ?1") \
	X(SOURCE_SIZE_SEEN, "SELECT EXISTS (SELECT 1 FROM sources WHERE bytes = ?1)") \
	X(SOURCE_ADD, "INSERT INTO sources (path, sha256, kind, force, mapping, bytes, first_row) VALUES (?1, ?2, ?3, " \
		"?4, ?5, ?6, 1 + CASE ?3 WHEN 'outcomes' THEN (SELECT coalesce(max(id), 0) FROM outcomes) " \
		"WHEN 'stop-and-search' THEN (SELECT coalesce(max(id), 0) FROM stop_search) " \
		"ELSE (SELECT coalesce(max(id), 0) FROM crimes) END)") \
	X(SOURCE_FINISH, "UPDATE sources SET month_min = ?2, month_max = ?3, rows_read = ?4, rows_imported = ?5, " \
		"rows_rejected = ?6, rows_superseded = ?7, force = ?8, sha256 = ?9, bytes = ?10, last_row = CASE kind " \
		"WHEN 'outcomes' THEN (SELECT max(id) FROM outcomes) WHEN 'stop-and-search' THEN " \
		"(SELECT max(id) FROM stop_search) ELSE (SELECT max(id) FROM crimes) END WHERE id = ?1") \
	X(MONTH_OWNER, "SELECT source_id FROM source_months WHERE kind = ?1 AND force = ?2 AND month = ?3") \
	X(MONTH_CLAIM, "INSERT OR REPLACE INTO source_months (source_id, kind, force, month) VALUES (?1, ?2, ?3, ?4)") \
	X(DEL_CRIMES, "DELETE FROM crimes WHERE " SOURCE_ROWS("") " AND month = ?2 AND force = ?3") \
	X(DEL_OUTCOMES, "DELETE FROM outcomes WHERE " SOURCE_ROWS("") " AND month = ?2 AND force = ?3") \
	X(DEL_STOPS, "DELETE FROM stop_search WHERE " SOURCE_ROWS("") " AND month = ?2 AND force = ?3") \
	X(MARK_SUPERSEDED, "UPDATE sources SET superseded_by = ?2 WHERE id = ?1 AND NOT EXISTS " \
		"(SELECT 1 FROM source_months WHERE source_id = ?1)") \
	X(SOURCES_EACH, "SELECT id, path, sha256, kind, force, mapping, imported_at, coalesce(month_min, -1), " \
		"coalesce(month_max, -1), bytes, rows_read, rows_imported, rows_rejected, rows_superseded, " \
		"coalesce(superseded_by, 0), coalesce(first_row, 0), coalesce(last_row, 0) FROM sources ORDER BY id") \
	X(SOURCE_FORCES_EACH, "SELECT DISTINCT source_id, kind, force FROM source_months ORDER BY source_id") \
	X(COVERAGE_EACH, "SELECT kind, force, month FROM source_months ORDER BY kind, force, month") \
	X(MONTH_OWNERS, "SELECT m.kind, m.force, m.month, m.source_id, s.path FROM source_months m " \
		"JOIN sources s ON s.id = m.source_id ORDER BY m.kind, m.force, m.month") \
	X(CRIME_ADD, "INSERT INTO crimes (kind, source_id, line, crime_id, month, force, reported_by, falls_within, lon, lat, " \
		"location, lsoa_code, lsoa_name, category, last_outcome, context, area_value, offence_code) VALUES " \
		"(?18, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)") \
	X(OUTCOME_ADD, "INSERT INTO outcomes (source_id, line, crime_id, month, force, reported_by, falls_within, lon, " \
		"lat, location, lsoa_code, lsoa_name, outcome_type) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, " \
		"?11, ?12, ?13)") \
	X(STOP_ADD, "INSERT INTO stop_search (source_id, line, month, force, type, date, part_of_operation, operation, " \
		"lat, lon, gender, age_range, self_ethnicity, officer_ethnicity, legislation, object_of_search, " \
		"outcome, outcome_linked, removal_of_clothing) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, " \
		"?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)") \
	X(REJECT_ADD, "INSERT INTO rejects (source_id, line, reason, raw) VALUES (?1, ?2, ?3, ?4)") \
	X(REJECTS_EACH, "SELECT r.source_id, r.line, s.path, r.reason, r.raw FROM rejects r JOIN sources s " \
		"ON s.id = r.source_id WHERE ?1 = 0 OR r.source_id = ?1 ORDER BY r.source_id, r.line") \
	X(AREA_DEL, "DELETE FROM areas WHERE name = ?1 RETURNING id") \
	X(AREA_ADD, "INSERT INTO areas (name, kind, definition, loaded_from) VALUES (?1, ?2, ?3, ?4)") \
	X(AREA_CUBE_DEL, "DELETE FROM cube WHERE area = ?1") \
	X(AREAS_EACH, "SELECT a.id, a.name, a.kind, a.definition, a.loaded_from, a.loaded_at, " \
		"(SELECT count(*) FROM crime_areas ca WHERE ca.area = a.id) FROM areas a ORDER BY a.name") \
	X(CRIME_LOCS, "SELECT id, lon, lat, lsoa_code, area_value FROM crimes") \
	X(CRIME_AREA_ADD, "INSERT OR IGNORE INTO crime_areas (area, crime) VALUES (?1, ?2)") \
	X(LSOA_SEEN, "SELECT upper(lsoa_code), max(lsoa_name), min(month), max(month) FROM crimes WHERE " \
		"upper(lsoa_code) IN (SELECT upper(value) FROM json_each(?1)) GROUP BY upper(lsoa_code)") \
	X(LSOA_AFTER, "SELECT upper(n.lsoa_code), max(n.lsoa_name), count(*) FROM crimes n JOIN (SELECT DISTINCT " \
		"lon, lat FROM crimes WHERE upper(lsoa_code) = upper(?1) AND lon IS NOT NULL) p ON n.lon = p.lon AND " \
		"n.lat = p.lat WHERE n.month > ?2 AND n.lsoa_code <> '' AND upper(n.lsoa_code) <> upper(?1) " \
		"GROUP BY upper(n.lsoa_code) ORDER BY count(*) DESC, upper(n.lsoa_code)") \
	X(CRIMES_LATEST, "SELECT max(month) FROM cube WHERE area = 0") \
	X(CUBE_ADD, "INSERT INTO cube (area, kind, month, category, n) VALUES (?1, ?2, ?3, ?4, ?5) " \
		"ON CONFLICT (area, kind, month, category) DO UPDATE SET n = n + excluded.n") \
	X(CUBE_SUB_ALL, "INSERT INTO cube (area, kind, month, category, n) SELECT 0, kind, month, category, -count(*) " \
		"FROM crimes WHERE " SOURCE_ROWS("") " AND month = ?2 AND force = ?3 GROUP BY kind, category " \
		"ON CONFLICT (area, kind, month, category) DO UPDATE SET n = n + excluded.n") \
	X(CUBE_SUB_AREAS, "INSERT INTO cube (area, kind, month, category, n) SELECT ca.area, c.kind, c.month, " \
		"c.category, -count(*) FROM crimes c JOIN crime_areas ca ON ca.crime = c.id WHERE " SOURCE_ROWS("c.") \
		" AND c.month = ?2 AND c.force = ?3 GROUP BY ca.area, c.kind, c.category " \
		"ON CONFLICT (area, kind, month, category) DO UPDATE SET n = n + excluded.n") \
	X(DEL_CRIME_AREAS, "DELETE FROM crime_areas WHERE crime IN (SELECT id FROM crimes WHERE " SOURCE_ROWS("") \
		" AND month = ?2 AND force = ?3)") \
	X(CUBE_PRUNE, "DELETE FROM cube WHERE month = ?1 AND n = 0") \
	X(CUBE_AREA, "INSERT INTO cube (area, kind, month, category, n) SELECT ?1, c.kind, c.month, c.category, " \
		"count(*) FROM crime_areas ca JOIN crimes c ON c.id = ca.crime WHERE ca.area = ?1 " \
		"GROUP BY c.kind, c.month, c.category") \
	X(CUBE_EACH, "SELECT month, category, n FROM cube WHERE area = ?1 AND kind = ?4 AND month BETWEEN ?2 AND ?3") \
	X(CRIMES_IN_BOX, "SELECT month, category, lon, lat, lsoa_code, area_value FROM crimes WHERE kind = ?1 " \
		"AND month BETWEEN ?2 AND ?3 AND lon BETWEEN ?4 AND ?6 AND lat BETWEEN ?5 AND ?7") \
	X(AREA_NEXT_CRIME, "SELECT crime FROM crime_areas WHERE area = ?1 AND crime > ?2 ORDER BY crime LIMIT 1") \
	X(LATEST_MONTH, "SELECT max(month) FROM cube WHERE area = 0 AND kind = ?1") \
	X(KIND_COUNT, "SELECT coalesce(sum(n), 0) FROM cube WHERE area = 0 AND kind = ?1") \
	X(FM_RUN_ADD, "INSERT INTO fm_runs (plugin, plugin_path, time_from, time_to, plugin_name, plugin_version, " \
		"plugin_sha256, abi, identity, model, model_version, similarity, threshold, gallery_name, " \
		"gallery_version, gallery_hash, options, inputs) VALUES (?5 || coalesce(' ' || ?6, ''), ?1, ?2, ?3, " \
		"?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)") \
	X(FM_REPLACE, "DELETE FROM fm_sightings WHERE time >= ?2 AND time < ?3 AND run_id IN " \
		"(SELECT id FROM fm_runs WHERE plugin_name = ?1)") \
	X(FM_RUNS_PRUNE, "DELETE FROM fm_runs WHERE id <> ?1 AND NOT EXISTS " \
		"(SELECT 1 FROM fm_sightings s WHERE s.run_id = fm_runs.id)") \
	X(FM_SIGHTING_ADD, "INSERT INTO fm_sightings (run_id, time, month, lon, lat, crime_id, individual, " \
		"confidence, watchlist, confirmed, site) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)") \
	X(FM_SIGHTING_AREA_ADD, "INSERT OR IGNORE INTO fm_sighting_areas (area, sighting) VALUES (?1, ?2)") \
	X(FM_MERGE, "UPDATE fm_sightings SET individual = ?3 WHERE individual = ?2 AND run_id IN " \
		"(SELECT id FROM fm_runs WHERE plugin_name = ?1)") \
	X(FM_AREAS_BY_CRIME, "INSERT OR IGNORE INTO fm_sighting_areas (area, sighting) SELECT ca.area, s.id " \
		"FROM fm_sightings s JOIN crimes c ON c.crime_id = s.crime_id JOIN crime_areas ca ON ca.crime = c.id " \
		"WHERE s.run_id = ?1") \
	X(FM_RUN_FINISH, "UPDATE fm_runs SET sightings = (SELECT count(*) FROM fm_sightings WHERE run_id = ?1) " \
		"WHERE id = ?1") \
	X(FM_SIGHTING_LOCS, "SELECT id, lon, lat FROM fm_sightings WHERE lon IS NOT NULL") \
	X(FM_AREA_ASSIGN_BY_CRIME, "INSERT OR IGNORE INTO fm_sighting_areas (area, sighting) SELECT ca.area, s.id " \
		"FROM fm_sightings s JOIN crimes c ON c.crime_id = s.crime_id JOIN crime_areas ca ON ca.crime = c.id " \
		"WHERE ca.area = ?1") \
	X(FM_ANY, "SELECT count(*), (SELECT group_concat(DISTINCT coalesce(plugin_name || coalesce(' ' || " \
		"plugin_version, ''), plugin)) FROM fm_runs r WHERE EXISTS (SELECT 1 FROM fm_sightings s WHERE " \
		"s.run_id = r.id)) FROM fm_sightings") \
	X(FM_COUNTS, "SELECT count(*), count(DISTINCT individual), coalesce(sum(watchlist), 0) FROM fm_sightings s " \
		"WHERE s.month BETWEEN ?2 AND ?3 AND (?4 = 0 OR s.confirmed <> 0) AND (?1 = 0 OR s.id IN " \
		"(SELECT sighting FROM fm_sighting_areas WHERE area = ?1))") \
	X(FM_REPEAT, "SELECT count(*) FROM (SELECT individual FROM fm_sightings s WHERE s.month BETWEEN ?2 AND ?3 " \
		"AND (?4 = 0 OR s.confirmed <> 0) AND (?1 = 0 OR s.id IN (SELECT sighting FROM fm_sighting_areas " \
		"WHERE area = ?1)) GROUP BY individual HAVING count(DISTINCT coalesce(crime_id, 'sighting ' || s.id)) >= 2)") \
	X(FM_NAMES_CRIMES, "SELECT EXISTS (SELECT 1 FROM fm_sightings WHERE crime_id IS NOT NULL)") \
	X(FM_RUNS_EACH, "SELECT r.id, coalesce(r.plugin_name, r.plugin), r.plugin_version, r.plugin_path, r.time_from, " \
		"r.time_to, (SELECT count(*) FROM fm_sightings s WHERE s.run_id = r.id), (SELECT count(*) FROM " \
		"fm_sightings s WHERE s.run_id = r.id AND s.confirmed <> 0), r.run_at, r.plugin_sha256, r.abi, " \
		"r.identity, r.model, r.model_version, r.similarity, r.threshold, r.gallery_name, r.gallery_version, " \
		"r.gallery_hash, r.options, r.inputs, (SELECT min(month) FROM fm_sightings s WHERE s.run_id = r.id), " \
		"(SELECT max(month) FROM fm_sightings s WHERE s.run_id = r.id) FROM fm_runs r ORDER BY r.id") \
	X(FM_PURGE_RUN, "DELETE FROM fm_sightings WHERE run_id = ?1") \
	X(FM_PURGE_RUN_ROW, "DELETE FROM fm_runs WHERE id = ?1") \
	X(FM_PURGE_BEFORE, "DELETE FROM fm_sightings WHERE month < ?1") \
	X(FM_PURGE_ALL, "DELETE FROM fm_sightings") \
	X(FM_RUNS_PRUNE_EMPTY, "DELETE FROM fm_runs WHERE NOT EXISTS " \
		"(SELECT 1 FROM fm_sightings s WHERE s.run_id = fm_runs.id)") \
	X(FM_POLICY_GET, "SELECT coalesce(retain_months, 0), coalesce(forget_before, -9223372036854775807 - 1) " \
		"FROM fm_policy WHERE id = 1") \
	X(FM_POLICY_RETAIN, "UPDATE fm_policy SET retain_months = nullif(?1, 0) WHERE id = 1") \
	X(FM_POLICY_FORGET, "UPDATE fm_policy SET forget_before = max(coalesce(forget_before, ?1), ?1) WHERE id = 1") \
	X(FM_POLICY_UNFORGET, "UPDATE fm_policy SET forget_before = NULL WHERE id = 1") \
	API_STMT_LIST(X)

enum {
#define STMT_ENUM(name, sql) ST_##name,
	STMT_LIST(STMT_ENUM)
#undef STMT_ENUM
	ST_COUNT
};

static const char *const stmt_sql[] = {
#define STMT_SQL(name, sql) sql,
	STMT_LIST(STMT_SQL)
#undef STMT_SQL
};

typedef struct checkpointer checkpointer;

struct store {
	sqlite3 *db;
	sqlite3_stmt *st[ST_COUNT];
	int version;
	int mode;          /* STORE_READONLY, STORE_WRITE or STORE_CREATE */
	double busy_since; /* when the current wait for a lock began */
	int waited;        /* a lock wait is being shown on the terminal */
	int gave_up;       /* a lock wait ran out: the last failure was that */
	char *path;
	char msg[512];
	int bulk;         /* between store_bulk_begin and store_bulk_end */
	checkpointer *ck; /* the same, when checkpoints run on their own thread */
};

/* How long a writer waits for another one's lock, in seconds. */
static double lock_wait = STORE_LOCK_WAIT;

void store_set_lock_wait(double seconds)
{
	lock_wait = seconds >= 0 ? seconds : STORE_LOCK_WAIT;
}

const char *store_default_path(const char *explicit_path)
{
	if (explicit_path && *explicit_path)
		return explicit_path;
	const char *env = getenv("CRIMETAB_DB");
	if (env && *env)
		return env;
	return "crimetab.db";
}

const char *store_errmsg(store *s)
{
	if (s->gave_up) {
		snprintf(s->msg, sizeof s->msg, "another crimetab held the database's write lock for more than %g s "
			 "(wait longer with --wait SECONDS or CRIMETAB_LOCK_TIMEOUT)", lock_wait);
		return s->msg;
	}
	/* "disk I/O error" alone does not say that a disk is full */
	int code = sqlite3_extended_errcode(s->db), sys = sqlite3_system_errno(s->db);
	const char *why = sys ? strerror(sys)
			  : code == SQLITE_IOERR_WRITE || code == SQLITE_IOERR_TRUNCATE || code == SQLITE_IOERR_FSYNC
			  ? "a write failed: is the disk full?" : NULL;
	if (why && ((code & 0xff) == SQLITE_IOERR || (code & 0xff) == SQLITE_CANTOPEN)) {
		snprintf(s->msg, sizeof s->msg, "%s (%s)", sqlite3_errmsg(s->db), why);
		return s->msg;
	}
	return sqlite3_errmsg(s->db);
}

int store_busy(const store *s)
{
	return s->gave_up;
}

/* A prepared, reset statement, or NULL. */
static sqlite3_stmt *stmt(store *s, int which)
{
	if (!s->st[which]) {
		if (sqlite3_prepare_v3(s->db, stmt_sql[which], -1, SQLITE_PREPARE_PERSISTENT, &s->st[which], NULL) !=
		    SQLITE_OK)
			return NULL;
	} else {
		sqlite3_reset(s->st[which]);
		sqlite3_clear_bindings(s->st[which]);
	}
	return s->st[which];
}

/* Like stmt() for the per-row inserts, whose callers bind every parameter. */
static sqlite3_stmt *stmt_rebind(store *s, int which)
{
	if (!s->st[which])
		return stmt(s, which);
	sqlite3_reset(s->st[which]);
	return s->st[which];
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static void bind_coord(sqlite3_stmt *st, int i, int has, double v)
{
	if (has)
		sqlite3_bind_double(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* Runs a statement with no result rows; 0 or -1. */
static int step_done(sqlite3_stmt *st)
{
	if (!st)
		return -1;
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

/* Runs bound statement ST, which gives at most one row: *V is its first
 * column (0 when there is no row).  Resets ST; 0, or -1 on an error. */
static int step_value(sqlite3_stmt *st, long long *v)
{
	*v = 0;
	if (!st)
		return -1;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* Ends a walk over a statement's rows that stopped with step result RC (a
 * callback that asked to stop leaves SQLITE_ROW): resets the statement; 0,
 * or -1 on an error. */
static int rows_end(sqlite3_stmt *st, int rc)
{
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static int exec(store *s, const char *sql)
{
	return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* The value of PRAGMA NAME on DB as an integer, or DFLT. */
static int pragma_int(sqlite3 *db, const char *name, int dflt)
{
	char sql[64];
	sqlite3_stmt *st;
	snprintf(sql, sizeof sql, "PRAGMA %s", name);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return dflt;
	int v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : dflt;
	sqlite3_finalize(st);
	return v;
}

/* The number of an embedded sql/NNN_*.sql file, or -1 for another file. */
static int migration_number(const struct embedded_file *f)
{
	int n;
	return strncmp(f->name, "sql/", 4) == 0 && sscanf(f->name + 4, "%d_", &n) == 1 ? n : -1;
}

int store_latest_version(void)
{
	int latest = 0;
	for (const struct embedded_file *f = embedded_files; f->name; f++)
		if (migration_number(f) > latest)
			latest = migration_number(f);
	return latest;
}

/* Applies embedded sql/NNN_*.sql files numbered above the current version. */
static int migrate(store *s, char *err, size_t errlen)
{
	for (const struct embedded_file *f = embedded_files; f->name; f++) {
		int n = migration_number(f);
		if (n <= s->version)
			continue;
		if (exec(s, "BEGIN IMMEDIATE") != 0)
			goto db_error;
		/* another crimetab may have migrated while this one waited */
		int now = pragma_int(s->db, "user_version", -1);
		if (now >= n) {
			exec(s, "ROLLBACK");
			s->version = now;
			continue;
		}
		char pragma[64];
		snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", n);
		if (exec(s, f->data) != 0 || exec(s, pragma) != 0) {
			snprintf(err, errlen, "migration %s failed: %.400s", f->name, store_errmsg(s));
			exec(s, "ROLLBACK");
			return -1;
		}
		if (exec(s, "COMMIT") != 0)
			goto db_error;
		s->version = n;
	}
	return 0;
db_error:
	snprintf(err, errlen, "%s", store_errmsg(s));
	return -1;
}

/* Waits for another connection's lock, up to lock_wait seconds, saying so
 * on a terminal; gives up (SQLITE_BUSY) after that. */
static int on_busy(void *arg, int count)
{
	store *s = arg;
	double now = ct_now();
	if (count == 0)
		s->busy_since = now;
	double waited = now - s->busy_since;
	if (waited >= lock_wait) {
		s->gave_up = 1;
		if (s->waited)
			ct_transient(NULL);
		s->waited = 0;
		return 0;
	}
	if (waited >= 1) {
		ct_transient("waiting for another crimetab to finish writing %s (%.0f s; gives up after %g s)", s->path,
			     waited, lock_wait);
		s->waited = 1;
	}
	/* 1 ms at first, then up to 100 ms: a short lock is taken at once */
	double nap = count < 10 ? 0.001 : count < 30 ? 0.01 : 0.1;
	if (nap > lock_wait - waited)
		nap = lock_wait - waited;
	sqlite3_sleep((int)(nap * 1000) + 1);
	return 1;
}

/* Runs SQL, waiting like on_busy while another connection holds a lock:
 * SQLite calls no busy handler for the exclusive lock that changing the
 * journal mode takes, so a reader's short read would fail it at once. */
static int exec_waiting(store *s, const char *sql)
{
	for (int count = 0;; count++) {
		int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			return 0;
		if ((rc & 0xff) != SQLITE_BUSY || !on_busy(s, count))
			return -1;
	}
}

/* After the wait for a lock: the waiting line goes. */
static void busy_done(store *s)
{
	if (s->waited)
		ct_transient(NULL);
	s->waited = 0;
}

/* True if the database has tables (it is somebody's database). */
static int has_tables(sqlite3 *db)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return 1;
	int any = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return any;
}

/* Checks PATH before SQLite opens it: it must be a regular file, and exist
 * unless it may be created.  0, or the status with err set. */
static ct_status check_path(const char *path, int mode, char *err, size_t errlen)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		if (errno == ENOENT && mode == STORE_CREATE)
			return CT_OK;
		if (errno == ENOENT)
			snprintf(err, errlen, "no database at %s (import something first, or give --db)", path);
		else
			snprintf(err, errlen, "%s: cannot open database: %s", path, strerror(errno));
		return CT_EDB;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a database file (it is %s)", path, ct_file_kind(st.st_mode));
		return CT_EDB;
	}
	return CT_OK;
}

static store *open_once(const char *path, int mode, ct_status *why, char *err, size_t errlen);

store *store_open(const char *path, int mode, char *err, size_t errlen)
{
	ct_status why;
	return store_open_status(path, mode, &why, err, errlen);
}

store *store_open_status(const char *path, int mode, ct_status *why, char *err, size_t errlen)
{
	*why = check_path(path, mode, err, errlen);
	if (*why != CT_OK)
		return NULL;
	store *s = open_once(path, mode, why, err, errlen);
	if (s && mode == STORE_READONLY && s->version < store_latest_version()) {
		/* made by an older crimetab: upgraded once, by whoever may write it */
		store_close(s);
		s = open_once(path, STORE_WRITE, why, err, errlen);
		if (!s) {
			char why_not[512];
			snprintf(why_not, sizeof why_not, "%s", err);
			snprintf(err, errlen, "%s: the database is from an older crimetab and must be upgraded once by "
					      "someone who may write it (any crimetab import does it): %s", path, why_not);
			return NULL;
		}
		store_close(s);
		s = open_once(path, mode, why, err, errlen);
	}
	return s;
}

static store *open_once(const char *path, int mode, ct_status *why, char *err, size_t errlen)
{
	/* no global allocation statistics: they take a lock on every allocation
	 * (refused, harmlessly, once SQLite is initialised) */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	store *s = xcalloc(1, sizeof *s);
	s->mode = mode;
	s->path = xstrdup(path);
	*why = CT_EDB;
	int flags = (mode == STORE_READONLY ? SQLITE_OPEN_READONLY
		     : SQLITE_OPEN_READWRITE | (mode == STORE_CREATE ? SQLITE_OPEN_CREATE : 0)) | SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot open database: %s", path,
			 s->db ? sqlite3_errmsg(s->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_handler(s->db, on_busy, s);
	/* the schema version is read before anything is written: a database
	 * from a newer crimetab is left exactly as it is */
	s->version = pragma_int(s->db, "user_version", -1);
	busy_done(s);
	if (s->version < 0) {
		int code = sqlite3_errcode(s->db);
		if (s->gave_up)
			snprintf(err, errlen, "%s: %s", path, store_errmsg(s));
		else if (code == SQLITE_NOTADB)
			snprintf(err, errlen, "%s: not a crimetab database (not an SQLite file)", path);
		else if (mode == STORE_READONLY && (code == SQLITE_CANTOPEN || code == SQLITE_READONLY))
			/* WAL mode: a reader must be able to create PATH-shm */
			snprintf(err, errlen, "%s: the database is in WAL mode (an import is running, or one stopped "
					      "before its end), and reading it then needs its folder to be writable by you "
					      "(%s): try again after the import, or run crimetab import on it once",
				 path, sqlite3_errmsg(s->db));
		else
			snprintf(err, errlen, "%s: cannot read the database: %s", path, sqlite3_errmsg(s->db));
		goto fail;
	}
	if (s->version > store_latest_version()) {
		snprintf(err, errlen, "%s: the database is from a newer crimetab (schema version %d; this crimetab "
				      "knows versions up to %d): use that crimetab, or upgrade this one", path, s->version,
			 store_latest_version());
		goto fail;
	}
	if (s->version == 0 && mode != STORE_CREATE) {
		snprintf(err, errlen, "%s: not a crimetab database (%s)", path,
			 has_tables(s->db) ? "it holds other tables" : "it is empty; import something first");
		goto fail;
	}
	if (s->version == 0 && has_tables(s->db)) {
		snprintf(err, errlen, "%s: not a crimetab database (it holds other tables): give another --db", path);
		goto fail;
	}
	/* An import writes a whole file's rows in one transaction: large pages
	 * (for a new database; an existing one keeps its own) take a quarter of
	 * the system calls of 16 KiB ones.  A 16 MiB cache holds what an import
	 * comes back to (the right edge of each B-tree, the cube, the sources)
	 * and most files' whole transaction; rows are appended and written once,
	 * so a larger cache only fills with fresh memory (64 MiB was 15% slower,
	 * 2 MiB spilled every file to the WAL and read it back).  A writer uses
	 * WAL, so that readers (the TUI) go on while it writes; store_close
	 * leaves the database in rollback mode again. */
	if (exec(s, "PRAGMA foreign_keys = ON") != 0 ||
	    (mode != STORE_READONLY &&
	     (exec(s, "PRAGMA page_size = 65536") != 0 || exec_waiting(s, "PRAGMA journal_mode = WAL") != 0 ||
	      exec(s, "PRAGMA synchronous = NORMAL") != 0 || exec(s, "PRAGMA cache_size = -16384") != 0))) {
		snprintf(err, errlen, "%s: %s", path, store_errmsg(s));
		busy_done(s);
		goto fail;
	}
	busy_done(s);
	char merr[512] = "";
	if (mode != STORE_READONLY && migrate(s, merr, sizeof merr) != 0) {
		busy_done(s);
		snprintf(err, errlen, "%s: %s", path, merr);
		goto fail;
	}
	busy_done(s);
	*why = CT_OK;
	return s;
fail:
	if (s->gave_up)
		*why = CT_EBUSY;
	if (s->mode != STORE_READONLY)
		s->mode = STORE_READONLY; /* nothing to leave as it was */
	store_close(s);
	return NULL;
}

void store_close(store *s)
{
	if (!s)
		return;
	store_bulk_end(s, NULL, 0);
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	/* Back to a rollback journal when no one else has the database open: a
	 * WAL database can only be read by someone who may create its -shm file
	 * beside it, a rollback one by anyone who may read it. */
	if (s->mode != STORE_READONLY && s->db && sqlite3_db_readonly(s->db, "main") == 0) {
		sqlite3_busy_handler(s->db, NULL, NULL);
		exec(s, "PRAGMA journal_mode = DELETE");
	}
	busy_done(s);
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

int store_schema_version(store *s)
{
	return s->version;
}

int store_begin(store *s)
{
	return exec(s, "BEGIN IMMEDIATE");
}

/* Kept out of the schema (see sql/003_import_speed.sql): made only while
 * face-match needs crimes by ID, so imports do not pay for it. */
static const char crime_id_index[] = "CREATE INDEX IF NOT EXISTS crimes_crime_id ON crimes(crime_id) "
				     "WHERE crime_id IS NOT NULL";

int store_begin_import(store *s)
{
	if (store_begin(s) != 0)
		return -1;
	if (exec(s, "DROP INDEX IF EXISTS crimes_crime_id") != 0) {
		store_rollback(s);
		return -1;
	}
	return 0;
}

/* The crime ID index, if any sighting names a crime. */
static int need_crime_id_index(store *s)
{
	long long any;
	if (step_value(stmt(s, ST_FM_NAMES_CRIMES), &any) != 0)
		return -1;
	return any ? exec(s, crime_id_index) : 0;
}

static void checkpoint_after_commit(store *s);

int store_commit(store *s)
{
	if (exec(s, "COMMIT") != 0)
		return -1;
	if (s->ck)
		checkpoint_after_commit(s);
	return 0;
}

/* ---- checkpoints in the background during bulk imports ----
 *
 * In WAL mode a commit appends pages to the WAL, and a checkpoint later
 * copies them into the database file and syncs both: left to SQLite, the
 * committing thread does that itself every 1,000 pages and waits for the
 * disk, nearly a third of an import's time.  Between store_bulk_begin and
 * store_bulk_end a second connection, on its own thread, checkpoints (PASSIVE:
 * it never waits for, or blocks, the writer or any reader) after each commit
 * while the next file is stored.  What is durable, and when, is unchanged:
 * the same commits, the same synchronous = NORMAL.
 *
 * The WAL only starts again from its beginning when a write transaction
 * starts after everything in it was copied, which a writer that never pauses
 * would never see.  So when the WAL passes WAL_LIMIT bytes, the commit waits
 * for the running checkpoint and one more, and the next file starts a fresh
 * WAL: it stays under about WAL_LIMIT plus one file's transaction.  (Larger
 * limits, or checkpoints only every so many megabytes, were slower: what is
 * left to copy, sync and delete at the end grows with them.) */
#define WAL_LIMIT (64LL << 20)

struct checkpointer {
	sqlite3 *db; /* the checkpointing thread's own connection */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int wanted, running, quit;
	int frames;          /* frames in the WAL after the last commit */
	int page_size;
	long long wal_limit; /* bytes */
	int autocheckpoint;  /* the writer's own, restored at the end */
	int failed;          /* a checkpoint failed other than SQLITE_BUSY */
	char errmsg[256];
};

static int on_wal_commit(void *arg, sqlite3 *db, const char *name, int frames)
{
	(void)db;
	(void)name;
	checkpointer *ck = arg;
	ck->frames = frames; /* the writer's thread only */
	return SQLITE_OK;
}

static void *checkpoint_thread(void *arg)
{
	checkpointer *ck = arg;
	pthread_mutex_lock(&ck->mu);
	for (;;) {
		while (!ck->wanted && !ck->quit)
			pthread_cond_wait(&ck->cv, &ck->mu);
		if (!ck->wanted)
			break;
		ck->wanted = 0;
		ck->running = 1;
		pthread_mutex_unlock(&ck->mu);
		int rc = sqlite3_wal_checkpoint_v2(ck->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_lock(&ck->mu);
		if (rc != SQLITE_OK && rc != SQLITE_BUSY && !ck->failed) {
			ck->failed = 1;
			snprintf(ck->errmsg, sizeof ck->errmsg, "%s", sqlite3_errmsg(ck->db));
		}
		ck->running = 0;
		pthread_cond_broadcast(&ck->cv);
	}
	pthread_mutex_unlock(&ck->mu);
	return NULL;
}

/* Asks for a checkpoint; with WAIT, waits for the running one and this one. */
static void checkpoint_ask(checkpointer *ck, int wait)
{
	pthread_mutex_lock(&ck->mu);
	if (wait)
		while (ck->running || ck->wanted)
			pthread_cond_wait(&ck->cv, &ck->mu);
	ck->wanted = 1;
	pthread_cond_broadcast(&ck->cv);
	if (wait)
		while (ck->running || ck->wanted)
			pthread_cond_wait(&ck->cv, &ck->mu);
	pthread_mutex_unlock(&ck->mu);
}

/* After each commit: a checkpoint, now or when the running one ends. */
static void checkpoint_after_commit(store *s)
{
	checkpointer *ck = s->ck;
	checkpoint_ask(ck, (long long)ck->frames * ck->page_size >= ck->wal_limit);
}

/* True if DB is a WAL database (a connection finds out when it first reads). */
static int is_wal(sqlite3 *db)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL) != SQLITE_OK)
		return 0;
	int wal = sqlite3_step(st) == SQLITE_ROW && strcmp(col_text(st, 0), "wal") == 0;
	sqlite3_finalize(st);
	return wal;
}

void store_bulk_begin(store *s, long long wal_limit)
{
	if (s->bulk)
		return;
	s->bulk = 1;
	/* An import inserts only rows whose parents it has just written or read
	 * (its source, its crimes, areas read at the start) and deletes the
	 * areas of the crimes it supersedes itself: checking each row's parents
	 * cost 7-8% of an import. */
	exec(s, "PRAGMA foreign_keys = OFF");
	const char *path = sqlite3_db_filename(s->db, "main");
	int page_size = pragma_int(s->db, "page_size", 0);
	/* two connections on two threads need a thread-safe SQLite; nothing to
	 * gain without a WAL: SQLite's own checkpoints stay */
	if (!sqlite3_threadsafe() || !is_wal(s->db) || !path || !*path || page_size <= 0 ||
	    sqlite3_db_readonly(s->db, "main") != 0)
		return;
	checkpointer *ck = xcalloc(1, sizeof *ck);
	ck->page_size = page_size;
	ck->autocheckpoint = pragma_int(s->db, "wal_autocheckpoint", 1000);
	ck->wal_limit = wal_limit > 0 ? wal_limit : WAL_LIMIT;
	if (sqlite3_open_v2(path, &ck->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_busy_timeout(ck->db, 5000);
	if (!is_wal(ck->db))
		goto fail;
	pthread_mutex_init(&ck->mu, NULL);
	pthread_cond_init(&ck->cv, NULL);
	if (pthread_create(&ck->thread, NULL, checkpoint_thread, ck) != 0) {
		pthread_cond_destroy(&ck->cv);
		pthread_mutex_destroy(&ck->mu);
		goto fail;
	}
	/* replaces SQLite's automatic checkpoints for this connection */
	sqlite3_wal_hook(s->db, on_wal_commit, ck);
	s->ck = ck;
	return;
fail:
	sqlite3_close(ck->db);
	free(ck);
}

int store_bulk_end(store *s, char *err, size_t errlen)
{
	if (!s->bulk)
		return 0;
	s->bulk = 0;
	exec(s, "PRAGMA foreign_keys = ON");
	checkpointer *ck = s->ck;
	if (!ck)
		return 0;
	pthread_mutex_lock(&ck->mu);
	ck->quit = 1;
	pthread_cond_broadcast(&ck->cv);
	pthread_mutex_unlock(&ck->mu);
	pthread_join(ck->thread, NULL);
	pthread_cond_destroy(&ck->cv);
	pthread_mutex_destroy(&ck->mu);
	sqlite3_close(ck->db);
	s->ck = NULL;
	sqlite3_wal_autocheckpoint(s->db, ck->autocheckpoint);
	int failed = ck->failed;
	if (failed && err)
		snprintf(err, errlen, "background checkpoint: %s", ck->errmsg);
	free(ck);
	return failed ? -1 : 0;
}

void store_rollback(store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		exec(s, "ROLLBACK");
}

long long store_source_by_hash(store *s, const char *sha256)
{
	sqlite3_stmt *st = stmt(s, ST_SOURCE_BY_HASH);
	if (!st)
		return -1;
	bind_text(st, 1, sha256);
	long long id;
	return step_value(st, &id) == 0 ? id : -1;
}

int store_source_size_seen(store *s, long long bytes)
{
	sqlite3_stmt *st = stmt(s, ST_SOURCE_SIZE_SEEN);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, bytes);
	long long seen;
	return step_value(st, &seen) == 0 ? seen != 0 : -1;
}

long long store_source_add(store *s, const store_source *src)
{
	sqlite3_stmt *st = stmt(s, ST_SOURCE_ADD);
	if (!st)
		return -1;
	bind_text(st, 1, src->path);
	bind_text(st, 2, src->sha256);
	bind_text(st, 3, src->kind);
	bind_text(st, 4, src->force);
	bind_text(st, 5, src->mapping);
	sqlite3_bind_int64(st, 6, src->bytes);
	if (step_done(st) != 0)
		return -1;
	return sqlite3_last_insert_rowid(s->db);
}

int store_source_finish(store *s, const store_source *src)
{
	sqlite3_stmt *st = stmt(s, ST_SOURCE_FINISH);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, src->id);
	if (src->month_min >= 0) {
		sqlite3_bind_int(st, 2, src->month_min);
		sqlite3_bind_int(st, 3, src->month_max);
	}
	sqlite3_bind_int64(st, 4, src->rows_read);
	sqlite3_bind_int64(st, 5, src->rows_imported);
	sqlite3_bind_int64(st, 6, src->rows_rejected);
	sqlite3_bind_int64(st, 7, src->rows_superseded);
	bind_text(st, 8, src->force);
	bind_text(st, 9, src->sha256);
	sqlite3_bind_int64(st, 10, src->bytes);
	return step_done(st);
}

static int run_month(store *s, int which, int month);

int store_source_claim_month(store *s, long long id, const char *kind, const char *force, int month,
			     long long *superseded)
{
	sqlite3_stmt *st = stmt(s, ST_MONTH_OWNER);
	if (!st)
		return -1;
	bind_text(st, 1, kind);
	bind_text(st, 2, force);
	sqlite3_bind_int(st, 3, month);
	long long old;
	if (step_value(st, &old) != 0)
		return -1;
	if (old == id)
		return 0;
	st = stmt(s, ST_MONTH_CLAIM);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	bind_text(st, 2, kind);
	bind_text(st, 3, force);
	sqlite3_bind_int(st, 4, month);
	if (step_done(st) != 0)
		return -1;
	if (!old)
		return 0;
	int del = strcmp(kind, "outcomes") == 0 ? ST_DEL_OUTCOMES
		  : strcmp(kind, "stop-and-search") == 0 ? ST_DEL_STOPS : ST_DEL_CRIMES;
	/* the cube is kept by counting, not recounting: take the old rows out
	 * first; then their areas (an import runs with foreign keys off, so no
	 * cascade does it: see store_bulk_begin) */
	for (int sub = ST_CUBE_SUB_ALL; del == ST_DEL_CRIMES && sub <= ST_DEL_CRIME_AREAS; sub++) {
		st = stmt(s, sub);
		if (!st)
			return -1;
		sqlite3_bind_int64(st, 1, old);
		sqlite3_bind_int(st, 2, month);
		bind_text(st, 3, force);
		if (step_done(st) != 0)
			return -1;
	}
	if (del == ST_DEL_CRIMES && run_month(s, ST_CUBE_PRUNE, month) != 0)
		return -1;
	st = stmt(s, del);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, old);
	sqlite3_bind_int(st, 2, month);
	bind_text(st, 3, force);
	if (step_done(st) != 0)
		return -1;
	*superseded += sqlite3_changes(s->db);
	st = stmt(s, ST_MARK_SUPERSEDED);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, old);
	sqlite3_bind_int64(st, 2, id);
	return step_done(st);
}

int store_sources_each(store *s, int (*fn)(void *ctx, const store_source *src), void *ctx)
{
	sqlite3_stmt *st = stmt(s, ST_SOURCES_EACH);
	if (!st)
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_source src = {
			.id = sqlite3_column_int64(st, 0),
			.path = col_text(st, 1),
			.sha256 = col_text(st, 2),
			.kind = col_text(st, 3),
			.force = col_text(st, 4),
			.mapping = col_text(st, 5),
			.imported_at = col_text(st, 6),
			.month_min = sqlite3_column_int(st, 7),
			.month_max = sqlite3_column_int(st, 8),
			.bytes = sqlite3_column_int64(st, 9),
			.rows_read = sqlite3_column_int64(st, 10),
			.rows_imported = sqlite3_column_int64(st, 11),
			.rows_rejected = sqlite3_column_int64(st, 12),
			.rows_superseded = sqlite3_column_int64(st, 13),
			.superseded_by = sqlite3_column_int64(st, 14),
			.first_row = sqlite3_column_int64(st, 15),
			.last_row = sqlite3_column_int64(st, 16),
		};
		if (fn(ctx, &src))
			break;
	}
	return rows_end(st, rc);
}

int store_month_owners_each(store *s, int (*fn)(void *ctx, const store_month_owner *o), void *ctx)
{
	sqlite3_stmt *st = stmt(s, ST_MONTH_OWNERS);
	if (!st)
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_month_owner o = {.kind = col_text(st, 0), .force = col_text(st, 1), .month = sqlite3_column_int(st, 2),
				       .source_id = sqlite3_column_int64(st, 3), .path = col_text(st, 4)};
		if (fn(ctx, &o))
			break;
	}
	return rows_end(st, rc);
}

int store_source_forces_each(store *s, int (*fn)(void *ctx, long long source, const char *kind, const char *force),
			     void *ctx)
{
	sqlite3_stmt *st = stmt(s, ST_SOURCE_FORCES_EACH);
	if (!st)
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(ctx, sqlite3_column_int64(st, 0), col_text(st, 1), col_text(st, 2)))
			break;
	return rows_end(st, rc);
}

int store_coverage_each(store *s, int (*fn)(void *ctx, const char *kind, const char *force, int month), void *ctx)
{
	sqlite3_stmt *st = stmt(s, ST_COVERAGE_EACH);
	if (!st)
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(ctx, col_text(st, 0), col_text(st, 1), sqlite3_column_int(st, 2)))
			break;
	return rows_end(st, rc);
}

long long store_crime_add(store *s, const store_crime *c)
{
	sqlite3_stmt *st = stmt_rebind(s, ST_CRIME_ADD);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, c->source_id);
	sqlite3_bind_int64(st, 2, c->line);
	bind_text(st, 3, c->crime_id);
	sqlite3_bind_int(st, 4, c->month);
	bind_text(st, 5, c->force);
	bind_text(st, 6, c->reported_by);
	bind_text(st, 7, c->falls_within);
	bind_coord(st, 8, c->has_coords, c->lon);
	bind_coord(st, 9, c->has_coords, c->lat);
	bind_text(st, 10, c->location);
	bind_text(st, 11, c->lsoa_code);
	bind_text(st, 12, c->lsoa_name);
	bind_text(st, 13, c->category);
	bind_text(st, 14, c->last_outcome);
	bind_text(st, 15, c->context);
	bind_text(st, 16, c->area_value);
	bind_text(st, 17, c->offence_code);
	bind_text(st, 18, c->kind);
	if (step_done(st) != 0)
		return -1;
	return sqlite3_last_insert_rowid(s->db);
}

int store_outcome_add(store *s, const store_outcome *o)
{
	sqlite3_stmt *st = stmt_rebind(s, ST_OUTCOME_ADD);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, o->source_id);
	sqlite3_bind_int64(st, 2, o->line);
	bind_text(st, 3, o->crime_id);
	sqlite3_bind_int(st, 4, o->month);
	bind_text(st, 5, o->force);
	bind_text(st, 6, o->reported_by);
	bind_text(st, 7, o->falls_within);
	bind_coord(st, 8, o->has_coords, o->lon);
	bind_coord(st, 9, o->has_coords, o->lat);
	bind_text(st, 10, o->location);
	bind_text(st, 11, o->lsoa_code);
	bind_text(st, 12, o->lsoa_name);
	bind_text(st, 13, o->outcome_type);
	return step_done(st);
}

int store_stop_add(store *s, const store_stop *x)
{
	sqlite3_stmt *st = stmt_rebind(s, ST_STOP_ADD);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, x->source_id);
	sqlite3_bind_int64(st, 2, x->line);
	sqlite3_bind_int(st, 3, x->month);
	bind_text(st, 4, x->force);
	bind_text(st, 5, x->type);
	bind_text(st, 6, x->date);
	bind_text(st, 7, x->part_of_operation);
	bind_text(st, 8, x->operation);
	bind_coord(st, 9, x->has_coords, x->lat);
	bind_coord(st, 10, x->has_coords, x->lon);
	bind_text(st, 11, x->gender);
	bind_text(st, 12, x->age_range);
	bind_text(st, 13, x->self_ethnicity);
	bind_text(st, 14, x->officer_ethnicity);
	bind_text(st, 15, x->legislation);
	bind_text(st, 16, x->object_of_search);
	bind_text(st, 17, x->outcome);
	bind_text(st, 18, x->outcome_linked);
	bind_text(st, 19, x->removal_of_clothing);
	return step_done(st);
}

int store_reject_add(store *s, long long source_id, long long line, const char *reason, const char *raw)
{
	sqlite3_stmt *st = stmt(s, ST_REJECT_ADD);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, source_id);
	sqlite3_bind_int64(st, 2, line);
	bind_text(st, 3, reason);
	/* raw may hold invalid UTF-8: keep its bytes exactly, as a blob-typed text */
	sqlite3_bind_blob(st, 4, raw, (int)strlen(raw), SQLITE_STATIC);
	return step_done(st);
}

int store_rejects_each(store *s, long long source_id, int (*fn)(void *ctx, const store_reject *r), void *ctx)
{
	sqlite3_stmt *st = stmt(s, ST_REJECTS_EACH);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, source_id);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_reject r = {
			.source_id = sqlite3_column_int64(st, 0),
			.line = sqlite3_column_int64(st, 1),
			.path = col_text(st, 2),
			.reason = col_text(st, 3),
			.raw = col_text(st, 4),
		};
		if (fn(ctx, &r))
			break;
	}
	return rows_end(st, rc);
}

int store_area_put(store *s, const char *name, const char *kind, const char *definition, const char *loaded_from,
		   long long *id)
{
	if (store_area_remove(s, name) < 0)
		return -1;
	sqlite3_stmt *st = stmt(s, ST_AREA_ADD);
	if (!st)
		return -1;
	bind_text(st, 1, name);
	bind_text(st, 2, kind);
	bind_text(st, 3, definition);
	bind_text(st, 4, loaded_from);
	if (step_done(st) != 0)
		return -1;
	*id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

int store_area_remove(store *s, const char *name)
{
	sqlite3_stmt *st = stmt(s, ST_AREA_DEL);
	if (!st)
		return -1;
	bind_text(st, 1, name);
	int rc = sqlite3_step(st);
	long long id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	while (rc == SQLITE_ROW)
		rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	if (!id)
		return 0;
	st = stmt(s, ST_AREA_CUBE_DEL);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return step_done(st) == 0 ? 1 : -1;
}

int store_areas_each(store *s, int (*fn)(void *ctx, const store_area *a), void *ctx)
{
	sqlite3_stmt *st = stmt(s, ST_AREAS_EACH);
	if (!st)
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_area a = {
			.id = sqlite3_column_int64(st, 0),
			.name = col_text(st, 1),
			.kind = col_text(st, 2),
			.definition = col_text(st, 3),
			.loaded_from = col_text(st, 4),
			.loaded_at = col_text(st, 5),
			.crimes = sqlite3_column_int64(st, 6),
		};
		if (fn(ctx, &a))
			break;
	}
	return rows_end(st, rc);
}

int store_crime_locs_each(store *s, int (*fn)(void *ctx, const store_crime_loc *c), void *ctx)
{
	sqlite3_stmt *st = stmt(s, ST_CRIME_LOCS);
	if (!st)
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_crime_loc c = {
			.id = sqlite3_column_int64(st, 0),
			.has_coords = sqlite3_column_type(st, 1) != SQLITE_NULL && sqlite3_column_type(st, 2) != SQLITE_NULL,
			.lon = sqlite3_column_double(st, 1),
			.lat = sqlite3_column_double(st, 2),
			.lsoa_code = col_text(st, 3),
			.area_value = col_text(st, 4),
		};
		if (fn(ctx, &c)) {
			rc = SQLITE_ABORT; /* the caller's failure */
			break;
		}
	}
	return rows_end(st, rc);
}

int store_crime_area_add(store *s, long long crime, long long area)
{
	sqlite3_stmt *st = stmt_rebind(s, ST_CRIME_AREA_ADD);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, area);
	sqlite3_bind_int64(st, 2, crime);
	return step_done(st);
}

int store_lsoa_seen(store *s, const char *codes_json,
		    int (*fn)(void *ctx, const char *code, const char *name, int first, int last), void *ctx)
{
	sqlite3_stmt *st = stmt(s, ST_LSOA_SEEN);
	if (!st)
		return -1;
	bind_text(st, 1, codes_json);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(ctx, col_text(st, 0), col_text(st, 1), sqlite3_column_int(st, 2), sqlite3_column_int(st, 3)))
			break;
	return rows_end(st, rc);
}

int store_lsoa_after(store *s, const char *code, int after,
		     int (*fn)(void *ctx, const char *code, const char *name, long long n), void *ctx)
{
	sqlite3_stmt *st = stmt(s, ST_LSOA_AFTER);
	if (!st)
		return -1;
	bind_text(st, 1, code);
	sqlite3_bind_int(st, 2, after);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(ctx, col_text(st, 0), col_text(st, 1), sqlite3_column_int64(st, 2)))
			break;
	return rows_end(st, rc);
}

int store_crimes_latest_month(store *s)
{
	sqlite3_stmt *st = stmt(s, ST_CRIMES_LATEST);
	if (!st)
		return -2;
	int m = -1, rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		m = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? m : -2;
}

static int run_month(store *s, int which, int month)
{
	sqlite3_stmt *st = stmt(s, which);
	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, month);
	return step_done(st);
}

int store_cube_add(store *s, long long area, const char *kind, int month, const char *category, long long n)
{
	sqlite3_stmt *st = stmt(s, ST_CUBE_ADD);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, area);
	bind_text(st, 2, kind);
	sqlite3_bind_int(st, 3, month);
	bind_text(st, 4, category);
	sqlite3_bind_int64(st, 5, n);
	return step_done(st);
}

int store_cube_rebuild_area(store *s, long long area)
{
	sqlite3_stmt *st = stmt(s, ST_AREA_CUBE_DEL);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, area);
	if (step_done(st) != 0)
		return -1;
	st = stmt(s, ST_CUBE_AREA);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, area);
	return step_done(st);
}

int store_cube_each(store *s, long long area, const char *kind, int from, int to,
		    int (*fn)(void *ctx, int month, const char *category, long long n), void *ctx)
{
	sqlite3_stmt *st = stmt(s, ST_CUBE_EACH);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, area);
	bind_text(st, 4, kind);
	sqlite3_bind_int(st, 2, from);
	sqlite3_bind_int(st, 3, to);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(ctx, sqlite3_column_int(st, 0), col_text(st, 1), sqlite3_column_int64(st, 2)))
			break;
	return rows_end(st, rc);
}

int store_crimes_in_box_each(store *s, const char *kind, int from, int to, const double box[4],
			     int (*fn)(void *ctx, const store_crime_at *c), void *ctx)
{
	sqlite3_stmt *st = stmt(s, ST_CRIMES_IN_BOX);
	if (!st)
		return -1;
	bind_text(st, 1, kind);
	sqlite3_bind_int(st, 2, from);
	sqlite3_bind_int(st, 3, to);
	for (int i = 0; i < 4; i++)
		sqlite3_bind_double(st, 4 + i, box[i]);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_crime_at c = {
			.month = sqlite3_column_int(st, 0),
			.category = col_text(st, 1),
			.lon = sqlite3_column_double(st, 2),
			.lat = sqlite3_column_double(st, 3),
			.lsoa_code = col_text(st, 4),
			.area_value = col_text(st, 5),
		};
		if (fn(ctx, &c))
			break;
	}
	return rows_end(st, rc);
}

long long store_area_next_crime(store *s, long long area, long long after)
{
	sqlite3_stmt *st = stmt(s, ST_AREA_NEXT_CRIME);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, area);
	sqlite3_bind_int64(st, 2, after);
	long long id;
	return step_value(st, &id) == 0 ? id : -1;
}

long long store_kind_count(store *s, const char *kind)
{
	sqlite3_stmt *st = stmt(s, ST_KIND_COUNT);
	if (!st)
		return -1;
	bind_text(st, 1, kind);
	long long n;
	return step_value(st, &n) == 0 ? n : -1;
}

int store_latest_month(store *s, const char *kind)
{
	sqlite3_stmt *st = stmt(s, ST_LATEST_MONTH);
	if (!st)
		return -1;
	bind_text(st, 1, kind);
	int m = -1;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		m = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return m;
}

/* ---- face-match sightings ---- */

/* Deleted sightings are overwritten, not just unlinked (see sql/008). */
static int fm_secure_delete(store *s)
{
	return exec(s, "PRAGMA secure_delete = ON");
}

static void bind_real_or_null(sqlite3_stmt *st, int i, double v)
{
	if (!isnan(v))
		sqlite3_bind_double(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

long long store_fm_run_begin(store *s, const store_fm_run *r)
{
	if (fm_secure_delete(s) != 0)
		return -1;
	sqlite3_stmt *st = stmt(s, ST_FM_REPLACE);
	if (!st)
		return -1;
	bind_text(st, 1, r->plugin);
	sqlite3_bind_int64(st, 2, r->from);
	sqlite3_bind_int64(st, 3, r->to);
	if (step_done(st) != 0)
		return -1;
	st = stmt(s, ST_FM_RUN_ADD);
	if (!st)
		return -1;
	bind_text(st, 1, r->path);
	sqlite3_bind_int64(st, 2, r->from);
	sqlite3_bind_int64(st, 3, r->to);
	bind_text(st, 5, r->plugin);
	bind_text(st, 6, r->version);
	bind_text(st, 7, r->plugin_sha256);
	bind_text(st, 8, r->abi);
	bind_text(st, 9, r->identity);
	bind_text(st, 10, r->model);
	bind_text(st, 11, r->model_version);
	bind_text(st, 12, r->similarity);
	bind_real_or_null(st, 13, r->threshold);
	bind_text(st, 14, r->gallery_name);
	bind_text(st, 15, r->gallery_version);
	bind_text(st, 16, r->gallery_hash);
	bind_text(st, 17, r->options);
	bind_text(st, 18, r->inputs);
	if (step_done(st) != 0)
		return -1;
	return sqlite3_last_insert_rowid(s->db);
}

long long store_fm_sighting_add(store *s, long long run, const store_sighting *x)
{
	sqlite3_stmt *st = stmt_rebind(s, ST_FM_SIGHTING_ADD);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, x->time);
	sqlite3_bind_int(st, 3, x->month);
	bind_coord(st, 4, x->has_coords, x->lon);
	bind_coord(st, 5, x->has_coords, x->lat);
	bind_text(st, 6, x->crime_id);
	sqlite3_bind_blob(st, 7, x->individual, STORE_FM_KEY_LEN, SQLITE_STATIC);
	sqlite3_bind_double(st, 8, x->confidence);
	sqlite3_bind_int(st, 9, x->watchlist);
	sqlite3_bind_int(st, 10, x->confirmed);
	bind_text(st, 11, x->site);
	if (step_done(st) != 0)
		return -1;
	return sqlite3_last_insert_rowid(s->db);
}

int store_fm_sighting_area_add(store *s, long long sighting, long long area)
{
	sqlite3_stmt *st = stmt_rebind(s, ST_FM_SIGHTING_AREA_ADD);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, area);
	sqlite3_bind_int64(st, 2, sighting);
	return step_done(st);
}

int store_fm_merge(store *s, const char *plugin, const unsigned char *from, const unsigned char *into)
{
	sqlite3_stmt *st = stmt(s, ST_FM_MERGE);
	if (!st)
		return -1;
	bind_text(st, 1, plugin);
	sqlite3_bind_blob(st, 2, from, STORE_FM_KEY_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, into, STORE_FM_KEY_LEN, SQLITE_STATIC);
	return step_done(st);
}

int store_fm_run_finish(store *s, long long run, long long *sightings)
{
	if (need_crime_id_index(s) != 0)
		return -1;
	sqlite3_stmt *st = stmt(s, ST_FM_AREAS_BY_CRIME);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	if (step_done(st) != 0)
		return -1;
	st = stmt(s, ST_FM_RUN_FINISH);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	if (step_done(st) != 0)
		return -1;
	st = stmt(s, ST_FM_RUNS_PRUNE);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	if (step_done(st) != 0)
		return -1;
	return step_value(stmt(s, ST_FM_ANY), sightings);
}

int store_fm_assign_area(store *s, long long area, int (*match)(void *ctx, double lon, double lat), void *ctx)
{
	if (need_crime_id_index(s) != 0)
		return -1;
	sqlite3_stmt *st = stmt(s, ST_FM_AREA_ASSIGN_BY_CRIME);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, area);
	if (step_done(st) != 0)
		return -1;
	/* collect first: inserting while stepping the same table is unsafe */
	long long *ids = NULL;
	size_t n = 0;
	st = stmt(s, ST_FM_SIGHTING_LOCS);
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
	sqlite3_stmt *st = stmt(s, ST_FM_ANY);
	if (!st)
		return -1;
	int rc = sqlite3_step(st), present = -1;
	if (plugins)
		*plugins = NULL;
	if (rc == SQLITE_ROW) {
		present = sqlite3_column_int64(st, 0) > 0;
		if (present && plugins && col_text(st, 1))
			*plugins = xstrdup(col_text(st, 1));
	}
	return rows_end(st, rc) == 0 ? present : -1;
}

int store_fm_counts(store *s, long long area, int from, int to, int confirmed_only, long long out[4])
{
	sqlite3_stmt *st = stmt(s, ST_FM_COUNTS);
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
	st = stmt(s, ST_FM_REPEAT);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, area);
	sqlite3_bind_int(st, 2, from);
	sqlite3_bind_int(st, 3, to);
	sqlite3_bind_int(st, 4, confirmed_only);
	return step_value(st, &out[2]);
}

int store_fm_runs_each(store *s, int (*fn)(void *ctx, const store_fm_run *r), void *ctx)
{
	sqlite3_stmt *st = stmt(s, ST_FM_RUNS_EACH);
	if (!st)
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_fm_run r = {
			.id = sqlite3_column_int64(st, 0),
			.plugin = col_text(st, 1),
			.version = col_text(st, 2),
			.path = col_text(st, 3),
			.from = sqlite3_column_int64(st, 4),
			.to = sqlite3_column_int64(st, 5),
			.sightings = sqlite3_column_int64(st, 6),
			.confirmed = sqlite3_column_int64(st, 7),
			.run_at = col_text(st, 8),
			.plugin_sha256 = col_text(st, 9),
			.abi = col_text(st, 10),
			.identity = col_text(st, 11),
			.model = col_text(st, 12),
			.model_version = col_text(st, 13),
			.similarity = col_text(st, 14),
			.threshold = sqlite3_column_type(st, 15) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 15),
			.gallery_name = col_text(st, 16),
			.gallery_version = col_text(st, 17),
			.gallery_hash = col_text(st, 18),
			.options = col_text(st, 19),
			.inputs = col_text(st, 20),
			.month_min = sqlite3_column_type(st, 21) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 21),
			.month_max = sqlite3_column_type(st, 22) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 22),
		};
		if (fn(ctx, &r))
			break;
	}
	return rows_end(st, rc);
}

int store_fm_purge(store *s, long long run, int before_month, long long *deleted)
{
	*deleted = 0;
	if (fm_secure_delete(s) != 0)
		return -1;
	sqlite3_stmt *st = stmt(s, run > 0 ? ST_FM_PURGE_RUN : before_month >= 0 ? ST_FM_PURGE_BEFORE : ST_FM_PURGE_ALL);
	if (!st)
		return -1;
	if (run > 0)
		sqlite3_bind_int64(st, 1, run);
	else if (before_month >= 0)
		sqlite3_bind_int(st, 1, before_month);
	if (step_done(st) != 0)
		return -1;
	*deleted = sqlite3_changes(s->db);
	/* with everything gone, the plugin's state goes too: nothing is left
	 * to forget */
	if (run <= 0 && before_month < 0 && step_done(stmt(s, ST_FM_POLICY_UNFORGET)) != 0)
		return -1;
	if (run > 0) {
		st = stmt(s, ST_FM_PURGE_RUN_ROW);
		if (!st)
			return -1;
		sqlite3_bind_int64(st, 1, run);
		if (step_done(st) != 0)
			return -1;
	}
	return step_done(stmt(s, ST_FM_RUNS_PRUNE_EMPTY));
}

int store_fm_policy(store *s, int *retain_months, long long *forget_before)
{
	sqlite3_stmt *st = stmt(s, ST_FM_POLICY_GET);
	if (!st)
		return -1;
	*retain_months = 0;
	*forget_before = INT64_MIN;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*retain_months = sqlite3_column_int(st, 0);
		*forget_before = sqlite3_column_int64(st, 1);
	}
	return rows_end(st, rc);
}

int store_fm_set_retention(store *s, int retain_months)
{
	sqlite3_stmt *st = stmt(s, ST_FM_POLICY_RETAIN);
	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, retain_months);
	return step_done(st);
}

int store_fm_raise_forget(store *s, long long before)
{
	sqlite3_stmt *st = stmt(s, ST_FM_POLICY_FORGET);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, before);
	return step_done(st);
}

int store_checkpoint(store *s)
{
	return sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* ---- police.uk API responses ---- */

int store_api_cover_add(store *s, const store_api_cover *c)
{
	sqlite3_stmt *st = stmt(s, ST_API_COVER_ADD);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, c->source_id);
	sqlite3_bind_int(st, 2, c->month);
	sqlite3_bind_int64(st, 3, c->crimes);
	sqlite3_bind_int64(st, 4, c->with_id);
	bind_coord(st, 5, c->has_extent, c->lon_min);
	bind_coord(st, 6, c->has_extent, c->lat_min);
	bind_coord(st, 7, c->has_extent, c->lon_max);
	bind_coord(st, 8, c->has_extent, c->lat_max);
	return step_done(st);
}

int store_api_month_seen(store *s, int month)
{
	sqlite3_stmt *st = stmt(s, ST_API_MONTH_SEEN);
	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, month);
	long long v;
	return step_value(st, &v) != 0 ? -1 : v != 0;
}

int store_api_months_each(store *s, int (*fn)(void *ctx, int month, long long crimes), void *ctx)
{
	sqlite3_stmt *st = stmt(s, ST_API_MONTHS_EACH);
	if (!st)
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(ctx, sqlite3_column_int(st, 0), sqlite3_column_int64(st, 1)) != 0)
			break;
	return rows_end(st, rc);
}

/* Runs statement WHICH with ?1 = A and ?2 = B; 0 or -1. */
static int run2(store *s, int which, long long a, long long b)
{
	sqlite3_stmt *st = stmt(s, which);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	return step_done(st);
}

/* Deletes the crimes listed in temp.recon_drop, out of the cube and their
 * areas first (imports run with foreign keys off); *n = how many. */
static int recon_drop(store *s, int month, long long *n)
{
	static const int steps[] = {ST_RECON_CUBE_ALL, ST_RECON_CUBE_AREAS, ST_RECON_DEL_AREAS, ST_RECON_DEL_CRIMES};
	*n = 0;
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		if (step_done(stmt(s, steps[i])) != 0)
			return -1;
		if (steps[i] == ST_RECON_DEL_CRIMES)
			*n = sqlite3_changes(s->db);
	}
	return run_month(s, ST_CUBE_PRUNE, month);
}

int store_api_reconcile(store *s, int month, long long self, store_api_recon *out)
{
	memset(out, 0, sizeof *out);
	if (exec(s, "CREATE TEMP TABLE IF NOT EXISTS recon_ids (crime_id TEXT PRIMARY KEY, api INTEGER NOT NULL) "
		    "WITHOUT ROWID; CREATE TEMP TABLE IF NOT EXISTS recon_drop (id INTEGER PRIMARY KEY)") != 0 ||
	    step_done(stmt(s, ST_RECON_RESET)) != 0 || run_month(s, ST_RECON_CSV_IDS, month) != 0)
		return -1;
	long long csv_any, btp_csv;
	sqlite3_stmt *st = stmt(s, ST_RECON_CSV_ANY);
	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, month);
	if (step_value(st, &csv_any) != 0 || !(st = stmt(s, ST_RECON_BTP_CSV)))
		return -1;
	sqlite3_bind_int(st, 1, month);
	if (step_value(st, &btp_csv) != 0)
		return -1;
	/* the responses of the month, newest first: each is checked against the
	 * CSV files and the responses newer than it */
	long long *ids = NULL;
	int *contained = NULL;
	size_t n = 0;
	if (!(st = stmt(s, ST_API_OF_MONTH)))
		return -1;
	sqlite3_bind_int(st, 1, month);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ids = xrealloc(ids, (n + 1) * sizeof *ids);
		contained = xrealloc(contained, (n + 1) * sizeof *contained);
		ids[n] = sqlite3_column_int64(st, 0);
		contained[n++] = sqlite3_column_int(st, 1);
	}
	int ret = rows_end(st, rc);
	for (size_t i = 0; ret == 0 && i < n; i++) {
		long long with_id = 0, matched = 0, matched_api = 0, dropped = 0, left = 0;
		ret = -1;
		if (!(st = stmt(s, ST_RECON_COUNT)))
			break;
		sqlite3_bind_int64(st, 1, ids[i]);
		sqlite3_bind_int(st, 2, month);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			with_id = sqlite3_column_int64(st, 0);
			matched = sqlite3_column_int64(st, 1);
			matched_api = sqlite3_column_int64(st, 2);
		}
		if (rows_end(st, rc) != 0)
			break;
		/* every crime with an ID is held elsewhere: the response's area lies
		 * inside what holds them, and so do its rows without an ID */
		int whole = contained[i] || (with_id > 0 && matched == with_id);
		int btp = btp_csv || (with_id > 0 && matched_api == with_id);
		if (step_done(stmt(s, ST_RECON_DROP_RESET)) != 0 || run2(s, ST_RECON_DROP_MATCHED, ids[i], month) != 0)
			break;
		if (!(st = stmt(s, ST_RECON_DROP_IDLESS)))
			break;
		sqlite3_bind_int64(st, 1, ids[i]);
		sqlite3_bind_int(st, 2, month);
		sqlite3_bind_int(st, 3, whole);
		sqlite3_bind_int(st, 4, btp);
		if (step_done(st) != 0)
			break;
		if (!whole && (matched > 0 || (with_id == 0 && csv_any))) {
			if (!(st = stmt(s, ST_RECON_IDLESS_LEFT)))
				break;
			sqlite3_bind_int64(st, 1, ids[i]);
			sqlite3_bind_int(st, 2, month);
			if (step_value(st, &left) != 0)
				break;
		}
		if (recon_drop(s, month, &dropped) != 0)
			break;
		if (!(st = stmt(s, ST_RECON_MARK)))
			break;
		sqlite3_bind_int64(st, 1, ids[i]);
		sqlite3_bind_int(st, 2, month);
		sqlite3_bind_int64(st, 3, dropped);
		sqlite3_bind_int(st, 4, whole);
		if (step_done(st) != 0 || run2(s, ST_RECON_API_IDS, ids[i], month) != 0)
			break;
		/* a response whose every row is held elsewhere provides nothing now */
		if (dropped) {
			if (!(st = stmt(s, ST_RECON_MARK_SOURCE)))
				break;
			sqlite3_bind_int64(st, 1, ids[i]);
			sqlite3_bind_int64(st, 2, self);
			sqlite3_bind_int(st, 3, month);
			if (step_done(st) != 0)
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
