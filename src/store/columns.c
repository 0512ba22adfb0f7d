/* A table's columns named once, each beside the struct field that holds it:
 * the SQL that lists them, and binding a row to a statement or reading one
 * back, are all made from that list. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "store/store_int.h"

static int wanted(const store_column *c, unsigned flags)
{
	return !flags || (c->flags & flags);
}

char *store_columns_list(const store_table *t, unsigned flags, const char *prefix)
{
	strbuf sb = {0};
	for (size_t i = 0; i < t->ncols; i++)
		if (wanted(&t->cols[i], flags))
			sb_printf(&sb, "%s%s%s", sb.len ? ", " : "", prefix, t->cols[i].name);
	return sb_detach(&sb);
}

char *store_columns_insert(const store_table *t, unsigned flags)
{
	char *cols = store_columns_list(t, flags, "");
	strbuf sb = {0};
	sb_printf(&sb, "INSERT INTO %s (%s) VALUES (", t->name, cols);
	int n = 0;
	for (size_t i = 0; i < t->ncols; i++)
		if (wanted(&t->cols[i], flags)) {
			n++;
			sb_printf(&sb, "%s?%d", n > 1 ? ", " : "", n);
		}
	sb_putc(&sb, ')');
	free(cols);
	return sb_detach(&sb);
}

char *store_columns_set(const store_table *t, unsigned flags, int first)
{
	strbuf sb = {0};
	int p = first;
	for (size_t i = 0; i < t->ncols; i++)
		if (wanted(&t->cols[i], flags))
			sb_printf(&sb, "%s%s = ?%d", sb.len ? ", " : "", t->cols[i].name, p++);
	return sb_detach(&sb);
}

/* Binds parameter P to the whole number V, or to NULL (NUL), unless MEMO
 * says it already is. */
static void bind_int(sqlite3_stmt *st, int p, int nul, long long v, store_bind_memo *memo)
{
	unsigned char is = nul ? 1 : 2;
	if (memo && p < 32) {
		if (memo->is[p] == is && (nul || memo->v[p] == v))
			return;
		memo->is[p] = is;
		memo->v[p] = v;
	}
	if (nul)
		sqlite3_bind_null(st, p);
	else
		sqlite3_bind_int64(st, p, v);
}

/* Parameter P is about to be bound to something MEMO cannot compare. */
static void forget(store_bind_memo *memo, int p)
{
	if (memo && p < 32)
		memo->is[p] = 0;
}

int store_columns_bind(store *s, sqlite3_stmt *st, int first, const store_table *t, unsigned flags, const void *row,
		       uint32_t *key, store_bind_memo *memo)
{
	uint32_t no_key;
	if (!key)
		key = &no_key;
	if (memo && memo->st != st) {
		memset(memo, 0, sizeof *memo);
		memo->st = st;
	}
	const char *base = row;
	int p = first;
	for (size_t i = 0; i < t->ncols; i++) {
		const store_column *c = &t->cols[i];
		if (!wanted(c, flags))
			continue;
		const char *f = base + c->off;
		switch (c->type) {
		case COL_INT64:
			bind_int(st, p, 0, *(const long long *)f, memo);
			break;
		case COL_INT:
			bind_int(st, p, 0, *(const int *)f, memo);
			break;
		case COL_MONTH:
			bind_int(st, p, *(const int *)f < 0, *(const int *)f, memo);
			break;
		case COL_REAL: {
			double v;
			memcpy(&v, f, sizeof v);
			forget(memo, p);
			if (isnan(v))
				sqlite3_bind_null(st, p);
			else
				sqlite3_bind_double(st, p, v);
			break;
		}
		case COL_TEXT: {
			const store_text *x = (const store_text *)f;
			long long id = x->id ? x->id : x->s ? store_text_id(s, x->s) : 0;
			if (id < 0)
				return -1;
			bind_int(st, p, id == 0, id, memo);
			break;
		}
		case COL_LON:
		case COL_LAT: {
			const store_point *pt = (const store_point *)f;
			bind_int(st, p, !pt->set, c->type == COL_LON ? pt->lon : pt->lat, memo);
			break;
		}
		/* pointers: bound again every time (the bytes behind them change),
		 * unless NULL */
		case COL_STR:
		case COL_CRIME_ID: {
			const char *v = *(const char *const *)f;
			if (!v) {
				bind_int(st, p, 1, 0, memo);
				break;
			}
			forget(memo, p);
			if (c->type == COL_STR)
				store_bind_text(st, p, v);
			else
				store_bind_crime_id(s, st, p, v, key);
			break;
		}
		case COL_BYTES: {
			const store_bytes *b = (const store_bytes *)f;
			if (!b->p) {
				bind_int(st, p, 1, 0, memo);
				break;
			}
			forget(memo, p);
			store_bind_bytes(st, p, *b);
			break;
		}
		}
		p++;
	}
	return 0;
}

void store_columns_read(const store *s, sqlite3_stmt *st, int first, const store_table *t, void *row, char idbuf[65])
{
	char *base = row;
	for (size_t i = 0; i < t->ncols; i++) {
		const store_column *c = &t->cols[i];
		char *f = base + c->off;
		int k = first + (int)i, null = sqlite3_column_type(st, k) == SQLITE_NULL;
		switch (c->type) {
		case COL_INT64:
			*(long long *)f = sqlite3_column_int64(st, k);
			break;
		case COL_INT:
			*(int *)f = sqlite3_column_int(st, k);
			break;
		case COL_MONTH:
			*(int *)f = null ? -1 : sqlite3_column_int(st, k);
			break;
		case COL_REAL: {
			double v = null ? NAN : sqlite3_column_double(st, k);
			memcpy(f, &v, sizeof v);
			break;
		}
		case COL_STR:
			*(const char **)f = store_col_text(st, k);
			break;
		case COL_TEXT: {
			store_text *x = (store_text *)f;
			x->id = sqlite3_column_int64(st, k);
			x->s = store_rec_text(store_rec_of(s), x->id);
			break;
		}
		case COL_CRIME_ID:
			*(const char **)f = null ? NULL : store_col_crime_id(st, k, idbuf);
			break;
		case COL_LON:
		case COL_LAT: {
			store_point *pt = (store_point *)f;
			if (c->type == COL_LON)
				pt->set = !null;
			*(c->type == COL_LON ? &pt->lon : &pt->lat) = sqlite3_column_int64(st, k);
			break;
		}
		case COL_BYTES:
			*(store_bytes *)f = store_col_bytes(st, k);
			break;
		}
	}
}

sqlite3_stmt *store_columns_select(store *s, char **sql, const store_table *t, const char *extra, const char *from)
{
	if (!*sql) {
		char *cols = store_columns_list(t, 0, "");
		*sql = xasprintf("SELECT %s%s%s %s", cols, extra ? ", " : "", extra ? extra : "", from);
		free(cols);
	}
	return store_stmt(s, *sql);
}

int store_columns_next(store *s, sqlite3_stmt *st, const store_table *t, void *row, size_t size)
{
	if (!st)
		return SQLITE_ERROR;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(row, 0, size);
		store_columns_read(s, st, 0, t, row, NULL);
	}
	return rc;
}
