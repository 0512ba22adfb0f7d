/* Statistics: reads the monthly cube (never crime rows), classifies source
 * categories with the taxonomy, sums groups, and fills the report model. */
/* qsort_r (glibc): the sort needs its context without a global */
#define _GNU_SOURCE
#include "stats/stats.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util.h"
#include "stats/coverage.h"
#include "stats/highlights.h"

void stats_spans(int month, int compare, rep_window_span span[REP_WINDOWS])
{
	for (int w = 0; w < REP_WINDOWS; w++) {
		int len = rep_window_months[w];
		int shift = compare == REP_COMPARE_PREVIOUS ? len : 12;
		span[w].to = month;
		span[w].from = month - len + 1;
		span[w].cmp_to = month - shift;
		span[w].cmp_from = month - shift - len + 1;
	}
}

rep_fig stats_fig(long long cur, long long cmp)
{
	rep_fig f = {.cur = cur, .cmp = cmp, .diff = cur - cmp};
	if (cmp == 0)
		f.pct_kind = cur == 0 ? REP_PCT_NONE : REP_PCT_INFINITY;
	else {
		f.pct_kind = REP_PCT_VALUE;
		f.pct = (double)f.diff * 100.0 / (double)cmp;
	}
	return f;
}

void stats_mark(rep_fig *f, unsigned missing)
{
	f->missing |= missing;
	if (f->missing) {
		f->pct_kind = REP_PCT_NONE;
		f->pct = 0;
	}
}

/* ---- coverage: which (force, month)s of a dataset have a file ---- */

/* Bit K set: force FC has no data for month FIRST + K (of REP_SERIES). */
static unsigned long cov_missing(const stats_force_cov *fc, int first)
{
	unsigned long miss = 0;
	for (int k = 0; k < REP_SERIES; k++)
		if (!stats_cov_has(fc, first + k))
			miss |= 1UL << k;
	return miss;
}

/* True if every force has every month of MONTH's comparison spans (SIDE
 * REP_SIDE_COMPARISON) or of its own windows (REP_SIDE_CURRENT). */
static int spans_complete(const stats_coverage *c, int month, int compare, int side)
{
	rep_window_span span[REP_WINDOWS];
	stats_spans(month, compare, span);
	for (size_t i = 0; i < c->n; i++)
		for (int w = 0; w < REP_WINDOWS; w++) {
			int from = side == REP_SIDE_CURRENT ? span[w].from : span[w].cmp_from;
			int to = side == REP_SIDE_CURRENT ? span[w].to : span[w].cmp_to;
			for (int m = from; m <= to; m++)
				if (!stats_cov_has(&c->f[i], m))
					return 0;
		}
	return 1;
}

static int comparisons_complete(const stats_coverage *c, int month, int compare)
{
	return spans_complete(c, month, compare, REP_SIDE_COMPARISON);
}

/* --month latest: the newest month every force has, unless its comparisons
 * lack months and an earlier month's do not (ALLOW_MISSING: the newest
 * regardless).  *REASON says why, for the report's first line. */
static int pick_latest(const stats_coverage *c, int compare, int allow_missing, char **reason)
{
	int newest = stats_cov_newest(c);
	*reason = NULL;
	if (newest < 0)
		return -1;
	int oldest = newest;
	for (size_t i = 0; i < c->n; i++)
		if (c->f[i].months[0] < oldest)
			oldest = c->f[i].months[0];
	char nm[8];
	ct_month_format(newest, nm);
	if (comparisons_complete(c, newest, compare)) {
		/* a gap inside its own windows is no reason to go back: say it is there */
		*reason = xstrdup(spans_complete(c, newest, compare, REP_SIDE_CURRENT)
					  ? "the latest month with data from every force, and its comparisons are complete"
					  : "the latest month with data from every force, and its comparisons are complete; "
					    "its own windows lack months, named in the warning");
		return newest;
	}
	int month = -1;
	for (int m = newest - 1; !allow_missing && m - (REP_SERIES - 1) >= oldest; m--)
		if (comparisons_complete(c, m, compare)) {
			month = m;
			break;
		}
	if (month >= 0) {
		char skipped[32];
		rep_fmt_months(month + 1, newest, skipped, sizeof skipped);
		*reason = xasprintf("the latest month whose comparisons are complete: %s would be compared with "
				    "months missing from the data (--allow-missing reports %s)",
				    skipped, nm);
		return month;
	}
	if (allow_missing)
		*reason = xstrdup("the latest month with data from every force (--allow-missing), though its "
				  "comparisons lack months");
	else
		*reason = xstrdup("the latest month with data from every force; no month's comparisons are "
				  "complete, so changes resting on missing months read n/a");
	return newest;
}

int stats_latest_complete_month(store *s, const char *dataset)
{
	stats_coverage c = {.kind = dataset};
	if (store_coverage_each(s, stats_cov_add, &c) != 0) {
		stats_cov_free(&c);
		return -1;
	}
	int latest = stats_cov_newest(&c);
	stats_cov_free(&c);
	return latest;
}

int stats_data_range(store *s, const char *dataset, int *first, int *last)
{
	stats_coverage c = {.kind = dataset};
	*first = *last = -1;
	if (store_coverage_each(s, stats_cov_add, &c) != 0) {
		stats_cov_free(&c);
		return -1;
	}
	for (size_t i = 0; i < c.n; i++) {
		int a = c.f[i].months[0], z = c.f[i].months[c.f[i].n - 1];
		if (*first < 0 || a < *first)
			*first = a;
		if (*last < 0 || z > *last)
			*last = z;
	}
	stats_cov_free(&c);
	return 0;
}

const char *stats_default_taxonomy(store *s)
{
	return store_kind_count(s, "force") <= 0 && store_kind_count(s, "street") > 0 ? "police-uk" : "home-office";
}

/* ---- building the model ---- */

typedef struct builder {
	const taxonomy *tax;
	int first; /* month of series[0] */
	long long (*series)[REP_SERIES]; /* per taxonomy node */
	char **cat_names; /* category -> leaf cache */
	size_t *cat_leaf;
	long long (*cat_series)[REP_SERIES]; /* per category, for the Unknown row's list */
	size_t ncats;
} builder;

/* The index of CATEGORY in the builder's cache, classified on first sight. */
static size_t classify(builder *b, const char *category)
{
	for (size_t i = 0; i < b->ncats; i++)
		if (strcmp(b->cat_names[i], category) == 0)
			return i;
	b->cat_names = xrealloc(b->cat_names, (b->ncats + 1) * sizeof *b->cat_names);
	b->cat_leaf = xrealloc(b->cat_leaf, (b->ncats + 1) * sizeof *b->cat_leaf);
	b->cat_series = xrealloc(b->cat_series, (b->ncats + 1) * sizeof *b->cat_series);
	b->cat_names[b->ncats] = xstrdup(category);
	b->cat_leaf[b->ncats] = tax_classify(b->tax, category);
	memset(b->cat_series[b->ncats], 0, sizeof b->cat_series[b->ncats]);
	return b->ncats++;
}

static int add_cell(void *ctx, int month, const char *category, long long n)
{
	builder *b = ctx;
	int off = month - b->first;
	if (off >= 0 && off < REP_SERIES) {
		size_t c = classify(b, category);
		b->series[b->cat_leaf[c]][off] += n;
		b->cat_series[c][off] += n;
	}
	return 0;
}

static long long span_sum(const long long *series, int first, int from, int to)
{
	long long n = 0;
	for (int m = from; m <= to; m++)
		if (m - first >= 0 && m - first < REP_SERIES)
			n += series[m - first];
	return n;
}

static void fill_figs(rep_row *row, const long long *series, int first, const rep_window_span *span)
{
	memcpy(row->series, series, sizeof row->series);
	for (int w = 0; w < REP_WINDOWS; w++)
		row->fig[w] = stats_fig(span_sum(series, first, span[w].from, span[w].to),
					span_sum(series, first, span[w].cmp_from, span[w].cmp_to));
}

static int row_is_empty(const rep_row *row)
{
	for (int w = 0; w < REP_WINDOWS; w++)
		if (row->fig[w].cur || row->fig[w].cmp)
			return 0;
	return 1;
}

typedef struct sorter {
	const rep_row *rows; /* per taxonomy node */
	const taxonomy *tax;
} sorter;

/* Children by last-6-months count, largest first, ties by label: the order
 * the committee paper's tables follow. */
static int cmp_nodes(const void *a, const void *b, void *ctx)
{
	const sorter *sort_ctx = ctx;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	const tax_node *nx = tax_node_at(sort_ctx->tax, x), *ny = tax_node_at(sort_ctx->tax, y);
	int rank_x = nx->unknown ? 1 : nx->outside_total ? 2 : 0;
	int rank_y = ny->unknown ? 1 : ny->outside_total ? 2 : 0;
	if (rank_x != rank_y)
		return rank_x - rank_y;
	if (!tax_fixed_order(sort_ctx->tax)) {
		long long cx = sort_ctx->rows[x].fig[1].cur, cy = sort_ctx->rows[y].fig[1].cur;
		if (cx != cy)
			return cx > cy ? -1 : 1;
		int c = strcmp(nx->label, ny->label);
		if (c)
			return c;
	}
	return x < y ? -1 : x > y;
}

static int cmp_cats(const void *a, const void *b)
{
	const rep_cat *x = a, *y = b;
	if (x->cur[REP_WINDOWS - 1] != y->cur[REP_WINDOWS - 1])
		return x->cur[REP_WINDOWS - 1] > y->cur[REP_WINDOWS - 1] ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The source categories classified to leaf NODE that count in some window:
 * what an Unknown row is made of. */
static void attach_cats(rep_row *r, const builder *b, size_t node, const rep_window_span *span)
{
	for (size_t c = 0; c < b->ncats; c++) {
		if (b->cat_leaf[c] != node)
			continue;
		rep_cat cat = {0};
		int any = 0;
		for (int w = 0; w < REP_WINDOWS; w++) {
			cat.cur[w] = span_sum(b->cat_series[c], b->first, span[w].from, span[w].to);
			any |= cat.cur[w] != 0 ||
			       span_sum(b->cat_series[c], b->first, span[w].cmp_from, span[w].cmp_to) != 0;
		}
		if (!any)
			continue;
		cat.name = xstrdup(b->cat_names[c]);
		r->cats = xrealloc(r->cats, (r->ncats + 1) * sizeof *r->cats);
		r->cats[r->ncats++] = cat;
	}
	if (r->ncats > 1)
		qsort(r->cats, r->ncats, sizeof *r->cats, cmp_cats);
}

/* Appends node I (if not empty) and its children, in display order. */
static void emit(rep_area *ar, const rep_row *noderows, const taxonomy *t, const builder *b,
		 const rep_window_span *span, size_t i, int parent)
{
	if (row_is_empty(&noderows[i]))
		return;
	int me = (int)ar->nrows;
	rep_row *r = &ar->rows[ar->nrows++];
	*r = noderows[i];
	r->label = xstrdup(noderows[i].label);
	r->path = xstrdup(noderows[i].path);
	r->note = noderows[i].note ? xstrdup(noderows[i].note) : NULL;
	r->parent = parent;
	if (tax_node_at(t, i)->unknown)
		attach_cats(r, b, i, span);
	size_t n = tax_count(t), nk = 0;
	size_t *kids = xcalloc(n, sizeof *kids);
	for (size_t k = 0; k < n; k++)
		if (tax_node_at(t, k)->parent == (int)i)
			kids[nk++] = k;
	sorter sc = {noderows, t};
	qsort_r(kids, nk, sizeof *kids, cmp_nodes, &sc);
	for (size_t k = 0; k < nk; k++)
		emit(ar, noderows, t, b, span, kids[k], me);
	free(kids);
}

static int build_area(store *s, const taxonomy *t, const char *dataset, long long area_id, const char *name,
		      const rep_report *rep, rep_area *ar)
{
	size_t n = tax_count(t);
	builder b = {.tax = t, .first = rep->month - (REP_SERIES - 1)};
	b.series = xcalloc(n, sizeof *b.series);
	int rc = store_cube_each(s, area_id, dataset, b.first, rep->month, add_cell, &b);
	/* children follow parents in pre-order, so a reverse sweep sums groups */
	for (size_t i = n; i-- > 0;) {
		int p = tax_node_at(t, i)->parent;
		if (p >= 0)
			for (int k = 0; k < REP_SERIES; k++)
				b.series[p][k] += b.series[i][k];
	}
	rep_row *noderows = xcalloc(n, sizeof *noderows);
	long long total[REP_SERIES] = {0};
	for (size_t i = 0; i < n; i++) {
		const tax_node *nd = tax_node_at(t, i);
		rep_row *r = &noderows[i];
		r->label = (char *)nd->label;
		r->depth = nd->depth;
		r->note = (char *)nd->note;
		r->flags = (nd->leaf ? 0 : REP_ROW_GROUP) | (nd->unknown ? REP_ROW_UNKNOWN : 0) |
			   (nd->outside_total ? REP_ROW_OUTSIDE_TOTAL : 0) | (nd->note ? REP_ROW_APPROX : 0);
		/* what a row outside the total holds is outside it too */
		if (nd->parent >= 0)
			r->flags |= noderows[nd->parent].flags & REP_ROW_OUTSIDE_TOTAL;
		r->path = nd->parent >= 0 ? xasprintf("%s > %s", noderows[nd->parent].path, nd->label)
					  : xstrdup(nd->label);
		fill_figs(r, b.series[i], b.first, rep->span);
		if (nd->parent < 0 && !nd->outside_total)
			for (int k = 0; k < REP_SERIES; k++)
				total[k] += b.series[i][k];
	}
	ar->name = xstrdup(name);
	ar->rows = xcalloc(n + 1, sizeof *ar->rows);
	size_t *tops = xcalloc(n, sizeof *tops), ntop = 0;
	for (size_t i = 0; i < n; i++)
		if (tax_node_at(t, i)->parent < 0)
			tops[ntop++] = i;
	sorter sc = {noderows, t};
	qsort_r(tops, ntop, sizeof *tops, cmp_nodes, &sc);
	for (size_t i = 0; i < ntop; i++)
		emit(ar, noderows, t, &b, rep->span, tops[i], -1);
	rep_row *tr = &ar->rows[ar->nrows++];
	tr->label = xstrdup("Total");
	tr->path = xstrdup("Total");
	tr->parent = -1;
	tr->flags = REP_ROW_TOTAL;
	fill_figs(tr, total, b.first, rep->span);
	for (size_t i = 0; i < n; i++)
		free(noderows[i].path);
	free(noderows);
	free(tops);
	for (size_t i = 0; i < b.ncats; i++)
		free(b.cat_names[i]);
	free(b.cat_names);
	free(b.cat_leaf);
	free(b.cat_series);
	free(b.series);
	return rc;
}

static int collect_area(void *ctx, const store_area *a)
{
	stats_area_list *l = ctx;
	l->ids = xrealloc(l->ids, (l->n + 1) * sizeof *l->ids);
	l->names = xrealloc(l->names, (l->n + 1) * sizeof *l->names);
	l->ids[l->n] = a->id;
	l->names[l->n++] = xstrdup(a->name);
	return 0;
}

int stats_area_list_load(store *s, stats_area_list *l)
{
	return store_areas_each(s, collect_area, l);
}

void stats_area_list_release(stats_area_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->names[i]);
	free(l->names);
	free(l->ids);
}

typedef struct source_filter {
	rep_report *r;
	int from, to;
} source_filter;

static int collect_source(void *ctx, const store_source *src)
{
	source_filter *sf = ctx;
	rep_report *r = sf->r;
	if (strcmp(src->kind, r->dataset) != 0 || src->superseded_by || src->month_min < 0 ||
	    src->month_max < sf->from || src->month_min > sf->to)
		return 0;
	r->sources = xrealloc(r->sources, (r->nsources + 1) * sizeof *r->sources);
	rep_source *rs = &r->sources[r->nsources++];
	rs->path = xstrdup(src->path);
	rs->kind = xstrdup(src->kind);
	rs->force = xstrdup(src->force ? src->force : "");
	rs->imported_at = xstrdup(src->imported_at ? src->imported_at : "");
	rs->sha256 = xstrdup(src->sha256 ? src->sha256 : "");
	rs->month_min = src->month_min;
	rs->month_max = src->month_max;
	rs->rows = src->rows_imported - src->rows_superseded;
	return 0;
}

static void add_warning(rep_report *r, char *msg)
{
	r->warnings = xrealloc(r->warnings, (r->nwarnings + 1) * sizeof *r->warnings);
	r->warnings[r->nwarnings++] = msg;
}

/* Now, or SOURCE_DATE_EPOCH when set (reproducible outputs). */
static long long build_time(void)
{
	const char *e = getenv("SOURCE_DATE_EPOCH");
	char *end;
	if (e && *e) {
		long long v = strtoll(e, &end, 10);
		if (*end == '\0' && v >= 0)
			return v;
	}
	return (long long)time(NULL);
}

/* ---- completeness ---- */

_Static_assert(REP_SERIES <= 32, "a force's missing months are kept in an unsigned long");

/* The forces of the report's dataset and, per force, the months of the
 * series it has no data for. */
typedef struct gapset {
	const stats_coverage *cov;
	unsigned long *miss; /* per force in cov */
	unsigned long any;   /* some force misses the month */
	int first;           /* the series' first month */
} gapset;

static void add_gaps(rep_gap **gaps, size_t *n, const char *force, unsigned long miss, int first)
{
	for (int k = 0; k < REP_SERIES; k++) {
		if (!(miss & (1UL << k)))
			continue;
		int run = k;
		while (run + 1 < REP_SERIES && (miss & (1UL << (run + 1))))
			run++;
		*gaps = xrealloc(*gaps, (*n + 1) * sizeof **gaps);
		(*gaps)[(*n)++] = (rep_gap){xstrdup(force), first + k, first + run};
		k = run;
	}
}

/* The report's gaps and one warning per distinct gap, naming its forces. */
static void report_gaps(rep_report *r, gapset *g)
{
	for (size_t i = 0; i < g->cov->n; i++)
		add_gaps(&r->gaps, &r->ngaps, g->cov->f[i].force, g->miss[i], g->first);
	size_t n;
	char **lines = rep_gap_lines(r->gaps, r->ngaps, r->dataset, &n);
	char span[32];
	rep_fmt_months(g->first, r->month, span, sizeof span);
	for (size_t i = 0; i < n; i++)
		add_warning(r, xasprintf("%s; the windows and comparisons need %s", lines[i], span));
	rep_lines_free(lines, n);
}

/* Which forces a crime's id comes from: the sources' row spans (a source's
 * crimes have consecutive ids), with the forces each still provides months
 * of in the report's dataset (none for the other dataset's sources, whose
 * spans are only skipped over). */
typedef struct src_span {
	long long id, first, last;
	size_t *forces; /* indices in the coverage */
	size_t nforces;
} src_span;

typedef struct span_set {
	src_span *s;
	size_t n;
	const stats_coverage *cov;
	const char *dataset;
} span_set;

static int collect_span(void *ctx, const store_source *src)
{
	span_set *ss = ctx;
	if ((strcmp(src->kind, "street") != 0 && strcmp(src->kind, "force") != 0) || src->first_row <= 0 ||
	    src->last_row < src->first_row)
		return 0;
	ss->s = xrealloc(ss->s, (ss->n + 1) * sizeof *ss->s);
	ss->s[ss->n++] = (src_span){src->id, src->first_row, src->last_row, NULL, 0};
	return 0;
}

static int cmp_span_id(const void *a, const void *b)
{
	long long x = ((const src_span *)a)->id, y = ((const src_span *)b)->id;
	return (x > y) - (x < y);
}

static int cmp_span_first(const void *a, const void *b)
{
	long long x = ((const src_span *)a)->first, y = ((const src_span *)b)->first;
	return (x > y) - (x < y);
}

static int collect_span_force(void *ctx, long long source, const char *kind, const char *force)
{
	span_set *ss = ctx;
	if (strcmp(kind, ss->dataset) != 0)
		return 0;
	src_span key = {.id = source};
	src_span *sp = bsearch(&key, ss->s, ss->n, sizeof *ss->s, cmp_span_id);
	for (size_t i = 0; sp && i < ss->cov->n; i++)
		if (strcmp(ss->cov->f[i].force, force) == 0) {
			sp->forces = xrealloc(sp->forces, (sp->nforces + 1) * sizeof *sp->forces);
			sp->forces[sp->nforces++] = i;
		}
	return 0;
}

static void spans_free(span_set *ss)
{
	for (size_t i = 0; i < ss->n; i++)
		free(ss->s[i].forces);
	free(ss->s);
}

static int spans_load(store *s, span_set *ss)
{
	if (store_sources_each(s, collect_span, ss) != 0)
		return -1;
	qsort(ss->s, ss->n, sizeof *ss->s, cmp_span_id);
	if (store_source_forces_each(s, collect_span_force, ss) != 0)
		return -1;
	qsort(ss->s, ss->n, sizeof *ss->s, cmp_span_first);
	return 0;
}

/* The span holding crime ID: the last to start at or before it (a newer
 * source wins where spans overlap), or NULL. */
static const src_span *span_of(const span_set *ss, long long id)
{
	size_t lo = 0, hi = ss->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ss->s[mid].first <= id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && ss->s[lo - 1].last >= id ? &ss->s[lo - 1] : NULL;
}

/* Sets ON[i] for each force i of the coverage whose crimes are in area ID;
 * stops early once every force CARE marks (every force when NULL) is on.
 * 1 if any force is found, 0 if none, -1 on a database error. */
static int area_forces(store *s, const span_set *ss, const unsigned char *care, long long id, unsigned char *on)
{
	int found = 0;
	long long after = 0, c;
	size_t want = 0, seen = 0;
	for (size_t i = 0; i < ss->cov->n; i++)
		want += (!care || care[i]) && !on[i];
	while (seen < want && (c = store_area_next_crime(s, id, after)) > 0) {
		const src_span *sp = span_of(ss, c);
		after = sp ? sp->last : c;
		for (size_t k = 0; sp && k < sp->nforces; k++) {
			size_t f = sp->forces[k];
			found = 1;
			if (!on[f]) {
				on[f] = 1;
				seen += !care || care[f];
			}
		}
	}
	return seen < want && c < 0 ? -1 : found;
}

int stats_area_forces(store *s, const char *dataset, const long long *ids, size_t nids, char ***forces,
		      size_t *nforces)
{
	stats_coverage cov = {.kind = dataset};
	span_set spans = {.cov = &cov, .dataset = dataset};
	unsigned char *on = NULL;
	int rc = -1, found = 0;
	*forces = NULL;
	*nforces = 0;
	if (store_coverage_each(s, stats_cov_add, &cov) != 0)
		goto out;
	on = xcalloc(cov.n ? cov.n : 1, 1);
	int all = nids == 0 || cov.n < 2;
	for (size_t i = 0; !all && i < nids; i++)
		all = ids[i] <= 0;
	if (!all && spans_load(s, &spans) != 0)
		goto out;
	for (size_t i = 0; !all && i < nids; i++) {
		int f = area_forces(s, &spans, NULL, ids[i], on);
		if (f < 0)
			goto out;
		found |= f;
	}
	*forces = xcalloc(cov.n ? cov.n : 1, sizeof **forces);
	for (size_t i = 0; i < cov.n; i++)
		if (on[i] || !found)
			(*forces)[(*nforces)++] = xstrdup(cov.f[i].force);
	rc = 0;
out:
	free(on);
	spans_free(&spans);
	stats_cov_free(&cov);
	return rc;
}

/* Marks area AR (id ID, 0 for all data) with the months missing for the
 * forces whose data it draws on: every force for all data, and for a town
 * centre the forces with crimes in it (all of them when it has none). */
static int mark_area(store *s, const rep_report *r, const gapset *g, const span_set *ss, long long id,
		     rep_area *ar)
{
	if (!g->any)
		return 0;
	size_t nf = g->cov->n;
	unsigned char *on = xcalloc(nf, 1), *care = xcalloc(nf, 1);
	for (size_t i = 0; i < nf; i++)
		care[i] = g->miss[i] != 0;
	int found = id > 0 && nf > 1 ? area_forces(s, ss, care, id, on) : 0;
	free(care);
	if (found < 0) {
		free(on);
		return -1;
	}
	unsigned long miss = 0;
	for (size_t i = 0; i < nf; i++)
		if (on[i] || !found) {
			miss |= g->miss[i];
			add_gaps(&ar->gaps, &ar->ngaps, g->cov->f[i].force, g->miss[i], g->first);
		}
	free(on);
	for (int k = 0; k < REP_SERIES; k++)
		ar->series_missing[k] = (miss & (1UL << k)) != 0;
	for (int w = 0; w < REP_WINDOWS; w++) {
		const int from[2] = {r->span[w].from, r->span[w].cmp_from}, to[2] = {r->span[w].to, r->span[w].cmp_to};
		unsigned bits = 0;
		for (int side = 0; side < 2; side++) {
			rep_side *sd = &ar->cover[w][side];
			for (int m = from[side]; m <= to[side]; m++)
				if (m >= g->first && m - g->first < REP_SERIES && (miss & (1UL << (m - g->first))) &&
				    sd->nmissing < REP_WINDOW_MAX)
					sd->missing[sd->nmissing++] = m;
			if (sd->nmissing)
				bits |= side == REP_SIDE_CURRENT ? REP_MISSING_CURRENT : REP_MISSING_COMPARISON;
		}
		for (size_t i = 0; bits && i < ar->nrows; i++)
			stats_mark(&ar->rows[i].fig[w], bits);
	}
	return 0;
}

/* The months from..to that police.uk API responses contribute rows to. */
typedef struct api_span {
	int from, to, n;
	strbuf list;
} api_span;

static int api_month(void *ctx, int month, long long crimes)
{
	api_span *a = ctx;
	if (month < a->from || month > a->to || crimes <= 0)
		return 0;
	char mm[8];
	ct_month_format(month, mm);
	sb_printf(&a->list, "%s%s", a->n++ ? ", " : "", mm);
	return 0;
}

/* A warning when street figures include saved API responses: each covers its
 * query's area for a month, not a force, so no file says the month is whole. */
static void check_api(store *s, rep_report *r)
{
	if (strcmp(r->dataset, "street") != 0)
		return;
	api_span a = {.from = r->month - (REP_SERIES - 1), .to = r->month};
	store_api_months_each(s, api_month, &a);
	if (a.n)
		add_warning(r, xasprintf("police.uk API responses: %d month%s of the windows and comparisons include "
					 "crimes from saved API responses, which cover only their query's area, not a "
					 "whole force (%s)", a.n, a.n == 1 ? "" : "s", a.list.buf));
	sb_release(&a.list);
}

static int any_api(void *ctx, int month, long long crimes)
{
	(void)month;
	*(int *)ctx |= crimes > 0;
	return 0;
}

/* ---- face-match offenders ---- */

/* The months a window's current (CMP = 0) or comparison (1) count covers. */
static void cell_span(const rep_report *r, int w, int cmp, int *from, int *to)
{
	*from = cmp ? r->span[w].cmp_from : r->span[w].from;
	*to = cmp ? r->span[w].cmp_to : r->span[w].to;
}

/* Whether offender row A counts a superset of what row B counts, over the
 * same sightings: then A - B is itself a count of people or sightings. */
static int row_nests(const rep_off_row *a, const rep_off_row *b)
{
	int measure = a->measure == b->measure || (a->measure == REP_OFF_SIGHTINGS && b->measure == REP_OFF_WATCHLIST) ||
		      (a->measure == REP_OFF_DISTINCT && b->measure == REP_OFF_REPEAT);
	return measure && (!a->confirmed || b->confirmed);
}

void stats_suppress(rep_report *r)
{
	long long k = r->suppress_below;
	for (size_t a = 0; a < r->nareas; a++)
		for (size_t i = 0; i < r->areas[a].noffenders; i++)
			memset(r->areas[a].offenders[i].sup, 0, sizeof r->areas[a].offenders[i].sup);
	if (k <= 0)
		return;
	/* primary: a count of 1 .. k - 1 */
	for (size_t a = 0; a < r->nareas; a++)
		for (size_t i = 0; i < r->areas[a].noffenders; i++) {
			rep_off_row *o = &r->areas[a].offenders[i];
			for (int w = 0; w < REP_WINDOWS; w++) {
				if (o->fig[w].cur > 0 && o->fig[w].cur < k)
					o->sup[w][0] = REP_SUP_SMALL;
				if (o->fig[w].cmp > 0 && o->fig[w].cmp < k)
					o->sup[w][1] = REP_SUP_SMALL;
			}
		}
	/* complementary: where one shown count contains another (a wider
	 * window, all matches against confirmed ones, sightings against
	 * watchlist matches, distinct against repeat offenders, All data
	 * against a town centre), their difference is a count too; when it is
	 * small, the contained cell is hidden and the total stays */
	for (size_t a = 0; a < r->nareas; a++)
		for (size_t b = 0; b < r->nareas; b++) {
			if (a != b && strcmp(r->areas[a].name, STATS_ALL_AREAS) != 0)
				continue;
			const rep_area *A = &r->areas[a];
			rep_area *B = &r->areas[b];
			for (size_t i = 0; i < A->noffenders; i++)
				for (size_t j = 0; j < B->noffenders; j++) {
					const rep_off_row *oa = &A->offenders[i];
					rep_off_row *ob = &B->offenders[j];
					if (!row_nests(oa, ob))
						continue;
					for (int wa = 0; wa < REP_WINDOWS; wa++)
						for (int ca = 0; ca < 2; ca++)
							for (int wb = 0; wb < REP_WINDOWS; wb++)
								for (int cb = 0; cb < 2; cb++) {
									int fa, ta, fb, tb;
									if (a == b && i == j && wa == wb && ca == cb)
										continue;
									if (oa->sup[wa][ca] || ob->sup[wb][cb])
										continue;
									cell_span(r, wa, ca, &fa, &ta);
									cell_span(r, wb, cb, &fb, &tb);
									if (fa > fb || ta < tb)
										continue;
									long long va = ca ? oa->fig[wa].cmp : oa->fig[wa].cur;
									long long vb = cb ? ob->fig[wb].cmp : ob->fig[wb].cur;
									if (va - vb > 0 && va - vb < k)
										ob->sup[wb][cb] = REP_SUP_SECONDARY;
								}
				}
		}
	/* a flag, z or p beside a withheld count would tell about it */
	for (size_t a = 0; a < r->nareas; a++)
		for (size_t i = 0; i < r->areas[a].noffenders; i++) {
			rep_off_row *o = &r->areas[a].offenders[i];
			for (int w = 0; w < REP_WINDOWS; w++)
				if (o->sup[w][0] || o->sup[w][1]) {
					o->fig[w].tested = 0;
					o->fig[w].flag = REP_FLAG_NONE;
					o->fig[w].z = o->fig[w].p = 0;
				}
		}
}

typedef struct run_filter {
	rep_report *r;
	int from, to;
} run_filter;

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static int collect_fm_run(void *ctx, const store_fm_run *x)
{
	run_filter *f = ctx;
	if (x->sightings == 0 || x->month_max < f->from || x->month_min > f->to)
		return 0;
	rep_report *r = f->r;
	r->fm_runs = xrealloc(r->fm_runs, (r->nfm_runs + 1) * sizeof *r->fm_runs);
	rep_fm_run *o = &r->fm_runs[r->nfm_runs++];
	memset(o, 0, sizeof *o);
	o->id = x->id;
	o->sightings = x->sightings;
	o->confirmed = x->confirmed;
	o->month_min = x->month_min;
	o->month_max = x->month_max;
	o->threshold = x->threshold;
	o->plugin = dup_or_null(x->plugin);
	o->version = dup_or_null(x->version);
	o->identity = dup_or_null(x->identity);
	o->similarity = dup_or_null(x->similarity);
	o->options = dup_or_null(x->options);
	o->plugin_sha256 = dup_or_null(x->plugin_sha256);
	o->inputs = dup_or_null(x->inputs);
	o->run_at = dup_or_null(x->run_at);
	if (x->model)
		o->model = xasprintf("%s%s%s", x->model, x->model_version ? " " : "", x->model_version ? x->model_version : "");
	if (x->gallery_name)
		o->gallery = xasprintf("%s%s%s%s%s", x->gallery_name, x->gallery_version ? ", " : "",
				       x->gallery_version ? x->gallery_version : "", x->gallery_hash ? ", " : "",
				       x->gallery_hash ? x->gallery_hash : "");
	return 0;
}

/* The offender rows of every area, their disclosure control, and the runs
 * they come from. */
static int build_offenders(store *s, rep_report *r, const stats_area_list *al, const stats_request *req)
{
	int fm = store_fm_present(s, NULL);
	if (fm <= 0)
		return fm;
	r->suppress_below = req->suppress_below;
	r->confirmed_only = req->confirmed_only;
	for (size_t a = 0; a < r->nareas; a++) {
		rep_area *ar = &r->areas[a];
		long long id = 0;
		for (size_t k = 0; k < al->n; k++)
			if (strcmp(al->names[k], ar->name) == 0)
				id = al->ids[k];
		ar->has_offenders = 1;
		for (int k = 0; k < REP_OFF_COUNT; k++)
			for (int conf = req->confirmed_only; conf <= 1; conf++) {
				rep_off_row *o = &ar->offenders[ar->noffenders++];
				o->measure = k;
				o->confirmed = conf;
				o->label = conf ? xasprintf("%s (confirmed)", rep_offender_label[k]) : xstrdup(rep_offender_label[k]);
			}
		for (int w = 0; w < REP_WINDOWS; w++)
			for (int conf = req->confirmed_only; conf <= 1; conf++) {
				long long cur[REP_OFF_COUNT], cmp[REP_OFF_COUNT];
				if (store_fm_counts(s, id, r->span[w].from, r->span[w].to, conf, cur) != 0 ||
				    store_fm_counts(s, id, r->span[w].cmp_from, r->span[w].cmp_to, conf, cmp) != 0)
					return -1;
				for (size_t i = 0; i < ar->noffenders; i++)
					if (ar->offenders[i].confirmed == conf)
						ar->offenders[i].fig[w] =
							stats_fig(cur[ar->offenders[i].measure], cmp[ar->offenders[i].measure]);
			}
	}
	run_filter f = {r, r->month, r->month};
	for (int w = 0; w < REP_WINDOWS; w++) {
		f.from = r->span[w].from < f.from ? r->span[w].from : f.from;
		f.from = r->span[w].cmp_from < f.from ? r->span[w].cmp_from : f.from;
	}
	if (store_fm_runs_each(s, collect_fm_run, &f) != 0)
		return -1;
	return 0;
}

/* The name the months of saved API responses go under when they stand in
 * for a coverage (see api_coverage). */
#define API_COVERAGE "police.uk API responses"

static int api_cov_add(void *ctx, int month, long long crimes)
{
	return crimes > 0 ? stats_cov_add(ctx, "street", API_COVERAGE, month) : 0;
}

/* Street data from saved API responses alone: no force's file claims a month,
 * so the months some response covers stand in for a coverage, and a window
 * reaching months no response covers is incomplete, not a run of zeros (an
 * Infinity or -100.0% that only says the data stop).  Responses never make
 * a month complete where a force's files exist.  0, or -1 on a database error. */
static int api_coverage(store *s, stats_coverage *c)
{
	if (c->n || strcmp(c->kind, "street") != 0)
		return 0;
	return store_api_months_each(s, api_cov_add, c);
}

const char *stats_dataset(store *s, const taxonomy *t, const char *requested, char *err, size_t errlen)
{
	const char *dataset = requested;
	if (!dataset) {
		const char *pref = tax_dataset(t);
		const char *other = pref && strcmp(pref, "street") == 0 ? "force" : "street";
		if (pref && store_kind_count(s, pref) > 0)
			dataset = pref;
		else if (store_kind_count(s, other) > 0)
			dataset = other;
		else if (!pref && store_kind_count(s, "force") > 0)
			dataset = "force";
	}
	if (!dataset || store_kind_count(s, dataset) <= 0) {
		snprintf(err, errlen, "no %s in the database yet (see crimetab import --help)",
			 dataset ? rep_dataset_label(dataset) : "crimes");
		return NULL;
	}
	return dataset;
}

rep_report *stats_build(store *s, const taxonomy *t, const stats_request *req, ct_status *why, char *err,
			size_t errlen)
{
	ct_status dummy;
	if (!why)
		why = &dummy;
	*why = CT_EDATA;
	const char *dataset = stats_dataset(s, t, req->dataset, err, errlen);
	if (!dataset)
		return NULL;
	stats_coverage cov = {.kind = dataset};
	if (store_coverage_each(s, stats_cov_add, &cov) != 0) {
		snprintf(err, errlen, "database error: %s", store_errmsg(s));
		*why = CT_EDB;
		stats_cov_free(&cov);
		return NULL;
	}
	char *reason = NULL;
	int month = req->month;
	if (month < 0)
		month = pick_latest(&cov, req->compare, req->allow_missing, &reason);
	int api = 0;
	if (month < 0 && strcmp(dataset, "street") == 0)
		store_api_months_each(s, any_api, &api);
	if (month < 0 && api) {
		snprintf(err, errlen, "only police.uk API responses hold street data: each covers its query's area, "
				      "not a whole force, so no month is known to be complete; give --month YYYY-MM");
		stats_cov_free(&cov);
		return NULL;
	}
	if (month < 0) {
		snprintf(err, errlen, "no %s in the database yet", rep_dataset_label(dataset));
		stats_cov_free(&cov);
		return NULL;
	}
	if (api_coverage(s, &cov) != 0) {
		snprintf(err, errlen, "database error: %s", store_errmsg(s));
		*why = CT_EDB;
		free(reason);
		stats_cov_free(&cov);
		return NULL;
	}
	stats_area_list al = {0};
	rep_report *r = xcalloc(1, sizeof *r);
	r->month = month;
	r->month_reason = reason;
	r->compare = req->compare;
	r->taxonomy = xstrdup(tax_name(t));
	r->dataset = xstrdup(dataset);
	r->generated_at = build_time();
	stats_spans(month, req->compare, r->span);
	gapset gaps = {.cov = &cov, .miss = xcalloc(cov.n ? cov.n : 1, sizeof *gaps.miss),
		       .first = month - (REP_SERIES - 1)};
	for (size_t i = 0; i < cov.n; i++) {
		gaps.miss[i] = cov_missing(&cov.f[i], gaps.first);
		gaps.any |= gaps.miss[i];
	}
	report_gaps(r, &gaps);
	/* which forces a town centre draws on matters only when some force has a gap */
	span_set spans = {.cov = &cov, .dataset = dataset};
	if (gaps.any && cov.n > 1 && spans_load(s, &spans) != 0)
		goto db_error;
	if (stats_area_list_load(s, &al) != 0)
		goto db_error;
	size_t want = (req->areas ? req->nareas : al.n) + (req->include_all ? 1 : 0);
	r->areas = xcalloc(want ? want : 1, sizeof *r->areas);
	if (req->include_all) {
		rep_area *ar = &r->areas[r->nareas++];
		if (build_area(s, t, dataset, 0, STATS_ALL_AREAS, r, ar) != 0 || mark_area(s, r, &gaps, &spans, 0, ar) != 0)
			goto db_error;
	}
	for (size_t i = 0; i < (req->areas ? req->nareas : al.n); i++) {
		const char *name = req->areas ? req->areas[i] : al.names[i];
		long long id = -1;
		for (size_t k = 0; k < al.n; k++)
			if (strcmp(al.names[k], name) == 0)
				id = al.ids[k];
		if (id < 0 && strcmp(name, STATS_ALL_AREAS) == 0)
			id = 0;
		if (id < 0) {
			snprintf(err, errlen, "no area named \"%s\" (see crimetab areas list)", name);
			*why = CT_EUSAGE;
			goto fail;
		}
		rep_area *ar = &r->areas[r->nareas++];
		if (build_area(s, t, dataset, id, name, r, ar) != 0 || mark_area(s, r, &gaps, &spans, id, ar) != 0)
			goto db_error;
	}
	if (build_offenders(s, r, &al, req) != 0)
		goto db_error;
	stats_significance(r, req->significance, req->alpha, req->highlight_rows, req->nhighlight_rows);
	/* after the tests: a withheld offender figure carries no flag, z or p */
	stats_suppress(r);
	source_filter sf = {r, month - (REP_SERIES - 1), month};
	if (store_sources_each(s, collect_source, &sf) != 0)
		goto db_error;
	check_api(s, r);
	stats_area_list_release(&al);
	free(gaps.miss);
	spans_free(&spans);
	stats_cov_free(&cov);
	*why = CT_OK;
	return r;
db_error:
	snprintf(err, errlen, "database error: %s", store_errmsg(s));
	*why = CT_EDB;
fail:
	stats_area_list_release(&al);
	free(gaps.miss);
	spans_free(&spans);
	stats_cov_free(&cov);
	rep_report_free(r);
	return NULL;
}
