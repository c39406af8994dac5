/* test_beast.c — the Beast and AVR codecs on a real recording.
 *
 * data/adsb/beastblackbox holds 61 s of a real Beast stream and two decodes
 * of it by dump1090-fa code (beastblackbox): the SBS lines it would have
 * served, and its verbose per-frame text. Both are compared message by
 * message with what our codec says; every field is counted and a
 * disagreement is named with the side that is right.
 */
#include "harness.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/codec.h"
#include "dronewall/modes.h"

#define RECORDING "data/adsb/beastblackbox/ulss7-beast-bin-utc--1522782148.136310917--.log"
#define GOLDEN_SBS "data/adsb/beastblackbox/beast_decoded_sbs.txt"
#define GOLDEN_VERBOSE "data/adsb/beastblackbox/beast_decoded_dump1090.txt"
/* The recording's start (its file name): what a driver passes as rx_us. */
#define START_US 1522782148136310LL

extern const dw_codec_ops dw_codec_beast;
extern const dw_codec_ops dw_codec_avr;


/* ---- a sink that keeps everything ------------------------------------------ */

typedef struct collect {
    json_t *raw;            /* array of parsed raw objects */
    char *text;             /* the raw lines, '\n' separated */
    size_t text_len, text_cap;
    dw_obs *obs;
    size_t nobs, cap;
} collect;

static void on_raw(void *ctx, const char *json, size_t len)
{
    collect *c = ctx;
    json_error_t e;
    json_t *j = json_loadb(json, len, 0, &e);
    if (!j)
        fail_msg("raw item is not JSON (%s): %.*s", e.text, (int)len, json);
    json_array_append_new(c->raw, j);
    if (c->text_len + len + 2 > c->text_cap) {
        c->text_cap = (c->text_cap + len + 2) * 2;
        c->text = realloc(c->text, c->text_cap);
    }
    memcpy(c->text + c->text_len, json, len);
    c->text_len += len;
    c->text[c->text_len++] = '\n';
}

static void on_obs(void *ctx, const dw_obs *o)
{
    collect *c = ctx;
    if (c->nobs == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 1024;
        c->obs = realloc(c->obs, c->cap * sizeof *c->obs);
    }
    c->obs[c->nobs++] = *o;
}

static void collect_init(collect *c)
{
    memset(c, 0, sizeof *c);
    c->raw = json_array();
}

static void collect_free(collect *c)
{
    json_decref(c->raw);
    free(c->text);
    free(c->obs);
}

/* Frame and decode a whole buffer fed in chunks of at most `chunk` bytes,
 * as a stream driver would: unconsumed bytes carry over. */
static dw_decode_stats run(const dw_codec_ops *codec, const dw_codec_config *cfg,
                           const uint8_t *data, size_t len, size_t chunk, int64_t rx_us,
                           collect *out)
{
    void *st = NULL;
    assert_int_equal(codec->create(cfg, &st), DW_OK);
    dw_decode_sink sink = {on_raw, on_obs, out, 1, 1, {0}};
    dw_frame_meta meta = {rx_us, DW_LINK_STREAM, 0, 0, "test"};
    uint8_t *carry = malloc(len + 1);
    size_t have = 0, fed = 0;
    uint64_t skipped = 0;
    while (fed < len || have) {
        size_t n = len - fed < chunk ? len - fed : chunk;
        memcpy(carry + have, data + fed, n);
        have += n;
        fed += n;
        size_t off = 0;
        for (;;) {
            size_t skip = 0, fl = 0;
            dw_status s = codec->frame(carry + off, have - off, &skip, &fl);
            skipped += skip;
            off += skip;
            if (s != DW_OK)
                break;
            codec->decode(st, carry + off, fl, &meta, &sink);
            off += fl;
        }
        memmove(carry, carry + off, have - off);
        have -= off;
        if (fed == len) {
            skipped += have;    /* an unfinished frame at the end */
            break;
        }
    }
    sink.stats.skipped_bytes = skipped;
    free(carry);
    codec->destroy(st);
    return sink.stats;
}

static const char *jstr(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int jhas(json_t *o, const char *k) { return json_object_get(o, k) != NULL; }
static long long jint(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}
static double jnum(json_t *o, const char *k) { return json_number_value(json_object_get(o, k)); }

/* ---- framing -------------------------------------------------------------- */

static void beast_framing_escapes_and_resync(void **state)
{
    (void)state;
    uint8_t buf[512], *p = buf, *e = buf + sizeof buf, *q;
    const uint8_t df11[7] = {0x5f, 0x40, 0x01, 0x59, 0x4b, 0x0f, 0xbb};
    const uint8_t df17[14] = {0x8d, 0x40, 0x01, 0x59, 0x58, 0x1a, 0x1a, 0x00,
                              0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    /* 0x1a in the counter, the signal and the payload, all doubled */
    assert_int_equal(dw_beast_encode(DW_BEAST_SHORT, 0x1a00001a0000ull, 0x1a, df11, 7, p, e, &q),
                     DW_OK);
    assert_int_equal(q - p, 2 + 7 + 7 + 3);
    p = q;
    const uint8_t garbage[] = {0x00, 0x1a, 0x1a, 0x33, 0xff, 0x1a, 0x39, 0x12};
    memcpy(p, garbage, sizeof garbage);
    p += sizeof garbage;
    assert_int_equal(dw_beast_encode(DW_BEAST_LONG, 1, 2, df17, 14, p, e, &q), DW_OK);
    p = q;
    /* a frame cut short by a new frame: the lone 0x1a restarts */
    uint8_t *cut = p;
    assert_int_equal(dw_beast_encode(DW_BEAST_LONG, 3, 4, df17, 14, p, e, &q), DW_OK);
    p = cut + 10;
    assert_int_equal(dw_beast_encode(DW_BEAST_SHORT, 5, 6, df11, 7, p, e, &q), DW_OK);
    p = q;
    const uint8_t ac[2] = {0x10, 0x24};
    assert_int_equal(dw_beast_encode(DW_BEAST_MODEAC, 7, 8, ac, 2, p, e, &q), DW_OK);
    p = q;
    const uint8_t status[14] = {0};
    assert_int_equal(dw_beast_encode(DW_BEAST_STATUS, 9, 0, status, 14, p, e, &q), DW_OK);
    p = q;
    assert_int_equal(dw_beast_encode('9', 0, 0, ac, 2, p, e, &q), DW_ERR_INVALID);
    assert_int_equal(dw_beast_encode(DW_BEAST_LONG, 0, 0, df17, 14, p, p + 5, &q), DW_ERR_FULL);

    for (size_t chunk = 1; chunk <= (size_t)(p - buf); chunk += 7) {
        collect c;
        collect_init(&c);
        dw_decode_stats s = run(&dw_codec_beast, NULL, buf, (size_t)(p - buf), chunk, 0, &c);
        /* DF11, DF17, DF11, Mode A/C decoded; status framed and skipped */
        assert_int_equal(s.frames, 5);
        assert_int_equal(s.records, 4);
        assert_int_equal(s.malformed, 0);
        assert_int_equal(s.skipped_bytes, sizeof garbage + 10);
        assert_int_equal(json_array_size(c.raw), 4);
        json_t *r0 = json_array_get(c.raw, 0);
        assert_int_equal(jint(r0, "mlat_ticks"), 0x1a00001a0000ll);
        assert_int_equal(jint(r0, "signal"), 0x1a);
        assert_string_equal(jstr(r0, "hex"), "5f4001594b0fbb");
        assert_string_equal(jstr(json_array_get(c.raw, 1), "hex"),
                            "8d400159581a1a00000000000000");
        json_t *r3 = json_array_get(c.raw, 3);
        assert_string_equal(jstr(r3, "type"), "modeac");
        assert_string_equal(jstr(r3, "code"), "1024");
        assert_int_equal(jint(r3, "alt_modec_ft"), 31000);
        collect_free(&c);
    }

    /* decode refuses what frame would not have produced */
    void *st;
    assert_int_equal(dw_codec_beast.create(NULL, &st), DW_OK);
    dw_decode_sink sink = {NULL, NULL, NULL, 0, 0, {0}};
    const uint8_t bad1[] = {0x1a, 0x32, 1, 2, 3};
    const uint8_t bad2[] = {0x1a, 0x32, 0, 0, 0, 0, 0, 1, 9, 0x8d, 1, 2, 3, 4, 5, 6};
    assert_int_equal(dw_codec_beast.decode(st, bad1, sizeof bad1, NULL, &sink), DW_ERR_PARSE);
    /* a DF17 (long) in a short frame */
    assert_int_equal(dw_codec_beast.decode(st, bad2, sizeof bad2, NULL, &sink), DW_ERR_PARSE);
    assert_int_equal(sink.stats.malformed, 2);
    dw_codec_beast.destroy(st);
}

static void beast_detect_by_content(void **state)
{
    (void)state;
    size_t len;
    uint8_t *rec = dw_test_read_file(dw_test_shared(RECORDING), &len);
    assert_non_null(rec);
    dw_frame_meta m = {0, DW_LINK_STREAM, 0, 0, "x"};
    assert_true(dw_codec_beast.detect(rec, len, &m) >= 90);
    assert_true(dw_codec_beast.detect(rec + 3, len - 3, &m) >= 90);    /* mid-frame start */
    assert_int_equal(dw_codec_avr.detect(rec, len, &m), 0);
    const char *avr = "*8D4840D6202CC371C32CE0576098;\n*5f4001594b0fbb;\n@0000000000015f4001594b0fbb;\n";
    assert_true(dw_codec_avr.detect((const uint8_t *)avr, strlen(avr), &m) >= 90);
    assert_true(dw_codec_beast.detect((const uint8_t *)avr, strlen(avr), &m) < 50);
    uint8_t *sbs = dw_test_read_file(dw_test_shared(GOLDEN_SBS), &len);
    assert_non_null(sbs);
    assert_true(dw_codec_beast.detect(sbs, len, &m) < 50);
    assert_true(dw_codec_avr.detect(sbs, len, &m) < 50);
    dw_frame_meta wifi = {0, DW_LINK_IEEE802_11, 0, 0, "x"};
    assert_int_equal(dw_codec_beast.detect(rec, 4096, &wifi), 0);
    free(rec);
    free(sbs);
}

/* ---- the recording against dump1090's SBS output -------------------------- */

typedef struct sbsrec {
    int type;               /* MSG transmission type */
    uint32_t icao;
    int64_t t_ms;
    int idx;                /* into the golden lines or our raw array */
    int used;
} sbsrec;

static int cmp_rec(const void *a, const void *b)
{
    const sbsrec *x = a, *y = b;
    if (x->type != y->type)
        return x->type < y->type ? -1 : 1;
    if (x->icao != y->icao)
        return x->icao < y->icao ? -1 : 1;
    if (x->t_ms != y->t_ms)
        return x->t_ms < y->t_ms ? -1 : 1;
    return x->idx - y->idx;
}

/* The SBS transmission type dump1090 writes for one of our raw records, or 0. */
static int sbs_type_of(json_t *r)
{
    if (!json_is_true(json_object_get(r, "crc_ok")))
        return 0;
    long long df = jint(r, "df"), tc = jint(r, "tc");
    switch (df) {
    case 17:
    case 18:
        if (tc >= 1 && tc <= 4)
            return 1;
        if (tc >= 5 && tc <= 8)
            return 2;
        if ((tc >= 9 && tc <= 18) || (tc >= 20 && tc <= 22))
            return 3;
        if (tc == 19)
            return 4;
        return 0;
    case 4: case 20: return 5;
    case 5: case 21: return 6;
    case 0: case 16: return 7;
    case 11: return 8;
    default: return 0;
    }
}

#define MAXF 24
static int split_csv(char *line, char *f[MAXF])
{
    int n = 0;
    char *p = line;
    f[n++] = p;
    for (; *p && n < MAXF; p++)
        if (*p == ',') {
            *p = '\0';
            f[n++] = p + 1;
        }
    return n;
}

static int64_t sbs_time_ms(const char *date, const char *tod)
{
    int y, mo, d, h, mi, s, ms;
    if (sscanf(date, "%d/%d/%d", &y, &mo, &d) != 3 || sscanf(tod, "%d:%d:%d.%d", &h, &mi, &s, &ms) != 4)
        return -1;
    /* days from civil (2018-04-03 only needs the simple form) */
    int64_t yy = y - (mo <= 2);
    int64_t era = yy / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = era * 146097 + doe - 719468;
    return ((days * 24 + h) * 60 + mi) * 60000LL + s * 1000LL + ms;
}

/* dump1090's whole-degree track: (int)(atan2 in degrees + 0.5), plus 360
 * when negative. The cast truncates toward zero, so a westerly track
 * (atan2 < 0) comes out 0.5 to 1.5 degrees high. */
static int dump1090_track(double track_deg)
{
    double a = track_deg > 180 ? track_deg - 360 : track_deg;
    int h = (int)(a + 0.5);
    return h < 0 ? h + 360 : h;
}

typedef struct per_ac {
    uint32_t icao;
    int pos, pos_ok, alt, alt_ok, cs, cs_ok, sq, sq_ok, vel, vel_ok, other, other_ok;
} per_ac;

static per_ac *ac_of(per_ac *tab, int *n, uint32_t icao)
{
    for (int i = 0; i < *n; i++)
        if (tab[i].icao == icao)
            return &tab[i];
    memset(&tab[*n], 0, sizeof tab[0]);
    tab[*n].icao = icao;
    return &tab[(*n)++];
}

static void beast_recording_vs_sbs_golden(void **state)
{
    (void)state;
    size_t len;
    uint8_t *rec = dw_test_read_file(dw_test_shared(RECORDING), &len);
    assert_non_null(rec);
    collect c;
    collect_init(&c);
    dw_decode_stats s = run(&dw_codec_beast, NULL, rec, len, len, START_US, &c);
    free(rec);
    fprintf(stderr, "beast: %llu frames, %llu records, %llu obs, %llu malformed, %llu unknown, "
                    "%llu crc errors, %llu bytes skipped\n",
            (unsigned long long)s.frames, (unsigned long long)s.records,
            (unsigned long long)s.obs, (unsigned long long)s.malformed,
            (unsigned long long)s.unknown, (unsigned long long)s.crc_errors,
            (unsigned long long)s.skipped_bytes);
    /* SOURCES.md: 13,954 frames; dump1090 could not verify 6 */
    assert_int_equal(s.frames, 13954);
    assert_int_equal(s.malformed, 0);
    assert_int_equal(s.skipped_bytes, 0);
    assert_int_equal(s.crc_errors, 6);

    /* golden lines */
    uint8_t *gtext = dw_test_read_file(dw_test_shared(GOLDEN_SBS), &len);
    assert_non_null(gtext);
    size_t ng = 0, gcap = 16384;
    char *(*gf)[MAXF] = calloc(gcap, sizeof *gf);
    sbsrec *gk = calloc(gcap, sizeof *gk);
    for (char *line = strtok((char *)gtext, "\r\n"); line; line = strtok(NULL, "\r\n")) {
        if (strncmp(line, "MSG,", 4) || ng == gcap)
            continue;
        int n = split_csv(line, gf[ng]);
        assert_true(n >= 22);
        gk[ng].type = atoi(gf[ng][1]);
        gk[ng].icao = (uint32_t)strtoul(gf[ng][4], NULL, 16);
        gk[ng].t_ms = sbs_time_ms(gf[ng][6], gf[ng][7]);
        gk[ng].idx = (int)ng;
        ng++;
    }
    assert_int_equal(ng, 8622);

    /* ours, as the SBS lines dump1090 would write */
    size_t nr = json_array_size(c.raw), no = 0;
    sbsrec *ok = calloc(nr, sizeof *ok);
    for (size_t i = 0; i < nr; i++) {
        json_t *r = json_array_get(c.raw, i);
        int t = sbs_type_of(r);
        if (!t)
            continue;
        ok[no].type = t;
        ok[no].icao = (uint32_t)strtoul(jstr(r, "icao"), NULL, 16);
        ok[no].t_ms = jint(r, "t_us") / 1000;
        ok[no].idx = (int)i;
        no++;
    }
    fprintf(stderr, "SBS lines: dump1090 %zu, ours %zu\n", ng, no);
    qsort(gk, ng, sizeof *gk, cmp_rec);
    qsort(ok, no, sizeof *ok, cmp_rec);

    per_ac tab[64];
    int nac = 0;
    int unmatched = 0, track_round = 0;
    size_t j = 0;
    for (size_t i = 0; i < ng; i++) {
        while (j < no && cmp_rec(&ok[j], &gk[i]) < 0 &&
               !(ok[j].type == gk[i].type && ok[j].icao == gk[i].icao && ok[j].t_ms == gk[i].t_ms))
            j++;
        if (j >= no || ok[j].type != gk[i].type || ok[j].icao != gk[i].icao ||
            ok[j].t_ms != gk[i].t_ms) {
            unmatched++;
            fprintf(stderr, "  no message of ours for MSG,%d %06X at %lld\n", gk[i].type,
                    (unsigned)gk[i].icao, (long long)gk[i].t_ms);
            continue;
        }
        json_t *r = json_array_get(c.raw, (size_t)ok[j].idx);
        char **f = gf[gk[i].idx];
        per_ac *a = ac_of(tab, &nac, gk[i].icao);
        j++;
        switch (gk[i].type) {
        case 3:
        case 5:
        case 7: {
            a->alt++;
            a->alt_ok += *f[11] && jhas(r, "alt_baro_ft") && jint(r, "alt_baro_ft") == atoi(f[11]);
            if (gk[i].type == 3 && *f[14]) {
                a->pos++;
                a->pos_ok += jhas(r, "lat_deg") && fabs(jnum(r, "lat_deg") - atof(f[14])) <= 0.5e-5 &&
                             fabs(jnum(r, "lon_deg") - atof(f[15])) <= 0.5e-5;
            } else if (gk[i].type == 3) {
                a->pos++;
                a->pos_ok += !jhas(r, "lat_deg");   /* both waited for a pair */
            }
            break;
        }
        case 1: {
            char g[16];
            snprintf(g, sizeof g, "%s", f[10]);
            for (size_t k = strlen(g); k > 0 && g[k - 1] == ' '; k--)
                g[k - 1] = '\0';
            a->cs++;
            a->cs_ok += jstr(r, "callsign") && !strcmp(jstr(r, "callsign"), g);
            break;
        }
        case 6:
            a->sq++;
            a->sq_ok += jstr(r, "squawk") && !strcmp(jstr(r, "squawk"), f[17]);
            break;
        case 4: {
            /* dump1090 writes whole knots and degrees: its speed is
             * floor(sqrt(v²+0.5)); its track is wrong for westerly tracks
             * (see dump1090_track), ours is exact */
            double gs = jnum(r, "gs_kt"), trk = jnum(r, "track_deg");
            int gold_trk = atoi(f[13]);
            a->vel++;
            int v_ok = (int)floor(sqrt(gs * gs + 0.5)) == atoi(f[12]) &&
                       dump1090_track(trk) == gold_trk && jint(r, "vrate_fpm") == atoi(f[16]);
            a->vel_ok += v_ok;
            track_round += v_ok && lround(trk) % 360 != gold_trk;
            if (!v_ok)
                fprintf(stderr, "  MSG,4 %06X: ours %.3f kt %.3f° %lld fpm, dump1090 %s kt %s° %s fpm\n",
                        (unsigned)a->icao, gs, trk, jint(r, "vrate_fpm"), f[12], f[13], f[16]);
            break;
        }
        default:
            a->other++;
            a->other_ok++;
            break;
        }
    }
    fprintf(stderr, "per aircraft (matched / dump1090's):\n  icao    positions   altitudes  callsigns"
                    "  squawks  velocities  all-call\n");
    per_ac sum = {0};
    for (int i = 0; i < nac; i++) {
        per_ac *a = &tab[i];
        fprintf(stderr, "  %06X  %4d/%-4d  %4d/%-4d  %3d/%-3d  %3d/%-3d  %4d/%-4d  %4d/%-4d\n",
                (unsigned)a->icao, a->pos_ok, a->pos, a->alt_ok, a->alt, a->cs_ok, a->cs,
                a->sq_ok, a->sq, a->vel_ok, a->vel, a->other_ok, a->other);
        sum.pos += a->pos, sum.pos_ok += a->pos_ok, sum.alt += a->alt, sum.alt_ok += a->alt_ok;
        sum.cs += a->cs, sum.cs_ok += a->cs_ok, sum.sq += a->sq, sum.sq_ok += a->sq_ok;
        sum.vel += a->vel, sum.vel_ok += a->vel_ok;
    }
    fprintf(stderr, "  total   %4d/%-4d  %4d/%-4d  %3d/%-3d  %3d/%-3d  %4d/%-4d; unmatched %d; "
                    "dump1090 tracks that are not the rounded true track: %d\n",
            sum.pos_ok, sum.pos, sum.alt_ok, sum.alt, sum.cs_ok, sum.cs, sum.sq_ok, sum.sq,
            sum.vel_ok, sum.vel, unmatched, track_round);
    assert_int_equal(unmatched, 0);
    assert_int_equal(no, ng);
    assert_int_equal(sum.pos_ok, sum.pos);
    assert_int_equal(sum.alt_ok, sum.alt);
    assert_int_equal(sum.cs_ok, sum.cs);
    assert_int_equal(sum.sq_ok, sum.sq);
    assert_int_equal(sum.vel_ok, sum.vel);
    assert_int_equal(sum.pos, 1498);
    free(ok);
    free(gk);
    free(gf);
    free(gtext);
    collect_free(&c);
}

/* ---- against dump1090's verbose decode -------------------------------------- */

typedef struct vblock {
    char hex[32];
    int df;
    unsigned icao;
    int has_alt, alt, has_sq, sq, has_cs;
    char cs[16];
    int has_cpr, cpr_odd, cpr_lat, cpr_lon, has_pos;
    double lat, lon;
    int has_speed, speed, has_heading, heading, has_vr, vr, vr_baro, has_delta, delta;
    int has_nacp, nacp, has_version, version;
} vblock;

static void parse_verbose_line(vblock *b, const char *l)
{
    char w[32];
    double a;
    int i;
    if (sscanf(l, "DF:%d", &i) == 1)
        b->df = i;
    else if (sscanf(l, "  ICAO Address: %x", &b->icao) == 1)
        ;
    else if (sscanf(l, "  Altitude: %d ft %31s", &i, w) == 2 && !strcmp(w, "barometric"))
        b->has_alt = 1, b->alt = i;
    else if (sscanf(l, "  Squawk: %o", &i) == 1)
        b->has_sq = 1, b->sq = i;
    else if (!strncmp(l, "  Ident:", 8)) {
        snprintf(b->cs, sizeof b->cs, "%.15s", l + 8 + strspn(l + 8, " "));
        char *s = b->cs;
        while (*s == ' ')
            memmove(s, s + 1, strlen(s));
        for (size_t k = strlen(s); k > 0 && (s[k - 1] == ' ' || s[k - 1] == '\n'); k--)
            s[k - 1] = '\0';
        b->has_cs = 1;
    } else if (sscanf(l, "  CPR odd flag: %31s", w) == 1)
        b->has_cpr = 1, b->cpr_odd = !strcmp(w, "odd");
    else if (sscanf(l, "  CPR latitude: %lf (%d)", &a, &i) == 2)
        b->has_pos = 1, b->lat = a, b->cpr_lat = i;
    else if (sscanf(l, "  CPR latitude: (%d)", &i) == 1)
        b->cpr_lat = i;
    else if (sscanf(l, "  CPR longitude: %lf (%d)", &a, &i) == 2)
        b->lon = a, b->cpr_lon = i;
    else if (sscanf(l, "  CPR longitude: (%d)", &i) == 1)
        b->cpr_lon = i;
    else if (sscanf(l, "  Speed: %d kt %31s", &i, w) == 2 && !strcmp(w, "groundspeed"))
        b->has_speed = 1, b->speed = i;
    else if (sscanf(l, "  Heading: %d", &i) == 1)
        b->has_heading = 1, b->heading = i;
    else if (sscanf(l, "  Vertical rate: %d ft/min %31s", &i, w) == 2)
        b->has_vr = 1, b->vr = i, b->vr_baro = !strcmp(w, "barometric");
    else if (sscanf(l, "  GNSS delta: %d", &i) == 1)
        b->has_delta = 1, b->delta = i;
    else if (sscanf(l, "    NACp: %d", &i) == 1)
        b->has_nacp = 1, b->nacp = i;
    else if (sscanf(l, "    Version: %d", &i) == 1)
        b->has_version = 1, b->version = i;
}

typedef struct vtally {
    const char *name;
    int ok, n;
} vtally;

static void vcount(vtally *t, int ok) { t->n++, t->ok += ok != 0; }

static void beast_recording_vs_dump1090_verbose(void **state)
{
    (void)state;
    size_t len;
    uint8_t *rec = dw_test_read_file(dw_test_shared(RECORDING), &len);
    collect c;
    collect_init(&c);
    run(&dw_codec_beast, NULL, rec, len, len, START_US, &c);
    free(rec);
    FILE *f = fopen(dw_test_shared(GOLDEN_VERBOSE), "r");
    assert_non_null(f);
    enum { T_DF, T_ICAO, T_ALT, T_SQ, T_CS, T_CPR, T_POS, T_SPEED, T_HDG, T_VR, T_VRSRC, T_DELTA,
           T_NACP, T_VER, NT };
    vtally t[NT] = {{"df", 0, 0},         {"icao", 0, 0},        {"altitude", 0, 0},
                    {"squawk", 0, 0},     {"callsign", 0, 0},    {"cpr raw", 0, 0},
                    {"position", 0, 0},   {"speed", 0, 0},       {"heading", 0, 0},
                    {"vert. rate", 0, 0}, {"vr source", 0, 0},   {"gnss delta", 0, 0},
                    {"nacp", 0, 0},       {"version", 0, 0}};
    char line[512];
    vblock b;
    int inblock = 0, blocks = 0, lost = 0;
    size_t ri = 0, nr = json_array_size(c.raw);
    for (;;) {
        char *got = fgets(line, sizeof line, f);
        if (inblock && (!got || line[0] == '\n' || line[0] == '*')) {
            /* compare the finished block with our next record of that hex */
            json_t *r = NULL;
            size_t start = ri;
            while (ri < nr) {
                json_t *x = json_array_get(c.raw, ri++);
                if (jstr(x, "hex") && !strcmp(jstr(x, "hex"), b.hex)) {
                    r = x;
                    break;
                }
            }
            if (!r) {
                lost++;
                ri = start;
            } else {
                blocks++;
                vcount(&t[T_DF], jint(r, "df") == b.df);
                vcount(&t[T_ICAO], strtoul(jstr(r, "icao"), NULL, 16) == b.icao);
                if (b.has_alt)
                    vcount(&t[T_ALT], jint(r, "alt_baro_ft") == b.alt);
                if (b.has_sq) {
                    char sq[8];
                    snprintf(sq, sizeof sq, "%04o", (unsigned)b.sq);
                    vcount(&t[T_SQ], jstr(r, "squawk") && !strcmp(jstr(r, "squawk"), sq));
                }
                if (b.has_cs)
                    vcount(&t[T_CS], jstr(r, "callsign") && !strcmp(jstr(r, "callsign"), b.cs));
                if (b.has_cpr)
                    vcount(&t[T_CPR], jint(r, "cpr_odd") == b.cpr_odd &&
                                          jint(r, "cpr_lat") == b.cpr_lat &&
                                          jint(r, "cpr_lon") == b.cpr_lon);
                if (b.has_cpr)
                    vcount(&t[T_POS], b.has_pos ? (fabs(jnum(r, "lat_deg") - b.lat) <= 0.5e-5 &&
                                                   fabs(jnum(r, "lon_deg") - b.lon) <= 0.5e-5)
                                                : !jhas(r, "lat_deg"));
                if (b.has_speed)
                    vcount(&t[T_SPEED], (int)floor(sqrt(pow(jnum(r, "gs_kt"), 2) + 0.5)) == b.speed);
                if (b.has_heading && jhas(r, "track_deg"))
                    vcount(&t[T_HDG], dump1090_track(jnum(r, "track_deg")) == b.heading);
                if (b.has_vr) {
                    vcount(&t[T_VR], jint(r, "vrate_fpm") == b.vr);
                    /* Doc 9871 and pyModeS: VrSrc 0 = GNSS, 1 = baro; this
                     * dump1090 reads the bit the other way round */
                    vcount(&t[T_VRSRC], (strcmp(jstr(r, "vrate_src"), "baro") == 0) == b.vr_baro);
                }
                if (b.has_delta)
                    vcount(&t[T_DELTA], jint(r, "gnss_baro_diff_ft") == b.delta);
                if (b.has_nacp)
                    vcount(&t[T_NACP], jint(r, "nacp") == b.nacp);
                if (b.has_version)
                    vcount(&t[T_VER], jint(r, "version") == b.version);
            }
            inblock = 0;
        }
        if (!got)
            break;
        if (line[0] == '*') {
            memset(&b, 0, sizeof b);
            char *semi = strchr(line, ';');
            if (!semi)
                continue;
            *semi = '\0';
            snprintf(b.hex, sizeof b.hex, "%.31s", line + 1);
            for (char *p = b.hex; *p; p++)
                if (*p >= 'A' && *p <= 'F')
                    *p = (char)(*p - 'A' + 'a');
            inblock = 1;
        } else if (inblock) {
            parse_verbose_line(&b, line);
        }
    }
    fclose(f);
    fprintf(stderr, "dump1090 verbose: %d blocks matched, %d not found\n", blocks, lost);
    for (int i = 0; i < NT; i++)
        fprintf(stderr, "  %-11s %5d / %5d agree\n", t[i].name, t[i].ok, t[i].n);
    assert_int_equal(blocks, 8922);
    assert_int_equal(lost, 0);
    for (int i = 0; i < NT; i++) {
        if (i == T_VRSRC)
            assert_int_equal(t[i].ok, 0);   /* named difference: dump1090 is wrong */
        else if (t[i].ok != t[i].n)
            fail_msg("%s: %d of %d differ", t[i].name, t[i].n - t[i].ok, t[i].n);
    }
    assert_int_equal(t[T_POS].n, 1498);
    collect_free(&c);
}

/* ---- observations -------------------------------------------------------------- */

static void beast_recording_obs(void **state)
{
    (void)state;
    size_t len;
    uint8_t *rec = dw_test_read_file(dw_test_shared(RECORDING), &len);
    collect c;
    collect_init(&c);
    dw_decode_stats s = run(&dw_codec_beast, NULL, rec, len, len, START_US, &c);
    free(rec);
    assert_int_equal(s.obs, 1456);
    assert_int_equal(c.nobs, 1456);
    int vel = 0, cs = 0, sq = 0, nacp_sigma = 0, geom = 0;
    for (size_t i = 0; i < c.nobs; i++) {
        const dw_obs *o = &c.obs[i];
        assert_int_equal(o->kind, DW_OBS_POS3);
        assert_string_equal(o->sensor, "ADSB-BEAST");
        assert_true(o->has & DW_OBS_HAS_ICAO);
        assert_true(o->has & DW_OBS_HAS_ALT);
        assert_true(o->has & DW_OBS_HAS_AMPLITUDE);
        assert_true(o->amplitude_db <= 0 && o->amplitude_db > -50);
        assert_true(o->t_us >= START_US && o->t_us < START_US + 62 * 1000000LL);
        /* around St Petersburg */
        assert_true(o->lat_deg > 58 && o->lat_deg < 62 && o->lon_deg > 27 && o->lon_deg < 39);
        assert_true(o->sigma_pos_m >= DW_ADSB_SIGMA_POS_MIN_M);
        vel += (o->has & DW_OBS_HAS_VEL) != 0;
        cs += (o->has & DW_OBS_HAS_CALLSIGN) != 0;
        sq += (o->has & DW_OBS_HAS_MODE3A) != 0;
        nacp_sigma += o->sigma_pos_m < 30;
        geom += o->sigma_alt_m == DW_ADSB_SIGMA_ALT_GNSS_M;
        if (o->has & DW_OBS_HAS_VEL)
            assert_true(hypot(o->vel_enu_mps[0], o->vel_enu_mps[1]) < 400);
    }
    fprintf(stderr, "obs: %zu, with velocity %d, callsign %d, squawk %d, sigma from NACp %d, "
                    "geometric altitude %d\n",
            c.nobs, vel, cs, sq, nacp_sigma, geom);
    assert_true(vel > 1300);
    assert_true(cs > 500);
    assert_true(nacp_sigma > 300);
    assert_true(geom > 1000);
    /* 71BE34 (AAR542, NACp 10 from TC 29): EPU 10 m */
    int seen = 0;
    for (size_t i = 0; i < c.nobs; i++)
        if (c.obs[i].icao == 0x71BE34 && (c.obs[i].has & DW_OBS_HAS_CALLSIGN)) {
            assert_string_equal(c.obs[i].callsign, "AAR542");
            if (c.obs[i].sigma_pos_m < 10)
                seen++;
        }
    assert_true(seen > 0);
    collect_free(&c);
}

/* With the receiver's position the first frame of each aircraft already
 * gives a position; every position dump1090 found stays the same. */
static void beast_receiver_reference(void **state)
{
    (void)state;
    size_t len;
    uint8_t *rec = dw_test_read_file(dw_test_shared(RECORDING), &len);
    collect a, b;
    collect_init(&a);
    collect_init(&b);
    run(&dw_codec_beast, NULL, rec, len, len, START_US, &a);
    dw_codec_config cfg = {.has_ref = 1, .ref_lat_deg = 59.80, .ref_lon_deg = 30.26};
    run(&dw_codec_beast, &cfg, rec, len, len, START_US, &b);
    free(rec);
    assert_int_equal(json_array_size(a.raw), json_array_size(b.raw));
    int extra = 0, same = 0, diff = 0;
    for (size_t i = 0; i < json_array_size(a.raw); i++) {
        json_t *x = json_array_get(a.raw, i), *y = json_array_get(b.raw, i);
        if (jhas(x, "lat_deg")) {
            assert_true(jhas(y, "lat_deg"));
            if (jnum(x, "lat_deg") == jnum(y, "lat_deg") && jnum(x, "lon_deg") == jnum(y, "lon_deg"))
                same++;
            else
                diff++;
        } else if (jhas(y, "lat_deg")) {
            extra++;
            /* the receiver's position, or a position found from it */
            assert_true(!strcmp(jstr(y, "cpr_decode"), "local_receiver") ||
                        !strcmp(jstr(y, "cpr_decode"), "local_aircraft"));
        }
    }
    fprintf(stderr, "with the receiver position: %d positions unchanged, %d changed, %d more\n",
            same, diff, extra);
    assert_int_equal(same, 1456);
    assert_int_equal(diff, 0);
    assert_true(extra > 0 && extra <= 42);
    collect_free(&a);
    collect_free(&b);
}

static void beast_chunked_stream_same_output(void **state)
{
    (void)state;
    size_t len;
    uint8_t *rec = dw_test_read_file(dw_test_shared(RECORDING), &len);
    collect whole;
    collect_init(&whole);
    dw_decode_stats s0 = run(&dw_codec_beast, NULL, rec, len, len, START_US, &whole);
    static const size_t chunks[] = {1, 2, 13, 100, 4096};
    for (size_t k = 0; k < sizeof chunks / sizeof chunks[0]; k++) {
        collect part;
        collect_init(&part);
        dw_decode_stats s = run(&dw_codec_beast, NULL, rec, len, chunks[k], START_US, &part);
        assert_int_equal(s.frames, s0.frames);
        assert_int_equal(s.obs, s0.obs);
        assert_int_equal(part.text_len, whole.text_len);
        assert_memory_equal(part.text, whole.text, whole.text_len);
        collect_free(&part);
    }
    collect_free(&whole);
    free(rec);
}

/* The 12 MHz counter becomes UTC from the first frame's receive time. */
static void beast_time_anchor(void **state)
{
    (void)state;
    const uint8_t df11[7] = {0x5f, 0x40, 0x01, 0x59, 0x4b, 0x0f, 0xbb};
    uint8_t buf[64], *q;
    void *st;
    assert_int_equal(dw_codec_beast.create(NULL, &st), DW_OK);
    collect c;
    collect_init(&c);
    dw_decode_sink sink = {on_raw, on_obs, &c, 1, 0, {0}};
    struct { uint64_t ticks; int64_t rx_us, want; } steps[] = {
        {12000000, 1000000000, 1000000000},     /* anchor: 1 s of counter at rx */
        {24000000, 1000000000, 1001000000},     /* +1 s; a file's rx_us stays put */
        {18000000, 1000000000, 1000500000},     /* 0.5 s back (a relay reordered) */
        {12, 1000000000, 999000001},            /* 1.5 s back: still the same clock */
        {0, 1000000000, 1000000000},            /* no counter: the receive time */
        {DW_BEAST_MLAT_MAGIC, 0, 1000000000},   /* synthesised MLAT, no rx: the last */
        {600000000, 2000000000, 2000000000},    /* a live clock 951 s off: re-anchor */
        {612000000, 2000000100, 2001000000},    /* +1 s on the counter, clock agrees */
        {12, 2000000100, 2000000100},           /* counter reset (51 s back): the clock */
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        assert_int_equal(dw_beast_encode(DW_BEAST_SHORT, steps[i].ticks, 1, df11, 7, buf,
                                         buf + sizeof buf, &q),
                         DW_OK);
        dw_frame_meta meta = {steps[i].rx_us, DW_LINK_STREAM, 0, 0, "t"};
        assert_int_equal(dw_codec_beast.decode(st, buf, (size_t)(q - buf), &meta, &sink), DW_OK);
        json_t *r = json_array_get(c.raw, i);
        if (jint(r, "t_us") != steps[i].want)
            fail_msg("step %zu: t_us %lld, want %lld", i, jint(r, "t_us"),
                     (long long)steps[i].want);
    }
    dw_codec_beast.destroy(st);
    collect_free(&c);
}

/* AVR carries the same replies as text: re-encode the recording and get the
 * same decodes (without the signal byte AVR does not carry). */
static void avr_same_as_beast(void **state)
{
    (void)state;
    size_t len;
    uint8_t *rec = dw_test_read_file(dw_test_shared(RECORDING), &len);
    /* recover the frames through the Beast codec's own raw output */
    collect b;
    collect_init(&b);
    run(&dw_codec_beast, NULL, rec, len, len, START_US, &b);
    free(rec);
    size_t nr = json_array_size(b.raw);
    size_t cap = nr * 64 + 64;
    uint8_t *avr = malloc(cap), *p = avr, *q;
    for (size_t i = 0; i < nr; i++) {
        json_t *r = json_array_get(b.raw, i);
        uint8_t msg[14];
        const char *hex = jstr(r, "hex");
        size_t n = strlen(hex) / 2;
        for (size_t k = 0; k < n; k++) {
            unsigned v;
            sscanf(hex + 2 * k, "%2x", &v);
            msg[k] = (uint8_t)v;
        }
        assert_int_equal(dw_avr_encode(msg, n, 1, (uint64_t)jint(r, "mlat_ticks"), p, avr + cap, &q),
                         DW_OK);
        p = q;
    }
    collect a;
    collect_init(&a);
    dw_decode_stats s = run(&dw_codec_avr, NULL, avr, (size_t)(p - avr), 1000, START_US, &a);
    assert_int_equal(s.frames, 13954);
    assert_int_equal(s.malformed, 0);
    assert_int_equal(a.nobs, b.nobs);
    for (size_t i = 0; i < a.nobs; i++) {
        dw_obs x = a.obs[i], y = b.obs[i];
        assert_string_equal(x.sensor, "ADSB-AVR");
        assert_false(x.has & DW_OBS_HAS_AMPLITUDE);
        y.has &= ~(uint32_t)DW_OBS_HAS_AMPLITUDE;
        y.amplitude_db = 0;
        memcpy(y.sensor, x.sensor, sizeof y.sensor);
        assert_memory_equal(&x, &y, sizeof x);
    }
    for (size_t i = 0; i < nr; i++) {
        json_t *x = json_array_get(a.raw, i), *y = json_array_get(b.raw, i);
        json_object_del(y, "signal");
        json_object_set_new(y, "codec", json_string("avr"));
        if (!json_equal(x, y)) {
            char *sx = json_dumps(x, JSON_SORT_KEYS), *sy = json_dumps(y, JSON_SORT_KEYS);
            fail_msg("record %zu differs:\n%s\n%s", i, sx, sy);
        }
    }
    /* a short line, bad hex, a wrong length */
    void *st;
    assert_int_equal(dw_codec_avr.create(NULL, &st), DW_OK);
    dw_decode_sink sink = {NULL, NULL, NULL, 0, 0, {0}};
    const char *bad[] = {"*;", "*8D4840D6202CC371C32CE05760ZZ;", "*8D4840;", "@12*5f4001594b0fbb;"};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(dw_codec_avr.decode(st, (const uint8_t *)bad[i], strlen(bad[i]), NULL, &sink),
                         DW_ERR_PARSE);
    assert_int_equal(sink.stats.malformed, 4);
    dw_codec_avr.destroy(st);
    free(avr);
    collect_free(&a);
    collect_free(&b);
}

/* Mode A/C replies carry no address; read as Mode C their codes should be
 * the altitudes the Mode S aircraft report. */
static void modeac_codes_match_modes_altitudes(void **state)
{
    (void)state;
    size_t len;
    uint8_t *rec = dw_test_read_file(dw_test_shared(RECORDING), &len);
    collect c;
    collect_init(&c);
    run(&dw_codec_beast, NULL, rec, len, len, START_US, &c);
    free(rec);
    int alts[64], nalt = 0;
    for (size_t i = 0; i < json_array_size(c.raw); i++) {
        json_t *r = json_array_get(c.raw, i);
        if (json_is_true(json_object_get(r, "crc_ok")) && jhas(r, "alt_baro_ft") && nalt < 64) {
            int a = (int)jint(r, "alt_baro_ft"), dup = 0;
            for (int k = 0; k < nalt; k++)
                dup |= abs(alts[k] - a) < 50;
            if (!dup)
                alts[nalt++] = a;
        }
    }
    int modeac = 0, as_c = 0, near = 0;
    for (size_t i = 0; i < json_array_size(c.raw); i++) {
        json_t *r = json_array_get(c.raw, i);
        if (strcmp(jstr(r, "type"), "modeac"))
            continue;
        modeac++;
        if (!jhas(r, "alt_modec_ft"))
            continue;
        as_c++;
        int a = (int)jint(r, "alt_modec_ft"), hit = 0;
        for (int k = 0; k < nalt; k++)
            hit |= abs(alts[k] - a) <= 100;
        near += hit;
    }
    fprintf(stderr, "Mode A/C: %d replies, %d valid as Mode C, %d of those within 100 ft of a "
                    "Mode S altitude\n",
            modeac, as_c, near);
    assert_int_equal(modeac, 5026);
    assert_true(near > 1000);
    collect_free(&c);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(beast_framing_escapes_and_resync),
    cmocka_unit_test(beast_detect_by_content),
    cmocka_unit_test(beast_recording_vs_sbs_golden),
    cmocka_unit_test(beast_recording_vs_dump1090_verbose),
    cmocka_unit_test(beast_recording_obs),
    cmocka_unit_test(beast_receiver_reference),
    cmocka_unit_test(beast_chunked_stream_same_output),
    cmocka_unit_test(beast_time_anchor),
    cmocka_unit_test(avr_same_as_beast),
    cmocka_unit_test(modeac_codes_match_modes_altitudes),
};

DW_TEST_MAIN("beast", tests)
