/* cot_track.c — a dronewall track as a CoT event: what ATAK and WinTAK show.
 *
 * The event type is the track's 2525 identity in CoT spelling ("a-h-A-M-F-Q"
 * is a hostile fixed-wing drone): the affiliation letter from STANAG 1241,
 * then the air function from the track's class. The two tables below are the
 * one place that mapping lives; docs/formats.md shows them. The rest is
 * arithmetic shared by the XML and the TAK protocol writers
 * (dw__cot_track_fields): ce/le from the covariance, course/speed/slope from
 * the ENU velocity, and a remarks line an operator can read.
 */
#include <inttypes.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cot_int.h"

/* CoT affiliation letters (MITRE Event.xsd), indexed by dw_affiliation. */
static const char aff_letter[DW_NAFFILIATIONS] = {
    [DW_AFF_PENDING] = 'p', [DW_AFF_UNKNOWN] = 'u', [DW_AFF_ASSUMED_FRIEND] = 'a',
    [DW_AFF_FRIEND] = 'f',  [DW_AFF_NEUTRAL] = 'n', [DW_AFF_SUSPECT] = 's',
    [DW_AFF_HOSTILE] = 'h',
};

/* Battle dimension and 2525 function (CoTtypes.xml), indexed by dw_class. */
static const char *const class_fn[DW_NCLASSES] = {
    [DW_CLASS_UNKNOWN] = "A",               /* air track                     */
    [DW_CLASS_OWA_DRONE] = "A-M-F-Q",       /* mil fixed wing drone/RPV/UAV  */
    [DW_CLASS_DECOY] = "A-W-D",             /* air weapon, decoy             */
    [DW_CLASS_QUADCOPTER] = "A-M-H-Q",      /* mil rotary wing drone/RPV/UAV */
    [DW_CLASS_HELICOPTER] = "A-M-H",        /* mil rotary wing (A-C-H if neutral) */
    [DW_CLASS_AIRLINER] = "A-C-F",          /* civil fixed wing              */
    [DW_CLASS_LIGHT_AIRCRAFT] = "A-C-F",    /* civil fixed wing              */
    [DW_CLASS_FIGHTER] = "A-M-F-F",         /* mil fixed wing fighter        */
    [DW_CLASS_BIRD] = "A",                  /* no 2525 symbol: air track     */
};

dw_status dw_cot_track_type(dw_affiliation aff, dw_class cls, char *buf, size_t cap)
{
    if ((unsigned)aff >= DW_NAFFILIATIONS || (unsigned)cls >= DW_NCLASSES || !buf)
        return DW_ERR_INVALID;
    /* A neutral helicopter is most likely civil (rescue, police, news). */
    const char *fn = cls == DW_CLASS_HELICOPTER && aff == DW_AFF_NEUTRAL ? "A-C-H" : class_fn[cls];
    int n = snprintf(buf, cap, "a-%c-%s", aff_letter[aff], fn);
    if (n < 0 || (size_t)n >= cap)
        return DW_ERR_FULL;
    return DW_OK;
}

#define DEG (180.0 / M_PI)

static int finite3(const double v[3]) { return isfinite(v[0]) && isfinite(v[1]) && isfinite(v[2]); }

/* v to a whole number of 1/scale units, as the double nearest that decimal,
 * so the shortest digits that read back are at most that many decimals.
 * Schema validators need not take more than 18 digits per xs:decimal
 * (libxml2 takes 24); every value below stays within 17. */
static double snap(double v, double scale) { return nearbyint(v * scale) / scale; }

dw_status dw__cot_track_fields(const dw_track *t, int64_t now_us, const dw_cot_track_opts *o,
                               dw__cot_trk *out)
{
    if (!t)
        return DW_ERR_INVALID;
    dw__cot_trk f;
    memset(&f, 0, sizeof f);
    if (!isfinite(t->lat_deg) || !isfinite(t->lon_deg) || !isfinite(t->alt_m) ||
        fabs(t->lat_deg) > 90.0 || fabs(t->lon_deg) > 180.0 || fabs(t->alt_m) > 1e7)
        return DW_ERR_RANGE;
    const char *prefix = o && o->uid_prefix ? o->uid_prefix : "dronewall-";
    int n = snprintf(f.uid, sizeof f.uid, "%s%" PRIu64, prefix, t->id);
    if (n < 0 || (size_t)n >= sizeof f.uid)
        return DW_ERR_INVALID;
    dw_status st = dw_cot_track_type(t->affiliation, t->cls, f.type, sizeof f.type);
    if (st != DW_OK)
        return st;
    /* A coasting track is the tracker's prediction, not a fused update. */
    f.how = t->status == DW_TRACK_COASTING ? "m-p" : "m-f";
    int64_t after = o && o->stale_after_us > 0 ? o->stale_after_us : DW_COT_STALE_DEFAULT_US;
    if (now_us > INT64_MAX - after)
        return DW_ERR_RANGE; /* CoT cannot write such times anyway */
    f.time_us = now_us;
    f.stale_us = t->status == DW_TRACK_DEAD ? now_us : now_us + after;
    char ts[40]; /* both wires must carry times the other can write */
    if (dw_cot_time_format(f.time_us, ts, sizeof ts) != DW_OK ||
        dw_cot_time_format(f.stale_us, ts, sizeof ts) != DW_OK)
        return DW_ERR_RANGE;
    /* Resolutions: 1e-9 degree (0.1 mm), 1 mm, 1e-6 degree, 0.1 mm/s. */
    f.lat_deg = snap(t->lat_deg, 1e9);
    f.lon_deg = snap(t->lon_deg, 1e9);
    f.hae_m = snap(t->alt_m, 1e3); /* both above the WGS-84 ellipsoid */

    /* ce: one sigma of the worse horizontal axis (the larger eigenvalue of
     * the EN covariance), so the circle ATAK draws is never too small. */
    double a = t->cov_pos_enu[0][0], d = t->cov_pos_enu[1][1];
    double b = 0.5 * (t->cov_pos_enu[0][1] + t->cov_pos_enu[1][0]);
    double lmax = 0.5 * (a + d) + sqrt(0.25 * (a - d) * (a - d) + b * b);
    f.ce_m = isfinite(lmax) && lmax > 0 ? sqrt(lmax) : DW_COT_UNKNOWN;
    double uu = t->cov_pos_enu[2][2];
    f.le_m = isfinite(uu) && uu > 0 ? sqrt(uu) : DW_COT_UNKNOWN;
    f.ce_m = f.ce_m >= DW_COT_UNKNOWN_MIN ? DW_COT_UNKNOWN : snap(f.ce_m, 1e3);
    f.le_m = f.le_m >= DW_COT_UNKNOWN_MIN ? DW_COT_UNKNOWN : snap(f.le_m, 1e3);

    /* Speed is the 3-D magnitude and slope the climb angle (MITRE track
     * schema); course is the direction over the ground, [0, 360). */
    const double *v = t->vel_enu_mps;
    double h = hypot(v[0], v[1]), speed = hypot(h, v[2]);
    /* No <track> for a velocity that is not one (nothing flies at 100 km/s). */
    if (finite3(v) && speed <= 1e5) {
        f.has_track = 1;
        f.speed_mps = snap(speed, 1e4);
        double c = atan2(v[0], v[1]) * DEG;
        f.course_deg = snap(c < 0 ? c + 360.0 : c, 1e6);
        if (f.course_deg >= 360.0)
            f.course_deg = 0.0;
        f.slope_deg = f.speed_mps > 0 ? snap(atan2(v[2], h) * DEG, 1e6) : 0.0;
    }

    if (t->callsign[0])
        snprintf(f.callsign, sizeof f.callsign, "%s", t->callsign);
    else
        snprintf(f.callsign, sizeof f.callsign, "DW-%" PRIu64, t->id);

    /* The remarks line: what an operator asks first about a symbol. */
    char *r = f.remarks, *re = f.remarks + sizeof f.remarks;
#define ADD(...)                                                            \
    do {                                                                    \
        int k_ = snprintf(r, (size_t)(re - r), __VA_ARGS__);                \
        if (k_ > 0)                                                         \
            r += (size_t)k_ < (size_t)(re - r) ? (size_t)k_ : (size_t)(re - r) - 1; \
    } while (0)
    ADD("dronewall track %" PRIu64 ": %s, %s", t->id, dw_track_status_name(t->status),
        dw_class_name(t->cls));
    float p = (unsigned)t->cls < DW_NCLASSES ? t->class_prob[t->cls] : 0.0f;
    if (p > 0.0f && p <= 1.0f)
        ADD(" %.0f%%", 100.0 * p);
    ADD(", %s", dw_affiliation_name(t->affiliation));
    if (isfinite(t->quality))
        ADD(", quality %.2f", t->quality);
    ADD(", %" PRIu32 " updates", t->hits);
    if (t->icao)
        ADD(", ICAO %06" PRIX32, t->icao & 0xffffffu);
    if (t->rid[0])
        ADD(", RID %.*s", (int)sizeof t->rid, t->rid);
    if (t->partner_id[0])
        ADD(", partner %.*s", (int)sizeof t->partner_id, t->partner_id);
#undef ADD
    /* Callsigns, RIDs and partner ids come from other feeds' bytes. */
    dw__cot_sanitize(f.callsign);
    dw__cot_sanitize(f.remarks);
    *out = f;
    return DW_OK;
}

static dw_status track_xml(const dw__cot_trk *f, uint8_t *buf, uint8_t *end, uint8_t **out_end)
{
    dw__xw w = {(char *)buf, (char *)end, 0};
    dw_status st;
    dw__xw_str(&w, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<event");
    dw__xw_attr(&w, "version", "2.0");
    dw__xw_attr(&w, "uid", f->uid);
    dw__xw_attr(&w, "type", f->type);
    if ((st = dw__xw_attr_time(&w, "time", f->time_us)) != DW_OK ||
        (st = dw__xw_attr_time(&w, "start", f->time_us)) != DW_OK ||
        (st = dw__xw_attr_time(&w, "stale", f->stale_us)) != DW_OK)
        return st;
    dw__xw_attr(&w, "how", f->how);
    dw__xw_str(&w, "><point");
    /* Snapped above: printed from their integers (the same text as the
     * shortest digits, without printf). */
    dw__xw_attr_fixed(&w, "lat", f->lat_deg, 9);
    dw__xw_attr_fixed(&w, "lon", f->lon_deg, 9);
    dw__xw_attr_fixed(&w, "hae", f->hae_m, 3);
    dw__xw_attr_fixed(&w, "ce", f->ce_m, 3);
    dw__xw_attr_fixed(&w, "le", f->le_m, 3);
    dw__xw_str(&w, "/><detail><contact");
    dw__xw_attr(&w, "callsign", f->callsign);
    dw__xw_str(&w, "/>");
    if (f->has_track) {
        dw__xw_str(&w, "<track");
        dw__xw_attr_fixed(&w, "course", f->course_deg, 6);
        dw__xw_attr_fixed(&w, "speed", f->speed_mps, 4);
        dw__xw_attr_fixed(&w, "slope", f->slope_deg, 6);
        dw__xw_str(&w, "/>");
    }
    dw__xw_str(&w, "<remarks source=\"dronewall\">");
    dw__xw_esc(&w, f->remarks, strlen(f->remarks), 0);
    dw__xw_str(&w, "</remarks></detail></event>");
    if (w.full)
        return DW_ERR_FULL;
    *out_end = (uint8_t *)w.p;
    return DW_OK;
}

dw_status dw_cot_encode_track(const dw_track *t, int64_t now_us, const dw_cot_track_opts *opts,
                              uint8_t *buf, uint8_t *end, uint8_t **out_end)
{
    if (!t || !buf || !end || end < buf || !out_end)
        return DW_ERR_INVALID;
    dw__cot_trk f;
    dw_status st = dw__cot_track_fields(t, now_us, opts, &f);
    if (st != DW_OK)
        return st;
    dw_cot_wire wire = opts ? opts->wire : DW_COT_WIRE_AUTO;
    if (wire == DW_COT_WIRE_AUTO || wire == DW_COT_WIRE_XML)
        return track_xml(&f, buf, end, out_end);
    return dw__takp_enc_track(&f, wire, buf, end, out_end);
}
