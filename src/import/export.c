/* The raw export: a source's file given back from the store, the inverse of
 * its import.  A police.uk file comes back byte for byte, checked against the
 * SHA-256 recorded when it was imported; a force export gives back its
 * mapped columns (the store never held the others). */
#include <nettle/sha2.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "import/csvread.h"
#include "import/import.h"
#include "import/import_int.h"

typedef struct rejected {
	long long line;
	char *bytes;
	size_t n;
} rejected;

typedef struct exporter {
	FILE *out;
	struct sha256_ctx hash;
	const char *kind, *eol;
	int mapped[MAP_COUNT]; /* force exports: which mapping fields were mapped */
	rejected *rej;
	size_t nrej, next_rej;
	long long rows;
	strbuf line;
	int failed; /* writing failed */
} exporter;

static void put(exporter *x, const char *p, size_t n)
{
	sha256_update(&x->hash, n, (const uint8_t *)p);
	if (n && fwrite(p, 1, n, x->out) != n)
		x->failed = 1;
}

/* Writes the rejects that came before LINE (all: LLONG_MAX). */
static void rejects_before(exporter *x, long long line)
{
	for (; x->next_rej < x->nrej && x->rej[x->next_rej].line < line; x->next_rej++, x->rows++)
		put(x, x->rej[x->next_rej].bytes, x->rej[x->next_rej].n);
}

/* A stored row: its raw text, or its fields written back. */
static void put_row(exporter *x, long long line, store_bytes raw, const char *const *f, size_t n)
{
	rejects_before(x, line);
	x->rows++;
	if (raw.p) {
		put(x, raw.p, raw.n);
		return;
	}
	sb_reset(&x->line);
	imp_csv_line(&x->line, f, n);
	sb_puts(&x->line, x->eol);
	put(x, x->line.buf, x->line.len);
}

static int put_crime(void *ctx, const store_crime *c)
{
	exporter *x = ctx;
	imp_num num[4];
	if (strcmp(x->kind, "force") == 0) {
		const char *all[MAP_COUNT], *f[MAP_COUNT];
		size_t n = 0;
		imp_force_fields(c, all, num);
		for (int k = 0; k < MAP_COUNT; k++)
			if (x->mapped[k])
				f[n++] = all[k];
		put_row(x, c->line, c->raw, f, n);
	} else {
		const char *f[IMP_STREET_COLS];
		imp_street_fields(c, f, num);
		put_row(x, c->line, c->raw, f, IMP_STREET_COLS);
	}
	return x->failed;
}

static int put_outcome(void *ctx, const store_outcome *o)
{
	exporter *x = ctx;
	imp_num num[4];
	const char *f[IMP_OUTCOMES_COLS];
	imp_outcome_fields(o, f, num);
	put_row(x, o->line, o->raw, f, IMP_OUTCOMES_COLS);
	return x->failed;
}

static int put_stop(void *ctx, const store_stop *st)
{
	exporter *x = ctx;
	imp_num num[4];
	const char *f[IMP_STOP_COLS];
	imp_stop_fields(st, f, num);
	put_row(x, st->line, st->raw, f, IMP_STOP_COLS);
	return x->failed;
}

static int keep_reject(void *ctx, const store_reject *r)
{
	exporter *x = ctx;
	x->rej = xrealloc(x->rej, (x->nrej + 1) * sizeof *x->rej);
	rejected *k = &x->rej[x->nrej++];
	k->line = r->line;
	if (r->span.p) {
		k->bytes = xmalloc(r->span.n + 1);
		memcpy(k->bytes, r->span.p, r->span.n);
		k->n = r->span.n;
	} else {
		k->bytes = xasprintf("%s%s", r->raw ? r->raw : "", x->eol);
		k->n = strlen(k->bytes);
	}
	return 0;
}

/* A force export's head: the mapped columns' names in mapping-field order,
 * empty for the fields not mapped.  Sets x->mapped; the header line to
 * write goes to SB.  -1 if HEAD is not such a line. */
static int force_header(exporter *x, store_bytes head, strbuf *sb)
{
	FILE *f = fmemopen((void *)head.p, head.n, "r");
	if (!f)
		return -1;
	imp_reader *rd = imp_reader_new(f);
	imp_row row;
	int ok = imp_reader_next(rd, &row) == 1 && !row.error && row.nfields == MAP_COUNT;
	if (ok) {
		const char *names[MAP_COUNT];
		size_t n = 0;
		for (int k = 0; k < MAP_COUNT; k++)
			if ((x->mapped[k] = *row.fields[k] != '\0'))
				names[n++] = row.fields[k];
		imp_csv_line(sb, names, n);
		sb_putc(sb, '\n');
	}
	imp_reader_free(rd);
	fclose(f);
	return ok ? 0 : -1;
}

ct_status imp_export_raw(store *s, const store_source *src, FILE *out, char *err, size_t errlen)
{
	exporter x = {.out = out, .kind = src->kind, .eol = src->eol ? src->eol : "\n"};
	sha256_init(&x.hash);
	ct_status status = CT_OK;
	int force = strcmp(src->kind, "force") == 0;
	strbuf head = {0};
	if (force) {
		if (!src->head.p || force_header(&x, src->head, &head) != 0) {
			snprintf(err, errlen, "source %lld (%s): imported before crimetab kept what a raw export needs; "
					      "import the file again to export it", src->id, src->path);
			return CT_EDATA;
		}
	} else if (src->head.p) {
		sb_add(&head, src->head.p, src->head.n);
	} else {
		/* imported before 020: the header as police.uk writes it, checked by the hash below */
		const char *const *h = strcmp(src->kind, "street") == 0 ? imp_street_header
				       : strcmp(src->kind, "outcomes") == 0 ? imp_outcomes_header : imp_stop_header;
		size_t n = strcmp(src->kind, "street") == 0 ? IMP_STREET_COLS
			   : strcmp(src->kind, "outcomes") == 0 ? IMP_OUTCOMES_COLS : IMP_STOP_COLS;
		imp_csv_line(&head, h, n);
		sb_puts(&head, x.eol);
	}
	put(&x, head.buf ? head.buf : "", head.len);
	/* a head with no line ending is the whole file (a police.uk API response) */
	int whole = !force && src->head.p && !src->eol;
	if (whole)
		x.rows = src->rows_read;
	int rc = whole ? 0 : store_rejects_each(s, src->id, keep_reject, &x);
	if (rc == 0 && !whole)
		rc = strcmp(src->kind, "outcomes") == 0 ? store_outcomes_each(s, src->id, put_outcome, &x)
		     : strcmp(src->kind, "stop-and-search") == 0 ? store_stops_each(s, src->id, put_stop, &x)
								 : store_crimes_each(s, src->id, put_crime, &x);
	if (rc != 0) {
		snprintf(err, errlen, "source %lld: database error: %s", src->id, store_errmsg(s));
		status = CT_EDB;
		goto done;
	}
	if (!whole)
		rejects_before(&x, 0x7fffffffffffffffLL);
	if (!force && src->tail.p)
		put(&x, src->tail.p, src->tail.n);
	if (x.failed || ferror(out)) {
		snprintf(err, errlen, "source %lld: write error", src->id);
		status = CT_EIO;
	} else if (x.rows != src->rows_read) {
		snprintf(err, errlen, "source %lld (%s): %lld of its %lld rows are no longer stored (a newer file "
				      "superseded them): it cannot be given back", src->id, src->path,
			 src->rows_read - x.rows, src->rows_read);
		status = CT_EDATA;
	} else if (!force) {
		char hex[65];
		imp_sha256_hex(&x.hash, hex);
		if (!src->sha256 || strcmp(hex, src->sha256) != 0) {
			snprintf(err, errlen, "source %lld (%s): what the store holds does not give the file back exactly "
					      "(SHA-256 %s, imported as %s)%s", src->id, src->path, hex,
				 src->sha256 ? src->sha256 : "unknown",
				 src->head.p ? "; a rejected row of more than 1 MiB (an unterminated quote?) is not kept whole"
					     : "; it was imported before crimetab kept each file's layout");
			status = CT_EDATA;
		}
	}
done:
	for (size_t i = 0; i < x.nrej; i++)
		free(x.rej[i].bytes);
	free(x.rej);
	sb_release(&x.line);
	sb_release(&head);
	return status;
}
