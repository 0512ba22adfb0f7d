/* libFuzzer target: arbitrary bytes through the CSV row reader, touching
 * every byte of every field and raw row it hands out. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/csvread.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	/* fmemopen reads from the buffer in "r" mode and never writes it */
	FILE *f = fmemopen((void *)(uintptr_t)data, size, "r");
	if (!f)
		return 0;
	/* at most a line per LF and per CR (a file whose first line ends in a
	 * CR alone has lines that end at CRs) */
	long long lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n' || data[i] == '\r';
	imp_reader *r = imp_reader_new(f);
	imp_row row;
	long long last = 0;
	unsigned sum = 0;
	int rc;
	while ((rc = imp_reader_next(r, &row)) == 1) {
		/* rows come in file order and start on a line that exists */
		if (row.line < 1 || row.line < last || row.line > lines)
			abort();
		last = row.line;
		size_t rawlen = strlen(row.raw);
		if (rawlen > IMP_MAX_ROW_BYTES)
			abort();
		for (size_t k = 0; k < rawlen; k++)
			sum += (unsigned char)row.raw[k];
		if (row.error) {
			if (row.nfields != 0 || !*row.error)
				abort();
			continue;
		}
		for (size_t i = 0; i < row.nfields; i++) {
			const char *p = row.fields[i];
			for (size_t k = 0; k < row.lens[i]; k++)
				sum += (unsigned char)p[k];
			if (p[row.lens[i]] != '\0')
				abort();
		}
	}
	/* a memory stream has no read errors, and all of it is consumed */
	if (rc != 0 || imp_reader_bytes(r) != (long long)size)
		abort();
	volatile unsigned sink = sum;
	(void)sink;
	imp_reader_free(r);
	fclose(f);
	return 0;
}
