/* The report model as one JSON document (cJSON) for pipelines: every figure,
 * flag, window span, source and warning, under a schema version. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util.h"
#include "core/version.h"
#include "report/export.h"
#include "report/jsonout.h"
#include "report/sigfmt.h"

/* Bump when a field changes meaning or goes away; adding one does not.
 * 2: figures carry their completeness; diff and pct are null when a window
 * lacks months; pct_kind.  The schema is docs/report.schema.json. */
#define SCHEMA_VERSION 2
#define OFFENDERS_GROUP "Offenders (face match)"

static cJSON *months_json(rep_json *j, const int *months, int n)
{
	cJSON *arr = cJSON_CreateArray();
	for (int i = 0; arr && i < n; i++)
		rep_json_push(j, arr, rep_json_month(months[i]));
	return arr;
}

/* A row's windows.  COVER: the area's completeness, or NULL for figures the
 * data's coverage does not bear on (offender measures).  OFF (may be NULL)
 * is the offender row the figures belong to: a figure its disclosure
 * control withholds is null, its *_text the mark ("<3", "[c]"), and its
 * pct_kind "withheld". */
static cJSON *windows_json(rep_json *j, const rep_fig *fig, const rep_side (*cover)[2], const rep_report *r,
			   const rep_off_row *off)
{
	cJSON *arr = cJSON_CreateArray();
	for (int w = 0; arr && w < REP_WINDOWS; w++) {
		const rep_fig *f = &fig[w];
		cJSON *o = cJSON_CreateObject();
		char cur[32], cmp[32], diff[32], pct[32];
		rep_fmt_cur(f, cur, sizeof cur);
		rep_fmt_diff(f, diff, sizeof diff);
		rep_fmt_pct(f, pct, sizeof pct);
		int hide_cur = off && rep_off_mark(r, off, w, REP_PART_CUR, cur, sizeof cur);
		int hide_cmp = off && rep_off_mark(r, off, w, REP_PART_CMP, cmp, sizeof cmp);
		int hide_diff = off && rep_off_mark(r, off, w, REP_PART_DIFF, diff, sizeof diff);
		int hide_pct = off && rep_off_mark(r, off, w, REP_PART_PCT, pct, sizeof pct);
		rep_json_add(j, o, "current", hide_cur ? cJSON_CreateNull() : cJSON_CreateNumber((double)f->cur));
		rep_json_add(j, o, "comparison", hide_cmp ? cJSON_CreateNull() : cJSON_CreateNumber((double)f->cmp));
		if (hide_cmp)
			rep_json_add(j, o, "comparison_text", cJSON_CreateString(cmp));
		rep_json_add(j, o, "diff",
			     f->missing || hide_diff ? cJSON_CreateNull() : cJSON_CreateNumber((double)f->diff));
		rep_json_add(j, o, "pct",
		    f->pct_kind == REP_PCT_VALUE && !hide_pct ? cJSON_CreateNumber(f->pct) : cJSON_CreateNull());
		rep_json_add(j, o, "pct_kind", cJSON_CreateString(hide_pct ? "withheld" : rep_pct_kind_name(f->pct_kind)));
		rep_json_add(j, o, "complete", cJSON_CreateBool(f->missing == 0));
		rep_json_add(j, o, "complete_current", cJSON_CreateBool(!(f->missing & REP_MISSING_CURRENT)));
		rep_json_add(j, o, "complete_comparison", cJSON_CreateBool(!(f->missing & REP_MISSING_COMPARISON)));
		/* both spans' missing months, in order: the comparison's come first */
		int months[2 * REP_WINDOW_MAX], n = 0;
		for (int side = REP_SIDE_COMPARISON; cover && side >= REP_SIDE_CURRENT; side--)
			for (int i = 0; i < cover[w][side].nmissing; i++)
				months[n++] = cover[w][side].missing[i];
		rep_json_add(j, o, "missing_months", months_json(j, months, n));
		rep_json_add(j, o, "current_text", cJSON_CreateString(cur));
		rep_json_add(j, o, "diff_text", cJSON_CreateString(diff));
		rep_json_add(j, o, "pct_text", cJSON_CreateString(pct));
		rep_json_add(j, o, "tested", cJSON_CreateBool(f->tested));
		rep_json_add(j, o, "z", f->tested ? cJSON_CreateNumber(f->z) : cJSON_CreateNull());
		rep_json_add(j, o, "p", f->tested ? cJSON_CreateNumber(f->p) : cJSON_CreateNull());
		rep_json_add(j, o, "significant",
			     f->tested ? cJSON_CreateBool(f->flag != REP_FLAG_NONE) : cJSON_CreateNull());
		rep_json_add(j, o, "flag",
			     f->flag == REP_FLAG_RISE   ? cJSON_CreateString("rise")
			     : f->flag == REP_FLAG_FALL ? cJSON_CreateString("fall")
							: cJSON_CreateNull());
		rep_json_push(j, arr, o);
	}
	return arr;
}

static cJSON *gaps_json(rep_json *j, const rep_gap *gaps, size_t n)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; arr && i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		rep_json_add(j, o, "force", cJSON_CreateString(gaps[i].force));
		rep_json_add(j, o, "from", rep_json_month(gaps[i].from));
		rep_json_add(j, o, "to", rep_json_month(gaps[i].to));
		rep_json_push(j, arr, o);
	}
	return arr;
}

/* The area's completeness: per window, which months each span lacks, and the
 * footnote the other outputs print under its tables. */
static void area_cover_json(rep_json *j, const rep_report *r, const rep_area *ar, cJSON *o)
{
	cJSON *windows = cJSON_CreateArray();
	for (int w = 0; windows && w < REP_WINDOWS; w++) {
		const rep_side *cur = &ar->cover[w][REP_SIDE_CURRENT], *cmp = &ar->cover[w][REP_SIDE_COMPARISON];
		cJSON *wo = cJSON_CreateObject();
		rep_json_add(j, wo, "name", cJSON_CreateString(rep_window_label[w]));
		rep_json_add(j, wo, "complete", cJSON_CreateBool(cur->nmissing == 0 && cmp->nmissing == 0));
		rep_json_add(j, wo, "complete_current", cJSON_CreateBool(cur->nmissing == 0));
		rep_json_add(j, wo, "complete_comparison", cJSON_CreateBool(cmp->nmissing == 0));
		rep_json_add(j, wo, "missing_current", months_json(j, cur->missing, cur->nmissing));
		rep_json_add(j, wo, "missing_comparison", months_json(j, cmp->missing, cmp->nmissing));
		rep_json_push(j, windows, wo);
	}
	rep_json_add(j, o, "windows", windows);
	rep_json_add(j, o, "gaps", gaps_json(j, ar->gaps, ar->ngaps));
	int months[REP_SERIES], n = 0;
	for (int k = 0; k < REP_SERIES; k++)
		if (ar->series_missing[k])
			months[n++] = r->month - (REP_SERIES - 1) + k;
	rep_json_add(j, o, "series_missing", months_json(j, months, n));
	size_t nn;
	char **notes = rep_gap_notes(r, ar, &nn);
	rep_json_add(j, o, "notes", rep_json_lines(j, notes, nn));
	rep_lines_free(notes, nn);
}

static cJSON *row_json(rep_json *j, const rep_row *rw, const rep_side (*cover)[2])
{
	cJSON *o = cJSON_CreateObject();
	rep_json_add(j, o, "label", cJSON_CreateString(rw->label));
	rep_json_add(j, o, "path", cJSON_CreateString(rw->path));
	rep_json_add(j, o, "depth", cJSON_CreateNumber(rw->depth));
	rep_json_add(j, o, "group", cJSON_CreateBool((rw->flags & REP_ROW_GROUP) != 0));
	rep_json_add(j, o, "total", cJSON_CreateBool((rw->flags & REP_ROW_TOTAL) != 0));
	rep_json_add(j, o, "unknown", cJSON_CreateBool((rw->flags & REP_ROW_UNKNOWN) != 0));
	rep_json_add(j, o, "outside_total", cJSON_CreateBool((rw->flags & REP_ROW_OUTSIDE_TOTAL) != 0));
	rep_json_add(j, o, "approximation", rep_json_str_or_null((rw->flags & REP_ROW_APPROX) ? rw->note : NULL));
	rep_json_add(j, o, "windows", windows_json(j, rw->fig, cover, NULL, NULL));
	cJSON *series = cJSON_CreateArray();
	for (int i = 0; series && i < REP_SERIES; i++)
		rep_json_push(j, series, cJSON_CreateNumber((double)rw->series[i]));
	rep_json_add(j, o, "series", series);
	return o;
}

static cJSON *fm_run_json(rep_json *j, const rep_fm_run *f)
{
	cJSON *o = cJSON_CreateObject();
	rep_json_add(j, o, "run", cJSON_CreateNumber((double)f->id));
	rep_json_add(j, o, "plugin", rep_json_str_or_null(f->plugin));
	rep_json_add(j, o, "version", rep_json_str_or_null(f->version));
	rep_json_add(j, o, "from", rep_json_month(f->month_min));
	rep_json_add(j, o, "to", rep_json_month(f->month_max));
	rep_json_add(j, o, "sightings", cJSON_CreateNumber((double)f->sightings));
	rep_json_add(j, o, "confirmed", cJSON_CreateNumber((double)f->confirmed));
	rep_json_add(j, o, "identity", rep_json_str_or_null(f->identity));
	rep_json_add(j, o, "model", rep_json_str_or_null(f->model));
	rep_json_add(j, o, "similarity", rep_json_str_or_null(f->similarity));
	rep_json_add(j, o, "threshold", isnan(f->threshold) ? cJSON_CreateNull() : cJSON_CreateNumber(f->threshold));
	rep_json_add(j, o, "gallery", rep_json_str_or_null(f->gallery));
	rep_json_add(j, o, "options", rep_json_str_or_null(f->options));
	rep_json_add(j, o, "plugin_sha256", rep_json_str_or_null(f->plugin_sha256));
	rep_json_add(j, o, "inputs", rep_json_str_or_null(f->inputs));
	rep_json_add(j, o, "run_at", rep_json_str_or_null(f->run_at));
	return o;
}

static cJSON *offenders_json(rep_json *j, const rep_report *r, const rep_area *ar)
{
	if (!ar->has_offenders)
		return cJSON_CreateNull();
	cJSON *o = cJSON_CreateObject();
	/* "name version" of each plugin behind the figures */
	strbuf src = {0};
	for (size_t i = 0; i < r->nfm_runs; i++) {
		const rep_fm_run *f = &r->fm_runs[i];
		char nv[512];
		snprintf(nv, sizeof nv, "%s %s", f->plugin ? f->plugin : "?", f->version ? f->version : "");
		if (!src.buf || !strstr(src.buf, nv))
			sb_printf(&src, "%s%s", src.len ? ", " : "", nv);
	}
	rep_json_add(j, o, "source", rep_json_str_or_null(src.buf));
	sb_release(&src);
	cJSON *runs = cJSON_CreateArray();
	for (size_t i = 0; runs && i < r->nfm_runs; i++)
		rep_json_push(j, runs, fm_run_json(j, &r->fm_runs[i]));
	rep_json_add(j, o, "runs", runs);
	rep_json_add(j, o, "suppress_below", cJSON_CreateNumber(r->suppress_below));
	rep_json_add(j, o, "confirmed_only", cJSON_CreateBool(r->confirmed_only));
	cJSON *rows = cJSON_CreateArray();
	for (size_t k = 0; rows && k < ar->noffenders; k++) {
		const rep_off_row *off = &ar->offenders[k];
		char path[96];
		snprintf(path, sizeof path, "%s > %s", OFFENDERS_GROUP, off->label);
		cJSON *row = cJSON_CreateObject();
		rep_json_add(j, row, "label", cJSON_CreateString(off->label));
		rep_json_add(j, row, "path", cJSON_CreateString(path));
		rep_json_add(j, row, "measure", cJSON_CreateString(rep_offender_label[off->measure]));
		rep_json_add(j, row, "confirmed", cJSON_CreateBool(off->confirmed));
		rep_json_add(j, row, "depth", cJSON_CreateNumber(1));
		rep_json_add(j, row, "group", cJSON_CreateFalse());
		rep_json_add(j, row, "total", cJSON_CreateFalse());
		rep_json_add(j, row, "unknown", cJSON_CreateFalse());
		rep_json_add(j, row, "outside_total", cJSON_CreateFalse());
		rep_json_add(j, row, "approximation", cJSON_CreateNull());
		rep_json_add(j, row, "windows", windows_json(j, off->fig, NULL, r, off));
		rep_json_push(j, rows, row);
	}
	rep_json_add(j, o, "rows", rows);
	return o;
}

/* The area's Highlights: each sentence with what it is about, and the
 * closing count of changes examined and flagged. */
static void highlights_json(rep_json *j, const rep_report *r, const rep_area *ar, cJSON *o)
{
	char *heading = rep_highlight_heading(r);
	if (!heading) {
		rep_json_add(j, o, "highlights", cJSON_CreateNull());
		return;
	}
	cJSON *h = cJSON_CreateObject(), *items = cJSON_CreateArray();
	rep_json_add(j, h, "heading", cJSON_CreateString(heading));
	free(heading);
	for (size_t i = 0; items && i < ar->nhighlights; i++) {
		const rep_highlight *hl = &ar->highlights[i];
		char *text = rep_highlight_text(r, ar, hl);
		cJSON *it = cJSON_CreateObject();
		rep_json_add(j, it, "row", cJSON_CreateString(ar->rows[hl->row].path));
		rep_json_add(j, it, "window", cJSON_CreateString(rep_window_label[hl->window]));
		rep_json_add(j, it, "watched", cJSON_CreateBool(hl->watched));
		rep_json_add(j, it, "text", cJSON_CreateString(text));
		free(text);
		rep_json_push(j, items, it);
	}
	rep_json_add(j, h, "items", items);
	rep_json_add(j, h, "examined", cJSON_CreateNumber(ar->examined));
	rep_json_add(j, h, "flagged", cJSON_CreateNumber(ar->flagged));
	rep_json_add(j, h, "rises", cJSON_CreateNumber(ar->rises));
	rep_json_add(j, h, "falls", cJSON_CreateNumber(ar->falls));
	char *summary = rep_highlight_summary(r, ar);
	rep_json_add(j, h, "summary", cJSON_CreateString(summary));
	free(summary);
	rep_json_add(j, o, "highlights", h);
}

static cJSON *report_json(rep_json *j, const rep_report *r)
{
	cJSON *doc = cJSON_CreateObject();
	rep_json_add(j, doc, "schema_version", cJSON_CreateNumber(SCHEMA_VERSION));
	rep_json_add(j, doc, "generator", cJSON_CreateString("crimetab"));
	rep_json_add(j, doc, "crimetab_version", cJSON_CreateString(CRIMETAB_VERSION));
	char when[32] = "";
	time_t t = (time_t)r->generated_at;
	struct tm tm;
	if (gmtime_r(&t, &tm))
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	rep_json_add(j, doc, "generated_at", cJSON_CreateString(when));
	rep_json_add(j, doc, "month", rep_json_month(r->month));
	rep_json_add(j, doc, "month_reason", rep_json_str_or_null(r->month_reason));
	rep_json_add(j, doc, "series_from", rep_json_month(r->month - (REP_SERIES - 1)));
	rep_json_add(j, doc, "compare", cJSON_CreateString(r->compare == REP_COMPARE_PREVIOUS ? "previous" : "yoy"));
	rep_json_add(j, doc, "comparison_basis", cJSON_CreateString(rep_compare_label(r->compare)));
	rep_json_add(j, doc, "dataset", rep_json_str_or_null(r->dataset));
	rep_json_add(j, doc, "dataset_label", cJSON_CreateString(rep_dataset_label(r->dataset)));
	rep_json_add(j, doc, "taxonomy", rep_json_str_or_null(r->taxonomy));
	cJSON *sig = cJSON_CreateObject();
	char legend[512];
	rep_sig_legend(r, 0, legend, sizeof legend);
	rep_json_add(j, sig, "test", cJSON_CreateString(rep_sig_test_name[r->sig_test]));
	rep_json_add(j, sig, "alpha", cJSON_CreateNumber(r->alpha));
	rep_json_add(j, sig, "sided", cJSON_CreateString("two-sided"));
	rep_json_add(j, sig, "z_threshold",
		     r->sig_test == REP_SIG_Z ? cJSON_CreateNumber(r->z_crit) : cJSON_CreateNull());
	rep_json_add(j, sig, "legend", cJSON_CreateString(legend));
	rep_json_add(j, doc, "significance", sig);

	cJSON *windows = cJSON_CreateArray();
	for (int w = 0; windows && w < REP_WINDOWS; w++) {
		cJSON *o = cJSON_CreateObject();
		rep_json_add(j, o, "name", cJSON_CreateString(rep_window_label[w]));
		rep_json_add(j, o, "months", cJSON_CreateNumber(rep_window_months[w]));
		rep_json_add(j, o, "from", rep_json_month(r->span[w].from));
		rep_json_add(j, o, "to", rep_json_month(r->span[w].to));
		rep_json_add(j, o, "compare_from", rep_json_month(r->span[w].cmp_from));
		rep_json_add(j, o, "compare_to", rep_json_month(r->span[w].cmp_to));
		rep_json_push(j, windows, o);
	}
	rep_json_add(j, doc, "windows", windows);

	rep_json_add(j, doc, "warnings", rep_json_lines(j, r->warnings, r->nwarnings));
	rep_json_add(j, doc, "gaps", gaps_json(j, r->gaps, r->ngaps));

	cJSON *sources = cJSON_CreateArray();
	for (size_t i = 0; sources && i < r->nsources; i++) {
		const rep_source *s = &r->sources[i];
		cJSON *o = cJSON_CreateObject();
		rep_json_add(j, o, "path", rep_json_str_or_null(s->path));
		rep_json_add(j, o, "kind", rep_json_str_or_null(s->kind));
		rep_json_add(j, o, "force", rep_json_str_or_null(s->force));
		rep_json_add(j, o, "from", rep_json_month(s->month_min));
		rep_json_add(j, o, "to", rep_json_month(s->month_max));
		rep_json_add(j, o, "rows", cJSON_CreateNumber((double)s->rows));
		rep_json_add(j, o, "imported_at", rep_json_str_or_null(s->imported_at));
		rep_json_push(j, sources, o);
	}
	rep_json_add(j, doc, "sources", sources);

	cJSON *areas = cJSON_CreateArray();
	for (size_t a = 0; areas && a < r->nareas; a++) {
		const rep_area *ar = &r->areas[a];
		cJSON *o = cJSON_CreateObject();
		rep_json_add(j, o, "name", cJSON_CreateString(ar->name));
		cJSON *rows = cJSON_CreateArray();
		for (size_t i = 0; rows && i < ar->nrows; i++)
			rep_json_push(j, rows, row_json(j, &ar->rows[i], ar->cover));
		rep_json_add(j, o, "rows", rows);
		area_cover_json(j, r, ar, o);
		rep_json_add(j, o, "offenders", offenders_json(j, r, ar));
		highlights_json(j, r, ar, o);
		rep_json_push(j, areas, o);
	}
	rep_json_add(j, doc, "areas", areas);
	return doc;
}

int rep_write_json(const rep_report *r, FILE *out)
{
	rep_json j = {0};
	return rep_json_write(&j, report_json(&j, r), out);
}
