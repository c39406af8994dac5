/* world.c — where every target of a scenario is at any instant.
 *
 * A target's whole flight is worked out when the scenario is loaded, so its state at an
 * instant is a lookup and the same for every sensor that asks:
 *  - horizontally it flies its route at its cruise ground speed, so the distance flown is
 *    s = v·(t − launch); each leg is the chord between two waypoints at ground level, and a
 *    point on it is lifted to the surface (the great circle, to well under a metre per
 *    hundred km of leg), so long routes stay on the earth without per-step geodesics;
 *  - at a waypoint it turns as an aircraft does, on a circle of radius v²/(g·tan bank)
 *    tangent to both legs (a fly-by turn in the waypoint's local level plane), so its
 *    heading never jumps; where the legs are too short for that circle the radius shrinks
 *    to fit half of the shorter leg, and a reversal (a turn near 180°) cannot be flown by
 *    and stays a corner: a racetrack is given as four corners;
 *  - vertically the altitude is a function of s made of straight pieces: climb at climb_mps
 *    to the cruise altitude (or a waypoint's own altitude), then the ending: a descent at
 *    the same rate onto the last waypoint (land), a dive at dive_rad onto it (dive), a glide
 *    at glide_ratio when the fuel runs out (range_m), or nothing (leave);
 *  - it ends at the end of that profile, or when it is shot down (shot_us), whichever is
 *    first. Birds add a slow lateral wander to their route.
 * Times are µs, distances m; nothing here reads the clock or draws at run time.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/geo.h"
#include "sim/sim_int.h"

#define MAX_KNOTS (2 * DW_SIM_MAX_ROUTE + 8)

typedef struct knot {
    double s_m, alt_m;              /* altitude alt_m at distance s_m, straight between */
} knot;

/* The turn at a waypoint: an arc of radius r through the angle th, to the left (sgn +1) or
 * right (−1), in the level plane of the waypoint's local frame, from the entry point e to the
 * exit point x (ENU, relative to the waypoint), centred at c. r = 0: a corner. */
typedef struct turn {
    double r, th, sgn;
    double u_in[2], c[2];
    double e_ecef[3], x_ecef[3];    /* where the straight legs end and start again */
    dw_enu_frame fr;
} turn;

typedef struct target {
    dw__sim_target_spec spec;
    double wp_ecef[DW_SIM_MAX_ROUTE + 1][3];    /* route at ground level (+ glide extension) */
    double wp_s[DW_SIM_MAX_ROUTE + 1];          /* distance flown at each waypoint (the
                                                   middle of its turn)                     */
    turn turns[DW_SIM_MAX_ROUTE + 1];
    size_t n_wp;
    knot knots[MAX_KNOTS];
    size_t n_knots;
    int64_t end_us;                 /* last instant it exists                      */
    double end_s;
    double wander_phase, wander_len_m;
} target;

struct dw_sim_world {
    target *t;
    size_t n;
    dw_sim_state *snap;
    size_t n_snap;
};

size_t dw_sim_world_count(const dw_sim_world *w)
{
    return w ? w->n : 0;
}

const char *dw__sim_world_target_id(const dw_sim_world *w, size_t i)
{
    return w && i < w->n ? w->t[i].spec.id : "";
}

static double alt_at(const target *g, double s, double *slope)
{
    const knot *k = g->knots;
    size_t n = g->n_knots;
    if (s <= k[0].s_m) {
        *slope = 0;
        return k[0].alt_m;
    }
    for (size_t i = 1; i < n; i++) {
        if (s <= k[i].s_m) {
            double ds = k[i].s_m - k[i - 1].s_m;
            double m = ds > 0 ? (k[i].alt_m - k[i - 1].alt_m) / ds : 0;
            *slope = m;
            return k[i - 1].alt_m + m * (s - k[i - 1].s_m);
        }
    }
    *slope = 0;
    return k[n - 1].alt_m;
}

/* The point phi (0 … th) radians into turn tu, and the direction of flight there, both in
 * ECEF. */
static void arc_point(const turn *tu, double phi, double p[3], double dir[3])
{
    double c = cos(tu->sgn * phi), sn = sin(tu->sgn * phi);
    double u[2] = {c * tu->u_in[0] - sn * tu->u_in[1], sn * tu->u_in[0] + c * tu->u_in[1]};
    /* left of u is (−u_n, u_e); the centre is on the turning side */
    double enu[3] = {tu->c[0] + tu->sgn * tu->r * u[1], tu->c[1] - tu->sgn * tu->r * u[0], 0};
    double ue[3] = {u[0], u[1], 0};
    dw_ecef_from_enu(&tu->fr, enu, p);
    dw_ecef_vec_from_enu(&tu->fr, ue, dir);
}

static void state_at(const target *g, uint32_t idx, int64_t t_us, dw_sim_state *o)
{
    const dw__sim_target_spec *sp = &g->spec;
    double v = sp->speed_mps;
    double s = v * (double)(t_us - sp->launch_us) * 1e-6;
    if (s > g->end_s)
        s = g->end_s;
    /* The leg holding s (a handful of legs: a linear scan is fastest). */
    size_t k = 0;
    while (k + 2 < g->n_wp && s > g->wp_s[k + 1])
        k++;
    const turn *ta = &g->turns[k], *tb = &g->turns[k + 1];
    double p[3], d[3];
    if (ta->r > 0 && s - g->wp_s[k] < 0.5 * ta->r * ta->th) {
        arc_point(ta, 0.5 * ta->th + (s - g->wp_s[k]) / ta->r, p, d);
    } else if (tb->r > 0 && g->wp_s[k + 1] - s < 0.5 * tb->r * tb->th) {
        arc_point(tb, 0.5 * tb->th - (g->wp_s[k + 1] - s) / tb->r, p, d);
    } else {
        /* The straight part, from the end of one turn to the start of the next. */
        const double *a = ta->x_ecef, *b = tb->e_ecef;
        double s0 = g->wp_s[k] + 0.5 * ta->r * ta->th;
        double len = g->wp_s[k + 1] - 0.5 * tb->r * tb->th - s0;
        double f = len > 0 ? (s - s0) / len : 0;
        for (int i = 0; i < 3; i++) {
            d[i] = b[i] - a[i];
            p[i] = a[i] + f * d[i];
        }
    }
    dw_geodetic geo;
    dw_geo_from_ecef(p, &geo);
    double slope;
    geo.alt_m = alt_at(g, s, &slope);
    /* Horizontal direction in the local frame, made level. */
    dw_enu_frame fr;
    dw_enu_frame_init(&fr, &geo);
    double de[3];
    dw_enu_vec_from_ecef(&fr, d, de);
    double h = hypot(de[0], de[1]);
    double ue = h > 0 ? de[0] / h : 0, un = h > 0 ? de[1] / h : 1;
    double ve = v * ue, vn = v * un;
    if (sp->wander_m > 0) {
        /* Lateral offset w(s) = A sin(2πs/λ + φ), to the right of the track. */
        double ph = 2 * M_PI * s / g->wander_len_m + g->wander_phase;
        double off = sp->wander_m * sin(ph);
        double doff = sp->wander_m * 2 * M_PI / g->wander_len_m * cos(ph) * v;
        double enu[3] = {un * off, -ue * off, 0};
        double q[3];
        dw_ecef_from_enu(&fr, enu, q);
        dw_geo_from_ecef(q, &geo);
        geo.alt_m = alt_at(g, s, &slope);
        ve += un * doff;
        vn += -ue * doff;
    }
    memset(o, 0, sizeof *o);
    o->target = idx;
    o->truth.t_us = t_us;
    memcpy(o->truth.id, sp->id, sizeof sp->id);
    o->truth.cls = sp->cls;
    o->truth.lat_deg = geo.lat_deg;
    o->truth.lon_deg = geo.lon_deg;
    o->truth.alt_m = geo.alt_m;
    int alive = t_us < g->end_us;
    o->truth.alive = alive;
    if (alive) {
        o->truth.vel_enu_mps[0] = ve;
        o->truth.vel_enu_mps[1] = vn;
        o->truth.vel_enu_mps[2] = slope * v;
    }
    dw_geo_to_ecef(&geo, o->ecef);
    o->rcs_m2 = sp->rcs_m2;
    o->sound_db = sp->sound_db;
    o->flags = sp->flags;
    o->icao = sp->icao;
    o->mode3a = sp->mode3a;
    memcpy(o->callsign, sp->callsign, sizeof o->callsign);
    memcpy(o->rid, sp->rid, sizeof o->rid);
}

int dw_sim_world_state(const dw_sim_world *w, size_t i, int64_t t_us, dw_sim_state *out)
{
    if (!w || i >= w->n)
        return 0;
    const target *g = &w->t[i];
    if (t_us < g->spec.launch_us || t_us > g->end_us)
        return 0;
    state_at(g, (uint32_t)i, t_us, out);
    return 1;
}

size_t dw_sim_world_snapshot(const dw_sim_world *w, const dw_sim_state **out)
{
    *out = w ? w->snap : NULL;
    return w ? w->n_snap : 0;
}

int dw_sim_world_shoot(dw_sim_world *w, size_t i, int64_t t_us)
{
    if (!w || i >= w->n)
        return 0;
    target *g = &w->t[i];
    if (t_us < g->spec.launch_us || t_us >= g->end_us)
        return 0;
    g->end_us = t_us;
    return 1;
}

dw_sim_engage dw_sim_world_engage(dw_sim_world *w, int64_t t_us, double lat_deg, double lon_deg,
                                  double radius_m, double pk, double u01, dw_sim_state *hit)
{
    if (!w)
        return DW_SIM_ENGAGE_NONE;
    double best = radius_m, k = cos(lat_deg * M_PI / 180.0);
    size_t bi = SIZE_MAX;
    dw_sim_state st, got;
    for (size_t i = 0; i < w->n; i++) {
        if (!dw_sim_world_state(w, i, t_us, &st) || !st.truth.alive)
            continue;
        dw_class c = st.truth.cls;
        if (c != DW_CLASS_OWA_DRONE && c != DW_CLASS_DECOY && c != DW_CLASS_QUADCOPTER)
            continue;
        /* Within a few km the local flat-earth distance is enough. */
        double d = hypot((st.truth.lat_deg - lat_deg) * 111320.0,
                         (st.truth.lon_deg - lon_deg) * 111320.0 * k);
        if (d < best) {
            best = d;
            bi = i;
            got = st;
        }
    }
    if (bi == SIZE_MAX)
        return DW_SIM_ENGAGE_NONE;
    if (hit)
        *hit = got;
    if (!(u01 < pk) || !dw_sim_world_shoot(w, bi, t_us))
        return DW_SIM_ENGAGE_MISS;
    return DW_SIM_ENGAGE_HIT;
}

void dw_sim_world_advance(dw_sim_world *w, int64_t t_us)
{
    if (!w)
        return;
    w->n_snap = 0;
    for (size_t i = 0; i < w->n; i++)
        if (dw_sim_world_state(w, i, t_us, &w->snap[w->n_snap]))
            w->n_snap++;
}

/* ---------------------------------------------------------------- building paths */

static void push_knot(target *g, double s, double alt)
{
    if (g->n_knots && g->knots[g->n_knots - 1].s_m >= s) {
        /* Same distance: the later statement wins. */
        if (g->knots[g->n_knots - 1].s_m == s) {
            g->knots[g->n_knots - 1].alt_m = alt;
            return;
        }
        s = g->knots[g->n_knots - 1].s_m;
    }
    if (g->n_knots < MAX_KNOTS)
        g->knots[g->n_knots++] = (knot){s, alt};
}

/* Altitude profile up to distance s_stop, climbing or descending at slope m toward the
 * altitude asked for on each leg; returns the altitude at s_stop. */
static double cruise_profile(target *g, double m, double s_stop)
{
    const dw__sim_target_spec *sp = &g->spec;
    double a = sp->route[0].has_alt ? sp->route[0].alt_m : 0.0;
    double s = 0;
    push_knot(g, 0, a);
    double want = sp->alt_m;
    for (size_t k = 0; k + 1 < g->n_wp && s < s_stop; k++) {
        if (k > 0 && k < sp->n_route && sp->route[k].has_alt)
            want = sp->route[k].alt_m;
        double leg_end = fmin(g->wp_s[k + 1], s_stop);
        if (a != want && m > 0) {
            double s_reach = s + fabs(want - a) / m;
            if (s_reach <= leg_end) {
                push_knot(g, s_reach, want);
                a = want;
            } else {
                a += (want > a ? 1 : -1) * m * (leg_end - s);
                push_knot(g, leg_end, a);
            }
        }
        s = leg_end;
    }
    push_knot(g, s_stop, a);
    return a;
}

static void add_event(dw_sim_event **ev, size_t *n, size_t *cap, int64_t t, dw_sim_event_kind k,
                      uint32_t tgt, double lat, double lon, const char *place, int *oom)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 256;
        dw_sim_event *e = realloc(*ev, nc * sizeof *e);
        if (!e) {
            *oom = 1;
            return;
        }
        *ev = e;
        *cap = nc;
    }
    dw_sim_event *e = &(*ev)[(*n)++];
    memset(e, 0, sizeof *e);
    e->t_us = t;
    e->kind = k;
    e->target = tgt;
    e->lat_deg = lat;
    e->lon_deg = lon;
    if (place)
        memcpy(e->place, place, strnlen(place, sizeof e->place - 1));
}

static double dist3(const double *a, const double *b)
{
    return sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) +
                (a[2] - b[2]) * (a[2] - b[2]));
}

/* The turn at every inner waypoint, and the distance flown to each waypoint along the
 * turns; leg[k] is the geodesic length from waypoint k to k + 1. */
static void plan_turns(target *g, const double *leg)
{
    const dw__sim_target_spec *sp = &g->spec;
    const double v = sp->speed_mps;
    const double r0 = sp->bank_rad > 0 ? v * v / (9.80665 * tan(sp->bank_rad)) : 0;
    for (size_t k = 0; k < g->n_wp; k++) {
        turn *tu = &g->turns[k];
        memset(tu, 0, sizeof *tu);
        memcpy(tu->e_ecef, g->wp_ecef[k], sizeof tu->e_ecef);
        memcpy(tu->x_ecef, g->wp_ecef[k], sizeof tu->x_ecef);
        if (k == 0 || k + 1 >= g->n_wp || !(r0 > 0))
            continue;
        dw_geodetic o;
        dw_geo_from_ecef(g->wp_ecef[k], &o);
        o.alt_m = 0;
        dw_enu_frame_init(&tu->fr, &o);
        double din[3], dout[3], a[3], b[3];
        for (int i = 0; i < 3; i++) {
            din[i] = g->wp_ecef[k][i] - g->wp_ecef[k - 1][i];
            dout[i] = g->wp_ecef[k + 1][i] - g->wp_ecef[k][i];
        }
        dw_enu_vec_from_ecef(&tu->fr, din, a);
        dw_enu_vec_from_ecef(&tu->fr, dout, b);
        double la = hypot(a[0], a[1]), lb = hypot(b[0], b[1]);
        if (!(la > 0) || !(lb > 0))
            continue;
        double ui[2] = {a[0] / la, a[1] / la}, uo[2] = {b[0] / lb, b[1] / lb};
        double th = atan2(ui[0] * uo[1] - ui[1] * uo[0], ui[0] * uo[0] + ui[1] * uo[1]);
        double ath = fabs(th);
        if (ath < 1e-4 || ath > M_PI - 1e-3)
            continue;   /* straight on, or a reversal: a corner */
        double t2 = tan(0.5 * ath);
        double r = r0, dd = r * t2, dmax = 0.5 * fmin(la, lb);
        if (dd > dmax) {
            dd = dmax;
            r = dd / t2;
        }
        tu->r = r;
        tu->th = ath;
        tu->sgn = th > 0 ? 1.0 : -1.0;
        tu->u_in[0] = ui[0];
        tu->u_in[1] = ui[1];
        /* entry e = −dd·u_in; the centre lies r to the turning side of it */
        double e[3] = {-dd * ui[0], -dd * ui[1], 0}, x[3] = {dd * uo[0], dd * uo[1], 0};
        tu->c[0] = e[0] - tu->sgn * r * ui[1];
        tu->c[1] = e[1] + tu->sgn * r * ui[0];
        dw_ecef_from_enu(&tu->fr, e, tu->e_ecef);
        dw_ecef_from_enu(&tu->fr, x, tu->x_ecef);
    }
    /* Distances: each straight part keeps its leg's ratio of geodesic to chord. */
    g->wp_s[0] = 0;
    for (size_t k = 1; k < g->n_wp; k++) {
        const turn *ta = &g->turns[k - 1], *tb = &g->turns[k];
        double chord = dist3(g->wp_ecef[k - 1], g->wp_ecef[k]);
        double straight = dist3(ta->x_ecef, tb->e_ecef) * (chord > 0 ? leg[k - 1] / chord : 1.0);
        g->wp_s[k] = g->wp_s[k - 1] + 0.5 * ta->r * ta->th + straight + 0.5 * tb->r * tb->th;
    }
}

static dw_status build(target *g, uint32_t idx, uint64_t seed, dw_sim_event_kind *end_kind)
{
    dw__sim_target_spec *sp = &g->spec;
    if (sp->n_route < 2 || !(sp->speed_mps > 0))
        return DW_ERR_INVALID;
    g->n_wp = sp->n_route;
    double leg[DW_SIM_MAX_ROUTE];
    for (size_t k = 0; k < sp->n_route; k++) {
        dw_geodetic q = {sp->route[k].lat_deg, sp->route[k].lon_deg, 0};
        dw_geo_to_ecef(&q, g->wp_ecef[k]);
        if (k > 0) {
            dw_geodetic p = {sp->route[k - 1].lat_deg, sp->route[k - 1].lon_deg, 0};
            double az1, az2;
            if (dw_geo_inverse(&p, &q, &leg[k - 1], &az1, &az2) != DW_OK)
                return DW_ERR_INVALID;
        }
    }
    plan_turns(g, leg);
    double L = g->wp_s[g->n_wp - 1];
    double m = sp->climb_mps > 0 ? sp->climb_mps / sp->speed_mps : 0.05;
    double ground = sp->route[sp->n_route - 1].has_alt ? sp->route[sp->n_route - 1].alt_m : 0.0;
    int fuel_out = sp->range_m > 0 && sp->range_m < L;
    g->n_knots = 0;
    if (fuel_out) {
        /* Engine stops at range_m: a straight glide from there, along the route and
         * beyond its end if it must (the last leg extended). */
        double s_f = sp->range_m;
        double a = cruise_profile(g, m, s_f);
        double gr = sp->glide_ratio > 0 ? sp->glide_ratio : 8.0;
        double s_land = s_f + fmax(a - ground, 0) * gr;
        if (s_land > L) {
            size_t k = g->n_wp - 1;
            /* along the last straight, from the end of the turn before it */
            const double *from = g->turns[k - 1].x_ecef;
            double dx[3], len = dist3(from, g->wp_ecef[k]);
            for (int i = 0; i < 3; i++)
                dx[i] = (g->wp_ecef[k][i] - from[i]) / (len > 0 ? len : 1);
            for (int i = 0; i < 3; i++)
                g->wp_ecef[k + 1][i] = g->wp_ecef[k][i] + dx[i] * (s_land - L + 1.0);
            g->wp_s[k + 1] = s_land + 1.0;
            memset(&g->turns[k + 1], 0, sizeof g->turns[k + 1]);
            memcpy(g->turns[k + 1].e_ecef, g->wp_ecef[k + 1], sizeof g->wp_ecef[k + 1]);
            memcpy(g->turns[k + 1].x_ecef, g->wp_ecef[k + 1], sizeof g->wp_ecef[k + 1]);
            g->n_wp++;
        }
        push_knot(g, s_land, ground);
        g->end_s = s_land;
        *end_kind = DW_SIM_EV_END_FUEL;
    } else if (sp->end == DW_SIM_END_DIVE) {
        double tan_d = tan(sp->dive_rad > 0 ? sp->dive_rad : 30 * M_PI / 180);
        /* Dive from wherever the cruise profile is when the dive must start. */
        double a = sp->alt_m;
        double s_dive = fmax(L - fmax(a - ground, 0) / tan_d, 0);
        a = cruise_profile(g, m, s_dive);
        s_dive = fmax(L - fmax(a - ground, 0) / tan_d, s_dive);
        push_knot(g, s_dive, a);
        push_knot(g, L, ground);
        g->end_s = L;
        *end_kind = DW_SIM_EV_END_DIVE;
    } else if (sp->end == DW_SIM_END_LAND) {
        double a = sp->alt_m;
        double s_desc = fmax(L - fmax(a - ground, 0) / m, 0);
        a = cruise_profile(g, m, s_desc);
        s_desc = fmax(L - fmax(a - ground, 0) / m, s_desc);
        push_knot(g, s_desc, a);
        push_knot(g, L, ground);
        g->end_s = L;
        *end_kind = DW_SIM_EV_ARRIVE;
    } else {
        cruise_profile(g, m, L);
        g->end_s = L;
        *end_kind = DW_SIM_EV_ARRIVE;
    }
    g->end_us = sp->launch_us + (int64_t)llround(g->end_s / sp->speed_mps * 1e6);
    if (sp->shot_us > sp->launch_us && sp->shot_us < g->end_us) {
        g->end_us = sp->shot_us;
        g->end_s = sp->speed_mps * (double)(sp->shot_us - sp->launch_us) * 1e-6;
        *end_kind = DW_SIM_EV_SHOT;
    }
    if (sp->wander_m > 0) {
        dw_rng r;
        dw_rng_seed(&r, seed, dw_rng_hash(sp->id));
        g->wander_phase = 2 * M_PI * dw_rng_uniform(&r);
        g->wander_len_m = 3000.0 + 4000.0 * dw_rng_uniform(&r);
    }
    (void)idx;
    return DW_OK;
}

dw_status dw__sim_world_create(const dw__sim_target_spec *specs, size_t n, uint64_t seed,
                               dw_sim_world **out, dw_sim_event **events, size_t *n_events)
{
    if (!out || (n && !specs) || !events || !n_events)
        return DW_ERR_INVALID;
    dw_sim_world *w = calloc(1, sizeof *w);
    if (!w)
        return DW_ERR_NOMEM;
    w->t = calloc(n ? n : 1, sizeof *w->t);
    w->snap = calloc(n ? n : 1, sizeof *w->snap);
    if (!w->t || !w->snap) {
        dw__sim_world_destroy(w);
        return DW_ERR_NOMEM;
    }
    w->n = n;
    size_t cap = *n_events;
    int oom = 0;
    for (size_t i = 0; i < n; i++) {
        target *g = &w->t[i];
        g->spec = specs[i];
        dw_sim_event_kind ek;
        dw_status st = build(g, (uint32_t)i, seed, &ek);
        if (st != DW_OK) {
            dw__sim_world_destroy(w);
            return st;
        }
        const dw__sim_target_spec *sp = &g->spec;
        add_event(events, n_events, &cap, sp->launch_us, DW_SIM_EV_LAUNCH, (uint32_t)i,
                  sp->route[0].lat_deg, sp->route[0].lon_deg, sp->route[0].place, &oom);
        dw_sim_state st_end;
        state_at(g, (uint32_t)i, g->end_us, &st_end);
        add_event(events, n_events, &cap, g->end_us, ek, (uint32_t)i, st_end.truth.lat_deg,
                  st_end.truth.lon_deg, sp->route[sp->n_route - 1].place, &oom);
    }
    if (oom) {
        dw__sim_world_destroy(w);
        return DW_ERR_NOMEM;
    }
    *out = w;
    return DW_OK;
}

void dw__sim_world_destroy(dw_sim_world *w)
{
    if (!w)
        return;
    free(w->t);
    free(w->snap);
    free(w);
}
