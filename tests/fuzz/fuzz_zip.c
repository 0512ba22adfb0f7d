/* libFuzzer target: arbitrary bytes as a police.uk download zip, every
 * member imported into an in-memory store; an imported member's rows always
 * add up (read = imported + rejected) and a refusal always says why. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "import/zipin.h"
#include "store/store.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[2048] = "";
	imp_zip *z = imp_zip_open_buffer("fuzz.zip", data, size, err, sizeof err);
	if (!z) {
		fuzz_refusal_names(err, "fuzz.zip: ");
		return 0;
	}
	store *s = store_open(":memory:", 0, err, sizeof err);
	if (!s)
		abort();
	for (size_t i = 0; i < imp_zip_count(z) && i < 8; i++) {
		const char *name = imp_zip_member(z, i);
		if (!name || !*name)
			abort();
		imp_result r;
		err[0] = '\0';
		ct_status st = imp_zip_import(z, i, s, NULL, NULL, &r, err, sizeof err);
		if (st == CT_EDB)
			abort();
		if (st != CT_OK)
			fuzz_refusal_names(err, "fuzz.zip:");
		if (st == CT_OK && !r.duplicate && r.rows_read != r.imported + r.rejected)
			abort();
	}
	store_close(s);
	imp_zip_close(z);
	return 0;
}
