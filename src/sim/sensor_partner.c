/* sensor_partner.c — a neighbour's warning feed ("partner"), in CoT.
 *
 * A neighbour that tracks targets over its own area (area) passes on those of the classes
 * it warns about (classes; drones by default) every period_s: a coarse position (sigma_m
 * per axis east and north) with, when with_alt is set, a rough altitude (sigma_alt_m), and
 * the velocity as heading and speed with their own errors (sigma_heading_deg,
 * sigma_speed_mps). A report describes the target at its own instant (t_us) and arrives
 * delay_s later (deliver_us): the minutes a hotline or a liaison cell takes. pd is the
 * chance that a target the neighbour sees makes it into a given report.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sensor_int.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define DEG (M_PI / 180.0)

typedef struct partner_cfg {
    char id[DW_ID_MAX], owner[DW_ID_MAX];
    int64_t period_us, delay_us;
    double sigma_m, sigma_alt_m, sigma_heading_rad, sigma_speed_mps, pd;
    int with_alt;
} partner_cfg;

typedef struct partner {
    dw_rng rng;
    uint32_t idx;
    dw__sim_box box;
    double clat, clon, half_diag_m;
    uint32_t classes;               /* bit per dw_class */
    int64_t origin_us, period_us, delay_us;
    double sigma_m, sigma_alt_m, sigma_heading_rad, sigma_speed_mps, pd;
    int with_alt;
} partner;

static dw_status partner_load(const dw__cfg *c, const json_t *e, const char *where, uint64_t seed,
                              dw__sim_table *table, void **state)
{
    static const dw__cfg_field f[] = {
        DW__SIM_ID_FIELDS(partner_cfg),
        {"period_s", DW_CF_SECONDS, offsetof(partner_cfg, period_us), 0, 0.1, 86400, 0},
        {"delay_s", DW_CF_SECONDS, offsetof(partner_cfg, delay_us), 0, 0, 86400, 0},
        {"sigma_m", DW_CF_NUM, offsetof(partner_cfg, sigma_m), 0, 0, 1e6, 0},
        {"sigma_alt_m", DW_CF_NUM, offsetof(partner_cfg, sigma_alt_m), 0, 0, 1e5, 0},
        {"sigma_heading_deg", DW_CF_DEG, offsetof(partner_cfg, sigma_heading_rad), 0, 0, 180, 0},
        {"sigma_speed_mps", DW_CF_NUM, offsetof(partner_cfg, sigma_speed_mps), 0, 0, 1e3, 0},
        {"pd", DW_CF_NUM, offsetof(partner_cfg, pd), 0, 0, 1, 0},
        {"with_alt", DW_CF_BOOL, offsetof(partner_cfg, with_alt), 0, 0, 0, 0},
    };
    static const char *const skip[] = {"kind", "area", "classes", NULL};
    partner_cfg k;
    memset(&k, 0, sizeof k);
    k.period_us = 60000000;
    k.delay_us = 120000000;
    k.sigma_m = 3000;
    k.sigma_alt_m = 500;
    k.sigma_heading_rad = 10 * DEG;
    k.sigma_speed_mps = 5;
    k.pd = 1;
    k.with_alt = 1;
    dw__sim_box box;
    uint32_t classes = 0;
    if (dw__cfg_read(c, e, where, f, N(f), skip, &k) != DW_OK ||
        dw__sim_read_box(c, e, where, "area", &box) != DW_OK ||
        dw__sim_read_classes(c, e, where, 1u << DW_CLASS_OWA_DRONE | 1u << DW_CLASS_DECOY, &classes) != DW_OK)
        return DW_ERR_PARSE;
    partner *r = calloc(1, sizeof *r);
    if (!r)
        return DW_ERR_NOMEM;
    dw_rng_seed(&r->rng, seed, dw_rng_hash(k.id));
    r->box = box;
    r->classes = classes;
    r->clat = (box.south + box.north) / 2;
    r->clon = (box.west + box.east) / 2;
    double m_lat, m_lon, m_lat2, m_lon2;
    dw__sim_m_per_deg(r->clat, &m_lat, &m_lon);
    dw__sim_m_per_deg(fabs(box.south) < fabs(box.north) ? box.south : box.north, &m_lat2, &m_lon2);
    r->half_diag_m = hypot((box.north - box.south) / 2 * fmax(m_lat, m_lat2),
                           (box.east - box.west) / 2 * fmax(m_lon, m_lon2));
    r->period_us = k.period_us;
    r->delay_us = k.delay_us;
    r->origin_us = c->start_us + (int64_t)(dw_rng_uniform(&r->rng) * (double)k.period_us);
    r->sigma_m = k.sigma_m;
    r->sigma_alt_m = k.sigma_alt_m;
    r->sigma_heading_rad = k.sigma_heading_rad;
    r->sigma_speed_mps = k.sigma_speed_mps;
    r->pd = k.pd;
    r->with_alt = k.with_alt;
    dw_geodetic g = {r->clat, r->clon, 0};
    dw_sensor d;
    dw__sim_desc(&d, DW_SENSOR_PARTNER, k.id, k.owner, &g);
    d.sigma_pos_m = k.sigma_m;
    d.pd = k.pd;
    d.max_range_m = r->half_diag_m;
    d.period_us = k.period_us;
    int idx = dw__sim_add_sensor(table, &d, DW_SIM_STREAM_COT);
    if (idx < 0) {
        free(r);
        return DW_ERR_NOMEM;
    }
    r->idx = (uint32_t)idx;
    *state = r;
    return DW_OK;
}

typedef struct partner_ctx {
    partner *r;
    const dw__sim_table *t;
    const dw_sim_world *w;
    const dw_sim_sink *sink;
    int64_t at;
} partner_ctx;

static int partner_one(void *ctx, const dw_sim_state *s0)
{
    partner_ctx *q = ctx;
    partner *r = q->r;
    if (!(r->classes >> s0->truth.cls & 1) || !s0->truth.alive)
        return 0;
    dw_sim_state s;
    if (!dw_sim_world_state(q->w, s0->target, q->at, &s) || !s.truth.alive ||
        !dw__sim_in_box(&r->box, s.truth.lat_deg, s.truth.lon_deg))
        return 0;
    if (!(dw_rng_uniform(&r->rng) < r->pd))
        return 0;
    dw_obs o;
    dw__sim_obs(&o, r->with_alt ? DW_OBS_POS3 : DW_OBS_POS2, q->t, r->idx, q->at);
    dw__sim_offset(s.truth.lat_deg, s.truth.lon_deg, r->sigma_m * dw_rng_normal(&r->rng),
                   r->sigma_m * dw_rng_normal(&r->rng), &o.lat_deg, &o.lon_deg);
    o.sigma_pos_m = r->sigma_m;
    o.has |= DW_OBS_HAS_POS | DW_OBS_HAS_VEL;
    if (r->with_alt) {
        /* A rough altitude, but never one below the ground. */
        o.alt_m = fmax(s.truth.alt_m + r->sigma_alt_m * dw_rng_normal(&r->rng), 0.0);
        o.sigma_alt_m = r->sigma_alt_m;
        o.has |= DW_OBS_HAS_ALT;
    }
    const double *v = s.truth.vel_enu_mps;
    double hdg = atan2(v[0], v[1]) + r->sigma_heading_rad * dw_rng_normal(&r->rng);
    double spd = fmax(0.0, hypot(v[0], v[1]) + r->sigma_speed_mps * dw_rng_normal(&r->rng));
    o.vel_enu_mps[0] = spd * sin(hdg);
    o.vel_enu_mps[1] = spd * cos(hdg);
    o.vel_enu_mps[2] = 0;
    dw__sim_emit(q->sink, &o, q->at + r->delay_us, (int32_t)s.target);
    return 0;
}

static void partner_step(void *state, const dw__sim_table *t, const dw_sim_world *w,
                         int64_t t0_us, int64_t t1_us, const dw_sim_sink *sink)
{
    partner *r = state;
    double reach = r->half_diag_m + dw__sim_vmax(t) * (double)(t1_us - t0_us) * 1e-6;
    for (int64_t at = dw__sim_next_tick(t0_us, r->origin_us, r->period_us); at < t1_us;
         at += r->period_us) {
        partner_ctx q = {r, t, w, sink, at};
        dw__sim_near(t, r->clat, r->clon, reach, partner_one, &q);
    }
}

static void partner_destroy(void *state)
{
    free(state);
}

const dw__sim_model dw__sim_model_partner = {
    .kind = "partner",
    .summary = "a neighbour's warnings of the drones over its area, coarse and minutes late",
    .load = partner_load,
    .step = partner_step,
    .destroy = partner_destroy,
};
