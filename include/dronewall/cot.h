/* cot.h — Cursor-on-Target (CoT) and TAK protocol v1: the picture to ATAK/WinTAK.
 *
 * CoT is how the TAK family (ATAK, WinTAK, iTAK, TAK servers) shares a
 * picture: one XML <event> per object and update (uid, type, time, point,
 * detail). dronewall reads it (a partner's or a team's positions become
 * observations) and writes it (every published track becomes an event an
 * operator sees on a tablet). The codec dw_codec_cot (codec.h) frames a
 * stream or datagram of XML events — and of TAK protocol v1 messages
 * (0xbf-framed protobuf, mesh and stream forms), told apart by content —
 * and decodes each into one raw JSON record and, for atoms ("a-…" types),
 * one dw_obs. docs/formats.md "Cursor-on-Target" lists the JSON keys, the
 * observation mapping and the type table used for tracks.
 *
 * This header adds what the codec table cannot say: the encoders (a track
 * or an observation to an event, a raw record back to its wire form for
 * round trips), the
 * affiliation/class → CoT type mapping and the CoT time format. Everything
 * here writes into the caller's [buf, end) and allocates nothing, except
 * dw_cot_encode_raw, which parses its JSON with jansson and frees it again.
 * On failure nothing is written to the out-parameters (the buffer may hold
 * partial output).
 */
#ifndef DRONEWALL_COT_H
#define DRONEWALL_COT_H

#include <stddef.h>
#include <stdint.h>

#include "dronewall/codec.h"
#include "dronewall/obs.h"
#include "dronewall/status.h"
#include "dronewall/track.h"

extern const dw_codec_ops dw_codec_cot;

/* Bigger XML events or TAK messages are cut off and counted as malformed,
 * so a peer that never closes its <event> cannot make us buffer forever. */
#define DW_COT_MAX_FRAME (256u * 1024u)

/* CoT's "not known" for hae, ce and le. Readers treat any magnitude at or
 * above DW_COT_UNKNOWN_MIN as unknown, because TAK protocol v1 writes
 * 999999 where XML writers write 9999999. */
#define DW_COT_UNKNOWN 9999999.0
#define DW_COT_UNKNOWN_MIN 999999.0

/* The sensor id of every observation decoded from CoT. The object's own
 * uid is too long for any dw_obs identity field and stays in the raw
 * record; see docs/formats.md. */
#define DW_COT_SENSOR "COT"

/* How long a track event stays valid after its time unless the caller
 * says otherwise: a few missed updates of a 1–4 s tracker cycle before
 * ATAK greys the symbol out. */
#define DW_COT_STALE_DEFAULT_US (20 * 1000000LL)

typedef enum dw_cot_wire {
    DW_COT_WIRE_AUTO = 0,       /* encode_raw: the record's "wire"; tracks: XML */
    DW_COT_WIRE_XML,            /* <?xml …?>\n<event …>…</event>                */
    DW_COT_WIRE_TAKP_MESH,      /* 0xbf 0x01 0xbf + TakMessage (one datagram)   */
    DW_COT_WIRE_TAKP_STREAM     /* 0xbf varint(length) + TakMessage             */
} dw_cot_wire;

typedef struct dw_cot_track_opts {
    dw_cot_wire wire;           /* AUTO means XML                              */
    int64_t stale_after_us;     /* stale = now + this; 0: DW_COT_STALE_DEFAULT_US */
    const char *uid_prefix;     /* NULL: "dronewall-"; the uid is prefix + id  */
} dw_cot_track_opts;

/* One CoT event for a track at now_us (time = start = now_us; a dead track
 * is stale at once so TAK clients drop it). opts may be NULL. The type comes
 * from dw_cot_track_type; point, ce/le, course/speed, callsign and remarks
 * are described in docs/formats.md. DW_ERR_FULL if it does not fit,
 * DW_ERR_RANGE for a time CoT cannot write (before year 1 or after 9999) or
 * a position that is not finite. */
dw_status dw_cot_encode_track(const dw_track *t, int64_t now_us, const dw_cot_track_opts *opts,
                              uint8_t *buf, uint8_t *end, uint8_t **out_end);

/* How long an observation's event stays valid after its time unless the
 * caller says otherwise: a partner's warning of a drone is worth showing
 * for a couple of minutes (3-4 km of flight), not for the 20 s of a track
 * that updates every few seconds. */
#define DW_COT_OBS_STALE_DEFAULT_US (120 * 1000000LL)

/* One CoT XML event for a POS3 or POS2 observation (a neighbour's warning),
 * as the codec's encode_obs writes it: uid "<sensor>-<seq>" (seq is the
 * caller's counter: the codec counts its encode_obs calls), type "a-u-A"
 * with the 2525 air function of the class the sensor scored highest (an
 * unknown air object: affiliation is for the assessor), how "m-f", time =
 * start = t_us, stale = t_us + stale_after_us (0: the default above),
 * <point> lat/lon (10^-9 degree), hae (mm; POS3 only), ce = one sigma of
 * the worse horizontal axis (the covariance, else sigma_pos_m) and le (the
 * vertical one), mm; <contact callsign>, <track course speed slope> from
 * vel_enu_mps (10^-6 degree, 0.1 mm/s), a <link relation="p-p"> naming
 * the sensor and a remarks line. The CoT decoder reads it back as the same
 * observation to those resolutions, with sensor "COT", the covariance as
 * sigmas and no class scores (docs/formats.md). DW_ERR_UNSUPPORTED for
 * other kinds, DW_ERR_RANGE for a position, height (outside -1000 ...
 * 100000 m) or time CoT cannot carry, DW_ERR_FULL. */
dw_status dw_cot_encode_obs(const dw_obs *o, uint64_t seq, int64_t stale_after_us, uint8_t *buf,
                            uint8_t *end, uint8_t **out_end);

/* A raw record as decoded by dw_codec_cot (JSON text of len bytes) back to
 * its wire form: decode → encode_raw → decode gives the same record. wire
 * AUTO uses the record's "wire" key. DW_ERR_INVALID for JSON that is not
 * such a record, DW_ERR_UNSUPPORTED for a TAK control message asked for as
 * XML, DW_ERR_FULL if it does not fit. */
dw_status dw_cot_encode_raw(const char *json, size_t len, dw_cot_wire wire, uint8_t *buf,
                            uint8_t *end, uint8_t **out_end);

/* The CoT atom type for a track, e.g. "a-h-A-M-F-Q" for a hostile fixed-wing
 * drone, into buf (NUL-terminated). DW_ERR_INVALID for values outside the
 * enumerations, DW_ERR_FULL if cap is too small (16 is always enough). */
dw_status dw_cot_track_type(dw_affiliation aff, dw_class cls, char *buf, size_t cap);

/* CoT times are xs:dateTime in UTC. Parse s[0..n): "2020-12-16T19:59:34.91Z",
 * any number of fraction digits (truncated to µs), "Z", a ±hh:mm offset or
 * none (taken as UTC), years 0001–9999 after conversion to UTC. */
dw_status dw_cot_time_parse(const char *s, size_t n, int64_t *out_us);

/* Write t_us as "YYYY-MM-DDThh:mm:ss.mmmZ" (milliseconds, as ATAK writes),
 * or with six fraction digits when t_us is not a whole millisecond.
 * Needs cap >= 28; DW_ERR_RANGE outside years 0001–9999. */
dw_status dw_cot_time_format(int64_t t_us, char *buf, size_t cap);

#endif
