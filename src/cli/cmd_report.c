/* crimetab report: the scrutiny tables, from the command line or a report
 * config file for unattended monthly runs. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/util.h"
#include "report/export.h"
#include "report/phrases.h"
#include "stats/stats.h"

static const char report_help[] =
	"usage: crimetab report [options] [--md FILE] [--xlsx FILE] [--csv FILE] [--json FILE]\n"
	"       crimetab report --config NAME [options]\n"
	"\n"
	"Writes the town-centre scrutiny tables: for each area and category row, the count for\n"
	"the selected month, the last 6 months and the last 12 months, with the difference and\n"
	"% difference against the same period a year earlier (or the preceding period).\n"
	"With no output option, Markdown goes to standard output.  FILE '-' is standard output.\n"
	"Files are written to a temporary and renamed into place: a failure never leaves a\n"
	"half-written report.\n"
	"\n"
	"options:\n"
	"  --month YYYY-MM      the selected month; 'latest' (default): the latest month for\n"
	"                       which every force in the data has been imported, or, when\n"
	"                       that month's comparisons lack months and an earlier month's\n"
	"                       do not, that earlier month (the first line says which and why)\n"
	"  --area NAME          an area to report (repeatable; default: every area loaded;\n"
	"                       \"All data\" is every crime, in an area or not)\n"
	"  --all-data           add the \"All data\" table before the areas\n"
	"  --taxonomy T         home-office (default), police-uk (built-in), or a file\n"
	"  --compare BASIS      yoy (default: the same window a year earlier) or previous\n"
	"                       (the window immediately before)\n"
	"  --dataset D          force (force exports) or street (police.uk); default: the\n"
	"                       taxonomy's own if imported, else whichever is\n"
	"  --md FILE            Markdown tables\n"
	"  --xlsx FILE          committee workbook: Summary, Highlights, one sheet per area\n"
	"                       (or one table: --xlsx-layout), Trend, Sources\n"
	"  --xlsx-layout L      auto (default): sheets for up to 100 areas, long above that,\n"
	"                       with a note saying which; sheets: a sheet per area, as the\n"
	"                       paper; long: one table, the area as a column, with an\n"
	"                       autofilter (for hundreds or thousands of areas)\n"
	"  --csv FILE           tidy CSV, one line per area, row and window (columns below)\n"
	"  --json FILE          the report model as JSON (schema_version 2; its JSON Schema is\n"
	"                       docs/report.schema.json)\n"
	"  --config NAME        a report config: a JSON file, or a built-in one\n"
	"                       (stockton-scrutiny; see crimetab templates): areas, taxonomy,\n"
	"                       comparison and outputs, with {month} in output paths replaced\n"
	"                       by YYYY-MM, suppress_below, confirmed_only, and retain_months\n"
	"                       (face-match sightings older than that many months are deleted\n"
	"                       first, as crimetab facematch run --retain-months does); options\n"
	"                       given on the command line win\n"
	"  --allow-missing      exit 0 even when months are missing from the data, and let\n"
	"                       --month latest take the latest month whatever its comparisons\n"
	"  --confirmed-only     offender (face match) rows of matches a person confirmed only;\n"
	"                       by default each measure is shown for all matches and, beside\n"
	"                       it, for the confirmed ones\n"
	"  --suppress-below N   disclosure control: offender counts from 1 to N-1 print as <N,\n"
	"                       and figures that would give one away as [c] (default 3; 0: off)\n"
	"  --significance TEST  the test that flags a change with \xe2\x96\xb2 or \xe2\x96\xbc: e-test (default;\n"
	"                       the Krishnamoorthy-Thomson E-test, two-sided), z (the Poisson\n"
	"                       z-score) or none (no marks, no Highlights)\n"
	"  --alpha A            the test's level (default 0.05)\n"
	"  --highlight ROW      a row every Highlights section describes in every window,\n"
	"                       flagged or not (repeatable; e.g. Shoplifting)\n"
	"  --highlights-template T\n"
	"                       the Highlights wording: plain-english (default) or a file\n"
	"                       (see templates/highlights/)\n"
	"\n"
	"When months the windows need are missing from the data, each gap is named in a\n"
	"warning and the status is 4 (--allow-missing makes it 0).  An output that cannot\n"
	"be written is status 5, and nothing half-written is left.\n"
	"\n"
	"Months missing from the data: a window is complete when every force whose data an\n"
	"area draws on has the dataset for every month of it.  A count whose window is not\n"
	"complete carries the mark \xe2\x80\xa1 (the mark alone for 0), its Diff and % Diff read\n"
	"n/a (n/a\xe2\x80\xa1 when the comparison lacks months), and a footnote under the table\n"
	"names the forces and months.  Warnings give one line per distinct gap.\n"
	"\n"
	"CSV columns:\n"
	"  month                the selected month, YYYY-MM\n"
	"  comparison_basis     yoy or previous\n"
	"  area                 the area's name\n"
	"  row                  the row's labels from the top, joined with \" > \"\n"
	"  row_kind             group (a sum of the rows below it), leaf, unknown (categories\n"
	"                       no rule maps), total (the Total row), outside_total (not in\n"
	"                       Total, e.g. anti-social behaviour), offenders (face-match\n"
	"                       measures); leaf + unknown rows add up to total\n"
	"  depth                0 for top-level rows\n"
	"  window               month, 6 months or 12 months\n"
	"  window_from, window_to, comparison_from, comparison_to   the spans, YYYY-MM\n"
	"  current, comparison  counts, as the data hold them\n"
	"  diff                 current - comparison; empty when either span lacks months\n"
	"  pct                  % difference to one decimal (no %), empty unless pct_kind is value\n"
	"  pct_kind             value, infinity (comparison 0, current not) or none (both 0,\n"
	"                       or a span lacks months)\n"
	"  complete_current, complete_comparison   true or false (empty for offenders)\n"
	"  missing_current, missing_comparison     the months each span lacks, ';'-separated\n"
	"  z, p                 the Poisson z-score and the E-test's two-sided p-value; empty\n"
	"                       when the change was not tested (a span lacks months, or\n"
	"                       --significance none)\n"
	"  significant          rise or fall when the change passed the test, else empty\n";

enum { OUT_MD, OUT_XLSX, OUT_CSV, OUT_JSON, OUT_COUNT };
static const char *const out_names[OUT_COUNT] = {"md", "xlsx", "csv", "json"};

typedef struct report_opts {
	char *db, *month, *taxonomy, *compare, *dataset, *xlsx_layout, *significance, *alpha, *phrases;
	char *out[OUT_COUNT];
	char **areas;
	size_t nareas;
	char **watch; /* rows every Highlights section covers */
	size_t nwatch;
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
	free(o->xlsx_layout);
	free(o->significance);
	free(o->alpha);
	free(o->phrases);
	for (int i = 0; i < OUT_COUNT; i++)
		free(o->out[i]);
	for (size_t i = 0; i < o->nareas; i++)
		free(o->areas[i]);
	free(o->areas);
	for (size_t i = 0; i < o->nwatch; i++)
		free(o->watch[i]);
	free(o->watch);
}

static void add_name(char ***list, size_t *n, const char *name)
{
	*list = xrealloc(*list, (*n + 1) * sizeof **list);
	(*list)[(*n)++] = xstrdup(name);
}

static void add_area(report_opts *o, const char *name)
{
	add_name(&o->areas, &o->nareas, name);
}

/* Reads the config's array of strings KEY into *LIST unless the command
 * line gave some; CT_OK or CT_EDATA after saying why. */
static int config_names(const char *path, const cJSON *j, const char *key, const char *what, char ***list,
			size_t *n, size_t cli_n)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(j, key), *a;
	if (!arr || cli_n)
		return CT_OK;
	if (!cJSON_IsArray(arr)) {
		ct_error("%s: \"%s\" must be an array of %s", path, key, what);
		return CT_EDATA;
	}
	cJSON_ArrayForEach(a, arr)
	{
		if (!cJSON_IsString(a)) {
			ct_error("%s: \"%s\" must be an array of %s", path, key, what);
			return CT_EDATA;
		}
		add_name(list, n, a->valuestring);
	}
	return CT_OK;
}

/* Reads a report config into O, leaving fields the command line set alone. */
static int load_config(const char *path, report_opts *o, const report_opts *cli)
{
	int rc = CT_OK;
	cJSON *j = cli_report_config(path, &rc);
	if (!j)
		return rc;
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(j, "report_version");
	if (!cJSON_IsNumber(ver) || ver->valueint != 1) {
		ct_error("%s: \"report_version\" must be 1", path);
		rc = CT_EDATA;
		goto out;
	}
	static const char *const keys[] = {"db", "month", "taxonomy", "compare",
					   "dataset", "xlsx_layout", "significance", "highlights_template"};
	char **slots[] = {&o->db, &o->month, &o->taxonomy, &o->compare,
			  &o->dataset, &o->xlsx_layout, &o->significance, &o->phrases};
	char *const cli_slots[] = {cli->db, cli->month, cli->taxonomy, cli->compare,
				   cli->dataset, cli->xlsx_layout, cli->significance, cli->phrases};
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
	const cJSON *alpha = cJSON_GetObjectItemCaseSensitive(j, "alpha");
	if (alpha && !cJSON_IsNumber(alpha)) {
		ct_error("%s: \"alpha\" must be a number such as 0.05", path);
		rc = CT_EDATA;
		goto out;
	}
	if (alpha && !cli->alpha) {
		char buf[32];
		snprintf(buf, sizeof buf, "%.17g", alpha->valuedouble);
		set(&o->alpha, buf);
	}
	if ((rc = config_names(path, j, "areas", "area names", &o->areas, &o->nareas, cli->nareas)) != CT_OK ||
	    (rc = config_names(path, j, "highlight_rows", "row labels", &o->watch, &o->nwatch, cli->nwatch)) != CT_OK)
		goto out;
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

/* The index of V among the N option values NAMES, or -1. */
static int name_index(const char *v, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(v, names[i]) == 0)
			return i;
	return -1;
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

/* The workbook layout for R: LAYOUT, or for auto the one it chooses, with a
 * note saying which and how to have the other. */
static int xlsx_layout(const rep_report *r, int layout)
{
	int chosen = rep_xlsx_layout_for(layout, r->nareas);
	if (layout == REP_XLSX_AUTO && chosen == REP_XLSX_SHEETS)
		ct_note("xlsx layout: sheets, one per area (%zu area%s; %d at most by default); --xlsx-layout long "
			"for one table",
			r->nareas, r->nareas == 1 ? "" : "s", REP_XLSX_SHEETS_MAX);
	else if (layout == REP_XLSX_AUTO)
		ct_note("xlsx layout: long, one table (%zu areas, more than %d); --xlsx-layout sheets for a sheet per "
			"area",
			r->nareas, REP_XLSX_SHEETS_MAX);
	return chosen;
}

/* Writes every requested output, each atomically (or through, for a device
 * or FIFO: see ct_out_open). */
static int write_outputs(const rep_report *r, char *const out[OUT_COUNT], int layout)
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
		/* libxlsxwriter writes its own file */
		ct_outfile *o = i == OUT_XLSX ? ct_out_open_path(path, err, sizeof err) : ct_out_open(path, err, sizeof err);
		int rc = -1;
		if (o) {
			switch (i) {
			case OUT_MD: rc = rep_write_markdown(r, ct_out_fp(o)); break;
			case OUT_CSV: rc = rep_write_csv(r, ct_out_fp(o)); break;
			case OUT_JSON: rc = rep_write_json(r, ct_out_fp(o)); break;
			case OUT_XLSX:
				rc = rep_write_xlsx_layout(r, ct_out_tmppath(o), xlsx_layout(r, layout), err, sizeof err);
				break;
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
	const char *month = NULL, *tax = NULL, *cmp = NULL, *dataset = NULL, *config = NULL, *layout = NULL,
		   *sig = NULL, *alpha = NULL, *phrases = NULL;
	const char *outs[OUT_COUNT] = {NULL};
	cli_list areas = {0}, watch = {0};
	int all_data = 0, allow_missing = 0, confirmed_only = 0;
	long long suppress_below = -1;
	const cli_opt opts[] = {
		CLI_STRING("month", 0, &month),
		CLI_LIST("area", 0, &areas),
		CLI_FLAG("all-data", 0, &all_data),
		CLI_STRING("taxonomy", 0, &tax),
		CLI_STRING("compare", 0, &cmp),
		CLI_STRING("dataset", 0, &dataset),
		CLI_STRING("md", 0, &outs[OUT_MD]),
		CLI_STRING("xlsx", 0, &outs[OUT_XLSX]),
		CLI_STRING("xlsx-layout", 0, &layout),
		CLI_STRING("csv", 0, &outs[OUT_CSV]),
		CLI_STRING("json", 0, &outs[OUT_JSON]),
		CLI_STRING("config", 0, &config),
		CLI_FLAG("allow-missing", 0, &allow_missing),
		CLI_FLAG("confirmed-only", 0, &confirmed_only),
		CLI_NUMBER("suppress-below", 0, &suppress_below),
		CLI_STRING("significance", 0, &sig),
		CLI_STRING("alpha", 0, &alpha),
		CLI_STRING("highlights-template", 0, &phrases),
		CLI_LIST("highlight", 0, &watch),
		CLI_END,
	};
	int first, prc = cli_parse("report", report_help, opts, argc, argv, &first);
	if (prc != CLI_CONTINUE)
		return prc;
	int status = CT_OK;
	if (first < argc) {
		cli_list_free(&areas);
		cli_list_free(&watch);
		return cli_usage_error("report", "unexpected argument '%s' (outputs are given with --md, --xlsx, ...)",
				       argv[first]);
	}
	if ((prc = cli_check_suppress_below("report", suppress_below)) != CT_OK) {
		cli_list_free(&areas);
		cli_list_free(&watch);
		return prc;
	}
	report_opts cli = {.all_data = all_data, .allow_missing = allow_missing,
			   .suppress_below = (int)suppress_below, .confirmed_only = confirmed_only ? 1 : -1,
			   .retain_months = -1};
	report_opts o = {.suppress_below = -1, .confirmed_only = -1, .retain_months = -1};
	set(&cli.db, cli_global.db);
	set(&cli.month, month);
	set(&cli.taxonomy, tax);
	set(&cli.compare, cmp);
	set(&cli.dataset, dataset);
	set(&cli.xlsx_layout, layout);
	set(&cli.significance, sig);
	set(&cli.alpha, alpha);
	set(&cli.phrases, phrases);
	for (int i = 0; i < OUT_COUNT; i++)
		set(&cli.out[i], outs[i]);
	for (size_t i = 0; i < areas.n; i++)
		add_area(&cli, areas.v[i]);
	for (size_t i = 0; i < watch.n; i++)
		add_name(&cli.watch, &cli.nwatch, watch.v[i]);
	cli_list_free(&areas);
	cli_list_free(&watch);
	if (config && (status = load_config(config, &o, &cli)) != CT_OK)
		goto out;
	/* the command line wins over the config */
	set(&o.db, cli.db ? cli.db : o.db);
	set(&o.month, cli.month ? cli.month : o.month);
	set(&o.taxonomy, cli.taxonomy ? cli.taxonomy : o.taxonomy ? o.taxonomy : "home-office");
	set(&o.compare, cli.compare ? cli.compare : o.compare ? o.compare : "yoy");
	set(&o.dataset, cli.dataset ? cli.dataset : o.dataset);
	set(&o.xlsx_layout, cli.xlsx_layout ? cli.xlsx_layout : o.xlsx_layout ? o.xlsx_layout : "auto");
	set(&o.significance, cli.significance ? cli.significance : o.significance ? o.significance : "e-test");
	set(&o.alpha, cli.alpha ? cli.alpha : o.alpha);
	set(&o.phrases, cli.phrases ? cli.phrases : o.phrases ? o.phrases : "plain-english");
	for (size_t i = 0; i < cli.nwatch; i++)
		add_name(&o.watch, &o.nwatch, cli.watch[i]);
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
	if ((o.month && (status = cli_month_or_latest("report", o.month, &req.month)) != CT_OK) ||
	    (status = cli_compare("report", o.compare, &req.compare)) != CT_OK)
		goto out;
	if (o.dataset && (status = cli_dataset("report", o.dataset)) != CT_OK)
		goto out;
	int xlayout = name_index(o.xlsx_layout, rep_xlsx_layout_name, 3);
	if (xlayout < 0) {
		status = cli_usage_error("report", "--xlsx-layout: \"%s\" is not auto, sheets or long", o.xlsx_layout);
		goto out;
	}
	int test = name_index(o.significance, rep_sig_test_name, 3);
	if (test < 0) {
		status = cli_usage_error("report", "--significance: \"%s\" is not none, z or e-test", o.significance);
		goto out;
	}
	req.significance = (rep_sig_test)test;
	if (o.alpha && (status = cli_alpha("report", o.alpha, &req.alpha)) != CT_OK)
		goto out;
	req.highlight_rows = (const char *const *)o.watch;
	req.nhighlight_rows = o.nwatch;
	int any_out = 0;
	for (int i = 0; i < OUT_COUNT; i++)
		any_out |= o.out[i] != NULL;
	if (!any_out)
		set(&o.out[OUT_MD], "-");

	char err[1024];
	char *phrases_text = cli_template("highlights", o.phrases, &status);
	if (!phrases_text)
		goto out;
	rep_phrases *phrases_tmpl = rep_phrases_parse(o.phrases, phrases_text, err, sizeof err);
	free(phrases_text);
	if (!phrases_tmpl) {
		ct_error("%s", err);
		status = CT_EDATA;
		goto out;
	}
	taxonomy *t = cli_taxonomy(o.taxonomy, &status);
	if (!t) {
		rep_phrases_free(phrases_tmpl);
		goto out;
	}
	/* retention from the config: the one step of a report that writes */
	if (o.retain_months >= 0) {
		store *w = cli_open_store(o.db, STORE_WRITE, &status);
		if (w)
			status = cli_fm_retention(w, o.retain_months);
		store_close(w);
		if (status != CT_OK) {
			tax_free(t);
			rep_phrases_free(phrases_tmpl);
			goto out;
		}
	}
	store *s = cli_open_store(o.db, STORE_READONLY, &status);
	if (!s) {
		tax_free(t);
		rep_phrases_free(phrases_tmpl);
		goto out;
	}
	req.areas = o.nareas ? (const char *const *)o.areas : NULL;
	req.nareas = o.nareas;
	req.include_all = o.all_data;
	req.allow_missing = o.allow_missing;
	req.suppress_below = o.suppress_below >= 0 ? o.suppress_below : STATS_SUPPRESS_DEFAULT;
	req.confirmed_only = o.confirmed_only > 0;
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
		ct_note("report for %s%s%s (%s, %s, compared with the %s)", mm, r->month_reason ? ": " : "",
			r->month_reason ? r->month_reason : "", rep_dataset_label(r->dataset), r->taxonomy,
			rep_compare_label(r->compare));
		for (size_t i = 0; i < r->nwarnings; i++)
			ct_warn("%s", r->warnings[i]);
		r->phrases = phrases_tmpl;
		phrases_tmpl = NULL;
		status = write_outputs(r, o.out, xlayout);
		if (status == CT_OK && r->nwarnings && !o.allow_missing)
			status = CT_EMISSING;
		rep_report_free(r);
	}
	store_close(s);
	tax_free(t);
	rep_phrases_free(phrases_tmpl);
out:
	opts_free(&cli);
	opts_free(&o);
	return status;
}
