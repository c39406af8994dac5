/* codec_sbs.c — SBS-1 / BaseStation CSV (dump1090 port 30003).
 *
 * One line per message: 22 comma-separated fields, MSG with transmission
 * types 1-8 (docs/interop-formats.md §2.2). Positions are already decoded, so
 * the work is merging: callsign (MSG,1), velocity (MSG,4) and squawk (MSG,6)
 * arrive on their own lines and are joined to the positions (MSG,2/3) of the
 * same aircraft through a dw_modes_table. A velocity joins only the first
 * position after it, so that decode → encode_obs → decode gives back the same
 * observations: encode_obs writes each observation as its MSG,1/6/4 lines
 * and then the position line. Raw keys and the obs mapping are in
 * docs/formats.md "SBS".
 *
 * Times are the "date/time generated" fields read as UTC: dump1090-fa writes
 * the host's local time with no zone, which cannot be recovered here.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/codec.h"
#include "dronewall/jsonw.h"
#include "dronewall/log.h"
#include "dronewall/modes.h"

#define NFIELDS 22
#define MAX_LINE 512
#define FT_M 0.3048
#define KT_MPS (1852.0 / 3600.0)
#define FPM_MPS (FT_M / 60.0)
#define DEG (M_PI / 180.0)

typedef struct sbs_state {
    dw_modes_table *table;
    dw_ratelimit rl;            /* malformed-line messages */
    int64_t last_t_us;          /* the stream's time, for the rate limit */
    char json[1024];
} sbs_state;

typedef struct span {
    const char *p;
    size_t n;
} span;

/* ---- time ------------------------------------------------------------------ */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yy + (*m <= 2));
}

static int digits(const char *s, size_t n, unsigned *out)
{
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return 1;
}

/* "YYYY/MM/DD" and "HH:MM:SS[.fff...]" (UTC) → µs. */
static int parse_time(span date, span tod, int64_t *t_us)
{
    unsigned y, mo, d, h, mi, s;
    if (date.n != 10 || date.p[4] != '/' || date.p[7] != '/' || !digits(date.p, 4, &y) ||
        !digits(date.p + 5, 2, &mo) || !digits(date.p + 8, 2, &d))
        return 0;
    if (tod.n < 8 || tod.p[2] != ':' || tod.p[5] != ':' || !digits(tod.p, 2, &h) ||
        !digits(tod.p + 3, 2, &mi) || !digits(tod.p + 6, 2, &s))
        return 0;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
        return 0;
    int64_t frac_us = 0;
    if (tod.n > 8) {
        if (tod.p[8] != '.' || tod.n == 9 || tod.n > 9 + 9)
            return 0;
        int64_t scale = 100000;
        for (size_t i = 9; i < tod.n; i++) {
            if (tod.p[i] < '0' || tod.p[i] > '9')
                return 0;
            frac_us += (tod.p[i] - '0') * scale;
            scale /= 10;
        }
    }
    int64_t days = days_from_civil((int64_t)y, mo, d);
    *t_us = ((days * 24 + h) * 60 + mi) * 60000000LL + (int64_t)s * 1000000LL + frac_us;
    return 1;
}

/* ---- fields ------------------------------------------------------------------- */

static int split(const char *line, size_t len, span f[NFIELDS])
{
    int n = 0;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || line[i] == ',') {
            if (n < NFIELDS) {
                f[n].p = line + start;
                f[n].n = i - start;
            }
            n++;
            start = i + 1;
        }
    }
    for (int k = n; k < NFIELDS; k++) {
        f[k].p = line + len;
        f[k].n = 0;
    }
    return n;
}

static span trim(span s)
{
    while (s.n && (s.p[0] == ' ' || s.p[0] == '\t'))
        s.p++, s.n--;
    while (s.n && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t'))
        s.n--;
    return s;
}

static int span_eq(span s, const char *lit)
{
    size_t n = strlen(lit);
    return s.n == n && !memcmp(s.p, lit, n);
}

/* A finite decimal number (an exponent is accepted: our encoder writes one
 * for positions within 1e-5 degrees of zero); 1 ok, 0 empty, -1 bad. */
static int num(span s, double lo, double hi, double *out)
{
    s = trim(s);
    if (!s.n)
        return 0;
    char b[40];
    if (s.n >= sizeof b)
        return -1;
    for (size_t i = 0; i < s.n; i++) {
        char c = s.p[i];
        if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' ||
              c == 'E'))
            return -1;          /* no inf, nan, hex */
        b[i] = c;
    }
    b[s.n] = '\0';
    char *e;
    double v = strtod(b, &e);
    if (*e || !isfinite(v) || v < lo || v > hi)
        return -1;
    *out = v;
    return 1;
}

/* -1 (dump1090) or 1: true; 0: false. 1 ok, 0 empty, -1 bad. */
static int flag(span s, int *out)
{
    s = trim(s);
    if (!s.n)
        return 0;
    if (span_eq(s, "-1") || span_eq(s, "1"))
        *out = 1;
    else if (span_eq(s, "0"))
        *out = 0;
    else
        return -1;
    return 1;
}

static int hexdig(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int parse_icao(span s, uint32_t *icao, int *non_icao)
{
    s = trim(s);
    *non_icao = 0;
    if (s.n && s.p[0] == '~') {
        *non_icao = 1;
        s.p++, s.n--;
    }
    if (s.n != 6)
        return 0;
    uint32_t v = 0;
    for (int i = 0; i < 6; i++) {
        int d = hexdig(s.p[i]);
        if (d < 0)
            return 0;
        v = v << 4 | (uint32_t)d;
    }
    *icao = v;
    return 1;
}

/* ---- codec ------------------------------------------------------------------ */

static int is_type(const uint8_t *b, size_t len)
{
    static const char *const types[] = {"MSG,", "SEL,", "ID,", "AIR,", "STA,", "CLK,"};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        size_t n = strlen(types[i]);
        if (len >= n && !memcmp(b, types[i], n))
            return 1;
    }
    return 0;
}

static int sbs_detect(const uint8_t *buf, size_t len, const dw_frame_meta *meta)
{
    if (meta && meta->linktype > 0)
        return 0;
    size_t i = 0;
    while (i < len && (buf[i] == '\r' || buf[i] == '\n'))
        i++;
    if (!is_type(buf + i, len - i))
        return 0;
    int commas = 0;
    for (; i < len && buf[i] != '\n'; i++)
        commas += buf[i] == ',';
    return commas >= 9 ? 90 : 55;
}

static dw_status sbs_frame(const uint8_t *buf, size_t len, size_t *skip, size_t *frame_len)
{
    size_t i = 0;
    while (i < len && (buf[i] == '\r' || buf[i] == '\n'))
        i++;
    for (size_t j = i; j < len; j++) {
        if (buf[j] == '\n') {
            if (j - i > MAX_LINE) {     /* an over-long line is garbage */
                i = j + 1;
                while (i < len && (buf[i] == '\r' || buf[i] == '\n'))
                    i++;
                j = i;
                if (j >= len)
                    break;
                continue;
            }
            *skip = i;
            *frame_len = j + 1 - i;
            return DW_OK;
        }
    }
    /* no newline yet: wait, unless the partial line is already too long */
    *skip = len - i > MAX_LINE ? len : i;
    return DW_ERR_EOF;
}

static dw_status sbs_create(const dw_codec_config *cfg, void **state)
{
    (void)cfg;
    sbs_state *s = calloc(1, sizeof *s);
    if (!s)
        return DW_ERR_NOMEM;
    dw_status st = dw_modes_table_create(NULL, &s->table);
    if (st != DW_OK) {
        free(s);
        return st;
    }
    s->rl = (dw_ratelimit)DW_RATELIMIT_INIT(1.0, 5.0);
    *state = s;
    return DW_OK;
}

static void sbs_destroy(void *state)
{
    sbs_state *s = state;
    if (!s)
        return;
    dw_modes_table_destroy(s->table);
    free(s);
}

/* What one line says, after parsing and checking. */
typedef struct sbs_line {
    span type;
    int tt;
    uint32_t icao;
    int non_icao, has_time;
    int64_t t_us;
    char callsign[DW_CALLSIGN_MAX];
    int has_callsign, has_alt, alt_gnss, has_gs, has_trk, has_pos, has_vr, has_squawk;
    double alt_ft, gs_kt, trk_deg, lat, lon, vr_fpm;
    uint16_t squawk;
    int flags[4], has_flag[4];  /* alert, emergency, spi, on_ground */
} sbs_line;

static int parse_msg(span *f, int nf, const dw_frame_meta *meta, sbs_line *l)
{
    double v;
    int r;
    char *e;
    if (nf < 5)
        return 0;
    char ttb[4];
    span tt = trim(f[1]);
    if (tt.n != 1)
        return 0;
    memcpy(ttb, tt.p, 1);
    ttb[1] = '\0';
    l->tt = (int)strtol(ttb, &e, 10);
    if (*e || l->tt < 1 || l->tt > 8)
        return 0;
    if (!parse_icao(f[4], &l->icao, &l->non_icao))
        return 0;
    if (f[6].n || f[7].n) {
        if (!parse_time(trim(f[6]), trim(f[7]), &l->t_us))
            return 0;
        l->has_time = 1;
    } else {
        l->t_us = meta ? meta->rx_us : 0;
    }
    span cs = trim(f[10]);
    if (cs.n) {
        if (cs.n > 8)
            return 0;
        for (size_t i = 0; i < cs.n; i++)
            if (cs.p[i] < 0x20 || cs.p[i] > 0x7e || cs.p[i] == '"' || cs.p[i] == '\\')
                return 0;
        memcpy(l->callsign, cs.p, cs.n);
        l->callsign[cs.n] = '\0';
        l->has_callsign = 1;
    }
    span alt = trim(f[11]);
    if (alt.n && alt.p[alt.n - 1] == 'H') {
        l->alt_gnss = 1;
        alt.n--;
        if (!alt.n)
            return 0;
    }
    if ((r = num(alt, -2000, 200000, &v)) < 0)
        return 0;
    l->has_alt = r, l->alt_ft = v;
    if ((r = num(f[12], 0, 5000, &v)) < 0)
        return 0;
    l->has_gs = r, l->gs_kt = v;
    if ((r = num(f[13], -360, 360, &v)) < 0)
        return 0;
    l->has_trk = r, l->trk_deg = v;
    double lat = 0, lon = 0;
    int rl = num(f[14], -90, 90, &lat), rn = num(f[15], -180, 180, &lon);
    if (rl < 0 || rn < 0 || rl != rn)
        return 0;               /* a latitude without its longitude */
    l->has_pos = rl, l->lat = lat, l->lon = lon;
    if ((r = num(f[16], -100000, 100000, &v)) < 0)
        return 0;
    l->has_vr = r, l->vr_fpm = round(v);    /* ft/min are whole on the wire */
    span sq = trim(f[17]);
    if (sq.n) {
        if (sq.n != 4)
            return 0;
        unsigned s = 0;
        for (int i = 0; i < 4; i++) {
            if (sq.p[i] < '0' || sq.p[i] > '7')
                return 0;
            s = s << 3 | (unsigned)(sq.p[i] - '0');
        }
        l->squawk = (uint16_t)s;
        l->has_squawk = 1;
    }
    for (int k = 0; k < 4; k++)
        if ((l->has_flag[k] = flag(f[18 + k], &l->flags[k])) < 0)
            return 0;
    return 1;
}

static void line_json(sbs_state *s, const sbs_line *l, dw_decode_sink *sink)
{
    dw_jw w;
    char b[16];
    dw_jw_init(&w, s->json, sizeof s->json);
    dw_jw_obj(&w);
    dw_jw_kstr(&w, "codec", "sbs");
    dw_jw_key(&w, "type");
    dw_jw_strn(&w, l->type.p, l->type.n);
    if (l->tt) {
        dw_jw_kint(&w, "tt", l->tt);
        snprintf(b, sizeof b, "%s%06X", l->non_icao ? "~" : "", (unsigned)l->icao);
        dw_jw_kstr(&w, "icao", b);
        dw_jw_kint(&w, "t_us", l->t_us);
    }
    if (l->has_callsign)
        dw_jw_kstr(&w, "callsign", l->callsign);
    if (l->has_alt) {
        dw_jw_kdouble(&w, l->alt_gnss ? "alt_gnss_ft" : "alt_baro_ft", l->alt_ft);
    }
    if (l->has_gs)
        dw_jw_kdouble(&w, "gs_kt", l->gs_kt);
    if (l->has_trk)
        dw_jw_kdouble(&w, "track_deg", l->trk_deg);
    if (l->has_pos) {
        dw_jw_kdouble(&w, "lat_deg", l->lat);
        dw_jw_kdouble(&w, "lon_deg", l->lon);
    }
    if (l->has_vr)
        dw_jw_kdouble(&w, "vrate_fpm", l->vr_fpm);
    if (l->has_squawk) {
        snprintf(b, sizeof b, "%04o", (unsigned)l->squawk);
        dw_jw_kstr(&w, "squawk", b);
    }
    static const char *const names[4] = {"alert", "emergency", "spi", "on_ground"};
    for (int k = 0; k < 4; k++)
        if (l->has_flag[k])
            dw_jw_kbool(&w, names[k], l->flags[k]);
    dw_jw_obj_end(&w);
    if (dw_jw_ok(&w))
        sink->raw(sink->ctx, w.start, dw_jw_len(&w));
}

static void vel_enu(double gs_kt, double trk_deg, double vr_fpm, double v[3])
{
    v[0] = gs_kt * KT_MPS * sin(trk_deg * DEG);
    v[1] = gs_kt * KT_MPS * cos(trk_deg * DEG);
    v[2] = vr_fpm * FPM_MPS;
}

static dw_status bad_line(sbs_state *s, const dw_frame_meta *meta, dw_decode_sink *sink,
                          const char *why)
{
    sink->stats.malformed++;
    DW_LOG_RL(&s->rl, s->last_t_us, DW_LOG_CODEC, DW_LOG_DEBUG, "sbs: %s: %s",
              meta && meta->source ? meta->source : "-", why);
    return DW_ERR_PARSE;
}

static dw_status sbs_decode(void *state, const uint8_t *frame, size_t len,
                            const dw_frame_meta *meta, dw_decode_sink *sink)
{
    sbs_state *s = state;
    const char *line = (const char *)frame;
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--;
    if (!s || !frame)
        return DW_ERR_INVALID;
    span f[NFIELDS];
    int nf = len <= MAX_LINE ? split(line, len, f) : 0;
    sbs_line l;
    memset(&l, 0, sizeof l);
    if (nf < 1 || !is_type(frame, len))
        return bad_line(s, meta, sink, "not an SBS line");
    l.type = trim(f[0]);
    if (!span_eq(l.type, "MSG")) {
        /* SEL, ID, AIR, STA, CLK: session bookkeeping, nothing to track */
        sink->stats.frames++;
        sink->stats.records++;
        sink->stats.unknown++;
        if (sink->want_raw && sink->raw)
            line_json(s, &l, sink);
        return DW_OK;
    }
    if (!parse_msg(f, nf, meta, &l))
        return bad_line(s, meta, sink, "a field out of range or of the wrong form");
    s->last_t_us = l.t_us;
    sink->stats.frames++;
    sink->stats.records++;
    if (sink->want_raw && sink->raw)
        line_json(s, &l, sink);

    dw_modes_aircraft *ac = dw_modes_table_touch(s->table, l.icao, l.non_icao);
    ac->seen_us = l.t_us;
    ac->messages++;
    if (l.has_callsign) {
        memcpy(ac->callsign, l.callsign, sizeof ac->callsign);
        ac->callsign_us = l.t_us;
    }
    if (l.has_squawk) {
        ac->squawk = l.squawk;
        ac->squawk_us = l.t_us;
    }
    if (l.has_gs && l.has_trk) {
        ac->gs_kt = l.gs_kt;
        ac->track_deg = l.trk_deg;
        ac->gs_us = l.t_us;
        ac->vel_since_pos = 1;
        /* the vertical rate belongs to the same report; 0 when absent */
        ac->vrate_fpm = l.has_vr ? (int32_t)l.vr_fpm : 0;
        ac->vrate_us = l.t_us;
    }

    if (!sink->want_obs || !sink->obs || !l.has_pos)
        return DW_OK;
    dw_obs o;
    dw_obs_init(&o, l.has_alt ? DW_OBS_POS3 : DW_OBS_POS2);
    o.t_us = l.t_us;
    snprintf(o.sensor, sizeof o.sensor, "%s", "ADSB-SBS");
    o.lat_deg = l.lat;
    o.lon_deg = l.lon;
    o.has |= DW_OBS_HAS_POS;
    if (l.has_alt) {
        o.alt_m = l.alt_ft * FT_M;
        o.sigma_alt_m = l.alt_gnss ? DW_ADSB_SIGMA_ALT_GNSS_M : DW_ADSB_SIGMA_ALT_BARO_M;
        o.has |= DW_OBS_HAS_ALT;
    }
    o.sigma_pos_m = DW_ADSB_SIGMA_POS_M;
    if (!l.non_icao) {
        o.icao = l.icao;
        o.has |= DW_OBS_HAS_ICAO;
    }
    if (ac->callsign_us) {
        memcpy(o.callsign, ac->callsign, sizeof o.callsign);
        o.has |= DW_OBS_HAS_CALLSIGN;
    }
    if (ac->squawk_us) {
        o.mode3a = ac->squawk;
        o.has |= DW_OBS_HAS_MODE3A;
    }
    if (l.has_gs && l.has_trk) {
        vel_enu(l.gs_kt, l.trk_deg, l.has_vr ? l.vr_fpm : 0.0, o.vel_enu_mps);
        o.has |= DW_OBS_HAS_VEL;
    } else if (ac->vel_since_pos && ac->gs_us &&
               llabs(l.t_us - ac->gs_us) <= DW_MODES_FRESH_US) {
        vel_enu(ac->gs_kt, ac->track_deg, ac->vrate_fpm, o.vel_enu_mps);
        o.has |= DW_OBS_HAS_VEL;
    }
    ac->vel_since_pos = 0;
    ac->lat_deg = l.lat;
    ac->lon_deg = l.lon;
    ac->pos_us = l.t_us;
    sink->obs(sink->ctx, &o);
    sink->stats.obs++;
    return DW_OK;
}

/* ---- encoding --------------------------------------------------------------- */

typedef struct out {
    uint8_t *p, *end;
    int full;
} out;

static void put(out *o, const char *s, size_t n)
{
    if (o->full || (size_t)(o->end - o->p) < n) {
        o->full = 1;
        return;
    }
    memcpy(o->p, s, n);
    o->p += n;
}

static void puts_(out *o, const char *s) { put(o, s, strlen(s)); }

/* Text that reads back as v exactly (lat/lon round-trip): fixed notation
 * with at least 6 decimals as dump1090 writes, else the shortest %g. */
static void put_exact(out *o, double v)
{
    char b[40];
    int n = 0;
    for (int prec = 6; prec <= 17; prec++) {
        n = snprintf(b, sizeof b, "%.*f", prec, v);
        if (strtod(b, NULL) == v) {
            put(o, b, (size_t)n);
            return;
        }
    }
    for (int prec = 15; prec <= 17; prec++) {
        n = snprintf(b, sizeof b, "%.*g", prec, v);
        if (strtod(b, NULL) == v)
            break;
    }
    put(o, b, (size_t)n);
}

/* Ten significant digits: clears the float noise of unit conversions, so a
 * value that came in as "418" goes out as "418". */
static void put_g10(out *o, double v)
{
    char b[40];
    if (v == 0)
        v = 0;                  /* no "-0" */
    int n = snprintf(b, sizeof b, "%.10g", v);
    put(o, b, (size_t)n);
}

/* "MSG,tt,1,1,HEX,1,date,time,date,time," — the 10 fields before callsign.
 * Milliseconds as dump1090 writes them, microseconds when the time has them
 * (our decoder reads any number of fraction digits). */
static void head(out *o, int tt, const dw_obs *ob)
{
    char b[128], frac[12];
    int64_t t = ob->t_us;
    int64_t days = t >= 0 ? t / 86400000000LL : -((-t + 86399999999LL) / 86400000000LL);
    int64_t usd = t - days * 86400000000LL;
    int y;
    unsigned mo, d;
    civil_from_days(days, &y, &mo, &d);
    unsigned h = (unsigned)(usd / 3600000000LL), mi = (unsigned)(usd / 60000000LL % 60);
    unsigned s = (unsigned)(usd / 1000000 % 60), us = (unsigned)(usd % 1000000);
    if (us % 1000)
        snprintf(frac, sizeof frac, "%06u", us);
    else
        snprintf(frac, sizeof frac, "%03u", us / 1000);
    if (y < 0 || y > 9999) {
        o->full = 1;            /* not a date SBS can write */
        return;
    }
    int n = snprintf(b, sizeof b,
                     "MSG,%d,1,1,%06X,1,%04d/%02u/%02u,%02u:%02u:%02u.%s,"
                     "%04d/%02u/%02u,%02u:%02u:%02u.%s,",
                     tt, (unsigned)(ob->icao & 0xffffff), y, mo, d, h, mi, s, frac, y, mo, d, h,
                     mi, s, frac);
    if (n < 0 || (size_t)n >= sizeof b) {
        o->full = 1;
        return;
    }
    put(o, b, (size_t)n);
}

static void commas(out *o, int n)
{
    for (int i = 0; i < n; i++)
        put(o, ",", 1);
}

/* v as put_g10 will write it */
static double g10(double v)
{
    char b[40];
    snprintf(b, sizeof b, "%.10g", v);
    return strtod(b, NULL);
}

/* gs, track, vertical rate of an ENU velocity, as they will be written */
static void vel_fields(const dw_obs *ob, double *gs_kt, double *trk_deg, double *vr_fpm)
{
    double e = ob->vel_enu_mps[0], n = ob->vel_enu_mps[1];
    *gs_kt = g10(sqrt(e * e + n * n) / KT_MPS);
    double t = g10(atan2(e, n) / DEG);
    if (t < 0)
        t = g10(t + 360.0);
    *trk_deg = t;
    *vr_fpm = g10(ob->vel_enu_mps[2] / FPM_MPS);
}

static dw_status sbs_encode_obs(void *state, const dw_obs *ob, uint8_t *buf, uint8_t *end,
                                uint8_t **out_end)
{
    (void)state;
    if (!ob || !buf || !end || end < buf || !out_end)
        return DW_ERR_INVALID;
    if ((ob->kind != DW_OBS_POS3 && ob->kind != DW_OBS_POS2) || !(ob->has & DW_OBS_HAS_ICAO))
        return DW_ERR_UNSUPPORTED;
    if (!isfinite(ob->lat_deg) || !isfinite(ob->lon_deg) || fabs(ob->lat_deg) > 90 ||
        fabs(ob->lon_deg) > 180)
        return DW_ERR_RANGE;
    int pos3 = ob->kind == DW_OBS_POS3 && (ob->has & DW_OBS_HAS_ALT);
    out o = {buf, end, 0};
    double gs = 0, trk = 0, vr = 0;
    int vel = (ob->has & DW_OBS_HAS_VEL) != 0;
    if (vel) {
        vel_fields(ob, &gs, &trk, &vr);
        /* the decoder's limits; whole ft/min as it reads them */
        vr = round(vr);
        if (!isfinite(gs) || !isfinite(vr) || gs > 5000 || fabs(vr) > 100000)
            return DW_ERR_RANGE;
    }
    if (ob->has & DW_OBS_HAS_CALLSIGN) {
        for (const char *c = ob->callsign; *c; c++)
            if (*c < 0x20 || *c > 0x7e || *c == ',' || *c == '"' || *c == '\\')
                return DW_ERR_RANGE;
        head(&o, 1, ob);
        puts_(&o, ob->callsign);
        commas(&o, 11);
        puts_(&o, "\r\n");
    }
    if (ob->has & DW_OBS_HAS_MODE3A) {
        char b[8];
        snprintf(b, sizeof b, "%04o", (unsigned)(ob->mode3a & 07777));
        head(&o, 6, ob);
        commas(&o, 7);
        puts_(&o, b);
        commas(&o, 4);
        puts_(&o, "\r\n");
    }
    if (vel && pos3) {
        head(&o, 4, ob);
        commas(&o, 2);
        put_g10(&o, gs);
        commas(&o, 1);
        put_g10(&o, trk);
        commas(&o, 3);
        put_g10(&o, vr);
        commas(&o, 5);
        puts_(&o, "\r\n");
    }
    head(&o, pos3 ? 3 : 2, ob);
    commas(&o, 1);              /* callsign */
    if (pos3) {
        double alt_ft = g10(ob->alt_m / FT_M);
        if (!isfinite(alt_ft) || alt_ft < -2000 || alt_ft > 200000)
            return DW_ERR_RANGE;
        put_g10(&o, alt_ft);
        /* geometric height: dump1090-fa's "H"; judged by the sigma the
         * decoders give pressure altitude */
        if (!(ob->sigma_alt_m >= DW_ADSB_SIGMA_ALT_BARO_M))
            puts_(&o, "H");
    }
    commas(&o, 1);
    if (vel && !pos3) {
        put_g10(&o, gs);
        commas(&o, 1);
        put_g10(&o, trk);
        commas(&o, 1);
    } else {
        commas(&o, 2);
    }
    put_exact(&o, ob->lat_deg);
    commas(&o, 1);
    put_exact(&o, ob->lon_deg);
    commas(&o, 1);
    if (vel && !pos3)
        put_g10(&o, vr);
    commas(&o, 5);
    puts_(&o, pos3 ? "0" : "-1");
    puts_(&o, "\r\n");
    if (o.full)
        return DW_ERR_FULL;
    *out_end = o.p;
    return DW_OK;
}

const dw_codec_ops dw_codec_sbs = {
    .name = "sbs",
    .summary = "SBS-1/BaseStation CSV (dump1090 port 30003): MSG,1-8 lines",
    .detect = sbs_detect,
    .frame = sbs_frame,
    .create = sbs_create,
    .destroy = sbs_destroy,
    .decode = sbs_decode,
    .encode_obs = sbs_encode_obs,
};
