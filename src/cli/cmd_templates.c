/* crimetab templates: the built-in templates and plugins crimetab finds by
 * name, and which file of the same name would be used instead. */
#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/embedded.h"
#include "core/util.h"

static const char templates_help[] =
	"usage: crimetab templates\n"
	"       crimetab templates show NAME\n"
	"\n"
	"Lists what crimetab finds by name from any folder: the templates compiled into it\n"
	"and the plugins installed in its plugin folder.  Tab-separated, after a header:\n"
	"kind, name, the option that takes it, and where it comes from: \"built-in\", or\n"
	"the file used instead.\n"
	"\n"
	"A name is always tried as a file first: a file called home-office in the current\n"
	"folder is used by --taxonomy home-office instead of the built-in (the last\n"
	"column then says so).  Give your own templates as paths (./my-taxonomy.json).\n"
	"\n"
	"show NAME prints a built-in template, to copy and change:\n"
	"  crimetab templates show stockton-scrutiny > my-report.json\n";

static const struct {
	const char *dir, *option;
} kinds[] = {
	{"taxonomy", "report --taxonomy"},
	{"mappings", "import --mapping"},
	{"areas", "areas load"},
	{"reports", "report --config, run --config"},
	{"highlights", "report --highlights-template"},
};

/* The built-in's name in FILE (templates/DIR/NAME.ext) if it is of kind DIR. */
static int builtin_name(const struct embedded_file *f, const char *dir, char *name, size_t len)
{
	size_t n = strlen(dir);
	if (strncmp(f->name, "templates/", 10) != 0 || strncmp(f->name + 10, dir, n) != 0 || f->name[10 + n] != '/')
		return 0;
	const char *base = f->name + 10 + n + 1;
	snprintf(name, len, "%.*s", (int)strcspn(base, "."), base);
	return 1;
}

static int list(void)
{
	char cwd[PATH_MAX], name[256];
	if (!getcwd(cwd, sizeof cwd))
		snprintf(cwd, sizeof cwd, ".");
	printf("kind\tname\toption\tfrom\n");
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
		for (const struct embedded_file *f = embedded_files; f->name; f++) {
			if (!builtin_name(f, kinds[k].dir, name, sizeof name))
				continue;
			struct stat st;
			printf("%s\t%s\t%s\t", ct_template_noun(kinds[k].dir), name, kinds[k].option);
			if (stat(name, &st) == 0)
				printf("file %s/%s (instead of the built-in)\n", cwd, name);
			else
				printf("built-in\n");
		}
	char *dir = cli_plugin_dir();
	DIR *d = dir ? opendir(dir) : NULL;
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] != '.' && len > 3 && strcmp(e->d_name + len - 3, ".so") == 0)
			printf("plugin\t%.*s\tfacematch run --plugin\tfile %s/%s\n", (int)(len - 3), e->d_name, dir,
			       e->d_name);
	}
	if (d)
		closedir(d);
	free(dir);
	return CT_OK;
}

static int show(const char *name)
{
	char n[256];
	for (const struct embedded_file *f = embedded_files; f->name; f++)
		for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
			if (builtin_name(f, kinds[k].dir, n, sizeof n) && strcmp(n, name) == 0) {
				fwrite(f->data, 1, f->len, stdout);
				return CT_OK;
			}
	return cli_usage_error("templates", "no built-in template called \"%s\" (see crimetab templates)", name);
}

int cmd_templates(int argc, char **argv)
{
	const cli_opt opts[] = {CLI_END};
	int first, rc = cli_parse("templates", templates_help, opts, argc, argv, &first);
	if (rc != CLI_CONTINUE)
		return rc;
	if (first == argc)
		return list();
	if (strcmp(argv[first], "show") == 0 && argc - first == 2)
		return show(argv[first + 1]);
	if (strcmp(argv[first], "show") == 0)
		return cli_usage_error("templates", "show takes one NAME");
	return cli_usage_error("templates", "unknown argument '%s'", argv[first]);
}
