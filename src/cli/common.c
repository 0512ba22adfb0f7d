/* Helpers shared by the subcommands. */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/util.h"

/* --wait SECONDS, or -1 when not given */
static double wait_option = -1;

/* Parses a lock wait in seconds (a number from 0 up); -1 if it is not one. */
static double parse_wait(const char *s)
{
	double v;
	return cli_number(s, 0, 1e6, &v) == 0 ? v : -1;
}

int cli_set_wait(const char *cmd, const char *arg)
{
	wait_option = parse_wait(arg);
	if (wait_option < 0)
		return cli_usage_error(cmd, "--wait: \"%s\" is not a number of seconds", arg);
	return CT_OK;
}

store *cli_open_store(const char *db, int mode, int *status)
{
	char err[1024];
	double wait = wait_option;
	const char *env = getenv("CRIMETAB_LOCK_TIMEOUT");
	if (wait < 0 && env && *env && (wait = parse_wait(env)) < 0) {
		ct_error("CRIMETAB_LOCK_TIMEOUT: \"%s\" is not a number of seconds", env);
		*status = CT_EUSAGE;
		return NULL;
	}
	store_set_lock_wait(wait);
	ct_status why;
	store *s = store_open_status(store_default_path(db), mode, &why, err, sizeof err);
	if (!s)
		ct_error("%s", err);
	*status = s ? CT_OK : (int)why;
	return s;
}

void cli_note(void *ctx, int warning, const char *msg)
{
	(void)ctx;
	if (warning)
		ct_warn("%s", msg);
	else
		ct_note("%s", msg);
}

char *cli_template(const char *dir, const char *name, int *status)
{
	char err[1024];
	char *text = ct_template_text(dir, name, err, sizeof err);
	if (!text) {
		ct_error("%s", err);
		*status = CT_EIO;
	}
	return text;
}

taxonomy *cli_taxonomy(const char *name, int *status)
{
	char err[1024];
	char *text = cli_template("taxonomy", name, status);
	if (!text)
		return NULL;
	taxonomy *t = tax_parse(name, text, err, sizeof err);
	free(text);
	if (!t) {
		ct_error("%s", err);
		*status = CT_EDATA;
	}
	return t;
}

imp_mapping *cli_mapping(const char *name, int *status)
{
	char err[1024];
	char *text = cli_template("mappings", name, status);
	if (!text)
		return NULL;
	imp_mapping *m = imp_mapping_parse(name, text, err, sizeof err);
	free(text);
	if (!m) {
		ct_error("%s", err);
		*status = CT_EDATA;
	}
	return m;
}

/* Parses JSON TEXT read from PATH; NULL after printing "PATH:LINE: not valid
 * JSON". */
static cJSON *cli_json_parse(const char *path, const char *text)
{
	const char *end = NULL;
	cJSON *j = cJSON_ParseWithOpts(text, &end, 1);
	if (!j)
		ct_error("%s:%ld: not valid JSON", path, ct_line_at(text, end));
	return j;
}

cJSON *cli_report_config(const char *name, int *status)
{
	char *text = cli_template("reports", name, status);
	if (!text)
		return NULL;
	cJSON *j = cli_json_parse(name, text);
	free(text);
	if (!j)
		*status = CT_EDATA;
	return j;
}

char *cli_plugin_dir(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	static const char *const subdirs[] = {"../lib/crimetab/plugins", "plugins"};
	struct stat st;
	for (size_t i = 0; i < sizeof subdirs / sizeof subdirs[0]; i++) {
		char *dir = xasprintf("%s/%s", exe, subdirs[i]);
		char *real = realpath(dir, NULL);
		free(dir);
		if (real && stat(real, &st) == 0 && S_ISDIR(st.st_mode))
			return real;
		free(real);
	}
	/* neither exists: the installed layout, for messages */
	char *up = strrchr(exe, '/');
	if (up)
		*up = '\0';
	return xasprintf("%s/lib/crimetab/plugins", up ? exe : ".");
}

char *cli_plugin_path(const char *name_or_path)
{
	if (strchr(name_or_path, '/'))
		return xstrdup(name_or_path);
	char *dir = cli_plugin_dir();
	if (!dir) {
		ct_error("%s: cannot find the plugin folder (/proc/self/exe: %s); give the plugin's path", name_or_path,
			 strerror(errno));
		return NULL;
	}
	char *path = xasprintf("%s/%s.so", dir, name_or_path);
	struct stat st;
	if (stat(path, &st) == 0) {
		free(dir);
		return path;
	}
	free(path);
	strbuf names = {0};
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] != '.' && len > 3 && strcmp(e->d_name + len - 3, ".so") == 0)
			sb_printf(&names, "%s%.*s", names.len ? ", " : "", (int)(len - 3), e->d_name);
	}
	if (d)
		closedir(d);
	ct_error("%s: no such plugin in %s (installed: %s); a plugin elsewhere is given by its path", name_or_path, dir,
		 names.len ? names.buf : "none");
	sb_release(&names);
	free(dir);
	return NULL;
}
