/* SQLite store: migrations, prepared statements, and every query crimetab
 * runs.  Statements are prepared once per handle and reused. */
#include "store/store.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/embedded.h"
#include "core/strmap.h"
#include "core/util.h"
#include "store/store_int.h"

/* Rows of source ?1 (of the table aliased T): a source's rows are stored in
 * one transaction, so their ids are consecutive and its sources row keeps the
 * span (see sql/003_import_speed.sql). */
#define SOURCE_ROWS(t) t "id BETWEEN (SELECT first_row FROM sources WHERE id = ?1) AND " \
	"(SELECT last_row FROM sources WHERE id = ?1) AND " t "source_id = ?1"

/* The crime's force (falls within, else reported by) is the text ?3. */
#define FORCE_IS(t) "coalesce(" t "falls_within, " t "reported_by) = ?3"

/* Crimes of source s (joined as s): its span of row ids, open at the top for
 * the source being imported, whose last_row is written when it is done. */
#define SPAN_ROWS "c.id BETWEEN s.first_row AND coalesce(s.last_row, (SELECT max(id) FROM crime_records)) AND " \
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
	X(RECON_DEL_CRIMES, "DELETE FROM crime_records WHERE id IN (SELECT id FROM temp.recon_drop)") \
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
		"?4, ?5, ?6, 1 + CASE ?3 WHEN 'outcomes' THEN (SELECT coalesce(max(id), 0) FROM outcome_records) " \
		"WHEN 'stop-and-search' THEN (SELECT coalesce(max(id), 0) FROM stop_records) " \
		"ELSE (SELECT coalesce(max(id), 0) FROM crime_records) END)") \
	X(SOURCE_FINISH, "UPDATE sources SET month_min = ?2, month_max = ?3, rows_read = ?4, rows_imported = ?5, " \
		"rows_rejected = ?6, rows_superseded = ?7, force = ?8, sha256 = ?9, bytes = ?10, last_row = CASE kind " \
		"WHEN 'outcomes' THEN (SELECT max(id) FROM outcome_records) WHEN 'stop-and-search' THEN " \
		"(SELECT max(id) FROM stop_records) ELSE (SELECT max(id) FROM crime_records) END, head = ?11, eol = ?12, " \
		"tail = ?13 WHERE id = ?1") \
	X(MONTH_OWNER, "SELECT source_id FROM source_months WHERE kind = ?1 AND force = ?2 AND month = ?3") \
	X(MONTH_CLAIM, "INSERT OR REPLACE INTO source_months (source_id, kind, force, month) VALUES (?1, ?2, ?3, ?4)") \
	X(DEL_CRIMES, "DELETE FROM crime_records WHERE " SOURCE_ROWS("") " AND month = ?2 AND " FORCE_IS("")) \
	X(DEL_OUTCOMES, "DELETE FROM outcome_records WHERE " SOURCE_ROWS("") " AND month = ?2 AND " FORCE_IS("")) \
	X(DEL_STOPS, "DELETE FROM stop_records WHERE " SOURCE_ROWS("") " AND month = ?2") \
	X(MARK_SUPERSEDED, "UPDATE sources SET superseded_by = ?2 WHERE id = ?1 AND NOT EXISTS " \
		"(SELECT 1 FROM source_months WHERE source_id = ?1)") \
	X(SOURCES_EACH, "SELECT id, path, sha256, kind, force, mapping, imported_at, coalesce(month_min, -1), " \
		"coalesce(month_max, -1), bytes, rows_read, rows_imported, rows_rejected, rows_superseded, " \
		"coalesce(superseded_by, 0), coalesce(first_row, 0), coalesce(last_row, 0), head, eol, tail FROM sources " \
		"ORDER BY id") \
	X(SOURCE_FORCES_EACH, "SELECT DISTINCT source_id, kind, force FROM source_months ORDER BY source_id") \
	X(COVERAGE_EACH, "SELECT kind, force, month FROM source_months ORDER BY kind, force, month") \
	X(REJECT_ADD, "INSERT INTO rejects (source_id, line, reason, raw, span) VALUES (?1, ?2, ?3, ?4, ?5)") \
	X(REJECTS_EACH, "SELECT r.source_id, r.line, s.path, r.reason, r.raw, r.span FROM rejects r JOIN sources s " \
		"ON s.id = r.source_id WHERE ?1 = 0 OR r.source_id = ?1 ORDER BY r.source_id, r.line") \
	X(AREA_DEL, "DELETE FROM areas WHERE name = ?1 RETURNING id") \
	X(AREA_ADD, "INSERT INTO areas (name, kind, definition, loaded_from) VALUES (?1, ?2, ?3, ?4)") \
	X(AREA_CUBE_DEL, "DELETE FROM cube WHERE area = ?1") \
	X(AREAS_EACH, "SELECT a.id, a.name, a.kind, a.definition, a.loaded_from, a.loaded_at, " \
		"(SELECT count(*) FROM crime_areas ca WHERE ca.area = a.id) FROM areas a ORDER BY a.name") \
	X(CRIME_LOCS, "SELECT c.id, c.lon / 1e6, c.lat / 1e6, lc.text, av.text FROM crime_records c LEFT JOIN texts lc " \
		"ON lc.id = c.lsoa_code LEFT JOIN texts av ON av.id = c.area_value") \
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
	X(CUBE_SUB_ALL, "INSERT INTO cube (area, kind, month, category, n) SELECT 0, k.text, ?2, t.text, -count(*) " \
		"FROM crime_records c JOIN texts k ON k.id = c.kind JOIN texts t ON t.id = c.category WHERE " \
		SOURCE_ROWS("c.") " AND c.month = ?2 AND " FORCE_IS("c.") " GROUP BY c.kind, c.category " \
		"ON CONFLICT (area, kind, month, category) DO UPDATE SET n = n + excluded.n") \
	X(CUBE_SUB_AREAS, "INSERT INTO cube (area, kind, month, category, n) SELECT ca.area, k.text, ?2, t.text, " \
		"-count(*) FROM crime_records c JOIN crime_areas ca ON ca.crime = c.id JOIN texts k ON k.id = c.kind " \
		"JOIN texts t ON t.id = c.category WHERE " SOURCE_ROWS("c.") " AND c.month = ?2 AND " FORCE_IS("c.") \
		" GROUP BY ca.area, c.kind, c.category " \
		"ON CONFLICT (area, kind, month, category) DO UPDATE SET n = n + excluded.n") \
	X(DEL_CRIME_AREAS, "DELETE FROM crime_areas WHERE crime IN (SELECT id FROM crime_records WHERE " \
		SOURCE_ROWS("") " AND month = ?2 AND " FORCE_IS("") ")") \
	X(CUBE_PRUNE, "DELETE FROM cube WHERE month = ?1 AND n = 0") \
	X(CUBE_AREA, "INSERT INTO cube (area, kind, month, category, n) SELECT ?1, k.text, c.month, t.text, " \
		"count(*) FROM crime_areas ca JOIN crime_records c ON c.id = ca.crime JOIN texts k ON k.id = c.kind " \
		"JOIN texts t ON t.id = c.category WHERE ca.area = ?1 GROUP BY c.kind, c.month, c.category") \
	X(CUBE_EACH, "SELECT month, category, n FROM cube WHERE area = ?1 AND kind = ?4 AND month BETWEEN ?2 AND ?3") \
	X(AREA_NEXT_CRIME, "SELECT crime FROM crime_areas WHERE area = ?1 AND crime > ?2 ORDER BY crime LIMIT 1") \
	X(LATEST_MONTH, "SELECT max(month) FROM cube WHERE area = 0 AND kind = ?1") \
	X(KIND_COUNT, "SELECT coalesce(sum(n), 0) FROM cube WHERE area = 0 AND kind = ?1") \
	X(FM_RUN_ADD, "INSERT INTO fm_runs (plugin, plugin_path, time_from, time_to) VALUES (?1, ?2, ?3, ?4)") \
	X(FM_REPLACE, "DELETE FROM fm_sightings WHERE time >= ?3 AND time < ?4 AND run_id IN " \
		"(SELECT id FROM fm_runs WHERE plugin_path = ?1 OR plugin = ?2)") \
	X(FM_RUNS_PRUNE, "DELETE FROM fm_runs WHERE id <> ?1 AND NOT EXISTS " \
		"(SELECT 1 FROM fm_sightings s WHERE s.run_id = fm_runs.id)") \
	X(FM_SIGHTING_ADD, "INSERT INTO fm_sightings (run_id, time, month, lon, lat, crime_id, individual, " \
		"confidence, watchlist) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)") \
	X(FM_SIGHTING_AREA_ADD, "INSERT OR IGNORE INTO fm_sighting_areas (area, sighting) VALUES (?1, ?2)") \
	X(FM_NAMING, "SELECT id, crime_id FROM fm_sightings WHERE crime_id IS NOT NULL AND (?1 = 0 OR run_id = ?1)") \
	X(FM_AREAS_OF_CRIME, "INSERT OR IGNORE INTO fm_sighting_areas (area, sighting) SELECT area, ?2 " \
		"FROM crime_areas WHERE crime = ?1 AND (?3 = 0 OR area = ?3)") \
	X(FM_RUN_FINISH, "UPDATE fm_runs SET sightings = (SELECT count(*) FROM fm_sightings WHERE run_id = ?1) " \
		"WHERE id = ?1") \
	X(FM_SIGHTING_LOCS, "SELECT id, lon, lat FROM fm_sightings WHERE lon IS NOT NULL") \
	X(FM_ANY, "SELECT count(*), (SELECT group_concat(DISTINCT plugin) FROM fm_runs WHERE sightings > 0) " \
		"FROM fm_sightings") \
	X(FM_COUNTS, "SELECT count(*), count(DISTINCT individual), coalesce(sum(watchlist), 0) FROM fm_sightings s " \
		"WHERE s.month BETWEEN ?2 AND ?3 AND (?1 = 0 OR s.id IN (SELECT sighting FROM fm_sighting_areas " \
		"WHERE area = ?1))") \
	X(FM_REPEAT, "SELECT count(*) FROM (SELECT individual FROM fm_sightings s WHERE s.month BETWEEN ?2 AND ?3 " \
		"AND (?1 = 0 OR s.id IN (SELECT sighting FROM fm_sighting_areas WHERE area = ?1)) " \
		"GROUP BY individual HAVING count(DISTINCT coalesce(crime_id, 'sighting ' || s.id)) >= 2)") \
	X(FM_RUNS_EACH, "SELECT id, plugin, plugin_path, time_from, time_to, sightings, run_at FROM fm_runs ORDER BY id") \
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
	store_rec *rec;   /* stored rows and texts: records.c */
	int bulk;         /* between store_bulk_begin and store_bulk_end */
	checkpointer *ck; /* the same, when checkpoints run on their own thread */
};

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
	return sqlite3_errmsg(s->db);
}

sqlite3 *store_sqlite(const store *s)
{
	return s->db;
}

store_rec *store_rec_of(const store *s)
{
	return s->rec;
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

static void bind_bytes(sqlite3_stmt *st, int i, store_bytes b)
{
	if (b.p)
		sqlite3_bind_blob(st, i, b.n ? b.p : "", (int)b.n, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static store_bytes col_bytes(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return (store_bytes){NULL, 0};
	const char *p = sqlite3_column_blob(st, i);
	return (store_bytes){p ? p : "", (size_t)sqlite3_column_bytes(st, i)};
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

/* Applies embedded sql/NNN_*.sql files numbered above the current version. */
static int migrate(store *s, char *err, size_t errlen)
{
	s->version = pragma_int(s->db, "user_version", -1);
	if (s->version < 0)
		goto db_error;
	for (const struct embedded_file *f = embedded_files; f->name; f++) {
		int n;
		if (strncmp(f->name, "sql/", 4) != 0 || sscanf(f->name + 4, "%d_", &n) != 1 || n <= s->version)
			continue;
		if (exec(s, "BEGIN IMMEDIATE") != 0)
			goto db_error;
		char pragma[64];
		snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", n);
		if (exec(s, f->data) != 0 || exec(s, pragma) != 0) {
			snprintf(err, errlen, "migration %s failed: %s", f->name, sqlite3_errmsg(s->db));
			exec(s, "ROLLBACK");
			return -1;
		}
		if (exec(s, "COMMIT") != 0)
			goto db_error;
		s->version = n;
	}
	return 0;
db_error:
	snprintf(err, errlen, "%s", sqlite3_errmsg(s->db));
	return -1;
}

store *store_open(const char *path, int readonly, char *err, size_t errlen)
{
	/* no global allocation statistics: they take a lock on every allocation
	 * (refused, harmlessly, once SQLite is initialised) */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	store *s = xcalloc(1, sizeof *s);
	int flags = (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot open database: %s", path,
			 s->db ? sqlite3_errmsg(s->db) : "out of memory");
		store_close(s);
		return NULL;
	}
	sqlite3_busy_timeout(s->db, 5000);
	s->rec = store_rec_new(s->db);
	if (store_rec_functions(s->db) != 0) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
		store_close(s);
		return NULL;
	}
	/* An import writes a whole file's rows in one transaction: large pages
	 * (for a new database; an existing one keeps its own) take a quarter of
	 * the system calls of 16 KiB ones.  A 16 MiB cache holds what an import
	 * comes back to (the right edge of each B-tree, the cube, the sources)
	 * and most files' whole transaction; rows are appended and written once,
	 * so a larger cache only fills with fresh memory (64 MiB was 15% slower,
	 * 2 MiB spilled every file to the WAL and read it back). */
	if (exec(s, "PRAGMA foreign_keys = ON") != 0 ||
	    (!readonly && (exec(s, "PRAGMA page_size = 65536") != 0 || exec(s, "PRAGMA journal_mode = WAL") != 0 ||
			   exec(s, "PRAGMA synchronous = NORMAL") != 0 || exec(s, "PRAGMA cache_size = -16384") != 0))) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
		store_close(s);
		return NULL;
	}
	char merr[512] = "";
	if (readonly) {
		s->version = pragma_int(s->db, "user_version", 0);
		if (s->version == 0) {
			snprintf(err, errlen, "%s: not a crimetab database (run crimetab import first)", path);
			store_close(s);
			return NULL;
		}
	} else if (migrate(s, merr, sizeof merr) != 0) {
		snprintf(err, errlen, "%s: %s", path, merr);
		store_close(s);
		return NULL;
	}
	return s;
}

void store_close(store *s)
{
	if (!s)
		return;
	store_bulk_end(s, NULL, 0);
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	store_rec_free(s->rec);
	sqlite3_close(s->db);
	free(s);
}

int store_schema_version(store *s)
{
	return s->version;
}

int store_begin(store *s)
{
	if (exec(s, "BEGIN IMMEDIATE") != 0)
		return -1;
	if (store_rec_begin(s->rec) != 0) {
		store_rollback(s);
		return -1;
	}
	return 0;
}

int store_begin_import(store *s)
{
	return store_begin(s);
}

static void checkpoint_after_commit(store *s);

int store_commit(store *s)
{
	if (store_rec_flush(s->rec) != 0 || exec(s, "COMMIT") != 0)
		return -1;
	store_rec_committed(s->rec);
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
	store_rec_rolled_back(s->rec);
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
	bind_bytes(st, 11, src->head);
	bind_text(st, 12, src->eol);
	bind_bytes(st, 13, src->tail);
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
	/* rows name their force by its id in texts (a stop and search's force is its source's) */
	long long force_id = del == ST_DEL_STOPS ? 0 : store_text_id(s, force);
	if (force_id < 0)
		return -1;
	/* the cube is kept by counting, not recounting: take the old rows out
	 * first; then their areas (an import runs with foreign keys off, so no
	 * cascade does it: see store_bulk_begin) */
	for (int sub = ST_CUBE_SUB_ALL; del == ST_DEL_CRIMES && sub <= ST_DEL_CRIME_AREAS; sub++) {
		st = stmt(s, sub);
		if (!st)
			return -1;
		sqlite3_bind_int64(st, 1, old);
		sqlite3_bind_int(st, 2, month);
		sqlite3_bind_int64(st, 3, force_id);
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
	if (del != ST_DEL_STOPS)
		sqlite3_bind_int64(st, 3, force_id);
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
			.head = col_bytes(st, 17),
			.eol = col_text(st, 18),
			.tail = col_bytes(st, 19),
		};
		if (fn(ctx, &src))
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

int store_reject_add(store *s, long long source_id, long long line, const char *reason, const char *raw,
		     store_bytes span)
{
	sqlite3_stmt *st = stmt(s, ST_REJECT_ADD);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, source_id);
	sqlite3_bind_int64(st, 2, line);
	bind_text(st, 3, reason);
	/* raw may hold invalid UTF-8: keep its bytes exactly, as a blob-typed text */
	sqlite3_bind_blob(st, 4, raw, (int)strlen(raw), SQLITE_STATIC);
	bind_bytes(st, 5, span);
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
			.span = col_bytes(st, 5),
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

long long store_fm_run_begin(store *s, const char *plugin, const char *path, long long from, long long to)
{
	sqlite3_stmt *st = stmt(s, ST_FM_REPLACE);
	if (!st)
		return -1;
	bind_text(st, 1, path);
	bind_text(st, 2, plugin);
	sqlite3_bind_int64(st, 3, from);
	sqlite3_bind_int64(st, 4, to);
	if (step_done(st) != 0)
		return -1;
	st = stmt(s, ST_FM_RUN_ADD);
	if (!st)
		return -1;
	bind_text(st, 1, plugin);
	bind_text(st, 2, path);
	sqlite3_bind_int64(st, 3, from);
	sqlite3_bind_int64(st, 4, to);
	if (step_done(st) != 0)
		return -1;
	return sqlite3_last_insert_rowid(s->db);
}

long long store_fm_sighting_add(store *s, long long run, const store_sighting *x)
{
	sqlite3_stmt *st = stmt(s, ST_FM_SIGHTING_ADD);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_int64(st, 2, x->time);
	sqlite3_bind_int(st, 3, x->month);
	bind_coord(st, 4, x->has_coords, x->lon);
	bind_coord(st, 5, x->has_coords, x->lat);
	bind_text(st, 6, x->crime_id);
	bind_text(st, 7, x->individual);
	sqlite3_bind_double(st, 8, x->confidence);
	sqlite3_bind_int(st, 9, x->watchlist);
	if (step_done(st) != 0)
		return -1;
	return sqlite3_last_insert_rowid(s->db);
}

int store_fm_sighting_area_add(store *s, long long sighting, long long area)
{
	sqlite3_stmt *st = stmt(s, ST_FM_SIGHTING_AREA_ADD);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, area);
	sqlite3_bind_int64(st, 2, sighting);
	return step_done(st);
}

/* The sightings that name a crime (of RUN, or all for 0) and the crimes they
 * name, found by the runs of crime-ID keys (records.c). */
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
	sqlite3_stmt *st = stmt(f->s, ST_FM_AREAS_OF_CRIME);
	if (!st) {
		f->failed = 1;
		return 1;
	}
	sqlite3_bind_int64(st, 1, crime);
	sqlite3_bind_int64(st, 2, f->sighting[i]);
	sqlite3_bind_int64(st, 3, f->area);
	f->failed = step_done(st) != 0;
	return f->failed;
}

/* Assigns the sightings of RUN (0: all) that name a crime to that crime's
 * areas (AREA only, unless 0). */
static int fm_assign_by_crime(store *s, long long run, long long area)
{
	fm_naming f = {.area = area, .s = s};
	sqlite3_stmt *st = stmt(s, ST_FM_NAMING);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		f.sighting = xrealloc(f.sighting, (f.n + 1) * sizeof *f.sighting);
		f.crime_id = xrealloc(f.crime_id, (f.n + 1) * sizeof *f.crime_id);
		f.sighting[f.n] = sqlite3_column_int64(st, 0);
		f.crime_id[f.n++] = xstrdup(col_text(st, 1));
	}
	int ret = rows_end(st, rc);
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
	sqlite3_stmt *st = stmt(s, ST_FM_RUN_FINISH);
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
	if (fm_assign_by_crime(s, 0, area) != 0)
		return -1;
	/* collect first: inserting while stepping the same table is unsafe */
	long long *ids = NULL;
	size_t n = 0;
	sqlite3_stmt *st = stmt(s, ST_FM_SIGHTING_LOCS);
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
	int rc = -1;
	*plugins = NULL;
	if (sqlite3_step(st) == SQLITE_ROW) {
		rc = sqlite3_column_int64(st, 0) > 0;
		if (rc && col_text(st, 1))
			*plugins = xstrdup(col_text(st, 1));
	}
	sqlite3_reset(st);
	return rc;
}

int store_fm_counts(store *s, long long area, int from, int to, long long out[4])
{
	sqlite3_stmt *st = stmt(s, ST_FM_COUNTS);
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
	st = stmt(s, ST_FM_REPEAT);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, area);
	sqlite3_bind_int(st, 2, from);
	sqlite3_bind_int(st, 3, to);
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
			.path = col_text(st, 2),
			.from = sqlite3_column_int64(st, 3),
			.to = sqlite3_column_int64(st, 4),
			.sightings = sqlite3_column_int64(st, 5),
			.run_at = col_text(st, 6),
		};
		if (fn(ctx, &r))
			break;
	}
	return rows_end(st, rc);
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
