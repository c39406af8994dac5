/* pipeline.c — observations to tracker batches to reports (pipeline.h).
 *
 * The tracker's state is ECEF [x vx y vy z vz]; a radar's plots are polar
 * measurements from its site, a position report is a linear measurement of
 * the position, a bearing an azimuth (and elevation) from its node's site, a
 * POS2 report or a CELL footprint a latitude and longitude (track_geo.h).
 * Per observation the work is one hash lookup and the measurement's
 * construction; nothing is allocated. After a batch of bearings or cells,
 * what no track took goes to the initiator (initiate.h), whose fixes start
 * tracks where none is yet.
 */
#include "dronewall/pipeline.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/bias.h"
#include "dronewall/geo.h"
#include "dronewall/initiate.h"
#include "dronewall/log.h"
#include "dronewall/sensors_file.h"
#include "dronewall/track_geo.h"
#include "track/mat.h"

#define MAX_SLOTS 32            /* the tracker's sensors, at most (tracker.h) */
#define FIRST_BATCH 1024
#define MAX_FIXES 64            /* initiator fixes taken after one batch      */
#define DEG (M_PI / 180.0)

enum { SLOT_POLAR = 1, SLOT_POS, SLOT_BEARING, SLOT_2D };

/* The kinds of bearing sensor, each with a slot of its own. */
enum { BK_ACOUSTIC, BK_RF, BK_EO, N_BK };
static const char *const bk_names[N_BK] = {"acoustic-bearings", "rf-bearings", "eo-bearings"};

static int bearing_kind(dw_sensor_kind k)
{
    switch (k) {
    case DW_SENSOR_ACOUSTIC: return BK_ACOUSTIC;
    case DW_SENSOR_RF: return BK_RF;
    case DW_SENSOR_EO: return BK_EO;
    default: return -1;
    }
}

/* What the pipeline keeps per tracker slot. */
typedef struct slot {
    const char *name;
    int type;                   /* SLOT_* */
    int nz;                     /* bearing slots: 1 (azimuth) or 2 (and elevation) */
    int64_t period_us;
    double max_range_m;
    int64_t prev_t;             /* end of the sensor's previous batch */
    double prev_az;
    dw_polar_site site;         /* polar slots: the radar's frame        */
    dw_polar_site site2d;       /* the same for its 2-D plots (horizontal) */
    double rn_m, re_m;          /* polar slots: meridian and prime-vertical
                                   radii of curvature at the site         */
    double site_alt_m, min_el_rad, max_el_rad, pd;  /* what it can see     */
    int partner;                /* a partner's position slot (sensor kind partner) */
} slot;

/* The chance a radar had of detecting a track in state x (ECEF [x vx y vy z vz]): its Pd
 * inside its range and elevation limits and above its horizon, 0 outside. The horizon is
 * the 4/3-earth one (standard refraction) from the antenna's and the target's heights
 * above the ellipsoid, the ground taken at 0: a low drone far away is hidden, and a track
 * the radar could not have seen must not lose its life for not being seen. */
static double radar_pd(const void *ctx, const double *x)
{
    const slot *k = ctx;
    double ecef[3] = {x[0], x[2], x[4]}, enu[3], r, az, el;
    dw_enu_from_ecef(&k->site.frame, ecef, enu);
    dw_polar_from_enu(enu, &r, &az, &el);
    if ((k->max_range_m > 0 && r > k->max_range_m) || el < k->min_el_rad || el > k->max_el_rad)
        return 0.0;
    dw_geodetic g;
    dw_geo_from_ecef(ecef, &g);
    const double kR2 = 2.0 * (4.0 / 3.0) * 6371000.0;
    double reach = sqrt(kR2 * fmax(k->site_alt_m, 0.0)) + sqrt(kR2 * fmax(g.alt_m, 0.0));
    if (hypot(enu[0], enu[1]) > reach)
        return 0.0;
    return k->pd;
}

/* What an object said of itself (ADS-B, Remote ID, a radar's Mode S and Mode 3/A), kept per
 * track so the published track carries it: the reports of the batch that had some, by
 * their `user`, and per track the latest, in an open-addressed table by track id. */
typedef struct ident {
    uint64_t key;               /* the measurement's user, or the track's id; 0: free */
    uint32_t icao;
    uint16_t mode3a;
    char callsign[DW_CALLSIGN_MAX];
    char rid[DW_RID_MAX];
} ident;

struct dw_pipeline {
    dw_pipeline_config cfg;
    dw_pipeline_sink sink;
    dw_tracker *trk;
    dw_sensor *sensors;         /* the caller's, copied */
    size_t n_sensors;
    dw_sensors_index *index;
    int *slot_of;               /* tracker slot by sensor, -1: none */
    slot slots[MAX_SLOTS];
    const char *names[MAX_SLOTS];
    int n_slots;
    int pos_slot;
    int bk_slot[N_BK];          /* slot of each bearing kind, -1: none    */
    int slot_2d;                /* POS2 and CELL, -1: none                 */
    dw_bearing_site *sites;     /* the bearing sensors' sites              */
    int *site_of;               /* by sensor: index into sites, -1: none   */
    dw_latlon_ctx ctx_2d;       /* POS2: the altitude prior                */
    dw_latlon_ctx ctx_cell;     /* CELL: the same, detection only          */
    dw_initiator *init;
    dw_init_fix fixes[MAX_FIXES];
    dw_bias *bias;              /* radar registration by slot (bias.h), NULL: off */

    dw_meas *batch;
    size_t nb, batch_cap;
    ident *batch_id;            /* the batch's reports with an identity, by user */
    size_t n_batch_id, cap_batch_id;
    ident *ids;                 /* by track id; cap_ids a power of two         */
    size_t n_ids, cap_ids;
    int cur_slot;               /* the batch's slot and source sensor (index, */
    int cur_src;                /* or -1 and cur_name for an unlisted one)    */
    char cur_name[DW_ID_MAX];
    int64_t batch_t0;

    int64_t last_t;             /* latest observation used, INT64_MIN: none */
    int64_t next_report;        /* INT64_MIN until the first observation used */
    dw_status failed;           /* a callback's or the tracker's error: sticky */
    dw_ratelimit rl;
    dw_pipeline_stats st;
};

void dw_pipeline_config_default(dw_pipeline_config *c)
{
    memset(c, 0, sizeof *c);
    c->q = 1.0;
    c->q_vertical = 1.0;
    c->merge_after = 3;
    c->init_vel_mps = 80.0;
    c->gate = 16.3;
    c->confirm_m = 3;
    c->confirm_n = 4;
    c->delete_misses = 4;
    c->max_tracks = 20000;
    c->max_coast_us = 30 * 1000000LL;
    c->window_us = 500000;
    c->report_us = 1000000;
    c->prior_alt_m = 1000.0;
    c->prior_alt_sigma_m = 1000.0;
    c->pos2_alt_sigma_m = 1500.0;
    c->init_window_us = 10 * 1000000LL;
    c->init_min_cross_rad = 10.0 * DEG;
    c->key_vel_mps = 1000.0;
    c->imm = 0;
    c->imm_q_turn = 1e-3;
    c->imm_turn_sigma = 0.1;
    c->imm_p_turn = 0.05;
    c->imm_p_straight = 0.1;
    c->radar_bias = 1;
    c->assoc = DW_ASSOC_GNN;
    c->jpda_pd = 0.9;
    c->jpda_clutter = 0.0;
    c->jpda_used = 0.5;
    c->jpda_hit = 0.5;
    c->jpda_max_events = 10000;
    c->jpda_max_size = 12;
    c->update = DW_UPDATE_EKF;
}

uint64_t dw_pipeline_id_key(const char *text)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (const unsigned char *c = (const unsigned char *)text; c && *c; c++) {
        h ^= *c;
        h *= 0x100000001b3ull;
    }
    return h ? h : 1;
}

static uint64_t icao_key(uint32_t icao)
{
    char b[16];
    snprintf(b, sizeof b, "icao:%06X", (unsigned)(icao & 0xFFFFFFu));
    return dw_pipeline_id_key(b);
}

static uint64_t rid_key(const char *rid)
{
    char b[8 + DW_RID_MAX];
    snprintf(b, sizeof b, "rid:%s", rid);
    return dw_pipeline_id_key(b);
}

static void seterr(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static int is_radar(dw_sensor_kind k) { return k == DW_SENSOR_RADAR || k == DW_SENSOR_AEW; }

dw_status dw_pipeline_create(const dw_sensor *sensors, size_t n_sensors,
                             const dw_pipeline_config *cfg, const dw_pipeline_sink *sink,
                             dw_pipeline **out, char *err, size_t errlen)
{
    dw_pipeline_config c;
    if (cfg)
        c = *cfg;
    else
        dw_pipeline_config_default(&c);
    if (!out || !sink || !sink->report || (n_sensors && !sensors)) {
        seterr(err, errlen, "no sink, no report callback or no place for the pipeline");
        return DW_ERR_INVALID;
    }
    if (!(c.q > 0) || !(c.init_vel_mps > 0) || !(c.gate > 0) || c.max_tracks < 1 ||
        c.max_coast_us <= 0 || c.window_us < 0 || c.report_us <= 0 ||
        !isfinite(c.prior_alt_m) || !(c.prior_alt_sigma_m > 0) || !(c.pos2_alt_sigma_m > 0) ||
        c.init_window_us <= 0 || !(c.init_min_cross_rad >= 0) || !(c.init_min_cross_rad < M_PI / 2) ||
        c.partner_coast_us < 0 || c.citizen_coast_us < 0 ||
        !(c.key_vel_mps >= 0) || !isfinite(c.key_vel_mps) ||
        (c.imm && (!(c.imm_q >= 0) || !(c.imm_q_turn >= 0) || !(c.imm_turn_sigma >= 0) ||
                   !(c.imm_p_turn >= 0) || !(c.imm_p_straight >= 0) ||
                   !(c.imm_p_turn + c.imm_p_straight < 1.0))) ||
        (c.assoc != DW_ASSOC_GNN &&
         (c.assoc != DW_ASSOC_JPDA || !(c.jpda_pd > 0 && c.jpda_pd <= 1) ||
          !(c.jpda_clutter >= 0) || !isfinite(c.jpda_clutter) ||
          !(c.jpda_used >= 0 && c.jpda_used <= 1) || !(c.jpda_hit >= 0 && c.jpda_hit <= 1) ||
          c.jpda_max_events < 1 || c.jpda_max_size < 1 || c.jpda_max_size > 64)) ||
        (c.update != DW_UPDATE_EKF && c.update != DW_UPDATE_UKF)) {
        seterr(err, errlen, "settings out of range: q, init_vel, gate, max_tracks, max_coast, "
                            "the report period, the altitude prior's sigmas and the initiation "
                            "window must be positive, the window not negative, the crossing "
                            "angle in [0, 90) degrees; the coasts, key_vel, the IMM's noises "
                            "and switching chances not negative, the two chances summing "
                            "below 1; with JPDA, pd in (0, 1], the clutter density not "
                            "negative, used and hit in [0, 1], max_events at least 1, "
                            "max_size 1 to 64; the update EKF or UKF");
        return DW_ERR_INVALID;
    }
    size_t n_radars = 0, n_bearing = 0;
    int has_bk[N_BK] = {0}, n_bk = 0;
    for (size_t i = 0; i < n_sensors; i++) {
        n_radars += is_radar(sensors[i].kind);
        int b = bearing_kind(sensors[i].kind);
        if (b >= 0) {
            n_bearing++;
            n_bk += !has_bk[b];
            has_bk[b] = 1;
        }
    }
    if (n_radars + 1 + (size_t)n_bk > MAX_SLOTS) {
        seterr(err, errlen, "%zu radar and aew sensors, but the tracker has room for %d "
                            "(beside one slot for position reports and %d for bearings)",
                            n_radars, MAX_SLOTS - 1 - n_bk, n_bk);
        return DW_ERR_INVALID;
    }

    dw_pipeline *p = calloc(1, sizeof *p);
    if (!p) {
        seterr(err, errlen, "out of memory");
        return DW_ERR_NOMEM;
    }
    p->cfg = c;
    p->sink = *sink;
    p->n_sensors = n_sensors;
    p->sensors = malloc((n_sensors ? n_sensors : 1) * sizeof *p->sensors);
    p->slot_of = malloc((n_sensors ? n_sensors : 1) * sizeof *p->slot_of);
    p->batch_cap = FIRST_BATCH;
    p->batch = malloc(p->batch_cap * sizeof *p->batch);
    p->site_of = malloc((n_sensors ? n_sensors : 1) * sizeof *p->site_of);
    p->sites = malloc((n_bearing ? n_bearing : 1) * sizeof *p->sites);
    dw_initiator_config ic;
    dw_initiator_config_default(&ic);
    ic.window_us = c.init_window_us;
    ic.min_cross_rad = c.init_min_cross_rad;
    ic.alt_m = c.prior_alt_m;
    ic.alt_sigma_m = c.prior_alt_sigma_m;
    ic.speed_sigma_mps = c.init_vel_mps;
    dw_status ist = dw_initiator_create(&ic, &p->init);
    if (ist != DW_OK) {
        seterr(err, errlen, "initiator: %s", dw_status_str(ist));
        dw_pipeline_destroy(p);
        return ist;
    }
    if (!p->sensors || !p->slot_of || !p->batch || !p->site_of || !p->sites) {
        seterr(err, errlen, "out of memory");
        dw_pipeline_destroy(p);
        return DW_ERR_NOMEM;
    }
    if (n_sensors)
        memcpy(p->sensors, sensors, n_sensors * sizeof *sensors);
    dw_status st = dw_sensors_index_create(p->sensors, n_sensors, &p->index, err, errlen);
    if (st != DW_OK) {
        dw_pipeline_destroy(p);
        return st;
    }

    dw_tracker_config tc;
    dw_tracker_config_default(&tc, 3, c.q);
    dw_motion_cv_geo_init(&tc.motion, c.q, c.q_vertical);
    tc.merge_after = c.merge_after;
    tc.gate = c.gate;
    tc.confirm_m = c.confirm_m;
    tc.confirm_n = c.confirm_n;
    tc.delete_misses = c.delete_misses;
    tc.init_vel_sigma = c.init_vel_mps;
    tc.max_tracks = c.max_tracks;
    tc.max_coast_us = c.max_coast_us;
    tc.key_vel_sigma = c.key_vel_mps;
    tc.assoc = (dw_assoc)c.assoc;
    tc.jpda_pd = c.jpda_pd;
    tc.jpda_clutter = c.jpda_clutter;
    tc.jpda_used = c.jpda_used;
    tc.jpda_hit = c.jpda_hit;
    tc.jpda_max_events = c.jpda_max_events;
    tc.jpda_max_size = c.jpda_max_size;
    tc.update = (dw_update)c.update;
    if (c.imm) {
        dw_motion_model ct;
        dw_motion_ct_geo_init(&ct, c.imm_q > 0 ? c.imm_q : c.q, c.q_vertical, c.imm_q_turn,
                              c.imm_turn_sigma);
        dw_tracker_config_imm(&tc, &ct, c.imm_p_turn, c.imm_p_straight, 1.0);
    }
    if ((st = dw_tracker_create(&tc, &p->trk)) != DW_OK) {
        seterr(err, errlen, "tracker settings rejected: %s", dw_status_str(st));
        dw_pipeline_destroy(p);
        return st;
    }

    /* Slots: the radars in list order, then the shared one for positions.
     * The tracker numbers its sensors 0, 1, ... as they are added, so a
     * radar's site can sit in the slot it is about to get. */
    for (size_t i = 0; i < n_sensors; i++) {
        const dw_sensor *s = &p->sensors[i];
        p->slot_of[i] = -1;
        if (!is_radar(s->kind))
            continue;
        slot *k = &p->slots[p->n_slots];
        dw_geodetic g = {s->lat_deg, s->lon_deg, s->alt_m};
        dw_polar_site_init(&k->site, &g);
        k->site.prior_alt_m = c.prior_alt_m;
        k->site.prior_alt_sigma_m = c.prior_alt_sigma_m;
        k->site2d = k->site;
        k->site2d.horizontal = 1;
        const double e2 = DW_WGS84_F * (2.0 - DW_WGS84_F), sl = sin(s->lat_deg * M_PI / 180.0);
        const double w = 1.0 - e2 * sl * sl;
        k->re_m = DW_WGS84_A / sqrt(w);
        k->rn_m = DW_WGS84_A * (1.0 - e2) / (w * sqrt(w));
        k->type = SLOT_POLAR;
        int idx;
        if ((st = dw_tracker_add_sensor(p->trk, &dw_meas_polar, &k->site, &idx)) != DW_OK) {
            seterr(err, errlen, "tracker refused radar '%s': %s", s->id, dw_status_str(st));
            dw_pipeline_destroy(p);
            return DW_ERR_INVALID;
        }
        k->name = s->id;
        k->period_us = s->period_us;
        k->max_range_m = s->max_range_m;
        k->site_alt_m = s->alt_m;
        k->min_el_rad = s->min_el_rad < s->max_el_rad ? s->min_el_rad : -M_PI / 2;
        k->max_el_rad = s->min_el_rad < s->max_el_rad ? s->max_el_rad : M_PI / 2;
        k->pd = s->pd > 0 && s->pd <= 1 ? s->pd : 0.9;
        k->prev_t = INT64_MIN;
        p->names[idx] = s->id;
        p->slot_of[i] = idx;
        p->n_slots = idx + 1;
    }
    if ((st = dw_tracker_add_sensor(p->trk, &dw_meas_linear_pos, NULL, &p->pos_slot)) != DW_OK) {
        seterr(err, errlen, "tracker refused the position slot: %s", dw_status_str(st));
        dw_pipeline_destroy(p);
        return DW_ERR_INVALID;
    }
    p->slots[p->pos_slot].name = DW_PIPELINE_POS_NAME;
    p->slots[p->pos_slot].type = SLOT_POS;
    p->slots[p->pos_slot].prev_t = INT64_MIN;
    p->names[p->pos_slot] = DW_PIPELINE_POS_NAME;
    p->n_slots = p->pos_slot + 1;

    /* A partner (a neighbour's feed, a federated node) has a position slot of its own
     * while slots remain (one is kept for the bearings and one for 2-D reports), so a
     * track says whose picture it came from; the others share "position-reports". */
    for (size_t i = 0; i < n_sensors; i++) {
        const dw_sensor *s = &p->sensors[i];
        if (s->kind != DW_SENSOR_PARTNER || p->n_slots + N_BK + 1 >= MAX_SLOTS)
            continue;
        int idx;
        if ((st = dw_tracker_add_sensor(p->trk, &dw_meas_linear_pos, NULL, &idx)) != DW_OK) {
            seterr(err, errlen, "tracker refused partner '%s': %s", s->id, dw_status_str(st));
            dw_pipeline_destroy(p);
            return DW_ERR_INVALID;
        }
        p->slots[idx].name = s->id;
        p->slots[idx].type = SLOT_POS;
        p->slots[idx].partner = 1;
        p->slots[idx].prev_t = INT64_MIN;
        p->names[idx] = s->id;
        p->slot_of[i] = idx;
        p->n_slots = idx + 1;
    }

    /* Bearings: one slot per kind present, one site per node (its frame
     * built here, once). A camera's bearings carry an elevation. */
    for (int b = 0; b < N_BK; b++) {
        p->bk_slot[b] = -1;
        if (!has_bk[b])
            continue;
        const dw_meas_model *mdl = b == BK_EO ? &dw_meas_bearing_el : &dw_meas_bearing;
        int idx;
        if ((st = dw_tracker_add_sensor(p->trk, mdl, NULL, &idx)) != DW_OK) {
            seterr(err, errlen, "tracker refused the %s slot: %s", bk_names[b], dw_status_str(st));
            dw_pipeline_destroy(p);
            return DW_ERR_INVALID;
        }
        slot *k = &p->slots[idx];
        k->name = bk_names[b];
        k->type = SLOT_BEARING;
        k->nz = mdl->nz;
        k->prev_t = INT64_MIN;
        p->names[idx] = bk_names[b];
        p->bk_slot[b] = idx;
        p->n_slots = idx + 1;
    }
    size_t ns = 0;
    for (size_t i = 0; i < n_sensors; i++) {
        const dw_sensor *s = &p->sensors[i];
        p->site_of[i] = -1;
        if (bearing_kind(s->kind) < 0)
            continue;
        dw_geodetic g = {s->lat_deg, s->lon_deg, s->alt_m};
        dw_bearing_site_init(&p->sites[ns], &g, s->max_range_m, (uint32_t)i);
        p->site_of[i] = (int)ns++;
    }

    /* POS2 and CELL share the last slot, when one is left. */
    p->ctx_2d = (dw_latlon_ctx){c.prior_alt_m, c.pos2_alt_sigma_m, 0};
    p->ctx_cell = (dw_latlon_ctx){c.prior_alt_m, c.prior_alt_sigma_m, 1};
    p->slot_2d = -1;
    if (p->n_slots < MAX_SLOTS) {
        int idx;
        if ((st = dw_tracker_add_sensor(p->trk, &dw_meas_latlon, &p->ctx_2d, &idx)) != DW_OK) {
            seterr(err, errlen, "tracker refused the 2-D slot: %s", dw_status_str(st));
            dw_pipeline_destroy(p);
            return DW_ERR_INVALID;
        }
        slot *k = &p->slots[idx];
        k->name = DW_PIPELINE_2D_NAME;
        k->type = SLOT_2D;
        k->prev_t = INT64_MIN;
        p->names[idx] = DW_PIPELINE_2D_NAME;
        p->slot_2d = idx;
        p->n_slots = idx + 1;
    }

    if (c.radar_bias && (st = dw_bias_create(MAX_SLOTS, NULL, &p->bias)) != DW_OK) {
        seterr(err, errlen, "radar registration: %s", dw_status_str(st));
        dw_pipeline_destroy(p);
        return st;
    }
    p->cur_slot = -1;
    p->cur_src = -1;
    p->last_t = INT64_MIN;
    p->next_report = INT64_MIN;
    p->failed = DW_OK;
    p->rl = (dw_ratelimit)DW_RATELIMIT_INIT(1.0, 5.0);
    *out = p;
    return DW_OK;
}

void dw_pipeline_destroy(dw_pipeline *p)
{
    if (!p)
        return;
    dw_tracker_destroy(p->trk);
    dw_bias_destroy(p->bias);
    dw_initiator_destroy(p->init);
    dw_sensors_index_destroy(p->index);
    free(p->sensors);
    free(p->slot_of);
    free(p->site_of);
    free(p->sites);
    free(p->batch);
    free(p->batch_id);
    free(p->ids);
    free(p);
}

/* ---- identities ---------------------------------------------------------- */

static size_t ids_slot(const dw_pipeline *p, uint64_t id)
{
    uint64_t h = id * 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 17) & (p->cap_ids - 1);
}

static ident *ids_find(dw_pipeline *p, uint64_t id)
{
    if (!p->cap_ids)
        return NULL;
    for (size_t i = ids_slot(p, id);; i = (i + 1) & (p->cap_ids - 1)) {
        if (p->ids[i].key == id)
            return &p->ids[i];
        if (!p->ids[i].key)
            return NULL;
    }
}

/* The record of track id, made when missing; NULL when out of memory. */
static ident *ids_put(dw_pipeline *p, uint64_t id)
{
    ident *r = ids_find(p, id);
    if (r)
        return r;
    if (2 * (p->n_ids + 1) > p->cap_ids) {
        size_t nc = p->cap_ids ? 2 * p->cap_ids : 64;
        ident *nt = calloc(nc, sizeof *nt), *old = p->ids;
        if (!nt)
            return NULL;
        size_t oc = p->cap_ids;
        p->ids = nt;
        p->cap_ids = nc;
        for (size_t i = 0; i < oc; i++)
            if (old[i].key) {
                size_t j = ids_slot(p, old[i].key);
                while (nt[j].key)
                    j = (j + 1) & (nc - 1);
                nt[j] = old[i];
            }
        free(old);
    }
    size_t j = ids_slot(p, id);
    while (p->ids[j].key)
        j = (j + 1) & (p->cap_ids - 1);
    memset(&p->ids[j], 0, sizeof p->ids[j]);
    p->ids[j].key = id;
    p->n_ids++;
    return &p->ids[j];
}

/* Removes track id's record (backward-shift deletion keeps the probe runs whole). */
static void ids_del(dw_pipeline *p, uint64_t id)
{
    ident *r = ids_find(p, id);
    if (!r)
        return;
    size_t i = (size_t)(r - p->ids), m = p->cap_ids - 1;
    for (size_t j = (i + 1) & m; p->ids[j].key; j = (j + 1) & m) {
        size_t h = ids_slot(p, p->ids[j].key);
        /* may the entry at j move back to i? only if its home is not in (i, j] */
        if (((j - h) & m) >= ((j - i) & m)) {
            p->ids[i] = p->ids[j];
            i = j;
        }
    }
    p->ids[i].key = 0;
    p->n_ids--;
}

/* After a batch: what its reports said of themselves goes to the tracks that took them. */
static void ids_take(dw_pipeline *p)
{
    if (!p->n_batch_id)
        return;
    const uint64_t u0 = p->batch_id[0].key, u1 = p->batch_id[p->n_batch_id - 1].key;
    size_t nt = dw_tracker_count(p->trk);
    for (size_t i = 0; i < nt; i++) {
        const dw_trk *tk = dw_tracker_get(p->trk, i);
        if (tk->last_user < u0 || tk->last_user > u1)
            continue;
        size_t lo = 0, hi = p->n_batch_id;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (p->batch_id[mid].key < tk->last_user)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == p->n_batch_id || p->batch_id[lo].key != tk->last_user)
            continue;
        const ident *b = &p->batch_id[lo];
        ident *r = ids_put(p, tk->id);
        if (!r)
            continue;           /* out of memory: the track goes without */
        if (b->icao)
            r->icao = b->icao;
        if (b->mode3a)
            r->mode3a = b->mode3a;
        if (b->callsign[0])
            memcpy(r->callsign, b->callsign, sizeof r->callsign);
        if (b->rid[0])
            memcpy(r->rid, b->rid, sizeof r->rid);
    }
    p->n_batch_id = 0;
}

/* ---- output -------------------------------------------------------------- */

/* live: the tracker's own track k is a copy of (predicted), for when each sensor last
 * updated it; NULL when k is one (or has none: a deleted track). */
static void to_track(dw_pipeline *p, const dw_trk *k, const dw_trk *live, dw_track *t)
{
    dw_track_init(t);
    t->id = k->id;
    t->t_us = k->t_us;
    t->status = k->status;
    dw_geodetic g;
    dw_geo_state(k->x, &g, t->vel_enu_mps);
    t->lat_deg = g.lat_deg;
    t->lon_deg = g.lon_deg;
    t->alt_m = g.alt_m;
    /* Position covariance into the local ENU frame. */
    double pe[3][3], pl[3][3];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            pe[i][j] = k->P[(2 * i) * 6 + 2 * j];
    dw_enu_frame f;
    dw_enu_frame_init(&f, &g);
    dw_enu_cov_from_ecef(&f, pe, pl);
    memcpy(t->cov_pos_enu, pl, sizeof pl);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            pe[i][j] = k->P[(2 * i + 1) * 6 + 2 * j + 1];
    dw_enu_cov_from_ecef(&f, pe, pl);
    memcpy(t->cov_vel_enu, pl, sizeof pl);
    const ident *r = ids_find(p, k->id);
    if (r) {
        t->icao = r->icao;
        t->mode3a = r->mode3a;
        memcpy(t->callsign, r->callsign, sizeof t->callsign);
        memcpy(t->rid, r->rid, sizeof t->rid);
    }
    t->hits = k->hits;
    t->misses = k->misses;
    t->first_us = k->first_us;
    t->last_update_us = k->last_update_us;
    t->quality = k->misses ? 1.0 / (1.0 + k->misses) : 1.0;
    for (int s = 0; s < MAX_SLOTS && t->n_sensors < DW_TRACK_MAX_SENSORS; s++)
        if (k->sensor_mask & (1u << s))
            t->sensor_idx[t->n_sensors++] = (uint16_t)s;
    t->last_local_us = INT64_MIN;
    for (int s = 0; s < MAX_SLOTS; s++) {
        if (!(k->sensor_mask & (1u << s)) || p->slots[s].partner)
            continue;
        int64_t u = dw_tracker_last_update_by(p->trk, live ? live : k, s);
        if (u > t->last_local_us)
            t->last_local_us = u;
    }
    t->v_pos = (dw_validity){DW_SRC_ESTIMATED, k->last_update_us, 0};
}

/* Report the picture at every instant up to and including t_us. */
static dw_status report_until(dw_pipeline *p, int64_t t_us)
{
    if (p->next_report == INT64_MIN)
        return DW_OK;
    while (p->next_report <= t_us) {
        size_t n = dw_tracker_count(p->trk);
        for (size_t i = 0; i < n; i++) {
            const dw_trk *k = dw_tracker_get(p->trk, i);
            if (k->status != DW_TRACK_CONFIRMED && k->status != DW_TRACK_COASTING)
                continue;
            dw_trk pr;
            dw_tracker_predict_copy(p->trk, k, p->next_report, &pr);
            dw_track t;
            to_track(p, &pr, k, &t);
            dw_status st = p->sink.report(p->sink.ctx, &t);
            if (st != DW_OK)
                return st;
            p->st.reports++;
        }
        if (p->sink.report_done) {
            dw_status st = p->sink.report_done(p->sink.ctx, p->next_report);
            if (st != DW_OK)
                return st;
        }
        p->st.report_instants++;
        p->next_report += p->cfg.report_us;
    }
    return DW_OK;
}

/* Does a track already sit at the fix (its position gate, d² < gate)? Then
 * the bearings were left over because the track took another in its batch,
 * or they missed its gate narrowly: a second track there would be a
 * duplicate. */
static int explained(const dw_pipeline *p, const dw_init_fix *f)
{
    size_t n = dw_tracker_count(p->trk);
    for (size_t i = 0; i < n; i++) {
        const dw_trk *k = dw_tracker_get(p->trk, i);
        double d0[3] = {k->x[0] - f->pos[0], k->x[2] - f->pos[1], k->x[4] - f->pos[2]};
        if (d0[0] * d0[0] + d0[1] * d0[1] + d0[2] * d0[2] > 1e10)
            continue;                           /* over 100 km away */
        dw_trk pr;
        dw_tracker_predict_copy(p->trk, k, f->t_us, &pr);
        double S[9], Si[9], d[3] = {pr.x[0] - f->pos[0], pr.x[2] - f->pos[1], pr.x[4] - f->pos[2]};
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++)
                S[a * 3 + b] = pr.P[(2 * a) * 6 + 2 * b] + f->cov[a * 3 + b];
        if (dw__spd_inverse(S, 3, Si, NULL) != 0)
            continue;
        double d2 = 0;
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++)
                d2 += d[a] * Si[a * 3 + b] * d[b];
        if (d2 < p->cfg.gate)
            return 1;
    }
    return 0;
}

/* The bearings or cells of the batch just applied that no track took, to
 * the initiator; its fixes start tracks. */
static void initiate(dw_pipeline *p, const dw_meas *m, int sensor)
{
    const slot *k = &p->slots[sensor];
    const uint32_t *idx = NULL;
    size_t nu = dw_tracker_unassigned(p->trk, &idx);
    int64_t now = INT64_MIN;
    size_t added = 0;
    for (size_t i = 0; i < nu; i++) {
        const dw_meas *x = &m[idx[i]];
        if (x->t_us > now)
            now = x->t_us;
        if (k->type == SLOT_BEARING) {
            dw_init_bearing b = {x->t_us, x->ctx, x->z[0], sqrt(x->R[0]), 0.0, 0.0, sensor};
            if (k->nz == 2 && x->R[3] < DW_BEARING_NO_EL_VAR) {
                b.el_rad = x->z[1];
                b.sigma_el_rad = sqrt(x->R[3]);
            }
            dw_initiator_add_bearing(p->init, &b);
            added++;
        } else if (x->ctx == &p->ctx_cell) {
            /* All of a batch come from one sensor: the batch's source. */
            uint64_t node = p->cur_src >= 0 ? (uint64_t)p->cur_src
                                            : dw_pipeline_id_key(p->cur_name) | (1ull << 63);
            dw_init_cell c = {x->t_us, node, x->z[0] / DEG, x->z[1] / DEG, x->z[2], sensor};
            dw_initiator_add_cell(p->init, &c);
            added++;
        }
    }
    if (!added)
        return;
    size_t nf = dw_initiator_run(p->init, now, p->fixes, MAX_FIXES);
    for (size_t i = 0; i < nf; i++) {
        const dw_init_fix *f = &p->fixes[i];
        p->st.init_fixes++;
        if (explained(p, f)) {
            p->st.init_explained++;
            continue;
        }
        if (dw_tracker_start_track(p->trk, f->tag, f->t_us, f->pos, f->cov, NULL) == DW_OK)
            p->st.init_started++;
    }
}

/* Radar registration (bias.h). The waiting batch of radar slot `sensor` loses the radar's
 * bias as estimated now, once valid; the amounts taken off go to *b_az, *b_r, so that the
 * plots can be given back to the estimator as measured. */
static void bias_correct(dw_pipeline *p, int sensor, double *b_az, double *b_r)
{
    int valid = 0;
    if (dw_bias_get(p->bias, sensor, b_az, b_r, NULL, NULL, &valid) != DW_OK || !valid) {
        *b_az = *b_r = 0.0;
        return;
    }
    for (size_t i = 0; i < p->nb; i++) {
        dw_meas *x = &p->batch[i];
        x->z[0] -= *b_r;
        x->z[1] = fmod(x->z[1] - *b_az + 4.0 * M_PI, 2.0 * M_PI);
    }
    p->st.bias_corrected += p->nb;
}

/* After the batch: each plot that a cooperative aircraft's track took (its ICAO key, on a
 * track whose key came from ADS-B) pairs the plot as measured with where the track, which
 * has just taken it, puts the aircraft (bias.h, `posterior`). Tracks are found by the
 * plot's `user`, which rises through a batch; one pass over the live tracks, which the
 * tracker's update has just made anyway. */
static void bias_feed(dw_pipeline *p, int sensor, const dw_meas *m, size_t n, double b_az,
                      double b_r)
{
    const slot *k = &p->slots[sensor];
    const uint32_t u0 = m[0].user, u1 = m[n - 1].user;
    size_t keyed = 0;
    for (size_t i = 0; i < n; i++)
        keyed += m[i].id_key != 0;
    if (!keyed)
        return;                 /* no Mode S plot: no aircraft's own track took any */
    size_t nt = dw_tracker_count(p->trk);
    for (size_t i = 0; i < nt; i++) {
        const dw_trk *tk = dw_tracker_get(p->trk, i);
        if (!(tk->id_key_flags & DW_MEAS_COOPERATIVE) || tk->last_user < u0 ||
            tk->last_user > u1 || !(tk->sensor_mask & (1u << sensor)))
            continue;
        size_t lo = 0, hi = n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (m[mid].user < tk->last_user)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == n || m[lo].user != tk->last_user || m[lo].id_key != tk->id_key || m[lo].ctx)
            continue;           /* not its own Mode S plot, or a 2-D plot (horizontal range) */
        const dw_meas *x = &m[lo];
        dw_trk at;
        dw_tracker_predict_copy(p->trk, tk, x->t_us, &at);
        double ecef[3] = {at.x[0], at.x[2], at.x[4]}, enu[3], r, az, el;
        dw_enu_from_ecef(&k->site.frame, ecef, enu);
        dw_polar_from_enu(enu, &r, &az, &el);
        /* The track's sigmas along the line of sight and across it (horizontally). */
        const double los_enu[3] = {enu[0] / r, enu[1] / r, enu[2] / r};
        const double crs_enu[3] = {cos(az), -sin(az), 0.0};
        double los[3], crs[3], var_l = 0.0, var_c = 0.0;
        dw_ecef_vec_from_enu(&k->site.frame, los_enu, los);
        dw_ecef_vec_from_enu(&k->site.frame, crs_enu, crs);
        for (int a = 0; a < 3; a++)
            for (int c = 0; c < 3; c++) {
                const double pac = at.P[(2 * a) * 6 + 2 * c];
                var_l += los[a] * pac * los[c];
                var_c += crs[a] * pac * crs[c];
            }
        dw_bias_pair bp;
        memset(&bp, 0, sizeof bp);
        bp.t_us = x->t_us;
        bp.radar = sensor;
        bp.range_m = x->z[0];
        bp.az_rad = x->z[1];
        bp.corr_range_m = b_r;
        bp.corr_az_rad = b_az;
        bp.pred_range_m = r;
        bp.pred_az_rad = az;
        bp.track_sigma_m = sqrt((at.P[0] + at.P[14] + at.P[28]) / 3.0);
        bp.track_range_sigma_m = sqrt(fmax(var_l, 1e-6));
        bp.track_cross_sigma_m = sqrt(fmax(var_c, 1e-6));
        const int nz = x->model ? x->model->nz : 3;   /* a plot with its range rate: 4 */
        bp.sigma_range_m = sqrt(x->R[0]);
        bp.sigma_az_rad = sqrt(x->R[nz + 1]);
        bp.posterior = 1;
        if (dw_bias_add(p->bias, &bp, NULL) == DW_OK)
            p->st.bias_pairs++;
    }
}

const dw_bias *dw_pipeline_bias(const dw_pipeline *p)
{
    return p ? p->bias : NULL;
}

/* The waiting batch to the tracker, after the picture before it. */
/* After a tracker update at t: identities taken, the live updates and the dead reported. */
static dw_status after_update(dw_pipeline *p, int64_t t)
{
    dw_status st;
    ids_take(p);
    if (p->sink.update) {
        size_t nt = dw_tracker_count(p->trk);
        for (size_t i = 0; i < nt; i++) {
            const dw_trk *u = dw_tracker_get(p->trk, i);
            if (u->status != DW_TRACK_CONFIRMED || u->last_update_us < t)
                continue;
            dw_track tr;
            to_track(p, u, NULL, &tr);
            if ((st = p->sink.update(p->sink.ctx, &tr)) != DW_OK)
                return st;
        }
    }
    const dw_trk *dead;
    size_t nd = dw_tracker_deleted(p->trk, &dead);
    for (size_t i = 0; i < nd; i++) {
        p->st.dead++;
        if (!p->sink.dead)
            continue;
        dw_track tr;
        to_track(p, &dead[i], NULL, &tr);
        ids_del(p, dead[i].id);
        tr.t_us = t;
        if ((st = p->sink.dead(p->sink.ctx, &tr)) != DW_OK)
            return st;
    }
    return DW_OK;
}

static dw_status flush_batch(dw_pipeline *p)
{
    size_t n = p->nb;
    if (n == 0)
        return DW_OK;
    const dw_meas *m = p->batch;
    const int sensor = p->cur_slot;
    slot *k = &p->slots[sensor];
    int64_t t = m[0].t_us;
    dw_status st = report_until(p, t - 1);
    if (st != DW_OK)
        return st;
    /* Radar registration: the plots lose the radar's estimated bias on their way in. */
    double b_az = 0.0, b_r = 0.0;
    if (k->type == SLOT_POLAR && p->bias)
        bias_correct(p, sensor, &b_az, &b_r);
    /* What this batch looked at. A radar's plots come in azimuth order as
     * the beam turns: the batch covers the arc swept since its previous
     * batch (the whole circle after a full period or at the start). A
     * position report describes only its own object: nobody misses. */
    dw_cover cv;
    memset(&cv, 0, sizeof cv);
    if (k->type == SLOT_POLAR) {
        int64_t t_end = m[n - 1].t_us;
        cv.comp = 1;
        cv.lo = k->prev_az;
        cv.hi = m[n - 1].z[1];
        cv.full = k->prev_t == INT64_MIN || k->period_us <= 0 || t_end - k->prev_t >= k->period_us;
        cv.max0 = k->max_range_m;
        cv.revisit_us = k->period_us / 2;
        cv.pd = radar_pd;
        cv.pd_ctx = k;
        k->prev_t = t_end;
        k->prev_az = cv.hi;
    } else {
        /* A position report describes one object; a bearing or a cell is
         * one node's detection of one, and a node that heard nothing did not
         * necessarily listen for it (an acoustic node hears drones only). */
        cv.no_miss = 1;
    }
    p->nb = 0;
    if ((st = dw_tracker_update_cover(p->trk, sensor, t, m, n, &cv)) != DW_OK)
        return st;
    if (k->type == SLOT_POLAR && p->bias)
        bias_feed(p, sensor, m, n, b_az, b_r);
    if (k->type == SLOT_BEARING || k->type == SLOT_2D)
        initiate(p, m, sensor);
    return after_update(p, t);
}

/* ---- measurements -------------------------------------------------------- */

static double sig(double from_obs, double from_sensor)
{
    return from_obs > 0 ? from_obs : from_sensor;
}

/* The elevation of a plot at slant range r_m from site k whose target is at
 * height alt_m, with its sigma. The Earth is taken as a sphere of the local
 * radius of curvature in the plot's azimuth (Euler: 1/R = cos²az/M +
 * sin²az/N), centred on the site's normal: exact to second order in the
 * ground distance, a few metres of height at 200 km, far below what any
 * height measurement gives. With a = R + site height and b = R + target
 * height, the triangle centre-site-target gives
 *     sin el = (b² - a² - r²) / (2 a r).
 * sigma_el is the height's sigma carried through d(sin el)/d(b) = b / (a r),
 * with the range's sigma through d(sin el)/dr added in quadrature (both over
 * cos el); the plot's height sigma, else the sensor's (a 3-D radar's
 * sigma.alt_m); with neither it is the elevation sigma. Returns
 * -1 when no elevation reaches that height at that range. */
static int el_from_alt(const slot *k, const dw_sensor *s, const dw_obs *o, double sigma_r,
                       double *el, double *sigma_el)
{
    const double r = o->range_m, sa = sin(o->az_rad), ca = cos(o->az_rad);
    const double R = 1.0 / (ca * ca / k->rn_m + sa * sa / k->re_m);
    const double a = R + s->alt_m, b = R + o->alt_m;
    const double dh = o->alt_m - s->alt_m;
    const double bb_aa = dh * (a + b);                 /* b² - a², without cancellation */
    const double se = (bb_aa - r * r) / (2.0 * a * r);
    if (!(fabs(se) <= 1.0))
        return -1;
    *el = asin(se);
    double ce = sqrt(1.0 - se * se);
    if (ce < 1e-3)
        ce = 1e-3;
    const double sigma_h = sig(o->sigma_alt_m, s->sigma_alt_m);
    if (sigma_h > 0) {
        const double ds_dh = b / (a * r);
        const double ds_dr = -bb_aa / (2.0 * a * r * r) - 1.0 / (2.0 * a);
        *sigma_el = sqrt(ds_dh * ds_dh * sigma_h * sigma_h + ds_dr * ds_dr * sigma_r * sigma_r) / ce;
    } else {
        *sigma_el = sig(o->sigma_el_rad, s->sigma_el_rad);
    }
    return 0;
}

/* Is o from the same source as the waiting batch? */
static int same_source(const dw_pipeline *p, int slot_idx, int src, const char *name)
{
    if (slot_idx != p->cur_slot || src != p->cur_src)
        return 0;
    return src >= 0 || strcmp(name, p->cur_name) == 0;
}

static dw_status fail(dw_pipeline *p, dw_status st)
{
    p->failed = st;
    return st;
}

/* Identity and fusion flags of a position report by who sent it: ADS-B and
 * Remote ID receivers relay what an object says of itself (a key and the
 * cooperative flag); a radar's Mode S address is an identity too, but the
 * plot is the radar's (the key only); a partner's report is fused by
 * covariance intersection. */
static void identity(const dw_obs *o, const dw_sensor *sd, dw_meas *m)
{
    const dw_sensor_kind k = sd ? sd->kind : DW_SENSOR_OTHER;
    if (k == DW_SENSOR_PARTNER) {
        m->flags |= DW_MEAS_CI;
        if (o->has & DW_OBS_HAS_PTRACK) {
            char b[DW_ID_MAX + 32];
            snprintf(b, sizeof b, "partner:%s/%llu", o->sensor,
                     (unsigned long long)o->partner_track);
            m->id_key = dw_pipeline_id_key(b);
        }
        return;
    }
    if ((o->has & DW_OBS_HAS_ICAO) && k != DW_SENSOR_REMOTE_ID) {
        m->id_key = icao_key(o->icao);
        if (k == DW_SENSOR_ADSB)
            m->flags |= DW_MEAS_COOPERATIVE;
    } else if ((o->has & DW_OBS_HAS_RID) && o->rid[0]) {
        m->id_key = rid_key(o->rid);
        if (k == DW_SENSOR_REMOTE_ID)
            m->flags |= DW_MEAS_COOPERATIVE;
    }
}

static int ok_latlon(double lat_deg, double lon_deg)
{
    return isfinite(lat_deg) && isfinite(lon_deg) && fabs(lat_deg) < 89.9 && fabs(lon_deg) <= 360.0;
}

/* The observation as a measurement for its slot; 0, or -1 when it cannot be
 * used (counted). */
/* A POLAR plot's range rate, when it has one with a sigma (the plot's, else
 * its sensor's): the plot becomes dw_meas_polar_rr's. */
static void add_rr(const dw_obs *o, const dw_sensor *sd, dw_meas *m, int *with_rr)
{
    if (!(o->has & DW_OBS_HAS_RR) || !isfinite(o->range_rate_mps))
        return;
    const double s = sig(o->sigma_rr_mps, sd->sigma_rr_mps);
    if (!(s > 0) || !isfinite(s))
        return;
    dw_polar_meas_add_rr(m, o->range_rate_mps, s);
    *with_rr = 1;
}

static int make_meas(dw_pipeline *p, const dw_obs *o, int fi, dw_meas *m, int *tslot, int *by_alt,
                     int *no_el, int *with_rr)
{
    const dw_sensor *sd = fi >= 0 ? &p->sensors[fi] : NULL;
    switch (o->kind) {
    case DW_OBS_POLAR: {
        if (!sd || !is_radar(sd->kind)) {
            p->st.unknown_sensor++;
            DW_LOG_RL(&p->rl, o->t_us, DW_LOG_TRACK, DW_LOG_DEBUG,
                      "POLAR from '%s', which is no radar or aew sensor of the pipeline's",
                      o->sensor);
            return -1;
        }
        *tslot = p->slot_of[fi];
        const slot *k = &p->slots[*tslot];
        if (!(o->range_m > 0)) {
            p->st.unsupported++;
            return -1;
        }
        const double sr = sig(o->sigma_range_m, sd->sigma_range_m);
        double el, sel;
        if (o->has & DW_OBS_HAS_EL) {
            el = o->el_rad;
            sel = sig(o->sigma_el_rad, sd->sigma_el_rad);
        } else if ((o->has & DW_OBS_HAS_ALT) && el_from_alt(k, sd, o, sr, &el, &sel) == 0) {
            *by_alt = 1;
        } else if (p->cfg.polar_2d && !(o->has & DW_OBS_HAS_ALT) && isfinite(o->az_rad)) {
            dw_polar_meas_no_el(m, o->t_us, &k->site2d, o->range_m, o->az_rad, sr,
                                sig(o->sigma_az_rad, sd->sigma_az_rad));
            if (o->has & DW_OBS_HAS_ICAO)
                m->id_key = icao_key(o->icao);
            add_rr(o, sd, m, with_rr);
            *no_el = 1;
            return 0;
        } else {
            p->st.unsupported++;
            return -1;
        }
        dw_polar_meas(m, o->t_us, o->range_m, o->az_rad, el, sr,
                      sig(o->sigma_az_rad, sd->sigma_az_rad), sel);
        if (o->has & DW_OBS_HAS_ICAO)
            m->id_key = icao_key(o->icao);
        add_rr(o, sd, m, with_rr);
        return 0;
    }
    case DW_OBS_POS3: {
        dw_geodetic g = {o->lat_deg, o->lon_deg, o->alt_m};
        double cov[3][3] = {{0}};
        if (o->has & DW_OBS_HAS_COV) {
            memcpy(cov, o->cov_enu, sizeof cov);
        } else {
            double sp = sig(o->sigma_pos_m, sd ? sd->sigma_pos_m : 100.0);
            double sa = sig(o->sigma_alt_m, sp);
            cov[0][0] = cov[1][1] = sp * sp;
            cov[2][2] = sa * sa;
        }
        dw_geo_pos_meas(m, o->t_us, &g, cov);
        identity(o, sd, m);
        *tslot = sd && sd->kind == DW_SENSOR_PARTNER && p->slot_of[fi] >= 0 ? p->slot_of[fi]
                                                                           : p->pos_slot;
        return 0;
    }
    case DW_OBS_BEARING: {
        if (!sd) {
            p->st.unknown_sensor++;
            DW_LOG_RL(&p->rl, o->t_us, DW_LOG_TRACK, DW_LOG_DEBUG,
                      "BEARING from '%s', which is no sensor of the pipeline's", o->sensor);
            return -1;
        }
        const int si = p->site_of[fi], bk = bearing_kind(sd->kind);
        if (si < 0 || bk < 0 || p->bk_slot[bk] < 0 || !isfinite(o->az_rad)) {
            p->st.unsupported++;
            return -1;
        }
        *tslot = p->bk_slot[bk];
        double sa = sig(o->sigma_az_rad, sd->sigma_az_rad);
        if (!(sa > 0) || !isfinite(sa))
            sa = 5.0 * DEG;
        double el = 0.0, se = 0.0;
        if (p->slots[*tslot].nz == 2 && (o->has & DW_OBS_HAS_EL) && isfinite(o->el_rad)) {
            el = o->el_rad;
            se = sig(o->sigma_el_rad, sd->sigma_el_rad);
            if (!(se > 0) || !isfinite(se))
                se = sa;
        }
        dw_bearing_meas(m, o->t_us, &p->sites[si], o->az_rad, el, sa, se);
        return 0;
    }
    case DW_OBS_POS2: {
        if (p->slot_2d < 0 || !ok_latlon(o->lat_deg, o->lon_deg)) {
            p->st.unsupported++;
            return -1;
        }
        double cov[4];
        if (o->has & DW_OBS_HAS_COV) {
            cov[0] = o->cov_enu[0][0];
            cov[1] = o->cov_enu[0][1];
            cov[2] = o->cov_enu[1][0];
            cov[3] = o->cov_enu[1][1];
        } else {
            double sp = sig(o->sigma_pos_m, sd ? sd->sigma_pos_m : 0.0);
            if (!(sp > 0) || !isfinite(sp))
                sp = 1000.0;
            cov[0] = cov[3] = sp * sp;
            cov[1] = cov[2] = 0.0;
        }
        if (!(cov[0] > 0) || !(cov[3] > 0) || !(cov[0] * cov[3] > cov[1] * cov[2])) {
            p->st.unsupported++;
            return -1;
        }
        dw_latlon_meas(m, o->t_us, o->lat_deg, o->lon_deg, cov);
        identity(o, sd, m);
        *tslot = p->slot_2d;
        return 0;
    }
    case DW_OBS_CELL: {
        double lat, lon, r = 0;
        if (o->has & DW_OBS_HAS_POS) {
            lat = o->lat_deg;
            lon = o->lon_deg;
        } else if (sd) {
            lat = sd->lat_deg;
            lon = sd->lon_deg;
        } else {
            p->st.unknown_sensor++;
            return -1;
        }
        if ((o->has & DW_OBS_HAS_RANGE) && o->radius_m > 0)
            r = o->radius_m;
        else if (sd && sd->max_range_m > 0)
            r = sd->max_range_m;
        if (p->slot_2d < 0 || !(r > 0) || !isfinite(r) || !ok_latlon(lat, lon)) {
            p->st.unsupported++;
            return -1;
        }
        dw_cell_meas(m, o->t_us, lat, lon, r);
        m->ctx = &p->ctx_cell;
        *tslot = p->slot_2d;
        return 0;
    }
    default:
        p->st.unsupported++;
        return -1;
    }
}

dw_status dw_pipeline_obs(dw_pipeline *p, const dw_obs *o)
{
    if (!p || !o)
        return DW_ERR_INVALID;
    if (p->failed != DW_OK)
        return p->failed;
    p->st.obs++;
    int fi = dw_sensors_index_find(p->index, o->sensor);
    dw_meas m;
    int tslot = -1, by_alt = 0, no_el = 0, with_rr = 0;
    if (make_meas(p, o, fi, &m, &tslot, &by_alt, &no_el, &with_rr) != 0)
        return DW_OK;
    m.user = (uint32_t)p->st.obs;
    if (fi >= 0 && p->sensors[fi].kind == DW_SENSOR_PARTNER)
        m.coast_us = p->cfg.partner_coast_us;
    else if (fi >= 0 && p->sensors[fi].kind == DW_SENSOR_CITIZEN)
        m.coast_us = p->cfg.citizen_coast_us;

    /* The batch buffer grows before anything changes, so a failure leaves
     * the pipeline as it was. */
    if (p->nb == p->batch_cap && p->batch_cap < DW_PIPELINE_MAX_BATCH) {
        size_t cap = p->batch_cap * 2;
        dw_meas *nbuf = realloc(p->batch, cap * sizeof *nbuf);
        if (!nbuf) {
            p->st.obs--;
            return DW_ERR_NOMEM;
        }
        p->batch = nbuf;
        p->batch_cap = cap;
    }
    if (p->next_report == INT64_MIN)
        p->next_report = (o->t_us / p->cfg.report_us) * p->cfg.report_us;
    if (o->t_us < p->last_t)
        p->st.late++;
    if (p->nb > 0 && (!same_source(p, tslot, fi, o->sensor) ||
                      o->t_us - p->batch_t0 > p->cfg.window_us || p->nb == p->batch_cap ||
                      o->t_us < p->batch_t0)) {
        dw_status st = flush_batch(p);
        if (st != DW_OK)
            return fail(p, st);
    }
    if (p->nb == 0) {
        p->cur_slot = tslot;
        p->cur_src = fi;
        if (fi < 0)
            snprintf(p->cur_name, sizeof p->cur_name, "%s", o->sensor);
        p->batch_t0 = o->t_us;
    }
    if (o->has & (DW_OBS_HAS_ICAO | DW_OBS_HAS_MODE3A | DW_OBS_HAS_CALLSIGN | DW_OBS_HAS_RID)) {
        if (p->n_batch_id == p->cap_batch_id) {
            size_t nc = p->cap_batch_id ? 2 * p->cap_batch_id : 64;
            ident *nb = realloc(p->batch_id, nc * sizeof *nb);
            if (!nb)
                return fail(p, DW_ERR_NOMEM);
            p->batch_id = nb;
            p->cap_batch_id = nc;
        }
        ident *b = &p->batch_id[p->n_batch_id++];
        memset(b, 0, sizeof *b);
        b->key = m.user;
        b->icao = (o->has & DW_OBS_HAS_ICAO) ? o->icao : 0;
        b->mode3a = (o->has & DW_OBS_HAS_MODE3A) ? o->mode3a : 0;
        if (o->has & DW_OBS_HAS_CALLSIGN)
            memcpy(b->callsign, o->callsign, sizeof b->callsign);
        if (o->has & DW_OBS_HAS_RID)
            memcpy(b->rid, o->rid, sizeof b->rid);
    }
    p->batch[p->nb++] = m;
    p->st.used++;
    p->st.used_kind[o->kind]++;
    p->st.keyed += m.id_key != 0;
    p->st.coop += (m.flags & DW_MEAS_COOPERATIVE) != 0;
    p->st.el_from_alt += (uint64_t)by_alt;
    p->st.polar_no_el += (uint64_t)no_el;
    p->st.polar_rr += (uint64_t)with_rr;
    if (o->t_us > p->last_t)
        p->last_t = o->t_us;
    return DW_OK;
}

dw_status dw_pipeline_advance(dw_pipeline *p, int64_t now_us)
{
    if (!p)
        return DW_ERR_INVALID;
    if (p->failed != DW_OK)
        return p->failed;
    dw_status st;
    if (p->nb > 0 && now_us - p->batch_t0 > p->cfg.window_us && (st = flush_batch(p)) != DW_OK)
        return fail(p, st);
    /* A waiting batch holds the picture back to the instant before it. */
    int64_t upto = now_us - 1;
    if (p->nb > 0 && p->batch_t0 - 1 < upto)
        upto = p->batch_t0 - 1;
    if ((st = report_until(p, upto)) != DW_OK)
        return fail(p, st);
    return DW_OK;
}

dw_status dw_pipeline_flush(dw_pipeline *p)
{
    if (!p)
        return DW_ERR_INVALID;
    if (p->failed != DW_OK)
        return p->failed;
    dw_status st = flush_batch(p);
    return st != DW_OK ? fail(p, st) : DW_OK;
}

dw_status dw_pipeline_expire(dw_pipeline *p, int64_t now_us)
{
    if (!p)
        return DW_ERR_INVALID;
    if (p->failed != DW_OK)
        return p->failed;
    dw_status st = flush_batch(p);
    if (st == DW_OK && p->next_report != INT64_MIN)
        st = report_until(p, now_us - 1);
    if (st != DW_OK)
        return fail(p, st);
    if (now_us <= p->last_t || dw_tracker_count(p->trk) == 0)
        return DW_OK;
    /* An empty batch: no measurement, nobody misses, the stale are dropped. */
    dw_cover cv;
    memset(&cv, 0, sizeof cv);
    cv.no_miss = 1;
    if ((st = dw_tracker_update_cover(p->trk, p->pos_slot, now_us, NULL, 0, &cv)) != DW_OK)
        return fail(p, st);
    p->last_t = now_us;
    st = after_update(p, now_us);
    return st != DW_OK ? fail(p, st) : DW_OK;
}

dw_status dw_pipeline_finish(dw_pipeline *p, int64_t until_us)
{
    if (!p)
        return DW_ERR_INVALID;
    if (p->failed != DW_OK)
        return p->failed;
    dw_status st = flush_batch(p);
    if (st != DW_OK)
        return fail(p, st);
    if (until_us == INT64_MIN)
        until_us = p->last_t;
    if (until_us != INT64_MIN && (st = report_until(p, until_us)) != DW_OK)
        return fail(p, st);
    return DW_OK;
}

void dw_pipeline_get_stats(const dw_pipeline *p, dw_pipeline_stats *out)
{
    if (!p || !out)
        return;
    *out = p->st;
    dw_tracker_get_stats(p->trk, &out->tracker);
}

const char *const *dw_pipeline_sensor_names(const dw_pipeline *p, size_t *n)
{
    if (!p) {
        if (n)
            *n = 0;
        return NULL;
    }
    if (n)
        *n = (size_t)p->n_slots;
    return p->names;
}

int dw_pipeline_sensor_find(const dw_pipeline *p, const char *name)
{
    return p ? dw_sensors_index_find(p->index, name) : -1;
}
