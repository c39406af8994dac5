/* threat.c — the predicted path of a track and what it can reach (threat.h).
 *
 * Per evaluation: the path points (a rhumb line stepped in segments of at most
 * seg_max_m), the country under each point, the first crossing into the home country
 * (dw_geog_first_crossing on every segment until one is found, so a path that clips a
 * corner between two points is not missed), the other countries entered (a change of
 * country between two points, located on that segment's border), and per candidate
 * region and site the earliest instant the path comes within k σ(t) of it and its
 * closest approach. Candidates are those whose box, grown by the largest k σ of the
 * path, meets the path's box; a region's distance is asked of the geography only when
 * the box's own lower bound does not already settle the question.
 */
#include "dronewall/threat.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/geo.h"

#define DEG (M_PI / 180.0)

typedef struct site {
    int feature;
    double lat_deg, lon_deg, radius_m;
    double kx, ky;                      /* metres per degree of longitude, latitude   */
    double value;
    double min_lat, max_lat, min_lon, max_lon;
} site;

typedef struct region {
    int feature;
    double min_lat, max_lat, min_lon, max_lon;
    double kx_min;                      /* metres per degree of longitude at its
                                           poleward edge: the smallest over its box     */
} region;

struct dw_threat_ctx {
    const dw_geog *g;
    dw_threat_config c;
    char country_kinds[128], region_kinds[128], site_kinds[256];
    int home;
    uint32_t country_mask, region_mask, site_mask;
    site *sites;
    size_t n_sites;
    region *regions;
    size_t n_regions;
    region *countries;                  /* every country feature, with its box         */
    size_t n_countries;
    double *value_of;                   /* per feature: site value or -1              */
    size_t n_features;
};

void dw_threat_config_default(dw_threat_config *c)
{
    memset(c, 0, sizeof *c);
    memcpy(c->home, "PL", 3);
    c->country_kinds = "country";
    c->region_kinds = "region";
    c->site_kinds = "airport,power_plant,base,city";
    c->horizon_s = 900.0;
    c->seg_max_m = 10000.0;
    c->k_sigma = 2.0;
    c->manoeuvre_q = 0.05;
    c->score_tau_s = 600.0;
}

/* Metres per degree of longitude (kx) and latitude (ky) on the WGS-84 ellipsoid. */
static void metres_per_deg(double lat_deg, double *kx, double *ky)
{
    const double e2 = DW_WGS84_F * (2.0 - DW_WGS84_F);
    double s = sin(lat_deg * DEG), w = sqrt(1.0 - e2 * s * s);
    double n = DW_WGS84_A / w, m = DW_WGS84_A * (1.0 - e2) / (w * w * w);
    *kx = n * cos(lat_deg * DEG) * DEG;
    *ky = m * DEG;
}

double dw_threat_max_eig2(double a, double b, double c)
{
    double m = 0.5 * (a + c), d = 0.5 * (a - c);
    double r = m + sqrt(d * d + b * b);
    return r > 0 ? r : 0.0;
}

double dw_threat_sigma_m(const dw_threat_config *c, double sigma_pos_m, double sigma_vel_mps,
                         double t_s)
{
    if (t_s < 0)
        t_s = 0;
    double v = sigma_pos_m * sigma_pos_m + t_s * t_s * sigma_vel_mps * sigma_vel_mps +
               c->manoeuvre_q * t_s * t_s * t_s / 3.0;
    return sqrt(v);
}

static void seterr(char *err, size_t errlen, const char *fmt, const char *a)
{
    if (err && errlen)
        snprintf(err, errlen, fmt, a);
}

static double kind_value(const dw_geog *g, int i, const dw_geog_feature *f)
{
    double v;
    if (dw_geog_prop_num(g, (size_t)i, "value", &v) && v >= 0 && v <= 1)
        return v;
    if (!strcmp(f->kind, "base"))
        return 1.0;
    if (!strcmp(f->kind, "power_plant"))
        return 0.9;
    if (!strcmp(f->kind, "airport"))
        return 0.8;
    if (!strcmp(f->kind, "city")) {
        if (!(f->population > 0))
            return 0.6;
        v = 0.5 + 0.25 * log10(f->population / 50000.0);
        return v < 0.4 ? 0.4 : v > 1.0 ? 1.0 : v;
    }
    return 0.5;
}

dw_status dw_threat_create(const dw_geog *g, const dw_threat_config *cfg, dw_threat_ctx **out,
                           char *err, size_t errlen)
{
    dw_threat_config c;
    if (cfg)
        c = *cfg;
    else
        dw_threat_config_default(&c);
    if (!g || !out) {
        seterr(err, errlen, "%s", "no geography");
        return DW_ERR_INVALID;
    }
    if (!(c.horizon_s >= 0 && c.horizon_s <= 86400) || !(c.seg_max_m > 0) ||
        !(c.k_sigma >= 0 && c.k_sigma < 100) || !(c.manoeuvre_q >= 0 && isfinite(c.manoeuvre_q)) ||
        !(c.score_tau_s > 0 && isfinite(c.score_tau_s))) {
        seterr(err, errlen, "%s", "threat: a value out of range (horizon_s, seg_max_m, k_sigma, "
                                  "manoeuvre_q or score_tau_s)");
        return DW_ERR_INVALID;
    }
    c.home[2] = 0;
    const char *ck = c.country_kinds ? c.country_kinds : "country";
    const char *rk = c.region_kinds ? c.region_kinds : "region";
    const char *sk = c.site_kinds ? c.site_kinds : "";
    dw_threat_ctx *x = calloc(1, sizeof *x);
    if (!x)
        return DW_ERR_NOMEM;
    snprintf(x->country_kinds, sizeof x->country_kinds, "%s", ck);
    snprintf(x->region_kinds, sizeof x->region_kinds, "%s", rk);
    snprintf(x->site_kinds, sizeof x->site_kinds, "%s", sk);
    c.country_kinds = x->country_kinds;
    c.region_kinds = x->region_kinds;
    c.site_kinds = x->site_kinds;
    x->g = g;
    x->c = c;
    x->country_mask = dw_geog_kinds(g, ck);
    x->region_mask = dw_geog_kinds(g, rk);
    x->site_mask = dw_geog_kinds(g, sk);
    x->home = dw_geog_find(g, c.home);
    if (x->home < 0 || !x->country_mask ||
        !((x->country_mask >> dw_geog_get(g, (size_t)x->home)->kind_index) & 1u)) {
        seterr(err, errlen, "the geography has no country \"%s\" (the home country)", c.home);
        free(x);
        return DW_ERR_INVALID;
    }
    size_t n = dw_geog_count(g);
    x->n_features = n;
    x->sites = calloc(n ? n : 1, sizeof *x->sites);
    x->regions = calloc(n ? n : 1, sizeof *x->regions);
    x->countries = calloc(n ? n : 1, sizeof *x->countries);
    x->value_of = malloc((n ? n : 1) * sizeof *x->value_of);
    if (!x->sites || !x->regions || !x->countries || !x->value_of) {
        dw_threat_destroy(x);
        return DW_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        const dw_geog_feature *f = dw_geog_get(g, i);
        uint32_t bit = 1u << f->kind_index;
        x->value_of[i] = -1;
        if ((x->country_mask & bit) && f->shape == DW_GEOG_AREA) {
            region *r = &x->countries[x->n_countries++];
            r->feature = (int)i;
            r->min_lat = f->min_lat_deg;
            r->max_lat = f->max_lat_deg;
            r->min_lon = f->min_lon_deg;
            r->max_lon = f->max_lon_deg;
        }
        if (x->site_mask & bit) {
            site *s = &x->sites[x->n_sites++];
            s->feature = (int)i;
            s->lat_deg = f->lat_deg;
            s->lon_deg = f->lon_deg;
            s->radius_m = f->shape == DW_GEOG_CIRCLE ? f->radius_m : 0.0;
            if (f->shape == DW_GEOG_AREA) {
                /* An area used as a site: its box's half-diagonal as the radius, a
                 * coarse stand-in (sites are circles in the shipped data). */
                double kx, ky;
                metres_per_deg(f->lat_deg, &kx, &ky);
                s->radius_m = 0.5 * hypot((f->max_lon_deg - f->min_lon_deg) * kx,
                                          (f->max_lat_deg - f->min_lat_deg) * ky);
            }
            metres_per_deg(s->lat_deg, &s->kx, &s->ky);
            s->value = kind_value(g, (int)i, f);
            x->value_of[i] = s->value;
            s->min_lat = f->min_lat_deg;
            s->max_lat = f->max_lat_deg;
            s->min_lon = f->min_lon_deg;
            s->max_lon = f->max_lon_deg;
        } else if ((x->region_mask & bit) && f->shape == DW_GEOG_AREA &&
                   !strcmp(f->country, c.home)) {
            region *r = &x->regions[x->n_regions++];
            r->feature = (int)i;
            r->min_lat = f->min_lat_deg;
            r->max_lat = f->max_lat_deg;
            r->min_lon = f->min_lon_deg;
            r->max_lon = f->max_lon_deg;
            double ky;
            metres_per_deg(fabs(r->min_lat) > fabs(r->max_lat) ? r->min_lat : r->max_lat, &r->kx_min, &ky);
        }
    }
    *out = x;
    return DW_OK;
}

void dw_threat_destroy(dw_threat_ctx *x)
{
    if (!x)
        return;
    free(x->sites);
    free(x->regions);
    free(x->countries);
    free(x->value_of);
    free(x);
}

const dw_threat_config *dw_threat_config_of(const dw_threat_ctx *x) { return &x->c; }
int dw_threat_home(const dw_threat_ctx *x) { return x->home; }

uint32_t dw_threat_kinds(const dw_threat_ctx *x, int which)
{
    return which == 0 ? x->country_mask : which == 1 ? x->region_mask : x->site_mask;
}

double dw_threat_site_value(const dw_threat_ctx *x, int feature)
{
    if (!x || feature < 0 || (size_t)feature >= x->n_features)
        return -1;
    return x->value_of[feature];
}

/* ---- the path ------------------------------------------------------------------- */

/* Keeps the earliest DW_THREAT_MAX_REACH entries, sorted by eta. */
static void add_reach(dw_threat *th, const dw_threat_reach *r)
{
    int n = th->n_reach;
    if (n == DW_THREAT_MAX_REACH) {
        th->n_reach_dropped++;
        if (r->eta_us >= th->reach[n - 1].eta_us)
            return;
        n--;
    }
    int k = n;
    while (k > 0 && th->reach[k - 1].eta_us > r->eta_us) {
        th->reach[k] = th->reach[k - 1];
        k--;
    }
    th->reach[k] = *r;
    th->n_reach = n + 1;
}

static int64_t at_us(const dw_threat *th, double t_s)
{
    return th->t_us + (int64_t)llround(t_s * 1e6);
}

/* The root in [t0, t1] of g, linear between g0 = g(t0) > 0 and g1 = g(t1) <= 0. */
static double lin_root(double t0, double g0, double t1, double g1)
{
    if (!(g0 > 0))
        return t0;
    double den = g0 - g1;
    if (!(den > 0))
        return t1;
    return t0 + (t1 - t0) * g0 / den;
}

/* A circle site: per segment in a plane at its centre, the closest approach of the
 * centre line and the first s in [0, 1] where |a + b s| <= R0 + (R1 - R0) s (the
 * reach radius r + k σ taken linear over the segment). */
static void eval_site(const dw_threat_ctx *x, dw_threat *th, const site *s)
{
    const double k = x->c.k_sigma;
    double best_d = INFINITY, best_t = 0, eta_t = NAN, eta_sig = 0, enter_t = 0;
    int on_path = 0, inside_now = 0;
    const double dt = th->seg_s;
    double ax = (th->lon_deg[0] - s->lon_deg) * s->kx, ay = (th->lat_deg[0] - s->lat_deg) * s->ky;
    double d0 = hypot(ax, ay);
    inside_now = d0 <= s->radius_m;
    if (d0 <= s->radius_m + k * th->sigma_m[0]) {
        eta_t = 0;
        eta_sig = th->sigma_m[0];
    }
    best_d = d0;
    if (th->n_points == 1)
        on_path = inside_now;
    for (int i = 0; i + 1 < th->n_points; i++) {
        double bx = (th->lon_deg[i + 1] - s->lon_deg) * s->kx - ax;
        double by = (th->lat_deg[i + 1] - s->lat_deg) * s->ky - ay;
        double bb = bx * bx + by * by, ab = ax * bx + ay * by, aa = ax * ax + ay * ay;
        double sm = bb > 0 ? -ab / bb : 0;
        if (sm < 0)
            sm = 0;
        else if (sm > 1)
            sm = 1;
        double dm = hypot(ax + bx * sm, ay + by * sm);
        if (dm < best_d) {
            best_d = dm;
            best_t = (i + sm) * dt;
        }
        if (dm <= s->radius_m && !on_path) {
            on_path = 1;
            /* the centre line's entry: |a + b s| = r */
            double C = aa - s->radius_m * s->radius_m, se = 0;
            if (C > 0 && bb > 0) {
                double disc = ab * ab - bb * C;
                se = disc > 0 ? (-ab - sqrt(disc)) / bb : sm;
                if (se < 0)
                    se = 0;
            }
            enter_t = (i + se) * dt;
        }
        if (isnan(eta_t)) {
            double R0 = s->radius_m + k * th->sigma_m[i];
            double R1 = s->radius_m + k * th->sigma_m[i + 1] - R0;
            double A = bb - R1 * R1, B = 2.0 * (ab - R0 * R1), C = aa - R0 * R0;
            double root = NAN;
            if (C <= 0)
                root = 0;
            else if (fabs(A) < 1e-12) {
                if (B < 0)
                    root = -C / B;
            } else {
                double disc = B * B - 4 * A * C;
                if (disc >= 0) {
                    double q = sqrt(disc);
                    double r1 = (-B - q) / (2 * A), r2 = (-B + q) / (2 * A);
                    if (r1 > r2) {
                        double tmp = r1;
                        r1 = r2;
                        r2 = tmp;
                    }
                    root = r1 >= 0 ? r1 : r2 >= 0 ? r2 : NAN;
                }
            }
            if (root >= 0 && root <= 1) {
                eta_t = (i + root) * dt;
                eta_sig = th->sigma_m[i] + root * (th->sigma_m[i + 1] - th->sigma_m[i]);
            }
        }
        ax += bx;
        ay += by;
    }
    if (isnan(eta_t))
        return;
    dw_threat_reach r;
    memset(&r, 0, sizeof r);
    r.feature = s->feature;
    r.is_site = 1;
    r.inside_now = inside_now;
    r.on_path = on_path;
    r.eta_us = at_us(th, eta_t);
    r.sigma_m = eta_sig;
    r.approach_m = best_d;
    r.approach_us = at_us(th, best_t);
    r.arrive_us = at_us(th, on_path ? enter_t : best_t);
    r.value = s->value;
    add_reach(th, &r);
}

/* A lower bound of the distance in metres from path point i to anything inside a
 * region's box: metres per degree of longitude taken as the smaller of the point's and
 * the box's poleward edge's, of latitude as the smallest anywhere (the equator's). */
static double box_dist_m(const dw_threat *th, const double *kxp, int i, const region *r)
{
    const double lat = th->lat_deg[i], lon = th->lon_deg[i];
    double kx = kxp[i] < r->kx_min ? kxp[i] : r->kx_min;
    double dx = lon < r->min_lon ? r->min_lon - lon : lon > r->max_lon ? lon - r->max_lon : 0;
    double dy = lat < r->min_lat ? r->min_lat - lat : lat > r->max_lat ? lat - r->max_lat : 0;
    return hypot(dx * kx, dy * 110574.0);
}

/* The distance from path point i to a region (0 inside); with the box bound first, and
 * the exact distance only when the bound is below `need` (else the bound, flagged). */
static double region_dist(const dw_threat_ctx *x, const dw_threat *th, const double *kxp,
                          const region *r, int i, double need)
{
    double lb = box_dist_m(th, kxp, i, r);
    if (lb > need)
        return lb;
    if (dw_geog_contains(x->g, (size_t)r->feature, th->lat_deg[i], th->lon_deg[i]))
        return 0;
    double d;
    if (dw_geog_boundary_distance(x->g, (size_t)r->feature, th->lat_deg[i], th->lon_deg[i], &d,
                                  NULL, NULL) != DW_OK)
        return lb;
    return d;
}

static void eval_region(const dw_threat_ctx *x, dw_threat *th, const double *kxp, const region *r)
{
    const double k = x->c.k_sigma, dt = th->seg_s;
    dw_threat_reach o;
    memset(&o, 0, sizeof o);
    o.feature = r->feature;
    o.eta_us = INT64_MIN;
    /* Distances are asked of the geography only where the box's bound does not settle
     * the reach; elsewhere the bound stands in (for the interpolation below it is a
     * lower bound, so the reach instant comes out early, never late). */
    double d = region_dist(x, th, kxp, r, 0, k * th->sigma_m[0]);
    double best_d = d, best_t = 0, eta_t = NAN;
    if (d == 0) {
        o.inside_now = o.on_path = 1;
        eta_t = 0;
        o.sigma_m = th->sigma_m[0];
        best_d = 0;
    } else if (d <= k * th->sigma_m[0]) {
        eta_t = 0;
        o.sigma_m = th->sigma_m[0];
    }
    for (int i = 0; !o.on_path && i + 1 < th->n_points; i++) {
        const double ks0 = k * th->sigma_m[i], ks1 = k * th->sigma_m[i + 1];
        double la0 = th->lat_deg[i], lo0 = th->lon_deg[i];
        double la1 = th->lat_deg[i + 1], lo1 = th->lon_deg[i + 1];
        /* Does the segment's box, grown by k σ, meet the region's? */
        double smin_la = la0 < la1 ? la0 : la1, smax_la = la0 < la1 ? la1 : la0;
        double smin_lo = lo0 < lo1 ? lo0 : lo1, smax_lo = lo0 < lo1 ? lo1 : lo0;
        int cross = 0;
        dw_geog_crossing c;
        if (!(smax_la < r->min_lat || smin_la > r->max_lat || smax_lo < r->min_lon ||
              smin_lo > r->max_lon)) {
            if (dw_geog_first_crossing(x->g, (size_t)r->feature, la0, lo0, la1, lo1, &cross, &c) !=
                DW_OK)
                cross = 0;
        }
        if (cross) {
            double tc = (i + c.frac) * dt;
            o.on_path = 1;
            best_d = 0;
            best_t = tc;
            if (isnan(eta_t)) {
                /* d falls to 0 at the crossing; for a locally straight border it falls
                 * linearly, so the reach instant is where d = k σ on that line. */
                double ksc = k * (th->sigma_m[i] + c.frac * (th->sigma_m[i + 1] - th->sigma_m[i]));
                eta_t = lin_root(i * dt, d - ks0, tc, -ksc);
                double f = (eta_t / dt) - i;
                o.sigma_m = th->sigma_m[i] + f * (th->sigma_m[i + 1] - th->sigma_m[i]);
            }
            break;
        }
        double d1 = region_dist(x, th, kxp, r, i + 1, ks1);
        if (d1 < best_d) {
            best_d = d1;
            best_t = (i + 1) * dt;
        }
        if (isnan(eta_t) && d1 <= ks1) {
            eta_t = lin_root(i * dt, d - ks0, (i + 1) * dt, d1 - ks1);
            double f = (eta_t / dt) - i;
            o.sigma_m = th->sigma_m[i] + f * (th->sigma_m[i + 1] - th->sigma_m[i]);
        }
        d = d1;
    }
    if (isnan(eta_t))
        return;
    o.eta_us = at_us(th, eta_t);
    o.approach_m = best_d;
    o.approach_us = at_us(th, best_t);
    o.arrive_us = o.approach_us;        /* on the path: the crossing (or now, inside) */
    add_reach(th, &o);
}

static int country_at(const dw_threat_ctx *x, double lat, double lon)
{
    for (size_t j = 0; j < x->n_countries; j++) {
        const region *r = &x->countries[j];
        if (lat >= r->min_lat && lat <= r->max_lat && lon >= r->min_lon && lon <= r->max_lon &&
            dw_geog_contains(x->g, (size_t)r->feature, lat, lon))
            return r->feature;
    }
    return -1;
}

dw_status dw_threat_eval(const dw_threat_ctx *x, const dw_track *t, dw_threat *th)
{
    if (!x || !t || !th || !isfinite(t->lat_deg) || !isfinite(t->lon_deg) ||
        fabs(t->lat_deg) > 89.0 || fabs(t->lon_deg) > 180.0 || !isfinite(t->vel_enu_mps[0]) ||
        !isfinite(t->vel_enu_mps[1]))
        return DW_ERR_INVALID;
    const dw_threat_config *c = &x->c;
    const double ve = t->vel_enu_mps[0], vn = t->vel_enu_mps[1];
    double sp2 = dw_threat_max_eig2(t->cov_pos_enu[0][0], 0.5 * (t->cov_pos_enu[0][1] + t->cov_pos_enu[1][0]),
                                    t->cov_pos_enu[1][1]);
    double sv2 = dw_threat_max_eig2(t->cov_vel_enu[0][0], 0.5 * (t->cov_vel_enu[0][1] + t->cov_vel_enu[1][0]),
                                    t->cov_vel_enu[1][1]);
    if (!isfinite(sp2) || !isfinite(sv2))
        return DW_ERR_INVALID;

    th->track_id = t->id;
    th->t_us = t->t_us;
    th->speed_mps = hypot(ve, vn);
    th->sigma_pos_m = sqrt(sp2);
    th->sigma_vel_mps = sqrt(sv2);
    th->n_crossings = 0;
    th->n_reach = 0;
    th->n_reach_dropped = 0;
    th->score = 0;
    th->cross_eta_us = INT64_MIN;
    th->cross_lat_deg = th->cross_lon_deg = NAN;

    /* Segments: equal, at most seg_max_m long, at most DW_THREAT_MAX_SEGS of them. */
    int nseg;
    double len = th->speed_mps * c->horizon_s;
    if (c->horizon_s <= 0 || len < 1.0)
        nseg = c->horizon_s > 0 ? 1 : 0;
    else {
        double m = ceil(len / c->seg_max_m);
        nseg = m > DW_THREAT_MAX_SEGS ? DW_THREAT_MAX_SEGS : (int)m;
    }
    th->seg_s = nseg ? c->horizon_s / nseg : 0.0;
    th->n_points = nseg + 1;
    double lat = t->lat_deg, lon = t->lon_deg;
    double kxp[DW_THREAT_MAX_SEGS + 1];
    for (int i = 0; i <= nseg; i++) {
        th->lat_deg[i] = lat;
        th->lon_deg[i] = lon;
        th->sigma_m[i] = (float)dw_threat_sigma_m(c, th->sigma_pos_m, th->sigma_vel_mps, i * th->seg_s);
        double kx, ky;
        metres_per_deg(lat, &kx, &ky);
        kxp[i] = kx;
        if (i == nseg)
            break;
        double dlat = vn * th->seg_s / ky;
        metres_per_deg(lat + 0.5 * dlat, &kx, &ky);
        dlat = vn * th->seg_s / ky;
        double dlon = ve * th->seg_s / kx;
        lat += dlat;
        lon += dlon;
        if (lat > 89.0)
            lat = 89.0;
        else if (lat < -89.0)
            lat = -89.0;
        if (lon > 180.0)
            lon -= 360.0;
        else if (lon < -180.0)
            lon += 360.0;
    }

    /* Countries under the points; the home crossing; the others entered. */
    double min_la = th->lat_deg[0], max_la = min_la, min_lo = th->lon_deg[0], max_lo = min_lo;
    for (int i = 0; i < th->n_points; i++) {
        th->country[i] = (int16_t)country_at(x, th->lat_deg[i], th->lon_deg[i]);
        if (th->lat_deg[i] < min_la)
            min_la = th->lat_deg[i];
        if (th->lat_deg[i] > max_la)
            max_la = th->lat_deg[i];
        if (th->lon_deg[i] < min_lo)
            min_lo = th->lon_deg[i];
        if (th->lon_deg[i] > max_lo)
            max_lo = th->lon_deg[i];
    }
    th->now_in = th->country[0];
    th->inside_home = th->now_in == x->home;
    if (!th->inside_home) {
        const dw_geog_feature *h = dw_geog_get(x->g, (size_t)x->home);
        for (int i = 0; i + 1 < th->n_points; i++) {
            double la0 = th->lat_deg[i], la1 = th->lat_deg[i + 1];
            double lo0 = th->lon_deg[i], lo1 = th->lon_deg[i + 1];
            if ((la0 < h->min_lat_deg && la1 < h->min_lat_deg) ||
                (la0 > h->max_lat_deg && la1 > h->max_lat_deg) ||
                (lo0 < h->min_lon_deg && lo1 < h->min_lon_deg) ||
                (lo0 > h->max_lon_deg && lo1 > h->max_lon_deg))
                continue;
            int cr = 0;
            dw_geog_crossing cc;
            if (dw_geog_first_crossing(x->g, (size_t)x->home, la0, lo0, la1, lo1, &cr, &cc) ==
                    DW_OK &&
                cr && cc.entering) {
                th->cross_eta_us = at_us(th, (i + cc.frac) * th->seg_s);
                th->cross_lat_deg = cc.lat_deg;
                th->cross_lon_deg = cc.lon_deg;
                break;
            }
        }
    }
    for (int i = 0; i + 1 < th->n_points && th->n_crossings < DW_THREAT_MAX_CROSSINGS; i++) {
        int to = th->country[i + 1];
        if (to < 0 || to == th->country[i] || to == x->home)
            continue;
        int seen = 0;
        for (int j = 0; j < th->n_crossings; j++)
            seen |= th->crossings[j].feature == to;
        if (seen)
            continue;
        dw_threat_crossing *xc = &th->crossings[th->n_crossings++];
        const dw_geog_feature *f = dw_geog_get(x->g, (size_t)to);
        xc->feature = to;
        size_t idl = strlen(f->id);
        if (idl <= 2)
            memcpy(xc->country, f->id, idl + 1);
        else
            xc->country[0] = 0;
        int cr = 0;
        dw_geog_crossing cc;
        if (dw_geog_first_crossing(x->g, (size_t)to, th->lat_deg[i], th->lon_deg[i],
                                   th->lat_deg[i + 1], th->lon_deg[i + 1], &cr, &cc) == DW_OK &&
            cr) {
            xc->eta_us = at_us(th, (i + cc.frac) * th->seg_s);
            xc->lat_deg = cc.lat_deg;
            xc->lon_deg = cc.lon_deg;
        } else {
            xc->eta_us = at_us(th, (i + 1) * th->seg_s);
            xc->lat_deg = th->lat_deg[i + 1];
            xc->lon_deg = th->lon_deg[i + 1];
        }
    }

    /* Regions and sites whose box, grown by the largest reach, meets the path's box. */
    double smax = th->sigma_m[th->n_points - 1];
    double kx, ky;
    metres_per_deg(fabs(min_la) > fabs(max_la) ? min_la : max_la, &kx, &ky);
    double grow_m = c->k_sigma * smax;
    double glat = grow_m / ky, glon = grow_m / kx;
    for (size_t j = 0; j < x->n_regions; j++) {
        const region *r = &x->regions[j];
        if (r->max_lat < min_la - glat || r->min_lat > max_la + glat || r->max_lon < min_lo - glon ||
            r->min_lon > max_lo + glon)
            continue;
        eval_region(x, th, kxp, r);
    }
    for (size_t j = 0; j < x->n_sites; j++) {
        const site *s = &x->sites[j];
        double gla = glat + s->radius_m / ky, glo = glon + s->radius_m / kx;
        if (s->lat_deg < min_la - gla || s->lat_deg > max_la + gla || s->lon_deg < min_lo - glo ||
            s->lon_deg > max_lo + glo)
            continue;
        eval_site(x, th, s);
    }
    return DW_OK;
}

static double aff_weight(dw_affiliation a)
{
    switch (a) {
    case DW_AFF_HOSTILE: return 1.0;
    case DW_AFF_SUSPECT: return 0.85;
    case DW_AFF_UNKNOWN:
    case DW_AFF_PENDING: return 0.7;
    case DW_AFF_NEUTRAL: return 0.1;
    case DW_AFF_ASSUMED_FRIEND: return 0.05;
    case DW_AFF_FRIEND: return 0.0;
    default: return 0.7;
    }
}

double dw_threat_score(const dw_threat_ctx *x, dw_threat *th, double drone_prob,
                       dw_affiliation aff)
{
    const double tau = x->c.score_tau_s;
    double p = drone_prob < 0 ? 0 : drone_prob > 1 ? 1 : drone_prob;
    if (!(p == p))
        p = 0;
    double b = 0;
    if (th->inside_home)
        b = 0.5;
    else if (th->cross_eta_us != INT64_MIN) {
        double dt = (double)(th->cross_eta_us - th->t_us) * 1e-6;
        b = 0.5 * exp(-(dt > 0 ? dt : 0) / tau);
    }
    double s = 0;
    for (int i = 0; i < th->n_reach; i++) {
        const dw_threat_reach *r = &th->reach[i];
        if (!r->is_site)
            continue;
        double dt = (double)(r->eta_us - th->t_us) * 1e-6;
        double v = r->value * exp(-(dt > 0 ? dt : 0) / tau);
        if (v > s)
            s = v;
    }
    double score = p * aff_weight(aff) * (b + (1.0 - b) * s);
    if (score < 0)
        score = 0;
    else if (score > 1)
        score = 1;
    th->score = score;
    return score;
}
