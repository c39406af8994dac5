/* scenario.c — a scenario file (docs/scenarios.md) into a world of targets and a set of sensors.
 *
 * Targets come from three lists: `targets` (each written out), `raids` (waves generated from
 * launch points, aim points and a launch window) and `traffic` (aircraft on routes between
 * places). Each starts from its type's public parameters (the table below, from
 * docs/domain-facts §2 where there are figures), then the raid's or traffic block's
 * overrides, then its own. Generated values (launch instants, spread of aim points, who is
 * shot down) come from one random stream per raid, so a raid is the same whatever else the
 * file holds.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dronewall/sim.h"
#include "sim/sensor_int.h"
#include "sim/sim_int.h"

/* ------------------------------------------------------------------ target types */

typedef struct ttype {
    const char *name;
    dw_class cls;
    double speed_kmh, alt_m, climb_mps, rcs_m2, sound_db, range_km;
    dw__sim_end end;
    uint32_t flags;
    double wander_m;
    double bank_deg;                /* in turns at waypoints */
} ttype;

/* Public figures (domain-facts §2.1): Shahed-136/Geran-2 ~185 km/h, cruise reported at
 * 2-5 km in 2025, range >1,000 km, terminal dive; Gerbera foam decoy ≤160 km/h, ceiling
 * ~3 km, range ≤600 km, lands when the fuel ends. RCS and sound levels are engineering
 * guesses (a 2.5 m composite airframe; a 50 hp two-stroke "moped" engine). Banks in turns:
 * 25° for an airliner (its usual limit in service), 30° for drones, light aircraft and
 * helicopters, 60° for a fighter (a 2 g turn). */
static const ttype types[] = {
    {"shahed", DW_CLASS_OWA_DRONE, 185, 2000, 5, 0.5, 100, 2000, DW_SIM_END_DIVE, DW_SIM_AUDIBLE, 0, 30},
    {"gerbera", DW_CLASS_DECOY, 150, 1000, 4, 0.3, 92, 600, DW_SIM_END_LAND, DW_SIM_AUDIBLE, 0, 30},
    {"geran3", DW_CLASS_OWA_DRONE, 550, 5000, 15, 0.5, 110, 1000, DW_SIM_END_DIVE, DW_SIM_AUDIBLE, 0, 30},
    {"lancet", DW_CLASS_OWA_DRONE, 110, 500, 4, 0.05, 80, 50, DW_SIM_END_DIVE, DW_SIM_AUDIBLE | DW_SIM_RF, 0, 45},
    {"quadcopter", DW_CLASS_QUADCOPTER, 60, 120, 4, 0.01, 75, 25, DW_SIM_END_LAND, DW_SIM_RF | DW_SIM_AUDIBLE, 0, 60},
    {"airliner", DW_CLASS_AIRLINER, 820, 11000, 12, 40, 120, 0, DW_SIM_END_LAND, DW_SIM_ADSB | DW_SIM_SSR, 0, 25},
    {"light_aircraft", DW_CLASS_LIGHT_AIRCRAFT, 200, 1500, 4, 2, 100, 0, DW_SIM_END_LAND,
     DW_SIM_ADSB | DW_SIM_SSR | DW_SIM_AUDIBLE, 0, 30},
    {"fighter", DW_CLASS_FIGHTER, 900, 6000, 50, 3, 130, 0, DW_SIM_END_LEAVE, DW_SIM_SSR | DW_SIM_AUDIBLE, 0, 60},
    {"helicopter", DW_CLASS_HELICOPTER, 200, 300, 5, 5, 110, 0, DW_SIM_END_LAND, DW_SIM_SSR | DW_SIM_AUDIBLE, 0, 30},
    {"bird_flock", DW_CLASS_BIRD, 40, 150, 1, 0.02, 0, 0, DW_SIM_END_LEAVE, 0, 300, 45},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const ttype *find_type(const char *name)
{
    for (size_t i = 0; i < N(types); i++)
        if (!strcmp(types[i].name, name))
            return &types[i];
    return NULL;
}

/* ------------------------------------------------------------------ overrides
 * Keys a target, a raid and a traffic block share; unset values are NAN, -1, INT64_MIN or
 * "" so that each layer only replaces what it names. */
typedef struct ovr {
    char type[32], cls[24], end[8];
    double speed_mps, alt_m, climb_mps, range_m, dive_rad, glide_ratio, rcs_m2, sound_db, wander_m;
    double bank_rad;
    int adsb, ssr, rf, rid_b, audible;
    int64_t shot_us;
    char icao[8], callsign[DW_CALLSIGN_MAX], squawk[6], rid[DW_RID_MAX];
} ovr;

#define O(m) offsetof(ovr, m)
#define OVR_FIELDS                                                              \
    {"type", DW_CF_STR, O(type), sizeof(((ovr *)0)->type), 0, 0, 0},           \
    {"class", DW_CF_STR, O(cls), sizeof(((ovr *)0)->cls), 0, 0, 0},            \
    {"end", DW_CF_STR, O(end), sizeof(((ovr *)0)->end), 0, 0, 0},              \
    {"speed_kmh", DW_CF_KMH, O(speed_mps), 0, 1, 5000, 0},                     \
    {"alt_m", DW_CF_NUM, O(alt_m), 0, -100, 30000, 0},                         \
    {"climb_mps", DW_CF_NUM, O(climb_mps), 0, 0.1, 300, 0},                    \
    {"range_km", DW_CF_KM, O(range_m), 0, 0, 20000, 0},                        \
    {"dive_deg", DW_CF_DEG, O(dive_rad), 0, 1, 90, 0},                         \
    {"glide_ratio", DW_CF_NUM, O(glide_ratio), 0, 0.5, 60, 0},                 \
    {"rcs_m2", DW_CF_NUM, O(rcs_m2), 0, 1e-5, 1e4, 0},                         \
    {"sound_db", DW_CF_NUM, O(sound_db), 0, 0, 200, 0},                        \
    {"wander_m", DW_CF_NUM, O(wander_m), 0, 0, 1e5, 0},                        \
    {"bank_deg", DW_CF_DEG, O(bank_rad), 0, 0, 85, 0},                         \
    {"adsb", DW_CF_BOOL, O(adsb), 0, 0, 0, 0},                                 \
    {"ssr", DW_CF_BOOL, O(ssr), 0, 0, 0, 0},                                   \
    {"rf", DW_CF_BOOL, O(rf), 0, 0, 0, 0},                                     \
    {"rid", DW_CF_BOOL, O(rid_b), 0, 0, 0, 0},                                 \
    {"audible", DW_CF_BOOL, O(audible), 0, 0, 0, 0},                           \
    {"shot_down", DW_CF_TIME, O(shot_us), 0, 0, 0, 0},                         \
    {"icao", DW_CF_STR, O(icao), sizeof(((ovr *)0)->icao), 0, 0, 0},           \
    {"callsign", DW_CF_STR, O(callsign), sizeof(((ovr *)0)->callsign), 0, 0, 0}, \
    {"squawk", DW_CF_STR, O(squawk), sizeof(((ovr *)0)->squawk), 0, 0, 0},     \
    {"remote_id", DW_CF_STR, O(rid), sizeof(((ovr *)0)->rid), 0, 0, 0}

static void ovr_init(ovr *o)
{
    memset(o, 0, sizeof *o);
    o->speed_mps = o->alt_m = o->climb_mps = o->range_m = o->dive_rad = o->glide_ratio = NAN;
    o->rcs_m2 = o->sound_db = o->wander_m = o->bank_rad = NAN;
    o->adsb = o->ssr = o->rf = o->rid_b = o->audible = -1;
    o->shot_us = INT64_MIN;
}

typedef struct loader {
    dw__cfg c;
    dw__sim_place *places;
    dw_sim_place *pub;              /* the same, with kind and label, for dw_scenario */
    size_t n_places;
    dw__sim_target_spec *specs;
    size_t n_specs, cap_specs;
    unsigned long n_traffic;        /* aircraft so far: squawks and callsign numbers count on */
} loader;

static dw__sim_target_spec *new_spec(loader *L)
{
    if (L->n_specs == L->cap_specs) {
        size_t nc = L->cap_specs ? L->cap_specs * 2 : 64;
        dw__sim_target_spec *s = realloc(L->specs, nc * sizeof *s);
        if (!s)
            return NULL;
        L->specs = s;
        L->cap_specs = nc;
    }
    dw__sim_target_spec *s = &L->specs[L->n_specs++];
    memset(s, 0, sizeof *s);
    return s;
}

static int flag_of(int set, int dflt)
{
    return set >= 0 ? set : dflt;
}

/* The final target from its layers: the type's defaults, then o. */
static dw_status make_spec(loader *L, const json_t *node, const char *where, const ovr *o,
                           dw__sim_target_spec *sp)
{
    const ttype *ty = find_type(o->type);
    if (!ty) {
        char known[300];
        size_t k = 0;
        for (size_t i = 0; i < N(types); i++)
            k += (size_t)snprintf(known + k, sizeof known - k, "%s%s", i ? ", " : "", types[i].name);
        return dw__cfg_fail(&L->c, node, where, "%s type '%s' (known: %s)",
                            o->type[0] ? "unknown" : "no", o->type, known);
    }
    sp->cls = ty->cls;
    if (o->cls[0] && dw_class_parse(o->cls, &sp->cls) != 0)
        return dw__cfg_fail(&L->c, node, where, "unknown class '%s'", o->cls);
    sp->speed_mps = isnan(o->speed_mps) ? ty->speed_kmh / 3.6 : o->speed_mps;
    sp->alt_m = isnan(o->alt_m) ? ty->alt_m : o->alt_m;
    sp->climb_mps = isnan(o->climb_mps) ? ty->climb_mps : o->climb_mps;
    sp->range_m = isnan(o->range_m) ? ty->range_km * 1000.0 : o->range_m;
    sp->rcs_m2 = isnan(o->rcs_m2) ? ty->rcs_m2 : o->rcs_m2;
    sp->sound_db = isnan(o->sound_db) ? ty->sound_db : o->sound_db;
    sp->wander_m = isnan(o->wander_m) ? ty->wander_m : o->wander_m;
    sp->dive_rad = isnan(o->dive_rad) ? 30 * M_PI / 180 : o->dive_rad;
    sp->glide_ratio = isnan(o->glide_ratio) ? 8.0 : o->glide_ratio;
    sp->bank_rad = isnan(o->bank_rad) ? ty->bank_deg * M_PI / 180 : o->bank_rad;
    sp->end = ty->end;
    if (o->end[0]) {
        if (!strcmp(o->end, "land"))
            sp->end = DW_SIM_END_LAND;
        else if (!strcmp(o->end, "dive"))
            sp->end = DW_SIM_END_DIVE;
        else if (!strcmp(o->end, "leave"))
            sp->end = DW_SIM_END_LEAVE;
        else
            return dw__cfg_fail(&L->c, node, where, "end '%s' is none of land, dive, leave", o->end);
    }
    uint32_t f = 0;
    f |= flag_of(o->adsb, !!(ty->flags & DW_SIM_ADSB)) ? DW_SIM_ADSB : 0;
    f |= flag_of(o->ssr, !!(ty->flags & DW_SIM_SSR)) ? DW_SIM_SSR : 0;
    f |= flag_of(o->rf, !!(ty->flags & DW_SIM_RF)) ? DW_SIM_RF : 0;
    f |= flag_of(o->rid_b, !!(ty->flags & DW_SIM_RID)) ? DW_SIM_RID : 0;
    f |= flag_of(o->audible, !!(ty->flags & DW_SIM_AUDIBLE)) ? DW_SIM_AUDIBLE : 0;
    sp->flags = f;
    sp->shot_us = o->shot_us == INT64_MIN ? 0 : o->shot_us;
    if (o->icao[0]) {
        char *e;
        unsigned long v = strtoul(o->icao, &e, 16);
        if (*e || v > 0xFFFFFF || strlen(o->icao) != 6)
            return dw__cfg_fail(&L->c, node, where, "icao '%s' is not six hex digits", o->icao);
        sp->icao = (uint32_t)v;
    }
    if (o->squawk[0]) {
        char *e;
        unsigned long v = strtoul(o->squawk, &e, 8);
        if (*e || strlen(o->squawk) != 4)
            return dw__cfg_fail(&L->c, node, where, "squawk '%s' is not four octal digits",
                                o->squawk);
        sp->mode3a = (uint16_t)v;
    }
    memcpy(sp->callsign, o->callsign, sizeof sp->callsign);
    memcpy(sp->rid, o->rid, sizeof sp->rid);
    if ((sp->flags & DW_SIM_ADSB) && !sp->icao)
        return dw__cfg_fail(&L->c, node, where, "an ADS-B target needs an icao address");
    if ((sp->flags & DW_SIM_RID) && !sp->rid[0])
        return dw__cfg_fail(&L->c, node, where, "a Remote ID target needs remote_id (its serial)");
    return DW_OK;
}

static dw_status read_route(loader *L, const json_t *arr, const char *where, const char *key,
                            dw__sim_point *pts, size_t cap, size_t *n)
{
    if (!json_is_array(arr) || json_array_size(arr) == 0)
        return dw__cfg_fail(&L->c, arr, where, "%s must be a non-empty list of positions", key);
    size_t i, k = 0;
    json_t *v;
    json_array_foreach(arr, i, v) {
        /* {laps: N, of: [positions]}: a circuit flown N times (a racetrack, an orbit) */
        const json_t *laps = json_is_object(v) ? json_object_get(v, "laps") : NULL;
        const json_t *of = laps ? json_object_get(v, "of") : v;
        double nl = 1;
        if (laps) {
            if (json_object_size(v) != 2 || !json_is_array(of) || json_array_size(of) == 0)
                return dw__cfg_fail(&L->c, v, where,
                                    "a %s item with 'laps' has exactly the keys laps and of "
                                    "(a non-empty list of positions)", key);
            nl = json_is_number(laps) ? json_number_value(laps) : 0;
            if (!(nl >= 1 && nl <= 1000 && nl == floor(nl)))
                return dw__cfg_fail(&L->c, laps, where, "laps must be a whole number from 1 to 1000");
        }
        size_t per = laps ? json_array_size(of) : 1;
        if ((double)k + nl * (double)per > (double)cap)
            return dw__cfg_fail(&L->c, v, where, "%s has more than %zu points", key, cap);
        for (size_t r = 0; r < (size_t)nl; r++)
            for (size_t q = 0; q < per; q++) {
                const json_t *pv = laps ? json_array_get(of, q) : v;
                if (r == 0 && dw__cfg_point(&L->c, pv, where, &pts[k]) != DW_OK)
                    return DW_ERR_PARSE;
                if (r > 0)
                    pts[k] = pts[k - per];
                k++;
            }
    }
    *n = k;
    return DW_OK;
}

/* ------------------------------------------------------------------ places */

static dw_status read_places(loader *L, const json_t *obj)
{
    if (!obj)
        return DW_OK;
    if (!json_is_object(obj))
        return dw__cfg_fail(&L->c, obj, "places", "expected a mapping of NAME: position");
    L->places = calloc(json_object_size(obj) + 1, sizeof *L->places);
    L->pub = calloc(json_object_size(obj) + 1, sizeof *L->pub);
    if (!L->places || !L->pub)
        return DW_ERR_NOMEM;
    const char *name;
    json_t *v;
    json_object_foreach((json_t *)obj, name, v) {
        char where[96];
        snprintf(where, sizeof where, "places.%s", name);
        dw__sim_place *p = &L->places[L->n_places];
        if (strlen(name) >= sizeof p->name)
            return dw__cfg_fail(&L->c, v, where, "a place name has at most %zu characters",
                                sizeof p->name - 1);
        memcpy(p->name, name, strlen(name) + 1);
        if (json_is_array(v)) {
            dw__sim_point pt;
            if (dw__cfg_point(&L->c, v, where, &pt) != DW_OK)
                return DW_ERR_PARSE;
            p->lat_deg = pt.lat_deg;
            p->lon_deg = pt.lon_deg;
            p->alt_m = pt.alt_m;
            p->has_alt = pt.has_alt;
        } else {
            struct {
                double lat, lon, alt;
                char kind[32], label[96];
            } pv = {NAN, NAN, NAN, "", ""};
            static const dw__cfg_field pf[] = {
                {"lat_deg", DW_CF_NUM, 0, 0, -90, 90, 1},
                {"lon_deg", DW_CF_NUM, sizeof(double), 0, -180, 180, 1},
                {"alt_m", DW_CF_NUM, 2 * sizeof(double), 0, -500, 1e5, 0},
                {"kind", DW_CF_STR, 3 * sizeof(double), 32, 0, 0, 0},
                {"label", DW_CF_STR, 3 * sizeof(double) + 32, 96, 0, 0, 0},
            };
            if (dw__cfg_read(&L->c, v, where, pf, N(pf), NULL, &pv) != DW_OK)
                return DW_ERR_PARSE;
            p->lat_deg = pv.lat;
            p->lon_deg = pv.lon;
            p->has_alt = !isnan(pv.alt);
            p->alt_m = p->has_alt ? pv.alt : 0;
            memcpy(L->pub[L->n_places].kind, pv.kind, sizeof pv.kind);
            memcpy(L->pub[L->n_places].label, pv.label, sizeof pv.label);
        }
        dw_sim_place *q = &L->pub[L->n_places];
        memcpy(q->name, p->name, sizeof q->name);
        q->lat_deg = p->lat_deg;
        q->lon_deg = p->lon_deg;
        q->alt_m = p->alt_m;
        L->n_places++;
        L->c.places = L->places;
        L->c.n_places = L->n_places;
    }
    return DW_OK;
}

/* ------------------------------------------------------------------ targets */

typedef struct tentry {
    ovr o;                          /* first: the shared keys' offsets are ovr's */
    char id[DW_ID_MAX];
    int64_t launch_us;
} tentry;

static const dw__cfg_field target_fields[] = {
    OVR_FIELDS,
    {"id", DW_CF_STR, offsetof(tentry, id), DW_ID_MAX, 0, 0, 1},
    {"launch", DW_CF_TIME, offsetof(tentry, launch_us), 0, 0, 0, 1},
};

static dw_status read_targets(loader *L, const json_t *arr)
{
    if (!arr)
        return DW_OK;
    if (!json_is_array(arr))
        return dw__cfg_fail(&L->c, arr, "targets", "expected a list");
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e) {
        char where[96];
        snprintf(where, sizeof where, "targets[%zu]", i);
        tentry te;
        ovr_init(&te.o);
        te.id[0] = '\0';
        static const char *const skip[] = {"route", NULL};
        if (dw__cfg_read(&L->c, e, where, target_fields, N(target_fields), skip, &te) != DW_OK)
            return DW_ERR_PARSE;
        snprintf(where, sizeof where, "targets[%zu] (%s)", i, te.id);
        dw__sim_target_spec *sp = new_spec(L);
        if (!sp)
            return DW_ERR_NOMEM;
        memcpy(sp->id, te.id, sizeof sp->id);
        sp->launch_us = te.launch_us;
        const json_t *route = json_object_get(e, "route");
        if (!route)
            return dw__cfg_fail(&L->c, e, where, "route is required");
        if (read_route(L, route, where, "route", sp->route, DW_SIM_MAX_ROUTE, &sp->n_route) != DW_OK)
            return DW_ERR_PARSE;
        if (sp->n_route < 2)
            return dw__cfg_fail(&L->c, route, where, "a route needs at least two points");
        if (make_spec(L, e, where, &te.o, sp) != DW_OK)
            return DW_ERR_PARSE;
    }
    return DW_OK;
}

/* A point moved by up to spread_m in a random direction (uniform over the disc). */
static dw__sim_point jitter(dw__sim_point p, double spread_m, dw_rng *r)
{
    if (spread_m <= 0)
        return p;
    double rad = spread_m * sqrt(dw_rng_uniform(r)), ang = 2 * M_PI * dw_rng_uniform(r);
    p.lat_deg += rad * cos(ang) / 111320.0;
    p.lon_deg += rad * sin(ang) / (111320.0 * cos(p.lat_deg * M_PI / 180));
    return p;
}

/* The k-th of n instants spread evenly over [t0, t1): each at a random point of its own
 * slot, so a wave is regular without being a metronome (raids' launches, traffic's
 * departures). */
static int64_t spread_instant(int64_t t0, int64_t t1, long n, long k, dw_rng *r)
{
    double slot = (double)(t1 - t0) / (double)n;
    return t0 + (int64_t)llround(slot * ((double)k + dw_rng_uniform(r)));
}

static double route_length_m(const dw__sim_point *pts, size_t n)
{
    double L = 0;
    for (size_t i = 1; i < n; i++) {
        double la1 = pts[i - 1].lat_deg * M_PI / 180, la2 = pts[i].lat_deg * M_PI / 180;
        double dl = (pts[i].lon_deg - pts[i - 1].lon_deg) * M_PI / 180;
        double c = sin(la1) * sin(la2) + cos(la1) * cos(la2) * cos(dl);
        L += 6371000.0 * acos(c > 1 ? 1 : c < -1 ? -1 : c);
    }
    return L;
}

typedef struct rentry {
    ovr o;
    char prefix[24];
    long count;
    int64_t t0, t1;
    double spread_m, shot_fraction, shot_from, shot_to;
} rentry;

static const dw__cfg_field raid_fields[] = {
    OVR_FIELDS,
    {"id_prefix", DW_CF_STR, offsetof(rentry, prefix), 24, 0, 0, 1},
    {"count", DW_CF_INT, offsetof(rentry, count), 0, 1, 20000, 1},
    {"launch_start", DW_CF_TIME, offsetof(rentry, t0), 0, 0, 0, 1},
    {"launch_end", DW_CF_TIME, offsetof(rentry, t1), 0, 0, 0, 1},
    {"spread_km", DW_CF_KM, offsetof(rentry, spread_m), 0, 0, 1000, 0},
    {"shot_fraction", DW_CF_NUM, offsetof(rentry, shot_fraction), 0, 0, 1, 0},
    {"shot_from", DW_CF_NUM, offsetof(rentry, shot_from), 0, 0, 1, 0},
    {"shot_to", DW_CF_NUM, offsetof(rentry, shot_to), 0, 0, 1, 0},
};

static dw_status read_raids(loader *L, const json_t *arr, uint64_t seed)
{
    if (!arr)
        return DW_OK;
    if (!json_is_array(arr))
        return dw__cfg_fail(&L->c, arr, "raids", "expected a list");
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e) {
        char where[96];
        snprintf(where, sizeof where, "raids[%zu]", i);
        rentry re;
        memset(&re, 0, sizeof re);
        ovr_init(&re.o);
        re.shot_from = 0.4;
        re.shot_to = 0.95;
        static const char *const skip[] = {"from", "via", "to", NULL};
        if (dw__cfg_read(&L->c, e, where, raid_fields, N(raid_fields), skip, &re) != DW_OK)
            return DW_ERR_PARSE;
        snprintf(where, sizeof where, "raids[%zu] (%s)", i, re.prefix);
        if (re.t1 < re.t0)
            return dw__cfg_fail(&L->c, e, where, "launch_end is before launch_start");
        if (re.shot_to < re.shot_from)
            return dw__cfg_fail(&L->c, e, where, "shot_to is before shot_from");
        dw__sim_point from[DW_SIM_MAX_ROUTE], via[DW_SIM_MAX_ROUTE], to[256];
        size_t nf = 0, nv = 0, nt = 0;
        const json_t *jf = json_object_get(e, "from"), *jv = json_object_get(e, "via"),
                     *jt = json_object_get(e, "to");
        if (!jf || !jt)
            return dw__cfg_fail(&L->c, e, where, "from and to are required");
        if (read_route(L, jf, where, "from", from, DW_SIM_MAX_ROUTE, &nf) != DW_OK ||
            (jv && read_route(L, jv, where, "via", via, DW_SIM_MAX_ROUTE - 2, &nv) != DW_OK) ||
            read_route(L, jt, where, "to", to, N(to), &nt) != DW_OK)
            return DW_ERR_PARSE;
        dw_rng r;
        dw_rng_seed(&r, seed, dw_rng_hash(re.prefix));
        int width = re.count >= 1000 ? 4 : 3;
        for (long k = 0; k < re.count; k++) {
            dw__sim_target_spec *sp = new_spec(L);
            if (!sp)
                return DW_ERR_NOMEM;
            snprintf(sp->id, sizeof sp->id, "%s%0*ld", re.prefix, width, k + 1);
            sp->launch_us = spread_instant(re.t0, re.t1, re.count, k, &r);
            sp->route[0] = from[(size_t)k % nf];
            size_t n = 1;
            for (size_t j = 0; j < nv; j++)
                sp->route[n++] = jitter(via[j], re.spread_m, &r);
            sp->route[n++] = jitter(to[(size_t)k % nt], re.spread_m, &r);
            sp->n_route = n;
            if (make_spec(L, e, where, &re.o, sp) != DW_OK)
                return DW_ERR_PARSE;
            double u = dw_rng_uniform(&r), w = dw_rng_uniform(&r);
            if (u < re.shot_fraction && !sp->shot_us) {
                double len = route_length_m(sp->route, sp->n_route);
                if (sp->range_m > 0 && sp->range_m < len)
                    len = sp->range_m;
                double frac = re.shot_from + w * (re.shot_to - re.shot_from);
                sp->shot_us = sp->launch_us + (int64_t)llround(frac * len / sp->speed_mps * 1e6);
            }
        }
    }
    return DW_OK;
}

typedef struct fentry {
    ovr o;
    long count;
    int64_t t0, t1;
    char prefix[8];
    char icao_base[8];
} fentry;

static const dw__cfg_field traffic_fields[] = {
    OVR_FIELDS,
    {"count", DW_CF_INT, offsetof(fentry, count), 0, 1, 20000, 1},
    {"depart_start", DW_CF_TIME, offsetof(fentry, t0), 0, 0, 0, 1},
    {"depart_end", DW_CF_TIME, offsetof(fentry, t1), 0, 0, 0, 1},
    {"callsign_prefix", DW_CF_STR, offsetof(fentry, prefix), 5, 0, 0, 0},
    {"icao_base", DW_CF_STR, offsetof(fentry, icao_base), 7, 0, 0, 0},
};

static dw_status read_traffic(loader *L, const json_t *arr, uint64_t seed)
{
    if (!arr)
        return DW_OK;
    if (!json_is_array(arr))
        return dw__cfg_fail(&L->c, arr, "traffic", "expected a list");
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e) {
        char where[96];
        snprintf(where, sizeof where, "traffic[%zu]", i);
        fentry fe;
        memset(&fe, 0, sizeof fe);
        ovr_init(&fe.o);
        static const char *const skip[] = {"routes", NULL};
        if (dw__cfg_read(&L->c, e, where, traffic_fields, N(traffic_fields), skip, &fe) != DW_OK)
            return DW_ERR_PARSE;
        if (fe.t1 < fe.t0)
            return dw__cfg_fail(&L->c, e, where, "depart_end is before depart_start");
        const json_t *routes = json_object_get(e, "routes");
        if (!json_is_array(routes) || json_array_size(routes) == 0)
            return dw__cfg_fail(&L->c, routes ? routes : e, where,
                                "routes must be a list of routes (each a list of positions)");
        unsigned long icao = 0;
        if (fe.icao_base[0]) {
            char *x;
            icao = strtoul(fe.icao_base, &x, 16);
            if (*x || strlen(fe.icao_base) != 6)
                return dw__cfg_fail(&L->c, e, where, "icao_base '%s' is not six hex digits",
                                    fe.icao_base);
        } else {
            /* A block of its own per traffic entry, away from real national blocks. */
            icao = 0xF00000ul + (unsigned long)i * 0x1000ul;
        }
        const char *prefix = fe.prefix[0] ? fe.prefix : "SIM";
        dw_rng r;
        char key[32];
        snprintf(key, sizeof key, "traffic-%zu", i);
        dw_rng_seed(&r, seed, dw_rng_hash(key));
        for (long k = 0; k < fe.count; k++) {
            dw__sim_target_spec *sp = new_spec(L);
            if (!sp)
                return DW_ERR_NOMEM;
            const json_t *rt = json_array_get(routes, (size_t)k % json_array_size(routes));
            if (read_route(L, rt, where, "routes[]", sp->route, DW_SIM_MAX_ROUTE, &sp->n_route) != DW_OK)
                return DW_ERR_PARSE;
            if (sp->n_route < 2)
                return dw__cfg_fail(&L->c, rt, where, "a route needs at least two points");
            sp->launch_us = spread_instant(fe.t0, fe.t1, fe.count, k, &r);
            ovr o = fe.o;
            unsigned long seq = L->n_traffic++;
            if (!o.callsign[0])
                snprintf(o.callsign, sizeof o.callsign, "%.4s%d", prefix, (int)(100 + seq % 9900));
            if (!o.icao[0])
                snprintf(o.icao, sizeof o.icao, "%06lX", (icao + (unsigned long)k) & 0xFFFFFFul);
            if (!o.squawk[0])
                snprintf(o.squawk, sizeof o.squawk, "%04lo", (01000ul + seq) % 07000ul);
            memcpy(sp->id, o.callsign, sizeof o.callsign);
            if (make_spec(L, e, where, &o, sp) != DW_OK)
                return DW_ERR_PARSE;
        }
    }
    return DW_OK;
}

/* ------------------------------------------------------------------ the file */

typedef struct top {
    char name[64];
    int64_t start_us, end_us, duration_us, step_us, truth_us, report_us;
    long seed;
} top;

static const dw__cfg_field top_fields[] = {
    {"name", DW_CF_STR, offsetof(top, name), 64, 0, 0, 1},
    {"end", DW_CF_TIME, offsetof(top, end_us), 0, 0, 0, 0},
    {"duration_s", DW_CF_SECONDS, offsetof(top, duration_us), 0, 1, 30 * 86400.0, 0},
    {"seed", DW_CF_INT, offsetof(top, seed), 0, 0, 9.0e15, 0},
    {"step_s", DW_CF_SECONDS, offsetof(top, step_us), 0, 0.01, 60, 0},
    {"truth_period_s", DW_CF_SECONDS, offsetof(top, truth_us), 0, 0.01, 3600, 0},
    {"report_period_s", DW_CF_SECONDS, offsetof(top, report_us), 0, 0.01, 3600, 0},
};

static int cmp_event(const void *a, const void *b)
{
    const dw_sim_event *x = a, *y = b;
    if (x->t_us != y->t_us)
        return x->t_us < y->t_us ? -1 : 1;
    if (x->kind != y->kind)
        return (int)x->kind - (int)y->kind;
    return x->target < y->target ? -1 : x->target > y->target;
}

static dw_status from_doc(dw_doc *d, const char *dir, const dw_scenario_options *o,
                          dw_scenario **out, char *err, size_t errlen);

dw_status dw_scenario_load(const char *path, uint64_t seed_override, dw_scenario **out, char *err,
                           size_t errlen)
{
    dw_scenario_options o = {seed_override, NULL};
    return dw_scenario_load_opts(path, &o, out, err, errlen);
}

dw_status dw_scenario_load_opts(const char *path, const dw_scenario_options *o, dw_scenario **out,
                                char *err, size_t errlen)
{
    if (!path || !o || !out)
        return DW_ERR_INVALID;
    dw_doc *d = NULL;
    dw_status st = dw_doc_load(path, &d, err, errlen);
    if (st != DW_OK)
        return st;
    /* Files the scenario names are found beside it. */
    char dir[512] = ".";
    const char *slash = strrchr(path, '/');
    if (slash && (size_t)(slash - path) < sizeof dir) {
        memcpy(dir, path, (size_t)(slash - path));
        dir[slash - path] = '\0';
        if (slash == path)
            memcpy(dir, "/", 2);
    }
    return from_doc(d, dir, o, out, err, errlen);
}

dw_status dw_scenario_load_mem(const char *buf, size_t len, const char *name,
                               uint64_t seed_override, dw_scenario **out, char *err, size_t errlen)
{
    if (!buf || !name || !out)
        return DW_ERR_INVALID;
    dw_doc *d = NULL;
    dw_status st = dw_doc_load_mem(buf, len, name, &d, err, errlen);
    if (st != DW_OK)
        return st;
    dw_scenario_options o = {seed_override, NULL};
    return from_doc(d, ".", &o, out, err, errlen);
}

/* ------------------------------------------------------------------ assessment */

/* path as written, or dir/path when relative; NULL when out of memory. */
static char *beside(const char *dir, const char *path)
{
    size_t nd = strlen(dir), np = strlen(path);
    char *p = malloc(nd + np + 2);
    if (!p)
        return NULL;
    if (path[0] == '/' || !strcmp(dir, ".")) {
        memcpy(p, path, np + 1);
    } else {
        memcpy(p, dir, nd);
        p[nd] = '/';
        memcpy(p + nd + 1, path, np + 1);
    }
    return p;
}

static dw_status read_file_name(loader *L, const json_t *v, const char *where, const char *dir,
                                char **out)
{
    if (!json_is_string(v) || !json_string_length(v))
        return dw__cfg_fail(&L->c, v, where, "expected a file name");
    char *p = beside(dir, json_string_value(v));
    if (!p)
        return DW_ERR_NOMEM;
    if (access(p, R_OK) != 0) {
        dw__cfg_fail(&L->c, v, where, "cannot read '%s': %s", p, strerror(errno));
        free(p);
        return DW_ERR_PARSE;
    }
    *out = p;
    return DW_OK;
}

/* assessment: {home: PL, geography: [files], rules: file} */
static dw_status read_assessment(loader *L, const json_t *a, const char *dir, dw_scenario *s)
{
    if (!a)
        return DW_OK;
    const char *where = "assessment";
    if (!json_is_object(a))
        return dw__cfg_fail(&L->c, a, where, "expected a mapping with home, geography and rules");
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)a, key, v) {
        if (strcmp(key, "home") && strcmp(key, "geography") && strcmp(key, "rules"))
            return dw__cfg_fail(&L->c, v, where, "unknown key '%s' (known: home, geography, rules)",
                                key);
    }
    const json_t *h = json_object_get(a, "home");
    if (!h || !json_is_string(h) || json_string_length(h) != 2 ||
        !isupper((unsigned char)json_string_value(h)[0]) ||
        !isupper((unsigned char)json_string_value(h)[1]))
        return dw__cfg_fail(&L->c, h ? h : a, where,
                            "home must be the defended country's two-letter code, like PL");
    memcpy(s->home, json_string_value(h), 3);
    const json_t *g = json_object_get(a, "geography");
    if (!g || !json_is_array(g) || !json_array_size(g))
        return dw__cfg_fail(&L->c, g ? g : a, where,
                            "geography must list the GeoJSON files (borders, regions, sites)");
    s->geo_files = calloc(json_array_size(g), sizeof *s->geo_files);
    if (!s->geo_files)
        return DW_ERR_NOMEM;
    size_t i;
    json_array_foreach(g, i, v) {
        dw_status st = read_file_name(L, v, "assessment.geography", dir, &s->geo_files[i]);
        if (st != DW_OK)
            return st;
        s->n_geo_files++;
    }
    const json_t *r = json_object_get(a, "rules");
    if (r)
        return read_file_name(L, r, "assessment.rules", dir, &s->rules_file);
    return DW_OK;
}

/* ------------------------------------------------------------------ tracker */

/* tracker: {assoc: gnn|jpda, imm: bool, q, q_vertical, gate, confirm_m, confirm_n,
 * delete_misses, merge_after, radar_bias: bool} over the pipeline's defaults. */
typedef struct tracker_keys {
    char assoc[8];
    int imm, radar_bias;
    double q, q_vertical, gate;
    long confirm_m, confirm_n, delete_misses, merge_after;
} tracker_keys;

static dw_status read_tracker(loader *L, const json_t *tj, dw_pipeline_config *c)
{
    dw_pipeline_config_default(c);
    if (!tj)
        return DW_OK;
    tracker_keys v = {"", -1, -1, NAN, NAN, NAN, -1, -1, -1, -1};
#define TO(m) offsetof(tracker_keys, m)
    const dw__cfg_field f[] = {
        {"assoc", DW_CF_STR, TO(assoc), sizeof v.assoc, 0, 0, 0},
        {"imm", DW_CF_BOOL, TO(imm), 0, 0, 0, 0},
        {"radar_bias", DW_CF_BOOL, TO(radar_bias), 0, 0, 0, 0},
        {"q", DW_CF_NUM, TO(q), 0, 1e-6, 1e6, 0},
        {"q_vertical", DW_CF_NUM, TO(q_vertical), 0, 1e-6, 1e6, 0},
        {"gate", DW_CF_NUM, TO(gate), 0, 1, 1000, 0},
        {"confirm_m", DW_CF_INT, TO(confirm_m), 0, 1, 31, 0},
        {"confirm_n", DW_CF_INT, TO(confirm_n), 0, 1, 31, 0},
        {"delete_misses", DW_CF_INT, TO(delete_misses), 0, 1, 1000, 0},
        {"merge_after", DW_CF_INT, TO(merge_after), 0, 0, 1000, 0},
    };
#undef TO
    if (!json_is_object(tj))
        return dw__cfg_fail(&L->c, tj, "tracker", "expected a mapping of the tracker's settings");
    if (dw__cfg_read(&L->c, tj, "tracker", f, N(f), NULL, &v) != DW_OK)
        return DW_ERR_PARSE;
    if (v.assoc[0]) {
        if (!strcmp(v.assoc, "gnn"))
            c->assoc = DW_ASSOC_GNN;
        else if (!strcmp(v.assoc, "jpda"))
            c->assoc = DW_ASSOC_JPDA;
        else
            return dw__cfg_fail(&L->c, json_object_get(tj, "assoc"), "tracker",
                                "assoc '%s' is neither gnn nor jpda", v.assoc);
    }
    if (v.imm >= 0)
        c->imm = v.imm;
    if (v.radar_bias >= 0)
        c->radar_bias = v.radar_bias;
    if (!isnan(v.q))
        c->q = v.q;
    if (!isnan(v.q_vertical))
        c->q_vertical = v.q_vertical;
    if (!isnan(v.gate))
        c->gate = v.gate;
    if (v.confirm_m >= 0)
        c->confirm_m = (int)v.confirm_m;
    if (v.confirm_n >= 0)
        c->confirm_n = (int)v.confirm_n;
    if (v.delete_misses >= 0)
        c->delete_misses = (int)v.delete_misses;
    if (v.merge_after >= 0)
        c->merge_after = (int)v.merge_after;
    if (c->confirm_m > c->confirm_n)
        return dw__cfg_fail(&L->c, tj, "tracker", "confirm_m (%d) is more than confirm_n (%d)",
                            c->confirm_m, c->confirm_n);
    return DW_OK;
}

/* Builds the scenario from d, which it destroys. */
static dw_status from_doc(dw_doc *d, const char *dir, const dw_scenario_options *opt,
                          dw_scenario **out, char *err, size_t errlen)
{
    uint64_t seed_override = opt->seed;
    dw_status st;
    loader L;
    memset(&L, 0, sizeof L);
    L.c.d = d;
    L.c.err = err;
    L.c.errlen = errlen;
    dw_scenario *s = calloc(1, sizeof *s);
    if (!s) {
        dw_doc_destroy(d);
        return DW_ERR_NOMEM;
    }
    json_t *root = dw_doc_root(d);
    top t;
    memset(&t, 0, sizeof t);
    t.end_us = INT64_MIN;
    st = DW_ERR_PARSE;
    if (!json_is_object(root)) {
        dw__cfg_fail(&L.c, root, "scenario", "expected a mapping at the top");
        goto fail;
    }
    /* start first: every offset in the file counts from it. */
    const json_t *js = json_object_get(root, "start");
    if (!js) {
        dw__cfg_fail(&L.c, root, "scenario", "start (a UTC time) is required");
        goto fail;
    }
    if (!json_is_string(js) || dw__parse_utc(json_string_value(js), &t.start_us) != 0) {
        dw__cfg_fail(&L.c, js, "scenario", "start must be a UTC time like 2025-09-09T20:00:00Z");
        goto fail;
    }
    L.c.start_us = t.start_us;
    static const char *const skip[] = {"start", "description", "places", "targets", "raids",
                                       "traffic", "sensors", "assessment", "tracker", NULL};
    if (dw__cfg_read(&L.c, root, "scenario", top_fields, N(top_fields), skip, &t) != DW_OK)
        goto fail;
    if (t.end_us == INT64_MIN && !t.duration_us) {
        dw__cfg_fail(&L.c, root, "scenario", "end or duration_s is required");
        goto fail;
    }
    s->start_us = t.start_us;
    s->end_us = t.end_us != INT64_MIN ? t.end_us : t.start_us + t.duration_us;
    if (s->end_us <= s->start_us) {
        dw__cfg_fail(&L.c, root, "scenario", "end is not after start");
        goto fail;
    }
    memcpy(s->name, t.name, sizeof s->name);
    const json_t *jd = json_object_get(root, "description");
    if (jd && json_is_string(jd) && !(s->description = strdup(json_string_value(jd)))) {
        st = DW_ERR_NOMEM;
        goto fail;
    }
    s->seed = seed_override ? seed_override : (uint64_t)t.seed;
    s->step_us = t.step_us ? t.step_us : 1000000;
    s->truth_period_us = t.truth_us ? t.truth_us : 1000000;
    s->report_period_us = t.report_us ? t.report_us : s->truth_period_us;

    if ((st = read_places(&L, json_object_get(root, "places"))) != DW_OK ||
        (st = read_targets(&L, json_object_get(root, "targets"))) != DW_OK ||
        (st = read_raids(&L, json_object_get(root, "raids"), s->seed)) != DW_OK ||
        (st = read_traffic(&L, json_object_get(root, "traffic"), s->seed)) != DW_OK ||
        (st = read_assessment(&L, json_object_get(root, "assessment"), dir, s)) != DW_OK ||
        (st = read_tracker(&L, json_object_get(root, "tracker"), &s->tracker)) != DW_OK)
        goto fail;
    /* Ids name targets in truth and scores: they must be unique. A sort of pointers
     * would be faster; scenarios hold thousands, not millions. */
    for (size_t i = 0; i < L.n_specs; i++)
        for (size_t j = i + 1; j < L.n_specs && L.n_specs < 20000; j++)
            if (!strcmp(L.specs[i].id, L.specs[j].id)) {
                dw__cfg_fail(&L.c, root, "scenario", "two targets are called '%s'", L.specs[i].id);
                st = DW_ERR_PARSE;
                goto fail;
            }
    st = dw__sim_world_create(L.specs, L.n_specs, s->seed, &s->world, &s->events, &s->n_events);
    if (st != DW_OK) {
        if (st != DW_ERR_NOMEM)
            dw__cfg_fail(&L.c, root, "scenario", "a target's path cannot be built (%s)",
                         dw_status_str(st));
        goto fail;
    }
    if (s->n_events)
        qsort(s->events, s->n_events, sizeof *s->events, cmp_event);
    const json_t *sens = json_object_get(root, "sensors");
    json_t *empty = NULL;
    if (!sens)
        sens = empty = json_array();
    if (opt->without && json_is_array(sens)) {
        /* The entries kept, as the same nodes (their lines stay known). */
        json_t *kept = json_array();
        size_t i;
        json_t *e;
        json_array_foreach(sens, i, e) {
            const char *k = json_string_value(json_object_get(e, "kind"));
            int drop = 0;
            for (const char *const *w = opt->without; k && *w; w++)
                drop |= !strcmp(*w, k);
            if (!drop)
                json_array_append(kept, e);
        }
        json_decref(empty);
        sens = empty = kept;
    }
    st = dw__sim_sensors_load(&L.c, sens, s->seed, &s->sensors);
    json_decref(empty);
    if (st != DW_OK)
        goto fail;
    free(L.specs);
    free(L.places);
    s->places = L.pub;
    s->n_places = L.n_places;
    dw_doc_destroy(d);
    *out = s;
    return DW_OK;
fail:
    free(L.specs);
    free(L.places);
    free(L.pub);
    dw_doc_destroy(d);
    dw_scenario_destroy(s);
    return st;
}

void dw_scenario_destroy(dw_scenario *s)
{
    if (!s)
        return;
    dw__sim_world_destroy(s->world);
    dw_sim_sensors_destroy(s->sensors);
    free(s->events);
    free(s->places);
    free(s->description);
    for (size_t i = 0; i < s->n_geo_files; i++)
        free(s->geo_files[i]);
    free(s->geo_files);
    free(s->rules_file);
    free(s);
}

const char *dw_sim_event_name(dw_sim_event_kind k)
{
    static const char *const names[] = {
#define DW_SIM_EVENT_NAME(e, s) s,
        DW_SIM_EVENTS(DW_SIM_EVENT_NAME)
#undef DW_SIM_EVENT_NAME
    };
    return (unsigned)k < DW_SIM_NEVENTS ? names[k] : "?";
}
