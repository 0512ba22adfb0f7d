/* police.uk download zips (a custom download or a monthly archive) read in
 * place with libzip: each member is imported as a file of its own, named
 * "archive.zip:YYYY-MM/YYYY-MM-<force>-<kind>.csv". */
#ifndef CRIMETAB_ZIPIN_H
#define CRIMETAB_ZIPIN_H

#include <stddef.h>
#include <sys/stat.h>

#include "import/import.h"

typedef struct imp_zip imp_zip;

/* 1 if PATH is a zip archive by its name (*.zip) or its first bytes, 0 if
 * not, -1 if it cannot be read. */
int imp_zip_is_zip(const char *path);

/* Opens the archive PATH and checks its directory: NULL with err set
 * ("PATH: reason") when it is not a readable zip, truncated included. */
imp_zip *imp_zip_open(const char *path, char *err, size_t errlen);
/* The same for an archive held in memory (SIZE bytes at DATA, which must
 * outlive the handle); NAME is used in messages and source names. */
imp_zip *imp_zip_open_buffer(const char *name, const void *data, size_t size, char *err, size_t errlen);
/* Opens the archive PATH again, which imp_zip_open checked: a handle of
 * its own for another thread (libzip's are not to be shared).  Only if
 * PATH is still the file SAME describes (from imp_zip_path): else NULL,
 * with err set. */
imp_zip *imp_zip_open_again(const char *path, const struct stat *same, char *err, size_t errlen);
/* The archive's path, and its file then into *ST (unless NULL); NULL for
 * one that cannot be opened again (held in memory, or it changed while it
 * was being opened). */
const char *imp_zip_path(const imp_zip *z, struct stat *st);
/* The index of the member called NAME, or -1. */
long imp_zip_find(const imp_zip *z, const char *name);
/* Closes; accepts NULL. */
void imp_zip_close(imp_zip *z);

/* The members that are files (folders left out), sorted by name so that
 * months are imported in order. */
size_t imp_zip_count(const imp_zip *z);
/* Member I's name inside the archive ("2024-09/2024-09-cleveland-street.csv"). */
const char *imp_zip_member(const imp_zip *z, size_t i);
/* Member I's size unpacked, as the directory says, or -1. */
long long imp_zip_member_size(const imp_zip *z, size_t i);

/* Member I as an import input (IN's name "archive.zip:member" is its own):
 * 0, or -1 with err set.  Close it with imp_zip_input_close. */
int imp_zip_input(imp_zip *z, size_t i, imp_input *in, char *err, size_t errlen);
void imp_zip_input_close(imp_input *in);

/* Imports member I like imp_file: it is read without unpacking to disk, its
 * hash is of its content (the same CSV imported from a folder is a
 * duplicate), and a member that cannot be read whole (damaged, truncated,
 * encrypted) is an error with nothing of it stored. */
ct_status imp_zip_import(imp_zip *z, size_t i, store *s, const area_set *areas, const imp_mapping *mapping,
			 imp_result *r, char *err, size_t errlen);
/* The same within imp_bulk_file's import of many files (import.h): NEXT,
 * when not -1, is the member of Z to be imported after it, read ahead
 * meanwhile. */
ct_status imp_bulk_member(imp_bulk *b, imp_zip *z, size_t i, long next, imp_result *r, char *err, size_t errlen);

#endif
