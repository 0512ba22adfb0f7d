/* Did it work?  Counts before and after an intervention in treated,
 * control and displacement-buffer areas, and the Weighted Displacement
 * Difference test on them (crimetab evaluate). */
#ifndef CRIMETAB_STATS_EVALUATE_H
#define CRIMETAB_STATS_EVALUATE_H

#include <stddef.h>

#include "core/status.h"
#include "report/evaluation.h"
#include "stats/signif.h"
#include "store/store.h"
#include "taxonomy/taxonomy.h"

typedef struct stats_eval_request {
	const char *const *treated; /* area names (at least one) */
	size_t ntreated;
	const char *const *control; /* area names (at least one) */
	size_t ncontrol;
	/* Displacement buffers: either rings BUFFER_M metres wide around the
	 * treated and the control polygons, or named areas, or none. */
	double buffer_m;
	const char *const *treated_buffer;
	size_t ntreated_buffer;
	const char *const *control_buffer;
	size_t ncontrol_buffer;
	int start;    /* the intervention's first month */
	int pre;      /* months before START; 0: as many as after */
	int post;     /* months after; 0: up to 12, ending by the latest month every force has */
	int skip;     /* months from START left out before the months after (settling in) */
	const char *category; /* a taxonomy row (label or path) or source category; NULL or "Total": every crime */
	const char *dataset;  /* "street", "force", or NULL: see stats_dataset */
	double alpha;         /* significance level, e.g. 0.05 */
	int offenders;        /* also test distinct offenders (face match), one area per group */
	int suppress_below;   /* disclosure control of those: counts from 1 to this - 1 are
				 withheld, and then no test is made on them; 0: none */
} stats_eval_request;

/* Counts and tests.  Months missing from the data (or from the face-match
 * runs) become warnings, and the test affected is not made.  NULL with err
 * set and *WHY CT_EUSAGE (unknown area or category, an area in two groups, a
 * buffer in metres around an area with no polygon, periods that do not fit
 * the data), CT_EDATA (no data) or CT_EDB. */
rep_eval *stats_evaluate(store *s, const taxonomy *t, const stats_eval_request *req, ct_status *why, char *err,
			 size_t errlen);

/* Puts the test W at level ALPHA into T: T is tested, and significant when
 * W's p is below ALPHA.  stats_evaluate's last step, and the one way to
 * fill a test for an evaluation made by hand. */
void stats_ev_set_wdd(rep_ev_test *t, const sig_wdd *w, double alpha);

#endif
