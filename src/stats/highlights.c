/* Significance over a whole report and the Highlights lists.  A figure on
 * missing months is never tested: its change cannot be read. */
#define _GNU_SOURCE /* qsort_r */
#include "stats/highlights.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"
#include "stats/signif.h"

static void test_fig(rep_fig *f, rep_sig_test test, double alpha, double zcrit)
{
	f->tested = 0;
	f->flag = REP_FLAG_NONE;
	f->z = f->p = 0;
	if (test == REP_SIG_NONE || f->missing)
		return;
	f->tested = 1;
	f->z = sig_z(f->cur, f->cmp);
	f->p = sig_etest(f->cur, f->cmp, 1, 1, SIG_TWO_SIDED);
	int pass = test == REP_SIG_Z ? fabs(f->z) >= zcrit : f->p < alpha;
	if (pass && f->diff)
		f->flag = f->diff > 0 ? REP_FLAG_RISE : REP_FLAG_FALL;
}

typedef struct by_size {
	const rep_area *ar;
	int window;
} by_size;

/* Largest difference first, then in table order. */
static int cmp_size(const void *a, const void *b, void *ctx)
{
	const by_size *c = ctx;
	const rep_highlight *x = a, *y = b;
	long long dx = llabs(c->ar->rows[x->row].fig[c->window].diff);
	long long dy = llabs(c->ar->rows[y->row].fig[c->window].diff);
	if (dx != dy)
		return dx > dy ? -1 : 1;
	return x->row < y->row ? -1 : x->row > y->row;
}

static void add(rep_area *ar, size_t row, int window, int watched)
{
	ar->highlights = xrealloc(ar->highlights, (ar->nhighlights + 1) * sizeof *ar->highlights);
	ar->highlights[ar->nhighlights++] = (rep_highlight){.row = row, .window = window, .watched = watched};
}

static void area_highlights(rep_area *ar, const char *const *watch, size_t nwatch)
{
	for (int w = 0; w < REP_WINDOWS; w++) {
		size_t first = ar->nhighlights;
		for (size_t i = 0; i < ar->nrows; i++) {
			const rep_fig *f = &ar->rows[i].fig[w];
			if (f->tested && (f->cur || f->cmp))
				ar->examined++;
			if (f->flag == REP_FLAG_NONE)
				continue;
			ar->flagged++;
			if (f->flag == REP_FLAG_RISE)
				ar->rises++;
			else
				ar->falls++;
			add(ar, i, w, 0);
		}
		by_size ctx = {ar, w};
		if (ar->nhighlights > first)
			qsort_r(ar->highlights + first, ar->nhighlights - first, sizeof *ar->highlights, cmp_size, &ctx);
	}
	size_t nflagged = ar->nhighlights;
	for (size_t k = 0; k < nwatch; k++)
		for (size_t i = 0; i < ar->nrows; i++) {
			const rep_row *row = &ar->rows[i];
			if (strcasecmp(row->label, watch[k]) != 0 && strcasecmp(row->path, watch[k]) != 0)
				continue;
			for (int w = 0; w < REP_WINDOWS; w++) {
				size_t h = 0;
				while (h < nflagged && !(ar->highlights[h].row == i && ar->highlights[h].window == w))
					h++;
				if (h < nflagged)
					ar->highlights[h].watched = 1;
				else
					add(ar, i, w, 1);
			}
		}
}

void stats_significance(rep_report *r, rep_sig_test test, double alpha, const char *const *watch, size_t nwatch)
{
	if (!(alpha > 0 && alpha < 1))
		alpha = 0.05;
	r->sig_test = test;
	r->alpha = alpha;
	double zcrit = sig_norm_quantile(1 - alpha / 2);
	r->z_crit = zcrit;
	for (size_t a = 0; a < r->nareas; a++) {
		rep_area *ar = &r->areas[a];
		for (size_t i = 0; i < ar->nrows; i++)
			for (int w = 0; w < REP_WINDOWS; w++)
				test_fig(&ar->rows[i].fig[w], test, alpha, zcrit);
		for (size_t k = 0; k < ar->noffenders; k++)
			for (int w = 0; w < REP_WINDOWS; w++)
				test_fig(&ar->offenders[k].fig[w], test, alpha, zcrit);
		free(ar->highlights);
		ar->highlights = NULL;
		ar->nhighlights = 0;
		ar->examined = ar->flagged = ar->rises = ar->falls = 0;
		area_highlights(ar, watch, nwatch);
	}
}
