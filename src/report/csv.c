/* Tidy CSV for pipelines: one line per area x row x window, counts as plain
 * integers (0 included) except offender figures withheld by disclosure
 * control ("<3", "[c]"), text fields quoted per RFC 4180 and defused.  The
 * columns are documented in crimetab report --help and the README. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "report/export.h"

static const char *const window_name[REP_WINDOWS] = {"month", "6 months", "12 months"};

static const char csv_header[] = "month,comparison_basis,area,row,row_kind,depth,window,window_from,window_to,"
				 "comparison_from,comparison_to,current,comparison,diff,pct,pct_kind,"
				 "complete_current,complete_comparison,missing_current,missing_comparison,z,p,significant\n";

/* A text field.  One starting with = + - @ tab or CR would be run as a
 * formula by a spreadsheet opening the file, so it gets a leading '. */
static void csv_text(FILE *out, const char *s)
{
	int defuse = s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;
	int quote = strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		fputc('"', out);
	if (defuse)
		fputc('\'', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	if (quote)
		fputc('"', out);
}

static void month_field(FILE *out, int month)
{
	char m[8];
	ct_month_format(month, m);
	fprintf(out, "%s,", m);
}

static void missing_field(FILE *out, const rep_side *sd, const char *end)
{
	for (int i = 0; sd && i < sd->nmissing; i++) {
		char m[8];
		ct_month_format(sd->missing[i], m);
		fprintf(out, "%s%s", i ? ";" : "", m);
	}
	fputs(end, out);
}

/* COVER: the area's window completeness, or NULL for figures the data's
 * coverage does not bear on (offender measures): their completeness columns
 * are empty.  OFF (may be NULL) is the offender row the figures belong to:
 * a figure its disclosure control withholds is its mark ("<3", "[c]"),
 * with pct_kind "withheld". */
static void csv_line(FILE *out, const rep_report *r, const char *area, const char *path, const char *kind, int depth,
		     const rep_fig *fig, const rep_side (*cover)[2], const rep_off_row *off)
{
	for (int w = 0; w < REP_WINDOWS; w++) {
		const rep_fig *f = &fig[w];
		char mark[4][16];
		const char *m[4] = {NULL, NULL, NULL, NULL};
		for (int k = 0; off && k < 4; k++)
			m[k] = rep_off_mark(r, off, w, k, mark[k], sizeof mark[k]);
		month_field(out, r->month);
		fputs(r->compare == REP_COMPARE_PREVIOUS ? "previous," : "yoy,", out);
		csv_text(out, area);
		fputc(',', out);
		csv_text(out, path);
		fprintf(out, ",%s,%d,%s,", kind, depth, window_name[w]);
		month_field(out, r->span[w].from);
		month_field(out, r->span[w].to);
		month_field(out, r->span[w].cmp_from);
		month_field(out, r->span[w].cmp_to);
		if (m[REP_PART_CUR])
			fprintf(out, "%s,", m[REP_PART_CUR]);
		else
			fprintf(out, "%lld,", f->cur);
		if (m[REP_PART_CMP])
			fprintf(out, "%s,", m[REP_PART_CMP]);
		else
			fprintf(out, "%lld,", f->cmp);
		if (m[REP_PART_DIFF])
			fputs(m[REP_PART_DIFF], out);
		else if (!f->missing)
			fprintf(out, "%lld", f->diff);
		fputc(',', out);
		if (m[REP_PART_PCT])
			fputs(m[REP_PART_PCT], out);
		else if (f->pct_kind == REP_PCT_VALUE)
			/* the printed one decimal, rounded half away from zero */
			fprintf(out, "%.1f", round(f->pct * 10.0) / 10.0 + 0.0);
		fprintf(out, ",%s,", m[REP_PART_PCT] ? "withheld" : rep_pct_kind_name(f->pct_kind));
		if (cover)
			fprintf(out, "%s,%s,", (f->missing & REP_MISSING_CURRENT) ? "false" : "true",
				(f->missing & REP_MISSING_COMPARISON) ? "false" : "true");
		else
			fputs(",,", out);
		missing_field(out, cover ? &cover[w][REP_SIDE_CURRENT] : NULL, ",");
		missing_field(out, cover ? &cover[w][REP_SIDE_COMPARISON] : NULL, ",");
		/* full precision: the p-value's text form rounds ("< 0.001") */
		if (f->tested)
			fprintf(out, "%.4f,%.6g,", f->z + 0.0, f->p);
		else
			fputs(",,", out);
		fputs(f->flag == REP_FLAG_RISE ? "rise\n" : f->flag == REP_FLAG_FALL ? "fall\n" : "\n", out);
	}
}

int rep_write_csv(const rep_report *r, FILE *out)
{
	fputs(csv_header, out);
	for (size_t a = 0; a < r->nareas; a++) {
		const rep_area *ar = &r->areas[a];
		for (size_t i = 0; i < ar->nrows; i++)
			csv_line(out, r, ar->name, ar->rows[i].path, rep_row_kind_name(ar->rows[i].flags), ar->rows[i].depth,
				 ar->rows[i].fig, ar->cover, NULL);
		if (!ar->has_offenders)
			continue;
		for (size_t k = 0; k < ar->noffenders; k++) {
			char path[96];
			snprintf(path, sizeof path, "Offenders (face match) > %s", ar->offenders[k].label);
			csv_line(out, r, ar->name, path, "offenders", 1, ar->offenders[k].fig, NULL, &ar->offenders[k]);
		}
	}
	return ferror(out) ? -1 : 0;
}
