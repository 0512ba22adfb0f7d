/* Markdown scrutiny tables: per area a header line, a summary table (top-level
 * rows and Total) and the full table, following the committee paper. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "report/export.h"
#include "report/sigfmt.h"

/* Writes S with Markdown metacharacters escaped, so a label cannot break
 * the table or turn into markup. */
static void md_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (strchr("\\`*_[]<>|#~", *s))
			fputc('\\', out);
		if (*s == '&' && s[1] && s[1] != ' ')
			fputs("&amp;", out);
		else if (*s == '\n' || *s == '\r')
			fputc(' ', out);
		else
			fputc(*s, out);
	}
}

static void md_header(FILE *out, const char *first)
{
	fprintf(out, "| %s |", first);
	for (int w = 0; w < REP_WINDOWS; w++)
		fprintf(out, " %s Current | Diff | %% Diff |", rep_window_label[w]);
	fputs("\n|:---|", out);
	for (int w = 0; w < REP_WINDOWS; w++)
		fputs("---:|---:|---:|", out);
	fputc('\n', out);
}

/* A row's figures; O (may be NULL) is the offender row they belong to,
 * whose disclosure control hides some. */
static void md_cells(FILE *out, const rep_fig *fig, int bold, const rep_report *r, const rep_off_row *o)
{
	const char *b = bold ? "**" : "";
	for (int w = 0; w < REP_WINDOWS; w++) {
		char c[32], d[32], p[32];
		rep_fmt_cur(&fig[w], c, sizeof c);
		rep_fmt_diff(&fig[w], d, sizeof d);
		rep_fmt_pct_marked(&fig[w], 0, p, sizeof p);
		if (o) {
			rep_off_mark(r, o, w, REP_PART_CUR, c, sizeof c);
			rep_off_mark(r, o, w, REP_PART_DIFF, d, sizeof d);
			rep_off_mark(r, o, w, REP_PART_PCT, p, sizeof p);
		}
		fprintf(out, " %s%s%s | %s%s%s | %s%s%s |", *c ? b : "", c, *c ? b : "", *d ? b : "", d, *d ? b : "",
			*p ? b : "", p, *p ? b : "");
	}
	fputc('\n', out);
}

static void md_row(FILE *out, const rep_row *row, int indent, int bold)
{
	fputs("| ", out);
	for (int i = 0; indent && i < row->depth; i++)
		fputs("&emsp;", out);
	if (bold)
		fputs("**", out);
	md_text(out, row->label);
	if (bold)
		fputs("**", out);
	if (row->flags & REP_ROW_APPROX)
		fputs(" †", out);
	fputs(" |", out);
	md_cells(out, row->fig, bold, NULL, NULL);
}

/* The footnote of an area whose windows lack months, under each table. */
static void md_gap_notes(FILE *out, char **notes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		fputc('\n', out);
		md_text(out, notes[i]);
		fputc('\n', out);
	}
}

/* The marks' legend under a table, when the report tests its changes. */
static void md_legend(FILE *out, const rep_report *r)
{
	char legend[512];
	rep_sig_legend(r, 0, legend, sizeof legend);
	if (!*legend)
		return;
	fputc('\n', out);
	md_text(out, legend);
	fputc('\n', out);
}

/* An area's Highlights: its flagged changes and watched rows as sentences,
 * then how many changes were examined and flagged. */
static void md_highlights(FILE *out, const rep_report *r, const rep_area *ar)
{
	char *heading = rep_highlight_heading(r);
	if (!heading)
		return;
	fputs("\n### ", out);
	md_text(out, heading);
	fputs("\n\n", out);
	free(heading);
	for (size_t i = 0; i < ar->nhighlights; i++) {
		char *s = rep_highlight_text(r, ar, &ar->highlights[i]);
		fputs("- ", out);
		md_text(out, s);
		fputc('\n', out);
		free(s);
	}
	char *s = rep_highlight_summary(r, ar);
	fputs(ar->nhighlights ? "\n" : "", out);
	md_text(out, s);
	fputc('\n', out);
	free(s);
}

static void month_span(FILE *out, int from, int to)
{
	char span[64];
	rep_fmt_months_long(from, to, span, sizeof span);
	fputs(span, out);
}

/* Where the offender figures come from: one footnote per face-match run. */
static void md_fm_runs(const rep_report *r, FILE *out)
{
	int any = 0;
	for (size_t a = 0; a < r->nareas; a++)
		any |= r->areas[a].has_offenders;
	if (!any)
		return;
	fputs("\n## Face-match runs\n\n", out);
	if (r->nfm_runs == 0)
		fputs("No face-match run covers these months.\n", out);
	for (size_t i = 0; i < r->nfm_runs; i++) {
		char line[4096];
		rep_fm_run_text(&r->fm_runs[i], line, sizeof line);
		fputs("- ", out);
		md_text(out, line);
		fputc('\n', out);
	}
}

int rep_write_markdown(const rep_report *r, FILE *out)
{
	char month[24];
	ct_month_long(r->month, month, sizeof month);
	fprintf(out, "# Town centre crime: %s\n\n", month);
	fputs("Each window is compared with the ", out);
	fputs(rep_compare_label(r->compare), out);
	for (int w = 0; w < REP_WINDOWS; w++) {
		fputs(w ? "; " : ": ", out);
		for (const char *c = rep_window_label[w]; *c; c++) /* "selected month" */
			fputc(tolower((unsigned char)*c), out);
		fputc(' ', out);
		month_span(out, r->span[w].from, r->span[w].to);
		fputs(" (against ", out);
		month_span(out, r->span[w].cmp_from, r->span[w].cmp_to);
		fputc(')', out);
	}
	fputs(".\n\n", out);
	fprintf(out, "Data: %s, ", rep_dataset_label(r->dataset));
	md_text(out, r->taxonomy);
	fputs(" categories; ", out);
	if (r->nsources == 0)
		fputs("no source files cover these months.\n", out);
	for (size_t i = 0; i < r->nsources; i++) {
		const rep_source *s = &r->sources[i];
		const char *base = strrchr(s->path, '/');
		char a[8], b[8];
		ct_month_format(s->month_min, a);
		ct_month_format(s->month_max, b);
		if (i == 3 && r->nsources > 4) {
			fprintf(out, "and %zu more files.\n", r->nsources - 3);
			break;
		}
		fputc('`', out);
		fputs(base ? base + 1 : s->path, out);
		fputs("` (", out);
		md_text(out, s->force);
		fprintf(out, ", %s%s%s)%s", a, strcmp(a, b) ? " to " : "", strcmp(a, b) ? b : "",
			i + 1 == r->nsources ? ".\n" : "; ");
	}
	fputs("Blank cells are zero. Infinity: nothing in the comparison period.\n", out);
	for (size_t i = 0; i < r->nwarnings; i++) {
		fputs("\n> **Warning:** ", out);
		md_text(out, r->warnings[i]);
		fputc('\n', out);
	}

	for (size_t a = 0; a < r->nareas; a++) {
		const rep_area *ar = &r->areas[a];
		fputs("\n## ", out);
		md_text(out, ar->name);
		fputs("\n\n", out);
		md_text(out, ar->name);
		fprintf(out, ", %s, compared with the %s.\n\n", month, rep_compare_label(r->compare));
		size_t nnotes;
		char **notes = rep_gap_notes(r, ar, &nnotes);
		md_header(out, "Crime");
		for (size_t i = 0; i < ar->nrows; i++)
			if (ar->rows[i].depth == 0)
				md_row(out, &ar->rows[i], 0, (ar->rows[i].flags & REP_ROW_TOTAL) != 0);
		md_legend(out, r);
		md_gap_notes(out, notes, nnotes);
		fputc('\n', out);
		md_header(out, "Crime");
		int approx = 0;
		for (size_t i = 0; i < ar->nrows; i++) {
			md_row(out, &ar->rows[i], 1, (ar->rows[i].flags & (REP_ROW_GROUP | REP_ROW_TOTAL)) != 0);
			approx |= (ar->rows[i].flags & REP_ROW_APPROX) != 0;
		}
		md_legend(out, r);
		md_gap_notes(out, notes, nnotes);
		rep_lines_free(notes, nnotes);
		if (approx) {
			fputs("\n† Approximate rows:", out);
			const char *sep = " ";
			for (size_t i = 0; i < ar->nrows; i++)
				if (ar->rows[i].flags & REP_ROW_APPROX) {
					fputs(sep, out);
					md_text(out, ar->rows[i].label);
					fputs(" = ", out);
					md_text(out, ar->rows[i].note);
					sep = "; ";
				}
			fputs(".\n", out);
		}
		if (ar->has_offenders) {
			fputs("\n### Offenders (face match)\n\n", out);
			md_header(out, "Measure");
			for (size_t k = 0; k < ar->noffenders; k++) {
				fputs("| ", out);
				md_text(out, ar->offenders[k].label);
				fputs(" |", out);
				md_cells(out, ar->offenders[k].fig, 0, r, &ar->offenders[k]);
			}
			md_legend(out, r);
			fputs("\nCounts only; no individual is identified here. \"Confirmed\": matches a person reviewed.", out);
			char sup[160];
			rep_off_suppress_note(r, sup, sizeof sup);
			if (*sup)
				fprintf(out, " %s", sup);
			fputs(" How these were made: see *Face-match runs* below.\n", out);
		}
		md_highlights(out, r, ar);
	}
	md_fm_runs(r, out);
	return ferror(out) ? -1 : 0;
}
