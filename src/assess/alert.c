/* alert.c — the alert record's words, its NDJSON line (docs/formats.md, "alert") and a
 * neighbour notice as Cursor-on-Target (docs/assessment.md).
 *
 * The NDJSON line always carries every key of the format, null where a kind has no
 * value, so a reader never has to guess whether a key was forgotten or does not apply.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dronewall/assess.h"
#include "dronewall/cot.h"
#include "dronewall/jsonw.h"

#define NAME_STR(e, s) s,
static const char *const kinds[] = {DW_ALERT_KINDS(NAME_STR)};
static const char *const states[] = {DW_ALERT_STATES(NAME_STR)};
static const char *const severities[] = {DW_ALERT_SEVERITIES(NAME_STR)};
#undef NAME_STR

static int lookup(const char *const *names, int n, const char *s)
{
    if (!s)
        return -1;
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], s))
            return i;
    return -1;
}

const char *dw_alert_kind_name(dw_alert_kind k)
{
    return (unsigned)k < DW_NALERT_KINDS ? kinds[k] : "?";
}

int dw_alert_kind_parse(const char *s, dw_alert_kind *out)
{
    int i = lookup(kinds, DW_NALERT_KINDS, s);
    if (i < 0)
        return -1;
    *out = (dw_alert_kind)i;
    return 0;
}

const char *dw_alert_state_name(dw_alert_state s)
{
    return (unsigned)s < DW_NALERT_STATES ? states[s] : "?";
}

int dw_alert_state_parse(const char *s, dw_alert_state *out)
{
    int i = lookup(states, DW_NALERT_STATES, s);
    if (i < 0)
        return -1;
    *out = (dw_alert_state)i;
    return 0;
}

const char *dw_alert_severity_name(dw_alert_severity s)
{
    return (unsigned)s < DW_NALERT_SEVERITIES ? severities[s] : "?";
}

int dw_alert_severity_parse(const char *s, dw_alert_severity *out)
{
    int i = lookup(severities, DW_NALERT_SEVERITIES, s);
    if (i < 0)
        return -1;
    *out = (dw_alert_severity)i;
    return 0;
}

void dw_alert_init(dw_alert *a)
{
    memset(a, 0, sizeof *a);
    a->t_us = a->raised_us = a->eta_us = a->event_us = INT64_MIN;
    a->cls = DW_CLASS_UNKNOWN;
    a->affiliation = DW_AFF_PENDING;
    a->severity = DW_ALERT_WARNING;
    a->lat_deg = a->lon_deg = NAN;
    a->track_lat_deg = a->track_lon_deg = a->track_alt_m = NAN;
}

static void k_time(dw_jw *w, const char *k, int64_t t)
{
    dw_jw_key(w, k);
    if (t == INT64_MIN)
        dw_jw_null(w);
    else
        dw_jw_int(w, t);
}

static void k_angle(dw_jw *w, const char *k, double v)
{
    dw_jw_key(w, k);
    if (isfinite(v))
        dw_jw_double_prec(w, v, 12);
    else
        dw_jw_null(w);
}

static void k_num(dw_jw *w, const char *k, double v, int present)
{
    dw_jw_key(w, k);
    if (present && isfinite(v))
        dw_jw_double(w, v);
    else
        dw_jw_null(w);
}

static void k_str(dw_jw *w, const char *k, const char *s)
{
    dw_jw_key(w, k);
    if (s && *s)
        dw_jw_str(w, s);
    else
        dw_jw_null(w);
}

size_t dw_alert_to_ndjson(const dw_alert *a, char *buf, size_t cap)
{
    if (!a || !buf || cap == 0)
        return 0;
    dw_jw w;
    dw_jw_init(&w, buf, cap);
    dw_jw_obj(&w);
    dw_jw_kint(&w, "v", 1);
    dw_jw_kstr(&w, "type", "alert");
    dw_jw_kint(&w, "t_us", a->t_us);
    dw_jw_key(&w, "id");
    dw_jw_uint(&w, a->id);
    dw_jw_kstr(&w, "kind", dw_alert_kind_name(a->kind));
    dw_jw_kstr(&w, "state", dw_alert_state_name(a->state));
    dw_jw_kstr(&w, "severity", dw_alert_severity_name(a->severity));
    k_time(&w, "raised_us", a->raised_us);
    dw_jw_key(&w, "track");
    if (a->track_id)
        dw_jw_uint(&w, a->track_id);
    else
        dw_jw_null(&w);
    dw_jw_key(&w, "tracks");
    dw_jw_arr(&w);
    int n = a->n_tracks < 8 ? a->n_tracks : 8;
    for (int i = 0; i < n; i++)
        dw_jw_uint(&w, a->track_ids[i]);
    dw_jw_arr_end(&w);
    dw_jw_kint(&w, "n_tracks", a->n_tracks);
    k_str(&w, "area", a->area_id);
    k_str(&w, "area_name", a->area_name);
    k_str(&w, "region", a->region);
    k_str(&w, "neighbour", a->neighbour);
    k_angle(&w, "lat_deg", a->lat_deg);
    k_angle(&w, "lon_deg", a->lon_deg);
    k_num(&w, "radius_m", a->radius_m, a->radius_m > 0);
    k_time(&w, "eta_us", a->eta_us);
    k_time(&w, "event_us", a->event_us);
    int about = a->track_id != 0 || a->n_tracks > 0;
    k_str(&w, "class", about ? dw_class_name(a->cls) : NULL);
    k_str(&w, "affiliation", about ? dw_affiliation_name(a->affiliation) : NULL);
    k_num(&w, "threat_score", a->threat_score, about);
    k_angle(&w, "track_lat_deg", a->track_lat_deg);
    k_angle(&w, "track_lon_deg", a->track_lon_deg);
    k_num(&w, "track_alt_m", a->track_alt_m, 1);
    dw_jw_key(&w, "vel_enu_mps");
    if (isfinite(a->track_lat_deg) && isfinite(a->track_vel_enu_mps[0]) &&
        isfinite(a->track_vel_enu_mps[1]) && isfinite(a->track_vel_enu_mps[2])) {
        dw_jw_arr(&w);
        for (int k = 0; k < 3; k++)
            dw_jw_double(&w, a->track_vel_enu_mps[k]);
        dw_jw_arr_end(&w);
    } else
        dw_jw_null(&w);
    dw_jw_kstr(&w, "text", a->reason);
    dw_jw_obj_end(&w);
    if (!dw_jw_ok(&w) || dw_jw_len(&w) >= cap)
        return 0;
    return dw_jw_len(&w);
}

/* ---- Cursor-on-Target ------------------------------------------------------------- */

static int put(uint8_t **p, uint8_t *end, const char *s)
{
    size_t n = strlen(s);
    if ((size_t)(end - *p) < n)
        return -1;
    memcpy(*p, s, n);
    *p += n;
    return 0;
}

/* XML character data / attribute value: & < > " ' escaped. */
static int put_esc(uint8_t **p, uint8_t *end, const char *s)
{
    for (; *s; s++) {
        const char *r = NULL;
        switch (*s) {
        case '&': r = "&amp;"; break;
        case '<': r = "&lt;"; break;
        case '>': r = "&gt;"; break;
        case '"': r = "&quot;"; break;
        case '\'': r = "&apos;"; break;
        default: break;
        }
        if (r) {
            if (put(p, end, r))
                return -1;
        } else if ((unsigned char)*s >= 0x20 || *s == '\t') {
            if (end == *p)
                return -1;
            *(*p)++ = (uint8_t)*s;
        }
    }
    return 0;
}

dw_status dw_alert_to_cot(const dw_alert *a, int64_t now_us, uint8_t *buf, uint8_t *end,
                          uint8_t **out_end)
{
    if (!a || !buf || !end || end <= buf || !out_end)
        return DW_ERR_INVALID;
    if (a->kind != DW_ALERT_NEIGHBOUR_NOTICE)
        return DW_ERR_UNSUPPORTED;
    dw_track t;
    dw_track_init(&t);
    t.id = a->track_id ? a->track_id : (a->n_tracks ? a->track_ids[0] : 0);
    t.t_us = now_us;
    t.status = DW_TRACK_CONFIRMED;
    t.lat_deg = isfinite(a->track_lat_deg) ? a->track_lat_deg : a->lat_deg;
    t.lon_deg = isfinite(a->track_lon_deg) ? a->track_lon_deg : a->lon_deg;
    t.alt_m = isfinite(a->track_alt_m) ? a->track_alt_m : 0.0;
    for (int k = 0; k < 3; k++)
        t.vel_enu_mps[k] = isfinite(a->track_vel_enu_mps[k]) ? a->track_vel_enu_mps[k] : 0.0;
    t.cls = a->cls;
    t.affiliation = a->affiliation;
    t.first_us = t.last_update_us = now_us;
    dw_cot_track_opts o;
    memset(&o, 0, sizeof o);
    o.wire = DW_COT_WIRE_XML;
    int64_t stale = 120 * 1000000LL;
    if (a->eta_us != INT64_MIN && a->eta_us - now_us > stale)
        stale = a->eta_us - now_us;
    o.stale_after_us = stale;
    uint8_t *e = NULL;
    dw_status st = dw_cot_encode_track(&t, now_us, &o, buf, end, &e);
    if (st != DW_OK)
        return st;
    /* The encoder ends with <remarks source="dronewall">…</remarks></detail></event>;
     * the notice's remarks take their place, addressed to the neighbour. */
    const char *tail = "<remarks";
    uint8_t *r = NULL;
    for (uint8_t *p = buf; p + 8 <= e; p++)
        if (!memcmp(p, tail, 8))
            r = p;
    if (!r)
        return DW_ERR_INVALID;
    char tbuf[40];
    st = dw_cot_time_format(now_us, tbuf, sizeof tbuf);
    if (st != DW_OK)
        return st;
    char text[sizeof a->reason + 96];
    snprintf(text, sizeof text, "dronewall alert %llu (%s): %s", (unsigned long long)a->id,
             dw_alert_state_name(a->state), a->reason);
    uint8_t *p = r;
    if (put(&p, end, "<remarks source=\"dronewall\" to=\"") || put_esc(&p, end, a->neighbour) ||
        put(&p, end, "\" time=\"") || put(&p, end, tbuf) || put(&p, end, "\">") ||
        put_esc(&p, end, text) || put(&p, end, "</remarks></detail></event>"))
        return DW_ERR_FULL;
    *out_end = p;
    return DW_OK;
}
