/*
 * fuzz_elf.c: the check that `-a NAME=PATH` makes of a library file
 * (hb__elf_family in allocators/external.c) on arbitrary bytes.  It must
 * never read outside the image, and must accept an image only when its
 * dynamic symbol table defines malloc, free, calloc and realloc: the model
 * here is a plain scan for those names, which an accepted image must pass.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int hb__elf_family(const unsigned char *f, size_t size, const char *path, unsigned *defined, char *msg, size_t len);

/* Whether the bytes contain "name" followed by a NUL. */
static int mentions(const uint8_t *data, size_t size, const char *name)
{
    size_t n = strlen(name) + 1;
    for (size_t i = 0; i + n <= size; i++)
        if (memcmp(data + i, name, n) == 0)
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char msg[512];
    unsigned defined = 0;
    /* An exact-size copy, so that ASan sees any read past the end. */
    unsigned char *copy = malloc(size ? size : 1);
    if (copy == NULL)
        return 0;
    memcpy(copy, data, size);
    int rc = hb__elf_family(copy, size, "input", &defined, msg, sizeof msg);
    if (rc == 0) {
        static const char *const core[] = {"malloc", "free", "calloc", "realloc"};
        if ((defined & 15u) != 15u)
            abort();
        for (size_t i = 0; i < 4; i++)
            if (!mentions(data, size, core[i]))
                abort();
    } else if (msg[0] == '\0') {
        abort(); /* every refusal says why */
    }
    free(copy);
    return 0;
}
