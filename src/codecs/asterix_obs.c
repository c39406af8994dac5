/* asterix_obs.c — ASTERIX records to dw_obs, and dw_obs / dw_track to ASTERIX.
 *
 * The tracker's view of a record: CAT048 plots become POLAR observations
 * from the radar ASX-SSS-CCC (a Doppler radar's I120 calculated Doppler
 * speed, when valid, as the range rate: positive opening, as dronewall
 * writes it; the spec names no sign), CAT021 reports and CAT062 system
 * tracks become POS3. Fields are read through references resolved by name from the tables
 * of the editions in force, so an edition change needs no code here. The
 * track encoder builds the raw JSON of a record and hands it to the
 * table-driven encoder, so it cannot write a layout the tables do not
 * describe. The observation encoder is on the simulator's hot path (millions
 * of plots a run), so it writes CAT048 records directly, at the places
 * resolve_fast048 checked against the tables; the JSON route stays as its
 * reference (dw__asx_encode_obs_json), and as the writer for an edition
 * laid out otherwise.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "asterix_int.h"

#define DAY_US INT64_C(86400000000)
#define NM_M 1852.0
#define FT_M 0.3048
#define FL_M 30.48              /* one flight level: 100 ft */
#define DEG_RAD (M_PI / 180.0)

/* Is field x at octet `byte` of its item, `bits` wide, ending `shift` bits
 * before an octet boundary, in a fixed-size item? */
static int at(const dw__asx_cat *c, const dw__asx_ref *x, unsigned byte, unsigned bits,
              unsigned shift)
{
    return x->frn >= 0 && x->sub < 0 && c->uap_octets[x->frn] && x->byte == byte &&
           x->bits == bits && x->shift == shift;
}

static void resolve_fast048(dw_asterix *ax)
{
    const dw__asx_cat *c = ax->by_cat[48];
    const dw__asx_refs048 *a = &ax->r048;
    dw__asx_fast048 *f = &ax->f048;
    memset(f, 0, sizeof *f);
    if (!c)
        return;
    f->ok = at(c, &a->sac, 0, 8, 0) && at(c, &a->sic, 1, 8, 0) && a->sac.frn == a->sic.frn &&
            at(c, &a->tod, 0, 24, 0) && a->tod.kind == DW__ASX_F_UQTY &&
            at(c, &a->rho, 0, 16, 0) && a->rho.kind == DW__ASX_F_UQTY &&
            at(c, &a->theta, 2, 16, 0) && a->theta.kind == DW__ASX_F_UQTY &&
            a->rho.frn == a->theta.frn &&
            at(c, &a->m3_v, 0, 1, 7) && at(c, &a->m3_g, 0, 1, 6) && at(c, &a->m3a, 0, 12, 0) &&
            a->m3_v.frn == a->m3a.frn && a->m3_g.frn == a->m3a.frn &&
            at(c, &a->fl_v, 0, 1, 7) && at(c, &a->fl, 0, 14, 0) && a->fl_v.frn == a->fl.frn &&
            (a->fl.kind == DW__ASX_F_SQTY || a->fl.kind == DW__ASX_F_UQTY) &&
            at(c, &a->addr, 0, 24, 0) && at(c, &a->ident, 0, 48, 0) &&
            a->ident.kind == DW__ASX_F_ICAO;
    /* I110, when the edition has it, must be where the fast path reads it,
     * or the fast path would miss what the generic one reads. */
    int h3d_at = at(c, &a->h3d, 0, 14, 0) && a->h3d.kind == DW__ASX_F_SQTY;
    if (a->h3d.frn >= 0 && !h3d_at)
        f->ok = 0;
    f->f120 = -1;
    if (!f->ok)
        return;
    f->f110 = h3d_at ? a->h3d.frn : -1;
    f->h3d_ft = h3d_at ? a->h3d.lsb : 0;
    f->f010 = a->sac.frn;
    f->f140 = a->tod.frn;
    f->f040 = a->rho.frn;
    f->f070 = a->m3a.frn;
    f->f090 = a->fl.frn;
    f->f220 = a->addr.frn;
    f->f240 = a->ident.frn;
    f->fl_signed = a->fl.kind == DW__ASX_F_SQTY;
    f->tod_s = a->tod.lsb;
    f->rho_nm = a->rho.lsb;
    f->theta_deg = a->theta.lsb;
    f->fl = a->fl.lsb;

    /* The direct writer: I020's first part is one octet of TYP (3 bits)
     * and four flags, and every LSB is the one the JSON path rounds to. */
    const dw__asx_ref *t = &a->typ;
    int n020 = t->frn >= 0 ? c->uap[t->frn] : -1;
    f->f020 = t->frn;
    f->enc_ok = n020 >= 0 && t->sub < 0 && t->byte == 0 && t->bits == 3 && t->shift == 5 &&
                c->nodes[n020].kind == DW__ASX_N_EXTENDED && c->nodes[n020].ns >= 1 &&
                c->parts[c->nodes[n020].s0] == 1 && f->f110 >= 0 &&
                f->tod_s == 1.0 / 128 && f->rho_nm == 1.0 / 256 &&
                f->theta_deg == 360.0 / 65536 && f->fl == 0.25 && f->h3d_ft == 25.0 &&
                f->f010 < f->f140 && f->f140 < f->f020 && f->f020 < f->f040 &&
                f->f040 < f->f070 && f->f070 < f->f090 && f->f090 < f->f220 &&
                f->f220 < f->f240 && f->f240 < f->f110 && f->f110 < 21;
    /* I120's CAL, where the direct writer puts it: the first sub-item of a
     * compound whose presence octet has CAL at its top bit, right after I110. */
    const dw__asx_ref *dd = &a->dop_d, *dc = &a->dop_cal;
    if (dc->frn >= 0) {
        const int n120 = c->uap[dc->frn];
        const int laid = dd->frn == dc->frn && dd->sub == 0 && dc->sub == 0 &&
                         c->nodes[n120].kind == DW__ASX_N_COMPOUND && dd->byte == 0 &&
                         dd->bits == 1 && dd->shift == 7 && dd->nbytes == 1 && dc->byte == 0 &&
                         dc->bits == 10 && dc->shift == 0 && dc->nbytes == 2 &&
                         dc->kind == DW__ASX_F_SQTY && dc->lsb == 1.0 && dc->frn == f->f110 + 1;
        if (laid)
            f->f120 = dc->frn;
        else
            f->enc_ok = 0;
    }
}

void dw__asx_resolve_refs(dw_asterix *ax)
{
    const dw__asx_cat *c = ax->by_cat[48];
    dw__asx_refs048 *a = &ax->r048;
    a->sac = dw__asx_resolve(c, "I010", NULL, "SAC");
    a->sic = dw__asx_resolve(c, "I010", NULL, "SIC");
    a->tod = dw__asx_resolve(c, "I140", NULL, NULL);
    a->rho = dw__asx_resolve(c, "I040", NULL, "RHO");
    a->theta = dw__asx_resolve(c, "I040", NULL, "THETA");
    a->m3_v = dw__asx_resolve(c, "I070", NULL, "V");
    a->m3_g = dw__asx_resolve(c, "I070", NULL, "G");
    a->m3a = dw__asx_resolve(c, "I070", NULL, "MODE3A");
    a->fl_v = dw__asx_resolve(c, "I090", NULL, "V");
    a->fl = dw__asx_resolve(c, "I090", NULL, "FL");
    a->addr = dw__asx_resolve(c, "I220", NULL, NULL);
    a->ident = dw__asx_resolve(c, "I240", NULL, NULL);
    a->typ = dw__asx_resolve(c, "I020", NULL, "TYP");
    a->h3d = dw__asx_resolve(c, "I110", NULL, "3DH");
    a->dop_d = dw__asx_resolve(c, "I120", "CAL", "D");
    a->dop_cal = dw__asx_resolve(c, "I120", "CAL", "CAL");

    resolve_fast048(ax);

    c = ax->by_cat[21];
    dw__asx_refs021 *b = &ax->r021;
    b->sac = dw__asx_resolve(c, "I010", NULL, "SAC");
    b->sic = dw__asx_resolve(c, "I010", NULL, "SIC");
    b->t071 = dw__asx_resolve(c, "I071", NULL, NULL);
    b->t073 = dw__asx_resolve(c, "I073", NULL, NULL);
    b->t077 = dw__asx_resolve(c, "I077", NULL, NULL);
    b->lat130 = dw__asx_resolve(c, "I130", NULL, "LAT");
    b->lon130 = dw__asx_resolve(c, "I130", NULL, "LON");
    b->lat131 = dw__asx_resolve(c, "I131", NULL, "LAT");
    b->lon131 = dw__asx_resolve(c, "I131", NULL, "LON");
    b->gh140 = dw__asx_resolve(c, "I140", NULL, NULL);
    b->fl145 = dw__asx_resolve(c, "I145", NULL, NULL);
    b->addr = dw__asx_resolve(c, "I080", NULL, NULL);
    b->ident = dw__asx_resolve(c, "I170", NULL, NULL);
    b->m3a = dw__asx_resolve(c, "I070", NULL, "MODE3A");
    b->gs = dw__asx_resolve(c, "I160", NULL, "GS");
    b->ta = dw__asx_resolve(c, "I160", NULL, "TA");
    b->bvr = dw__asx_resolve(c, "I155", NULL, "BVR");
    b->gvr = dw__asx_resolve(c, "I157", NULL, "GVR");

    c = ax->by_cat[62];
    dw__asx_refs062 *t = &ax->r062;
    t->sac = dw__asx_resolve(c, "I010", NULL, "SAC");
    t->sic = dw__asx_resolve(c, "I010", NULL, "SIC");
    t->tot = dw__asx_resolve(c, "I070", NULL, NULL);
    t->lat = dw__asx_resolve(c, "I105", NULL, "LAT");
    t->lon = dw__asx_resolve(c, "I105", NULL, "LON");
    t->vx = dw__asx_resolve(c, "I185", NULL, "VX");
    t->vy = dw__asx_resolve(c, "I185", NULL, "VY");
    t->alt130 = dw__asx_resolve(c, "I130", NULL, NULL);
    t->fl136 = dw__asx_resolve(c, "I136", NULL, NULL);
    t->ctb135 = dw__asx_resolve(c, "I135", NULL, "CTB");
    t->roc = dw__asx_resolve(c, "I220", NULL, NULL);
    t->m3_v = dw__asx_resolve(c, "I060", NULL, "V");
    t->m3_g = dw__asx_resolve(c, "I060", NULL, "G");
    t->m3a = dw__asx_resolve(c, "I060", NULL, "MODE3A");
    t->adr = dw__asx_resolve(c, "I380", "ADR", NULL);
    t->id380 = dw__asx_resolve(c, "I380", "ID", NULL);
    t->id245 = dw__asx_resolve(c, "I245", NULL, "CHR");
    t->apc_x = dw__asx_resolve(c, "I500", "APC", "X");
    t->apc_y = dw__asx_resolve(c, "I500", "APC", "Y");
    t->apc_cov = dw__asx_resolve(c, "I500", "COV", NULL);
    t->apw_lat = dw__asx_resolve(c, "I500", "APW", "LAT");
    t->apw_lon = dw__asx_resolve(c, "I500", "APW", "LON");
    t->aga = dw__asx_resolve(c, "I500", "AGA", NULL);
    t->aba = dw__asx_resolve(c, "I500", "ABA", NULL);
    t->atv_x = dw__asx_resolve(c, "I500", "ATV", "X");
    t->atv_y = dw__asx_resolve(c, "I500", "ATV", "Y");
}

void dw_asterix_sensor_name(char *buf, unsigned sac, unsigned sic)
{
    sac &= 0xFF;
    sic &= 0xFF;
    memcpy(buf, "ASX-", 4);
    buf[4] = (char)('0' + sac / 100);
    buf[5] = (char)('0' + sac / 10 % 10);
    buf[6] = (char)('0' + sac % 10);
    buf[7] = '-';
    buf[8] = (char)('0' + sic / 100);
    buf[9] = (char)('0' + sic / 10 % 10);
    buf[10] = (char)('0' + sic % 10);
    buf[11] = '\0';
}

dw__asx_when dw__asx_when_of(int64_t rx_us)
{
    dw__asx_when w = {rx_us, rx_us / DAY_US * DAY_US};
    if (rx_us < 0 && rx_us % DAY_US)
        w.day_us -= DAY_US;
    return w;
}

int64_t dw__asx_time_us(const dw__asx_when *w, double tod_s)
{
    double us = tod_s * 1e6;
    int64_t tod_us = (int64_t)(us < 0 ? us - 0.5 : us + 0.5);
    if (w->rx_us == 0)
        return tod_us;      /* no receive time: 1970-01-01 */
    int64_t t = w->day_us + tod_us;
    /* The sensor's clock and ours straddle midnight: the nearer day wins. */
    if (t - w->rx_us > DAY_US / 2)
        t -= DAY_US;
    else if (w->rx_us - t > DAY_US / 2)
        t += DAY_US;
    return t;
}

static void set_sensor(dw_asterix *ax, const dw__asx_cat *c, const dw__asx_rec *r,
                       const dw__asx_ref *sac, const dw__asx_ref *sic, dw_obs *o)
{
    uint64_t a = 0, b = 0;
    const uint8_t *q = dw__asx_item(r, sac);
    int src = -2 - c->cat;
    if (q && sic->frn == sac->frn) {
        a = dw__asx_x(q, sac);
        b = dw__asx_x(q, sic);
        src = (int)(a << 8 | b);
    }
    if (src != ax->last_src) {
        if (src >= 0)
            dw_asterix_sensor_name(ax->last_name, (unsigned)a, (unsigned)b);
        else
            snprintf(ax->last_name, sizeof ax->last_name, "ASX-%03u", c->cat);
        ax->last_src = src;
    }
    memcpy(o->sensor, ax->last_name, sizeof ax->last_name);
}

static int64_t rec_time(const dw__asx_cat *c, const dw__asx_rec *r, const dw__asx_ref *tod,
                        const dw__asx_when *w, int *ok)
{
    double s;
    *ok = dw__asx_getf(c, r, tod, &s);
    return *ok ? dw__asx_time_us(w, s) : w->rx_us;
}

/* The ICAO character set by 6-bit code, for callsigns: A-Z, 0-9 and space;
 * the other codes (code 0 is "no identification") read as spaces. */
static const char icao_set[65] =
    " ABCDEFGHIJKLMNOPQRSTUVWXYZ                     0123456789      ";

/* An ICAO-character field into a callsign: 8 characters at most, those
 * outside A-Z, 0-9 as spaces (code 0 means "none"), trailing spaces cut. */
static int callsign(const dw__asx_cat *c, const dw__asx_rec *r, const dw__asx_ref *x, char *out)
{
    if (x->sub >= 0 || x->kind != DW__ASX_F_ICAO || x->bits != 48 || x->shift != 0)
        return dw__asx_ref_icao(c, r, *x, out, DW_CALLSIGN_MAX);
    const uint8_t *q = dw__asx_item(r, x);
    if (!q)
        return 0;
    const uint8_t *b = q + x->byte;
    uint64_t w = (uint64_t)b[0] << 40 | (uint64_t)b[1] << 32 | (uint64_t)b[2] << 24 |
                 (uint64_t)b[3] << 16 | (uint64_t)b[4] << 8 | b[5];
    for (int i = 0; i < 8; i++)
        out[i] = icao_set[w >> (42 - 6 * i) & 63];
    int n = 8;
    while (n > 0 && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
    return n > 0;
}

/* I120's calculated Doppler speed, when the record has it and does not call
 * it doubtful: the plot's range rate. One helper for both paths, so that
 * they agree by construction. */
static void doppler048(const dw_asterix *ax, const dw__asx_rec *r, dw_obs *o)
{
    const dw__asx_refs048 *R = &ax->r048;
    const dw__asx_cat *c = ax->by_cat[48];
    uint64_t d;
    double v;
    if (R->dop_cal.frn < 0 || !(r->present >> R->dop_cal.frn & 1))
        return;
    if (dw__asx_get(c, r, &R->dop_d, &d) && d == 0 && dw__asx_getf(c, r, &R->dop_cal, &v)) {
        o->range_rate_mps = v;
        o->has |= DW_OBS_HAS_RR;
    }
}

/* CAT048, the hot path of a radar feed: the fields at the places
 * resolve_fast048 checked against the tables, one presence test per item
 * (I010, I140, I040, I070, I090, I110, I220, I240).
 * Gives what dw__asx_obs048_generic gives (a unit test holds it to that). */
static int obs048_fast(dw_asterix *ax, const dw__asx_rec *r, const dw__asx_when *w, dw_obs *o)
{
    const dw__asx_fast048 *F = &ax->f048;
    uint64_t pr = r->present;
    if (!(pr >> F->f040 & 1))
        return 0;
    const uint8_t *q = r->at[F->f040];
    dw_obs_init(o, DW_OBS_POLAR);
    /* the same products, in the same order, as the generic path */
    o->range_m = (double)((unsigned)q[0] << 8 | q[1]) * F->rho_nm * NM_M;
    o->az_rad = (double)((unsigned)q[2] << 8 | q[3]) * F->theta_deg * DEG_RAD;
    int src = -2 - 48;
    if (pr >> F->f010 & 1) {
        q = r->at[F->f010];
        src = q[0] << 8 | q[1];
    }
    if (src != ax->last_src) {
        if (src >= 0)
            dw_asterix_sensor_name(ax->last_name, (unsigned)src >> 8, (unsigned)src & 255);
        else
            snprintf(ax->last_name, sizeof ax->last_name, "ASX-048");
        ax->last_src = src;
    }
    memcpy(o->sensor, ax->last_name, sizeof ax->last_name);
    if (pr >> F->f140 & 1) {
        q = r->at[F->f140];
        uint32_t tod = (uint32_t)q[0] << 16 | (uint32_t)q[1] << 8 | q[2];
        o->t_us = dw__asx_time_us(w, tod * F->tod_s);
    } else {
        o->t_us = w->rx_us;
    }
    if (pr >> F->f070 & 1) {
        q = r->at[F->f070];
        if (!(q[0] & 0xC0)) {       /* V, G: validated, not garbled */
            o->mode3a = (uint16_t)((q[0] & 0x0F) << 8 | q[1]);
            o->has |= DW_OBS_HAS_MODE3A;
        }
    }
    if (pr >> F->f090 & 1) {
        q = r->at[F->f090];
        if (!(q[0] & 0x80)) {       /* V: validated */
            int fl = (q[0] & 0x3F) << 8 | q[1];
            if (F->fl_signed && (fl & 0x2000))
                fl -= 0x4000;
            o->alt_m = fl * F->fl * FL_M;
            o->has |= DW_OBS_HAS_ALT;
        }
    }
    if (F->f110 >= 0 && (pr >> F->f110 & 1) && !(o->has & DW_OBS_HAS_ALT)) {
        /* No validated Mode C: the height a 3-D radar measured. */
        q = r->at[F->f110];
        int h = (q[0] & 0x3F) << 8 | q[1];
        if (h & 0x2000)
            h -= 0x4000;
        o->alt_m = h * F->h3d_ft * FT_M;
        o->has |= DW_OBS_HAS_ALT;
    }
    if (pr >> F->f220 & 1) {
        q = r->at[F->f220];
        o->icao = (uint32_t)q[0] << 16 | (uint32_t)q[1] << 8 | q[2];
        o->has |= DW_OBS_HAS_ICAO;
    }
    if (pr >> F->f240 & 1) {
        q = r->at[F->f240];
        uint64_t cs = (uint64_t)q[0] << 40 | (uint64_t)q[1] << 32 | (uint64_t)q[2] << 24 |
                      (uint64_t)q[3] << 16 | (uint64_t)q[4] << 8 | q[5];
        char *out = o->callsign;
        for (int i = 0; i < 8; i++)
            out[i] = icao_set[cs >> (42 - 6 * i) & 63];
        int n = 8;
        while (n > 0 && out[n - 1] == ' ')
            n--;
        out[n] = '\0';
        if (n)
            o->has |= DW_OBS_HAS_CALLSIGN;
    }
    doppler048(ax, r, o);
    return 1;
}

/* CAT048: a plot measured from the radar site, by the generic references:
 * one presence check per item, then bit extractions at places resolved
 * once. */
int dw__asx_obs048_generic(dw_asterix *ax, const dw__asx_cat *c, const dw__asx_rec *r,
                           const dw__asx_when *w, dw_obs *o)
{
    const dw__asx_refs048 *R = &ax->r048;
    const uint8_t *q = dw__asx_item(r, &R->rho);
    if (!q || R->theta.frn != R->rho.frn)
        return 0;
    dw_obs_init(o, DW_OBS_POLAR);
    o->range_m = dw__asx_xf(q, &R->rho) * NM_M;
    o->az_rad = dw__asx_xf(q, &R->theta) * DEG_RAD;
    set_sensor(ax, c, r, &R->sac, &R->sic, o);
    if ((q = dw__asx_item(r, &R->tod)))
        o->t_us = dw__asx_time_us(w, dw__asx_xf(q, &R->tod));
    else
        o->t_us = w->rx_us;
    if ((q = dw__asx_item(r, &R->m3a)) && !dw__asx_x(q, &R->m3_v) && !dw__asx_x(q, &R->m3_g)) {
        o->mode3a = (uint16_t)dw__asx_x(q, &R->m3a);
        o->has |= DW_OBS_HAS_MODE3A;
    }
    if ((q = dw__asx_item(r, &R->fl)) && !dw__asx_x(q, &R->fl_v)) {
        /* Pressure altitude (standard atmosphere), the only height a
         * secondary radar gets; not the WGS-84 height of POS3. */
        o->alt_m = dw__asx_xf(q, &R->fl) * FL_M;
        o->has |= DW_OBS_HAS_ALT;
    }
    if (!(o->has & DW_OBS_HAS_ALT) && (q = dw__asx_item(r, &R->h3d))) {
        /* Height measured by a 3-D radar (above mean sea level), for a plot
         * without a validated Mode C: the transponder's altitude, where
         * there is one, is far more precise than a height from elevation
         * at range (0.1 degree is 300 m at 100 NM), and it is what the
         * aircraft flies by. */
        o->alt_m = dw__asx_xf(q, &R->h3d) * FT_M;
        o->has |= DW_OBS_HAS_ALT;
    }
    if ((q = dw__asx_item(r, &R->addr))) {
        o->icao = (uint32_t)dw__asx_x(q, &R->addr);
        o->has |= DW_OBS_HAS_ICAO;
    }
    if (callsign(c, r, &R->ident, o->callsign))
        o->has |= DW_OBS_HAS_CALLSIGN;
    doppler048(ax, r, o);
    return 1;
}

/* Value or raw bits of a field that may be absent: *ok says. */
static double getv(const dw__asx_cat *c, const dw__asx_rec *r, const dw__asx_ref *x, int *ok)
{
    double d = 0;
    *ok = dw__asx_getf(c, r, x, &d);
    return *ok ? d : 0;
}

static uint64_t getu(const dw__asx_cat *c, const dw__asx_rec *r, const dw__asx_ref *x, int *ok)
{
    uint64_t v = 0;
    *ok = dw__asx_get(c, r, x, &v);
    return *ok ? v : 0;
}

/* CAT021: an ADS-B report, the aircraft's own position. */
static int obs021(dw_asterix *ax, const dw__asx_cat *c, const dw__asx_rec *r, const dw__asx_when *w,
                  dw_obs *o)
{
    const dw__asx_refs021 *R = &ax->r021;
    int ok, ok2;
    double lat = getv(c, r, &R->lat131, &ok);
    double lon = getv(c, r, &R->lon131, &ok2);
    if (!ok || !ok2) {
        lat = getv(c, r, &R->lat130, &ok);
        lon = getv(c, r, &R->lon130, &ok2);
        if (!ok || !ok2)
            return 0;
    }
    dw_obs_init(o, DW_OBS_POS3);
    set_sensor(ax, c, r, &R->sac, &R->sic, o);
    o->has |= DW_OBS_HAS_POS;
    o->lat_deg = lat;
    o->lon_deg = lon;
    /* The time the position applies to, else when it was received. */
    o->t_us = rec_time(c, r, &R->t071, w, &ok);
    if (!ok)
        o->t_us = rec_time(c, r, &R->t073, w, &ok);
    if (!ok)
        o->t_us = rec_time(c, r, &R->t077, w, &ok);
    double h = getv(c, r, &R->gh140, &ok);
    if (ok) {
        o->alt_m = h * FT_M;
        o->has |= DW_OBS_HAS_ALT;
    } else {
        h = getv(c, r, &R->fl145, &ok);
        if (ok) {
            o->alt_m = h * FL_M;
            o->has |= DW_OBS_HAS_ALT;
        }
    }
    uint64_t a = getu(c, r, &R->addr, &ok);
    if (ok) {
        o->icao = (uint32_t)a;
        o->has |= DW_OBS_HAS_ICAO;
    }
    if (callsign(c, r, &R->ident, o->callsign))
        o->has |= DW_OBS_HAS_CALLSIGN;
    a = getu(c, r, &R->m3a, &ok);
    if (ok) {
        o->mode3a = (uint16_t)a;
        o->has |= DW_OBS_HAS_MODE3A;
    }
    double gs = getv(c, r, &R->gs, &ok);
    double ta = getv(c, r, &R->ta, &ok2);
    if (ok && ok2) {
        o->vel_enu_mps[0] = gs * NM_M * sin(ta * DEG_RAD);
        o->vel_enu_mps[1] = gs * NM_M * cos(ta * DEG_RAD);
        double vr = getv(c, r, &R->gvr, &ok);
        if (!ok)
            vr = getv(c, r, &R->bvr, &ok);
        o->vel_enu_mps[2] = ok ? vr * FT_M / 60.0 : 0.0;
        o->has |= DW_OBS_HAS_VEL;
    }
    return 1;
}

/* CAT062: a partner's system track, as a position with its accuracy. */
static int obs062(dw_asterix *ax, const dw__asx_cat *c, const dw__asx_rec *r, const dw__asx_when *w,
                  dw_obs *o)
{
    const dw__asx_refs062 *R = &ax->r062;
    int ok, ok2;
    double lat = getv(c, r, &R->lat, &ok);
    double lon = getv(c, r, &R->lon, &ok2);
    if (!ok || !ok2)
        return 0;
    dw_obs_init(o, DW_OBS_POS3);
    set_sensor(ax, c, r, &R->sac, &R->sic, o);
    o->has |= DW_OBS_HAS_POS;
    o->lat_deg = lat;
    o->lon_deg = lon;
    o->t_us = rec_time(c, r, &R->tot, w, &ok);
    double h = getv(c, r, &R->alt130, &ok);
    if (ok) {
        o->alt_m = h * FT_M;
    } else {
        h = getv(c, r, &R->ctb135, &ok);
        if (!ok)
            h = getv(c, r, &R->fl136, &ok);
        o->alt_m = h * FL_M;
    }
    if (ok)
        o->has |= DW_OBS_HAS_ALT;
    double vx = getv(c, r, &R->vx, &ok);
    double vy = getv(c, r, &R->vy, &ok2);
    if (ok && ok2) {
        /* The system plane is a stereographic projection: near the
         * track its axes are east and north. */
        o->vel_enu_mps[0] = vx;
        o->vel_enu_mps[1] = vy;
        double roc = getv(c, r, &R->roc, &ok);
        o->vel_enu_mps[2] = ok ? roc * FT_M / 60.0 : 0.0;
        o->has |= DW_OBS_HAS_VEL;
    }
    uint64_t v = getu(c, r, &R->m3_v, &ok);
    uint64_t g = getu(c, r, &R->m3_g, &ok2);
    if (ok && ok2 && !v && !g) {
        o->mode3a = (uint16_t)getu(c, r, &R->m3a, &ok);
        o->has |= DW_OBS_HAS_MODE3A;
    }
    uint64_t a = getu(c, r, &R->adr, &ok);
    if (ok) {
        o->icao = (uint32_t)a;
        o->has |= DW_OBS_HAS_ICAO;
    }
    if (callsign(c, r, &R->id380, o->callsign) || callsign(c, r, &R->id245, o->callsign))
        o->has |= DW_OBS_HAS_CALLSIGN;

    /* I500: standard deviations (and the signed root of the xy covariance). */
    double sx = getv(c, r, &R->apc_x, &ok);
    double sy = getv(c, r, &R->apc_y, &ok2);
    int horiz = ok && ok2;
    double cxy = 0;
    if (horiz) {
        double q = getv(c, r, &R->apc_cov, &ok);
        if (ok)
            cxy = q < 0 ? -q * q : q * q;
    } else {
        double slat = getv(c, r, &R->apw_lat, &ok);
        double slon = getv(c, r, &R->apw_lon, &ok2);
        if (ok && ok2) {
            /* Degrees to metres on the sphere of the same area. */
            sy = slat * DEG_RAD * 6371008.8;
            sx = slon * DEG_RAD * 6371008.8 * cos(lat * DEG_RAD);
            horiz = 1;
        }
    }
    double sz = getv(c, r, &R->aga, &ok) * FT_M;
    if (!ok)
        sz = getv(c, r, &R->aba, &ok) * FL_M;
    if (horiz && ok) {
        o->cov_enu[0][0] = sx * sx;
        o->cov_enu[1][1] = sy * sy;
        o->cov_enu[0][1] = o->cov_enu[1][0] = cxy;
        o->cov_enu[2][2] = sz * sz;
        o->has |= DW_OBS_HAS_COV;
    } else {
        if (horiz)
            o->sigma_pos_m = sx > sy ? sx : sy;
        if (ok)
            o->sigma_alt_m = sz;
    }
    return 1;
}

int dw__asx_obs(dw_asterix *ax, const dw__asx_cat *c, const dw__asx_rec *r,
                const dw__asx_when *w, dw_obs *o)
{
    switch (c->cat) {
    case 48:
        return ax->f048.ok ? obs048_fast(ax, r, w, o) : dw__asx_obs048_generic(ax, c, r, w, o);
    case 21:
        return obs021(ax, c, r, w, o);
    case 62:
        return obs062(ax, c, r, w, o);
    default:
        return 0;   /* service messages (034, 063, 065) and video: raw only */
    }
}

/* ------------------------------------------------------------------ encode */

typedef struct txt {
    char *p, *end;
    int full;
} txt;

static void tf(txt *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tf(txt *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->p, (size_t)(t->end - t->p), fmt, ap);
    va_end(ap);
    if (n < 0 || n >= t->end - t->p) {
        t->full = 1;
        return;
    }
    t->p += n;
}

/* Time of day in 1/128 s as JSON, wrapped into [0, 86400). */
static void tod_json(txt *t, int64_t t_us)
{
    int64_t us = t_us % DAY_US;
    if (us < 0)
        us += DAY_US;
    int64_t raw = (us * 128 + 500000) / 1000000;
    if (raw >= 86400 * 128)
        raw -= 86400 * 128;
    tf(t, "%.7f", (double)raw / 128.0);
}

static int parse_sensor(const char *s, unsigned *sac, unsigned *sic)
{
    if (strncmp(s, "ASX-", 4) || strlen(s) != 11 || s[7] != '-')
        return 0;
    unsigned a = 0, b = 0;
    for (int i = 0; i < 3; i++) {
        if (s[4 + i] < '0' || s[4 + i] > '9' || s[8 + i] < '0' || s[8 + i] > '9')
            return 0;
        a = a * 10 + (unsigned)(s[4 + i] - '0');
        b = b * 10 + (unsigned)(s[8 + i] - '0');
    }
    if (a > 255 || b > 255)
        return 0;
    *sac = a;
    *sic = b;
    return 1;
}

static void callsign_json(txt *t, const char *cs)
{
    /* ICAO characters only; anything else becomes a space. */
    char s[9];
    size_t i = 0;
    for (; i < 8 && cs[i]; i++) {
        char ch = cs[i];
        if (ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 32);
        s[i] = (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ? ch : ' ';
    }
    for (; i < 8; i++)
        s[i] = ' ';
    s[8] = '\0';
    tf(t, "\"%s\"", s);
}

/* Which height item carries alt_m: a plot with an SSR identity (Mode 3/A,
 * Mode S address or callsign) is a secondary radar's, whose only height is
 * the transponder's Mode C (I090, flight levels); any other plot is a
 * primary 3-D radar's, whose height it measured itself (I110, 25 ft). */
static int is_ssr(const dw_obs *o)
{
    return (o->has & (DW_OBS_HAS_MODE3A | DW_OBS_HAS_ICAO | DW_OBS_HAS_CALLSIGN)) != 0;
}

/* A plot's range rate as I120's CAL (1 m/s, 10 bits signed): 1 and *cal when
 * it has one that fits; a rate beyond +-511 m/s is left out of the record
 * (the plot is still written), as is a plot's without I120 in the edition. */
static int doppler_cal(const dw_asterix *ax, const dw_obs *o, long *cal)
{
    if (!(o->has & DW_OBS_HAS_RR) || ax->r048.dop_cal.frn < 0 || !isfinite(o->range_rate_mps))
        return 0;
    const double v = round(o->range_rate_mps);
    if (!(v >= -512.0 && v <= 511.0))
        return 0;
    *cal = (long)v;
    return 1;
}

/* The reference encoder: the record as raw JSON through the tables. */
dw_status dw__asx_encode_obs_json(dw_asterix *ax, const dw_obs *o, uint8_t *buf, uint8_t *end,
                                  uint8_t **out_end)
{
    if (!ax || !o || !buf || !end || !out_end)
        return DW_ERR_INVALID;
    if (o->kind != DW_OBS_POLAR)
        return DW_ERR_UNSUPPORTED;
    if (!ax->by_cat[48])
        return DW_ERR_UNSUPPORTED;
    unsigned sac = ax->sac, sic = ax->sic;
    parse_sensor(o->sensor, &sac, &sic);
    double rho_nm = o->range_m / NM_M;
    if (!(rho_nm >= 0 && rho_nm * 256 < 65535.5) || !isfinite(o->az_rad))
        return DW_ERR_RANGE;
    double az = fmod(o->az_rad / DEG_RAD, 360.0);
    if (az < 0)
        az += 360.0;
    /* Quantise here so that 359.999 does not round up to 360 = 2^16 LSB. */
    long th = lround(az * 65536.0 / 360.0) & 0xFFFF;
    long rh = lround(rho_nm * 256.0);
    int ssr = is_ssr(o);
    int modes = (o->has & DW_OBS_HAS_ICAO) != 0;
    txt t = {ax->json, ax->json + 4096, 0};
    tf(&t, "{\"cat\":48,\"ed\":\"%s\",\"I010\":{\"SAC\":%u,\"SIC\":%u},\"I140\":",
       ax->by_cat[48]->edition, sac, sic);
    tod_json(&t, o->t_us);
    tf(&t, ",\"I020\":{\"TYP\":%d,\"SIM\":0,\"RDP\":0,\"SPI\":0,\"RAB\":0}", modes ? 5 : ssr ? 2 : 1);
    tf(&t, ",\"I040\":{\"RHO\":%.8f,\"THETA\":%.13f}", rh / 256.0, th * 360.0 / 65536.0);
    if (o->has & DW_OBS_HAS_MODE3A)
        tf(&t, ",\"I070\":{\"V\":0,\"G\":0,\"L\":0,\"MODE3A\":\"%04o\"}", o->mode3a & 07777u);
    if ((o->has & DW_OBS_HAS_ALT) && ssr) {
        double fl = o->alt_m / FL_M;
        if (!(fabs(fl) < 2047.0))
            return DW_ERR_RANGE;
        tf(&t, ",\"I090\":{\"V\":0,\"G\":0,\"FL\":%.2f}", round(fl * 4) / 4);
    }
    if (o->has & DW_OBS_HAS_ICAO)
        tf(&t, ",\"I220\":%u", o->icao & 0xFFFFFFu);
    if ((o->has & DW_OBS_HAS_CALLSIGN) && o->callsign[0]) {
        tf(&t, ",\"I240\":");
        callsign_json(&t, o->callsign);
    }
    if ((o->has & DW_OBS_HAS_ALT) && !ssr) {
        double h = o->alt_m / FT_M / 25.0;
        if (!(h > -8192.5 && h < 8191.5))
            return DW_ERR_RANGE;
        tf(&t, ",\"I110\":{\"3DH\":%.0f}", round(h) * 25.0);
    }
    long cal;
    if (doppler_cal(ax, o, &cal))
        tf(&t, ",\"I120\":{\"CAL\":{\"D\":0,\"CAL\":%ld}}", cal);
    tf(&t, "}");
    if (t.full)
        return DW_ERR_FULL;
    return dw__asx_encode_json(ax, ax->json, (size_t)(t.p - ax->json), buf, end, out_end);
}

/* 6-bit ICAO character codes by ASCII: A-Z, 0-9, space; anything else a
 * space (lower case is raised first). */
static unsigned icao6(char ch)
{
    if (ch >= 'a' && ch <= 'z')
        ch = (char)(ch - 32);
    if (ch >= 'A' && ch <= 'Z')
        return (unsigned)(ch - 'A' + 1);
    if (ch >= '0' && ch <= '9')
        return (unsigned)ch;
    return 32;
}

static void put14(uint8_t *q, long raw)
{
    q[0] = (uint8_t)((unsigned long)raw >> 8 & 0x3F);
    q[1] = (uint8_t)raw;
}

/* One CAT048 record (FSPEC and items, no block header) of a POLAR
 * observation at [p, end), written straight from the layout resolve_fast048
 * checked: the same octets as dw__asx_encode_obs_json gives, without the
 * text in between. Everything is checked before anything is written. */
static dw_status record048(const dw_asterix *ax, const dw_obs *o, uint8_t *p, uint8_t *end,
                           uint8_t **out_end)
{
    const dw__asx_fast048 *F = &ax->f048;
    unsigned sac = ax->sac, sic = ax->sic;
    parse_sensor(o->sensor, &sac, &sic);
    double rho_nm = o->range_m / NM_M;
    if (!(rho_nm >= 0 && rho_nm * 256 < 65535.5) || !isfinite(o->az_rad))
        return DW_ERR_RANGE;
    double az = fmod(o->az_rad / DEG_RAD, 360.0);
    if (az < 0)
        az += 360.0;
    unsigned th = (unsigned)(lround(az * 65536.0 / 360.0) & 0xFFFF);
    unsigned rh = (unsigned)lround(rho_nm * 256.0);
    int64_t us = o->t_us % DAY_US;
    if (us < 0)
        us += DAY_US;
    int64_t tod = (us * 128 + 500000) / 1000000;
    if (tod >= 86400 * 128)
        tod -= 86400 * 128;
    int ssr = is_ssr(o);
    int modes = (o->has & DW_OBS_HAS_ICAO) != 0;
    int m3a = (o->has & DW_OBS_HAS_MODE3A) != 0;
    int cs = (o->has & DW_OBS_HAS_CALLSIGN) && o->callsign[0];
    int i090 = (o->has & DW_OBS_HAS_ALT) && ssr, i110 = (o->has & DW_OBS_HAS_ALT) && !ssr;
    long alt = 0;
    if (i090) {
        double fl = o->alt_m / FL_M;
        if (!(fabs(fl) < 2047.0))
            return DW_ERR_RANGE;
        alt = lround(fl * 4);
        if (alt < 0 && !F->fl_signed)
            return DW_ERR_RANGE;    /* CAT048 1.30's unsigned FL */
    } else if (i110) {
        double h = o->alt_m / FT_M / 25.0;
        if (!(h > -8192.5 && h < 8191.5))
            return DW_ERR_RANGE;
        alt = lround(h);
    }

    uint32_t want = 1u << F->f010 | 1u << F->f140 | 1u << F->f020 | 1u << F->f040;
    size_t n = 2 + 3 + 1 + 4;
    if (m3a) {
        want |= 1u << F->f070;
        n += 2;
    }
    if (i090) {
        want |= 1u << F->f090;
        n += 2;
    }
    if (modes) {
        want |= 1u << F->f220;
        n += 3;
    }
    if (cs) {
        want |= 1u << F->f240;
        n += 6;
    }
    if (i110) {
        want |= 1u << F->f110;
        n += 2;
    }
    long cal = 0;
    const int i120 = F->f120 >= 0 && doppler_cal(ax, o, &cal);
    if (i120) {
        want |= 1u << F->f120;
        n += 3;
    }
    unsigned hi = 31 - (unsigned)__builtin_clz(want);
    size_t nfs = hi / 7 + 1;
    if ((size_t)(end - p) < nfs + n)
        return DW_ERR_FULL;

    uint8_t *q = p;
    memset(q, 0, nfs);
    for (size_t i = 0; i + 1 < nfs; i++)
        q[i] = 1;
    for (uint32_t m = want; m; m &= m - 1) {
        unsigned i = (unsigned)__builtin_ctz(m);
        q[i / 7] |= (uint8_t)(0x80u >> (i % 7));
    }
    q += nfs;
    /* Items in FRN order (resolve_fast048 checked the order). */
    *q++ = (uint8_t)sac;
    *q++ = (uint8_t)sic;
    *q++ = (uint8_t)(tod >> 16);
    *q++ = (uint8_t)(tod >> 8);
    *q++ = (uint8_t)tod;
    *q++ = (uint8_t)((modes ? 5u : ssr ? 2u : 1u) << 5);
    *q++ = (uint8_t)(rh >> 8);
    *q++ = (uint8_t)rh;
    *q++ = (uint8_t)(th >> 8);
    *q++ = (uint8_t)th;
    if (m3a) {
        *q++ = (uint8_t)(o->mode3a >> 8 & 0x0F);
        *q++ = (uint8_t)o->mode3a;
    }
    if (i090) {
        put14(q, alt);
        q += 2;
    }
    if (modes) {
        *q++ = (uint8_t)(o->icao >> 16);
        *q++ = (uint8_t)(o->icao >> 8);
        *q++ = (uint8_t)o->icao;
    }
    if (cs) {
        uint64_t w = 0;
        int ended = 0;
        for (int i = 0; i < 8; i++) {
            char ch = ended ? ' ' : o->callsign[i];
            if (!ch) {
                ended = 1;
                ch = ' ';
            }
            w = w << 6 | icao6(ch);
        }
        for (int i = 5; i >= 0; i--)
            *q++ = (uint8_t)(w >> (8 * i));
    }
    if (i110) {
        put14(q, alt);
        q += 2;
    }
    if (i120) {
        *q++ = 0x80;                                /* CAL only, no FX */
        *q++ = (uint8_t)((unsigned long)cal >> 8 & 0x03);   /* D 0: valid */
        *q++ = (uint8_t)cal;
    }
    *out_end = q;
    return DW_OK;
}

/* One record into [p, end) by whichever writer the edition allows. */
static dw_status add_record(dw_asterix *ax, const dw_obs *o, uint8_t *p, uint8_t *end,
                            uint8_t **out_end)
{
    if (o->kind != DW_OBS_POLAR || !ax->by_cat[48])
        return DW_ERR_UNSUPPORTED;
    if (ax->f048.enc_ok)
        return record048(ax, o, p, end, out_end);
    /* An edition laid out otherwise: through the JSON, then the record
     * without its block header. */
    uint8_t blk[512], *e;
    dw_status st = dw__asx_encode_obs_json(ax, o, blk, blk + sizeof blk, &e);
    if (st != DW_OK)
        return st;
    size_t n = (size_t)(e - blk) - 3;
    if ((size_t)(end - p) < n)
        return DW_ERR_FULL;
    memcpy(p, blk + 3, n);
    *out_end = p + n;
    return DW_OK;
}

dw_status dw_asterix_block_begin(dw_asterix_block *b, uint8_t *buf, uint8_t *end)
{
    if (!b || !buf || !end || end < buf)
        return DW_ERR_INVALID;
    if (end - buf < 3)
        return DW_ERR_FULL;
    if (end - buf > 65535)
        end = buf + 65535;      /* what LEN can say */
    buf[0] = 48;
    buf[1] = 0;
    buf[2] = 3;
    b->start = buf;
    b->p = buf + 3;
    b->end = end;
    b->records = 0;
    return DW_OK;
}

dw_status dw_asterix_block_add_obs(dw_asterix *ax, dw_asterix_block *b, const dw_obs *o)
{
    if (!ax || !b || !o || !b->start || b->p < b->start + 3 || b->p > b->end)
        return DW_ERR_INVALID;
    uint8_t *e;
    dw_status st = add_record(ax, o, b->p, b->end, &e);
    if (st != DW_OK)
        return st;
    b->p = e;
    b->records++;
    size_t n = (size_t)(b->p - b->start);
    b->start[1] = (uint8_t)(n >> 8);
    b->start[2] = (uint8_t)n;
    return DW_OK;
}

dw_status dw_asterix_block_finish(dw_asterix_block *b, uint8_t **out_end)
{
    if (!b || !out_end || !b->start || b->p < b->start + 3 || b->p > b->end)
        return DW_ERR_INVALID;
    *out_end = b->records ? b->p : b->start;
    return DW_OK;
}

dw_status dw_asterix_encode_obs(dw_asterix *ax, const dw_obs *o, uint8_t *buf, uint8_t *end,
                                uint8_t **out_end)
{
    if (!ax || !o || !buf || !end || end < buf || !out_end)
        return DW_ERR_INVALID;
    if (o->kind != DW_OBS_POLAR || !ax->by_cat[48])
        return DW_ERR_UNSUPPORTED;
    /* The record first, the header once it is known to fit: a failure
     * leaves buf as it was. */
    if (end - buf > 65535)
        end = buf + 65535;
    uint8_t *e;
    dw_status st = add_record(ax, o, buf + (end - buf < 3 ? end - buf : 3), end, &e);
    if (st != DW_OK)
        return st;
    if (end - buf < 3)
        return DW_ERR_FULL;
    size_t n = (size_t)(e - buf);
    buf[0] = 48;
    buf[1] = (uint8_t)(n >> 8);
    buf[2] = (uint8_t)n;
    *out_end = e;
    return DW_OK;
}

static double clampd(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static int srcbits(dw_source s)
{
    switch (s) {
    case DW_SRC_ADSB:
        return 1;   /* GNSS */
    case DW_SRC_RADAR:
        return 2;   /* 3D radar */
    case DW_SRC_PASSIVE:
        return 3;   /* triangulation */
    default:
        return 0;   /* no source */
    }
}

dw_status dw_asterix_encode_track(dw_asterix *ax, const dw_track *tr, int64_t now_us, uint8_t *buf,
                                  uint8_t *end, uint8_t **out_end)
{
    (void)now_us;
    if (!ax || !tr || !buf || !end || !out_end)
        return DW_ERR_INVALID;
    const dw__asx_cat *c = ax->by_cat[62];
    if (!c)
        return DW_ERR_UNSUPPORTED;
    if (!(fabs(tr->lat_deg) <= 90 && fabs(tr->lon_deg) <= 180))
        return DW_ERR_RANGE;
    txt t = {ax->json, ax->json + 4096, 0};
    tf(&t, "{\"cat\":62,\"ed\":\"%s\",\"I010\":{\"SAC\":%u,\"SIC\":%u},\"I070\":", c->edition,
       ax->sac, ax->sic);
    tod_json(&t, tr->t_us);
    /* 180/2^25 degrees: quantise here, print exactly. */
    double lsb = 180.0 / 33554432.0;
    double lon = tr->lon_deg >= 180.0 ? tr->lon_deg - 360.0 : tr->lon_deg;
    tf(&t, ",\"I105\":{\"LAT\":%.17g,\"LON\":%.17g}", round(tr->lat_deg / lsb) * lsb,
       round(lon / lsb) * lsb);
    tf(&t, ",\"I185\":{\"VX\":%.2f,\"VY\":%.2f}",
       round(clampd(tr->vel_enu_mps[0], -8192, 8191.75) * 4) / 4,
       round(clampd(tr->vel_enu_mps[1], -8192, 8191.75) * 4) / 4);
    tf(&t, ",\"I040\":%u", (unsigned)(tr->id & 0xFFFF));
    /* I080: monosensor or not, confirmed or not, last message when dead,
     * first when new; coasting sets the fourth octet's CST. */
    tf(&t, ",\"I080\":{\"MON\":%d,\"SPI\":0,\"MRH\":1,\"SRC\":%d,\"CNF\":%d,"
           "\"SIM\":0,\"TSE\":%d,\"TSB\":%d,\"FPC\":0,\"AFF\":0,\"STP\":0,\"KOS\":0",
       tr->n_sensors > 1 ? 0 : 1, srcbits(tr->v_alt.source),
       tr->status == DW_TRACK_TENTATIVE ? 1 : 0, tr->status == DW_TRACK_DEAD ? 1 : 0,
       tr->hits <= 1 ? 1 : 0);
    if (tr->status == DW_TRACK_COASTING)
        tf(&t, ",\"AMA\":0,\"MD4\":0,\"ME\":0,\"MI\":0,\"MD5\":0,\"CST\":1,\"PSR\":0,\"SSR\":0,"
               "\"MDS\":0,\"ADS\":0,\"SUC\":0,\"AAC\":0");
    tf(&t, "}");
    tf(&t, ",\"I130\":%.2f", round(clampd(tr->alt_m / FT_M, -1500, 150000) / 6.25) * 6.25);
    tf(&t, ",\"I220\":%.2f",
       round(clampd(tr->vel_enu_mps[2] * 60.0 / FT_M, -204800, 204793.75) / 6.25) * 6.25);
    int has_icao = tr->icao != 0, has_cs = tr->callsign[0] != '\0';
    if (has_icao || has_cs) {
        tf(&t, ",\"I380\":{");
        if (has_icao)
            tf(&t, "\"ADR\":%u%s", tr->icao & 0xFFFFFFu, has_cs ? "," : "");
        if (has_cs) {
            tf(&t, "\"ID\":");
            callsign_json(&t, tr->callsign);
        }
        tf(&t, "}");
    }
    double cxx = tr->cov_pos_enu[0][0], cyy = tr->cov_pos_enu[1][1], czz = tr->cov_pos_enu[2][2];
    if (cxx > 0 && cyy > 0) {
        double cxy = tr->cov_pos_enu[0][1];
        double q = cxy < 0 ? -sqrt(-cxy) : sqrt(cxy);
        tf(&t, ",\"I500\":{\"APC\":{\"X\":%.1f,\"Y\":%.1f},\"COV\":%.1f",
           round(clampd(sqrt(cxx), 0, 32767.5) * 2) / 2, round(clampd(sqrt(cyy), 0, 32767.5) * 2) / 2,
           round(clampd(q, -16384, 16383.5) * 2) / 2);
        if (czz > 0)
            tf(&t, ",\"AGA\":%.2f", round(clampd(sqrt(czz) / FT_M, 0, 1593.75) / 6.25) * 6.25);
        double vxx = tr->cov_vel_enu[0][0], vyy = tr->cov_vel_enu[1][1];
        if (vxx > 0 && vyy > 0)
            tf(&t, ",\"ATV\":{\"X\":%.2f,\"Y\":%.2f}", round(clampd(sqrt(vxx), 0, 63.75) * 4) / 4,
               round(clampd(sqrt(vyy), 0, 63.75) * 4) / 4);
        tf(&t, "}");
    }
    tf(&t, "}");
    if (t.full)
        return DW_ERR_FULL;
    return dw__asx_encode_json(ax, ax->json, (size_t)(t.p - ax->json), buf, end, out_end);
}
