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

#endif
