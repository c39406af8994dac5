/* sensor_adsb.c — receivers of what cooperative aircraft broadcast about themselves:
 * ADS-B ("adsb", SBS) and Remote ID ("remote_id").
 *
 * A receiver at a site hears the targets that broadcast (DW_SIM_ADSB: icao and callsign;
 * DW_SIM_RID: the Remote ID serial) within range_km slant range and above its radio horizon
 * (4/3 earth), about once every period_s per target (each target at its own phase, as
 * squitters are not synchronised), and loses each message with probability 1 − pd. A
 * report is the position the aircraft gives (POS3, with a small error sigma_m per axis like
 * its navigation accuracy category, and sigma_alt_m), its velocity and its identity.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sensor_int.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

typedef struct coop_cfg {
    char id[DW_ID_MAX], owner[DW_ID_MAX];
    DW__SIM_SITE_MEMBERS;
    double range_m, pd, sigma_m, sigma_alt_m;
    int64_t period_us;
} coop_cfg;

typedef struct coop {
    dw_rng rng;
    uint32_t idx;
    int rid;                        /* Remote ID, else ADS-B */
    uint64_t salt;
    dw_enu_frame f;
    double h_ant_m, ground_alt_m;
    double range_m, pd, sigma_m, sigma_alt_m;
    int64_t origin_us, period_us;
} coop;

static dw_status coop_load(const dw__cfg *c, const json_t *e, const char *where, uint64_t seed,
                           dw__sim_table *table, void **state, int rid)
{
    static const dw__cfg_field f[] = {
        DW__SIM_ID_FIELDS(coop_cfg),
        DW__SIM_SITE_FIELDS(coop_cfg),
        {"range_km", DW_CF_KM, offsetof(coop_cfg, range_m), 0, 0.01, 1000, 0},
        {"pd", DW_CF_NUM, offsetof(coop_cfg, pd), 0, 0, 1, 0},
        {"sigma_m", DW_CF_NUM, offsetof(coop_cfg, sigma_m), 0, 0, 1e4, 0},
        {"sigma_alt_m", DW_CF_NUM, offsetof(coop_cfg, sigma_alt_m), 0, 0, 1e4, 0},
        {"period_s", DW_CF_SECONDS, offsetof(coop_cfg, period_us), 0, 0.01, 3600, 0},
    };
    coop_cfg k;
    memset(&k, 0, sizeof k);
    k.range_m = rid ? 3e3 : 400e3;
    k.pd = 0.95;
    k.sigma_m = rid ? 10 : 20;
    k.sigma_alt_m = rid ? 5 : 8;
    k.period_us = 1000000;
    dw_geodetic g;
    if (dw__cfg_read(c, e, where, f, N(f), dw__sim_skip_kind, &k) != DW_OK ||
        dw__sim_site(c, e, where, &k.site, k.lat_deg, k.lon_deg, k.alt_m, 10.0, &g) != DW_OK)
        return DW_ERR_PARSE;
    coop *r = calloc(1, sizeof *r);
    if (!r)
        return DW_ERR_NOMEM;
    dw_rng_seed(&r->rng, seed, dw_rng_hash(k.id));
    r->rid = rid;
    r->salt = dw_rng_next(&r->rng);
    dw_enu_frame_init(&r->f, &g);
    r->h_ant_m = g.alt_m - k.ground_alt_m;
    r->ground_alt_m = k.ground_alt_m;
    r->range_m = k.range_m;
    r->pd = k.pd;
    r->sigma_m = k.sigma_m;
    r->sigma_alt_m = k.sigma_alt_m;
    r->period_us = k.period_us;
    r->origin_us = c->start_us;
    dw_sensor d;
    dw__sim_desc(&d, rid ? DW_SENSOR_REMOTE_ID : DW_SENSOR_ADSB, k.id, k.owner, &g);
    d.sigma_pos_m = k.sigma_m;
    d.pd = k.pd;
    d.max_range_m = k.range_m;
    d.period_us = k.period_us;
    int idx = dw__sim_add_sensor(table, &d, rid ? DW_SIM_STREAM_REMOTEID : DW_SIM_STREAM_SBS);
    if (idx < 0) {
        free(r);
        return DW_ERR_NOMEM;
    }
    r->idx = (uint32_t)idx;
    *state = r;
    return DW_OK;
}

static dw_status adsb_load(const dw__cfg *c, const json_t *e, const char *where, uint64_t seed,
                           dw__sim_table *table, void **state)
{
    return coop_load(c, e, where, seed, table, state, 0);
}

static dw_status rid_load(const dw__cfg *c, const json_t *e, const char *where, uint64_t seed,
                          dw__sim_table *table, void **state)
{
    return coop_load(c, e, where, seed, table, state, 1);
}

typedef struct coop_ctx {
    coop *r;
    const dw__sim_table *t;
    const dw_sim_world *w;
    const dw_sim_sink *sink;
    int64_t t0, t1;
} coop_ctx;

/* A fixed phase per (receiver, target) in [0, period): a hash, no draw. */
static int64_t phase_of(const coop *r, uint32_t target)
{
    uint64_t z = r->salt ^ ((uint64_t)target * 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return (int64_t)((double)(z >> 11) * 0x1.0p-53 * (double)r->period_us);
}

static int coop_one(void *ctx, const dw_sim_state *s0)
{
    coop_ctx *q = ctx;
    coop *r = q->r;
    if (!(s0->flags & (r->rid ? DW_SIM_RID : DW_SIM_ADSB)) || !s0->truth.alive)
        return 0;
    for (int64_t t = dw__sim_next_tick(q->t0, r->origin_us + phase_of(r, s0->target), r->period_us);
         t < q->t1; t += r->period_us) {
        dw_sim_state s;
        if (!dw_sim_world_state(q->w, s0->target, t, &s) || !s.truth.alive)
            continue;
        double enu[3];
        dw_enu_from_ecef(&r->f, s.ecef, enu);
        double d2 = enu[0] * enu[0] + enu[1] * enu[1] + enu[2] * enu[2];
        if (d2 > r->range_m * r->range_m ||
            !dw__sim_los(r->h_ant_m, s.truth.alt_m - r->ground_alt_m, hypot(enu[0], enu[1])))
            continue;
        if (!(dw_rng_uniform(&r->rng) < r->pd))
            continue;
        dw_obs o;
        dw__sim_obs(&o, DW_OBS_POS3, q->t, r->idx, t);
        dw__sim_offset(s.truth.lat_deg, s.truth.lon_deg, r->sigma_m * dw_rng_normal(&r->rng),
                       r->sigma_m * dw_rng_normal(&r->rng), &o.lat_deg, &o.lon_deg);
        o.alt_m = s.truth.alt_m + r->sigma_alt_m * dw_rng_normal(&r->rng);
        o.sigma_pos_m = r->sigma_m;
        o.sigma_alt_m = r->sigma_alt_m;
        memcpy(o.vel_enu_mps, s.truth.vel_enu_mps, sizeof o.vel_enu_mps);
        o.has |= DW_OBS_HAS_POS | DW_OBS_HAS_ALT | DW_OBS_HAS_VEL;
        if (r->rid) {
            memcpy(o.rid, s.rid, sizeof o.rid);
            o.has |= DW_OBS_HAS_RID;
        } else {
            o.icao = s.icao;
            o.has |= DW_OBS_HAS_ICAO;
            if (s.callsign[0]) {
                memcpy(o.callsign, s.callsign, sizeof o.callsign);
                o.has |= DW_OBS_HAS_CALLSIGN;
            }
            if (s.flags & DW_SIM_SSR) {
                o.mode3a = s.mode3a;
                o.has |= DW_OBS_HAS_MODE3A;
            }
        }
        dw__sim_emit(q->sink, &o, t, (int32_t)s.target);
    }
    return 0;
}

static void coop_step(void *state, const dw__sim_table *t, const dw_sim_world *w, int64_t t0_us,
                      int64_t t1_us, const dw_sim_sink *sink)
{
    coop *r = state;
    coop_ctx q = {r, t, w, sink, t0_us, t1_us};
    double reach = r->range_m + dw__sim_vmax(t) * (double)(t1_us - t0_us) * 1e-6;
    dw__sim_near(t, r->f.origin.lat_deg, r->f.origin.lon_deg, reach, coop_one, &q);
}

static void coop_destroy(void *state)
{
    free(state);
}

const dw__sim_model dw__sim_model_adsb = {
    .kind = "adsb",
    .summary = "ADS-B receiver: positions and identities of equipped aircraft, in SBS",
    .load = adsb_load,
    .step = coop_step,
    .destroy = coop_destroy,
};

const dw__sim_model dw__sim_model_remote_id = {
    .kind = "remote_id",
    .summary = "Remote ID receiver: positions and serials of compliant drones",
    .load = rid_load,
    .step = coop_step,
    .destroy = coop_destroy,
};
