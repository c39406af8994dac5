/* effector.c — the effector catalogue: per-kind defaults and the YAML/JSON loader.
 *
 * The defaults table below is the one place the public figures live; docs/respond.md
 * gives each with its source in ../shared/docs/domain-facts.md (§1.7, §2.2) or marks it
 * [assumed]. A file overrides any of them per entry.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/doc.h"
#include "dronewall/effector.h"

static const char *const kind_names[DW_EFF_NKINDS] = {
#define DW_EFF_NAME(e, s) s,
    DW_EFFECTOR_KINDS(DW_EFF_NAME)
#undef DW_EFF_NAME
};

const char *dw_effector_kind_name(dw_effector_kind k)
{
    return (unsigned)k < DW_EFF_NKINDS ? kind_names[k] : "?";
}

int dw_effector_kind_parse(const char *s, dw_effector_kind *out)
{
    for (int k = 0; s && k < DW_EFF_NKINDS; k++)
        if (!strcmp(s, kind_names[k])) {
            *out = (dw_effector_kind)k;
            return 0;
        }
    return -1;
}

int dw_effector_is_fighter(dw_effector_kind k)
{
    return k == DW_EFF_FIGHTER_CAP || k == DW_EFF_FIGHTER_QRA;
}

/* Kill probabilities per class in dw_class order: unknown, owa_drone, decoy, quadcopter,
 * helicopter, airliner, light_aircraft, fighter, bird. All [assumed] except the
 * interceptor drone's 0.68 against Shahed-class (§2.2, Zelensky: 68 %). An airliner's is
 * there because the geometry is the same; whether to engage one is not this module's
 * question. */
typedef struct kind_default {
    double orbit_radius_m, reaction_s, speed_mps, carrier_speed_mps, weapon_range_m;
    double min_range_m, max_range_m, min_alt_m, max_alt_m;
    int magazine;
    double cost_per_shot_eur, sortie_cost_eur, assess_s;
    double pk[DW_NCLASSES];
} kind_default;

static const kind_default defaults[DW_EFF_NKINDS] = {
    /* fighter_cap: AIM-9X at ~€400k a shot (§1.7 Bild, §2.2); CAP reaction 60 s, transit
     * 250 m/s, weapon range 10 km, missile average 800 m/s, 300 km from the orbit, 4
     * missiles, sortie €40k [assumed] */
    [DW_EFF_FIGHTER_CAP] = {30000, 60, 800, 250, 10000, 0, 300000, 30, 15000, 4, 400000, 40000,
                            10, {0.6, 0.8, 0.8, 0.3, 0.85, 0.9, 0.85, 0.7, 0.0}},
    /* fighter_qra: the same aircraft scrambled: ~15 min detect-to-airborne [assumed] */
    [DW_EFF_FIGHTER_QRA] = {0, 900, 800, 250, 10000, 0, 300000, 30, 15000, 4, 400000, 40000,
                            10, {0.6, 0.8, 0.8, 0.3, 0.85, 0.9, 0.85, 0.7, 0.0}},
    /* sam_long: PAC-3 MSE ~€4M a launch (§2.2, "~$4M"); 3-60 km against small low
     * targets, 1200 m/s average, reaction 20 s, 16 ready missiles [assumed] */
    [DW_EFF_SAM_LONG] = {0, 20, 1200, 0, 0, 3000, 60000, 50, 24000, 16, 4000000, 0, 15,
                         {0.8, 0.9, 0.9, 0.5, 0.9, 0.95, 0.9, 0.85, 0.0}},
    /* sam_medium: NASAMS fires AIM-120, ~€1M (§2.2 El Mundo); 1.5-30 km, 1000 m/s,
     * reaction 15 s, 6 launchers x 6 [assumed] */
    [DW_EFF_SAM_MEDIUM] = {0, 15, 1000, 0, 0, 1500, 30000, 30, 16000, 36, 1000000, 0, 12,
                           {0.75, 0.85, 0.85, 0.4, 0.85, 0.9, 0.85, 0.75, 0.0}},
    /* gun: Skyguard 4 km, Skyranger 30 up to 3 km (§2.2); shell ~1000 m/s, reaction 5 s;
     * a "shot" is one burst of ~20 rounds at €150 each = €3000, 20 bursts [assumed: the
     * per-round cost is a gap in §2.2] */
    [DW_EFF_GUN] = {0, 5, 1000, 0, 0, 100, 4000, 0, 3000, 20, 3000, 0, 3,
                    {0.5, 0.6, 0.7, 0.5, 0.5, 0.3, 0.5, 0.2, 0.0}},
    /* manpads: Piorun 0.4-6.5 km, 10 m-4 km (§2.2); ~€154k a missile (§2.2: PLN 932M,
     * ~€200M, for 1300 missiles with 420 launchers: an upper bound); 600 m/s average,
     * reaction 30 s, 4 missiles a team [assumed] */
    [DW_EFF_MANPADS] = {0, 30, 600, 0, 0, 400, 6500, 10, 4000, 4, 154000, 0, 8,
                        {0.6, 0.7, 0.7, 0.4, 0.7, 0.6, 0.7, 0.4, 0.0}},
    /* interceptor_drone: ~80 m/s (Sting up to 315 km/h, §2.2), ~€5000 ($3500-5000, §2.2),
     * 68 % per Shahed (§2.2); reaction 60 s, 25 km, 5 km up, 10 drones [assumed] */
    [DW_EFF_INTERCEPTOR_DRONE] = {0, 60, 80, 0, 0, 0, 25000, 0, 5000, 10, 5000, 0, 5,
                                  {0.5, 0.68, 0.7, 0.6, 0.3, 0.0, 0.3, 0.0, 0.0}},
    /* jammer: ~2 km (DroneSentry, §2.2); Gerans' navigation is hardened (§2.2, a gap), so
     * a low pk against owa_drone; €100 per engagement [assumed] */
    [DW_EFF_JAMMER] = {0, 5, 0, 0, 0, 0, 2000, 0, 1000, DW_MAGAZINE_UNLIMITED, 100, 0, 10,
                       {0.2, 0.1, 0.3, 0.7, 0.0, 0.0, 0.0, 0.0, 0.0}},
};

dw_status dw_effector_defaults(dw_effector_kind k, dw_effector *out)
{
    if ((unsigned)k >= DW_EFF_NKINDS || !out)
        return DW_ERR_INVALID;
    const kind_default *d = &defaults[k];
    dw_effector e;
    memset(&e, 0, sizeof e);
    e.kind = k;
    e.orbit_radius_m = d->orbit_radius_m;
    e.reaction_s = d->reaction_s;
    e.speed_mps = d->speed_mps;
    e.carrier_speed_mps = d->carrier_speed_mps;
    e.weapon_range_m = d->weapon_range_m;
    e.min_range_m = d->min_range_m;
    e.max_range_m = d->max_range_m;
    e.min_alt_m = d->min_alt_m;
    e.max_alt_m = d->max_alt_m;
    e.magazine = d->magazine;
    e.cost_per_shot_eur = d->cost_per_shot_eur;
    e.sortie_cost_eur = d->sortie_cost_eur;
    e.assess_s = d->assess_s;
    for (int c = 0; c < DW_NCLASSES; c++)
        e.pk[c] = d->pk[c];
    *out = e;
    return DW_OK;
}

void dw_effectors_free(dw_effector *list) { free(list); }

/* ---- loader ---------------------------------------------------------------------- */

typedef struct ld {
    const dw_doc *d;
    char *err;
    size_t errlen;
    char where[160];
} ld;

static dw_status fail(ld *c, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static dw_status fail(ld *c, int line, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    dw_doc_errf(c->d, line, c->err, c->errlen, "%s: %s", c->where, msg);
    return DW_ERR_PARSE;
}

typedef enum { F_NUM, F_INT, F_STR, F_PK, F_KIND, F_MIN } ftype;
typedef struct field {
    const char *key;
    ftype type;
    size_t off;
    size_t size;                        /* F_STR: buffer size                        */
    double lo, hi;                      /* F_NUM / F_INT: allowed range              */
} field;

#define NUM(k, m, lo, hi) {k, F_NUM, offsetof(dw_effector, m), 0, lo, hi}
static const field fields[] = {
    {"id", F_STR, offsetof(dw_effector, id), DW_EFFECTOR_ID_MAX, 0, 0},
    {"name", F_STR, offsetof(dw_effector, name), DW_EFFECTOR_NAME_MAX, 0, 0},
    {"owner", F_STR, offsetof(dw_effector, owner), DW_EFFECTOR_OWNER_MAX, 0, 0},
    {"kind", F_KIND, 0, 0, 0, 0},
    NUM("lat", site.lat_deg, -90, 90),
    NUM("lon", site.lon_deg, -180, 180),
    NUM("alt_m", site.alt_m, -500, 30000),
    NUM("orbit_radius_m", orbit_radius_m, 0, 1e6),
    {"ready_in_min", F_MIN, offsetof(dw_effector, ready_in_s), 0, 0, 1e4},
    NUM("reaction_s", reaction_s, 0, 1e5),
    NUM("speed_mps", speed_mps, 0, 1e4),
    NUM("carrier_speed_mps", carrier_speed_mps, 0, 1e3),
    NUM("weapon_range_m", weapon_range_m, 0, 1e6),
    NUM("min_range_m", min_range_m, 0, 1e7),
    NUM("max_range_m", max_range_m, 0, 1e7),
    NUM("min_alt_m", min_alt_m, -500, 1e5),
    NUM("max_alt_m", max_alt_m, -500, 1e5),
    {"magazine", F_INT, offsetof(dw_effector, magazine), 0, -1, 1e6},
    NUM("cost_per_shot_eur", cost_per_shot_eur, 0, 1e9),
    NUM("sortie_cost_eur", sortie_cost_eur, 0, 1e9),
    NUM("assess_s", assess_s, 0, 1e4),
    {"pk", F_PK, 0, 0, 0, 1},
};
#undef NUM
#define NFIELDS (sizeof fields / sizeof fields[0])

static dw_status read_field(ld *c, const field *f, json_t *obj, json_t *v, dw_effector *e)
{
    int line = dw_doc_key_line(c->d, obj, f->key);
    char *base = (char *)e;
    switch (f->type) {
    case F_STR: {
        if (!json_is_string(v))
            return fail(c, line, "%s: expected a string, got %s", f->key, dw_doc_type_word(v));
        const char *s = json_string_value(v);
        if (!*s || strlen(s) >= f->size)
            return fail(c, line, "%s: must be 1 to %zu characters", f->key, f->size - 1);
        memcpy(base + f->off, s, strlen(s) + 1);
        return DW_OK;
    }
    case F_KIND:
        return DW_OK; /* read first, by the caller */
    case F_NUM:
    case F_MIN:
    case F_INT: {
        if (!json_is_number(v))
            return fail(c, line, "%s: expected a number, got %s", f->key, dw_doc_type_word(v));
        double x = json_number_value(v);
        if (!isfinite(x) || x < f->lo || x > f->hi)
            return fail(c, line, "%s: %g is outside %g .. %g", f->key, x, f->lo, f->hi);
        if (f->type == F_INT) {
            if (x != floor(x))
                return fail(c, line, "%s: expected a whole number, got %g", f->key, x);
            *(int *)(void *)(base + f->off) = (int)x;
        } else {
            *(double *)(void *)(base + f->off) = f->type == F_MIN ? x * 60.0 : x;
        }
        return DW_OK;
    }
    case F_PK: {
        if (!json_is_object(v))
            return fail(c, line, "pk: expected a mapping of class: probability, got %s",
                        dw_doc_type_word(v));
        const char *cls;
        json_t *p;
        json_object_foreach(v, cls, p) {
            int pl = dw_doc_key_line(c->d, v, cls);
            dw_class k;
            if (dw_class_parse(cls, &k) != 0) {
                char known[300];
                size_t n = 0;
                known[0] = '\0';
                for (int i = 0; i < DW_NCLASSES; i++)
                    n += (size_t)snprintf(known + n, sizeof known - n, "%s%s", i ? ", " : "",
                                          dw_class_name((dw_class)i));
                char sn[40];
                return fail(c, pl, "pk: unknown class '%s' (known: %s)",
                            dw_doc_snip(cls, sn, sizeof sn), known);
            }
            if (!json_is_number(p))
                return fail(c, pl, "pk.%s: expected a number, got %s", cls, dw_doc_type_word(p));
            double x = json_number_value(p);
            if (!(x >= 0 && x <= 1))
                return fail(c, pl, "pk.%s: %g is outside 0 .. 1", cls, x);
            e->pk[k] = x;
        }
        return DW_OK;
    }
    }
    return DW_ERR_INVALID;
}

static dw_status read_entry(ld *c, json_t *obj, size_t idx, int line, dw_effector *out)
{
    snprintf(c->where, sizeof c->where, "effectors[%zu]", idx);
    if (!json_is_object(obj))
        return fail(c, line, "expected a mapping, got %s", dw_doc_type_word(obj));
    json_t *id = json_object_get(obj, "id");
    if (json_is_string(id) && *json_string_value(id)) {
        char sn[DW_EFFECTOR_ID_MAX];
        snprintf(c->where, sizeof c->where, "effectors[%zu] '%s'", idx,
                 dw_doc_snip(json_string_value(id), sn, sizeof sn));
    }
    json_t *kv = json_object_get(obj, "kind");
    if (!kv)
        return fail(c, line, "kind is required");
    dw_effector_kind kind;
    if (!json_is_string(kv))
        return fail(c, dw_doc_key_line(c->d, obj, "kind"), "kind: expected a string, got %s",
                    dw_doc_type_word(kv));
    if (dw_effector_kind_parse(json_string_value(kv), &kind) != 0) {
        char known[200], sn[40];
        size_t n = 0;
        known[0] = '\0';
        for (int i = 0; i < DW_EFF_NKINDS; i++)
            n += (size_t)snprintf(known + n, sizeof known - n, "%s%s", i ? ", " : "", kind_names[i]);
        return fail(c, dw_doc_key_line(c->d, obj, "kind"), "kind: unknown kind '%s' (known: %s)",
                    dw_doc_snip(json_string_value(kv), sn, sizeof sn), known);
    }
    dw_effector e;
    dw_effector_defaults(kind, &e);
    e.line = line;
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        size_t i = 0;
        while (i < NFIELDS && strcmp(fields[i].key, key))
            i++;
        if (i == NFIELDS) {
            char known[600], sn[40];
            size_t n = 0;
            known[0] = '\0';
            for (size_t j = 0; j < NFIELDS; j++)
                n += (size_t)snprintf(known + n, sizeof known - n, "%s%s", j ? ", " : "",
                                      fields[j].key);
            return fail(c, dw_doc_key_line(c->d, obj, key), "unknown key '%s' (known: %s)",
                        dw_doc_snip(key, sn, sizeof sn), known);
        }
        if (read_field(c, &fields[i], obj, v, &e) != DW_OK)
            return DW_ERR_PARSE;
    }
    static const char *const required[] = {"id", "lat", "lon"};
    for (size_t i = 0; i < 3; i++)
        if (!json_object_get(obj, required[i]))
            return fail(c, line, "%s is required", required[i]);
    if (!e.name[0])
        memcpy(e.name, e.id, sizeof e.name < sizeof e.id ? sizeof e.name : sizeof e.id);
    if (e.min_range_m > e.max_range_m)
        return fail(c, line, "min_range_m %g is above max_range_m %g", e.min_range_m,
                    e.max_range_m);
    if (e.min_alt_m > e.max_alt_m)
        return fail(c, line, "min_alt_m %g is above max_alt_m %g", e.min_alt_m, e.max_alt_m);
    if (kind == DW_EFF_FIGHTER_CAP && !(e.orbit_radius_m > 0))
        return fail(c, dw_doc_key_line(c->d, obj, "orbit_radius_m"),
                    "orbit_radius_m: a CAP needs an orbit (above 0)");
    if (kind != DW_EFF_FIGHTER_CAP && e.orbit_radius_m > 0)
        return fail(c, dw_doc_key_line(c->d, obj, "orbit_radius_m"),
                    "orbit_radius_m: only a fighter_cap has an orbit");
    if (kind != DW_EFF_JAMMER && !(e.speed_mps > 0))
        return fail(c, dw_doc_key_line(c->d, obj, "speed_mps"),
                    "speed_mps: a %s needs a speed above 0", kind_names[kind]);
    if (dw_effector_is_fighter(kind) && !(e.carrier_speed_mps > 0))
        return fail(c, dw_doc_key_line(c->d, obj, "carrier_speed_mps"),
                    "carrier_speed_mps: fighters need a transit speed above 0");
    *out = e;
    return DW_OK;
}

static dw_status load_doc(const dw_doc *d, dw_effector **list, size_t *n, char *err,
                          size_t errlen)
{
    ld c = {.d = d, .err = err, .errlen = errlen};
    snprintf(c.where, sizeof c.where, "effectors");
    json_t *root = dw_doc_root(d);
    if (!json_is_object(root))
        return fail(&c, dw_doc_line(d, root), "expected a mapping with an 'effectors' list, got %s",
                    dw_doc_type_word(root));
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        if (strcmp(key, "effectors")) {
            char sn[40];
            snprintf(c.where, sizeof c.where, "top level");
            return fail(&c, dw_doc_key_line(d, root, key), "unknown key '%s' (known: effectors)",
                        dw_doc_snip(key, sn, sizeof sn));
        }
    }
    json_t *arr = json_object_get(root, "effectors");
    if (!json_is_array(arr))
        return fail(&c, arr ? dw_doc_line(d, arr) : 0, "expected a list, got %s",
                    dw_doc_type_word(arr));
    size_t count = json_array_size(arr);
    if (count > DW_EFFECTORS_MAX)
        return fail(&c, dw_doc_line(d, arr), "%zu entries, at most %d", count, DW_EFFECTORS_MAX);
    dw_effector *out = NULL;
    if (count) {
        out = calloc(count, sizeof *out);
        if (!out)
            return DW_ERR_NOMEM;
    }
    for (size_t i = 0; i < count; i++) {
        int line = dw_doc_index_line(d, arr, i);
        if (read_entry(&c, json_array_get(arr, i), i, line, &out[i]) != DW_OK) {
            free(out);
            return DW_ERR_PARSE;
        }
        for (size_t j = 0; j < i; j++)
            if (!strcmp(out[j].id, out[i].id)) {
                int l = dw_doc_key_line(d, json_array_get(arr, i), "id");
                dw_status s = fail(&c, l, "id: duplicate of effectors[%zu] (line %d)", j,
                                   out[j].line);
                free(out);
                return s;
            }
    }
    *list = out;
    *n = count;
    return DW_OK;
}

dw_status dw_effectors_load(const char *path, dw_effector **list, size_t *n, char *err,
                            size_t errlen)
{
    if (!path || !list || !n)
        return DW_ERR_INVALID;
    dw_doc *d = NULL;
    dw_status s = dw_doc_load(path, &d, err, errlen);
    if (s != DW_OK)
        return s;
    s = load_doc(d, list, n, err, errlen);
    dw_doc_destroy(d);
    return s;
}

dw_status dw_effectors_load_mem(const char *text, size_t len, const char *name,
                                dw_effector **list, size_t *n, char *err, size_t errlen)
{
    if (!text || !name || !list || !n)
        return DW_ERR_INVALID;
    dw_doc *d = NULL;
    dw_status s = dw_doc_load_mem(text, len, name, &d, err, errlen);
    if (s != DW_OK)
        return s;
    s = load_doc(d, list, n, err, errlen);
    dw_doc_destroy(d);
    return s;
}
