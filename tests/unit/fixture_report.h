/* A small hand-made report model for exporter and TUI tests: two areas, one
 * with a hostile over-long name and a formula-looking label, and every kind
 * of cell the paper has (blanks, 0, Infinity, -100.0%, groups, Unknown). */
#ifndef CRIMETAB_FIXTURE_REPORT_H
#define CRIMETAB_FIXTURE_REPORT_H

#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "report/model.h"

#define FX_MONTH CT_MONTH(2024, 9)
/* 45 characters, with all of | " : [ ] & in it */
#define FX_AREA0 "Stockton | \"Town\" Centre: [x] & High Street"
#define FX_AREA1 "Norton Central"
#define FX_HOSTILE "=cmd|' /C calc'!A0"
#define FX_QUOTED "Criminal Damage, \"Arson\""
#define FX_NOTE "police.uk \"Criminal damage and arson\" covers both Home Office categories"
#define FX_PLUGIN "facematch-embeddings"
#define FX_PLUGIN_SHA "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* A leaf's counts: current and comparison for month, 6 and 12 months. */
typedef struct fx_def {
	int depth;
	unsigned flags;
	const char *label;
	long long cur[REP_WINDOWS], cmp[REP_WINDOWS];
	const char *note;
} fx_def;

/* The figures as stats_fig defines them (the fixture must not depend on stats/). */
static rep_fig fx_fig(long long cur, long long cmp)
{
	rep_fig f = {.cur = cur, .cmp = cmp, .diff = cur - cmp, .pct_kind = REP_PCT_NONE};
	if (cmp != 0) {
		f.pct_kind = REP_PCT_VALUE;
		f.pct = (double)(cur - cmp) / (double)cmp * 100.0;
	} else if (cur != 0) {
		f.pct_kind = REP_PCT_INFINITY;
	}
	return f;
}

/* Leaves take their counts from DEFS; groups are the sums of their children
 * and Total the sum of the top-level rows not outside the total. */
static void fx_area(rep_area *ar, const char *name, const fx_def *defs, size_t n)
{
	long long cur[64][REP_WINDOWS] = {{0}}, cmp[64][REP_WINDOWS] = {{0}};
	int stack[16] = {0};
	ar->name = xstrdup(name);
	ar->nrows = n;
	ar->rows = xcalloc(n, sizeof *ar->rows);
	for (size_t i = 0; i < n; i++) {
		rep_row *rw = &ar->rows[i];
		rw->label = xstrdup(defs[i].label);
		rw->depth = defs[i].depth;
		rw->flags = defs[i].flags;
		rw->note = defs[i].note ? xstrdup(defs[i].note) : NULL;
		rw->parent = rw->depth > 0 ? stack[rw->depth - 1] : -1;
		stack[rw->depth] = (int)i;
		rw->path = rw->parent >= 0 ? xasprintf("%s > %s", ar->rows[rw->parent].path, rw->label)
					   : xstrdup(rw->label);
		if (!(rw->flags & (REP_ROW_GROUP | REP_ROW_TOTAL))) {
			memcpy(cur[i], defs[i].cur, sizeof cur[i]);
			memcpy(cmp[i], defs[i].cmp, sizeof cmp[i]);
			for (int k = 0; k < REP_SERIES; k++)
				rw->series[k] = k == REP_SERIES - 1 ? defs[i].cur[0] : (long long)((k * 7 + i * 3) % 11);
		}
	}
	/* children come after their parents, so a backward pass sums bottom-up */
	for (size_t i = n; i-- > 0;) {
		rep_row *rw = &ar->rows[i];
		int to = rw->parent;
		if (rw->flags & REP_ROW_TOTAL)
			continue;
		if (to < 0) {
			if (rw->flags & REP_ROW_OUTSIDE_TOTAL)
				continue;
			to = (int)n - 1; /* the Total row closes every fixture area */
		}
		for (int w = 0; w < REP_WINDOWS; w++) {
			cur[to][w] += cur[i][w];
			cmp[to][w] += cmp[i][w];
		}
		for (int k = 0; k < REP_SERIES; k++)
			ar->rows[to].series[k] += rw->series[k];
	}
	for (size_t i = 0; i < n; i++)
		for (int w = 0; w < REP_WINDOWS; w++)
			ar->rows[i].fig[w] = fx_fig(cur[i][w], cmp[i][w]);
}

static rep_report *fixture_report(void)
{
	static const fx_def stockton[] = {
		{0, REP_ROW_GROUP, "Victim Based Crime", {0}, {0}, NULL},
		{1, REP_ROW_GROUP, "Violence", {0}, {0}, NULL},
		{2, 0, "Violence Without Injury", {18, 69, 128}, {8, 79, 155}, NULL},
		{2, 0, "Homicide", {0, 0, 0}, {0, 1, 1}, NULL},
		{1, REP_ROW_GROUP, "Theft Offences", {0}, {0}, NULL},
		{2, 0, "Shoplifting", {6, 35, 82}, {0, 32, 86}, NULL},
		{2, 0, "Bicycle Theft", {1, 3, 9}, {1, 14, 20}, NULL},
		{1, REP_ROW_APPROX, FX_QUOTED, {11, 55, 141}, {6, 85, 204}, FX_NOTE},
		{0, 0, FX_HOSTILE, {2, 2, 3}, {0, 1, 1}, NULL},
		{0, REP_ROW_UNKNOWN, "Unknown", {0, 0, 0}, {0, 0, 1}, NULL},
		{0, REP_ROW_TOTAL, "Total", {0}, {0}, NULL},
	};
	static const fx_def norton[] = {
		{0, REP_ROW_GROUP, "Victim Based Crime", {0}, {0}, NULL},
		{1, 0, "Theft Offences", {8, 21, 42}, {4, 35, 76}, NULL},
		{1, 0, "Sexual Offences", {0, 3, 10}, {0, 3, 8}, NULL},
		{0, REP_ROW_GROUP, "Non victim based", {0}, {0}, NULL},
		{1, 0, "Drug Offences", {0, 1, 3}, {1, 4, 5}, NULL},
		{0, REP_ROW_OUTSIDE_TOTAL, "Anti-social behaviour", {5, 30, 70}, {7, 28, 70}, NULL},
		{0, REP_ROW_TOTAL, "Total", {0}, {0}, NULL},
	};
	static const long long off_cur[REP_OFF_COUNT][REP_WINDOWS] = {{12, 60, 130}, {5, 20, 41}, {2, 8, 15}, {0, 1, 2}};
	static const long long off_cmp[REP_OFF_COUNT][REP_WINDOWS] = {{10, 55, 0}, {5, 25, 40}, {0, 9, 14}, {0, 0, 2}};

	rep_report *r = xcalloc(1, sizeof *r);
	r->month = FX_MONTH;
	r->compare = REP_COMPARE_YOY;
	static const int months[REP_WINDOWS] = {1, 6, 12};
	for (int w = 0; w < REP_WINDOWS; w++) {
		r->span[w].to = FX_MONTH;
		r->span[w].from = FX_MONTH - months[w] + 1;
		r->span[w].cmp_to = r->span[w].to - 12;
		r->span[w].cmp_from = r->span[w].from - 12;
	}
	r->taxonomy = xstrdup("home-office");
	r->generated_at = 1728109800; /* 2024-10-05 06:30:00 UTC */
	r->dataset = xstrdup("force");
	r->nareas = 2;
	r->areas = xcalloc(r->nareas, sizeof *r->areas);
	fx_area(&r->areas[0], FX_AREA0, stockton, sizeof stockton / sizeof stockton[0]);
	fx_area(&r->areas[1], FX_AREA1, norton, sizeof norton / sizeof norton[0]);
	rep_area *n = &r->areas[1];
	n->has_offenders = 1;
	/* each measure over all matches, then over the confirmed half */
	for (int k = 0; k < REP_OFF_COUNT; k++)
		for (int conf = 0; conf <= 1; conf++) {
			rep_off_row *o = &n->offenders[n->noffenders++];
			o->measure = k;
			o->confirmed = conf;
			o->label = conf ? xasprintf("%s (confirmed)", rep_offender_label[k]) : xstrdup(rep_offender_label[k]);
			for (int w = 0; w < REP_WINDOWS; w++)
				o->fig[w] = fx_fig(off_cur[k][w] >> conf, off_cmp[k][w] >> conf);
		}
	r->nfm_runs = 1;
	r->fm_runs = xcalloc(1, sizeof *r->fm_runs);
	r->fm_runs[0] = (rep_fm_run){3, 412, 80, CT_MONTH(2022, 10), FX_MONTH, 0.6, xstrdup(FX_PLUGIN), xstrdup("1.1.0"),
				     xstrdup("persistent"), xstrdup("synthetic-gaussian 1"), xstrdup("cosine"),
				     xstrdup("watchlist.jsonl, 12 entries, sha256:feed"), xstrdup("threshold=0.6;dim=128"),
				     xstrdup(FX_PLUGIN_SHA), xstrdup("sightings.jsonl sha256:beef\nwatchlist.jsonl sha256:feed"),
				     xstrdup("2024-10-05T06:30:00Z")};

	r->nwarnings = 1;
	r->warnings = xcalloc(1, sizeof *r->warnings);
	r->warnings[0] = xstrdup("no force export for Cleveland in 2023-02: the 12-month comparison is incomplete");
	r->nsources = 2;
	r->sources = xcalloc(r->nsources, sizeof *r->sources);
	r->sources[0] = (rep_source){xstrdup("sample-data/force/cleveland-2022-10-to-2024-09.csv"), xstrdup("force"),
				     xstrdup("Cleveland"), xstrdup("2024-10-02 09:14:07"), CT_MONTH(2022, 10),
				     FX_MONTH, 10770,
				     xstrdup("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")};
	r->sources[1] = (rep_source){xstrdup("/srv/policeuk/2024-09/2024-09-cleveland-street.csv"), xstrdup("street"),
				     xstrdup("cleveland"), xstrdup("2024-10-03 07:00:00"), FX_MONTH, FX_MONTH, 5312,
				     xstrdup("")};
	return r;
}

/* Area 1 (Norton Central) made to rest on missing months, as stats_build
 * marks it: Cleveland Police has no data for 2023-08 (in the 6- and 12-month
 * comparisons), Durham Constabulary none for 2024-05 (in the 6- and 12-month
 * windows).  The selected month stays complete. */
static inline void fx_mark_incomplete(rep_report *r)
{
	rep_area *ar = &r->areas[1];
	ar->ngaps = 2;
	ar->gaps = xcalloc(2, sizeof *ar->gaps);
	ar->gaps[0] = (rep_gap){xstrdup("Cleveland Police"), CT_MONTH(2023, 8), CT_MONTH(2023, 8)};
	ar->gaps[1] = (rep_gap){xstrdup("Durham Constabulary"), CT_MONTH(2024, 5), CT_MONTH(2024, 5)};
	r->ngaps = 2;
	r->gaps = xcalloc(2, sizeof *r->gaps);
	for (int i = 0; i < 2; i++)
		r->gaps[i] = (rep_gap){xstrdup(ar->gaps[i].force), ar->gaps[i].from, ar->gaps[i].to};
	for (int w = 1; w < REP_WINDOWS; w++) {
		ar->cover[w][REP_SIDE_CURRENT].nmissing = 1;
		ar->cover[w][REP_SIDE_CURRENT].missing[0] = CT_MONTH(2024, 5);
		ar->cover[w][REP_SIDE_COMPARISON].nmissing = 1;
		ar->cover[w][REP_SIDE_COMPARISON].missing[0] = CT_MONTH(2023, 8);
		for (size_t i = 0; i < ar->nrows; i++) {
			rep_fig *f = &ar->rows[i].fig[w];
			f->missing = REP_MISSING_CURRENT | REP_MISSING_COMPARISON;
			f->pct_kind = REP_PCT_NONE;
			f->pct = 0;
		}
	}
	ar->series_missing[REP_SERIES - 1 - 4] = 1;  /* 2024-05 */
	ar->series_missing[REP_SERIES - 1 - 13] = 1; /* 2023-08 */
}

/* What the exporter WRITE makes of R, as a string the caller frees; the
 * test fails if it reports an error (include this after <cmocka.h>). */
static inline char *fx_render(int (*write)(const rep_report *, FILE *), const rep_report *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(write(r, f), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

#endif
