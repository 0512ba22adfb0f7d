/* Subcommands: one cmd_<name>() per file, each with its own options and
 * --help, all parsed by cli_parse() so that every command speaks one grammar. */
#ifndef CRIMETAB_CLI_H
#define CRIMETAB_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "import/import.h"
#include "store/store.h"
#include "taxonomy/taxonomy.h"

/* Each returns a process exit status (a ct_status value). */
int cmd_import(int argc, char **argv);
int cmd_sources(int argc, char **argv);
int cmd_rejects(int argc, char **argv);
int cmd_areas(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_tui(int argc, char **argv);
int cmd_facematch(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_evaluate(int argc, char **argv);
int cmd_templates(int argc, char **argv);
int cmd_run(int argc, char **argv);

/* What cli_import_paths did, added to across calls. */
typedef struct cli_import_counts {
	size_t done;   /* files imported */
	size_t dups;   /* files already imported (same content): skipped */
	size_t failed; /* files or folders that could not be imported (each named in an error) */
} cli_import_counts;

/* Imports PATHS (CSV files, or folders searched recursively for them) into S
 * with the column mapping MAP (may be NULL), as crimetab import does: a line
 * per file unless quiet, an error per file or folder that could not be
 * imported (a folder with no CSV file in it is one), the others imported
 * all the same.  Returns CT_OK, the status of the first failure (CT_EDATA,
 * CT_EIO), or CT_EDB, which stops it at once. */
int cli_import_paths(store *s, const char *const *paths, size_t npaths, const imp_mapping *map, cli_import_counts *c);

/* ---- options ----
 * A command lists its options in a table ended by CLI_END; adding one is one
 * line:
 *
 *     const char *mapping = NULL;
 *     int force = 0;
 *     const cli_opt opts[] = {
 *             CLI_STRING("mapping", 'm', &mapping),
 *             CLI_FLAG("force", 0, &force),
 *             CLI_END,
 *     };
 *     int first, rc = cli_parse("import", import_help, opts, argc, argv, &first);
 *     if (rc != CLI_CONTINUE)
 *             return rc;
 *     // operands are argv[first] .. argv[argc - 1]
 *
 * Options and operands may come in any order ("--" ends the options); a long
 * option's value is "--name VALUE" or "--name=VALUE".  Every command also
 * takes the global options (before or after the command name): --db FILE,
 * -q/--quiet, --no-color, -C DIR and -h/--help. */
typedef enum cli_kind {
	CLI_KIND_FLAG,   /* int *: set to 1; takes no value */
	CLI_KIND_STRING, /* const char **: the value (the last one given wins) */
	CLI_KIND_LIST,   /* cli_list *: every value, in the order given */
	CLI_KIND_MONTH,  /* int *: the month index of a YYYY-MM value */
	CLI_KIND_NUMBER, /* long long *: a whole number, 0 or more */
} cli_kind;

typedef struct cli_opt {
	const char *name; /* the long name, without "--"; NULL ends the table */
	int letter;       /* a one-letter alias ('q' for -q), or 0 */
	cli_kind kind;
	void *dest;
} cli_opt;

/* Every value of a repeatable option; cli_list_free frees the array (the
 * values point into argv). */
typedef struct cli_list {
	const char **v;
	size_t n;
} cli_list;
void cli_list_free(cli_list *l);

/* The destination's type is checked at compile time. */
#define CLI_TYPED_(type, p) ((void *)(1 ? (p) : (type)0))
#define CLI_FLAG(name, letter, p) {name, letter, CLI_KIND_FLAG, CLI_TYPED_(int *, p)}
#define CLI_STRING(name, letter, p) {name, letter, CLI_KIND_STRING, CLI_TYPED_(const char **, p)}
#define CLI_LIST(name, letter, p) {name, letter, CLI_KIND_LIST, CLI_TYPED_(cli_list *, p)}
#define CLI_MONTH(name, letter, p) {name, letter, CLI_KIND_MONTH, CLI_TYPED_(int *, p)}
#define CLI_NUMBER(name, letter, p) {name, letter, CLI_KIND_NUMBER, CLI_TYPED_(long long *, p)}
#define CLI_END {NULL, 0, CLI_KIND_FLAG, NULL}

/* cli_parse's "go on" return; anything else is the command's exit status. */
#define CLI_CONTINUE (-1)

/* Parses ARGV[1..] (ARGV[0] is the command name) for command CMD.  Returns
 * CLI_CONTINUE with *FIRST the index of the first operand (the operands are
 * moved after the options); or, when the command is already done, its exit
 * status: CT_OK after printing HELP for --help, CT_EUSAGE after printing one
 * error line and a pointer to --help.  Global options are applied as they are
 * met: --quiet sets ct_verbosity, --no-color sets NO_COLOR, -C changes the
 * working folder, --db is kept in cli_global. */
int cli_parse(const char *cmd, const char *help, const cli_opt *opts, int argc, char **argv, int *first);

/* The same for the options before the command name: stops at the first
 * operand (the command).  CMD and HELP are those of crimetab itself. */
int cli_parse_global(const char *help, const cli_opt *opts, int argc, char **argv, int *first);

/* Values of the options that several commands take, checked one way; each
 * returns CT_OK, or CT_EUSAGE after printing command CMD's usage error. */
/* --month: YYYY-MM as a month index, or 'latest' as -1. */
int cli_month_or_latest(const char *cmd, const char *arg, int *month);
/* --compare: yoy or previous, as REP_COMPARE_YOY or REP_COMPARE_PREVIOUS. */
int cli_compare(const char *cmd, const char *arg, int *compare);
/* --dataset: force or street. */
int cli_dataset(const char *cmd, const char *arg);
/* ARG as a number from LO to HI into *V: 0, or -1 (nothing printed) when it
 * is not one. */
int cli_number(const char *arg, double lo, double hi, double *v);
/* --alpha: a significance level, more than 0 and at most 0.5. */
int cli_alpha(const char *cmd, const char *arg, double *alpha);
/* --suppress-below: at most 1000000 (cli_parse has made sure it is a whole
 * number, 0 or more). */
int cli_check_suppress_below(const char *cmd, long long n);

/* Global options' values (the last one given, before or after the command). */
typedef struct cli_globals {
	const char *db; /* --db, or NULL */
} cli_globals;
extern cli_globals cli_global;

/* Opens the database named by --db / $CRIMETAB_DB / ./crimetab.db in MODE
 * (STORE_READONLY for commands that only read, STORE_CREATE only for import,
 * run and areas load, else STORE_WRITE), waiting for a writer's lock as long as
 * --wait or $CRIMETAB_LOCK_TIMEOUT says.  NULL on failure, with the error
 * printed and *status the exit status (CT_EBUSY, CT_EDB, CT_EUSAGE). */
store *cli_open_store(const char *db, int mode, int *status);
/* The global --wait SECONDS (for command CMD, in messages): CT_OK, or the
 * usage error printed. */
int cli_set_wait(const char *cmd, const char *arg);

/* Applies a face-match retention policy of RETAIN_MONTHS (0: none) to S
 * and records it: sightings of months before the last RETAIN_MONTHS
 * (this one included) are deleted for good, and the plugin's state is told
 * to forget them at its next run.  Prints what it did; a ct_status. */
int cli_fm_retention(store *s, int retain_months);

/* A note callback for the modules (area_load_opts.note and the like):
 * ct_warn for warnings, ct_note for the rest. */
void cli_note(void *ctx, int warning, const char *msg);

/* Templates named on the command line or in a config, found the one way
 * (ct_template_text: a file of that name, else a built-in).  Each prints its
 * error and returns NULL with *STATUS set: CT_EIO when nothing could be read,
 * CT_EDATA when the text is not usable. */
char *cli_template(const char *dir, const char *name, int *status);
taxonomy *cli_taxonomy(const char *name, int *status);
imp_mapping *cli_mapping(const char *name, int *status);
/* A report config (report --config, run --config) as parsed JSON, unchecked;
 * the caller frees it with cJSON_Delete. */
struct cJSON *cli_report_config(const char *name, int *status);

/* Where plugins named without a '/' are found: the folder `make install`
 * puts them in beside the binary (BINDIR/../lib/crimetab/plugins), or, for a
 * binary run from the build tree, its plugins/ folder (build/plugins).
 * Caller frees; NULL if the binary cannot find itself. */
char *cli_plugin_dir(void);
/* The plugin NAME_OR_PATH: a path (anything with a '/') as it is, else
 * NAME.so in cli_plugin_dir(); nothing else is ever searched.  Caller
 * frees; NULL after printing an error that lists the installed plugins. */
char *cli_plugin_path(const char *name_or_path);

/* Prints TEXT for --help (stdout), then the global options and the exit
 * statuses; returns CT_OK. */
int cli_help(const char *text);
/* Writes the exit-status table (from CT_STATUS_LIST) to OUT. */
void cli_print_statuses(FILE *out);
/* Prints "crimetab: error: CMD: message" and a pointer to CMD's --help (or
 * crimetab's when CMD is NULL) on stderr; returns CT_EUSAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
