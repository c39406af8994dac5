/* odid.c — the Open Drone ID message layer: 25-byte messages and Message
 * Packs to dw_odid_msg values in physical units and back.
 *
 * Layouts are ASTM F3411-22a §5.4 as summarised in the public ASD-STAN
 * EN 4709-002 material (docs: interop-formats.md §5.1); each message starts
 * with a header byte, message type in the high nibble and protocol version in
 * the low one. The scales are kept in one place each (the *_raw/_val pairs
 * below) so the decoder and the encoder cannot disagree.
 */
#include <math.h>
#include <string.h>

#include "dronewall/remoteid.h"
#include "odid_int.h"

/* ---- names -------------------------------------------------------------- */

const char *dw_odid_type_name(dw_odid_type t)
{
    switch (t) {
#define DW_ODID_TYPE_NAME(e, v, s) \
    case e:                        \
        return s;
        DW_ODID_TYPES(DW_ODID_TYPE_NAME)
#undef DW_ODID_TYPE_NAME
    }
    return "unknown";
}

const char *dw_remoteid_transport_name(dw_remoteid_transport t)
{
    static const char *const names[] = {
#define DW_RID_TRANSPORT_NAME(e, s) s,
        DW_REMOTEID_TRANSPORTS(DW_RID_TRANSPORT_NAME)
#undef DW_RID_TRANSPORT_NAME
    };
    if ((unsigned)t >= DW_RID_NTRANSPORTS)
        return "unknown";
    return names[t];
}

/* ---- accuracy enums (F3411 Tables 8-10): the 95 % bound each promises --- */

static const double h_acc_m[16] = {0, 18520, 7408, 3704, 1852, 926, 555.6, 185.2, 92.6, 30, 10, 3, 1};
static const double v_acc_m[16] = {0, 150, 45, 25, 10, 3, 1};
static const double speed_acc_mps[16] = {0, 10, 3, 1, 0.3};

double dw_odid_h_accuracy_m(uint8_t e) { return h_acc_m[e & 15]; }
double dw_odid_v_accuracy_m(uint8_t e) { return v_acc_m[e & 15]; }
double dw_odid_speed_accuracy_mps(uint8_t e) { return speed_acc_mps[e & 15]; }

/* The highest (best) enum whose bound still covers bound_m. */
static uint8_t acc_enum(const double *table, double bound_m)
{
    if (!(bound_m > 0))
        return 0;
    uint8_t best = 0;
    for (uint8_t e = 1; e < 16 && table[e] > 0; e++)
        if (table[e] >= bound_m)
            best = e;
    return best;
}

uint8_t dw_odid_h_accuracy_enum(double bound_m) { return acc_enum(h_acc_m, bound_m); }
uint8_t dw_odid_v_accuracy_enum(double bound_m) { return acc_enum(v_acc_m, bound_m); }

/* ---- scaled fields ------------------------------------------------------ */

static long clampl(double v, long lo, long hi)
{
    if (!(v >= (double)lo)) /* also NaN */
        return lo;
    if (v > (double)hi)
        return hi;
    return lround(v);
}

/* Latitude and longitude: int32 in 1e-7 degrees. Division (not
 * multiplication by 1e-7) gives the double nearest the true value, and the
 * encoder's rounding takes it back to the same integer. */
static double deg_val(const uint8_t *p) { return (int32_t)dw__le32(p) / 1e7; }
static void deg_raw(uint8_t *p, double deg)
{
    double r = round(deg * 1e7);
    int32_t v;
    if (r != r)
        v = 0;
    else if (r >= 2147483647.0)
        v = INT32_MAX;
    else if (r <= -2147483648.0)
        v = INT32_MIN;
    else
        v = (int32_t)r;
    dw__put_le32(p, (uint32_t)v);
}

/* Altitudes and heights: uint16, 0.5 m steps from -1000 m (0 = unknown). */
static double alt_val(const uint8_t *p) { return dw__le16(p) * 0.5 - 1000.0; }
static void alt_raw(uint8_t *p, double alt_m) { dw__put_le16(p, (uint16_t)clampl((alt_m + 1000.0) * 2.0, 0, 65535)); }

/* Horizontal speed: 0.25 m/s steps up to 63.75, then (multiplier bit)
 * 0.75 m/s steps from 63.75; 255 with the multiplier is "unknown". */
static double speed_val(uint8_t raw, int mult) { return mult ? raw * 0.75 + 63.75 : raw * 0.25; }
static uint8_t speed_raw(double v, int *mult)
{
    if (v <= 63.75) {
        *mult = 0;
        return (uint8_t)clampl(v / 0.25, 0, 255);
    }
    *mult = 1;
    return (uint8_t)clampl((v - 63.75) / 0.75, 0, 255);
}

/* Copy a fixed-width text field up to its first NUL. */
static void text_val(char *dst, const uint8_t *src, size_t n)
{
    size_t i = 0;
    for (; i < n && src[i]; i++)
        dst[i] = (char)src[i];
    dst[i] = '\0';
}

static void text_raw(uint8_t *dst, const char *src, size_t n)
{
    size_t i = 0;
    for (; i < n && src[i]; i++)
        dst[i] = (uint8_t)src[i];
    memset(dst + i, 0, n - i);
}

/* ---- decode ------------------------------------------------------------- */

static void dec_basic(const uint8_t *b, dw_odid_basic_id *m)
{
    m->id_type = b[1] >> 4;
    m->ua_type = b[1] & 15;
    text_val(m->uas_id, b + 2, DW_ODID_ID_LEN);
}

static void dec_location(const uint8_t *b, dw_odid_location *m)
{
    m->status = b[1] >> 4;
    m->height_type = (b[1] >> 2) & 1;
    int ew = (b[1] >> 1) & 1, mult = b[1] & 1;
    int dir = b[2] + (ew ? 180 : 0);
    /* Only 0..359 are directions and 361 is "unknown"; anything past 360
     * cannot be a direction, so it reads as unknown. */
    m->direction_deg = dir > 360 ? DW_ODID_DIR_UNKNOWN_DEG : (double)dir;
    m->speed_mps = speed_val(b[3], mult);
    m->vspeed_mps = (int8_t)b[4] * 0.5;
    m->lat_deg = deg_val(b + 5);
    m->lon_deg = deg_val(b + 9);
    m->pressure_alt_m = alt_val(b + 13);
    m->geodetic_alt_m = alt_val(b + 15);
    m->height_m = alt_val(b + 17);
    m->v_accuracy = b[19] >> 4;
    m->h_accuracy = b[19] & 15;
    m->baro_accuracy = b[20] >> 4;
    m->speed_accuracy = b[20] & 15;
    m->t_hour_ds = dw__le16(b + 21);
    m->t_accuracy_ds = b[23] & 15;
}

static void dec_auth(const uint8_t *b, dw_odid_auth *m)
{
    m->auth_type = b[1] >> 4;
    m->page = b[1] & 15;
    if (m->page == 0) {
        m->last_page = b[2];
        m->length = b[3];
        m->t_2019_s = dw__le32(b + 4);
        m->data_len = 17;
        memcpy(m->data, b + 8, 17);
        memset(m->data + 17, 0, DW_ODID_AUTH_DATA_MAX - 17);
    } else {
        m->last_page = 0;
        m->length = 0;
        m->t_2019_s = 0;
        m->data_len = 23;
        memcpy(m->data, b + 2, 23);
    }
}

static void dec_system(const uint8_t *b, dw_odid_system *m)
{
    m->classification_type = (b[1] >> 2) & 7;
    m->operator_loc_type = b[1] & 3;
    m->operator_lat_deg = deg_val(b + 2);
    m->operator_lon_deg = deg_val(b + 6);
    m->area_count = dw__le16(b + 10);
    m->area_radius_m = b[12] * 10.0;
    m->area_ceiling_m = alt_val(b + 13);
    m->area_floor_m = alt_val(b + 15);
    m->ua_category = b[17] >> 4;
    m->ua_class = b[17] & 15;
    m->operator_alt_m = alt_val(b + 18);
    m->t_2019_s = dw__le32(b + 20);
}

dw_status dw_odid_decode(const uint8_t *buf, size_t len, dw_odid_msg *out)
{
    if (!buf || !out || len < DW_ODID_MSG_LEN)
        return DW_ERR_PARSE;
    dw_odid_msg m;
    memset(&m, 0, sizeof m);
    m.type = (dw_odid_type)(buf[0] >> 4);
    m.version = buf[0] & 15;
    switch (buf[0] >> 4) {
    case DW_ODID_BASIC_ID:
        dec_basic(buf, &m.u.basic_id);
        break;
    case DW_ODID_LOCATION:
        dec_location(buf, &m.u.location);
        break;
    case DW_ODID_AUTH:
        dec_auth(buf, &m.u.auth);
        break;
    case DW_ODID_SELF_ID:
        m.u.self_id.desc_type = buf[1];
        text_val(m.u.self_id.desc, buf + 2, DW_ODID_DESC_LEN);
        break;
    case DW_ODID_SYSTEM:
        dec_system(buf, &m.u.system);
        break;
    case DW_ODID_OPERATOR_ID:
        m.u.operator_id.id_type = buf[1];
        text_val(m.u.operator_id.id, buf + 2, DW_ODID_ID_LEN);
        break;
    default: /* a pack (not a message) or a type F3411 has not defined */
        return DW_ERR_UNSUPPORTED;
    }
    *out = m;
    return DW_OK;
}

/* ---- encode ------------------------------------------------------------- */

static void enc_location(const dw_odid_location *m, uint8_t *b)
{
    int mult, ew = 0;
    uint8_t speed = speed_raw(m->speed_mps, &mult);
    long dir = clampl(m->direction_deg, 0, 361);
    if (dir >= 180) {
        ew = 1;
        dir -= 180;
    }
    b[1] = (uint8_t)(((m->status & 15) << 4) | ((m->height_type & 1) << 2) | (ew << 1) | mult);
    b[2] = (uint8_t)dir;
    b[3] = speed;
    b[4] = (uint8_t)(int8_t)clampl(m->vspeed_mps * 2.0, -128, 127);
    deg_raw(b + 5, m->lat_deg);
    deg_raw(b + 9, m->lon_deg);
    alt_raw(b + 13, m->pressure_alt_m);
    alt_raw(b + 15, m->geodetic_alt_m);
    alt_raw(b + 17, m->height_m);
    b[19] = (uint8_t)(((m->v_accuracy & 15) << 4) | (m->h_accuracy & 15));
    b[20] = (uint8_t)(((m->baro_accuracy & 15) << 4) | (m->speed_accuracy & 15));
    dw__put_le16(b + 21, m->t_hour_ds);
    b[23] = m->t_accuracy_ds & 15;
}

static void enc_auth(const dw_odid_auth *m, uint8_t *b)
{
    b[1] = (uint8_t)(((m->auth_type & 15) << 4) | (m->page & 15));
    if ((m->page & 15) == 0) {
        b[2] = m->last_page;
        b[3] = m->length;
        dw__put_le32(b + 4, m->t_2019_s);
        memcpy(b + 8, m->data, 17);
    } else {
        memcpy(b + 2, m->data, 23);
    }
}

static void enc_system(const dw_odid_system *m, uint8_t *b)
{
    b[1] = (uint8_t)(((m->classification_type & 7) << 2) | (m->operator_loc_type & 3));
    deg_raw(b + 2, m->operator_lat_deg);
    deg_raw(b + 6, m->operator_lon_deg);
    dw__put_le16(b + 10, m->area_count);
    b[12] = (uint8_t)clampl(m->area_radius_m / 10.0, 0, 255);
    alt_raw(b + 13, m->area_ceiling_m);
    alt_raw(b + 15, m->area_floor_m);
    b[17] = (uint8_t)(((m->ua_category & 15) << 4) | (m->ua_class & 15));
    alt_raw(b + 18, m->operator_alt_m);
    dw__put_le32(b + 20, m->t_2019_s);
}

dw_status dw_odid_encode(const dw_odid_msg *m, uint8_t *buf, uint8_t *end, uint8_t **out_end)
{
    if (!m || !buf || !end || !out_end)
        return DW_ERR_INVALID;
    if ((unsigned)m->type > 5)
        return DW_ERR_INVALID;
    if (end < buf || (size_t)(end - buf) < DW_ODID_MSG_LEN)
        return DW_ERR_FULL;
    uint8_t b[DW_ODID_MSG_LEN];
    memset(b, 0, sizeof b);
    b[0] = (uint8_t)((m->type << 4) | (m->version & 15));
    switch (m->type) {
    case DW_ODID_BASIC_ID:
        b[1] = (uint8_t)(((m->u.basic_id.id_type & 15) << 4) | (m->u.basic_id.ua_type & 15));
        text_raw(b + 2, m->u.basic_id.uas_id, DW_ODID_ID_LEN);
        break;
    case DW_ODID_LOCATION:
        enc_location(&m->u.location, b);
        break;
    case DW_ODID_AUTH:
        enc_auth(&m->u.auth, b);
        break;
    case DW_ODID_SELF_ID:
        b[1] = m->u.self_id.desc_type;
        text_raw(b + 2, m->u.self_id.desc, DW_ODID_DESC_LEN);
        break;
    case DW_ODID_SYSTEM:
        enc_system(&m->u.system, b);
        break;
    case DW_ODID_OPERATOR_ID:
        b[1] = m->u.operator_id.id_type;
        text_raw(b + 2, m->u.operator_id.id, DW_ODID_ID_LEN);
        break;
    default:
        return DW_ERR_INVALID;
    }
    memcpy(buf, b, sizeof b);
    *out_end = buf + sizeof b;
    return DW_OK;
}

/* ---- Message Pack ------------------------------------------------------- */

dw_status dw_odid_pack_split(const uint8_t *buf, size_t len, const uint8_t **msgs, size_t *n)
{
    if (!buf || !msgs || !n)
        return DW_ERR_INVALID;
    if (len < DW_ODID_PACK_HDR || (buf[0] >> 4) != DW_ODID_PACK)
        return DW_ERR_PARSE;
    size_t count = buf[2];
    if (buf[1] != DW_ODID_MSG_LEN || count > DW_ODID_PACK_MAX)
        return DW_ERR_PARSE;
    if (len < DW_ODID_PACK_HDR + count * DW_ODID_MSG_LEN)
        return DW_ERR_PARSE;
    for (size_t i = 0; i < count; i++)
        msgs[i] = buf + DW_ODID_PACK_HDR + i * DW_ODID_MSG_LEN;
    *n = count;
    return DW_OK;
}

dw_status dw_odid_encode_pack(const dw_odid_msg *msgs, size_t n, uint8_t version, uint8_t *buf,
                              uint8_t *end, uint8_t **out_end)
{
    if ((!msgs && n) || !buf || !end || !out_end || n > DW_ODID_PACK_MAX)
        return DW_ERR_INVALID;
    size_t need = DW_ODID_PACK_HDR + n * DW_ODID_MSG_LEN;
    if (end < buf || (size_t)(end - buf) < need)
        return DW_ERR_FULL;
    uint8_t tmp[DW_ODID_PACK_LEN_MAX];
    tmp[0] = (uint8_t)((DW_ODID_PACK << 4) | (version & 15));
    tmp[1] = DW_ODID_MSG_LEN;
    tmp[2] = (uint8_t)n;
    uint8_t *p = tmp + DW_ODID_PACK_HDR;
    for (size_t i = 0; i < n; i++) {
        dw_status st = dw_odid_encode(&msgs[i], p, tmp + sizeof tmp, &p);
        if (st != DW_OK)
            return st;
    }
    memcpy(buf, tmp, need);
    *out_end = buf + need;
    return DW_OK;
}
