/* crimetab run: the monthly job in one command, as cron and systemd run it:
 * import what is new in a report config's inputs, then write its reports. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/util.h"

static const char run_help[] =
	"usage: crimetab run --config NAME [--month YYYY-MM] [--allow-missing]\n"
	"\n"
	"The monthly job in one command, for cron and systemd timers: imports what is new\n"
	"in the report config's \"inputs\" (download folders or files; a file already\n"
	"imported is skipped), then writes the config's reports as\n"
	"'crimetab report --config NAME' does.  NAME is a report config file, or a\n"
	"built-in one (stockton-scrutiny; see crimetab templates).\n"
	"\n"
	"\"inputs\" lists paths (relative to the folder crimetab runs in: see -C), or\n"
	"objects with a column mapping for force exports:\n"
	"  \"inputs\": [\"downloads/policeuk\",\n"
	"             {\"path\": \"downloads/force\", \"mapping\": \"cleveland-force-export\"}]\n"
	"\n"
	"A partly bad download folder does not stop the job: a file that cannot be\n"
	"imported (unreadable, or not police.uk data nor a force export its mapping\n"
	"fits) is named in an error and skipped, the rest is imported, the reports are\n"
	"written, and the status is 9 (it wins over 4).  When no input could be imported\n"
	"at all, no report is written, the previous ones are left as they are, and the\n"
	"status is the failure's (3 or 5).\n"
	"\n"
	"options:\n"
	"  --config NAME        the report config (required)\n"
	"  --month YYYY-MM      report this month instead of the config's (default: latest)\n"
	"  --allow-missing      as for crimetab report: missing months do not make status 4\n";

typedef struct run_input {
	const char *path, *mapping;
} run_input;

/* The config's "inputs" into *IN (pointing into J); 0, or -1 after an error. */
static int read_inputs(const char *config, const cJSON *j, run_input **in, size_t *n)
{
	const cJSON *inputs = cJSON_GetObjectItemCaseSensitive(j, "inputs");
	if (!inputs) {
		ct_error("%s: no \"inputs\": 'crimetab run' needs the download folders to import (see crimetab run "
			 "--help)",
			 config);
		return -1;
	}
	if (!cJSON_IsArray(inputs) || cJSON_GetArraySize(inputs) == 0) {
		ct_error("%s: \"inputs\" must be a list of paths or {\"path\": ..., \"mapping\": ...} objects", config);
		return -1;
	}
	*n = 0;
	*in = xcalloc((size_t)cJSON_GetArraySize(inputs), sizeof **in);
	const cJSON *it;
	cJSON_ArrayForEach(it, inputs)
	{
		run_input r = {NULL, NULL};
		if (cJSON_IsString(it)) {
			r.path = it->valuestring;
		} else if (cJSON_IsObject(it)) {
			const cJSON *p = cJSON_GetObjectItemCaseSensitive(it, "path");
			const cJSON *m = cJSON_GetObjectItemCaseSensitive(it, "mapping");
			r.path = cJSON_IsString(p) ? p->valuestring : NULL;
			r.mapping = cJSON_IsString(m) ? m->valuestring : NULL;
			if (m && !r.mapping)
				r.path = NULL;
		}
		if (!r.path || !*r.path) {
			ct_error("%s: \"inputs\" entry %zu: expected a path, or {\"path\": ..., \"mapping\": ...} with "
				 "strings",
				 config, *n + 1);
			free(*in);
			*in = NULL;
			return -1;
		}
		(*in)[(*n)++] = r;
	}
	return 0;
}

int cmd_run(int argc, char **argv)
{
	const char *config = NULL, *month = NULL;
	int allow_missing = 0;
	const cli_opt opts[] = {
		CLI_STRING("config", 0, &config),
		CLI_STRING("month", 0, &month),
		CLI_FLAG("allow-missing", 0, &allow_missing),
		CLI_END,
	};
	int first, status = cli_parse("run", run_help, opts, argc, argv, &first);
	if (status != CLI_CONTINUE)
		return status;
	if (first < argc)
		return cli_usage_error("run", "unexpected argument '%s'", argv[first]);
	if (!config)
		return cli_usage_error("run", "--config NAME is required (see crimetab templates)");
	status = CT_OK;
	cJSON *j = cli_report_config(config, &status);
	if (!j)
		return status;
	run_input *in = NULL;
	size_t nin = 0;
	if (read_inputs(config, j, &in, &nin) != 0) {
		cJSON_Delete(j);
		return CT_EDATA;
	}
	/* the database the report will read: --db, else the config's, else the default */
	const cJSON *cdb = cJSON_GetObjectItemCaseSensitive(j, "db");
	store *s = cli_open_store(cli_global.db ? cli_global.db : cJSON_IsString(cdb) ? cdb->valuestring : NULL,
				  STORE_CREATE, &status);
	if (!s) {
		free(in);
		cJSON_Delete(j);
		return status;
	}
	cli_import_counts counts = {0};
	int import_status = CT_OK;
	for (size_t i = 0; i < nin && import_status != CT_EDB && import_status != CT_EBUSY; i++) {
		int st = CT_OK;
		imp_mapping *map = NULL;
		if (in[i].mapping && !(map = cli_mapping(in[i].mapping, &st))) {
			counts.failed++;
		} else {
			st = cli_import_paths(s, &in[i].path, 1, map, &counts);
			imp_mapping_free(map);
		}
		if (st != CT_OK && (import_status == CT_OK || st == CT_EDB || st == CT_EBUSY))
			import_status = st;
	}
	store_close(s);
	free(in);
	cJSON_Delete(j);
	if (import_status == CT_EDB || import_status == CT_EBUSY)
		return import_status;
	ct_note("run: %zu file%s imported, %zu already imported, %zu failed", counts.done, counts.done == 1 ? "" : "s",
		counts.dups, counts.failed);
	if (counts.failed && counts.done + counts.dups == 0) {
		ct_error("%s: no input could be imported; no report written", config);
		return import_status;
	}
	char *cfg_arg = xasprintf("--config=%s", config), *month_arg = month ? xasprintf("--month=%s", month) : NULL;
	static char report[] = "report", allow[] = "--allow-missing";
	char *args[5] = {report, cfg_arg};
	int nargs = 2;
	if (month_arg)
		args[nargs++] = month_arg;
	if (allow_missing)
		args[nargs++] = allow;
	status = cmd_report(nargs, args);
	free(cfg_arg);
	free(month_arg);
	if ((status == CT_OK || status == CT_EMISSING) && counts.failed)
		status = CT_EPARTIAL;
	return status;
}
