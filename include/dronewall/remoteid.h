/* remoteid.h — broadcast Remote ID (Open Drone ID: ASTM F3411-19/-22a,
 * ASD-STAN EN 4709-002), the identity and position that cooperative drones
 * send over Bluetooth and Wi-Fi.
 *
 * Two layers live here. The message layer turns the 25-byte Open Drone ID
 * messages (Basic ID, Location/Vector, Authentication, Self-ID, System,
 * Operator ID) and the Message Pack that carries several of them into
 * dw_odid_msg values in physical units, and back. The link layer finds those
 * messages inside the frames a capture hands over whole (802.11 with or
 * without radiotap, Bluetooth LE link-layer packets, nRF Sniffer packets) and
 * wraps messages into such frames, so the simulator can broadcast what a real
 * transmitter would. The codec dw_codec_remoteid (codec.h) sits on both and
 * produces raw JSON and dw_obs; docs/formats.md "Remote ID" describes its
 * output.
 *
 * The encoders are faithful: every value a decoder can produce encodes back
 * to the same value, so decode → encode → decode is the identity on values.
 * Spec limits (speeds, vertical speed) are applied only where values come
 * from elsewhere (dw_remoteid_from_obs). Reserved bits are written as zero.
 *
 * Nothing here allocates or keeps state; all functions are reentrant. Every
 * writer takes an end pointer and writes nothing past it.
 */
#ifndef DRONEWALL_REMOTEID_H
#define DRONEWALL_REMOTEID_H

#include <stddef.h>
#include <stdint.h>

#include "dronewall/codec.h"
#include "dronewall/obs.h"
#include "dronewall/status.h"

#define DW_ODID_MSG_LEN 25      /* every message is 25 bytes              */
#define DW_ODID_PACK_MAX 9      /* messages in one Message Pack           */
#define DW_ODID_PACK_HDR 3      /* header, message size, count            */
#define DW_ODID_PACK_LEN_MAX (DW_ODID_PACK_HDR + DW_ODID_PACK_MAX * DW_ODID_MSG_LEN)
#define DW_ODID_ID_LEN 20       /* UAS ID and operator ID characters       */
#define DW_ODID_DESC_LEN 23     /* Self-ID text characters                 */
#define DW_ODID_AUTH_DATA_MAX 23/* authentication bytes in one page        */

/* nRF Sniffer for Bluetooth LE (pcap LINKTYPE_NORDIC_BLE). Not (yet) one of
 * codec.h's DW_LINK_* values; the shared BT5 capture uses it. */
#define DW_RID_LINK_NORDIC_BLE 272

/* Unix time of the epoch of Authentication and System timestamps,
 * 2019-01-01T00:00:00Z. */
#define DW_ODID_EPOCH_UNIX_S 1546300800LL

/* Message types: enum, type nibble, raw JSON "msg" word. */
#define DW_ODID_TYPES(X)                                                    \
    X(DW_ODID_BASIC_ID, 0x0, "basic_id")                                    \
    X(DW_ODID_LOCATION, 0x1, "location")                                    \
    X(DW_ODID_AUTH, 0x2, "auth")                                            \
    X(DW_ODID_SELF_ID, 0x3, "self_id")                                      \
    X(DW_ODID_SYSTEM, 0x4, "system")                                        \
    X(DW_ODID_OPERATOR_ID, 0x5, "operator_id")                              \
    X(DW_ODID_PACK, 0xF, "pack")

typedef enum dw_odid_type {
#define DW_ODID_TYPE_ENUM(e, v, s) e = v,
    DW_ODID_TYPES(DW_ODID_TYPE_ENUM)
#undef DW_ODID_TYPE_ENUM
} dw_odid_type;

/* Where a message was heard. The string is the raw JSON "transport". */
#define DW_REMOTEID_TRANSPORTS(X)                                           \
    X(DW_RID_RAW, "raw")               /* bare message or pack (datagram) */ \
    X(DW_RID_WIFI_NAN, "wifi_nan")     /* NAN service discovery frame     */ \
    X(DW_RID_WIFI_BEACON, "wifi_beacon") /* beacon vendor IE FA:0B:BC/0D  */ \
    X(DW_RID_BT4, "bt4")               /* BLE legacy advertising          */ \
    X(DW_RID_BT5, "bt5")               /* BLE extended advertising (LR)   */

typedef enum dw_remoteid_transport {
#define DW_RID_TRANSPORT_ENUM(e, s) e,
    DW_REMOTEID_TRANSPORTS(DW_RID_TRANSPORT_ENUM)
#undef DW_RID_TRANSPORT_ENUM
    DW_RID_NTRANSPORTS
} dw_remoteid_transport;

/* Basic ID: ID types and UA types (F3411 Table 3/4). */
enum {
    DW_ODID_IDT_NONE = 0,
    DW_ODID_IDT_SERIAL = 1,         /* ANSI/CTA-2063-A serial number      */
    DW_ODID_IDT_CAA = 2,            /* CAA registration ID                */
    DW_ODID_IDT_UTM = 3,            /* UTM-assigned UUID                  */
    DW_ODID_IDT_SESSION = 4,        /* specific session ID                */
};
enum {
    DW_ODID_UA_NONE = 0, DW_ODID_UA_AEROPLANE, DW_ODID_UA_HELI_MULTIROTOR, DW_ODID_UA_GYROPLANE,
    DW_ODID_UA_HYBRID_LIFT, DW_ODID_UA_ORNITHOPTER, DW_ODID_UA_GLIDER, DW_ODID_UA_KITE,
    DW_ODID_UA_FREE_BALLOON, DW_ODID_UA_CAPTIVE_BALLOON, DW_ODID_UA_AIRSHIP,
    DW_ODID_UA_FREE_FALL_PARACHUTE, DW_ODID_UA_ROCKET, DW_ODID_UA_TETHERED_POWERED,
    DW_ODID_UA_GROUND_OBSTACLE, DW_ODID_UA_OTHER
};

/* Values that mean "unknown" in the decoded structs (as F3411 encodes them). */
#define DW_ODID_DIR_UNKNOWN_DEG 361.0
#define DW_ODID_SPEED_UNKNOWN_MPS 255.0
#define DW_ODID_VSPEED_UNKNOWN_MPS 63.0
#define DW_ODID_ALT_UNKNOWN_M (-1000.0)
#define DW_ODID_TIME_UNKNOWN_DS 0xFFFF

typedef struct dw_odid_basic_id {
    uint8_t id_type;                /* DW_ODID_IDT_*, 0..15               */
    uint8_t ua_type;                /* DW_ODID_UA_*, 0..15                */
    char uas_id[DW_ODID_ID_LEN + 1];/* as sent, up to the first NUL       */
} dw_odid_basic_id;

typedef struct dw_odid_location {
    uint8_t status;                 /* 0 undeclared, 1 ground, 2 airborne,
                                       3 emergency, 4 RID system failure  */
    uint8_t height_type;            /* 0 above take-off, 1 above ground   */
    double direction_deg;           /* track over ground 0..359; 361 unknown */
    double speed_mps;               /* horizontal; 255 unknown            */
    double vspeed_mps;              /* up positive; 63 unknown            */
    double lat_deg, lon_deg;        /* 0, 0 when unknown                  */
    double pressure_alt_m;          /* -1000 unknown                      */
    double geodetic_alt_m;          /* WGS-84 HAE; -1000 unknown          */
    double height_m;                /* -1000 unknown                      */
    uint8_t h_accuracy;             /* F3411 accuracy enums, 0 unknown    */
    uint8_t v_accuracy;
    uint8_t baro_accuracy;
    uint8_t speed_accuracy;
    uint16_t t_hour_ds;             /* tenths of a second since the hour
                                       (0..35999); 0xFFFF unknown          */
    uint8_t t_accuracy_ds;          /* 1..15 tenths of a second; 0 unknown */
} dw_odid_location;

typedef struct dw_odid_auth {
    uint8_t auth_type;              /* 0..15                              */
    uint8_t page;                   /* 0..15                              */
    uint8_t last_page;              /* page 0 only                        */
    uint8_t length;                 /* page 0 only: bytes over all pages  */
    uint32_t t_2019_s;              /* page 0 only: s since 2019-01-01    */
    uint8_t data_len;               /* 17 on page 0, 23 on the others     */
    uint8_t data[DW_ODID_AUTH_DATA_MAX];
} dw_odid_auth;

typedef struct dw_odid_self_id {
    uint8_t desc_type;              /* 0 text, 1 emergency, 2 extended status */
    char desc[DW_ODID_DESC_LEN + 1];
} dw_odid_self_id;

typedef struct dw_odid_system {
    uint8_t operator_loc_type;      /* 0 take-off, 1 live GNSS, 2 fixed   */
    uint8_t classification_type;    /* 0 undeclared, 1 EU                 */
    double operator_lat_deg, operator_lon_deg;
    uint16_t area_count;
    double area_radius_m;           /* 0..2550 in steps of 10             */
    double area_ceiling_m, area_floor_m;   /* -1000 unknown               */
    uint8_t ua_category;            /* EU: 0 undeclared, 1 open, 2 specific, 3 certified */
    uint8_t ua_class;               /* EU: 0 undeclared, 1..7 class 0..6  */
    double operator_alt_m;          /* WGS-84 HAE; -1000 unknown          */
    uint32_t t_2019_s;              /* s since 2019-01-01; 0 unknown      */
} dw_odid_system;

typedef struct dw_odid_operator_id {
    uint8_t id_type;                /* 0 operator ID                      */
    char id[DW_ODID_ID_LEN + 1];
} dw_odid_operator_id;

/* One message. `type` says which member is meaningful; a Message Pack is
 * not a dw_odid_msg but an array of them. */
typedef struct dw_odid_msg {
    dw_odid_type type;
    uint8_t version;                /* protocol version nibble (0, 1, 2)  */
    union {
        dw_odid_basic_id basic_id;
        dw_odid_location location;
        dw_odid_auth auth;
        dw_odid_self_id self_id;
        dw_odid_system system;
        dw_odid_operator_id operator_id;
    } u;
} dw_odid_msg;

const char *dw_odid_type_name(dw_odid_type t);  /* "location"; "unknown" */
const char *dw_remoteid_transport_name(dw_remoteid_transport t);

/* ---- Message layer ------------------------------------------------------ */

/* Decode one 25-byte message (len >= 25; bytes past 25 are ignored).
 * DW_ERR_PARSE when too short; DW_ERR_UNSUPPORTED for a Message Pack or an
 * unknown type (6..14). *out is written only on DW_OK. */
dw_status dw_odid_decode(const uint8_t *buf, size_t len, dw_odid_msg *out);

/* Encode one message (not a pack) into [buf, end): 25 bytes. */
dw_status dw_odid_encode(const dw_odid_msg *m, uint8_t *buf, uint8_t *end, uint8_t **out_end);

/* Split a Message Pack: the positions of its n messages (each 25 bytes)
 * in buf. Checks the header, the message size (25), the count (0..9) and
 * the length; bytes after the last message are ignored. */
dw_status dw_odid_pack_split(const uint8_t *buf, size_t len, const uint8_t **msgs, size_t *n);

/* Encode n (0..9) messages as one Message Pack (version: its header's
 * protocol version nibble). */
dw_status dw_odid_encode_pack(const dw_odid_msg *msgs, size_t n, uint8_t version, uint8_t *buf,
                              uint8_t *end, uint8_t **out_end);

/* Accuracy enums as the 95 % bound they promise, in metres (or m/s for
 * speed accuracy); 0 when the enum says unknown or is reserved. */
double dw_odid_h_accuracy_m(uint8_t e);
double dw_odid_v_accuracy_m(uint8_t e);   /* also baro accuracy */
double dw_odid_speed_accuracy_mps(uint8_t e);
/* The smallest enum whose bound covers bound_m (0: unknown). */
uint8_t dw_odid_h_accuracy_enum(double bound_m);
uint8_t dw_odid_v_accuracy_enum(double bound_m);

/* ---- Link layer --------------------------------------------------------- */

/* What a frame said about the messages in it. */
typedef struct dw_remoteid_rx {
    dw_remoteid_transport transport;
    uint8_t mac[6];                 /* transmitter, as printed (Wi-Fi TA,
                                       BLE AdvA in display order)          */
    int has_mac;
    int counter;                    /* transport message counter, -1 if none */
    int8_t rssi_dbm;                /* when has_rssi                       */
    int has_rssi;
} dw_remoteid_rx;

/* Called once per Remote ID payload found: one message or one Message Pack
 * (payload[0] >> 4 says which), len bytes as carried. */
typedef void (*dw_remoteid_payload_fn)(void *ctx, const dw_remoteid_rx *rx, const uint8_t *payload,
                                       size_t len);

/* Find the Remote ID payloads in one link-layer frame of `linktype`
 * (DW_LINK_IEEE802_11, _RADIOTAP, _BLUETOOTH_LE_LL, _WITH_PHDR,
 * DW_RID_LINK_NORDIC_BLE; DW_LINK_DATAGRAM and DW_LINK_STREAM for a bare
 * message or pack). Returns DW_OK with *n_found payloads passed to fn (0:
 * a well-formed frame that carries no Remote ID); DW_ERR_PARSE for a
 * truncated or inconsistent frame; DW_ERR_UNSUPPORTED for another link
 * type; DW_ERR_RANGE when the capture marked the frame's checksum bad or
 * the BLE CRC does not match (nothing passed to fn). fn may be NULL. */
dw_status dw_remoteid_unwrap(const uint8_t *frame, size_t len, int linktype,
                             dw_remoteid_payload_fn fn, void *ctx, size_t *n_found);

/* Wrap a message or pack (payload, len) into a frame of `linktype` for
 * `transport`, as a transmitter would send it: a NAN service discovery
 * frame or a beacon (802.11, optionally behind a minimal radiotap header);
 * a BLE ADV_NONCONN_IND (bt4, one message only) or an AUX_ADV_IND on LE
 * Coded (bt5) with a correct CRC (LE_LL, LE_LL_WITH_PHDR, NORDIC_BLE).
 * DW_LINK_DATAGRAM gives the payload itself. DW_ERR_INVALID for a
 * transport that cannot carry the payload (a pack over bt4) or a link type
 * that does not match the transport; DW_ERR_FULL when it does not fit. */
dw_status dw_remoteid_wrap(dw_remoteid_transport transport, int linktype, const uint8_t mac[6],
                           uint8_t counter, const uint8_t *payload, size_t len, uint8_t *buf,
                           uint8_t *end, uint8_t **out_end);

/* ---- From and to observations ------------------------------------------ */

/* The Basic ID and Location/Vector messages a cooperative drone would send
 * for a POS3 (or POS2) observation with HAS_POS: location from lat/lon,
 * alt_m (as geodetic altitude), velocity (HAS_VEL), accuracies from the
 * sigmas and the timestamp from t_us; a Basic ID (serial number, UA type
 * from the class scores) when HAS_RID. msgs must hold 2; *n is 1 or 2
 * (Basic ID first). DW_ERR_INVALID for other kinds or no position. */
dw_status dw_remoteid_from_obs(const dw_obs *o, dw_odid_msg *msgs, size_t *n);

/* The observation a Location/Vector message gives (docs/formats.md
 * "Remote ID"): POS3 at the geodetic altitude, else the pressure altitude,
 * POS2 when neither is known; sigmas from the accuracy enums (half the 95 %
 * bound; 0, the sensor's default, when unknown); velocity when speed and
 * direction are known; rid (may be NULL or "") and the class hint of
 * ua_type (DW_ODID_UA_NONE: none). t_us is dw_odid_location_time, or rx_us
 * when that has none. DW_ERR_RANGE when the message has no
 * position (0, 0 or out of range); *out is written only on DW_OK. */
dw_status dw_remoteid_to_obs(const dw_odid_location *l, const char *rid, uint8_t ua_type,
                             int64_t rx_us, dw_obs *out);

/* The time of a Location message: its tenths of a second since the hour,
 * placed in the hour nearest to rx_us. DW_ERR_RANGE when the message has no
 * time, rx_us is unknown (<= 0), or the result is more than 60 s from
 * rx_us: F3411 broadcasts are live, so the transmitter's clock is then not
 * to be trusted (unset ones send 0). *t_us is written only on DW_OK. */
dw_status dw_odid_location_time(const dw_odid_location *l, int64_t rx_us, int64_t *t_us);

/* The class hint for a UA type: scores summing to 1, or 0 when the type
 * says nothing (none, other, ground obstacle). */
int dw_odid_ua_class_scores(uint8_t ua_type, float scores[DW_NCLASSES]);

/* The codec (codec.h): also reachable as dw_codec_find("remoteid"). */
extern const dw_codec_ops dw_codec_remoteid;

/* The sensor id of every Remote ID observation. */
#define DW_REMOTEID_SENSOR "RID"

/* Size of the codec's table of transmitters (state of dw_codec_remoteid):
 * the latest identity of this many MAC addresses is remembered; the least
 * recently heard one makes room for a new one. */
#define DW_REMOTEID_TABLE_SIZE 256

#endif
