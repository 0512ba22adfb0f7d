/* crimetab areas: load, list and remove town centres. */
#include <getopt.h>
#include <string.h>

#include "areas/areas.h"
#include "cli/cli.h"
#include "core/util.h"

static const char areas_help[] =
	"usage: crimetab areas [--db FILE] [--wait SECONDS] load FILE...\n"
	"       crimetab areas [--db FILE] list\n"
	"       crimetab areas [--db FILE] [--wait SECONDS] remove NAME...\n"
	"\n"
	"Town centres are defined by any of:\n"
	"  - GeoJSON Polygon or MultiPolygon features, named by properties.name (holes are\n"
	"    respected; a crime on an edge belongs to the area);\n"
	"  - a list of LSOA codes: a feature with null geometry and properties.lsoa_codes\n"
	"    (list both 2011 and 2021 codes: police.uk switched in 2023);\n"
	"  - values of a force export's area column: properties.area_values.\n"
	"A file may also be {\"areas\": [{\"name\": ..., \"geometry\"|\"lsoa_codes\"|\"area_values\": ...}]}.\n"
	"\n"
	"load replaces areas of the same name and assigns every crime already imported;\n"
	"crimes imported later are assigned as they arrive.  A crime belongs to every area\n"
	"that contains it.  list prints name, kind, crimes assigned and where it came from.\n"
	"A built-in file: templates/areas/stockton-town-centres.geojson (approximate,\n"
	"hand-drawn boundaries of the six Stockton-on-Tees town centres).\n"
	"\n"
	"load creates the database if there is none; list only reads it.  load and remove\n"
	"wait for another crimetab writing the database for --wait SECONDS (default:\n"
	"$CRIMETAB_LOCK_TIMEOUT, else 60), then give up with exit status 7.\n";

static int print_area(void *ctx, const store_area *a)
{
	(void)ctx;
	printf("%s\t%s\t%lld\t%s\n", a->name, a->kind, a->crimes, a->loaded_from ? a->loaded_from : "");
	return 0;
}

int cmd_areas(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"wait", required_argument, NULL, 'w'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *db = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "d:w:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'w':
			if (cli_set_wait("areas", optarg) != CT_OK)
				return CT_EUSAGE;
			break;
		case 'h': return cli_help(areas_help);
		default: return cli_usage_error("areas", "unknown option");
		}
	}
	if (optind >= argc)
		return cli_usage_error("areas", "give load, list or remove");
	const char *verb = argv[optind++];
	int nargs = argc - optind;
	if (strcmp(verb, "list") == 0 ? nargs != 0 : (strcmp(verb, "load") == 0 || strcmp(verb, "remove") == 0) ? nargs < 1 : 1)
		return cli_usage_error("areas", strcmp(verb, "list") == 0 ? "list takes no arguments"
				       : (strcmp(verb, "load") == 0 || strcmp(verb, "remove") == 0) ? "name a file or area"
				       : "give load, list or remove");
	int status;
	store *s = cli_open_store(db, strcmp(verb, "list") == 0 ? STORE_READONLY
				      : strcmp(verb, "load") == 0 ? STORE_CREATE : STORE_WRITE, &status);
	if (!s)
		return status;
	char err[1024];
	if (strcmp(verb, "list") == 0) {
		printf("name\tkind\tcrimes\tloaded_from\n");
		if (store_areas_each(s, print_area, NULL) != 0) {
			ct_error("%s", store_errmsg(s));
			status = cli_db_status(s);
		}
	} else if (strcmp(verb, "load") == 0) {
		for (int i = optind; i < argc; i++) {
			size_t n = 0;
			if (area_load_file(s, argv[i], &n, err, sizeof err) != 0) {
				ct_error("%s", err);
				status = store_busy(s) ? CT_EBUSY : CT_EDATA;
			} else {
				ct_note("%s: loaded %zu area%s", argv[i], n, n == 1 ? "" : "s");
			}
		}
	} else {
		for (int i = optind; i < argc; i++) {
			int rc = store_area_remove(s, argv[i]);
			if (rc < 0) {
				ct_error("%s", store_errmsg(s));
				status = cli_db_status(s);
			} else if (rc == 0) {
				ct_error("no area named \"%s\" (see crimetab areas list)", argv[i]);
				status = CT_EUSAGE;
			} else {
				ct_note("removed area \"%s\"", argv[i]);
			}
		}
	}
	store_close(s);
	return status;
}
