#include "dronewall/jsonw.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dw_jw_init(dw_jw *w, char *buf, size_t cap)
{
    w->start = w->p = buf;
    w->end = buf + (cap ? cap - 1 : 0); /* room for the NUL */
    w->full = cap == 0;
    w->depth = 0;
    w->first[0] = 1;
    if (cap)
        *buf = '\0';
}

static inline void put(dw_jw *w, const char *s, size_t n)
{
    if (w->full || (size_t)(w->end - w->p) < n) {
        w->full = 1;
        return;
    }
    memcpy(w->p, s, n);
    w->p += n;
    *w->p = '\0';
}

static inline void putc1(dw_jw *w, char c)
{
    if (w->full || w->p >= w->end) {
        w->full = 1;
        return;
    }
    *w->p++ = c;
    *w->p = '\0';
}

/* A value (or key) at the current level: a comma unless it is the first. */
static inline void sep(dw_jw *w)
{
    if (w->first[w->depth])
        w->first[w->depth] = 0;
    else
        putc1(w, ',');
}

static void jw_open(dw_jw *w, char c)
{
    sep(w);
    putc1(w, c);
    if (w->depth + 1 < DW_JW_DEPTH)
        w->depth++;
    else
        w->full = 1;
    w->first[w->depth] = 1;
}

static void close_(dw_jw *w, char c)
{
    if (w->depth > 0)
        w->depth--;
    putc1(w, c);
}

void dw_jw_obj(dw_jw *w) { jw_open(w, '{'); }
void dw_jw_obj_end(dw_jw *w) { close_(w, '}'); }
void dw_jw_arr(dw_jw *w) { jw_open(w, '['); }
void dw_jw_arr_end(dw_jw *w) { close_(w, ']'); }

void dw_jw_key(dw_jw *w, const char *k)
{
    sep(w);
    putc1(w, '"');
    put(w, k, strlen(k));
    put(w, "\":", 2);
    /* the value that follows must not add a comma */
    w->first[w->depth] = 1;
    /* ...but the member after it must: mark after the value (see value()) */
}

/* After a key the level's `first` is 1 so the value adds no comma; a value
 * then sets it to 0 via sep(). Values in arrays behave the same way. */
static inline void value_sep(dw_jw *w) { sep(w); }

void dw_jw_uint(dw_jw *w, uint64_t v)
{
    char tmp[24];
    int i = 24;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    value_sep(w);
    put(w, tmp + i, (size_t)(24 - i));
}

void dw_jw_int(dw_jw *w, int64_t v)
{
    if (v >= 0) {
        dw_jw_uint(w, (uint64_t)v);
        return;
    }
    char tmp[24];
    int i = 24;
    uint64_t u = (uint64_t)(-(v + 1)) + 1;
    do {
        tmp[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    tmp[--i] = '-';
    value_sep(w);
    put(w, tmp + i, (size_t)(24 - i));
}

void dw_jw_double_prec(dw_jw *w, double v, int sig)
{
    if (!isfinite(v)) {
        dw_jw_null(w);
        return;
    }
    char tmp[40];
    int n = snprintf(tmp, sizeof tmp, "%.*g", sig, v);
    value_sep(w);
    put(w, tmp, (size_t)n);
}

void dw_jw_double(dw_jw *w, double v)
{
    if (!isfinite(v)) {
        dw_jw_null(w);
        return;
    }
    /* Whole numbers (the common case for scaled fields) skip printf. */
    if (fabs(v) < 1e15 && v == (double)(int64_t)v) { /* range first: the cast is UB beyond int64 */
        dw_jw_int(w, (int64_t)v);
        return;
    }
    char tmp[40];
    int n = 0;
    for (int prec = 15; prec <= 17; prec++) {
        n = snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    value_sep(w);
    put(w, tmp, (size_t)n);
}

void dw_jw_bool(dw_jw *w, int v)
{
    value_sep(w);
    if (v)
        put(w, "true", 4);
    else
        put(w, "false", 5);
}

void dw_jw_null(dw_jw *w)
{
    value_sep(w);
    put(w, "null", 4);
}

void dw_jw_raw(dw_jw *w, const char *json, size_t n)
{
    value_sep(w);
    put(w, json, n);
}

void dw_jw_strn(dw_jw *w, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    value_sep(w);
    putc1(w, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            put(w, e, 2);
        } else if (c < 0x20 || c == 0x7f) {
            char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            put(w, e, 6);
        } else {
            putc1(w, (char)c);
        }
    }
    putc1(w, '"');
}

void dw_jw_str(dw_jw *w, const char *s) { dw_jw_strn(w, s, strlen(s)); }

void dw_jw_hex(dw_jw *w, const uint8_t *b, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    value_sep(w);
    putc1(w, '"');
    for (size_t i = 0; i < n; i++) {
        char e[2] = {hex[b[i] >> 4], hex[b[i] & 15]};
        put(w, e, 2);
    }
    putc1(w, '"');
}
