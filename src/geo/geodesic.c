/* geodesic.c — distance and azimuth on the ellipsoid, delegated to PROJ.
 *
 * Karney's algorithm is hard to get right and PROJ ships it; these calls are
 * used for borders, zones and reports rather than per observation, so the
 * small cost of setting up the ellipsoid on each call buys freedom from
 * global state (and from any thread-safety question).
 */
#include "dronewall/geo.h"

#include <geodesic.h>
#include <math.h>
#include <stddef.h>

static int valid_point(const dw_geodetic *g)
{
    return fabs(g->lat_deg) <= 90.0 && isfinite(g->lon_deg);
}

dw_status dw_geo_inverse(const dw_geodetic *a, const dw_geodetic *b, double *dist_m,
                         double *azi1_deg, double *azi2_deg)
{
    if (!valid_point(a) || !valid_point(b))
        return DW_ERR_INVALID;
    struct geod_geodesic g;
    geod_init(&g, DW_WGS84_A, DW_WGS84_F);
    double s12, azi1, azi2;
    geod_inverse(&g, a->lat_deg, a->lon_deg, b->lat_deg, b->lon_deg, &s12, &azi1, &azi2);
    if (dist_m)
        *dist_m = s12;
    if (azi1_deg)
        *azi1_deg = azi1;
    if (azi2_deg)
        *azi2_deg = azi2;
    return DW_OK;
}

dw_status dw_geo_direct(const dw_geodetic *a, double azi1_deg, double dist_m, dw_geodetic *out)
{
    if (!valid_point(a) || !isfinite(azi1_deg) || !isfinite(dist_m))
        return DW_ERR_INVALID;
    struct geod_geodesic g;
    geod_init(&g, DW_WGS84_A, DW_WGS84_F);
    double lat2, lon2;
    geod_direct(&g, a->lat_deg, a->lon_deg, azi1_deg, dist_m, &lat2, &lon2, NULL);
    out->lat_deg = lat2;
    out->lon_deg = lon2;
    out->alt_m = a->alt_m;
    return DW_OK;
}
