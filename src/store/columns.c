/* A table's columns named once, each beside the struct field that holds it:
 * the SQL that lists them, and binding a row to a statement or reading one
 * back, are all made from that list. */
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

int store_columns_bind(store *s, sqlite3_stmt *st, int first, const store_table *t, unsigned flags, const void *row,
		       uint32_t *key)
{
	uint32_t no_key;
	if (!key)
		key = &no_key;
	const char *base = row;
	int p = first;
	for (size_t i = 0; i < t->ncols; i++) {
		const store_column *c = &t->cols[i];
		if (!wanted(c, flags))
			continue;
		const char *f = base + c->off;
		switch (c->type) {
		case COL_INT64:
			sqlite3_bind_int64(st, p, *(const long long *)f);
			break;
		case COL_INT:
			sqlite3_bind_int(st, p, *(const int *)f);
			break;
		case COL_MONTH:
			if (*(const int *)f >= 0)
				sqlite3_bind_int(st, p, *(const int *)f);
			else
				sqlite3_bind_null(st, p);
			break;
		case COL_STR:
			store_bind_text(st, p, *(const char *const *)f);
			break;
		case COL_TEXT: {
			const store_text *x = (const store_text *)f;
			long long id = x->id ? x->id : x->s ? store_text_id(s, x->s) : 0;
			if (id < 0)
				return -1;
			if (id)
				sqlite3_bind_int64(st, p, id);
			else
				sqlite3_bind_null(st, p);
			break;
		}
		case COL_CRIME_ID:
			store_bind_crime_id(s, st, p, *(const char *const *)f, key);
			break;
		case COL_LON:
		case COL_LAT: {
			const store_point *pt = (const store_point *)f;
			if (pt->set)
				sqlite3_bind_int64(st, p, c->type == COL_LON ? pt->lon : pt->lat);
			else
				sqlite3_bind_null(st, p);
			break;
		}
		case COL_BYTES:
			store_bind_bytes(st, p, *(const store_bytes *)f);
			break;
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
