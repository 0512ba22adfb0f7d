/* crimetab evaluate: did an intervention work?  The Weighted Displacement
 * Difference test for treated and control areas before and after a month. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/util.h"
#include "stats/evaluate.h"
#include "stats/stats.h"

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
	"                       every force the areas draw on has imported)\n"
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
	"  --suppress-below N   disclosure control of those, as in crimetab report: a count\n"
	"                       from 1 to N-1 prints as <N, the figures made from it as [c],\n"
	"                       and no offender test is made (default 3; 0: off)\n"
	"  --md FILE            Markdown ('-': standard output)\n"
	"  --json FILE          JSON ('-': standard output)\n"
	"  --allow-missing      exit 0 even when months are missing from the data\n"
	"\n"
	"example:\n"
	"  crimetab evaluate --treated \"Stockton Town Centre\" --control \"Billingham Central\" \\\n"
	"      --start 2024-04 --category Shoplifting --buffer 200\n"
	"\n"
	"When months the periods need are missing from the data of a force the areas draw on\n"
	"(any force, with --buffer), each is named in a warning, the counts are written\n"
	"without a test, and the status is 4 (--allow-missing makes it 0).\n";

/* A number of months from MIN to 600 given as --NAME, or -1 after a usage error. */
static int months_opt(const char *name, long long v, int min)
{
	if (v < min || v > 600) {
		cli_usage_error("evaluate", "--%s: expected a number of months from %d to 600", name, min);
		return -1;
	}
	return (int)v;
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
	cli_list lists[REP_EV_ROLES] = {{0}};
	const char *md = NULL, *json = NULL, *taxonomy_name = "home-office", *buffer = NULL, *alpha = NULL;
	long long pre = -1, post = -1, skip = 0; /* -1: not given */
	long long suppress_below = STATS_SUPPRESS_DEFAULT;
	int allow_missing = 0, offenders = 0;
	stats_eval_request req = {.start = -1, .alpha = 0.05};
	const cli_opt opts[] = {
		CLI_LIST("treated", 0, &lists[REP_EV_TREATED]),
		CLI_LIST("control", 0, &lists[REP_EV_CONTROL]),
		CLI_LIST("treated-buffer", 0, &lists[REP_EV_TREATED_BUFFER]),
		CLI_LIST("control-buffer", 0, &lists[REP_EV_CONTROL_BUFFER]),
		CLI_MONTH("start", 0, &req.start),
		CLI_NUMBER("pre", 0, &pre),
		CLI_NUMBER("post", 0, &post),
		CLI_NUMBER("skip", 0, &skip),
		CLI_STRING("buffer", 0, &buffer),
		CLI_STRING("category", 0, &req.category),
		CLI_STRING("taxonomy", 0, &taxonomy_name),
		CLI_STRING("dataset", 0, &req.dataset),
		CLI_STRING("alpha", 0, &alpha),
		CLI_FLAG("offenders", 0, &offenders),
		CLI_NUMBER("suppress-below", 0, &suppress_below),
		CLI_STRING("md", 0, &md),
		CLI_STRING("json", 0, &json),
		CLI_FLAG("allow-missing", 0, &allow_missing),
		CLI_END,
	};
	int first, status = cli_parse("evaluate", evaluate_help, opts, argc, argv, &first);
	if (status != CLI_CONTINUE)
		goto out;
	status = CT_EUSAGE;
	if (first < argc) {
		cli_usage_error("evaluate", "unexpected argument '%s' (areas are given with --treated and --control)",
				argv[first]);
		goto out;
	}
	if (!lists[REP_EV_TREATED].n || !lists[REP_EV_CONTROL].n || req.start < 0) {
		cli_usage_error("evaluate", "give --treated AREA, --control AREA and --start YYYY-MM");
		goto out;
	}
	if ((pre >= 0 && (req.pre = months_opt("pre", pre, 1)) < 0) ||
	    (post >= 0 && (req.post = months_opt("post", post, 1)) < 0) || (req.skip = months_opt("skip", skip, 0)) < 0)
		goto out;
	if (buffer && cli_number(buffer, 0, 100000, &req.buffer_m) != 0) {
		cli_usage_error("evaluate", "--buffer: \"%s\" is not a distance in metres (0 to 100000)", buffer);
		goto out;
	}
	if (alpha && cli_alpha("evaluate", alpha, &req.alpha) != CT_OK)
		goto out;
	if (req.dataset && cli_dataset("evaluate", req.dataset) != CT_OK)
		goto out;
	if (cli_check_suppress_below("evaluate", suppress_below) != CT_OK)
		goto out;
	req.offenders = offenders;
	req.suppress_below = (int)suppress_below;
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
	status = CT_OK;

	char err[1024];
	taxonomy *t = cli_taxonomy(taxonomy_name, &status);
	if (!t)
		goto out;
	store *s = cli_open_store(cli_global.db, STORE_READONLY, &status);
	if (!s) {
		tax_free(t);
		goto out;
	}
	ct_status why;
	rep_eval *e = stats_evaluate(s, t, &req, &why, err, sizeof err);
	if (!e) {
		if (why == CT_EUSAGE)
			status = cli_usage_error("evaluate", "%s", err);
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
		cli_list_free(&lists[r]);
	return status;
}
