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
int cmd_evaluate(int argc, char **argv);

/* Opens the database named by --db / $CRIMETAB_DB / ./crimetab.db, printing
 * the error; NULL on failure. */
store *cli_open_store(const char *db, int readonly);

/* Prints TEXT for --help (stdout) and returns 0. */
int cli_help(const char *text);
/* Prints "crimetab CMD: message" and a hint to stderr; returns CT_EUSAGE. */
int cli_usage_error(const char *cmd, const char *msg);

#endif
