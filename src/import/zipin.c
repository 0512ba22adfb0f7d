/* Zip members as import inputs: libzip inflates a member as the CSV reader
 * asks for bytes, and checks its CRC at the end, so a damaged member fails
 * inside its own transaction and leaves nothing behind. */
#include "import/zipin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zip.h>

#include "core/util.h"

typedef struct zmember {
	char *name;
	zip_uint64_t index;
	long long size; /* -1 when the directory does not say */
} zmember;

struct imp_zip {
	char *path;
	int on_disk;    /* opened from PATH (not a buffer): it can be opened again */
	struct stat st; /* PATH's file then, when on_disk */
	zip_t *za;
	zmember *m;
	size_t n;
};

int imp_zip_is_zip(const char *path)
{
	size_t n = strlen(path);
	if (n > 4 && strcasecmp(path + n - 4, ".zip") == 0)
		return 1;
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	unsigned char magic[4] = {0};
	size_t k = fread(magic, 1, sizeof magic, f);
	fclose(f);
	/* a local file header, or the end record of an empty archive */
	return k == 4 && magic[0] == 'P' && magic[1] == 'K' &&
	       ((magic[2] == 3 && magic[3] == 4) || (magic[2] == 5 && magic[3] == 6));
}

static int cmp_member(const void *a, const void *b)
{
	return strcmp(((const zmember *)a)->name, ((const zmember *)b)->name);
}

/* Why libzip refused to open an archive, in words a user can act on. */
static void open_error(const char *name, int code, char *err, size_t errlen)
{
	zip_error_t ze;
	zip_error_init_with_code(&ze, code);
	const char *hint = code == ZIP_ER_NOZIP ? " (the file is truncated, or not a zip archive)"
			   : code == ZIP_ER_INCONS ? " (the archive is damaged or truncated)"
			   : "";
	snprintf(err, errlen, "%s: cannot read the zip archive: %s%s", name, zip_error_strerror(&ze), hint);
	zip_error_fini(&ze);
}

/* Lists the archive's file members; NULL (err set) and ZA closed on failure. */
static imp_zip *list_members(const char *name, zip_t *za, char *err, size_t errlen)
{
	zip_int64_t n = zip_get_num_entries(za, 0);
	if (n < 0) {
		snprintf(err, errlen, "%s: cannot read the zip archive: %s", name, zip_strerror(za));
		zip_discard(za);
		return NULL;
	}
	imp_zip *z = xcalloc(1, sizeof *z);
	z->path = xstrdup(name);
	z->za = za;
	z->m = xcalloc((size_t)n + 1, sizeof *z->m);
	for (zip_uint64_t i = 0; i < (zip_uint64_t)n; i++) {
		zip_stat_t st;
		if (zip_stat_index(za, i, 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME)) {
			snprintf(err, errlen, "%s: member %llu: cannot read its directory entry: %s", name,
				 (unsigned long long)i + 1, zip_strerror(za));
			imp_zip_close(z);
			return NULL;
		}
		size_t len = strlen(st.name);
		if (len == 0 || st.name[len - 1] == '/')
			continue; /* a folder */
		zmember *m = &z->m[z->n++];
		m->name = xstrdup(st.name);
		m->index = i;
		m->size = (st.valid & ZIP_STAT_SIZE) && st.size <= (zip_uint64_t)INT64_MAX ? (long long)st.size : -1;
	}
	if (z->n > 1)
		qsort(z->m, z->n, sizeof *z->m, cmp_member);
	return z;
}

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Opens the archive PATH with libzip's FLAGS, and lists its members.  SAME:
 * only if PATH is still that file. */
static imp_zip *open_path(const char *path, int flags, const struct stat *same, char *err, size_t errlen)
{
	struct stat before, after;
	int known = stat(path, &before) == 0;
	if (same && (!known || !same_file(same, &before))) {
		snprintf(err, errlen, "%s: changed since it was first opened", path);
		return NULL;
	}
	int code = 0;
	zip_t *za = zip_open(path, ZIP_RDONLY | flags, &code);
	if (!za) {
		if (code == ZIP_ER_NOENT || code == ZIP_ER_OPEN || code == ZIP_ER_READ)
			snprintf(err, errlen, "%s: cannot open: %s", path, strerror(code == ZIP_ER_NOENT ? ENOENT : errno));
		else
			open_error(path, code, err, errlen);
		return NULL;
	}
	imp_zip *z = list_members(path, za, err, errlen);
	/* the file opened is the one seen before and after: it can be found
	 * again by its path as long as that is still so */
	if (z && known && stat(path, &after) == 0 && same_file(&before, &after)) {
		z->on_disk = 1;
		z->st = before;
	} else if (z && same) {
		imp_zip_close(z);
		snprintf(err, errlen, "%s: changed since it was first opened", path);
		return NULL;
	}
	return z;
}

imp_zip *imp_zip_open(const char *path, char *err, size_t errlen)
{
	return open_path(path, ZIP_CHECKCONS, NULL, err, errlen);
}

imp_zip *imp_zip_open_again(const char *path, const struct stat *same, char *err, size_t errlen)
{
	return open_path(path, 0, same, err, errlen); /* imp_zip_open checked its directory */
}

const char *imp_zip_path(const imp_zip *z, struct stat *st)
{
	if (!z->on_disk)
		return NULL;
	if (st)
		*st = z->st;
	return z->path;
}

long imp_zip_find(const imp_zip *z, const char *name)
{
	for (size_t i = 0; i < z->n; i++)
		if (strcmp(z->m[i].name, name) == 0)
			return (long)i;
	return -1;
}

imp_zip *imp_zip_open_buffer(const char *name, const void *data, size_t size, char *err, size_t errlen)
{
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(data, size, 0, &ze);
	zip_t *za = src ? zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze) : NULL;
	if (!za) {
		open_error(name, zip_error_code_zip(&ze), err, errlen);
		if (src)
			zip_source_free(src);
		zip_error_fini(&ze);
		return NULL;
	}
	zip_error_fini(&ze);
	return list_members(name, za, err, errlen);
}

void imp_zip_close(imp_zip *z)
{
	if (!z)
		return;
	zip_discard(z->za); /* read-only: nothing to write back */
	for (size_t i = 0; i < z->n; i++)
		free(z->m[i].name);
	free(z->m);
	free(z->path);
	free(z);
}

size_t imp_zip_count(const imp_zip *z)
{
	return z->n;
}

const char *imp_zip_member(const imp_zip *z, size_t i)
{
	return z->m[i].name;
}

long long imp_zip_member_size(const imp_zip *z, size_t i)
{
	return z->m[i].size;
}

/* One member being read: the imp_input behind it. */
typedef struct zreader {
	imp_zip *z;
	const zmember *m;
	zip_file_t *zf;
	char why[256];
} zreader;

static long member_read(void *ctx, char *buf, size_t n)
{
	zreader *zr = ctx;
	zip_int64_t k = zip_fread(zr->zf, buf, n);
	if (k < 0) {
		zip_error_t *ze = zip_file_get_error(zr->zf);
		int code = zip_error_code_zip(ze);
		snprintf(zr->why, sizeof zr->why, "%s%s", zip_error_strerror(ze),
			 code == ZIP_ER_CRC || code == ZIP_ER_ZLIB || code == ZIP_ER_COMPRESSED_DATA || code == ZIP_ER_EOF
				 ? " (the zip member is damaged or truncated)"
				 : "");
		return -1;
	}
	return (long)k;
}

static int member_open(zreader *zr)
{
	zr->zf = zip_fopen_index(zr->z->za, zr->m->index, 0);
	if (!zr->zf) {
		snprintf(zr->why, sizeof zr->why, "cannot open the zip member: %s", zip_strerror(zr->z->za));
		return -1;
	}
	return 0;
}

static int member_rewind(void *ctx)
{
	zreader *zr = ctx;
	zip_fclose(zr->zf);
	zr->zf = NULL;
	return member_open(zr);
}

static const char *member_error(void *ctx)
{
	const zreader *zr = ctx;
	return zr->why[0] ? zr->why : NULL;
}

int imp_zip_input(imp_zip *z, size_t i, imp_input *in, char *err, size_t errlen)
{
	zreader *zr = xcalloc(1, sizeof *zr);
	zr->z = z;
	zr->m = &z->m[i];
	char *name = xasprintf("%s:%s", z->path, zr->m->name);
	if (member_open(zr) != 0) {
		snprintf(err, errlen, "%s: %s", name, zr->why);
		free(name);
		free(zr);
		return -1;
	}
	*in = (imp_input){.name = name, .file_name = zr->m->name, .size = zr->m->size, .read = member_read,
			  .rewind = member_rewind, .error = member_error, .ctx = zr};
	return 0;
}

void imp_zip_input_close(imp_input *in)
{
	zreader *zr = in->ctx;
	if (!zr)
		return;
	if (zr->zf) /* NULL when opening it again to rewind failed */
		zip_fclose(zr->zf);
	free(zr);
	free((char *)in->name);
	in->ctx = NULL;
	in->name = NULL;
}
