/* crimetab tui: browse the scrutiny tables in the terminal.  Wires the TUI's
 * build and export requests to stats/ and the exporters. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/util.h"
#include "report/export.h"
#include "stats/evaluate.h"
#include "stats/stats.h"
#include "tui/tui.h"

static const char tui_help[] =
	"usage: crimetab tui [--month YYYY-MM] [--taxonomy T] [--compare BASIS]\n"
	"                    [--suppress-below N] [--confirmed-only]\n"
	"\n"
	"Browses the town-centre scrutiny tables: \"All data\" and every loaded area, each\n"
	"category's count for the selected month, the last 6 months and the last 12 months,\n"
	"with the difference and % difference against the comparison period, a 12-month\n"
	"trend, and 24 months of counts per row.  The figures are the ones crimetab report\n"
	"writes; w evaluates an intervention in the selected area, as crimetab evaluate\n"
	"does.  Press ? inside for every key; q quits.\n"
	"\n"
	"The database is opened read-only, so an import can run at the same time; r reloads.\n"
	"\n"
	"options:\n"
	"  --month YYYY-MM    the selected month to start on (default: the latest that every\n"
	"                     force has data for); a month outside the data is an error\n"
	"  --taxonomy T       home-office, police-uk, or a template file; t cycles (default:\n"
	"                     police-uk when the database holds police.uk street data only,\n"
	"                     else home-office)\n"
	"  --compare BASIS    yoy (default: a year earlier) or previous (the preceding\n"
	"                     window); c toggles\n"
	"  --suppress-below N the offender table (o), after a face-match run: counts from 1\n"
	"                     to N-1 show as <N and figures that would give one away as [c],\n"
	"                     as in crimetab report, exports included (default 3; 0: off)\n"
	"  --confirmed-only   offender rows of matches a person confirmed only\n"
	"\n"
	"Needs a terminal that can move its cursor: with standard input or output not a\n"
	"TTY, or TERM=dumb, it exits with status 2.  The mouse selects, scrolls and sorts.\n"
	"--no-color (or NO_COLOR) turns colour off; without a UTF-8 locale it draws in ASCII.\n";

#define MAX_TAX 3

typedef struct tui_ctx {
	store *s;
	const char *names[MAX_TAX];
	taxonomy *tax[MAX_TAX];
	size_t ntax;
	int suppress_below, confirmed_only; /* disclosure control, as crimetab report's */
	ct_status why; /* of the last report that could not be built */
} tui_ctx;

/* Taxonomy TAXNAME, loaded once; NULL with err set. */
static taxonomy *ctx_taxonomy(tui_ctx *c, const char *taxname, char *err, size_t errlen)
{
	for (size_t i = 0; i < c->ntax; i++) {
		if (strcmp(c->names[i], taxname) != 0)
			continue;
		if (!c->tax[i])
			c->tax[i] = tax_load(taxname, err, errlen);
		return c->tax[i];
	}
	snprintf(err, errlen, "unknown taxonomy \"%s\"", taxname);
	return NULL;
}

static rep_report *build_report(void *vctx, int month, int compare, const char *taxname, tui_range *range,
				char *err, size_t errlen)
{
	tui_ctx *c = vctx;
	taxonomy *t = ctx_taxonomy(c, taxname, err, errlen);
	if (!t)
		return NULL;
	stats_request req = {.month = month, .compare = compare, .include_all = 1,
			     .suppress_below = c->suppress_below, .confirmed_only = c->confirmed_only};
	rep_report *r = stats_build(c->s, t, &req, &c->why, err, errlen);
	if (!r)
		return NULL;
	if (stats_data_range(c->s, r->dataset, &range->first, &range->last) != 0) {
		snprintf(err, errlen, "database error: %s", store_errmsg(c->s));
		c->why = CT_EDB;
		rep_report_free(r);
		return NULL;
	}
	range->latest = stats_latest_complete_month(c->s, r->dataset);
	if (month >= 0 && range->first >= 0 && (month < range->first || month > range->last)) {
		char m[8], a[8], z[8];
		ct_month_format(month, m);
		ct_month_format(range->first, a);
		ct_month_format(range->last, z);
		snprintf(err, errlen, "no data for %s: the %s covers %s to %s", m, rep_dataset_label(r->dataset), a, z);
		c->why = CT_EUSAGE;
		rep_report_free(r);
		return NULL;
	}
	return r;
}

/* The Evaluate screen: crimetab evaluate's computation on the report's
 * dataset and significance level. */
static rep_eval *evaluate_form(void *vctx, const rep_report *r, const char *taxname, const tui_eval_form *f,
			       char *err, size_t errlen)
{
	tui_ctx *c = vctx;
	taxonomy *t = ctx_taxonomy(c, taxname, err, errlen);
	if (!t)
		return NULL;
	const char *treated[] = {f->treated};
	stats_eval_request req = {
		.treated = treated, .ntreated = 1,
		.control = (const char *const *)f->control, .ncontrol = f->ncontrol,
		.buffer_m = f->buffer_m, .start = f->start, .pre = f->pre, .post = f->post,
		.category = f->category, .dataset = r->dataset, .alpha = r->alpha > 0 ? r->alpha : 0.05,
	};
	return stats_evaluate(c->s, t, &req, NULL, err, errlen);
}

static int export_area(void *vctx, const rep_report *r, size_t area, const char *path, const char *format, char *err,
		  size_t errlen)
{
	(void)vctx;
	/* the view: the selected area alone, everything else as built */
	rep_report view = *r;
	view.areas = &r->areas[area];
	view.nareas = 1;
	int xlsx = strcmp(format, "xlsx") == 0;
	ct_outfile *o = xlsx ? ct_out_open_path(path, err, errlen) : ct_out_open(path, err, errlen);
	if (!o)
		return -1;
	int rc;
	err[0] = '\0';
	if (xlsx)
		rc = rep_write_xlsx(&view, ct_out_tmppath(o), err, errlen);
	else if (strcmp(format, "csv") == 0)
		rc = rep_write_csv(&view, ct_out_fp(o));
	else if (strcmp(format, "json") == 0)
		rc = rep_write_json(&view, ct_out_fp(o));
	else
		rc = rep_write_markdown(&view, ct_out_fp(o));
	if (rc != 0) {
		if (!err[0])
			snprintf(err, errlen, "%s: write error", path);
		ct_out_abort(o);
		return -1;
	}
	return ct_out_commit(o, err, errlen);
}

int cmd_tui(int argc, char **argv)
{
	const char *taxname = NULL, *month_arg = "latest", *compare_arg = "yoy";
	long long suppress_below = STATS_SUPPRESS_DEFAULT;
	int confirmed_only = 0;
	const cli_opt opts[] = {
		CLI_STRING("month", 'm', &month_arg),
		CLI_STRING("taxonomy", 't', &taxname),
		CLI_STRING("compare", 'c', &compare_arg),
		CLI_NUMBER("suppress-below", 0, &suppress_below),
		CLI_FLAG("confirmed-only", 0, &confirmed_only),
		CLI_END,
	};
	int first, rc = cli_parse("tui", tui_help, opts, argc, argv, &first);
	if (rc != CLI_CONTINUE)
		return rc;
	int month, compare;
	if ((rc = cli_month_or_latest("tui", month_arg, &month)) != CT_OK ||
	    (rc = cli_compare("tui", compare_arg, &compare)) != CT_OK)
		return rc;
	if (first < argc)
		return cli_usage_error("tui", "takes no arguments");
	if ((rc = cli_check_suppress_below("tui", suppress_below)) != CT_OK)
		return rc;
	if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO)) {
		ct_error("tui: needs a terminal (standard %s is not one); for files use crimetab report",
			 !isatty(STDOUT_FILENO) ? "output" : "input");
		return CT_EUSAGE;
	}

	tui_ctx ctx = {.names = {"home-office", "police-uk"}, .ntax = 2, .suppress_below = (int)suppress_below,
		       .confirmed_only = confirmed_only};
	size_t tax = 0;
	int status;
	/* read-only: a running import (WAL) is neither blocked nor blocks this */
	ctx.s = cli_open_store(cli_global.db, STORE_READONLY, &status);
	if (!ctx.s)
		return status;
	if (!taxname)
		taxname = stats_default_taxonomy(ctx.s);
	for (tax = 0; tax < ctx.ntax; tax++)
		if (strcmp(ctx.names[tax], taxname) == 0)
			break;
	if (tax == ctx.ntax) {
		ctx.tax[tax] = cli_taxonomy(taxname, &status);
		if (!ctx.tax[tax]) {
			store_close(ctx.s);
			return status;
		}
		ctx.names[ctx.ntax++] = taxname;
	}
	tui_ops ops = {.build = build_report, .export = export_area, .ctx = &ctx, .evaluate = evaluate_form,
		       .all_areas = STATS_ALL_AREAS};
	status = tui_run(&ops, month, compare, ctx.names, ctx.ntax, tax);
	if (status != CT_OK && ctx.why != CT_OK)
		status = ctx.why; /* the first report failed: say why */
	store_close(ctx.s);
	for (size_t i = 0; i < ctx.ntax; i++)
		tax_free(ctx.tax[i]);
	return status;
}
