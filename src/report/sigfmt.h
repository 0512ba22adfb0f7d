/* Cell text for significance figures, shared by every renderer. */
#ifndef CRIMETAB_SIGFMT_H
#define CRIMETAB_SIGFMT_H

#include <stddef.h>

/* A p-value: "< 0.001" below 0.001, else two significant figures, or three
 * when two would round it across 0.1, 0.05 or 0.01 (0.0496 is "0.0496", not
 * "0.05"); "" for NaN. */
void rep_fmt_p(double p, char *buf, size_t len);

#endif
