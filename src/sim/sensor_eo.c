/* sensor_eo.c — an EO/IR camera ("eo"): bearings with elevation and a class, in SAPIENT.
 *
 * The camera sees any target (it needs no emitter or engine noise) within range_km slant
 * range, inside its azimuth sector (from_deg clockwise to to_deg; the full circle when
 * neither is given) and above the horizon of the 4/3 earth. The chance of seeing it falls
 * with range as the target shrinks to fewer pixels: Pd = pd · (1 − (r/range)²). Each report
 * (every period_s) gives azimuth and elevation with their sigmas and the camera's classifier
 * output: class_score[true class] = p_correct, the rest spread evenly over the other classes.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sensor_int.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define DEG (M_PI / 180.0)

typedef struct eo_cfg {
    char id[DW_ID_MAX], owner[DW_ID_MAX];
    DW__SIM_SITE_MEMBERS;
    double range_m, pd, sigma_az_rad, sigma_el_rad, from_rad, to_rad, p_correct;
    int64_t period_us;
} eo_cfg;

typedef struct eo {
    dw_rng rng;
    uint32_t idx;
    dw_enu_frame f;
    double h_ant_m, ground_alt_m;
    double range_m, pd, sigma_az_rad, sigma_el_rad, p_correct;
    int sector;
    double from_rad, width_rad;
    int64_t origin_us, period_us;
} eo;

static dw_status eo_load(const dw__cfg *c, const json_t *e, const char *where, uint64_t seed,
                         dw__sim_table *table, void **state)
{
    static const dw__cfg_field f[] = {
        DW__SIM_ID_FIELDS(eo_cfg),
        DW__SIM_SITE_FIELDS(eo_cfg),
        {"range_km", DW_CF_KM, offsetof(eo_cfg, range_m), 0, 0.01, 200, 0},
        {"pd", DW_CF_NUM, offsetof(eo_cfg, pd), 0, 0, 1, 0},
        {"bearing_sigma_deg", DW_CF_DEG, offsetof(eo_cfg, sigma_az_rad), 0, 0, 90, 0},
        {"el_sigma_deg", DW_CF_DEG, offsetof(eo_cfg, sigma_el_rad), 0, 0, 90, 0},
        {"from_deg", DW_CF_DEG, offsetof(eo_cfg, from_rad), 0, -360, 360, 0},
        {"to_deg", DW_CF_DEG, offsetof(eo_cfg, to_rad), 0, -360, 360, 0},
        {"p_correct", DW_CF_NUM, offsetof(eo_cfg, p_correct), 0, 0, 1, 0},
        {"period_s", DW_CF_SECONDS, offsetof(eo_cfg, period_us), 0, 0.01, 3600, 0},
    };
    eo_cfg k;
    memset(&k, 0, sizeof k);
    k.range_m = 10e3;
    k.pd = 0.9;
    k.sigma_az_rad = 0.2 * DEG;
    k.sigma_el_rad = 0.2 * DEG;
    k.p_correct = 0.7;
    k.period_us = 1000000;
    dw_geodetic g;
    if (dw__cfg_read(c, e, where, f, N(f), dw__sim_skip_kind, &k) != DW_OK ||
        dw__sim_site(c, e, where, &k.site, k.lat_deg, k.lon_deg, k.alt_m, 10.0, &g) != DW_OK)
        return DW_ERR_PARSE;
    int has_from = json_object_get(e, "from_deg") != NULL, has_to = json_object_get(e, "to_deg") != NULL;
    if (has_from != has_to)
        return dw__cfg_fail(c, e, where, "a sector needs both from_deg and to_deg");
    eo *r = calloc(1, sizeof *r);
    if (!r)
        return DW_ERR_NOMEM;
    dw_rng_seed(&r->rng, seed, dw_rng_hash(k.id));
    dw_enu_frame_init(&r->f, &g);
    r->h_ant_m = g.alt_m - k.ground_alt_m;
    r->ground_alt_m = k.ground_alt_m;
    r->range_m = k.range_m;
    r->pd = k.pd;
    r->sigma_az_rad = k.sigma_az_rad;
    r->sigma_el_rad = k.sigma_el_rad;
    r->p_correct = k.p_correct;
    r->sector = has_from;
    r->from_rad = dw__sim_wrap_2pi(k.from_rad);
    r->width_rad = dw__sim_wrap_2pi(k.to_rad - k.from_rad);
    r->period_us = k.period_us;
    r->origin_us = c->start_us + (int64_t)(dw_rng_uniform(&r->rng) * (double)k.period_us);
    dw_sensor d;
    dw__sim_desc(&d, DW_SENSOR_EO, k.id, k.owner, &g);
    d.sigma_az_rad = k.sigma_az_rad;
    d.sigma_el_rad = k.sigma_el_rad;
    d.pd = k.pd;
    d.max_range_m = k.range_m;
    d.period_us = k.period_us;
    d.heading_rad = r->sector ? dw__sim_wrap_2pi(r->from_rad + r->width_rad / 2) : 0;
    int idx = dw__sim_add_sensor(table, &d, DW_SIM_STREAM_SAPIENT);
    if (idx < 0) {
        free(r);
        return DW_ERR_NOMEM;
    }
    r->idx = (uint32_t)idx;
    *state = r;
    return DW_OK;
}

typedef struct eo_ctx {
    eo *r;
    const dw__sim_table *t;
    const dw_sim_world *w;
    const dw_sim_sink *sink;
    int64_t at;
} eo_ctx;

static int eo_one(void *ctx, const dw_sim_state *s0)
{
    eo_ctx *q = ctx;
    eo *r = q->r;
    if (!s0->truth.alive)
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
    if (r->sector && dw__sim_wrap_2pi(az - r->from_rad) > r->width_rad)
        return 0;
    double x = rng / r->range_m;
    if (!(dw_rng_uniform(&r->rng) < r->pd * (1.0 - x * x)))
        return 0;
    dw_obs o;
    dw__sim_obs(&o, DW_OBS_BEARING, q->t, r->idx, q->at);
    o.az_rad = dw__sim_wrap_2pi(az + r->sigma_az_rad * dw_rng_normal(&r->rng));
    o.el_rad = el + r->sigma_el_rad * dw_rng_normal(&r->rng);
    if (o.el_rad > M_PI / 2)
        o.el_rad = M_PI - o.el_rad;
    o.sigma_az_rad = r->sigma_az_rad;
    o.sigma_el_rad = r->sigma_el_rad;
    o.has |= DW_OBS_HAS_EL | DW_OBS_HAS_CLASS;
    float rest = (float)((1.0 - r->p_correct) / (DW_NCLASSES - 1));
    for (int c = 0; c < DW_NCLASSES; c++)
        o.class_score[c] = c == (int)s.truth.cls ? (float)r->p_correct : rest;
    dw__sim_emit(q->sink, &o, q->at, (int32_t)s.target);
    return 0;
}

static void eo_step(void *state, const dw__sim_table *t, const dw_sim_world *w, int64_t t0_us,
                    int64_t t1_us, const dw_sim_sink *sink)
{
    eo *r = state;
    double reach = r->range_m + dw__sim_vmax(t) * (double)(t1_us - t0_us) * 1e-6;
    for (int64_t at = dw__sim_next_tick(t0_us, r->origin_us, r->period_us); at < t1_us;
         at += r->period_us) {
        eo_ctx q = {r, t, w, sink, at};
        dw__sim_near(t, r->f.origin.lat_deg, r->f.origin.lon_deg, reach, eo_one, &q);
    }
}

static void eo_destroy(void *state)
{
    free(state);
}

const dw__sim_model dw__sim_model_eo = {
    .kind = "eo",
    .summary = "EO/IR camera: bearings with elevation and a class score",
    .load = eo_load,
    .step = eo_step,
    .destroy = eo_destroy,
};
