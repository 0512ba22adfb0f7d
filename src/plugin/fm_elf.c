/* Checks a plugin file's ELF structure against its size before dlopen maps
 * it: mapping a segment past the end of a truncated file kills the process
 * with SIGBUS when the loader touches it. */
#include "plugin/fm_elf.h"

#include "core/util.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__x86_64__)
#define HOST_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define HOST_MACHINE EM_AARCH64
#elif defined(__i386__)
#define HOST_MACHINE EM_386
#elif defined(__arm__)
#define HOST_MACHINE EM_ARM
#elif defined(__riscv)
#define HOST_MACHINE EM_RISCV
#elif defined(__powerpc64__)
#define HOST_MACHINE EM_PPC64
#elif defined(__s390x__)
#define HOST_MACHINE EM_S390
#else
#define HOST_MACHINE EM_NONE /* unknown here: not checked */
#endif

/* Larger than any plugin could reasonably be. */
#define MAX_PLUGIN_BYTES (1ULL << 31)

/* Reads N bytes at OFF; 0, or -1. */
static int read_at(int fd, void *buf, size_t n, uint64_t off)
{
	ssize_t k = pread(fd, buf, n, (off_t)off);
	return k == (ssize_t)n ? 0 : -1;
}

/* True if [OFF, OFF + COUNT * SIZE) lies inside a file of FILE bytes. */
static int inside(uint64_t off, uint64_t count, uint64_t size, uint64_t file)
{
	if (count && size > UINT64_MAX / count)
		return 0;
	uint64_t n = count * size;
	return off <= file && n <= file - off;
}

static int check(int fd, const char *path, uint64_t fsize, char *err, size_t errlen)
{
	ElfW(Ehdr) eh;
	if (fsize < sizeof eh || read_at(fd, &eh, sizeof eh, 0) != 0 || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) {
		snprintf(err, errlen, "%s: refusing plugin: not a shared library (no ELF header)", path);
		return -1;
	}
	static const union {
		uint16_t u;
		unsigned char c[2];
	} order = {1};
	int want_class = sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32;
	int want_data = order.c[0] ? ELFDATA2LSB : ELFDATA2MSB;
	if (eh.e_ident[EI_CLASS] != want_class || eh.e_ident[EI_DATA] != want_data ||
	    (HOST_MACHINE != EM_NONE && eh.e_machine != HOST_MACHINE)) {
		snprintf(err, errlen, "%s: refusing plugin: built for another kind of machine (ELF class %d, machine %d)",
			 path, eh.e_ident[EI_CLASS], eh.e_machine);
		return -1;
	}
	if (eh.e_type != ET_DYN) {
		snprintf(err, errlen, "%s: refusing plugin: not a shared library (ELF type %d)", path, eh.e_type);
		return -1;
	}
	if (eh.e_phentsize != sizeof(ElfW(Phdr)) || eh.e_phnum == 0 ||
	    !inside(eh.e_phoff, eh.e_phnum, sizeof(ElfW(Phdr)), fsize)) {
		snprintf(err, errlen, "%s: refusing plugin: its program headers are not in its %llu bytes (truncated?)",
			 path, (unsigned long long)fsize);
		return -1;
	}
	if (eh.e_shoff && (eh.e_shentsize != sizeof(ElfW(Shdr)) || !inside(eh.e_shoff, eh.e_shnum, sizeof(ElfW(Shdr)), fsize))) {
		snprintf(err, errlen, "%s: refusing plugin: its section headers are not in its %llu bytes (truncated?)",
			 path, (unsigned long long)fsize);
		return -1;
	}
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		ElfW(Phdr) ph;
		if (read_at(fd, &ph, sizeof ph, eh.e_phoff + (uint64_t)i * sizeof ph) != 0) {
			snprintf(err, errlen, "%s: refusing plugin: cannot read it: %s", path, strerror(errno));
			return -1;
		}
		if (ph.p_type == PT_LOAD && !inside(ph.p_offset, 1, ph.p_filesz, fsize)) {
			snprintf(err, errlen, "%s: refusing plugin: a segment ends at byte %llu of a %llu-byte file "
					      "(truncated?)", path, (unsigned long long)ph.p_offset + ph.p_filesz,
				 (unsigned long long)fsize);
			return -1;
		}
	}
	return 0;
}

int fm_elf_check(const char *file, const char *path, char *err, size_t errlen)
{
	struct stat st;
	char why[512];
	int fd = ct_open_regular(file, &st, why, sizeof why);
	if (fd < 0) {
		/* why names FILE, the resolved path: say PATH, as the user gave it */
		const char *reason = strstr(why, ": ");
		snprintf(err, errlen, "%s: refusing plugin: %s", path, reason ? reason + 2 : why);
		return -1;
	}
	int rc = -1;
	if ((uint64_t)st.st_size > MAX_PLUGIN_BYTES)
		snprintf(err, errlen, "%s: refusing plugin: %llu bytes is too large for a plugin", path,
			 (unsigned long long)st.st_size);
	else
		rc = check(fd, path, (uint64_t)st.st_size, err, errlen);
	close(fd);
	return rc;
}
