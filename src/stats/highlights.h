/* Which changes in a report are real: every figure's z-score and E-test, the
 * flag of those that pass the report's test, and each area's Highlights. */
#ifndef CRIMETAB_HIGHLIGHTS_H
#define CRIMETAB_HIGHLIGHTS_H

#include <stddef.h>

#include "report/model.h"

/* Tests every figure of R with a comparison (the rows' and the offender
 * measures'), except those whose windows lack months, with TEST at level
 * ALPHA (0: 0.05); then lists each area's Highlights: the flagged changes of
 * its rows window by window, largest difference first, then every window of
 * the rows WATCH names (labels or paths, any case; a row the area lacks is
 * left out).  Sets r->sig_test and r->alpha. */
void stats_significance(rep_report *r, rep_sig_test test, double alpha, const char *const *watch, size_t nwatch);

#endif
