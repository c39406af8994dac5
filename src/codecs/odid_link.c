/* odid_link.c — where Remote ID messages travel, and how to find them.
 *
 * A capture hands over whole link-layer frames; this file walks them down
 * to the Open Drone ID payload (one 25-byte message or a Message Pack) and
 * builds such frames for the simulator:
 *
 *   Wi-Fi beacon  802.11 beacon or probe response, vendor-specific element
 *                 with the ASD-STAN OUI FA:0B:BC, type 0x0D, then a message
 *                 counter and a Message Pack.
 *   Wi-Fi NAN     802.11 public action frame, vendor specific, Wi-Fi Alliance
 *                 OUI 50:6F:9A type 0x13 (NAN service discovery), a Service
 *                 Descriptor Attribute whose service ID is the first 6 bytes
 *                 of SHA-256("org.opendroneid.remoteid"); its service info
 *                 is a message counter and a Message Pack.
 *   BT4 / BT5     BLE advertising PDU (legacy, or extended on LE Coded),
 *                 AD structure "service data, 16-bit UUID" 0xFFFA, app code
 *                 0x0D, message counter, then one message (legacy) or a
 *                 Message Pack (extended).
 *
 * Link types: 802.11 (105) and radiotap (127); LE link layer (251), with
 * the pseudo-header (256), and the nRF Sniffer's (272). Frames the receiver
 * or sniffer marked as failing their checksum, and BLE packets whose CRC-24
 * does not match, are refused before anything is read from them. A trailing
 * element that runs past the end of an 802.11 frame is ignored unless it is a
 * Remote ID one: 802.11 captures often keep the 4-byte FCS without saying so.
 */
#include <string.h>

#include "dronewall/remoteid.h"
#include "odid_int.h"

static const uint8_t odid_nan_service_id[6] = {0x88, 0x69, 0x19, 0x9D, 0x92, 0x09};
static const uint8_t wfa_oui[3] = {0x50, 0x6F, 0x9A};
static const uint8_t asd_stan_oui[3] = {0xFA, 0x0B, 0xBC};
static const uint8_t nan_network_id[6] = {0x51, 0x6F, 0x9A, 0x01, 0x00, 0x00};
static const uint8_t nan_cluster_id[6] = {0x50, 0x6F, 0x9A, 0x01, 0x00, 0x00};

enum {
    ODID_APP_CODE = 0x0D,
    ODID_BT_UUID = 0xFFFA,
    NAN_OUI_TYPE = 0x13,
    NAN_ATTR_SDA = 0x03,
    IE_VENDOR = 0xDD,
    AD_SERVICE_DATA_16 = 0x16,
    /* NAN service control bits (Service Descriptor Attribute) */
    SC_MATCHING_FILTER = 0x04,
    SC_SRF = 0x08,
    SC_SERVICE_INFO = 0x10,
    SC_BINDING_BITMAP = 0x40,
    /* radiotap Flags */
    RT_FLAG_FCS = 0x10,
    RT_FLAG_BAD_FCS = 0x40,
};

uint32_t dw__ble_crc24(const uint8_t *pdu, size_t len, uint32_t init)
{
    uint32_t crc = init & 0xFFFFFFu;
    for (size_t i = 0; i < len; i++) {
        for (int b = 0; b < 8; b++) {
            uint32_t fb = ((crc >> 23) ^ ((uint32_t)pdu[i] >> b)) & 1u;
            crc = (crc << 1) & 0xFFFFFFu;
            if (fb)
                crc ^= 0x00065Bu;
        }
    }
    /* The register goes on the air most significant bit first while bytes
     * are sent least significant bit first, so the three bytes a capture
     * stores, read little-endian, are the register bit-reversed. */
    uint32_t r = 0;
    for (int b = 0; b < 24; b++)
        if (crc & (1u << b))
            r |= 1u << (23 - b);
    return r;
}

/* ---- unwrap ------------------------------------------------------------- */

typedef struct unwrap {
    dw_remoteid_payload_fn fn;
    void *ctx;
    size_t found;
} unwrap;

static void found(unwrap *u, const dw_remoteid_rx *rx, const uint8_t *p, size_t n)
{
    u->found++;
    if (u->fn)
        u->fn(u->ctx, rx, p, n);
}

static int is_odid_ie(const uint8_t *v) { return !memcmp(v, asd_stan_oui, 3) && v[3] == ODID_APP_CODE; }

static dw_status wifi_ies(const uint8_t *p, size_t len, dw_remoteid_rx *rx, unwrap *u)
{
    int bad = 0;
    size_t i = 0;
    while (len - i >= 2) {
        uint8_t id = p[i];
        size_t l = p[i + 1], avail = len - i - 2;
        const uint8_t *v = p + i + 2;
        if (l > avail) {
            if (id == IE_VENDOR && avail >= 4 && is_odid_ie(v))
                bad = 1;
            break;
        }
        if (id == IE_VENDOR && l >= 4 && is_odid_ie(v)) {
            if (l < 6) { /* counter and at least a header byte */
                bad = 1;
            } else {
                rx->transport = DW_RID_WIFI_BEACON;
                rx->counter = v[4];
                found(u, rx, v + 5, l - 5);
            }
        }
        i += 2 + l;
    }
    return bad ? DW_ERR_PARSE : DW_OK;
}

/* The service info of an ODID Service Descriptor Attribute (a, l). */
static dw_status nan_sda(const uint8_t *a, size_t l, dw_remoteid_rx *rx, unwrap *u)
{
    if (l < 9)
        return DW_ERR_PARSE;
    uint8_t ctrl = a[8];
    size_t pos = 9;
    if (ctrl & SC_BINDING_BITMAP)
        pos += 2;
    if (ctrl & SC_MATCHING_FILTER) {
        if (pos >= l)
            return DW_ERR_PARSE;
        pos += 1 + (size_t)a[pos];
    }
    if (ctrl & SC_SRF) {
        if (pos >= l)
            return DW_ERR_PARSE;
        pos += 1 + (size_t)a[pos];
    }
    if (!(ctrl & SC_SERVICE_INFO))
        return DW_OK; /* a subscribe, or a publish with nothing in it */
    if (pos >= l)
        return DW_ERR_PARSE;
    size_t si = a[pos++];
    if (si > l - pos || si < 2)
        return DW_ERR_PARSE;
    rx->transport = DW_RID_WIFI_NAN;
    rx->counter = a[pos];
    found(u, rx, a + pos + 1, si - 1);
    return DW_OK;
}

static dw_status wifi_nan(const uint8_t *b, size_t len, dw_remoteid_rx *rx, unwrap *u)
{
    /* public action (4), vendor specific (9), Wi-Fi Alliance NAN */
    if (len < 6 || b[0] != 4 || b[1] != 9 || memcmp(b + 2, wfa_oui, 3) || b[5] != NAN_OUI_TYPE)
        return DW_OK;
    int bad = 0;
    size_t i = 6;
    while (len - i >= 3) {
        uint8_t id = b[i];
        size_t l = dw__le16(b + i + 1), avail = len - i - 3;
        const uint8_t *a = b + i + 3;
        int ours = id == NAN_ATTR_SDA && (l < avail ? l : avail) >= 6 &&
                   !memcmp(a, odid_nan_service_id, 6);
        if (l > avail) {
            bad |= ours;
            break;
        }
        if (ours && nan_sda(a, l, rx, u) != DW_OK)
            bad = 1;
        i += 3 + l;
    }
    return bad ? DW_ERR_PARSE : DW_OK;
}

static dw_status wifi_80211(const uint8_t *f, size_t len, dw_remoteid_rx *rx, unwrap *u)
{
    if (len < 24)
        return DW_ERR_PARSE;
    uint8_t fc0 = f[0], fc1 = f[1];
    /* Only protocol version 0 management frames in the clear can carry it. */
    if ((fc0 & 3) != 0 || ((fc0 >> 2) & 3) != 0 || (fc1 & 0x40))
        return DW_OK;
    size_t hdr = 24 + ((fc1 & 0x80) ? 4 : 0); /* +HT Control */
    if (len < hdr)
        return DW_ERR_PARSE;
    memcpy(rx->mac, f + 10, 6); /* transmitter address */
    rx->has_mac = 1;
    unsigned subtype = fc0 >> 4;
    if (subtype == 8 || subtype == 5) { /* beacon, probe response */
        if (len < hdr + 12)
            return DW_ERR_PARSE;
        return wifi_ies(f + hdr + 12, len - hdr - 12, rx, u);
    }
    if (subtype == 13 || subtype == 14) /* action, action no ack */
        return wifi_nan(f + hdr, len - hdr, rx, u);
    return DW_OK;
}

static dw_status radiotap(const uint8_t *f, size_t len, dw_remoteid_rx *rx, unwrap *u)
{
    if (len < 8 || f[0] != 0)
        return DW_ERR_PARSE;
    size_t rlen = dw__le16(f + 2);
    if (rlen < 8 || rlen > len)
        return DW_ERR_PARSE;
    uint32_t present = dw__le32(f + 4), word = present;
    size_t off = 8;
    while (word & 0x80000000u) { /* more presence words follow */
        if (off + 4 > rlen)
            return DW_ERR_PARSE;
        word = dw__le32(f + off);
        off += 4;
    }
    /* The fields up to the antenna signal: TSFT, Flags, Rate, Channel,
     * FHSS, dBm antenna signal; each aligned to its natural size. */
    static const uint8_t align[6] = {8, 1, 1, 2, 1, 1}, size[6] = {8, 1, 1, 4, 2, 1};
    uint8_t flags = 0;
    for (unsigned bit = 0; bit < 6; bit++) {
        if (!(present & (1u << bit)))
            continue;
        off = (off + align[bit] - 1) & ~(size_t)(align[bit] - 1);
        if (off + size[bit] > rlen)
            return DW_ERR_PARSE;
        if (bit == 1)
            flags = f[off];
        if (bit == 5) {
            rx->rssi_dbm = (int8_t)f[off];
            rx->has_rssi = 1;
        }
        off += size[bit];
    }
    if (flags & RT_FLAG_BAD_FCS)
        return DW_ERR_RANGE;
    size_t blen = len - rlen;
    if ((flags & RT_FLAG_FCS) && blen >= 4)
        blen -= 4;
    return wifi_80211(f + rlen, blen, rx, u);
}

static int is_odid_ad(const uint8_t *v)
{
    return v[0] == AD_SERVICE_DATA_16 && dw__le16(v + 1) == ODID_BT_UUID && v[3] == ODID_APP_CODE;
}

/* Advertising data: a run of AD structures (length, type, data). */
static dw_status ble_ad(const uint8_t *ad, size_t n, dw_remoteid_rx *rx, unwrap *u)
{
    int bad = 0;
    size_t i = 0;
    while (i < n) {
        size_t l = ad[i], avail = n - i - 1;
        const uint8_t *v = ad + i + 1;
        if (l == 0)
            break; /* the rest is padding */
        if (l > avail) {
            if (avail >= 4 && is_odid_ad(v))
                bad = 1;
            break;
        }
        if (l >= 4 && is_odid_ad(v)) {
            if (l < 6) {
                bad = 1;
            } else {
                rx->counter = v[4];
                found(u, rx, v + 5, l - 5);
            }
        }
        i += 1 + l;
    }
    return bad ? DW_ERR_PARSE : DW_OK;
}

static void mac_from_ble(uint8_t *mac, const uint8_t *adva)
{
    for (int i = 0; i < 6; i++) /* sent least significant byte first */
        mac[i] = adva[5 - i];
}

/* An advertising-channel PDU: 2-byte header, then the payload. */
static dw_status ble_adv_pdu(const uint8_t *pdu, size_t plen, dw_remoteid_rx *rx, unwrap *u)
{
    const uint8_t *pl = pdu + 2;
    switch (pdu[0] & 15) {
    case 0: /* ADV_IND */
    case 2: /* ADV_NONCONN_IND */
    case 4: /* SCAN_RSP */
    case 6: /* ADV_SCAN_IND */
        if (plen < 6)
            return DW_ERR_PARSE;
        mac_from_ble(rx->mac, pl);
        rx->has_mac = 1;
        rx->transport = DW_RID_BT4;
        return ble_ad(pl + 6, plen - 6, rx, u);
    case 7: { /* ADV_EXT_IND and the AUX_* PDUs: common extended payload */
        if (plen < 1)
            return DW_ERR_PARSE;
        size_t ehl = pl[0] & 63;
        if (1 + ehl > plen)
            return DW_ERR_PARSE;
        if (ehl > 0) {
            /* Fields in flag order: AdvA, TargetA, CTEInfo, ADI, AuxPtr,
             * SyncInfo, TxPower; ACAD fills the rest. */
            static const uint8_t field_len[7] = {6, 6, 1, 2, 3, 18, 1};
            uint8_t fl = pl[1];
            size_t pos = 2;
            for (int b = 0; b < 7; b++) {
                if (!(fl & (1u << b)))
                    continue;
                if (pos + field_len[b] > 1 + ehl)
                    return DW_ERR_PARSE;
                if (b == 0) {
                    mac_from_ble(rx->mac, pl + pos);
                    rx->has_mac = 1;
                }
                pos += field_len[b];
            }
        }
        rx->transport = DW_RID_BT5;
        return ble_ad(pl + 1 + ehl, plen - 1 - ehl, rx, u);
    }
    default: /* requests, CONNECT_IND, directed adverts: no data */
        return DW_OK;
    }
}

/* Does an LE packet with the PDU at offset h fit in len and pass its CRC?
 * 0: yes; DW_ERR_PARSE: it does not fit; DW_ERR_RANGE: bad CRC. */
static dw_status ble_check(const uint8_t *p, size_t len, size_t h)
{
    if (len < h + 2 + 3)
        return DW_ERR_PARSE;
    size_t plen = p[h + 1];
    if (h + 2 + plen + 3 > len)
        return DW_ERR_PARSE;
    const uint8_t *c = p + h + 2 + plen;
    uint32_t crc = (uint32_t)c[0] | ((uint32_t)c[1] << 8) | ((uint32_t)c[2] << 16);
    return crc == dw__ble_crc24(p + h, 2 + plen, DW__BLE_ADV_CRC_INIT) ? DW_OK : DW_ERR_RANGE;
}

/* One LE packet without preamble: access address, the coding indicator on
 * LE Coded, PDU, CRC. coded: 1 yes, 0 no, -1 not said (then whichever
 * reading passes the CRC). */
static dw_status ble_ll(const uint8_t *p, size_t len, int coded, dw_remoteid_rx *rx, unwrap *u)
{
    if (len < 4 + 2 + 3)
        return DW_ERR_PARSE;
    if (dw__le32(p) != DW__BLE_ADV_AA)
        return DW_OK; /* a connection's packet: no Remote ID there */
    size_t h = coded == 1 ? 5 : 4;
    dw_status st = ble_check(p, len, h);
    if (st != DW_OK && coded < 0) {
        dw_status st5 = ble_check(p, len, 5);
        if (st5 == DW_OK) {
            h = 5;
            st = DW_OK;
        } else if (st == DW_ERR_PARSE) {
            st = st5;
        }
    }
    if (st != DW_OK)
        return st;
    return ble_adv_pdu(p + h, p[h + 1], rx, u);
}

static dw_status ble_phdr(const uint8_t *f, size_t len, dw_remoteid_rx *rx, unwrap *u)
{
    if (len < 10)
        return DW_ERR_PARSE;
    uint16_t flags = dw__le16(f + 8);
    if ((flags & 0x0400) && !(flags & 0x0800)) /* CRC checked, and bad */
        return DW_ERR_RANGE;
    if (flags & 0x0002) {
        rx->rssi_dbm = (int8_t)f[1];
        rx->has_rssi = 1;
    }
    /* PHY in bits 14-15 (2: LE Coded); older writers leave it 0 for every
     * PHY, so anything but "coded" lets the CRC decide. */
    return ble_ll(f + 10, len - 10, (flags >> 14) == 2 ? 1 : -1, rx, u);
}

static dw_status ble_nordic(const uint8_t *f, size_t len, dw_remoteid_rx *rx, unwrap *u)
{
    /* board id, payload length (2), header version, packet counter (2),
     * packet id; then the event header (its own length first). */
    if (len < 8)
        return DW_ERR_PARSE;
    if (f[0] == 0xBE && f[1] == 0xEF)
        return DW_OK; /* the pre-2016 format: not read */
    if (f[3] < 1 || f[3] > 3 || (f[6] != 0x02 && f[6] != 0x06))
        return DW_OK; /* another header version, or not a received packet */
    size_t hl = f[7];
    if (hl < 10 || 7 + hl > len)
        return DW_ERR_PARSE;
    uint8_t flags = f[8];
    if (!(flags & 1))
        return DW_ERR_RANGE; /* the sniffer saw a bad CRC */
    rx->rssi_dbm = (int8_t)-(int)f[10];
    rx->has_rssi = 1;
    int phy = (flags >> 4) & 7;
    return ble_ll(f + 7 + hl, len - 7 - hl, phy == 2 ? 1 : phy < 2 ? 0 : -1, rx, u);
}

static dw_status bare(const uint8_t *f, size_t len, dw_remoteid_rx *rx, unwrap *u)
{
    if (len < 1)
        return DW_ERR_PARSE;
    if ((f[0] >> 4) == DW_ODID_PACK ? len < DW_ODID_PACK_HDR : len < DW_ODID_MSG_LEN)
        return DW_ERR_PARSE;
    rx->transport = DW_RID_RAW;
    found(u, rx, f, len);
    return DW_OK;
}

dw_status dw_remoteid_unwrap(const uint8_t *frame, size_t len, int linktype,
                             dw_remoteid_payload_fn fn, void *ctx, size_t *n_found)
{
    if ((!frame && len) || !n_found)
        return DW_ERR_INVALID;
    if (!frame)
        return DW_ERR_PARSE;
    unwrap u = {fn, ctx, 0};
    dw_remoteid_rx rx;
    memset(&rx, 0, sizeof rx);
    rx.counter = -1;
    dw_status st;
    switch (linktype) {
    case DW_LINK_STREAM:
    case DW_LINK_DATAGRAM:
        st = bare(frame, len, &rx, &u);
        break;
    case DW_LINK_IEEE802_11:
        st = wifi_80211(frame, len, &rx, &u);
        break;
    case DW_LINK_IEEE802_11_RADIOTAP:
        st = radiotap(frame, len, &rx, &u);
        break;
    case DW_LINK_BLUETOOTH_LE_LL:
        st = ble_ll(frame, len, -1, &rx, &u);
        break;
    case DW_LINK_BLUETOOTH_LE_LL_WITH_PHDR:
        st = ble_phdr(frame, len, &rx, &u);
        break;
    case DW_RID_LINK_NORDIC_BLE:
        st = ble_nordic(frame, len, &rx, &u);
        break;
    default:
        return DW_ERR_UNSUPPORTED;
    }
    /* What was handed over stands: a later broken element does not undo it. */
    if (u.found)
        st = DW_OK;
    if (st == DW_OK)
        *n_found = u.found;
    return st;
}

/* ---- wrap --------------------------------------------------------------- */

static size_t put(uint8_t *p, const void *src, size_t n)
{
    memcpy(p, src, n);
    return n;
}

static size_t wifi_frame(uint8_t *t, dw_remoteid_transport tr, int linktype, const uint8_t mac[6],
                         uint8_t counter, const uint8_t *payload, size_t len)
{
    static const uint8_t radiotap_min[8] = {0, 0, 8, 0, 0, 0, 0, 0};
    static const uint8_t bcast[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    size_t n = 0;
    if (linktype == DW_LINK_IEEE802_11_RADIOTAP)
        n += put(t + n, radiotap_min, 8);
    t[n++] = tr == DW_RID_WIFI_BEACON ? 0x80 : 0xD0; /* beacon : action */
    t[n++] = 0;
    t[n++] = 0; /* duration */
    t[n++] = 0;
    n += put(t + n, tr == DW_RID_WIFI_BEACON ? bcast : nan_network_id, 6);
    n += put(t + n, mac, 6);
    n += put(t + n, tr == DW_RID_WIFI_BEACON ? mac : nan_cluster_id, 6);
    t[n++] = 0; /* sequence control */
    t[n++] = 0;
    if (tr == DW_RID_WIFI_BEACON) {
        memset(t + n, 0, 8); /* timestamp */
        n += 8;
        dw__put_le16(t + n, 100); /* beacon interval, TU */
        n += 2;
        dw__put_le16(t + n, 0); /* capability */
        n += 2;
        t[n++] = 0; /* SSID, empty */
        t[n++] = 0;
        t[n++] = IE_VENDOR;
        t[n++] = (uint8_t)(5 + len);
        n += put(t + n, asd_stan_oui, 3);
        t[n++] = ODID_APP_CODE;
        t[n++] = counter;
    } else {
        t[n++] = 4; /* public action */
        t[n++] = 9; /* vendor specific */
        n += put(t + n, wfa_oui, 3);
        t[n++] = NAN_OUI_TYPE;
        t[n++] = NAN_ATTR_SDA;
        dw__put_le16(t + n, (uint16_t)(6 + 3 + 1 + 1 + len));
        n += 2;
        n += put(t + n, odid_nan_service_id, 6);
        t[n++] = 1;               /* instance id */
        t[n++] = 0;               /* requestor instance id */
        t[n++] = SC_SERVICE_INFO; /* publish, with service info */
        t[n++] = (uint8_t)(1 + len);
        t[n++] = counter;
    }
    n += put(t + n, payload, len);
    return n;
}

static size_t ble_frame(uint8_t *t, int bt5, int linktype, const uint8_t mac[6], uint8_t counter,
                        const uint8_t *payload, size_t len)
{
    uint8_t pdu[2 + 255];
    size_t p = 2;
    if (bt5) {
        pdu[0] = 7;                 /* AUX_ADV_IND, non-connectable */
        pdu[p++] = 9;               /* extended header length, AdvMode 0 */
        pdu[p++] = 0x01 | 0x08;     /* AdvA, ADI */
        for (int i = 0; i < 6; i++)
            pdu[p++] = mac[5 - i];
        pdu[p++] = 0;               /* ADI: DID 0, SID 0 */
        pdu[p++] = 0;
    } else {
        pdu[0] = 2;                 /* ADV_NONCONN_IND */
        for (int i = 0; i < 6; i++)
            pdu[p++] = mac[5 - i];
    }
    pdu[p++] = (uint8_t)(5 + len);
    pdu[p++] = AD_SERVICE_DATA_16;
    dw__put_le16(pdu + p, ODID_BT_UUID);
    p += 2;
    pdu[p++] = ODID_APP_CODE;
    pdu[p++] = counter;
    memcpy(pdu + p, payload, len);
    p += len;
    pdu[1] = (uint8_t)(p - 2);

    int coded = bt5 && linktype != DW_LINK_BLUETOOTH_LE_LL; /* 251 cannot say */
    uint8_t channel = bt5 ? 10 : 37;
    size_t ll_len = 4 + (size_t)coded + p + 3, n = 0;
    if (linktype == DW_LINK_BLUETOOTH_LE_LL_WITH_PHDR) {
        t[n++] = channel;
        t[n++] = 0; /* signal, noise, AA offenses: not valid */
        t[n++] = 0;
        t[n++] = 0;
        dw__put_le32(t + n, DW__BLE_ADV_AA);
        n += 4;
        /* de-whitened, reference AA valid, CRC checked and valid, PHY */
        dw__put_le16(t + n, (uint16_t)(0x0001 | 0x0010 | 0x0400 | 0x0800 | (coded ? 2u << 14 : 0)));
        n += 2;
    } else if (linktype == DW_RID_LINK_NORDIC_BLE) {
        t[n++] = 0; /* board */
        dw__put_le16(t + n, (uint16_t)(10 + ll_len));
        n += 2;
        t[n++] = 3; /* header version */
        t[n++] = 0; /* packet counter */
        t[n++] = 0;
        t[n++] = 0x02;                  /* advertising packet */
        t[n++] = 10;                    /* event header length */
        t[n++] = (uint8_t)(0x01 | (coded ? 2 << 4 : 0)); /* CRC ok, PHY */
        t[n++] = channel;
        memset(t + n, 0, 7);            /* RSSI, event counter, timestamp */
        n += 7;
    }
    dw__put_le32(t + n, DW__BLE_ADV_AA);
    n += 4;
    if (coded)
        t[n++] = 0; /* coding indicator: S=8 */
    n += put(t + n, pdu, p);
    uint32_t crc = dw__ble_crc24(pdu, p, DW__BLE_ADV_CRC_INIT);
    t[n++] = (uint8_t)crc;
    t[n++] = (uint8_t)(crc >> 8);
    t[n++] = (uint8_t)(crc >> 16);
    return n;
}

dw_status dw_remoteid_wrap(dw_remoteid_transport transport, int linktype, const uint8_t mac[6],
                           uint8_t counter, const uint8_t *payload, size_t len, uint8_t *buf,
                           uint8_t *end, uint8_t **out_end)
{
    if (!payload || !len || !buf || !end || !out_end || end < buf)
        return DW_ERR_INVALID;
    static const uint8_t no_mac[6] = {0};
    if (!mac)
        mac = no_mac;
    int is_pack = (payload[0] >> 4) == DW_ODID_PACK;
    int is_ble = linktype == DW_LINK_BLUETOOTH_LE_LL ||
                 linktype == DW_LINK_BLUETOOTH_LE_LL_WITH_PHDR || linktype == DW_RID_LINK_NORDIC_BLE;
    int is_wifi = linktype == DW_LINK_IEEE802_11 || linktype == DW_LINK_IEEE802_11_RADIOTAP;
    uint8_t tmp[512];
    size_t n;
    switch (transport) {
    case DW_RID_RAW:
        if ((linktype != DW_LINK_DATAGRAM && linktype != DW_LINK_STREAM) || len > sizeof tmp)
            return DW_ERR_INVALID;
        n = put(tmp, payload, len);
        break;
    case DW_RID_WIFI_BEACON: /* the element holds 5 bytes before the payload */
    case DW_RID_WIFI_NAN:    /* the service info holds the counter too */
        if (!is_wifi || len > 250)
            return DW_ERR_INVALID;
        n = wifi_frame(tmp, transport, linktype, mac, counter, payload, len);
        break;
    case DW_RID_BT4: /* 31 bytes of advertising data: one message */
        if (!is_ble || is_pack || len != DW_ODID_MSG_LEN)
            return DW_ERR_INVALID;
        n = ble_frame(tmp, 0, linktype, mac, counter, payload, len);
        break;
    case DW_RID_BT5: /* 255-byte PDU: 10 of extended header, 6 of AD header */
        if (!is_ble || len > 239)
            return DW_ERR_INVALID;
        n = ble_frame(tmp, 1, linktype, mac, counter, payload, len);
        break;
    default:
        return DW_ERR_INVALID;
    }
    if ((size_t)(end - buf) < n)
        return DW_ERR_FULL;
    memcpy(buf, tmp, n);
    *out_end = buf + n;
    return DW_OK;
}
