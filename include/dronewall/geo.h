/* geo.h — WGS-84 geodesy: geodetic, ECEF, sensor-local ENU and polar frames.
 *
 * Observations arrive and the air picture leaves as WGS-84 geodetic
 * coordinates, but the filters work in Cartesian space (DESIGN.md §3): ECEF
 * for track state, and each sensor's local east-north-up frame for radar and
 * bearing measurement models. This module owns those conversions. The ones on
 * the hot path (geodetic <-> ECEF <-> ENU <-> polar) are hand-written, take
 * caller-allocated storage, never allocate and never call PROJ; the unit test
 * holds them to PROJ to the millimetre. Geodesic distance and azimuth, used
 * off the hot path (borders, zones, reports), are PROJ's geodesic.h (Karney).
 *
 * Angles are degrees in dw_geodetic and in the geodesic calls (they face the
 * wire and the operator) and radians everywhere else. Nothing here keeps
 * global state, so every function is safe to call from any thread.
 */
#ifndef DRONEWALL_GEO_H
#define DRONEWALL_GEO_H

#include "dronewall/status.h"

#define DW_WGS84_A 6378137.0
#define DW_WGS84_F (1.0 / 298.257223563)

typedef struct dw_geodetic {
    double lat_deg, lon_deg, alt_m;     /* alt above the ellipsoid, not MSL */
} dw_geodetic;

/* Geodetic -> ECEF (m), closed form. */
void dw_geo_to_ecef(const dw_geodetic *g, double ecef[3]);
/* ECEF -> geodetic; exact to far below 1 mm from the Earth's centre region
 * out to beyond geostationary height. Longitude in (-180, 180]; on the polar
 * axis it is 0. */
void dw_geo_from_ecef(const double ecef[3], dw_geodetic *g);

/* A local east-north-up frame at an origin (a sensor site). Build it once per
 * site: the rotation costs a few sin/cos that the per-point calls then skip.
 * A plain value; copy it freely. */
typedef struct dw_enu_frame {
    dw_geodetic origin;
    double origin_ecef[3];
    double rot[3][3];                   /* rows: e, n, u unit vectors in ECEF */
} dw_enu_frame;

void dw_enu_frame_init(dw_enu_frame *f, const dw_geodetic *origin);
void dw_enu_from_ecef(const dw_enu_frame *f, const double ecef[3], double enu[3]);
void dw_ecef_from_enu(const dw_enu_frame *f, const double enu[3], double ecef[3]);

/* Vectors (velocities, covariance rotations) — rotation only, no translation. */
void dw_enu_vec_from_ecef(const dw_enu_frame *f, const double v_ecef[3], double v_enu[3]);
void dw_ecef_vec_from_enu(const dw_enu_frame *f, const double v_enu[3], double v_ecef[3]);

/* Covariances: P_enu = R P_ecef R^T and back. In and out may be the same
 * matrix. */
void dw_enu_cov_from_ecef(const dw_enu_frame *f, const double p_ecef[3][3], double p_enu[3][3]);
void dw_ecef_cov_from_enu(const dw_enu_frame *f, const double p_enu[3][3], double p_ecef[3][3]);

void dw_enu_from_geo(const dw_enu_frame *f, const dw_geodetic *g, double enu[3]);
void dw_geo_from_enu(const dw_enu_frame *f, const double enu[3], dw_geodetic *g);

/* Polar in the ENU frame: range (slant, m), azimuth clockwise from north in
 * [0, 2pi), elevation above the local horizontal plane in [-pi/2, pi/2].
 * At the origin every output is 0; straight up or down the azimuth is 0. */
void dw_polar_from_enu(const double enu[3], double *range_m, double *az_rad, double *el_rad);
void dw_enu_from_polar(double range_m, double az_rad, double el_rad, double enu[3]);

/* Jacobian d(range, az, el)/d(e, n, u) at enu (row-major 3x3). Returns
 * DW_ERR_RANGE, jac untouched, when the point is within 1 mm horizontally of
 * the origin (the origin itself, or straight above or below it), where the
 * azimuth is undefined and the derivatives blow up; also for a non-finite
 * input. */
dw_status dw_polar_jacobian(const double enu[3], double jac[3][3]);

/* Geodesics on the WGS-84 ellipsoid via PROJ's geodesic.h (Karney, accurate
 * to nanometres). Azimuths in degrees clockwise from north, in [-180, 180];
 * azi2 is the forward azimuth at b (not the back azimuth the `geod` tool
 * prints). Altitudes are ignored. Any of the out-pointers may be NULL.
 * DW_ERR_INVALID (nothing written) for a latitude outside [-90, 90] or a
 * non-finite input. */
dw_status dw_geo_inverse(const dw_geodetic *a, const dw_geodetic *b, double *dist_m,
                         double *azi1_deg, double *azi2_deg);
/* The point dist_m along the geodesic leaving a at azi1_deg; out->alt_m is
 * a->alt_m, out->lon_deg is in [-180, 180]. dist_m may be negative (backwards).
 * DW_ERR_INVALID (out untouched) as for dw_geo_inverse. */
dw_status dw_geo_direct(const dw_geodetic *a, double azi1_deg, double dist_m, dw_geodetic *out);

/* Wrap an angle to (-pi, pi]; NaN for a non-finite angle. */
double dw_wrap_pi(double a);

#endif
