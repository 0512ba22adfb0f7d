/* Significance as text, shared by every renderer: p-values, the mark beside
 * a flagged % Diff, the legend under each table, and the Highlights
 * sentences filled from the report's wording template. */
#ifndef CRIMETAB_SIGFMT_H
#define CRIMETAB_SIGFMT_H

#include <stddef.h>

#include "report/model.h"

/* The marks: they survive black-and-white printing. */
#define REP_MARK_RISE "\xe2\x96\xb2" /* U+25B2 black up-pointing triangle */
#define REP_MARK_FALL "\xe2\x96\xbc" /* U+25BC black down-pointing triangle */
#define REP_MARK_RISE_ASCII "^"
#define REP_MARK_FALL_ASCII "v"

/* A p-value: "< 0.001" below 0.001, else two significant figures, or three
 * when two would round it across 0.1, 0.05 or 0.01 (0.0496 is "0.0496", not
 * "0.05"); "" for NaN. */
void rep_fmt_p(double p, char *buf, size_t len);
/* A p-value as words say it, in every sentence, the TUI and evaluate's
 * verdicts: "p = 0.24", or "p < 0.001" (never "p = < 0.001"); "" for NaN. */
void rep_fmt_p_stmt(double p, char *buf, size_t len);
/* A figure's p-value and z-score as cell text: "" when it was not tested. */
void rep_fmt_fig_p(const rep_fig *f, char *buf, size_t len);
void rep_fmt_fig_z(const rep_fig *f, char *buf, size_t len);
/* How a mark is written: REP_MARK_ASCII "^" and "v" for terminals without
 * UTF-8; REP_MARK_TIGHT with no space before it, for narrow screens. */
enum { REP_MARK_ASCII = 1, REP_MARK_TIGHT = 2 };
/* The mark of a flagged figure ("" when not flagged). */
const char *rep_sig_mark(const rep_fig *f, unsigned how);
/* The % Diff cell with its mark: rep_fmt_pct, then " " and the mark when
 * the figure is flagged ("12.3% ▲", "Infinity ▲"; tight: "12.3%▲"). */
void rep_fmt_pct_marked(const rep_fig *f, unsigned how, char *buf, size_t len);
/* The one-line legend under a table ("" when R tests nothing, or was never
 * tested): what the
 * marks mean, the test, its sidedness and level. */
void rep_sig_legend(const rep_report *r, unsigned how, char *buf, size_t len);

/* The Highlights section's heading, each sentence, and the closing summary
 * sentence of area AR (caller frees).  NULL when R has no wording template
 * or tests nothing.  The sentence follows the figure: a flagged rise or
 * fall, a rise, a fall, unchanged, or untested (a span lacks months). */
char *rep_highlight_heading(const rep_report *r);
char *rep_highlight_text(const rep_report *r, const rep_area *ar, const rep_highlight *h);
char *rep_highlight_summary(const rep_report *r, const rep_area *ar);

#endif
