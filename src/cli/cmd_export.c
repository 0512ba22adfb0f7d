/* crimetab export --raw: the imported files given back from the database. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/util.h"
#include "import/import.h"

static const char export_help[] =
	"usage: crimetab export --raw [--source N] (--out DIR | -o FILE)\n"
	"\n"
	"Writes imported files back from what the database holds.  A police.uk file\n"
	"comes back byte for byte (header, quoting, line endings, rejected rows and all),\n"
	"checked against the SHA-256 recorded when it was imported; a saved police.uk API\n"
	"response comes back as it was; a force export comes back as the columns its\n"
	"mapping named (the database never held the others).\n"
	"\n"
	"  --raw          the files as imported (the only kind of export)\n"
	"  --source N     only source N (see crimetab sources); default: every source\n"
	"                 whose rows are still stored (not superseded by a newer file)\n"
	"  --out DIR      write each file into DIR: a police.uk file as YYYY-MM/NAME, as in\n"
	"                 a download, anything else as NAME (prefixed with its source id\n"
	"                 when two files share a name)\n"
	"  -o, --output FILE\n"
	"                 write the one source (--source) to FILE ('-': standard output)\n"
	"\n"
	"A file the database cannot give back (rows a newer file superseded, or a file\n"
	"imported before crimetab kept each file's layout that does not come back\n"
	"exactly) is named in an error and not written; the others are.\n";

typedef struct export_run {
	store *s;
	long long only;
	const char *dir, *output;
	char **names; /* relative names written so far */
	size_t nnames;
	int found, failed, written;
	ct_status status;
} export_run;

/* The name a source gets under --out: YYYY-MM/NAME for a police.uk file
 * name, else NAME (of a path, or a zip member "archive.zip:member"). */
static char *out_name(export_run *r, const store_source *src)
{
	const char *base = src->path;
	for (const char *p = src->path; *p; p++)
		if (*p == '/' || *p == ':')
			base = p + 1;
	int month;
	char slug[128];
	const char *kind;
	char *name;
	if (imp_parse_policeuk_name(base, &month, slug, sizeof slug, &kind) == 0) {
		char m[8];
		ct_month_format(month, m);
		name = xasprintf("%s/%s", m, base);
	} else {
		name = xstrdup(base);
	}
	for (size_t i = 0; i < r->nnames; i++)
		if (strcmp(r->names[i], name) == 0) {
			char *prefixed = xasprintf("%lld-%s", src->id, base);
			free(name);
			name = prefixed;
			break;
		}
	r->names = xrealloc(r->names, (r->nnames + 1) * sizeof *r->names);
	r->names[r->nnames++] = xstrdup(name);
	return name;
}

static int export_source(void *ctx, const store_source *src)
{
	export_run *r = ctx;
	if (r->only && src->id != r->only)
		return 0;
	r->found = 1;
	if (src->superseded_by && !r->only) {
		ct_note("source %lld (%s): every month of it was superseded by source %lld; not exported", src->id,
			src->path, src->superseded_by);
		return 0;
	}
	char *name = r->output ? NULL : out_name(r, src);
	char *path = r->output ? xstrdup(r->output) : xasprintf("%s/%s", r->dir, name);
	char err[1024];
	ct_outfile *o = ct_out_open(path, err, sizeof err);
	ct_status st = CT_EIO;
	if (o) {
		st = imp_export_raw(r->s, src, ct_out_fp(o), err, sizeof err);
		if (st == CT_OK && ct_out_commit(o, err, sizeof err) != 0)
			st = CT_EIO;
		else if (st != CT_OK)
			ct_out_abort(o);
	}
	if (st == CT_OK) {
		r->written++;
		ct_note("source %lld: %s", src->id, path);
	} else {
		ct_error("%s", err);
		/* the worst kind of failure decides the exit status */
		if (r->status == CT_OK || st == CT_EDB || (st == CT_EIO && r->status == CT_EDATA))
			r->status = st;
	}
	free(name);
	free(path);
	return st == CT_EDB;
}

int cmd_export(int argc, char **argv)
{
	int raw = 0;
	long long source = -1;
	const char *dir = NULL, *output = NULL;
	const cli_opt opts[] = {
		CLI_FLAG("raw", 0, &raw),
		CLI_NUMBER("source", 's', &source),
		CLI_STRING("out", 0, &dir),
		CLI_STRING("output", 'o', &output),
		CLI_END,
	};
	int first, rc = cli_parse("export", export_help, opts, argc, argv, &first);
	if (rc != CLI_CONTINUE)
		return rc;
	if (first < argc)
		return cli_usage_error("export", "takes no arguments (name a source with --source)");
	if (!raw)
		return cli_usage_error("export", "say which export: --raw");
	if (source == 0)
		return cli_usage_error("export", "--source: a source id is 1 or more (see crimetab sources)");
	if (!dir == !output)
		return cli_usage_error("export", "give --out DIR or -o FILE");
	if (output && source < 0)
		return cli_usage_error("export", "-o writes one file: name its source with --source");
	int status;
	store *s = cli_open_store(cli_global.db, STORE_READONLY, &status);
	if (!s)
		return status;
	export_run r = {.s = s, .only = source < 0 ? 0 : source, .dir = dir, .output = output};
	if (store_sources_each(s, export_source, &r) != 0 && r.status == CT_OK) {
		ct_error("%s", store_errmsg(s));
		r.status = CT_EDB;
	}
	if (r.only && !r.found) {
		ct_error("no source %lld (see crimetab sources)", r.only);
		r.status = CT_EDATA;
	}
	for (size_t i = 0; i < r.nnames; i++)
		free(r.names[i]);
	free(r.names);
	store_close(s);
	return r.status;
}
