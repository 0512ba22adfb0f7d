/* Tidy CSV for pipelines: one line per area x row x window, counts as plain
 * integers (0 included), text fields quoted per RFC 4180 and defused. */
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

static void csv_line(FILE *out, const char *area, const char *path, int depth, const rep_fig *fig)
{
	for (int w = 0; w < REP_WINDOWS; w++) {
		char pct[32];
		rep_fmt_pct(&fig[w], pct, sizeof pct);
		csv_text(out, area);
		fputc(',', out);
		csv_text(out, path);
		fprintf(out, ",%d,%s,%lld,%lld,%lld,%s\n", depth, window_name[w], fig[w].cur, fig[w].cmp, fig[w].diff,
			pct);
	}
}

int rep_write_csv(const rep_report *r, FILE *out)
{
	fputs("area,row,depth,window,current,comparison,diff,pct\n", out);
	for (size_t a = 0; a < r->nareas; a++) {
		const rep_area *ar = &r->areas[a];
		for (size_t i = 0; i < ar->nrows; i++)
			csv_line(out, ar->name, ar->rows[i].path, ar->rows[i].depth, ar->rows[i].fig);
		if (!ar->has_offenders)
			continue;
		for (int k = 0; k < REP_OFF_COUNT; k++) {
			char path[64];
			snprintf(path, sizeof path, "Offenders (face match) > %s", rep_offender_label[k]);
			csv_line(out, ar->name, path, 1, ar->offenders[k]);
		}
	}
	return ferror(out) ? -1 : 0;
}
