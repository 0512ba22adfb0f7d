/* Helpers shared by the subcommands. */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "core/util.h"

/* --wait SECONDS, or -1 when not given */
static double wait_option = -1;

/* Parses a lock wait in seconds (a number from 0 up); -1 if it is not one. */
static double parse_wait(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	return end == s || *end || !(v >= 0 && v <= 1e6) ? -1 : v;
}

int cli_set_wait(const char *cmd, const char *arg)
{
	wait_option = parse_wait(arg);
	if (wait_option < 0)
		return cli_usage_error(cmd, "--wait: expected a number of seconds");
	return CT_OK;
}

store *cli_open_store(const char *db, int mode, int *status)
{
	char err[1024];
	double wait = wait_option;
	const char *env = getenv("CRIMETAB_LOCK_TIMEOUT");
	if (wait < 0 && env && *env && (wait = parse_wait(env)) < 0) {
		ct_error("CRIMETAB_LOCK_TIMEOUT: \"%s\" is not a number of seconds", env);
		*status = CT_EUSAGE;
		return NULL;
	}
	store_set_lock_wait(wait);
	ct_status why;
	store *s = store_open_status(store_default_path(db), mode, &why, err, sizeof err);
	if (!s)
		ct_error("%s", err);
	*status = s ? CT_OK : (int)why;
	return s;
}

int cli_db_status(const store *s)
{
	return store_busy(s) ? CT_EBUSY : CT_EDB;
}

int cli_help(const char *text)
{
	fputs(text, stdout);
	return CT_OK;
}

int cli_usage_error(const char *cmd, const char *msg)
{
	fprintf(stderr, "crimetab %s: %s\nTry 'crimetab %s --help'.\n", cmd, msg, cmd);
	return CT_EUSAGE;
}
