/*
 * elfsym.h: which functions an ELF file's own dynamic symbol table defines.
 * Reads the file's bytes only (nothing is loaded or run), every offset
 * bounded by the file's size.  Used to check a library given by path
 * (external.c) and to see past a program's canonical PLT entries when asking
 * which object serves malloc (process.c).
 */
#ifndef HB_ELFSYM_H
#define HB_ELFSYM_H

#include <stddef.h>

/* Sets bit i of *defined for each names[i] (at most 32) that the ELF64 image
 * f (size bytes) defines as a function in its dynamic symbol table.  0, or
 * -1 when the image has no readable section headers or dynamic symbols. */
int hb_elf_dynsyms(const unsigned char *f, size_t size, const char *const *names, size_t n, unsigned *defined);

/* 1 when the ELF file at path defines function `sym` in its dynamic symbol
 * table, 0 when it does not, -1 when the file cannot be read as ELF64. */
int hb_elf_file_defines(const char *path, const char *sym);

#endif
