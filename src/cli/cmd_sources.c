/* crimetab sources / crimetab rejects: what was imported, and what was not. */

#include <string.h>

#include "cli/cli.h"
#include "core/util.h"

static const char sources_help[] =
	"usage: crimetab sources [--months]\n"
	"\n"
	"Lists every imported file: id, kind (street, outcomes, stop-and-search, force),\n"
	"force, months covered, rows read / imported / rejected, rows of it that a newer file\n"
	"superseded, when it was imported, and its path.  Tab-separated, one line per file,\n"
	"after a header line.\n"
	"\n"
	"--months lists instead every (kind, force, month) the database holds, with the id\n"
	"and path of the file that provides it: after police.uk republishes a month, the\n"
	"newest file imported for it.  Nothing is written: a database you may only read will\n"
	"do.\n";

static const char rejects_help[] =
	"usage: crimetab rejects [--source N]\n"
	"\n"
	"Lists rejected rows as  path:line: reason  followed by the raw row, indented (a row\n"
	"of several lines has each indented).  In the raw row, a backslash is shown as \\\\,\n"
	"a NUL byte as \\0, a lone CR as \\r, and other control characters and bytes that\n"
	"are not UTF-8 as \\xHH.\n"
	"--source N limits the list to source N (see crimetab sources).\n";

static int print_owner(void *ctx, const store_month_owner *o)
{
	(void)ctx;
	char m[8];
	ct_month_format(o->month, m);
	printf("%s\t%s\t%s\t%lld\t%s\n", o->kind, o->force, m, o->source_id, o->path);
	return 0;
}

static int print_source(void *ctx, const store_source *s)
{
	(void)ctx;
	char m1[8] = "", m2[8] = "";
	if (s->month_min >= 0) {
		ct_month_format(s->month_min, m1);
		ct_month_format(s->month_max, m2);
	}
	printf("%lld\t%s\t%s\t%s\t%s\t%lld\t%lld\t%lld\t", s->id, s->kind, s->force ? s->force : "", m1, m2,
	       s->rows_read, s->rows_imported, s->rows_rejected);
	if (s->superseded_by)
		printf("all (by %lld)", s->superseded_by);
	else
		printf("%lld", s->rows_superseded);
	printf("\t%s\t%s\n", s->imported_at, s->path);
	return 0;
}

int cmd_sources(int argc, char **argv)
{
	int months = 0;
	const cli_opt opts[] = {
		CLI_FLAG("months", 0, &months),
		CLI_END,
	};
	int first, rc = cli_parse("sources", sources_help, opts, argc, argv, &first);
	if (rc != CLI_CONTINUE)
		return rc;
	if (first < argc)
		return cli_usage_error("sources", "takes no arguments");
	int status;
	store *s = cli_open_store(cli_global.db, STORE_READONLY, &status);
	if (!s)
		return status;
	if (months) {
		printf("kind\tforce\tmonth\tsource\tpath\n");
		rc = store_month_owners_each(s, print_owner, NULL);
	} else {
		printf("id\tkind\tforce\tfrom\tto\tread\timported\trejected\tsuperseded\timported_at\tpath\n");
		rc = store_sources_each(s, print_source, NULL);
	}
	if (rc != 0)
		ct_error("%s", store_errmsg(s));
	status = rc ? store_status(s) : CT_OK;
	store_close(s);
	return status;
}

/* Prints S with every line after the first indented by INDENT: a row that
 * spans lines (a quoted field with newlines) stays under its file:line. */
static void print_indented(const char *s, const char *indent)
{
	for (const char *nl; (nl = strchr(s, '\n')) != NULL; s = nl + 1)
		printf("%.*s\n%s", (int)(nl - s), s, indent);
	printf("%s\n", s);
}

static int print_reject(void *ctx, const store_reject *r)
{
	(void)ctx;
	printf("%s:%lld: ", r->path, r->line);
	print_indented(r->reason, "    ");
	fputs("    ", stdout);
	print_indented(r->raw ? r->raw : "", "    ");
	return 0;
}

int cmd_rejects(int argc, char **argv)
{
	long long source = -1;
	const cli_opt opts[] = {
		CLI_NUMBER("source", 's', &source),
		CLI_END,
	};
	int first, rc = cli_parse("rejects", rejects_help, opts, argc, argv, &first);
	if (rc != CLI_CONTINUE)
		return rc;
	if (source == 0)
		return cli_usage_error("rejects", "--source: a source id is 1 or more (see crimetab sources)");
	if (first < argc)
		return cli_usage_error("rejects", "takes no arguments");
	int status;
	store *s = cli_open_store(cli_global.db, STORE_READONLY, &status);
	if (!s)
		return status;
	rc = store_rejects_each(s, source < 0 ? 0 : source, print_reject, NULL);
	if (rc != 0)
		ct_error("%s", store_errmsg(s));
	status = rc ? store_status(s) : CT_OK;
	store_close(s);
	return status;
}
