/* crimetab: dispatches subcommands from one table, and makes a failed write
 * to stdout change the exit status. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/util.h"

#define CRIMETAB_VERSION "0.1.0"

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{"import", cmd_import, "import police.uk CSVs and force exports into the database"},
	{"sources", cmd_sources, "list imported files: kind, force, months, rows"},
	{"rejects", cmd_rejects, "list rejected rows with file, line and reason"},
	{"areas", cmd_areas, "load, list and remove town centres"},
	{"report", cmd_report, "write the scrutiny tables (Markdown, XLSX, CSV, JSON)"},
	{"tui", cmd_tui, "browse areas, months and categories in the terminal"},
	{"facematch", cmd_facematch, "pull offender counts from a face-match plugin"},
};

static void usage(FILE *out)
{
	fprintf(out, "usage: crimetab <command> [options] [args]\n\n"
		     "crimetab imports police.uk and force crime exports into SQLite and produces the\n"
		     "town-centre crime tables a council scrutiny committee reads.\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nEvery command takes --help, and --db FILE (default: $CRIMETAB_DB, else ./crimetab.db).\n"
		     "Exit status: 0 ok, 2 bad usage, 3 bad input data, 4 months missing from the data,\n"
		     "5 input/output error, 6 database error, 7 database busy, 8 plugin error.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
			static char tui[] = "tui";
			char *args[] = {tui, NULL};
			return cmd_tui(1, args);
		}
		usage(stderr);
		return CT_EUSAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("crimetab %s\n", CRIMETAB_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		int rc = commands[i].fn(argc - 1, argv + 1);
		if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
			ct_error("standard output: write error: %s", strerror(errno));
			if (rc == 0)
				rc = CT_EIO;
		}
		return rc;
	}
	fprintf(stderr, "crimetab: '%s' is not a command\n", argv[1]);
	usage(stderr);
	return CT_EUSAGE;
}
