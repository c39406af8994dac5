/* doc.c — loading a JSON or YAML document and finding lines in it. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "io/doc_int.h"

/* Configs are small; a bigger file is a mistake (or an attack), not a config. */
#define DOC_MAX_BYTES (64u << 20)

dw_status dw__doc_mark(dw_doc *d, const json_t *node, const json_t *parent, const char *key,
                       size_t index, int line)
{
    if (d->n_marks == d->cap_marks) {
        size_t cap = d->cap_marks ? 2 * d->cap_marks : 64;
        dw__mark *m = realloc(d->marks, cap * sizeof *m);
        if (!m)
            return DW_ERR_NOMEM;
        d->marks = m;
        d->cap_marks = cap;
    }
    d->marks[d->n_marks++] = (dw__mark){node, parent, key, index, line};
    return DW_OK;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

dw_status dw_doc_load_mem(const char *buf, size_t len, const char *name, dw_doc **out,
                          char *err, size_t errlen)
{
    char ebuf[256];
    if (!err || errlen == 0) {
        err = ebuf;
        errlen = sizeof ebuf;
    }
    if (!name)
        name = "-";
    if ((!buf && len) || !out) {
        snprintf(err, errlen, "%s: no input", name);
        return DW_ERR_INVALID;
    }
    dw_doc *d = calloc(1, sizeof *d);
    if (!d || !(d->name = strdup(name))) {
        free(d);
        snprintf(err, errlen, "%s: out of memory", name);
        return DW_ERR_NOMEM;
    }

    /* A UTF-8 byte-order mark is allowed, though jansson would refuse it. */
    if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
        buf += 3;
        len -= 3;
    }
    if (ends_with(name, ".json")) {
        d->yaml = false;
    } else if (ends_with(name, ".yaml") || ends_with(name, ".yml")) {
        d->yaml = true;
    } else {
        size_t i = 0;
        while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
            i++;
        d->yaml = !(i < len && (buf[i] == '{' || buf[i] == '['));
    }

    dw_status st = DW_OK;
    if (d->yaml) {
        st = dw__yaml_load(d, buf ? buf : "", len, err, errlen);
    } else {
        json_error_t je;
        d->root = json_loadb(buf ? buf : "", len, JSON_REJECT_DUPLICATES, &je);
        if (!d->root) {
            if (je.line > 0)
                snprintf(err, errlen, "%s:%d:%d: %s", name, je.line, je.column, je.text);
            else
                snprintf(err, errlen, "%s: %s", name, je.text);
            st = DW_ERR_PARSE;
        }
    }
    if (st != DW_OK) {
        dw_doc_destroy(d);
        return st;
    }
    *out = d;
    return DW_OK;
}

dw_status dw_doc_load(const char *path, dw_doc **out, char *err, size_t errlen)
{
    char ebuf[256];
    if (!err || errlen == 0) {
        err = ebuf;
        errlen = sizeof ebuf;
    }
    if (!path || !out) {
        snprintf(err, errlen, "no file given");
        return DW_ERR_INVALID;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return errno == ENOENT ? DW_ERR_NOT_FOUND : DW_ERR_IO;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    dw_status st = DW_OK;
    for (;;) {
        if (len == cap) {
            if (cap >= DOC_MAX_BYTES) {
                snprintf(err, errlen, "%s: larger than %u MiB", path, DOC_MAX_BYTES >> 20);
                st = DW_ERR_RANGE;
                break;
            }
            cap = cap ? 2 * cap : 16384;
            char *nb = realloc(buf, cap);
            if (!nb) {
                snprintf(err, errlen, "%s: out of memory", path);
                st = DW_ERR_NOMEM;
                break;
            }
            buf = nb;
        }
        size_t k = fread(buf + len, 1, cap - len, f);
        len += k;
        if (k == 0) {
            if (ferror(f)) {
                snprintf(err, errlen, "%s: read error", path);
                st = DW_ERR_IO;
            }
            break;
        }
    }
    fclose(f);
    if (st == DW_OK)
        st = dw_doc_load_mem(buf, len, path, out, err, errlen);
    free(buf);
    return st;
}

void dw_doc_destroy(dw_doc *d)
{
    if (!d)
        return;
    json_decref(d->root);
    free(d->marks);
    free(d->name);
    free(d);
}

json_t *dw_doc_root(const dw_doc *d) { return d ? d->root : NULL; }

const char *dw_doc_name(const dw_doc *d) { return d ? d->name : "-"; }

int dw_doc_line(const dw_doc *d, const json_t *node)
{
    if (!d || !node || json_is_boolean(node) || json_is_null(node))
        return 0;
    for (size_t i = 0; i < d->n_marks; i++)
        if (d->marks[i].node == node)
            return d->marks[i].line;
    return 0;
}

int dw_doc_key_line(const dw_doc *d, const json_t *obj, const char *key)
{
    if (!d || !obj || !key)
        return 0;
    for (size_t i = 0; i < d->n_marks; i++)
        if (d->marks[i].parent == obj && d->marks[i].key && strcmp(d->marks[i].key, key) == 0)
            return d->marks[i].line;
    return 0;
}

int dw_doc_index_line(const dw_doc *d, const json_t *arr, size_t idx)
{
    if (!d || !arr)
        return 0;
    for (size_t i = 0; i < d->n_marks; i++)
        if (d->marks[i].parent == arr && !d->marks[i].key && d->marks[i].index == idx)
            return d->marks[i].line;
    return 0;
}

void dw_doc_errf(const dw_doc *d, int line, char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    int n = line > 0 ? snprintf(err, errlen, "%s:%d: ", dw_doc_name(d), line)
                     : snprintf(err, errlen, "%s: ", dw_doc_name(d));
    if (n < 0 || (size_t)n >= errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
    va_end(ap);
}

const char *dw_doc_type_word(const json_t *v)
{
    if (!v)
        return "nothing";
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "a mapping";
    case JSON_ARRAY: return "a list";
    case JSON_STRING: return "a string";
    case JSON_INTEGER:
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    default: return "null";
    }
}

const char *dw_doc_snip(const char *s, char *buf, size_t n)
{
    size_t i = 0;
    for (; s[i] && i + 4 < n; i++)
        buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
    if (s[i]) {
        memcpy(buf + i, "...", 3);
        i += 3;
    }
    buf[i] = '\0';
    return buf;
}
