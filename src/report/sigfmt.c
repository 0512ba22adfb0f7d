/* Cell text for significance figures. */
#include "report/sigfmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

void rep_fmt_p(double p, char *buf, size_t len)
{
	static const double marks[] = {0.1, 0.05, 0.01};
	if (isnan(p)) {
		if (len)
			buf[0] = '\0';
		return;
	}
	if (p < 0.001) {
		snprintf(buf, len, "< 0.001");
		return;
	}
	snprintf(buf, len, "%.2g", p);
	double shown = strtod(buf, NULL);
	for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
		if ((p < marks[i]) != (shown < marks[i])) {
			snprintf(buf, len, "%.3g", p);
			return;
		}
}
