/* Saved police.uk API responses of street-level crimes (/api/crimes-street/...,
 * /api/crimes-at-location, /api/crimes-no-location): a JSON array read as rows
 * of the fields below, one per crime, each with the line it starts on. */
#ifndef CRIMETAB_APIJSON_H
#define CRIMETAB_APIJSON_H

#include <stddef.h>

#include "import/csvread.h"

/* The fields of every row, in order: the JSON paths of a crime object. */
enum {
	API_PERSISTENT_ID, API_MONTH, API_CATEGORY, API_LOCATION_TYPE, API_LATITUDE, API_LONGITUDE,
	API_STREET, API_LOCATION_SUBTYPE, API_CONTEXT, API_OUTCOME, API_OUTCOME_DATE, API_NFIELDS
};
extern const char *const imp_api_fields[API_NFIELDS];

/* The force recorded for a crime whose location_type is "Force": a response
 * does not say which force. */
#define IMP_API_FORCE "police.uk API"

/* 1 if the N bytes at HEAD (the start of a file) begin a JSON array or
 * object, after any BOM and white space: a file for the API reader. */
int imp_api_sniff(const char *head, size_t n);

typedef struct imp_api imp_api;

/* Parses the LEN bytes at TEXT (NUL-terminated) read from NAME.  NULL with
 * err "NAME:LINE: reason" when it is not valid JSON, not an array, or an empty
 * one.  TEXT must outlive the reader. */
imp_api *imp_api_parse(const char *name, const char *text, size_t len, char *err, size_t errlen);
void imp_api_free(imp_api *a);
/* Next crime: 1 and *row filled (fields valid until the next call), 0 at the
 * end.  A crime that is not an object, or whose fields have the wrong JSON
 * types, comes back with row->error saying which field. */
int imp_api_next(imp_api *a, imp_row *row);
/* Bytes of the response read so far, for progress. */
long long imp_api_bytes(const imp_api *a);

/* The police.uk CSV crime type for an API category slug ("violent-crime" ->
 * "Violence and sexual offences"), older slugs included; NULL if unknown. */
const char *imp_api_category(const char *slug);

#endif
