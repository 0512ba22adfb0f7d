/* A plugin file checked before dlopen: a truncated or foreign file would
 * crash the loader (SIGBUS) instead of failing with a message. */
#ifndef CRIMETAB_FM_ELF_H
#define CRIMETAB_FM_ELF_H

#include <stddef.h>

/* 0 if FILE is a regular file that is a whole shared library for this
 * machine: an ELF header of this process's class, byte order and machine,
 * of type ET_DYN, with its program headers, every loadable segment and its
 * section headers inside the file.  Else -1, err being "PATH: refusing
 * plugin: reason" (PATH: the name the user gave FILE by). */
int fm_elf_check(const char *file, const char *path, char *err, size_t errlen);

#endif
