/* Significance as text.  Every renderer prints marks, legends, p-values and
 * Highlights through these functions, so they read the same everywhere. */
#include "report/sigfmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "report/phrases.h"

void rep_fmt_p(double p, char *buf, size_t len)
{
	static const double marks[] = {0.1, 0.05, 0.01};
	if (isnan(p)) {
		if (len)
			buf[0] = '\0';
		return;
	}
	if (p < 0.001) {
		snprintf(buf, len, "< 0.001");
		return;
	}
	snprintf(buf, len, "%.2g", p);
	double shown = strtod(buf, NULL);
	for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
		if ((p < marks[i]) != (shown < marks[i])) {
			snprintf(buf, len, "%.3g", p);
			return;
		}
}

void rep_fmt_p_stmt(double p, char *buf, size_t len)
{
	char v[16]; /* "< 0.001", "0.0496" */
	rep_fmt_p(p, v, sizeof v);
	if (!v[0]) {
		if (len)
			buf[0] = '\0';
		return;
	}
	snprintf(buf, len, "p %s%s", v[0] == '<' ? "" : "= ", v);
}

void rep_fmt_fig_p(const rep_fig *f, char *buf, size_t len)
{
	if (f->tested)
		rep_fmt_p(f->p, buf, len);
	else if (len)
		buf[0] = '\0';
}

void rep_fmt_fig_z(const rep_fig *f, char *buf, size_t len)
{
	if (f->tested)
		snprintf(buf, len, "%.2f", round(f->z * 100) / 100 + 0.0);
	else if (len)
		buf[0] = '\0';
}

const char *rep_sig_mark(const rep_fig *f, unsigned how)
{
	int ascii = (how & REP_MARK_ASCII) != 0;
	if (f->flag == REP_FLAG_RISE)
		return ascii ? REP_MARK_RISE_ASCII : REP_MARK_RISE;
	if (f->flag == REP_FLAG_FALL)
		return ascii ? REP_MARK_FALL_ASCII : REP_MARK_FALL;
	return "";
}

void rep_fmt_pct_marked(const rep_fig *f, unsigned how, char *buf, size_t len)
{
	rep_fmt_pct(f, buf, len);
	const char *mark = rep_sig_mark(f, how);
	size_t n = strlen(buf);
	if (*mark && n < len)
		snprintf(buf + n, len - n, "%s%s", (how & REP_MARK_TIGHT) ? "" : " ", mark);
}

/* "5%" for 0.05. */
static void fmt_level(double alpha, char *buf, size_t len)
{
	snprintf(buf, len, "%g%%", alpha * 100);
}

void rep_sig_legend(const rep_report *r, unsigned how, char *buf, size_t len)
{
	int ascii = (how & REP_MARK_ASCII) != 0;
	char level[16];
	if (!(r->alpha > 0)) { /* the figures were never tested */
		if (len)
			buf[0] = '\0';
		return;
	}
	fmt_level(r->alpha, level, sizeof level);
	const char *up = ascii ? REP_MARK_RISE_ASCII : REP_MARK_RISE, *down = ascii ? REP_MARK_FALL_ASCII : REP_MARK_FALL;
	switch (r->sig_test) {
	case REP_SIG_ETEST:
		snprintf(buf, len,
			 "%s %s a rise or fall unlikely to be chance: E-test, two-sided p < %g. Unmarked changes are "
			 "within normal variation; figures on missing months are not tested.",
			 up, down, r->alpha);
		break;
	case REP_SIG_Z:
		snprintf(buf, len,
			 "%s %s a rise or fall unlikely to be chance: Poisson z-score beyond %s%.2f (%s level, "
			 "two-sided). Unmarked changes are within normal variation; figures on missing months are not "
			 "tested.",
			 up, down, ascii ? "+/-" : "\xc2\xb1", r->z_crit, level);
		break;
	default:
		if (len)
			buf[0] = '\0';
	}
}

/* ---- Highlights ---- */

static const char *test_label(rep_sig_test t)
{
	return t == REP_SIG_Z ? "Poisson z-score test" : "E-test";
}

char *rep_highlight_heading(const rep_report *r)
{
	if (!r->phrases || r->sig_test == REP_SIG_NONE || !(r->alpha > 0))
		return NULL;
	const char *v[REP_PV_COUNT] = {0};
	return rep_phrase_fill(r->phrases, REP_PH_HEADING, v);
}

char *rep_highlight_text(const rep_report *r, const rep_area *ar, const rep_highlight *h)
{
	if (!r->phrases || r->sig_test == REP_SIG_NONE || !(r->alpha > 0))
		return NULL;
	const rep_row *row = &ar->rows[h->row];
	const rep_fig *f = &row->fig[h->window];
	char period[48], basis[40], cur[24], cmp[24], diff[24], pct[40], p[24], z[16], alpha[16];
	int w = h->window, months = rep_window_months[w];
	if (w == 0) {
		char m[24];
		ct_month_long(r->month, m, sizeof m);
		snprintf(period, sizeof period, "in %s", m);
	} else {
		snprintf(period, sizeof period, "over the last %d months", months);
	}
	if (r->compare == REP_COMPARE_PREVIOUS)
		snprintf(basis, sizeof basis, months == 1 ? "the month before" : "the %d months before", months);
	else
		snprintf(basis, sizeof basis, "a year earlier");
	snprintf(cur, sizeof cur, "%lld", f->cur);
	snprintf(cmp, sizeof cmp, "%lld", f->cmp);
	snprintf(diff, sizeof diff, "%+lld", f->diff);
	if (f->pct_kind == REP_PCT_INFINITY) {
		snprintf(pct, sizeof pct, "up from none");
	} else {
		char t[32];
		rep_fmt_pct(f, t, sizeof t);
		snprintf(pct, sizeof pct, "%s%s", f->diff > 0 && f->pct_kind == REP_PCT_VALUE ? "+" : "", t);
	}
	if (f->tested)
		rep_fmt_p_stmt(f->p, p, sizeof p);
	else
		p[0] = '\0';
	rep_fmt_fig_z(f, z, sizeof z);
	fmt_level(r->alpha, alpha, sizeof alpha);
	/* "Total in Yarm rose" reads as a typo; the Total row is all the crime in it */
	const char *label = (row->flags & REP_ROW_TOTAL) ? "Total crime" : row->label;
	const char *v[REP_PV_COUNT] = {
		[REP_PV_ROW] = label,      [REP_PV_AREA] = ar->name, [REP_PV_PERIOD] = period,
		[REP_PV_BASIS] = basis,    [REP_PV_CURRENT] = cur,   [REP_PV_COMPARISON] = cmp,
		[REP_PV_DIFF] = diff,      [REP_PV_PCT] = pct,       [REP_PV_P] = p,
		[REP_PV_Z] = z,            [REP_PV_ALPHA] = alpha,   [REP_PV_TEST] = test_label(r->sig_test),
	};
	rep_phrase which = !f->tested		      ? REP_PH_UNTESTED
			   : f->flag == REP_FLAG_RISE ? REP_PH_SIGNIFICANT_RISE
			   : f->flag == REP_FLAG_FALL ? REP_PH_SIGNIFICANT_FALL
			   : f->diff > 0	      ? REP_PH_RISE
			   : f->diff < 0	      ? REP_PH_FALL
						      : REP_PH_UNCHANGED;
	return rep_phrase_fill(r->phrases, which, v);
}

char *rep_highlight_summary(const rep_report *r, const rep_area *ar)
{
	if (!r->phrases || r->sig_test == REP_SIG_NONE || !(r->alpha > 0))
		return NULL;
	char examined[16], flagged[16], rises[16], falls[16], expected[16], alpha[16];
	snprintf(examined, sizeof examined, "%d", ar->examined);
	snprintf(flagged, sizeof flagged, "%d", ar->flagged);
	snprintf(rises, sizeof rises, "%d", ar->rises);
	snprintf(falls, sizeof falls, "%d", ar->falls);
	snprintf(expected, sizeof expected, "%ld", lround(ar->examined * r->alpha));
	fmt_level(r->alpha, alpha, sizeof alpha);
	const char *v[REP_PV_COUNT] = {
		[REP_PV_AREA] = ar->name,    [REP_PV_EXAMINED] = examined, [REP_PV_FLAGGED] = flagged,
		[REP_PV_RISES] = rises,      [REP_PV_FALLS] = falls,       [REP_PV_EXPECTED] = expected,
		[REP_PV_ALPHA] = alpha,      [REP_PV_TEST] = test_label(r->sig_test),
	};
	return rep_phrase_fill(r->phrases, ar->flagged ? REP_PH_SUMMARY : REP_PH_NONE_FLAGGED, v);
}
