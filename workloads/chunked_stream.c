/*
 * chunked_stream.c: seed M13 (Mastering Python's Memory Management): invert
 * a large file in chunks instead of reading it whole.
 *
 * The "file" is a synthetic image of `mib` MiB whose bytes are a function of
 * the seed and their offset; it is generated chunk by chunk into a scratch
 * buffer (the read) and never stored whole.  In `mode=chunked` every chunk of
 * `chunk` bytes gets a fresh output buffer from the allocator, is
 * XOR-inverted into it, consumed and freed: churn of equal medium blocks.  In
 * `mode=whole` one buffer holds the whole inverted image: one large block.
 *
 * The checksum is over the output bytes, in stream order, packed into 64-bit
 * words: the same for both modes and for every chunk size.
 */
#include <stdio.h>

#include "workload.h"

static const char *const modes[] = {"chunked", "whole", NULL};

static const hb_param_def params[] = {
    {"mib", 128, 1, 1 << 16, NULL, "image size, MiB, at scale 1 (default 128: the catalogue's 64 MiB runs in ~0.13 s)"},
    {"chunk", 1024, 1, 1 << 30, NULL, "bytes per chunk (read and, in chunked mode, output buffer)"},
    {"mode", 0, 0, 1, modes, "chunked: a fresh output buffer per chunk; whole: one buffer for the whole image"},
};

/* The image's 64-bit word number w (splitmix64 of the key and w). */
static uint64_t image_word(uint64_t key, uint64_t w)
{
    uint64_t z = key + w * 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Bytes pos .. pos+n-1 of the image (little-endian bytes of its words). */
static void generate(uint64_t key, unsigned char *dst, uint64_t pos, size_t n)
{
    while (n > 0) {
        uint64_t w = image_word(key, pos >> 3);
        for (unsigned b = (unsigned)(pos & 7); b < 8 && n > 0; b++, n--, pos++)
            *dst++ = (unsigned char)(w >> (8 * b));
    }
}

typedef struct digest {
    uint64_t h, acc;
    unsigned fill; /* bytes in acc */
} digest;

static void digest_bytes(digest *d, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        d->acc |= (uint64_t)p[i] << (8 * d->fill);
        if (++d->fill == 8) {
            d->h = hb_mix(d->h, d->acc);
            d->acc = 0;
            d->fill = 0;
        }
    }
}

static void invert(unsigned char *out, const unsigned char *in, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = in[i] ^ 0xff;
}

static int run(const hb_workload_env *env, hb_workload_result *out)
{
    uint64_t total = (uint64_t)hb_wl_scaled(env, env->params[0] << 20, 1);
    size_t chunk = (size_t)env->params[1];
    int whole = env->params[2] == 1;
    uint64_t key = env->seed * 0xd1342543de82ef95ULL + 1;
    digest d = {.h = HB_CHECKSUM_INIT};
    unsigned char *in = hb_wl_scratch_alloc(chunk), *all = NULL;
    uint64_t ops = 0;
    int rc = HB_WL_OK;

    if (in == NULL) {
        snprintf(out->message, sizeof out->message, "no scratch memory for a %zu-byte chunk", chunk);
        return HB_WL_OOM;
    }
    if (whole) {
        all = hb_malloc(env->alloc, (size_t)total);
        if (all == NULL)
            rc = HB_WL_OOM;
        else
            ops++;
    }
    for (uint64_t pos = 0; pos < total && rc == HB_WL_OK; pos += chunk) {
        size_t n = total - pos < chunk ? (size_t)(total - pos) : chunk;
        generate(key, in, pos, n);
        if (whole) {
            invert(all + pos, in, n);
            continue;
        }
        unsigned char *buf = hb_malloc(env->alloc, n);
        if (buf == NULL) {
            rc = HB_WL_OOM;
            break;
        }
        ops++;
        invert(buf, in, n);
        digest_bytes(&d, buf, n);
        hb_free(env->alloc, buf, n);
    }
    if (all != NULL) {
        if (rc == HB_WL_OK)
            digest_bytes(&d, all, (size_t)total);
        hb_free(env->alloc, all, (size_t)total);
    }
    if (d.fill > 0)
        d.h = hb_mix(hb_mix(d.h, d.acc), d.fill);
    hb_wl_scratch_free(in, chunk);
    out->checksum = d.h;
    out->ops = ops;
    if (rc == HB_WL_OOM)
        snprintf(out->message, sizeof out->message, "allocation failed");
    return rc;
}

const hb_workload_ops hb_wl_chunked_stream = {
    .name = "chunked-stream",
    .summary =
        "XOR-invert a 128 MiB synthetic image in 1 KiB chunks, a fresh output buffer per chunk (or one whole buffer)",
    .origin = "seed M13",
    .flags = HB_WL_ALLOCATOR,
    .params = params,
    .nparams = sizeof params / sizeof params[0],
    .run = run,
};
