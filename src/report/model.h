/* The report model: one in-memory table per area (rows with depth, label,
 * emphasis and figures per window) that every exporter and the TUI render.
 * Built by stats/; nothing that renders it computes a figure. */
#ifndef CRIMETAB_MODEL_H
#define CRIMETAB_MODEL_H

#include <stddef.h>

#define REP_WINDOWS 3 /* selected month, last 6 months, last 12 months */
#define REP_SERIES 24 /* monthly history per row, oldest first, ending with the selected month */

/* Months in each window, and its heading: "Selected Month", "Last 6 Months", "Last 12 Months". */
extern const int rep_window_months[REP_WINDOWS];
extern const char *const rep_window_label[REP_WINDOWS];

enum { REP_COMPARE_YOY = 0, REP_COMPARE_PREVIOUS = 1 };

typedef enum { REP_PCT_NONE, REP_PCT_VALUE, REP_PCT_INFINITY } rep_pct_kind;

/* The mark on a figure that rests on months missing from the data (U+2021
 * double dagger); a footnote under the table names the forces and months. */
#define REP_MARK "\xe2\x80\xa1"

/* rep_fig.missing: which span of the window lacks months of data. */
enum { REP_MISSING_CURRENT = 1, REP_MISSING_COMPARISON = 2 };

/* One window's figures: current and comparison counts, their difference and
 * the % difference (none when both are 0; Infinity when only cmp is 0).
 * When either span lacks months (MISSING set) the counts are what the data
 * holds, but no change can be read from them: pct_kind is REP_PCT_NONE and
 * the renderers print the difference and % as "n/a".  Fields are only ever
 * appended. */
typedef struct rep_fig {
	long long cur, cmp, diff;
	rep_pct_kind pct_kind;
	double pct;       /* diff / cmp * 100, unrounded */
	unsigned missing; /* REP_MISSING_* bits; 0 when both spans are complete */
	/* significance (stats/highlights.c; docs/statistics.md) */
	int tested;       /* 1: z and p hold; 0: not tested (none asked for, MISSING set, or
			   * an offender cell withheld by disclosure control) */
	double z;         /* Poisson z-score: 2 (sqrt cur - sqrt cmp) */
	double p;         /* E-test p-value, two-sided */
	int flag;         /* REP_FLAG_*: the change passed the report's test at its level */
} rep_fig;

/* Which test flags a change, and the flag it gets (docs/statistics.md). */
typedef enum { REP_SIG_ETEST = 0, REP_SIG_Z = 1, REP_SIG_NONE = 2 } rep_sig_test;
enum { REP_FLAG_NONE = 0, REP_FLAG_RISE = 1, REP_FLAG_FALL = 2 };
extern const char *const rep_sig_test_name[3]; /* "e-test", "z", "none" (the option values) */
/* The names the CSV, JSON and XLSX give: a percentage's kind ("value",
 * "infinity", "none"), and a row's ("group", "leaf", "total", "unknown" or
 * "outside_total": leaf and unknown rows add up to the total, and nothing
 * else does) from its REP_ROW_* flags. */
const char *rep_pct_kind_name(rep_pct_kind k);
const char *rep_row_kind_name(unsigned flags);

/* One sentence of an area's Highlights: the change of row ROW (an index in
 * the area's rows) in window WINDOW.  The renderers pick the wording from
 * the figure (flagged rise or fall, rise, fall, unchanged, untested). */
typedef struct rep_highlight {
	size_t row;
	int window;
	int watched; /* a row the report config always asks about; else a flagged change */
} rep_highlight;

enum {
	REP_ROW_GROUP = 1,         /* sum of the rows below it; shown bold */
	REP_ROW_TOTAL = 2,         /* the closing Total row; bold */
	REP_ROW_UNKNOWN = 4,       /* categories no template rule maps */
	REP_ROW_OUTSIDE_TOTAL = 8, /* not added into Total (anti-social behaviour) */
	REP_ROW_APPROX = 16,       /* stands for more than one Home Office category: see note */
};

/* A source category no template rule maps, as listed under an Unknown row. */
typedef struct rep_cat {
	char *name;                 /* as the source spells it */
	long long cur[REP_WINDOWS]; /* its count in each current window */
} rep_cat;

typedef struct rep_row {
	char *label;
	char *path;   /* labels from the top joined with " > " */
	char *note;   /* approximation note, or NULL */
	int depth;    /* 0 for top-level rows and Total */
	int parent;   /* index in the area's rows, -1 at the top */
	unsigned flags;
	rep_fig fig[REP_WINDOWS];
	long long series[REP_SERIES];
	rep_cat *cats; /* REP_ROW_UNKNOWN rows: the categories in it, largest 12-month count first */
	size_t ncats;
} rep_row;

/* Completeness of one span (a window's current or comparison months) for
 * one area: complete when every force whose data the area draws on has the
 * report's dataset for every month of it. */
#define REP_WINDOW_MAX 12 /* the longest window, in months */
enum { REP_SIDE_CURRENT = 0, REP_SIDE_COMPARISON = 1 };
typedef struct rep_side {
	int nmissing;                /* 0: complete */
	int missing[REP_WINDOW_MAX]; /* months some of those forces lack, ascending */
} rep_side;

/* A run of months for which one force has none of the report's dataset. */
typedef struct rep_gap {
	char *force;
	int from, to; /* inclusive */
} rep_gap;

/* Face-match offender measures (present only after a plugin run). */
enum { REP_OFF_SIGHTINGS, REP_OFF_DISTINCT, REP_OFF_REPEAT, REP_OFF_WATCHLIST, REP_OFF_COUNT };
extern const char *const rep_offender_label[REP_OFF_COUNT];

/* Disclosure control of an offender cell: shown, below the threshold
 * ("<3"), or hidden because with cells shown it would give away a small
 * count ("[c]"). */
enum { REP_SUP_NONE = 0, REP_SUP_SMALL = 1, REP_SUP_SECONDARY = 2 };
/* The parts of a window's figures, for rep_off_mark. */
enum { REP_PART_CUR, REP_PART_CMP, REP_PART_DIFF, REP_PART_PCT };

/* One offender row: a measure over every match, or over the matches a
 * person confirmed. */
typedef struct rep_off_row {
	int measure;   /* REP_OFF_* */
	int confirmed; /* only sightings a person confirmed */
	char *label;   /* e.g. "Distinct offenders" or "Distinct offenders (confirmed)" */
	rep_fig fig[REP_WINDOWS];
	unsigned char sup[REP_WINDOWS][2]; /* REP_SUP_* of the current and comparison counts */
} rep_off_row;

#define REP_OFF_ROWS (2 * REP_OFF_COUNT)

/* A face-match run behind the offender figures, and how it was made. */
typedef struct rep_fm_run {
	long long id, sightings, confirmed;
	int month_min, month_max;
	double threshold; /* NaN when not known */
	char *plugin, *version, *identity, *model, *similarity, *gallery, *options, *plugin_sha256, *inputs, *run_at;
} rep_fm_run;

typedef struct rep_area {
	char *name;
	rep_row *rows; /* display order: parents before children, children by last-6-months
			  count (then label) unless the template fixes the order; rows zero
			  in every window and comparison left out; Total last */
	size_t nrows;
	int has_offenders;
	rep_off_row offenders[REP_OFF_ROWS]; /* all matches, each followed by its confirmed-only
					       row; or confirmed-only rows alone */
	size_t noffenders;
	/* completeness, the same for every row: cover[w][REP_SIDE_*], and each
	 * row's fig[w].missing says the same per figure */
	rep_side cover[REP_WINDOWS][2];
	unsigned char series_missing[REP_SERIES]; /* 1: a month of the series lacks data */
	rep_gap *gaps; /* the forces' missing runs behind it, by force then month */
	size_t ngaps;
	/* Highlights: the flagged changes, window by window, largest first, then
	 * every window of the rows the report config always asks about */
	rep_highlight *highlights;
	size_t nhighlights;
	int examined, flagged, rises, falls; /* the rows' figures tested, and flagged */
} rep_area;

typedef struct rep_source {
	char *path, *kind, *force, *imported_at;
	int month_min, month_max;
	long long rows;
	char *sha256; /* of the file's bytes, hex; "" when not known */
} rep_source;

typedef struct rep_window_span {
	int from, to;         /* current window, inclusive */
	int cmp_from, cmp_to; /* comparison window, inclusive */
} rep_window_span;

typedef struct rep_report {
	int month;       /* the selected month (index: year * 12 + month - 1) */
	int compare;     /* REP_COMPARE_YOY or REP_COMPARE_PREVIOUS */
	rep_window_span span[REP_WINDOWS];
	char *taxonomy;  /* template name */
	char *dataset;   /* "street" (police.uk) or "force" */
	rep_area *areas;
	size_t nareas;
	char **warnings; /* e.g. months missing from the data; one line per distinct gap */
	size_t nwarnings;
	rep_gap *gaps;   /* every force's missing runs in the REP_SERIES months (the warnings' facts) */
	size_t ngaps;
	char *month_reason;    /* why --month latest chose this month, or NULL when it was given */
	long long generated_at; /* when the model was built (Unix seconds, UTC) */
	rep_source *sources; /* the files the figures come from */
	size_t nsources;
	rep_fm_run *fm_runs; /* the face-match runs the offender figures come from */
	size_t nfm_runs;
	int suppress_below;  /* offender counts from 1 to this - 1 are suppressed; 0: none */
	int confirmed_only;  /* offender rows count confirmed matches only */
	rep_sig_test sig_test; /* the test that flags a change */
	double alpha;          /* its level (0.05); 0: stats_significance never ran.  Set even
				* under REP_SIG_NONE: whether figures were tested is sig_test's */
	double z_crit;         /* the |z| a flag needs under REP_SIG_Z (1.96 at 0.05) */
	struct rep_phrases *phrases; /* the Highlights wording (report/phrases.h), owned; NULL: no Highlights */
} rep_report;

void rep_report_free(rep_report *r);

/* Cell text, following the committee paper's conventions.  Every renderer
 * prints a figure through rep_fmt_cur, rep_fmt_diff and rep_fmt_pct, so a
 * figure built on missing months reads the same everywhere. */
/* A count: "" for 0, else the number. */
void rep_fmt_count(long long n, char *buf, size_t len);
/* A window's current count: rep_fmt_count, then REP_MARK when the current
 * window lacks months (the mark alone for 0). */
void rep_fmt_cur(const rep_fig *f, char *buf, size_t len);
/* A difference: "" when current and comparison are both 0, else the number;
 * "n/a" when either span lacks months, marked when the comparison does. */
void rep_fmt_diff(const rep_fig *f, char *buf, size_t len);
/* A % difference: "" when both are 0, "Infinity", or one decimal and "%";
 * "n/a" when either span lacks months. */
void rep_fmt_pct(const rep_fig *f, char *buf, size_t len);
/* Disclosure control, for every renderer: the mark that stands for PART
 * (REP_PART_*) of window W of offender row O, "<3" or "[c]", or NULL when
 * it is shown as it is.  A difference or % difference is hidden whenever
 * either of its counts is. */
const char *rep_off_mark(const rep_report *r, const rep_off_row *o, int w, int part, char *buf, size_t len);
/* The disclosure-control note under every offender table, into BUF: "Counts
 * from 1 to 2 show as <3, and [c] hides a figure that would give such a
 * count away."; "" when R suppresses nothing. */
void rep_off_suppress_note(const rep_report *r, char *buf, size_t len);
/* One line of provenance for face-match run F, into BUF (LEN bytes):
 * "PLUGIN VERSION (run N, YYYY-MM to YYYY-MM, keys kept across runs; model
 * ...; cosine >= 0.6; gallery ...; options ...; plugin sha256:...; inputs
 * PATH sha256:..., ...)". */
void rep_fm_run_text(const rep_fm_run *run, char *buf, size_t len);
/* The footnote under AR's tables when a window lacks months, else NULL: a
 * first line saying what the mark means, then one line per distinct gap,
 * each starting with the mark ("Cleveland Police: no police.uk street data
 * for 2022-10 to 2022-12").  *N is set to the number of lines; free with rep_lines_free. */
char **rep_gap_notes(const rep_report *r, const rep_area *ar, size_t *n);
/* One line per distinct set of missing months, naming the forces (three at
 * most, else "45 forces"): "Cleveland Police: no force export for 2024-10".
 * NULL when NGAPS is 0; free with rep_lines_free. */
char **rep_gap_lines(const rep_gap *gaps, size_t ngaps, const char *dataset, size_t *n);
void rep_lines_free(char **lines, size_t n);
/* "2022-10 to 2022-12" (or one month) into buf. */
void rep_fmt_months(int from, int to, char *buf, size_t len);
/* "January 2024 to June 2024" (or one month) into buf. */
void rep_fmt_months_long(int from, int to, char *buf, size_t len);
/* How many of AR's windows lack months in either span. */
int rep_area_incomplete(const rep_area *ar);
/* "same period a year earlier" or "preceding period". */
const char *rep_compare_label(int compare);
/* "police.uk street data" or "force export". */
const char *rep_dataset_label(const char *dataset);

#endif
