/* The evaluation model: one intervention's counts before and after in the
 * treated, control and buffer areas, and the Weighted Displacement
 * Difference test on them (crimetab evaluate).  Built by stats/evaluate.c;
 * the Markdown and JSON renderers here compute nothing. */
#ifndef CRIMETAB_EVALUATION_H
#define CRIMETAB_EVALUATION_H

#include <stddef.h>
#include <stdio.h>

/* The four groups of areas the test compares. */
enum { REP_EV_TREATED, REP_EV_CONTROL, REP_EV_TREATED_BUFFER, REP_EV_CONTROL_BUFFER, REP_EV_ROLES };
/* "Treated", "Control", "Buffer around treated", "Buffer around control". */
extern const char *const rep_ev_role_label[REP_EV_ROLES];

typedef struct rep_ev_group {
	int present;      /* the buffers are optional */
	char *name;       /* its areas joined with " + ", or "200 m around ..." */
	long long pre, post;
	double pre_scaled; /* PRE in crimes per post period (times post / pre months) */
	double change;     /* POST - PRE_SCALED */
} rep_ev_group;

/* One WDD test: on crimes, or on distinct offenders. */
typedef struct rep_ev_test {
	rep_ev_group group[REP_EV_ROLES];
	int tested;     /* 0: counts only; UNTESTED says why */
	char *untested;
	double local, local_se;       /* treated change - control change */
	double displace, displace_se; /* treated buffer change - control buffer change */
	double est, se;               /* the WDD: local + displace */
	double z, p;                  /* est / se, two-sided normal p-value */
	double lo, hi;                /* the (1 - alpha) interval */
	int significant;              /* p < alpha */
} rep_ev_test;

typedef struct rep_eval {
	char *category;      /* the taxonomy row's label, or "Total" */
	char *category_path; /* its path ("Theft Offences > Shoplifting") */
	char *taxonomy, *dataset;
	int start;                    /* the intervention's first month */
	int pre_from, pre_to;         /* months before, inclusive */
	int post_from, post_to;       /* months after, inclusive */
	double buffer_m;              /* buffer width in metres; 0 for named buffers or none */
	double alpha;                 /* the test's level; intervals are 1 - alpha */
	rep_ev_test crimes;
	int has_offenders;
	rep_ev_test offenders;        /* distinct offenders seen by face match */
	char *offenders_source;       /* plugin name and version */
	char **notes;                 /* what the reader must know (scaling, overlaps) */
	size_t nnotes;
	char **warnings;              /* months missing from the data, one line each */
	size_t nwarnings;
} rep_eval;

/* Frees E and everything it owns; accepts NULL. */
void rep_eval_free(rep_eval *e);
/* Appends a copy of TEXT to E's notes or warnings. */
void rep_eval_note(rep_eval *e, const char *text);
void rep_eval_warn(rep_eval *e, const char *text);

/* A count or estimate as every rendering writes it: whole numbers without
 * decimals, others with one ("-10", "97.5"); never "-0". */
void rep_fmt_estimate(double v, char *buf, size_t len);

/* Test T's figures as text, the same in Markdown and the TUI. */
typedef struct rep_ev_text {
	char local[32], displace[32], est[32]; /* rep_fmt_estimate */
	char se[32], lo[32], hi[32];           /* one decimal */
	char z[32];                            /* two decimals */
	char p[32];                            /* rep_fmt_p: "0.46", "< 0.001" */
	int level;                             /* the interval's level in percent: 95 */
} rep_ev_text;
void rep_ev_format(const rep_eval *e, const rep_ev_test *t, rep_ev_text *out);

/* The plain-language verdict on test T of E, about WHAT ("Shoplifting",
 * "distinct offenders"): one paragraph, caller frees. */
char *rep_eval_verdict(const rep_eval *e, const rep_ev_test *t, const char *what);

/* Markdown for a committee paper: the periods, a table of counts, a table of
 * the test's figures, the verdict and the notes.  0 or -1. */
int rep_write_eval_markdown(const rep_eval *e, FILE *out);
/* The whole model as JSON (evaluate_version 1).  0 or -1. */
int rep_write_eval_json(const rep_eval *e, FILE *out);

#endif
