/* sensor_citizens.c — people reporting drones from their phones ("citizens"), in NDJSON.
 *
 * Like an ePPO-style app: over an area, every low (below max_alt_m), audible
 * (DW_SIM_AUDIBLE) target draws reports at rate_per_min, each a position (POS2) with a
 * large error (sigma_m per axis, east and north). A report is about the instant of the
 * sighting (t_us) and reaches the pipeline later (deliver_us): the delay is delay_min_s plus
 * an exponential, with delay_mean_s the mean of the whole delay. People also report nothing:
 * false_per_hour over the whole area, at uniform points of it. The whole area is one
 * reporting sensor.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sensor_int.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

typedef struct cit_cfg {
    char id[DW_ID_MAX], owner[DW_ID_MAX];
    double rate_per_min, max_alt_m, delay_mean_s, delay_min_s, sigma_m, false_per_hour;
} cit_cfg;

typedef struct citizens {
    dw_rng rng;
    uint32_t idx;
    dw__sim_box box;
    double clat, clon, half_diag_m;
    double rate_per_s, max_alt_m, delay_min_us, delay_exp_mean_us, sigma_m, false_per_s;
} citizens;

static dw_status cit_load(const dw__cfg *c, const json_t *e, const char *where, uint64_t seed,
                          dw__sim_table *table, void **state)
{
    static const dw__cfg_field f[] = {
        DW__SIM_ID_FIELDS(cit_cfg),
        {"rate_per_min", DW_CF_NUM, offsetof(cit_cfg, rate_per_min), 0, 0, 1e4, 0},
        {"max_alt_m", DW_CF_NUM, offsetof(cit_cfg, max_alt_m), 0, 0, 1e5, 0},
        {"delay_mean_s", DW_CF_NUM, offsetof(cit_cfg, delay_mean_s), 0, 0, 86400, 0},
        {"delay_min_s", DW_CF_NUM, offsetof(cit_cfg, delay_min_s), 0, 0, 86400, 0},
        {"sigma_m", DW_CF_NUM, offsetof(cit_cfg, sigma_m), 0, 0, 1e6, 0},
        {"false_per_hour", DW_CF_NUM, offsetof(cit_cfg, false_per_hour), 0, 0, 1e6, 0},
    };
    static const char *const skip[] = {"kind", "area", NULL};
    cit_cfg k;
    memset(&k, 0, sizeof k);
    k.rate_per_min = 2;
    k.max_alt_m = 3000;
    k.delay_mean_s = 90;
    k.delay_min_s = 20;
    k.sigma_m = 2000;
    dw__sim_box box;
    if (dw__cfg_read(c, e, where, f, N(f), skip, &k) != DW_OK ||
        dw__sim_read_box(c, e, where, "area", &box) != DW_OK)
        return DW_ERR_PARSE;
    if (k.delay_mean_s < k.delay_min_s)
        return dw__cfg_fail(c, e, where, "delay_mean_s (%g) is below delay_min_s (%g)",
                            k.delay_mean_s, k.delay_min_s);
    citizens *r = calloc(1, sizeof *r);
    if (!r)
        return DW_ERR_NOMEM;
    dw_rng_seed(&r->rng, seed, dw_rng_hash(k.id));
    r->box = box;
    r->clat = (box.south + box.north) / 2;
    r->clon = (box.west + box.east) / 2;
    double m_lat, m_lon, m_lat2, m_lon2;
    dw__sim_m_per_deg(r->clat, &m_lat, &m_lon);
    dw__sim_m_per_deg(fabs(box.south) < fabs(box.north) ? box.south : box.north, &m_lat2, &m_lon2);
    r->half_diag_m = hypot((box.north - box.south) / 2 * fmax(m_lat, m_lat2),
                           (box.east - box.west) / 2 * fmax(m_lon, m_lon2));
    r->rate_per_s = k.rate_per_min / 60.0;
    r->max_alt_m = k.max_alt_m;
    r->delay_min_us = k.delay_min_s * 1e6;
    r->delay_exp_mean_us = (k.delay_mean_s - k.delay_min_s) * 1e6;
    r->sigma_m = k.sigma_m;
    r->false_per_s = k.false_per_hour / 3600.0;
    dw_geodetic g = {r->clat, r->clon, 0};
    dw_sensor d;
    dw__sim_desc(&d, DW_SENSOR_CITIZEN, k.id, k.owner, &g);
    d.sigma_pos_m = k.sigma_m;
    d.max_range_m = r->half_diag_m;
    d.period_us = 0;
    int idx = dw__sim_add_sensor(table, &d, DW_SIM_STREAM_NDJSON);
    if (idx < 0) {
        free(r);
        return DW_ERR_NOMEM;
    }
    r->idx = (uint32_t)idx;
    *state = r;
    return DW_OK;
}

typedef struct cit_ctx {
    citizens *r;
    const dw__sim_table *t;
    const dw_sim_world *w;
    const dw_sim_sink *sink;
    int64_t t0, t1;
} cit_ctx;

static void report(const cit_ctx *q, int64_t t, double lat, double lon, int32_t target)
{
    citizens *r = q->r;
    dw_obs o;
    dw__sim_obs(&o, DW_OBS_POS2, q->t, r->idx, t);
    if (target >= 0)
        dw__sim_offset(lat, lon, r->sigma_m * dw_rng_normal(&r->rng),
                       r->sigma_m * dw_rng_normal(&r->rng), &lat, &lon);
    o.lat_deg = lat;
    o.lon_deg = lon;
    o.sigma_pos_m = r->sigma_m;
    o.has |= DW_OBS_HAS_POS;
    int64_t delay = (int64_t)(r->delay_min_us + dw_rng_exp(&r->rng, r->delay_exp_mean_us));
    dw__sim_emit(q->sink, &o, t + delay, target);
}

static int cit_one(void *ctx, const dw_sim_state *s0)
{
    cit_ctx *q = ctx;
    citizens *r = q->r;
    if (!(s0->flags & DW_SIM_AUDIBLE) || !s0->truth.alive)
        return 0;
    uint32_t n = dw_rng_poisson(&r->rng, r->rate_per_s * (double)(q->t1 - q->t0) * 1e-6);
    for (uint32_t i = 0; i < n; i++) {
        int64_t t = q->t0 + (int64_t)(dw_rng_uniform(&r->rng) * (double)(q->t1 - q->t0));
        dw_sim_state s;
        if (!dw_sim_world_state(q->w, s0->target, t, &s) || !s.truth.alive ||
            s.truth.alt_m > r->max_alt_m || !dw__sim_in_box(&r->box, s.truth.lat_deg, s.truth.lon_deg))
            continue;
        report(q, t, s.truth.lat_deg, s.truth.lon_deg, (int32_t)s.target);
    }
    return 0;
}

static void cit_step(void *state, const dw__sim_table *t, const dw_sim_world *w, int64_t t0_us,
                     int64_t t1_us, const dw_sim_sink *sink)
{
    citizens *r = state;
    cit_ctx q = {r, t, w, sink, t0_us, t1_us};
    double dt_s = (double)(t1_us - t0_us) * 1e-6;
    dw__sim_near(t, r->clat, r->clon, r->half_diag_m + dw__sim_vmax(t) * dt_s, cit_one, &q);
    uint32_t nf = dw_rng_poisson(&r->rng, r->false_per_s * dt_s);
    for (uint32_t i = 0; i < nf; i++) {
        int64_t tf = t0_us + (int64_t)(dw_rng_uniform(&r->rng) * (double)(t1_us - t0_us));
        /* Uniform in area: sin(latitude) uniform, longitude uniform. */
        double s0 = sin(r->box.south * M_PI / 180), s1 = sin(r->box.north * M_PI / 180);
        double lat = asin(s0 + dw_rng_uniform(&r->rng) * (s1 - s0)) * 180 / M_PI;
        double lon = r->box.west + dw_rng_uniform(&r->rng) * (r->box.east - r->box.west);
        report(&q, tf, lat, lon, -1);
    }
}

static void cit_destroy(void *state)
{
    free(state);
}

const dw__sim_model dw__sim_model_citizens = {
    .kind = "citizens",
    .summary = "people's phone reports of low audible targets (ePPO-like), late and coarse",
    .load = cit_load,
    .step = cit_step,
    .destroy = cit_destroy,
};
