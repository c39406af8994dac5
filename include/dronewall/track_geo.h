/* track_geo.h — measurement models that tie the frame-agnostic tracker to
 * the Earth.
 *
 * In the air picture the tracker's state is ECEF [x vx y vy z vz] (metres,
 * m/s). A radar reports range, azimuth and elevation from its own site, and a
 * Doppler radar the range rate too; its model maps the ECEF state into the
 * site's ENU frame and then to polar, with the exact Jacobian (for the
 * extended Kalman update; the tracker's unscented update, DW_UPDATE_UKF,
 * uses h alone). Positions with a covariance (ADS-B, Remote ID, a
 * partner's track) are linear in ECEF once their ENU covariance is rotated,
 * which dw_geo_pos_meas() does.
 *
 * Bearings (acoustic nodes, RF direction finders, cameras) are the azimuth,
 * and for a camera the elevation, of the target in the site's ENU frame, h
 * with its exact Jacobian, for the extended or the unscented update. A bearing
 * gives no position: its to_pos fails, so a bearing nobody takes is left to
 * the initiator (initiate.h), which intersects bearings from several sites.
 * Many nodes share one tracker slot: each measurement names its own site in
 * dw_meas.ctx.
 *
 * Reports of a position on the ground plane (a citizen's "I saw it here",
 * POS2) and detection-only footprints (CELL) are a latitude and a longitude:
 * a 2-D measurement of the 3-D state, h(x) = the geodetic latitude and
 * longitude of x, so the altitude is left entirely to other sensors. A
 * footprint of radius r is its Gaussian form: the centre with r²/4 per axis
 * (the covariance of a uniform disc).
 *
 * The caller owns each sensor's dw_polar_site, dw_bearing_site and
 * dw_latlon_ctx and keeps it alive while the tracker uses it.
 */
#ifndef DRONEWALL_TRACK_GEO_H
#define DRONEWALL_TRACK_GEO_H

#include "dronewall/geo.h"
#include "dronewall/tracker.h"

/* A radar site: measurements are z = [range_m, az_rad, el_rad]. */
typedef struct dw_polar_site {
    dw_enu_frame frame;
    /* A 2-D radar's plots (dw_polar_meas_no_el) name a copy of the site with
     * `horizontal` set: z[0] is then the distance in the site's horizontal
     * plane, converted from the slant range at the altitude prior, so that
     * the range says nothing of the height (a slant range with the height
     * unknown would let each range error move the height: the EKF pulls a
     * state whose height nobody measures up and down by kilometres), and
     * z[2] is an elevation that says nothing (variance DW_POLAR_NO_EL_VAR).
     * A track such a plot starts sits at prior_alt_m +- prior_alt_sigma_m.
     * dw_polar_site_init: 0, 1,000 m, 1,000 m. */
    int horizontal;
    double prior_alt_m, prior_alt_sigma_m;
} dw_polar_site;

void dw_polar_site_init(dw_polar_site *s, const dw_geodetic *site);

extern const dw_meas_model dw_meas_polar;

/* Fill m with a polar plot (sigmas on the diagonal of R). */
void dw_polar_meas(dw_meas *m, int64_t t_us, double range_m, double az_rad, double el_rad,
                   double sigma_range_m, double sigma_az_rad, double sigma_el_rad);

/* Fill m with a 2-D radar's plot, slant range and azimuth only (a primary
 * plot of a radar that measures no height, without the secondary's Mode C),
 * for the polar model through site2d (a copy of the radar's site with
 * `horizontal` set; m->ctx = site2d): z[0] the horizontal distance at the
 * altitude prior, its variance the range's plus what the prior's sigma
 * makes of it (at 35 km and 1,000 m +- 1,000 m, 20 m), z[2] = 0 with
 * DW_POLAR_NO_EL_VAR. */
void dw_polar_meas_no_el(dw_meas *m, int64_t t_us, const dw_polar_site *site2d, double range_m,
                         double az_rad, double sigma_range_m, double sigma_az_rad);
#define DW_POLAR_NO_EL_VAR 1e4

/* A plot with its range rate (Doppler): z = [range_m, az_rad, el_rad,
 * range_rate_mps], nz 4, the first three as dw_meas_polar's, the fourth the
 * rate of the slant range, positive opening: (p - s) . v / |p - s| for a
 * state at p moving at v (ECEF, the site s fixed to the Earth). For a 2-D
 * plot (site2d in m->ctx: z[0] the horizontal distance, z[2] the elevation
 * that says nothing) z[3] is the horizontal distance's rate, which says
 * nothing of the height or the climb either. H holds the derivatives by
 * position and by velocity. to_pos is the polar model's (the range rate
 * places nothing). Such a plot goes to the radar's tracker slot (whose model
 * is dw_meas_polar) with m->model set, so that a radar's plots with and
 * without a Doppler share one slot. */
extern const dw_meas_model dw_meas_polar_rr;

/* Make a plot filled by dw_polar_meas or dw_polar_meas_no_el one with a range
 * rate (the radar's: the slant range's, m/s, positive opening): R becomes
 * 4 x 4 (the 3 x 3 block as it was, the rate's variance last, no
 * correlation), z[3] the rate, m->model dw_meas_polar_rr. A 2-D plot's rate
 * becomes the horizontal distance's at the altitude prior, level flight
 * assumed: range_rate_mps / cos el, its sigma likewise (el where to_pos puts
 * the plot; a target climbing at w adds w tan el, left out). */
void dw_polar_meas_add_rr(dw_meas *m, double range_rate_mps, double sigma_rr_mps);

/* Fill m with a position measurement in ECEF from a geodetic point and its
 * ENU covariance (m²); use with dw_meas_linear_pos on a 3-axis tracker. */
void dw_geo_pos_meas(dw_meas *m, int64_t t_us, const dw_geodetic *g, const double cov_enu[3][3]);

/* ---- bearings ------------------------------------------------------------ */

/* A bearing sensor's site. A bearing has no range, so its gate is a wedge
 * that runs on for ever: a node that hears to 6 km would otherwise vouch for
 * a radar's clutter track 300 km down the same azimuth. The model therefore
 * does not linearise (h fails: no gating, no update) for a state beyond the
 * site's reach, DW_BEARING_REACH_K x max_range_m + DW_BEARING_REACH_M
 * horizontally (the margin covers a young track's position error). */
typedef struct dw_bearing_site {
    dw_enu_frame frame;
    double max_range_m;     /* how far it hears or sees (0: unknown, no limit)      */
    double reach_m;         /* the model's limit, from max_range_m                   */
    uint32_t id;            /* tells sites apart (the caller's sensor index)        */
} dw_bearing_site;

#define DW_BEARING_REACH_K 1.5
#define DW_BEARING_REACH_M 2000.0

void dw_bearing_site_init(dw_bearing_site *s, const dw_geodetic *site, double max_range_m,
                          uint32_t id);

/* z = [az_rad] (clockwise from north, wrapped in the residual), nz 1. */
extern const dw_meas_model dw_meas_bearing;
/* z = [az_rad, el_rad], nz 2. A bearing without an elevation goes through
 * this model with an elevation that says nothing: z[1] = 0 with a variance of
 * DW_BEARING_NO_EL_VAR, which moves d² by less than 3e-4 and the state by a
 * ten-thousandth of what a real elevation would. */
extern const dw_meas_model dw_meas_bearing_el;
#define DW_BEARING_NO_EL_VAR 1e4

/* Fill m with a bearing from site (m->ctx = site). For dw_meas_bearing pass
 * sigma_el_rad 0; for dw_meas_bearing_el, sigma_el_rad <= 0 (or a NaN el)
 * writes the elevation that says nothing. z[1] always holds el_rad (0 when
 * there is none), R[0] the azimuth's variance. */
void dw_bearing_meas(dw_meas *m, int64_t t_us, const dw_bearing_site *site, double az_rad,
                     double el_rad, double sigma_az_rad, double sigma_el_rad);

/* ---- latitude and longitude: POS2 reports and CELL footprints ----------- */

/* The model's context: what to_pos assumes for the altitude it does not
 * measure, and whether it gives a position at all. */
typedef struct dw_latlon_ctx {
    double alt_m;           /* the altitude prior (a drone-like height)        */
    double alt_sigma_m;     /* its sigma                                        */
    int no_pos;             /* 1: to_pos fails (a CELL: detection only; tracks
                               start from overlapping cells, initiate.h)        */
} dw_latlon_ctx;

/* NULL ctx: 1,000 m, sigma 1,500 m, positions given. */
#define DW_LATLON_ALT_M 1000.0
#define DW_LATLON_ALT_SIGMA_M 1500.0

/* z = [lat_rad, lon_rad] (geodetic), nz 2; R in rad². */
extern const dw_meas_model dw_meas_latlon;

/* Fill m with a latitude and longitude and the east-north covariance of the
 * point (m², row-major [ee en; ne nn]), turned into rad² there. */
void dw_latlon_meas(dw_meas *m, int64_t t_us, double lat_deg, double lon_deg,
                    const double cov_en[4]);

/* Fill m with a footprint of radius_m about its centre: r²/4 per axis;
 * z[2] keeps radius_m (outside the model's nz, for the initiator). */
void dw_cell_meas(dw_meas *m, int64_t t_us, double lat_deg, double lon_deg, double radius_m);

/* A 3-axis ECEF tracker state as geodetic position and ENU velocity. */
void dw_geo_state(const double *x, dw_geodetic *g, double vel_enu[3]);

#endif
