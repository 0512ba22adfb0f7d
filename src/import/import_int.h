/* What the importer and the raw export share: police.uk's headers, the
 * mapping fields, and how a stored row is written back as CSV. */
#ifndef CRIMETAB_IMPORT_INT_H
#define CRIMETAB_IMPORT_INT_H

#include <nettle/sha2.h>
#include <stddef.h>

#include "core/util.h"
#include "store/store.h"

enum { IMP_STREET_COLS = 12, IMP_OUTCOMES_COLS = 10, IMP_STOP_COLS = 15 };
extern const char *const imp_street_header[IMP_STREET_COLS];
extern const char *const imp_outcomes_header[IMP_OUTCOMES_COLS];
extern const char *const imp_stop_header[IMP_STOP_COLS];

/* Mapping fields, in the order of the "columns" object's keys. */
#define MAP_FIELDS(X) \
	X(crime_id) X(date) X(category) X(offence_code) X(area) X(location) \
	X(longitude) X(latitude) X(lsoa_code) X(lsoa_name) X(outcome)

enum {
#define MAP_ENUM(f) MAP_##f,
	MAP_FIELDS(MAP_ENUM)
#undef MAP_ENUM
	MAP_COUNT
};
extern const char *const imp_map_keys[MAP_COUNT];

/* Room for any number written back (a coordinate, a month, a date). */
typedef char imp_num[48];

/* Appends fields F[0..N) to SB as one CSV line, without a line ending: a
 * field is quoted only when it holds a comma, a quote or a line break, as
 * police.uk does. */
void imp_csv_line(strbuf *sb, const char *const *f, size_t n);
/* CTX's digest as 64 lowercase hex digits (as sources.sha256 holds it). */
void imp_sha256_hex(struct sha256_ctx *ctx, char hex[65]);

/* The fields of a stored row in its file's column order, as the file had
 * them when the row holds no raw text: numbers are written into NUM. */
void imp_street_fields(const store_crime *c, const char *f[IMP_STREET_COLS], imp_num num[4]);
void imp_outcome_fields(const store_outcome *o, const char *f[IMP_OUTCOMES_COLS], imp_num num[4]);
void imp_stop_fields(const store_stop *x, const char *f[IMP_STOP_COLS], imp_num num[4]);
/* A force-export crime's mapped fields, in MAP_FIELDS order (unmapped ones
 * too: the caller writes those MAPPED says are mapped). */
void imp_force_fields(const store_crime *c, const char *f[MAP_COUNT], imp_num num[4]);

#endif
