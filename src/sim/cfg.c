/* cfg.c — reading scenario entries: one table per entry kind, units converted once.
 *
 * Messages always name the file, the line (YAML) and the entry, and say what was expected,
 * because a scenario is written by a person and a misspelt key silently ignored would make a
 * night that is not the one they meant.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/sim_int.h"

dw_status dw__cfg_fail(const dw__cfg *c, const json_t *v, const char *where, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int line = v ? dw_doc_line(c->d, v) : 0;
    dw_doc_errf(c->d, line, c->err, c->errlen, "%s: %s", where, msg);
    return DW_ERR_PARSE;
}

const dw__sim_place *dw__cfg_place(const dw__cfg *c, const char *name)
{
    for (size_t i = 0; i < c->n_places; i++)
        if (!strcmp(c->places[i].name, name))
            return &c->places[i];
    return NULL;
}

static int64_t days_from_civil(int y, unsigned m, unsigned d)
{
    /* Howard Hinnant's algorithm: days since 1970-01-01, proleptic Gregorian. */
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int64_t)era * 146097 + (int64_t)doe - 719468;
}

int dw__parse_utc(const char *s, int64_t *out_us)
{
    int y, mo, d, h, mi, n = 0;
    double sec;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%lf%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6)
        return -1;
    if (strcmp(s + n, "Z") && strcmp(s + n, "+00:00"))
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || !(sec >= 0 && sec < 61))
        return -1;
    int64_t days = days_from_civil(y, (unsigned)mo, (unsigned)d);
    *out_us = ((days * 24 + h) * 60 + mi) * 60000000LL + llround(sec * 1e6);
    return 0;
}

void dw__format_utc(int64_t t_us, char *buf, size_t len)
{
    time_t s = (time_t)(t_us >= 0 ? t_us / 1000000 : -((-t_us + 999999) / 1000000));
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

dw_status dw__cfg_time(const dw__cfg *c, const json_t *v, const char *where, int64_t *out_us)
{
    if (json_is_number(v)) {
        double s = json_number_value(v);
        if (!(fabs(s) < 1e9))
            return dw__cfg_fail(c, v, where, "time offset %g s is out of range", s);
        *out_us = c->start_us + llround(s * 1e6);
        return DW_OK;
    }
    if (!json_is_string(v))
        return dw__cfg_fail(c, v, where, "a time is a UTC time like 2025-09-09T21:30:00Z, "
                                         "an offset like +01:30 or a number of seconds");
    const char *s = json_string_value(v);
    if (s[0] == '+') {
        int h = 0, m = 0, n = 0;
        double sec = 0;
        int k = sscanf(s + 1, "%d:%d%n", &h, &m, &n);
        if (k != 2 || h < 0 || m < 0 || m > 59)
            return dw__cfg_fail(c, v, where, "'%s' is no offset (+HH:MM or +HH:MM:SS)", s);
        const char *rest = s + 1 + n;
        if (*rest == ':') {
            int n2 = 0;
            if (sscanf(rest + 1, "%lf%n", &sec, &n2) != 1 || rest[1 + n2] || !(sec >= 0 && sec < 60))
                return dw__cfg_fail(c, v, where, "'%s' is no offset (+HH:MM or +HH:MM:SS)", s);
        } else if (*rest) {
            return dw__cfg_fail(c, v, where, "'%s' is no offset (+HH:MM or +HH:MM:SS)", s);
        }
        *out_us = c->start_us + ((int64_t)h * 3600 + m * 60) * 1000000LL + llround(sec * 1e6);
        return DW_OK;
    }
    int64_t t;
    if (dw__parse_utc(s, &t) != 0)
        return dw__cfg_fail(c, v, where, "'%s' is no UTC time (like 2025-09-09T21:30:00Z)", s);
    *out_us = t;
    return DW_OK;
}

static dw_status num_in(const dw__cfg *c, const json_t *v, const char *where, const char *key,
                        double lo, double hi, double *out)
{
    if (!json_is_number(v))
        return dw__cfg_fail(c, v, where, "%s must be a number", key);
    double x = json_number_value(v);
    if (!isfinite(x) || (lo != hi && (x < lo || x > hi)))
        return dw__cfg_fail(c, v, where, "%s = %g is outside [%g, %g]", key, x, lo, hi);
    *out = x;
    return DW_OK;
}

dw_status dw__cfg_point(const dw__cfg *c, const json_t *v, const char *where, dw__sim_point *out)
{
    dw__sim_point p;
    memset(&p, 0, sizeof p);
    if (json_is_string(v)) {
        const dw__sim_place *pl = dw__cfg_place(c, json_string_value(v));
        if (!pl)
            return dw__cfg_fail(c, v, where, "no place called '%s' (see places:)",
                                json_string_value(v));
        p.lat_deg = pl->lat_deg;
        p.lon_deg = pl->lon_deg;
        p.alt_m = pl->alt_m;
        p.has_alt = pl->has_alt;
        snprintf(p.place, sizeof p.place, "%s", pl->name);
        *out = p;
        return DW_OK;
    }
    size_t n = json_is_array(v) ? json_array_size(v) : 0;
    if (n != 2 && n != 3)
        return dw__cfg_fail(c, v, where, "a position is [lat, lon], [lat, lon, alt_m] or a "
                                         "place name");
    if (num_in(c, json_array_get(v, 0), where, "latitude", -90, 90, &p.lat_deg) != DW_OK ||
        num_in(c, json_array_get(v, 1), where, "longitude", -180, 180, &p.lon_deg) != DW_OK)
        return DW_ERR_PARSE;
    if (n == 3) {
        if (num_in(c, json_array_get(v, 2), where, "altitude", -500, 1e5, &p.alt_m) != DW_OK)
            return DW_ERR_PARSE;
        p.has_alt = 1;
    }
    *out = p;
    return DW_OK;
}

dw_status dw__cfg_value(const dw__cfg *c, const json_t *v, const char *where, const char *key,
                        const dw__cfg_field *f, void *out)
{
    double x = 0;
    switch (f->type) {
    case DW_CF_STR: {
        if (!json_is_string(v))
            return dw__cfg_fail(c, v, where, "%s must be a string", key);
        const char *s = json_string_value(v);
        if (strlen(s) >= f->size)
            return dw__cfg_fail(c, v, where, "%s '%s' is longer than %zu characters", key, s,
                                f->size - 1);
        memcpy(out, s, strlen(s) + 1);
        return DW_OK;
    }
    case DW_CF_BOOL:
        if (!json_is_boolean(v))
            return dw__cfg_fail(c, v, where, "%s must be true or false", key);
        *(int *)out = json_is_true(v);
        return DW_OK;
    case DW_CF_INT:
        if (num_in(c, v, where, key, f->lo, f->hi, &x) != DW_OK)
            return DW_ERR_PARSE;
        if (x != floor(x))
            return dw__cfg_fail(c, v, where, "%s must be a whole number", key);
        *(long *)out = (long)x;
        return DW_OK;
    case DW_CF_TIME:
        return dw__cfg_time(c, v, where, (int64_t *)out);
    case DW_CF_POINT:
        return dw__cfg_point(c, v, where, (dw__sim_point *)out);
    default:
        break;
    }
    if (num_in(c, v, where, key, f->lo, f->hi, &x) != DW_OK)
        return DW_ERR_PARSE;
    switch (f->type) {
    case DW_CF_DEG: *(double *)out = x * M_PI / 180.0; break;
    case DW_CF_KM: *(double *)out = x * 1000.0; break;
    case DW_CF_KMH: *(double *)out = x / 3.6; break;
    case DW_CF_SECONDS: *(int64_t *)out = llround(x * 1e6); break;
    default: *(double *)out = x; break;
    }
    return DW_OK;
}

dw_status dw__cfg_read(const dw__cfg *c, const json_t *obj, const char *where,
                       const dw__cfg_field *f, size_t n, const char *const *skip, void *base)
{
    if (!json_is_object(obj))
        return dw__cfg_fail(c, obj, where, "expected a mapping of keys");
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        size_t i = 0;
        while (i < n && strcmp(f[i].key, key))
            i++;
        if (i == n) {
            int skipped = 0;
            for (const char *const *s = skip; s && *s; s++)
                skipped |= !strcmp(*s, key);
            if (skipped)
                continue;
            /* List what is accepted: the fix is usually a spelling. */
            char known[600];
            size_t k = 0;
            known[0] = '\0';
            for (size_t j = 0; j < n && k + 40 < sizeof known; j++)
                k += (size_t)snprintf(known + k, sizeof known - k, "%s%s", j ? ", " : "", f[j].key);
            for (const char *const *s = skip; s && *s && k + 40 < sizeof known; s++)
                k += (size_t)snprintf(known + k, sizeof known - k, ", %s", *s);
            int line = dw_doc_key_line(c->d, obj, key);
            dw_doc_errf(c->d, line, c->err, c->errlen, "%s: unknown key '%s' (known: %s)", where,
                        key, known);
            return DW_ERR_PARSE;
        }
        if (dw__cfg_value(c, v, where, key, &f[i], (char *)base + f[i].off) != DW_OK)
            return DW_ERR_PARSE;
    }
    for (size_t i = 0; i < n; i++)
        if (f[i].required && !json_object_get(obj, f[i].key))
            return dw__cfg_fail(c, obj, where, "%s is required", f[i].key);
    return DW_OK;
}
