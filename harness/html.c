/*
 * html.c: DIR/index.html, one static page per sweep (no server, no script):
 * summary.md's paragraphs and tables as HTML, then every plot of DIR, for
 * people who would rather click than read CSV.  Written beside and renamed
 * into place.  Every table scrolls inside a box of its own, so that the page
 * fits a 1400 px screen; Markdown's **bold** becomes <strong>, never a
 * literal "**".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static void esc(FILE *f, const char *s, size_t n)
{
    for (size_t i = 0; i < n && s[i]; i++)
        switch (s[i]) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '`': break;
        default: fputc(s[i], f);
        }
}

/* Text with Markdown's **bold** as <strong> (closed at the end if open). */
static void esc_md(FILE *f, const char *s, size_t n)
{
    int bold = 0;
    size_t from = 0;
    for (size_t i = 0; i + 1 < n && s[i] && s[i + 1]; i++)
        if (s[i] == '*' && s[i + 1] == '*') {
            esc(f, s + from, i - from);
            fputs(bold ? "</strong>" : "<strong>", f);
            bold = !bold;
            from = i + 2;
            i++;
        }
    if (from < n)
        esc(f, s + from, n - from);
    if (bold)
        fputs("</strong>", f);
}

/* One Markdown table row "| a | b |" as <tr> of <th> or <td>. */
static void table_row(FILE *f, const char *line, int head)
{
    const char *p = line + 1;
    fputs("<tr>", f);
    while (*p && *p != '\n') {
        const char *bar = p;
        while (*bar && *bar != '\n' && !(*bar == '|' && bar[-1] != '\\'))
            bar++;
        while (*p == ' ')
            p++;
        size_t n = (size_t)(bar - p);
        while (n > 0 && p[n - 1] == ' ')
            n--;
        fputs(head ? "<th>" : "<td>", f);
        esc_md(f, p, n);
        fputs(head ? "</th>" : "</td>", f);
        if (*bar != '|')
            break;
        p = bar + 1;
        if (*p == '\n' || *p == '\0')
            break;
    }
    fputs("</tr>\n", f);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

void hb_write_html(const char *dir)
{
    char path[4096], tmp[4200], line[8192];
    snprintf(path, sizeof path, "%s/summary.md", dir);
    FILE *in = fopen(path, "r");
    snprintf(path, sizeof path, "%s/index.html", dir);
    snprintf(tmp, sizeof tmp, "%s/.index.html.tmp", dir);
    FILE *f = fopen(tmp, "w");
    if (f == NULL) {
        if (in)
            fclose(in);
        fprintf(stderr, "heapbench: cannot write %s\n", path);
        return;
    }
    fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>heapbench sweep</title>\n<style>\n"
          "body{font-family:sans-serif;margin:2em;max-width:1400px}table{border-collapse:collapse;margin:0}"
          ".t{max-width:100%;overflow-x:auto;margin:1em 0}"
          "td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}td:first-child,th:first-child{text-align:left}"
          "th{background:#eee}img{max-width:100%;border:1px solid #ddd;margin:1em 0}\n</style></head><body>\n",
          f);
    int in_table = 0, rows = 0;
    while (in && fgets(line, sizeof line, in)) {
        if (line[0] == '|') {
            if (strstr(line, "---") != NULL && strspn(line, "|-: \n") == strlen(line))
                continue; /* the separator row */
            if (!in_table)
                fputs("<div class=\"t\"><table>\n", f);
            table_row(f, line, !in_table);
            in_table = 1;
            rows++;
            continue;
        }
        if (in_table)
            fputs("</table></div>\n", f);
        in_table = 0;
        if (line[0] == '\n')
            continue;
        if (line[0] == '#') {
            fputs("<h1>", f);
            esc(f, line + 2, strcspn(line + 2, "\n"));
            fputs("</h1>\n", f);
        } else {
            fputs("<p>", f);
            esc_md(f, line, strcspn(line, "\n"));
            fputs("</p>\n", f);
        }
    }
    if (in_table)
        fputs("</table></div>\n", f);
    if (in)
        fclose(in);
    /* every plot, in name order */
    char *pngs[256];
    size_t np = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL && np < 256) {
        size_t n = strlen(e->d_name);
        if (n > 4 && strcmp(e->d_name + n - 4, ".png") == 0)
            pngs[np++] = strdup(e->d_name);
    }
    if (d)
        closedir(d);
    qsort(pngs, np, sizeof pngs[0], cmp_str);
    if (np)
        fputs("<h1>Plots</h1>\n", f);
    for (size_t i = 0; i < np; i++) {
        fputs("<p><img src=\"", f);
        esc(f, pngs[i], strlen(pngs[i]));
        fputs("\" alt=\"", f);
        esc(f, pngs[i], strlen(pngs[i]));
        fputs("\"></p>\n", f);
        free(pngs[i]);
    }
    fputs("</body></html>\n", f);
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        unlink(tmp);
        fprintf(stderr, "heapbench: cannot write %s\n", path);
    }
    (void)rows;
}
