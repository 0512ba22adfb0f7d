/* Report model lifetime and the cell formats every renderer shares. */
#include "report/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const int rep_window_months[REP_WINDOWS] = {1, 6, 12};
const char *const rep_window_label[REP_WINDOWS] = {"Selected Month", "Last 6 Months", "Last 12 Months"};
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
		free(ar->offenders_source);
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
	free(r->taxonomy);
	free(r->dataset);
	free(r);
}

void rep_fmt_count(long long n, char *buf, size_t len)
{
	if (n == 0)
		buf[0] = '\0';
	else
		snprintf(buf, len, "%lld", n);
}

void rep_fmt_diff(const rep_fig *f, char *buf, size_t len)
{
	if (f->cur == 0 && f->cmp == 0)
		buf[0] = '\0';
	else
		snprintf(buf, len, "%lld", f->diff);
}

void rep_fmt_pct(const rep_fig *f, char *buf, size_t len)
{
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

const char *rep_compare_label(int compare)
{
	return compare == REP_COMPARE_PREVIOUS ? "preceding period" : "same period a year earlier";
}

const char *rep_dataset_label(const char *dataset)
{
	return dataset && strcmp(dataset, "street") == 0 ? "police.uk street data" : "force export";
}
