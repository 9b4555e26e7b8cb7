/*
 * test_csvread.c: the strict results CSV reader on buffers: what it takes
 * (quoting, CRLF, fields spanning lines, a header with no rows) and the one
 * message it gives for each thing it refuses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"

static int failures;

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);                                   \
            failures++;                                                                                                \
        }                                                                                                              \
    } while (0)

static char buf[1 << 16];

/* The header plus rows, each row given as overrides of a good default row. */
static size_t start(void)
{
    int n = hb_csv_header(buf, sizeof buf);
    return n > 0 ? (size_t)n : 0;
}

static void good_row(hb_row *r)
{
    hb_row_clear(r);
    hb_row_set(r, HB_COL_schema, "%d", HB_SCHEMA_VERSION);
    hb_row_set(r, HB_COL_heapbench, "test");
    hb_row_set(r, HB_COL_workload, "glibc-simple");
    hb_row_set(r, HB_COL_allocator, "libc");
    hb_row_set(r, HB_COL_threads, "1");
    hb_row_set(r, HB_COL_params, "scale=1");
    hb_row_set(r, HB_COL_run, "1");
    hb_row_set(r, HB_COL_wall_s, "0.5");
    hb_row_set(r, HB_COL_peak_rss_kib, "1000");
    hb_row_set(r, HB_COL_status, "ok");
}

static size_t add(size_t at, const hb_row *r)
{
    int n = hb_csv_line(r, buf + at, sizeof buf - at);
    return n > 0 ? at + (size_t)n : at;
}

static size_t add_text(size_t at, const char *s)
{
    size_t n = strlen(s);
    memcpy(buf + at, s, n);
    return at + n;
}

/* Parses buf[0..len); expects success with nrows rows, or failure with a
 * message containing want. */
static void expect(size_t len, const char *want, size_t nrows, int line)
{
    hb_table t;
    char msg[512] = "";
    int rc = hb_csv_parse(buf, len, "t.csv", &t, msg, sizeof msg);
    if (want == NULL) {
        if (rc != 0 || t.n != nrows) {
            fprintf(stderr, "line %d: expected %zu rows, got rc %d (%s)\n", line, nrows, rc, msg);
            failures++;
        }
        if (rc == 0)
            hb_table_free(&t);
        return;
    }
    if (rc == 0) {
        fprintf(stderr, "line %d: expected failure '%s', parsed %zu rows\n", line, want, t.n);
        hb_table_free(&t);
        failures++;
        return;
    }
    if (strstr(msg, want) == NULL || strchr(msg, '\n') != NULL || strncmp(msg, "t.csv: ", 7) != 0) {
        fprintf(stderr, "line %d: message '%s' does not contain '%s'\n", line, msg, want);
        failures++;
    }
    CHECK(t.rows == NULL && t.n == 0);
}
#define OK(len, n) expect(len, NULL, n, __LINE__)
#define BAD(len, want) expect(len, want, 0, __LINE__)

static void test_good(void)
{
    hb_row r;
    good_row(&r);
    size_t at = start();
    OK(at, 0); /* a header alone parses; compare refuses it, not the reader */
    at = add(at, &r);
    hb_row_set(&r, HB_COL_params, "a,b \"quoted\"\nsecond line");
    hb_row_set(&r, HB_COL_wall_s, "-1.5e-3");
    at = add(at, &r);
    good_row(&r);
    at = add(at, &r);
    hb_table t;
    char msg[256];
    CHECK(hb_csv_parse(buf, at, "t.csv", &t, msg, sizeof msg) == 0);
    CHECK(t.n == 3);
    if (t.n == 3) {
        CHECK(strcmp(t.rows[1].v[HB_COL_params], "a,b \"quoted\"\nsecond line") == 0);
        CHECK(t.lines[0] == 2 && t.lines[1] == 3 && t.lines[2] == 5); /* row 2 spans lines 3-4 */
        CHECK(strcmp(t.rows[2].v[HB_COL_status], "ok") == 0);
    }
    hb_table_free(&t);

    /* CRLF line ends. */
    at = start();
    buf[at - 1] = '\r';
    at = add_text(at, "\n");
    good_row(&r);
    at = add(at, &r);
    buf[at - 1] = '\r';
    at = add_text(at, "\n");
    OK(at, 1);
    at = add_text(start(), "1,a\rb\n");
    BAD(at, "line 2, column heapbench: carriage return inside a field");
}

static void test_bad(void)
{
    hb_row r;
    good_row(&r);
    BAD(0, "line 1: empty file");

    size_t at = add(start(), &r);
    BAD(at - 1, "line 2 is incomplete (truncated file?)");
    BAD(at - 10, "line 2 is incomplete (truncated file?)");
    BAD(start() - 1, "line 1 is incomplete (truncated file?)");

    at = add_text(add(start(), &r), "\n");
    BAD(at, "line 3: empty line");

    hb_row_set(&r, HB_COL_wall_s, " 1");
    BAD(add(start(), &r), "line 2, column wall_s: ' 1' is not a number");
    hb_row_set(&r, HB_COL_wall_s, "0x10");
    BAD(add(start(), &r), "column wall_s: '0x10' is not a number");
    hb_row_set(&r, HB_COL_wall_s, "inf");
    BAD(add(start(), &r), "column wall_s: 'inf' is not a number");
    good_row(&r);
    hb_row_set(&r, HB_COL_peak_rss_kib, "1e999");
    BAD(add(start(), &r), "column peak_rss_kib: '1e999' is not a number");
    good_row(&r);
    hb_row_set(&r, HB_COL_status, "fine");
    BAD(add(start(), &r), "line 2, column status: unknown status 'fine'");
    good_row(&r);
    r.v[HB_COL_allocator][0] = '\0';
    BAD(add(start(), &r), "line 2, column allocator: empty");
    good_row(&r);
    hb_row_set(&r, HB_COL_schema, "%d", HB_SCHEMA_VERSION + 1);
    BAD(add(start(), &r), "line 2: schema version");
    good_row(&r);

    /* Ragged: one field too many, one too few. */
    at = add(start(), &r);
    at = add_text(at - 1, ",x\n");
    BAD(at, "line 2: ");
    BAD(at, "expected");
    /* Quotes. */
    at = add_text(start(), "1,\"unterminated\n");
    BAD(at, "line 2, column heapbench: unterminated quote");
    at = add_text(start(), "1,ab\"c\n");
    BAD(at, "line 2, column heapbench: quote inside an unquoted field");
    at = add_text(start(), "1,\"ab\"c\n");
    BAD(at, "unexpected 'c' after a closing quote");
    at = start();
    memcpy(buf + at, "1,a\0b\n", 6);
    BAD(at + 6, "line 2, column heapbench: NUL byte");
    /* A field longer than a row cell. */
    at = add_text(start(), "1,");
    memset(buf + at, 'x', HB_FIELD_MAX + 5);
    at = add_text(at + HB_FIELD_MAX + 5, "\n");
    BAD(at, "field longer than");

    /* Headers. */
    at = add_text(0, "a,b\n1,2\n");
    BAD(at, "line 1: no 'schema' column");
    at = add_text(0, "schema,\"x\ny\"\n");
    BAD(at, "line 1: missing column 'heapbench'");
    size_t h = start();
    buf[h - 1] = ',';
    at = add_text(h, "extra\n");
    BAD(at, "line 1: unknown column 'extra'");
    /* Two columns swapped. */
    h = start();
    char *w = strstr(buf, "wall_s,user_s");
    if (w != NULL)
        memcpy(w, "user_s,wall_s", 13);
    BAD(h, "header field");
}

int main(void)
{
    test_good();
    test_bad();
    if (failures) {
        fprintf(stderr, "%d checks failed\n", failures);
        return 1;
    }
    printf("csvread: all checks passed\n");
    return 0;
}
