/*
 * dropin_common.h: what every drop-in test program shares.
 *
 * A drop-in test runs under LD_PRELOAD=libhb-<backend>.so and takes the
 * backend's name as argv[1].  hb_dropin_expect() proves that the preload is
 * live: hb_dropin_name must be found with dlsym(RTLD_DEFAULT) and return that
 * name, and `malloc` must come from the same shared object, so a preload that
 * silently failed makes the test fail instead of testing glibc.
 */
#ifndef HB_DROPIN_COMMON_H
#define HB_DROPIN_COMMON_H

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

static inline int hb_dropin_expect(const char *prog, const char *want)
{
    const char *(*name)(void) = NULL;
    void *sym = dlsym(RTLD_DEFAULT, "hb_dropin_name");
    if (want == NULL) {
        fprintf(stderr, "%s: usage: %s BACKEND (naive or pooled) [ARGS]\n", prog, prog);
        return -1;
    }
    if (sym == NULL) {
        fprintf(stderr, "%s: FAIL: hb_dropin_name not found: libhb-%s.so is not preloaded (LD_PRELOAD)\n", prog,
                want);
        return -1;
    }
    memcpy(&name, &sym, sizeof name);
    if (strcmp(name(), want) != 0) {
        fprintf(stderr, "%s: FAIL: the preloaded drop-in is '%s', expected '%s'\n", prog, name(), want);
        return -1;
    }
    Dl_info a, b;
    void *m = dlsym(RTLD_DEFAULT, "malloc");
    if (m == NULL || dladdr(m, &a) == 0 || dladdr(sym, &b) == 0 || strcmp(a.dli_fname, b.dli_fname) != 0) {
        fprintf(stderr, "%s: FAIL: malloc is not served by the %s drop-in (it comes from %s)\n", prog, want,
                m != NULL && dladdr(m, &a) != 0 ? a.dli_fname : "nowhere");
        return -1;
    }
    return 0;
}

#endif
