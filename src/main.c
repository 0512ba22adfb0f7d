/* crimetab: the global options, then a subcommand from one table; a failed
 * write to stdout changes the exit status. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/util.h"
#include "core/version.h"

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

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
	{"run", cmd_run, "the monthly job: import what is new, write the configured reports"},
	{"tui", cmd_tui, "browse areas, months and categories in the terminal"},
	{"facematch", cmd_facematch, "pull offender counts from a face-match plugin"},
	{"export", cmd_export, "give imported files back from the database (--raw)"},
	{"evaluate", cmd_evaluate, "did an intervention work? the WDD test for treated and control areas"},
	{"templates", cmd_templates, "list the built-in templates and plugins found by name"},
	{"help", cmd_help, "this text, or a command's: crimetab help COMMAND"},
	{"version", cmd_version, "print crimetab's version"},
};

static char usage_text[4096];

/* crimetab's own --help, from the table. */
static const char *usage(void)
{
	strbuf sb = {0};
	sb_puts(&sb, "usage: crimetab [global options] <command> [options] [args]\n\n"
		     "crimetab imports police.uk and force crime exports into SQLite and produces the\n"
		     "town-centre crime tables a council scrutiny committee reads.  With no command on\n"
		     "a terminal it opens the TUI.\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		sb_printf(&sb, "  %-10s %s\n", commands[i].name, commands[i].summary);
	sb_puts(&sb, "\n'crimetab COMMAND --help' (or 'crimetab help COMMAND') describes each command.\n"
		     "\noptions (before the command only):\n"
		     "  --version          print crimetab's version\n");
	snprintf(usage_text, sizeof usage_text, "%s", sb.buf);
	sb_release(&sb);
	return usage_text;
}

static const struct command *find(const char *name)
{
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(name, commands[i].name) == 0)
			return &commands[i];
	return NULL;
}

static int cmd_version(int argc, char **argv)
{
	static const char help[] = "usage: crimetab version\n\nPrints crimetab's version on standard output.\n";
	const cli_opt opts[] = {CLI_END};
	int first, rc = cli_parse("version", help, opts, argc, argv, &first);
	if (rc != CLI_CONTINUE)
		return rc;
	if (first < argc)
		return cli_usage_error("version", "takes no arguments");
	printf("crimetab %s\n", CRIMETAB_VERSION);
	return CT_OK;
}

/* crimetab help [COMMAND]: the same text as crimetab [COMMAND] --help. */
static int cmd_help(int argc, char **argv)
{
	static const char help[] = "usage: crimetab help [COMMAND]\n\n"
				   "Prints crimetab's help, or COMMAND's (the same as crimetab COMMAND --help).\n";
	const cli_opt opts[] = {CLI_END};
	int first, rc = cli_parse("help", help, opts, argc, argv, &first);
	if (rc != CLI_CONTINUE)
		return rc;
	if (first == argc)
		return cli_help(usage());
	if (argc - first > 1)
		return cli_usage_error("help", "name one command");
	const struct command *c = find(argv[first]);
	if (!c)
		return cli_usage_error(NULL, "'%s' is not a crimetab command", argv[first]);
	static char help_opt[] = "--help";
	char *args[] = {argv[first], help_opt, NULL};
	return c->fn(2, args);
}

int main(int argc, char **argv)
{
	int version = 0, first;
	const cli_opt opts[] = {
		CLI_FLAG("version", 0, &version),
		CLI_END,
	};
	int rc = cli_parse_global(usage(), opts, argc, argv, &first);
	if (rc != CLI_CONTINUE)
		return rc;
	if (version)
		return cmd_version(1, (char *[]){argv[0], NULL});
	const struct command *c = NULL;
	if (first >= argc) {
		if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
			static char tui[] = "tui";
			char *args[] = {tui, NULL};
			return cmd_tui(1, args);
		}
		return cli_usage_error(NULL, "no command given (on a terminal, no command opens the TUI)");
	}
	if (!(c = find(argv[first])))
		return cli_usage_error(NULL, "'%s' is not a crimetab command", argv[first]);
	rc = c->fn(argc - first, argv + first);
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		ct_error("standard output: write error: %s", strerror(errno));
		if (rc == 0)
			rc = CT_EIO;
	}
	return rc;
}
