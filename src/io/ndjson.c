/* ndjson.c — the native NDJSON records.
 *
 * Each record type is one table of fields: key, C type and offset, range,
 * and when the key is required or written. The reader and the writers both
 * walk the same table, so a key, unit or limit is stated once, and a line the
 * writer produces is always one the reader accepts (the fuzz target checks
 * exactly that). docs/formats.md describes these tables for people; a unit
 * test checks that it names every key and word.
 */
#include "dronewall/ndjson.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/doc.h"
#include "dronewall/log.h"

#define DEG_PER_RAD (180.0 / M_PI)
#define RAD_PER_DEG (M_PI / 180.0)

/* Enumerations are stored through their offset as an int. */
_Static_assert(sizeof(dw_obs_kind) == sizeof(int), "enum size");
_Static_assert(sizeof(dw_class) == sizeof(int), "enum size");
_Static_assert(sizeof(dw_track_status) == sizeof(int), "enum size");
_Static_assert(sizeof(dw_affiliation) == sizeof(int), "enum size");

/* ---- the schema ------------------------------------------------------- */

typedef struct alias {
    const char *word;
    int value;
} alias;

typedef struct words {
    const char *const *w;
    int n;
    const alias *aliases;       /* accepted on input only, NULL-terminated */
} words;

#define WORD(e, s) s,
static const char *const obs_kind_w[] = {DW_OBS_KINDS(WORD)};
static const char *const class_w[] = {DW_CLASSES(WORD)};
static const char *const status_w[] = {DW_TRACK_STATUSES(WORD)};
static const char *const aff_w[] = {DW_AFFILIATIONS(WORD)};
#undef WORD

/* Scenarios name what the object is ("class":"gerbera" in DESIGN.md §8);
 * truth keeps only the class, so the type names map onto it. */
static const alias truth_class_aliases[] = {
    {"gerbera", DW_CLASS_DECOY},     {"shahed", DW_CLASS_OWA_DRONE},
    {"shahed-136", DW_CLASS_OWA_DRONE}, {"geran-2", DW_CLASS_OWA_DRONE},
    {NULL, 0},
};

static const words obs_kinds = {obs_kind_w, DW_OBS_NKINDS, NULL};
static const words classes = {class_w, DW_NCLASSES, NULL};
static const words truth_classes = {class_w, DW_NCLASSES, truth_class_aliases};
static const words statuses = {status_w, DW_TRACK_NSTATUS, NULL};
static const words affiliations = {aff_w, DW_NAFFILIATIONS, NULL};

typedef enum ftype {
    F_I64,      /* int64_t as an exact JSON integer                       */
    F_U64,      /* uint64_t, 0..INT64_MAX (what a JSON integer holds here) */
    F_U32,      /* uint32_t                                               */
    F_NUM,      /* double in [lo, hi]                                     */
    F_DEG,      /* double radians in memory, degrees in [lo, hi] on wire  */
    F_VEC3,     /* double[3], each in [lo, hi]                            */
    F_MAT3,     /* double[3][3], 9 numbers row by row, diagonal >= 0      */
    F_STR,      /* char[size]                                             */
    F_ID,       /* char[size]; on input also an integer, kept as digits   */
    F_ICAO,     /* uint32_t, 6 hex digits                                 */
    F_MODE3A,   /* uint16_t, 4 octal digits                               */
    F_ENUM,     /* an enum, one of words                                  */
    F_BOOL,     /* int, 0 or 1                                            */
    F_SCORES,   /* float[DW_NCLASSES] as {class: 0..1}                    */
    F_SUB,      /* an object of further fields (obs "sigma")              */
    F_SENSORS,  /* track "sensors": names out, only checked in            */
} ftype;

#define ALL 0xffffffffu                 /* every kind                      */
#define KB(k) (1u << (k))

typedef struct field {
    const char *key;
    ftype type;
    size_t off;
    size_t size;                /* F_STR, F_ID: the buffer, NUL included  */
    double lo, hi;
    uint32_t need;              /* kinds in which the key is required     */
    uint32_t always;            /* kinds in which it is always written    */
    uint32_t has;               /* obs: the bit reading sets, writing tests */
    bool nonzero;               /* written whenever its value is not zero */
    const words *words;         /* F_ENUM                                 */
    const struct field *sub;    /* F_SUB                                  */
    size_t nsub;
} field;

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define O(m) offsetof(dw_obs, m)
#define T(m) offsetof(dw_track, m)
#define U(m) offsetof(dw_truth, m)

#define POSK (KB(DW_OBS_POS3) | KB(DW_OBS_POS2))
#define ANGK (KB(DW_OBS_POLAR) | KB(DW_OBS_BEARING))

static const field sigma_fields[] = {
    {.key = "range_m", .type = F_NUM, .off = O(sigma_range_m), .lo = 0, .hi = 1e7, .nonzero = true},
    {.key = "az_deg", .type = F_DEG, .off = O(sigma_az_rad), .lo = 0, .hi = 360, .nonzero = true},
    {.key = "el_deg", .type = F_DEG, .off = O(sigma_el_rad), .lo = 0, .hi = 180, .nonzero = true},
    {.key = "range_rate_mps", .type = F_NUM, .off = O(sigma_rr_mps), .lo = 0, .hi = 1e5, .nonzero = true},
    {.key = "pos_m", .type = F_NUM, .off = O(sigma_pos_m), .lo = 0, .hi = 1e7, .nonzero = true},
    {.key = "alt_m", .type = F_NUM, .off = O(sigma_alt_m), .lo = 0, .hi = 1e6, .nonzero = true},
};

#define OBS_KIND_FIELD 2   /* read first: the kind decides what is required */
static const field obs_fields[] = {
    {.key = "t_us", .type = F_I64, .off = O(t_us), .need = ALL, .always = ALL},
    {.key = "sensor", .type = F_STR, .off = O(sensor), .size = DW_ID_MAX, .need = ALL, .always = ALL},
    {.key = "kind", .type = F_ENUM, .off = O(kind), .need = ALL, .always = ALL, .words = &obs_kinds},
    {.key = "lat_deg", .type = F_NUM, .off = O(lat_deg), .lo = -90, .hi = 90, .need = POSK, .always = POSK, .has = DW_OBS_HAS_POS},
    {.key = "lon_deg", .type = F_NUM, .off = O(lon_deg), .lo = -180, .hi = 180, .need = POSK, .always = POSK, .has = DW_OBS_HAS_POS},
    {.key = "alt_m", .type = F_NUM, .off = O(alt_m), .lo = -1000, .hi = 1e5, .need = KB(DW_OBS_POS3), .always = KB(DW_OBS_POS3), .has = DW_OBS_HAS_ALT},
    {.key = "range_m", .type = F_NUM, .off = O(range_m), .lo = 0, .hi = 1e7, .need = KB(DW_OBS_POLAR), .always = KB(DW_OBS_POLAR)},
    {.key = "az_deg", .type = F_DEG, .off = O(az_rad), .lo = -360, .hi = 360, .need = ANGK, .always = ANGK},
    {.key = "el_deg", .type = F_DEG, .off = O(el_rad), .lo = -90, .hi = 90, .has = DW_OBS_HAS_EL},
    {.key = "range_rate_mps", .type = F_NUM, .off = O(range_rate_mps), .lo = -1e5, .hi = 1e5, .has = DW_OBS_HAS_RR},
    {.key = "sigma", .type = F_SUB, .nonzero = true, .sub = sigma_fields, .nsub = N(sigma_fields)},
    {.key = "cov_enu", .type = F_MAT3, .off = O(cov_enu), .lo = -1e15, .hi = 1e15, .has = DW_OBS_HAS_COV},
    {.key = "vel_enu_mps", .type = F_VEC3, .off = O(vel_enu_mps), .lo = -1e4, .hi = 1e4, .has = DW_OBS_HAS_VEL},
    {.key = "radius_m", .type = F_NUM, .off = O(radius_m), .lo = 0, .hi = 1e7, .has = DW_OBS_HAS_RANGE},
    {.key = "icao", .type = F_ICAO, .off = O(icao), .has = DW_OBS_HAS_ICAO},
    {.key = "mode3a", .type = F_MODE3A, .off = O(mode3a), .has = DW_OBS_HAS_MODE3A},
    {.key = "callsign", .type = F_STR, .off = O(callsign), .size = DW_CALLSIGN_MAX, .has = DW_OBS_HAS_CALLSIGN},
    {.key = "rid", .type = F_STR, .off = O(rid), .size = DW_RID_MAX, .has = DW_OBS_HAS_RID},
    {.key = "amplitude_db", .type = F_NUM, .off = O(amplitude_db), .lo = -1000, .hi = 1000, .has = DW_OBS_HAS_AMPLITUDE},
    {.key = "rcs_m2", .type = F_NUM, .off = O(rcs_m2), .lo = 0, .hi = 1e6, .has = DW_OBS_HAS_RCS},
    {.key = "class_scores", .type = F_SCORES, .off = O(class_score), .has = DW_OBS_HAS_CLASS},
    {.key = "partner_track", .type = F_U64, .off = O(partner_track), .has = DW_OBS_HAS_PTRACK},
};

static const field track_fields[] = {
    {.key = "t_us", .type = F_I64, .off = T(t_us), .need = ALL, .always = ALL},
    {.key = "id", .type = F_U64, .off = T(id), .need = ALL, .always = ALL},
    {.key = "status", .type = F_ENUM, .off = T(status), .need = ALL, .always = ALL, .words = &statuses},
    {.key = "lat_deg", .type = F_NUM, .off = T(lat_deg), .lo = -90, .hi = 90, .need = ALL, .always = ALL},
    {.key = "lon_deg", .type = F_NUM, .off = T(lon_deg), .lo = -180, .hi = 180, .need = ALL, .always = ALL},
    {.key = "alt_m", .type = F_NUM, .off = T(alt_m), .lo = -1000, .hi = 1e5, .need = ALL, .always = ALL},
    {.key = "vel_enu_mps", .type = F_VEC3, .off = T(vel_enu_mps), .lo = -1e4, .hi = 1e4, .always = ALL},
    {.key = "class", .type = F_ENUM, .off = T(cls), .always = ALL, .words = &classes},
    {.key = "affiliation", .type = F_ENUM, .off = T(affiliation), .always = ALL, .words = &affiliations},
    {.key = "sensors", .type = F_SENSORS, .off = T(sensor_idx)},
    {.key = "cov_pos_enu", .type = F_MAT3, .off = T(cov_pos_enu), .lo = -1e15, .hi = 1e15, .nonzero = true},
    {.key = "cov_vel_enu", .type = F_MAT3, .off = T(cov_vel_enu), .lo = -1e15, .hi = 1e15, .nonzero = true},
    {.key = "hits", .type = F_U32, .off = T(hits), .always = ALL},
    {.key = "quality", .type = F_NUM, .off = T(quality), .lo = 0, .hi = 1, .always = ALL},
    {.key = "icao", .type = F_ICAO, .off = T(icao), .nonzero = true},
    {.key = "callsign", .type = F_STR, .off = T(callsign), .size = DW_CALLSIGN_MAX, .nonzero = true},
    {.key = "rid", .type = F_STR, .off = T(rid), .size = DW_RID_MAX, .nonzero = true},
    {.key = "mode3a", .type = F_MODE3A, .off = T(mode3a), .nonzero = true},
    {.key = "class_probs", .type = F_SCORES, .off = T(class_prob), .nonzero = true},
};

static const field truth_fields[] = {
    {.key = "t_us", .type = F_I64, .off = U(t_us), .need = ALL, .always = ALL},
    {.key = "id", .type = F_ID, .off = U(id), .size = DW_ID_MAX, .need = ALL, .always = ALL},
    {.key = "class", .type = F_ENUM, .off = U(cls), .always = ALL, .words = &truth_classes},
    {.key = "lat_deg", .type = F_NUM, .off = U(lat_deg), .lo = -90, .hi = 90, .need = ALL, .always = ALL},
    {.key = "lon_deg", .type = F_NUM, .off = U(lon_deg), .lo = -180, .hi = 180, .need = ALL, .always = ALL},
    {.key = "alt_m", .type = F_NUM, .off = U(alt_m), .lo = -1000, .hi = 1e5, .need = ALL, .always = ALL},
    {.key = "vel_enu_mps", .type = F_VEC3, .off = U(vel_enu_mps), .lo = -1e4, .hi = 1e4, .always = ALL},
    {.key = "alive", .type = F_BOOL, .off = U(alive), .always = ALL},
    {.key = "unseen", .type = F_BOOL, .off = U(unseen), .nonzero = true},
};

typedef struct schema {
    const char *type;           /* the "type" word */
    const field *f;
    size_t n;
} schema;

static const schema schemas[] = {
    [DW_REC_OBS] = {"obs", obs_fields, N(obs_fields)},
    [DW_REC_TRACK] = {"track", track_fields, N(track_fields)},
    [DW_REC_TRUTH] = {"truth", truth_fields, N(truth_fields)},
};

/* ---- reading ------------------------------------------------------------ */

typedef struct pctx {
    char *err;
    size_t errlen;
    const char *type;           /* "obs", ... for the message             */
    const char *prefix;         /* "sigma." inside a sub-object           */
    const char *kind;           /* obs kind word, once known              */
} pctx;

static int fail(pctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(pctx *c, const char *fmt, ...)
{
    int n = c->type ? snprintf(c->err, c->errlen, "%s: ", c->type) : 0;
    if (n < 0 || (size_t)n >= c->errlen)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}


static const char *json_type_word(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER:
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    default: return "null";
    }
}

static int word_list(const words *w, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < w->n && used < n; i++) {
        int k = snprintf(buf + used, n - used, "%s%s", i ? ", " : "", w->w[i]);
        if (k < 0)
            break;
        used += (size_t)k;
    }
    return 0;
}

static int parse_word(const words *w, const char *s, int *out)
{
    for (int i = 0; i < w->n; i++)
        if (strcmp(w->w[i], s) == 0) {
            *out = i;
            return 0;
        }
    for (const alias *a = w->aliases; a && a->word; a++)
        if (strcmp(a->word, s) == 0) {
            *out = a->value;
            return 0;
        }
    return -1;
}

static int range_ok(pctx *c, const char *key, int idx, double d, double lo, double hi)
{
    if (d >= lo && d <= hi)
        return 0;
    if (idx >= 0)
        return fail(c, "\"%s%s\"[%d] out of range: %.17g (expected %g to %g)", c->prefix, key,
                    idx, d, lo, hi);
    return fail(c, "\"%s%s\" out of range: %.17g (expected %g to %g)", c->prefix, key, d, lo, hi);
}

static int parse_numbers(pctx *c, const field *f, json_t *v, double *out, size_t n)
{
    if (!json_is_array(v) || json_array_size(v) != n)
        return fail(c, "\"%s%s\" must be an array of %zu numbers", c->prefix, f->key, n);
    double tmp[9];
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(v, i);
        if (!json_is_number(e))
            return fail(c, "\"%s%s\" must be an array of %zu numbers", c->prefix, f->key, n);
        tmp[i] = json_number_value(e);
        if (range_ok(c, f->key, (int)i, tmp[i], f->lo, f->hi) < 0)
            return -1;
    }
    if (n == 9 && (tmp[0] < 0 || tmp[4] < 0 || tmp[8] < 0))
        return fail(c, "\"%s%s\" has a negative variance on its diagonal", c->prefix, f->key);
    memcpy(out, tmp, n * sizeof *tmp);
    return 0;
}

static int parse_fixed_digits(const char *s, int ndigits, int base, unsigned long *out)
{
    if (strlen(s) != (size_t)ndigits)
        return -1;
    unsigned long v = 0;
    for (int i = 0; i < ndigits; i++) {
        int d;
        char ch = s[i];
        if (ch >= '0' && ch <= '9')
            d = ch - '0';
        else if (ch >= 'a' && ch <= 'f')
            d = ch - 'a' + 10;
        else if (ch >= 'A' && ch <= 'F')
            d = ch - 'A' + 10;
        else
            return -1;
        if (d >= base)
            return -1;
        v = v * (unsigned long)base + (unsigned long)d;
    }
    *out = v;
    return 0;
}

static int parse_fields(pctx *c, const field *fs, size_t n, json_t *obj, char *rec,
                        uint32_t kindbit, uint32_t *has, uint64_t *seen);

static int parse_value(pctx *c, const field *f, json_t *v, char *rec, uint32_t *has)
{
    char *p = rec + f->off;
    const char *k = f->key, *pre = c->prefix;
    char sb[48];

    switch (f->type) {
    case F_I64:
    case F_U64:
    case F_U32: {
        if (!json_is_integer(v))
            return fail(c, "\"%s%s\" must be an integer", pre, k);
        json_int_t i = json_integer_value(v);
        if (f->type == F_I64) {
            int64_t x = (int64_t)i;
            memcpy(p, &x, sizeof x);
        } else if (i < 0 || (f->type == F_U32 && i > (json_int_t)UINT32_MAX)) {
            return fail(c, "\"%s%s\" out of range: %" JSON_INTEGER_FORMAT, pre, k, i);
        } else if (f->type == F_U64) {
            uint64_t x = (uint64_t)i;
            memcpy(p, &x, sizeof x);
        } else {
            uint32_t x = (uint32_t)i;
            memcpy(p, &x, sizeof x);
        }
        return 0;
    }
    case F_NUM:
    case F_DEG: {
        if (!json_is_number(v))
            return fail(c, "\"%s%s\" must be a number", pre, k);
        double d = json_number_value(v);
        if (range_ok(c, k, -1, d, f->lo, f->hi) < 0)
            return -1;
        if (f->type == F_DEG)
            d *= RAD_PER_DEG;
        memcpy(p, &d, sizeof d);
        return 0;
    }
    case F_VEC3:
        return parse_numbers(c, f, v, (double *)(void *)p, 3);
    case F_MAT3:
        return parse_numbers(c, f, v, (double *)(void *)p, 9);
    case F_ID:
        if (json_is_integer(v)) {
            snprintf(p, f->size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
            return 0;
        }
        /* fall through */
    case F_STR: {
        if (!json_is_string(v))
            return fail(c, "\"%s%s\" must be a string", pre, k);
        size_t len = json_string_length(v);
        if (len >= f->size)
            return fail(c, "\"%s%s\" is longer than %zu characters", pre, k, f->size - 1);
        if (len == 0 && f->need)
            return fail(c, "\"%s%s\" must not be empty", pre, k);
        memcpy(p, json_string_value(v), len + 1);
        return 0;
    }
    case F_ICAO:
    case F_MODE3A: {
        bool icao = f->type == F_ICAO;
        unsigned long x;
        if (!json_is_string(v) ||
            parse_fixed_digits(json_string_value(v), icao ? 6 : 4, icao ? 16 : 8, &x) < 0) {
            if (icao)
                return fail(c, "\"%s%s\" must be 6 hex digits, as \"48AE21\"", pre, k);
            return fail(c, "\"%s%s\" must be 4 octal digits, as \"7500\"", pre, k);
        }
        if (icao) {
            uint32_t a = (uint32_t)x;
            memcpy(p, &a, sizeof a);
        } else {
            uint16_t m = (uint16_t)x;
            memcpy(p, &m, sizeof m);
        }
        return 0;
    }
    case F_ENUM: {
        int e;
        if (!json_is_string(v))
            return fail(c, "\"%s%s\" must be a string", pre, k);
        if (parse_word(f->words, json_string_value(v), &e) < 0) {
            char list[256];
            word_list(f->words, list, sizeof list);
            return fail(c, "unknown \"%s%s\": \"%s\" (expected one of %s)", pre, k,
                        dw_doc_snip(json_string_value(v), sb, sizeof sb), list);
        }
        memcpy(p, &e, sizeof e);
        return 0;
    }
    case F_BOOL: {
        if (!json_is_boolean(v))
            return fail(c, "\"%s%s\" must be true or false", pre, k);
        int b = json_is_true(v);
        memcpy(p, &b, sizeof b);
        return 0;
    }
    case F_SCORES: {
        if (!json_is_object(v))
            return fail(c, "\"%s%s\" must be an object of class: score", pre, k);
        float tmp[DW_NCLASSES] = {0};
        const char *name;
        json_t *s;
        json_object_foreach(v, name, s) {
            int cl;
            if (parse_word(&classes, name, &cl) < 0)
                return fail(c, "\"%s%s\": unknown class \"%s\"", pre, k, dw_doc_snip(name, sb, sizeof sb));
            if (!json_is_number(s))
                return fail(c, "\"%s%s\": the score of \"%s\" must be a number", pre, k, name);
            double d = json_number_value(s);
            if (!(d >= 0 && d <= 1))
                return fail(c, "\"%s%s\": the score of \"%s\" out of range: %.17g (expected 0 to 1)",
                            pre, k, name, d);
            tmp[cl] = (float)d;
        }
        memcpy(p, tmp, sizeof tmp);
        return 0;
    }
    case F_SUB: {
        if (!json_is_object(v))
            return fail(c, "\"%s%s\" must be an object", pre, k);
        char subpre[32];
        snprintf(subpre, sizeof subpre, "%s.", k);
        pctx sc = *c;
        sc.prefix = subpre;
        uint64_t seen = 0;
        return parse_fields(&sc, f->sub, f->nsub, v, rec, 0, has, &seen);
    }
    case F_SENSORS: {
        size_t i;
        json_t *e;
        if (!json_is_array(v))
            return fail(c, "\"%s%s\" must be an array of sensor ids", pre, k);
        json_array_foreach(v, i, e) {
            if (!json_is_string(e) || json_string_length(e) == 0 ||
                json_string_length(e) >= DW_ID_MAX)
                return fail(c, "\"%s%s\"[%zu] must be a sensor id (1 to %d characters)", pre, k,
                            i, DW_ID_MAX - 1);
        }
        return 0; /* names cannot become indices here; see ndjson.h */
    }
    }
    return fail(c, "\"%s%s\": internal error", pre, k);
}

static int parse_fields(pctx *c, const field *fs, size_t n, json_t *obj, char *rec,
                        uint32_t kindbit, uint32_t *has, uint64_t *seen)
{
    for (size_t i = 0; i < n; i++) {
        const field *f = &fs[i];
        if (*seen & (1ull << i))
            continue;
        /* A key that belongs to other kinds only (range_m on a POS2) is not
         * this record's: ignored like any unknown key, since the writer
         * would not write it back. */
        if (!(f->always & kindbit) && !f->has && !f->nonzero && f->type != F_SENSORS)
            continue;
        json_t *v = json_object_get(obj, f->key);
        if (!v || json_is_null(v)) {
            if (!(f->need & kindbit))
                continue;
            if (f->need != ALL && c->kind)
                return fail(c, "missing \"%s%s\" (required for %s)", c->prefix, f->key, c->kind);
            return fail(c, "missing \"%s%s\"", c->prefix, f->key);
        }
        if (parse_value(c, f, v, rec, has) < 0)
            return -1;
        *has |= f->has;
        *seen |= 1ull << i;
    }
    return 0;
}

static int parse_record(pctx *c, json_t *root, dw_record *rec)
{
    json_t *v = json_object_get(root, "v");
    if (!v)
        return fail(c, "missing \"v\" (the format version)");
    if (!json_is_integer(v))
        return fail(c, "\"v\" must be an integer");
    if (json_integer_value(v) != DW_NDJSON_VERSION)
        return fail(c, "unsupported \"v\": %" JSON_INTEGER_FORMAT " (this reader knows %d)",
                    json_integer_value(v), DW_NDJSON_VERSION);

    json_t *t = json_object_get(root, "type");
    if (!t)
        return fail(c, "missing \"type\"");
    if (!json_is_string(t))
        return fail(c, "\"type\" must be a string");
    const char *tw = json_string_value(t);
    int type = -1;
    for (size_t i = 0; i < N(schemas); i++)
        if (strcmp(tw, schemas[i].type) == 0)
            type = (int)i;
    if (type < 0) {
        char sb[48];
        if (strcmp(tw, "alert") == 0 || strcmp(tw, "decision") == 0)
            return fail(c, "\"type\": \"%s\" is not read yet (reserved; this reader reads obs, "
                           "track, truth)", tw);
        return fail(c, "unknown \"type\": \"%s\" (expected obs, track or truth)",
                    dw_doc_snip(tw, sb, sizeof sb));
    }

    const schema *s = &schemas[type];
    c->type = s->type;
    memset(rec, 0, sizeof *rec);
    rec->type = (dw_record_type)type;
    char *base = (char *)&rec->u;
    uint32_t kindbit = ALL, has = 0;
    uint64_t seen = 0;

    switch (rec->type) {
    case DW_REC_OBS: {
        uint64_t kind_seen = 0;
        if (parse_fields(c, s->f + OBS_KIND_FIELD, 1, root, base, ALL, &has, &kind_seen) < 0)
            return -1;
        seen |= 1ull << OBS_KIND_FIELD;
        dw_obs_kind kind = rec->u.obs.kind;
        dw_obs_init(&rec->u.obs, kind);
        kindbit = KB(kind);
        c->kind = obs_kind_w[kind];
        break;
    }
    case DW_REC_TRACK:
        dw_track_init(&rec->u.track);
        break;
    case DW_REC_TRUTH:
        rec->u.truth.cls = DW_CLASS_UNKNOWN;
        rec->u.truth.alive = 1;
        break;
    }
    if (parse_fields(c, s->f, s->n, root, base, kindbit, &has, &seen) < 0)
        return -1;
    if (rec->type == DW_REC_OBS) {
        /* lat_deg and lon_deg share one bit: both or neither. */
        bool lat = json_object_get(root, "lat_deg") && !json_is_null(json_object_get(root, "lat_deg"));
        bool lon = json_object_get(root, "lon_deg") && !json_is_null(json_object_get(root, "lon_deg"));
        if (lat != lon)
            return fail(c, "\"%s\" without \"%s\"", lat ? "lat_deg" : "lon_deg",
                        lat ? "lon_deg" : "lat_deg");
        rec->u.obs.has = has;
    }
    return 0;
}

dw_status dw_ndjson_parse(const char *line, size_t len, dw_record *out, char *err, size_t errlen)
{
    char ebuf[256];
    if (!err || errlen == 0) {
        err = ebuf;
        errlen = sizeof ebuf;
    }
    if (!line || !out) {
        snprintf(err, errlen, "no input");
        return DW_ERR_INVALID;
    }
    json_error_t je;
    json_t *root = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
    if (!root) {
        snprintf(err, errlen, "not JSON: %s (column %d)", je.text, je.column);
        return DW_ERR_PARSE;
    }
    pctx c = {err, errlen, NULL, "", NULL};
    dw_status st = DW_ERR_PARSE;
    dw_record rec;
    if (!json_is_object(root))
        fail(&c, "not a JSON object but %s", json_type_word(root));
    else if (parse_record(&c, root, &rec) == 0)
        st = DW_OK;
    json_decref(root);
    if (st == DW_OK)
        *out = rec;
    return st;
}

/* ---- the reader --------------------------------------------------------- */

struct dw_ndjson_reader {
    FILE *f;
    char *name;
    char *line;
    size_t cap;
    dw_ndjson_stats stats;
    int64_t now_us;             /* t_us of the last good record: the log's clock */
    dw_ratelimit rl;
    char err[512];
};

dw_status dw_ndjson_reader_create(FILE *f, const char *name, dw_ndjson_reader **out)
{
    if (!f || !out)
        return DW_ERR_INVALID;
    dw_ndjson_reader *r = calloc(1, sizeof *r);
    if (!r)
        return DW_ERR_NOMEM;
    r->name = strdup(name ? name : "-");
    if (!r->name) {
        free(r);
        return DW_ERR_NOMEM;
    }
    r->f = f;
    dw_ratelimit rl = DW_RATELIMIT_INIT(1.0, 20.0);
    r->rl = rl;
    *out = r;
    return DW_OK;
}

void dw_ndjson_reader_destroy(dw_ndjson_reader *r)
{
    if (!r)
        return;
    free(r->line);
    free(r->name);
    free(r);
}

static bool is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return false;
    return true;
}

dw_status dw_ndjson_next(dw_ndjson_reader *r, dw_record *out)
{
    if (!r || !out)
        return DW_ERR_INVALID;
    for (;;) {
        ssize_t n = getline(&r->line, &r->cap, r->f);
        if (n < 0)
            return ferror(r->f) ? DW_ERR_IO : DW_ERR_EOF;
        r->stats.lines++;
        if (is_blank(r->line, (size_t)n)) {
            r->stats.blank++;
            continue;
        }
        char why[400];
        dw_record rec;
        if (dw_ndjson_parse(r->line, (size_t)n, &rec, why, sizeof why) != DW_OK) {
            r->stats.bad++;
            snprintf(r->err, sizeof r->err, "%s:%" PRIu64 ": %s", r->name, r->stats.lines, why);
            DW_LOG_RL(&r->rl, r->now_us, DW_LOG_IO, DW_LOG_WARN, "%s", r->err);
            continue;
        }
        rec.line = r->stats.lines;
        r->stats.records++;
        switch (rec.type) {
        case DW_REC_OBS: r->now_us = rec.u.obs.t_us; break;
        case DW_REC_TRACK: r->now_us = rec.u.track.t_us; break;
        case DW_REC_TRUTH: r->now_us = rec.u.truth.t_us; break;
        }
        *out = rec;
        return DW_OK;
    }
}

const char *dw_ndjson_last_error(const dw_ndjson_reader *r)
{
    return r ? r->err : "";
}

void dw_ndjson_get_stats(const dw_ndjson_reader *r, dw_ndjson_stats *out)
{
    if (r && out)
        *out = r->stats;
}

/* ---- writing ------------------------------------------------------------ */

typedef struct wbuf {
    char *p, *end;              /* p < end always: room for the NUL       */
    bool full, invalid;
} wbuf;

static void put(wbuf *w, const char *s, size_t n)
{
    if (w->full)
        return;
    if ((size_t)(w->end - w->p) <= n) {
        w->full = true;
        return;
    }
    memcpy(w->p, s, n);
    w->p += n;
}

static void puts_(wbuf *w, const char *s) { put(w, s, strlen(s)); }

static void putf(wbuf *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(wbuf *w, const char *fmt, ...)
{
    if (w->full)
        return;
    size_t room = (size_t)(w->end - w->p);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(w->p, room, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= room)
        w->full = true;
    else
        w->p += n;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0], cp;
    size_t len;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2, cp = c & 0x1f;
    else if ((c & 0xf0) == 0xe0)
        len = 3, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4, cp = c & 0x07;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)))
        return 0;
    if (len == 4 && (cp < 0x10000 || cp > 0x10ffff))
        return 0;
    return len;
}

/* A JSON string from a fixed C buffer. Bytes that are not UTF-8 become '?'
 * (one byte for one, so the length limit still holds on reading back). */
static void put_string(wbuf *w, const char *s, size_t size)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strnlen(s, size - 1);
    put(w, "\"", 1);
    for (size_t i = 0; i < n;) {
        unsigned char ch = u[i];
        if (ch == '"' || ch == '\\') {
            char e[2] = {'\\', (char)ch};
            put(w, e, 2);
            i++;
        } else if (ch < 0x20) {
            putf(w, "\\u%04x", ch);
            i++;
        } else {
            size_t k = utf8_seq(u + i, n - i);
            if (k == 0) {
                put(w, "?", 1);
                i++;
            } else {
                put(w, s + i, k);
                i += k;
            }
        }
    }
    put(w, "\"", 1);
}

/* The shortest of %.15g .. %.17g that reads back to d; d must be finite. */
static int fmt_double(char *buf, size_t n, double d)
{
    int k = 0;
    for (int prec = 15; prec <= 17; prec++) {
        k = snprintf(buf, n, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    return k;
}

static void put_number(wbuf *w, const field *f, double d, bool deg)
{
    char tmp[40];
    int k;
    if (!isfinite(d)) {
        w->invalid = true;
        return;
    }
    if (deg) {
        d *= DEG_PER_RAD;
        k = snprintf(tmp, sizeof tmp, "%.12g", d);
        d = strtod(tmp, NULL); /* the range applies to what will be read */
    } else {
        k = fmt_double(tmp, sizeof tmp, d);
    }
    if (!(d >= f->lo && d <= f->hi))
        w->invalid = true;
    put(w, tmp, (size_t)k);
}

static void put_float(wbuf *w, float v)
{
    char tmp[32];
    int k = 0;
    if (!isfinite(v) || v < 0 || v > 1) {
        w->invalid = true;
        return;
    }
    for (int prec = 6; prec <= 9; prec++) {
        k = snprintf(tmp, sizeof tmp, "%.*g", prec, (double)v);
        if ((float)strtod(tmp, NULL) == v) /* as the reader will: a double, then a float */
            break;
    }
    put(w, tmp, (size_t)k);
}

static bool all_zero(const field *f, const char *p)
{
    switch (f->type) {
    case F_NUM:
    case F_DEG: { double d; memcpy(&d, p, sizeof d); return d == 0; }
    case F_VEC3:
    case F_MAT3: {
        size_t n = f->type == F_VEC3 ? 3 : 9;
        for (size_t i = 0; i < n; i++) {
            double d;
            memcpy(&d, p + i * sizeof d, sizeof d);
            if (d != 0)
                return false;
        }
        return true;
    }
    case F_STR:
    case F_ID: return p[0] == '\0';
    case F_ICAO:
    case F_U32: { uint32_t x; memcpy(&x, p, sizeof x); return x == 0; }
    case F_BOOL: { int b; memcpy(&b, p, sizeof b); return b == 0; }
    case F_MODE3A: { uint16_t m; memcpy(&m, p, sizeof m); return m == 0; }
    case F_SCORES: {
        for (int i = 0; i < DW_NCLASSES; i++) {
            float x;
            memcpy(&x, p + (size_t)i * sizeof x, sizeof x);
            if (x != 0)
                return false;
        }
        return true;
    }
    default: return false;
    }
}

typedef struct names {
    const char *const *v;
    size_t n;
} names;

static void write_fields(wbuf *w, const field *fs, size_t n, const char *rec, uint32_t kindbit,
                         uint32_t has, const names *nm, bool first);

static void put_value(wbuf *w, const field *f, const char *rec, uint32_t has, const names *nm)
{
    const char *p = rec + f->off;
    switch (f->type) {
    case F_I64: { int64_t x; memcpy(&x, p, sizeof x); putf(w, "%" PRId64, x); break; }
    case F_U64: {
        uint64_t x;
        memcpy(&x, p, sizeof x);
        if (x > (uint64_t)INT64_MAX)
            w->invalid = true;
        putf(w, "%" PRIu64, x);
        break;
    }
    case F_U32: { uint32_t x; memcpy(&x, p, sizeof x); putf(w, "%" PRIu32, x); break; }
    case F_NUM:
    case F_DEG: { double d; memcpy(&d, p, sizeof d); put_number(w, f, d, f->type == F_DEG); break; }
    case F_VEC3:
    case F_MAT3: {
        size_t k = f->type == F_VEC3 ? 3 : 9;
        put(w, "[", 1);
        for (size_t i = 0; i < k; i++) {
            double d;
            memcpy(&d, p + i * sizeof d, sizeof d);
            if (i)
                put(w, ",", 1);
            put_number(w, f, d, false);
            if (k == 9 && i % 4 == 0 && d < 0)
                w->invalid = true;
        }
        put(w, "]", 1);
        break;
    }
    case F_STR:
    case F_ID:
        if (f->need && p[0] == '\0')
            w->invalid = true;
        put_string(w, p, f->size);
        break;
    case F_ICAO: {
        uint32_t a;
        memcpy(&a, p, sizeof a);
        if (a > 0xffffffu)
            w->invalid = true;
        putf(w, "\"%06" PRIX32 "\"", a & 0xffffffu);
        break;
    }
    case F_MODE3A: {
        uint16_t m;
        memcpy(&m, p, sizeof m);
        if (m > 07777)
            w->invalid = true;
        putf(w, "\"%04o\"", (unsigned)(m & 07777));
        break;
    }
    case F_ENUM: {
        int e;
        memcpy(&e, p, sizeof e);
        if (e < 0 || e >= f->words->n) {
            w->invalid = true;
            break;
        }
        putf(w, "\"%s\"", f->words->w[e]);
        break;
    }
    case F_BOOL: { int b; memcpy(&b, p, sizeof b); puts_(w, b ? "true" : "false"); break; }
    case F_SCORES: {
        bool first = true;
        put(w, "{", 1);
        for (int i = 0; i < DW_NCLASSES; i++) {
            float x;
            memcpy(&x, p + (size_t)i * sizeof x, sizeof x);
            if (x == 0)
                continue;
            putf(w, "%s\"%s\":", first ? "" : ",", class_w[i]);
            put_float(w, x);
            first = false;
        }
        put(w, "}", 1);
        break;
    }
    case F_SUB:
        put(w, "{", 1);
        write_fields(w, f->sub, f->nsub, rec, 0, has, nm, true);
        put(w, "}", 1);
        break;
    case F_SENSORS: {
        const dw_track *t = (const dw_track *)(const void *)rec;
        int k = t->n_sensors < 0 ? 0 : t->n_sensors;
        bool first = true;
        if (k > DW_TRACK_MAX_SENSORS)
            k = DW_TRACK_MAX_SENSORS;
        put(w, "[", 1);
        for (int i = 0; i < k; i++) {
            size_t idx = t->sensor_idx[i];
            if (idx >= nm->n || !nm->v[idx] || !nm->v[idx][0])
                continue;
            if (!first)
                put(w, ",", 1);
            put_string(w, nm->v[idx], DW_ID_MAX);
            first = false;
        }
        put(w, "]", 1);
        break;
    }
    }
}

static bool sub_zero(const field *f, const char *rec)
{
    for (size_t i = 0; i < f->nsub; i++)
        if (!all_zero(&f->sub[i], rec + f->sub[i].off))
            return false;
    return true;
}

static void write_fields(wbuf *w, const field *fs, size_t n, const char *rec, uint32_t kindbit,
                         uint32_t has, const names *nm, bool first)
{
    for (size_t i = 0; i < n; i++) {
        const field *f = &fs[i];
        bool on;
        if (f->type == F_SENSORS)
            on = nm->v != NULL;
        else if (f->type == F_SUB)
            on = !sub_zero(f, rec);
        else
            on = (f->always & kindbit) || (f->has & has) ||
                 (f->nonzero && !all_zero(f, rec + f->off));
        if (!on)
            continue;
        putf(w, "%s\"%s\":", first ? "" : ",", f->key);
        put_value(w, f, rec, has, nm);
        first = false;
    }
}

static dw_status write_line(char *buf, char *end, dw_record_type type, const void *rec,
                            uint32_t kindbit, uint32_t has, const names *nm, char **out_end)
{
    if (!buf || !end || !rec || !out_end)
        return DW_ERR_INVALID;
    if (end <= buf)
        return DW_ERR_FULL;
    const schema *s = &schemas[type];
    wbuf w = {buf, end, false, false};
    putf(&w, "{\"v\":%d,\"type\":\"%s\"", DW_NDJSON_VERSION, s->type);
    write_fields(&w, s->f, s->n, rec, kindbit, has, nm, false);
    put(&w, "}\n", 2);
    if (w.invalid)
        return DW_ERR_INVALID;
    if (w.full)
        return DW_ERR_FULL;
    *w.p = '\0';
    *out_end = w.p;
    return DW_OK;
}

dw_status dw_ndjson_write_obs(char *buf, char *end, const dw_obs *o, char **out_end)
{
    if (!o || (unsigned)o->kind >= DW_OBS_NKINDS)
        return DW_ERR_INVALID;
    names nm = {NULL, 0};
    return write_line(buf, end, DW_REC_OBS, o, KB(o->kind), o->has, &nm, out_end);
}

dw_status dw_ndjson_write_track(char *buf, char *end, const dw_track *t,
                                const char *const *sensor_names, size_t n_names,
                                char **out_end)
{
    names nm = {sensor_names, sensor_names ? n_names : 0};
    return write_line(buf, end, DW_REC_TRACK, t, ALL, 0, &nm, out_end);
}

dw_status dw_ndjson_write_truth(char *buf, char *end, const dw_truth *t, char **out_end)
{
    names nm = {NULL, 0};
    return write_line(buf, end, DW_REC_TRUTH, t, ALL, 0, &nm, out_end);
}

dw_status dw_ndjson_write_record(char *buf, char *end, const dw_record *rec,
                                 const char *const *sensor_names, size_t n_names,
                                 char **out_end)
{
    if (!rec)
        return DW_ERR_INVALID;
    switch (rec->type) {
    case DW_REC_OBS: return dw_ndjson_write_obs(buf, end, &rec->u.obs, out_end);
    case DW_REC_TRACK:
        return dw_ndjson_write_track(buf, end, &rec->u.track, sensor_names, n_names, out_end);
    case DW_REC_TRUTH: return dw_ndjson_write_truth(buf, end, &rec->u.truth, out_end);
    }
    return DW_ERR_INVALID;
}
