/* Statistics: from the monthly cube to the report model.  For each area, row
 * and window: current count, comparison count, difference, % difference. */
#ifndef CRIMETAB_STATS_H
#define CRIMETAB_STATS_H

#include <stddef.h>

#include "core/status.h"
#include "report/model.h"
#include "store/store.h"
#include "taxonomy/taxonomy.h"

/* The name of the pseudo-area holding every crime, in or out of town centres. */
#define STATS_ALL_AREAS "All data"

typedef struct stats_request {
	int month;                /* selected month index; -1: the latest with data */
	int compare;              /* REP_COMPARE_YOY or REP_COMPARE_PREVIOUS */
	const char *dataset;      /* "street", "force", or NULL: the taxonomy's if it has
				     data, else whichever has data */
	const char *const *areas; /* names; NULL: every area */
	size_t nareas;
	int include_all;          /* add the "All data" pseudo-area first */
	int allow_missing;        /* month -1: the latest month even if its comparisons lack months */
	int suppress_below;       /* offender counts from 1 to this - 1 are suppressed, and so is
				     what would give them away; 0: no disclosure control */
	int confirmed_only;       /* offender rows of confirmed matches only */
	rep_sig_test significance; /* the test that flags a change: REP_SIG_ETEST (0, the default), _Z, _NONE */
	double alpha;             /* its level; 0: 0.05 */
	const char *const *highlight_rows; /* rows every Highlights section covers (labels or paths) */
	size_t nhighlight_rows;
} stats_request;

/* The disclosure-control threshold of published reports unless told otherwise. */
#define STATS_SUPPRESS_DEFAULT 3

/* The dataset a report of taxonomy T reads: REQUESTED ("street" or "force")
 * if given, else the taxonomy's own if imported, else whichever is.  NULL
 * with err set when that dataset holds no crimes.  The result is REQUESTED
 * or a string constant. */
const char *stats_dataset(store *s, const taxonomy *t, const char *requested, char *err, size_t errlen);

/* Builds the report.  Month -1 is the latest month every force has data
 * for, unless its comparisons lack months and an earlier month's are complete
 * (r->month_reason says which and why).  Missing months (a force with no file
 * for a month a window needs) mark the figures of every area whose data come
 * from that force (rep_fig.missing, rep_area.cover) and become warnings, one
 * per distinct gap.  NULL with err set, and *WHY
 * (if not NULL) set to CT_EUSAGE when an area is unknown, CT_EDATA when there
 * is no data, CT_EDB when the database fails. */
rep_report *stats_build(store *s, const taxonomy *t, const stats_request *req, ct_status *why, char *err,
			size_t errlen);

/* Window spans for MONTH and COMPARE (pure arithmetic, for tests). */
void stats_spans(int month, int compare, rep_window_span span[REP_WINDOWS]);

/* The % difference figures for CUR against CMP. */
rep_fig stats_fig(long long cur, long long cmp);
/* Adds MISSING (REP_MISSING_* bits) to F: no % can then be given. */
void stats_mark(rep_fig *f, unsigned missing);

/* Disclosure control of R's offender cells at R->suppress_below (see
 * stats_request); stats_build calls it, and tests call it on models they
 * build by hand. */
void stats_suppress(rep_report *r);

/* The first and last months any force has a file of DATASET for (-1, -1 when
 * there are none).  0, or -1 on a database error. */
int stats_data_range(store *s, const char *dataset, int *first, int *last);

/* The taxonomy to show when none is asked for: police-uk when the database
 * holds police.uk street data and no force export (the Home Office template
 * would put most of it in Unknown), else home-office. */
const char *stats_default_taxonomy(store *s);

/* The forces of DATASET whose data the areas IDS[0..NIDS) draw on: each
 * force with a crime, in any month, in one of them (a town centre by a force
 * boundary draws on two).  Every force of the dataset when the areas hold no
 * crime, NIDS is 0 or an id is 0 (all data).  This is the rule that marks a
 * report's figures on missing months (rep_area.gaps), so a force's gap only
 * touches the areas it supplies.  *FORCES gets their names in the order of
 * store_coverage_each, *NFORCES their number; the caller frees each name and
 * the array.  0, or -1 on a database error. */
int stats_area_forces(store *s, const char *dataset, const long long *ids, size_t nids, char ***forces,
		      size_t *nforces);

/* The latest month for which every force with data of DATASET has a file, or -1. */
int stats_latest_complete_month(store *s, const char *dataset);

/* Every area in the store, in its order: ids and copies of the names. */
typedef struct stats_area_list {
	long long *ids;
	char **names;
	size_t n;
} stats_area_list;
/* Fills L, which starts zeroed, from S; 0, or -1 on a database error.
 * Either way stats_area_list_release frees what it holds. */
int stats_area_list_load(store *s, stats_area_list *l);
void stats_area_list_release(stats_area_list *l);

#endif
