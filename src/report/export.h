/* Exporters: each renders a finished report model and computes nothing. */
#ifndef CRIMETAB_EXPORT_H
#define CRIMETAB_EXPORT_H

#include <stddef.h>
#include <stdio.h>

#include "report/model.h"

/* Markdown scrutiny tables (per area: a summary and the full table). 0 or -1. */
int rep_write_markdown(const rep_report *r, FILE *out);
/* Tidy CSV: one row per area x row x window; formula-looking text escaped. */
int rep_write_csv(const rep_report *r, FILE *out);
/* The model as a JSON document with a schema version (cJSON). */
int rep_write_json(const rep_report *r, FILE *out);
/* A committee-ready workbook written to PATH (libxlsxwriter), in the
 * "sheets" layout.  0 or -1 with err. */
int rep_write_xlsx(const rep_report *r, const char *path, char *err, size_t errlen);
/* The workbook's layouts: a sheet per area (the committee paper's), or one
 * long table with the area as a column (for hundreds or thousands of areas). */
enum { REP_XLSX_SHEETS, REP_XLSX_LONG };
/* rep_write_xlsx in LAYOUT, a REP_XLSX_* value. */
int rep_write_xlsx_layout(const rep_report *r, const char *path, int layout, char *err, size_t errlen);

#endif
