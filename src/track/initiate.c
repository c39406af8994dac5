/* initiate.c — fixes from bearings of several sites and from overlapping
 * cells (initiate.h).
 *
 * Bearings. In ECEF an azimuth az from a site is exactly a vertical
 * half-plane through the site: with e, n, u the site's unit vectors, the
 * target X satisfies a·(X - p) = 0 for a = cos(az) e - sin(az) n, in front of
 * the site (d·(X - p) > 0, d = sin(az) e + cos(az) n). An elevation el is the
 * plane m·(X - p) = 0 with m = -sin(el) d + cos(el) u. Each is a linear
 * constraint whose error, at the target's distance, is that distance times
 * the angle's sigma; the rays' crossing is the weighted least-squares point
 * of all of them (plus the altitude prior when no elevation fixes the
 * height), iterated a few times because the weights depend on the distances.
 * The inverse of the normal matrix is the fix's covariance. Working in ECEF
 * (relative to the anchor's site, for the digits) keeps the geometry exact
 * however far apart the sites are.
 */
#include "dronewall/initiate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CAND 64             /* partners looked at per anchor              */
#define MAX_RAYS 8              /* rays combined into one fix                 */
#define ITERS 4
#define VAR_FLOOR_M2 1.0
#define SPEED_V_MPS 5.0         /* vertical speed, for the age of an elevation */

typedef struct item {
    int kind;                   /* 0 bearing, 1 cell */
    int used, fresh;
    dw_init_bearing b;
    dw_init_cell c;
    double ecef[3];             /* cell: its centre on the ellipsoid */
} item;

struct dw_initiator {
    dw_initiator_config cfg;
    item *ring;
    size_t cap, head, count;    /* live entries: head - count .. head - 1 */
    dw_initiator_stats st;
};

void dw_initiator_config_default(dw_initiator_config *c)
{
    memset(c, 0, sizeof *c);
    c->window_us = 10 * 1000000LL;
    c->capacity = 4096;
    c->min_cross_rad = 10.0 * M_PI / 180.0;
    c->range_margin = 0.25;
    c->default_range_m = 20e3;
    c->alt_m = 1000.0;
    c->alt_sigma_m = 1000.0;
    c->speed_sigma_mps = 50.0;
    c->gate = 9.0;
}

dw_status dw_initiator_create(const dw_initiator_config *cfg, dw_initiator **out)
{
    dw_initiator_config c;
    if (cfg)
        c = *cfg;
    else
        dw_initiator_config_default(&c);
    if (!out || c.window_us <= 0 || c.capacity < 2 || c.capacity > (1u << 24) || !(c.gate > 0) ||
        !(c.alt_sigma_m > 0) || !(c.min_cross_rad >= 0) || !(c.range_margin >= 0) ||
        !(c.default_range_m > 0) || !(c.speed_sigma_mps >= 0) || !isfinite(c.alt_m))
        return DW_ERR_INVALID;
    dw_initiator *in = calloc(1, sizeof *in);
    if (!in)
        return DW_ERR_NOMEM;
    in->ring = calloc(c.capacity, sizeof *in->ring);
    if (!in->ring) {
        free(in);
        return DW_ERR_NOMEM;
    }
    in->cfg = c;
    in->cap = c.capacity;
    *out = in;
    return DW_OK;
}

void dw_initiator_destroy(dw_initiator *in)
{
    if (!in)
        return;
    free(in->ring);
    free(in);
}

void dw_initiator_get_stats(const dw_initiator *in, dw_initiator_stats *out)
{
    if (in && out)
        *out = in->st;
}

static item *at(dw_initiator *in, size_t i)       /* i-th live entry, oldest first */
{
    return &in->ring[(in->head + in->cap - in->count + i) % in->cap];
}

static item *push(dw_initiator *in)
{
    if (in->count == in->cap) {
        item *old = at(in, 0);
        if (!old->used)
            in->st.dropped++;
        in->count--;
    }
    item *it = &in->ring[in->head];
    in->head = (in->head + 1) % in->cap;
    in->count++;
    memset(it, 0, sizeof *it);
    it->fresh = 1;
    return it;
}

void dw_initiator_add_bearing(dw_initiator *in, const dw_init_bearing *b)
{
    if (!in || !b || !b->site || !isfinite(b->az_rad) || !(b->sigma_az_rad > 0) ||
        !isfinite(b->sigma_az_rad))
        return;
    item *it = push(in);
    it->kind = 0;
    it->b = *b;
    if (!(it->b.sigma_el_rad > 0) || !isfinite(it->b.el_rad) || !isfinite(it->b.sigma_el_rad))
        it->b.sigma_el_rad = 0;
    in->st.bearings++;
}

void dw_initiator_add_cell(dw_initiator *in, const dw_init_cell *c)
{
    if (!in || !c || !isfinite(c->lat_deg) || !isfinite(c->lon_deg) || !(fabs(c->lat_deg) < 89.0) ||
        !(c->radius_m > 0) || !isfinite(c->radius_m))
        return;
    item *it = push(in);
    it->kind = 1;
    it->c = *c;
    dw_geodetic g = {c->lat_deg, c->lon_deg, 0.0};
    dw_geo_to_ecef(&g, it->ecef);
    in->st.cells++;
}

/* ---- small linear algebra -------------------------------------------------- */

static double dot3(const double *a, const double *b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

/* Inverse of a symmetric 3x3; -1 if it is not positive definite. */
static int inv3(const double A[9], double out[9])
{
    double c00 = A[4] * A[8] - A[5] * A[7], c01 = A[5] * A[6] - A[3] * A[8],
           c02 = A[3] * A[7] - A[4] * A[6];
    double det = A[0] * c00 + A[1] * c01 + A[2] * c02;
    if (!(A[0] > 0) || !(A[0] * A[4] - A[1] * A[3] > 0) || !(det > 0) || !isfinite(det))
        return -1;
    double id = 1.0 / det;
    out[0] = c00 * id;
    out[1] = (A[2] * A[7] - A[1] * A[8]) * id;
    out[2] = (A[1] * A[5] - A[2] * A[4]) * id;
    out[3] = c01 * id;
    out[4] = (A[0] * A[8] - A[2] * A[6]) * id;
    out[5] = (A[2] * A[3] - A[0] * A[5]) * id;
    out[6] = c02 * id;
    out[7] = (A[1] * A[6] - A[0] * A[7]) * id;
    out[8] = (A[0] * A[4] - A[1] * A[3]) * id;
    for (int i = 0; i < 3; i++)
        for (int j = i + 1; j < 3; j++)
            out[i * 3 + j] = out[j * 3 + i] = 0.5 * (out[i * 3 + j] + out[j * 3 + i]);
    return 0;
}

/* ---- bearings ---------------------------------------------------------------- */

/* One ray, relative to the anchor's site. */
typedef struct ray {
    const item *it;
    double p[3];                /* site */
    double d[3], a[3], u[3];    /* along, across (horizontal), up */
    double m[3];                /* across in the vertical plane (with an elevation) */
    double range_m;             /* how far the fix may be, horizontally */
} ray;

typedef struct fix {
    double x[3], P[9];
    double chi2;
    int dof;
    int n_el;
} fix;

static void make_ray(const dw_initiator *in, const item *it, const double ref[3], ray *r)
{
    const dw_bearing_site *s = it->b.site;
    const double (*R)[3] = s->frame.rot;
    const double sa = sin(it->b.az_rad), ca = cos(it->b.az_rad);
    r->it = it;
    for (int k = 0; k < 3; k++) {
        r->p[k] = s->frame.origin_ecef[k] - ref[k];
        r->d[k] = sa * R[0][k] + ca * R[1][k];
        r->a[k] = ca * R[0][k] - sa * R[1][k];
        r->u[k] = R[2][k];
    }
    if (it->b.sigma_el_rad > 0) {
        const double se = sin(it->b.el_rad), ce = cos(it->b.el_rad);
        for (int k = 0; k < 3; k++)
            r->m[k] = -se * r->d[k] + ce * r->u[k];
    }
    double rng = s->max_range_m > 0 ? s->max_range_m : in->cfg.default_range_m;
    r->range_m = rng * (1.0 + in->cfg.range_margin);
}

/* Horizontal distance along the ray's direction and across it, of x. */
static double along(const ray *r, const double x[3])
{
    double v[3] = {x[0] - r->p[0], x[1] - r->p[1], x[2] - r->p[2]};
    return dot3(v, r->d);
}

static double horiz(const ray *r, const double x[3])
{
    double v[3] = {x[0] - r->p[0], x[1] - r->p[1], x[2] - r->p[2]};
    double up = dot3(v, r->u);
    double h2 = dot3(v, v) - up * up;
    return h2 > 0 ? sqrt(h2) : 0.0;
}

/* Least squares over n rays from the starting point x0 (relative to ref).
 * Returns 0 and the fix, or -1 if the geometry fixes no point. */
static int solve(const dw_initiator *in, const ray *rays, int n, int64_t t_fix,
                 const double ref[3], const double x0[3], fix *out)
{
    double x[3] = {x0[0], x0[1], x0[2]};
    int n_el = 0;
    for (int i = 0; i < n; i++)
        n_el += rays[i].it->b.sigma_el_rad > 0;
    const double vh = in->cfg.speed_sigma_mps;
    fix f;
    memset(&f, 0, sizeof f);
    for (int iter = 0; iter < ITERS; iter++) {
        double A[9] = {0}, b[3] = {0};
        for (int i = 0; i < n; i++) {
            const ray *r = &rays[i];
            const double age = (double)(t_fix - r->it->b.t_us) * 1e-6;
            double v[3] = {x[0] - r->p[0], x[1] - r->p[1], x[2] - r->p[2]};
            double rh = horiz(r, x), rs = sqrt(dot3(v, v));
            double sa = r->it->b.sigma_az_rad;
            double var = rh * rh * sa * sa + vh * vh * age * age + VAR_FLOOR_M2;
            double c = dot3(r->a, r->p);
            for (int j = 0; j < 3; j++) {
                b[j] += r->a[j] * c / var;
                for (int k = 0; k < 3; k++)
                    A[j * 3 + k] += r->a[j] * r->a[k] / var;
            }
            if (r->it->b.sigma_el_rad > 0) {
                double se = r->it->b.sigma_el_rad;
                double ve = rs * rs * se * se + SPEED_V_MPS * SPEED_V_MPS * age * age + VAR_FLOOR_M2;
                double cm = dot3(r->m, r->p);
                for (int j = 0; j < 3; j++) {
                    b[j] += r->m[j] * cm / ve;
                    for (int k = 0; k < 3; k++)
                        A[j * 3 + k] += r->m[j] * r->m[k] / ve;
                }
            }
        }
        if (n_el == 0) {
            /* The altitude prior, as a plane at alt_m across the local up. */
            double abs_x[3] = {x[0] + ref[0], x[1] + ref[1], x[2] + ref[2]};
            dw_geodetic g;
            dw_geo_from_ecef(abs_x, &g);
            g.alt_m = in->cfg.alt_m;
            double p0[3];
            dw_geo_to_ecef(&g, p0);
            const double la = g.lat_deg * M_PI / 180.0, lo = g.lon_deg * M_PI / 180.0;
            const double u0[3] = {cos(la) * cos(lo), cos(la) * sin(lo), sin(la)};
            for (int k = 0; k < 3; k++)
                p0[k] -= ref[k];
            double var = in->cfg.alt_sigma_m * in->cfg.alt_sigma_m;
            double c = dot3(u0, p0);
            for (int j = 0; j < 3; j++) {
                b[j] += u0[j] * c / var;
                for (int k = 0; k < 3; k++)
                    A[j * 3 + k] += u0[j] * u0[k] / var;
            }
        }
        double P[9];
        if (inv3(A, P) != 0)
            return -1;
        for (int j = 0; j < 3; j++)
            x[j] = P[j * 3] * b[0] + P[j * 3 + 1] * b[1] + P[j * 3 + 2] * b[2];
        if (!isfinite(x[0]) || !isfinite(x[1]) || !isfinite(x[2]))
            return -1;
        memcpy(f.P, P, sizeof P);
    }
    /* The misfit, at the final point and weights. */
    double chi2 = 0;
    int nc = 0;
    for (int i = 0; i < n; i++) {
        const ray *r = &rays[i];
        const double age = (double)(t_fix - r->it->b.t_us) * 1e-6;
        double v[3] = {x[0] - r->p[0], x[1] - r->p[1], x[2] - r->p[2]};
        double rh = horiz(r, x), rs = sqrt(dot3(v, v));
        double sa = r->it->b.sigma_az_rad;
        double var = rh * rh * sa * sa + vh * vh * age * age + VAR_FLOOR_M2;
        double e = dot3(r->a, v);
        chi2 += e * e / var;
        nc++;
        if (r->it->b.sigma_el_rad > 0) {
            double se = r->it->b.sigma_el_rad;
            double ve = rs * rs * se * se + SPEED_V_MPS * SPEED_V_MPS * age * age + VAR_FLOOR_M2;
            double em = dot3(r->m, v);
            chi2 += em * em / ve;
            nc++;
        }
    }
    memcpy(f.x, x, sizeof x);
    f.chi2 = chi2;
    f.dof = nc + (n_el == 0) - 3;
    f.n_el = n_el;
    *out = f;
    return 0;
}

/* chi-square at 99.9 % for k degrees of freedom (Wilson–Hilferty). */
static double chi2_999(int k)
{
    if (k <= 0)
        return INFINITY;
    double a = 2.0 / (9.0 * k), t = 1.0 - a + 3.09 * sqrt(a);
    return k * t * t * t;
}

/* Every ray sees the fix in front of it, within its range. */
static int plausible(const ray *rays, int n, const double x[3])
{
    for (int i = 0; i < n; i++)
        if (!(along(&rays[i], x) > 0) || horiz(&rays[i], x) > rays[i].range_m)
            return 0;
    return 1;
}

static double sin_cross(const ray *a, const ray *b)
{
    double c[3] = {a->d[1] * b->d[2] - a->d[2] * b->d[1], a->d[2] * b->d[0] - a->d[0] * b->d[2],
                   a->d[0] * b->d[1] - a->d[1] * b->d[0]};
    return sqrt(dot3(c, c));
}

/* Where two rays cross on the horizontal plane of the first (a starting
 * point for the least squares), at the altitude prior; -1 when they do not
 * cross in front of both. */
static int cross_point(const dw_initiator *in, const ray *a, const ray *b, const double ref[3],
                       double x[3])
{
    /* Solve a.p + s a.d = b.p + t b.d in the plane of a's e, n. */
    const double (*R)[3] = a->it->b.site->frame.rot;
    double dp[3] = {b->p[0] - a->p[0], b->p[1] - a->p[1], b->p[2] - a->p[2]};
    double pe = dot3(dp, R[0]), pn = dot3(dp, R[1]);
    double ae = dot3(a->d, R[0]), an = dot3(a->d, R[1]);
    double be = dot3(b->d, R[0]), bn = dot3(b->d, R[1]);
    double den = ae * bn - an * be;
    if (fabs(den) < 1e-9)
        return -1;
    double s = (pe * bn - pn * be) / den;
    double t = (pe * an - pn * ae) / den;
    if (!(s > 0) || !(t > 0))
        return -1;
    double h = in->cfg.alt_m - a->it->b.site->frame.origin.alt_m;
    for (int k = 0; k < 3; k++)
        x[k] = a->p[k] + s * a->d[k] + h * a->u[k];
    (void)ref;
    return 0;
}

static double hscore(const fix *f) { return f->P[0] + f->P[4] + f->P[8]; }

static int bearing_fix(dw_initiator *in, item *anchor, dw_init_fix *outfix)
{
    const dw_bearing_site *sa = anchor->b.site;
    const double *ref = sa->frame.origin_ecef;
    ray ra;
    make_ray(in, anchor, ref, &ra);

    /* Candidates: unused bearings of other sites in the window whose site is
     * close enough for the rays to meet within both ranges; newest first. */
    ray cand[MAX_CAND];
    int nc = 0;
    for (size_t i = in->count; i-- > 0 && nc < MAX_CAND;) {
        item *it = at(in, i);
        if (it == anchor || it->kind != 0 || it->used || it->b.site->id == sa->id)
            continue;
        int64_t dt = it->b.t_us - anchor->b.t_us;
        if (dt > in->cfg.window_us || -dt > in->cfg.window_us)
            continue;
        const dw_bearing_site *sb = it->b.site;
        double rb = (sb->max_range_m > 0 ? sb->max_range_m : in->cfg.default_range_m) *
                    (1.0 + in->cfg.range_margin);
        double dp[3] = {sb->frame.origin_ecef[0] - ref[0], sb->frame.origin_ecef[1] - ref[1],
                        sb->frame.origin_ecef[2] - ref[2]};
        if (dot3(dp, dp) > (rb + ra.range_m) * (rb + ra.range_m))
            continue;
        make_ray(in, it, ref, &cand[nc++]);
    }
    if (nc == 0)
        return 0;

    const double min_sin = sin(in->cfg.min_cross_rad);
    ray best_rays[MAX_RAYS];
    int best_n = 0;
    fix best;
    int64_t best_t = 0;
    for (int j = 0; j < nc; j++) {
        if (sin_cross(&ra, &cand[j]) <= min_sin) {
            in->st.rejected++;
            continue;
        }
        ray rs[MAX_RAYS];
        rs[0] = ra;
        rs[1] = cand[j];
        int n = 2;
        int64_t tf = anchor->b.t_us > cand[j].it->b.t_us ? anchor->b.t_us : cand[j].it->b.t_us;
        double x0[3];
        fix f;
        if (cross_point(in, &ra, &cand[j], ref, x0) != 0 || solve(in, rs, n, tf, ref, x0, &f) != 0 ||
            !plausible(rs, n, f.x) || (f.dof > 0 && f.chi2 > chi2_999(f.dof))) {
            in->st.rejected++;
            continue;
        }
        /* Further rays that pass through the fix join it. */
        for (int k = 0; k < nc && n < MAX_RAYS; k++) {
            if (k == j)
                continue;
            const ray *c = &cand[k];
            int dup = 0;
            for (int q = 0; q < n; q++)
                dup |= rs[q].it->b.site->id == c->it->b.site->id;
            if (dup || !(along(c, f.x) > 0) || horiz(c, f.x) > c->range_m)
                continue;
            int64_t t2 = tf > c->it->b.t_us ? tf : c->it->b.t_us;
            double age = (double)(t2 - c->it->b.t_us) * 1e-6;
            double rh = horiz(c, f.x), sg = c->it->b.sigma_az_rad;
            double v[3] = {f.x[0] - c->p[0], f.x[1] - c->p[1], f.x[2] - c->p[2]};
            double e = dot3(c->a, v);
            double pa = 0;
            for (int p = 0; p < 3; p++)
                for (int q = 0; q < 3; q++)
                    pa += c->a[p] * f.P[p * 3 + q] * c->a[q];
            double var = rh * rh * sg * sg + pa + in->cfg.speed_sigma_mps * in->cfg.speed_sigma_mps * age * age +
                         VAR_FLOOR_M2;
            if (e * e / var > in->cfg.gate)
                continue;
            rs[n] = *c;
            fix g;
            if (solve(in, rs, n + 1, t2, ref, f.x, &g) != 0 || !plausible(rs, n + 1, g.x) ||
                (g.dof > 0 && g.chi2 > chi2_999(g.dof)))
                continue;
            n++;
            f = g;
            tf = t2;
        }
        if (n > best_n || (n == best_n && hscore(&f) < hscore(&best))) {
            best_n = n;
            best = f;
            best_t = tf;
            memcpy(best_rays, rs, (size_t)n * sizeof *rs);
        }
    }
    if (best_n < 2)
        return 0;
    memset(outfix, 0, sizeof *outfix);
    outfix->t_us = best_t;
    for (int k = 0; k < 3; k++)
        outfix->pos[k] = best.x[k] + ref[k];
    memcpy(outfix->cov, best.P, sizeof best.P);
    outfix->source = DW_INIT_BEARINGS;
    outfix->n_used = best_n;
    outfix->n_el = best.n_el;
    int64_t newest = INT64_MIN;
    for (int i = 0; i < best_n; i++) {
        item *it = (item *)best_rays[i].it;
        it->used = 1;
        if (it->b.t_us >= newest) {
            newest = it->b.t_us;
            outfix->tag = it->b.tag;
        }
    }
    in->st.fixes_bearing++;
    in->st.rays_used += (uint64_t)best_n;
    return 1;
}

/* ---- cells ------------------------------------------------------------------- */

static int cell_fix(dw_initiator *in, item *anchor, dw_init_fix *outfix)
{
    dw_geodetic ga = {anchor->c.lat_deg, anchor->c.lon_deg, 0.0};
    dw_enu_frame f;
    dw_enu_frame_init(&f, &ga);
    const double ra = anchor->c.radius_m;
    double best_area = INFINITY, best_c[2] = {0, 0}, best_cov[4] = {0};
    item *best = NULL;
    for (size_t i = in->count; i-- > 0;) {
        item *it = at(in, i);
        if (it == anchor || it->kind != 1 || it->used || it->c.node == anchor->c.node)
            continue;
        int64_t dt = it->c.t_us - anchor->c.t_us;
        if (dt > in->cfg.window_us || -dt > in->cfg.window_us)
            continue;
        double e[3];
        dw_enu_from_ecef(&f, it->ecef, e);
        const double rb = it->c.radius_m, d = hypot(e[0], e[1]);
        if (!(d < ra + rb))
            continue;
        double c[2], cov[4], area;
        if (d <= fabs(ra - rb)) {
            /* one disc inside the other: the smaller one */
            double r = ra < rb ? ra : rb;
            c[0] = ra < rb ? 0.0 : e[0];
            c[1] = ra < rb ? 0.0 : e[1];
            cov[0] = cov[3] = r * r / 4.0;
            cov[1] = cov[2] = 0.0;
            area = r * r;
        } else {
            const double ux = e[0] / d, uy = e[1] / d;
            const double xr = (d * d + ra * ra - rb * rb) / (2.0 * d);
            const double hw = sqrt(fmax(ra * ra - xr * xr, 0.0));
            const double s = 0.5 * (d - rb + ra), al = 0.5 * (ra + rb - d);
            c[0] = s * ux;
            c[1] = s * uy;
            const double va = al * al / 4.0, vc = hw * hw / 4.0;
            cov[0] = va * ux * ux + vc * uy * uy;
            cov[3] = va * uy * uy + vc * ux * ux;
            cov[1] = cov[2] = (va - vc) * ux * uy;
            area = al * hw;
        }
        if (area < best_area) {
            best_area = area;
            best = it;
            memcpy(best_c, c, sizeof c);
            memcpy(best_cov, cov, sizeof cov);
        }
    }
    if (!best)
        return 0;
    int64_t t_fix = anchor->c.t_us > best->c.t_us ? anchor->c.t_us : best->c.t_us;
    int64_t t_old = anchor->c.t_us < best->c.t_us ? anchor->c.t_us : best->c.t_us;
    int tag = anchor->c.t_us >= best->c.t_us ? anchor->c.tag : best->c.tag;
    anchor->used = best->used = 1;
    int n = 2;
    /* Other cells that hold the centre are the same detection. */
    double cen_ecef[3];
    {
        double e3[3] = {best_c[0], best_c[1], 0.0};
        dw_ecef_from_enu(&f, e3, cen_ecef);
    }
    for (size_t i = 0; i < in->count; i++) {
        item *it = at(in, i);
        if (it->kind != 1 || it->used || it->c.node == anchor->c.node || it->c.node == best->c.node)
            continue;
        int64_t dt = it->c.t_us - t_fix;
        if (dt > in->cfg.window_us || -dt > in->cfg.window_us)
            continue;
        double dd[3] = {it->ecef[0] - cen_ecef[0], it->ecef[1] - cen_ecef[1], it->ecef[2] - cen_ecef[2]};
        if (sqrt(dot3(dd, dd)) < it->c.radius_m) {
            it->used = 1;
            n++;
        }
    }
    const double age = (double)(t_fix - t_old) * 1e-6;
    const double vm = in->cfg.speed_sigma_mps * age;
    dw_geodetic g;
    dw_geo_from_ecef(cen_ecef, &g);
    g.alt_m = in->cfg.alt_m;
    dw_enu_frame fc;
    dw_enu_frame_init(&fc, &g);
    double enu[3][3] = {{best_cov[0] + vm * vm, best_cov[1], 0},
                        {best_cov[2], best_cov[3] + vm * vm, 0},
                        {0, 0, in->cfg.alt_sigma_m * in->cfg.alt_sigma_m}};
    double ce[3][3];
    dw_ecef_cov_from_enu(&fc, enu, ce);
    memset(outfix, 0, sizeof *outfix);
    outfix->t_us = t_fix;
    dw_geo_to_ecef(&g, outfix->pos);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            outfix->cov[i * 3 + j] = ce[i][j];
    outfix->source = DW_INIT_CELLS;
    outfix->n_used = n;
    outfix->tag = tag;
    in->st.fixes_cell++;
    in->st.cells_used += (uint64_t)n;
    return 1;
}

size_t dw_initiator_run(dw_initiator *in, int64_t now_us, dw_init_fix *fixes, size_t max)
{
    if (!in)
        return 0;
    /* Forget what the window has left behind. */
    while (in->count > 0) {
        const item *old = at(in, 0);
        int64_t t = old->kind == 0 ? old->b.t_us : old->c.t_us;
        if (now_us - t <= in->cfg.window_us)
            break;
        in->count--;
    }
    size_t n = 0;
    for (size_t i = 0; i < in->count; i++) {
        item *it = at(in, i);
        if (!it->fresh)
            continue;
        if (it->used) {
            it->fresh = 0;
            continue;
        }
        if (n == max)
            break;
        int got = it->kind == 0 ? bearing_fix(in, it, &fixes[n]) : cell_fix(in, it, &fixes[n]);
        n += (size_t)got;
        it->fresh = 0;
    }
    return n;
}
