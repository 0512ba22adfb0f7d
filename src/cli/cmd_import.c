/* crimetab import: files and police.uk download folders into the store. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "areas/areas.h"
#include "cli/cli.h"
#include "core/util.h"
#include "import/import.h"
#include "import/zipin.h"

static const char import_help[] =
	"usage: crimetab import [--mapping MAP] [--force SLUG]... [--earliest YYYY-MM] PATH...\n"
	"\n"
	"Imports crime data into the database.  PATH is a CSV file, a police.uk download zip,\n"
	"or a folder, searched recursively for *.csv and *.zip files (a police.uk download\n"
	"holds YYYY-MM/YYYY-MM-<force>-street.csv, -outcomes.csv and -stop-and-search.csv);\n"
	"FIFOs, devices and sockets are skipped, and a folder reached twice (a link loop)\n"
	"is searched once.\n"
	"A zip is read in place, member by member, each member imported like a file and\n"
	"named archive.zip:YYYY-MM/YYYY-MM-<force>-<kind>.csv.  Each file's kind is decided\n"
	"by its header:\n"
	"  police.uk street, outcomes and stop-and-search files are recognised by their exact\n"
	"  headers; any other CSV is a force export and needs --mapping.\n"
	"A saved police.uk API response of street-level crimes (a JSON array, from\n"
	"/api/crimes-street/... or /api/crimes-at-location) is imported as street data; it\n"
	"covers its query's area for its month, not a whole force.  Its crimes that a CSV\n"
	"street file or a newer response also holds (same Crime ID) are counted once.\n"
	"\n"
	"Each file is imported in one transaction.  A row that cannot be read (bad month,\n"
	"coordinates out of range, wrong number of fields, invalid UTF-8, a row over 64 KiB)\n"
	"is kept as a reject with its line and reason: see 'crimetab rejects'.  A file already\n"
	"imported (same content) is skipped.  A newer file for the same kind, force and month\n"
	"supersedes the rows of the earlier one (police.uk republishes revised months).\n"
	"\n"
	"Months: a police.uk file is one month, the YYYY-MM of its name (or, without one, the\n"
	"month most of its rows carry).  A row of another month is rejected, and a file only\n"
	"ever supersedes the months of the rows it imports (a force export: the span\n"
	"between them).  A date after the current month, or before --earliest, is a reject\n"
	"too.\n"
	"\n"
	"options:\n"
	"  -m, --mapping MAP  column mapping for force exports: a JSON file, or the name of\n"
	"                     a built-in one (cleveland-force-export)\n"
	"  --force SLUG       import only the police.uk files of this force (its slug in the\n"
	"                     file names, e.g. cleveland); repeat for more forces.  In a\n"
	"                     national archive the other forces' members are not read\n"
	"  --earliest YYYY-MM reject rows dated before this month (default: 2000-01)\n"
	"\n"
	"--quiet leaves out the progress and per-file lines; errors and warnings still\n"
	"print.  The status is 0 when every file was imported (rejected rows included),\n"
	"3 or 5 when a file could not be (nothing of it was stored; the others were), 2\n"
	"when a --force slug matched no file.\n";

typedef struct pathlist {
	char **v;
	size_t n, cap;
} pathlist;

static void pl_add(pathlist *pl, char *p)
{
	if (pl->n == pl->cap) {
		pl->cap = pl->cap ? 2 * pl->cap : 32;
		pl->v = xrealloc(pl->v, pl->cap * sizeof *pl->v);
	}
	pl->v[pl->n++] = p;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_csv_or_zip(const char *name)
{
	size_t len = strlen(name);
	return len > 4 && (strcasecmp(name + len - 4, ".csv") == 0 || strcasecmp(name + len - 4, ".zip") == 0);
}

/* A walk over folders: the files found, and the folders entered (by device
 * and inode, so that a link back up is entered once, not 40 times). */
typedef struct walker {
	pathlist *files;
	struct folder_id {
		dev_t dev;
		ino_t ino;
	} *seen;
	size_t nseen, cap;
} walker;

/* True if the folder ST was entered before; else it is now. */
static int seen_before(walker *w, const struct stat *st)
{
	for (size_t i = 0; i < w->nseen; i++)
		if (w->seen[i].dev == st->st_dev && w->seen[i].ino == st->st_ino)
			return 1;
	if (w->nseen == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 16;
		w->seen = xrealloc(w->seen, w->cap * sizeof *w->seen);
	}
	w->seen[w->nseen++] = (struct folder_id){st->st_dev, st->st_ino};
	return 0;
}

/* Adds the *.csv and *.zip regular files under DIR (whose stat is ST), sorted
 * so that months import in order; returns how many folders could not be read
 * (each named in an error).  FIFOs, devices and sockets are skipped with a
 * warning (reading one could wait forever), and so is a folder entered
 * before. */
static size_t walk(walker *w, const char *dir, const struct stat *st)
{
	if (seen_before(w, st)) {
		ct_warn("%s: a folder already searched (a link loop?): skipped", dir);
		return 0;
	}
	DIR *d = opendir(dir);
	if (!d) {
		ct_error("%s: cannot open folder: %s", dir, strerror(errno));
		return 1;
	}
	pathlist here = {0};
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			pl_add(&here, xasprintf("%s/%s", dir, e->d_name));
	closedir(d);
	if (here.n > 1)
		qsort(here.v, here.n, sizeof *here.v, cmp_str);
	size_t bad = 0;
	for (size_t i = 0; i < here.n; i++) {
		struct stat fst;
		int wanted_name = is_csv_or_zip(here.v[i]);
		if (stat(here.v[i], &fst) != 0) {
			/* a dangling link, or a link to itself */
			if (wanted_name || errno == ELOOP)
				ct_warn("%s: %s: skipped", here.v[i], strerror(errno));
			free(here.v[i]);
		} else if (S_ISDIR(fst.st_mode)) {
			bad += walk(w, here.v[i], &fst);
			free(here.v[i]);
		} else if (wanted_name && S_ISREG(fst.st_mode)) {
			pl_add(w->files, here.v[i]);
		} else {
			if (wanted_name)
				ct_warn("%s: %s, not a regular file: skipped", here.v[i], ct_file_kind(fst.st_mode));
			free(here.v[i]);
		}
	}
	free(here.v);
	return bad;
}

/* The --force slugs, and whether each matched a file. */
typedef struct forcelist {
	char **v;
	int *hits;
	size_t n;
} forcelist;

static void add_force(forcelist *fl, const char *slug)
{
	fl->v = xrealloc(fl->v, (fl->n + 1) * sizeof *fl->v);
	fl->hits = xrealloc(fl->hits, (fl->n + 1) * sizeof *fl->hits);
	char *v = xstrdup(slug);
	for (char *p = v; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	fl->v[fl->n] = v;
	fl->hits[fl->n++] = 0;
}

static void forces_free(forcelist *fl)
{
	for (size_t i = 0; i < fl->n; i++)
		free(fl->v[i]);
	free(fl->v);
	free(fl->hits);
}

/* One import command's running totals. */
typedef struct run {
	store *s;
	const area_set *areas;
	const imp_mapping *map;
	forcelist *forces;
	size_t seen, done, dups, failed, other_forces;
	long long tot_imp, tot_rej, tot_sup;
	int status;
	int latest_new; /* the latest month a file brought rows for, or -1 */
	imp_bulk *bulk; /* the files and members, each read while the one before is stored */
} run;

/* Which of --force's forces NAME is of: its index, -1 for none, or -2 when
 * every file is wanted (no --force, or not a police.uk file name). */
static int force_of(const run *ru, const char *name)
{
	if (!ru->forces->n)
		return -2;
	int month;
	char slug[128];
	const char *kind;
	if (imp_parse_policeuk_name(name, &month, slug, sizeof slug, &kind) != 0)
		return -2;
	for (size_t i = 0; i < ru->forces->n; i++)
		if (strcmp(slug, ru->forces->v[i]) == 0)
			return (int)i;
	return -1;
}

/* 1 when NAME is to be imported: with --force, a police.uk file of another
 * force is not (files that name no force, like force exports, are).  Counts
 * the forces found and the files of others. */
static int wanted(run *ru, const char *name)
{
	int k = force_of(ru, name);
	if (k >= 0)
		ru->forces->hits[k] = 1;
	else if (k == -1)
		ru->other_forces++;
	return k != -1;
}

/* Counts one file's result and prints its line. */
static void tally(run *ru, const char *name, ct_status st, const imp_result *r, const char *err)
{
	ru->seen++;
	if (st != CT_OK) {
		ct_error("%s", err);
		ru->failed++;
		if (ru->status == CT_OK || st == CT_EDB || st == CT_EBUSY)
			ru->status = st;
		return;
	}
	if (r->duplicate) {
		ru->dups++;
		ct_note("%s: already imported (source %lld, same content): skipped", name, r->source_id);
		return;
	}
	ru->done++;
	if (r->imported && r->month_max > ru->latest_new)
		ru->latest_new = r->month_max;
	ru->tot_imp += r->imported;
	ru->tot_rej += r->rejected;
	ru->tot_sup += r->superseded;
	char m1[8] = "-", m2[8] = "-";
	if (r->month_min >= 0) {
		ct_month_format(r->month_min, m1);
		ct_month_format(r->month_max, m2);
	}
	strbuf line = {0};
	sb_printf(&line, "%s: %s, %s, %s", name, r->api ? "police.uk API response (street)" : r->kind, r->force, m1);
	if (r->month_max != r->month_min)
		sb_printf(&line, " to %s", m2);
	sb_printf(&line, ": imported %lld, rejected %lld", r->imported, r->rejected);
	if (r->rejected)
		sb_printf(&line, " (see crimetab rejects --source %lld)", r->source_id);
	if (r->superseded)
		sb_printf(&line, "; superseded %lld rows of an earlier file", r->superseded);
	if (r->held)
		sb_printf(&line, "; %lld of its rows are already held by police.uk CSV files or newer API responses "
			  "(same Crime ID): not counted twice", r->held);
	ct_note("%s", line.buf);
	sb_release(&line);
	if (r->warning[0])
		ct_warn("%s: %s", name, r->warning);
}

static int csv_name(const char *m)
{
	size_t len = strlen(m);
	return len >= 4 && strcasecmp(m + len - 4, ".csv") == 0;
}

/* Imports the CSV members of the zip PATH that --force wants, in name order. */
static void import_zip(run *ru, const char *path)
{
	char err[2048];
	imp_zip *z = imp_zip_open(path, err, sizeof err);
	if (!z) {
		ct_error("%s", err);
		ru->seen++;
		ru->failed++;
		if (ru->status == CT_OK)
			ru->status = CT_EIO; /* damaged, truncated or not a zip: it cannot be read */
		return;
	}
	size_t other = 0, n = imp_zip_count(z);
	for (size_t i = 0; i < n && ru->status != CT_EDB && ru->status != CT_EBUSY; i++) {
		const char *m = imp_zip_member(z, i);
		if (!csv_name(m)) {
			if (other++ < 3)
				ct_note("%s:%s: not a .csv member: skipped", path, m);
			continue;
		}
		if (!wanted(ru, m))
			continue;
		/* the member imported next, read while this one is stored */
		long next = -1;
		for (size_t j = i + 1; j < n && next < 0; j++)
			if (csv_name(imp_zip_member(z, j)) && force_of(ru, imp_zip_member(z, j)) != -1)
				next = (long)j;
		imp_result r;
		ct_status st = imp_bulk_member(ru->bulk, z, i, next, &r, err, sizeof err);
		char *name = xasprintf("%s:%s", path, m);
		tally(ru, name, st, &r, err);
		free(name);
	}
	if (other > 3)
		ct_note("%s: %zu members that are not .csv files skipped", path, other);
	imp_zip_close(z);
}

/* Imports PATHS (files, zips and folders) with MAP, only the police.uk files
 * of FORCES when it names any; adds to *C.  A ct_status. */
static int import_paths(store *s, const char *const *paths, size_t npaths, const imp_mapping *map, forcelist *forces,
			cli_import_counts *c)
{
	char err[2048];
	pathlist files = {0};
	walker w = {.files = &files};
	int status = CT_OK;
	for (size_t i = 0; i < npaths; i++) {
		struct stat st;
		size_t before = files.n;
		if (stat(paths[i], &st) != 0) {
			ct_error("%s: cannot open: %s", paths[i], strerror(errno));
			c->failed++;
			status = CT_EIO;
		} else if (S_ISDIR(st.st_mode)) {
			size_t bad = walk(&w, paths[i], &st);
			if (bad) {
				c->failed += bad;
				status = CT_EIO;
			} else if (files.n == before) {
				ct_error("%s: no CSV or zip files in this folder", paths[i]);
				c->failed++;
				status = CT_EIO;
			}
		} else if (!S_ISREG(st.st_mode)) {
			ct_error("%s: %s, not a regular file: skipped (copy it into a file first)", paths[i],
				 ct_file_kind(st.st_mode));
			c->failed++;
			status = CT_EIO;
		} else {
			pl_add(&files, xstrdup(paths[i]));
		}
	}
	free(w.seen);
#ifdef M_MMAP_THRESHOLD
	/* Each file's batches of rows (a few MB) are freed when it is done and
	 * allocated again for the next: keep that memory in the process rather
	 * than giving it back to the kernel and faulting it in again (glibc maps
	 * blocks over 128 KiB on their own: half to two thirds fewer page faults,
	 * about 5% faster on 24 files). */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 128 << 20);
#endif
	area_set *areas = area_set_from_store(s, err, sizeof err);
	if (!areas) {
		ct_error("%s", err);
		status = store_status(s);
		goto out;
	}
	/* each file is read while the one before it is stored (imp_bulk_file) */
	imp_bulk *bulk = imp_bulk_new(s, areas, map);
	run ru = {.s = s, .areas = areas, .map = map, .forces = forces, .status = CT_OK, .latest_new = -1, .bulk = bulk};
	store_bulk_begin(s, 0);
	int zip = files.n ? imp_zip_is_zip(files.v[0]) : 0;
	for (size_t i = 0; i < files.n && ru.status != CT_EDB && ru.status != CT_EBUSY; i++) {
		int next_zip = i + 1 < files.n ? imp_zip_is_zip(files.v[i + 1]) : 0;
		if (zip > 0) {
			import_zip(&ru, files.v[i]);
		} else if (wanted(&ru, files.v[i])) {
			const char *next = NULL; /* read while this one is stored */
			if (i + 1 < files.n && next_zip <= 0 && force_of(&ru, files.v[i + 1]) != -1)
				next = files.v[i + 1];
			imp_result r;
			ct_status st = imp_bulk_file(bulk, files.v[i], next, &r, err, sizeof err);
			tally(&ru, files.v[i], st, &r, err);
		}
		zip = next_zip;
	}
	imp_bulk_free(bulk);
	if (store_bulk_end(s, err, sizeof err) != 0)
		ct_warn("%s (the imported rows are safe in the WAL file)", err);
	if (ru.other_forces)
		ct_note("%zu file%s of other forces skipped (--force)", ru.other_forces, ru.other_forces == 1 ? "" : "s");
	for (size_t i = 0; i < forces->n; i++)
		if (!forces->hits[i]) {
			ct_error("--force %s: no police.uk file of that force was found", forces->v[i]);
			if (ru.status == CT_OK)
				ru.status = CT_EUSAGE;
		}
	if (ru.seen > 1 || ru.dups)
		ct_note("%zu file%s imported: %lld rows imported, %lld rejected, %lld superseded; %zu already imported, "
			"%zu failed",
			ru.done, ru.done == 1 ? "" : "s", ru.tot_imp, ru.tot_rej, ru.tot_sup, ru.dups, ru.failed);
	status = status == CT_OK ? ru.status : status;
	c->done += ru.done;
	c->dups += ru.dups;
	c->failed += ru.failed;
	/* new months can show that an LSOA-list area lost codes in police.uk's 2023 switch */
	if (ru.latest_new > CT_MONTH(2023, 5) && area_lsoa_vintage_check(s, cli_note, NULL, err, sizeof err) != 0)
		ct_warn("%s", err);
out:
	area_set_free(areas);
	for (size_t i = 0; i < files.n; i++)
		free(files.v[i]);
	free(files.v);
	return status;
}

int cmd_import(int argc, char **argv)
{
	const char *mapping_name = NULL;
	cli_list force_args = {0};
	int earliest = -1;
	const cli_opt opts[] = {
		CLI_STRING("mapping", 'm', &mapping_name),
		CLI_LIST("force", 0, &force_args),
		CLI_MONTH("earliest", 0, &earliest),
		CLI_END,
	};
	int first, rc = cli_parse("import", import_help, opts, argc, argv, &first);
	if (rc != CLI_CONTINUE) {
		cli_list_free(&force_args);
		return rc;
	}
	if (earliest >= 0)
		imp_set_earliest_month(earliest);
	forcelist forces = {0};
	for (size_t i = 0; i < force_args.n; i++)
		add_force(&forces, force_args.v[i]);
	cli_list_free(&force_args);
	for (size_t i = 0; i < forces.n; i++)
		if (!*forces.v[i] || forces.v[i][strspn(forces.v[i], "abcdefghijklmnopqrstuvwxyz0123456789-")]) {
			rc = cli_usage_error("import", "--force \"%s\": expected a police.uk force slug such as cleveland "
					 "or avon-and-somerset", forces.v[i]);
			forces_free(&forces);
			return rc;
		}
	if (first >= argc) {
		forces_free(&forces);
		return cli_usage_error("import", "no file or folder given");
	}

	imp_mapping *map = NULL;
	int status = CT_OK;
	if (mapping_name && !(map = cli_mapping(mapping_name, &status))) {
		forces_free(&forces);
		return status;
	}
	store *s = cli_open_store(cli_global.db, STORE_CREATE, &status);
	if (s) {
		cli_import_counts counts = {0};
		status = import_paths(s, (const char *const *)(argv + first), (size_t)(argc - first), map, &forces,
				      &counts);
	}
	store_close(s);
	imp_mapping_free(map);
	forces_free(&forces);
	return status;
}

int cli_import_paths(store *s, const char *const *paths, size_t npaths, const imp_mapping *map, cli_import_counts *c)
{
	forcelist all = {0};
	return import_paths(s, paths, npaths, map, &all, c);
}
