/* sensors_file.c — sensor definitions from a JSON or YAML document, and the
 * hash index of sensor names.
 *
 * One table of keys (name, member, unit conversion, range); "id", "kind"
 * and the "sigma" object are handled around it because the kind must be
 * known before anything else (it chooses the defaults) and the id names the
 * entry in every later message. The loader checks names for uniqueness
 * through the same hash table the index uses, so a file of 10,000 sensors
 * loads in linear time.
 */
#include "dronewall/doc.h"
#include "dronewall/jsonw.h"
#include "dronewall/sensors_file.h"

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RAD_PER_DEG (M_PI / 180.0)

typedef enum stype {
    S_NUM,      /* double, as written                       */
    S_DEG,      /* degrees in the file, radians in memory   */
    S_STR,      /* char[size]                               */
    S_PERIOD,   /* seconds in the file, int64 µs in memory  */
} stype;

typedef struct sfield {
    const char *key;
    stype type;
    size_t off;
    size_t size;
    double lo, hi;
} sfield;

#define S(m) offsetof(dw_sensor, m)

static const sfield sensor_fields[] = {
    {"wire_id", S_STR, S(wire_id), DW_ID_MAX, 0, 0},
    {"owner", S_STR, S(owner), DW_ID_MAX, 0, 0},
    {"lat_deg", S_NUM, S(lat_deg), 0, -90, 90},
    {"lon_deg", S_NUM, S(lon_deg), 0, -180, 180},
    {"alt_m", S_NUM, S(alt_m), 0, -1000, 1e5},
    {"heading_deg", S_DEG, S(heading_rad), 0, -360, 360},
    {"pd", S_NUM, S(pd), 0, 0, 1},
    {"clutter_per_scan", S_NUM, S(clutter_per_scan), 0, 0, 1e6},
    {"min_range_m", S_NUM, S(min_range_m), 0, 0, 1e7},
    {"max_range_m", S_NUM, S(max_range_m), 0, 0, 1e7},
    {"min_el_deg", S_DEG, S(min_el_rad), 0, -90, 90},
    {"max_el_deg", S_DEG, S(max_el_rad), 0, -90, 90},
    {"period_s", S_PERIOD, S(period_us), 0, 0, 86400},
};

static const sfield sigma_fields[] = {
    {"range_m", S_NUM, S(sigma_range_m), 0, 0, 1e7},
    {"az_deg", S_DEG, S(sigma_az_rad), 0, 0, 360},
    {"el_deg", S_DEG, S(sigma_el_rad), 0, 0, 180},
    {"range_rate_mps", S_NUM, S(sigma_rr_mps), 0, 0, 1e5},
    {"pos_m", S_NUM, S(sigma_pos_m), 0, 0, 1e7},
    {"alt_m", S_NUM, S(sigma_alt_m), 0, 0, 1e6},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define KIND_WORD(e, s) s,
static const char *const kind_words[] = {DW_SENSOR_KINDS(KIND_WORD)};
#undef KIND_WORD

/* ---- names: open addressing over (sensor index, which name) ------------- */

/* A slot holds 0 (empty) or 1 + (index << 1 | is_wire_id). */
typedef struct name_hash {
    uint32_t *slot;
    size_t mask;
} name_hash;

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 14695981039346656037ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* Room for n_names names at a load factor of at most one half. */
static int nh_init(name_hash *h, size_t n_names)
{
    size_t cap = 16;
    while (cap < 2 * n_names)
        cap *= 2;
    h->slot = calloc(cap, sizeof *h->slot);
    h->mask = cap - 1;
    return h->slot ? 0 : -1;
}

static const char *nh_name(const dw_sensor *s, uint32_t v)
{
    v--;
    return (v & 1) ? s[v >> 1].wire_id : s[v >> 1].id;
}

/* The sensor named `name`, or -1; *is_wire says which of its names. */
static int nh_find(const name_hash *h, const dw_sensor *s, const char *name, int *is_wire)
{
    for (size_t k = (size_t)fnv1a(name) & h->mask;; k = (k + 1) & h->mask) {
        uint32_t v = h->slot[k];
        if (!v)
            return -1;
        if (strcmp(nh_name(s, v), name) == 0) {
            if (is_wire)
                *is_wire = (int)((v - 1) & 1);
            return (int)((v - 1) >> 1);
        }
    }
}

/* Enter a name not yet in the table (the caller checked). */
static void nh_put(name_hash *h, const char *name, size_t i, int is_wire)
{
    size_t k = (size_t)fnv1a(name) & h->mask;
    while (h->slot[k])
        k = (k + 1) & h->mask;
    h->slot[k] = (uint32_t)(((i << 1) | (size_t)is_wire) + 1);
}

/* A sensor's wire_id, if it is a second name (not empty, not its id). */
static const char *second_name(const dw_sensor *s)
{
    return s->wire_id[0] && strcmp(s->wire_id, s->id) != 0 ? s->wire_id : NULL;
}

/* Kinds whose observations are measured from their site (POLAR, BEARING). */
static bool needs_site(dw_sensor_kind k)
{
    return k == DW_SENSOR_RADAR || k == DW_SENSOR_ACOUSTIC || k == DW_SENSOR_RF ||
           k == DW_SENSOR_EO;
}

typedef struct lctx {
    const dw_doc *d;
    char *err;
    size_t errlen;
    char where[96];             /* sensors[2] ("PL-RAD-01"): room for any index and snip */
    name_hash names;            /* ids and wire ids of the entries so far */
} lctx;



static int parse_sfield(lctx *c, const sfield *f, const json_t *obj, const char *prefix,
                        const json_t *v, dw_sensor *s)
{
    int line = dw_doc_key_line(c->d, obj, f->key);
    char *p = (char *)s + f->off;
    char sb[48];

    if (f->type == S_STR) {
        if (!json_is_string(v)) {
            dw_doc_errf(c->d, line, c->err, c->errlen, "%s: \"%s%s\" must be a string, not %s",
                        c->where, prefix, f->key, dw_doc_type_word(v));
            return -1;
        }
        if (json_string_length(v) >= f->size || strlen(json_string_value(v)) != json_string_length(v)) {
            dw_doc_errf(c->d, line, c->err, c->errlen, "%s: \"%s%s\" is longer than %zu characters",
                        c->where, prefix, f->key, f->size - 1);
            return -1;
        }
        memcpy(p, json_string_value(v), json_string_length(v) + 1);
        return 0;
    }
    if (!json_is_number(v)) {
        if (json_is_string(v))
            dw_doc_errf(c->d, line, c->err, c->errlen, "%s: \"%s%s\" must be a number, not \"%s\"",
                        c->where, prefix, f->key, dw_doc_snip(json_string_value(v), sb, sizeof sb));
        else
            dw_doc_errf(c->d, line, c->err, c->errlen, "%s: \"%s%s\" must be a number, not %s",
                        c->where, prefix, f->key, dw_doc_type_word(v));
        return -1;
    }
    double x = json_number_value(v);
    if (!(x >= f->lo && x <= f->hi)) {
        dw_doc_errf(c->d, line, c->err, c->errlen, "%s: \"%s%s\" out of range: %g (expected %g to %g)",
                    c->where, prefix, f->key, x, f->lo, f->hi);
        return -1;
    }
    if (f->type == S_PERIOD) {
        int64_t us = (int64_t)llround(x * 1e6);
        memcpy(p, &us, sizeof us);
        return 0;
    }
    if (f->type == S_DEG)
        x *= RAD_PER_DEG;
    memcpy(p, &x, sizeof x);
    return 0;
}

static const sfield *find_sfield(const sfield *fs, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(fs[i].key, key) == 0)
            return &fs[i];
    return NULL;
}

static int unknown_key(lctx *c, const json_t *obj, const char *prefix, const char *key)
{
    char sb[48];
    dw_doc_errf(c->d, dw_doc_key_line(c->d, obj, key), c->err, c->errlen,
                "%s: unknown key \"%s%s\"", c->where, prefix, dw_doc_snip(key, sb, sizeof sb));
    return -1;
}

static int load_one(lctx *c, const json_t *list, size_t i, dw_sensor *all)
{
    const json_t *e = json_array_get(list, i);
    int eline = dw_doc_index_line(c->d, list, i);
    char sb[48];
    snprintf(c->where, sizeof c->where, "sensors[%zu]", i);

    if (!json_is_object(e)) {
        dw_doc_errf(c->d, eline, c->err, c->errlen, "%s must be a mapping of keys to values, not %s",
                    c->where, dw_doc_type_word(e));
        return -1;
    }

    const json_t *id = json_object_get(e, "id");
    int idline = id ? dw_doc_key_line(c->d, e, "id") : eline;
    if (!id) {
        dw_doc_errf(c->d, eline, c->err, c->errlen, "%s: missing \"id\"", c->where);
        return -1;
    }
    if (!json_is_string(id) || json_string_length(id) == 0 || json_string_length(id) >= DW_ID_MAX ||
        strlen(json_string_value(id)) != json_string_length(id)) {
        dw_doc_errf(c->d, idline, c->err, c->errlen,
                    "%s: \"id\" must be a string of 1 to %d characters", c->where, DW_ID_MAX - 1);
        return -1;
    }
    const char *ids = json_string_value(id);
    snprintf(c->where, sizeof c->where, "sensors[%zu] (\"%s\")", i, dw_doc_snip(ids, sb, sizeof sb));
    int is_wire = 0;
    int dup = nh_find(&c->names, all, ids, &is_wire);
    if (dup >= 0) {
        int first = dw_doc_index_line(c->d, list, (size_t)dup);
        char at[48];
        if (first > 0)
            snprintf(at, sizeof at, "at line %d", first);
        else
            snprintf(at, sizeof at, "in sensors[%d]", dup);
        if (is_wire)
            dw_doc_errf(c->d, idline, c->err, c->errlen,
                        "%s: id \"%s\" is the wire_id of the sensor %s", c->where, sb, at);
        else
            dw_doc_errf(c->d, idline, c->err, c->errlen, "%s: duplicate id \"%s\" (first %s)",
                        c->where, sb, at);
        return -1;
    }

    const json_t *kind = json_object_get(e, "kind");
    dw_sensor_kind k = DW_SENSOR_OTHER;
    if (!kind) {
        dw_doc_errf(c->d, eline, c->err, c->errlen, "%s: missing \"kind\"", c->where);
        return -1;
    }
    if (!json_is_string(kind) || dw_sensor_kind_parse(json_string_value(kind), &k) < 0) {
        char list_s[200];
        size_t used = 0;
        for (int w = 0; w < DW_SENSOR_NKINDS && used < sizeof list_s; w++) {
            int n = snprintf(list_s + used, sizeof list_s - used, "%s%s", w ? ", " : "", kind_words[w]);
            used += n > 0 ? (size_t)n : 0;
        }
        int kline = dw_doc_key_line(c->d, e, "kind");
        if (json_is_string(kind))
            dw_doc_errf(c->d, kline, c->err, c->errlen,
                        "%s: unknown kind \"%s\" (expected one of %s)", c->where,
                        dw_doc_snip(json_string_value(kind), sb, sizeof sb), list_s);
        else
            dw_doc_errf(c->d, kline, c->err, c->errlen,
                        "%s: \"kind\" must be a word (one of %s), not %s", c->where, list_s,
                        dw_doc_type_word(kind));
        return -1;
    }

    dw_sensor s;
    dw_sensor_init(&s, k);
    memcpy(s.id, ids, json_string_length(id) + 1);

    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)e, key, v) {
        if (strcmp(key, "id") == 0 || strcmp(key, "kind") == 0)
            continue;
        if (strcmp(key, "sigma") == 0) {
            if (!json_is_object(v)) {
                dw_doc_errf(c->d, dw_doc_key_line(c->d, e, key), c->err, c->errlen,
                            "%s: \"sigma\" must be a mapping, not %s", c->where, dw_doc_type_word(v));
                return -1;
            }
            const char *sk;
            const json_t *sv;
            json_object_foreach((json_t *)v, sk, sv) {
                const sfield *f = find_sfield(sigma_fields, N(sigma_fields), sk);
                if (!f)
                    return unknown_key(c, v, "sigma.", sk);
                if (parse_sfield(c, f, v, "sigma.", sv, &s) < 0)
                    return -1;
            }
            continue;
        }
        const sfield *f = find_sfield(sensor_fields, N(sensor_fields), key);
        if (!f)
            return unknown_key(c, e, "", key);
        if (parse_sfield(c, f, e, "", v, &s) < 0)
            return -1;
    }

    if (needs_site(k) && (!json_object_get(e, "lat_deg") || !json_object_get(e, "lon_deg"))) {
        dw_doc_errf(c->d, eline, c->err, c->errlen,
                    "%s: a %s sensor needs its site: \"lat_deg\" and \"lon_deg\"", c->where,
                    kind_words[k]);
        return -1;
    }
    if (s.min_range_m > s.max_range_m) {
        dw_doc_errf(c->d, dw_doc_key_line(c->d, e, "min_range_m"), c->err, c->errlen,
                    "%s: \"min_range_m\" %g is beyond \"max_range_m\" %g", c->where, s.min_range_m,
                    s.max_range_m);
        return -1;
    }
    if (s.min_el_rad > s.max_el_rad) {
        dw_doc_errf(c->d, dw_doc_key_line(c->d, e, "min_el_deg"), c->err, c->errlen,
                    "%s: \"min_el_deg\" is above \"max_el_deg\"", c->where);
        return -1;
    }
    const char *wire = second_name(&s);
    if (wire && (dup = nh_find(&c->names, all, wire, &is_wire)) >= 0) {
        int first = dw_doc_index_line(c->d, list, (size_t)dup);
        char at[48];
        if (first > 0)
            snprintf(at, sizeof at, "at line %d", first);
        else
            snprintf(at, sizeof at, "in sensors[%d]", dup);
        dw_doc_errf(c->d, dw_doc_key_line(c->d, e, "wire_id"), c->err, c->errlen,
                    "%s: wire_id \"%s\" is already the %s of the sensor %s", c->where,
                    dw_doc_snip(wire, sb, sizeof sb), is_wire ? "wire_id" : "id", at);
        return -1;
    }
    all[i] = s;
    nh_put(&c->names, all[i].id, i, 0);
    if (wire)
        nh_put(&c->names, all[i].wire_id, i, 1);
    return 0;
}

dw_status dw_sensors_from_doc(const dw_doc *d, const json_t *list, dw_sensor **out,
                              size_t *n_out, char *err, size_t errlen)
{
    char ebuf[256];
    if (!err || errlen == 0) {
        err = ebuf;
        errlen = sizeof ebuf;
    }
    if (!d || !out || !n_out) {
        snprintf(err, errlen, "no document");
        return DW_ERR_INVALID;
    }
    if (!json_is_array(list)) {
        dw_doc_errf(d, dw_doc_line(d, list), err, errlen,
                    "\"sensors\" must be a list of sensor definitions, not %s",
                    list ? dw_doc_type_word(list) : "nothing");
        return DW_ERR_PARSE;
    }
    size_t n = json_array_size(list);
    dw_sensor *v = NULL;
    if (n) {
        v = calloc(n, sizeof *v);
        if (!v) {
            dw_doc_errf(d, 0, err, errlen, "out of memory for %zu sensors", n);
            return DW_ERR_NOMEM;
        }
    }
    if (n > (size_t)INT32_MAX / 2) {
        dw_doc_errf(d, 0, err, errlen, "%zu sensors are more than this engine can index", n);
        free(v);
        return DW_ERR_PARSE;
    }
    lctx c = {d, err, errlen, "", {NULL, 0}};
    if (nh_init(&c.names, 2 * n) != 0) {
        dw_doc_errf(d, 0, err, errlen, "out of memory for %zu sensors", n);
        free(v);
        return DW_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        if (load_one(&c, list, i, v) < 0) {
            free(c.names.slot);
            free(v);
            return DW_ERR_PARSE;
        }
    }
    free(c.names.slot);
    *out = v;
    *n_out = n;
    return DW_OK;
}

static dw_status from_loaded(dw_doc *d, dw_sensor **out, size_t *n_out, char *err, size_t errlen)
{
    const json_t *root = dw_doc_root(d);
    dw_status st;
    if (!json_is_object(root)) {
        dw_doc_errf(d, dw_doc_line(d, root), err, errlen,
                    "the top level must be a mapping with a \"sensors\" list, not %s",
                    dw_doc_type_word(root));
        st = DW_ERR_PARSE;
    } else if (!json_object_get(root, "sensors")) {
        dw_doc_errf(d, 0, err, errlen, "missing \"sensors\" (the list of sensor definitions)");
        st = DW_ERR_PARSE;
    } else {
        st = dw_sensors_from_doc(d, json_object_get(root, "sensors"), out, n_out, err, errlen);
    }
    dw_doc_destroy(d);
    return st;
}

dw_status dw_sensors_load(const char *path, dw_sensor **out, size_t *n_out, char *err,
                          size_t errlen)
{
    char ebuf[256];
    if (!err || errlen == 0) {
        err = ebuf;
        errlen = sizeof ebuf;
    }
    if (!out || !n_out) {
        snprintf(err, errlen, "no place for the result");
        return DW_ERR_INVALID;
    }
    dw_doc *d;
    dw_status st = dw_doc_load(path, &d, err, errlen);
    return st == DW_OK ? from_loaded(d, out, n_out, err, errlen) : st;
}

dw_status dw_sensors_load_mem(const char *buf, size_t len, const char *name, dw_sensor **out,
                              size_t *n_out, char *err, size_t errlen)
{
    char ebuf[256];
    if (!err || errlen == 0) {
        err = ebuf;
        errlen = sizeof ebuf;
    }
    if (!out || !n_out) {
        snprintf(err, errlen, "no place for the result");
        return DW_ERR_INVALID;
    }
    dw_doc *d;
    dw_status st = dw_doc_load_mem(buf, len, name, &d, err, errlen);
    return st == DW_OK ? from_loaded(d, out, n_out, err, errlen) : st;
}

int dw_sensors_find(const dw_sensor *s, size_t n, const char *id)
{
    if (!s || !id)
        return -1;
    for (size_t i = 0; i < n && i <= (size_t)INT32_MAX; i++)
        if (strcmp(s[i].id, id) == 0)
            return (int)i;
    for (size_t i = 0; i < n && i <= (size_t)INT32_MAX; i++)
        if (s[i].wire_id[0] && strcmp(s[i].wire_id, id) == 0)
            return (int)i;
    return -1;
}

/* ---- the index ----------------------------------------------------------- */

struct dw_sensors_index {
    const dw_sensor *s;
    name_hash h;
};

dw_status dw_sensors_index_create(const dw_sensor *s, size_t n, dw_sensors_index **out,
                                  char *err, size_t errlen)
{
    char ebuf[256];
    if (!err || errlen == 0) {
        err = ebuf;
        errlen = sizeof ebuf;
    }
    if (!out || (n && !s)) {
        snprintf(err, errlen, "no sensors to index");
        return DW_ERR_INVALID;
    }
    if (n > (size_t)INT32_MAX / 2) {
        snprintf(err, errlen, "%zu sensors are more than this engine can index", n);
        return DW_ERR_INVALID;
    }
    dw_sensors_index *x = calloc(1, sizeof *x);
    if (!x || nh_init(&x->h, 2 * n) != 0) {
        free(x);
        snprintf(err, errlen, "out of memory for an index of %zu sensors", n);
        return DW_ERR_NOMEM;
    }
    x->s = s;
    char sb[48];
    for (size_t i = 0; i < n; i++) {
        const char *names[2] = {s[i].id, second_name(&s[i])};
        if (!s[i].id[0]) {
            snprintf(err, errlen, "sensor %zu has no id", i);
            dw_sensors_index_destroy(x);
            return DW_ERR_INVALID;
        }
        for (int w = 0; w < 2; w++) {
            if (!names[w])
                continue;
            int is_wire = 0;
            int j = nh_find(&x->h, s, names[w], &is_wire);
            if (j >= 0) {
                snprintf(err, errlen, "sensor %zu's %s \"%s\" is already the %s of sensor %d (\"%s\")",
                         i, w ? "wire_id" : "id", dw_doc_snip(names[w], sb, sizeof sb),
                         is_wire ? "wire_id" : "id", j, s[j].id);
                dw_sensors_index_destroy(x);
                return DW_ERR_INVALID;
            }
            nh_put(&x->h, names[w], i, w);
        }
    }
    *out = x;
    return DW_OK;
}

void dw_sensors_index_destroy(dw_sensors_index *x)
{
    if (!x)
        return;
    free(x->h.slot);
    free(x);
}

int dw_sensors_index_find(const dw_sensors_index *x, const char *name)
{
    if (!x || !name)
        return -1;
    return nh_find(&x->h, x->s, name, NULL);
}

void dw_sensor_write_json(dw_jw *w, const dw_sensor *d)
{
    dw_jw_obj(w);
    dw_jw_kstr(w, "id", d->id);
    if (d->wire_id[0])
        dw_jw_kstr(w, "wire_id", d->wire_id);
    dw_jw_kstr(w, "kind", dw_sensor_kind_name(d->kind));
    if (d->owner[0])
        dw_jw_kstr(w, "owner", d->owner);
    dw_jw_kdouble(w, "lat_deg", d->lat_deg);
    dw_jw_kdouble(w, "lon_deg", d->lon_deg);
    dw_jw_kdouble(w, "alt_m", d->alt_m);
    if (d->pd > 0)
        dw_jw_kdouble(w, "pd", d->pd);
    if (d->max_range_m > 0)
        dw_jw_kdouble(w, "max_range_m", d->max_range_m);
    if (d->min_range_m > 0)
        dw_jw_kdouble(w, "min_range_m", d->min_range_m);
    if (d->period_us > 0)
        dw_jw_kdouble(w, "period_s", (double)d->period_us * 1e-6);
    if (d->min_el_rad < d->max_el_rad) {
        dw_jw_kdouble(w, "min_el_deg", d->min_el_rad * 180.0 / M_PI);
        dw_jw_kdouble(w, "max_el_deg", d->max_el_rad * 180.0 / M_PI);
    }
    if (d->clutter_per_scan > 0)
        dw_jw_kdouble(w, "clutter_per_scan", d->clutter_per_scan);
    dw_jw_key(w, "sigma");
    dw_jw_obj(w);
    if (d->sigma_range_m > 0)
        dw_jw_kdouble(w, "range_m", d->sigma_range_m);
    if (d->sigma_az_rad > 0)
        dw_jw_kdouble(w, "az_deg", d->sigma_az_rad * 180.0 / M_PI);
    if (d->sigma_el_rad > 0)
        dw_jw_kdouble(w, "el_deg", d->sigma_el_rad * 180.0 / M_PI);
    if (d->sigma_pos_m > 0)
        dw_jw_kdouble(w, "pos_m", d->sigma_pos_m);
    if (d->sigma_alt_m > 0)
        dw_jw_kdouble(w, "alt_m", d->sigma_alt_m);
    if (d->sigma_rr_mps > 0)
        dw_jw_kdouble(w, "range_rate_mps", d->sigma_rr_mps);
    dw_jw_obj_end(w);
    dw_jw_obj_end(w);
}
