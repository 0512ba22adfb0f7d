/* What the libFuzzer targets share: the input as a string, as the parsers
 * take it, and the promise every parser's refusal keeps. */
#ifndef CRIMETAB_FUZZ_UTIL_H
#define CRIMETAB_FUZZ_UTIL_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The SIZE bytes at DATA and a NUL after them; the caller frees it.  NULL
 * when memory runs out (the target then skips the input). */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return NULL;
	memcpy(text, data, size);
	text[size] = '\0';
	return text;
}

/* A refusal always says why, starting with the file's name: aborts unless
 * the message ERR starts with PREFIX. */
static inline void fuzz_refusal_names(const char *err, const char *prefix)
{
	if (strncmp(err, prefix, strlen(prefix)) != 0)
		abort();
}

#endif
