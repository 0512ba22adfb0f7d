/* Importers for police.uk CSVs and mapped force exports.  Every row read ends
 * as a stored record or a reject with its line and reason: nothing is lost.
 * A second thread reads and checks rows while SQLite stores the ones before,
 * and, importing many files, the next file while this one is committed. */
#include "import/import.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <nettle/sha2.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/embedded.h"
#include "core/strmap.h"
#include "core/textpool.h"
#include "core/util.h"
#include "import/apijson.h"
#include "import/csvread.h"
#include "import/import_int.h"
#include "import/readahead.h"
#include "import/zipin.h"

const char *const imp_street_header[IMP_STREET_COLS] = {"Crime ID", "Month", "Reported by", "Falls within", "Longitude",
	"Latitude", "Location", "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context"};
const char *const imp_outcomes_header[IMP_OUTCOMES_COLS] = {"Crime ID", "Month", "Reported by", "Falls within", "Longitude",
	"Latitude", "Location", "LSOA code", "LSOA name", "Outcome type"};
const char *const imp_stop_header[IMP_STOP_COLS] = {"Type", "Date", "Part of a policing operation", "Policing operation",
	"Latitude", "Longitude", "Gender", "Age range", "Self-defined ethnicity", "Officer-defined ethnicity",
	"Legislation", "Object of search", "Outcome", "Outcome linked to object of search",
	"Removal of more than just outer clothing"};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

const char *const imp_map_keys[MAP_COUNT] = {
#define MAP_KEY(f) #f,
	MAP_FIELDS(MAP_KEY)
#undef MAP_KEY
};

struct imp_mapping {
	char *name, *force, *date_format, *source;
	char *col[MAP_COUNT]; /* header names, NULL when not mapped */
};

void imp_mapping_free(imp_mapping *m)
{
	if (!m)
		return;
	free(m->name);
	free(m->force);
	free(m->date_format);
	free(m->source);
	for (int i = 0; i < MAP_COUNT; i++)
		free(m->col[i]);
	free(m);
}

static const char *const date_formats[] = {"dd/mm/yyyy", "yyyy-mm-dd", "yyyy-mm", "dd-mm-yyyy", "mm/dd/yyyy"};

imp_mapping *imp_mapping_parse(const char *path, const char *text, char *err, size_t errlen)
{
	const char *end = NULL;
	cJSON *j = cJSON_ParseWithOpts(text, &end, 0);
	imp_mapping *m = NULL;
	if (!j) {
		snprintf(err, errlen, "%s:%ld: not valid JSON", path, ct_line_at(text, end));
		return NULL;
	}
	m = xcalloc(1, sizeof *m);
	m->source = xstrdup(path);
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(j, "mapping_version");
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(j, "name");
	const cJSON *force = cJSON_GetObjectItemCaseSensitive(j, "force");
	const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(j, "date_format");
	const cJSON *cols = cJSON_GetObjectItemCaseSensitive(j, "columns");
	if (!cJSON_IsNumber(ver) || ver->valueint != 1) {
		snprintf(err, errlen, "%s: \"mapping_version\" must be 1", path);
		goto fail;
	}
	if (!cJSON_IsString(force) || !*force->valuestring) {
		snprintf(err, errlen, "%s: \"force\" (the force's name) is required", path);
		goto fail;
	}
	if (!cJSON_IsString(fmt)) {
		snprintf(err, errlen, "%s: \"date_format\" is required (one of dd/mm/yyyy, yyyy-mm-dd, yyyy-mm, "
				      "dd-mm-yyyy, mm/dd/yyyy)", path);
		goto fail;
	}
	int known = 0;
	for (size_t i = 0; i < NELEM(date_formats); i++)
		known |= strcmp(fmt->valuestring, date_formats[i]) == 0;
	if (!known) {
		snprintf(err, errlen, "%s: \"date_format\": \"%s\" is not one of dd/mm/yyyy, yyyy-mm-dd, yyyy-mm, "
				      "dd-mm-yyyy, mm/dd/yyyy", path, fmt->valuestring);
		goto fail;
	}
	if (!cJSON_IsObject(cols)) {
		snprintf(err, errlen, "%s: \"columns\" must be an object", path);
		goto fail;
	}
	const cJSON *c;
	cJSON_ArrayForEach(c, cols)
	{
		int k = -1;
		for (int i = 0; i < MAP_COUNT; i++)
			if (strcmp(c->string, imp_map_keys[i]) == 0)
				k = i;
		if (k < 0) {
			snprintf(err, errlen, "%s: \"columns\": unknown field \"%s\"", path, c->string);
			goto fail;
		}
		if (!cJSON_IsString(c) || !*c->valuestring) {
			snprintf(err, errlen, "%s: \"columns\".\"%s\" must be a column name", path, c->string);
			goto fail;
		}
		if (m->col[k]) {
			snprintf(err, errlen, "%s: \"columns\": \"%s\" is given twice", path, c->string);
			goto fail;
		}
		m->col[k] = xstrdup(c->valuestring);
	}
	if (!m->col[MAP_date] || !m->col[MAP_category]) {
		snprintf(err, errlen, "%s: \"columns\" must name at least \"date\" and \"category\"", path);
		goto fail;
	}
	if (!m->col[MAP_longitude] != !m->col[MAP_latitude]) {
		snprintf(err, errlen, "%s: \"columns\": map both \"longitude\" and \"latitude\", or neither", path);
		goto fail;
	}
	m->name = xstrdup(cJSON_IsString(name) ? name->valuestring : path);
	m->force = xstrdup(force->valuestring);
	m->date_format = xstrdup(fmt->valuestring);
	cJSON_Delete(j);
	return m;
fail:
	cJSON_Delete(j);
	imp_mapping_free(m);
	return NULL;
}

imp_mapping *imp_mapping_load(const char *name_or_path, char *err, size_t errlen)
{
	char *text = ct_template_text("mappings", name_or_path, err, errlen);
	if (!text)
		return NULL;
	imp_mapping *m = imp_mapping_parse(name_or_path, text, err, errlen);
	free(text);
	return m;
}

int imp_parse_policeuk_name(const char *path, int *month, char *slug, size_t slug_len, const char **kind)
{
	static const char *const kinds[] = {"street", "outcomes", "stop-and-search"};
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strlen(base);
	if (n < 13 || strcasecmp(base + n - 4, ".csv") != 0 || base[7] != '-')
		return -1;
	char m[8];
	memcpy(m, base, 7);
	m[7] = '\0';
	if (ct_month_parse(m, month) != 0)
		return -1;
	for (size_t i = 0; i < NELEM(kinds); i++) {
		size_t kl = strlen(kinds[i]);
		const char *k = base + n - 4 - kl;
		if (k > base + 8 && k[-1] == '-' && strncmp(k, kinds[i], kl) == 0) {
			size_t sl = (size_t)(k - 1 - (base + 8));
			if (sl == 0 || sl >= slug_len)
				return -1;
			memcpy(slug, base + 8, sl);
			slug[sl] = '\0';
			*kind = kinds[i];
			return 0;
		}
	}
	return -1;
}

static int read_int(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int imp_parse_date(const char *format, const char *s, int *month)
{
	int d = 1, m = 0, y = 0;
	size_t flen = strlen(format), slen = strlen(s);
	if (slen < flen || (slen > flen && s[flen] != ' ' && s[flen] != 'T'))
		return -1;
	for (size_t i = 0; i < flen; i++) {
		char f = format[i];
		if (f == 'd' || f == 'm' || f == 'y') {
			size_t run = 0;
			while (format[i + run] == f)
				run++;
			int v;
			if (read_int(s + i, (int)run, &v) != 0)
				return -1;
			if (f == 'd')
				d = v;
			else if (f == 'm')
				m = v;
			else
				y = v;
			i += run - 1;
		} else if (s[i] != f) {
			return -1;
		}
	}
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] ||
	    (m == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 && y % 400 != 0))))
		return -1;
	*month = CT_MONTH(y, m);
	return 0;
}

/* ---- per-file import state ---- */

typedef struct fm_pair {
	char *force;
	int month;
} fm_pair;

/* The file's contribution to the monthly cube, counted as rows are read (a
 * failed file stores nothing): cells keyed by (area, month, category),
 * categories interned. */
typedef struct cube_cell {
	long long area, n; /* n == 0: empty slot */
	int month;
	unsigned cat;
} cube_cell;

typedef struct cube_delta {
	cube_cell *cells;
	size_t ncells, cap; /* cap: a power of two */
	char **cats;
	unsigned *cat_slots; /* cat index + 1, 0 empty */
	size_t ncats, cat_cap;
	unsigned last_cat;
} cube_delta;

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static unsigned cube_cat(cube_delta *d, const char *category)
{
	if (d->ncats && strcmp(d->cats[d->last_cat], category) == 0)
		return d->last_cat;
	if (2 * (d->ncats + 1) > d->cat_cap) {
		size_t cap = d->cat_cap ? 2 * d->cat_cap : 64;
		unsigned *slots = xcalloc(cap, sizeof *slots);
		for (size_t i = 0; i < d->ncats; i++) {
			size_t j = hash_str(d->cats[i]) & (cap - 1);
			while (slots[j])
				j = (j + 1) & (cap - 1);
			slots[j] = (unsigned)i + 1;
		}
		free(d->cat_slots);
		d->cat_slots = slots;
		d->cat_cap = cap;
		d->cats = xrealloc(d->cats, cap / 2 * sizeof *d->cats);
	}
	size_t j = hash_str(category) & (d->cat_cap - 1);
	while (d->cat_slots[j] && strcmp(d->cats[d->cat_slots[j] - 1], category) != 0)
		j = (j + 1) & (d->cat_cap - 1);
	if (!d->cat_slots[j]) {
		d->cats[d->ncats] = xstrdup(category);
		d->cat_slots[j] = (unsigned)++d->ncats;
	}
	return d->last_cat = d->cat_slots[j] - 1;
}

static size_t cell_slot(const cube_cell *cells, size_t cap, long long area, int month, unsigned cat)
{
	uint64_t h = ((uint64_t)area * 0x9e3779b97f4a7c15ULL) ^ ((uint64_t)month * 0xc2b2ae3d27d4eb4fULL) ^ cat;
	size_t j = (h ^ (h >> 29)) & (cap - 1);
	while (cells[j].n && (cells[j].area != area || cells[j].month != month || cells[j].cat != cat))
		j = (j + 1) & (cap - 1);
	return j;
}

static void cube_count(cube_delta *d, long long area, int month, unsigned cat)
{
	if (2 * (d->ncells + 1) > d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 256;
		cube_cell *cells = xcalloc(cap, sizeof *cells);
		for (size_t i = 0; i < d->cap; i++)
			if (d->cells[i].n)
				cells[cell_slot(cells, cap, d->cells[i].area, d->cells[i].month, d->cells[i].cat)] =
					d->cells[i];
		free(d->cells);
		d->cells = cells;
		d->cap = cap;
	}
	cube_cell *c = &d->cells[cell_slot(d->cells, d->cap, area, month, cat)];
	if (!c->n) {
		*c = (cube_cell){.area = area, .month = month, .cat = cat};
		d->ncells++;
	}
	c->n++;
}

static int cube_flush(const cube_delta *d, store *s, const char *kind)
{
	for (size_t i = 0; i < d->cap; i++)
		if (d->cells[i].n &&
		    store_cube_add(s, d->cells[i].area, kind, d->cells[i].month, d->cats[d->cells[i].cat], d->cells[i].n) != 0)
			return -1;
	return 0;
}

static void cube_delta_release(cube_delta *d)
{
	for (size_t i = 0; i < d->ncats; i++)
		free(d->cats[i]);
	free(d->cats);
	free(d->cat_slots);
	free(d->cells);
}

/* ---- batches: rows checked on the reading thread, stored on this one ---- */

/* The first three are store_row_kinds (for store_text_fields). */
enum { REC_CRIME = STORE_ROW_CRIME, REC_OUTCOME = STORE_ROW_OUTCOME, REC_STOP = STORE_ROW_STOP, REC_REJECT };

/* One row's outcome: what to store, or why it is rejected. */
typedef struct rec {
	int type;
	union {
		store_crime crime;
		store_outcome outcome;
		store_stop stop;
	} u;
	size_t areas, nareas;          /* REC_CRIME: its areas in batch.area_ids */
	long long line;                /* REC_REJECT */
	const char *reason, *raw;      /* REC_REJECT */
	store_bytes span;              /* REC_REJECT: when not raw and the file's line ending */
} rec;

/* A text the store did not have, first met in this batch. */
typedef struct new_text {
	long long id;
	const char *s; /* lives as long as the file's import */
	size_t n;
} new_text;

#define IO_BUFFER (1 << 18)
/* A rejected row's bytes are kept for the raw export up to this size. */
#define IMP_MAX_REJECT_SPAN (1 << 20)
#define BATCH_ROWS 2048
/* A file's batches start small and double each time up to BATCH_ROWS: the
 * storing thread reads the first itself and stores it while the reading
 * thread starts, which then keeps ahead. */
#define FIRST_BATCH_ROWS 32
#define BATCHES 8

typedef struct batch {
	rec recs[BATCH_ROWS];
	size_t n;
	ct_textpool *text; /* what the records point into */
	long long *area_ids;
	size_t nids, ids_cap;
	new_text *texts; /* to add before the records */
	size_t ntexts, texts_cap;
	int last;       /* the reader's final batch */
	int read_errno; /* on the last batch: non-zero if reading failed */
} batch;

static void batch_reset(batch *b)
{
	b->n = b->nids = b->ntexts = 0;
	b->last = b->read_errno = 0;
	ct_textpool_clear(b->text);
}

static void batch_free(batch *b)
{
	if (!b)
		return;
	ct_textpool_free(b->text);
	free(b->area_ids);
	free(b->texts);
	free(b);
}

/* One month of an API response: its rows and the extent of their points. */
typedef struct api_month {
	int month, has_extent;
	long long crimes, with_id;
	double lon_min, lat_min, lon_max, lat_max;
} api_month;

/* A text met before in this file: a copy that lives as long as the import
 * (the store's, or in im->fresh), and its id. */
typedef struct last_text {
	const char *s;
	size_t n;
	long long id;
} last_text;

typedef struct recent_text {
	uint64_t h;
	const char *s;
	size_t n;
	long long id;
} recent_text;
#define RECENT_TEXTS 8192

typedef struct importer importer;
struct importer {
	store *s;
	const area_set *areas;
	const imp_mapping *map;
	const char *path;
	imp_result *r;
	long long source_id; /* the storing thread's: its rows get it when stored */
	long long line;      /* line of the row being read */
	const char *kind;
	int one_month;  /* the kind's month rule (see kind_months) */
	int file_month; /* the file's month, or -1 */
	int this_month; /* the current month: rows dated later are rejected */
	char slug[128];
	int col[MAP_COUNT]; /* mapped column indices */
	size_t nheader;
	fm_pair *pairs; /* distinct (force, month) seen */
	size_t npairs, cap;
	int last_pair;
	long long *area_ids;
	store_crime_area *area_rows; /* the areas of the crimes of the batch being stored */
	size_t narea_rows, area_rows_cap;
	cube_delta cube;
	strbuf why;
	strbuf esc; /* a reject's text, escaped */
	const char *const *header_names;
	int (*row_fn)(importer *im, const char **f);
	const char **fields; /* the row being read (see keep_fields) */
	/* how many of a row's fields are copied into the batch, from the first:
	 * the rest are read only while the row is (police.uk rows store their
	 * texts as ids, looked up here; only the Crime ID, first, is stored as
	 * it is written) */
	size_t keep_fields;
	imp_reader *rd;
	imp_api *api;   /* instead of rd: a police.uk API response */
	api_month *api_months; /* what the response covers, a month at a time */
	size_t napi_months;
	long long unknown_slugs;
	char unknown_slug[48];
	ct_progress *prog;
	batch *b; /* the batch being filled */
	ct_strmap *fresh;  /* texts new to the store, met in this file */
	/* The file is read ahead, before its transaction: the texts the store
	 * does not have get numbers below 0 (the nprov'th: -nprov), given ids
	 * when stored (prov, the storing thread's: -number to id). */
	int ahead;
	imp_bulk *bulk;  /* the import of many files this one is part of, or NULL */
	long long seq;   /* its number there */
	long long nprov;
	long long *prov;
	size_t prov_cap;
	size_t text_at[3][32], ntext_at[3]; /* where a record of each kind holds its texts */
	last_text last[16]; /* the text each column held in the row before */
	recent_text *recent; /* RECENT_TEXTS, by hash */
	long long last_cat_id; /* the category of the crime before, and its cube index */
	unsigned last_cat;
	store_text kind_text;
	const char *eol;   /* the file's line ending: how a row the store gives back ends */
	imp_row row;       /* the row being read */
	int exact;         /* the row's values give its text back (cleared by a field that does not) */
	strbuf scratch;    /* a row written back */
	strbuf head;       /* the bytes before the first row */
};

static void note_pair(importer *im, const char *force, int month)
{
	if (im->last_pair >= 0 && im->pairs[im->last_pair].month == month &&
	    strcmp(im->pairs[im->last_pair].force, force) == 0)
		return;
	for (size_t i = 0; i < im->npairs; i++)
		if (im->pairs[i].month == month && strcmp(im->pairs[i].force, force) == 0) {
			im->last_pair = (int)i;
			return;
		}
	if (im->npairs == im->cap) {
		im->cap = im->cap ? 2 * im->cap : 16;
		im->pairs = xrealloc(im->pairs, im->cap * sizeof *im->pairs);
	}
	im->pairs[im->npairs].force = xstrdup(force);
	im->pairs[im->npairs].month = month;
	im->last_pair = (int)im->npairs++;
	if (im->r->month_min < 0 || month < im->r->month_min)
		im->r->month_min = month;
	if (month > im->r->month_max)
		im->r->month_max = month;
}

/* Sets im->why to "column 'NAME': \"VALUE\" REASON" and returns -1. */
static int bad(importer *im, const char *column, const char *value, const char *reason)
{
	sb_reset(&im->why);
	if (value)
		sb_printf(&im->why, "column '%s': \"%.80s\" %s", column, value, reason);
	else
		sb_printf(&im->why, "column '%s' %s", column, reason);
	return -1;
}

/* ---- months ----
 *
 * Every row's month goes through check_month, whatever the kind of file:
 * a date after the current month or before the earliest month imported is
 * rejected, and so, in a file of a kind that holds one month, is a row of
 * another month.  A file then claims the (force, month)s of the rows it
 * imported (note_pair), a force export the span between them, and
 * supersedes an earlier file only there: a stray row can neither blow a
 * file's span up to year 9999 nor delete another month of police.uk data. */

/* Kinds of file whose rows are all of one month, the file's: police.uk's
 * monthly files.  A force export holds the months of its rows; a police.uk
 * API response covers its query's area, not a force, and claims no month,
 * so only the current month and the earliest one apply to its rows. */
static const char *const one_month_kinds[] = {"street", "outcomes", "stop-and-search"};

static int kind_months(const char *kind)
{
	for (size_t i = 0; i < NELEM(one_month_kinds); i++)
		if (strcmp(kind, one_month_kinds[i]) == 0)
			return 1;
	return 0;
}

static int earliest_month = IMP_EARLIEST_MONTH;

void imp_set_earliest_month(int month)
{
	earliest_month = month;
}

/* 0 if MONTH (read from VALUE in COLUMN) may be imported; else -1, im->why
 * saying why. */
static int check_month(importer *im, const char *column, const char *value, int month)
{
	char m[8], why[96];
	if (month > im->this_month) {
		ct_month_format(im->this_month, m);
		snprintf(why, sizeof why, "is after the current month (%s)", m);
	} else if (month < earliest_month) {
		ct_month_format(earliest_month, m);
		snprintf(why, sizeof why, "is before %s, the earliest month imported (see --earliest)", m);
	} else if (im->one_month && im->file_month >= 0 && month != im->file_month) {
		ct_month_format(im->file_month, m);
		snprintf(why, sizeof why, "is not the file's month (%s)", m);
	} else {
		return 0;
	}
	return bad(im, column, value, why);
}

/* The month, in Britain, of an ISO 8601 date-time such as
 * "2024-09-30T23:00:00+00:00" (that is 1 October, BST); a date alone, or a
 * time that does not parse, gives the date's month.  0, or -1 if S does not
 * start with a date. */
static int iso_uk_month(const char *s, int *month)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10 || y < 1900 || mo < 1 || mo > 12 || d < 1 ||
	    d > 31)
		return -1;
	*month = CT_MONTH(y, mo);
	const char *t = s + 10;
	if ((*t != 'T' && *t != ' ') || sscanf(t + 1, "%2d:%2d%n", &h, &mi, &n) != 2 || n != 5)
		return 0;
	t += 6;
	if (*t == ':' && sscanf(t + 1, "%2d%n", &sec, &n) == 1 && n == 2)
		t += 3;
	while (*t == '.' || isdigit((unsigned char)*t))
		t++;
	int off = 0, oh, om;
	if ((*t == '+' || *t == '-') && sscanf(t + 1, "%2d:%2d%n", &oh, &om, &n) == 2 && n == 5)
		off = (*t == '-' ? -1 : 1) * (oh * 3600 + om * 60);
	else if (*t && *t != 'Z')
		return 0;
	struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = sec};
	*month = ct_uk_month((long long)timegm(&tm) - off);
	return 0;
}

static const char *opt(const char *s)
{
	return s && *s ? s : NULL;
}

/* ---- values as police.uk writes them ---- */

/* Parses decimal degrees into 1e-6 degrees (*V).  1 when S is written the way
 * police.uk writes coordinates ("-1.235660": no superfluous zero or sign, six
 * decimals), so that writing *V back gives S; 0 for any other number (rounded
 * to 1e-6 degrees, 11 cm); -1 when S is not a number. */
static int parse_e6(const char *s, long long *v)
{
	const char *p = s + (*s == '-');
	long long ip = 0, fr = 0;
	int idig = 0, fdig = 0;
	for (; *p >= '0' && *p <= '9' && idig < 12; p++, idig++)
		ip = ip * 10 + (*p - '0');
	if (*p == '.' && idig) {
		for (p++; *p >= '0' && *p <= '9' && fdig < 6; p++, fdig++)
			fr = fr * 10 + (*p - '0');
		if (!*p && fdig == 6) {
			*v = (ip * 1000000 + fr) * (*s == '-' ? -1 : 1);
			return !(idig > 1 && s[*s == '-'] == '0') && !(*s == '-' && *v == 0);
		}
	}
	char *end;
	errno = 0;
	double d = strtod(s, &end);
	if (end == s || *end || errno || !isfinite(d) || fabs(d) > 1e9)
		return -1;
	*v = llround(d * 1e6);
	return 0;
}

static const char *format_e6(long long v, char *buf)
{
	unsigned long long a = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	snprintf(buf, sizeof(imp_num), "%s%llu.%06llu", v < 0 ? "-" : "", a / 1000000, a % 1000000);
	return buf;
}

/* Days from 1970-01-01 to Y-M-D (proleptic Gregorian). */
static long long days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	long long yoe = y - era * 400;
	long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static const char *format_time(long long t, char *buf)
{
	long long days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400), secs = t - days * 86400;
	/* civil_from_days */
	long long z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	long long doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	int d = (int)(doy - (153 * mp + 2) / 5 + 1), m = (int)(mp < 10 ? mp + 3 : mp - 9);
	long long y = yoe + era * 400 + (m <= 2);
	snprintf(buf, sizeof(imp_num), "%04lld-%02d-%02dT%02d:%02d:%02d+00:00", y, m, d, (int)(secs / 3600),
		 (int)(secs / 60 % 60), (int)(secs % 60));
	return buf;
}

/* A stop and search Date: *T, Unix seconds (midnight when it has no time);
 * 1 when written as police.uk writes it ("2025-11-01T00:00:00+00:00"), 0
 * otherwise, -1 when it does not start with a date. */
static int parse_time(const char *s, long long *t)
{
	int y, mo, d, h = 0, mi = 0, se = 0, n = 0;
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10 || mo < 1 || mo > 12 || d < 1 || d > 31)
		return -1;
	int full = sscanf(s + 10, "T%2d:%2d:%2d", &h, &mi, &se) == 3 && h < 24 && mi < 60 && se < 61;
	if (!full)
		h = mi = se = 0;
	*t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
	imp_num buf;
	return strcmp(format_time(*t, buf), s) == 0;
}

static const char *format_month(int month, char *buf)
{
	ct_month_format(month, buf);
	return buf;
}

static const char *str(store_text t)
{
	return t.s ? t.s : "";
}

void imp_csv_line(strbuf *sb, const char *const *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_putc(sb, ',');
		sb_csv_field(sb, f[i]);
	}
}

/* Longitude and latitude written back, or two empty fields. */
static void point_fields(store_point w, const char **lon, const char **lat, imp_num num[2])
{
	*lon = w.set ? format_e6(w.lon, num[0]) : "";
	*lat = w.set ? format_e6(w.lat, num[1]) : "";
}

void imp_street_fields(const store_crime *c, const char *f[IMP_STREET_COLS], imp_num num[4])
{
	f[0] = c->crime_id ? c->crime_id : "";
	f[1] = format_month(c->month, num[0]);
	f[2] = str(c->reported_by);
	f[3] = str(c->falls_within);
	point_fields(c->where, &f[4], &f[5], num + 1);
	f[6] = str(c->location);
	f[7] = str(c->lsoa_code);
	f[8] = str(c->lsoa_name);
	f[9] = str(c->category);
	f[10] = str(c->last_outcome);
	f[11] = str(c->context);
}

void imp_outcome_fields(const store_outcome *o, const char *f[IMP_OUTCOMES_COLS], imp_num num[4])
{
	f[0] = o->crime_id ? o->crime_id : "";
	f[1] = format_month(o->month, num[0]);
	f[2] = str(o->reported_by);
	f[3] = str(o->falls_within);
	point_fields(o->where, &f[4], &f[5], num + 1);
	f[6] = str(o->location);
	f[7] = str(o->lsoa_code);
	f[8] = str(o->lsoa_name);
	f[9] = str(o->outcome_type);
}

void imp_stop_fields(const store_stop *x, const char *f[IMP_STOP_COLS], imp_num num[4])
{
	f[0] = str(x->type);
	f[1] = format_time(x->time, num[0]);
	f[2] = str(x->part_of_operation);
	f[3] = str(x->operation);
	point_fields(x->where, &f[5], &f[4], num + 1); /* Latitude first */
	f[6] = str(x->gender);
	f[7] = str(x->age_range);
	f[8] = str(x->self_ethnicity);
	f[9] = str(x->officer_ethnicity);
	f[10] = str(x->legislation);
	f[11] = str(x->object_of_search);
	f[12] = str(x->outcome);
	f[13] = str(x->outcome_linked);
	f[14] = str(x->removal_of_clothing);
}

void imp_force_fields(const store_crime *c, const char *f[MAP_COUNT], imp_num num[4])
{
	f[MAP_crime_id] = c->crime_id ? c->crime_id : "";
	f[MAP_date] = str(c->date);
	f[MAP_category] = str(c->category);
	f[MAP_offence_code] = str(c->offence_code);
	f[MAP_area] = str(c->area_value);
	f[MAP_location] = str(c->location);
	point_fields(c->where, &f[MAP_longitude], &f[MAP_latitude], num);
	f[MAP_lsoa_code] = str(c->lsoa_code);
	f[MAP_lsoa_name] = str(c->lsoa_name);
	f[MAP_outcome] = str(c->last_outcome);
}

/* ---- reading rows ---- */

static int parse_coords(importer *im, const char *lon_s, const char *lat_s, store_point *w, const char *lon_name,
			const char *lat_name)
{
	w->set = 0;
	if (!*lon_s && !*lat_s)
		return 0;
	if (!*lon_s || !*lat_s)
		return bad(im, *lon_s ? lat_name : lon_name, NULL, "is empty while the other coordinate is not");
	int k = parse_e6(lon_s, &w->lon);
	if (k < 0)
		return bad(im, lon_name, lon_s, "is not a number");
	if (w->lon < -180000000 || w->lon > 180000000)
		return bad(im, lon_name, lon_s, "is out of range (-180 to 180)");
	im->exact &= k;
	k = parse_e6(lat_s, &w->lat);
	if (k < 0)
		return bad(im, lat_name, lat_s, "is not a number");
	if (w->lat < -90000000 || w->lat > 90000000)
		return bad(im, lat_name, lat_s, "is out of range (-90 to 90)");
	im->exact &= k;
	w->set = 1;
	return 0;
}

static int parse_month_col(importer *im, const char *name, const char *v, int *month)
{
	if (ct_month_parse(v, month) != 0)
		return bad(im, name, v, "is not a month (YYYY-MM)");
	imp_num buf;
	im->exact &= strcmp(format_month(*month, buf), v) == 0;
	return 0;
}

static rec *next_rec(importer *im, int type)
{
	rec *x = &im->b->recs[im->b->n++];
	x->type = type;
	return x;
}

/* Field S of column COL (any number below 16, one per column of the row)
 * as a text of the store: its id, a new one (queued in the batch for the
 * storing thread to add) when the store does not have it.  A column often
 * holds what it held in the row before (the force, the month's outcome). */
static store_text txt(importer *im, int col, const char *s)
{
	if (!*s)
		return (store_text){NULL, 0};
	size_t n = strlen(s);
	if (im->last[col].n == n && memcmp(im->last[col].s, s, n) == 0)
		return (store_text){s, im->last[col].id};
	uint64_t h = ct_strhash(s, n);
	/* the texts this file met lately: a small table that stays in the
	 * processor's cache, before the store's large one */
	recent_text *r = &im->recent[h & (RECENT_TEXTS - 1)];
	if (r->s && r->h == h && r->n == n && memcmp(r->s, s, n) == 0) {
		im->last[col] = (last_text){r->s, n, r->id};
		return (store_text){s, r->id};
	}
	const char *copy = NULL; /* a copy that outlives the row, for the caches */
	long long id;
	if (im->ahead)
		id = store_text_find_shared(im->s, s, n, h, &copy);
	else if ((id = store_text_find(im->s, s, n, h)))
		copy = store_text_of(im->s, id);
	if (!id)
		id = ct_strmap_get(im->fresh, s, n, h);
	if (!id) {
		batch *b = im->b;
		id = im->ahead ? -++im->nprov : store_text_next(im->s);
		if (b->ntexts == b->texts_cap) {
			b->texts_cap = b->texts_cap ? 2 * b->texts_cap : 256;
			b->texts = xrealloc(b->texts, b->texts_cap * sizeof *b->texts);
		}
		copy = ct_strmap_put(im->fresh, s, n, h, id);
		b->texts[b->ntexts++] = (new_text){id, copy, n};
	}
	if (copy) {
		im->last[col] = (last_text){copy, n, id};
		*r = (recent_text){h, copy, n, id};
	}
	return (store_text){s, id};
}

/* 1 when the current row's span is its fields written back with the file's
 * line ending: its quoting is police.uk's and nothing lies between it and
 * the row before. */
static int line_exact(importer *im, const char *const *f, size_t n)
{
	const imp_row *r = &im->row;
	size_t el = strlen(im->eol);
	if (r->plain) {
		size_t rl = r->raw_len; /* its fields passed bad_text_field: no NUL byte */
		return r->span_len == rl + el && memcmp(r->span, r->raw, rl) == 0 && memcmp(r->span + rl, im->eol, el) == 0;
	}
	sb_reset(&im->scratch);
	imp_csv_line(&im->scratch, f, n);
	sb_puts(&im->scratch, im->eol);
	return im->scratch.len == r->span_len && memcmp(im->scratch.buf, r->span, r->span_len) == 0;
}

/* The row's raw text for the store: none when its values give it back. */
static store_bytes raw_span(importer *im, const char *const *f, size_t n)
{
	if (im->api || (im->exact && line_exact(im, f, n)))
		return (store_bytes){NULL, 0};
	return (store_bytes){ct_textpool_keep(im->b->text, im->row.span, im->row.span_len), im->row.span_len};
}

/* Queues a crime with the areas containing it, and counts it for the cube. */
static void add_crime(importer *im, const store_crime *c, const char *force)
{
	batch *b = im->b;
	size_t na = area_set_count(im->areas);
	size_t k = area_set_match(im->areas, c->where.set, (double)c->where.lon / 1e6, (double)c->where.lat / 1e6,
				  c->lsoa_code.s, c->area_value.s, im->area_ids, na);
	rec *x = next_rec(im, REC_CRIME);
	x->u.crime = *c;
	x->areas = b->nids;
	x->nareas = k;
	if (k) {
		if (b->nids + k > b->ids_cap) {
			b->ids_cap = 2 * (b->nids + k) + 64;
			b->area_ids = xrealloc(b->area_ids, b->ids_cap * sizeof *b->area_ids);
		}
		memcpy(b->area_ids + b->nids, im->area_ids, k * sizeof *im->area_ids);
		b->nids += k;
	}
	if (c->category.id != im->last_cat_id) {
		im->last_cat = cube_cat(&im->cube, c->category.s);
		im->last_cat_id = c->category.id;
	}
	unsigned cat = im->last_cat;
	cube_count(&im->cube, 0, c->month, cat);
	for (size_t i = 0; i < k; i++)
		cube_count(&im->cube, im->area_ids[i], c->month, cat);
	note_pair(im, force, c->month);
}

static store_text kind_text(importer *im)
{
	if (!im->kind_text.id)
		im->kind_text = txt(im, 15, im->kind);
	return im->kind_text;
}

/* Row handlers, on fields that live as long as the batch: 1 queued for
 * storing, 0 rejected (im->why says why). */
static int row_street(importer *im, const char **f)
{
	store_crime c = {.line = im->line};
	if (parse_month_col(im, "Month", f[1], &c.month) != 0 || check_month(im, "Month", f[1], c.month) != 0)
		return 0;
	if (!*f[9])
		return bad(im, "Crime type", NULL, "is empty"), 0;
	if (!*f[3] && !*f[2])
		return bad(im, "Falls within", NULL, "is empty"), 0;
	if (parse_coords(im, f[4], f[5], &c.where, "Longitude", "Latitude") != 0)
		return 0;
	c.kind = kind_text(im);
	c.crime_id = opt(f[0]);
	c.reported_by = txt(im, 0, f[2]);
	c.falls_within = txt(im, 1, f[3]);
	c.location = txt(im, 2, f[6]);
	c.lsoa_code = txt(im, 3, f[7]);
	c.lsoa_name = txt(im, 4, f[8]);
	c.category = txt(im, 5, f[9]);
	c.last_outcome = txt(im, 6, f[10]);
	c.context = txt(im, 7, f[11]);
	c.raw = raw_span(im, f, IMP_STREET_COLS);
	add_crime(im, &c, *f[3] ? f[3] : f[2]);
	return 1;
}

static int row_outcome(importer *im, const char **f)
{
	store_outcome o = {.line = im->line};
	if (!*f[0])
		return bad(im, "Crime ID", NULL, "is empty (an outcome must name its crime)"), 0;
	if (parse_month_col(im, "Month", f[1], &o.month) != 0 || check_month(im, "Month", f[1], o.month) != 0)
		return 0;
	if (!*f[9])
		return bad(im, "Outcome type", NULL, "is empty"), 0;
	if (!*f[3] && !*f[2])
		return bad(im, "Falls within", NULL, "is empty"), 0;
	if (parse_coords(im, f[4], f[5], &o.where, "Longitude", "Latitude") != 0)
		return 0;
	o.crime_id = f[0];
	o.reported_by = txt(im, 0, f[2]);
	o.falls_within = txt(im, 1, f[3]);
	o.location = txt(im, 2, f[6]);
	o.lsoa_code = txt(im, 3, f[7]);
	o.lsoa_name = txt(im, 4, f[8]);
	o.outcome_type = txt(im, 5, f[9]);
	o.raw = raw_span(im, f, IMP_OUTCOMES_COLS);
	next_rec(im, REC_OUTCOME)->u.outcome = o;
	note_pair(im, *f[3] ? f[3] : f[2], o.month);
	return 1;
}

static int row_stop(importer *im, const char **f)
{
	store_stop x = {.line = im->line};
	int dm;
	if (iso_uk_month(f[1], &dm) != 0)
		return bad(im, "Date", f[1], "is not an ISO 8601 date-time"), 0;
	int k = parse_time(f[1], &x.time);
	if (k < 0)
		return bad(im, "Date", f[1], "is not an ISO 8601 date-time"), 0;
	im->exact &= k;
	/* police.uk files a search under the month it happened in Britain: a
	 * UTC Date on the last evening of the month before (BST) is this one's */
	if (check_month(im, "Date", f[1], dm) != 0)
		return 0;
	x.month = im->file_month >= 0 ? im->file_month : dm;
	if (parse_coords(im, f[5], f[4], &x.where, "Longitude", "Latitude") != 0)
		return 0;
	x.type = txt(im, 0, f[0]);
	x.part_of_operation = txt(im, 1, f[2]);
	x.operation = txt(im, 2, f[3]);
	x.gender = txt(im, 3, f[6]);
	x.age_range = txt(im, 4, f[7]);
	x.self_ethnicity = txt(im, 5, f[8]);
	x.officer_ethnicity = txt(im, 6, f[9]);
	x.legislation = txt(im, 7, f[10]);
	x.object_of_search = txt(im, 8, f[11]);
	x.outcome = txt(im, 9, f[12]);
	x.outcome_linked = txt(im, 10, f[13]);
	x.removal_of_clothing = txt(im, 11, f[14]);
	x.raw = raw_span(im, f, IMP_STOP_COLS);
	next_rec(im, REC_STOP)->u.stop = x;
	note_pair(im, im->slug, x.month);
	return 1;
}

/* Counts an API row into its month's coverage. */
static void api_cover(importer *im, const store_crime *c)
{
	api_month *m = NULL;
	for (size_t i = 0; i < im->napi_months && !m; i++)
		if (im->api_months[i].month == c->month)
			m = &im->api_months[i];
	if (!m) {
		im->api_months = xrealloc(im->api_months, (im->napi_months + 1) * sizeof *im->api_months);
		m = &im->api_months[im->napi_months++];
		*m = (api_month){.month = c->month};
	}
	m->crimes++;
	m->with_id += c->crime_id != NULL;
	if (!c->where.set)
		return;
	double lon = (double)c->where.lon / 1e6, lat = (double)c->where.lat / 1e6;
	if (!m->has_extent || lon < m->lon_min)
		m->lon_min = lon;
	if (!m->has_extent || lon > m->lon_max)
		m->lon_max = lon;
	if (!m->has_extent || lat < m->lat_min)
		m->lat_min = lat;
	if (!m->has_extent || lat > m->lat_max)
		m->lat_max = lat;
	m->has_extent = 1;
}

/* A crime of a police.uk API response, in the street file's terms: the slug
 * becomes the CSV's crime type (kept as the category code), persistent_id
 * the Crime ID.  A slug police.uk does not document stays as it is, so the
 * taxonomy shows it as Unknown. */
static int row_api(importer *im, const char **f)
{
	store_crime c = {.line = im->line};
	if (parse_month_col(im, imp_api_fields[API_MONTH], f[API_MONTH], &c.month) != 0 ||
	    check_month(im, imp_api_fields[API_MONTH], f[API_MONTH], c.month) != 0)
		return 0;
	if (!*f[API_CATEGORY])
		return bad(im, imp_api_fields[API_CATEGORY], NULL, "is missing or empty"), 0;
	if (parse_coords(im, f[API_LONGITUDE], f[API_LATITUDE], &c.where, imp_api_fields[API_LONGITUDE],
			 imp_api_fields[API_LATITUDE]) != 0)
		return 0;
	const char *type = imp_api_category(f[API_CATEGORY]);
	if (!type && im->unknown_slugs++ == 0)
		snprintf(im->unknown_slug, sizeof im->unknown_slug, "%s", f[API_CATEGORY]);
	c.kind = kind_text(im);
	c.category = txt(im, 0, type ? type : f[API_CATEGORY]);
	c.offence_code = txt(im, 1, f[API_CATEGORY]);
	c.crime_id = opt(f[API_PERSISTENT_ID]);
	/* a response does not name the force (the source's force stands for it:
	 * see the crimes view); BTP says it is BTP */
	int btp = strcmp(f[API_LOCATION_TYPE], "BTP") == 0;
	const char *force = btp ? "British Transport Police" : IMP_API_FORCE;
	if (btp)
		c.reported_by = c.falls_within = txt(im, 2, force);
	c.location = txt(im, 3, c.where.set || *f[API_STREET] ? f[API_STREET] : "No Location");
	c.last_outcome = txt(im, 4, f[API_OUTCOME]);
	c.context = txt(im, 5, f[API_CONTEXT]);
	/* the response is kept whole (the source's head): its rows are not written back */
	add_crime(im, &c, force);
	api_cover(im, &c);
	return 1;
}

static const char *mcol(const importer *im, const char **f, int k)
{
	return im->col[k] >= 0 ? f[im->col[k]] : "";
}

/* A force export keeps its mapped fields only (the rest of a row may be
 * anything, people's details included): raw is those fields, as CSV, when
 * the stored values do not give them back. */
static int row_force(importer *im, const char **f)
{
	const imp_mapping *m = im->map;
	store_crime c = {.line = im->line};
	const char *date = mcol(im, f, MAP_date);
	if (imp_parse_date(m->date_format, date, &c.month) != 0) {
		sb_reset(&im->why);
		sb_printf(&im->why, "column '%s': \"%.80s\" is not a date (%s)", m->col[MAP_date], date, m->date_format);
		return 0;
	}
	if (check_month(im, m->col[MAP_date], date, c.month) != 0)
		return 0;
	const char *cat = mcol(im, f, MAP_category);
	if (!*cat)
		return bad(im, m->col[MAP_category], NULL, "is empty"), 0;
	if (im->col[MAP_longitude] >= 0 &&
	    parse_coords(im, mcol(im, f, MAP_longitude), mcol(im, f, MAP_latitude), &c.where, m->col[MAP_longitude],
			 m->col[MAP_latitude]) != 0)
		return 0;
	c.kind = kind_text(im);
	c.crime_id = opt(mcol(im, f, MAP_crime_id));
	c.reported_by = c.falls_within = txt(im, 0, m->force);
	c.location = txt(im, 1, mcol(im, f, MAP_location));
	c.lsoa_code = txt(im, 2, mcol(im, f, MAP_lsoa_code));
	c.lsoa_name = txt(im, 3, mcol(im, f, MAP_lsoa_name));
	c.category = txt(im, 4, cat);
	c.last_outcome = txt(im, 5, mcol(im, f, MAP_outcome));
	c.area_value = txt(im, 6, mcol(im, f, MAP_area));
	c.offence_code = txt(im, 7, mcol(im, f, MAP_offence_code));
	c.date = txt(im, 8, date);
	if (!im->exact) {
		const char *mapped[MAP_COUNT];
		size_t n = 0;
		for (int k = 0; k < MAP_COUNT; k++)
			if (im->col[k] >= 0)
				mapped[n++] = f[im->col[k]];
		sb_reset(&im->scratch);
		imp_csv_line(&im->scratch, mapped, n);
		sb_putc(&im->scratch, '\n');
		c.raw = (store_bytes){ct_textpool_keep(im->b->text, im->scratch.buf, im->scratch.len), im->scratch.len};
	}
	add_crime(im, &c, m->force);
	return 1;
}

static int header_is(const imp_row *h, const char *const *names, size_t n)
{
	if (h->nfields != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(h->fields[i], names[i]) != 0)
			return 0;
	return 1;
}

void imp_sha256_hex(struct sha256_ctx *ctx, char hex[65])
{
	unsigned char d[SHA256_DIGEST_SIZE];
	sha256_digest(ctx, sizeof d, d);
	for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

static int sha256_input(const imp_input *in, char hex[65], long long *bytes)
{
	struct sha256_ctx ctx;
	sha256_init(&ctx);
	char *buf = xmalloc(IO_BUFFER);
	long k;
	*bytes = 0;
	while ((k = in->read(in->ctx, buf, IO_BUFFER)) > 0) {
		sha256_update(&ctx, (size_t)k, (const uint8_t *)buf);
		*bytes += k;
	}
	free(buf);
	if (k < 0)
		return -1;
	imp_sha256_hex(&ctx, hex);
	return 0;
}

/* Resolves the mapping's columns against header H; -1 (err set) if it does not fit. */
static int fit_mapping(importer *im, const imp_row *h, char *err, size_t errlen)
{
	for (int k = 0; k < MAP_COUNT; k++) {
		im->col[k] = -1;
		if (!im->map->col[k])
			continue;
		for (size_t i = 0; i < h->nfields; i++)
			if (strcmp(h->fields[i], im->map->col[k]) == 0)
				im->col[k] = (int)i;
		if (im->col[k] < 0) {
			snprintf(err, errlen, "%s:%lld: mapping \"%s\" does not fit: no column '%s' in the header", im->path,
				 h->line, im->map->name, im->map->col[k]);
			return -1;
		}
	}
	return 0;
}

/* True if the N bytes at S are ASCII with no NUL: valid, nothing to look at.
 * Eight bytes at a time; a false "no" only costs the exact checks. */
static int plain_ascii(const char *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t v;
		memcpy(&v, s + i, 8);
		if (((v - ones) & ~v & highs) | (v & highs))
			return 0;
	}
	for (; i < n; i++)
		if (!s[i] || (unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

/* Which field a row's invalid UTF-8 or NUL byte is in, or -1. */
static int bad_text_field(const imp_row *row, const char **why)
{
	for (size_t i = 0; i < row->nfields; i++) {
		if (plain_ascii(row->fields[i], row->lens[i]))
			continue;
		if (strlen(row->fields[i]) != row->lens[i]) {
			*why = "contains a NUL byte";
			return (int)i;
		}
		if (!ct_utf8_valid(row->fields[i], row->lens[i])) {
			*why = "is not valid UTF-8";
			return (int)i;
		}
	}
	return -1;
}

/* Reads rows into im->b until it is full or the file ends; every row read
 * becomes a record to store or a reject.  The reading thread's whole job. */
static void fill_batch(importer *im, size_t rows)
{
	batch *b = im->b;
	imp_result *r = im->r;
	imp_row row;
	int got = 1;
	while (b->n < rows && (got = im->api ? imp_api_next(im->api, &row) : imp_reader_next(im->rd, &row)) == 1) {
		r->rows_read++;
		im->line = row.line;
		int ok = 0;
		const char *why = NULL;
		int fidx;
		if (row.error) {
			sb_reset(&im->why);
			sb_puts(&im->why, row.error);
		} else if (row.nfields != im->nheader) {
			sb_reset(&im->why);
			sb_printf(&im->why, "expected %zu fields, found %zu", im->nheader, row.nfields);
		} else if ((fidx = bad_text_field(&row, &why)) >= 0) {
			bad(im, im->header_names[fidx], NULL, why);
		} else {
			for (size_t i = 0; i < row.nfields; i++)
				im->fields[i] = i < im->keep_fields ? ct_textpool_keep(b->text, row.fields[i], row.lens[i])
								    : row.fields[i];
			im->row = row;
			im->exact = 1;
			ok = im->row_fn(im, im->fields);
		}
		if (ok) {
			r->imported++;
		} else {
			r->rejected++;
			rec *x = next_rec(im, REC_REJECT);
			x->line = row.line;
			if (im->api) {
				/* a response is often one long line: say which crime of it */
				char *msg = xasprintf("crime %lld: %s", r->rows_read, im->why.buf ? im->why.buf : "");
				sb_reset(&im->why);
				sb_puts(&im->why, msg);
				free(msg);
			}
			/* a reject is read on a terminal: nothing in it may act on one */
			sb_reset(&im->esc);
			ct_escape_text(&im->esc, im->why.buf ? im->why.buf : "", im->why.len);
			x->reason = ct_textpool_keep(b->text, im->esc.buf, im->esc.len);
			sb_reset(&im->esc);
			ct_escape_text(&im->esc, row.raw, row.raw_len);
			x->raw = ct_textpool_keep(b->text, im->esc.buf, im->esc.len);
			/* its bytes, unless they are its text as kept (escaped) and the
			 * file's line ending, or more than a reject is worth keeping (the
			 * lines an unterminated quote swallowed: the file can then not be
			 * given back, and export --raw says so) */
			size_t rl = im->esc.len, el = strlen(im->eol);
			x->span = im->api || row.span_len > IMP_MAX_REJECT_SPAN ||
					  (row.span_len == rl + el && memcmp(row.span, x->raw, rl) == 0 &&
					   memcmp(row.span + rl, im->eol, el) == 0)
					  ? (store_bytes){NULL, 0}
					  : (store_bytes){ct_textpool_keep(b->text, row.span, row.span_len), row.span_len};
		}
		if ((r->rows_read & 1023) == 0)
			ct_progress_update(im->prog, r->rows_read, im->api ? imp_api_bytes(im->api) : imp_reader_bytes(im->rd));
	}
	if (got <= 0) {
		b->last = 1;
		b->read_errno = got < 0 ? (errno ? errno : EIO) : 0;
	}
}

/* A text of a file read ahead: its id now. */
static void resolve(const importer *im, store_text *t)
{
	if (t->id < 0)
		t->id = im->prov[-t->id];
}

/* A record's texts, at the offsets the store gives (text_at): its row is
 * the union's member, at the start. */
static void resolve_rec(const importer *im, rec *x)
{
	if (x->type == REC_REJECT)
		return;
	char *row = (char *)&x->u;
	for (size_t k = 0; k < im->ntext_at[x->type]; k++)
		resolve(im, (store_text *)(row + im->text_at[x->type][k]));
}

/* Stores a batch's records in order; -1 on a database error. */
static int store_batch(importer *im, batch *b)
{
	for (size_t i = 0; i < b->ntexts; i++) {
		const new_text *t = &b->texts[i];
		if (t->id > 0) {
			if (store_text_put(im->s, t->id, t->s, t->n) != 0)
				return -1;
			continue;
		}
		/* read ahead: the store may have it now (the file before added it,
		 * or another crimetab did) */
		long long id = store_text_id(im->s, t->s);
		if (id < 0)
			return -1;
		size_t k = (size_t)-t->id;
		if (k >= im->prov_cap) {
			size_t cap = im->prov_cap ? im->prov_cap : 256;
			while (cap <= k)
				cap *= 2;
			im->prov = xrealloc(im->prov, cap * sizeof *im->prov);
			im->prov_cap = cap;
		}
		im->prov[k] = id;
	}
	for (size_t i = 0; i < b->n; i++) {
		rec *x = &b->recs[i];
		if (im->ahead)
			resolve_rec(im, x);
		if (x->type == REC_CRIME) {
			x->u.crime.source_id = im->source_id;
			long long id = store_crime_add(im->s, &x->u.crime);
			if (id < 0)
				return -1;
			if (im->narea_rows + x->nareas > im->area_rows_cap) {
				im->area_rows_cap = 2 * (im->narea_rows + x->nareas) + 64;
				im->area_rows = xrealloc(im->area_rows, im->area_rows_cap * sizeof *im->area_rows);
			}
			for (size_t k = 0; k < x->nareas; k++)
				im->area_rows[im->narea_rows++] = (store_crime_area){id, b->area_ids[x->areas + k]};
		} else if (x->type == REC_OUTCOME) {
			x->u.outcome.source_id = im->source_id;
			if (store_outcome_add(im->s, &x->u.outcome) != 0)
				return -1;
		} else if (x->type == REC_STOP) {
			x->u.stop.source_id = im->source_id;
			if (store_stop_add(im->s, &x->u.stop) != 0)
				return -1;
		} else if (store_reject_add(im->s, im->source_id, x->line, x->reason, x->raw, x->span) != 0) {
			return -1;
		}
	}
	/* the batch's crimes' areas, many to a statement */
	size_t n = im->narea_rows;
	im->narea_rows = 0;
	return store_crime_areas_add(im->s, im->area_rows, n);
}

/* The month most rows of police.uk input IN carry (for a file whose name
 * does not say), or -1: IN is not a police.uk file, or has no dated row.
 * Ties go to the earlier month.  Reads IN from where it is. */
static int majority_month(const imp_input *in)
{
	imp_reader *rd = imp_reader_new_stream(in->read, in->ctx);
	imp_row row;
	int got;
	while ((got = imp_reader_next(rd, &row)) == 1 && !row.error && row.nfields == 1 && !*row.fields[0])
		;
	int stop = got == 1 && header_is(&row, imp_stop_header, IMP_STOP_COLS);
	int policeuk = stop || (got == 1 && (header_is(&row, imp_street_header, IMP_STREET_COLS) ||
					     header_is(&row, imp_outcomes_header, IMP_OUTCOMES_COLS)));
	struct {
		int month;
		long long n;
	} seen[64];
	size_t nseen = 0;
	while (policeuk && imp_reader_next(rd, &row) == 1) {
		int m;
		if (row.error || row.nfields < 2 ||
		    (stop ? iso_uk_month(row.fields[1], &m) : ct_month_parse(row.fields[1], &m)) != 0)
			continue;
		size_t i = 0;
		while (i < nseen && seen[i].month != m)
			i++;
		if (i == nseen && nseen == NELEM(seen))
			continue; /* a file of 64 months is no one month's */
		if (i == nseen)
			seen[nseen++].n = 0;
		seen[i].month = m;
		seen[i].n++;
	}
	imp_reader_free(rd);
	size_t most = 0;
	for (size_t i = 1; i < nseen; i++)
		if (seen[i].n > seen[most].n || (seen[i].n == seen[most].n && seen[i].month < seen[most].month))
			most = i;
	return nseen ? seen[most].month : -1;
}

/* Reads all of IN into *TEXT (NUL-terminated, caller frees), hashing it. */
static int slurp(const imp_input *in, char **text, size_t *len, char sha[65])
{
	struct sha256_ctx ctx;
	sha256_init(&ctx);
	size_t cap = 1 << 16, n = 0;
	char *buf = xmalloc(cap);
	long k;
	for (;;) {
		if (cap - n < IO_BUFFER / 4 + 1) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		if ((k = in->read(in->ctx, buf + n, cap - n - 1)) <= 0)
			break;
		sha256_update(&ctx, (size_t)k, (const uint8_t *)buf + n);
		n += (size_t)k;
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	if (k < 0)
		return -1;
	imp_sha256_hex(&ctx, sha);
	return 0;
}

/* API responses and CSV street files of the same month hold the same crimes:
 * after either is stored, the API rows that other street data also holds
 * are superseded (store_api_reconcile), and the user is told what could not
 * be matched. */
static int reconcile_api(importer *im)
{
	imp_result *r = im->r;
	long long idless = 0;
	int *months = NULL;
	size_t n = 0;
	if (im->api)
		for (size_t i = 0; i < im->napi_months; i++) {
			const api_month *m = &im->api_months[i];
			store_api_cover c = {.source_id = im->source_id, .month = m->month, .crimes = m->crimes,
					     .with_id = m->with_id, .has_extent = m->has_extent, .lon_min = m->lon_min,
					     .lat_min = m->lat_min, .lon_max = m->lon_max, .lat_max = m->lat_max};
			if (store_api_cover_add(im->s, &c) != 0)
				return -1;
		}
	for (size_t i = 0; i < (im->api ? im->napi_months : im->npairs); i++) {
		int month = im->api ? im->api_months[i].month : im->pairs[i].month;
		int dup = 0;
		for (size_t k = 0; k < n; k++)
			dup |= months[k] == month;
		if (dup)
			continue;
		months = xrealloc(months, (n + 1) * sizeof *months);
		months[n++] = month;
	}
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		int seen = store_api_month_seen(im->s, months[i]);
		store_api_recon out;
		if (seen < 0 || (seen && store_api_reconcile(im->s, months[i], im->source_id, &out) != 0)) {
			rc = -1;
		} else if (seen) {
			r->held += out.self;
			r->superseded += out.others;
			idless += out.idless_kept;
		}
	}
	free(months);
	strbuf w = {0};
	if (im->unknown_slugs)
		sb_printf(&w, "%lld row%s with a category police.uk does not document (\"%s\"%s): kept under that name, "
			      "shown as Unknown", im->unknown_slugs, im->unknown_slugs == 1 ? "" : "s", im->unknown_slug,
			  im->unknown_slugs > 1 ? ", ..." : "");
	if (idless)
		sb_printf(&w, "%s%lld police.uk API row%s without an ID (anti-social behaviour, BTP) overlap other street "
			      "data of the same month and cannot be matched to it: they may be counted twice",
			  w.len ? "; " : "", idless, idless == 1 ? "" : "s");
	snprintf(r->warning, sizeof r->warning, "%s", w.buf ? w.buf : "");
	sb_release(&w);
	return rc;
}

/* ---- a file's rows: read on one thread, stored on another ---- */

/* Full batches go from the reading thread to the storing one in order;
 * emptied ones come back. */
typedef struct pipeline {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	batch *all[BATCHES];
	batch *full[BATCHES], *spare[BATCHES];
	size_t head, nfull, nspare;
	int stop;     /* storing failed, or the file is not wanted: the reader gives up */
	size_t rows;  /* the size of the reader's next batch */
	importer *im;
	ct_progress *prog; /* the reader's, handed over with a batch */
} pipeline;

static void pipeline_init(pipeline *p, importer *im)
{
	p->head = p->nfull = p->nspare = 0;
	p->stop = 0;
	p->rows = FIRST_BATCH_ROWS;
	p->im = im;
	p->prog = NULL;
	for (size_t i = 0; i < BATCHES; i++) {
		p->all[i] = p->spare[p->nspare++] = xcalloc(1, sizeof *p->all[i]);
		p->all[i]->text = ct_textpool_new();
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
}

static void pipeline_free(pipeline *p)
{
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	for (size_t i = 0; i < BATCHES; i++)
		batch_free(p->all[i]);
}

/* Tells P's reader to give up (it stops after the batch it is filling). */
static void pipeline_stop(pipeline *p)
{
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

static void bulk_read(imp_bulk *b, long long seq);

/* The reading thread's loop: fills batches, each twice the one before up to
 * BATCH_ROWS, until the file ends or the storing thread stops it. */
static void read_rows(pipeline *p)
{
	size_t rows = p->rows;
	int done = 0;
	while (!done) {
		pthread_mutex_lock(&p->mu);
		while (!p->nspare && !p->stop)
			pthread_cond_wait(&p->cv, &p->mu);
		batch *b = p->stop ? NULL : p->spare[--p->nspare];
		p->im->prog = p->prog;
		pthread_mutex_unlock(&p->mu);
		if (!b)
			break;
		batch_reset(b);
		p->im->b = b;
		fill_batch(p->im, rows);
		rows = rows * 2 < BATCH_ROWS ? rows * 2 : BATCH_ROWS;
		done = b->last; /* b is the storing thread's once queued */
		pthread_mutex_lock(&p->mu);
		p->full[(p->head + p->nfull++) % BATCHES] = b;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	/* read to its end (not given up): the next file may be read now */
	if (done && p->im->bulk)
		bulk_read(p->im->bulk, p->im->seq);
}

static void *reader_thread(void *arg)
{
	read_rows(arg);
	return NULL;
}

/* Stores P's batches in order until the last.  OWN, when not NULL: no
 * thread reads, and this one fills OWN itself, which holds the first rows.
 * 0; -1 on a database error; 1 on a read error, errno set.  A reading thread
 * may be running still (after an error): the caller stops it. */
static int store_rows(importer *im, pipeline *p, batch *own)
{
	int rc = 0, read_errno = 0, filled = 1;
	for (;;) {
		batch *b = own;
		if (own) {
			if (!filled) {
				batch_reset(b);
				im->b = b;
				fill_batch(im, BATCH_ROWS);
			}
			filled = 0;
		} else {
			pthread_mutex_lock(&p->mu);
			while (!p->nfull)
				pthread_cond_wait(&p->cv, &p->mu);
			b = p->full[p->head];
			p->head = (p->head + 1) % BATCHES;
			p->nfull--;
			pthread_mutex_unlock(&p->mu);
		}
		if (store_batch(im, b) != 0) {
			rc = -1;
		} else if (b->read_errno) {
			rc = 1;
			read_errno = b->read_errno;
		}
		int last = b->last;
		if (!own) {
			pthread_mutex_lock(&p->mu);
			p->spare[p->nspare++] = b;
			p->stop = rc != 0;
			pthread_cond_broadcast(&p->cv);
			pthread_mutex_unlock(&p->mu);
		}
		if (last || rc)
			break;
	}
	if (rc > 0)
		errno = read_errno;
	return rc;
}

/* Reads and stores every row after the header.  SQLite is the bottleneck, so
 * a second thread reads and checks the rows while this one stores the batch
 * before.  0; -1 on a database error; 1 on a read error, errno set. */
static int import_rows(importer *im)
{
	pipeline p;
	pipeline_init(&p, im);
	p.prog = im->prog;
	/* The first rows are read here, before the reading thread starts: a
	 * new thread takes a while to get a processor, and this one would only
	 * wait for it.  The reader goes on from the second batch while this one
	 * stores the first. */
	batch *first = p.spare[--p.nspare];
	batch_reset(first);
	im->b = first;
	fill_batch(im, FIRST_BATCH_ROWS);
	p.full[0] = first;
	p.nfull = 1;
	p.rows = 2 * FIRST_BATCH_ROWS;
	pthread_t reader;
	int threaded = !first->last && pthread_create(&reader, NULL, reader_thread, &p) == 0;
	int rc = store_rows(im, &p, threaded ? NULL : first);
	if (threaded) {
		int e = errno;
		pipeline_stop(&p);
		pthread_join(reader, NULL);
		errno = e;
	}
	pipeline_free(&p);
	return rc;
}

/* ---- one file ---- */

/* A file being imported: its importer and what it is read with. */
typedef struct fileimp {
	importer im; /* its r is the file's result */
	const imp_input *in;
	const imp_mapping *mapping;
	imp_readahead *ra;
	imp_reader *rd;
	ct_progress *prog;
	const char *const *header_names;
	char **header_copy;
	struct sha256_ctx hash;
	long long bytes;
	char *text; /* an API response */
	size_t len;
	char sha[65];
	int seen;   /* its size is one imported before: hashed before it is read */
	int in_tx;
	char *err;
	size_t errlen;
} fileimp;

static void fileimp_init(fileimp *f, store *s, const area_set *areas, const imp_input *in, const imp_mapping *mapping,
			 imp_result *r, char *err, size_t errlen)
{
	memset(f, 0, sizeof *f);
	memset(r, 0, sizeof *r);
	r->month_min = r->month_max = -1;
	f->im = (importer){.s = s, .areas = areas, .map = mapping, .path = in->name, .r = r, .file_month = -1,
			   .last_pair = -1, .eol = ""};
	f->im.this_month = ct_uk_month((long long)time(NULL));
	f->in = in;
	f->mapping = mapping;
	f->err = err;
	f->errlen = errlen;
}

/* Rolls back what STATUS did not keep, and frees what F holds. */
static void fileimp_release(fileimp *f, ct_status status)
{
	importer *im = &f->im;
	if (f->in_tx)
		store_rollback(im->s);
	f->in_tx = 0;
	if (status != CT_OK)
		im->r->source_id = 0;
	ct_progress_free(f->prog);
	imp_readahead_stop(f->ra);
	imp_reader_free(f->rd);
	imp_api_free(im->api);
	free(im->api_months);
	free(f->text);
	for (size_t i = 0; i < im->npairs; i++)
		free(im->pairs[i].force);
	free(im->pairs);
	free(im->area_ids);
	free(im->area_rows);
	free(im->fields);
	free(im->prov);
	cube_delta_release(&im->cube);
	sb_release(&im->why);
	sb_release(&im->scratch);
	sb_release(&im->head);
	ct_strmap_free(im->fresh);
	free(im->recent);
	sb_release(&im->esc);
	if (f->header_copy) {
		for (size_t i = 0; i < im->nheader; i++)
			free(f->header_copy[i]);
		free(f->header_copy);
	}
	memset(f, 0, sizeof *f);
}

static ct_status io_error(fileimp *f)
{
	const imp_input *in = f->in;
	if (f->ra) { /* the input is the reading thread's until it stops */
		int e = errno;
		imp_readahead_stop(f->ra);
		f->ra = NULL;
		errno = e;
	}
	snprintf(f->err, f->errlen, "%s: read error: %s", in->name,
		 in->error && in->error(in->ctx) ? in->error(in->ctx) : strerror(errno));
	return CT_EIO;
}

static ct_status db_error(fileimp *f)
{
	snprintf(f->err, f->errlen, "%s: database error: %s", f->in->name, store_errmsg(f->im.s));
	return store_status(f->im.s);
}

/* Reads a CSV file's header (the file's month from its name, or from its
 * rows) and starts reading ahead of the parser.  Reads no database. */
static ct_status read_head(fileimp *f)
{
	importer *im = &f->im;
	const imp_input *in = f->in;
	const char *path = in->name;
	char *err = f->err;
	size_t errlen = f->errlen;

	/* a police.uk file's month is in its name; without one, it is the month
	 * most of its rows carry */
	char slug[128] = "";
	const char *name_kind = NULL;
	int name_month = -1;
	int named = imp_parse_policeuk_name(in->file_name, &name_month, slug, sizeof slug, &name_kind) == 0;
	im->file_month = named ? name_month : majority_month(in);
	if (!named && in->rewind(in->ctx) != 0)
		return io_error(f);

	/* a thread of its own reads (and hashes) the file a block ahead */
	if (!f->seen)
		sha256_init(&f->hash);
	f->ra = imp_readahead_start(in->read, in->ctx, f->seen ? NULL : &f->hash);
	f->rd = imp_reader_new_stream(imp_readahead_read, f->ra);
	imp_row row;
	int got;
	/* blank lines before the header are skipped (a line of NUL bytes is not
	 * blank), and kept for the raw export */
	while ((got = imp_reader_next(f->rd, &row)) == 1 && !row.error && row.nfields == 1 && !row.lens[0])
		sb_add(&im->head, row.span, row.span_len);
	if (got < 0)
		return io_error(f);
	if (got == 0) {
		snprintf(err, errlen, "%s:1: empty file (no header)", path);
		return CT_EDATA;
	}
	if (row.error) {
		snprintf(err, errlen, "%s:%lld: header: %s", path, row.line, row.error);
		return CT_EDATA;
	}
	/* a header with a NUL byte is no CSV text: say so, not "unknown header" */
	size_t nulcol = 0;
	while (nulcol < row.nfields && strlen(row.fields[nulcol]) == row.lens[nulcol])
		nulcol++;
	if (nulcol < row.nfields) {
		if (row.line == 1 && ((row.raw[0] == '\xFF' && row.raw[1] == '\xFE') ||
				      (row.raw[0] == '\xFE' && row.raw[1] == '\xFF')))
			snprintf(err, errlen, "%s:1: UTF-16 text, not UTF-8: save it as \"CSV UTF-8\"", path);
		else
			snprintf(err, errlen, "%s:%lld: header: column %zu contains a NUL byte (a binary file, not CSV text?)",
				 path, row.line, nulcol + 1);
		return CT_EDATA;
	}
	const imp_mapping *mapping = f->mapping;
	if (header_is(&row, imp_street_header, IMP_STREET_COLS)) {
		im->kind = "street";
		f->header_names = imp_street_header;
	} else if (header_is(&row, imp_outcomes_header, IMP_OUTCOMES_COLS)) {
		im->kind = "outcomes";
		f->header_names = imp_outcomes_header;
	} else if (header_is(&row, imp_stop_header, IMP_STOP_COLS)) {
		im->kind = "stop-and-search";
		f->header_names = imp_stop_header;
	} else if (mapping) {
		im->kind = "force";
		if (fit_mapping(im, &row, err, errlen) != 0)
			return CT_EDATA;
		f->header_copy = xcalloc(row.nfields, sizeof *f->header_copy);
		for (size_t i = 0; i < row.nfields; i++)
			f->header_copy[i] = xstrdup(row.fields[i]);
		f->header_names = (const char *const *)f->header_copy;
	} else {
		snprintf(err, errlen,
			 "%s:%lld: not a police.uk street, outcomes or stop-and-search header (\"%.60s\"); "
			 "for a force export give --mapping",
			 path, row.line, row.raw);
		return CT_EDATA;
	}
	im->nheader = row.nfields;
	im->r->kind = im->kind;
	im->one_month = kind_months(im->kind);
	im->eol = imp_reader_eol(f->rd);
	if (strcmp(im->kind, "force") != 0) {
		sb_add(&im->head, row.span, row.span_len);
	} else {
		/* a force export gives back its mapped columns only: their names,
		 * in the order of the mapping fields, empty for those not mapped */
		const char *names[MAP_COUNT];
		for (int k = 0; k < MAP_COUNT; k++)
			names[k] = mapping->col[k] ? mapping->col[k] : "";
		sb_reset(&im->head);
		imp_csv_line(&im->head, names, MAP_COUNT);
		sb_putc(&im->head, '\n');
	}
	snprintf(im->slug, sizeof im->slug, "%s", named ? slug : "unknown");
	return CT_OK;
}

/* What the reading thread needs once the header is known. */
static void reader_setup(fileimp *f)
{
	importer *im = &f->im;
	im->area_ids = xcalloc(area_set_count(im->areas) + 1, sizeof *im->area_ids);
	im->fields = xcalloc(im->nheader, sizeof *im->fields);
	im->header_names = f->header_names;
	im->keep_fields = im->api || strcmp(im->kind, "force") == 0 ? im->nheader : 1;
	im->row_fn = im->api ? row_api
		     : strcmp(im->kind, "street") == 0 ? row_street
		     : strcmp(im->kind, "outcomes") == 0 ? row_outcome
		     : strcmp(im->kind, "stop-and-search") == 0 ? row_stop : row_force;
	im->rd = f->rd;
	im->fresh = ct_strmap_new();
	im->recent = xcalloc(RECENT_TEXTS, sizeof *im->recent);
}

/* Stores F's rows in one transaction, with its source, and commits.  AHEAD:
 * the file was read ahead (reader_setup done), and a thread fills AHEAD's
 * batches; else they are read here, as they are stored. */
static ct_status store_file(fileimp *f, pipeline *ahead)
{
	importer *im = &f->im;
	imp_result *r = im->r;
	store *s = im->s;
	const imp_input *in = f->in;
	const imp_mapping *mapping = f->mapping;
	if (store_begin(s) != 0)
		return db_error(f);
	f->in_tx = 1;
	/* until the file is read, the source holds a placeholder in place of its
	 * hash: imports are serialised by the write lock, so it is unique */
	store_source src = {.path = in->name, .sha256 = f->seen ? f->sha : "(being read)", .kind = im->kind,
			    .bytes = f->seen ? f->bytes : in->size,
			    .mapping = strcmp(im->kind, "force") == 0 ? mapping->name : NULL,
			    /* an API row's force is its source's (see the crimes view), needed
			     * before the source is finished to match rows across sources */
			    .force = im->api ? IMP_API_FORCE : NULL};
	im->source_id = store_source_add(s, &src);
	if (im->source_id < 0)
		return db_error(f);
	r->source_id = im->source_id;
	const char *base = strrchr(in->file_name, '/');
	f->prog = ct_progress_new(base ? base + 1 : in->file_name, src.bytes);
	int rows;
	if (ahead) {
		for (int k = REC_CRIME; k <= REC_STOP; k++) {
			im->ntext_at[k] = store_text_fields((store_row_kind)k, im->text_at[k], NELEM(im->text_at[k]));
			if (im->ntext_at[k] > NELEM(im->text_at[k])) {
				fputs("crimetab: internal error: more text columns than importer.text_at holds\n", stderr);
				abort();
			}
		}
		pthread_mutex_lock(&ahead->mu);
		ahead->prog = f->prog;
		pthread_mutex_unlock(&ahead->mu);
		/* the reading thread is done with the file once the last batch
		 * came (the caller joins it) */
		rows = store_rows(im, ahead, NULL);
	} else {
		reader_setup(f);
		im->prog = f->prog;
		rows = import_rows(im);
	}
	if (rows < 0)
		return db_error(f);
	if (rows > 0)
		return io_error(f);
	imp_readahead_stop(f->ra); /* the hash is whole */
	f->ra = NULL;
	if (!f->seen) {
		imp_sha256_hex(&f->hash, f->sha);
		f->bytes = imp_reader_bytes(f->rd);
		/* another crimetab imported the same file between the size check and
		 * this transaction, or the file changed since it was measured */
		long long dup = store_source_by_hash(s, f->sha);
		if (dup < 0)
			return db_error(f);
		if (dup > 0) {
			store_rollback(s);
			f->in_tx = 0;
			memset(r, 0, sizeof *r);
			r->month_min = r->month_max = -1;
			r->duplicate = 1;
			r->source_id = dup;
			return CT_OK;
		}
	}

	/* claim the (force, month)s this file provides; older sources' rows for
	 * them are superseded (an API response covers only its query's area: it
	 * claims none) */
	for (size_t i = 0; !im->api && i < im->npairs; i++)
		if (store_source_claim_month(s, im->source_id, im->kind, im->pairs[i].force, im->pairs[i].month,
					     &r->superseded) != 0)
			return db_error(f);
	if (strcmp(im->kind, "force") == 0 && r->month_min >= 0)
		/* an export covers its span, from its first imported row's month to
		 * its last, months without crimes included */
		for (int mo = r->month_min; mo <= r->month_max; mo++)
			if (store_source_claim_month(s, im->source_id, im->kind, mapping->force, mo, &r->superseded) != 0)
				return db_error(f);
	/* superseded rows left the cube as they were deleted; this file's enter it */
	if (cube_flush(&im->cube, s, im->kind) != 0)
		return db_error(f);
	if (strcmp(im->kind, "street") == 0 && reconcile_api(im) != 0)
		return db_error(f);
	snprintf(r->force, sizeof r->force, "%s",
		 strcmp(im->kind, "force") == 0 ? mapping->force : im->api || !im->npairs ? im->slug : im->pairs[0].force);
	src.id = im->source_id;
	src.sha256 = f->sha;
	src.bytes = f->bytes;
	src.force = r->force;
	src.month_min = r->month_min;
	src.month_max = r->month_max;
	src.rows_read = r->rows_read;
	src.rows_imported = r->imported;
	src.rows_rejected = r->rejected;
	src.rows_superseded = r->superseded;
	if (im->api) {
		/* a response is kept as it came, whole: no row of it is written back */
		src.head = (store_bytes){f->text, f->len};
	} else {
		src.head = (store_bytes){im->head.buf ? im->head.buf : "", im->head.len};
		size_t rest = 0;
		const char *tail = imp_reader_rest(f->rd, &rest);
		if (strcmp(im->kind, "force") == 0)
			src.eol = "\n";
		else if (src.eol = im->eol, rest)
			src.tail = (store_bytes){tail, rest};
	}
	if (store_source_finish(s, &src) != 0 || store_commit(s) != 0)
		return db_error(f);
	f->in_tx = 0;
	return CT_OK;
}

/* imp_input_import's work, into F. */
static ct_status import_input(fileimp *f)
{
	importer *im = &f->im;
	imp_result *r = im->r;
	const imp_input *in = f->in;
	store *s = im->s;
	/* a saved police.uk API response is JSON, read (and hashed) whole */
	char head[64];
	long headn = in->read(in->ctx, head, sizeof head);
	if (headn < 0 || in->rewind(in->ctx) != 0)
		return io_error(f);
	int json = imp_api_sniff(head, (size_t)headn);
	if (json && slurp(in, &f->text, &f->len, f->sha) != 0)
		return io_error(f);
	/* A file already imported is skipped unread.  Only a file the size of
	 * one imported before can be one, so others are hashed as they are read,
	 * on the reading thread, instead of read twice. */
	int seen = json || in->size < 0 ? 1 : store_source_size_seen(s, in->size);
	if (seen < 0)
		return db_error(f);
	f->seen = seen;
	if (seen) {
		if (!json && (sha256_input(in, f->sha, &f->bytes) != 0 || in->rewind(in->ctx) != 0))
			return io_error(f);
		long long dup = store_source_by_hash(s, f->sha);
		if (dup < 0)
			return db_error(f);
		if (dup > 0) {
			r->duplicate = 1;
			r->source_id = dup;
			return CT_OK;
		}
	}
	if (json) {
		if (!(im->api = imp_api_parse(in->name, f->text, f->len, f->err, f->errlen)))
			return CT_EDATA;
		f->bytes = (long long)f->len;
		im->kind = r->kind = "street";
		r->api = 1;
		f->header_names = imp_api_fields;
		im->nheader = API_NFIELDS;
		snprintf(im->slug, sizeof im->slug, "%s", IMP_API_FORCE);
	} else {
		ct_status st = read_head(f);
		if (st != CT_OK)
			return st;
	}
	return store_file(f, NULL);
}

static ct_status input_import(store *s, const area_set *areas, const imp_input *in, const imp_mapping *mapping,
			      imp_result *r, char *err, size_t errlen, imp_bulk *bulk, long long seq)
{
	fileimp f;
	fileimp_init(&f, s, areas, in, mapping, r, err, errlen);
	f.im.bulk = bulk;
	f.im.seq = seq;
	ct_status st = import_input(&f);
	fileimp_release(&f, st);
	return st;
}

ct_status imp_input_import(store *s, const area_set *areas, const imp_input *in, const imp_mapping *mapping,
			   imp_result *r, char *err, size_t errlen)
{
	return input_import(s, areas, in, mapping, r, err, errlen, NULL, 0);
}

static int file_rewind(void *ctx)
{
	FILE *f = ctx;
	return fseek(f, 0, SEEK_SET);
}

/* Opens PATH (a regular file) for reading in large blocks: 0, or -1 with ERR
 * set. */
static int open_input(const char *path, imp_input *in, char **iobuf, char *err, size_t errlen)
{
	/* a FIFO would wait for a writer forever */
	struct stat fst;
	int fd = ct_open_regular(path, &fst, err, errlen);
	if (fd == -2)
		snprintf(err + strlen(err), errlen - strlen(err), ": skipped");
	FILE *f = fd < 0 ? NULL : fdopen(fd, "rb");
	if (!f) {
		if (fd >= 0) {
			snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
			close(fd);
		}
		return -1;
	}
	/* read in large blocks: a system call per 4 KiB is a tenth of an import
	 * (glibc ignores the size unless it is also given the buffer) */
	*iobuf = xmalloc(IO_BUFFER);
	setvbuf(f, *iobuf, _IOFBF, IO_BUFFER);
	*in = (imp_input){.name = path, .file_name = path, .size = (long long)fst.st_size, .read = imp_read_file,
			  .rewind = file_rewind, .ctx = f};
	return 0;
}

static void close_input(imp_input *in, char *iobuf)
{
	if (in->ctx)
		fclose(in->ctx);
	in->ctx = NULL;
	free(iobuf);
}

static ct_status file_import(store *s, const area_set *areas, const char *path, const imp_mapping *mapping,
			     imp_result *r, char *err, size_t errlen, imp_bulk *bulk, long long seq)
{
	memset(r, 0, sizeof *r);
	r->month_min = r->month_max = -1;
	imp_input in;
	char *iobuf = NULL;
	if (open_input(path, &in, &iobuf, err, errlen) != 0)
		return CT_EIO;
	ct_status st = input_import(s, areas, &in, mapping, r, err, errlen, bulk, seq);
	close_input(&in, iobuf);
	return st;
}

ct_status imp_file(store *s, const area_set *areas, const char *path, const imp_mapping *mapping, imp_result *r,
		   char *err, size_t errlen)
{
	return file_import(s, areas, path, mapping, r, err, errlen, NULL, 0);
}

/* imp_zip_import's work (zipin.h), within BULK (or none) as its SEQ'th. */
static ct_status member_import(store *s, const area_set *areas, imp_zip *z, size_t i, const imp_mapping *mapping,
			       imp_result *r, char *err, size_t errlen, imp_bulk *bulk, long long seq)
{
	imp_input in;
	if (imp_zip_input(z, i, &in, err, errlen) != 0) {
		memset(r, 0, sizeof *r);
		r->month_min = r->month_max = -1;
		return CT_EIO;
	}
	ct_status st = input_import(s, areas, &in, mapping, r, err, errlen, bulk, seq);
	imp_zip_input_close(&in);
	return st;
}

ct_status imp_zip_import(imp_zip *z, size_t i, store *s, const area_set *areas, const imp_mapping *mapping,
			 imp_result *r, char *err, size_t errlen)
{
	return member_import(s, areas, z, i, mapping, r, err, errlen, NULL, 0);
}

/* ---- many files: the next one read while this one is stored ----
 *
 * A file's transaction ends with work that reads no rows (its last batches
 * stored, the cube, the commit), and the next file's began with work that
 * stores none (opening, the header, the first small batches).  With both
 * on the storing thread, each file cost about 2.5 ms more than its rows
 * (24 files of one force took 0.37 s, the same rows in one file 0.31 s).
 * So the next file is read on a thread of its own once this one's rows are
 * all read, before its own transaction begins.  Its texts are then looked
 * up without ids for the texts the store does not have yet: the file
 * before may still add them, or roll back, and another crimetab may add
 * texts between the two transactions; they get ids as they are stored
 * (store_batch).  What cannot be read ahead safely is imported as before:
 * an API response, a file whose size is one already imported (it is
 * hashed before it is read, to be skipped if it is a copy), and one that
 * fails before its rows (to give the same message).  A zip's members are
 * read ahead the same way, through a second handle on the archive. */

typedef struct imp_ahead imp_ahead;
struct imp_ahead {
	imp_bulk *bulk;
	long long seq; /* the bulk's file number */
	char *path;    /* the file, or the zip archive */
	long member;   /* the archive's member, or -1 for a file */
	/* a member: the archive's file, the member's name and size, as listed
	 * when the archive was opened (checked when it is opened again) */
	struct stat zip_st;
	char *member_name;
	long long member_size;
	imp_zip *zip;  /* the archive opened again, for this thread */
	char *iobuf;
	imp_input in;
	imp_result r;
	char err[1024]; /* a failure here is reported by importing the file again */
	fileimp fi;
	pipeline p;
	pthread_t thread;
	int ready, ok, cancel; /* under bulk->mu */
};

struct imp_bulk {
	store *s;
	const area_set *areas;
	const imp_mapping *mapping;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	long long seq;   /* files imported, this one included */
	long long read;  /* the last file whose rows are all read */
	imp_ahead *next; /* the file after this one, read ahead */
};

static void bulk_read(imp_bulk *b, long long seq)
{
	pthread_mutex_lock(&b->mu);
	if (seq > b->read)
		b->read = seq;
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
}

/* Opens the file and reads its header; 0, or -1: import it the usual way. */
static int ahead_open(imp_ahead *a)
{
	if (a->member < 0) {
		if (open_input(a->path, &a->in, &a->iobuf, a->err, sizeof a->err) != 0)
			return -1;
	} else {
		/* the same archive, and in it the same member, or it is imported
		 * from the first handle */
		a->zip = imp_zip_open_again(a->path, &a->zip_st, a->err, sizeof a->err);
		long k = a->zip ? imp_zip_find(a->zip, a->member_name) : -1;
		if (k < 0 || imp_zip_member_size(a->zip, (size_t)k) != a->member_size ||
		    imp_zip_input(a->zip, (size_t)k, &a->in, a->err, sizeof a->err) != 0)
			return -1;
	}
	fileimp *f = &a->fi;
	char head[64];
	long headn = a->in.read(a->in.ctx, head, sizeof head);
	if (headn < 0 || a->in.rewind(a->in.ctx) != 0 || imp_api_sniff(head, (size_t)headn))
		return -1;
	if (read_head(f) != CT_OK)
		return -1;
	f->im.ahead = 1;
	reader_setup(f);
	return 0;
}

static void *ahead_thread(void *arg)
{
	imp_ahead *a = arg;
	imp_bulk *b = a->bulk;
	/* not before the file before is read: it is the one being stored */
	pthread_mutex_lock(&b->mu);
	while (b->read < a->seq - 1 && !a->cancel)
		pthread_cond_wait(&b->cv, &b->mu);
	int go = !a->cancel;
	pthread_mutex_unlock(&b->mu);
	int ok = go && ahead_open(a) == 0;
	pthread_mutex_lock(&b->mu);
	a->ready = 1;
	a->ok = ok;
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
	if (ok)
		read_rows(&a->p);
	return NULL;
}

/* Starts reading PATH ahead, or member MEMBER of the archive Z at PATH
 * (whose file then was ZST); NULL if no thread could start. */
static imp_ahead *ahead_start(imp_bulk *b, const char *path, const imp_zip *z, const struct stat *zst, long member,
			      long long seq)
{
	imp_ahead *a = xcalloc(1, sizeof *a);
	a->bulk = b;
	a->seq = seq;
	a->path = xstrdup(path);
	a->member = member;
	if (z) {
		a->zip_st = *zst;
		a->member_name = xstrdup(imp_zip_member(z, (size_t)member));
		a->member_size = imp_zip_member_size(z, (size_t)member);
	}
	a->in = (imp_input){.name = a->path, .file_name = a->path, .size = -1};
	fileimp_init(&a->fi, b->s, b->areas, &a->in, b->mapping, &a->r, a->err, sizeof a->err);
	a->fi.im.bulk = b;
	a->fi.im.seq = seq;
	pipeline_init(&a->p, &a->fi.im);
	if (pthread_create(&a->thread, NULL, ahead_thread, a) != 0) {
		pipeline_free(&a->p);
		fileimp_release(&a->fi, CT_OK);
		free(a->member_name);
		free(a->path);
		free(a);
		return NULL;
	}
	return a;
}

/* Stops A's thread, ends what STATUS did not keep, gives the file's result
 * to OUT (unless NULL), and frees A. */
static void ahead_end(imp_ahead *a, ct_status status, imp_result *out)
{
	imp_bulk *b = a->bulk;
	pthread_mutex_lock(&b->mu);
	a->cancel = 1;
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
	pipeline_stop(&a->p);
	pthread_join(a->thread, NULL);
	pipeline_free(&a->p);
	fileimp_release(&a->fi, status);
	if (out)
		*out = a->r;
	if (a->member < 0) {
		close_input(&a->in, a->iobuf);
	} else {
		imp_zip_input_close(&a->in);
		imp_zip_close(a->zip);
	}
	free(a->member_name);
	free(a->path);
	free(a);
}

imp_bulk *imp_bulk_new(store *s, const area_set *areas, const imp_mapping *mapping)
{
	imp_bulk *b = xcalloc(1, sizeof *b);
	b->s = s;
	b->areas = areas;
	b->mapping = mapping;
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->cv, NULL);
	return b;
}

void imp_bulk_free(imp_bulk *b)
{
	if (!b)
		return;
	if (b->next)
		ahead_end(b->next, CT_OK, NULL);
	pthread_cond_destroy(&b->cv);
	pthread_mutex_destroy(&b->mu);
	free(b);
}

/* 1 when a file or member of SIZE bytes may be read ahead: one of a size
 * not imported yet (the others are hashed before they are read). */
static int worth_reading_ahead(imp_bulk *b, long long size)
{
	return size >= 0 && store_source_size_seen(b->s, size) == 0;
}

/* Takes the file or member read ahead if it is PATH's MEMBER: NULL if not
 * (one read ahead for something else is dropped). */
static imp_ahead *ahead_take(imp_bulk *b, const char *path, long member)
{
	imp_ahead *a = b->next;
	b->next = NULL;
	if (a && (strcmp(a->path, path) != 0 || a->member != member)) {
		ahead_end(a, CT_OK, NULL);
		a = NULL;
	}
	return a;
}

/* Stores A, read ahead, unless its header failed or its size has been
 * imported since (a copy of the file before): 1 and *ST, or 0 (A is gone
 * either way). */
static int ahead_store(imp_bulk *b, imp_ahead *a, imp_result *r, char *err, size_t errlen, ct_status *st)
{
	pthread_mutex_lock(&b->mu);
	while (!a->ready)
		pthread_cond_wait(&b->cv, &b->mu);
	int ok = a->ok;
	pthread_mutex_unlock(&b->mu);
	int stored = 0;
	*st = CT_OK;
	if (ok && store_source_size_seen(b->s, a->in.size) == 0) {
		a->fi.err = err;
		a->fi.errlen = errlen;
		*st = store_file(&a->fi, &a->p);
		stored = 1;
	}
	ahead_end(a, *st, stored ? r : NULL);
	if (stored)
		r->ahead = 1;
	return stored;
}

ct_status imp_bulk_file(imp_bulk *b, const char *path, const char *next, imp_result *r, char *err, size_t errlen)
{
	imp_ahead *a = ahead_take(b, path, -1);
	long long seq = ++b->seq;
	struct stat st;
	if (next && stat(next, &st) == 0 && S_ISREG(st.st_mode) && worth_reading_ahead(b, (long long)st.st_size))
		b->next = ahead_start(b, next, NULL, NULL, -1, seq + 1);
	ct_status status = CT_OK;
	if (!a || !ahead_store(b, a, r, err, errlen, &status))
		status = file_import(b->s, b->areas, path, b->mapping, r, err, errlen, b, seq);
	bulk_read(b, seq);
	return status;
}

ct_status imp_bulk_member(imp_bulk *b, imp_zip *z, size_t i, long next, imp_result *r, char *err, size_t errlen)
{
	struct stat zst;
	const char *path = imp_zip_path(z, &zst); /* NULL: not to be read ahead */
	imp_ahead *a = ahead_take(b, path ? path : "", (long)i);
	long long seq = ++b->seq;
	if (path && next >= 0 && worth_reading_ahead(b, imp_zip_member_size(z, (size_t)next)))
		b->next = ahead_start(b, path, z, &zst, next, seq + 1);
	ct_status status = CT_OK;
	if (!a || !ahead_store(b, a, r, err, errlen, &status))
		status = member_import(b->s, b->areas, z, i, b->mapping, r, err, errlen, b, seq);
	bulk_read(b, seq);
	return status;
}
