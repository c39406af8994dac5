/* cot_obs.c — an observation as a CoT event: a neighbour's warning.
 *
 * A partner that shares its air picture over TAK sends, per object, a coarse
 * position with a big error circle, a course and speed, and little else. The
 * simulator plays such partners by writing its POS3/POS2 observations here,
 * and the CoT decoder (codec_cot.c) reads them back to the same observation,
 * to the resolutions below. Everything an event says is computed from the
 * observation and a counter the caller keeps, never from the clock or a
 * random source, so a replay writes the same bytes. docs/formats.md
 * "Cursor-on-Target" has the mapping.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cot_int.h"

#define DEG (180.0 / M_PI)

/* v to a whole number of 1/scale units (see cot_track.c): plain decimals of
 * at most 17 digits, which the schemas and every reader take. */
static double snap(double v, double scale) { return nearbyint(v * scale) / scale; }

/* The event type: an unknown air object ("a-u-A"), with the 2525 function of
 * the class the sensor scored highest when it scored any. An observation is
 * a measurement, not an assessment: the affiliation is the assessor's to
 * give, so it is always "u". */
static void obs_type(const dw_obs *o, char *buf, size_t cap)
{
    dw_class best = DW_CLASS_UNKNOWN;
    if (o->has & DW_OBS_HAS_CLASS) {
        float top = 0.0f;
        for (int c = 0; c < DW_NCLASSES; c++)
            if (o->class_score[c] > top) {
                top = o->class_score[c];
                best = (dw_class)c;
            }
    }
    if (dw_cot_track_type(DW_AFF_UNKNOWN, best, buf, cap) != DW_OK)
        snprintf(buf, cap, "a-u-A");
}

dw_status dw_cot_encode_obs(const dw_obs *o, uint64_t seq, int64_t stale_after_us, uint8_t *buf,
                            uint8_t *end, uint8_t **out_end)
{
    if (!o || !buf || !end || end < buf || !out_end)
        return DW_ERR_INVALID;
    if (o->kind != DW_OBS_POS3 && o->kind != DW_OBS_POS2)
        return DW_ERR_UNSUPPORTED;
    if (!isfinite(o->lat_deg) || !isfinite(o->lon_deg) || fabs(o->lat_deg) > 90.0 ||
        fabs(o->lon_deg) > 180.0)
        return DW_ERR_RANGE;
    /* A height the decoder would not take makes a POS2 of a POS3: refuse it. */
    int pos3 = o->kind == DW_OBS_POS3;
    if (pos3 && !(o->alt_m >= -1000.0 && o->alt_m <= 100000.0))
        return DW_ERR_RANGE;
    int64_t after = stale_after_us > 0 ? stale_after_us : DW_COT_OBS_STALE_DEFAULT_US;
    if (o->t_us > INT64_MAX - after)
        return DW_ERR_RANGE;
    char ts[40], ts_stale[40];
    if (dw_cot_time_format(o->t_us, ts, sizeof ts) != DW_OK ||
        dw_cot_time_format(o->t_us + after, ts_stale, sizeof ts_stale) != DW_OK)
        return DW_ERR_RANGE;

    char uid[DW_ID_MAX + 24], type[16];
    snprintf(uid, sizeof uid, "%s-%" PRIu64, o->sensor[0] ? o->sensor : "dronewall-obs", seq);
    obs_type(o, type, sizeof type);

    /* ce: one sigma of the worse horizontal axis, as for tracks; le: the
     * vertical sigma. Unknown (9999999) when the observation has neither. */
    double ce = DW_COT_UNKNOWN, le = DW_COT_UNKNOWN;
    if (o->has & DW_OBS_HAS_COV) {
        double a = o->cov_enu[0][0], d = o->cov_enu[1][1];
        double b = 0.5 * (o->cov_enu[0][1] + o->cov_enu[1][0]);
        double lmax = 0.5 * (a + d) + sqrt(0.25 * (a - d) * (a - d) + b * b);
        if (isfinite(lmax) && lmax > 0)
            ce = sqrt(lmax);
        if (isfinite(o->cov_enu[2][2]) && o->cov_enu[2][2] > 0)
            le = sqrt(o->cov_enu[2][2]);
    } else {
        if (isfinite(o->sigma_pos_m) && o->sigma_pos_m > 0)
            ce = o->sigma_pos_m;
        if (isfinite(o->sigma_alt_m) && o->sigma_alt_m > 0)
            le = o->sigma_alt_m;
    }
    ce = ce >= DW_COT_UNKNOWN_MIN ? DW_COT_UNKNOWN : snap(ce, 1e3);
    le = !pos3 || le >= DW_COT_UNKNOWN_MIN ? DW_COT_UNKNOWN : snap(le, 1e3);

    /* <track>: course over the ground, 3-D speed and climb angle, as the
     * decoder turns them back into an ENU velocity. Beyond 10 km/s the
     * decoder would drop it, so it is not written. */
    int has_track = 0;
    double course = 0, speed = 0, slope = 0;
    if (o->has & DW_OBS_HAS_VEL) {
        const double *v = o->vel_enu_mps;
        double h = hypot(v[0], v[1]), s = hypot(h, v[2]);
        if (isfinite(s) && s <= 1e4) {
            has_track = 1;
            speed = snap(s, 1e4);
            double c = atan2(v[0], v[1]) * DEG;
            course = snap(c < 0 ? c + 360.0 : c, 1e6);
            if (course >= 360.0)
                course = 0.0;
            slope = speed > 0 ? snap(atan2(v[2], h) * DEG, 1e6) : 0.0;
        }
    }

    dw__xw w = {(char *)buf, (char *)end, 0};
    dw__xw_str(&w, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<event");
    dw__xw_attr(&w, "version", "2.0");
    dw__xw_attr(&w, "uid", uid);
    dw__xw_attr(&w, "type", type);
    dw__xw_attr(&w, "time", ts);
    dw__xw_attr(&w, "start", ts);
    dw__xw_attr(&w, "stale", ts_stale);
    /* A partner's warning comes out of its fused picture. */
    dw__xw_attr(&w, "how", "m-f");
    dw__xw_str(&w, "><point");
    dw__xw_attr_fixed(&w, "lat", snap(o->lat_deg, 1e9), 9);
    dw__xw_attr_fixed(&w, "lon", snap(o->lon_deg, 1e9), 9);
    dw__xw_attr_fixed(&w, "hae", pos3 ? snap(o->alt_m, 1e3) : DW_COT_UNKNOWN, 3);
    dw__xw_attr_fixed(&w, "ce", ce, 3);
    dw__xw_attr_fixed(&w, "le", le, 3);
    dw__xw_str(&w, "/><detail>");
    if ((o->has & DW_OBS_HAS_CALLSIGN) && o->callsign[0]) {
        char cs[DW_CALLSIGN_MAX];
        snprintf(cs, sizeof cs, "%s", o->callsign);
        dw__cot_sanitize(cs);
        dw__xw_str(&w, "<contact");
        dw__xw_attr(&w, "callsign", cs);
        dw__xw_str(&w, "/>");
    }
    if (has_track) {
        dw__xw_str(&w, "<track");
        dw__xw_attr_fixed(&w, "course", course, 6);
        dw__xw_attr_fixed(&w, "speed", speed, 4);
        dw__xw_attr_fixed(&w, "slope", slope, 6);
        dw__xw_str(&w, "/>");
    }
    /* Who produced the event (MITRE's link relation "p-p"), for people and
     * for tools that follow links; the decoder names every CoT sensor "COT". */
    if (o->sensor[0]) {
        dw__xw_str(&w, "<link");
        dw__xw_attr(&w, "uid", o->sensor);
        dw__xw_attr(&w, "type", "a-f-G-E-S");
        dw__xw_attr(&w, "relation", "p-p");
        dw__xw_str(&w, "/>");
    }
    /* What else the observation knows, for the operator reading it. */
    char rem[256];
    char *r = rem, *re = rem + sizeof rem;
#define ADD(...)                                                                        \
    do {                                                                                \
        int k_ = snprintf(r, (size_t)(re - r), __VA_ARGS__);                            \
        if (k_ > 0)                                                                     \
            r += (size_t)k_ < (size_t)(re - r) ? (size_t)k_ : (size_t)(re - r) - 1;      \
    } while (0)
    ADD("dronewall observation by %s", o->sensor[0] ? o->sensor : "?");
    if (o->has & DW_OBS_HAS_ICAO)
        ADD(", ICAO %06" PRIX32, o->icao & 0xffffffu);
    if (o->has & DW_OBS_HAS_MODE3A)
        ADD(", squawk %04o", (unsigned)(o->mode3a & 07777u));
    if (o->has & DW_OBS_HAS_RID)
        ADD(", RID %.*s", (int)sizeof o->rid, o->rid);
#undef ADD
    dw__cot_sanitize(rem);
    dw__xw_str(&w, "<remarks source=\"dronewall\">");
    dw__xw_esc(&w, rem, strlen(rem), 0);
    dw__xw_str(&w, "</remarks></detail></event>");
    if (w.full)
        return DW_ERR_FULL;
    *out_end = (uint8_t *)w.p;
    return DW_OK;
}
