/* cot_takp.c — TAK protocol v1: CoT as protobuf (protocol.txt, takmessage.proto).
 *
 * Once a TAK server and client agree on version 1 (or mesh peers all speak
 * it), the same events travel as TakMessage protobufs behind a 0xbf header:
 * mesh datagrams are 0xbf, version varint, 0xbf, message; stream frames are
 * 0xbf, length varint, message. A CotEvent carries the event attributes as
 * fields (times in ms), a few detail elements as typed messages (contact,
 * __group, precisionlocation, status, takv, track) and the rest of <detail>
 * as XML text (xmlDetail). This file maps that to the same raw record an XML
 * event gives, and back, following detail.proto's rules: a typed message is
 * used only for an element that converts whole and appears once; an element
 * in xmlDetail wins over its typed message.
 *
 * protobuf-c unpacks into an arena made with the codec state, so decoding
 * allocates nothing and a message that would need more memory than its
 * frame could justify is malformed.
 */
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "cot_int.h"
#include "takmessage.pb-c.h"

typedef Atakmap__Commoncommo__Protobuf__V1__TakMessage TakMessage;
typedef Atakmap__Commoncommo__Protobuf__V1__TakControl TakControl;
typedef Atakmap__Commoncommo__Protobuf__V1__CotEvent CotEvent;
typedef Atakmap__Commoncommo__Protobuf__V1__Detail Detail;
typedef Atakmap__Commoncommo__Protobuf__V1__Contact Contact;
typedef Atakmap__Commoncommo__Protobuf__V1__Group Group;
typedef Atakmap__Commoncommo__Protobuf__V1__PrecisionLocation PrecisionLocation;
typedef Atakmap__Commoncommo__Protobuf__V1__Status Status;
typedef Atakmap__Commoncommo__Protobuf__V1__Takv Takv;
typedef Atakmap__Commoncommo__Protobuf__V1__Track Track;

#define MAGIC 0xbf

/* ---- framing ------------------------------------------------------------ */

/* An unsigned protobuf varint: 1 read (*v, *n bytes), 0 need more, -1 longer
 * than the 10 bytes protocol.txt allows. */
static int varint(const uint8_t *b, size_t len, uint64_t *v, size_t *n)
{
    uint64_t x = 0;
    for (size_t i = 0; i < 10; i++) {
        if (i >= len)
            return 0;
        x |= (uint64_t)(b[i] & 0x7f) << (7 * i);
        if (!(b[i] & 0x80)) {
            *v = x;
            *n = i + 1;
            return 1;
        }
    }
    return -1;
}

int dw__takp_frame(const uint8_t *buf, size_t len, size_t *frame_len)
{
    if (len < 1 || buf[0] != MAGIC)
        return -1;
    uint64_t v;
    size_t vl;
    int r = varint(buf + 1, len - 1, &v, &vl);
    if (r <= 0)
        return r;
    if (1 + vl >= len)
        return 0; /* mesh or stream: the next byte tells */
    if (buf[1 + vl] == MAGIC) {
        /* Mesh: one message per datagram, to its end. A payload cannot
         * start with 0xbf (wire type 7 does not exist), so a stream frame
         * never looks like this. */
        *frame_len = len < DW_COT_MAX_FRAME ? len : DW_COT_MAX_FRAME;
        return 1;
    }
    if (v > DW_COT_MAX_FRAME)
        return -1;
    /* A TakMessage starts with field 1 or 2 (length-delimited) unless it is
     * empty; anything else is a stray 0xbf, and waiting for its "length"
     * would stall the stream. */
    if (v > 0 && buf[1 + vl] != 0x0a && buf[1 + vl] != 0x12)
        return -1;
    if (1 + vl + v > len)
        return 0;
    *frame_len = (size_t)(1 + vl + v);
    return 1;
}

/* ---- the arena ---------------------------------------------------------- */

struct dw__takp_arena {
    ProtobufCAllocator pa;
    uint8_t *mem;
    size_t cap, used;
};

static void *arena_alloc(void *data, size_t n)
{
    dw__takp_arena *a = data;
    size_t off = (a->used + 15) & ~(size_t)15;
    if (off > a->cap || n > a->cap - off)
        return NULL;
    a->used = off + n;
    return a->mem + off;
}

static void arena_free(void *data, void *p) { (void)data, (void)p; }

dw_status dw__takp_arena_create(dw__takp_arena **out)
{
    dw__takp_arena *a = calloc(1, sizeof *a);
    if (!a)
        return DW_ERR_NOMEM;
    /* The message structs and a copy of every string, plus the xmlDetail
     * document text: a few times the largest frame. */
    a->cap = 4 * (size_t)DW_COT_MAX_FRAME;
    a->mem = malloc(a->cap);
    if (!a->mem) {
        free(a);
        return DW_ERR_NOMEM;
    }
    a->pa.alloc = arena_alloc;
    a->pa.free = arena_free;
    a->pa.allocator_data = a;
    *out = a;
    return DW_OK;
}

void dw__takp_arena_destroy(dw__takp_arena *a)
{
    if (!a)
        return;
    free(a->mem);
    free(a);
}

/* ---- decoding ----------------------------------------------------------- */

static int str_ok(const char *s) { return s && dw__cot_utf8_ok(s, strlen(s)); }

static void extra_add(dw__cot_extra *x, int k, const char *name, const char *val)
{
    x->have[k] = 1;
    x->name[k][x->n[k]] = name;
    x->val[k][x->n[k]] = val;
    x->n[k]++;
}

static dw_status ms_to_us(uint64_t ms, int64_t *us)
{
    char tmp[40];
    if (ms > (uint64_t)INT64_MAX / 1000)
        return DW_ERR_PARSE;
    /* Only times the XML form can write, so the record survives either wire. */
    if (dw_cot_time_format((int64_t)ms * 1000, tmp, sizeof tmp) != DW_OK)
        return DW_ERR_PARSE;
    *us = (int64_t)ms * 1000;
    return DW_OK;
}

dw_status dw__takp_decode(dw__takp_arena *a, const uint8_t *buf, size_t len, dw_jw *w,
                          dw__cot_facts *f, int *has_event, void **xml_doc, const char **why)
{
    *has_event = 0;
    *xml_doc = NULL;
    uint64_t v;
    size_t vl;
    if (len < 2 || buf[0] != MAGIC || varint(buf + 1, len - 1, &v, &vl) != 1 || 1 + vl > len) {
        *why = "bad TAK header";
        return DW_ERR_PARSE;
    }
    int mesh = 1 + vl < len && buf[1 + vl] == MAGIC;
    const uint8_t *pl;
    size_t plen;
    if (mesh) {
        if (v != 1) {
            *why = "TAK protocol version other than 1";
            return DW_ERR_UNSUPPORTED;
        }
        pl = buf + 2 + vl;
        plen = len - 2 - vl;
    } else {
        if (v != len - 1 - vl) {
            *why = "TAK stream length does not match the frame";
            return DW_ERR_PARSE;
        }
        pl = buf + 1 + vl;
        plen = (size_t)v;
    }
    a->used = 0;
    TakMessage *m = atakmap__commoncommo__protobuf__v1__tak_message__unpack(&a->pa, plen, pl);
    if (!m) {
        *why = "bad TakMessage protobuf";
        return DW_ERR_PARSE;
    }
    if (!m->takcontrol && !m->cotevent) {
        *why = "empty TakMessage";
        return DW_ERR_UNSUPPORTED;
    }
    dw_jw_kstr(w, "wire", mesh ? "takp_mesh" : "takp_stream");
    if (m->takcontrol) {
        TakControl *c = m->takcontrol;
        if (!str_ok(c->contactuid)) {
            *why = "TakControl contactUid is not UTF-8";
            return DW_ERR_PARSE;
        }
        dw_jw_key(w, "takcontrol");
        dw_jw_obj(w);
        dw_jw_kint(w, "min_version", c->minprotoversion);
        dw_jw_kint(w, "max_version", c->maxprotoversion);
        dw_jw_kstr(w, "contact_uid", c->contactuid);
        dw_jw_obj_end(w);
    }
    CotEvent *e = m->cotevent;
    if (!e)
        return DW_OK;

    memset(f, 0, sizeof *f);
    if (!str_ok(e->type) || !str_ok(e->access) || !str_ok(e->qos) || !str_ok(e->opex) ||
        !str_ok(e->uid) || !str_ok(e->how)) {
        *why = "CotEvent string is not UTF-8";
        return DW_ERR_PARSE;
    }
    int64_t t[3];
    if (ms_to_us(e->sendtime, &t[0]) || ms_to_us(e->starttime, &t[1]) ||
        ms_to_us(e->staletime, &t[2])) {
        *why = "CotEvent time outside years 0001-9999";
        return DW_ERR_PARSE;
    }
    if (!isfinite(e->lat) || !isfinite(e->lon) || !isfinite(e->hae) || !isfinite(e->ce) ||
        !isfinite(e->le) || fabs(e->lat) > 90.0 || fabs(e->lon) > 180.0) {
        *why = "CotEvent point not finite or out of range";
        return DW_ERR_PARSE;
    }

    dw__cot_extra x;
    memset(&x, 0, sizeof x);
    char battery[24];
    xmlNodePtr detail = NULL;
    Detail *d = e->detail;
    if (d) {
        if (d->contact) {
            if (!str_ok(d->contact->callsign) || !str_ok(d->contact->endpoint))
                goto bad_utf8;
            extra_add(&x, DW__COT_T_CONTACT, "callsign", d->contact->callsign);
            if (d->contact->endpoint[0]) /* "if missing/empty do not populate" */
                extra_add(&x, DW__COT_T_CONTACT, "endpoint", d->contact->endpoint);
        }
        if (d->group) {
            if (!str_ok(d->group->name) || !str_ok(d->group->role))
                goto bad_utf8;
            extra_add(&x, DW__COT_T_GROUP, "name", d->group->name);
            extra_add(&x, DW__COT_T_GROUP, "role", d->group->role);
        }
        if (d->precisionlocation) {
            PrecisionLocation *p = d->precisionlocation;
            if (!str_ok(p->geopointsrc) || !str_ok(p->altsrc))
                goto bad_utf8;
            extra_add(&x, DW__COT_T_PRECISIONLOCATION, "geopointsrc", p->geopointsrc);
            extra_add(&x, DW__COT_T_PRECISIONLOCATION, "altsrc", p->altsrc);
        }
        if (d->status) {
            snprintf(battery, sizeof battery, "%" PRIu32, d->status->battery);
            extra_add(&x, DW__COT_T_STATUS, "battery", battery);
        }
        if (d->takv) {
            Takv *k = d->takv;
            if (!str_ok(k->device) || !str_ok(k->platform) || !str_ok(k->os) ||
                !str_ok(k->version))
                goto bad_utf8;
            extra_add(&x, DW__COT_T_TAKV, "device", k->device);
            extra_add(&x, DW__COT_T_TAKV, "platform", k->platform);
            extra_add(&x, DW__COT_T_TAKV, "os", k->os);
            extra_add(&x, DW__COT_T_TAKV, "version", k->version);
        }
        if (d->track) {
            if (!isfinite(d->track->course) || !isfinite(d->track->speed)) {
                *why = "Track not finite";
                return DW_ERR_PARSE;
            }
            x.have[DW__COT_T_TRACK] = 1;
            x.course_deg = d->track->course;
            x.speed_mps = d->track->speed;
        }
        if (d->xmldetail && d->xmldetail[0]) {
            /* The receiver's recipe: wrap in <detail>, read as a document. */
            size_t n = strlen(d->xmldetail);
            char *doc = arena_alloc(a, n + 20);
            if (!doc) {
                *why = "xmlDetail too large";
                return DW_ERR_PARSE;
            }
            memcpy(doc, "<detail>", 8);
            memcpy(doc + 8, d->xmldetail, n);
            memcpy(doc + 8 + n, "</detail>", 9);
            xmlDocPtr xd = dw__cot_xml_parse(doc, n + 17, why);
            if (!xd)
                return DW_ERR_PARSE;
            *xml_doc = xd;
            detail = xmlDocGetRootElement(xd);
        }
    }

    f->uid = e->uid;
    f->type = e->type;
    f->time_us = t[0];
    f->lat_deg = e->lat;
    f->lon_deg = e->lon;
    f->hae_m = e->hae;
    f->ce_m = e->ce;
    f->le_m = e->le;
    /* CotEvent has no version: protocol v1 carries CoT 2.0. */
    dw_jw_kstr(w, "version", "2.0");
    dw_jw_kstr(w, "uid", e->uid);
    dw_jw_kstr(w, "cot_type", e->type);
    if (e->how[0])
        dw_jw_kstr(w, "how", e->how);
    if (e->access[0])
        dw_jw_kstr(w, "access", e->access);
    if (e->qos[0])
        dw_jw_kstr(w, "qos", e->qos);
    if (e->opex[0])
        dw_jw_kstr(w, "opex", e->opex);
    dw_jw_kint(w, "time_us", t[0]);
    dw_jw_kint(w, "start_us", t[1]);
    dw_jw_kint(w, "stale_us", t[2]);
    dw_jw_key(w, "point");
    dw_jw_obj(w);
    dw_jw_kdouble(w, "lat_deg", e->lat);
    dw_jw_kdouble(w, "lon_deg", e->lon);
    dw_jw_kdouble(w, "hae_m", e->hae);
    dw_jw_kdouble(w, "ce_m", e->ce);
    dw_jw_kdouble(w, "le_m", e->le);
    dw_jw_obj_end(w);
    dw_status st = dw__cot_detail_json(detail, &x, w, f, why);
    if (st != DW_OK)
        return st;
    *has_event = 1;
    return DW_OK;

bad_utf8:
    *why = "Detail string is not UTF-8";
    return DW_ERR_PARSE;
}

/* ---- encoding ----------------------------------------------------------- */

static char *empty(void) { return (char *)protobuf_c_empty_string; }

/* The string member k of o, or "" (proto3 cannot tell absent from empty). */
static dw_status str_member(json_t *o, const char *k, char **out)
{
    json_t *v = json_object_get(o, k);
    if (!v) {
        *out = empty();
        return DW_OK;
    }
    if (!json_is_string(v))
        return DW_ERR_INVALID;
    *out = (char *)json_string_value(v);
    return DW_OK;
}

/* o is an object whose keys are exactly `keys` (n of them), all strings. */
static int exactly(json_t *o, const char *const *keys, size_t n)
{
    if (!json_is_object(o) || json_object_size(o) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!json_is_string(json_object_get(o, keys[i])))
            return 0;
    return 1;
}

static int canonical_u32(const char *s, uint32_t *out)
{
    size_t n = strlen(s);
    if (n == 0 || n > 10 || (n > 1 && s[0] == '0'))
        return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v > UINT32_MAX)
        return 0;
    *out = (uint32_t)v;
    return 1;
}

/* Whether typed value v of kind k converts whole to its message. */
static int converts(int k, json_t *v)
{
    static const char *const group[] = {"name", "role"};
    static const char *const pl[] = {"geopointsrc", "altsrc"};
    static const char *const takv[] = {"device", "platform", "os", "version"};
    switch (k) {
    case DW__COT_T_CONTACT: {
        json_t *cs = json_object_get(v, "callsign"), *ep = json_object_get(v, "endpoint");
        size_t n = json_object_size(v);
        return json_is_string(cs) && n == 1u + (ep != NULL) &&
               (!ep || (json_is_string(ep) && json_string_length(ep) > 0));
    }
    case DW__COT_T_GROUP:
        return exactly(v, group, 2);
    case DW__COT_T_PRECISIONLOCATION:
        return exactly(v, pl, 2);
    case DW__COT_T_TAKV:
        return exactly(v, takv, 4);
    case DW__COT_T_STATUS: {
        static const char *const b[] = {"battery"};
        uint32_t u;
        return exactly(v, b, 1) && canonical_u32(json_string_value(json_object_get(v, "battery")), &u);
    }
    case DW__COT_T_TRACK:
        return json_is_object(v) && json_object_size(v) == 2 &&
               json_is_number(json_object_get(v, "course_deg")) &&
               json_is_number(json_object_get(v, "speed_mps"));
    default:
        return 0; /* remarks has no message */
    }
}

static dw_status put_frame(const TakMessage *m, dw_cot_wire wire, uint8_t *buf, uint8_t *end,
                           uint8_t **out_end)
{
    size_t size = atakmap__commoncommo__protobuf__v1__tak_message__get_packed_size(m);
    uint8_t hdr[12];
    size_t h = 0;
    hdr[h++] = MAGIC;
    if (wire == DW_COT_WIRE_TAKP_MESH) {
        hdr[h++] = 0x01;
        hdr[h++] = MAGIC;
    } else {
        uint64_t v = size;
        do {
            hdr[h++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
            v >>= 7;
        } while (v);
    }
    if ((size_t)(end - buf) < h || (size_t)(end - buf) - h < size)
        return DW_ERR_FULL;
    memcpy(buf, hdr, h);
    atakmap__commoncommo__protobuf__v1__tak_message__pack(m, buf + h);
    *out_end = buf + h + size;
    return DW_OK;
}

static dw_status us_to_ms(json_t *rec, const char *key, uint64_t *ms)
{
    json_t *v = json_object_get(rec, key);
    if (!json_is_integer(v))
        return DW_ERR_INVALID;
    json_int_t us = json_integer_value(v);
    if (us < 0)
        return DW_ERR_RANGE; /* protobuf times are unsigned */
    *ms = (uint64_t)us / 1000u;
    return DW_OK;
}

dw_status dw__takp_enc(const void *recp, dw_cot_wire wire, uint8_t *buf, uint8_t *end,
                       uint8_t **out_end)
{
    json_t *rec = (json_t *)recp;
    TakMessage m = ATAKMAP__COMMONCOMMO__PROTOBUF__V1__TAK_MESSAGE__INIT;
    TakControl tc = ATAKMAP__COMMONCOMMO__PROTOBUF__V1__TAK_CONTROL__INIT;
    CotEvent ev = ATAKMAP__COMMONCOMMO__PROTOBUF__V1__COT_EVENT__INIT;
    Detail d = ATAKMAP__COMMONCOMMO__PROTOBUF__V1__DETAIL__INIT;
    Contact c = ATAKMAP__COMMONCOMMO__PROTOBUF__V1__CONTACT__INIT;
    Group g = ATAKMAP__COMMONCOMMO__PROTOBUF__V1__GROUP__INIT;
    PrecisionLocation pl = ATAKMAP__COMMONCOMMO__PROTOBUF__V1__PRECISION_LOCATION__INIT;
    Status s = ATAKMAP__COMMONCOMMO__PROTOBUF__V1__STATUS__INIT;
    Takv tv = ATAKMAP__COMMONCOMMO__PROTOBUF__V1__TAKV__INIT;
    Track tr = ATAKMAP__COMMONCOMMO__PROTOBUF__V1__TRACK__INIT;
    dw_status st = DW_OK;
    char *xml = NULL;

    json_t *ctl = json_object_get(rec, "takcontrol");
    if (ctl) {
        json_t *lo = json_object_get(ctl, "min_version"), *hi = json_object_get(ctl, "max_version");
        if (!json_is_object(ctl) || !json_is_integer(lo) || !json_is_integer(hi) ||
            json_integer_value(lo) < 0 || json_integer_value(lo) > UINT32_MAX ||
            json_integer_value(hi) < 0 || json_integer_value(hi) > UINT32_MAX ||
            str_member(ctl, "contact_uid", &tc.contactuid))
            return DW_ERR_INVALID;
        tc.minprotoversion = (uint32_t)json_integer_value(lo);
        tc.maxprotoversion = (uint32_t)json_integer_value(hi);
        m.takcontrol = &tc;
    }
    if (json_object_get(rec, "uid")) {
        if (!json_is_string(json_object_get(rec, "uid")) ||
            !json_is_string(json_object_get(rec, "cot_type")) || str_member(rec, "uid", &ev.uid) ||
            str_member(rec, "cot_type", &ev.type) || str_member(rec, "how", &ev.how) ||
            str_member(rec, "access", &ev.access) || str_member(rec, "qos", &ev.qos) ||
            str_member(rec, "opex", &ev.opex))
            return DW_ERR_INVALID;
        if ((st = us_to_ms(rec, "time_us", &ev.sendtime)) != DW_OK ||
            (st = us_to_ms(rec, "start_us", &ev.starttime)) != DW_OK ||
            (st = us_to_ms(rec, "stale_us", &ev.staletime)) != DW_OK)
            return st;
        json_t *pt = json_object_get(rec, "point");
        static const char *const pkeys[] = {"lat_deg", "lon_deg", "hae_m", "ce_m", "le_m"};
        double pv[5] = {0, 0, DW_COT_UNKNOWN, DW_COT_UNKNOWN, DW_COT_UNKNOWN};
        if (!json_is_object(pt))
            return DW_ERR_INVALID;
        for (int i = 0; i < 5; i++) {
            json_t *v = json_object_get(pt, pkeys[i]);
            if (!v && i >= 2)
                continue;
            if (!json_is_number(v))
                return DW_ERR_INVALID;
            pv[i] = json_number_value(v);
        }
        if (fabs(pv[0]) > 90.0 || fabs(pv[1]) > 180.0)
            return DW_ERR_RANGE;
        ev.lat = pv[0], ev.lon = pv[1], ev.hae = pv[2], ev.ce = pv[3], ev.le = pv[4];

        /* Which typed values travel as messages: those that convert whole
         * and whose element name appears nowhere else in the detail. */
        json_t *generic = json_object_get(rec, "detail");
        if (generic && !json_is_array(generic))
            return DW_ERR_INVALID;
        int keep[DW__COT_NTYPED], any_msg = 0, any_xml = generic && json_array_size(generic);
        for (int k = 0; k < DW__COT_NTYPED; k++) {
            json_t *v = json_object_get(rec, dw__cot_typed_key[k]);
            keep[k] = 1;
            if (!v)
                continue;
            int dup = 0;
            size_t i;
            json_t *el;
            json_array_foreach(generic, i, el) {
                json_t *nm = json_object_get(el, "name");
                dup |= json_is_string(nm) && !strcmp(json_string_value(nm), dw__cot_typed_xml[k]);
            }
            if (!dup && converts(k, v))
                keep[k] = 0, any_msg = 1;
            else
                any_xml = 1;
        }
        if (any_xml) {
            size_t cap = (size_t)(end - buf) + 1;
            xml = malloc(cap);
            if (!xml)
                return DW_ERR_NOMEM;
            dw__xw w = {xml, xml + cap - 1, 0};
            st = dw__cot_enc_detail_xml(rec, keep, &w);
            if (st == DW_OK && w.full)
                st = DW_ERR_FULL;
            if (st != DW_OK) {
                free(xml);
                return st;
            }
            *w.p = '\0';
            d.xmldetail = xml;
        }
        if (!keep[DW__COT_T_CONTACT]) {
            json_t *v = json_object_get(rec, "contact");
            str_member(v, "callsign", &c.callsign);
            str_member(v, "endpoint", &c.endpoint);
            d.contact = &c;
        }
        if (!keep[DW__COT_T_GROUP]) {
            json_t *v = json_object_get(rec, "group");
            str_member(v, "name", &g.name);
            str_member(v, "role", &g.role);
            d.group = &g;
        }
        if (!keep[DW__COT_T_PRECISIONLOCATION]) {
            json_t *v = json_object_get(rec, "precisionlocation");
            str_member(v, "geopointsrc", &pl.geopointsrc);
            str_member(v, "altsrc", &pl.altsrc);
            d.precisionlocation = &pl;
        }
        if (!keep[DW__COT_T_STATUS]) {
            json_t *v = json_object_get(rec, "status");
            canonical_u32(json_string_value(json_object_get(v, "battery")), &s.battery);
            d.status = &s;
        }
        if (!keep[DW__COT_T_TAKV]) {
            json_t *v = json_object_get(rec, "takv");
            str_member(v, "device", &tv.device);
            str_member(v, "platform", &tv.platform);
            str_member(v, "os", &tv.os);
            str_member(v, "version", &tv.version);
            d.takv = &tv;
        }
        if (!keep[DW__COT_T_TRACK]) {
            json_t *v = json_object_get(rec, "track");
            tr.course = json_number_value(json_object_get(v, "course_deg"));
            tr.speed = json_number_value(json_object_get(v, "speed_mps"));
            d.track = &tr;
        }
        if (any_msg || (xml && xml[0]))
            ev.detail = &d;
        m.cotevent = &ev;
    }
    if (!m.cotevent && !m.takcontrol)
        st = DW_ERR_INVALID;
    else
        st = put_frame(&m, wire, buf, end, out_end);
    free(xml);
    return st;
}

dw_status dw__takp_enc_track(const dw__cot_trk *f, dw_cot_wire wire, uint8_t *buf, uint8_t *end,
                             uint8_t **out_end)
{
    if (f->time_us < 0)
        return DW_ERR_RANGE;
    TakMessage m = ATAKMAP__COMMONCOMMO__PROTOBUF__V1__TAK_MESSAGE__INIT;
    CotEvent ev = ATAKMAP__COMMONCOMMO__PROTOBUF__V1__COT_EVENT__INIT;
    Detail d = ATAKMAP__COMMONCOMMO__PROTOBUF__V1__DETAIL__INIT;
    Contact c = ATAKMAP__COMMONCOMMO__PROTOBUF__V1__CONTACT__INIT;
    /* Our <track> has a slope, which the Track message cannot hold, so by
     * detail.proto's rule the whole element goes in xmlDetail. */
    char xml[8 * sizeof f->remarks + 256];
    dw__xw w = {xml, xml + sizeof xml - 1, 0};
    if (f->has_track) {
        dw__xw_str(&w, "<track");
        dw__xw_attr_num(&w, "course", f->course_deg);
        dw__xw_attr_num(&w, "speed", f->speed_mps);
        dw__xw_attr_num(&w, "slope", f->slope_deg);
        dw__xw_str(&w, "/>");
    }
    dw__xw_str(&w, "<remarks source=\"dronewall\">");
    dw__xw_esc(&w, f->remarks, strlen(f->remarks), 0);
    dw__xw_str(&w, "</remarks>");
    if (w.full)
        return DW_ERR_FULL;
    *w.p = '\0';
    ev.type = (char *)f->type;
    ev.uid = (char *)f->uid;
    ev.how = (char *)f->how;
    ev.sendtime = ev.starttime = (uint64_t)f->time_us / 1000u;
    ev.staletime = (uint64_t)f->stale_us / 1000u;
    ev.lat = f->lat_deg;
    ev.lon = f->lon_deg;
    ev.hae = f->hae_m;
    ev.ce = f->ce_m;
    ev.le = f->le_m;
    c.callsign = (char *)f->callsign;
    d.contact = &c;
    d.xmldetail = xml;
    ev.detail = &d;
    m.cotevent = &ev;
    return put_frame(&m, wire, buf, end, out_end);
}
