/* The rows of police.uk files and force exports as stored (crimes, outcomes,
 * stop and search), each table's columns named once; the texts they refer
 * to; the runs of crime-ID keys face-match finds crimes by; and the areas
 * (town centres) and which crimes they hold. */
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/strmap.h"
#include "core/util.h"
#include "store/store_int.h"

/* ---- the tables' columns ----
 * To add a column: its field in the struct (store.h), one line here, and an
 * ALTER TABLE in a new sql/ migration (and the views there, if analysts
 * should see it). */

static const store_column crime_cols[] = {
	STORE_COL(store_crime, source_id, COL_INT64),
	STORE_COL(store_crime, line, COL_INT64),
	STORE_COL(store_crime, kind, COL_TEXT),
	STORE_COL(store_crime, crime_id, COL_CRIME_ID),
	STORE_COL(store_crime, month, COL_INT),
	STORE_COL(store_crime, reported_by, COL_TEXT),
	STORE_COL(store_crime, falls_within, COL_TEXT),
	STORE_POINT(store_crime, where),
	STORE_COL(store_crime, location, COL_TEXT),
	STORE_COL(store_crime, lsoa_code, COL_TEXT),
	STORE_COL(store_crime, lsoa_name, COL_TEXT),
	STORE_COL(store_crime, category, COL_TEXT),
	STORE_COL(store_crime, last_outcome, COL_TEXT),
	STORE_COL(store_crime, context, COL_TEXT),
	STORE_COL(store_crime, area_value, COL_TEXT),
	STORE_COL(store_crime, offence_code, COL_TEXT),
	STORE_COL(store_crime, date, COL_TEXT),
	STORE_COL(store_crime, raw, COL_BYTES),
};

static const store_column outcome_cols[] = {
	STORE_COL(store_outcome, source_id, COL_INT64),
	STORE_COL(store_outcome, line, COL_INT64),
	STORE_COL(store_outcome, crime_id, COL_CRIME_ID),
	STORE_COL(store_outcome, month, COL_INT),
	STORE_COL(store_outcome, reported_by, COL_TEXT),
	STORE_COL(store_outcome, falls_within, COL_TEXT),
	STORE_POINT(store_outcome, where),
	STORE_COL(store_outcome, location, COL_TEXT),
	STORE_COL(store_outcome, lsoa_code, COL_TEXT),
	STORE_COL(store_outcome, lsoa_name, COL_TEXT),
	STORE_COL(store_outcome, outcome_type, COL_TEXT),
	STORE_COL(store_outcome, raw, COL_BYTES),
};

static const store_column stop_cols[] = {
	STORE_COL(store_stop, source_id, COL_INT64),
	STORE_COL(store_stop, line, COL_INT64),
	STORE_COL(store_stop, month, COL_INT),
	STORE_COL(store_stop, type, COL_TEXT),
	STORE_COL(store_stop, time, COL_INT64),
	STORE_COL(store_stop, part_of_operation, COL_TEXT),
	STORE_COL(store_stop, operation, COL_TEXT),
	STORE_POINT(store_stop, where),
	STORE_COL(store_stop, gender, COL_TEXT),
	STORE_COL(store_stop, age_range, COL_TEXT),
	STORE_COL(store_stop, self_ethnicity, COL_TEXT),
	STORE_COL(store_stop, officer_ethnicity, COL_TEXT),
	STORE_COL(store_stop, legislation, COL_TEXT),
	STORE_COL(store_stop, object_of_search, COL_TEXT),
	STORE_COL(store_stop, outcome, COL_TEXT),
	STORE_COL(store_stop, outcome_linked, COL_TEXT),
	STORE_COL(store_stop, removal_of_clothing, COL_TEXT),
	STORE_COL(store_stop, raw, COL_BYTES),
};

static const store_column area_cols[] = {
	STORE_COL(store_area, id, COL_INT64),
	STORE_COL(store_area, name, COL_STR),
	STORE_COL(store_area, kind, COL_STR),
	STORE_COL(store_area, definition, COL_STR),
	STORE_COL(store_area, loaded_from, COL_STR),
	STORE_COL(store_area, loaded_at, COL_STR),
};

/* A record table, its row struct, and its INSERT and per-source SELECT
 * (made from the columns when first used). */
typedef struct record_table {
	store_table t;
	size_t size, id_off; /* the struct's size, and where its row id goes */
	char *insert, *select;
} record_table;

#define RECORD_TABLE(name, cols, T) {STORE_TABLE(name, cols), sizeof(T), offsetof(T, id), NULL, NULL}
enum { T_CRIME, T_OUTCOME, T_STOP, T_COUNT };
static record_table tables[T_COUNT] = {
	RECORD_TABLE("crime_records", crime_cols, store_crime),
	RECORD_TABLE("outcome_records", outcome_cols, store_outcome),
	RECORD_TABLE("stop_records", stop_cols, store_stop),
};
static const store_table areas_table = STORE_TABLE("areas", area_cols);

size_t store_text_fields(store_row_kind kind, size_t *off, size_t n)
{
	static const int table_of[] = {[STORE_ROW_CRIME] = T_CRIME, [STORE_ROW_OUTCOME] = T_OUTCOME,
				       [STORE_ROW_STOP] = T_STOP};
	const store_table *t = &tables[table_of[kind]].t;
	size_t k = 0;
	for (size_t i = 0; i < t->ncols; i++)
		if (t->cols[i].type == COL_TEXT && k++ < n)
			off[k - 1] = t->cols[i].off;
	return k;
}

/* ---- the handle's part: texts and the crime IDs being added ---- */

static const char sql_texts_after[] = "SELECT id, text FROM texts WHERE id > ?1 ORDER BY id";
static const char sql_text_put[] = "INSERT INTO texts (id, text) VALUES (?1, ?2)";
static const char sql_run_get[] = "SELECT keys FROM crime_id_runs WHERE source_id = ?1";
static const char sql_run_put[] = "INSERT OR REPLACE INTO crime_id_runs (source_id, keys) VALUES (?1, ?2)";
static const char sql_runs[] = "SELECT keys FROM crime_id_runs";
static const char sql_crime_id_of[] = "SELECT crime_id FROM crime_records WHERE id = ?1";

/* One crime-ID key of a stored row, for its source's run. */
typedef struct run_entry {
	uint32_t key;
	long long row;
} run_entry;

struct store_rec {
	/* held while texts and by_id change, and by a thread reading a file
	 * ahead while it looks them up (store_text_find_shared) */
	pthread_mutex_t lock;
	ct_strmap *texts;    /* committed: text -> id */
	const char **by_id;  /* committed: id -> text (the map's copies) */
	size_t by_id_cap;
	long long loaded;    /* the highest id in texts */
	ct_strmap *pending;  /* put in this transaction */
	atomic_llong next_id;
	int loaded_once;
	unsigned char id_bytes[32]; /* the crime ID being bound */
	store_bind_memo memo[T_COUNT]; /* what each table's INSERT was last bound to */
	run_entry *run;      /* crime IDs added in this transaction, for run_source */
	size_t nrun, run_cap;
	long long run_source;
};

store_rec *store_rec_new(void)
{
	store_rec *r = xcalloc(1, sizeof *r);
	r->texts = ct_strmap_new();
	r->pending = ct_strmap_new();
	atomic_init(&r->next_id, 1);
	pthread_mutex_init(&r->lock, NULL);
	return r;
}

void store_rec_free(store_rec *r)
{
	if (!r)
		return;
	pthread_mutex_destroy(&r->lock);
	ct_strmap_free(r->texts);
	ct_strmap_free(r->pending);
	free(r->by_id);
	free(r->run);
	free(r);
}

/* ---- texts ---- */

static void learn(store_rec *r, const char *s, size_t n, uint64_t h, long long id)
{
	const char *copy = ct_strmap_put(r->texts, s, n, h, id);
	if ((size_t)id >= r->by_id_cap) {
		size_t cap = r->by_id_cap ? r->by_id_cap : 1024;
		while (cap <= (size_t)id)
			cap *= 2;
		r->by_id = xrealloc(r->by_id, cap * sizeof *r->by_id);
		memset(r->by_id + r->by_id_cap, 0, (cap - r->by_id_cap) * sizeof *r->by_id);
		r->by_id_cap = cap;
	}
	r->by_id[id] = copy;
	if (id > r->loaded)
		r->loaded = id;
}

/* The copy catches up with the table: texts only grow, and keep their ids. */
int store_rec_refresh(store *s)
{
	store_rec *r = store_rec_of(s);
	sqlite3_stmt *st = store_stmt(s, sql_texts_after);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, r->loaded);
	int rc;
	pthread_mutex_lock(&r->lock);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 1);
		size_t n = (size_t)sqlite3_column_bytes(st, 1);
		learn(r, t ? t : "", n, ct_strhash(t ? t : "", n), sqlite3_column_int64(st, 0));
	}
	pthread_mutex_unlock(&r->lock);
	sqlite3_reset(st);
	r->loaded_once = 1;
	atomic_store(&r->next_id, r->loaded + 1);
	return rc == SQLITE_DONE ? 0 : -1;
}

int store_rec_begin(store *s)
{
	store_rec *r = store_rec_of(s);
	ct_strmap_clear(r->pending);
	r->nrun = 0;
	return store_rec_refresh(s);
}

static void learn_pending(void *ctx, const char *s, size_t n, uint64_t h, long long id)
{
	learn(ctx, s, n, h, id);
}

void store_rec_committed(store *s)
{
	store_rec *r = store_rec_of(s);
	pthread_mutex_lock(&r->lock);
	ct_strmap_each(r->pending, learn_pending, r);
	pthread_mutex_unlock(&r->lock);
	ct_strmap_clear(r->pending);
	r->nrun = 0;
}

void store_rec_rolled_back(store *s)
{
	store_rec *r = store_rec_of(s);
	ct_strmap_clear(r->pending);
	r->nrun = 0;
	atomic_store(&r->next_id, r->loaded + 1);
}

long long store_text_find(const store *s, const char *text, size_t n, uint64_t hash)
{
	return ct_strmap_get(store_rec_of(s)->texts, text, n, hash);
}

long long store_text_find_shared(const store *s, const char *text, size_t n, uint64_t hash, const char **copy)
{
	store_rec *r = store_rec_of(s);
	pthread_mutex_lock(&r->lock);
	long long id = ct_strmap_get(r->texts, text, n, hash);
	*copy = id ? store_rec_text(r, id) : NULL;
	pthread_mutex_unlock(&r->lock);
	return id;
}

long long store_text_next(store *s)
{
	return atomic_fetch_add(&store_rec_of(s)->next_id, 1);
}

int store_text_put(store *s, long long id, const char *text, size_t n)
{
	store_rec *r = store_rec_of(s);
	sqlite3_stmt *st = store_stmt_rows(s, sql_text_put);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, text, (int)n, SQLITE_STATIC);
	if (store_step_done(st) != 0)
		return -1;
	ct_strmap_put(r->pending, text, n, ct_strhash(text, n), id);
	return 0;
}

long long store_text_id(store *s, const char *text)
{
	store_rec *r = store_rec_of(s);
	if (!r->loaded_once && store_rec_refresh(s) != 0)
		return -1;
	size_t n = strlen(text);
	uint64_t h = ct_strhash(text, n);
	long long id = ct_strmap_get(r->texts, text, n, h);
	if (!id)
		id = ct_strmap_get(r->pending, text, n, h);
	if (!id) {
		id = store_text_next(s);
		if (store_text_put(s, id, text, n) != 0)
			return -1;
	}
	return id;
}

const char *store_rec_text(const store_rec *r, long long id)
{
	return id > 0 && (size_t)id < r->by_id_cap ? r->by_id[id] : NULL;
}

const char *store_text_of(const store *s, long long id)
{
	return store_rec_text(store_rec_of(s), id);
}

/* ---- crime IDs ---- */

/* The value of each lowercase hex digit, 16 for any other byte. */
static const unsigned char hex_value[256] = {
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 10, 11, 12, 13, 14, 15, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
	16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
};

/* 1 and the 32 bytes of a police.uk Crime ID (64 lowercase hex digits). */
static int crime_id_bytes(const char *id, size_t n, unsigned char out[32])
{
	if (n != 64)
		return 0;
	unsigned bad = 0;
	for (int i = 0; i < 32; i++) {
		unsigned hi = hex_value[(unsigned char)id[2 * i]], lo = hex_value[(unsigned char)id[2 * i + 1]];
		bad |= hi | lo;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return !(bad & 16);
}

/* The run key of ID's bytes (see id_key). */
static uint32_t bytes_key(const unsigned char b[32])
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

void store_bind_crime_id(store *s, sqlite3_stmt *st, int i, const char *id, uint32_t *key)
{
	unsigned char *b = store_rec_of(s)->id_bytes;
	size_t n = id ? strlen(id) : 0;
	if (!id) {
		sqlite3_bind_null(st, i);
	} else if (crime_id_bytes(id, n, b)) {
		sqlite3_bind_blob(st, i, b, 32, SQLITE_STATIC);
		*key = bytes_key(b);
	} else {
		sqlite3_bind_text(st, i, id, (int)n, SQLITE_STATIC);
		*key = (uint32_t)ct_strhash(id, n);
	}
}

const char *store_col_crime_id(sqlite3_stmt *st, int i, char buf[65])
{
	if (sqlite3_column_type(st, i) == SQLITE_BLOB && sqlite3_column_bytes(st, i) == 32) {
		const unsigned char *b = sqlite3_column_blob(st, i);
		static const char hex[] = "0123456789abcdef";
		for (int k = 0; k < 32; k++) {
			buf[2 * k] = hex[b[k] >> 4];
			buf[2 * k + 1] = hex[b[k] & 15];
		}
		buf[64] = '\0';
		return buf;
	}
	return (const char *)sqlite3_column_text(st, i);
}

/* The run key of a crime ID: its first 4 bytes for a police.uk ID (already
 * random), else a hash of its text. */
static uint32_t id_key(const char *id, size_t n)
{
	unsigned char b[32];
	return crime_id_bytes(id, n, b) ? bytes_key(b) : (uint32_t)ct_strhash(id, n);
}

/* ---- runs of crime-ID keys ----
 * A run is a source's (key, row id) pairs sorted by key: 8 bytes of the
 * smallest row id, then per crime 4 bytes of key and 4 of row id above it,
 * all big-endian.  An import appends one run per source, next to its rows,
 * so it never rewrites an index spread over every crime ever stored; a
 * lookup binary-searches each run (one per imported file). */

/* Sorts E by key, rows of one key in the order given (a run's rows come in
 * increasing order): four stable passes over a byte of the key each. */
static void run_sort(run_entry *e, size_t n)
{
	run_entry *tmp = xmalloc((n ? n : 1) * sizeof *tmp), *from = e, *to = tmp;
	for (int shift = 0; shift < 32; shift += 8) {
		size_t count[257] = {0};
		for (size_t i = 0; i < n; i++)
			count[(from[i].key >> shift & 255) + 1]++;
		for (int b = 0; b < 256; b++)
			count[b + 1] += count[b];
		for (size_t i = 0; i < n; i++)
			to[count[from[i].key >> shift & 255]++] = from[i];
		run_entry *t = from;
		from = to;
		to = t;
	}
	/* four passes: the sorted entries are back in E */
	free(tmp);
}

static void put_be(unsigned char *p, unsigned long long v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

static unsigned long long get_be(const unsigned char *p, int bytes)
{
	unsigned long long v = 0;
	for (int i = 0; i < bytes; i++)
		v = v << 8 | p[i];
	return v;
}

/* Sorts E and encodes it as a run (caller frees); *len its bytes.  NULL if
 * the row ids span more than 32 bits (never, in practice: one file's rows). */
static unsigned char *run_encode(run_entry *e, size_t n, size_t *len)
{
	long long base = n ? e[0].row : 0;
	for (size_t i = 1; i < n; i++)
		if (e[i].row < base)
			base = e[i].row;
	run_sort(e, n);
	*len = 8 + 8 * n;
	unsigned char *b = xmalloc(*len);
	put_be(b, (unsigned long long)base, 8);
	for (size_t i = 0; i < n; i++) {
		if (e[i].row - base > 0xffffffffLL) {
			free(b);
			return NULL;
		}
		put_be(b + 8 + 8 * i, e[i].key, 4);
		put_be(b + 12 + 8 * i, (unsigned long long)(e[i].row - base), 4);
	}
	return b;
}

/* Appends the pairs of run B (LEN bytes) to *E. */
static void run_decode(const unsigned char *b, size_t len, run_entry **e, size_t *n, size_t *cap)
{
	if (len < 8)
		return;
	long long base = (long long)get_be(b, 8);
	for (size_t i = 0; 8 + 8 * i + 8 <= len; i++) {
		if (*n == *cap) {
			*cap = *cap ? 2 * *cap : 1024;
			*e = xrealloc(*e, *cap * sizeof **e);
		}
		(*e)[(*n)++] = (run_entry){(uint32_t)get_be(b + 8 + 8 * i, 4), base + (long long)get_be(b + 12 + 8 * i, 4)};
	}
}

static void run_add(store_rec *r, uint32_t key, long long row)
{
	if (r->nrun == r->run_cap) {
		r->run_cap = r->run_cap ? 2 * r->run_cap : 4096;
		r->run = xrealloc(r->run, r->run_cap * sizeof *r->run);
	}
	r->run[r->nrun++] = (run_entry){key, row};
}

int store_rec_flush(store *s)
{
	store_rec *r = store_rec_of(s);
	if (!r->nrun)
		return 0;
	/* a source that already has a run (rows added in two transactions) gets one merged run */
	sqlite3_stmt *st = store_stmt(s, sql_run_get);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, r->run_source);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		run_decode(sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0), &r->run, &r->nrun,
			   &r->run_cap);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	size_t len;
	unsigned char *b = run_encode(r->run, r->nrun, &len);
	if (!b || !(st = store_stmt(s, sql_run_put))) {
		free(b);
		return -1;
	}
	sqlite3_bind_int64(st, 1, r->run_source);
	sqlite3_bind_blob(st, 2, b, (int)len, SQLITE_STATIC);
	rc = store_step_done(st);
	free(b);
	r->nrun = 0;
	return rc;
}

/* ---- adding and reading rows ---- */

/* Table T's statement, its SQL made from the columns the first time. */
static sqlite3_stmt *table_stmt(store *s, int t, int select)
{
	record_table *rt = &tables[t];
	char **sql = select ? &rt->select : &rt->insert;
	if (!*sql) {
		if (select) {
			char *cols = store_columns_list(&rt->t, 0, "");
			*sql = xasprintf("SELECT id, %s FROM %s WHERE " SOURCE_ROWS("") " ORDER BY id", cols, rt->t.name);
			free(cols);
		} else {
			*sql = store_columns_insert(&rt->t, 0);
		}
	}
	return select ? store_stmt(s, *sql) : store_stmt_rows(s, *sql);
}

/* Inserts ROW into table T; its row id, or -1.  *KEY: its crime ID's run key. */
static long long add_row(store *s, int t, const void *row, uint32_t *key)
{
	sqlite3_stmt *st = table_stmt(s, t, 0);
	if (!st || store_columns_bind(s, st, 1, &tables[t].t, 0, row, key, &store_rec_of(s)->memo[t]) != 0)
		return -1;
	return store_step_insert(s, st);
}

/* Calls FN for every row of SOURCE_ID in table T; 0 or -1. */
static int rows_each(store *s, int t, long long source_id, int (*fn)(void *ctx, const void *row), void *ctx)
{
	if (store_rec_refresh(s) != 0)
		return -1;
	sqlite3_stmt *st = table_stmt(s, t, 1);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, source_id);
	union {
		store_crime c;
		store_outcome o;
		store_stop x;
	} row;
	char idbuf[65];
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&row, 0, tables[t].size);
		*(long long *)((char *)&row + tables[t].id_off) = sqlite3_column_int64(st, 0);
		store_columns_read(s, st, 1, &tables[t].t, &row, idbuf);
		if (fn(ctx, &row))
			break;
	}
	return store_rows_end(st, rc);
}

long long store_crime_add(store *s, const store_crime *c)
{
	uint32_t key = 0;
	long long id = add_row(s, T_CRIME, c, &key);
	if (id > 0 && c->crime_id) {
		store_rec *r = store_rec_of(s);
		if (r->nrun && r->run_source != c->source_id && store_rec_flush(s) != 0)
			return -1;
		r->run_source = c->source_id;
		run_add(r, key, id);
	}
	return id;
}

int store_outcome_add(store *s, const store_outcome *o)
{
	uint32_t key;
	return add_row(s, T_OUTCOME, o, &key) > 0 ? 0 : -1;
}

int store_stop_add(store *s, const store_stop *x)
{
	uint32_t key;
	return add_row(s, T_STOP, x, &key) > 0 ? 0 : -1;
}

/* The callbacks take the row as void *; each table's own type is passed on. */
typedef struct each_ctx {
	void *ctx;
	int (*crime)(void *ctx, const store_crime *c);
	int (*outcome)(void *ctx, const store_outcome *o);
	int (*stop)(void *ctx, const store_stop *x);
} each_ctx;

static int each_crime(void *ctx, const void *row)
{
	const each_ctx *e = ctx;
	return e->crime(e->ctx, row);
}

static int each_outcome(void *ctx, const void *row)
{
	const each_ctx *e = ctx;
	return e->outcome(e->ctx, row);
}

static int each_stop(void *ctx, const void *row)
{
	const each_ctx *e = ctx;
	return e->stop(e->ctx, row);
}

int store_crimes_each(store *s, long long source_id, int (*fn)(void *ctx, const store_crime *c), void *ctx)
{
	each_ctx e = {.ctx = ctx, .crime = fn};
	return rows_each(s, T_CRIME, source_id, each_crime, &e);
}

int store_outcomes_each(store *s, long long source_id, int (*fn)(void *ctx, const store_outcome *o), void *ctx)
{
	each_ctx e = {.ctx = ctx, .outcome = fn};
	return rows_each(s, T_OUTCOME, source_id, each_outcome, &e);
}

int store_stops_each(store *s, long long source_id, int (*fn)(void *ctx, const store_stop *x), void *ctx)
{
	each_ctx e = {.ctx = ctx, .stop = fn};
	return rows_each(s, T_STOP, source_id, each_stop, &e);
}

/* ---- finding crimes by ID ---- */

typedef struct wanted {
	uint32_t key;
	size_t i; /* into the caller's ids */
} wanted;

static int wanted_cmp(const void *a, const void *b)
{
	const wanted *x = a, *y = b;
	return x->key < y->key ? -1 : x->key > y->key;
}

/* 1 if crime ROW's stored ID is ID. */
static int crime_has_id(store *s, long long row, const char *id, int *err)
{
	sqlite3_stmt *st = store_stmt(s, sql_crime_id_of);
	if (!st) {
		*err = 1;
		return 0;
	}
	sqlite3_bind_int64(st, 1, row);
	int rc = sqlite3_step(st), same = 0;
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		char buf[65];
		const char *have = store_col_crime_id(st, 0, buf);
		same = have && strcmp(have, id) == 0;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		*err = 1;
	return same;
}

int store_crimes_by_ids(store *s, const char *const *ids, size_t n, int (*fn)(void *ctx, size_t i, long long crime),
			void *ctx)
{
	if (!n)
		return 0;
	wanted *w = xmalloc(n * sizeof *w);
	for (size_t i = 0; i < n; i++)
		w[i] = (wanted){id_key(ids[i], strlen(ids[i])), i};
	qsort(w, n, sizeof *w, wanted_cmp);
	sqlite3_stmt *runs = NULL;
	int rc = sqlite3_prepare_v2(store_sqlite(s), sql_runs, -1, &runs, NULL) == SQLITE_OK ? SQLITE_ROW : SQLITE_ERROR;
	int err = 0, stop = 0;
	while (!err && !stop && rc == SQLITE_ROW && (rc = sqlite3_step(runs)) == SQLITE_ROW) {
		const unsigned char *b = sqlite3_column_blob(runs, 0);
		size_t len = (size_t)sqlite3_column_bytes(runs, 0);
		if (!b || len < 8)
			continue;
		long long base = (long long)get_be(b, 8);
		size_t m = (len - 8) / 8;
		for (size_t k = 0; k < n && !err && !stop; k++) {
			/* the first entry with key >= w[k].key */
			size_t lo = 0, hi = m;
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;
				if (get_be(b + 8 + 8 * mid, 4) < w[k].key)
					lo = mid + 1;
				else
					hi = mid;
			}
			for (; lo < m && get_be(b + 8 + 8 * lo, 4) == w[k].key && !stop; lo++) {
				long long row = base + (long long)get_be(b + 12 + 8 * lo, 4);
				if (crime_has_id(s, row, ids[w[k].i], &err) && !err)
					stop = fn(ctx, w[k].i, row) != 0;
			}
		}
	}
	sqlite3_finalize(runs);
	free(w);
	return err || (rc != SQLITE_DONE && rc != SQLITE_ROW) ? -1 : 0;
}

/* ---- areas, and the crimes they hold ---- */

static const char sql_area_del[] = "DELETE FROM areas WHERE name = ?1 RETURNING id";
static const char sql_area_add[] =
	"INSERT INTO areas (name, kind, definition, loaded_from) VALUES (?1, ?2, ?3, ?4)";
static const char sql_crime_locs[] =
	"SELECT c.id, c.lon / 1e6, c.lat / 1e6, lc.text, av.text FROM crime_records c LEFT JOIN texts lc "
	"ON lc.id = c.lsoa_code LEFT JOIN texts av ON av.id = c.area_value";
static const char sql_crime_area_add[] = "INSERT OR IGNORE INTO crime_areas (area, crime) VALUES (?1, ?2)";
static const char sql_lsoa_seen[] =
	"SELECT upper(lsoa_code), max(lsoa_name), min(month), max(month) FROM crimes WHERE "
	"upper(lsoa_code) IN (SELECT upper(value) FROM json_each(?1)) GROUP BY upper(lsoa_code)";
static const char sql_lsoa_after[] =
	"SELECT upper(n.lsoa_code), max(n.lsoa_name), count(*) FROM crimes n JOIN (SELECT DISTINCT lon, "
	"lat FROM crimes WHERE upper(lsoa_code) = upper(?1) AND lon IS NOT NULL) p ON n.lon = p.lon AND "
	"n.lat = p.lat WHERE n.month > ?2 AND n.lsoa_code <> '' AND upper(n.lsoa_code) <> upper(?1) "
	"GROUP BY upper(n.lsoa_code) ORDER BY count(*) DESC, upper(n.lsoa_code)";
static const char sql_area_next_crime[] =
	"SELECT crime FROM crime_areas WHERE area = ?1 AND crime > ?2 ORDER BY crime LIMIT 1";

int store_area_put(store *s, const char *name, const char *kind, const char *definition, const char *loaded_from,
		   long long *id)
{
	if (store_area_remove(s, name) < 0)
		return -1;
	sqlite3_stmt *st = store_stmt(s, sql_area_add);
	if (!st)
		return -1;
	store_bind_text(st, 1, name);
	store_bind_text(st, 2, kind);
	store_bind_text(st, 3, definition);
	store_bind_text(st, 4, loaded_from);
	long long rowid = store_step_insert(s, st);
	if (rowid < 0)
		return -1;
	*id = rowid;
	return 0;
}

int store_area_remove(store *s, const char *name)
{
	sqlite3_stmt *st = store_stmt(s, sql_area_del);
	if (!st)
		return -1;
	store_bind_text(st, 1, name);
	int rc = sqlite3_step(st);
	long long id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	while (rc == SQLITE_ROW)
		rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	if (!id)
		return 0;
	return store_cube_drop_area(s, id) == 0 ? 1 : -1;
}

int store_areas_each(store *s, int (*fn)(void *ctx, const store_area *a), void *ctx)
{
	static char *sql;
	store_area a;
	sqlite3_stmt *st = store_columns_select(s, &sql, &areas_table,
						 "(SELECT count(*) FROM crime_areas ca WHERE ca.area = areas.id)",
						 "FROM areas ORDER BY name");
	int rc;
	while ((rc = store_columns_next(s, st, &areas_table, &a, sizeof a)) == SQLITE_ROW) {
		a.crimes = sqlite3_column_int64(st, (int)areas_table.ncols);
		if (fn(ctx, &a))
			break;
	}
	return st ? store_rows_end(st, rc) : -1;
}

int store_crime_locs_each(store *s, int (*fn)(void *ctx, const store_crime_loc *c), void *ctx)
{
	sqlite3_stmt *st = store_stmt(s, sql_crime_locs);
	if (!st)
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_crime_loc c = {
			.id = sqlite3_column_int64(st, 0),
			.has_coords = sqlite3_column_type(st, 1) != SQLITE_NULL && sqlite3_column_type(st, 2) != SQLITE_NULL,
			.lon = sqlite3_column_double(st, 1),
			.lat = sqlite3_column_double(st, 2),
			.lsoa_code = store_col_text(st, 3),
			.area_value = store_col_text(st, 4),
		};
		if (fn(ctx, &c)) {
			rc = SQLITE_ABORT; /* the caller's failure */
			break;
		}
	}
	return store_rows_end(st, rc);
}

int store_crime_area_add(store *s, long long crime, long long area)
{
	sqlite3_stmt *st = store_stmt_rows(s, sql_crime_area_add);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, area);
	sqlite3_bind_int64(st, 2, crime);
	return store_step_done(st);
}

/* AREAS_PER_INSERT pairs in one INSERT: a statement's own cost (opening the
 * table and its index, ending) was about a third of adding one pair. */
#define AREAS_PER_INSERT 32
static const char sql_crime_areas_add[] =
	"INSERT OR IGNORE INTO crime_areas (area, crime) VALUES "
	"(?1, ?2),(?3, ?4),(?5, ?6),(?7, ?8),(?9, ?10),(?11, ?12),(?13, ?14),(?15, ?16),"
	"(?17, ?18),(?19, ?20),(?21, ?22),(?23, ?24),(?25, ?26),(?27, ?28),(?29, ?30),(?31, ?32),"
	"(?33, ?34),(?35, ?36),(?37, ?38),(?39, ?40),(?41, ?42),(?43, ?44),(?45, ?46),(?47, ?48),"
	"(?49, ?50),(?51, ?52),(?53, ?54),(?55, ?56),(?57, ?58),(?59, ?60),(?61, ?62),(?63, ?64)";

int store_crime_areas_add(store *s, const store_crime_area *pairs, size_t n)
{
	size_t i = 0;
	for (; i + AREAS_PER_INSERT <= n; i += AREAS_PER_INSERT) {
		sqlite3_stmt *st = store_stmt_rows(s, sql_crime_areas_add);
		if (!st)
			return -1;
		for (int k = 0; k < AREAS_PER_INSERT; k++) {
			sqlite3_bind_int64(st, 2 * k + 1, pairs[i + (size_t)k].area);
			sqlite3_bind_int64(st, 2 * k + 2, pairs[i + (size_t)k].crime);
		}
		if (store_step_done(st) != 0)
			return -1;
	}
	for (; i < n; i++)
		if (store_crime_area_add(s, pairs[i].crime, pairs[i].area) != 0)
			return -1;
	return 0;
}

int store_lsoa_seen(store *s, const char *codes_json,
		    int (*fn)(void *ctx, const char *code, const char *name, int first, int last), void *ctx)
{
	sqlite3_stmt *st = store_stmt(s, sql_lsoa_seen);
	if (!st)
		return -1;
	store_bind_text(st, 1, codes_json);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(ctx, store_col_text(st, 0), store_col_text(st, 1), sqlite3_column_int(st, 2), sqlite3_column_int(st, 3)))
			break;
	return store_rows_end(st, rc);
}

int store_lsoa_after(store *s, const char *code, int after,
		     int (*fn)(void *ctx, const char *code, const char *name, long long n), void *ctx)
{
	sqlite3_stmt *st = store_stmt(s, sql_lsoa_after);
	if (!st)
		return -1;
	store_bind_text(st, 1, code);
	sqlite3_bind_int(st, 2, after);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (fn(ctx, store_col_text(st, 0), store_col_text(st, 1), sqlite3_column_int64(st, 2)))
			break;
	return store_rows_end(st, rc);
}

/* Read through the crimes view (crimetab's own column names): a scan of the
 * crimes of KIND in the months and box. */
static const char sql_crimes_in_box[] =
	"SELECT month, category, lon, lat, lsoa_code, area_value FROM crimes WHERE kind = ?1 AND month BETWEEN ?2 "
	"AND ?3 AND lon BETWEEN ?4 AND ?6 AND lat BETWEEN ?5 AND ?7";

int store_crimes_in_box_each(store *s, const char *kind, int from, int to, const double box[4],
			     int (*fn)(void *ctx, const store_crime_at *c), void *ctx)
{
	sqlite3_stmt *st = store_stmt(s, sql_crimes_in_box);
	if (!st)
		return -1;
	store_bind_text(st, 1, kind);
	sqlite3_bind_int(st, 2, from);
	sqlite3_bind_int(st, 3, to);
	for (int i = 0; i < 4; i++)
		sqlite3_bind_double(st, 4 + i, box[i]);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_crime_at c = {
			.month = sqlite3_column_int(st, 0),
			.category = store_col_text(st, 1),
			.lon = sqlite3_column_double(st, 2),
			.lat = sqlite3_column_double(st, 3),
			.lsoa_code = store_col_text(st, 4),
			.area_value = store_col_text(st, 5),
		};
		if (fn(ctx, &c))
			break;
	}
	return store_rows_end(st, rc);
}

long long store_area_next_crime(store *s, long long area, long long after)
{
	sqlite3_stmt *st = store_stmt(s, sql_area_next_crime);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, area);
	sqlite3_bind_int64(st, 2, after);
	long long id;
	return store_step_value(st, &id) == 0 ? id : -1;
}

/* ---- SQL functions for converting old rows (sql/020_compact.sql) ---- */

/* crimetab_crime_id(text): a police.uk ID as its 32 bytes, else unchanged. */
static void fn_crime_id(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	(void)argc;
	const char *t = (const char *)sqlite3_value_text(argv[0]);
	unsigned char b[32];
	if (sqlite3_value_type(argv[0]) == SQLITE_TEXT && t && crime_id_bytes(t, strlen(t), b))
		sqlite3_result_blob(cx, b, 32, SQLITE_TRANSIENT);
	else
		sqlite3_result_value(cx, argv[0]);
}

/* crimetab_id_key(crime_id): the run key of a stored crime ID. */
static void fn_id_key(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_BLOB && sqlite3_value_bytes(argv[0]) == 32) {
		sqlite3_result_int64(cx, (long long)bytes_key(sqlite3_value_blob(argv[0])));
	} else {
		const char *t = (const char *)sqlite3_value_text(argv[0]);
		sqlite3_result_int64(cx, t ? (long long)id_key(t, strlen(t)) : 0);
	}
}

typedef struct run_acc {
	run_entry *e;
	size_t n, cap;
} run_acc;

/* crimetab_id_run(key, row): the run of the group's pairs. */
static void fn_id_run_step(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	(void)argc;
	run_acc *a = sqlite3_aggregate_context(cx, sizeof *a);
	if (!a)
		return;
	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 1024;
		a->e = xrealloc(a->e, a->cap * sizeof *a->e);
	}
	a->e[a->n++] = (run_entry){(uint32_t)sqlite3_value_int64(argv[0]), sqlite3_value_int64(argv[1])};
}

static void fn_id_run_final(sqlite3_context *cx)
{
	run_acc *a = sqlite3_aggregate_context(cx, 0);
	size_t len = 0;
	unsigned char *b = a ? run_encode(a->e, a->n, &len) : NULL;
	if (b)
		sqlite3_result_blob(cx, b, (int)len, free);
	else
		sqlite3_result_error(cx, "crimetab_id_run: row ids too far apart", -1);
	if (a)
		free(a->e);
}

/* crimetab_csv(field, ...): the fields as one CSV line, quoted where needed,
 * with a final LF. */
static void fn_csv(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	strbuf sb = {0};
	for (int i = 0; i < argc; i++) {
		const char *t = (const char *)sqlite3_value_text(argv[i]);
		if (i)
			sb_putc(&sb, ',');
		if (t)
			sb_csv_field(&sb, t);
	}
	sb_putc(&sb, '\n');
	sqlite3_result_blob(cx, sb.buf, (int)sb.len, free);
}

int store_rec_functions(sqlite3 *db)
{
	int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
	return sqlite3_create_function(db, "crimetab_crime_id", 1, flags, NULL, fn_crime_id, NULL, NULL) ||
			       sqlite3_create_function(db, "crimetab_id_key", 1, flags, NULL, fn_id_key, NULL, NULL) ||
			       sqlite3_create_function(db, "crimetab_id_run", 2, flags, NULL, NULL, fn_id_run_step,
						       fn_id_run_final) ||
			       sqlite3_create_function(db, "crimetab_csv", -1, flags, NULL, fn_csv, NULL, NULL)
		       ? -1
		       : 0;
}
