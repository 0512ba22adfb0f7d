/* One status enum and one message table for every module, from one list.
 * The codes are crimetab's exit statuses; the messages are the table that
 * `crimetab --help`, the man page and the README print. */
#ifndef CRIMETAB_STATUS_H
#define CRIMETAB_STATUS_H

#define CT_STATUS_LIST(X) \
	X(CT_OK,        0, "success") \
	X(CT_EUSAGE,    2, "bad usage: an unknown command or option, a missing or bad value") \
	X(CT_EDATA,     3, "invalid input: a data, mapping, taxonomy, areas or config file that can be read but not used") \
	X(CT_EMISSING,  4, "reports written, but figures rest on months missing from the data (each named in a warning)") \
	X(CT_EIO,       5, "a file could not be read or written: any input (data, mapping, taxonomy, areas, config) or an output") \
	X(CT_EDB,       6, "database error") \
	X(CT_EBUSY,     7, "database busy: another crimetab held the write lock past the wait time") \
	X(CT_EPLUGIN,   8, "face-match plugin refused, crashed or failed") \
	X(CT_EPARTIAL,  9, "done with problems (crimetab run): some inputs were skipped (each named in an error), the rest was imported and the reports written")

typedef enum {
#define CT_STATUS_ENUM(name, code, msg) name = code,
	CT_STATUS_LIST(CT_STATUS_ENUM)
#undef CT_STATUS_ENUM
} ct_status;

/* A lowercase description of STATUS (the exit-status table's line); never NULL. */
const char *ct_strerror(ct_status status);

#endif
