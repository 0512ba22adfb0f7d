/* bench-xlsx: writes the workbook of a report of many areas (7,000 by
 * default: the neighbourhoods of one national month), built in memory with
 * the police-uk taxonomy's shape, so that `make bench` measures the XLSX
 * writer alone.  Run it under tests/bench/measure for time and peak RSS;
 * --layout none builds the model only (the baseline to subtract). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util.h"
#include "report/export.h"

static const char usage[] =
	"usage: bench-xlsx OUT.xlsx [--areas N] [--layout auto|sheets|long|none]\n"
	"Builds a report model of N areas (default 7000) x the police-uk taxonomy's rows\n"
	"and writes it as XLSX in LAYOUT (default auto, as crimetab report chooses);\n"
	"prints the seconds taken to stderr.\n";

/* The police-uk taxonomy's rows: depth, label, flags. */
static const struct {
	int depth;
	const char *label;
	unsigned flags;
} shape[] = {
	{0, "Victim Based Crime", REP_ROW_GROUP},
	{1, "Violence and sexual offences", REP_ROW_APPROX},
	{1, "Theft Offences", REP_ROW_GROUP},
	{2, "Shoplifting", 0},
	{2, "Other theft", REP_ROW_APPROX},
	{2, "Burglary", REP_ROW_APPROX},
	{2, "Vehicle crime", REP_ROW_APPROX},
	{2, "Bicycle theft", 0},
	{2, "Theft from the person", 0},
	{1, "Criminal damage and arson", REP_ROW_APPROX},
	{1, "Robbery", 0},
	{0, "Non victim based", REP_ROW_GROUP},
	{1, "Public order", REP_ROW_APPROX},
	{1, "Drugs", REP_ROW_APPROX},
	{1, "Other crime", REP_ROW_APPROX},
	{1, "Possession of weapons", REP_ROW_APPROX},
	{0, "Anti-social behaviour", REP_ROW_OUTSIDE_TOTAL},
	{0, "Total", REP_ROW_TOTAL},
};
enum { NSHAPE = sizeof shape / sizeof shape[0] };

static unsigned long long rng = 88172645463325252ULL;

static unsigned next(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static rep_fig fig(long long cur, long long cmp)
{
	rep_fig f = {.cur = cur, .cmp = cmp, .diff = cur - cmp};
	if (cmp)
		f.pct_kind = REP_PCT_VALUE, f.pct = (double)f.diff * 100.0 / (double)cmp;
	else
		f.pct_kind = cur ? REP_PCT_INFINITY : REP_PCT_NONE;
	return f;
}

static rep_report *build(size_t nareas)
{
	static const int months[REP_WINDOWS] = {1, 6, 12};
	rep_report *r = xcalloc(1, sizeof *r);
	r->month = CT_MONTH(2024, 10);
	for (int w = 0; w < REP_WINDOWS; w++) {
		r->span[w].to = r->month;
		r->span[w].from = r->month - months[w] + 1;
		r->span[w].cmp_to = r->span[w].to - 12;
		r->span[w].cmp_from = r->span[w].from - 12;
	}
	r->taxonomy = xstrdup("police.uk");
	r->dataset = xstrdup("street");
	r->generated_at = (long long)time(NULL);
	r->areas = xcalloc(nareas, sizeof *r->areas);
	for (size_t a = 0; a < nareas; a++) {
		rep_area *ar = &r->areas[r->nareas++];
		ar->name = a == 0 ? xstrdup("All data")
				  : xasprintf("Neighbourhood %04zu Town Centre (Ward %04zu North)", a, a % 997);
		ar->rows = xcalloc(NSHAPE, sizeof *ar->rows);
		int parent[4] = {-1, -1, -1, -1};
		for (size_t i = 0; i < NSHAPE; i++) {
			rep_row *rw = &ar->rows[ar->nrows++];
			rw->label = xstrdup(shape[i].label);
			rw->depth = shape[i].depth;
			rw->flags = shape[i].flags;
			rw->parent = rw->depth ? parent[rw->depth - 1] : -1;
			parent[rw->depth] = (int)i;
			rw->path = rw->parent >= 0 ? xasprintf("%s > %s", ar->rows[rw->parent].path, rw->label)
						   : xstrdup(rw->label);
			if (rw->flags & REP_ROW_APPROX)
				rw->note = xstrdup("stands for more than one Home Office category");
			long long base = 1 + next(40);
			for (int k = 0; k < REP_SERIES; k++)
				rw->series[k] = base + next(10);
			for (int w = 0; w < REP_WINDOWS; w++)
				rw->fig[w] = fig(base * months[w] + next(8), base * months[w] + next(8));
		}
	}
	r->nsources = 43 * REP_SERIES;
	r->sources = xcalloc(r->nsources, sizeof *r->sources);
	for (size_t i = 0; i < r->nsources; i++) {
		rep_source *s = &r->sources[i];
		int m = r->month - (int)(i % REP_SERIES);
		char mm[8];
		ct_month_format(m, mm);
		s->path = xasprintf("downloads/%s/%s-force-%02zu-street.csv", mm, mm, i / REP_SERIES);
		s->kind = xstrdup("street");
		s->force = xasprintf("Force %02zu", i / REP_SERIES);
		s->imported_at = xstrdup("2024-11-05 06:30:00");
		s->month_min = s->month_max = m;
		s->rows = 10000 + next(5000);
		s->sha256 = xstrdup("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
	}
	return r;
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	size_t nareas = 7000;
	const char *layout = "auto", *out = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--areas") == 0 && i + 1 < argc)
			nareas = (size_t)strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--layout") == 0 && i + 1 < argc)
			layout = argv[++i];
		else if (argv[i][0] != '-' && !out)
			out = argv[i];
		else {
			fputs(usage, stderr);
			return 2;
		}
	}
	int lay = -1;
	for (int i = 0; i < 3; i++)
		if (strcmp(layout, rep_xlsx_layout_name[i]) == 0)
			lay = i;
	if (!out || nareas == 0 || (lay < 0 && strcmp(layout, "none") != 0)) {
		fputs(usage, stderr);
		return 2;
	}
	double t0 = now();
	rep_report *r = build(nareas);
	double t1 = now();
	int rc = 0;
	char err[512] = "";
	if (strcmp(layout, "none") != 0)
		rc = rep_write_xlsx_layout(r, out, lay, err, sizeof err);
	double t2 = now();
	if (rc != 0)
		fprintf(stderr, "bench-xlsx: %s\n", err);
	fprintf(stderr, "bench-xlsx: %zu areas, model %.2f s, %s workbook %.2f s\n", nareas, t1 - t0,
		lay < 0 ? "no" : rep_xlsx_layout_name[rep_xlsx_layout_for(lay, nareas)], t2 - t1);
	rep_report_free(r);
	return rc ? 1 : 0;
}
