/* sapient_obs.c — SAPIENT detections ↔ dw_obs: units, frames, classes.
 *
 * A detection is either range/bearing from the node (→ POLAR, or BEARING without a range) or a
 * location (→ POS3, or POS2 without a height; → CELL with our "footprint_radius_m" entry, a
 * detection-only "something within this radius"). What SAPIENT has no field for travels in
 * object_info entries of our own (identities, RCS, range rate, a covariance's correlations), so
 * everything the simulator sends comes back as it went. Range/bearing stays relative to the
 * node: that is what POLAR and BEARING mean, and the node's site is the sensor's, known to the
 * tracker from the sensors file or to the codec from the node's status reports
 * (dw_sapient_node_get). Units come
 * from the message, else from the node's registration, else the defaults documented in
 * docs/formats.md. Nothing here guesses a north: bearings from magnetic, grid or platform north
 * are not turned into obs.
 */
#include <ctype.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/sapient_int.h"

#define DEG (M_PI / 180.0)

/* ------------------------------------------------------------------ UTM */

int dw__sap_utm_zone(const char *s, int *south)
{
    if (!s)
        return -1;
    while (*s == ' ')
        s++;
    int zone = 0, nd = 0;
    while (isdigit((unsigned char)*s) && nd < 3) {
        zone = zone * 10 + (*s++ - '0');
        nd++;
    }
    if (nd == 0 || zone < 1 || zone > 60)
        return -1;
    while (*s == ' ')
        s++;
    char c = (char)toupper((unsigned char)*s);
    if (c && s[1] && !(s[1] == ' ' && s[2] == '\0'))
        return -1;
    /* "N"/"S" are hemispheres; other letters are latitude bands (C..M south, P..X north). */
    if (c == 'S' || (c >= 'C' && c <= 'M' && c != 'I'))
        *south = 1;
    else if (c == 'N' || c == '\0' || (c >= 'P' && c <= 'X' && c != 'O'))
        *south = 0;
    else
        return -1;
    return zone;
}

/* Inverse transverse Mercator by Krüger's series in n to 4th order (Karney 2011): the error is
 * of order n^5 · 6400 km, far below a millimetre; the unit test holds it to PROJ. */
void dw__sap_utm_to_geo(int zone, int south, double easting_m, double northing_m,
                        double *lat_deg, double *lon_deg)
{
    const double a = 6378137.0, f = 1.0 / 298.257223563, k0 = 0.9996;
    const double n = f / (2 - f), n2 = n * n, n3 = n2 * n, n4 = n3 * n;
    const double A = a / (1 + n) * (1 + n2 / 4 + n4 / 64);
    const double beta[4] = {
        n / 2 - 2 * n2 / 3 + 37 * n3 / 96 - n4 / 360,
        n2 / 48 + n3 / 15 - 437 * n4 / 1440,
        17 * n3 / 480 - 37 * n4 / 840,
        4397 * n4 / 161280,
    };
    const double delta[4] = {
        2 * n - 2 * n2 / 3 - 2 * n3 + 116 * n4 / 45,
        7 * n2 / 3 - 8 * n3 / 5 - 227 * n4 / 45,
        56 * n3 / 15 - 136 * n4 / 35,
        4279 * n4 / 630,
    };
    double xi = (northing_m - (south ? 10000000.0 : 0.0)) / (k0 * A);
    double eta = (easting_m - 500000.0) / (k0 * A);
    double xi1 = xi, eta1 = eta;
    for (int j = 1; j <= 4; j++) {
        xi1 -= beta[j - 1] * sin(2 * j * xi) * cosh(2 * j * eta);
        eta1 -= beta[j - 1] * cos(2 * j * xi) * sinh(2 * j * eta);
    }
    double chi = asin(sin(xi1) / cosh(eta1));
    double phi = chi;
    for (int j = 1; j <= 4; j++)
        phi += delta[j - 1] * sin(2 * j * chi);
    double lon0 = zone * 6.0 - 183.0;
    *lat_deg = phi / DEG;
    *lon_deg = lon0 + atan2(sinh(eta1), cos(xi1)) / DEG;
}

/* ------------------------------------------------------------ locations */

/* Metres per radian north and east at latitude lat (WGS-84 radii of curvature). */
static void metres_per_rad(double lat_rad, double *north, double *east)
{
    const double a = 6378137.0, f = 1.0 / 298.257223563, e2 = f * (2 - f);
    double s = sin(lat_rad), w = sqrt(1 - e2 * s * s);
    *north = a * (1 - e2) / (w * w * w);
    *east = a / w * cos(lat_rad);
}

static int location_system(const dw_sapient_location *l, const dw_sapient_mode *mode, const char **zone)
{
    int cs = l->coordinate_system;
    if (!cs && mode && !mode->range_bearing)
        cs = mode->units;
    *zone = l->utm_zone[0] ? l->utm_zone : mode && mode->zone[0] ? mode->zone : NULL;
    if (!cs) {
        /* Unspecified (as Apex's own samples are): degrees if the numbers can be, else UTM if a
         * zone is known. */
        if (fabs(l->y) <= 90 && fabs(l->x) <= 180)
            cs = DW_SAPIENT_LOC_LAT_LNG_DEG_M;
        else if (*zone)
            cs = DW_SAPIENT_LOC_UTM_M;
    }
    return cs;
}

dw_status dw__sap_location_geo(const dw_sapient_location *l, const dw_sapient_mode *mode,
                               double *lat_deg, double *lon_deg)
{
    if (!(l->has & DW_SAPIENT_HAS_XY) || !isfinite(l->x) || !isfinite(l->y))
        return DW_ERR_PARSE;
    const char *zone;
    double lat, lon;
    switch (location_system(l, mode, &zone)) {
    case DW_SAPIENT_LOC_LAT_LNG_DEG_M:
        lat = l->y;
        lon = l->x;
        break;
    case DW_SAPIENT_LOC_LAT_LNG_RAD_M:
        lat = l->y / DEG;
        lon = l->x / DEG;
        break;
    case DW_SAPIENT_LOC_UTM_M: {
        int south, z = dw__sap_utm_zone(zone, &south);
        if (z < 0)
            return DW_ERR_UNSUPPORTED;
        /* Beyond these the series is meaningless (UTM is 0..1000 km east, 0..10000 km north). */
        if (l->x < -1e6 || l->x > 2e6 || l->y < -1e6 || l->y > 11e6)
            return DW_ERR_PARSE;
        dw__sap_utm_to_geo(z, south, l->x, l->y, &lat, &lon);
        break;
    }
    default:
        return DW_ERR_UNSUPPORTED;
    }
    if (!isfinite(lat) || !isfinite(lon) || fabs(lat) > 90 || fabs(lon) > 540)
        return DW_ERR_PARSE;
    if (lon > 180)
        lon -= 360;
    else if (lon < -180)
        lon += 360;
    *lat_deg = lat;
    *lon_deg = lon;
    return DW_OK;
}

/* -------------------------------------------------------------- classes */

enum {
    C_UNK = 1 << DW_CLASS_UNKNOWN,
    C_OWA = 1 << DW_CLASS_OWA_DRONE,
    C_DECOY = 1 << DW_CLASS_DECOY,
    C_QUAD = 1 << DW_CLASS_QUADCOPTER,
    C_HELI = 1 << DW_CLASS_HELICOPTER,
    C_AIRLINER = 1 << DW_CLASS_AIRLINER,
    C_LIGHT = 1 << DW_CLASS_LIGHT_AIRCRAFT,
    C_FIGHTER = 1 << DW_CLASS_FIGHTER,
    C_BIRD = 1 << DW_CLASS_BIRD,
    C_DRONES = C_OWA | C_DECOY | C_QUAD,
    C_FIXED_DRONES = C_OWA | C_DECOY,
    C_MANNED = C_HELI | C_AIRLINER | C_LIGHT | C_FIGHTER,
    C_FIXED_MANNED = C_AIRLINER | C_LIGHT | C_FIGHTER,
};
enum { CTX_NONE, CTX_UNMANNED, CTX_MANNED, CTX_FIXED, CTX_ROTARY };

/* SAPIENT leaves the taxonomy to each deployment; these are the names seen in the Apex samples
 * and the usual C-UAS words. Names are compared lower-case with everything but letters and
 * digits removed ("One-Way Attack" is "onewayattack"). `ctx` marks the names whose meaning a
 * sub-class depends on (a "Rotary Wing" under "UAV" is a quadcopter, under "Manned Aircraft" a
 * helicopter) and, for CTX_FIXED/CTX_ROTARY, the names that are themselves that ambiguous. The
 * table is docs/formats.md "SAPIENT", class mapping. */
static const struct {
    const char *name;
    uint16_t set;
    uint8_t ctx;
} class_names[] = {
    {"uav", C_DRONES, CTX_UNMANNED},
    {"uas", C_DRONES, CTX_UNMANNED},
    {"suas", C_DRONES, CTX_UNMANNED},
    {"drone", C_DRONES, CTX_UNMANNED},
    {"rpas", C_DRONES, CTX_UNMANNED},
    {"unmannedaerialvehicle", C_DRONES, CTX_UNMANNED},
    {"unmannedairvehicle", C_DRONES, CTX_UNMANNED},
    {"unmannedaircraft", C_DRONES, CTX_UNMANNED},
    {"unmannedaircraftsystem", C_DRONES, CTX_UNMANNED},
    {"fixedwinguav", C_FIXED_DRONES, CTX_UNMANNED},
    {"fixedwingdrone", C_FIXED_DRONES, CTX_UNMANNED},
    {"rotarywinguav", C_QUAD, CTX_UNMANNED},
    {"rotarywingdrone", C_QUAD, CTX_UNMANNED},
    {"multirotor", C_QUAD, CTX_UNMANNED},
    {"multicopter", C_QUAD, CTX_UNMANNED},
    {"quadcopter", C_QUAD, CTX_UNMANNED},
    {"quadrotor", C_QUAD, CTX_UNMANNED},
    {"hexacopter", C_QUAD, CTX_UNMANNED},
    {"octocopter", C_QUAD, CTX_UNMANNED},
    {"onewayattack", C_OWA, CTX_UNMANNED},
    {"onewayattackuav", C_OWA, CTX_UNMANNED},
    {"owa", C_OWA, CTX_UNMANNED},
    {"loiteringmunition", C_OWA, CTX_UNMANNED},
    {"shahed", C_OWA, CTX_UNMANNED},
    {"shahed136", C_OWA, CTX_UNMANNED},
    {"geran", C_OWA, CTX_UNMANNED},
    {"geran2", C_OWA, CTX_UNMANNED},
    {"decoy", C_DECOY, CTX_UNMANNED},
    {"gerbera", C_DECOY, CTX_UNMANNED},
    {"fixedwing", C_FIXED_DRONES | C_FIXED_MANNED, CTX_FIXED},
    {"rotarywing", C_QUAD | C_HELI, CTX_ROTARY},
    {"rotorcraft", C_QUAD | C_HELI, CTX_ROTARY},
    {"mannedaircraft", C_MANNED, CTX_MANNED},
    {"aircraft", C_MANNED, CTX_MANNED},
    {"aeroplane", C_FIXED_MANNED, CTX_MANNED},
    {"airplane", C_FIXED_MANNED, CTX_MANNED},
    {"helicopter", C_HELI, CTX_MANNED},
    {"airliner", C_AIRLINER, CTX_MANNED},
    {"commercialaircraft", C_AIRLINER, CTX_MANNED},
    {"passengeraircraft", C_AIRLINER, CTX_MANNED},
    {"lightaircraft", C_LIGHT, CTX_MANNED},
    {"generalaviation", C_LIGHT, CTX_MANNED},
    {"glider", C_LIGHT, CTX_MANNED},
    {"microlight", C_LIGHT, CTX_MANNED},
    {"fighter", C_FIGHTER, CTX_MANNED},
    {"fastjet", C_FIGHTER, CTX_MANNED},
    {"combataircraft", C_FIGHTER, CTX_MANNED},
    {"airvehicle", C_DRONES | C_MANNED, CTX_NONE},
    {"air", C_DRONES | C_MANNED, CTX_NONE},
    {"bird", C_BIRD, CTX_NONE},
    {"birds", C_BIRD, CTX_NONE},
    {"unknown", C_UNK, CTX_NONE},
    {"other", C_UNK, CTX_NONE},
    {"unclassified", C_UNK, CTX_NONE},
    {"human", C_UNK, CTX_NONE},
    {"person", C_UNK, CTX_NONE},
    {"vehicle", C_UNK, CTX_NONE},
    {"landvehicle", C_UNK, CTX_NONE},
    {"groundvehicle", C_UNK, CTX_NONE},
    {"animal", C_UNK, CTX_NONE},
    {"clutter", C_UNK, CTX_NONE},
};

/* The path that encode writes for each class: decoding the leaf gives the class back. */
static const char *const class_paths[DW_NCLASSES][3] = {
    [DW_CLASS_UNKNOWN] = {"Unknown"},
    [DW_CLASS_OWA_DRONE] = {"UAV", "Fixed Wing", "One-Way Attack"},
    [DW_CLASS_DECOY] = {"UAV", "Fixed Wing", "Decoy"},
    [DW_CLASS_QUADCOPTER] = {"UAV", "Rotary Wing"},
    [DW_CLASS_HELICOPTER] = {"Helicopter"},
    [DW_CLASS_AIRLINER] = {"Airliner"},
    [DW_CLASS_LIGHT_AIRCRAFT] = {"Light Aircraft"},
    [DW_CLASS_FIGHTER] = {"Fighter"},
    [DW_CLASS_BIRD] = {"Bird"},
};

static int class_lookup(const char *type)
{
    char key[DW_SAPIENT_NAME_MAX];
    size_t n = 0;
    for (; *type && n < sizeof key - 1; type++)
        if (isalnum((unsigned char)*type))
            key[n++] = (char)tolower((unsigned char)*type);
    key[n] = '\0';
    for (size_t i = 0; i < sizeof class_names / sizeof class_names[0]; i++)
        if (class_names[i].name[0] == key[0] && !strcmp(class_names[i].name, key))
            return (int)i;
    return -1;
}

int dw_sapient_class_scores(const dw_sapient_class *classes, size_t n, float score[DW_NCLASSES])
{
    if (n > DW_SAPIENT_CLASSES_MAX)
        n = DW_SAPIENT_CLASSES_MAX;
    int is_parent[DW_SAPIENT_CLASSES_MAX] = {0};
    /* A parent must come before its child; anything else is treated as a top-level class. */
    int parent[DW_SAPIENT_CLASSES_MAX];
    for (size_t i = 0; i < n; i++) {
        parent[i] = classes[i].parent >= 0 && classes[i].parent < (int)i ? classes[i].parent : -1;
        if (parent[i] >= 0)
            is_parent[parent[i]] = 1;
    }
    float out[DW_NCLASSES] = {0};
    int mapped = 0;
    /* Each leaf is one statement of the sensor; its class is that of the nearest named node on
     * its way up, its confidence the nearest given one (1 when none is). */
    for (size_t i = 0; i < n; i++) {
        if (is_parent[i])
            continue;
        int named = -1, entry = -1;
        for (int j = (int)i; j >= 0 && named < 0; j = parent[j])
            if ((entry = class_lookup(classes[j].type)) >= 0)
                named = j;
        if (named < 0)
            continue;
        unsigned set = class_names[entry].set;
        uint8_t ctx = class_names[entry].ctx;
        if (ctx == CTX_FIXED || ctx == CTX_ROTARY) {
            int above = CTX_NONE;
            for (int j = parent[named]; j >= 0 && above == CTX_NONE; j = parent[j]) {
                int e = class_lookup(classes[j].type);
                if (e >= 0 && (class_names[e].ctx == CTX_UNMANNED || class_names[e].ctx == CTX_MANNED))
                    above = class_names[e].ctx;
            }
            if (above == CTX_UNMANNED)
                set &= C_DRONES;
            else if (above == CTX_MANNED)
                set &= C_MANNED;
        }
        float p = 1.0f;
        for (int j = (int)i; j >= 0; j = parent[j])
            if (classes[j].has_confidence) {
                p = classes[j].confidence;
                break;
            }
        if (!(p >= 0.0f))
            p = 0.0f;   /* NaN and negatives */
        if (p > 1.0f)
            p = 1.0f;
        for (int c = 0; c < DW_NCLASSES; c++)
            if ((set & (1u << c)) && p > out[c])
                out[c] = p;
        mapped++;
    }
    if (mapped)
        memcpy(score, out, sizeof out);
    return mapped;
}

static void add_class_path(dw_sapient_detection *d, dw_class c, float score)
{
    int parent = -1;
    for (int k = 0; k < 3 && class_paths[c][k]; k++) {
        if (d->n_classes >= DW_SAPIENT_CLASSES_MAX)
            return;
        dw_sapient_class *k_ = &d->classes[d->n_classes];
        dw__sap_copy(k_->type, sizeof k_->type, class_paths[c][k]);
        k_->has_confidence = 1;
        k_->confidence = score;
        k_->parent = parent;
        parent = (int)d->n_classes++;
    }
}

/* --------------------------------------------------- object_info: ids */

static int ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
    return *a == *b;
}

static void read_info(const dw_sapient_info *inf, dw_obs *o)
{
    const char *v = inf->value;
    char *e;
    if (ieq(inf->type, "icao")) {
        unsigned long x = strtoul(v, &e, 16);
        size_t n = strlen(v);
        if (n >= 1 && n <= 6 && !*e && isxdigit((unsigned char)v[0])) {
            o->icao = (uint32_t)x;
            o->has |= DW_OBS_HAS_ICAO;
        }
    } else if (ieq(inf->type, "mode3a")) {
        unsigned long x = strtoul(v, &e, 8);
        if (strlen(v) == 4 && !*e && v[0] >= '0' && v[0] <= '7') {
            o->mode3a = (uint16_t)x;
            o->has |= DW_OBS_HAS_MODE3A;
        }
    } else if (ieq(inf->type, "callsign")) {
        if (v[0] && strlen(v) < sizeof o->callsign) {
            memcpy(o->callsign, v, strlen(v) + 1);
            o->has |= DW_OBS_HAS_CALLSIGN;
        }
    } else if (ieq(inf->type, "rid")) {
        if (v[0] && strlen(v) < sizeof o->rid) {
            memcpy(o->rid, v, strlen(v) + 1);
            o->has |= DW_OBS_HAS_RID;
        }
    } else if (ieq(inf->type, "rcs_m2")) {
        double x = strtod(v, &e);
        if (v[0] && !*e && isfinite(x) && x >= 0 && x <= 1e6) {
            o->rcs_m2 = x;
            o->has |= DW_OBS_HAS_RCS;
        }
    } else if (ieq(inf->type, "amplitude_db")) {
        double x = strtod(v, &e);
        if (v[0] && !*e && isfinite(x) && fabs(x) <= 1000) {
            o->amplitude_db = x;
            o->has |= DW_OBS_HAS_AMPLITUDE;
        }
    } else if (ieq(inf->type, "range_rate_mps") && o->kind == DW_OBS_POLAR) {
        double x = strtod(v, &e);
        if (v[0] && !*e && isfinite(x) && fabs(x) <= 1e5) {
            o->range_rate_mps = x;
            o->has |= DW_OBS_HAS_RR;
        }
    } else if (ieq(inf->type, "range_rate_error_mps") && o->kind == DW_OBS_POLAR) {
        double x = strtod(v, &e);
        if (v[0] && !*e && isfinite(x) && x > 0 && x <= 1e5)
            o->sigma_rr_mps = x;
    }
}

/* A number of an object_info entry of ours: DW_OK and *out, or DW_ERR_NOT_FOUND. */
static dw_status info_number(const dw_sapient_detection *d, const char *type, double *out)
{
    for (size_t i = 0; i < d->n_info && i < DW_SAPIENT_INFO_MAX; i++) {
        if (!ieq(d->object_info[i].type, type))
            continue;
        char *e;
        const char *v = d->object_info[i].value;
        double x = strtod(v, &e);
        if (v[0] && !*e && isfinite(x)) {
            *out = x;
            return DW_OK;
        }
    }
    return DW_ERR_NOT_FOUND;
}

/* The three correlation coefficients (en, eu, nu) of "cov_enu_correlation". */
static int info_correlation(const dw_sapient_detection *d, double r[3])
{
    for (size_t i = 0; i < d->n_info && i < DW_SAPIENT_INFO_MAX; i++) {
        if (!ieq(d->object_info[i].type, "cov_enu_correlation"))
            continue;
        const char *p = d->object_info[i].value;
        char *e;
        for (int k = 0; k < 3; k++) {
            r[k] = strtod(p, &e);
            if (e == p || !isfinite(r[k]) || fabs(r[k]) > 1)
                return 0;
            p = e;
        }
        while (*p == ' ')
            p++;
        return *p == '\0';
    }
    return 0;
}

static void add_info(dw_sapient_detection *d, const char *type, const char *value)
{
    if (d->n_info >= DW_SAPIENT_INFO_MAX)
        return;
    dw__sap_copy(d->object_info[d->n_info].type, DW_SAPIENT_NAME_MAX, type);
    dw__sap_copy(d->object_info[d->n_info].value, DW_SAPIENT_TEXT_MAX, value);
    d->n_info++;
}

/* ------------------------------------------------------ detection → obs */

/* A one-sigma error in the message's units → SI, or 0 ("the sensor's default") when absent,
 * negative, or beyond what docs/formats.md allows. */
static double sigma(int has, double v, double factor, double max)
{
    double s = fabs(v) * factor;
    return has && isfinite(v) && s <= max ? s : 0.0;
}

dw_status dw__sap_detection_obs(const dw_sapient_header *h, const dw_sapient_detection *d,
                                const dw_sapient_mode *mode, int64_t rx_us, dw_obs *out)
{
    if (!h->node_id[0])
        return DW_ERR_PARSE;
    int64_t t = h->has_time ? h->t_us : rx_us;
    if (!t)
        return DW_ERR_PARSE;
    dw_obs o;
    if (d->where == DW_SAPIENT_AT_RANGE_BEARING) {
        const dw_sapient_range_bearing *rb = &d->rb;
        int from_mode = mode && mode->range_bearing;
        int cs = rb->coordinate_system ? rb->coordinate_system : from_mode ? mode->units : 0;
        int north = rb->datum ? rb->datum : from_mode ? mode->datum : 0;
        if (!cs)
            cs = DW_SAPIENT_RB_DEGREES_M;
        if (north && north != DW_SAPIENT_NORTH_TRUE)
            return DW_ERR_UNSUPPORTED;
        double ang, len;
        switch (cs) {
        case DW_SAPIENT_RB_DEGREES_M: ang = DEG; len = 1; break;
        case DW_SAPIENT_RB_RADIANS_M: ang = 1; len = 1; break;
        case DW_SAPIENT_RB_DEGREES_KM: ang = DEG; len = 1000; break;
        case DW_SAPIENT_RB_RADIANS_KM: ang = 1; len = 1000; break;
        default: return DW_ERR_UNSUPPORTED;
        }
        if (!(rb->has & DW_SAPIENT_HAS_AZIMUTH) || !isfinite(rb->azimuth))
            return DW_ERR_PARSE;
        dw_obs_init(&o, rb->has & DW_SAPIENT_HAS_RANGE ? DW_OBS_POLAR : DW_OBS_BEARING);
        o.az_rad = rb->azimuth * ang;
        if (fabs(o.az_rad) > 2 * M_PI) {
            o.az_rad = fmod(o.az_rad, 2 * M_PI);
            if (o.az_rad < 0)
                o.az_rad += 2 * M_PI;
        }
        if (rb->has & DW_SAPIENT_HAS_ELEVATION) {
            /* Straight up survives degrees → radians with a rounding to spare. */
            o.el_rad = rb->elevation * ang;
            if (!(fabs(o.el_rad) <= M_PI / 2 + 1e-9))
                return DW_ERR_PARSE;
            o.el_rad = fmax(-M_PI / 2, fmin(M_PI / 2, o.el_rad));
            o.has |= DW_OBS_HAS_EL;
        }
        if (rb->has & DW_SAPIENT_HAS_RANGE) {
            o.range_m = rb->range * len;
            if (!(o.range_m >= 0 && o.range_m <= 1e7))
                return DW_ERR_PARSE;
        }
        o.sigma_az_rad = sigma(rb->has & DW_SAPIENT_HAS_AZIMUTH_ERROR, rb->azimuth_error, ang, 2 * M_PI);
        o.sigma_el_rad = sigma(rb->has & DW_SAPIENT_HAS_ELEVATION_ERROR, rb->elevation_error, ang, M_PI);
        o.sigma_range_m = sigma(rb->has & DW_SAPIENT_HAS_RANGE_ERROR, rb->range_error, len, 1e7);
    } else if (d->where == DW_SAPIENT_AT_LOCATION) {
        const dw_sapient_location *l = &d->loc;
        double lat, lon;
        dw_status st = dw__sap_location_geo(l, mode, &lat, &lon);
        if (st != DW_OK)
            return st;
        int has_z = (l->has & DW_SAPIENT_HAS_Z) != 0;
        if (has_z && !(l->z >= -1000 && l->z <= 100000))
            return DW_ERR_PARSE;
        dw_obs_init(&o, has_z ? DW_OBS_POS3 : DW_OBS_POS2);
        o.has |= DW_OBS_HAS_POS | (has_z ? DW_OBS_HAS_ALT : 0);
        o.lat_deg = lat;
        o.lon_deg = lon;
        o.alt_m = has_z ? l->z : 0;
        /* Horizontal errors are in the location's own units; the larger axis is kept, since
         * dw_obs has one horizontal sigma. */
        const char *zone;
        double north = 1, east = 1;
        int cs = location_system(l, mode, &zone);
        if (cs == DW_SAPIENT_LOC_LAT_LNG_DEG_M || cs == DW_SAPIENT_LOC_LAT_LNG_RAD_M) {
            metres_per_rad(lat * DEG, &north, &east);
            double k = cs == DW_SAPIENT_LOC_LAT_LNG_DEG_M ? DEG : 1;
            north *= k;
            east *= k;
        }
        double sx = sigma(l->has & DW_SAPIENT_HAS_X_ERROR, l->x_error, east, 1e7);
        double sy = sigma(l->has & DW_SAPIENT_HAS_Y_ERROR, l->y_error, north, 1e7);
        double sz = has_z ? sigma(l->has & DW_SAPIENT_HAS_Z_ERROR, l->z_error, 1, 1e6) : 0;
        o.sigma_pos_m = sx > sy ? sx : sy;
        o.sigma_alt_m = sz;
        double radius, r[3];
        if (info_number(d, "footprint_radius_m", &radius) == DW_OK && radius >= 0 && radius <= 1e7) {
            /* Detection only: something within radius_m of the location (whose errors are
             * the disc's, radius / 2 per axis, for receivers that do not know the entry). */
            o.kind = DW_OBS_CELL;
            o.has |= DW_OBS_HAS_RANGE;
            o.radius_m = radius;
            o.sigma_pos_m = 0;
        } else if (info_correlation(d, r)) {
            /* Our full covariance: the per-axis errors and their correlations. */
            o.has |= DW_OBS_HAS_COV;
            o.cov_enu[0][0] = sx * sx;
            o.cov_enu[1][1] = sy * sy;
            o.cov_enu[2][2] = sz * sz;
            o.cov_enu[0][1] = o.cov_enu[1][0] = r[0] * sx * sy;
            o.cov_enu[0][2] = o.cov_enu[2][0] = r[1] * sx * sz;
            o.cov_enu[1][2] = o.cov_enu[2][1] = r[2] * sy * sz;
            /* sigma_pos_m and sigma_alt_m stay the larger horizontal and the vertical error,
             * as a sensor that gives a covariance also says them. */
        }
    } else {
        return DW_ERR_PARSE;
    }
    o.t_us = t;
    dw_sapient_sensor_id(h->node_id, o.sensor);
    if (d->has & DW_SAPIENT_DET_VELOCITY) {
        double k = mode && mode->speed_units == DW_SAPIENT_SPEED_KPH ? 1 / 3.6 : 1;
        double v[3] = {d->vel_east * k, d->vel_north * k, d->has & DW_SAPIENT_DET_VEL_UP ? d->vel_up * k : 0};
        if (fabs(v[0]) <= 1e4 && fabs(v[1]) <= 1e4 && fabs(v[2]) <= 1e4) {
            memcpy(o.vel_enu_mps, v, sizeof v);
            o.has |= DW_OBS_HAS_VEL;
        }
    }
    if (dw_sapient_class_scores(d->classes, d->n_classes, o.class_score) > 0)
        o.has |= DW_OBS_HAS_CLASS;
    for (size_t i = 0; i < d->n_info && i < DW_SAPIENT_INFO_MAX; i++)
        read_info(&d->object_info[i], &o);
    *out = o;
    return DW_OK;
}

/* ------------------------------------------------------ obs → detection */

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* The correlation of a covariance entry, in [-1, 1]; 0 where a variance is 0. */
static double corr(double cij, double cii, double cjj)
{
    double den = sqrt(fmax(cii, 0) * fmax(cjj, 0));
    if (!(den > 0) || !isfinite(cij))
        return 0;
    double r = cij / den;
    return r > 1 ? 1 : r < -1 ? -1 : r;
}

dw_status dw__sap_obs_detection(const dw_obs *o, uint64_t seq, dw_sapient_header *h,
                                dw_sapient_detection *d)
{
    dw_sapient_version v = h->version;
    memset(h, 0, sizeof *h);
    /* The detection is 5 kB, mostly room for classes and object_info that only their counts
     * make meaningful: clear what a builder reads, not the whole (this runs per observation). */
    memset(d, 0, offsetof(dw_sapient_detection, classes));
    d->n_classes = 0;
    d->n_info = 0;
    d->colour[0] = d->id[0] = '\0';
    h->version = v;
    h->has_time = 1;
    h->t_us = o->t_us;
    dw__sap_copy(h->node_id, sizeof h->node_id, o->sensor);
    /* Ids are made from the obs and a counter, never from the clock or a random source, so a
     * replay writes the same bytes. An obs has no track: each is its own object. */
    uint64_t e = fnv1a(o->sensor) + seq * 0x9E3779B97F4A7C15ULL;
    dw_sapient_ulid(o->t_us, e, d->report_id);
    dw_sapient_ulid(o->t_us, e ^ 1, d->object_id);
    switch (o->kind) {
    case DW_OBS_POLAR:
    case DW_OBS_BEARING: {
        dw_sapient_range_bearing *rb = &d->rb;
        d->where = DW_SAPIENT_AT_RANGE_BEARING;
        rb->coordinate_system = DW_SAPIENT_RB_DEGREES_M;
        rb->datum = DW_SAPIENT_NORTH_TRUE;
        rb->azimuth = o->az_rad / DEG;
        rb->has = DW_SAPIENT_HAS_AZIMUTH;
        if (o->has & DW_OBS_HAS_EL) {
            rb->elevation = o->el_rad / DEG;
            rb->has |= DW_SAPIENT_HAS_ELEVATION;
        }
        if (o->kind == DW_OBS_POLAR) {
            rb->range = o->range_m;
            rb->has |= DW_SAPIENT_HAS_RANGE;
        }
        if (o->sigma_az_rad > 0) {
            rb->azimuth_error = o->sigma_az_rad / DEG;
            rb->has |= DW_SAPIENT_HAS_AZIMUTH_ERROR;
        }
        if (o->sigma_el_rad > 0) {
            rb->elevation_error = o->sigma_el_rad / DEG;
            rb->has |= DW_SAPIENT_HAS_ELEVATION_ERROR;
        }
        if (o->sigma_range_m > 0) {
            rb->range_error = o->sigma_range_m;
            rb->has |= DW_SAPIENT_HAS_RANGE_ERROR;
        }
        break;
    }
    case DW_OBS_CELL:
        /* Detection only: written as a location at the footprint's centre whose errors are a
         * disc's (radius / 2 per axis), and the radius as an object_info entry the decoder
         * turns back into a CELL. Without a centre or a radius there is nothing to write. */
        if ((o->has & (DW_OBS_HAS_POS | DW_OBS_HAS_RANGE)) != (DW_OBS_HAS_POS | DW_OBS_HAS_RANGE) ||
            !(o->radius_m >= 0 && o->radius_m <= 1e7))
            return DW_ERR_UNSUPPORTED;
        /* fall through */
    case DW_OBS_POS3:
    case DW_OBS_POS2: {
        dw_sapient_location *l = &d->loc;
        d->where = DW_SAPIENT_AT_LOCATION;
        l->coordinate_system = DW_SAPIENT_LOC_LAT_LNG_DEG_M;
        l->datum = DW_SAPIENT_DATUM_WGS84_E;
        l->x = o->lon_deg;
        l->y = o->lat_deg;
        l->has = DW_SAPIENT_HAS_XY;
        if (o->kind == DW_OBS_POS3 || (o->has & DW_OBS_HAS_ALT)) {
            l->z = o->alt_m;
            l->has |= DW_SAPIENT_HAS_Z;
        }
        double se = o->sigma_pos_m, sn = o->sigma_pos_m, su = o->sigma_alt_m;
        if (o->kind == DW_OBS_CELL) {
            se = sn = o->radius_m / 2;
        } else if (o->has & DW_OBS_HAS_COV) {
            se = sqrt(fmax(o->cov_enu[0][0], 0));
            sn = sqrt(fmax(o->cov_enu[1][1], 0));
            su = sqrt(fmax(o->cov_enu[2][2], 0));
        }
        double mn, me;
        metres_per_rad(o->lat_deg * DEG, &mn, &me);
        if (se > 0 && me > 0) {
            l->x_error = se / (me * DEG);
            l->has |= DW_SAPIENT_HAS_X_ERROR;
        }
        if (sn > 0) {
            l->y_error = sn / (mn * DEG);
            l->has |= DW_SAPIENT_HAS_Y_ERROR;
        }
        if (su > 0 && (l->has & DW_SAPIENT_HAS_Z)) {
            l->z_error = su;
            l->has |= DW_SAPIENT_HAS_Z_ERROR;
        }
        break;
    }
    default:
        return DW_ERR_UNSUPPORTED;
    }
    if (o->has & DW_OBS_HAS_VEL) {
        d->has |= DW_SAPIENT_DET_VELOCITY | DW_SAPIENT_DET_VEL_UP;
        d->vel_east = o->vel_enu_mps[0];
        d->vel_north = o->vel_enu_mps[1];
        d->vel_up = o->vel_enu_mps[2];
    }
    if (o->has & DW_OBS_HAS_CLASS)
        for (int c = 0; c < DW_NCLASSES; c++)
            if (o->class_score[c] > 0)
                add_class_path(d, (dw_class)c, o->class_score[c] > 1 ? 1.0f : o->class_score[c]);
    char text[40];
    if (o->has & DW_OBS_HAS_ICAO) {
        snprintf(text, sizeof text, "%06X", (unsigned)(o->icao & 0xFFFFFF));
        add_info(d, "icao", text);
    }
    if (o->has & DW_OBS_HAS_MODE3A) {
        snprintf(text, sizeof text, "%04o", (unsigned)(o->mode3a & 07777));
        add_info(d, "mode3a", text);
    }
    if (o->has & DW_OBS_HAS_CALLSIGN)
        add_info(d, "callsign", o->callsign);
    if (o->has & DW_OBS_HAS_RID)
        add_info(d, "rid", o->rid);
    if (o->has & DW_OBS_HAS_RCS) {
        snprintf(text, sizeof text, "%.17g", o->rcs_m2);
        add_info(d, "rcs_m2", text);
    }
    if (o->has & DW_OBS_HAS_AMPLITUDE) {
        snprintf(text, sizeof text, "%.17g", o->amplitude_db);
        add_info(d, "amplitude_db", text);
    }
    if (o->kind == DW_OBS_POLAR && (o->has & DW_OBS_HAS_RR)) {
        snprintf(text, sizeof text, "%.17g", o->range_rate_mps);
        add_info(d, "range_rate_mps", text);
        if (o->sigma_rr_mps > 0) {
            snprintf(text, sizeof text, "%.17g", o->sigma_rr_mps);
            add_info(d, "range_rate_error_mps", text);
        }
    }
    if (o->kind == DW_OBS_CELL) {
        snprintf(text, sizeof text, "%.17g", o->radius_m);
        add_info(d, "footprint_radius_m", text);
    } else if (d->where == DW_SAPIENT_AT_LOCATION && (o->has & DW_OBS_HAS_COV)) {
        /* SAPIENT has per-axis errors only; the correlations ride along so that a full
         * covariance (an airborne radar's is long and thin, and turned) comes back whole. */
        double c[3][3];
        memcpy(c, o->cov_enu, sizeof c);
        double r[3] = {corr(c[0][1], c[0][0], c[1][1]), corr(c[0][2], c[0][0], c[2][2]),
                       corr(c[1][2], c[1][1], c[2][2])};
        if (!(d->loc.has & DW_SAPIENT_HAS_Z))
            r[1] = r[2] = 0;
        char cv[96];
        snprintf(cv, sizeof cv, "%.17g %.17g %.17g", r[0], r[1], r[2]);
        add_info(d, "cov_enu_correlation", cv);
    }
    return DW_OK;
}
