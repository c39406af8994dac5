/* yaml.c — YAML text to a jansson tree, with the line of every value.
 *
 * Built on libyaml's event parser with an explicit, bounded stack rather
 * than its document loader: the loader would let an alias point at a node
 * that contains it, and recursion over hostile input is a stack overflow
 * waiting for a fuzzer. Typing rules for scalars are in doc.h.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "io/doc_int.h"

#define YAML_MAX_DEPTH 64   /* deeper than any config needs */

typedef struct frame {
    json_t *node;           /* the object or array being filled; owned    */
    char *key;              /* a mapping's pending key, NULL if none yet  */
    int key_line;
    int line;
} frame;

typedef struct conv {
    dw_doc *d;
    frame st[YAML_MAX_DEPTH];
    int depth;
    char *err;
    size_t errlen;
} conv;

static int conv_fail(conv *c, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int conv_fail(conv *c, int line, int col, const char *fmt, ...)
{
    int n = snprintf(c->err, c->errlen, "%s:%d:%d: ", c->d->name, line, col);
    if (n >= 0 && (size_t)n < c->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static bool word_in(const char *s, const char *const *words)
{
    for (; *words; words++)
        if (strcmp(s, *words) == 0)
            return true;
    return false;
}

static size_t digits(const char *s)
{
    size_t n = 0;
    while (s[n] >= '0' && s[n] <= '9')
        n++;
    return n;
}

/* [-+]?[0-9]+ */
static bool looks_int(const char *s)
{
    if (*s == '-' || *s == '+')
        s++;
    size_t n = digits(s);
    return n > 0 && s[n] == '\0';
}

/* [-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)? — no inf, nan or hex,
 * which strtod would also take. */
static bool looks_float(const char *s)
{
    if (*s == '-' || *s == '+')
        s++;
    size_t a = digits(s), b = 0;
    s += a;
    if (*s == '.') {
        s++;
        b = digits(s);
        s += b;
    }
    if (a + b == 0)
        return false;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '-' || *s == '+')
            s++;
        size_t e = digits(s);
        if (e == 0)
            return false;
        s += e;
    }
    return *s == '\0';
}

static json_t *scalar_value(conv *c, const yaml_event_t *ev, int line, int col)
{
    static const char *const nulls[] = {"null", "Null", "NULL", "~", NULL};
    static const char *const trues[] = {"true", "True", "TRUE", NULL};
    static const char *const falses[] = {"false", "False", "FALSE", NULL};
    const char *s = (const char *)ev->data.scalar.value;
    size_t n = ev->data.scalar.length;
    const char *tag = (const char *)ev->data.scalar.tag;
    json_t *v;

    if (memchr(s, '\0', n)) {
        conv_fail(c, line, col, "a NUL character inside a value");
        return NULL;
    }
    bool typed = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
                 !(tag && (strcmp(tag, YAML_STR_TAG) == 0 || strcmp(tag, "!") == 0));
    if (!typed) {
        v = json_stringn(s, n);
    } else if (n == 0 || word_in(s, nulls)) {
        v = json_null();
    } else if (word_in(s, trues)) {
        v = json_true();
    } else if (word_in(s, falses)) {
        v = json_false();
    } else if (looks_int(s) || looks_float(s)) {
        errno = 0;
        long long i = looks_int(s) ? strtoll(s, NULL, 10) : 0;
        if (looks_int(s) && errno == 0) {
            v = json_integer(i);
        } else {
            double d = strtod(s, NULL);
            if (!isfinite(d)) {
                conv_fail(c, line, col, "number out of range: %.40s", s);
                return NULL;
            }
            v = json_real(d);
        }
    } else {
        v = json_stringn(s, n);
    }
    if (!v)
        conv_fail(c, line, col, "not valid UTF-8, or out of memory");
    return v;
}

static int mark(conv *c, const json_t *v, const json_t *parent, const char *key, size_t idx,
                int line, int col)
{
    if (dw__doc_mark(c->d, v, parent, key, idx, line) != DW_OK)
        return conv_fail(c, line, col, "out of memory");
    return 0;
}

/* Puts v (owned) where the stack says: the root, the next element or the
 * pending key's value. */
static int attach(conv *c, json_t *v, int line, int col)
{
    dw_doc *d = c->d;
    if (c->depth == 0) {
        if (d->root) {
            json_decref(v);
            return conv_fail(c, line, col, "more than one document");
        }
        d->root = v;
        return mark(c, v, NULL, NULL, 0, line, col);
    }
    frame *top = &c->st[c->depth - 1];
    if (json_is_array(top->node)) {
        size_t idx = json_array_size(top->node);
        if (json_array_append_new(top->node, v) < 0)
            return conv_fail(c, line, col, "out of memory");
        return mark(c, v, top->node, NULL, idx, line, col);
    }
    if (json_object_set_new(top->node, top->key, v) < 0)
        return conv_fail(c, line, col, "key not valid UTF-8, or out of memory");
    /* Mark with jansson's own copy of the key, which lives as long as the tree. */
    const char *k = json_object_iter_key(json_object_iter_at(top->node, top->key));
    int kline = top->key_line;
    free(top->key);
    top->key = NULL;
    return mark(c, v, top->node, k, 0, kline, col);
}

static bool expecting_key(const conv *c)
{
    return c->depth > 0 && json_is_object(c->st[c->depth - 1].node) && !c->st[c->depth - 1].key;
}

static int on_event(conv *c, const yaml_event_t *ev, bool *done)
{
    int line = (int)ev->start_mark.line + 1, col = (int)ev->start_mark.column + 1;
    switch (ev->type) {
    case YAML_STREAM_END_EVENT:
        *done = true;
        return 0;
    case YAML_ALIAS_EVENT:
        return conv_fail(c, line, col, "aliases (*%.40s) are not supported: write the value out",
                         (const char *)ev->data.alias.anchor);
    case YAML_SCALAR_EVENT: {
        if (expecting_key(c)) {
            frame *top = &c->st[c->depth - 1];
            const char *s = (const char *)ev->data.scalar.value;
            size_t n = ev->data.scalar.length;
            if (memchr(s, '\0', n))
                return conv_fail(c, line, col, "a NUL character inside a key");
            if (json_object_get(top->node, s))
                return conv_fail(c, line, col, "duplicate key \"%.60s\"", s);
            top->key = strdup(s);
            if (!top->key)
                return conv_fail(c, line, col, "out of memory");
            top->key_line = line;
            return 0;
        }
        json_t *v = scalar_value(c, ev, line, col);
        return v ? attach(c, v, line, col) : -1;
    }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        if (expecting_key(c))
            return conv_fail(c, line, col, "a key must be a plain value, not a list or mapping");
        if (c->depth == YAML_MAX_DEPTH)
            return conv_fail(c, line, col, "nested deeper than %d levels", YAML_MAX_DEPTH);
        json_t *node = ev->type == YAML_MAPPING_START_EVENT ? json_object() : json_array();
        if (!node)
            return conv_fail(c, line, col, "out of memory");
        c->st[c->depth++] = (frame){node, NULL, 0, line};
        return 0;
    }
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT: {
        frame f = c->st[--c->depth];
        free(f.key); /* libyaml always completes a pair; kept for safety */
        return attach(c, f.node, f.line, col);
    }
    default:
        return 0;
    }
}

dw_status dw__yaml_load(dw_doc *d, const char *buf, size_t len, char *err, size_t errlen)
{
    yaml_parser_t p;
    conv c = {.d = d, .depth = 0, .err = err, .errlen = errlen};
    if (!yaml_parser_initialize(&p)) {
        snprintf(err, errlen, "%s: out of memory", d->name);
        return DW_ERR_NOMEM;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);

    dw_status st = DW_OK;
    bool done = false;
    while (!done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            const char *what = p.problem ? p.problem : "malformed YAML";
            if (p.error == YAML_MEMORY_ERROR)
                snprintf(err, errlen, "%s: out of memory", d->name);
            else if (p.error == YAML_READER_ERROR)
                snprintf(err, errlen, "%s: byte %zu: %s", d->name, p.problem_offset, what);
            else if (p.context)
                snprintf(err, errlen, "%s:%zu:%zu: %s (%s from line %zu)", d->name,
                         p.problem_mark.line + 1, p.problem_mark.column + 1, what, p.context,
                         p.context_mark.line + 1);
            else
                snprintf(err, errlen, "%s:%zu:%zu: %s", d->name, p.problem_mark.line + 1,
                         p.problem_mark.column + 1, what);
            st = p.error == YAML_MEMORY_ERROR ? DW_ERR_NOMEM : DW_ERR_PARSE;
            break;
        }
        int rc = on_event(&c, &ev, &done);
        yaml_event_delete(&ev);
        if (rc < 0) {
            st = DW_ERR_PARSE;
            break;
        }
    }
    yaml_parser_delete(&p);

    while (c.depth > 0) {
        frame *f = &c.st[--c.depth];
        free(f->key);
        json_decref(f->node);
    }
    if (st == DW_OK && !d->root) {
        snprintf(err, errlen, "%s: empty document", d->name);
        st = DW_ERR_PARSE;
    }
    if (st != DW_OK) {
        json_decref(d->root);
        d->root = NULL;
        d->n_marks = 0;
    }
    return st;
}
