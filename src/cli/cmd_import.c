/* crimetab import: files and police.uk download folders into the store. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "areas/areas.h"
#include "cli/cli.h"
#include "core/util.h"
#include "import/import.h"

static const char import_help[] =
	"usage: crimetab import [--db FILE] [--mapping MAP] [--earliest YYYY-MM] [--wait SECONDS]\n"
	"                       [--quiet] PATH...\n"
	"\n"
	"Imports crime data into the database.  PATH is a CSV file or a folder, searched\n"
	"recursively for *.csv files (a police.uk download holds YYYY-MM/YYYY-MM-<force>-street.csv,\n"
	"-outcomes.csv and -stop-and-search.csv); FIFOs, devices and sockets are skipped, and\n"
	"a folder reached twice (a link loop) is searched once.  Each file's kind is decided\n"
	"by its header:\n"
	"  police.uk street, outcomes and stop-and-search files are recognised by their exact\n"
	"  headers; any other CSV is a force export and needs --mapping.\n"
	"\n"
	"Each file is imported in one transaction.  A row that cannot be read (bad month,\n"
	"coordinates out of range, wrong number of fields, invalid UTF-8, a row over 64 KiB)\n"
	"is kept as a reject with its line and reason: see 'crimetab rejects'.  A file already\n"
	"imported (same content) is skipped.  A newer file for the same kind, force and month\n"
	"supersedes the rows of the earlier one (police.uk republishes revised months).\n"
	"\n"
	"Months: a police.uk file is one month, the YYYY-MM of its name (or, without one, the\n"
	"month most of its rows carry).  A row of another month is rejected, and a file only\n"
	"ever supersedes the months of the rows it imports.  A date after the current month,\n"
	"or before --earliest, is a reject too.\n"
	"\n"
	"options:\n"
	"  --db FILE        database (default: $CRIMETAB_DB, else ./crimetab.db)\n"
	"  --mapping MAP    column mapping for force exports: a JSON file, or the name of a\n"
	"                   built-in one (cleveland-force-export)\n"
	"  --earliest YYYY-MM  reject rows dated before this month (default: 2000-01)\n"
	"  --wait SECONDS   wait this long for another crimetab writing the database\n"
	"                   (default: $CRIMETAB_LOCK_TIMEOUT, else 60), then give up: status 7\n"
	"  -q, --quiet      no progress or per-file lines; errors and warnings still print\n"
	"  -h, --help       this text\n"
	"\n"
	"exit status: 0 every file imported (rejected rows included), 3 a file could not be\n"
	"imported (nothing of it was stored), 5 I/O error (a PATH that cannot be read, or is\n"
	"not a regular file or folder), 6 database error, 7 database busy.\n";

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

/* A walk over folders: the files found, and the folders entered (by device
 * and inode, so that a link back up is entered once, not 40 times). */
typedef struct walker {
	pathlist files;
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

/* What a file that is not a regular file is, for messages. */
static const char *file_kind(mode_t m)
{
	return S_ISFIFO(m) ? "a FIFO" : S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device"
	       : S_ISSOCK(m) ? "a socket" : S_ISDIR(m) ? "a folder" : "not a regular file";
}

/* Adds the *.csv regular files under DIR (whose stat is ST), sorted so that
 * months import in order.  FIFOs, devices and sockets are skipped with a
 * warning (reading one could wait forever), and so is a folder entered
 * before. */
static int walk(walker *w, const char *dir, const struct stat *st)
{
	if (seen_before(w, st)) {
		ct_warn("%s: a folder already searched (a link loop?): skipped", dir);
		return 0;
	}
	DIR *d = opendir(dir);
	if (!d) {
		ct_error("%s: cannot open folder: %s", dir, strerror(errno));
		return -1;
	}
	pathlist here = {0};
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			pl_add(&here, xasprintf("%s/%s", dir, e->d_name));
	closedir(d);
	if (here.n > 1)
		qsort(here.v, here.n, sizeof *here.v, cmp_str);
	int rc = 0;
	for (size_t i = 0; i < here.n; i++) {
		struct stat fst;
		size_t len = strlen(here.v[i]);
		int csv = len > 4 && strcasecmp(here.v[i] + len - 4, ".csv") == 0;
		if (stat(here.v[i], &fst) != 0) {
			/* a dangling link, or a link to itself */
			if (csv || errno == ELOOP)
				ct_warn("%s: %s: skipped", here.v[i], strerror(errno));
			free(here.v[i]);
		} else if (S_ISDIR(fst.st_mode)) {
			rc |= walk(w, here.v[i], &fst);
			free(here.v[i]);
		} else if (csv && S_ISREG(fst.st_mode)) {
			pl_add(&w->files, here.v[i]);
		} else {
			if (csv)
				ct_warn("%s: %s, not a regular file: skipped", here.v[i], file_kind(fst.st_mode));
			free(here.v[i]);
		}
	}
	free(here.v);
	return rc;
}

int cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"mapping", required_argument, NULL, 'm'},
		{"quiet", no_argument, NULL, 'q'},
		{"earliest", required_argument, NULL, 'e'},
		{"wait", required_argument, NULL, 'w'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *db = NULL, *mapping_name = NULL;
	int c, earliest;
	while ((c = getopt_long(argc, argv, "d:m:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'm': mapping_name = optarg; break;
		case 'e':
			if (ct_month_parse(optarg, &earliest) != 0)
				return cli_usage_error("import", "--earliest: not a month (YYYY-MM)");
			imp_set_earliest_month(earliest);
			break;
		case 'w':
			if (cli_set_wait("import", optarg) != CT_OK)
				return CT_EUSAGE;
			break;
		case 'q': ct_verbosity = -1; break;
		case 'h': return cli_help(import_help);
		default: return cli_usage_error("import", "unknown option");
		}
	}
	if (optind >= argc)
		return cli_usage_error("import", "no file or folder given");

	char err[2048];
	imp_mapping *map = NULL;
	if (mapping_name && !(map = imp_mapping_load(mapping_name, err, sizeof err))) {
		ct_error("%s", err);
		return CT_EDATA;
	}
	walker w = {0};
	int status = CT_OK;
	for (int i = optind; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			ct_error("%s: %s", argv[i], strerror(errno));
			status = CT_EIO;
		} else if (S_ISDIR(st.st_mode)) {
			if (walk(&w, argv[i], &st) != 0)
				status = CT_EIO;
		} else if (!S_ISREG(st.st_mode)) {
			ct_error("%s: %s, not a regular file: skipped (copy it into a file first)", argv[i],
				 file_kind(st.st_mode));
			status = CT_EIO;
		} else {
			pl_add(&w.files, xstrdup(argv[i]));
		}
	}
	free(w.seen);
	pathlist files = w.files;
#ifdef M_MMAP_THRESHOLD
	/* Each file's batches of rows (a few MB) are freed when it is done and
	 * allocated again for the next: keep that memory in the process rather
	 * than giving it back to the kernel and faulting it in again (glibc maps
	 * blocks over 128 KiB on their own: half to two thirds fewer page faults,
	 * about 5% faster on 24 files). */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 128 << 20);
#endif
	int open_status;
	store *s = cli_open_store(db, STORE_CREATE, &open_status);
	area_set *areas = NULL;
	if (!s) {
		status = open_status;
		goto out;
	}
	if (!(areas = area_set_from_store(s, err, sizeof err))) {
		ct_error("%s", err);
		status = cli_db_status(s);
		goto out;
	}
	long long tot_imp = 0, tot_rej = 0, tot_sup = 0;
	size_t done = 0, dups = 0, failed = 0;
	store_bulk_begin(s, 0);
	for (size_t i = 0; i < files.n; i++) {
		imp_result r;
		ct_status st = imp_file(s, areas, files.v[i], map, &r, err, sizeof err);
		if (st != CT_OK) {
			ct_error("%s", err);
			failed++;
			if (status == CT_OK || st == CT_EDB || st == CT_EBUSY)
				status = st;
			if (st == CT_EDB || st == CT_EBUSY)
				break;
			continue;
		}
		if (r.duplicate) {
			dups++;
			ct_note("%s: already imported (source %lld, same content): skipped", files.v[i], r.source_id);
			continue;
		}
		done++;
		tot_imp += r.imported;
		tot_rej += r.rejected;
		tot_sup += r.superseded;
		char m1[8] = "-", m2[8] = "-";
		if (r.month_min >= 0) {
			ct_month_format(r.month_min, m1);
			ct_month_format(r.month_max, m2);
		}
		strbuf line = {0};
		sb_printf(&line, "%s: %s, %s, %s", files.v[i], r.kind, r.force, m1);
		if (r.month_max != r.month_min)
			sb_printf(&line, " to %s", m2);
		sb_printf(&line, ": imported %lld, rejected %lld", r.imported, r.rejected);
		if (r.rejected)
			sb_printf(&line, " (see crimetab rejects --source %lld)", r.source_id);
		if (r.superseded)
			sb_printf(&line, "; superseded %lld rows of an earlier file", r.superseded);
		ct_note("%s", line.buf);
		sb_release(&line);
	}
	if (store_bulk_end(s, err, sizeof err) != 0)
		ct_warn("%s (the imported rows are safe in the WAL file)", err);
	if (files.n > 1 || dups)
		ct_note("%zu file%s imported: %lld rows imported, %lld rejected, %lld superseded; %zu already imported, "
			"%zu failed",
			done, done == 1 ? "" : "s", tot_imp, tot_rej, tot_sup, dups, failed);
out:
	area_set_free(areas);
	store_close(s);
	imp_mapping_free(map);
	for (size_t i = 0; i < files.n; i++)
		free(files.v[i]);
	free(files.v);
	return status;
}
