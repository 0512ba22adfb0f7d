/* Subcommands: one cmd_<name>() per file, each with its own options and --help. */
#ifndef CRIMETAB_CLI_H
#define CRIMETAB_CLI_H

#include "store/store.h"

/* Each returns a process exit status (a ct_status value). */
int cmd_import(int argc, char **argv);
int cmd_sources(int argc, char **argv);
int cmd_rejects(int argc, char **argv);
int cmd_areas(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_tui(int argc, char **argv);
int cmd_facematch(int argc, char **argv);

/* Opens the database named by --db / $CRIMETAB_DB / ./crimetab.db, printing
 * the error; NULL on failure. */
store *cli_open_store(const char *db, int readonly);

/* Applies a face-match retention policy of RETAIN_MONTHS (0: none) to S
 * and records it: sightings of months before the last RETAIN_MONTHS
 * (this one included) are deleted for good, and the plugin's state is told
 * to forget them at its next run.  Prints what it did; a ct_status. */
int cli_fm_retention(store *s, int retain_months);

/* Prints TEXT for --help (stdout) and returns 0. */
int cli_help(const char *text);
/* Prints "crimetab CMD: message" and a hint to stderr; returns CT_EUSAGE. */
int cli_usage_error(const char *cmd, const char *msg);

#endif
