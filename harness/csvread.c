/*
 * csvread.c: the strict results CSV reader (see csvread.h for what it
 * accepts).
 *
 * One pass over the buffer, record by record.  A record may span lines (a
 * quoted field can hold '\n'); `line` counts physical lines so messages
 * point where an editor would.  Every record must end with '\n': a file that
 * stops mid-line was cut short (a killed writer, a full disk), and reading
 * it would silently drop or mangle its last run.
 */
#include "csvread.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const statuses[] = {"ok", "wrong", "oom", "crash", "timeout", "error", "skip"};

int hb_status_known(const char *s)
{
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
        if (strcmp(s, statuses[i]) == 0)
            return 1;
    return 0;
}

int hb_column_is_text(int col)
{
    switch (col) {
    case HB_COL_heapbench:
    case HB_COL_workload:
    case HB_COL_allocator:
    case HB_COL_alloc_path:
    case HB_COL_alloc_sha256:
    case HB_COL_host:
    case HB_COL_cpu_model:
    case HB_COL_kernel:
    case HB_COL_glibc:
    case HB_COL_compiler:
    case HB_COL_commit:
    case HB_COL_collector:
    case HB_COL_params:
    case HB_COL_checksum:
    case HB_COL_status:
    case HB_COL_gc_mmu_curve:
    case HB_COL_gc_gen_collections:
    case HB_COL_gc_gen_collected:
        return 1;
    default:
        return 0;
    }
}

/* Header fields beyond the schema's are counted but only this many kept. */
#define HDR_MAX (HB_NCOLS + 8)

typedef struct reader {
    const char *p;
    size_t len, pos;
    size_t line; /* physical line of p[pos] */
    int header;  /* reading the header: fields are not columns yet */
    const char *name;
    char *msg;
    size_t msglen;
} reader;

/* Quoted fields may hold newlines and control bytes; the message must stay
 * one printable line. */
static void one_line(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            *s = '?';
}

static int fail(reader *r, size_t line, int col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* "NAME: line N[, column C]: what".  Returns -1. */
static int fail(reader *r, size_t line, int col, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (col >= 0 && col < HB_NCOLS && !r->header)
        snprintf(r->msg, r->msglen, "%s: line %zu, column %s: %s", r->name, line, hb_column_names[col], what);
    else if (col >= 0)
        snprintf(r->msg, r->msglen, "%s: line %zu, field %d: %s", r->name, line, col + 1, what);
    else
        snprintf(r->msg, r->msglen, "%s: line %zu: %s", r->name, line, what);
    one_line(r->msg);
    return -1;
}

static int truncated(reader *r, size_t line)
{
    snprintf(r->msg, r->msglen, "%s: line %zu is incomplete (truncated file?)", r->name, line);
    one_line(r->msg);
    return -1;
}

/* Reads one record into cells[0..max) (fields past max are counted, not
 * kept).  Returns the number of fields, or -1 with the message set.  *start
 * gets the line the record starts on. */
static int read_record(reader *r, char (*cells)[HB_FIELD_MAX], int max, size_t *start)
{
    int nf = 0;
    *start = r->line;
    if (r->p[r->pos] == '\n' || (r->p[r->pos] == '\r' && r->pos + 1 < r->len && r->p[r->pos + 1] == '\n'))
        return fail(r, r->line, -1, "empty line");
    for (;;) {
        char *out = nf < max ? cells[nf] : NULL;
        size_t used = 0;
        int quoted = r->pos < r->len && r->p[r->pos] == '"';
        size_t qline = r->line;
        if (quoted)
            r->pos++;
        for (;;) {
            if (r->pos == r->len) {
                if (quoted && r->len > 0 && r->p[r->len - 1] == '\n')
                    return fail(r, qline, nf, "unterminated quote");
                return truncated(r, r->line);
            }
            char c = r->p[r->pos];
            if (c == '\0')
                return fail(r, r->line, nf, "NUL byte (not a text file?)");
            if (quoted) {
                if (c == '"') {
                    if (r->pos + 1 < r->len && r->p[r->pos + 1] == '"') {
                        r->pos++; /* "" inside quotes is one quote */
                    } else {
                        r->pos++;
                        if (r->pos == r->len)
                            return truncated(r, r->line);
                        c = r->p[r->pos];
                        if (c != ',' && c != '\n' && c != '\r')
                            return fail(r, r->line, nf, "unexpected '%c' after a closing quote", c);
                        quoted = 0;
                        continue;
                    }
                } else if (c == '\n') {
                    r->line++;
                }
            } else {
                if (c == ',' || c == '\n')
                    break;
                if (c == '\r') {
                    if (r->pos + 1 < r->len && r->p[r->pos + 1] == '\n') {
                        r->pos++;
                        break;
                    }
                    if (r->pos + 1 == r->len)
                        return truncated(r, r->line);
                    return fail(r, r->line, nf, "carriage return inside a field");
                }
                if (c == '"')
                    return fail(r, r->line, nf, "quote inside an unquoted field");
            }
            if (out) {
                if (used + 1 >= HB_FIELD_MAX)
                    return fail(r, r->line, nf, "field longer than %d bytes", HB_FIELD_MAX - 1);
                out[used++] = c;
            }
            r->pos++;
        }
        if (out)
            out[used] = '\0';
        nf++;
        char end = r->p[r->pos++];
        if (end == '\n') {
            r->line++;
            return nf;
        }
        /* ',': next field */
    }
}

/* Strict number: optional sign, digits, optional fraction and exponent;
 * no spaces, hex, inf or nan. */
static int parse_number(const char *s, double *out)
{
    if (s[0] == '\0' || strspn(s, "0123456789+-.eE") != strlen(s))
        return -1;
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    if (end == s || *end != '\0' || errno == ERANGE || !isfinite(d))
        return -1;
    *out = d;
    return 0;
}

static int version_mismatch(reader *r, size_t line, const char *v)
{
    snprintf(r->msg, r->msglen, "%s: line %zu: schema version %s, this heapbench reads %d", r->name, line, v,
             HB_SCHEMA_VERSION);
    one_line(r->msg);
    return -1;
}

static int check_header(reader *r, char (*hdr)[HB_FIELD_MAX], int nf)
{
    int schema_at = -1;
    for (int i = 0; i < nf && i < HDR_MAX; i++)
        if (strcmp(hdr[i], "schema") == 0)
            schema_at = i;
    if (schema_at < 0)
        return fail(r, 1, -1,
                    "no 'schema' column: not a heapbench results CSV (header must be the %d columns "
                    "of `heapbench list columns`)",
                    HB_NCOLS);
    int same = nf == HB_NCOLS;
    for (int i = 0; same && i < HB_NCOLS; i++)
        same = strcmp(hdr[i], hb_column_names[i]) == 0;
    if (same)
        return 0;

    /* Another header: when the first row says which schema, that is the
     * clearest message. */
    if (r->pos < r->len) {
        char row[HDR_MAX][HB_FIELD_MAX];
        reader peek = *r;
        char scratch[8];
        peek.msg = scratch;
        peek.msglen = sizeof scratch;
        size_t line;
        int n = read_record(&peek, row, HDR_MAX, &line);
        double v;
        if (n > schema_at && schema_at < HDR_MAX && parse_number(row[schema_at], &v) == 0 && v != HB_SCHEMA_VERSION)
            return version_mismatch(r, line, row[schema_at]);
    }
    for (int c = 0; c < HB_NCOLS; c++) {
        int found = 0;
        for (int i = 0; i < nf && i < HDR_MAX && !found; i++)
            found = strcmp(hdr[i], hb_column_names[c]) == 0;
        if (!found)
            return fail(r, 1, -1, "missing column '%s' (schema %d has %d columns; see heapbench list columns)",
                        hb_column_names[c], HB_SCHEMA_VERSION, HB_NCOLS);
    }
    for (int i = 0; i < nf && i < HDR_MAX; i++)
        if (hb_column_index(hdr[i]) < 0)
            return fail(r, 1, -1, "unknown column '%s' in header (not in schema %d)", hdr[i], HB_SCHEMA_VERSION);
    if (nf != HB_NCOLS)
        return fail(r, 1, -1, "%d header fields, schema %d has %d columns", nf, HB_SCHEMA_VERSION, HB_NCOLS);
    for (int i = 0; i < HB_NCOLS; i++)
        if (strcmp(hdr[i], hb_column_names[i]) != 0)
            return fail(r, 1, -1, "header field %d is '%s', schema %d has '%s' there", i + 1, hdr[i], HB_SCHEMA_VERSION,
                        hb_column_names[i]);
    return 0;
}

static int check_row(reader *r, const hb_row *row, int nf, size_t line)
{
    if (nf != HB_NCOLS)
        return fail(r, line, -1, "%d field%s, expected %d (ragged row)", nf, nf == 1 ? "" : "s", HB_NCOLS);
    double v;
    const char *schema = row->v[HB_COL_schema];
    if (parse_number(schema, &v) != 0)
        return fail(r, line, HB_COL_schema, "'%s' is not a schema version number", schema);
    if (v != HB_SCHEMA_VERSION)
        return version_mismatch(r, line, schema);
    for (int c = 0; c < HB_NCOLS; c++) {
        const char *s = row->v[c];
        if (!hb_column_is_text(c) && s[0] != '\0' && parse_number(s, &v) != 0)
            return fail(r, line, c, "'%s' is not a number", s);
    }
    if (row->v[HB_COL_workload][0] == '\0')
        return fail(r, line, HB_COL_workload, "empty");
    if (row->v[HB_COL_allocator][0] == '\0')
        return fail(r, line, HB_COL_allocator, "empty");
    if (!hb_status_known(row->v[HB_COL_status]))
        return fail(r, line, HB_COL_status, "unknown status '%s' (valid: ok, wrong, oom, crash, timeout, error, skip)",
                    row->v[HB_COL_status]);
    return 0;
}

static int grow(hb_table *t)
{
    size_t cap = t->cap ? t->cap * 2 : 16;
    hb_row *rows = realloc(t->rows, cap * sizeof *rows);
    if (rows == NULL)
        return -1;
    t->rows = rows;
    size_t *lines = realloc(t->lines, cap * sizeof *lines);
    if (lines == NULL)
        return -1;
    t->lines = lines;
    t->cap = cap;
    return 0;
}

void hb_table_free(hb_table *t)
{
    free(t->rows);
    free(t->lines);
    memset(t, 0, sizeof *t);
}

int hb_csv_parse(const char *data, size_t len, const char *name, hb_table *out, char *msg, size_t msglen)
{
    reader r = {data, len, 0, 1, 1, name, msg, msglen};
    memset(out, 0, sizeof *out);
    if (len == 0)
        return fail(&r, 1, -1, "empty file (expected the header of `heapbench list columns`)");

    char(*hdr)[HB_FIELD_MAX] = malloc(HDR_MAX * sizeof *hdr);
    if (hdr == NULL)
        return fail(&r, 1, -1, "out of memory");
    size_t line;
    int nf = read_record(&r, hdr, HDR_MAX, &line);
    int rc = nf < 0 ? -1 : check_header(&r, hdr, nf);
    free(hdr);
    if (rc != 0)
        return -1;
    r.header = 0;

    while (r.pos < r.len) {
        if (out->n == out->cap && grow(out) != 0) {
            hb_table_free(out);
            return fail(&r, r.line, -1, "out of memory");
        }
        hb_row *row = &out->rows[out->n];
        hb_row_clear(row);
        nf = read_record(&r, row->v, HB_NCOLS, &line);
        if (nf < 0 || check_row(&r, row, nf, line) != 0) {
            hb_table_free(out);
            return -1;
        }
        out->lines[out->n++] = line;
    }
    return 0;
}

int hb_csv_read_file(const char *path, hb_table *out, char *msg, size_t msglen)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(msg, msglen, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (buf == NULL) {
            fclose(f);
            snprintf(msg, msglen, "cannot read %s: out of memory", path);
            return -1;
        }
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap)
            break;
        cap *= 2;
        char *bigger = realloc(buf, cap);
        if (bigger == NULL)
            free(buf);
        buf = bigger;
    }
    if (ferror(f)) {
        int e = errno;
        fclose(f);
        free(buf);
        snprintf(msg, msglen, "cannot read %s: %s", path, e ? strerror(e) : "read error");
        return -1;
    }
    fclose(f);
    int rc = hb_csv_parse(buf, len, path, out, msg, msglen);
    free(buf);
    return rc;
}
