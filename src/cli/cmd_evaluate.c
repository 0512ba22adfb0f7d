/* crimetab evaluate: did an intervention work?  The Weighted Displacement
 * Difference test for treated and control areas before and after a month. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/util.h"
#include "stats/evaluate.h"

static const char evaluate_help[] =
	"usage: crimetab evaluate --treated AREA --control AREA --start YYYY-MM [options]\n"
	"\n"
	"Did an intervention (CCTV, face-recognition cameras, a policing operation) change crime\n"
	"in the area where it ran?  Compares the change in the treated area(s) before and after\n"
	"the intervention with the change in the control area(s) over the same months, with the\n"
	"Weighted Displacement Difference test (Wheeler and Ratcliffe 2018): counts, the WDD, its\n"
	"standard error, an interval, z, p and a verdict in plain words.  With buffers, crime\n"
	"that moved next door counts against the intervention.  Method and limits:\n"
	"docs/statistics.md.  With no output option, Markdown goes to standard output.\n"
	"\n"
	"options:\n"
	"  --treated AREA       an area where the intervention ran (repeatable)\n"
	"  --control AREA       an area like it where it did not (repeatable)\n"
	"  --start YYYY-MM      the intervention's first month\n"
	"  --pre N              months before the start (default: as many as after)\n"
	"  --post N             months after (default: up to 12, ending with the latest month\n"
	"                       every force has imported)\n"
	"  --skip N             leave out N months from the start (settling in; default 0)\n"
	"  --buffer METRES      displacement buffers: rings this wide around the treated and the\n"
	"                       control polygons (crimes with coordinates)\n"
	"  --treated-buffer AREA, --control-buffer AREA\n"
	"                       displacement buffers given as named areas instead (repeatable)\n"
	"  --category ROW       a taxonomy row (e.g. Shoplifting, or a path like \"Theft Offences >\n"
	"                       Shoplifting\") or a source category; default: Total\n"
	"  --taxonomy T         home-office (default), police-uk, or a template file\n"
	"  --dataset D          force or street (default: the taxonomy's own if imported)\n"
	"  --alpha A            significance level (default 0.05: a 95% interval)\n"
	"  --offenders          the same test on distinct offenders seen by face match (one area\n"
	"                       per group)\n"
	"  --md FILE            Markdown ('-': standard output)\n"
	"  --json FILE          JSON ('-': standard output)\n"
	"  --db FILE            database (default: $CRIMETAB_DB, else ./crimetab.db)\n"
	"  --allow-missing      exit 0 even when months are missing from the data\n"
	"  -q, --quiet          only errors and warnings on stderr\n"
	"  -h, --help           this text\n"
	"\n"
	"example:\n"
	"  crimetab evaluate --treated \"Stockton Town Centre\" --control \"Billingham Central\" \\\n"
	"      --start 2024-04 --category Shoplifting --buffer 200\n"
	"\n"
	"exit status:\n"
	"  0  written\n"
	"  2  bad usage (unknown option, area or category; periods outside the data)\n"
	"  3  bad input (taxonomy unreadable) or no data\n"
	"  4  written, but months the periods need are missing, so no test was made (each\n"
	"     named in a warning); --allow-missing makes this 0\n"
	"  5  an output could not be written\n"
	"  6  database error\n";

typedef struct name_list {
	const char **v;
	size_t n;
} name_list;

static void add_name(name_list *l, const char *name)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
	l->v[l->n++] = name;
}

/* A whole number of months in [MIN, 600]; -1 if not. */
static int parse_months(const char *s, int min)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > 600)
		return -1;
	return (int)v;
}

static double parse_positive(const char *s, double max)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0) || !(v < max))
		return -1;
	return v;
}

/* Writes E to PATH with WRITE, atomically; a CT status. */
static int write_one(const rep_eval *e, const char *path, int (*write)(const rep_eval *, FILE *))
{
	char err[1024];
	ct_outfile *o = ct_out_open(path, err, sizeof err);
	if (!o) {
		ct_error("%s", err);
		return CT_EIO;
	}
	if (write(e, ct_out_fp(o)) != 0) {
		ct_out_abort(o);
		ct_error("%s: write error", path);
		return CT_EIO;
	}
	if (ct_out_commit(o, err, sizeof err) != 0) {
		ct_error("%s", err);
		return CT_EIO;
	}
	if (strcmp(path, "-") != 0)
		ct_note("wrote %s", path);
	return CT_OK;
}

int cmd_evaluate(int argc, char **argv)
{
	enum { O_TREATED = 256, O_CONTROL, O_START, O_PRE, O_POST, O_SKIP, O_BUFFER, O_TBUF, O_CBUF, O_CATEGORY,
	       O_TAX, O_DATASET, O_ALPHA, O_OFFENDERS, O_MD, O_JSON, O_DB, O_ALLOW };
	static const struct option opts[] = {
		{"treated", required_argument, NULL, O_TREATED},
		{"control", required_argument, NULL, O_CONTROL},
		{"start", required_argument, NULL, O_START},
		{"pre", required_argument, NULL, O_PRE},
		{"post", required_argument, NULL, O_POST},
		{"skip", required_argument, NULL, O_SKIP},
		{"buffer", required_argument, NULL, O_BUFFER},
		{"treated-buffer", required_argument, NULL, O_TBUF},
		{"control-buffer", required_argument, NULL, O_CBUF},
		{"category", required_argument, NULL, O_CATEGORY},
		{"taxonomy", required_argument, NULL, O_TAX},
		{"dataset", required_argument, NULL, O_DATASET},
		{"alpha", required_argument, NULL, O_ALPHA},
		{"offenders", no_argument, NULL, O_OFFENDERS},
		{"md", required_argument, NULL, O_MD},
		{"json", required_argument, NULL, O_JSON},
		{"db", required_argument, NULL, O_DB},
		{"allow-missing", no_argument, NULL, O_ALLOW},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	name_list lists[REP_EV_ROLES] = {{0}};
	stats_eval_request req = {.start = -1, .alpha = 0.05};
	const char *md = NULL, *json = NULL, *db = NULL, *taxonomy_name = "home-office";
	int allow_missing = 0, status = CT_OK, c;
	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		const char *bad = NULL;
		switch (c) {
		case O_TREATED: add_name(&lists[REP_EV_TREATED], optarg); break;
		case O_CONTROL: add_name(&lists[REP_EV_CONTROL], optarg); break;
		case O_TBUF: add_name(&lists[REP_EV_TREATED_BUFFER], optarg); break;
		case O_CBUF: add_name(&lists[REP_EV_CONTROL_BUFFER], optarg); break;
		case O_START:
			if (ct_month_parse(optarg, &req.start) != 0)
				bad = "--start: not a month (YYYY-MM)";
			break;
		case O_PRE:
			if ((req.pre = parse_months(optarg, 1)) < 0)
				bad = "--pre: expected a number of months from 1 to 600";
			break;
		case O_POST:
			if ((req.post = parse_months(optarg, 1)) < 0)
				bad = "--post: expected a number of months from 1 to 600";
			break;
		case O_SKIP:
			if ((req.skip = parse_months(optarg, 0)) < 0)
				bad = "--skip: expected a number of months from 0 to 600";
			break;
		case O_BUFFER:
			if ((req.buffer_m = parse_positive(optarg, 100000)) < 0)
				bad = "--buffer: expected a distance in metres, more than 0 and less than 100000";
			break;
		case O_CATEGORY: req.category = optarg; break;
		case O_TAX: taxonomy_name = optarg; break;
		case O_DATASET:
			if (strcmp(optarg, "force") != 0 && strcmp(optarg, "street") != 0)
				bad = "--dataset: expected force or street";
			req.dataset = optarg;
			break;
		case O_ALPHA:
			if ((req.alpha = parse_positive(optarg, 0.5)) < 0)
				bad = "--alpha: expected a level between 0 and 0.5, such as 0.05";
			break;
		case O_OFFENDERS: req.offenders = 1; break;
		case O_MD: md = optarg; break;
		case O_JSON: json = optarg; break;
		case O_DB: db = optarg; break;
		case O_ALLOW: allow_missing = 1; break;
		case 'q': ct_verbosity = -1; break;
		case 'h': status = cli_help(evaluate_help); goto out;
		default: bad = "unknown option"; break;
		}
		if (bad) {
			status = cli_usage_error("evaluate", bad);
			goto out;
		}
	}
	if (optind < argc) {
		status = cli_usage_error("evaluate", "unexpected argument (areas are given with --treated and --control)");
		goto out;
	}
	if (!lists[REP_EV_TREATED].n || !lists[REP_EV_CONTROL].n || req.start < 0) {
		status = cli_usage_error("evaluate", "give --treated AREA, --control AREA and --start YYYY-MM");
		goto out;
	}
	req.treated = lists[REP_EV_TREATED].v;
	req.ntreated = lists[REP_EV_TREATED].n;
	req.control = lists[REP_EV_CONTROL].v;
	req.ncontrol = lists[REP_EV_CONTROL].n;
	req.treated_buffer = lists[REP_EV_TREATED_BUFFER].v;
	req.ntreated_buffer = lists[REP_EV_TREATED_BUFFER].n;
	req.control_buffer = lists[REP_EV_CONTROL_BUFFER].v;
	req.ncontrol_buffer = lists[REP_EV_CONTROL_BUFFER].n;
	if (!md && !json)
		md = "-";

	char err[1024];
	taxonomy *t = tax_load(taxonomy_name, err, sizeof err);
	if (!t) {
		ct_error("%s", err);
		status = CT_EDATA;
		goto out;
	}
	store *s = cli_open_store(db, 1);
	if (!s) {
		tax_free(t);
		status = CT_EDB;
		goto out;
	}
	ct_status why;
	rep_eval *e = stats_evaluate(s, t, &req, &why, err, sizeof err);
	if (!e) {
		if (why == CT_EUSAGE)
			status = cli_usage_error("evaluate", err);
		else {
			ct_error("%s", err);
			status = why;
		}
	} else {
		for (size_t i = 0; i < e->nwarnings; i++)
			ct_warn("%s", e->warnings[i]);
		if (md)
			status = write_one(e, md, rep_write_eval_markdown);
		if (json && status == CT_OK)
			status = write_one(e, json, rep_write_eval_json);
		if (status == CT_OK && e->nwarnings && !allow_missing)
			status = CT_EMISSING;
		rep_eval_free(e);
	}
	store_close(s);
	tax_free(t);
out:
	for (int r = 0; r < REP_EV_ROLES; r++)
		free(lists[r].v);
	return status;
}
