/* intercept.c — intercept geometry, shots and cost, debris ground risk (intercept.h).
 *
 * The feasible intercept times are the intersection of a few sets of t, each bounded by
 * the roots of a quadratic or a line (reach, max range, min range, altitudes, deadline):
 * the earliest feasible time is therefore one of those roots or t_react, and testing the
 * sorted candidates in turn finds it exactly, with no stepping in time.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/intercept.h"

static const char *const reason_str[DW_ICPT_NREASONS] = {
#define DW_ICPT_STR(e, s) s,
    DW_INTERCEPT_REASONS(DW_ICPT_STR)
#undef DW_ICPT_STR
};

const char *dw_intercept_reason_str(dw_intercept_reason r)
{
    return (unsigned)r < DW_ICPT_NREASONS ? reason_str[r] : "?";
}

static double dot3(const double a[3], const double b[3])
{
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

/* Real roots of a t² + b t + c = 0 (a line when a is negligible against the others),
 * written to r (up to 2); returns how many. Citardauq form for the small root. */
static int roots(double a, double b, double c, double r[2])
{
    double scale = fabs(a) + fabs(b) + fabs(c);
    if (scale == 0)
        return 0;
    if (fabs(a) <= 1e-14 * scale) {
        if (fabs(b) <= 1e-14 * scale)
            return 0;
        r[0] = -c / b;
        return 1;
    }
    double disc = b * b - 4 * a * c;
    if (disc < 0) {
        if (disc > -1e-12 * b * b)
            disc = 0;
        else
            return 0;
    }
    double q = -0.5 * (b + copysign(sqrt(disc), b));
    if (q == 0) {
        r[0] = 0;
        return 1;
    }
    r[0] = q / a;
    r[1] = c / q;
    return 2;
}

/* One problem, in the effector's ENU frame with the launch point at s. */
typedef struct geom {
    double d[3];                        /* target now, relative to the launch point   */
    double v[3];                        /* target velocity                            */
    double w, r0, tr;                   /* reach(t) = w (t - tr) + r0                 */
    double rmin, rmax, amin, amax;      /* envelope; altitudes above the ellipsoid  */
    double alt0, vup;                   /* the target's altitude now and its climb in
                                           its own frame: it flies over the curved
                                           Earth, not along the tangent plane          */
    double tol;                         /* metres of slack in the tests               */
} geom;

static void rel_at(const geom *g, double t, double r[3])
{
    for (int i = 0; i < 3; i++)
        r[i] = g->d[i] + g->v[i] * t;
}

static int reaches(const geom *g, double t)
{
    double r[3];
    rel_at(g, t, r);
    return sqrt(dot3(r, r)) <= g->w * (t - g->tr) + g->r0 + g->tol;
}

/* Which envelope condition fails at t (DW_ICPT_OK: none). */
static dw_intercept_reason envelope(const geom *g, double t)
{
    double r[3];
    rel_at(g, t, r);
    double range = sqrt(dot3(r, r));
    if (range > g->rmax + g->tol)
        return DW_ICPT_OUT_OF_RANGE;
    if (range < g->rmin - g->tol)
        return DW_ICPT_TOO_CLOSE;
    double alt = g->alt0 + g->vup * t;
    if (alt < g->amin - g->tol || alt > g->amax + g->tol)
        return DW_ICPT_ALTITUDE;
    return DW_ICPT_OK;
}

/* Adds the roots of |d + v t|² = R² to cand. */
static int sphere_roots(const geom *g, double radius, double *cand, int n)
{
    double r[2];
    int k = roots(dot3(g->v, g->v), 2 * dot3(g->d, g->v), dot3(g->d, g->d) - radius * radius, r);
    for (int i = 0; i < k; i++)
        cand[n++] = r[i];
    return n;
}

/* The reach roots: |d + v t| = w t + c, c = r0 - w tr, squared. */
static int reach_roots(const geom *g, double *cand, int n)
{
    double c = g->r0 - g->w * g->tr;
    double r[2];
    int k = roots(dot3(g->v, g->v) - g->w * g->w, 2 * (dot3(g->d, g->v) - g->w * c),
                  dot3(g->d, g->d) - c * c, r);
    for (int i = 0; i < k; i++)
        cand[n++] = r[i];
    return n;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The earliest t in [tr, tmax] that is reached (and, with env, inside the envelope);
 * 1 and *t, or 0. */
static int earliest(const geom *g, double tmax, int env, double *t)
{
    double cand[16];
    int n = 0;
    cand[n++] = g->tr;
    n = reach_roots(g, cand, n);
    if (env) {
        n = sphere_roots(g, g->rmax, cand, n);
        if (g->rmin > 0)
            n = sphere_roots(g, g->rmin, cand, n);
        if (g->vup != 0) {
            cand[n++] = (g->amin - g->alt0) / g->vup;
            cand[n++] = (g->amax - g->alt0) / g->vup;
        }
    }
    qsort(cand, (size_t)n, sizeof cand[0], cmp_double);
    for (int i = 0; i < n; i++) {
        double c = cand[i];
        if (!isfinite(c) || c < g->tr - 1e-9 * (1 + fabs(g->tr)))
            continue;
        if (c < g->tr)
            c = g->tr;
        if (c > tmax)
            break;
        if (reaches(g, c) && (!env || envelope(g, c) == DW_ICPT_OK)) {
            *t = c;
            return 1;
        }
    }
    return 0;
}

dw_status dw_intercept_solve(const dw_effector *e, const dw_intercept_target *target,
                             double t_ready_s, const dw_intercept_limits *lim,
                             dw_intercept *out)
{
    if (!e || !target || !out || !isfinite(t_ready_s) || t_ready_s < 0 ||
        (unsigned)e->kind >= DW_EFF_NKINDS || !isfinite(target->pos.lat_deg) ||
        !isfinite(target->pos.lon_deg) || !isfinite(target->pos.alt_m) ||
        fabs(target->pos.lat_deg) > 90)
        return DW_ERR_INVALID;
    for (int i = 0; i < 3; i++)
        if (!isfinite(target->vel_enu[i]))
            return DW_ERR_INVALID;
    double deadline = lim ? lim->deadline_s : INFINITY;
    if (isnan(deadline))
        return DW_ERR_INVALID;

    dw_enu_frame f, ft;
    dw_enu_frame_init(&f, &e->site);
    dw_enu_frame_init(&ft, &target->pos);
    double p0[3], vecef[3], v[3];
    dw_enu_from_geo(&f, &target->pos, p0);
    dw_ecef_vec_from_enu(&ft, target->vel_enu, vecef);
    dw_enu_vec_from_ecef(&f, vecef, v);

    /* The launch point: the site, or the CAP orbit's point nearest the target. */
    double s[3] = {0, 0, 0};
    if (e->kind == DW_EFF_FIGHTER_CAP && e->orbit_radius_m > 0) {
        double h = hypot(p0[0], p0[1]);
        double ue = h > 1e-9 ? p0[0] / h : 0, un = h > 1e-9 ? p0[1] / h : 1;
        s[0] = e->orbit_radius_m * ue;
        s[1] = e->orbit_radius_m * un;
    }

    geom g;
    memset(&g, 0, sizeof g);
    for (int i = 0; i < 3; i++) {
        g.d[i] = p0[i] - s[i];
        g.v[i] = v[i];
    }
    int fighter = dw_effector_is_fighter(e->kind);
    if (fighter) {
        g.w = e->carrier_speed_mps;
        g.r0 = e->weapon_range_m;
    } else if (e->kind == DW_EFF_JAMMER) {
        g.w = 0;
        g.r0 = e->max_range_m;
    } else {
        g.w = e->speed_mps;
        g.r0 = 0;
    }
    g.tr = t_ready_s + e->reaction_s;
    g.rmin = e->min_range_m;
    g.rmax = e->max_range_m;
    g.amin = e->min_alt_m;
    g.amax = e->max_alt_m;
    g.alt0 = target->pos.alt_m;
    g.vup = target->vel_enu[2];
    g.tol = 1e-7 * (1 + sqrt(dot3(g.d, g.d)));

    dw_intercept r;
    memset(&r, 0, sizeof r);
    r.t_react_s = g.tr;
    r.t_launch_s = NAN;
    r.t_intercept_s = NAN;
    r.range_m = NAN;
    r.flight_time_s = NAN;
    r.closing_speed_mps = NAN;
    r.aspect_deg = NAN;
    r.slack_s = NAN;
    dw_geo_from_enu(&f, s, &r.launch_point);
    r.point = target->pos;

    double t = NAN;
    if (e->magazine == 0) {
        r.reason = DW_ICPT_MAGAZINE_EMPTY;
    } else if (g.tr > deadline) {
        r.reason = DW_ICPT_NOT_READY;
    } else if (earliest(&g, deadline, 1, &t)) {
        r.reason = DW_ICPT_OK;
    } else if (earliest(&g, INFINITY, 1, &t)) {
        r.reason = DW_ICPT_AFTER_DEADLINE;
    } else if (earliest(&g, INFINITY, 0, &t)) {
        r.reason = envelope(&g, t);
        if (r.reason == DW_ICPT_OK) /* reached in the envelope only after... never:  */
            r.reason = DW_ICPT_AFTER_DEADLINE; /* kept for safety                    */
    } else {
        /* A jammer moves nothing: never in reach is never in range. */
        r.reason = g.w > 0 ? DW_ICPT_TOO_SLOW : DW_ICPT_OUT_OF_RANGE;
    }

    if (isfinite(t)) {
        double rel[3];
        rel_at(&g, t, rel);
        double range = sqrt(dot3(rel, rel));
        double flight, t_launch;
        if (fighter) {
            t_launch = t;
            flight = e->speed_mps > 0 ? fmin(range, g.r0) / e->speed_mps : 0;
        } else if (g.w > 0) {
            flight = range / g.w;
            t_launch = fmax(t - flight, g.tr);
        } else {
            flight = 0;
            t_launch = t;
        }
        double ti = fighter ? t + flight : t;
        if (fighter && r.reason == DW_ICPT_OK && ti > deadline)
            r.reason = DW_ICPT_AFTER_DEADLINE;
        double u[3] = {0, 0, 0};
        if (range > 0)
            for (int i = 0; i < 3; i++)
                u[i] = rel[i] / range;
        double speed = sqrt(dot3(g.v, g.v));
        double vu = dot3(g.v, u);
        double wx = fighter ? e->speed_mps : g.w;
        r.closing_speed_mps = range > 0 ? wx - vu : wx;
        r.aspect_deg = (speed > 0 && range > 0) ? acos(fmax(-1, fmin(1, -vu / speed))) * 180 / M_PI : 0;
        r.t_launch_s = t_launch;
        r.t_intercept_s = ti;
        r.flight_time_s = flight;
        r.range_m = range;
        for (int i = 0; i < 3; i++)
            r.point_enu[i] = p0[i] + v[i] * ti;
        dw_geo_from_enu(&f, r.point_enu, &r.point);
        r.point.alt_m = g.alt0 + g.vup * ti; /* the altitude the envelope was held to */
        r.slack_s = deadline - ti;
    }
    r.feasible = r.reason == DW_ICPT_OK;
    *out = r;
    return DW_OK;
}

/* ---- shots and cost ---------------------------------------------------------------- */

dw_status dw_engagement_plan(double pk, double p_required, int looks, int magazine,
                             dw_engagement *out)
{
    if (!out || !(pk >= 0 && pk <= 1) || !(p_required > 0 && p_required < 1))
        return DW_ERR_INVALID;
    if (pk <= 0 || magazine == 0)
        return DW_ERR_RANGE;
    double nd = pk >= 1 ? 1 : ceil(log(1 - p_required) / log(1 - pk) - 1e-9);
    int n = nd < 1 ? 1 : nd > DW_ENGAGEMENT_MAX_SHOTS ? DW_ENGAGEMENT_MAX_SHOTS : (int)nd;
    int meets = nd <= DW_ENGAGEMENT_MAX_SHOTS;
    if (magazine > 0 && n > magazine) {
        n = magazine;
        meets = 0;
    }
    if (looks < 1)
        looks = 1;
    int k = (n + looks - 1) / looks;      /* per salvo */
    double q = 1 - pk, expected = 0;
    int fired = 0, salvoes = 0;
    while (fired < n) {
        int size = n - fired < k ? n - fired : k;
        expected += size * pow(q, fired);  /* fired only when all before missed */
        fired += size;
        salvoes++;
    }
    dw_engagement r;
    memset(&r, 0, sizeof r);
    r.shots = n;
    r.salvo = k;
    r.looks = salvoes;
    r.expected_shots = expected;
    r.pk_achieved = 1 - pow(q, n);
    r.meets_required = meets && r.pk_achieved >= p_required - 1e-12;
    r.cost_eur = 0;
    r.exchange_ratio = NAN;
    *out = r;
    return DW_OK;
}

double dw_threat_value_eur(dw_class cls)
{
    switch (cls) {
    case DW_CLASS_DECOY:
        return 9000.0;
    case DW_CLASS_OWA_DRONE:
        return 31500.0;
    case DW_CLASS_QUADCOPTER:
        return 1000.0;
    default:
        return 0.0;
    }
}

dw_status dw_intercept_cost(const dw_effector *e, dw_class cls, double p_required,
                            double time_available_s, double flight_time_s,
                            double threat_value_eur, dw_engagement *out)
{
    if (!e || !out || (unsigned)cls >= DW_NCLASSES || isnan(time_available_s) ||
        !(flight_time_s >= 0) || !(threat_value_eur >= 0))
        return DW_ERR_INVALID;
    double cycle = flight_time_s + e->assess_s;
    int looks;
    if (cycle <= 0 || time_available_s / cycle > 1e6)
        looks = 1000000;
    else
        looks = time_available_s > 0 ? (int)floor(time_available_s / cycle) : 1;
    dw_engagement r;
    dw_status s = dw_engagement_plan(e->pk[cls], p_required, looks, e->magazine, &r);
    if (s != DW_OK)
        return s;
    r.cost_eur = r.expected_shots * e->cost_per_shot_eur +
                 (dw_effector_is_fighter(e->kind) ? e->sortie_cost_eur : 0);
    r.exchange_ratio = threat_value_eur > 0 ? r.cost_eur / threat_value_eur : INFINITY;
    *out = r;
    return DW_OK;
}

/* ---- ground risk ------------------------------------------------------------------- */

#define GRID 21
#define GRAVITY_MPS2 9.80665

static double feature_area_m2(const dw_geog_feature *ft)
{
    if (ft->shape == DW_GEOG_CIRCLE)
        return M_PI * ft->radius_m * ft->radius_m;
    double m_per_deg = 111320.0;
    return (ft->max_lat_deg - ft->min_lat_deg) * m_per_deg * (ft->max_lon_deg - ft->min_lon_deg) *
           m_per_deg * cos(ft->lat_deg * M_PI / 180);
}

/* Whether a feature that can change the footprint's answer — one with a population, or a
 * site (any kind but country and region) — has its box within reach_m of the point. The
 * box test is the one dw_geog_which makes first, and a degree is at least 110,574 m of
 * latitude and 111,320 cos(lat) m of longitude on WGS-84, so 110,000 m keeps it wide. */
static int near_populated_or_site(const dw_geog *g, double lat_deg, double lon_deg,
                                  double reach_m)
{
    double c = cos(lat_deg * M_PI / 180);
    double dlat = reach_m / 110000.0, dlon = c > 1e-6 ? reach_m / (110000.0 * c) : 360.0;
    size_t n = dw_geog_count(g);
    for (size_t i = 0; i < n; i++) {
        const dw_geog_feature *ft = dw_geog_get(g, i);
        if (!ft || (!(isfinite(ft->population) && ft->population > 0) &&
                    (!strcmp(ft->kind, "country") || !strcmp(ft->kind, "region"))))
            continue;
        if (lat_deg + dlat >= ft->min_lat_deg && lat_deg - dlat <= ft->max_lat_deg &&
            lon_deg + dlon >= ft->min_lon_deg && lon_deg - dlon <= ft->max_lon_deg)
            return 1;
    }
    return 0;
}

dw_status dw_intercept_ground_risk(const dw_geog *g, double lat_deg, double lon_deg,
                                   double alt_m, const double vel_enu[3], double *people,
                                   int *over_site, char site_id[DW_GEOG_ID_MAX])
{
    if (!people || !over_site || !vel_enu || !isfinite(lat_deg) || !isfinite(lon_deg) ||
        !isfinite(alt_m) || fabs(lat_deg) > 90 || !isfinite(vel_enu[0]) ||
        !isfinite(vel_enu[1]))
        return DW_ERR_INVALID;
    double h = alt_m > 0 ? alt_m : 0;
    double tf = sqrt(2 * h / GRAVITY_MPS2);
    double vh = hypot(vel_enu[0], vel_enu[1]);
    double ue = vh > 1e-9 ? vel_enu[0] / vh : 0, un = vh > 1e-9 ? vel_enu[1] / vh : 1;
    double throw_m = vh * tf / 2, scatter = 50 + 0.05 * h;
    double a = throw_m + scatter, b = scatter;
    /* Over open ground (no populated feature or site within the footprint's reach: every
     * sample is at most throw + a + b from the point) every sample sees the rural
     * background only, and the grid below would sum to exactly this. Most intercepts are
     * there, and the grid costs ~100 us (on the 810-drone night, 64 % of a re-plan). */
    if (!g || !near_populated_or_site(g, lat_deg, lon_deg, throw_m + a + b + 1.0)) {
        *people = M_PI * a * b * (DW_GROUND_RURAL_PER_KM2 / 1e6);
        *over_site = 0;
        if (site_id)
            memset(site_id, 0, DW_GEOG_ID_MAX);
        return DW_OK;
    }
    dw_geodetic o = {lat_deg, lon_deg, 0};
    dw_enu_frame f;
    dw_enu_frame_init(&f, &o);

    /* Count the samples inside first: each stands for area / count. */
    int inside = 0;
    for (int i = 0; i < GRID; i++)
        for (int j = 0; j < GRID; j++) {
            double x = -1 + 2.0 * i / (GRID - 1), y = -1 + 2.0 * j / (GRID - 1);
            inside += x * x + y * y <= 1;
        }
    double cell = M_PI * a * b / inside;
    double total = 0;
    int site = 0;
    char first[DW_GEOG_ID_MAX] = "";
    for (int i = 0; i < GRID; i++)
        for (int j = 0; j < GRID; j++) {
            double x = -1 + 2.0 * i / (GRID - 1), y = -1 + 2.0 * j / (GRID - 1);
            if (x * x + y * y > 1)
                continue;
            double along = throw_m + x * a, across = y * b;
            double enu[3] = {along * ue + across * un, along * un - across * ue, 0};
            dw_geodetic p;
            dw_geo_from_enu(&f, enu, &p);
            double density = DW_GROUND_RURAL_PER_KM2 / 1e6;
            if (g) {
                size_t idx[16];
                size_t k = dw_geog_which(g, DW_GEOG_ALL_KINDS, p.lat_deg, p.lon_deg, idx, 16);
                for (size_t m = 0; m < k && m < 16; m++) {
                    const dw_geog_feature *ft = dw_geog_get(g, idx[m]);
                    if (!ft)
                        continue;
                    if (isfinite(ft->population) && ft->population > 0) {
                        double area = feature_area_m2(ft);
                        if (area > 0)
                            density += ft->population / area;
                    }
                    if (strcmp(ft->kind, "country") && strcmp(ft->kind, "region") && !site) {
                        site = 1;
                        snprintf(first, sizeof first, "%s", ft->id);
                    }
                }
            }
            total += cell * density;
        }
    *people = total;
    *over_site = site;
    if (site_id)
        memcpy(site_id, first, sizeof first);
    return DW_OK;
}
