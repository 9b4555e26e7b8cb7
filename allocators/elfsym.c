/*
 * elfsym.c: the functions an ELF64 file's dynamic symbol table defines
 * (elfsym.h).  Structures are copied out with memcpy (a file's offsets need
 * not be aligned) and every range is checked against the file's size.
 */
#define _GNU_SOURCE
#include "elfsym.h"

#include <elf.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Within [0, size): the range [off, off + len). */
static int in_file(uint64_t off, uint64_t len, size_t size) { return off <= size && len <= size - off; }

int hb_elf_dynsyms(const unsigned char *f, size_t size, const char *const *names, size_t n, unsigned *defined)
{
    Elf64_Ehdr eh;
    Elf64_Shdr dynsym, strtab, sh;
    *defined = 0;
    if (size < sizeof eh || memcmp(f, ELFMAG, SELFMAG) != 0 || f[EI_CLASS] != ELFCLASS64)
        return -1;
    memcpy(&eh, f, sizeof eh);
    if (eh.e_shentsize != sizeof(Elf64_Shdr) || !in_file(eh.e_shoff, (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr), size))
        return -1;
    int found = 0;
    memset(&dynsym, 0, sizeof dynsym);
    memset(&strtab, 0, sizeof strtab);
    for (unsigned i = 0; i < eh.e_shnum; i++) {
        memcpy(&sh, f + eh.e_shoff + (size_t)i * sizeof sh, sizeof sh);
        if (sh.sh_type == SHT_DYNSYM) {
            dynsym = sh;
            found = 1;
        }
    }
    if (!found || dynsym.sh_link >= eh.e_shnum || dynsym.sh_entsize != sizeof(Elf64_Sym))
        return -1;
    memcpy(&strtab, f + eh.e_shoff + (size_t)dynsym.sh_link * sizeof strtab, sizeof strtab);
    if (!in_file(dynsym.sh_offset, dynsym.sh_size, size) || !in_file(strtab.sh_offset, strtab.sh_size, size))
        return -1;
    const char *str = (const char *)(f + strtab.sh_offset);
    size_t nsym = dynsym.sh_size / sizeof(Elf64_Sym), strsize = strtab.sh_size;
    for (size_t i = 0; i < nsym; i++) {
        Elf64_Sym sym;
        memcpy(&sym, f + dynsym.sh_offset + i * sizeof sym, sizeof sym);
        unsigned type = ELF64_ST_TYPE(sym.st_info), bind = ELF64_ST_BIND(sym.st_info);
        if (sym.st_shndx == SHN_UNDEF || sym.st_name >= strsize || (type != STT_FUNC && type != STT_GNU_IFUNC) ||
            (bind != STB_GLOBAL && bind != STB_WEAK))
            continue;
        const char *nm = str + sym.st_name;
        size_t room = strsize - sym.st_name, nlen = strnlen(nm, room);
        for (size_t k = 0; k < n && k < 32 && nlen < room; k++)
            if (strcmp(nm, names[k]) == 0)
                *defined |= 1u << k;
    }
    return 0;
}

int hb_elf_file_defines(const char *path, const char *sym)
{
    struct stat st;
    unsigned defined = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    if (fstat(fd, &st) != 0 || st.st_size <= 0) {
        close(fd);
        return -1;
    }
    void *f = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (f == MAP_FAILED)
        return -1;
    const char *names[1] = {sym};
    int rc = hb_elf_dynsyms(f, (size_t)st.st_size, names, 1, &defined);
    munmap(f, (size_t)st.st_size);
    return rc != 0 ? -1 : (int)(defined & 1u);
}
