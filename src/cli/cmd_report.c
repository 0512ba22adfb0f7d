/* crimetab report: the scrutiny tables, from the command line or a report
 * config file for unattended monthly runs. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/util.h"
#include "report/export.h"
#include "stats/stats.h"

static const char report_help[] =
	"usage: crimetab report [options] [--md FILE] [--xlsx FILE] [--csv FILE] [--json FILE]\n"
	"       crimetab report --config FILE [options]\n"
	"\n"
	"Writes the town-centre scrutiny tables: for each area and category row, the count for\n"
	"the selected month, the last 6 months and the last 12 months, with the difference and\n"
	"% difference against the same period a year earlier (or the preceding period).\n"
	"With no output option, Markdown goes to standard output.  FILE '-' is standard output.\n"
	"Files are written to a temporary and renamed into place: a failure never leaves a\n"
	"half-written report.\n"
	"\n"
	"options:\n"
	"  --db FILE            database (default: $CRIMETAB_DB, else ./crimetab.db)\n"
	"  --month YYYY-MM      the selected month; 'latest' (default): the latest month for\n"
	"                       which every force in the data has been imported\n"
	"  --area NAME          an area to report (repeatable; default: every area loaded;\n"
	"                       \"All data\" is every crime, in an area or not)\n"
	"  --all-data           add the \"All data\" table before the areas\n"
	"  --taxonomy T         home-office (default), police-uk, or a template file\n"
	"  --compare BASIS      yoy (default: the same window a year earlier) or previous\n"
	"                       (the window immediately before)\n"
	"  --dataset D          force (force exports) or street (police.uk); default: the\n"
	"                       taxonomy's own if imported, else whichever is\n"
	"  --md FILE            Markdown tables\n"
	"  --xlsx FILE          committee workbook: Summary, one sheet per area, Trend, Sources\n"
	"  --csv FILE           tidy CSV: area, row, window, current, comparison, diff, pct\n"
	"  --json FILE          the report model as JSON (schema_version 1)\n"
	"  --config FILE        a report config (JSON, see templates/reports/): areas, taxonomy,\n"
	"                       comparison and outputs, with {month} in output paths replaced\n"
	"                       by YYYY-MM, suppress_below, confirmed_only, and retain_months\n"
	"                       (face-match sightings older than that many months are deleted\n"
	"                       first, as crimetab facematch run --retain-months does); options\n"
	"                       given on the command line win\n"
	"  --allow-missing      exit 0 even when months are missing from the data\n"
	"  --confirmed-only     offender (face match) rows of matches a person confirmed only;\n"
	"                       by default each measure is shown for all matches and, beside\n"
	"                       it, for the confirmed ones\n"
	"  --suppress-below N   disclosure control: offender counts from 1 to N-1 print as <N,\n"
	"                       and figures that would give one away as [c] (default 3; 0: off)\n"
	"  -q, --quiet          only errors and warnings on stderr (for cron)\n"
	"  -h, --help           this text\n"
	"\n"
	"exit status:\n"
	"  0  reports written\n"
	"  2  bad usage (unknown option, bad month, unknown area)\n"
	"  3  bad input (taxonomy or config file unreadable or invalid)\n"
	"  4  reports written, but months the windows need are missing from the data (each\n"
	"     named in a warning); --allow-missing makes this 0\n"
	"  5  an output could not be written (nothing half-written is left)\n"
	"  6  database error\n";

enum { OUT_MD, OUT_XLSX, OUT_CSV, OUT_JSON, OUT_COUNT };
static const char *const out_names[OUT_COUNT] = {"md", "xlsx", "csv", "json"};

typedef struct report_opts {
	char *db, *month, *taxonomy, *compare, *dataset;
	char *out[OUT_COUNT];
	char **areas;
	size_t nareas;
	int all_data, allow_missing;
	int suppress_below, confirmed_only, retain_months; /* -1 when not given */
} report_opts;

/* Replaces *SLOT with a copy of V (which may be *SLOT itself). */
static void set(char **slot, const char *v)
{
	char *copy = v ? xstrdup(v) : NULL;
	free(*slot);
	*slot = copy;
}

static void opts_free(report_opts *o)
{
	free(o->db);
	free(o->month);
	free(o->taxonomy);
	free(o->compare);
	free(o->dataset);
	for (int i = 0; i < OUT_COUNT; i++)
		free(o->out[i]);
	for (size_t i = 0; i < o->nareas; i++)
		free(o->areas[i]);
	free(o->areas);
}

static void add_area(report_opts *o, const char *name)
{
	o->areas = xrealloc(o->areas, (o->nareas + 1) * sizeof *o->areas);
	o->areas[o->nareas++] = xstrdup(name);
}

/* Reads a report config into O, leaving fields the command line set alone. */
static int load_config(const char *path, report_opts *o, const report_opts *cli)
{
	char err[1024];
	char *text = ct_template_text("reports", path, err, sizeof err);
	if (!text) {
		ct_error("%s", err);
		return CT_EDATA;
	}
	cJSON *j = cJSON_Parse(text);
	free(text);
	if (!j) {
		ct_error("%s: not valid JSON", path);
		return CT_EDATA;
	}
	int rc = CT_OK;
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(j, "report_version");
	if (!cJSON_IsNumber(ver) || ver->valueint != 1) {
		ct_error("%s: \"report_version\" must be 1", path);
		rc = CT_EDATA;
		goto out;
	}
	static const char *const keys[] = {"db", "month", "taxonomy", "compare", "dataset"};
	char **slots[] = {&o->db, &o->month, &o->taxonomy, &o->compare, &o->dataset};
	char *const cli_slots[] = {cli->db, cli->month, cli->taxonomy, cli->compare, cli->dataset};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, keys[i]);
		if (!v)
			continue;
		if (!cJSON_IsString(v)) {
			ct_error("%s: \"%s\" must be a string", path, keys[i]);
			rc = CT_EDATA;
			goto out;
		}
		if (!cli_slots[i])
			set(slots[i], v->valuestring);
	}
	const cJSON *areas = cJSON_GetObjectItemCaseSensitive(j, "areas");
	if (areas && !cli->nareas) {
		const cJSON *a;
		if (!cJSON_IsArray(areas)) {
			ct_error("%s: \"areas\" must be an array of area names", path);
			rc = CT_EDATA;
			goto out;
		}
		cJSON_ArrayForEach(a, areas)
		{
			if (!cJSON_IsString(a)) {
				ct_error("%s: \"areas\" must be an array of area names", path);
				rc = CT_EDATA;
				goto out;
			}
			add_area(o, a->valuestring);
		}
	}
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "all_data")))
		o->all_data = 1;
	static const char *const ints[] = {"suppress_below", "retain_months"};
	int *int_slots[] = {&o->suppress_below, &o->retain_months};
	const int cli_ints[] = {cli->suppress_below, cli->retain_months};
	for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, ints[i]);
		if (!v)
			continue;
		if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 1200 || v->valuedouble != v->valueint) {
			ct_error("%s: \"%s\" must be a whole number from 0 to 1200", path, ints[i]);
			rc = CT_EDATA;
			goto out;
		}
		if (cli_ints[i] < 0)
			*int_slots[i] = v->valueint;
	}
	const cJSON *conf = cJSON_GetObjectItemCaseSensitive(j, "confirmed_only");
	if (conf && !cJSON_IsBool(conf)) {
		ct_error("%s: \"confirmed_only\" must be true or false", path);
		rc = CT_EDATA;
		goto out;
	}
	if (cli->confirmed_only < 0 && conf)
		o->confirmed_only = cJSON_IsTrue(conf);
	const cJSON *outs = cJSON_GetObjectItemCaseSensitive(j, "outputs");
	if (outs && !cJSON_IsObject(outs)) {
		ct_error("%s: \"outputs\" must be an object like {\"md\": \"reports/{month}.md\"}", path);
		rc = CT_EDATA;
		goto out;
	}
	const cJSON *it;
	cJSON_ArrayForEach(it, outs)
	{
		int which = -1;
		for (int i = 0; i < OUT_COUNT; i++)
			if (strcmp(it->string, out_names[i]) == 0)
				which = i;
		if (which < 0 || !cJSON_IsString(it)) {
			ct_error("%s: \"outputs\".\"%s\": expected one of md, xlsx, csv, json with a file name", path,
				 it->string);
			rc = CT_EDATA;
			goto out;
		}
		if (!cli->out[which])
			set(&o->out[which], it->valuestring);
	}
out:
	cJSON_Delete(j);
	return rc;
}

/* PATH with every {month} replaced by YYYY-MM. */
static char *expand_month(const char *path, int month)
{
	char mm[8];
	ct_month_format(month, mm);
	strbuf sb = {0};
	for (const char *p = path; *p;) {
		if (strncmp(p, "{month}", 7) == 0) {
			sb_puts(&sb, mm);
			p += 7;
		} else {
			sb_putc(&sb, *p++);
		}
	}
	return sb_detach(&sb);
}

/* Writes every requested output, each atomically. */
static int write_outputs(const rep_report *r, char *const out[OUT_COUNT])
{
	int status = CT_OK;
	char err[1024];
	for (int i = 0; i < OUT_COUNT; i++) {
		if (!out[i])
			continue;
		char *path = expand_month(out[i], r->month);
		if (i == OUT_XLSX && strcmp(path, "-") == 0) {
			ct_error("--xlsx needs a file name, not standard output");
			free(path);
			status = CT_EUSAGE;
			continue;
		}
		ct_outfile *o = ct_out_open(path, err, sizeof err);
		int rc = -1;
		if (o) {
			switch (i) {
			case OUT_MD: rc = rep_write_markdown(r, ct_out_fp(o)); break;
			case OUT_CSV: rc = rep_write_csv(r, ct_out_fp(o)); break;
			case OUT_JSON: rc = rep_write_json(r, ct_out_fp(o)); break;
			case OUT_XLSX: rc = rep_write_xlsx(r, ct_out_tmppath(o), err, sizeof err); break;
			}
			if (rc != 0 && i == OUT_XLSX) {
				/* the workbook was written under a temporary name: say which output failed */
				char why[512];
				snprintf(why, sizeof why, "%.500s", err);
				snprintf(err, sizeof err, "%.400s: cannot write the workbook (%s)", path, why);
			} else if (rc != 0) {
				snprintf(err, sizeof err, "%s: write error", path);
			}
			if (rc != 0)
				ct_out_abort(o);
			else
				rc = ct_out_commit(o, err, sizeof err);
		}
		if (rc != 0) {
			ct_error("%s", err);
			status = CT_EIO;
		} else if (strcmp(path, "-") != 0) {
			ct_note("wrote %s", path);
		}
		free(path);
	}
	return status;
}

int cmd_report(int argc, char **argv)
{
	enum { O_DB = 256, O_MONTH, O_AREA, O_ALL, O_TAX, O_CMP, O_DATASET, O_MD, O_XLSX, O_CSV, O_JSON, O_CONFIG,
	       O_ALLOW, O_CONFIRMED, O_SUPPRESS };
	static const struct option opts[] = {
		{"db", required_argument, NULL, O_DB},
		{"month", required_argument, NULL, O_MONTH},
		{"area", required_argument, NULL, O_AREA},
		{"all-data", no_argument, NULL, O_ALL},
		{"taxonomy", required_argument, NULL, O_TAX},
		{"compare", required_argument, NULL, O_CMP},
		{"dataset", required_argument, NULL, O_DATASET},
		{"md", required_argument, NULL, O_MD},
		{"xlsx", required_argument, NULL, O_XLSX},
		{"csv", required_argument, NULL, O_CSV},
		{"json", required_argument, NULL, O_JSON},
		{"config", required_argument, NULL, O_CONFIG},
		{"allow-missing", no_argument, NULL, O_ALLOW},
		{"confirmed-only", no_argument, NULL, O_CONFIRMED},
		{"suppress-below", required_argument, NULL, O_SUPPRESS},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	report_opts cli = {.suppress_below = -1, .confirmed_only = -1, .retain_months = -1};
	report_opts o = {.suppress_below = -1, .confirmed_only = -1, .retain_months = -1};
	const char *config = NULL;
	int c, status = CT_OK;
	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (c) {
		case O_DB: set(&cli.db, optarg); break;
		case O_MONTH: set(&cli.month, optarg); break;
		case O_AREA: add_area(&cli, optarg); break;
		case O_ALL: cli.all_data = 1; break;
		case O_TAX: set(&cli.taxonomy, optarg); break;
		case O_CMP: set(&cli.compare, optarg); break;
		case O_DATASET: set(&cli.dataset, optarg); break;
		case O_MD: set(&cli.out[OUT_MD], optarg); break;
		case O_XLSX: set(&cli.out[OUT_XLSX], optarg); break;
		case O_CSV: set(&cli.out[OUT_CSV], optarg); break;
		case O_JSON: set(&cli.out[OUT_JSON], optarg); break;
		case O_CONFIG: config = optarg; break;
		case O_ALLOW: cli.allow_missing = 1; break;
		case O_CONFIRMED: cli.confirmed_only = 1; break;
		case O_SUPPRESS: {
			char *end;
			errno = 0;
			long v = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || v < 0 || v > 1000000) {
				opts_free(&cli);
				return cli_usage_error("report", "--suppress-below: not a whole number (0: off)");
			}
			cli.suppress_below = (int)v;
			break;
		}
		case 'q': ct_verbosity = -1; break;
		case 'h': opts_free(&cli); return cli_help(report_help);
		default: opts_free(&cli); return cli_usage_error("report", "unknown option");
		}
	}
	if (optind < argc) {
		opts_free(&cli);
		return cli_usage_error("report", "unexpected argument (outputs are given with --md, --xlsx, ...)");
	}
	if (config && (status = load_config(config, &o, &cli)) != CT_OK)
		goto out;
	/* the command line wins over the config */
	set(&o.db, cli.db ? cli.db : o.db);
	set(&o.month, cli.month ? cli.month : o.month);
	set(&o.taxonomy, cli.taxonomy ? cli.taxonomy : o.taxonomy ? o.taxonomy : "home-office");
	set(&o.compare, cli.compare ? cli.compare : o.compare ? o.compare : "yoy");
	set(&o.dataset, cli.dataset ? cli.dataset : o.dataset);
	for (int i = 0; i < OUT_COUNT; i++)
		if (cli.out[i])
			set(&o.out[i], cli.out[i]);
	for (size_t i = 0; i < cli.nareas; i++)
		add_area(&o, cli.areas[i]);
	o.all_data |= cli.all_data;
	o.allow_missing = cli.allow_missing;
	if (cli.suppress_below >= 0)
		o.suppress_below = cli.suppress_below;
	if (cli.confirmed_only >= 0)
		o.confirmed_only = cli.confirmed_only;

	stats_request req = {.month = -1, .compare = REP_COMPARE_YOY, .dataset = o.dataset};
	if (o.month && strcmp(o.month, "latest") != 0 && ct_month_parse(o.month, &req.month) != 0) {
		status = cli_usage_error("report", "--month: not a month (YYYY-MM) or 'latest'");
		goto out;
	}
	if (strcmp(o.compare, "previous") == 0)
		req.compare = REP_COMPARE_PREVIOUS;
	else if (strcmp(o.compare, "yoy") != 0) {
		status = cli_usage_error("report", "--compare: expected yoy or previous");
		goto out;
	}
	if (o.dataset && strcmp(o.dataset, "force") != 0 && strcmp(o.dataset, "street") != 0) {
		status = cli_usage_error("report", "--dataset: expected force or street");
		goto out;
	}
	int any_out = 0;
	for (int i = 0; i < OUT_COUNT; i++)
		any_out |= o.out[i] != NULL;
	if (!any_out)
		set(&o.out[OUT_MD], "-");

	char err[1024];
	taxonomy *t = tax_load(o.taxonomy, err, sizeof err);
	if (!t) {
		ct_error("%s", err);
		status = CT_EDATA;
		goto out;
	}
	store *s = cli_open_store(o.db, 0);
	if (!s) {
		tax_free(t);
		status = CT_EDB;
		goto out;
	}
	req.areas = o.nareas ? (const char *const *)o.areas : NULL;
	req.nareas = o.nareas;
	req.include_all = o.all_data;
	req.suppress_below = o.suppress_below >= 0 ? o.suppress_below : STATS_SUPPRESS_DEFAULT;
	req.confirmed_only = o.confirmed_only > 0;
	if (o.retain_months >= 0 && (status = cli_fm_retention(s, o.retain_months)) != CT_OK) {
		store_close(s);
		tax_free(t);
		goto out;
	}
	ct_status why;
	rep_report *r = stats_build(s, t, &req, &why, err, sizeof err);
	if (r && r->nareas == 0) {
		/* no town centres loaded yet: report all the data rather than nothing */
		rep_report_free(r);
		req.include_all = 1;
		ct_note("no areas loaded (see crimetab areas --help): reporting all data");
		r = stats_build(s, t, &req, &why, err, sizeof err);
	}
	if (!r) {
		ct_error("%s", err);
		status = why;
	} else {
		char mm[8];
		ct_month_format(r->month, mm);
		ct_note("report for %s (%s, %s, compared with the %s)", mm, rep_dataset_label(r->dataset), r->taxonomy,
			rep_compare_label(r->compare));
		for (size_t i = 0; i < r->nwarnings; i++)
			ct_warn("%s", r->warnings[i]);
		status = write_outputs(r, o.out);
		if (status == CT_OK && r->nwarnings && !o.allow_missing)
			status = CT_EMISSING;
		rep_report_free(r);
	}
	store_close(s);
	tax_free(t);
out:
	opts_free(&cli);
	opts_free(&o);
	return status;
}
