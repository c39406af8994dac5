/* sensor_acoustic.c — a network of cheap microphone nodes ("acoustic"), in SAPIENT.
 *
 * Thousands of nodes, each a microphone and a phone on a pole a few metres up, laid along a
 * border (line), over an area (grid) or at listed points. A node hears an audible target
 * (DW_SIM_AUDIBLE) within a radius that scales with the target's source level: radius_km is
 * the slant range at which the reference source (ref_sound_db, a Shahed-class engine) is
 * just heard, and spherical spreading (20·log10 of distance) moves that edge to
 * R for a louder or quieter one, where the loss 20·log10(d) + α·d (α, absorption_db_per_km:
 * the air and the ground take a couple of dB per km from an engine's low tones) equals the
 * reference's at radius plus (sound_db − ref_sound_db). Inside it the probability of hearing
 * follows the margin m = 20·log10(R/d) dB: Pd = pd · min(1, m / 6 dB), so the full pd holds
 * out to R/2 and falls to 0 at R; beyond R nothing is heard. Like Sky Fortress's classifier,
 * a node reports only the sounds of the classes it listens for (classes: drones by default),
 * so a fighter passing over the border does not flood the network.
 *
 * A node reports every period_s while it hears something, at instants phased per node so
 * that the network does not speak at once: one report per target heard, a BEARING (az with
 * bearing_sigma_deg) when the nodes can give one, else a CELL (the node's position and its
 * radius), both in SAPIENT (a CELL as a location with its footprint radius).
 * False alarms come at false_alarms_per_hour per node, drawn for the whole network each step
 * (Poisson) and spread over random nodes.
 *
 * The nodes sit on a latitude/longitude grid built at load; each step every audible target
 * asks the grid for the nodes within its radius, so a step costs O(targets × nodes near
 * each), whatever the size of the network.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sensor_int.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define DEG (M_PI / 180.0)
#define MAX_NODES 2000000
#define FULL_MARGIN_DB 6.0
#define MAX_RADIUS_M 100e3          /* the loudest target is heard no further than this */

typedef struct node {
    dw_enu_frame f;
    int64_t phase_us;               /* report instants: origin + phase + k·period */
} node;

typedef struct acoustic {
    dw_rng rng;
    uint32_t base;                  /* sensor index of node 0 */
    size_t n;
    node *nodes;
    double *lat, *lon;              /* for the grid */
    dw__sim_grid grid;
    int64_t origin_us, period_us;
    double radius_m, ref_db, pd, sigma_az_rad, fa_per_s, alpha_db_per_m;
    uint32_t classes;               /* bit per dw_class */
    int bearing;
} acoustic;

typedef struct acoustic_cfg {
    char id[DW_ID_MAX], owner[DW_ID_MAX];   /* id is the prefix */
    double alt_m, spacing_m, radius_m, ref_db, pd, sigma_az_rad, fa_per_hour, alpha_db_per_km;
    long count;
    int64_t period_us;
} acoustic_cfg;

/* ------------------------------------------------------------------ layouts */

typedef struct pts {
    double *lat, *lon;
    size_t n, cap;
} pts;

static int push(pts *p, double lat, double lon)
{
    if (p->n >= MAX_NODES)
        return -1;
    if (p->n == p->cap) {
        size_t nc = p->cap ? p->cap * 2 : 1024;
        double *a = realloc(p->lat, nc * sizeof *a);
        if (!a)
            return -1;
        p->lat = a;
        double *b = realloc(p->lon, nc * sizeof *b);
        if (!b)
            return -1;
        p->lon = b;
        p->cap = nc;
    }
    p->lat[p->n] = lat;
    p->lon[p->n] = lon;
    p->n++;
    return 0;
}

static dw_status too_many(const dw__cfg *c, const json_t *v, const char *where)
{
    return dw__cfg_fail(c, v, where, "more than %d nodes (or out of memory): widen spacing_km",
                        MAX_NODES);
}

/* Nodes every spacing along the polyline, the first at its start; the spacing runs on
 * across its corners. */
static dw_status layout_line(const dw__cfg *c, const json_t *v, const char *where, double spacing,
                             pts *p)
{
    if (!json_is_array(v) || json_array_size(v) < 2)
        return dw__cfg_fail(c, v, where, "line is a list of two or more positions");
    if (!(spacing > 0))
        return dw__cfg_fail(c, v, where, "a line needs spacing_km");
    dw__sim_point a;
    if (dw__cfg_point(c, json_array_get(v, 0), where, &a) != DW_OK)
        return DW_ERR_PARSE;
    double next = 0;                /* distance along the current leg of the next node */
    for (size_t i = 1; i < json_array_size(v); i++) {
        dw__sim_point b;
        if (dw__cfg_point(c, json_array_get(v, i), where, &b) != DW_OK)
            return DW_ERR_PARSE;
        dw_geodetic ga = {a.lat_deg, a.lon_deg, 0}, gb = {b.lat_deg, b.lon_deg, 0};
        double len, az1;
        if (dw_geo_inverse(&ga, &gb, &len, &az1, NULL) != DW_OK)
            return dw__cfg_fail(c, json_array_get(v, i), where, "bad position on the line");
        for (; next <= len; next += spacing) {
            dw_geodetic q;
            if (dw_geo_direct(&ga, az1, next, &q) != DW_OK || push(p, q.lat_deg, q.lon_deg))
                return too_many(c, v, where);
        }
        next -= len;
        a = b;
    }
    return DW_OK;
}

/* A regular grid over the box, nodes at the centres of cells spacing wide (east-west
 * spacing in degrees fixed at the box's middle latitude); with count, the spacing that
 * gives about that many nodes. */
static dw_status layout_grid(const dw__cfg *c, const json_t *e, const char *where, double spacing,
                             long count, pts *p)
{
    dw__sim_box b;
    if (dw__sim_read_box(c, e, where, "grid", &b) != DW_OK)
        return DW_ERR_PARSE;
    const json_t *v = json_object_get(e, "grid");
    if ((spacing > 0) == (count > 0))
        return dw__cfg_fail(c, v, where, "a grid needs spacing_km or count (one of them)");
    double m_lat, m_lon;
    dw__sim_m_per_deg((b.south + b.north) / 2, &m_lat, &m_lon);
    double h = (b.north - b.south) * m_lat, w = (b.east - b.west) * m_lon;
    if (count > 0)
        spacing = sqrt(h * w / (double)count);
    double rows = fmax(1, round(h / spacing)), cols = fmax(1, round(w / spacing));
    if (rows * cols > MAX_NODES)
        return too_many(c, v, where);
    double dlat = (b.north - b.south) / rows, dlon = (b.east - b.west) / cols;
    for (long i = 0; i < (long)rows; i++)
        for (long j = 0; j < (long)cols; j++)
            if (push(p, b.south + (i + 0.5) * dlat, b.west + (j + 0.5) * dlon))
                return too_many(c, v, where);
    return DW_OK;
}

static dw_status layout_points(const dw__cfg *c, const json_t *v, const char *where, pts *p)
{
    if (!json_is_array(v) || !json_array_size(v))
        return dw__cfg_fail(c, v, where, "points is a list of positions");
    for (size_t i = 0; i < json_array_size(v); i++) {
        dw__sim_point q;
        if (dw__cfg_point(c, json_array_get(v, i), where, &q) != DW_OK)
            return DW_ERR_PARSE;
        if (push(p, q.lat_deg, q.lon_deg))
            return too_many(c, v, where);
    }
    return DW_OK;
}

/* ------------------------------------------------------------------ loading */

static void acoustic_destroy(void *state)
{
    acoustic *a = state;
    if (!a)
        return;
    free(a->nodes);
    free(a->lat);
    free(a->lon);
    dw__sim_grid_free(&a->grid);
    free(a);
}

static dw_status acoustic_load(const dw__cfg *c, const json_t *e, const char *where, uint64_t seed,
                               dw__sim_table *table, void **state)
{
    static const dw__cfg_field f[] = {
        {"id_prefix", DW_CF_STR, offsetof(acoustic_cfg, id), DW_ID_MAX - 8, 0, 0, 1},
        {"owner", DW_CF_STR, offsetof(acoustic_cfg, owner), DW_ID_MAX, 0, 0, 0},
        {"alt_m", DW_CF_NUM, offsetof(acoustic_cfg, alt_m), 0, -500, 9000, 0},
        {"spacing_km", DW_CF_KM, offsetof(acoustic_cfg, spacing_m), 0, 0.01, 1000, 0},
        {"count", DW_CF_INT, offsetof(acoustic_cfg, count), 0, 1, MAX_NODES, 0},
        {"radius_km", DW_CF_KM, offsetof(acoustic_cfg, radius_m), 0, 0.01, 100, 0},
        {"ref_sound_db", DW_CF_NUM, offsetof(acoustic_cfg, ref_db), 0, 0, 250, 0},
        {"pd", DW_CF_NUM, offsetof(acoustic_cfg, pd), 0, 0, 1, 0},
        {"bearing_sigma_deg", DW_CF_DEG, offsetof(acoustic_cfg, sigma_az_rad), 0, 0, 180, 0},
        {"period_s", DW_CF_SECONDS, offsetof(acoustic_cfg, period_us), 0, 0.01, 3600, 0},
        {"false_alarms_per_hour", DW_CF_NUM, offsetof(acoustic_cfg, fa_per_hour), 0, 0, 1e4, 0},
        {"absorption_db_per_km", DW_CF_NUM, offsetof(acoustic_cfg, alpha_db_per_km), 0, 0, 100, 0},
    };
    static const char *const skip[] = {"kind", "line", "grid", "points", "classes", NULL};
    acoustic_cfg k;
    memset(&k, 0, sizeof k);
    k.alt_m = 3;
    k.radius_m = 5000;
    k.ref_db = 110;
    k.pd = 0.8;
    k.period_us = 2000000;
    k.alpha_db_per_km = 2.0;
    uint32_t classes;
    if (dw__cfg_read(c, e, where, f, N(f), skip, &k) != DW_OK ||
        dw__sim_read_classes(c, e, where,
                             1u << DW_CLASS_OWA_DRONE | 1u << DW_CLASS_DECOY |
                                 1u << DW_CLASS_QUADCOPTER | 1u << DW_CLASS_UNKNOWN,
                             &classes) != DW_OK)
        return DW_ERR_PARSE;
    const json_t *jl = json_object_get(e, "line"), *jg = json_object_get(e, "grid"),
                 *jp = json_object_get(e, "points");
    if (!!jl + !!jg + !!jp != 1)
        return dw__cfg_fail(c, e, where, "give the nodes as line, grid or points (exactly one)");
    if (k.count && !jg)
        return dw__cfg_fail(c, e, where, "count is for a grid");
    if (jp && json_object_get(e, "spacing_km"))
        return dw__cfg_fail(c, e, where, "spacing_km is for a line or a grid, not points");
    pts p = {0};
    dw_status st = jl   ? layout_line(c, jl, where, k.spacing_m, &p)
                   : jg ? layout_grid(c, e, where, k.spacing_m, k.count, &p)
                        : layout_points(c, jp, where, &p);
    acoustic *a = st == DW_OK ? calloc(1, sizeof *a) : NULL;
    if (st == DW_OK && !a)
        st = DW_ERR_NOMEM;
    if (st != DW_OK) {
        free(p.lat);
        free(p.lon);
        return st;
    }
    a->lat = p.lat;
    a->lon = p.lon;
    a->n = p.n;
    dw_rng_seed(&a->rng, seed, dw_rng_hash(k.id));
    a->period_us = k.period_us;
    a->origin_us = c->start_us;
    a->radius_m = k.radius_m;
    a->ref_db = k.ref_db;
    a->alpha_db_per_m = k.alpha_db_per_km / 1000.0;
    a->classes = classes;
    a->pd = k.pd;
    a->sigma_az_rad = k.sigma_az_rad;
    a->bearing = k.sigma_az_rad > 0;
    a->fa_per_s = k.fa_per_hour / 3600.0;
    a->base = (uint32_t)dw__sim_sensor_count(table);
    if (!(a->nodes = calloc(p.n, sizeof *a->nodes)) ||
        dw__sim_grid_build(&a->grid, k.radius_m / 111e3, a->lat, a->lon, sizeof *a->lat, p.n) !=
            DW_OK) {
        acoustic_destroy(a);
        return DW_ERR_NOMEM;
    }
    dw_sensor d;
    for (size_t i = 0; i < p.n; i++) {
        char id[DW_ID_MAX + 16];
        snprintf(id, sizeof id, "%s-%05u", k.id, (unsigned)(i + 1));
        dw_geodetic g = {p.lat[i], p.lon[i], k.alt_m};
        dw__sim_desc(&d, DW_SENSOR_ACOUSTIC, id, k.owner, &g);
        d.sigma_az_rad = k.sigma_az_rad;
        d.pd = k.pd;
        d.max_range_m = k.radius_m;
        d.min_el_rad = 0;
        d.period_us = k.period_us;
        if (dw__sim_add_sensor(table, &d, DW_SIM_STREAM_SAPIENT) <
            0) {
            acoustic_destroy(a);
            return DW_ERR_NOMEM;
        }
        dw_enu_frame_init(&a->nodes[i].f, &g);
        a->nodes[i].phase_us = (int64_t)(dw_rng_uniform(&a->rng) * (double)k.period_us);
    }
    *state = a;
    return DW_OK;
}

/* ------------------------------------------------------------------ stepping */

typedef struct hear_ctx {
    acoustic *a;
    const dw__sim_table *t;
    const dw_sim_world *w;
    const dw_sim_sink *sink;
    const dw_sim_state *s0;         /* the target at t0                    */
    double v_ecef[3];               /* its velocity, for the first cut     */
    double reach_m, margin_m;
    int64_t t0, t1;
} hear_ctx;

static void report(const hear_ctx *q, uint32_t j, int64_t t, double az_rad, int32_t target)
{
    acoustic *a = q->a;
    dw_obs o;
    if (a->bearing) {
        dw__sim_obs(&o, DW_OBS_BEARING, q->t, a->base + j, t);
        o.az_rad = dw__sim_wrap_2pi(az_rad + a->sigma_az_rad * dw_rng_normal(&a->rng));
        o.sigma_az_rad = a->sigma_az_rad;
    } else {
        dw__sim_obs(&o, DW_OBS_CELL, q->t, a->base + j, t);
        o.lat_deg = a->lat[j];
        o.lon_deg = a->lon[j];
        o.radius_m = a->radius_m;
        o.has |= DW_OBS_HAS_POS | DW_OBS_HAS_RANGE;
    }
    dw__sim_emit(q->sink, &o, t, target);
}

/* The distance at which a source of db is just heard: where 20·log10(d) + α·d equals the
 * reference's loss at radius_m plus (db − ref_db). Newton's method from the spreading-only
 * answer; the loss grows with d, so it converges in a few steps. */
static double hearing_range(const acoustic *a, double db)
{
    double budget = 20.0 * log10(a->radius_m) + a->alpha_db_per_m * a->radius_m + (db - a->ref_db);
    double d = fmin(a->radius_m * pow(10.0, (db - a->ref_db) / 20.0), MAX_RADIUS_M);
    for (int i = 0; i < 20 && a->alpha_db_per_m > 0; i++) {
        double f = 20.0 * log10(d) + a->alpha_db_per_m * d - budget;
        double df = 20.0 / (d * M_LN10) + a->alpha_db_per_m;
        double nd = d - f / df;
        if (!(nd > 1.0))
            nd = 1.0;
        if (fabs(nd - d) < 0.01) {
            d = nd;
            break;
        }
        d = nd;
    }
    return fmin(d, MAX_RADIUS_M);
}

static int hear_node(void *ctx, uint32_t j)
{
    hear_ctx *q = ctx;
    acoustic *a = q->a;
    const node *nd = &a->nodes[j];
    /* A first cut on the target's position at t0, with what it can fly in the step. */
    double lim = q->reach_m + q->margin_m;
    if (dw__sim_dist2(nd->f.origin_ecef, q->s0->ecef) > lim * lim)
        return 0;
    for (int64_t t = dw__sim_next_tick(q->t0, a->origin_us + nd->phase_us, a->period_us);
         t < q->t1; t += a->period_us) {
        /* Whether it is heard is drawn at the position extrapolated from t0 (within a step
         * that is the path to the centimetre on a leg); the exact state, a costlier lookup,
         * is taken only for what is heard, and the radius checked again on it. */
        double dt_s = (double)(t - q->t0) * 1e-6, p[3];
        for (int i = 0; i < 3; i++)
            p[i] = q->s0->ecef[i] + q->v_ecef[i] * dt_s;
        double d = sqrt(dw__sim_dist2(nd->f.origin_ecef, p));
        if (!(d < q->reach_m))
            continue;
        double m_db = 20.0 * log10(q->reach_m / fmax(d, 1.0));
        double pd = a->pd * fmin(1.0, m_db / FULL_MARGIN_DB);
        if (!(dw_rng_uniform(&a->rng) < pd))
            continue;
        dw_sim_state s;
        if (!dw_sim_world_state(q->w, q->s0->target, t, &s) || !s.truth.alive ||
            !(dw__sim_dist2(nd->f.origin_ecef, s.ecef) < q->reach_m * q->reach_m))
            continue;
        double az = 0;
        if (a->bearing) {
            double enu[3], r, el;
            dw_enu_from_ecef(&nd->f, s.ecef, enu);
            dw_polar_from_enu(enu, &r, &az, &el);
        }
        report(q, j, t, az, (int32_t)s.target);
    }
    return 0;
}

static void acoustic_step(void *state, const dw__sim_table *t, const dw_sim_world *w,
                          int64_t t0_us, int64_t t1_us, const dw_sim_sink *sink)
{
    acoustic *a = state;
    const dw_sim_state *snap;
    size_t n = dw__sim_all(t, &snap);
    double dt_s = (double)(t1_us - t0_us) * 1e-6;
    for (size_t i = 0; i < n; i++) {
        const dw_sim_state *s = &snap[i];
        if (!(s->flags & DW_SIM_AUDIBLE) || !s->truth.alive || !(a->classes & (1u << s->truth.cls)))
            continue;
        double db = s->sound_db > 0 ? s->sound_db : a->ref_db;
        double reach = hearing_range(a, db);
        const double *v = s->truth.vel_enu_mps;
        double margin = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]) * dt_s + 1.0;
        hear_ctx q = {a, t, w, sink, s, {0, 0, 0}, reach, margin, t0_us, t1_us};
        dw__sim_vel_ecef(s, q.v_ecef);
        dw__sim_grid_query(&a->grid, s->truth.lat_deg, s->truth.lon_deg, reach + margin,
                           hear_node, &q);
    }
    /* False alarms: the network's rate over the step, each at a random node and instant. */
    uint32_t nf = dw_rng_poisson(&a->rng, a->fa_per_s * (double)a->n * dt_s);
    for (uint32_t k = 0; k < nf; k++) {
        uint32_t j = (uint32_t)(dw_rng_uniform(&a->rng) * (double)a->n);
        if (j >= a->n)
            j = (uint32_t)a->n - 1;
        int64_t tf = t0_us + (int64_t)(dw_rng_uniform(&a->rng) * (double)(t1_us - t0_us));
        double az = 2 * M_PI * dw_rng_uniform(&a->rng);
        hear_ctx q = {a, t, w, sink, NULL, {0, 0, 0}, 0, 0, t0_us, t1_us};
        report(&q, j, tf, az, -1);
    }
}

const dw__sim_model dw__sim_model_acoustic = {
    .kind = "acoustic",
    .summary = "network of microphone nodes (line, grid or points): bearings or cells",
    .load = acoustic_load,
    .step = acoustic_step,
    .destroy = acoustic_destroy,
};
