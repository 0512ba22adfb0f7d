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
/* The workbook's layouts: a sheet per area (the committee paper's), one
 * long table with the area as a column (for hundreds or thousands of areas),
 * or AUTO, the default: sheets for up to REP_XLSX_SHEETS_MAX areas, long
 * above that. */
enum { REP_XLSX_SHEETS, REP_XLSX_LONG, REP_XLSX_AUTO };
/* 100 area sheets cover every ward of a force (Cleveland's four councils have
 * about 80) or of the largest council (Birmingham, 69), print as 100 pages,
 * and cost about 5 MB (50 KB a sheet, docs/performance.md) and 100 open
 * files.  Beyond that a reader needs the long table's filter, not tabs: 7,000
 * sheets take 420 MiB to write and cannot be browsed. */
enum { REP_XLSX_SHEETS_MAX = 100 };
/* "sheets", "long", "auto": the option values, indexed by REP_XLSX_*. */
extern const char *const rep_xlsx_layout_name[3];
/* The layout a workbook of NAREAS areas gets: REP_XLSX_AUTO resolved as
 * above, SHEETS and LONG as they are. */
int rep_xlsx_layout_for(int layout, size_t nareas);
/* rep_write_xlsx in LAYOUT, a REP_XLSX_* value (AUTO: rep_xlsx_layout_for
 * the report's areas). */
int rep_write_xlsx_layout(const rep_report *r, const char *path, int layout, char *err, size_t errlen);

#endif
