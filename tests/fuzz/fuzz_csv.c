/*
 * fuzz_csv.c: libFuzzer harness for the strict results CSV reader.
 *
 * hb_csv_parse on arbitrary bytes must never crash, leak or hang: it returns
 * 0, or -1 with one line (no newline) in msg that names the file, and an
 * empty table.  When it accepts an input, what it parsed is written back
 * with the harness's own writer (hb_csv_header, hb_csv_line: the format
 * `run` writes) and parsed again: the second table must equal the first,
 * and writing it once more must give the same bytes (a fixed point).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"
#include "fuzz_common.h"

#define NAME "fuzz.csv"

static char *serialise(const hb_table *t, size_t *len)
{
    size_t line_max = (size_t)HB_NCOLS * HB_FIELD_MAX * 2 + 2;
    char *buf = malloc((t->n + 1) * line_max);
    if (buf == NULL)
        FUZZ_FAIL("out of memory");
    int n = hb_csv_header(buf, line_max);
    if (n < 0)
        FUZZ_FAIL("hb_csv_header does not fit in %zu bytes", line_max);
    size_t at = (size_t)n;
    for (size_t i = 0; i < t->n; i++) {
        n = hb_csv_line(&t->rows[i], buf + at, line_max);
        if (n < 0)
            FUZZ_FAIL("hb_csv_line cannot write back row %zu that the reader accepted", i);
        at += (size_t)n;
    }
    *len = at;
    return buf;
}

static void check_rejection(int rc, const hb_table *t, const char *msg)
{
    if (rc != -1)
        FUZZ_FAIL("hb_csv_parse returned %d (expected 0 or -1)", rc);
    if (msg[0] == '\0')
        FUZZ_FAIL("hb_csv_parse refused the input without a message");
    if (strchr(msg, '\n') != NULL)
        FUZZ_FAIL("message is more than one line: %s", msg);
    if (strncmp(msg, NAME ":", strlen(NAME ":")) != 0)
        FUZZ_FAIL("message does not start with the file name: %s", msg);
    if (t->n != 0 || t->rows != NULL || t->lines != NULL)
        FUZZ_FAIL("refused input left a non-empty table (n %zu)", t->n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hb_table t1, t2;
    char msg[512] = "";
    int rc = hb_csv_parse((const char *)data, size, NAME, &t1, msg, sizeof msg);
    if (rc != 0) {
        check_rejection(rc, &t1, msg);
        return 0;
    }
    for (size_t i = 0; i < t1.n; i++) {
        if (i > 0 && t1.lines[i] <= t1.lines[i - 1])
            FUZZ_FAIL("row %zu starts on line %zu, not after row %zu's line %zu", i, t1.lines[i], i - 1,
                      t1.lines[i - 1]);
        for (int c = 0; c < HB_NCOLS; c++)
            if (strnlen(t1.rows[i].v[c], HB_FIELD_MAX) >= HB_FIELD_MAX)
                FUZZ_FAIL("row %zu column %d is not NUL-terminated", i, c);
    }

    size_t len1, len2;
    char *out1 = serialise(&t1, &len1);
    msg[0] = '\0';
    if (hb_csv_parse(out1, len1, NAME, &t2, msg, sizeof msg) != 0)
        FUZZ_FAIL("an accepted table written back is refused: %s", msg);
    if (t2.n != t1.n)
        FUZZ_FAIL("written back: %zu rows, first parse %zu", t2.n, t1.n);
    for (size_t i = 0; i < t1.n; i++)
        for (int c = 0; c < HB_NCOLS; c++)
            if (strcmp(t1.rows[i].v[c], t2.rows[i].v[c]) != 0)
                FUZZ_FAIL("row %zu column %d: '%s' read back as '%s'", i, c, t1.rows[i].v[c], t2.rows[i].v[c]);
    char *out2 = serialise(&t2, &len2);
    if (len1 != len2 || memcmp(out1, out2, len1) != 0)
        FUZZ_FAIL("writing the table back is not a fixed point (%zu vs %zu bytes)", len1, len2);
    free(out1);
    free(out2);
    hb_table_free(&t1);
    hb_table_free(&t2);
    return 0;
}
