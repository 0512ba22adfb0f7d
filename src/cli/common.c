/* Helpers shared by the subcommands. */
#include <stdio.h>

#include "cli/cli.h"
#include "core/util.h"

store *cli_open_store(const char *db, int readonly)
{
	char err[1024];
	store *s = store_open(store_default_path(db), readonly, err, sizeof err);
	if (!s)
		ct_error("%s", err);
	return s;
}
