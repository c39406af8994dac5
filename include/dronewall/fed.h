/* fed.h — federation over NATS JetStream: names on the bus, and what travels on it.
 *
 * Every dronewall node has an id (node.id: "PL-1") and an owner (node.owner: the nation or
 * organisation that operates it, "PL"). A node releases what it publishes to audiences,
 * which are owners: what PL-1 releases to Lithuania goes to the audience "LT". One JetStream
 * stream holds what one node releases to one audience, so that a partner's read permission
 * is a list of streams (the bus's accounts cannot filter inside a stream):
 *
 *   stream   DW_<node>_<audience>                 "DW_PL-1_LT"
 *   subjects dw.<node>.<audience>.<kind>          "dw.PL-1.LT.trk"
 *   kinds    trk (tracks), alr (alerts), sen (sensor status), obs (raw observations),
 *            ntf (a cross-border notification, published only to the neighbour it concerns)
 *   durable  the consuming node's id               "LT-1"
 *   inbox    _INBOX_<node>                          a node's replies and deliveries; a node
 *                                                   may subscribe to its own inbox only
 *
 * Node ids and owners: 1-32 characters of letters, digits, '-' and '_' (no '.', '*', '>',
 * spaces: they are subject tokens and stream names). scripts/nats-cluster writes the
 * accounts and permissions that follow from this scheme (docs/federation.md).
 */
#ifndef DRONEWALL_FED_H
#define DRONEWALL_FED_H

#include <stddef.h>
#include <stdint.h>

#include "dronewall/obs.h"
#include "dronewall/status.h"

#define DW_FED_NAME_MAX 33      /* a node id or owner, NUL included */

#define DW_FED_KINDS(X)                                                         \
    X(DW_FED_TRK, "trk")   /* a track, as the node's picture reports it      */ \
    X(DW_FED_ALR, "alr")   /* an alert                                        */ \
    X(DW_FED_SEN, "sen")   /* a sensor or input going down or coming back     */ \
    X(DW_FED_OBS, "obs")   /* a raw observation                               */ \
    X(DW_FED_NTF, "ntf")   /* a cross-border notification to one neighbour    */

typedef enum dw_fed_kind {
#define DW_FED_KIND_ENUM(e, s) e,
    DW_FED_KINDS(DW_FED_KIND_ENUM)
#undef DW_FED_KIND_ENUM
    DW_FED_NKINDS
} dw_fed_kind;

const char *dw_fed_kind_name(dw_fed_kind k);
int dw_fed_kind_parse(const char *s, dw_fed_kind *out);     /* 0, or -1 */

/* 1 when s is a valid node id or owner (above), else 0. */
int dw_fed_name_ok(const char *s);

/* The names above, written into buf (cap bytes). Each returns DW_OK, or DW_ERR_INVALID when
 * a name is not valid, or DW_ERR_RANGE when buf is too small. */
dw_status dw_fed_stream_name(const char *node, const char *audience, char *buf, size_t cap);
dw_status dw_fed_subject(const char *node, const char *audience, dw_fed_kind kind, char *buf,
                         size_t cap);
/* Every subject of one stream: "dw.<node>.<audience>.>". */
dw_status dw_fed_stream_subjects(const char *node, const char *audience, char *buf, size_t cap);
dw_status dw_fed_inbox_prefix(const char *node, char *buf, size_t cap);

/* ---- what travels
 *
 * One message is one of the node's own NDJSON lines (a track at a report instant, an
 * alert, a sensor status: docs/formats.md) in an envelope that says who sent it, of what
 * kind, and where it stands in the sender's sequence:
 *
 *   {"v":1,"type":"fed","origin":"PL-1","owner":"PL","kind":"trk","session":S,"seq":N,
 *    "sent_us":W,"body":{...the line...}}
 *
 * `session` is the sender's start (µs since the epoch: a restarted node begins a new one)
 * and `seq` counts 1, 2, 3... what that session published to one audience, so a receiver
 * sees end to end whether anything was lost (a gap) or came twice. `sent_us` is the
 * sender's wall clock at publishing (latency figures only). The message id the bus uses
 * for de-duplication is "<origin>/<audience>/<session>/<seq>".
 */
typedef struct dw_fed_env {
    char origin[DW_FED_NAME_MAX];       /* the sending node's id                          */
    char owner[DW_FED_NAME_MAX];        /* its owner                                      */
    dw_fed_kind kind;
    uint64_t session, seq;
    int64_t sent_us;
} dw_fed_env;

/* The message: envelope e around line[0..len) (one JSON object) into buf (cap bytes).
 * Returns its length, or 0 when it does not fit or e's names are not valid. */
size_t dw_fed_wrap(char *buf, size_t cap, const dw_fed_env *e, const char *line, size_t len);
/* The message id for de-duplication, "<origin>/<audience>/<session>/<seq>". */
size_t dw_fed_msg_id(char *buf, size_t cap, const dw_fed_env *e, const char *audience);

/* ---- receiving: a partner's data is checked before it is believed
 *
 * A dw_fed_rx checks each message a node receives: the envelope must parse, name the node
 * whose subject it came on (the bus lets a partner publish only under its own subjects, so
 * the subject is the proof of origin: an envelope that claims another origin is forged)
 * and the kind of the subject; a track must be plausible — a position on the globe, an
 * altitude between max below and above, a speed under max_speed_mps, a time neither in the
 * future nor too old against the receiver's clock, a finite covariance with sigmas under
 * max_sigma_m, and no jump from the same partner track's last position faster than
 * max_speed_mps. What fails is counted by reason and dropped. Per (origin, audience) it
 * follows the sequence: a message already seen in the session is a duplicate (dropped,
 * counted), a number skipped is a gap (counted); the first session a receiver sees is
 * joined where it is found (first_seq), a later one must start at 1. An accepted track becomes a POS3
 * observation of the sensor "fed:<origin>" (kind partner: fused by covariance intersection)
 * carrying the partner's track number, velocity and class probabilities.
 *
 * Ownership: the caller owns the rx; items point into the message they came from.
 * Threads: one caller at a time.
 */
#define DW_FED_REASONS(X)                                                         \
    X(DW_FED_ACCEPTED, "accepted")                                                \
    X(DW_FED_REJ_PARSE, "parse")          /* not an envelope, or its body not a line */ \
    X(DW_FED_REJ_FORGED, "forged")        /* origin or kind not the subject's       */ \
    X(DW_FED_REJ_POSITION, "position")    /* no place on the globe                  */ \
    X(DW_FED_REJ_ALTITUDE, "altitude")                                            \
    X(DW_FED_REJ_SPEED, "speed")                                                  \
    X(DW_FED_REJ_JUMP, "jump")            /* moved faster than max_speed_mps         */ \
    X(DW_FED_REJ_TIME, "time")            /* in the future, or too old               */ \
    X(DW_FED_REJ_COVARIANCE, "covariance")                                        \
    X(DW_FED_REJ_DUPLICATE, "duplicate")  /* seen already in its session            */

typedef enum dw_fed_verdict {
#define DW_FED_VERDICT_ENUM(e, s) e,
    DW_FED_REASONS(DW_FED_VERDICT_ENUM)
#undef DW_FED_VERDICT_ENUM
    DW_FED_NVERDICTS
} dw_fed_verdict;

const char *dw_fed_verdict_name(dw_fed_verdict v);

typedef struct dw_fed_rx_config {
    double max_speed_mps;       /* fastest believable object (1000: a missile is not ours
                                   to track; faster is an error)                        */
    double min_alt_m, max_alt_m;/* -500, 30000                                          */
    double max_future_s;        /* t_us at most this far ahead of the receiver (30)     */
    double max_age_s;           /* nor this far behind it (600; 0: no limit)            */
    double max_sigma_m;         /* a horizontal sigma beyond this is no position (50000) */
} dw_fed_rx_config;

void dw_fed_rx_config_default(dw_fed_rx_config *c);

typedef struct dw_fed_item {
    dw_fed_env env;
    char audience[DW_FED_NAME_MAX];     /* the subject's audience                       */
    const char *body;                   /* the line inside, within the message          */
    size_t body_len;
    int has_obs;                        /* trk: obs is the partner's track as a report  */
    dw_obs obs;
    double cov_vel_enu[3][3];           /* trk: the track's velocity covariance, (m/s)² */
} dw_fed_item;

/* Per origin, what came from it (all audiences together). */
typedef struct dw_fed_origin_stats {
    char origin[DW_FED_NAME_MAX];
    uint64_t session;                   /* the newest session seen                      */
    uint64_t sessions;                  /* sessions seen (restarts + 1)                 */
    uint64_t received, accepted;
    uint64_t by_kind[DW_FED_NKINDS];    /* accepted, by kind                            */
    uint64_t rejected[DW_FED_NVERDICTS];/* [DW_FED_ACCEPTED] unused                     */
    uint64_t gaps;                      /* messages missing in a sequence now            */
    uint64_t late;                      /* came behind a later one (filled a gap)       */
    uint64_t first_seq;                 /* where the newest session was joined: 1, or more
                                           when this receiver started in its middle     */
    uint64_t last_seq;                  /* the highest seq of the newest session, summed
                                           over audiences                               */
    int64_t last_us;                    /* data time of the newest accepted message     */
} dw_fed_origin_stats;

typedef struct dw_fed_rx dw_fed_rx;

dw_status dw_fed_rx_create(const dw_fed_rx_config *c, dw_fed_rx **out);
void dw_fed_rx_destroy(dw_fed_rx *rx);     /* NULL is fine */

/* Checks one message received on subject at the receiver's time now_us (data time) and
 * returns the verdict; *item is filled on DW_FED_ACCEPTED (and its env as far as it
 * parsed otherwise). */
dw_fed_verdict dw_fed_rx_take(dw_fed_rx *rx, const char *subject, const char *data, size_t len,
                              int64_t now_us, dw_fed_item *item);

/* A partner's track report moved to the receiver's time t_us along its own velocity: a
 * partner's picture runs on its own clock and its messages take time, and a report older or
 * newer than the receiver's picture would be fused out of order. The position moves by
 * v·dt, its covariance grows by dt²·(velocity covariance) and by an unknown acceleration of
 * accel_sigma_mps2 (a quarter of its dt⁴ per axis, horizontally; a tenth of that vertically).
 * Nothing is done to an item without a report. */
void dw_fed_align(dw_fed_item *it, int64_t t_us, double accel_sigma_mps2);

/* The origins seen so far, in the order first seen. */
const dw_fed_origin_stats *dw_fed_rx_origins(const dw_fed_rx *rx, size_t *n);

/* The sensor name of a partner's reports: "fed:<origin>". */
dw_status dw_fed_sensor_name(const char *origin, char *buf, size_t cap);

#endif
