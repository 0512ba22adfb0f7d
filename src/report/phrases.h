/* Sentence templates: the wording of a report's Highlights section, read
 * from templates/highlights/ so that a council can reword it.  A sentence
 * holds {name} placeholders that the renderer fills from the report model;
 * no figure is ever typed into a template. */
#ifndef CRIMETAB_PHRASES_H
#define CRIMETAB_PHRASES_H

#include <stddef.h>

/* The sentences a template gives, each required. */
typedef enum {
	REP_PH_HEADING,          /* the section's title */
	REP_PH_SIGNIFICANT_RISE, /* a rise that passed the test */
	REP_PH_SIGNIFICANT_FALL,
	REP_PH_RISE,             /* a rise within normal variation */
	REP_PH_FALL,
	REP_PH_UNCHANGED,        /* current = comparison */
	REP_PH_UNTESTED,         /* a window that lacks months: never tested */
	REP_PH_SUMMARY,          /* how many changes were examined and flagged */
	REP_PH_NONE_FLAGGED,     /* the same when none was flagged */
	REP_PH_COUNT
} rep_phrase;

/* The placeholders a sentence may use. */
typedef enum {
	REP_PV_ROW,        /* the row's label: "Shoplifting" */
	REP_PV_AREA,       /* "Stockton Town Centre" */
	REP_PV_PERIOD,     /* "over the last 6 months", "in September 2024" */
	REP_PV_BASIS,      /* "a year earlier", "the 6 months before" */
	REP_PV_CURRENT,    /* the count in the window */
	REP_PV_COMPARISON, /* the count in the comparison window */
	REP_PV_DIFF,       /* signed: "+24", "-3" */
	REP_PV_PCT,        /* signed: "+12.3%", "-100.0%", "up from none" */
	REP_PV_P,          /* "p = 0.24", "p < 0.001" (rep_fmt_p_stmt) */
	REP_PV_Z,          /* "1.57" */
	REP_PV_ALPHA,      /* the level as a percentage: "5%" */
	REP_PV_TEST,       /* "E-test", "Poisson z-score" */
	REP_PV_EXAMINED,   /* changes tested in the area */
	REP_PV_FLAGGED,    /* of which flagged */
	REP_PV_RISES,
	REP_PV_FALLS,
	REP_PV_EXPECTED,   /* examined x alpha, rounded: how many chance alone would flag */
	REP_PV_COUNT
} rep_phrase_var;

extern const char *const rep_phrase_key[REP_PH_COUNT];   /* "significant_rise", ... */
extern const char *const rep_phrase_var_name[REP_PV_COUNT]; /* "row", ... */

typedef struct rep_phrases rep_phrases;

/* Loads a template: a built-in name ("plain-english") or a file.  NULL with
 * "path: reason" in err: unreadable, not JSON, a sentence missing or not a
 * string, an unknown sentence, or an unknown or unclosed placeholder (named). */
rep_phrases *rep_phrases_load(const char *name_or_path, char *err, size_t errlen);
/* Parses template TEXT read from PATH (for messages). */
rep_phrases *rep_phrases_parse(const char *path, const char *text, char *err, size_t errlen);
void rep_phrases_free(rep_phrases *ph);
/* The template's name: the file's base name without .json. */
const char *rep_phrases_name(const rep_phrases *ph);

/* Sentence WHICH with every placeholder replaced by VALUES[var] (NULL reads
 * as ""); "{{" and "}}" are literal braces.  Caller frees. */
char *rep_phrase_fill(const rep_phrases *ph, rep_phrase which, const char *const values[REP_PV_COUNT]);

#endif
