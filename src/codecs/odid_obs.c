/* odid_obs.c — Remote ID messages to observations and back.
 *
 * A Location/Vector message is a cooperative drone's own GNSS fix, so it
 * becomes a POS3 observation from the pseudo-sensor "RID"; a Basic ID gives
 * the identity (rid) and, through its UA type, a hint of the airframe class.
 * The reverse direction builds what the simulator broadcasts for a
 * cooperative drone. The choices (which altitude, how accuracy enums become
 * sigmas, how UA types become classes) are documented in docs/formats.md
 * "Remote ID"; the tables below are their single source.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dronewall/remoteid.h"

#define HOUR_US (3600LL * 1000000LL)

/* UA type → class scores, in dw_class order: unknown, owa_drone, decoy,
 * quadcopter, helicopter, airliner, light_aircraft, fighter, bird. A class
 * is an airframe, not an intent: a fixed-wing UAS shares owa_drone with the
 * one-way attack drones because that is dronewall's fixed-wing-drone class;
 * whether it is friendly is for the assessment, which sees the serial. Types
 * no class resembles (balloons, kites, rockets, parachutes) say "unknown";
 * none, ground obstacle and other say nothing. */
static const float ua_scores[16][DW_NCLASSES] = {
    [DW_ODID_UA_AEROPLANE] = {0.25f, 0.5f, 0, 0, 0, 0, 0.25f, 0, 0},
    [DW_ODID_UA_HELI_MULTIROTOR] = {0, 0, 0, 0.8f, 0.2f, 0, 0, 0, 0},
    [DW_ODID_UA_GYROPLANE] = {0, 0, 0, 0, 0.5f, 0, 0.5f, 0, 0},
    [DW_ODID_UA_HYBRID_LIFT] = {0, 0.5f, 0, 0.5f, 0, 0, 0, 0, 0},
    [DW_ODID_UA_ORNITHOPTER] = {0.5f, 0, 0, 0, 0, 0, 0, 0, 0.5f},
    [DW_ODID_UA_GLIDER] = {0, 0.5f, 0, 0, 0, 0, 0.5f, 0, 0},
    [DW_ODID_UA_KITE] = {1},
    [DW_ODID_UA_FREE_BALLOON] = {1},
    [DW_ODID_UA_CAPTIVE_BALLOON] = {1},
    [DW_ODID_UA_AIRSHIP] = {1},
    [DW_ODID_UA_FREE_FALL_PARACHUTE] = {1},
    [DW_ODID_UA_ROCKET] = {1},
    [DW_ODID_UA_TETHERED_POWERED] = {0.2f, 0, 0, 0.8f, 0, 0, 0, 0, 0},
};

/* Class → UA type for the encoder: the airframe a cooperative drone of that
 * class would declare. */
static const uint8_t class_ua[DW_NCLASSES] = {
    [DW_CLASS_UNKNOWN] = DW_ODID_UA_NONE,
    [DW_CLASS_OWA_DRONE] = DW_ODID_UA_AEROPLANE,
    [DW_CLASS_DECOY] = DW_ODID_UA_AEROPLANE,
    [DW_CLASS_QUADCOPTER] = DW_ODID_UA_HELI_MULTIROTOR,
    [DW_CLASS_HELICOPTER] = DW_ODID_UA_HELI_MULTIROTOR,
    [DW_CLASS_AIRLINER] = DW_ODID_UA_AEROPLANE,
    [DW_CLASS_LIGHT_AIRCRAFT] = DW_ODID_UA_AEROPLANE,
    [DW_CLASS_FIGHTER] = DW_ODID_UA_AEROPLANE,
    [DW_CLASS_BIRD] = DW_ODID_UA_ORNITHOPTER,
};

int dw_odid_ua_class_scores(uint8_t ua_type, float scores[DW_NCLASSES])
{
    const float *s = ua_scores[ua_type & 15];
    float sum = 0;
    for (int i = 0; i < DW_NCLASSES; i++)
        sum += s[i];
    if (sum <= 0)
        return 0;
    memcpy(scores, s, sizeof(float) * DW_NCLASSES);
    return 1;
}

/* F3411 wants the timestamp within a second of the fix and the broadcast
 * live, so a fix that is more than this far from its reception says more
 * about the transmitter's clock (unset ones send 0) than about the fix. */
#define TIME_TRUST_US (60LL * 1000000LL)

dw_status dw_odid_location_time(const dw_odid_location *l, int64_t rx_us, int64_t *t_us)
{
    if (!l || !t_us)
        return DW_ERR_INVALID;
    if (l->t_hour_ds >= 36000 || rx_us <= 0)
        return DW_ERR_RANGE;
    int64_t t = rx_us - rx_us % HOUR_US + (int64_t)l->t_hour_ds * 100000;
    /* The transmitter's hour is the one nearest to reception: a fix from
     * 59:59.9 heard at 00:00.1 belongs to the hour before. */
    if (t - rx_us > HOUR_US / 2)
        t -= HOUR_US;
    else if (rx_us - t > HOUR_US / 2)
        t += HOUR_US;
    if (t - rx_us > TIME_TRUST_US || rx_us - t > TIME_TRUST_US)
        return DW_ERR_RANGE;
    *t_us = t;
    return DW_OK;
}

/* The identity as the NDJSON writer may print it: printable ASCII only. */
static void copy_rid(char *dst, const char *src)
{
    size_t i = 0;
    for (; src && src[i] && i < DW_RID_MAX - 1; i++) {
        unsigned char c = (unsigned char)src[i];
        dst[i] = c >= 0x20 && c < 0x7F ? (char)c : '?';
    }
    dst[i] = '\0';
}

dw_status dw_remoteid_to_obs(const dw_odid_location *l, const char *rid, uint8_t ua_type,
                             int64_t rx_us, dw_obs *out)
{
    if (!l || !out)
        return DW_ERR_INVALID;
    if (!(fabs(l->lat_deg) <= 90.0 && fabs(l->lon_deg) <= 180.0) ||
        (l->lat_deg == 0.0 && l->lon_deg == 0.0))
        return DW_ERR_RANGE;
    dw_obs o;
    dw_obs_init(&o, DW_OBS_POS3);
    snprintf(o.sensor, sizeof o.sensor, "%s", DW_REMOTEID_SENSOR);
    if (dw_odid_location_time(l, rx_us, &o.t_us) != DW_OK)
        o.t_us = rx_us;
    o.has = DW_OBS_HAS_POS;
    o.lat_deg = l->lat_deg;
    o.lon_deg = l->lon_deg;
    /* Geodetic altitude is what dw_obs means by alt_m (WGS-84 HAE); the
     * pressure altitude is the fallback, off by the day's pressure. */
    if (l->geodetic_alt_m != DW_ODID_ALT_UNKNOWN_M) {
        o.alt_m = l->geodetic_alt_m;
        o.sigma_alt_m = dw_odid_v_accuracy_m(l->v_accuracy) / 2.0;
        o.has |= DW_OBS_HAS_ALT;
    } else if (l->pressure_alt_m != DW_ODID_ALT_UNKNOWN_M) {
        o.alt_m = l->pressure_alt_m;
        o.sigma_alt_m = dw_odid_v_accuracy_m(l->baro_accuracy) / 2.0;
        o.has |= DW_OBS_HAS_ALT;
    } else {
        o.kind = DW_OBS_POS2;
    }
    /* The enums are 95 % bounds, about two sigma. */
    o.sigma_pos_m = dw_odid_h_accuracy_m(l->h_accuracy) / 2.0;
    if (l->speed_mps >= 0.0 && l->speed_mps < DW_ODID_SPEED_UNKNOWN_MPS &&
        l->direction_deg >= 0.0 && l->direction_deg <= 360.0) {
        double dir_rad = l->direction_deg * (M_PI / 180.0);
        o.vel_enu_mps[0] = l->speed_mps * sin(dir_rad);
        o.vel_enu_mps[1] = l->speed_mps * cos(dir_rad);
        /* F3411 limits vertical speed to ±62 m/s; 63 is "unknown". */
        o.vel_enu_mps[2] = fabs(l->vspeed_mps) <= 62.0 ? l->vspeed_mps : 0.0;
        o.has |= DW_OBS_HAS_VEL;
    }
    copy_rid(o.rid, rid);
    if (o.rid[0])
        o.has |= DW_OBS_HAS_RID;
    if (dw_odid_ua_class_scores(ua_type, o.class_score))
        o.has |= DW_OBS_HAS_CLASS;
    *out = o;
    return DW_OK;
}

static double clampd(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

dw_status dw_remoteid_from_obs(const dw_obs *o, dw_odid_msg *msgs, size_t *n)
{
    if (!o || !msgs || !n)
        return DW_ERR_INVALID;
    if ((o->kind != DW_OBS_POS3 && o->kind != DW_OBS_POS2) || !(o->has & DW_OBS_HAS_POS) ||
        !(fabs(o->lat_deg) <= 90.0 && fabs(o->lon_deg) <= 180.0))
        return DW_ERR_INVALID;
    size_t k = 0;
    if ((o->has & DW_OBS_HAS_RID) && o->rid[0]) {
        dw_odid_msg *b = &msgs[k++];
        memset(b, 0, sizeof *b);
        b->type = DW_ODID_BASIC_ID;
        b->version = 2;
        b->u.basic_id.id_type = DW_ODID_IDT_SERIAL;
        if (o->has & DW_OBS_HAS_CLASS) {
            int best = 0;
            for (int c = 1; c < DW_NCLASSES; c++)
                if (o->class_score[c] > o->class_score[best])
                    best = c;
            b->u.basic_id.ua_type = class_ua[best];
        }
        snprintf(b->u.basic_id.uas_id, sizeof b->u.basic_id.uas_id, "%s", o->rid);
    }
    dw_odid_msg *m = &msgs[k++];
    memset(m, 0, sizeof *m);
    m->type = DW_ODID_LOCATION;
    m->version = 2;
    dw_odid_location *l = &m->u.location;
    l->status = 2; /* airborne */
    if ((o->has & DW_OBS_HAS_VEL) && isfinite(o->vel_enu_mps[0]) && isfinite(o->vel_enu_mps[1])) {
        double e = o->vel_enu_mps[0], no = o->vel_enu_mps[1];
        double dir = fmod(atan2(e, no) * (180.0 / M_PI) + 360.0, 360.0);
        l->direction_deg = lround(dir) >= 360 ? 0.0 : (double)lround(dir);
        l->speed_mps = clampd(hypot(e, no), 0.0, 254.25);
        l->vspeed_mps = isfinite(o->vel_enu_mps[2]) ? clampd(o->vel_enu_mps[2], -62.0, 62.0) : 0.0;
    } else {
        l->direction_deg = DW_ODID_DIR_UNKNOWN_DEG;
        l->speed_mps = DW_ODID_SPEED_UNKNOWN_MPS;
        l->vspeed_mps = DW_ODID_VSPEED_UNKNOWN_MPS;
    }
    l->lat_deg = o->lat_deg;
    l->lon_deg = o->lon_deg;
    l->pressure_alt_m = DW_ODID_ALT_UNKNOWN_M;
    l->height_m = DW_ODID_ALT_UNKNOWN_M;
    l->geodetic_alt_m = (o->has & DW_OBS_HAS_ALT) && isfinite(o->alt_m)
                            ? clampd(o->alt_m, -999.5, 31767.5)
                            : DW_ODID_ALT_UNKNOWN_M;
    l->h_accuracy = dw_odid_h_accuracy_enum(2.0 * o->sigma_pos_m);
    if (o->has & DW_OBS_HAS_ALT)
        l->v_accuracy = dw_odid_v_accuracy_enum(2.0 * o->sigma_alt_m);
    int64_t in_hour = ((o->t_us % HOUR_US) + HOUR_US) % HOUR_US;
    l->t_hour_ds = (uint16_t)(in_hour / 100000);
    *n = k;
    return DW_OK;
}
