/* libFuzzer target: force-export column mappings, and the date and police.uk
 * file-name parsers that read the same outside input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "import/import.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_month(int rc, int month)
{
	if (rc == 0 && (month < CT_MONTH(1900, 1) || month > CT_MONTH(9999, 12)))
		abort();
	if (rc != 0 && rc != -1)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	if (!text)
		return 0;

	char err[512] = "";
	imp_mapping *m = imp_mapping_parse("fuzz.json", text, err, sizeof err);
	if (!m)
		fuzz_refusal_names(err, "fuzz.json:");
	imp_mapping_free(m);

	if (size < 256) {
		static const char *const formats[] = {"dd/mm/yyyy", "yyyy-mm-dd", "yyyy-mm", "dd-mm-yyyy", "mm/dd/yyyy"};
		for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
			int month = -1;
			check_month(imp_parse_date(formats[i], text, &month), month);
		}
		int month = -1;
		char slug[64];
		const char *kind = NULL;
		if (imp_parse_policeuk_name(text, &month, slug, sizeof slug, &kind) == 0) {
			check_month(0, month);
			if (!*slug || strchr(slug, '/') || strlen(slug) >= sizeof slug || !kind)
				abort();
			if (strcmp(kind, "street") && strcmp(kind, "outcomes") && strcmp(kind, "stop-and-search"))
				abort();
		}
	}
	free(text);
	return 0;
}
