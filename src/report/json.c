/* The report model as one JSON document (cJSON) for pipelines: every figure,
 * flag, window span, source and warning, under a schema version. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util.h"
#include "core/version.h"
#include "report/export.h"
#include "report/sigfmt.h"

/* Bump when a field changes meaning or goes away; adding one does not.
 * 2: figures carry their completeness; diff and pct are null when a window
 * lacks months; pct_kind.  The schema is docs/report.schema.json. */
#define SCHEMA_VERSION 2
#define OFFENDERS_GROUP "Offenders (face match)"

/* cJSON returns NULL when malloc fails; one flag catches every such miss
 * so a half-built document is never written. */
typedef struct jctx {
	int oom;
} jctx;

static void add(jctx *j, cJSON *parent, const char *key, cJSON *item)
{
	if (!item || !cJSON_AddItemToObject(parent, key, item)) {
		cJSON_Delete(item);
		j->oom = 1;
	}
}

static void push(jctx *j, cJSON *array, cJSON *item)
{
	if (!item || !cJSON_AddItemToArray(array, item)) {
		cJSON_Delete(item);
		j->oom = 1;
	}
}

static cJSON *str_or_null(const char *s)
{
	return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static cJSON *month_str(int month)
{
	char m[8];
	ct_month_format(month, m);
	return cJSON_CreateString(m);
}

static cJSON *months_json(jctx *j, const int *months, int n)
{
	cJSON *arr = cJSON_CreateArray();
	for (int i = 0; arr && i < n; i++)
		push(j, arr, month_str(months[i]));
	return arr;
}

static const char *pct_kind(rep_pct_kind k)
{
	return k == REP_PCT_VALUE ? "value" : k == REP_PCT_INFINITY ? "infinity" : "none";
}

/* A row's windows.  COVER: the area's completeness, or NULL for figures the
 * data's coverage does not bear on (offender measures).  OFF (may be NULL)
 * is the offender row the figures belong to: a figure its disclosure
 * control withholds is null, its *_text the mark ("<3", "[c]"), and its
 * pct_kind "withheld". */
static cJSON *windows_json(jctx *j, const rep_fig *fig, const rep_side (*cover)[2], const rep_report *r,
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
		add(j, o, "current", hide_cur ? cJSON_CreateNull() : cJSON_CreateNumber((double)f->cur));
		add(j, o, "comparison", hide_cmp ? cJSON_CreateNull() : cJSON_CreateNumber((double)f->cmp));
		if (hide_cmp)
			add(j, o, "comparison_text", cJSON_CreateString(cmp));
		add(j, o, "diff", f->missing || hide_diff ? cJSON_CreateNull() : cJSON_CreateNumber((double)f->diff));
		add(j, o, "pct",
		    f->pct_kind == REP_PCT_VALUE && !hide_pct ? cJSON_CreateNumber(f->pct) : cJSON_CreateNull());
		add(j, o, "pct_kind", cJSON_CreateString(hide_pct ? "withheld" : pct_kind(f->pct_kind)));
		add(j, o, "complete", cJSON_CreateBool(f->missing == 0));
		add(j, o, "complete_current", cJSON_CreateBool(!(f->missing & REP_MISSING_CURRENT)));
		add(j, o, "complete_comparison", cJSON_CreateBool(!(f->missing & REP_MISSING_COMPARISON)));
		/* both spans' missing months, in order: the comparison's come first */
		int months[2 * REP_WINDOW_MAX], n = 0;
		for (int side = REP_SIDE_COMPARISON; cover && side >= REP_SIDE_CURRENT; side--)
			for (int i = 0; i < cover[w][side].nmissing; i++)
				months[n++] = cover[w][side].missing[i];
		add(j, o, "missing_months", months_json(j, months, n));
		add(j, o, "current_text", cJSON_CreateString(cur));
		add(j, o, "diff_text", cJSON_CreateString(diff));
		add(j, o, "pct_text", cJSON_CreateString(pct));
		add(j, o, "tested", cJSON_CreateBool(f->tested));
		add(j, o, "z", f->tested ? cJSON_CreateNumber(f->z) : cJSON_CreateNull());
		add(j, o, "p", f->tested ? cJSON_CreateNumber(f->p) : cJSON_CreateNull());
		add(j, o, "significant", f->tested ? cJSON_CreateBool(f->flag != REP_FLAG_NONE) : cJSON_CreateNull());
		add(j, o, "flag", f->flag == REP_FLAG_RISE	 ? cJSON_CreateString("rise")
				  : f->flag == REP_FLAG_FALL ? cJSON_CreateString("fall")
							     : cJSON_CreateNull());
		push(j, arr, o);
	}
	return arr;
}

static cJSON *gaps_json(jctx *j, const rep_gap *gaps, size_t n)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; arr && i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		add(j, o, "force", cJSON_CreateString(gaps[i].force));
		add(j, o, "from", month_str(gaps[i].from));
		add(j, o, "to", month_str(gaps[i].to));
		push(j, arr, o);
	}
	return arr;
}

/* The area's completeness: per window, which months each span lacks, and the
 * footnote the other outputs print under its tables. */
static void area_cover_json(jctx *j, const rep_report *r, const rep_area *ar, cJSON *o)
{
	cJSON *windows = cJSON_CreateArray();
	for (int w = 0; windows && w < REP_WINDOWS; w++) {
		const rep_side *cur = &ar->cover[w][REP_SIDE_CURRENT], *cmp = &ar->cover[w][REP_SIDE_COMPARISON];
		cJSON *wo = cJSON_CreateObject();
		add(j, wo, "name", cJSON_CreateString(rep_window_label[w]));
		add(j, wo, "complete", cJSON_CreateBool(cur->nmissing == 0 && cmp->nmissing == 0));
		add(j, wo, "complete_current", cJSON_CreateBool(cur->nmissing == 0));
		add(j, wo, "complete_comparison", cJSON_CreateBool(cmp->nmissing == 0));
		add(j, wo, "missing_current", months_json(j, cur->missing, cur->nmissing));
		add(j, wo, "missing_comparison", months_json(j, cmp->missing, cmp->nmissing));
		push(j, windows, wo);
	}
	add(j, o, "windows", windows);
	add(j, o, "gaps", gaps_json(j, ar->gaps, ar->ngaps));
	int months[REP_SERIES], n = 0;
	for (int k = 0; k < REP_SERIES; k++)
		if (ar->series_missing[k])
			months[n++] = r->month - (REP_SERIES - 1) + k;
	add(j, o, "series_missing", months_json(j, months, n));
	size_t nn;
	char **notes = rep_gap_notes(r, ar, &nn);
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; arr && i < nn; i++)
		push(j, arr, cJSON_CreateString(notes[i]));
	add(j, o, "notes", arr);
	rep_lines_free(notes, nn);
}

static cJSON *row_json(jctx *j, const rep_row *rw, const rep_side (*cover)[2])
{
	cJSON *o = cJSON_CreateObject();
	add(j, o, "label", cJSON_CreateString(rw->label));
	add(j, o, "path", cJSON_CreateString(rw->path));
	add(j, o, "depth", cJSON_CreateNumber(rw->depth));
	add(j, o, "group", cJSON_CreateBool((rw->flags & REP_ROW_GROUP) != 0));
	add(j, o, "total", cJSON_CreateBool((rw->flags & REP_ROW_TOTAL) != 0));
	add(j, o, "unknown", cJSON_CreateBool((rw->flags & REP_ROW_UNKNOWN) != 0));
	add(j, o, "outside_total", cJSON_CreateBool((rw->flags & REP_ROW_OUTSIDE_TOTAL) != 0));
	add(j, o, "approximation", str_or_null((rw->flags & REP_ROW_APPROX) ? rw->note : NULL));
	add(j, o, "windows", windows_json(j, rw->fig, cover, NULL, NULL));
	cJSON *series = cJSON_CreateArray();
	for (int i = 0; series && i < REP_SERIES; i++)
		push(j, series, cJSON_CreateNumber((double)rw->series[i]));
	add(j, o, "series", series);
	return o;
}

static cJSON *fm_run_json(jctx *j, const rep_fm_run *f)
{
	cJSON *o = cJSON_CreateObject();
	add(j, o, "run", cJSON_CreateNumber((double)f->id));
	add(j, o, "plugin", str_or_null(f->plugin));
	add(j, o, "version", str_or_null(f->version));
	add(j, o, "from", month_str(f->month_min));
	add(j, o, "to", month_str(f->month_max));
	add(j, o, "sightings", cJSON_CreateNumber((double)f->sightings));
	add(j, o, "confirmed", cJSON_CreateNumber((double)f->confirmed));
	add(j, o, "identity", str_or_null(f->identity));
	add(j, o, "model", str_or_null(f->model));
	add(j, o, "similarity", str_or_null(f->similarity));
	add(j, o, "threshold", isnan(f->threshold) ? cJSON_CreateNull() : cJSON_CreateNumber(f->threshold));
	add(j, o, "gallery", str_or_null(f->gallery));
	add(j, o, "options", str_or_null(f->options));
	add(j, o, "plugin_sha256", str_or_null(f->plugin_sha256));
	add(j, o, "inputs", str_or_null(f->inputs));
	add(j, o, "run_at", str_or_null(f->run_at));
	return o;
}

static cJSON *offenders_json(jctx *j, const rep_report *r, const rep_area *ar)
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
	add(j, o, "source", str_or_null(src.buf));
	sb_release(&src);
	cJSON *runs = cJSON_CreateArray();
	for (size_t i = 0; runs && i < r->nfm_runs; i++)
		push(j, runs, fm_run_json(j, &r->fm_runs[i]));
	add(j, o, "runs", runs);
	add(j, o, "suppress_below", cJSON_CreateNumber(r->suppress_below));
	add(j, o, "confirmed_only", cJSON_CreateBool(r->confirmed_only));
	cJSON *rows = cJSON_CreateArray();
	for (size_t k = 0; rows && k < ar->noffenders; k++) {
		const rep_off_row *off = &ar->offenders[k];
		char path[96];
		snprintf(path, sizeof path, "%s > %s", OFFENDERS_GROUP, off->label);
		cJSON *row = cJSON_CreateObject();
		add(j, row, "label", cJSON_CreateString(off->label));
		add(j, row, "path", cJSON_CreateString(path));
		add(j, row, "measure", cJSON_CreateString(rep_offender_label[off->measure]));
		add(j, row, "confirmed", cJSON_CreateBool(off->confirmed));
		add(j, row, "depth", cJSON_CreateNumber(1));
		add(j, row, "group", cJSON_CreateFalse());
		add(j, row, "total", cJSON_CreateFalse());
		add(j, row, "unknown", cJSON_CreateFalse());
		add(j, row, "outside_total", cJSON_CreateFalse());
		add(j, row, "approximation", cJSON_CreateNull());
		add(j, row, "windows", windows_json(j, off->fig, NULL, r, off));
		push(j, rows, row);
	}
	add(j, o, "rows", rows);
	return o;
}

/* The area's Highlights: each sentence with what it is about, and the
 * closing count of changes examined and flagged. */
static void highlights_json(jctx *j, const rep_report *r, const rep_area *ar, cJSON *o)
{
	char *heading = rep_highlight_heading(r);
	if (!heading) {
		add(j, o, "highlights", cJSON_CreateNull());
		return;
	}
	cJSON *h = cJSON_CreateObject(), *items = cJSON_CreateArray();
	add(j, h, "heading", cJSON_CreateString(heading));
	free(heading);
	for (size_t i = 0; items && i < ar->nhighlights; i++) {
		const rep_highlight *hl = &ar->highlights[i];
		char *text = rep_highlight_text(r, ar, hl);
		cJSON *it = cJSON_CreateObject();
		add(j, it, "row", cJSON_CreateString(ar->rows[hl->row].path));
		add(j, it, "window", cJSON_CreateString(rep_window_label[hl->window]));
		add(j, it, "watched", cJSON_CreateBool(hl->watched));
		add(j, it, "text", cJSON_CreateString(text));
		free(text);
		push(j, items, it);
	}
	add(j, h, "items", items);
	add(j, h, "examined", cJSON_CreateNumber(ar->examined));
	add(j, h, "flagged", cJSON_CreateNumber(ar->flagged));
	add(j, h, "rises", cJSON_CreateNumber(ar->rises));
	add(j, h, "falls", cJSON_CreateNumber(ar->falls));
	char *summary = rep_highlight_summary(r, ar);
	add(j, h, "summary", cJSON_CreateString(summary));
	free(summary);
	add(j, o, "highlights", h);
}

static cJSON *report_json(jctx *j, const rep_report *r)
{
	cJSON *doc = cJSON_CreateObject();
	add(j, doc, "schema_version", cJSON_CreateNumber(SCHEMA_VERSION));
	add(j, doc, "generator", cJSON_CreateString("crimetab"));
	add(j, doc, "crimetab_version", cJSON_CreateString(CRIMETAB_VERSION));
	char when[32] = "";
	time_t t = (time_t)r->generated_at;
	struct tm tm;
	if (gmtime_r(&t, &tm))
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	add(j, doc, "generated_at", cJSON_CreateString(when));
	add(j, doc, "month", month_str(r->month));
	add(j, doc, "month_reason", str_or_null(r->month_reason));
	add(j, doc, "series_from", month_str(r->month - (REP_SERIES - 1)));
	add(j, doc, "compare", cJSON_CreateString(r->compare == REP_COMPARE_PREVIOUS ? "previous" : "yoy"));
	add(j, doc, "comparison_basis", cJSON_CreateString(rep_compare_label(r->compare)));
	add(j, doc, "dataset", str_or_null(r->dataset));
	add(j, doc, "dataset_label", cJSON_CreateString(rep_dataset_label(r->dataset)));
	add(j, doc, "taxonomy", str_or_null(r->taxonomy));
	cJSON *sig = cJSON_CreateObject();
	char legend[512];
	rep_sig_legend(r, 0, legend, sizeof legend);
	add(j, sig, "test", cJSON_CreateString(rep_sig_test_name[r->sig_test]));
	add(j, sig, "alpha", cJSON_CreateNumber(r->alpha));
	add(j, sig, "sided", cJSON_CreateString("two-sided"));
	add(j, sig, "z_threshold", r->sig_test == REP_SIG_Z ? cJSON_CreateNumber(r->z_crit) : cJSON_CreateNull());
	add(j, sig, "legend", cJSON_CreateString(legend));
	add(j, doc, "significance", sig);

	cJSON *windows = cJSON_CreateArray();
	for (int w = 0; windows && w < REP_WINDOWS; w++) {
		cJSON *o = cJSON_CreateObject();
		add(j, o, "name", cJSON_CreateString(rep_window_label[w]));
		add(j, o, "months", cJSON_CreateNumber(rep_window_months[w]));
		add(j, o, "from", month_str(r->span[w].from));
		add(j, o, "to", month_str(r->span[w].to));
		add(j, o, "compare_from", month_str(r->span[w].cmp_from));
		add(j, o, "compare_to", month_str(r->span[w].cmp_to));
		push(j, windows, o);
	}
	add(j, doc, "windows", windows);

	cJSON *warnings = cJSON_CreateArray();
	for (size_t i = 0; warnings && i < r->nwarnings; i++)
		push(j, warnings, cJSON_CreateString(r->warnings[i]));
	add(j, doc, "warnings", warnings);
	add(j, doc, "gaps", gaps_json(j, r->gaps, r->ngaps));

	cJSON *sources = cJSON_CreateArray();
	for (size_t i = 0; sources && i < r->nsources; i++) {
		const rep_source *s = &r->sources[i];
		cJSON *o = cJSON_CreateObject();
		add(j, o, "path", str_or_null(s->path));
		add(j, o, "kind", str_or_null(s->kind));
		add(j, o, "force", str_or_null(s->force));
		add(j, o, "from", month_str(s->month_min));
		add(j, o, "to", month_str(s->month_max));
		add(j, o, "rows", cJSON_CreateNumber((double)s->rows));
		add(j, o, "imported_at", str_or_null(s->imported_at));
		push(j, sources, o);
	}
	add(j, doc, "sources", sources);

	cJSON *areas = cJSON_CreateArray();
	for (size_t a = 0; areas && a < r->nareas; a++) {
		const rep_area *ar = &r->areas[a];
		cJSON *o = cJSON_CreateObject();
		add(j, o, "name", cJSON_CreateString(ar->name));
		cJSON *rows = cJSON_CreateArray();
		for (size_t i = 0; rows && i < ar->nrows; i++)
			push(j, rows, row_json(j, &ar->rows[i], ar->cover));
		add(j, o, "rows", rows);
		area_cover_json(j, r, ar, o);
		add(j, o, "offenders", offenders_json(j, r, ar));
		highlights_json(j, r, ar, o);
		push(j, areas, o);
	}
	add(j, doc, "areas", areas);
	return doc;
}

int rep_write_json(const rep_report *r, FILE *out)
{
	jctx j = {0};
	cJSON *doc = report_json(&j, r);
	char *text = doc && !j.oom ? cJSON_Print(doc) : NULL;
	cJSON_Delete(doc);
	if (!text)
		return -1;
	fputs(text, out);
	fputc('\n', out);
	cJSON_free(text);
	return ferror(out) ? -1 : 0;
}
