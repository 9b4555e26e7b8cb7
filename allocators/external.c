/*
 * external.c: allocators given by path, and the identity of every allocator's
 * library.
 *
 * A user names an allocator heapbench has never seen as NAME=PATH or as a
 * bare PATH.  Such a library is checked on disk before anything runs on it,
 * by reading its ELF headers (nothing of it is loaded or executed here):
 *  - the file exists and is a regular file;
 *  - it is ELF, of this machine's class, byte order and architecture, and a
 *    shared object (ET_DYN);
 *  - its own dynamic symbol table defines malloc, free, calloc and realloc
 *    (a library that defines malloc but leaves free to glibc would mix two
 *    heaps; it is refused);
 *  - the rest of the family it does not define is remembered, so that the
 *    harness can say in one line what glibc still serves.
 * Then it becomes an `hb_allocator_ops` of the process kind, with the
 * library as its preload, in a small table beside the static registry:
 * hb_allocator_find() finds it by NAME, so the child a run forks, given
 * NAME=PATH again on its command line, resolves it the same way.  The child
 * proves, once preloaded, that malloc, free, calloc and realloc resolve into
 * that very file (hb_verify_library in process.c).
 *
 * Invariants: NAMEs are unique across the registry and this table; one NAME
 * names one file (by realpath) for the life of the process; an entry is never
 * removed, so an ops pointer handed out stays valid.
 *
 * The SHA-256 of each library's contents tells two builds of one allocator
 * apart in the results; it is computed once per allocator, on first use.
 */
#define _GNU_SOURCE
#include "allocator.h"
#include "elfsym.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <gnu/libc-version.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_EXTERNAL 32
#define NAME_MAX_LEN 32

/* The malloc family, in the order `missing` lists them.  The first four
 * must be defined by the library itself. */
static const char *const family[] = {"malloc",        "free",           "calloc",   "realloc",
                                     "aligned_alloc", "posix_memalign", "memalign", "valloc",
                                     "pvalloc",       "malloc_usable_size", "reallocarray"};
#define FAMILY_N (sizeof family / sizeof family[0])
#define FAMILY_CORE 4

typedef struct external {
    hb_allocator_ops ops;
    char name[NAME_MAX_LEN + 1];
    char path[PATH_MAX];
    char summary[PATH_MAX + 64];
    char missing[160];
} external;

static external externals[MAX_EXTERNAL];
static size_t n_externals;

/* ---- SHA-256 (FIPS 180-4) ------------------------------------------------- */

typedef struct sha256 {
    uint32_t h[8];
    uint64_t bytes;
    unsigned char buf[64];
    size_t used;
} sha256;

static const uint32_t sha_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static inline uint32_t ror(uint32_t x, unsigned n) { return (x >> n) | (x << (32 - n)); }

static void sha_block(sha256 *s, const unsigned char *p)
{
    uint32_t w[64], v[8];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    memcpy(v, s->h, sizeof v);
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = v[7] + (ror(v[4], 6) ^ ror(v[4], 11) ^ ror(v[4], 25)) + ((v[4] & v[5]) ^ (~v[4] & v[6])) +
                      sha_k[i] + w[i];
        uint32_t t2 = (ror(v[0], 2) ^ ror(v[0], 13) ^ ror(v[0], 22)) + ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
        memmove(v + 1, v, 7 * sizeof v[0]);
        v[4] += t1;
        v[0] = t1 + t2;
    }
    for (int i = 0; i < 8; i++)
        s->h[i] += v[i];
}

static void sha_init(sha256 *s)
{
    static const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(s->h, h0, sizeof h0);
    s->bytes = 0;
    s->used = 0;
}

static void sha_update(sha256 *s, const unsigned char *p, size_t n)
{
    s->bytes += n;
    while (n > 0) {
        size_t take = 64 - s->used < n ? 64 - s->used : n;
        memcpy(s->buf + s->used, p, take);
        s->used += take;
        p += take;
        n -= take;
        if (s->used == 64) {
            sha_block(s, s->buf);
            s->used = 0;
        }
    }
}

static void sha_hex(sha256 *s, char out[65])
{
    uint64_t bits = s->bytes * 8;
    unsigned char pad = 0x80, len[8];
    sha_update(s, &pad, 1);
    pad = 0;
    while (s->used != 56)
        sha_update(s, &pad, 1);
    for (int i = 0; i < 8; i++)
        len[i] = (unsigned char)(bits >> (56 - 8 * i));
    sha_update(s, len, 8);
    for (int i = 0; i < 8; i++)
        snprintf(out + 8 * i, 9, "%08x", s->h[i]);
}

void hb_file_sha256(const char *path, char out[65])
{
    unsigned char buf[65536];
    sha256 s;
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    out[0] = '\0';
    if (fd < 0)
        return;
    sha_init(&s);
    while ((n = read(fd, buf, sizeof buf)) > 0)
        sha_update(&s, buf, (size_t)n);
    close(fd);
    if (n == 0)
        sha_hex(&s, out);
}

/* ---- ELF: is it a shared object for this machine, what does it define ---- */

/* This machine's ELF class, byte order and architecture, from the header of
 * this very executable. */
static int host_elf(unsigned char *cls, unsigned char *data, uint16_t *machine)
{
    Elf64_Ehdr eh;
    int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, &eh, sizeof eh);
    close(fd);
    if (n < (ssize_t)sizeof eh || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
        return -1;
    *cls = eh.e_ident[EI_CLASS];
    *data = eh.e_ident[EI_DATA];
    *machine = eh.e_machine;
    return 0;
}

/* Checks the ELF image f (size bytes, read from `path`) and sets bit i of
 * *defined for each family[i] its dynamic symbol table defines.  0, or -1
 * with the reason in msg.  Every offset is checked against size: the image
 * is whatever file a user named (fuzzed by tests/fuzz/fuzz_elf.c). */
int hb__elf_family(const unsigned char *f, size_t size, const char *path, unsigned *defined, char *msg, size_t len);


int hb__elf_family(const unsigned char *f, size_t size, const char *path, unsigned *defined, char *msg, size_t len)
{
    unsigned char cls = 0, data = 0;
    uint16_t machine = 0;
    Elf64_Ehdr eh;
    *defined = 0;
    /* Structures are copied out with memcpy: a file's offsets need not be aligned. */
    if (size < EI_NIDENT || memcmp(f, ELFMAG, SELFMAG) != 0) {
        snprintf(msg, len, "%s is not an ELF shared object (no ELF header)", path);
        return -1;
    }
    if (host_elf(&cls, &data, &machine) != 0) {
        snprintf(msg, len, "cannot read this machine's own ELF header to compare %s with", path);
        return -1;
    }
    memset(&eh, 0, sizeof eh);
    memcpy(&eh, f, size < sizeof eh ? size : sizeof eh);
    if (f[EI_CLASS] != cls || f[EI_DATA] != data || cls != ELFCLASS64 || size < sizeof eh || eh.e_machine != machine) {
        snprintf(msg, len, "%s is an ELF file for another machine (class %u, byte order %u, machine %u; this one: %u, %u, %u)",
                 path, f[EI_CLASS], f[EI_DATA], eh.e_machine, cls, data, machine);
        return -1;
    }
    if (eh.e_type != ET_DYN) {
        snprintf(msg, len, "%s is an ELF %s, not a shared object", path,
                 eh.e_type == ET_EXEC ? "executable" : eh.e_type == ET_REL ? "object file" : "file of another type");
        return -1;
    }
    if (hb_elf_dynsyms(f, size, family, FAMILY_N, defined) != 0) {
        snprintf(msg, len, "%s has no readable dynamic symbol table, so it defines no malloc", path);
        return -1;
    }
    if (!(*defined & 1u)) {
        snprintf(msg, len, "%s defines no malloc", path);
        return -1;
    }
    for (size_t k = 1; k < FAMILY_CORE; k++)
        if (!(*defined & (1u << k))) {
            snprintf(msg, len, "%s defines malloc but not %s: glibc would serve %s on its blocks", path, family[k],
                     family[k]);
            return -1;
        }
    return 0;
}

/* The same, for the file open as fd (size bytes), mapped for reading. */
static int elf_family(int fd, size_t size, const char *path, unsigned *defined, char *msg, size_t len)
{
    if (size == 0) {
        snprintf(msg, len, "%s is not an ELF shared object (empty)", path);
        return -1;
    }
    unsigned char *f = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (f == MAP_FAILED) {
        snprintf(msg, len, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    int rc = hb__elf_family(f, size, path, defined, msg, len);
    munmap(f, size);
    return rc;
}

/* ---- names ---------------------------------------------------------------- */

static int valid_name(const char *s, size_t n)
{
    if (n == 0 || n > NAME_MAX_LEN || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') ||
                                        (s[0] >= '0' && s[0] <= '9')))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-", s[i]) || s[i] == '\0')
            return 0;
    return 1;
}

/* Whether a bare word names a file rather than an allocator. */
static int looks_like_path(const char *s)
{
    size_t n = strlen(s);
    return strchr(s, '/') != NULL || (n > 3 && strcmp(s + n - 3, ".so") == 0) || strstr(s, ".so.") != NULL;
}

/* foo from .../libfoo.so.2; 0, or -1 when no valid name comes out. */
static int name_from_path(const char *path, char *out, size_t len)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (strncmp(base, "lib", 3) == 0 && base[3] != '\0' && base[3] != '.')
        base += 3;
    const char *so = strstr(base, ".so");
    size_t n = so ? (size_t)(so - base) : strlen(base);
    if (!valid_name(base, n) || n >= len)
        return -1;
    memcpy(out, base, n);
    out[n] = '\0';
    return 0;
}

/* The registered allocator whose preload is the file `real`, or NULL. */
static const hb_allocator_ops *registered_for_file(const char *real)
{
    char r2[PATH_MAX];
    for (size_t i = 0; i < hb_allocator_count(); i++) {
        const hb_allocator_ops *a = hb_allocator_at(i);
        if ((a->caps & HB_ALLOC_PROCESS) && a->preload && realpath(a->preload, r2) && strcmp(r2, real) == 0)
            return a;
    }
    return NULL;
}

const hb_allocator_ops *hb__external_find(const char *name)
{
    for (size_t i = 0; i < n_externals; i++)
        if (strcmp(externals[i].name, name) == 0)
            return &externals[i].ops;
    return NULL;
}

/* ---- resolution ----------------------------------------------------------- */

const hb_allocator_ops *hb_allocator_resolve(const char *spec, char *msg, size_t len)
{
    char name[NAME_MAX_LEN + 1], real[PATH_MAX];
    const char *path;
    int bare = 0;
    if (spec == NULL || spec[0] == '\0') {
        snprintf(msg, len, "empty allocator name");
        return NULL;
    }
    const char *eq = strchr(spec, '=');
    if (eq != NULL) {
        size_t n = (size_t)(eq - spec);
        if (!valid_name(spec, n)) {
            snprintf(msg, len, "allocator name '%.*s' in '%s' is not valid (1 to %d letters, digits, '.', '_', '+' or '-', "
                     "starting with a letter or digit)", (int)(n > 64 ? 64 : n), spec, spec, NAME_MAX_LEN);
            return NULL;
        }
        memcpy(name, spec, n);
        name[n] = '\0';
        path = eq + 1;
        if (path[0] == '\0') {
            snprintf(msg, len, "allocator '%s' is given no library path (NAME=PATH)", name);
            return NULL;
        }
    } else {
        const hb_allocator_ops *a = hb_allocator_find(spec);
        if (a != NULL)
            return a;
        if (!looks_like_path(spec)) {
            char names[512];
            snprintf(msg, len, "unknown allocator '%s' (valid: %s, NAME=PATH.so or a path to a malloc library)", spec,
                     hb_allocator_names(names, sizeof names));
            return NULL;
        }
        path = spec;
        bare = 1;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(msg, len, "allocator library %s: %s", path, strerror(errno));
        return NULL;
    }
    if (!S_ISREG(st.st_mode) || realpath(path, real) == NULL) {
        snprintf(msg, len, "allocator library %s is not a regular file", path);
        return NULL;
    }
    if (bare) {
        const hb_allocator_ops *a = registered_for_file(real);
        if (a != NULL)
            return a;
        if (name_from_path(real, name, sizeof name) != 0 && name_from_path(path, name, sizeof name) != 0) {
            snprintf(msg, len, "cannot make an allocator name from %s; give one as NAME=%s", path, path);
            return NULL;
        }
    }
    for (size_t i = 0; i < hb_allocator_count(); i++)
        if (strcmp(hb_allocator_at(i)->name, name) == 0) {
            snprintf(msg, len, "allocator name '%s' for %s is taken by a registered allocator; give another as NAME=%s",
                     name, path, path);
            return NULL;
        }
    const hb_allocator_ops *known = hb__external_find(name);
    if (known != NULL) {
        if (strcmp(known->preload, real) == 0)
            return known;
        snprintf(msg, len, "allocator name '%s' is given twice, for %s and %s", name, known->preload, real);
        return NULL;
    }
    if (n_externals == MAX_EXTERNAL) {
        snprintf(msg, len, "too many allocator libraries (at most %d)", MAX_EXTERNAL);
        return NULL;
    }
    int fd = open(real, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(msg, len, "cannot read allocator library %s: %s", path, strerror(errno));
        return NULL;
    }
    unsigned defined = 0;
    int rc = elf_family(fd, (size_t)st.st_size, path, &defined, msg, len);
    close(fd);
    if (rc != 0)
        return NULL;

    external *e = &externals[n_externals];
    memset(e, 0, sizeof *e);
    snprintf(e->name, sizeof e->name, "%s", name);
    snprintf(e->path, sizeof e->path, "%s", real);
    snprintf(e->summary, sizeof e->summary, "library %s, by LD_PRELOAD", real);
    size_t used = 0;
    for (size_t k = FAMILY_CORE; k < FAMILY_N; k++)
        if (!(defined & (1u << k))) {
            int n = snprintf(e->missing + used, sizeof e->missing - used, "%s%s", used ? ", " : "", family[k]);
            if (n > 0 && (size_t)n < sizeof e->missing - used)
                used += (size_t)n;
        }
    const hb_allocator_ops *process = hb_allocator_find("libc"); /* the malloc-API operations */
    e->ops = *process;
    e->ops.name = e->name;
    e->ops.summary = e->summary;
    e->ops.caps = HB_ALLOC_THREAD_SAFE | HB_ALLOC_FREES | HB_ALLOC_PROCESS | HB_ALLOC_EXTERNAL |
                  ((defined & (1u << 9)) ? HB_ALLOC_USABLE_SIZE : 0);
    e->ops.preload = e->path;
    e->ops.stats = NULL;
    e->ops.verify = NULL; /* hb_alloc_open verifies externals by their path */
    n_externals++;
    return &e->ops;
}

const char *hb_allocator_spec(const hb_allocator_ops *a, char *buf, size_t len)
{
    if (a->caps & HB_ALLOC_EXTERNAL)
        snprintf(buf, len, "%s=%s", a->name, a->preload);
    else
        snprintf(buf, len, "%s", a->name);
    return buf;
}

const char *hb_allocator_missing(const hb_allocator_ops *a)
{
    if (a->caps & HB_ALLOC_EXTERNAL)
        return ((const external *)(const void *)a)->missing; /* ops is the first member */
    return "";
}

/* ---- identity: path and content hash -------------------------------------- */

typedef struct identity {
    const hb_allocator_ops *ops;
    char path[PATH_MAX];
    char sha[65];
    int hashed;
} identity;

static identity identities[64];
static size_t n_identities;

static identity *identity_of(const hb_allocator_ops *a)
{
    for (size_t i = 0; i < n_identities; i++)
        if (identities[i].ops == a)
            return &identities[i];
    if (n_identities == sizeof identities / sizeof identities[0])
        return NULL;
    identity *id = &identities[n_identities++];
    memset(id, 0, sizeof *id);
    id->ops = a;
    const char *p = a->preload;
    Dl_info info;
    if (p == NULL && strcmp(a->name, "libc") == 0 && dladdr((void *)gnu_get_libc_version, &info) != 0)
        p = info.dli_fname;
    if (p == NULL || realpath(p, id->path) == NULL)
        snprintf(id->path, sizeof id->path, "%s", p ? p : "");
    return id;
}

const char *hb_allocator_path(const hb_allocator_ops *a)
{
    identity *id = identity_of(a);
    return id ? id->path : "";
}

const char *hb_allocator_sha256(const hb_allocator_ops *a)
{
    identity *id = identity_of(a);
    if (id == NULL)
        return "";
    if (!id->hashed && id->path[0] != '\0')
        hb_file_sha256(id->path, id->sha);
    id->hashed = 1;
    return id->sha;
}
