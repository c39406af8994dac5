/* sensor_rf.c — an RF direction finder ("rf"), bearings in SAPIENT.
 *
 * It hears the control or telemetry link of a target that has one (DW_SIM_RF) within
 * range_km slant range and above its radio horizon (4/3 earth, from the antenna's and the
 * target's heights over ground_alt_m), with probability pd at each report (every period_s),
 * and gives the link's azimuth with bearing_sigma_deg. False alarms come at
 * false_alarms_per_hour as bearings in a uniform direction.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sensor_int.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define DEG (M_PI / 180.0)

typedef struct rf_cfg {
    char id[DW_ID_MAX], owner[DW_ID_MAX];
    DW__SIM_SITE_MEMBERS;
    double range_m, pd, sigma_az_rad, fa_per_hour;
    int64_t period_us;
} rf_cfg;

typedef struct rf {
    dw_rng rng;
    uint32_t idx;
    dw_enu_frame f;
    double h_ant_m, ground_alt_m;
    double range_m, pd, sigma_az_rad, fa_per_s;
    int64_t origin_us, period_us;
} rf;

static dw_status rf_load(const dw__cfg *c, const json_t *e, const char *where, uint64_t seed,
                         dw__sim_table *table, void **state)
{
    static const dw__cfg_field f[] = {
        DW__SIM_ID_FIELDS(rf_cfg),
        DW__SIM_SITE_FIELDS(rf_cfg),
        {"range_km", DW_CF_KM, offsetof(rf_cfg, range_m), 0, 0.01, 1000, 0},
        {"pd", DW_CF_NUM, offsetof(rf_cfg, pd), 0, 0, 1, 0},
        {"bearing_sigma_deg", DW_CF_DEG, offsetof(rf_cfg, sigma_az_rad), 0, 0, 180, 0},
        {"period_s", DW_CF_SECONDS, offsetof(rf_cfg, period_us), 0, 0.01, 3600, 0},
        {"false_alarms_per_hour", DW_CF_NUM, offsetof(rf_cfg, fa_per_hour), 0, 0, 1e5, 0},
    };
    rf_cfg k;
    memset(&k, 0, sizeof k);
    k.range_m = 10e3;
    k.pd = 0.9;
    k.sigma_az_rad = 2 * DEG;
    k.period_us = 1000000;
    dw_geodetic g;
    if (dw__cfg_read(c, e, where, f, N(f), dw__sim_skip_kind, &k) != DW_OK ||
        dw__sim_site(c, e, where, &k.site, k.lat_deg, k.lon_deg, k.alt_m, 10.0, &g) != DW_OK)
        return DW_ERR_PARSE;
    rf *r = calloc(1, sizeof *r);
    if (!r)
        return DW_ERR_NOMEM;
    dw_rng_seed(&r->rng, seed, dw_rng_hash(k.id));
    dw_enu_frame_init(&r->f, &g);
    r->h_ant_m = g.alt_m - k.ground_alt_m;
    r->ground_alt_m = k.ground_alt_m;
    r->range_m = k.range_m;
    r->pd = k.pd;
    r->sigma_az_rad = k.sigma_az_rad;
    r->fa_per_s = k.fa_per_hour / 3600.0;
    r->period_us = k.period_us;
    r->origin_us = c->start_us + (int64_t)(dw_rng_uniform(&r->rng) * (double)k.period_us);
    dw_sensor d;
    dw__sim_desc(&d, DW_SENSOR_RF, k.id, k.owner, &g);
    d.sigma_az_rad = k.sigma_az_rad;
    d.pd = k.pd;
    d.max_range_m = k.range_m;
    d.period_us = k.period_us;
    int idx = dw__sim_add_sensor(table, &d, DW_SIM_STREAM_SAPIENT);
    if (idx < 0) {
        free(r);
        return DW_ERR_NOMEM;
    }
    r->idx = (uint32_t)idx;
    *state = r;
    return DW_OK;
}

typedef struct rf_ctx {
    rf *r;
    const dw__sim_table *t;
    const dw_sim_world *w;
    const dw_sim_sink *sink;
    int64_t at;
} rf_ctx;

static void bearing(const rf_ctx *q, int64_t t, double az, int32_t target)
{
    rf *r = q->r;
    dw_obs o;
    dw__sim_obs(&o, DW_OBS_BEARING, q->t, r->idx, t);
    o.az_rad = dw__sim_wrap_2pi(az + r->sigma_az_rad * dw_rng_normal(&r->rng));
    o.sigma_az_rad = r->sigma_az_rad;
    dw__sim_emit(q->sink, &o, t, target);
}

static int rf_one(void *ctx, const dw_sim_state *s0)
{
    rf_ctx *q = ctx;
    rf *r = q->r;
    if (!(s0->flags & DW_SIM_RF) || !s0->truth.alive)
        return 0;
    dw_sim_state s;
    if (!dw_sim_world_state(q->w, s0->target, q->at, &s) || !s.truth.alive)
        return 0;
    double enu[3], rng, az, el;
    dw_enu_from_ecef(&r->f, s.ecef, enu);
    dw_polar_from_enu(enu, &rng, &az, &el);
    if (rng > r->range_m ||
        !dw__sim_los(r->h_ant_m, s.truth.alt_m - r->ground_alt_m, hypot(enu[0], enu[1])))
        return 0;
    if (dw_rng_uniform(&r->rng) < r->pd)
        bearing(q, q->at, az, (int32_t)s.target);
    return 0;
}

static void rf_step(void *state, const dw__sim_table *t, const dw_sim_world *w, int64_t t0_us,
                    int64_t t1_us, const dw_sim_sink *sink)
{
    rf *r = state;
    double reach = r->range_m + dw__sim_vmax(t) * (double)(t1_us - t0_us) * 1e-6;
    for (int64_t at = dw__sim_next_tick(t0_us, r->origin_us, r->period_us); at < t1_us;
         at += r->period_us) {
        rf_ctx q = {r, t, w, sink, at};
        dw__sim_near(t, r->f.origin.lat_deg, r->f.origin.lon_deg, reach, rf_one, &q);
    }
    uint32_t nf = dw_rng_poisson(&r->rng, r->fa_per_s * (double)(t1_us - t0_us) * 1e-6);
    for (uint32_t k = 0; k < nf; k++) {
        rf_ctx q = {r, t, w, sink, 0};
        int64_t tf = t0_us + (int64_t)(dw_rng_uniform(&r->rng) * (double)(t1_us - t0_us));
        bearing(&q, tf, 2 * M_PI * dw_rng_uniform(&r->rng), -1);
    }
}

static void rf_destroy(void *state)
{
    free(state);
}

const dw__sim_model dw__sim_model_rf = {
    .kind = "rf",
    .summary = "RF direction finder: bearings to targets with a radio link",
    .load = rf_load,
    .step = rf_step,
    .destroy = rf_destroy,
};
