/* libFuzzer target: arbitrary bytes as a saved police.uk API response,
 * touching every field and raw text of every crime the reader hands out. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "import/apijson.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	if (!text)
		return 0;
	char err[512] = "";
	imp_api *a = imp_api_parse("fuzz.json", text, size, err, sizeof err);
	if (!a)
		fuzz_refusal_names(err, "fuzz.json:");
	imp_row row;
	long long last = 0, lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += text[i] == '\n';
	unsigned sum = 0;
	int rows = 0;
	while (a && imp_api_next(a, &row) == 1) {
		rows++;
		/* crimes come in order and start on a line that exists */
		if (row.line < last || row.line < 1 || row.line > lines || !row.raw)
			abort();
		last = row.line;
		for (const char *p = row.raw; *p; p++)
			sum += (unsigned char)*p;
		if (row.error) {
			if (row.nfields != 0 || !*row.error)
				abort();
			continue;
		}
		if (row.nfields != API_NFIELDS)
			abort();
		for (size_t i = 0; i < row.nfields; i++)
			if (strlen(row.fields[i]) != row.lens[i])
				abort();
		const char *type = imp_api_category(row.fields[API_CATEGORY]);
		if (type && !*type)
			abort();
	}
	if (a && (rows == 0 || imp_api_bytes(a) != (long long)size))
		abort();
	volatile unsigned sink = sum;
	(void)sink;
	imp_api_free(a);
	free(text);
	return 0;
}
