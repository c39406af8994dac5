/* track_geo.h — measurement models that tie the frame-agnostic tracker to
 * the Earth.
 *
 * In the air picture the tracker's state is ECEF [x vx y vy z vz] (metres,
 * m/s). A radar reports range, azimuth and elevation from its own site; its
 * model (an extended Kalman update) maps the ECEF state into the site's ENU
 * frame and then to polar. Positions with a covariance (ADS-B, Remote ID, a
 * partner's track) are linear in ECEF once their ENU covariance is rotated,
 * which dw_geo_pos_meas() does.
 *
 * The caller owns each sensor's dw_polar_site and keeps it alive while the
 * tracker uses it.
 */
#ifndef DRONEWALL_TRACK_GEO_H
#define DRONEWALL_TRACK_GEO_H

#include "dronewall/geo.h"
#include "dronewall/tracker.h"

/* A radar site: measurements are z = [range_m, az_rad, el_rad]. */
typedef struct dw_polar_site {
    dw_enu_frame frame;
} dw_polar_site;

void dw_polar_site_init(dw_polar_site *s, const dw_geodetic *site);

extern const dw_meas_model dw_meas_polar;

/* Fill m with a polar plot (sigmas on the diagonal of R). */
void dw_polar_meas(dw_meas *m, int64_t t_us, double range_m, double az_rad, double el_rad,
                   double sigma_range_m, double sigma_az_rad, double sigma_el_rad);

/* Fill m with a position measurement in ECEF from a geodetic point and its
 * ENU covariance (m²); use with dw_meas_linear_pos on a 3-axis tracker. */
void dw_geo_pos_meas(dw_meas *m, int64_t t_us, const dw_geodetic *g, const double cov_enu[3][3]);

/* A 3-axis ECEF tracker state as geodetic position and ENU velocity. */
void dw_geo_state(const double *x, dw_geodetic *g, double vel_enu[3]);

#endif
