/* cpr.c — Compact Position Reporting (ICAO Doc 9871 §C.2.6, "The 1090 MHz
 * Riddle" ch. 5-6): 17-bit fractions of latitude and longitude zones. A
 * single frame fixes a position only within a zone, so either a reference
 * near the aircraft (local) or an even/odd pair with their different zone
 * counts (global) removes the ambiguity.
 */
#include <math.h>

#include "dronewall/modes.h"

#define CPR_NZ 15
#define CPR_SCALE 131072.0  /* 2^17 */

/* The latitudes where the number of longitude zones drops by one, for NL =
 * 59 down to 2, from NL(lat) = floor(2π / acos(1 - (1 - cos(π/2NZ)) /
 * cos²(lat))) solved for lat. Tabulated because acos per frame would be the
 * hot loop's dearest call. */
static const double nl_edge[58] = {
    10.47047130, 14.82817437, 18.18626357, 21.02939493, 23.54504487, 25.82924707,
    27.93898710, 29.91135686, 31.77209708, 33.53993436, 35.22899598, 36.85025108,
    38.41241892, 39.92256684, 41.38651832, 42.80914012, 44.19454951, 45.54626723,
    46.86733252, 48.16039128, 49.42776439, 50.67150166, 51.89342469, 53.09516153,
    54.27817472, 55.44378444, 56.59318756, 57.72747354, 58.84763776, 59.95459277,
    61.04917774, 62.13216659, 63.20427479, 64.26616523, 65.31845310, 66.36171008,
    67.39646774, 68.42322022, 69.44242631, 70.45451075, 71.45986473, 72.45884545,
    73.45177442, 74.43893416, 75.42056257, 76.39684391, 77.36789461, 78.33374083,
    79.29428225, 80.24923213, 81.19801349, 82.13956981, 83.07199445, 83.99173563,
    84.89166191, 85.75541621, 86.53536998, 87.00000000,
};

int dw_cpr_nl(double lat_deg)
{
    double a = fabs(lat_deg);
    if (!(a < 87.0))
        return a == 87.0 ? 2 : 1;
    /* the number of edges at or below a; binary search over 58 */
    int lo = 0, hi = 58;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (nl_edge[mid] <= a)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 59 - lo;
}

/* a mod b into [0, b) */
static double pmod(double a, double b)
{
    double r = a - b * floor(a / b);
    return r >= b ? r - b : r;
}

static double wrap_lon(double lon)
{
    lon = pmod(lon + 180.0, 360.0) - 180.0;
    return lon;
}

/* Both frames' latitudes from a pair; zone_deg is 360 airborne, 90 surface
 * (where the answers are in [0, 90) and the caller picks the hemisphere). */
static dw_status pair_lat(uint32_t lat0, uint32_t lat1, double zone_deg, double *rlat0,
                          double *rlat1)
{
    double y0 = lat0 / CPR_SCALE, y1 = lat1 / CPR_SCALE;
    double j = floor(59.0 * y0 - 60.0 * y1 + 0.5);
    double a = zone_deg / 60.0 * (pmod(j, 60.0) + y0);
    double b = zone_deg / 59.0 * (pmod(j, 59.0) + y1);
    if (zone_deg > 90.0) {
        if (a >= 270.0)
            a -= 360.0;
        if (b >= 270.0)
            b -= 360.0;
        if (a < -90.0 || a > 90.0 || b < -90.0 || b > 90.0)
            return DW_ERR_RANGE;
    }
    *rlat0 = a;
    *rlat1 = b;
    return DW_OK;
}

/* The zone count both frames agree on, or 0 when the aircraft crossed a
 * zone edge between them. */
static int pair_nl(double a, double b)
{
    int n = dw_cpr_nl(a);
    return n == dw_cpr_nl(b) ? n : 0;
}

static double pair_lon(uint32_t lon0, uint32_t lon1, int nl, int odd, double zone_deg)
{
    double x0 = lon0 / CPR_SCALE, x1 = lon1 / CPR_SCALE;
    int ni = nl - odd;
    if (ni < 1)
        ni = 1;
    double m = floor(x0 * (nl - 1) - x1 * nl + 0.5);
    return zone_deg / ni * (pmod(m, ni) + (odd ? x1 : x0));
}

dw_status dw_cpr_airborne_global(uint32_t lat0, uint32_t lon0, uint32_t lat1, uint32_t lon1,
                                 int latest_odd, double *lat_deg, double *lon_deg)
{
    double a, b;
    if (lat0 > 0x1ffff || lat1 > 0x1ffff || lon0 > 0x1ffff || lon1 > 0x1ffff)
        return DW_ERR_INVALID;
    dw_status st = pair_lat(lat0, lat1, 360.0, &a, &b);
    if (st != DW_OK)
        return st;
    int nl = pair_nl(a, b);
    if (!nl)
        return DW_ERR_RANGE;
    double lon = pair_lon(lon0, lon1, nl, latest_odd ? 1 : 0, 360.0);
    *lat_deg = latest_odd ? b : a;
    *lon_deg = wrap_lon(lon);
    return DW_OK;
}

dw_status dw_cpr_surface_global(uint32_t lat0, uint32_t lon0, uint32_t lat1, uint32_t lon1,
                                int latest_odd, double ref_lat_deg, double ref_lon_deg,
                                double *lat_deg, double *lon_deg)
{
    double a, b;
    int nl;
    if (lat0 > 0x1ffff || lat1 > 0x1ffff || lon0 > 0x1ffff || lon1 > 0x1ffff)
        return DW_ERR_INVALID;
    if (!(fabs(ref_lat_deg) <= 90.0) || !(fabs(ref_lon_deg) <= 360.0))
        return DW_ERR_INVALID;
    /* The surface zones are a quarter of the airborne ones: the answer is in
     * [0, 90) or its southern twin 90° lower, whichever is nearer the
     * reference; the zone check needs the chosen hemisphere. */
    dw_status st = pair_lat(lat0, lat1, 90.0, &a, &b);
    if (st != DW_OK)
        return st;
    double lat = latest_odd ? b : a;
    if (fabs(lat - 90.0 - ref_lat_deg) < fabs(lat - ref_lat_deg)) {
        a -= 90.0;
        b -= 90.0;
        lat -= 90.0;
    }
    nl = pair_nl(a, b);
    if (!nl)
        return DW_ERR_RANGE;
    double lon = pair_lon(lon0, lon1, nl, latest_odd ? 1 : 0, 90.0);
    /* four answers 90° apart: the one nearest the reference */
    double best = lon, best_d = 1e9;
    for (int k = 0; k < 4; k++) {
        double c = wrap_lon(lon + 90.0 * k);
        double d = fabs(wrap_lon(c - ref_lon_deg));
        if (d < best_d) {
            best_d = d;
            best = c;
        }
    }
    *lat_deg = lat;
    *lon_deg = best;
    return DW_OK;
}

dw_status dw_cpr_local(uint32_t lat_cpr, uint32_t lon_cpr, int odd, int surface,
                       double ref_lat_deg, double ref_lon_deg, double *lat_deg,
                       double *lon_deg)
{
    if (lat_cpr > 0x1ffff || lon_cpr > 0x1ffff)
        return DW_ERR_INVALID;
    if (!(fabs(ref_lat_deg) <= 90.0) || !(fabs(ref_lon_deg) <= 360.0))
        return DW_ERR_INVALID;
    double zone = surface ? 90.0 : 360.0;
    int i = odd ? 1 : 0;
    double y = lat_cpr / CPR_SCALE, x = lon_cpr / CPR_SCALE;
    double dlat = zone / (60 - i);
    double j = floor(ref_lat_deg / dlat) + floor(0.5 + pmod(ref_lat_deg, dlat) / dlat - y);
    double lat = dlat * (j + y);
    if (!(fabs(lat) <= 90.0))
        return DW_ERR_RANGE;
    int ni = dw_cpr_nl(lat) - i;
    if (ni < 1)
        ni = 1;
    double dlon = zone / ni;
    double m = floor(ref_lon_deg / dlon) + floor(0.5 + pmod(ref_lon_deg, dlon) / dlon - x);
    double lon = dlon * (m + x);
    *lat_deg = lat;
    *lon_deg = wrap_lon(lon);
    return DW_OK;
}

void dw_cpr_encode(double lat_deg, double lon_deg, int odd, int surface, uint32_t *lat_cpr,
                   uint32_t *lon_cpr)
{
    double zone = surface ? 90.0 : 360.0;
    int i = odd ? 1 : 0;
    double dlat = zone / (60 - i);
    double yz = floor(CPR_SCALE * pmod(lat_deg, dlat) / dlat + 0.5);
    /* the latitude the receiver will decode, whose NL sets the lon zones */
    double rlat = dlat * (yz / CPR_SCALE + floor(lat_deg / dlat));
    int ni = dw_cpr_nl(rlat) - i;
    if (ni < 1)
        ni = 1;
    double dlon = zone / ni;
    double xz = floor(CPR_SCALE * pmod(lon_deg, dlon) / dlon + 0.5);
    *lat_cpr = (uint32_t)yz & 0x1ffff;
    *lon_cpr = (uint32_t)xz & 0x1ffff;
}
