/* The SQLite store: the only module that speaks SQL.  Schema migrations are
 * embedded from sql/ and applied on open. */
#ifndef CRIMETAB_STORE_H
#define CRIMETAB_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

typedef struct store store;

/* The database path: explicit, else $CRIMETAB_DB, else "crimetab.db". */
const char *store_default_path(const char *explicit_path);

/* How store_open opens a database. */
enum {
	STORE_CREATE = 0,   /* read-write, created when absent (import, areas load) */
	STORE_READONLY = 1, /* read only: nothing is written or created */
	STORE_WRITE = 2,    /* read-write; the database must exist */
};

/* Seconds a writer waits for another's lock before giving up (CT_EBUSY). */
#define STORE_LOCK_WAIT 60
/* Sets the wait for every store opened after (negative: the default). */
void store_set_lock_wait(double seconds);

/* Opens PATH in MODE; NULL with err set on failure.  Refuses, before
 * writing anything: a missing database unless MODE is STORE_CREATE ("no
 * database at PATH ..."), anything but a regular file, a database of a newer
 * schema than this crimetab's, and an SQLite database that is not
 * crimetab's.  Writers migrate an older schema and use WAL mode; a reader
 * finding an older schema has it migrated once (which needs write access)
 * and then reads.  Foreign keys on; a lock held by another connection is
 * waited for (see store_set_lock_wait), with a line on a terminal.  A handle
 * is used by one thread at a time (SQLite's own locking is off). */
store *store_open(const char *path, int mode, char *err, size_t errlen);
/* The same, with *why: CT_EBUSY when the wait for a lock ran out, CT_EDB
 * for every other failure. */
store *store_open_status(const char *path, int mode, ct_status *why, char *err, size_t errlen);
/* The schema version this crimetab writes (its highest migration). */
int store_latest_version(void);
/* True once a wait for another crimetab's lock ran out on S: the failure
 * being reported is that (exit status CT_EBUSY), and store_errmsg says so. */
int store_busy(const store *s);
/* The status of a database failure on S: CT_EBUSY after such a wait, else
 * CT_EDB. */
ct_status store_status(const store *s);
/* Closes; accepts NULL.  A writer's database is left in rollback-journal
 * mode when no other connection has it open, so that anyone who may read
 * the file can read it (see README, Reliability). */
void store_close(store *s);
/* The last SQLite error message. */
const char *store_errmsg(store *s);

int store_begin(store *s);
int store_commit(store *s);
void store_rollback(store *s);
/* For a run of imports, from here to store_bulk_end:
 * - foreign keys are not checked: the importer writes parents before
 *   children and deletes the children it supersedes itself (nothing else may
 *   write through S meanwhile);
 * - a second thread copies committed pages from the WAL into the database
 *   while the next transaction is written, instead of the committing thread
 *   stopping to do it.  Durability is unchanged.  The WAL is kept to about
 *   WAL_LIMIT bytes (0: 64 MiB) plus one transaction.  When the database is
 *   not a WAL file (or the thread cannot be had), SQLite's own checkpoints
 *   stay.
 * store_bulk_end waits for the thread; -1 with err set if a checkpoint failed
 * (the data are still safe in the WAL, and SQLite copies them at a later
 * checkpoint).  store_close ends it too. */
void store_bulk_begin(store *s, long long wal_limit);
int store_bulk_end(store *s, char *err, size_t errlen);

/* A point in 1e-6 degrees (how police.uk writes coordinates: 6 decimals). */
typedef struct store_point {
	int set;
	long long lon, lat;
} store_point;

/* Bytes that may hold anything (p NULL: none). */
typedef struct store_bytes {
	const char *p;
	size_t n;
} store_bytes;

/* ---- texts ----
 * Every text value of a stored row is kept once, in the texts table, and rows
 * hold its id.  The handle keeps a copy of the table, loaded when a
 * transaction begins.  An import's reading thread may look texts up in it
 * (store_text_find) and take new ids (store_text_next) while the storing
 * thread stores rows; the storing thread adds the new texts (store_text_put)
 * before the rows that use them.  The copy learns them at commit.
 *
 * A thread reading the next file ahead, outside any transaction, may look
 * texts up only with store_text_find_shared, and takes no ids: the texts it
 * does not find are given ids when its file is stored (store_text_id). */

/* A text column's value: its characters (NULL: none) and its id in texts,
 * 0 when the caller does not know it (the store then finds or adds it). */
typedef struct store_text {
	const char *s;
	long long id;
} store_text;

/* The id of the N bytes at TEXT (hash ct_strhash(TEXT, N)), or 0 if the
 * texts table did not hold them when the transaction began. */
long long store_text_find(const store *s, const char *text, size_t n, uint64_t hash);
/* store_text_find, safe against a transaction's begin and commit on the
 * storing thread; *COPY is then the text as the copy holds it (or NULL). */
long long store_text_find_shared(const store *s, const char *text, size_t n, uint64_t hash, const char **copy);
/* The text of ID as store_text_find saw it (the same rules), or NULL. */
const char *store_text_of(const store *s, long long id);
/* A new text id, never handed out before in this transaction (any thread). */
long long store_text_next(store *s);
/* Adds TEXT (N bytes) to the texts table under ID, from store_text_next. */
int store_text_put(store *s, long long id, const char *text, size_t n);
/* The id of TEXT, added when new; -1 on a database error. */
long long store_text_id(store *s, const char *text);

/* ---- sources ---- */
typedef struct store_source {
	long long id;
	const char *path, *sha256, *kind, *force, *mapping, *imported_at;
	int month_min, month_max; /* -1 when none */
	long long bytes, rows_read, rows_imported, rows_rejected, rows_superseded;
	long long superseded_by; /* 0 when current */
	long long first_row, last_row; /* ids of its rows (crimes, outcomes or stops), 0 when none */
	/* for export --raw (head.p NULL: imported before crimetab kept them):
	 * the bytes before the first row (a BOM, blank lines, the header line),
	 * how rows end, the bytes after the last row.  A head with eol NULL is
	 * the whole file (a police.uk API response, kept as it came). */
	store_bytes head, tail;
	const char *eol;
} store_source;

/* Id of the source with this content hash, or 0. */
long long store_source_by_hash(store *s, const char *sha256);
/* 1 if a source of exactly BYTES bytes was imported, 0 if none, -1 on error:
 * a file of a size never seen cannot be a duplicate, and is hashed as it is
 * read instead of before. */
int store_source_size_seen(store *s, long long bytes);
/* Inserts a source row (id ignored) and returns its id, or -1.  The source's
 * rows are added after it and before store_source_finish, in the same
 * transaction: the store finds them by their span of row ids. */
long long store_source_add(store *s, const store_source *src);
/* Writes the final counts, month span, hash and size of source ID. */
int store_source_finish(store *s, const store_source *src);
/* Claims (kind, force, month) for source ID; if another source held it, that
 * source's rows of that month are deleted (superseded), taken out of the
 * cube, and their number added to *superseded.  Returns 0 or -1. */
int store_source_claim_month(store *s, long long id, const char *kind, const char *force,
			     int month, long long *superseded);
/* Calls fn for every source, oldest first; fn returns non-zero to stop. */
int store_sources_each(store *s, int (*fn)(void *ctx, const store_source *src), void *ctx);

/* Which source owns each (kind, force, month): the file whose rows of that
 * month the store holds. */
typedef struct store_month_owner {
	const char *kind, *force;
	int month;
	long long source_id;
	const char *path;
} store_month_owner;
/* Calls fn for every owned (kind, force, month), in that order. */
int store_month_owners_each(store *s, int (*fn)(void *ctx, const store_month_owner *o), void *ctx);

/* Every (kind, force) source SOURCE still provides months of, by source. */
int store_source_forces_each(store *s, int (*fn)(void *ctx, long long source, const char *kind, const char *force),
			     void *ctx);

/* One covered (kind, force, month), for coverage and missing-month checks. */
int store_coverage_each(store *s, int (*fn)(void *ctx, const char *kind, const char *force, int month),
			void *ctx);

/* ---- rows ---- */
/* raw: the row as the file had it (its span: see csvread.h; for a force
 * export, its mapped fields), kept only when the other values do not give
 * it back exactly. */
typedef struct store_crime {
	long long id; /* set by the store */
	long long source_id, line;
	store_text kind;      /* "street" or "force" */
	const char *crime_id; /* NULL for none */
	int month;
	store_text reported_by, falls_within;
	store_point where;
	store_text location, lsoa_code, lsoa_name, category, last_outcome, context;
	store_text area_value, offence_code, date; /* force exports */
	store_bytes raw;
} store_crime;

/* The kinds of stored row (store_crime, store_outcome, store_stop). */
typedef enum store_row_kind { STORE_ROW_CRIME, STORE_ROW_OUTCOME, STORE_ROW_STOP } store_row_kind;
/* Where a row of KIND holds its texts: the offsets of its store_text fields
 * (its COL_TEXT columns), up to N of them into OFF; how many there are. */
size_t store_text_fields(store_row_kind kind, size_t *off, size_t n);

/* Inserts a crime; returns its row id, or -1. */
long long store_crime_add(store *s, const store_crime *c);

typedef struct store_outcome {
	long long id;
	long long source_id, line;
	const char *crime_id;
	int month;
	store_text reported_by, falls_within;
	store_point where;
	store_text location, lsoa_code, lsoa_name, outcome_type;
	store_bytes raw;
} store_outcome;
int store_outcome_add(store *s, const store_outcome *o);

typedef struct store_stop {
	long long id;
	long long source_id, line;
	int month;
	store_text type;
	long long time; /* Date, Unix seconds */
	store_text part_of_operation, operation;
	store_point where;
	store_text gender, age_range, self_ethnicity, officer_ethnicity, legislation;
	store_text object_of_search, outcome, outcome_linked, removal_of_clothing;
	store_bytes raw;
} store_stop;
int store_stop_add(store *s, const store_stop *st);

/* The rows of SOURCE_ID in the order they were stored (the file's), their
 * texts and crime IDs filled in; valid during the call.  fn returns non-zero
 * to stop.  0 or -1. */
int store_crimes_each(store *s, long long source_id, int (*fn)(void *ctx, const store_crime *c), void *ctx);
int store_outcomes_each(store *s, long long source_id, int (*fn)(void *ctx, const store_outcome *o), void *ctx);
int store_stops_each(store *s, long long source_id, int (*fn)(void *ctx, const store_stop *x), void *ctx);

/* Calls fn(ctx, i, crime row id) for every stored crime whose Crime ID is
 * IDS[i] (N of them); fn returns non-zero to stop.  Reads each source's run
 * of ID keys once, not an index over every crime.  0 or -1. */
int store_crimes_by_ids(store *s, const char *const *ids, size_t n, int (*fn)(void *ctx, size_t i, long long crime),
			void *ctx);

/* RAW: the row's text; SPAN: its bytes in the file, when they are not RAW
 * and the file's line ending (p NULL otherwise). */
int store_reject_add(store *s, long long source_id, long long line, const char *reason, const char *raw,
		     store_bytes span);

typedef struct store_reject {
	long long source_id, line;
	const char *path, *reason, *raw;
	store_bytes span;
} store_reject;
/* Rejects of SOURCE_ID (0: all), in file and line order. */
int store_rejects_each(store *s, long long source_id, int (*fn)(void *ctx, const store_reject *r), void *ctx);

/* ---- areas ---- */
typedef struct store_area {
	long long id;
	const char *name, *kind, *definition, *loaded_from, *loaded_at;
	long long crimes; /* crimes assigned */
} store_area;

/* Inserts or replaces area NAME; its old assignments are dropped.  *id is set. */
int store_area_put(store *s, const char *name, const char *kind, const char *definition,
		   const char *loaded_from, long long *id);
/* Deletes area NAME with its assignments and cube rows; 1 if it existed, 0 if not, -1 on error. */
int store_area_remove(store *s, const char *name);
/* Calls fn for every area, by name. */
int store_areas_each(store *s, int (*fn)(void *ctx, const store_area *a), void *ctx);

/* Every crime's location facts, for (re)assignment to areas. */
typedef struct store_crime_loc {
	long long id;
	int has_coords;
	double lon, lat;
	const char *lsoa_code, *area_value;
} store_crime_loc;
int store_crime_locs_each(store *s, int (*fn)(void *ctx, const store_crime_loc *c), void *ctx);
int store_crime_area_add(store *s, long long crime, long long area);
/* The same for N pairs at once (fewer statements: an import's way). */
typedef struct store_crime_area {
	long long crime, area;
} store_crime_area;
int store_crime_areas_add(store *s, const store_crime_area *pairs, size_t n);
/* For the LSOA codes of the JSON array CODES_JSON that crimes carry (any
 * case, reported in upper case): a name they carry and the first and last
 * month they occur in.  fn returns non-zero to stop.  0 or -1. */
int store_lsoa_seen(store *s, const char *codes_json,
		    int (*fn)(void *ctx, const char *code, const char *name, int first, int last), void *ctx);
/* The other LSOA codes of crimes after month AFTER at the map points where
 * crimes with CODE were, most crimes first, with how many.  0 or -1. */
int store_lsoa_after(store *s, const char *code, int after,
		     int (*fn)(void *ctx, const char *code, const char *name, long long n), void *ctx);
/* The latest month any crime is in, -1 when there are none, -2 on error. */
int store_crimes_latest_month(store *s);

/* ---- the monthly cube ---- */
/* Adds N to the cube cell (AREA, KIND, MONTH, CATEGORY): an import counts the
 * crimes it stores instead of recounting whole months. */
int store_cube_add(store *s, long long area, const char *kind, int month, const char *category, long long n);
/* Recounts every month of area AREA. */
int store_cube_rebuild_area(store *s, long long area);
/* Calls fn for every cube cell of AREA (0: all data) and KIND ("street" or
 * "force") with FROM <= month <= TO. */
int store_cube_each(store *s, long long area, const char *kind, int from, int to,
		    int (*fn)(void *ctx, int month, const char *category, long long n), void *ctx);
/* A located crime, for counting those near an area (buffers in metres),
 * which the cube cannot give. */
typedef struct store_crime_at {
	int month;
	const char *category;
	double lon, lat;
	const char *lsoa_code, *area_value;
} store_crime_at;
/* Calls fn for every crime of KIND in months FROM..TO whose coordinates lie
 * in BOX (min lon, min lat, max lon, max lat); crimes without coordinates
 * never do.  Reads crime rows, not the cube. */
int store_crimes_in_box_each(store *s, const char *kind, int from, int to, const double box[4],
			     int (*fn)(void *ctx, const store_crime_at *c), void *ctx);
/* The smallest id above AFTER of a crime assigned to AREA, 0 if none, -1 on
 * an error: with the sources' row spans, which sources an area draws on
 * costs one lookup per source, not one per crime. */
long long store_area_next_crime(store *s, long long area, long long after);
/* The latest month with crimes of KIND, or -1. */
int store_latest_month(store *s, const char *kind);
/* How many crimes of KIND the store holds, or -1. */
long long store_kind_count(store *s, const char *kind);

/* ---- face-match sightings ---- */
/* Bytes of a stored individual key: a keyed hash, never the plugin's key. */
#define STORE_FM_KEY_LEN 32

typedef struct store_sighting {
	long long time; /* Unix seconds, UTC */
	int month;
	int has_coords;
	double lon, lat;
	const char *crime_id;
	const unsigned char *individual; /* STORE_FM_KEY_LEN bytes */
	double confidence;
	int watchlist, confirmed;
	const char *site; /* camera or site, or NULL */
} store_sighting;

/* A run and its provenance.  plugin is the descriptor's name, which runs
 * are replaced by; threshold is NaN when not known. */
typedef struct store_fm_run {
	long long id, from, to;          /* the period it covers: [from, to), Unix seconds */
	long long sightings, confirmed;  /* stored now (listing only) */
	int month_min, month_max;        /* of its sightings now, -1 when none (listing only) */
	const char *plugin, *version, *path, *run_at, *plugin_sha256, *abi, *identity;
	const char *model, *model_version, *similarity, *gallery_name, *gallery_version, *gallery_hash;
	const char *options, *inputs;
	double threshold;
} store_fm_run;

/* Starts run R (id, counts and run_at ignored): sightings stored earlier by a
 * plugin of the same name in [R->from, R->to) are deleted (a re-run
 * replaces them, whatever the version or path).  Returns the run id, or -1. */
long long store_fm_run_begin(store *s, const store_fm_run *r);
/* Adds a sighting to RUN; returns its id, or -1. */
long long store_fm_sighting_add(store *s, long long run, const store_sighting *x);
int store_fm_sighting_area_add(store *s, long long sighting, long long area);
/* Every sighting of PLUGIN's runs keyed FROM is re-keyed INTO (both
 * STORE_FM_KEY_LEN bytes): the plugin found them to be one individual. */
int store_fm_merge(store *s, const char *plugin, const unsigned char *from, const unsigned char *into);
/* Assigns RUN's sightings that name a crime to that crime's areas, records
 * the run's size, drops emptied runs; *sightings = sightings now stored. */
int store_fm_run_finish(store *s, long long run, long long *sightings);
/* Assigns every sighting to AREA that names one of its crimes or whose
 * coordinates MATCH says are inside. */
int store_fm_assign_area(store *s, long long area, int (*match)(void *ctx, double lon, double lat), void *ctx);
/* 1 if any sightings are stored (*PLUGINS, when not NULL: the plugins they
 * come from, "name version, ...", caller frees), 0 if none, -1 on error. */
int store_fm_present(store *s, char **plugins);
/* Offender measures of AREA (0: all) for months FROM..TO, of every sighting
 * or (CONFIRMED_ONLY) of those a person confirmed: sightings, distinct
 * individuals, repeat individuals (2+ separate incidents), watchlist matches. */
int store_fm_counts(store *s, long long area, int from, int to, int confirmed_only, long long out[4]);
/* Every run, oldest first, with its provenance and what it holds now. */
int store_fm_runs_each(store *s, int (*fn)(void *ctx, const store_fm_run *r), void *ctx);
/* Deletes, with their area links and overwriting the freed space: the
 * sightings of RUN (> 0) and the run itself; else those of months before
 * BEFORE_MONTH (>= 0); else every sighting, and the instant the plugin's
 * state had to forget before (its state is deleted with them).  Runs left
 * empty go too.  *deleted = sightings deleted. */
int store_fm_purge(store *s, long long run, int before_month, long long *deleted);
/* The retention policy: *retain_months (0: no limit) and the instant the
 * plugin's state must forget before (INT64_MIN: none). */
int store_fm_policy(store *s, int *retain_months, long long *forget_before);
int store_fm_set_retention(store *s, int retain_months);
/* Raises the forget-before instant to BEFORE (never lowers it). */
int store_fm_raise_forget(store *s, long long before);
/* Copies the WAL into the database and truncates it, so deleted rows no
 * longer linger in it. */
int store_checkpoint(store *s);

/* ---- police.uk API responses ---- */
/* What a saved API response covers in one month: its query's area, which the
 * response does not name; the extent of its points is what is known. */
typedef struct store_api_cover {
	long long source_id;
	int month;
	long long crimes, with_id; /* rows of the month; of which with a persistent_id */
	int has_extent;
	double lon_min, lat_min, lon_max, lat_max;
} store_api_cover;
int store_api_cover_add(store *s, const store_api_cover *c);
/* 1 if an API response covers MONTH, 0 if none, -1 on error. */
int store_api_month_seen(store *s, int month);
/* Calls fn for every month that API responses cover, with how many of their
 * rows still count, ascending. */
int store_api_months_each(store *s, int (*fn)(void *ctx, int month, long long crimes), void *ctx);

typedef struct store_api_recon {
	long long self;        /* rows of source SELF superseded */
	long long others;      /* rows of other responses superseded */
	long long idless_kept; /* rows without an ID left where they may be counted twice */
} store_api_recon;
/* After street data of MONTH is stored (a CSV file or a response, source
 * SELF), API rows of MONTH that other street data also holds are superseded:
 * deleted, out of the cube and their areas, counted in api_coverage.
 * - a row whose persistent_id is the Crime ID of a CSV street row of MONTH,
 *   or of a row of a newer response, is the same crime;
 * - a response's rows without an ID (anti-social behaviour, BTP) go too once
 *   every one of its IDs is held elsewhere (its area lies inside what holds
 *   them); BTP rows only when a BTP file covers MONTH or newer responses hold
 *   every ID (a territorial force's file has no BTP crimes).
 * Rows without an ID that overlap other data but cannot be matched are kept
 * and counted in idless_kept.  A response left with no rows is marked
 * superseded (by SELF, or by the month's CSV file when it is SELF).  0, or -1
 * on a database error. */
int store_api_reconcile(store *s, int month, long long self, store_api_recon *out);

#endif
