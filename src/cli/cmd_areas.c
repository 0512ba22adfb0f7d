/* crimetab areas: load, list and remove town centres. */
#include <stdlib.h>
#include <string.h>

#include "areas/areas.h"
#include "areas/shapefile.h"
#include "cli/cli.h"
#include "core/util.h"

static const char areas_help[] =
	"usage: crimetab areas load [LOAD OPTIONS] FILE...\n"
	"       crimetab areas list\n"
	"       crimetab areas remove NAME...\n"
	"\n"
	"Load options, for boundary files as ONS and councils publish them:\n"
	"  --name-field PROP    the property that names each area (default: \"name\", or\n"
	"                       the file's one property named like *NM or *name, e.g. WD13NM)\n"
	"  --only NAMES         load only these features (comma-separated; repeatable)\n"
	"  --rename OLD=NEW     load feature OLD as area NEW (repeatable)\n"
	"  --rename-file FILE   more OLD=NEW lines ('#' comments)\n"
	"  --crs CRS            the coordinates' system when the file names none or the wrong\n"
	"                       one, e.g. EPSG:27700 (British National Grid)\n"
	"--only and --rename use the names as they are in the file.\n"
	"\n"
	"Town centres are defined by any of:\n"
	"  - GeoJSON Polygon or MultiPolygon features, named by properties.name (holes are\n"
	"    respected; a crime on an edge belongs to the area), in WGS84 longitude/latitude\n"
	"    or in the coordinate system the file's \"crs\" member names (British National\n"
	"    Grid is converted with PROJ);\n"
	"  - an ESRI Shapefile (FILE.shp with its .shx, .dbf and .prj);\n"
	"  - a list of LSOA codes: a feature with null geometry and properties.lsoa_codes\n"
	"    (list both 2011 and 2021 codes: police.uk switched in 2023);\n"
	"  - values of a force export's area column: properties.area_values.\n"
	"A file may also be {\"areas\": [{\"name\": ..., \"geometry\"|\"lsoa_codes\"|\"area_values\": ...}]}.\n"
	"\n"
	"load replaces areas of the same name and assigns every crime already imported;\n"
	"crimes imported later are assigned as they arrive.  A crime belongs to every area\n"
	"that contains it.  list prints name, kind, crimes assigned and where it came from.\n"
	"FILE is a path, or the name of a built-in areas file: stockton-town-centres\n"
	"(the six Stockton-on-Tees town centres as official 2013 ward boundaries, ONS,\n"
	"OGL v3.0; see crimetab templates).  A file of that name in the current folder wins.\n"
	"\n"
	"load creates the database if there is none; list only reads it; remove needs it.\n";

static int print_area(void *ctx, const store_area *a)
{
	(void)ctx;
	printf("%s\t%s\t%lld\t%s\n", a->name, a->kind, a->crimes, a->loaded_from ? a->loaded_from : "");
	return 0;
}

int cmd_areas(int argc, char **argv)
{
	area_load_opts lo = {.note = cli_note};
	cli_list only = {0}, rename = {0};
	const cli_opt opts[] = {
		CLI_STRING("name-field", 0, &lo.name_field),
		CLI_LIST("only", 0, &only),
		CLI_LIST("rename", 0, &rename),
		CLI_STRING("rename-file", 0, &lo.rename_file),
		CLI_STRING("crs", 0, &lo.crs),
		CLI_END,
	};
	int first, status = cli_parse("areas", areas_help, opts, argc, argv, &first);
	if (status != CLI_CONTINUE)
		goto out;
	status = CT_OK;
	lo.only = only.v;
	lo.nonly = only.n;
	lo.rename = rename.v;
	lo.nrename = rename.n;
	if (first >= argc) {
		status = cli_usage_error("areas", "give load, list or remove");
		goto out;
	}
	const char *verb = argv[first++];
	int nargs = argc - first;
	if (strcmp(verb, "list") == 0 ? nargs != 0 : (strcmp(verb, "load") == 0 || strcmp(verb, "remove") == 0) ? nargs < 1 : 1) {
		status = cli_usage_error("areas", "%s", strcmp(verb, "list") == 0 ? "list takes no arguments"
					 : (strcmp(verb, "load") == 0 || strcmp(verb, "remove") == 0) ? "name a file or area"
					 : "give load, list or remove");
		goto out;
	}
	if ((lo.name_field || lo.nonly || lo.nrename || lo.rename_file || lo.crs) && strcmp(verb, "load") != 0) {
		status = cli_usage_error("areas", "--name-field, --only, --rename, --rename-file and --crs are for load");
		goto out;
	}
	if (lo.name_field && !*lo.name_field) {
		status = cli_usage_error("areas", "--name-field needs a property name");
		goto out;
	}
	for (size_t i = 0; i < lo.nrename; i++)
		if (!strchr(lo.rename[i], '=')) {
			status = cli_usage_error("areas", "--rename \"%s\": give OLD=NEW", lo.rename[i]);
			goto out;
		}
	/* list only reads; load may make the database; remove needs one */
	store *s = cli_open_store(cli_global.db, strcmp(verb, "list") == 0 ? STORE_READONLY
						 : strcmp(verb, "load") == 0 ? STORE_CREATE : STORE_WRITE, &status);
	if (!s)
		goto out;
	char err[1024];
	if (strcmp(verb, "list") == 0) {
		printf("name\tkind\tcrimes\tloaded_from\n");
		if (store_areas_each(s, print_area, NULL) != 0) {
			ct_error("%s", store_errmsg(s));
			status = store_status(s);
		}
	} else if (strcmp(verb, "load") == 0) {
		for (int i = first; i < argc; i++) {
			size_t n = 0;
			int st = CT_OK;
			if (area_is_shapefile(argv[i])) {
				st = area_load_file_opts(s, argv[i], &lo, &n, err, sizeof err);
			} else {
				char *text = cli_template("areas", argv[i], &st);
				if (text)
					st = area_load_text(s, argv[i], text, &lo, &n, err, sizeof err);
				else
					err[0] = 0; /* cli_template said why */
				free(text);
			}
			if (st != CT_OK) {
				if (err[0])
					ct_error("%s", err);
				if (status == CT_OK || st == CT_EDB || st == CT_EBUSY)
					status = st;
			} else {
				ct_note("%s: loaded %zu area%s", argv[i], n, n == 1 ? "" : "s");
			}
		}
	} else {
		for (int i = first; i < argc; i++) {
			int rc = store_area_remove(s, argv[i]);
			if (rc < 0) {
				ct_error("%s", store_errmsg(s));
				status = store_status(s);
			} else if (rc == 0) {
				ct_error("no area named \"%s\" (see crimetab areas list)", argv[i]);
				status = CT_EUSAGE;
			} else {
				ct_note("removed area \"%s\"", argv[i]);
			}
		}
	}
	store_close(s);
out:
	cli_list_free(&only);
	cli_list_free(&rename);
	return status;
}
