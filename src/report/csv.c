/* Tidy CSV for pipelines: one line per area x row x window, counts as plain
 * integers (0 included) except offender figures withheld by disclosure
 * control ("<3", "[c]"), text fields quoted per RFC 4180 and defused. */
#include <stdio.h>
#include <string.h>

#include "report/export.h"

static const char *const window_name[REP_WINDOWS] = {"month", "6 months", "12 months"};

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

/* One line per window; O (may be NULL) is the offender row the figures
 * belong to, whose disclosure control puts a mark in place of some. */
static void csv_line(FILE *out, const char *area, const char *path, int depth, const rep_fig *fig,
		     const rep_report *r, const rep_off_row *o)
{
	for (int w = 0; w < REP_WINDOWS; w++) {
		char num[3][32], pct[32];
		const long long v[3] = {fig[w].cur, fig[w].cmp, fig[w].diff};
		static const int part[3] = {REP_PART_CUR, REP_PART_CMP, REP_PART_DIFF};
		rep_fmt_pct(&fig[w], pct, sizeof pct);
		for (int k = 0; k < 3; k++)
			if (!o || !rep_off_mark(r, o, w, part[k], num[k], sizeof num[k]))
				snprintf(num[k], sizeof num[k], "%lld", v[k]);
		if (o)
			rep_off_mark(r, o, w, REP_PART_PCT, pct, sizeof pct);
		csv_text(out, area);
		fputc(',', out);
		csv_text(out, path);
		fprintf(out, ",%d,%s,%s,%s,%s,%s\n", depth, window_name[w], num[0], num[1], num[2], pct);
	}
}

int rep_write_csv(const rep_report *r, FILE *out)
{
	fputs("area,row,depth,window,current,comparison,diff,pct\n", out);
	for (size_t a = 0; a < r->nareas; a++) {
		const rep_area *ar = &r->areas[a];
		for (size_t i = 0; i < ar->nrows; i++)
			csv_line(out, ar->name, ar->rows[i].path, ar->rows[i].depth, ar->rows[i].fig, r, NULL);
		if (!ar->has_offenders)
			continue;
		for (size_t k = 0; k < ar->noffenders; k++) {
			char path[96];
			snprintf(path, sizeof path, "Offenders (face match) > %s", ar->offenders[k].label);
			csv_line(out, ar->name, path, 1, ar->offenders[k].fig, r, &ar->offenders[k]);
		}
	}
	return ferror(out) ? -1 : 0;
}
