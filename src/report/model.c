/* Report model lifetime and the cell formats every renderer shares. */
#include "report/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "report/phrases.h"

const int rep_window_months[REP_WINDOWS] = {1, 6, 12};
const char *const rep_window_label[REP_WINDOWS] = {"Selected Month", "Last 6 Months", "Last 12 Months"};
const char *const rep_sig_test_name[3] = {"e-test", "z", "none"};

const char *rep_pct_kind_name(rep_pct_kind k)
{
	return k == REP_PCT_VALUE ? "value" : k == REP_PCT_INFINITY ? "infinity" : "none";
}

const char *rep_row_kind_name(unsigned flags)
{
	if (flags & REP_ROW_TOTAL)
		return "total";
	if (flags & REP_ROW_OUTSIDE_TOTAL)
		return "outside_total";
	if (flags & REP_ROW_UNKNOWN)
		return "unknown";
	return flags & REP_ROW_GROUP ? "group" : "leaf";
}
const char *const rep_offender_label[REP_OFF_COUNT] = {"Sightings", "Distinct offenders", "Repeat offenders",
						      "Watchlist matches"};

void rep_report_free(rep_report *r)
{
	if (!r)
		return;
	for (size_t a = 0; a < r->nareas; a++) {
		rep_area *ar = &r->areas[a];
		for (size_t i = 0; i < ar->nrows; i++) {
			free(ar->rows[i].label);
			free(ar->rows[i].path);
			free(ar->rows[i].note);
			for (size_t k = 0; k < ar->rows[i].ncats; k++)
				free(ar->rows[i].cats[k].name);
			free(ar->rows[i].cats);
		}
		free(ar->rows);
		free(ar->name);
		for (size_t k = 0; k < ar->noffenders; k++)
			free(ar->offenders[k].label);
		for (size_t i = 0; i < ar->ngaps; i++)
			free(ar->gaps[i].force);
		free(ar->gaps);
		free(ar->highlights);
	}
	free(r->areas);
	for (size_t i = 0; i < r->nwarnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
	for (size_t i = 0; i < r->nsources; i++) {
		free(r->sources[i].path);
		free(r->sources[i].kind);
		free(r->sources[i].force);
		free(r->sources[i].imported_at);
		free(r->sources[i].sha256);
	}
	free(r->sources);
	for (size_t i = 0; i < r->nfm_runs; i++) {
		rep_fm_run *f = &r->fm_runs[i];
		char *owned[] = {f->plugin, f->version, f->identity, f->model, f->similarity, f->gallery,
				 f->options, f->plugin_sha256, f->inputs, f->run_at};
		for (size_t k = 0; k < sizeof owned / sizeof owned[0]; k++)
			free(owned[k]);
	}
	free(r->fm_runs);
	for (size_t i = 0; i < r->ngaps; i++)
		free(r->gaps[i].force);
	free(r->gaps);
	free(r->month_reason);
	free(r->taxonomy);
	free(r->dataset);
	rep_phrases_free(r->phrases);
	free(r);
}

void rep_fmt_count(long long n, char *buf, size_t len)
{
	if (n == 0)
		buf[0] = '\0';
	else
		snprintf(buf, len, "%lld", n);
}

void rep_fmt_cur(const rep_fig *f, char *buf, size_t len)
{
	rep_fmt_count(f->cur, buf, len);
	if (f->missing & REP_MISSING_CURRENT) {
		size_t n = strlen(buf);
		snprintf(buf + n, len - n, "%s", REP_MARK);
	}
}

void rep_fmt_diff(const rep_fig *f, char *buf, size_t len)
{
	if (f->missing)
		snprintf(buf, len, "n/a%s", f->missing & REP_MISSING_COMPARISON ? REP_MARK : "");
	else if (f->cur == 0 && f->cmp == 0)
		buf[0] = '\0';
	else
		snprintf(buf, len, "%lld", f->diff);
}

void rep_fmt_pct(const rep_fig *f, char *buf, size_t len)
{
	if (f->missing) {
		snprintf(buf, len, "n/a");
		return;
	}
	switch (f->pct_kind) {
	case REP_PCT_NONE:
		buf[0] = '\0';
		break;
	case REP_PCT_INFINITY:
		snprintf(buf, len, "Infinity");
		break;
	case REP_PCT_VALUE:
		/* round half away from zero, as Excel and the paper do */
		snprintf(buf, len, "%.1f%%", round(f->pct * 10.0) / 10.0 + 0.0);
		break;
	}
}

void rep_fmt_months(int from, int to, char *buf, size_t len)
{
	char a[8], z[8];
	ct_month_format(from, a);
	ct_month_format(to, z);
	if (from == to)
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s to %s", a, z);
}

void rep_fmt_months_long(int from, int to, char *buf, size_t len)
{
	char a[24], z[24];
	ct_month_long(from, a, sizeof a);
	ct_month_long(to, z, sizeof z);
	if (from == to)
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s to %s", a, z);
}

void rep_lines_free(char **lines, size_t n)
{
	for (size_t i = 0; lines && i < n; i++)
		free(lines[i]);
	free(lines);
}

/* One force's missing months as text, and the first of them. */
typedef struct force_gaps {
	const char *force;
	char *months;
	int first;
	int done; /* already named in a line */
} force_gaps;

char **rep_gap_lines(const rep_gap *gaps, size_t ngaps, const char *dataset, size_t *n)
{
	*n = 0;
	if (ngaps == 0)
		return NULL;
	/* gaps come by force then month: one entry per force */
	force_gaps *fg = xcalloc(ngaps, sizeof *fg);
	size_t nf = 0;
	for (size_t i = 0; i < ngaps; i++) {
		char m[32];
		rep_fmt_months(gaps[i].from, gaps[i].to, m, sizeof m);
		if (nf == 0 || strcmp(fg[nf - 1].force, gaps[i].force) != 0) {
			fg[nf].force = gaps[i].force;
			fg[nf].first = gaps[i].from;
			fg[nf++].months = xstrdup(m);
		} else {
			char *joined = xasprintf("%s, %s", fg[nf - 1].months, m);
			free(fg[nf - 1].months);
			fg[nf - 1].months = joined;
		}
	}
	char **lines = xcalloc(nf, sizeof *lines);
	for (;;) {
		/* the next line: the earliest gap not yet told, with every force
		 * that lacks exactly the same months */
		size_t pick = nf;
		for (size_t i = 0; i < nf; i++)
			if (!fg[i].done && (pick == nf || fg[i].first < fg[pick].first ||
					    (fg[i].first == fg[pick].first && strcmp(fg[i].months, fg[pick].months) < 0)))
				pick = i;
		if (pick == nf)
			break;
		const char *months = fg[pick].months;
		size_t same = 0;
		for (size_t i = 0; i < nf; i++)
			same += !fg[i].done && strcmp(fg[i].months, months) == 0;
		strbuf sb = {0};
		if (same > 3)
			sb_printf(&sb, "%zu forces", same);
		for (size_t i = 0, k = 0; i < nf; i++) {
			if (fg[i].done || strcmp(fg[i].months, months) != 0)
				continue;
			fg[i].done = 1;
			if (same <= 3)
				sb_printf(&sb, "%s%s", k == 0 ? "" : k + 1 == same ? " and " : ", ", fg[i].force);
			k++;
		}
		sb_printf(&sb, ": no %s for %s", rep_dataset_label(dataset), months);
		lines[(*n)++] = sb_detach(&sb);
	}
	for (size_t i = 0; i < nf; i++)
		free(fg[i].months);
	free(fg);
	return lines;
}

char **rep_gap_notes(const rep_report *r, const rep_area *ar, size_t *n)
{
	*n = 0;
	if (rep_area_incomplete(ar) == 0)
		return NULL;
	size_t ng;
	char **gl = rep_gap_lines(ar->gaps, ar->ngaps, r->dataset, &ng);
	char **lines = xcalloc(ng + 1, sizeof *lines);
	lines[(*n)++] = xstrdup(REP_MARK " Months missing from the data: a count marked " REP_MARK
				" lacks some of its months, and n/a" REP_MARK " marks a comparison that does; "
				"no difference is given for either.");
	for (size_t i = 0; i < ng; i++)
		lines[(*n)++] = xasprintf("%s %s", REP_MARK, gl[i]);
	rep_lines_free(gl, ng);
	return lines;
}

int rep_area_incomplete(const rep_area *ar)
{
	int n = 0;
	for (int w = 0; w < REP_WINDOWS; w++)
		n += ar->cover[w][REP_SIDE_CURRENT].nmissing > 0 || ar->cover[w][REP_SIDE_COMPARISON].nmissing > 0;
	return n;
}

const char *rep_compare_label(int compare)
{
	return compare == REP_COMPARE_PREVIOUS ? "preceding period" : "same period a year earlier";
}

const char *rep_dataset_label(const char *dataset)
{
	return dataset && strcmp(dataset, "street") == 0 ? "police.uk street data" : "force export";
}

const char *rep_off_mark(const rep_report *r, const rep_off_row *o, int w, int part, char *buf, size_t len)
{
	int cur = o->sup[w][0], cmp = o->sup[w][1];
	int sup = part == REP_PART_CUR ? cur : part == REP_PART_CMP ? cmp : cur > cmp ? cur : cmp;
	if (!sup)
		return NULL;
	if (sup == REP_SUP_SMALL && (part == REP_PART_CUR || part == REP_PART_CMP))
		snprintf(buf, len, "<%d", r->suppress_below);
	else
		snprintf(buf, len, "[c]");
	return buf;
}

void rep_off_suppress_note(const rep_report *r, char *buf, size_t len)
{
	if (r->suppress_below > 0)
		snprintf(buf, len, "Counts from 1 to %d show as <%d, and [c] hides a figure that would give such a count away.",
			 r->suppress_below - 1, r->suppress_below);
	else if (len)
		buf[0] = '\0';
}

void rep_fm_run_text(const rep_fm_run *f, char *buf, size_t len)
{
	char a[8], b[8];
	int n;
	ct_month_format(f->month_min, a);
	ct_month_format(f->month_max, b);
	n = snprintf(buf, len, "%s %s (run %lld, %s%s%s, %s", f->plugin ? f->plugin : "?", f->version ? f->version : "",
		     f->id, a, strcmp(a, b) ? " to " : "", strcmp(a, b) ? b : "",
		     f->identity && !strcmp(f->identity, "persistent")
			     ? "keys kept across runs"
			     : "keys hold within this run only, so counts over windows spanning several of its runs "
			       "may count one person more than once");
#define ADD(...)                                                                                                   \
	do {                                                                                                       \
		if (n >= 0 && (size_t)n < len)                                                                     \
			n += snprintf(buf + n, len - (size_t)n, __VA_ARGS__);                                       \
	} while (0)
	if (f->model)
		ADD("; model %s", f->model);
	if (f->similarity && !isnan(f->threshold))
		ADD("; %s >= %g", f->similarity, f->threshold);
	if (f->gallery)
		ADD("; gallery %s", f->gallery);
	if (f->options)
		ADD("; options %s", f->options);
	if (f->plugin_sha256)
		ADD("; plugin sha256:%.16s", f->plugin_sha256);
	if (f->inputs) {
		ADD("; inputs ");
		for (const char *p = f->inputs; *p; p++)
			ADD("%s", *p == '\n' ? ", " : (char[]){*p, '\0'});
	}
	ADD(")");
#undef ADD
}
