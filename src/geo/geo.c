/* geo.c — the hand-written hot path: geodetic <-> ECEF <-> ENU <-> polar.
 *
 * Every call here runs per observation or per track update, so it is plain
 * arithmetic on caller storage: no PROJ, no allocation, no state. The unit
 * test checks each function against PROJ to 1 mm.
 */
#include "dronewall/geo.h"

#include <math.h>

#define DEG (M_PI / 180.0)

/* WGS-84 derived constants. */
#define E2 (DW_WGS84_F * (2.0 - DW_WGS84_F))            /* first eccentricity² */
#define B_AXIS (DW_WGS84_A * (1.0 - DW_WGS84_F))        /* semi-minor axis */
#define EP2 (E2 / (1.0 - E2))                           /* second eccentricity² */

/* Bowring's iteration converges cubically from its reduced-latitude start:
 * the first pass is already ~1e-10 rad for terrestrial heights, the second
 * makes satellites and deep points exact to double precision too. */
#define BOWRING_ITERS 2

void dw_geo_to_ecef(const dw_geodetic *g, double ecef[3])
{
    double lat = g->lat_deg * DEG, lon = g->lon_deg * DEG;
    double sl = sin(lat), cl = cos(lat);
    double n = DW_WGS84_A / sqrt(1.0 - E2 * sl * sl);
    ecef[0] = (n + g->alt_m) * cl * cos(lon);
    ecef[1] = (n + g->alt_m) * cl * sin(lon);
    ecef[2] = (n * (1.0 - E2) + g->alt_m) * sl;
}

void dw_geo_from_ecef(const double ecef[3], dw_geodetic *g)
{
    double x = ecef[0], y = ecef[1], z = ecef[2];
    double p = hypot(x, y);
    double beta = atan2(z, (1.0 - DW_WGS84_F) * p);
    double lat = 0.0;
    for (int i = 0; i < BOWRING_ITERS; i++) {
        double sb = sin(beta), cb = cos(beta);
        lat = atan2(z + EP2 * B_AXIS * sb * sb * sb, p - E2 * DW_WGS84_A * cb * cb * cb);
        beta = atan2((1.0 - DW_WGS84_F) * sin(lat), cos(lat));
    }
    double sl = sin(lat), cl = cos(lat);
    /* Projecting onto the normal instead of p / cos(lat) - N keeps the
     * height well conditioned at the poles as well as on the equator. */
    g->alt_m = p * cl + z * sl - DW_WGS84_A * sqrt(1.0 - E2 * sl * sl);
    g->lat_deg = lat / DEG;
    /* +0.0 turns atan2's -0 on the polar axis into a plain 0. */
    g->lon_deg = atan2(y, x) / DEG + 0.0;
}

void dw_enu_frame_init(dw_enu_frame *f, const dw_geodetic *origin)
{
    double lat = origin->lat_deg * DEG, lon = origin->lon_deg * DEG;
    double sl = sin(lat), cl = cos(lat), so = sin(lon), co = cos(lon);
    f->origin = *origin;
    dw_geo_to_ecef(origin, f->origin_ecef);
    f->rot[0][0] = -so;      f->rot[0][1] = co;       f->rot[0][2] = 0.0;
    f->rot[1][0] = -sl * co; f->rot[1][1] = -sl * so; f->rot[1][2] = cl;
    f->rot[2][0] = cl * co;  f->rot[2][1] = cl * so;  f->rot[2][2] = sl;
}

void dw_enu_vec_from_ecef(const dw_enu_frame *f, const double v_ecef[3], double v_enu[3])
{
    double v[3] = { v_ecef[0], v_ecef[1], v_ecef[2] };   /* v_enu may alias v_ecef */
    for (int i = 0; i < 3; i++)
        v_enu[i] = f->rot[i][0] * v[0] + f->rot[i][1] * v[1] + f->rot[i][2] * v[2];
}

void dw_ecef_vec_from_enu(const dw_enu_frame *f, const double v_enu[3], double v_ecef[3])
{
    double v[3] = { v_enu[0], v_enu[1], v_enu[2] };
    for (int i = 0; i < 3; i++)
        v_ecef[i] = f->rot[0][i] * v[0] + f->rot[1][i] * v[1] + f->rot[2][i] * v[2];
}

void dw_enu_from_ecef(const dw_enu_frame *f, const double ecef[3], double enu[3])
{
    /* Subtract first: the offset is small where the absolute ECEF values are
     * ~6e6 m, so rotating the difference keeps the sub-mm digits. */
    double d[3] = { ecef[0] - f->origin_ecef[0], ecef[1] - f->origin_ecef[1],
                    ecef[2] - f->origin_ecef[2] };
    dw_enu_vec_from_ecef(f, d, enu);
}

void dw_ecef_from_enu(const dw_enu_frame *f, const double enu[3], double ecef[3])
{
    double d[3];
    dw_ecef_vec_from_enu(f, enu, d);
    for (int i = 0; i < 3; i++)
        ecef[i] = f->origin_ecef[i] + d[i];
}

/* out = A P A^T with A = rot (fwd) or rot^T; out may alias p. */
static void rotate_cov(const double rot[3][3], int transpose, const double p[3][3],
                       double out[3][3])
{
    double a[3][3], t[3][3];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            a[i][j] = transpose ? rot[j][i] : rot[i][j];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            t[i][j] = a[i][0] * p[0][j] + a[i][1] * p[1][j] + a[i][2] * p[2][j];
    for (int i = 0; i < 3; i++)
        for (int j = i; j < 3; j++) {
            double s = t[i][0] * a[j][0] + t[i][1] * a[j][1] + t[i][2] * a[j][2];
            /* Written symmetric so Cholesky downstream never sees rounding
             * asymmetry. */
            out[i][j] = s;
            out[j][i] = s;
        }
}

void dw_enu_cov_from_ecef(const dw_enu_frame *f, const double p_ecef[3][3], double p_enu[3][3])
{
    rotate_cov(f->rot, 0, p_ecef, p_enu);
}

void dw_ecef_cov_from_enu(const dw_enu_frame *f, const double p_enu[3][3], double p_ecef[3][3])
{
    rotate_cov(f->rot, 1, p_enu, p_ecef);
}

void dw_enu_from_geo(const dw_enu_frame *f, const dw_geodetic *g, double enu[3])
{
    double ecef[3];
    dw_geo_to_ecef(g, ecef);
    dw_enu_from_ecef(f, ecef, enu);
}

void dw_geo_from_enu(const dw_enu_frame *f, const double enu[3], dw_geodetic *g)
{
    double ecef[3];
    dw_ecef_from_enu(f, enu, ecef);
    dw_geo_from_ecef(ecef, g);
}

void dw_polar_from_enu(const double enu[3], double *range_m, double *az_rad, double *el_rad)
{
    double e = enu[0], n = enu[1], u = enu[2];
    double h = hypot(e, n);
    double az = atan2(e, n);
    if (az < 0.0)
        az += 2.0 * M_PI;
    /* A tiny negative angle rounds to exactly 2pi above; the interval is open
     * there. +0.0 also folds atan2's -0 into 0. */
    if (az >= 2.0 * M_PI)
        az = 0.0;
    *range_m = sqrt(h * h + u * u);
    *az_rad = az + 0.0;
    *el_rad = atan2(u, h);
}

void dw_enu_from_polar(double range_m, double az_rad, double el_rad, double enu[3])
{
    double h = range_m * cos(el_rad);
    enu[0] = h * sin(az_rad);
    enu[1] = h * cos(az_rad);
    enu[2] = range_m * sin(el_rad);
}

dw_status dw_polar_jacobian(const double enu[3], double jac[3][3])
{
    double e = enu[0], n = enu[1], u = enu[2];
    double h2 = e * e + n * n, h = sqrt(h2);
    /* The negated test also rejects NaN. */
    if (!(h >= 1e-3) || !isfinite(h) || !isfinite(u))
        return DW_ERR_RANGE;
    double r2 = h2 + u * u, r = sqrt(r2);
    jac[0][0] = e / r;
    jac[0][1] = n / r;
    jac[0][2] = u / r;
    jac[1][0] = n / h2;
    jac[1][1] = -e / h2;
    jac[1][2] = 0.0;
    jac[2][0] = -e * u / (r2 * h);
    jac[2][1] = -n * u / (r2 * h);
    jac[2][2] = h / r2;
    return DW_OK;
}

double dw_wrap_pi(double a)
{
    double r = fmod(a, 2.0 * M_PI);     /* |r| < 2pi, sign of a */
    if (r <= -M_PI)
        r += 2.0 * M_PI;
    else if (r > M_PI)
        r -= 2.0 * M_PI;
    return r;
}
