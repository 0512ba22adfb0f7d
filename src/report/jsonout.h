/* What the JSON renderings (the report and the evaluation) build their
 * documents with, on cJSON.  Internal to report/. */
#ifndef CRIMETAB_JSONOUT_H
#define CRIMETAB_JSONOUT_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>

/* cJSON returns NULL when malloc fails; one flag catches every such miss
 * so a half-built document is never written.  Zero-initialise. */
typedef struct rep_json {
	int oom;
} rep_json;

/* Adds ITEM to object PARENT as KEY, or to ARRAY; a NULL ITEM, or one that
 * cannot be added (then freed), sets J->oom. */
void rep_json_add(rep_json *j, cJSON *parent, const char *key, cJSON *item);
void rep_json_push(rep_json *j, cJSON *array, cJSON *item);
/* S as a string, or null. */
cJSON *rep_json_str_or_null(const char *s);
/* MONTH as "YYYY-MM". */
cJSON *rep_json_month(int month);
/* The N strings LINES as an array. */
cJSON *rep_json_lines(rep_json *j, char *const *lines, size_t n);
/* Writes DOC to OUT, indented and ending in a newline, unless J->oom or DOC
 * is NULL; frees DOC.  0, or -1 when nothing (or not all) could be written. */
int rep_json_write(rep_json *j, cJSON *doc, FILE *out);

#endif
