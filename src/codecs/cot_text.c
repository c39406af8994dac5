/* cot_text.c — the text tools of the CoT codec: numbers, times, XML names,
 * UTF-8, and the escaping XML writer.
 *
 * CoT puts every number and time in XML attributes. Readers meet whatever
 * TAK clients and Python scripts print; writers must print what the MITRE
 * schemas accept (xs:decimal: no exponent) and what reads back to the same
 * double, so the round trip decode → encode → decode is exact.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cot_int.h"

static int xml_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
static int digit(char c) { return c >= '0' && c <= '9'; }

int dw__cot_number(const char *s, double *out)
{
    if (!s)
        return 0;
    while (xml_blank(*s))
        s++;
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    int nd = 0;
    while (digit(*p))
        p++, nd++;
    if (*p == '.') {
        p++;
        while (digit(*p))
            p++, nd++;
    }
    if (nd == 0)
        return 0;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!digit(*p))
            return 0;
        while (digit(*p))
            p++;
    }
    const char *num_end = p;
    while (xml_blank(*p))
        p++;
    if (*p)
        return 0;
    /* The grammar above is a subset of strtod's, so strtod stops exactly at
     * num_end; checking it guards against a locale with another radix. */
    char *e = NULL;
    double v = strtod(s, &e);
    if (e != num_end || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}

size_t dw__cot_decimal(double v, char *out, size_t cap)
{
    if (!isfinite(v) || cap < 2)
        return 0;
    if (v == 0.0) {
        out[0] = '0';
        out[1] = '\0';
        return 1;
    }
    /* Shortest %e that reads back, then move the point by the exponent. */
    char e[40];
    for (int prec = 0; prec <= 16; prec++) {
        snprintf(e, sizeof e, "%.*e", prec, v);
        if (strtod(e, NULL) == v)
            break;
    }
    const char *p = e;
    int neg = 0;
    if (*p == '-')
        neg = 1, p++;
    char dig[24];
    int nd = 0;
    for (; *p && *p != 'e'; p++)
        if (digit(*p) && nd < (int)sizeof dig - 1)
            dig[nd++] = *p;
    int ex = *p == 'e' ? atoi(p + 1) : 0;
    while (nd > 1 && dig[nd - 1] == '0')
        nd--;

    size_t n = 0;
#define PUT(c)                                                              \
    do {                                                                    \
        if (n + 1 >= cap)                                                   \
            return 0;                                                       \
        out[n++] = (c);                                                     \
    } while (0)
    if (neg)
        PUT('-');
    if (ex >= 0) {
        for (int i = 0; i <= ex; i++)
            PUT(i < nd ? dig[i] : '0');
        if (nd > ex + 1) {
            PUT('.');
            for (int i = ex + 1; i < nd; i++)
                PUT(dig[i]);
        }
    } else {
        PUT('0');
        PUT('.');
        for (int i = 0; i < -ex - 1; i++)
            PUT('0');
        for (int i = 0; i < nd; i++)
            PUT(dig[i]);
    }
#undef PUT
    out[n] = '\0';
    return n;
}

/* ---- UTF-8 -------------------------------------------------------------- */

/* Decode one UTF-8 sequence at s[0..n): its code point and length, or
 * length 0 for an invalid sequence (overlong, surrogate, > U+10FFFF). */
static size_t utf8_next(const unsigned char *s, size_t n, unsigned *cp)
{
    unsigned c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    unsigned min;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2, min = 0x80, c &= 0x1f;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3, min = 0x800, c &= 0x0f;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4, min = 0x10000, c &= 0x07;
    else
        return 0;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

int dw__cot_utf8_ok(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        unsigned cp;
        size_t l = utf8_next(u + i, n - i, &cp);
        if (l == 0 || cp == 0)
            return 0;
        i += l;
    }
    return 1;
}

/* XML 1.0 (fifth edition) NameStartChar and NameChar. */
static int name_start(unsigned c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
           (c >= 0xc0 && c <= 0xd6) || (c >= 0xd8 && c <= 0xf6) || (c >= 0xf8 && c <= 0x2ff) ||
           (c >= 0x370 && c <= 0x37d) || (c >= 0x37f && c <= 0x1fff) ||
           (c >= 0x200c && c <= 0x200d) || (c >= 0x2070 && c <= 0x218f) ||
           (c >= 0x2c00 && c <= 0x2fef) || (c >= 0x3001 && c <= 0xd7ff) ||
           (c >= 0xf900 && c <= 0xfdcf) || (c >= 0xfdf0 && c <= 0xfffd) ||
           (c >= 0x10000 && c <= 0xeffff);
}

static int name_char(unsigned c)
{
    return name_start(c) || c == '-' || c == '.' || (c >= '0' && c <= '9') || c == 0xb7 ||
           (c >= 0x300 && c <= 0x36f) || (c >= 0x203f && c <= 0x2040);
}

int dw__cot_xml_name_ok(const char *s)
{
    if (!s || !*s)
        return 0;
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        unsigned cp;
        size_t l = utf8_next(u + i, n - i, &cp);
        if (l == 0 || !(i == 0 ? name_start(cp) : name_char(cp)))
            return 0;
        i += l;
    }
    return 1;
}

/* A character XML 1.0 can carry at all (as itself or as a reference). */
static int xml_char(unsigned c)
{
    return c == 0x9 || c == 0xa || c == 0xd || (c >= 0x20 && c <= 0xd7ff) ||
           (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

void dw__cot_sanitize(char *s)
{
    unsigned char *u = (unsigned char *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        unsigned cp;
        size_t l = utf8_next(u + i, n - i, &cp);
        if (l == 0 || !xml_char(cp)) {
            u[i++] = '?';
            continue;
        }
        i += l;
    }
}

/* ---- times -------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (the era-based
 * formula: 400-year eras of 146097 days, years starting in March). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

#define US_PER_S 1000000LL
#define US_PER_DAY (86400LL * US_PER_S)
/* 0001-01-01T00:00:00Z and the first instant after 9999-12-31T23:59:59.999999Z. */
#define MIN_US (-719162LL * US_PER_DAY)
#define END_US (2932897LL * US_PER_DAY)

static int num2(const char *s, int *v)
{
    if (!digit(s[0]) || !digit(s[1]))
        return 0;
    *v = (s[0] - '0') * 10 + (s[1] - '0');
    return 1;
}

dw_status dw_cot_time_parse(const char *s, size_t n, int64_t *out_us)
{
    if (!s || !out_us)
        return DW_ERR_INVALID;
    while (n && xml_blank(s[0]))
        s++, n--;
    while (n && xml_blank(s[n - 1]))
        n--;
    /* YYYY-MM-DDThh:mm:ss is 19 characters. */
    if (n < 19 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':')
        return DW_ERR_PARSE;
    int yh, yl, mo, d, h, mi, se;
    if (!num2(s, &yh) || !num2(s + 2, &yl) || !num2(s + 5, &mo) || !num2(s + 8, &d) ||
        !num2(s + 11, &h) || !num2(s + 14, &mi) || !num2(s + 17, &se))
        return DW_ERR_PARSE;
    int64_t y = yh * 100 + yl;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && leap) || h > 23 ||
        mi > 59 || se > 59)
        return DW_ERR_PARSE;
    size_t i = 19;
    int64_t frac_us = 0;
    if (i < n && s[i] == '.') {
        i++;
        size_t nd = 0;
        int64_t scale = 100000;
        while (i < n && digit(s[i])) {
            if (nd < 6) /* truncate past µs: CoT has no finer clock */
                frac_us += (s[i] - '0') * scale, scale /= 10;
            i++, nd++;
        }
        if (nd == 0)
            return DW_ERR_PARSE;
    }
    int64_t off_s = 0;
    if (i < n && s[i] == 'Z') {
        i++;
    } else if (i < n && (s[i] == '+' || s[i] == '-')) {
        int oh, om;
        if (n - i < 6 || !num2(s + i + 1, &oh) || s[i + 3] != ':' || !num2(s + i + 4, &om) ||
            oh > 14 || om > 59 || (oh == 14 && om))
            return DW_ERR_PARSE;
        off_s = (oh * 3600 + om * 60) * (s[i] == '+' ? 1 : -1);
        i += 6;
    }
    if (i != n)
        return DW_ERR_PARSE;
    int64_t t = (days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off_s) * US_PER_S +
                frac_us;
    if (t < MIN_US || t >= END_US)
        return DW_ERR_RANGE;
    *out_us = t;
    return DW_OK;
}

/* v as exactly n decimal digits (v < 10^n). */
static void put_digits(char **p, unsigned v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        (*p)[i] = (char)('0' + v % 10);
        v /= 10;
    }
    *p += n;
}

dw_status dw_cot_time_format(int64_t t_us, char *buf, size_t cap)
{
    if (!buf || cap < 28)
        return DW_ERR_INVALID;
    if (t_us < MIN_US || t_us >= END_US)
        return DW_ERR_RANGE;
    int64_t days = t_us >= 0 ? t_us / US_PER_DAY : -((-t_us + US_PER_DAY - 1) / US_PER_DAY);
    int64_t rem = t_us - days * US_PER_DAY;
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    int64_t s = rem / US_PER_S, us = rem % US_PER_S;
    /* Digits by hand: every event has three of these, and printf costs more
     * than the rest of a small event. */
    char *p = buf;
    put_digits(&p, (unsigned)y, 4);
    *p++ = '-';
    put_digits(&p, (unsigned)m, 2);
    *p++ = '-';
    put_digits(&p, (unsigned)d, 2);
    *p++ = 'T';
    put_digits(&p, (unsigned)(s / 3600), 2);
    *p++ = ':';
    put_digits(&p, (unsigned)(s / 60 % 60), 2);
    *p++ = ':';
    put_digits(&p, (unsigned)(s % 60), 2);
    *p++ = '.';
    if (us % 1000 == 0)
        put_digits(&p, (unsigned)(us / 1000), 3);
    else
        put_digits(&p, (unsigned)us, 6);
    *p++ = 'Z';
    *p = '\0';
    return DW_OK;
}

/* ---- the XML writer ----------------------------------------------------- */

void dw__xw_raw(dw__xw *w, const char *s, size_t n)
{
    if (w->full || (size_t)(w->end - w->p) < n) {
        w->full = 1;
        return;
    }
    memcpy(w->p, s, n);
    w->p += n;
}

void dw__xw_str(dw__xw *w, const char *s) { dw__xw_raw(w, s, strlen(s)); }

void dw__xw_esc(dw__xw *w, const char *s, size_t n, int attr)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t run = 0; /* start of the bytes that need no escaping */
    for (size_t i = 0; i < n;) {
        unsigned cp = 0;
        size_t l = utf8_next(u + i, n - i, &cp);
        const char *rep = NULL;
        if (l == 0 || !xml_char(cp)) {
            rep = "\xef\xbf\xbd"; /* U+FFFD: XML cannot carry this byte */
            if (l == 0)
                l = 1;
        } else if (cp == '&') {
            rep = "&amp;";
        } else if (cp == '<') {
            rep = "&lt;";
        } else if (cp == '>') {
            rep = "&gt;"; /* also keeps "]]>" out of text */
        } else if (cp == '\r') {
            rep = "&#13;"; /* a raw CR would become LF on reading */
        } else if (attr && cp == '"') {
            rep = "&quot;";
        } else if (attr && cp == '\'') {
            rep = "&apos;";
        } else if (attr && cp == '\t') {
            rep = "&#9;"; /* raw blanks in attributes are read as spaces */
        } else if (attr && cp == '\n') {
            rep = "&#10;";
        }
        if (rep) {
            dw__xw_raw(w, s + run, i - run);
            dw__xw_str(w, rep);
            run = i + l;
        }
        i += l;
    }
    dw__xw_raw(w, s + run, n - run);
}

void dw__xw_attr(dw__xw *w, const char *name, const char *val)
{
    dw__xw_raw(w, " ", 1);
    dw__xw_str(w, name);
    dw__xw_raw(w, "=\"", 2);
    dw__xw_esc(w, val, strlen(val), 1);
    dw__xw_raw(w, "\"", 1);
}

void dw__xw_attr_num(dw__xw *w, const char *name, double v)
{
    char num[400];
    size_t n = dw__cot_decimal(v, num, sizeof num);
    if (n == 0) {
        w->full = 1; /* not finite: callers check first, so this is a bug */
        return;
    }
    dw__xw_raw(w, " ", 1);
    dw__xw_str(w, name);
    dw__xw_raw(w, "=\"", 2);
    dw__xw_raw(w, num, n);
    dw__xw_raw(w, "\"", 1);
}

void dw__xw_attr_fixed(dw__xw *w, const char *name, double v, int decimals)
{
    static const double pow10[10] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    double scaled = decimals >= 0 && decimals <= 9 ? nearbyint(v * pow10[decimals]) : NAN;
    if (!(fabs(scaled) < 4e15)) {
        dw__xw_attr_num(w, name, v);
        return;
    }
    /* v is n / 10^decimals (snapped by the caller): the exact decimal of n
     * with the point moved reads back as the same double, since both it and
     * the division that made v are correctly rounded from the same number. */
    int64_t n = (int64_t)scaled;
    uint64_t u = n < 0 ? (uint64_t)-n : (uint64_t)n;
    char digits[24], num[32];
    int nd = 0;
    do {
        digits[nd++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    /* digits[] holds n least significant first; drop the fraction's
     * trailing zeros: the number is digits[lo..nd) with frac decimals. */
    int lo = 0, frac = decimals;
    while (frac > 0 && lo < nd - 1 && digits[lo] == '0') {
        lo++;
        frac--;
    }
    if (n == 0)
        frac = 0;
    char *q = num;
    if (n < 0)
        *q++ = '-';
    if (nd - lo > frac)
        for (int i = nd - 1; i >= lo + frac; i--)
            *q++ = digits[i];
    else
        *q++ = '0';
    if (frac > 0) {
        *q++ = '.';
        for (int j = frac - 1; j >= 0; j--)
            *q++ = lo + j < nd ? digits[lo + j] : '0';
    }
    dw__xw_raw(w, " ", 1);
    dw__xw_str(w, name);
    dw__xw_raw(w, "=\"", 2);
    dw__xw_raw(w, num, (size_t)(q - num));
    dw__xw_raw(w, "\"", 1);
}

dw_status dw__xw_attr_time(dw__xw *w, const char *name, int64_t t_us)
{
    char ts[40];
    dw_status st = dw_cot_time_format(t_us, ts, sizeof ts);
    if (st != DW_OK)
        return st;
    dw__xw_attr(w, name, ts);
    return DW_OK;
}
