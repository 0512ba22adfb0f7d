/* Importers: police.uk street, outcomes and stop-and-search CSVs, and force
 * exports described by a JSON column mapping.  One file, one transaction. */
#ifndef CRIMETAB_IMPORT_H
#define CRIMETAB_IMPORT_H

#include <stddef.h>
#include <stdio.h>

#include "areas/areas.h"
#include "core/status.h"
#include "core/util.h"
#include "store/store.h"

typedef struct imp_mapping imp_mapping;

/* Loads a column mapping: NAME_OR_PATH is a file, or the name of a built-in
 * one in templates/mappings/ ("cleveland-force-export").  NULL with err set. */
imp_mapping *imp_mapping_load(const char *name_or_path, char *err, size_t errlen);
/* Parses mapping TEXT read from PATH (for messages). */
imp_mapping *imp_mapping_parse(const char *path, const char *text, char *err, size_t errlen);
void imp_mapping_free(imp_mapping *m);

typedef struct imp_result {
	const char *kind;     /* "street", "outcomes", "stop-and-search", "force" */
	char force[128];
	int duplicate;        /* same content already imported: nothing done */
	long long source_id, rows_read, imported, rejected, superseded;
	int month_min, month_max;
	int api;              /* a saved police.uk API response (kind "street") */
	int ahead;            /* read while the file before was stored (imp_bulk_file) */
	long long held;       /* API rows that CSV files or newer responses also hold: not counted twice */
	char warning[512];    /* something about the rows to tell the user, or "" */
} imp_result;

/* Imports PATH: a CSV file, or a saved police.uk API crimes response (a JSON
 * array, recognised by its first byte; see apijson.h).  PATH must be a
 * regular file (anything else, a FIFO say, is refused with CT_EIO before it
 * is read).  AREAS (may be NULL) assigns the new crimes to town centres.
 * Months: see check_month in import.c; a row dated after the current month,
 * before the earliest month, or (in a police.uk file) in another month than
 * the file's, is a reject.  The file claims the (force, month)s of the rows
 * it imports, superseding an earlier file's rows there.
 * CT_OK: imported or a duplicate (see r).  CT_EDATA: a file-level problem
 * (unknown header, mapping does not fit, empty file); nothing stored; err is
 * "path:line: reason".  CT_EIO / CT_EDB: likewise nothing stored; CT_EBUSY
 * when another crimetab held the write lock past the wait. */
ct_status imp_file(store *s, const area_set *areas, const char *path, const imp_mapping *mapping, imp_result *r,
		   char *err, size_t errlen);

/* Writes source SRC's file back to OUT from what the store holds: a police.uk
 * file byte for byte (checked against its SHA-256), a force export as its
 * mapped columns.  CT_OK; CT_EDATA (err set) when the store cannot give it
 * back (rows superseded, or imported before crimetab kept the layout and it
 * did not come back exactly); CT_EDB, CT_EIO.  Whatever was written to OUT
 * is then not the file. */
ct_status imp_export_raw(store *s, const store_source *src, FILE *out, char *err, size_t errlen);
/* Rows dated before this month are rejected unless imp_set_earliest_month
 * says otherwise (police.uk begins in December 2010). */
#define IMP_EARLIEST_MONTH CT_MONTH(2000, 1)
/* Imports many files, one after another as imp_file does each: the next
 * one is read while this one is stored. */
typedef struct imp_bulk imp_bulk;
imp_bulk *imp_bulk_new(store *s, const area_set *areas, const imp_mapping *mapping);
/* imp_file for PATH; NEXT, when not NULL, is the file to be imported after
 * it (by the next call), read ahead meanwhile. */
ct_status imp_bulk_file(imp_bulk *b, const char *path, const char *next, imp_result *r, char *err, size_t errlen);
/* Ends the import (a file read ahead is dropped). */
void imp_bulk_free(imp_bulk *b);

/* Sets the earliest month imp_file accepts, for every file after. */
void imp_set_earliest_month(int month);

/* Where an imported file's bytes come from: a file on disk, or a member of a
 * zip archive read without unpacking it (zipin.h). */
typedef struct imp_input {
	const char *name;      /* recorded as the source's path; messages start with it */
	const char *file_name; /* where a police.uk name (YYYY-MM-<force>-<kind>.csv) is read from */
	long long size;        /* bytes, or -1 when not known */
	/* Up to N bytes into BUF: the count, 0 at the end, -1 on an error. */
	long (*read)(void *ctx, char *buf, size_t n);
	/* Back to the first byte: 0, or -1. */
	int (*rewind)(void *ctx);
	/* Why the last read failed, or NULL for strerror(errno); may be NULL. */
	const char *(*error)(void *ctx);
	void *ctx;
} imp_input;

/* Imports IN, like imp_file; IN's read and error functions may be called from
 * a second thread, but never at the same time as each other. */
ct_status imp_input_import(store *s, const area_set *areas, const imp_input *in, const imp_mapping *mapping,
			   imp_result *r, char *err, size_t errlen);

/* Parses a police.uk file name "YYYY-MM-<force>-<kind>.csv": 0 and the parts,
 * or -1.  force_slug gets at least 64 bytes. */
int imp_parse_policeuk_name(const char *path, int *month, char *force_slug, size_t slug_len, const char **kind);

/* Parses a date in FORMAT ("dd/mm/yyyy", "yyyy-mm-dd", "yyyy-mm",
 * "dd-mm-yyyy", "mm/dd/yyyy"), ignoring a trailing time after a space or 'T':
 * 0 and the month index, or -1. */
int imp_parse_date(const char *format, const char *s, int *month);

#endif
