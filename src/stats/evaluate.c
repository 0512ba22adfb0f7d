/* crimetab evaluate's figures.  Named areas are counted from the monthly
 * cube; buffers in metres from the located crimes near the areas, each
 * measured against the area polygons (areas/).  Months missing from the
 * data stop the test, never the counts. */
#include "stats/evaluate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "areas/areas.h"
#include "core/util.h"
#include "report/model.h"
#include "stats/coverage.h"
#include "stats/signif.h"
#include "stats/stats.h"

/* ---- which crimes count: one taxonomy row and its children, or the Total ---- */

typedef struct row_filter {
	const taxonomy *t;
	int row; /* node index; -1: every row inside the Total */
	char **cats; /* source categories seen, and whether they count */
	unsigned char *in;
	size_t n;
} row_filter;

static int filter_has(row_filter *f, const char *category)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->cats[i], category) == 0)
			return f->in[i];
	int node = (int)tax_classify(f->t, category), hit = 0;
	if (f->row < 0) {
		while (tax_node_at(f->t, (size_t)node)->parent >= 0)
			node = tax_node_at(f->t, (size_t)node)->parent;
		hit = !tax_node_at(f->t, (size_t)node)->outside_total;
	} else {
		for (; node >= 0 && !hit; node = tax_node_at(f->t, (size_t)node)->parent)
			hit = node == f->row;
	}
	f->cats = xrealloc(f->cats, (f->n + 1) * sizeof *f->cats);
	f->in = xrealloc(f->in, (f->n + 1) * sizeof *f->in);
	f->cats[f->n] = xstrdup(category);
	f->in[f->n++] = (unsigned char)hit;
	return hit;
}

static void filter_release(row_filter *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->cats[i]);
	free(f->cats);
	free(f->in);
}

/* Labels from the top down to node I, joined with " > " (caller frees). */
static char *node_path(const taxonomy *t, int i)
{
	const tax_node *nd = tax_node_at(t, (size_t)i);
	if (nd->parent < 0)
		return xstrdup(nd->label);
	char *up = node_path(t, nd->parent), *path = xasprintf("%s > %s", up, nd->label);
	free(up);
	return path;
}

/* The row CATEGORY names: a label, a path, or a source category the
 * taxonomy maps.  -1 for the Total; -2 with err set when there is none or
 * more than one. */
static int find_row(const taxonomy *t, const char *category, char *err, size_t errlen)
{
	if (!category || strcasecmp(category, "Total") == 0)
		return -1;
	int found = -1, count = 0;
	strbuf labels = {0}, paths = {0};
	for (size_t i = 0; i < tax_count(t); i++) {
		char *path = node_path(t, (int)i);
		const char *label = tax_node_at(t, i)->label;
		if (strcasecmp(label, category) == 0 || strcasecmp(path, category) == 0) {
			found = (int)i;
			sb_printf(&paths, "%s\"%s\"", count++ ? ", " : "", path);
		}
		sb_printf(&labels, "%s%s", i ? ", " : "", label);
		free(path);
	}
	if (count == 0) {
		size_t leaf = tax_classify(t, category);
		if (!tax_node_at(t, leaf)->unknown) {
			found = (int)leaf;
			count = 1;
		}
	}
	if (count != 1) {
		if (count == 0)
			snprintf(err, errlen, "--category: no row \"%s\" in taxonomy %s (rows: %s, or Total)", category,
				 tax_name(t), labels.buf);
		else
			snprintf(err, errlen, "--category: \"%s\" names %d rows; give one of %s", category, count, paths.buf);
		found = -2;
	}
	sb_release(&labels);
	sb_release(&paths);
	return found;
}

/* ---- areas ---- */

/* One group's areas, by id. */
typedef struct group {
	long long *ids;
	size_t n;
} group;

/* Looks up NAMES into G; -1 with err set for an unknown name. */
static int resolve(const stats_area_list *ix, const char *const *names, size_t n, group *g, char *err, size_t errlen)
{
	g->ids = xcalloc(n ? n : 1, sizeof *g->ids);
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;
		while (k < ix->n && strcmp(ix->names[k], names[i]) != 0)
			k++;
		if (k == ix->n) {
			snprintf(err, errlen, "unknown area \"%s\" (see crimetab areas list)", names[i]);
			return -1;
		}
		g->ids[g->n++] = ix->ids[k];
	}
	return 0;
}

static int group_has(const group *g, long long id)
{
	for (size_t i = 0; i < g->n; i++)
		if (g->ids[i] == id)
			return 1;
	return 0;
}

/* NAMES joined with " + ", after PREFIX. */
static char *join_names(const char *prefix, const char *const *names, size_t n)
{
	strbuf sb = {0};
	sb_puts(&sb, prefix);
	for (size_t i = 0; i < n; i++)
		sb_printf(&sb, "%s%s", i ? " + " : "", names[i]);
	return sb_detach(&sb);
}

/* ---- counting ---- */

/* 0 for the months before, 1 for after, -1 for neither. */
static int period_of(const rep_eval *e, int month)
{
	if (month >= e->pre_from && month <= e->pre_to)
		return 0;
	if (month >= e->post_from && month <= e->post_to)
		return 1;
	return -1;
}

typedef struct cube_count {
	row_filter *f;
	const rep_eval *e;
	long long n[2];
} cube_count;

static int cube_cell(void *ctx, int month, const char *category, long long n)
{
	cube_count *c = ctx;
	int per = period_of(c->e, month);
	if (per >= 0 && filter_has(c->f, category))
		c->n[per] += n;
	return 0;
}

/* Crimes of the row before and after in the areas of G, from the cube. */
static int count_group(store *s, const char *dataset, const group *g, row_filter *f, const rep_eval *e,
		       rep_ev_group *out)
{
	cube_count c = {f, e, {0, 0}};
	for (size_t i = 0; i < g->n; i++)
		if (store_cube_each(s, g->ids[i], dataset, e->pre_from, e->post_to, cube_cell, &c) != 0)
			return -1;
	out->present = 1;
	out->pre = c.n[0];
	out->post = c.n[1];
	return 0;
}

/* Buffers in metres: every located crime near the treated or control areas
 * is tested against each polygon. */
typedef struct buffer_scan {
	row_filter *f;
	const rep_eval *e;
	const area_set *set;
	const group *g[2]; /* treated, control */
	double metres;
	long long n[2][2]; /* [group][period] */
	long long overlap; /* crimes in two groups at once */
	long long *hits;
	size_t maxhits;
} buffer_scan;

static int near_group(const buffer_scan *b, const group *g, double lon, double lat)
{
	for (size_t i = 0; i < g->n; i++) {
		double d = area_set_distance_m(b->set, g->ids[i], lon, lat);
		if (d >= 0 && d <= b->metres)
			return 1;
	}
	return 0;
}

static int scan_crime(void *ctx, const store_crime_at *c)
{
	buffer_scan *b = ctx;
	int per = period_of(b->e, c->month);
	if (per < 0 || !filter_has(b->f, c->category))
		return 0;
	size_t k = area_set_match(b->set, 1, c->lon, c->lat, c->lsoa_code, c->area_value, b->hits, b->maxhits);
	int in_area[2] = {0, 0}, in_buf[2];
	for (size_t i = 0; i < k; i++)
		for (int r = 0; r < 2; r++)
			in_area[r] |= group_has(b->g[r], b->hits[i]);
	for (int r = 0; r < 2; r++) {
		in_buf[r] = !in_area[r] && near_group(b, b->g[r], c->lon, c->lat);
		b->n[r][per] += in_buf[r];
	}
	if ((in_buf[0] && (in_area[1] || in_buf[1])) || (in_buf[1] && in_area[0]))
		b->overlap++;
	return 0;
}

/* ---- completeness ---- */

/* One warning per force of C that lacks a month of the periods; the number
 * of forces with a gap. */
static int check_coverage(const stats_coverage *c, rep_eval *e)
{
	int gaps = 0;
	for (size_t i = 0; i < c->n; i++) {
		strbuf sb = {0};
		int missing = 0;
		for (int m = e->pre_from; m <= e->post_to; m++) {
			if (period_of(e, m) < 0 || stats_cov_has(&c->f[i], m))
				continue;
			char mm[8];
			ct_month_format(m, mm);
			sb_printf(&sb, "%s%s", missing++ ? ", " : "", mm);
		}
		if (missing) {
			char *w = xasprintf("%s: no %s imported for %d month%s the evaluation needs: %s", c->f[i].force,
					    rep_dataset_label(e->dataset), missing, missing == 1 ? "" : "s", sb.buf);
			rep_eval_warn(e, w);
			free(w);
			gaps++;
		}
		sb_release(&sb);
	}
	return gaps;
}

/* Reads into C the coverage of the forces the groups G draw on
 * (stats_area_forces): a force's missing months matter only where it
 * supplies the crimes.  A buffer in metres can reach over a force boundary,
 * so with one every force counts.  0, or -1 on a database error. */
static int load_coverage(store *s, const rep_eval *e, const group g[REP_EV_ROLES], stats_coverage *c)
{
	char **forces = NULL;
	size_t nforces = 0, nids = 0;
	int rc = 0;
	c->kind = e->dataset;
	if (e->buffer_m <= 0) {
		for (int r = 0; r < REP_EV_ROLES; r++)
			nids += g[r].n;
		long long *ids = xcalloc(nids ? nids : 1, sizeof *ids);
		nids = 0;
		for (int r = 0; r < REP_EV_ROLES; r++)
			for (size_t i = 0; i < g[r].n; i++)
				ids[nids++] = g[r].ids[i];
		rc = stats_area_forces(s, e->dataset, ids, nids, &forces, &nforces);
		free(ids);
		c->keep = forces;
		c->nkeep = nforces;
	}
	if (rc == 0)
		rc = store_coverage_each(s, stats_cov_add, c);
	c->keep = NULL;
	for (size_t i = 0; i < nforces; i++)
		free(forces[i]);
	free(forces);
	return rc;
}

/* ---- face-match offenders ---- */

typedef struct fm_spans {
	long long (*span)[2];
	size_t n;
} fm_spans;

static int fm_span(void *ctx, const store_fm_run *r)
{
	fm_spans *f = ctx;
	f->span = xrealloc(f->span, (f->n + 1) * sizeof *f->span);
	f->span[f->n][0] = r->from;
	f->span[f->n++][1] = r->to;
	return 0;
}

/* The first month of the periods that no run covered entirely, or -1. */
static int fm_uncovered_month(const rep_eval *e, const fm_spans *f)
{
	for (int m = e->pre_from; m <= e->post_to; m++) {
		if (period_of(e, m) < 0)
			continue;
		/* extend from the month's start through runs that touch it */
		long long at = ct_uk_month_start(m), end = ct_uk_month_start(m + 1);
		for (int moved = 1; moved && at < end;) {
			moved = 0;
			for (size_t i = 0; i < f->n; i++)
				if (f->span[i][0] <= at && f->span[i][1] > at) {
					at = f->span[i][1];
					moved = 1;
				}
		}
		if (at < end)
			return m;
	}
	return -1;
}

static void run_test(rep_ev_test *t, const rep_eval *e, const char *nothing);

/* The offender test on G[] (one area each; named buffers or none). */
static int offenders_test(store *s, rep_eval *e, const group g[REP_EV_ROLES], const stats_eval_request *req)
{
	rep_ev_test *t = &e->offenders;
	e->has_offenders = 1;
	for (int r = 0; r < REP_EV_ROLES; r++)
		t->group[r].name = xstrdup(e->crimes.group[r].name ? e->crimes.group[r].name : "");
	char *plugins = NULL;
	int present = store_fm_present(s, &plugins);
	if (present < 0)
		return -1;
	e->offenders_source = plugins;
	if (!present) {
		t->untested = xstrdup("no face-match sightings are stored (see crimetab facematch --help)");
		return 0;
	}
	if (req->ntreated != 1 || req->ncontrol != 1 || req->ntreated_buffer > 1 || req->ncontrol_buffer > 1) {
		t->untested = xstrdup("the offender test takes one area per group: an offender seen in two areas of a "
				      "group would be counted twice");
		return 0;
	}
	fm_spans f = {0};
	if (store_fm_runs_each(s, fm_span, &f) != 0) {
		free(f.span);
		return -1;
	}
	int gap = fm_uncovered_month(e, &f);
	free(f.span);
	if (gap >= 0) {
		char mm[8];
		ct_month_format(gap, mm);
		t->untested = xasprintf("the face-match runs do not cover %s, which the periods need", mm);
		return 0;
	}
	for (int r = 0; r < REP_EV_ROLES; r++) {
		if (!g[r].n)
			continue;
		long long pre[REP_OFF_COUNT], post[REP_OFF_COUNT];
		if (store_fm_counts(s, g[r].ids[0], e->pre_from, e->pre_to, 0, pre) != 0 ||
		    store_fm_counts(s, g[r].ids[0], e->post_from, e->post_to, 0, post) != 0)
			return -1;
		t->group[r].present = 1;
		t->group[r].pre = pre[REP_OFF_DISTINCT];
		t->group[r].post = post[REP_OFF_DISTINCT];
	}
	/* disclosure control, as the reports': a count of 1 to k - 1 people is
	 * withheld, and so is every figure made from it, the test included */
	long long k = req->suppress_below;
	int withheld = 0;
	for (int r = 0; k > 0 && r < REP_EV_ROLES; r++) {
		rep_ev_group *gr = &t->group[r];
		if (!gr->present)
			continue;
		gr->sup_pre = gr->pre > 0 && gr->pre < k ? REP_SUP_SMALL : REP_SUP_NONE;
		gr->sup_post = gr->post > 0 && gr->post < k ? REP_SUP_SMALL : REP_SUP_NONE;
		withheld |= gr->sup_pre || gr->sup_post;
	}
	if (withheld)
		t->untested = xasprintf("a count from 1 to %lld is withheld (disclosure control, --suppress-below %lld), "
					"and a test on it would give it away",
					k - 1, k);
	if (req->buffer_m > 0)
		rep_eval_note(e, "The offender test has no buffers in metres: sightings are counted in named areas only.");
	run_test(t, e, "no offender was seen in these areas in either period");
	return 0;
}

/* ---- the test ---- */

static void run_test(rep_ev_test *t, const rep_eval *e, const char *nothing)
{
	int pre = e->pre_to - e->pre_from + 1, post = e->post_to - e->post_from + 1;
	double k = (double)post / pre;
	for (int r = 0; r < REP_EV_ROLES; r++) {
		t->group[r].pre_scaled = k * (double)t->group[r].pre;
		t->group[r].change = (double)t->group[r].post - t->group[r].pre_scaled;
	}
	if (t->untested)
		return;
	sig_wdd_counts c = {
		.t0 = t->group[REP_EV_TREATED].pre, .t1 = t->group[REP_EV_TREATED].post,
		.c0 = t->group[REP_EV_CONTROL].pre, .c1 = t->group[REP_EV_CONTROL].post,
		.dt0 = t->group[REP_EV_TREATED_BUFFER].pre, .dt1 = t->group[REP_EV_TREATED_BUFFER].post,
		.dc0 = t->group[REP_EV_CONTROL_BUFFER].pre, .dc1 = t->group[REP_EV_CONTROL_BUFFER].post,
		.pre = pre, .post = post,
	};
	sig_wdd w = sig_wdd_test(&c, 1 - e->alpha);
	if (w.se == 0) {
		t->untested = xstrdup(nothing);
		return;
	}
	stats_ev_set_wdd(t, &w, e->alpha);
}

void stats_ev_set_wdd(rep_ev_test *t, const sig_wdd *w, double alpha)
{
	t->tested = 1;
	t->local = w->local;
	t->local_se = w->local_se;
	t->displace = w->displace;
	t->displace_se = w->displace_se;
	t->est = w->est;
	t->se = w->se;
	t->z = w->z;
	t->p = w->p;
	t->lo = w->lo;
	t->hi = w->hi;
	t->significant = w->p < alpha;
}

/* ---- the evaluation ---- */

/* Checks that no area is in two groups; -1 with err set. */
static int check_disjoint(const group g[REP_EV_ROLES], const stats_area_list *ix, char *err, size_t errlen)
{
	for (int a = 0; a < REP_EV_ROLES; a++)
		for (size_t i = 0; i < g[a].n; i++)
			for (int b = a; b < REP_EV_ROLES; b++)
				for (size_t j = b == a ? i + 1 : 0; j < g[b].n; j++)
					if (g[a].ids[i] == g[b].ids[j]) {
						const char *name = "";
						for (size_t k = 0; k < ix->n; k++)
							if (ix->ids[k] == g[a].ids[i])
								name = ix->names[k];
						snprintf(err, errlen, "area \"%s\" is given twice (%s and %s): each area "
								      "belongs to one group",
							 name, rep_ev_role_label[a], rep_ev_role_label[b]);
						return -1;
					}
	return 0;
}

/* Counts the buffers in metres into E; -1 with err (and *WHY) set. */
static int count_buffers(store *s, rep_eval *e, const group g[REP_EV_ROLES], row_filter *f,
			 const stats_eval_request *req, ct_status *why, char *err, size_t errlen)
{
	area_set *set = area_set_from_store(s, err, errlen);
	if (!set) {
		*why = CT_EDB;
		return -1;
	}
	double box[4] = {1, 0, -1, 0};
	for (int r = 0; r < 2; r++) {
		const char *const *names = r == 0 ? req->treated : req->control;
		for (size_t i = 0; i < g[r].n; i++)
			if (area_set_box_m(set, g[r].ids[i], e->buffer_m, box) != 0) {
				snprintf(err, errlen, "--buffer: area \"%s\" is a list of LSOA codes or area values, with no "
						      "boundary to measure from; name buffer areas with --treated-buffer and "
						      "--control-buffer instead",
					 names[i]);
				area_set_free(set);
				*why = CT_EUSAGE;
				return -1;
			}
	}
	buffer_scan b = {.f = f, .e = e, .set = set, .g = {&g[0], &g[1]}, .metres = e->buffer_m};
	b.maxhits = area_set_count(set);
	b.hits = xcalloc(b.maxhits ? b.maxhits : 1, sizeof *b.hits);
	int rc = store_crimes_in_box_each(s, e->dataset, e->pre_from, e->post_to, box, scan_crime, &b);
	free(b.hits);
	area_set_free(set);
	if (rc != 0) {
		snprintf(err, errlen, "database error: %s", store_errmsg(s));
		*why = CT_EDB;
		return -1;
	}
	for (int r = 0; r < 2; r++) {
		rep_ev_group *gr = &e->crimes.group[REP_EV_TREATED_BUFFER + r];
		char *prefix = xasprintf("%g m around ", e->buffer_m);
		gr->present = 1;
		gr->name = join_names(prefix, r == 0 ? req->treated : req->control, r == 0 ? req->ntreated : req->ncontrol);
		gr->pre = b.n[r][0];
		gr->post = b.n[r][1];
		free(prefix);
	}
	if (b.overlap) {
		char *note = xasprintf("%lld crime%s fall in two groups at once (a buffer reaches into another group's "
				       "area or buffer) and count in both: a control further away, or a narrower "
				       "buffer, keeps the groups apart.",
				       b.overlap, b.overlap == 1 ? "" : "s");
		rep_eval_note(e, note);
		free(note);
	}
	rep_eval_note(e, "Crimes without a location (police.uk's \"No Location\") are never in a buffer.");
	return 0;
}

/* Fixes the periods from the request and LATEST, the latest month every
 * force the areas draw on has; -1 with err set. */
static int set_periods(rep_eval *e, const stats_eval_request *req, int latest, char *err, size_t errlen)
{
	int first_after = req->start + req->skip, post = req->post;
	if (post <= 0) {
		char a[8], b[8];
		ct_month_format(first_after, a);
		ct_month_format(latest, b);
		if (latest < first_after) {
			snprintf(err, errlen, "--start: the %s end in %s (the latest month every force the areas draw on "
					      "has), before %s: no months after the intervention to compare",
				 rep_dataset_label(e->dataset), b, a);
			return -1;
		}
		post = latest - first_after + 1;
		if (post > 12)
			post = 12;
	}
	int pre = req->pre > 0 ? req->pre : post;
	e->start = req->start;
	e->pre_from = req->start - pre;
	e->pre_to = req->start - 1;
	e->post_from = first_after;
	e->post_to = first_after + post - 1;
	if (pre != post) {
		char *note = xasprintf("The periods differ in length: counts before (%d months) are scaled by %d/%d to "
				       "the %d months after (Wheeler's weights for unequal periods), so every "
				       "difference is in crimes per %d months.",
				       pre, post, pre, post, post);
		rep_eval_note(e, note);
		free(note);
	}
	return 0;
}

rep_eval *stats_evaluate(store *s, const taxonomy *t, const stats_eval_request *req, ct_status *why, char *err,
			 size_t errlen)
{
	ct_status dummy;
	if (!why)
		why = &dummy;
	*why = CT_EUSAGE;
	if (!req->ntreated || !req->ncontrol) {
		snprintf(err, errlen, "an evaluation needs a treated area and a control area");
		return NULL;
	}
	if (req->buffer_m > 0 && (req->ntreated_buffer || req->ncontrol_buffer)) {
		snprintf(err, errlen, "give buffers in metres or as named areas, not both");
		return NULL;
	}
	if (!req->ntreated_buffer != !req->ncontrol_buffer) {
		snprintf(err, errlen, "named buffers come in pairs: one around the treated area(s) and one around the "
				      "control(s)");
		return NULL;
	}
	int row = find_row(t, req->category, err, errlen);
	if (row == -2)
		return NULL;
	const char *dataset = stats_dataset(s, t, req->dataset, err, errlen);
	if (!dataset) {
		*why = CT_EDATA;
		return NULL;
	}
	rep_eval *e = xcalloc(1, sizeof *e);
	e->category = xstrdup(row < 0 ? "Total" : tax_node_at(t, (size_t)row)->label);
	e->category_path = row < 0 ? xstrdup("Total") : node_path(t, row);
	e->taxonomy = xstrdup(tax_name(t));
	e->dataset = xstrdup(dataset);
	e->alpha = req->alpha;
	e->buffer_m = req->buffer_m > 0 ? req->buffer_m : 0;
	e->suppress_below = req->suppress_below > 0 ? req->suppress_below : 0;
	row_filter f = {.t = t, .row = row};
	stats_area_list ix = {0};
	group g[REP_EV_ROLES] = {{0}};
	const char *const *names[REP_EV_ROLES] = {req->treated, req->control, req->treated_buffer, req->control_buffer};
	const size_t counts[REP_EV_ROLES] = {req->ntreated, req->ncontrol, req->ntreated_buffer, req->ncontrol_buffer};
	stats_coverage cov = {0};
	if (stats_area_list_load(s, &ix) != 0)
		goto db_error;
	for (int r = 0; r < REP_EV_ROLES; r++)
		if (resolve(&ix, names[r], counts[r], &g[r], err, errlen) != 0)
			goto fail;
	if (check_disjoint(g, &ix, err, errlen) != 0)
		goto fail;
	if (load_coverage(s, e, g, &cov) != 0)
		goto db_error;
	if (set_periods(e, req, stats_cov_newest(&cov), err, errlen) != 0)
		goto fail;
	for (int r = 0; r < REP_EV_ROLES; r++) {
		if (!counts[r])
			continue;
		e->crimes.group[r].name = join_names("", names[r], counts[r]);
		if (count_group(s, dataset, &g[r], &f, e, &e->crimes.group[r]) != 0)
			goto db_error;
	}
	if (e->buffer_m > 0 && count_buffers(s, e, g, &f, req, why, err, errlen) != 0)
		goto fail;
	if (check_coverage(&cov, e))
		e->crimes.untested = xstrdup("the data lack months the periods need (see the warnings)");
	run_test(&e->crimes, e, "no crimes of this kind in these areas in either period");
	if (req->offenders && offenders_test(s, e, g, req) != 0)
		goto db_error;
	*why = CT_OK;
	goto out;
db_error:
	snprintf(err, errlen, "database error: %s", store_errmsg(s));
	*why = CT_EDB;
fail:
	rep_eval_free(e);
	e = NULL;
out:
	stats_cov_free(&cov);
	for (int r = 0; r < REP_EV_ROLES; r++)
		free(g[r].ids);
	stats_area_list_release(&ix);
	filter_release(&f);
	return e;
}
