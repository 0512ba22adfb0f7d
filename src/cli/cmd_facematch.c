/* crimetab facematch: pulls sightings from a face-match plugin, stores them
 * with their areas, so reports can count distinct and repeat offenders. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "areas/areas.h"
#include "cli/cli.h"
#include "core/util.h"
#include "plugin/fm_host.h"

static const char facematch_help[] =
	"usage: crimetab facematch run --plugin NAME|PATH [--config STRING|@FILE] [--from YYYY-MM] [--to YYYY-MM]\n"
	"       crimetab facematch list\n"
	"\n"
	"run loads a face-match plugin: NAME is one installed in crimetab's plugin folder\n"
	"(PREFIX/lib/crimetab/plugins beside the binary, or build/plugins for build/crimetab;\n"
	"see crimetab templates), PATH any other (anything with a '/').  Nothing else is\n"
	"searched, and a plugin file or folder writable by other users is refused.  It is\n"
	"opened with the configuration STRING (or the contents of FILE), and stores the\n"
	"sightings it returns for the months FROM to TO (default: everything it has).\n"
	"Months are those of UK time, summer time included: a sighting at 23:30 UTC on\n"
	"30 June counts in July.\n"
	"crimetab assigns each sighting to town centres itself (by the crime it names, or\n"
	"by its coordinates), and reports then gain an \"Offenders (face match)\" section:\n"
	"sightings, distinct offenders, repeat offenders (2 or more separate incidents in\n"
	"the window) and watchlist matches.\n"
	"The plugin's pseudonymous individual keys are stored only to count; no output shows\n"
	"them.  A re-run replaces the earlier sightings of the same plugin in the range; a\n"
	"plugin that fails mid-way stores nothing.\n"
	"\n"
	"The reference plugin, facematch-embeddings, matches face embeddings from a JSON\n"
	"Lines file:  --plugin facematch-embeddings\n"
	"             --config 'sightings=FILE;watchlist=FILE;threshold=0.6'\n"
	"\n"
	"list shows the runs stored: id, plugin, range, sightings, when.\n";

typedef struct run_ctx {
	store *s;
	const area_set *areas;
	const char *path, *name; /* name is filled by fm_run before any sighting */
	int64_t from, to;
	long long run, n;
	long long *ids;
	int failed;
} run_ctx;

/* Starts the run row once the plugin's name is known: a re-run of the same
 * plugin (by name or path) replaces its earlier sightings in the range. */
static int begin_run(run_ctx *rc)
{
	if (!rc->run)
		rc->run = store_fm_run_begin(rc->s, rc->name, rc->path, rc->from, rc->to);
	return rc->run < 0 ? -1 : 0;
}

static int sink(void *ctx, const fm_sighting *x)
{
	run_ctx *rc = ctx;
	if (begin_run(rc) != 0) {
		rc->failed = 1;
		return 1;
	}
	store_sighting st = {
		.time = x->time,
		.month = ct_uk_month(x->time), /* the month in Britain, as crimes are */
		.has_coords = x->has_coords,
		.lon = x->lon,
		.lat = x->lat,
		.crime_id = x->crime_id && *x->crime_id ? x->crime_id : NULL,
		.individual = x->individual_key,
		.confidence = x->confidence,
		.watchlist = x->watchlist,
	};
	long long id = store_fm_sighting_add(rc->s, rc->run, &st);
	if (id < 0) {
		rc->failed = 1;
		return 1;
	}
	size_t k = x->has_coords ? area_set_match(rc->areas, 1, x->lon, x->lat, NULL, NULL, rc->ids,
						  area_set_count(rc->areas))
				 : 0;
	for (size_t i = 0; i < k; i++)
		if (store_fm_sighting_area_add(rc->s, id, rc->ids[i]) != 0) {
			rc->failed = 1;
			return 1;
		}
	rc->n++;
	if (ct_verbosity >= 0 && rc->n % 5000 == 0)
		ct_note("%lld sightings…", rc->n);
	return 0;
}

static char *read_config(const char *arg)
{
	if (arg[0] != '@')
		return xstrdup(arg);
	char err[1024];
	char *text = ct_read_file(arg + 1, err, sizeof err);
	if (!text)
		ct_error("%s", err);
	return text;
}

static int print_run(void *ctx, const store_fm_run *r)
{
	(void)ctx;
	char a[8] = "", b[8] = "";
	ct_month_format(ct_uk_month(r->from), a);
	ct_month_format(ct_uk_month(r->to - 1), b);
	printf("%lld\t%s\t%s\t%s\t%lld\t%s\n", r->id, r->plugin, r->from <= 0 ? "start" : a,
	       r->to >= INT64_MAX / 2 ? "end" : b, r->sightings, r->run_at);
	return 0;
}

int cmd_facematch(int argc, char **argv)
{
	const char *plugin = NULL, *config = "";
	int from_m = -1, to_m = -1;
	const cli_opt opts[] = {
		CLI_STRING("plugin", 'p', &plugin),
		CLI_STRING("config", 'c', &config),
		CLI_MONTH("from", 'f', &from_m),
		CLI_MONTH("to", 't', &to_m),
		CLI_END,
	};
	int first, prc = cli_parse("facematch", facematch_help, opts, argc, argv, &first);
	if (prc != CLI_CONTINUE)
		return prc;
	/* options may come before or after the verb */
	const char *verb = first < argc ? argv[first++] : NULL;
	if (!verb || (strcmp(verb, "run") != 0 && strcmp(verb, "list") != 0))
		return cli_usage_error("facematch", "give run or list");
	if (first < argc)
		return cli_usage_error("facematch", "unexpected argument");
	if (strcmp(verb, "list") == 0) {
		int status;
		store *s = cli_open_store(cli_global.db, STORE_READONLY, &status);
		if (!s)
			return status;
		printf("id\tplugin\tfrom\tto\tsightings\trun_at\n");
		int rc = store_fm_runs_each(s, print_run, NULL);
		if (rc != 0)
			ct_error("%s", store_errmsg(s));
		status = rc ? cli_db_status(s) : CT_OK;
		store_close(s);
		return status;
	}
	if (!plugin)
		return cli_usage_error("facematch", "run needs --plugin NAME or --plugin PATH");
	if (from_m >= 0 && to_m >= 0 && to_m < from_m)
		return cli_usage_error("facematch", "--to is before --from");
	int64_t from = from_m >= 0 ? ct_uk_month_start(from_m) : 0;
	int64_t to = to_m >= 0 ? ct_uk_month_start(to_m + 1) : INT64_MAX / 2;
	char *cfg = read_config(config);
	if (!cfg)
		return CT_EIO;
	char *path = cli_plugin_path(plugin);
	if (!path) {
		free(cfg);
		return CT_EPLUGIN;
	}
	int status;
	store *s = cli_open_store(cli_global.db, STORE_WRITE, &status);
	if (!s) {
		free(cfg);
		free(path);
		return status;
	}
	char err[1024], name[256] = "";
	area_set *areas = area_set_from_store(s, err, sizeof err);
	run_ctx rc = {.s = s, .areas = areas, .path = path, .name = name, .from = from, .to = to};
	if (!areas) {
		ct_error("%s", err);
		status = cli_db_status(s);
		goto out;
	}
	rc.ids = xcalloc(area_set_count(areas) + 1, sizeof *rc.ids);
	if (store_begin(s) != 0)
		goto db_error;
	int r = fm_run(path, cfg, from, to, sink, &rc, name, sizeof name, err, sizeof err);
	if (r != 0) {
		if (rc.failed)
			goto db_error;
		store_rollback(s);
		ct_error("%s (nothing stored from this run)", err);
		status = r == CT_EUSAGE ? CT_EUSAGE : CT_EPLUGIN;
		goto out;
	}
	long long total = 0;
	if (begin_run(&rc) != 0 || store_fm_run_finish(s, rc.run, &total) != 0 || store_commit(s) != 0)
		goto db_error;
	ct_note("%s: %lld sightings stored from %s (run %lld); %lld sightings in the database", path, rc.n, name,
		rc.run, total);
	goto out;
db_error:
	ct_error("%s", store_errmsg(s));
	status = cli_db_status(s);
	store_rollback(s);
out:
	free(rc.ids);
	area_set_free(areas);
	store_close(s);
	free(cfg);
	free(path);
	return status;
}
