/* sensor_radar.c — rotating surveillance radars: on the ground ("radar", plots in ASTERIX
 * CAT048) and airborne ("aew", positions in SAPIENT).
 *
 * Both share one scan: the beam turns clockwise from north once a period, so a target at
 * azimuth a is seen at scan_start + a/2π·period, in its exact state at that instant. A scan
 * is generated whole when it starts (its plots lie up to a period in the future; the sink's
 * caller orders them). A target is detected when it is inside the range and elevation
 * limits, above the radio horizon of the 4/3 earth, and either
 *  - the primary radar sees it: Swerling-1, Pd = pfa^(1/(1+SNR)) with SNR ∝ rcs / R⁴,
 *    calibrated by the Pd the entry gives at a reference range for a reference RCS; or
 *  - it answers the secondary radar (DW_SIM_SSR) with probability ssr_pd: then the plot
 *    carries its Mode 3/A code and Mode C altitude, and its ICAO address and callsign when
 *    it has Mode S (DW_SIM_ADSB).
 * Clutter adds Poisson(clutter_per_scan) false plots a scan, uniform over the covered area.
 *
 * A ground radar reports range and azimuth (POLAR); a 3-D one (height: true) also the
 * measured height as alt_m; a Doppler one (sigma.range_rate_mps) the range rate of its
 * primary plots (positive opening), which CAT048 carries in I120 to 1 m/s (its sensor
 * description's sigma includes that step). An AEW radar measures range, azimuth and elevation from its
 * platform, flying an orbit or a racetrack, and reports the plot as a position (POS3) with
 * the covariance of the polar errors carried into east-north-up.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/asterix.h"
#include "sim/sensor_int.h"

#define MIN_HEIGHT_M (-1500 * 0.3048)
#define N(a) (sizeof(a) / sizeof((a)[0]))
#define DEG (M_PI / 180.0)
#define MODE_C_SIGMA_M 2.2          /* 25 ft steps: 7.62 m / √12 */

typedef struct radar_sigma {
    double range_m, az_rad, el_rad, height_m;
    double rr_mps;                  /* > 0: a Doppler radar's range-rate sigma */
} radar_sigma;

typedef struct radar_cfg {
    char id[DW_ID_MAX], owner[DW_ID_MAX];
    DW__SIM_SITE_MEMBERS;
    long sac, sic;
    int64_t period_us;
    double min_range_m, max_range_m, min_el_rad, max_el_rad;
    double pd, ref_range_m, ref_rcs_m2, pfa;
    int height, ssr, report_rcs;
    double ssr_pd, clutter_per_scan;
    double az_bias_rad, range_bias_m;
    /* aew */
    double speed_mps;
    int64_t on_us, off_us;
} radar_cfg;

typedef enum path_kind { PATH_FIXED, PATH_ORBIT, PATH_RACETRACK } path_kind;

typedef struct radar {
    dw_rng rng;
    uint32_t idx;
    int airborne;
    /* Platform: a fixed site, or a path flown at speed in the ENU frame of its centre. */
    path_kind path;
    dw_enu_frame site;              /* fixed: the antenna; else the path's centre (at alt) */
    double alt_m, ground_alt_m, speed_mps;
    double radius_m;                /* orbit radius / racetrack turn radius */
    double a_en[2], u_en[2], n_en[2], leg_m;  /* racetrack: start, along, across, leg length */
    int64_t on_us, off_us;
    /* Scan and detection. */
    int64_t origin_us, period_us;
    double min_range_m, max_range_m, min_el_rad, max_el_rad;
    double snr_ref, pfa, ref_range_m, ref_rcs_m2;
    int height, ssr, report_rcs;
    double ssr_pd, clutter_per_scan;
    /* Misalignment: every plot is turned by az_bias and pushed out by range_bias (what a
     * real radar's north and range zero are off by; the engine estimates them, bias.h). */
    double az_bias_rad, range_bias_m;
    radar_sigma sig;
} radar;

/* ------------------------------------------------------------------ reading */

static dw_status read_sigma(const dw__cfg *c, const json_t *e, const char *where, int airborne,
                            radar_sigma *s)
{
    static const dw__cfg_field ground[] = {
        {"range_m", DW_CF_NUM, offsetof(radar_sigma, range_m), 0, 0, 1e5, 0},
        {"az_deg", DW_CF_DEG, offsetof(radar_sigma, az_rad), 0, 0, 30, 0},
        {"height_m", DW_CF_NUM, offsetof(radar_sigma, height_m), 0, 0, 1e5, 0},
        {"range_rate_mps", DW_CF_NUM, offsetof(radar_sigma, rr_mps), 0, 0, 100, 0},
    };
    static const dw__cfg_field air[] = {
        {"range_m", DW_CF_NUM, offsetof(radar_sigma, range_m), 0, 0, 1e5, 0},
        {"az_deg", DW_CF_DEG, offsetof(radar_sigma, az_rad), 0, 0, 30, 0},
        {"el_deg", DW_CF_DEG, offsetof(radar_sigma, el_rad), 0, 0, 30, 0},
    };
    const json_t *v = json_object_get(e, "sigma");
    if (!v)
        return DW_OK;
    char w[160];
    snprintf(w, sizeof w, "%s: sigma", where);
    return airborne ? dw__cfg_read(c, v, w, air, N(air), NULL, s)
                    : dw__cfg_read(c, v, w, ground, N(ground), NULL, s);
}

static dw_status check_detection(const dw__cfg *c, const json_t *e, const char *where,
                                 const radar_cfg *k)
{
    if (!(k->pfa < k->pd))
        return dw__cfg_fail(c, e, where, "pd (%g) must be above pfa (%g)", k->pd, k->pfa);
    if (!(k->min_range_m < k->max_range_m))
        return dw__cfg_fail(c, e, where, "min_range_km must be below max_range_km");
    if (!(k->min_el_rad < k->max_el_rad))
        return dw__cfg_fail(c, e, where, "min_el_deg must be below max_el_deg");
    return DW_OK;
}

static void init_detection(radar *r, const radar_cfg *k, const dw__cfg *c)
{
    r->period_us = k->period_us;
    r->origin_us = c->start_us + (int64_t)(dw_rng_uniform(&r->rng) * (double)k->period_us);
    r->min_range_m = k->min_range_m;
    r->max_range_m = k->max_range_m;
    r->min_el_rad = k->min_el_rad;
    r->max_el_rad = k->max_el_rad;
    r->snr_ref = dw__sim_snr_for(k->pd, k->pfa);
    r->pfa = k->pfa;
    r->ref_range_m = k->ref_range_m;
    r->ref_rcs_m2 = k->ref_rcs_m2;
    r->height = k->height;
    r->ssr = k->ssr;
    r->report_rcs = k->report_rcs;
    r->ssr_pd = k->ssr_pd;
    r->clutter_per_scan = k->clutter_per_scan;
    r->ground_alt_m = k->ground_alt_m;
    r->az_bias_rad = k->az_bias_rad;
    r->range_bias_m = k->range_bias_m;
}

static void fill_desc(dw_sensor *d, const radar *r, const radar_cfg *k)
{
    d->sigma_range_m = r->sig.range_m;
    d->sigma_az_rad = r->sig.az_rad;
    d->sigma_el_rad = r->sig.el_rad;
    d->sigma_alt_m = r->height ? r->sig.height_m : 0;
    /* what the tracker gets: the radar's own sigma with CAT048 I120's 1 m/s step */
    d->sigma_rr_mps = r->sig.rr_mps > 0 ? sqrt(r->sig.rr_mps * r->sig.rr_mps + 1.0 / 12.0) : 0;
    d->pd = k->pd;
    d->clutter_per_scan = k->clutter_per_scan;
    d->min_range_m = k->min_range_m;
    d->max_range_m = k->max_range_m;
    d->min_el_rad = k->min_el_rad;
    d->max_el_rad = k->max_el_rad;
    d->period_us = k->period_us;
}

#define DETECTION_FIELDS(T)                                                                 \
    {"period_s", DW_CF_SECONDS, offsetof(T, period_us), 0, 0.1, 3600, 0},                   \
    {"min_range_km", DW_CF_KM, offsetof(T, min_range_m), 0, 0, 1e4, 0},                     \
    {"max_range_km", DW_CF_KM, offsetof(T, max_range_m), 0, 0.01, 1e4, 0},                  \
    {"min_el_deg", DW_CF_DEG, offsetof(T, min_el_rad), 0, -90, 90, 0},                      \
    {"max_el_deg", DW_CF_DEG, offsetof(T, max_el_rad), 0, -90, 90, 0},                      \
    {"pd", DW_CF_NUM, offsetof(T, pd), 0, 0, 0.999999, 0},                                  \
    {"ref_range_km", DW_CF_KM, offsetof(T, ref_range_m), 0, 0.01, 1e4, 0},                  \
    {"ref_rcs_m2", DW_CF_NUM, offsetof(T, ref_rcs_m2), 0, 1e-6, 1e6, 0},                    \
    {"pfa", DW_CF_NUM, offsetof(T, pfa), 0, 1e-15, 0.1, 0},                                 \
    {"ssr", DW_CF_BOOL, offsetof(T, ssr), 0, 0, 0, 0},                                      \
    {"ssr_pd", DW_CF_NUM, offsetof(T, ssr_pd), 0, 0, 1, 0},                                 \
    {"clutter_per_scan", DW_CF_NUM, offsetof(T, clutter_per_scan), 0, 0, 1e5, 0},           \
    {"report_rcs", DW_CF_BOOL, offsetof(T, report_rcs), 0, 0, 0, 0},                        \
    {"az_bias_deg", DW_CF_DEG, offsetof(T, az_bias_rad), 0, -30, 30, 0},                     \
    {"range_bias_m", DW_CF_NUM, offsetof(T, range_bias_m), 0, -1e4, 1e4, 0},                 \
    {"ground_alt_m", DW_CF_NUM, offsetof(T, ground_alt_m), 0, -500, 9000, 0}

static const char *const skip_sigma[] = {"kind", "sigma", NULL};

static dw_status radar_load(const dw__cfg *c, const json_t *e, const char *where, uint64_t seed,
                            dw__sim_table *table, void **state)
{
    static const dw__cfg_field f[] = {
        DW__SIM_ID_FIELDS(radar_cfg),
        {"site", DW_CF_POINT, offsetof(radar_cfg, site), 0, 0, 0, 0},
        {"lat_deg", DW_CF_NUM, offsetof(radar_cfg, lat_deg), 0, -90, 90, 0},
        {"lon_deg", DW_CF_NUM, offsetof(radar_cfg, lon_deg), 0, -180, 180, 0},
        {"alt_m", DW_CF_NUM, offsetof(radar_cfg, alt_m), 0, -500, 1e5, 0},
        {"sac", DW_CF_INT, offsetof(radar_cfg, sac), 0, 0, 255, 1},
        {"sic", DW_CF_INT, offsetof(radar_cfg, sic), 0, 0, 255, 1},
        {"height", DW_CF_BOOL, offsetof(radar_cfg, height), 0, 0, 0, 0},
        DETECTION_FIELDS(radar_cfg),
    };
    radar_cfg k;
    memset(&k, 0, sizeof k);
    k.period_us = 10000000;
    k.min_range_m = 1000;
    k.max_range_m = 250e3;
    k.min_el_rad = -2 * DEG;
    k.max_el_rad = 60 * DEG;
    k.pd = 0.9;
    k.ref_range_m = 100e3;
    k.ref_rcs_m2 = 1.0;
    k.pfa = 1e-6;
    k.ssr = 1;
    k.ssr_pd = 0.98;
    radar_sigma sig = {50.0, 0.2 * DEG, 0, 300.0, 0};
    dw_geodetic g;
    if (dw__cfg_read(c, e, where, f, N(f), skip_sigma, &k) != DW_OK ||
        read_sigma(c, e, where, 0, &sig) != DW_OK ||
        dw__sim_site(c, e, where, &k.site, k.lat_deg, k.lon_deg, k.alt_m, 20.0, &g) != DW_OK ||
        check_detection(c, e, where, &k) != DW_OK)
        return DW_ERR_PARSE;
    radar *r = calloc(1, sizeof *r);
    if (!r)
        return DW_ERR_NOMEM;
    dw_rng_seed(&r->rng, seed, dw_rng_hash(k.id));
    r->path = PATH_FIXED;
    dw_enu_frame_init(&r->site, &g);
    r->alt_m = g.alt_m;
    r->sig = sig;
    init_detection(r, &k, c);
    dw_sensor d;
    dw__sim_desc(&d, DW_SENSOR_RADAR, k.id, k.owner, &g);
    dw_asterix_sensor_name(d.wire_id, (unsigned)k.sac, (unsigned)k.sic);
    fill_desc(&d, r, &k);
    d.sigma_el_rad = 0;
    int idx = dw__sim_add_sensor(table, &d, DW_SIM_STREAM_ASTERIX);
    if (idx < 0) {
        free(r);
        return DW_ERR_NOMEM;
    }
    r->idx = (uint32_t)idx;
    *state = r;
    return DW_OK;
}

typedef struct orbit_cfg {
    dw__sim_point centre;
    double radius_m;
} orbit_cfg;

typedef struct track_cfg {
    dw__sim_point from, to;
    double radius_m;
} track_cfg;

static dw_status aew_load(const dw__cfg *c, const json_t *e, const char *where, uint64_t seed,
                          dw__sim_table *table, void **state)
{
    static const dw__cfg_field f[] = {
        DW__SIM_ID_FIELDS(radar_cfg),
        {"alt_m", DW_CF_NUM, offsetof(radar_cfg, alt_m), 0, 0, 3e4, 0},
        {"speed_kmh", DW_CF_KMH, offsetof(radar_cfg, speed_mps), 0, 0, 3000, 0},
        {"on", DW_CF_TIME, offsetof(radar_cfg, on_us), 0, 0, 0, 0},
        {"off", DW_CF_TIME, offsetof(radar_cfg, off_us), 0, 0, 0, 0},
        DETECTION_FIELDS(radar_cfg),
    };
    static const dw__cfg_field fo[] = {
        {"centre", DW_CF_POINT, offsetof(orbit_cfg, centre), 0, 0, 0, 1},
        {"radius_km", DW_CF_KM, offsetof(orbit_cfg, radius_m), 0, 0.5, 1000, 1},
    };
    static const dw__cfg_field ft[] = {
        {"from", DW_CF_POINT, offsetof(track_cfg, from), 0, 0, 0, 1},
        {"to", DW_CF_POINT, offsetof(track_cfg, to), 0, 0, 0, 1},
        {"radius_km", DW_CF_KM, offsetof(track_cfg, radius_m), 0, 0.5, 1000, 0},
    };
    static const char *const skip[] = {"kind", "sigma", "orbit", "racetrack", NULL};
    radar_cfg k;
    memset(&k, 0, sizeof k);
    k.alt_m = 9000;
    k.speed_mps = 600 / 3.6;
    k.on_us = INT64_MIN;
    k.off_us = INT64_MAX;
    k.period_us = 10000000;
    k.min_range_m = 1000;
    k.max_range_m = 400e3;
    k.min_el_rad = -90 * DEG;
    k.max_el_rad = 90 * DEG;
    k.pd = 0.9;
    k.ref_range_m = 200e3;
    k.ref_rcs_m2 = 1.0;
    k.pfa = 1e-6;
    k.ssr = 1;
    k.ssr_pd = 0.98;
    radar_sigma sig = {100.0, 0.3 * DEG, 0.5 * DEG, 0, 0};
    if (dw__cfg_read(c, e, where, f, N(f), skip, &k) != DW_OK ||
        read_sigma(c, e, where, 1, &sig) != DW_OK || check_detection(c, e, where, &k) != DW_OK)
        return DW_ERR_PARSE;
    if (!(k.on_us < k.off_us))
        return dw__cfg_fail(c, e, where, "on must be before off");
    const json_t *jo = json_object_get(e, "orbit"), *jt = json_object_get(e, "racetrack");
    if (!!jo == !!jt)
        return dw__cfg_fail(c, e, where, "give the platform's path as orbit or racetrack "
                                         "(exactly one)");
    char w[160];
    orbit_cfg oc = {0};
    track_cfg tc = {0};
    tc.radius_m = 20e3;
    dw_geodetic centre;
    if (jo) {
        snprintf(w, sizeof w, "%s: orbit", where);
        if (dw__cfg_read(c, jo, w, fo, N(fo), NULL, &oc) != DW_OK)
            return DW_ERR_PARSE;
        centre = (dw_geodetic){oc.centre.lat_deg, oc.centre.lon_deg, k.alt_m};
    } else {
        snprintf(w, sizeof w, "%s: racetrack", where);
        if (dw__cfg_read(c, jt, w, ft, N(ft), NULL, &tc) != DW_OK)
            return DW_ERR_PARSE;
        centre = (dw_geodetic){(tc.from.lat_deg + tc.to.lat_deg) / 2,
                               (tc.from.lon_deg + tc.to.lon_deg) / 2, k.alt_m};
    }
    if (!(k.speed_mps > 0))
        return dw__cfg_fail(c, e, where, "speed_kmh must be above 0");
    radar *r = calloc(1, sizeof *r);
    if (!r)
        return DW_ERR_NOMEM;
    dw_rng_seed(&r->rng, seed, dw_rng_hash(k.id));
    r->airborne = 1;
    r->alt_m = k.alt_m;
    r->speed_mps = k.speed_mps;
    r->on_us = k.on_us;
    r->off_us = k.off_us;
    dw_enu_frame_init(&r->site, &centre);
    if (jo) {
        r->path = PATH_ORBIT;
        r->radius_m = oc.radius_m;
    } else {
        r->path = PATH_RACETRACK;
        r->radius_m = tc.radius_m;
        dw_geodetic a = {tc.from.lat_deg, tc.from.lon_deg, k.alt_m};
        dw_geodetic b = {tc.to.lat_deg, tc.to.lon_deg, k.alt_m};
        double ea[3], eb[3];
        dw_enu_from_geo(&r->site, &a, ea);
        dw_enu_from_geo(&r->site, &b, eb);
        double de = eb[0] - ea[0], dn = eb[1] - ea[1], len = hypot(de, dn);
        if (!(len > 100.0)) {
            free(r);
            return dw__cfg_fail(c, jt, w, "from and to must be apart");
        }
        r->a_en[0] = ea[0];
        r->a_en[1] = ea[1];
        r->u_en[0] = de / len;
        r->u_en[1] = dn / len;
        r->n_en[0] = dn / len;      /* the right-hand side: turns are clockwise */
        r->n_en[1] = -de / len;
        r->leg_m = len;
    }
    r->sig = sig;
    init_detection(r, &k, c);
    dw_sensor d;
    dw__sim_desc(&d, DW_SENSOR_AEW, k.id, k.owner, &centre);
    fill_desc(&d, r, &k);
    d.sigma_pos_m = 0;
    int idx = dw__sim_add_sensor(table, &d, DW_SIM_STREAM_SAPIENT);
    if (idx < 0) {
        free(r);
        return DW_ERR_NOMEM;
    }
    r->idx = (uint32_t)idx;
    *state = r;
    return DW_OK;
}

static void radar_destroy(void *state)
{
    free(state);
}

/* ------------------------------------------------------------------ the platform */

/* Where the antenna is at t: its ENU frame there. */
static void platform_at(const radar *r, int64_t t_us, dw_enu_frame *out)
{
    if (r->path == PATH_FIXED) {
        *out = r->site;
        return;
    }
    int64_t t_from = r->on_us == INT64_MIN ? r->origin_us : r->on_us;
    double s = r->speed_mps * (double)(t_us - t_from) * 1e-6;
    double enu[3] = {0, 0, 0};
    if (r->path == PATH_ORBIT) {
        double th = s / r->radius_m;   /* clockwise from north */
        enu[0] = r->radius_m * sin(th);
        enu[1] = r->radius_m * cos(th);
    } else {
        double R = r->radius_m, L = r->leg_m, P = 2 * L + 2 * M_PI * R;
        s = fmod(s, P);
        if (s < 0)
            s += P;
        const double *A = r->a_en, *u = r->u_en, *n = r->n_en;
        double x, y;                    /* along u from A, across n */
        if (s < L) {
            x = s;
            y = 0;
        } else if (s < L + M_PI * R) {
            double ph = (s - L) / R;    /* round the far turn, centre at (L, R) */
            x = L + R * sin(ph);
            y = R - R * cos(ph);
        } else if (s < 2 * L + M_PI * R) {
            x = L - (s - L - M_PI * R);
            y = 2 * R;
        } else {
            double ph = (s - 2 * L - M_PI * R) / R;  /* the near turn, centre at (0, R) */
            x = -R * sin(ph);
            y = R + R * cos(ph);
        }
        enu[0] = A[0] + x * u[0] + y * n[0];
        enu[1] = A[1] + x * u[1] + y * n[1];
    }
    dw_geodetic g;
    dw_geo_from_enu(&r->site, enu, &g);
    g.alt_m = r->alt_m;
    dw_enu_frame_init(out, &g);
}

/* ------------------------------------------------------------------ the scan */

typedef struct scan_ctx {
    radar *r;
    const dw__sim_table *t;
    const dw_sim_world *w;
    const dw_sim_sink *sink;
    int64_t t0, ts;                 /* the step's start (the snapshot), the scan's */
} scan_ctx;

/* Where a target is seen from the platform: enu, range, azimuth and elevation. */
typedef struct seen {
    dw_enu_frame f;
    double enu[3], range_m, az_rad, el_rad;
} seen;

static void look(const radar *r, int64_t t_us, const double ecef[3], seen *v)
{
    platform_at(r, t_us, &v->f);
    dw_enu_from_ecef(&v->f, ecef, v->enu);
    dw_polar_from_enu(v->enu, &v->range_m, &v->az_rad, &v->el_rad);
}

static int64_t beam_at(const radar *r, int64_t ts, double az_rad)
{
    double f = dw__sim_wrap_2pi(az_rad) / (2 * M_PI);
    int64_t dt = (int64_t)(f * (double)r->period_us);
    return ts + (dt >= r->period_us ? r->period_us - 1 : dt);
}

static void emit_plot(const scan_ctx *q, const dw_sim_state *s, const seen *v, int primary,
                      int secondary)
{
    radar *r = q->r;
    dw_obs o;
    double rng_m = v->range_m + r->range_bias_m + r->sig.range_m * dw_rng_normal(&r->rng);
    double az =
        dw__sim_wrap_2pi(v->az_rad + r->az_bias_rad + r->sig.az_rad * dw_rng_normal(&r->rng));
    if (rng_m < 0)
        rng_m = -rng_m;
    int64_t t = s->truth.t_us;
    if (!r->airborne) {
        dw__sim_obs(&o, DW_OBS_POLAR, q->t, r->idx, t);
        o.range_m = rng_m;
        o.az_rad = az;
        o.sigma_range_m = r->sig.range_m;
        o.sigma_az_rad = r->sig.az_rad;
        if (secondary) {
            o.alt_m = s->truth.alt_m;           /* Mode C: pressure = true altitude here */
            o.sigma_alt_m = MODE_C_SIGMA_M;
            o.has |= DW_OBS_HAS_ALT;
        } else if (r->height) {
            /* A 3-D radar's height of a low target can come out below the ground; it
             * reports no lower than 1,500 ft below its datum (ASTERIX I110's floor). */
            o.alt_m = fmax(s->truth.alt_m + r->sig.height_m * dw_rng_normal(&r->rng),
                           MIN_HEIGHT_M);
            o.sigma_alt_m = r->sig.height_m;
            o.has |= DW_OBS_HAS_ALT;
        }
        if (primary && r->sig.rr_mps > 0) {
            /* the Doppler of the echo: the target's velocity along the line of sight */
            double vel[3], ve[3];
            dw__sim_vel_ecef(s, vel);
            dw_enu_vec_from_ecef(&v->f, vel, ve);
            const double rr = (v->enu[0] * ve[0] + v->enu[1] * ve[1] + v->enu[2] * ve[2]) /
                              v->range_m;
            o.range_rate_mps = rr + r->sig.rr_mps * dw_rng_normal(&r->rng);
            o.sigma_rr_mps = r->sig.rr_mps;
            o.has |= DW_OBS_HAS_RR;
        }
    } else {
        double el = v->el_rad + r->sig.el_rad * dw_rng_normal(&r->rng);
        double enu[3], ecef[3];
        dw_enu_from_polar(rng_m, az, el, enu);
        dw_ecef_from_enu(&v->f, enu, ecef);
        dw_geodetic g;
        dw_geo_from_ecef(ecef, &g);
        dw__sim_obs(&o, DW_OBS_POS3, q->t, r->idx, t);
        o.lat_deg = g.lat_deg;
        o.lon_deg = g.lon_deg;
        /* Looking down from far away, the elevation error puts low plots under the
         * ground; the radar reports no lower than its floor, as a ground radar does. */
        o.alt_m = fmax(g.alt_m, MIN_HEIGHT_M);
        o.has |= DW_OBS_HAS_POS | DW_OBS_HAS_ALT | DW_OBS_HAS_COV;
        /* P = J diag(σr², σaz², σel²) Jᵀ in the platform's frame, J = ∂enu/∂(r, az, el)
         * at the measured point, then turned into the frame at the plot. */
        double ce = cos(el), se = sin(el), ca = cos(az), sa = sin(az);
        double J[3][3] = {{ce * sa, rng_m * ce * ca, -rng_m * se * sa},
                          {ce * ca, -rng_m * ce * sa, -rng_m * se * ca},
                          {se, 0, rng_m * ce}};
        double var[3] = {r->sig.range_m * r->sig.range_m, r->sig.az_rad * r->sig.az_rad,
                         r->sig.el_rad * r->sig.el_rad};
        double P[3][3], Pe[3][3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) {
                double x = 0;
                for (int k = 0; k < 3; k++)
                    x += J[i][k] * var[k] * J[j][k];
                P[i][j] = x;
            }
        dw_ecef_cov_from_enu(&v->f, P, Pe);
        dw_enu_frame fp;
        dw_enu_frame_init(&fp, &g);
        dw_enu_cov_from_ecef(&fp, Pe, o.cov_enu);
        o.sigma_pos_m = sqrt(fmax(o.cov_enu[0][0], o.cov_enu[1][1]));
        o.sigma_alt_m = sqrt(o.cov_enu[2][2]);
    }
    if (secondary) {
        o.mode3a = s->mode3a;
        o.has |= DW_OBS_HAS_MODE3A;
        if (s->flags & DW_SIM_ADSB) {
            o.icao = s->icao;
            o.has |= DW_OBS_HAS_ICAO;
            if (s->callsign[0]) {
                memcpy(o.callsign, s->callsign, sizeof o.callsign);
                o.has |= DW_OBS_HAS_CALLSIGN;
            }
        }
    }
    if (primary && r->report_rcs && s->rcs_m2 > 0) {
        o.rcs_m2 = s->rcs_m2 * dw_rng_exp(&r->rng, 1.0);     /* Swerling-1 fluctuation */
        o.has |= DW_OBS_HAS_RCS;
    }
    dw__sim_emit(q->sink, &o, t, (int32_t)s->target);
}

static int scan_one(void *ctx, const dw_sim_state *s0)
{
    scan_ctx *q = ctx;
    radar *r = q->r;
    if (!s0->truth.alive)
        return 0;
    /* The instant the beam crosses the target: found on its path extrapolated from t0 (the
     * beam turns far faster than anything flies, so two rounds agree to well under a ms, and
     * on a straight leg the extrapolation is the path), then its exact state then. */
    double vel[3], p[3];
    dw__sim_vel_ecef(s0, vel);
    seen v;
    look(r, q->ts, s0->ecef, &v);
    int64_t tm = beam_at(r, q->ts, v.az_rad);
    for (int round = 0; round < 2; round++) {
        double dt_s = (double)(tm - q->t0) * 1e-6;
        for (int i = 0; i < 3; i++)
            p[i] = s0->ecef[i] + vel[i] * dt_s;
        look(r, tm, p, &v);
        tm = beam_at(r, q->ts, v.az_rad);
    }
    dw_sim_state s;
    if (!dw_sim_world_state(q->w, s0->target, tm, &s) || !s.truth.alive)
        return 0;
    look(r, tm, s.ecef, &v);
    if (v.range_m < r->min_range_m || v.range_m > r->max_range_m || v.el_rad < r->min_el_rad ||
        v.el_rad > r->max_el_rad)
        return 0;
    if (!dw__sim_los(r->alt_m - r->ground_alt_m, s.truth.alt_m - r->ground_alt_m,
                     hypot(v.enu[0], v.enu[1])))
        return 0;
    int primary = 0, secondary = 0;
    if (s.rcs_m2 > 0) {
        double x = r->ref_range_m / v.range_m;
        double snr = r->snr_ref * (s.rcs_m2 / r->ref_rcs_m2) * x * x * x * x;
        primary = dw_rng_uniform(&r->rng) < dw__sim_swerling1(snr, r->pfa);
    }
    if (r->ssr && (s.flags & DW_SIM_SSR))
        secondary = dw_rng_uniform(&r->rng) < r->ssr_pd;
    if (primary || secondary)
        emit_plot(q, &s, &v, primary, secondary);
    return 0;
}

static void clutter(const scan_ctx *q)
{
    radar *r = q->r;
    uint32_t n = dw_rng_poisson(&r->rng, r->clutter_per_scan);
    double a2 = r->min_range_m * r->min_range_m, b2 = r->max_range_m * r->max_range_m;
    for (uint32_t i = 0; i < n; i++) {
        /* Uniform over the annulus: r² uniform between the limits. */
        double rng_m = sqrt(a2 + dw_rng_uniform(&r->rng) * (b2 - a2));
        double az = 2 * M_PI * dw_rng_uniform(&r->rng);
        double h = 2000.0 * dw_rng_uniform(&r->rng);    /* low: ground and weather */
        int64_t t = beam_at(r, q->ts, az);
        dw_obs o;
        if (!r->airborne) {
            dw__sim_obs(&o, DW_OBS_POLAR, q->t, r->idx, t);
            o.range_m = rng_m;
            o.az_rad = az;
            o.sigma_range_m = r->sig.range_m;
            o.sigma_az_rad = r->sig.az_rad;
            if (r->height) {
                o.alt_m = r->ground_alt_m + h;
                o.sigma_alt_m = r->sig.height_m;
                o.has |= DW_OBS_HAS_ALT;
            }
            if (r->sig.rr_mps > 0) {
                /* a false alarm in the Doppler filter bank: any speed a drone or a car has */
                o.range_rate_mps = 100.0 * dw_rng_uniform(&r->rng) - 50.0;
                o.sigma_rr_mps = r->sig.rr_mps;
                o.has |= DW_OBS_HAS_RR;
            }
        } else {
            dw_enu_frame f;
            platform_at(r, t, &f);
            double enu[3], ecef[3];
            dw_enu_from_polar(rng_m, az, 0, enu);
            dw_ecef_from_enu(&f, enu, ecef);
            dw_geodetic g;
            dw_geo_from_ecef(ecef, &g);
            dw__sim_obs(&o, DW_OBS_POS3, q->t, r->idx, t);
            o.lat_deg = g.lat_deg;
            o.lon_deg = g.lon_deg;
            o.alt_m = r->ground_alt_m + h;
            o.has |= DW_OBS_HAS_POS | DW_OBS_HAS_ALT;
            o.sigma_pos_m = fmax(r->sig.range_m, rng_m * r->sig.az_rad);
            o.sigma_alt_m = rng_m * r->sig.el_rad;
        }
        dw__sim_emit(q->sink, &o, t, -1);
    }
}

static void radar_step(void *state, const dw__sim_table *t, const dw_sim_world *w, int64_t t0_us,
                       int64_t t1_us, const dw_sim_sink *sink)
{
    radar *r = state;
    for (int64_t ts = dw__sim_next_tick(t0_us, r->origin_us, r->period_us); ts < t1_us;
         ts += r->period_us) {
        if (r->airborne && (ts < r->on_us || ts >= r->off_us))
            continue;
        scan_ctx q = {r, t, w, sink, t0_us, ts};
        /* Candidates: within range of the platform now, plus what targets and the platform
         * can fly until the end of the scan. */
        dw_enu_frame f;
        platform_at(r, ts, &f);
        double reach = r->max_range_m +
                       (dw__sim_vmax(t) + r->speed_mps) * (double)(ts - t0_us + r->period_us) * 1e-6;
        dw__sim_near(t, f.origin.lat_deg, f.origin.lon_deg, reach, scan_one, &q);
        clutter(&q);
    }
}

const dw__sim_model dw__sim_model_radar = {
    .kind = "radar",
    .summary = "rotating ground radar (PSR Swerling-1 + SSR), plots in ASTERIX CAT048",
    .load = radar_load,
    .step = radar_step,
    .destroy = radar_destroy,
};

const dw__sim_model dw__sim_model_aew = {
    .kind = "aew",
    .summary = "airborne early-warning radar on an orbit or racetrack, positions in SAPIENT",
    .load = aew_load,
    .step = radar_step,
    .destroy = radar_destroy,
};
