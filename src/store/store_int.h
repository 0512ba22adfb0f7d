/* What the files of src/store/ share and nothing else sees: statements
 * prepared once per handle, the small helpers every query uses, rows
 * described by their columns, and each part's hooks into transactions.
 *
 *   store.c     the connection: opening, migrations, transactions, the
 *               checkpoints of a bulk import; statements and helpers
 *   columns.c   a row's columns, named once: the SQL that lists them, and
 *               binding and reading a row through them
 *   sources.c   imported files, the months they cover and supersede, rejects,
 *               police.uk API coverage
 *   crimes.c    the stored rows (crimes, outcomes, stop and search), their
 *               texts and crime-ID runs; areas and which crimes they hold
 *   cube.c      the monthly count cube reports read
 *   facematch.c face-match runs and sightings */
#ifndef CRIMETAB_STORE_INT_H
#define CRIMETAB_STORE_INT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

sqlite3 *store_sqlite(const store *s);

/* ---- statements (store.c) ----
 * SQL is a static string: the handle prepares it once, keyed by its address. */

/* SQL prepared, reset and its bindings cleared; NULL on an error. */
sqlite3_stmt *store_stmt(store *s, const char *sql);
/* The same without clearing the bindings, for per-row inserts whose callers
 * bind every parameter. */
sqlite3_stmt *store_stmt_rows(store *s, const char *sql);
int store_exec(store *s, const char *sql);
/* Runs SQL with ?1 = V and no result rows; 0 or -1. */
int store_run_int(store *s, const char *sql, long long v);

/* Rows of source ?1 (of the table aliased T): a source's rows are stored in
 * one transaction, so their ids are consecutive and its sources row keeps the
 * span (see sql/003_import_speed.sql). */
#define SOURCE_ROWS(t) t "id BETWEEN (SELECT first_row FROM sources WHERE id = ?1) AND " \
	"(SELECT last_row FROM sources WHERE id = ?1) AND " t "source_id = ?1"

void store_bind_text(sqlite3_stmt *st, int i, const char *v);
void store_bind_real(sqlite3_stmt *st, int i, int has, double v);
void store_bind_bytes(sqlite3_stmt *st, int i, store_bytes b);
const char *store_col_text(sqlite3_stmt *st, int i);
store_bytes store_col_bytes(sqlite3_stmt *st, int i);
/* Runs a statement with no result rows; 0 or -1. */
int store_step_done(sqlite3_stmt *st);
/* Runs an INSERT on S's connection; the new row's id, or -1. */
long long store_step_insert(store *s, sqlite3_stmt *st);
/* Runs ST, which gives at most one row: *V is its first column (0 when there
 * is no row).  0, or -1 on an error. */
int store_step_value(sqlite3_stmt *st, long long *v);
/* Ends a walk over ST's rows that stopped with step result RC (a callback
 * that asked to stop leaves SQLITE_ROW); 0, or -1 on an error. */
int store_rows_end(sqlite3_stmt *st, int rc);

/* ---- rows described by their columns (columns.c) ---- */

typedef enum store_col_type {
	COL_INT64,    /* long long */
	COL_INT,      /* int */
	COL_MONTH,    /* int, -1 for NULL */
	COL_REAL,     /* double, NaN for NULL */
	COL_STR,      /* const char *, as stored */
	COL_TEXT,     /* store_text: an id into texts */
	COL_CRIME_ID, /* const char *: 32 bytes for 64 lowercase hex digits, else the text */
	COL_LON,      /* store_point's lon, 1e-6 degrees */
	COL_LAT,      /* store_point's lat */
	COL_BYTES,    /* store_bytes, as a blob */
} store_col_type;

/* A column of a table and the field of its row's struct that holds it. */
typedef struct store_column {
	const char *name;
	store_col_type type;
	size_t off;
	unsigned flags; /* which statements write it: the table's own meaning */
} store_column;

#define STORE_COL(T, field, type) {#field, type, offsetof(T, field), 0}
#define STORE_COL_W(T, field, type, flags) {#field, type, offsetof(T, field), flags}
/* A column whose name is not the field's. */
#define STORE_COL_AS(T, field, name, type) {name, type, offsetof(T, field), 0}
/* A store_point is two columns, lon and lat. */
#define STORE_POINT(T, field) {"lon", COL_LON, offsetof(T, field), 0}, {"lat", COL_LAT, offsetof(T, field), 0}

typedef struct store_table {
	const char *name;
	const store_column *cols;
	size_t ncols;
} store_table;
#define STORE_TABLE(name, cols) {name, cols, sizeof(cols) / sizeof((cols)[0])}

/* "a, b, c": the columns with any of FLAGS (0: all), prefixed with PREFIX
 * ("t." or "").  Caller frees. */
char *store_columns_list(const store_table *t, unsigned flags, const char *prefix);
/* "INSERT INTO t (a, b, ...) VALUES (?1, ?2, ...)" of the columns with any
 * of FLAGS (0: all).  Caller frees. */
char *store_columns_insert(const store_table *t, unsigned flags);
/* "a = ?FIRST, b = ?FIRST+1, ..." of the columns with any of FLAGS.  Caller
 * frees. */
char *store_columns_set(const store_table *t, unsigned flags, int first);
/* What a statement's parameters were last bound to, so that binding the
 * next row (of a file, often the same source, month, force and many NULLs)
 * skips what is unchanged: SQLite keeps bindings across steps.  Zeroed, it
 * knows nothing. */
typedef struct store_bind_memo {
	sqlite3_stmt *st; /* the statement it describes */
	unsigned char is[32]; /* 0 unknown, 1 NULL, 2 the whole number in v */
	long long v[32];
} store_bind_memo;

/* Binds ROW's columns with any of FLAGS (0: all) from parameter FIRST on;
 * *KEY (may be NULL) is the run key of a crime ID among them.  MEMO (may be
 * NULL) skips parameters bound to the same number or NULL before.  0, or -1
 * when a text could not be added. */
int store_columns_bind(store *s, sqlite3_stmt *st, int first, const store_table *t, unsigned flags, const void *row,
		       uint32_t *key, store_bind_memo *memo);
/* Fills ROW from ST's columns from FIRST on, in the table's order; texts point
 * into the handle's copy of the texts table, a crime ID into IDBUF. */
void store_columns_read(const store *s, sqlite3_stmt *st, int first, const store_table *t, void *row,
			char idbuf[65]);

/* A walk over a table's rows (of a table without crime IDs), each column
 * named once:
 *
 *     static char *sql;
 *     store_area a;
 *     sqlite3_stmt *st = store_columns_select(s, &sql, &areas_table, NULL, "FROM areas ORDER BY name");
 *     int rc;
 *     while ((rc = store_columns_next(s, st, &areas_table, &a, sizeof a)) == SQLITE_ROW)
 *             if (fn(ctx, &a))
 *                     break;
 *     return store_rows_end(st, rc);
 *
 * store_columns_select makes "SELECT <T's columns>, <EXTRA> <FROM>" into *SQL
 * the first time (it is kept for the handle's statement) and returns the
 * statement, reset and ready for its parameters, or NULL.  EXTRA (may be
 * NULL) adds columns after T's: the caller reads them from T->ncols on. */
sqlite3_stmt *store_columns_select(store *s, char **sql, const store_table *t, const char *extra, const char *from);
/* Steps ST (NULL: an error) and on SQLITE_ROW fills ROW (SIZE bytes, zeroed
 * first) from its columns.  The step's result. */
int store_columns_next(store *s, sqlite3_stmt *st, const store_table *t, void *row, size_t size);

/* ---- crimes.c: texts and crime IDs ---- */
typedef struct store_rec store_rec;
store_rec *store_rec_of(const store *s);
store_rec *store_rec_new(void);
void store_rec_free(store_rec *r);
/* Defines the SQL functions sql/020_compact.sql converts old rows with. */
int store_rec_functions(sqlite3 *db);
/* A transaction began: the texts copy catches up with the table. */
int store_rec_begin(store *s);
/* The copy catches up without a transaction (a reader). */
int store_rec_refresh(store *s);
/* Before COMMIT: the crime-ID runs of the rows added are written. */
int store_rec_flush(store *s);
/* After COMMIT / ROLLBACK: what was added is kept / forgotten. */
void store_rec_committed(store *s);
void store_rec_rolled_back(store *s);
/* The text of ID in the copy, or NULL. */
const char *store_rec_text(const store_rec *r, long long id);
/* Binds crime ID ID (NULL: none) as parameter I, its bytes kept in the handle
 * until the statement has run; *KEY is its run key. */
void store_bind_crime_id(store *s, sqlite3_stmt *st, int i, const char *id, uint32_t *key);
/* Column I of ST as a crime ID's text, in BUF (65 bytes) when it is 32 bytes. */
const char *store_col_crime_id(sqlite3_stmt *st, int i, char buf[65]);

/* ---- cube.c ---- */
/* Deletes area AREA's cube rows. */
int store_cube_drop_area(store *s, long long area);

#endif
