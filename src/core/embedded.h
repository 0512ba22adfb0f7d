/* Files compiled into the binary at build time (sql/ and templates/). */
#ifndef CRIMETAB_EMBEDDED_H
#define CRIMETAB_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
	const char *name; /* path relative to the source tree, e.g. "sql/001_init.sql" */
	const char *data; /* NUL-terminated contents */
	size_t len;
};

/* Terminated by an entry whose name is NULL. */
extern const struct embedded_file embedded_files[];

/* The embedded file called NAME, or NULL. */
const struct embedded_file *embedded_find(const char *name);

#endif
