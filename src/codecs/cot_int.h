/* cot_int.h — what the CoT files of src/codecs share (not a public header).
 *
 * The codec is split by job: cot_text.c holds the small text tools (numbers,
 * times, the XML writer with its escaping), cot_xml.c turns an XML event into
 * the raw JSON record and the facts an observation needs, cot_enc.c writes an
 * event from a raw record or from a track, cot_takp.c does the same for TAK
 * protocol v1 (protobuf), and codec_cot.c ties them to the codec table.
 *
 * The raw JSON record is the one model both wires meet in: a decoder of
 * either wire writes it, and the encoders read it, so "same record after a
 * round trip" is the test of both.
 */
#ifndef DW_CODECS_COT_INT_H
#define DW_CODECS_COT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "dronewall/cot.h"
#include "dronewall/jsonw.h"

/* Element nesting allowed under <detail> (each level costs two levels of the
 * JSON writer, whose limit is DW_JW_DEPTH). Deeper events are malformed. */
#define DW__COT_MAX_DEPTH 12

/* Room for the raw JSON of the largest frame: a raw tab in text becomes
 * six bytes of JSON, and nothing grows more. */
#define DW__COT_JSON_CAP (7u * DW_COT_MAX_FRAME + 65536u)

/* ---- cot_text.c --------------------------------------------------------- */

/* Strict-enough decimal number: optional sign, digits with an optional
 * fraction, an optional exponent, optional surrounding XML blanks; finite.
 * xs:decimal has no exponent, but Python writers emit "1e-05". */
int dw__cot_number(const char *s, double *out);

/* The shortest digits that read back as v, laid out as a plain decimal
 * (no exponent: the schemas type every number xs:decimal). Returns the
 * length written, or 0 if cap (>= 400 always suffices) is too small or v is
 * not finite. */
size_t dw__cot_decimal(double v, char *out, size_t cap);

/* A valid XML 1.0 Name (ASCII checked exactly; bytes >= 0x80 accepted). */
int dw__cot_xml_name_ok(const char *s);

/* Valid UTF-8 without NUL (protobuf strings must be, XML cannot carry NUL). */
int dw__cot_utf8_ok(const char *s, size_t n);

/* In place: every byte that is not part of a character XML 1.0 can carry
 * (controls, bad UTF-8) becomes '?', so both wires carry the same text. */
void dw__cot_sanitize(char *s);

/* An XML writer into [p, end) that remembers running out of room. */
typedef struct dw__xw {
    char *p, *end;
    int full;
} dw__xw;

void dw__xw_raw(dw__xw *w, const char *s, size_t n);
void dw__xw_str(dw__xw *w, const char *s);          /* raw, NUL-terminated */
/* Escaped character data (attr: for a single-quoted attribute value). Bytes
 * XML cannot carry (controls, bad UTF-8) become U+FFFD. */
void dw__xw_esc(dw__xw *w, const char *s, size_t n, int attr);
void dw__xw_attr(dw__xw *w, const char *name, const char *val);
void dw__xw_attr_num(dw__xw *w, const char *name, double v);
/* A number already snapped to a whole number of 10^-decimals units
 * (decimals 0..9), printed from that integer without printf: the same
 * double reads back. Falls back to dw__xw_attr_num beyond 4e15 units. */
void dw__xw_attr_fixed(dw__xw *w, const char *name, double v, int decimals);
/* Returns DW_ERR_RANGE for a time outside years 0001–9999. */
dw_status dw__xw_attr_time(dw__xw *w, const char *name, int64_t t_us);

/* ---- cot_xml.c ---------------------------------------------------------- */

/* What an observation needs from an event, pointing into the parsed
 * document (valid until the document is freed). */
typedef struct dw__cot_facts {
    const char *uid, *type, *callsign;
    int64_t time_us;
    double lat_deg, lon_deg, hae_m, ce_m, le_m;
    int has_track, has_slope;
    double course_deg, speed_mps, slope_deg;
} dw__cot_facts;

/* The typed detail elements, in the order the encoders write them. The JSON
 * key is the element name except for __group ("group"). */
#define DW__COT_TYPED(X)                                                    \
    X(CONTACT, "contact", "contact")                                        \
    X(GROUP, "__group", "group")                                            \
    X(TRACK, "track", "track")                                              \
    X(STATUS, "status", "status")                                           \
    X(TAKV, "takv", "takv")                                                 \
    X(PRECISIONLOCATION, "precisionlocation", "precisionlocation")          \
    X(REMARKS, "remarks", "remarks")

enum {
#define DW__COT_TYPED_ENUM(e, xml, key) DW__COT_T_##e,
    DW__COT_TYPED(DW__COT_TYPED_ENUM)
#undef DW__COT_TYPED_ENUM
    DW__COT_NTYPED
};
extern const char *const dw__cot_typed_xml[DW__COT_NTYPED];
extern const char *const dw__cot_typed_key[DW__COT_NTYPED];

/* The track attributes and their JSON keys (numbers, with units). */
#define DW__COT_TRACK_ATTRS(X)                                              \
    X("course", "course_deg")                                               \
    X("speed", "speed_mps")                                                 \
    X("slope", "slope_deg")                                                 \
    X("eCourse", "e_course_deg")                                            \
    X("eSpeed", "e_speed_mps")                                              \
    X("eSlope", "e_slope_deg")

/* libxml2 parse of untrusted bytes: no network, no DTD (a DOCTYPE makes the
 * document malformed before its internal subset is read, so no entity can
 * be declared, let alone expanded), no entity substitution. Returns an
 * xmlDocPtr (as void *, to keep libxml2 out of this header) or NULL;
 * *why says why. Free with dw__cot_xml_free. */
void *dw__cot_xml_parse(const char *buf, size_t len, const char **why);
void dw__cot_xml_free(void *doc);

/* An XML event document to its raw JSON members (written into an object the
 * caller opened, after the "wire" key) and facts. DW_ERR_PARSE with *why
 * for a malformed event, DW_ERR_NOT_FOUND when the root is not <event>. */
dw_status dw__cot_event_json(void *doc, dw_jw *w, dw__cot_facts *f, const char **why);

/* Typed detail values that arrive outside the XML (TAK protocol v1's typed
 * messages): used for the kinds the XML has no qualifying element of, as
 * TAK's rule "the element in xmlDetail wins" says. Strings point into the
 * caller's message. */
typedef struct dw__cot_extra {
    int have[DW__COT_NTYPED];
    int n[DW__COT_NTYPED];
    const char *name[DW__COT_NTYPED][4], *val[DW__COT_NTYPED][4];
    double course_deg, speed_mps; /* the track kind */
} dw__cot_extra;

/* The children of a <detail> element (an xmlNodePtr as void *, or NULL) and
 * extra (or NULL): the typed keys first, in DW__COT_TYPED order, then the
 * generic "detail" array. Used for XML events and for TAK's xmlDetail. */
dw_status dw__cot_detail_json(void *detail, const dw__cot_extra *extra, dw_jw *w,
                              dw__cot_facts *f, const char **why);

/* ---- cot_enc.c ---------------------------------------------------------- */

/* Writers from the parsed raw record (a json_t *, as void *). */
dw_status dw__cot_enc_xml(const void *rec, dw__xw *w);
/* The detail children as XML without the <detail> tags (TAK's xmlDetail):
 * the typed kinds with keep[k] == 0 are left out (they travel as
 * messages); keep NULL writes them all. */
dw_status dw__cot_enc_detail_xml(const void *rec, const int keep[DW__COT_NTYPED], dw__xw *w);

/* ---- cot_track.c -------------------------------------------------------- */

/* Everything a track event says, computed once for both wires. */
typedef struct dw__cot_trk {
    char uid[96], type[16], callsign[32], remarks[320];
    const char *how;
    int64_t time_us, stale_us;
    double lat_deg, lon_deg, hae_m, ce_m, le_m;
    int has_track;
    double course_deg, speed_mps, slope_deg;
} dw__cot_trk;

dw_status dw__cot_track_fields(const dw_track *t, int64_t now_us, const dw_cot_track_opts *o,
                               dw__cot_trk *out);

/* ---- cot_takp.c --------------------------------------------------------- */

/* A TAK frame at buf: 1 found (*frame_len set), 0 need more bytes, -1 not a
 * TAK frame here. Mesh (0xbf, version varint, 0xbf) runs to the end of buf:
 * it only comes one per datagram. */
int dw__takp_frame(const uint8_t *buf, size_t len, size_t *frame_len);

/* Memory for protobuf-c's unpacking, made once per codec state so decoding
 * allocates nothing and a message that would need more is malformed. */
typedef struct dw__takp_arena dw__takp_arena;
dw_status dw__takp_arena_create(dw__takp_arena **out);
void dw__takp_arena_destroy(dw__takp_arena *a);

/* Decode one TAK frame (header included) into JSON members of an object the
 * caller opened, and facts. *has_event: there was a CotEvent (facts set).
 * *xml_doc: a parsed xmlDetail the facts point into; the caller frees it
 * with dw__cot_xml_free after using the facts. DW_ERR_PARSE (malformed) or
 * DW_ERR_UNSUPPORTED (a mesh version other than 1, an empty message). */
dw_status dw__takp_decode(dw__takp_arena *a, const uint8_t *buf, size_t len, dw_jw *w,
                          dw__cot_facts *f, int *has_event, void **xml_doc, const char **why);

dw_status dw__takp_enc(const void *rec, dw_cot_wire wire, uint8_t *buf, uint8_t *end,
                       uint8_t **out_end);
dw_status dw__takp_enc_track(const dw__cot_trk *f, dw_cot_wire wire, uint8_t *buf, uint8_t *end,
                             uint8_t **out_end);

#endif
