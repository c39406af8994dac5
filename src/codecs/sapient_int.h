/* sapient_int.h — the SAPIENT codec's internals, shared by src/codecs/sapient*.c.
 *
 * The two versions of BSI Flex 335 generate two sets of C types whose field numbers and names
 * mostly agree but whose layouts differ in places (StatusReport.coverage, ModeDefinition.task,
 * Error). Rather than write every reader and builder twice, the codec works on protobuf-c's
 * descriptors: fields are found by name and read or written through the descriptor's offsets,
 * so one function serves both versions and a field that one version lacks is simply absent.
 * The same walk writes the raw JSON of any message and reads it back, so the .proto files stay
 * the one source of the schema.
 *
 * Memory comes from an arena (a bump allocator over one block): the codec's decode path owns
 * a fixed one, sized at create; the public parse and encode functions make a heap one for the
 * call. Nothing allocated from an arena is freed on its own: the arena is reset whole.
 */
#ifndef DW_SAPIENT_INT_H
#define DW_SAPIENT_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <protobuf-c/protobuf-c.h>

#include "dronewall/jsonw.h"
#include "dronewall/sapient.h"

/* ---- arena ---- */
typedef struct dw__sap_arena {
    uint8_t *base;
    size_t cap, used;
    int failed;                         /* an allocation did not fit */
    ProtobufCAllocator pc;              /* protobuf-c's view of this arena */
} dw__sap_arena;

void dw__sap_arena_init(dw__sap_arena *a, void *mem, size_t cap);
static inline void dw__sap_arena_reset(dw__sap_arena *a) { a->used = 0; a->failed = 0; }
void *dw__sap_alloc(dw__sap_arena *a, size_t n);   /* zeroed, max_align_t aligned; NULL if full */
char *dw__sap_strdup(dw__sap_arena *a, const char *s);

/* ---- the schema ---- */
const ProtobufCMessageDescriptor *dw__sap_root(dw_sapient_version v); /* SapientMessage */
int dw__sap_is_timestamp(const ProtobufCMessageDescriptor *d);

/* What a walk of the wire bytes against a schema found (no allocation, no unpack). */
typedef struct dw__sap_scan {
    int ok;                             /* well-formed for this schema, depth and UTF-8 fine */
    unsigned unknown;                   /* fields the schema does not know, at any depth */
    int content;                        /* field number of the `content` oneof, 0 if none */
    int has_time;
    const uint8_t *node_id;             /* top-level node_id bytes (not NUL-terminated) */
    size_t node_id_len;
    const uint8_t *icd_version;         /* Registration.icd_version, if this is one */
    size_t icd_version_len;
} dw__sap_scan;
void dw__sap_prescan(const ProtobufCMessageDescriptor *d, const uint8_t *buf, size_t len,
                     dw__sap_scan *out);

/* The version a node registered with (0: not known), given its node_id bytes. */
typedef dw_sapient_version (*dw__sap_node_version_fn)(void *ctx, const uint8_t *id, size_t len);

/* Whether msg looks like a SapientMessage with content, from its first
 * DW__SAP_PLAUSIBLE_WINDOW bytes (all of it when shorter): what frame() and detect() check
 * for each candidate, so that bytes crafted to hold a plausible prefix every few bytes cost
 * linear time, not the length each prefix claims. decode() checks the whole. */
#define DW__SAP_PLAUSIBLE_WINDOW 512
int dw__sap_plausible(const uint8_t *msg, size_t len, dw__sap_scan *out);

/* Which version to read a message as: hint (if not 0), else the Registration's icd_version,
 * else the version that leaves fewer fields unknown, else (a tie) the one the node registered
 * with (node_version, may be NULL), else 2.0. DW_ERR_PARSE when it is a SapientMessage under
 * neither schema. *how says which rule decided ("config", "registration", "fields", "node",
 * "default"); *scan is the pre-scan under that version. */
dw_status dw__sap_pick_version(const uint8_t *msg, size_t len, dw_sapient_version hint,
                               dw__sap_node_version_fn node_version, void *ctx,
                               dw_sapient_version *out, const char **how, dw__sap_scan *scan);

/* ---- reading fields by name (absent: returns 0 / NULL) ---- */
const ProtobufCFieldDescriptor *dw__sap_field(const ProtobufCMessage *m, const char *name);
int dw__sap_present(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f);
size_t dw__sap_count(const ProtobufCMessage *m, const char *name);
int dw__sap_get_double(const ProtobufCMessage *m, const char *name, double *out);
int dw__sap_get_float(const ProtobufCMessage *m, const char *name, float *out);
int dw__sap_get_int(const ProtobufCMessage *m, const char *name, int64_t *out);
const char *dw__sap_get_str(const ProtobufCMessage *m, const char *name, size_t idx);
const ProtobufCMessage *dw__sap_get_msg(const ProtobufCMessage *m, const char *name, size_t idx);
/* A Timestamp field in µs; 0 if absent or outside years 1..9999. */
int dw__sap_get_time_us(const ProtobufCMessage *m, const char *name, int64_t *out);
/* Name of the field set in the oneof that `member` belongs to, or NULL. */
const char *dw__sap_oneof_case(const ProtobufCMessage *m, const char *member);

/* ---- building messages in an arena (DW_ERR_NOT_FOUND: this version has no such field) ---- */
ProtobufCMessage *dw__sap_new(dw__sap_arena *a, const ProtobufCMessageDescriptor *d);
dw_status dw__sap_set_double(ProtobufCMessage *m, const char *name, double v);
dw_status dw__sap_set_int(ProtobufCMessage *m, const char *name, int64_t v);
/* A string field is set, a repeated one appended to; "" leaves the field out. */
dw_status dw__sap_set_str(dw__sap_arena *a, ProtobufCMessage *m, const char *name, const char *s);
/* A new sub-message: set for a singular field, appended for a repeated one. NULL if the field
 * does not exist or the arena is full. */
ProtobufCMessage *dw__sap_add_msg(dw__sap_arena *a, ProtobufCMessage *m, const char *name);
dw_status dw__sap_set_time_us(dw__sap_arena *a, ProtobufCMessage *m, const char *name,
                              int64_t t_us);
/* Length prefix + packed message into [buf, end). */
dw_status dw__sap_pack(const ProtobufCMessage *m, uint8_t *buf, uint8_t *end, uint8_t **out_end);

/* ---- JSON ---- */
/* The members of one message (the caller opens and closes the object). Timestamps are RFC 3339
 * strings with a `<name>_us` sibling; enums are their names (numbers when not in the schema);
 * a message with fields the schema does not know gets "_unknown_fields": count. */
void dw__sap_json_members(dw_jw *w, const ProtobufCMessage *m);
void dw__sap_json_float(dw_jw *w, float v);
/* Fill message m from a JSON object. Keys are field names or their lowerCamelCase JSON names;
 * keys in `ignore` (NULL-terminated, top level only) are skipped. */
dw_status dw__sap_from_json(dw__sap_arena *a, ProtobufCMessage *m, json_t *obj,
                            const char *const *ignore, char *err, size_t errlen);
/* RFC 3339 time: "2023-08-14T10:22:02.340051Z" (nanoseconds and offsets accepted). */
int dw__sap_parse_time(const char *s, int64_t *sec, int32_t *nanos);
void dw__sap_format_time(int64_t sec, int32_t nanos, char out[40]);

/* ---- typed views (sapient_msg.c) ---- */
void dw__sap_read_header(const ProtobufCMessage *root, dw_sapient_version v, dw_sapient_header *h);
dw_sapient_kind dw__sap_kind(const ProtobufCMessage *root, const ProtobufCMessage **content);
void dw__sap_read_detection(const ProtobufCMessage *m, dw_sapient_detection *d);
void dw__sap_read_status(const ProtobufCMessage *m, dw_sapient_status *s);
void dw__sap_read_registration(const ProtobufCMessage *m, dw_sapient_registration *r);
void dw__sap_read_alert(const ProtobufCMessage *m, dw_sapient_alert *al);
/* A typed message into [buf, end) with the length prefix, building in arena a (reset first). */
dw_status dw__sap_encode_msg(dw__sap_arena *a, const dw_sapient_msg *m, uint8_t *buf, uint8_t *end,
                             uint8_t **out_end);
/* Unpack msg (already past the prefix) as version v with arena a; NULL on failure. */
ProtobufCMessage *dw__sap_unpack(dw__sap_arena *a, dw_sapient_version v, const uint8_t *msg,
                                 size_t len);

/* ---- obs (sapient_obs.c) ---- */
/* mode: the node's current (or first) registered mode, for units the message leaves out; may
 * be NULL. DW_OK and *o filled; DW_ERR_PARSE for a detection that cannot be placed (missing or bad
 * numbers); DW_ERR_UNSUPPORTED for a frame dronewall cannot use (magnetic or platform north,
 * UTM without a zone, unknown units). */
dw_status dw__sap_detection_obs(const dw_sapient_header *h, const dw_sapient_detection *d,
                                const dw_sapient_mode *mode, int64_t rx_us, dw_obs *o);
dw_status dw__sap_obs_detection(const dw_obs *o, uint64_t seq, dw_sapient_header *h,
                                dw_sapient_detection *d);
/* A location → WGS-84; DW_ERR_UNSUPPORTED if its system cannot be converted. */
dw_status dw__sap_location_geo(const dw_sapient_location *l, const dw_sapient_mode *mode,
                               double *lat_deg, double *lon_deg);
/* UTM (zone 1..60, north or south) → geodetic degrees, Krüger series to ~1 mm. */
void dw__sap_utm_to_geo(int zone, int south, double easting_m, double northing_m,
                        double *lat_deg, double *lon_deg);
/* "30N", "33U", "34 S" → zone and hemisphere; -1 when not a zone. */
int dw__sap_utm_zone(const char *s, int *south);

/* Bounded copy that never cuts a UTF-8 sequence in half. */
void dw__sap_copy(char *dst, size_t cap, const char *src);

#endif
