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

/* Opens the database named by --db / $CRIMETAB_DB / ./crimetab.db in MODE
 * (STORE_READONLY for commands that only read, STORE_CREATE only for import
 * and areas load, else STORE_WRITE), waiting for a writer's lock as long as
 * --wait or $CRIMETAB_LOCK_TIMEOUT says.  NULL on failure, with the error
 * printed and *status the exit status (CT_EBUSY, CT_EDB, CT_EUSAGE). */
store *cli_open_store(const char *db, int mode, int *status);
/* The exit status for a failed store call on S: CT_EBUSY if the wait for a
 * lock ran out, else CT_EDB. */
int cli_db_status(const store *s);
/* --wait SECONDS for command CMD: 0, or the usage error printed. */
int cli_set_wait(const char *cmd, const char *arg);

/* Prints TEXT for --help (stdout) and returns 0. */
int cli_help(const char *text);
/* Prints "crimetab CMD: message" and a hint to stderr; returns CT_EUSAGE. */
int cli_usage_error(const char *cmd, const char *msg);

#endif
