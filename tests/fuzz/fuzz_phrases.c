/* libFuzzer target: Highlights sentence templates, which councils reword. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report/phrases.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	if (!text)
		return 0;
	char err[1024] = "";
	rep_phrases *ph = rep_phrases_parse("fuzz.json", text, err, sizeof err);
	if (!ph)
		fuzz_refusal_names(err, "fuzz.json: ");
	if (ph) {
		const char *v[REP_PV_COUNT];
		for (int i = 0; i < REP_PV_COUNT; i++)
			v[i] = rep_phrase_var_name[i];
		for (int k = 0; k < REP_PH_COUNT; k++)
			free(rep_phrase_fill(ph, (rep_phrase)k, v));
	}
	rep_phrases_free(ph);
	free(text);
	return 0;
}
