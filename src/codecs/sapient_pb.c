/* sapient_pb.c — protobuf-c reflection for SAPIENT: arena, pre-scan, field access by name,
 * message building, packing, and the JSON form of any message (see sapient_int.h for why the
 * codec goes through descriptors rather than the generated structs). */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "google/protobuf/timestamp.pb-c.h"
#include "sapient_msg/bsi_flex_335_v1_0/sapient_message.pb-c.h"
#include "sapient_msg/bsi_flex_335_v2_0/sapient_message.pb-c.h"

#include "codecs/sapient_int.h"

/* ---------------------------------------------------------------- arena */

static void *arena_pc_alloc(void *data, size_t n) { return dw__sap_alloc(data, n); }
static void arena_pc_free(void *data, void *p) { (void)data; (void)p; }

void dw__sap_arena_init(dw__sap_arena *a, void *mem, size_t cap)
{
    a->base = mem;
    a->cap = cap;
    a->used = 0;
    a->failed = 0;
    a->pc.alloc = arena_pc_alloc;
    a->pc.free = arena_pc_free;
    a->pc.allocator_data = a;
}

void *dw__sap_alloc(dw__sap_arena *a, size_t n)
{
    const size_t align = alignof(max_align_t);
    size_t at = (a->used + align - 1) & ~(align - 1);
    if (n == 0)
        n = 1;
    if (at > a->cap || n > a->cap - at) {
        a->failed = 1;
        return NULL;
    }
    a->used = at + n;
    void *p = a->base + at;
    memset(p, 0, n);
    return p;
}

char *dw__sap_strdup(dw__sap_arena *a, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = dw__sap_alloc(a, n);
    if (p)
        memcpy(p, s, n);
    return p;
}

void dw__sap_copy(char *dst, size_t cap, const char *src)
{
    if (cap == 0)
        return;
    size_t n = src ? strlen(src) : 0;
    if (n >= cap) {
        n = cap - 1;
        /* Back off over continuation bytes so a multi-byte character is not cut. */
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

/* --------------------------------------------------------------- schema */

const ProtobufCMessageDescriptor *dw__sap_root(dw_sapient_version v)
{
    switch (v) {
    case DW_SAPIENT_V1_0:
        return &sapient_msg__bsi_flex_335_v1_0__sapient_message__descriptor;
    case DW_SAPIENT_V2_0:
        return &sapient_msg__bsi_flex_335_v2_0__sapient_message__descriptor;
    }
    return NULL;
}

int dw__sap_is_timestamp(const ProtobufCMessageDescriptor *d)
{
    return d == &google__protobuf__timestamp__descriptor;
}

static size_t value_size(ProtobufCType t)
{
    switch (t) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_ENUM:
        return 4;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        return 8;
    case PROTOBUF_C_TYPE_BOOL:
        return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_FLOAT:
        return sizeof(float);
    case PROTOBUF_C_TYPE_DOUBLE:
        return sizeof(double);
    case PROTOBUF_C_TYPE_STRING:
        return sizeof(char *);
    case PROTOBUF_C_TYPE_BYTES:
        return sizeof(ProtobufCBinaryData);
    case PROTOBUF_C_TYPE_MESSAGE:
        return sizeof(ProtobufCMessage *);
    }
    return 0;
}

/* ------------------------------------------------------------- pre-scan */

static int read_varint(const uint8_t **pp, const uint8_t *end, uint64_t *out)
{
    uint64_t v = 0;
    const uint8_t *p = *pp;
    for (int shift = 0; shift < 64; shift += 7) {
        if (p >= end)
            return 0;
        uint8_t b = *p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *pp = p;
            *out = v;
            return 1;
        }
    }
    return 0;
}

/* Strings in a proto3 schema must be UTF-8; protobuf-c (proto2 here) would not check, and the
 * raw JSON could not carry anything else. NUL is refused too: C strings would cut it. */
static int utf8_ok(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c == 0)
            return 0;
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t k;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) {
            k = 1;
            cp = c & 0x1f;
        } else if (c >= 0xE0 && c <= 0xEF) {
            k = 2;
            cp = c & 0x0f;
        } else if (c >= 0xF0 && c <= 0xF4) {
            k = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (n - i <= k)
            return 0;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + j] & 0x3f);
        }
        if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += k + 1;
    }
    return 1;
}

static int wire_type_of(ProtobufCType t)
{
    switch (t) {
    case PROTOBUF_C_TYPE_DOUBLE:
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_SFIXED64:
        return 1;
    case PROTOBUF_C_TYPE_FLOAT:
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_SFIXED32:
        return 5;
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_BYTES:
    case PROTOBUF_C_TYPE_MESSAGE:
        return 2;
    default:
        return 0;
    }
}

/* SCAN_PREFIX: the bytes are the start of a message only, so running out of them mid-field
 * is no fault (whatever was there has been checked). */
enum { SCAN_TOP = 1, SCAN_REGISTRATION = 2, SCAN_PREFIX = 4 };

static int scan(const ProtobufCMessageDescriptor *d, const uint8_t *p, const uint8_t *end,
                int depth, int flags, dw__sap_scan *s)
{
    const int prefix = (flags & SCAN_PREFIX) != 0;
    /* A varint is cut (rather than over-long) when it runs into the end. */
#define CUT_VARINT(q) (prefix && (size_t)(end - (q)) < 10 && ((end[-1] & 0x80) || (q) == end))
    while (p < end) {
        uint64_t key, len;
        const uint8_t *at_key = p;
        if (!read_varint(&p, end, &key))
            return CUT_VARINT(at_key);
        uint64_t id = key >> 3;
        int wt = (int)(key & 7);
        if (id == 0 || id > 0x1fffffff)
            return 0;
        const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field(d, (unsigned)id);
        if (!f)
            s->unknown++;
        if (f && wt != wire_type_of(f->type)) {
            /* A packed repeated scalar is the only other legal form. */
            if (!(wt == 2 && f->label == PROTOBUF_C_LABEL_REPEATED && wire_type_of(f->type) != 2))
                return 0;
        }
        const uint8_t *at_value = p;
        int cut = 0;
        switch (wt) {
        case 0:
            if (!read_varint(&p, end, &len))
                return CUT_VARINT(at_value);
            break;
        case 1:
            if (end - p < 8)
                return prefix;
            p += 8;
            break;
        case 5:
            if (end - p < 4)
                return prefix;
            p += 4;
            break;
        case 2:
            if (!read_varint(&p, end, &len))
                return CUT_VARINT(at_value);
            if (len > (uint64_t)(end - p)) {
                if (!prefix)
                    return 0;
                cut = 1;
                len = (uint64_t)(end - p);
            }
            if (f && f->type == PROTOBUF_C_TYPE_MESSAGE) {
                if (depth + 1 > DW_SAPIENT_DEPTH_MAX)
                    return 0;
                int sub = ((flags & SCAN_TOP) && id == 4 ? SCAN_REGISTRATION : 0) | (cut ? SCAN_PREFIX : 0);
                if (!scan(f->descriptor, p, p + len, depth + 1, sub, s))
                    return 0;
                if ((flags & SCAN_TOP) && (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
                    s->content = (int)id;
                if ((flags & SCAN_TOP) && id == 1)
                    s->has_time = 1;
            } else if (f && wire_type_of(f->type) != 2) {
                /* A packed array: whole values only, as protobuf-c will insist. */
                int w = wire_type_of(f->type);
                if (w == 1 && len % 8)
                    return 0;
                if (w == 5 && len % 4)
                    return 0;
                if (cut)
                    return 1;
                const uint8_t *q = p, *qe = p + len;
                uint64_t ignored;
                while (w == 0 && q < qe)
                    if (!read_varint(&q, qe, &ignored))
                        return 0;
            } else if (f && f->type == PROTOBUF_C_TYPE_STRING) {
                /* A cut string may end inside a character: decode checks it whole. */
                if (!cut && !utf8_ok(p, (size_t)len))
                    return 0;
                if ((flags & SCAN_TOP) && id == 2) {
                    s->node_id = p;
                    s->node_id_len = (size_t)len;
                }
                if ((flags & SCAN_REGISTRATION) && id == 2) {
                    s->icd_version = p;
                    s->icd_version_len = (size_t)len;
                }
            }
            p += len;
            if (cut)
                return 1;
            break;
        default:
            return 0;   /* groups: not in any SAPIENT schema */
        }
    }
    return 1;
#undef CUT_VARINT
}

void dw__sap_prescan(const ProtobufCMessageDescriptor *d, const uint8_t *buf, size_t len,
                     dw__sap_scan *out)
{
    memset(out, 0, sizeof *out);
    out->ok = scan(d, buf, buf + len, 0, SCAN_TOP, out);
}

int dw__sap_plausible(const uint8_t *msg, size_t len, dw__sap_scan *out)
{
    size_t w = len < DW__SAP_PLAUSIBLE_WINDOW ? len : DW__SAP_PLAUSIBLE_WINDOW;
    for (int v = DW_SAPIENT_V2_0; v >= DW_SAPIENT_V1_0; v--) {
        dw__sap_scan s;
        memset(&s, 0, sizeof s);
        s.ok = scan(dw__sap_root((dw_sapient_version)v), msg, msg + w, 0,
                    SCAN_TOP | (w < len ? SCAN_PREFIX : 0), &s);
        if (s.ok && s.content) {
            if (out)
                *out = s;
            return 1;
        }
    }
    return 0;
}

dw_status dw__sap_pick_version(const uint8_t *msg, size_t len, dw_sapient_version hint,
                               dw__sap_node_version_fn node_version, void *ctx,
                               dw_sapient_version *out, const char **how, dw__sap_scan *scan_out)
{
    dw__sap_scan s[3];
    int ok[3] = {0, 0, 0};
    int forced = hint == DW_SAPIENT_V1_0 || hint == DW_SAPIENT_V2_0;
    for (int v = 1; v <= 2; v++) {
        if (forced && v != (int)hint)
            continue;   /* the other version's scan could not change the pick */
        dw__sap_prescan(dw__sap_root((dw_sapient_version)v), msg, len, &s[v]);
        ok[v] = s[v].ok && s[v].content != 0;
    }
    dw_sapient_version pick = 0;
    const char *why = NULL;
    if (forced) {
        pick = hint;
        why = "config";
    } else {
        dw_sapient_version reg = 0;
        for (int v = 2; v >= 1 && !reg; v--) {
            if (ok[v] && s[v].content == 4 && s[v].icd_version) {
                char text[64];
                size_t n = s[v].icd_version_len < sizeof text - 1 ? s[v].icd_version_len : sizeof text - 1;
                memcpy(text, s[v].icd_version, n);
                text[n] = '\0';
                dw_sapient_version r;
                if (dw_sapient_version_parse(text, &r) == DW_OK && ok[r])
                    reg = r;
            }
        }
        if (reg) {
            pick = reg;
            why = "registration";
        } else if (ok[1] && ok[2] && s[1].unknown == s[2].unknown) {
            dw_sapient_version nv = node_version && s[2].node_id
                                        ? node_version(ctx, s[2].node_id, s[2].node_id_len) : 0;
            if (nv == DW_SAPIENT_V1_0 || nv == DW_SAPIENT_V2_0) {
                pick = nv;
                why = "node";
            } else {
                pick = DW_SAPIENT_V2_0;
                why = "default";
            }
        } else if (ok[1] && (!ok[2] || s[1].unknown < s[2].unknown)) {
            pick = DW_SAPIENT_V1_0;
            why = "fields";
        } else if (ok[2]) {
            pick = DW_SAPIENT_V2_0;
            why = "fields";
        }
    }
    if (!pick || !ok[pick])
        return DW_ERR_PARSE;
    *out = pick;
    if (how)
        *how = why;
    if (scan_out)
        *scan_out = s[pick];
    return DW_OK;
}

ProtobufCMessage *dw__sap_unpack(dw__sap_arena *a, dw_sapient_version v, const uint8_t *msg,
                                 size_t len)
{
    const ProtobufCMessageDescriptor *d = dw__sap_root(v);
    if (!d)
        return NULL;
    return protobuf_c_message_unpack(d, &a->pc, len, msg);
}

/* --------------------------------------------------------- field access */

/* Field lookups by name are the typed readers' and builders' every step, and protobuf-c's is a
 * binary search of strcmp()s. The names they pass are literals, so a small cache keyed on the
 * descriptor and the name's address finds most again at once; a hit is confirmed with one
 * strcmp, so a caller's reused buffer cannot get a stale answer. Per thread: nothing shared. */
#define FIELD_CACHE 512
static _Thread_local struct {
    const ProtobufCMessageDescriptor *d;
    const char *name;
    const ProtobufCFieldDescriptor *f;
} field_cache[FIELD_CACHE];

const ProtobufCFieldDescriptor *dw__sap_field(const ProtobufCMessage *m, const char *name)
{
    if (!m || !name)
        return NULL;
    const ProtobufCMessageDescriptor *d = m->descriptor;
    uintptr_t h = (uintptr_t)d * 0x9E3779B1u ^ (uintptr_t)name * 0x85EBCA6Bu;
    size_t k = (size_t)(h ^ h >> 13) % FIELD_CACHE;
    if (field_cache[k].d == d && field_cache[k].name == name &&
        !strcmp(field_cache[k].f->name, name))
        return field_cache[k].f;
    const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(d, name);
    if (f) {
        field_cache[k].d = d;
        field_cache[k].name = name;
        field_cache[k].f = f;
    }
    return f;
}

static const void *at(const ProtobufCMessage *m, unsigned off)
{
    return (const char *)m + off;
}

int dw__sap_present(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
    if (!m || !f)
        return 0;
    if (f->label == PROTOBUF_C_LABEL_REPEATED)
        return *(const size_t *)at(m, f->quantifier_offset) > 0;
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
        return *(const uint32_t *)at(m, f->quantifier_offset) == f->id;
    if (f->type == PROTOBUF_C_TYPE_STRING || f->type == PROTOBUF_C_TYPE_MESSAGE)
        return *(void *const *)at(m, f->offset) != NULL;
    if (f->label == PROTOBUF_C_LABEL_REQUIRED)
        return 1;
    return *(const protobuf_c_boolean *)at(m, f->quantifier_offset) != 0;
}

size_t dw__sap_count(const ProtobufCMessage *m, const char *name)
{
    const ProtobufCFieldDescriptor *f = dw__sap_field(m, name);
    if (!f)
        return 0;
    if (f->label == PROTOBUF_C_LABEL_REPEATED)
        return *(const size_t *)at(m, f->quantifier_offset);
    return dw__sap_present(m, f) ? 1 : 0;
}

/* The idx-th value of a field (idx 0 for a singular one), or NULL. */
static const void *value_at(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f, size_t idx)
{
    if (!f || !dw__sap_present(m, f))
        return NULL;
    if (f->label == PROTOBUF_C_LABEL_REPEATED) {
        if (idx >= *(const size_t *)at(m, f->quantifier_offset))
            return NULL;
        const char *base = *(const char *const *)at(m, f->offset);
        return base + idx * value_size(f->type);
    }
    return idx == 0 ? at(m, f->offset) : NULL;
}

static int number_of(const ProtobufCFieldDescriptor *f, const void *p, double *d, int64_t *i)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_ENUM:
        *i = *(const int32_t *)p;
        *d = (double)*i;
        return 1;
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        *i = *(const uint32_t *)p;
        *d = (double)*i;
        return 1;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        *i = *(const int64_t *)p;
        *d = (double)*i;
        return 1;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64: {
        uint64_t u = *(const uint64_t *)p;
        *i = u > INT64_MAX ? INT64_MAX : (int64_t)u;
        *d = (double)u;
        return 1;
    }
    case PROTOBUF_C_TYPE_BOOL:
        *i = *(const protobuf_c_boolean *)p != 0;
        *d = (double)*i;
        return 1;
    case PROTOBUF_C_TYPE_FLOAT:
        *d = *(const float *)p;
        *i = 0;
        return 1;
    case PROTOBUF_C_TYPE_DOUBLE:
        *d = *(const double *)p;
        *i = 0;
        return 1;
    default:
        return 0;
    }
}

int dw__sap_get_double(const ProtobufCMessage *m, const char *name, double *out)
{
    const ProtobufCFieldDescriptor *f = dw__sap_field(m, name);
    const void *p = value_at(m, f, 0);
    double d;
    int64_t i;
    if (!p || !number_of(f, p, &d, &i))
        return 0;
    *out = d;
    return 1;
}

int dw__sap_get_float(const ProtobufCMessage *m, const char *name, float *out)
{
    const ProtobufCFieldDescriptor *f = dw__sap_field(m, name);
    const void *p = value_at(m, f, 0);
    if (!p)
        return 0;
    if (f->type == PROTOBUF_C_TYPE_FLOAT) {
        *out = *(const float *)p;
        return 1;
    }
    double d;
    int64_t i;
    if (!number_of(f, p, &d, &i))
        return 0;
    *out = (float)d;
    return 1;
}

int dw__sap_get_int(const ProtobufCMessage *m, const char *name, int64_t *out)
{
    const ProtobufCFieldDescriptor *f = dw__sap_field(m, name);
    const void *p = value_at(m, f, 0);
    double d;
    int64_t i;
    if (!p || !number_of(f, p, &d, &i) || f->type == PROTOBUF_C_TYPE_FLOAT ||
        f->type == PROTOBUF_C_TYPE_DOUBLE)
        return 0;
    *out = i;
    return 1;
}

const char *dw__sap_get_str(const ProtobufCMessage *m, const char *name, size_t idx)
{
    const ProtobufCFieldDescriptor *f = dw__sap_field(m, name);
    if (!f || f->type != PROTOBUF_C_TYPE_STRING)
        return NULL;
    const void *p = value_at(m, f, idx);
    return p ? *(const char *const *)p : NULL;
}

const ProtobufCMessage *dw__sap_get_msg(const ProtobufCMessage *m, const char *name, size_t idx)
{
    const ProtobufCFieldDescriptor *f = dw__sap_field(m, name);
    if (!f || f->type != PROTOBUF_C_TYPE_MESSAGE)
        return NULL;
    const void *p = value_at(m, f, idx);
    return p ? *(const ProtobufCMessage *const *)p : NULL;
}

/* Timestamps outside years 1..9999 are not times (the protobuf JSON mapping's range). */
#define TS_MIN_S (-62135596800LL)
#define TS_MAX_S (253402300799LL)

static int ts_valid(const Google__Protobuf__Timestamp *ts)
{
    return ts->seconds >= TS_MIN_S && ts->seconds <= TS_MAX_S && ts->nanos >= 0 &&
           ts->nanos <= 999999999;
}

int dw__sap_get_time_us(const ProtobufCMessage *m, const char *name, int64_t *out)
{
    const ProtobufCMessage *t = dw__sap_get_msg(m, name, 0);
    if (!t || !dw__sap_is_timestamp(t->descriptor))
        return 0;
    const Google__Protobuf__Timestamp *ts = (const Google__Protobuf__Timestamp *)t;
    if (!ts_valid(ts))
        return 0;
    *out = ts->seconds * 1000000 + ts->nanos / 1000;
    return 1;
}

const char *dw__sap_oneof_case(const ProtobufCMessage *m, const char *member)
{
    const ProtobufCFieldDescriptor *f = dw__sap_field(m, member);
    if (!f || !(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
        return NULL;
    uint32_t c = *(const uint32_t *)at(m, f->quantifier_offset);
    const ProtobufCFieldDescriptor *g = protobuf_c_message_descriptor_get_field(m->descriptor, c);
    return g ? g->name : NULL;
}

/* ------------------------------------------------------------- building */

ProtobufCMessage *dw__sap_new(dw__sap_arena *a, const ProtobufCMessageDescriptor *d)
{
    void *mem = dw__sap_alloc(a, d->sizeof_message);
    if (mem)
        protobuf_c_message_init(d, mem);
    return mem;
}

static void *slot(ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
    return (char *)m + f->offset;
}

/* Room for one more value of a repeated field; the array is copied into a larger one (the
 * arrays a builder appends to are a handful of entries long). */
static void *append(dw__sap_arena *a, ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
    size_t *n = (size_t *)((char *)m + f->quantifier_offset);
    void **arr = slot(m, f);
    size_t sz = value_size(f->type);
    char *grown = dw__sap_alloc(a, (*n + 1) * sz);
    if (!grown)
        return NULL;
    if (*n)
        memcpy(grown, *arr, *n * sz);
    *arr = grown;
    return grown + (*n)++ * sz;
}

/* Where to write a singular value, marking it present. */
static void *mark(ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
    if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
        *(uint32_t *)((char *)m + f->quantifier_offset) = f->id;
    else if (f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE &&
             f->label == PROTOBUF_C_LABEL_OPTIONAL)
        *(protobuf_c_boolean *)((char *)m + f->quantifier_offset) = 1;
    return slot(m, f);
}

static dw_status store_number(void *p, const ProtobufCFieldDescriptor *f, double d, int64_t i, int is_int)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_ENUM:
        if (!is_int || i < INT32_MIN || i > INT32_MAX)
            return DW_ERR_RANGE;
        *(int32_t *)p = (int32_t)i;
        return DW_OK;
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        if (!is_int || i < 0 || i > (int64_t)UINT32_MAX)
            return DW_ERR_RANGE;
        *(uint32_t *)p = (uint32_t)i;
        return DW_OK;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        if (!is_int)
            return DW_ERR_RANGE;
        *(int64_t *)p = i;
        return DW_OK;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        if (!is_int || i < 0)
            return DW_ERR_RANGE;
        *(uint64_t *)p = (uint64_t)i;
        return DW_OK;
    case PROTOBUF_C_TYPE_BOOL:
        if (!is_int || (i != 0 && i != 1))
            return DW_ERR_RANGE;
        *(protobuf_c_boolean *)p = (protobuf_c_boolean)i;
        return DW_OK;
    case PROTOBUF_C_TYPE_FLOAT:
        if (is_int)
            d = (double)i;
        if (isfinite(d) && fabs(d) > FLT_MAX)
            return DW_ERR_RANGE;
        *(float *)p = (float)d;
        return DW_OK;
    case PROTOBUF_C_TYPE_DOUBLE:
        *(double *)p = is_int ? (double)i : d;
        return DW_OK;
    default:
        return DW_ERR_INVALID;
    }
}

static dw_status set_number(ProtobufCMessage *m, const char *name, double d, int64_t i, int is_int)
{
    const ProtobufCFieldDescriptor *f = dw__sap_field(m, name);
    if (!f)
        return DW_ERR_NOT_FOUND;
    if (f->label == PROTOBUF_C_LABEL_REPEATED)
        return DW_ERR_INVALID;      /* the typed builders set no repeated numbers */
    char tmp[8];
    dw_status st = store_number(tmp, f, d, i, is_int);
    if (st != DW_OK)
        return st;
    memcpy(mark(m, f), tmp, value_size(f->type));
    return DW_OK;
}

dw_status dw__sap_set_double(ProtobufCMessage *m, const char *name, double v)
{
    return set_number(m, name, v, 0, 0);
}

dw_status dw__sap_set_int(ProtobufCMessage *m, const char *name, int64_t v)
{
    return set_number(m, name, 0, v, 1);
}

dw_status dw__sap_set_str(dw__sap_arena *a, ProtobufCMessage *m, const char *name, const char *s)
{
    const ProtobufCFieldDescriptor *f = dw__sap_field(m, name);
    if (!f)
        return DW_ERR_NOT_FOUND;
    if (f->type != PROTOBUF_C_TYPE_STRING)
        return DW_ERR_INVALID;
    if (!s || !*s)
        return DW_OK;
    char *copy = dw__sap_strdup(a, s);
    if (!copy)
        return DW_ERR_NOMEM;
    void *p = f->label == PROTOBUF_C_LABEL_REPEATED ? append(a, m, f) : mark(m, f);
    if (!p)
        return DW_ERR_NOMEM;
    *(char **)p = copy;
    return DW_OK;
}

ProtobufCMessage *dw__sap_add_msg(dw__sap_arena *a, ProtobufCMessage *m, const char *name)
{
    const ProtobufCFieldDescriptor *f = dw__sap_field(m, name);
    if (!f || f->type != PROTOBUF_C_TYPE_MESSAGE)
        return NULL;
    ProtobufCMessage *sub = dw__sap_new(a, f->descriptor);
    if (!sub)
        return NULL;
    void *p = f->label == PROTOBUF_C_LABEL_REPEATED ? append(a, m, f) : mark(m, f);
    if (!p)
        return NULL;
    *(ProtobufCMessage **)p = sub;
    return sub;
}

dw_status dw__sap_set_time_us(dw__sap_arena *a, ProtobufCMessage *m, const char *name, int64_t t_us)
{
    ProtobufCMessage *t = dw__sap_add_msg(a, m, name);
    if (!t)
        return dw__sap_field(m, name) ? DW_ERR_NOMEM : DW_ERR_NOT_FOUND;
    Google__Protobuf__Timestamp *ts = (Google__Protobuf__Timestamp *)t;
    int64_t s = t_us / 1000000, r = t_us % 1000000;
    if (r < 0) {
        r += 1000000;
        s--;
    }
    ts->seconds = s;
    ts->nanos = (int32_t)(r * 1000);
    return DW_OK;
}

dw_status dw__sap_pack(const ProtobufCMessage *m, uint8_t *buf, uint8_t *end, uint8_t **out_end)
{
    size_t n = protobuf_c_message_get_packed_size(m);
    if (n > DW_SAPIENT_MSG_MAX)
        return DW_ERR_RANGE;
    if (!buf || !end || end < buf || (size_t)(end - buf) < 4 + n)
        return DW_ERR_FULL;
    buf[0] = (uint8_t)n;
    buf[1] = (uint8_t)(n >> 8);
    buf[2] = (uint8_t)(n >> 16);
    buf[3] = (uint8_t)(n >> 24);
    size_t w = protobuf_c_message_pack(m, buf + 4);
    if (w != n)
        return DW_ERR_INVALID;
    *out_end = buf + 4 + n;
    return DW_OK;
}

/* ----------------------------------------------------------------- time */

/* Days since 1970-01-01 of a proleptic Gregorian date, and back (H. Hinnant's algorithms). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

void dw__sap_format_time(int64_t sec, int32_t nanos, char out[40])
{
    int64_t days = sec / 86400, rem = sec % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    int64_t y;
    int mo, d;
    civil_from_days(days, &y, &mo, &d);
    int n = snprintf(out, 40, "%04lld-%02d-%02dT%02d:%02d:%02d", (long long)y, mo, d,
                     (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
    /* 0, 3, 6 or 9 digits of fraction, as the protobuf JSON mapping writes them. */
    if (nanos % 1000000 == 0 && nanos)
        n += snprintf(out + n, (size_t)(40 - n), ".%03d", (int)(nanos / 1000000));
    else if (nanos % 1000 == 0 && nanos)
        n += snprintf(out + n, (size_t)(40 - n), ".%06d", (int)(nanos / 1000));
    else if (nanos)
        n += snprintf(out + n, (size_t)(40 - n), ".%09d", (int)nanos);
    snprintf(out + n, (size_t)(40 - n), "Z");
}

static int digits(const char **s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*s)[i];
        if (c < '0' || c > '9')
            return 0;
        v = v * 10 + (c - '0');
    }
    *s += n;
    *out = v;
    return 1;
}

int dw__sap_parse_time(const char *s, int64_t *sec, int32_t *nanos)
{
    int y, mo, d, h, mi, se;
    if (!digits(&s, 4, &y) || *s++ != '-' || !digits(&s, 2, &mo) || *s++ != '-' ||
        !digits(&s, 2, &d) || (*s != 'T' && *s != 't' && *s != ' '))
        return 0;
    s++;
    if (!digits(&s, 2, &h) || *s++ != ':' || !digits(&s, 2, &mi) || *s++ != ':' ||
        !digits(&s, 2, &se))
        return 0;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || se > 59)
        return 0;
    if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 0;
    int32_t ns = 0;
    if (*s == '.') {
        s++;
        int nd = 0;
        while (*s >= '0' && *s <= '9') {
            if (nd == 9)
                return 0;
            ns = ns * 10 + (*s++ - '0');
            nd++;
        }
        if (nd == 0)
            return 0;
        for (; nd < 9; nd++)
            ns *= 10;
    }
    int64_t off = 0;
    if (*s == 'Z' || *s == 'z') {
        s++;
    } else if (*s == '+' || *s == '-') {
        int sign = *s++ == '-' ? -1 : 1, oh, om;
        if (!digits(&s, 2, &oh) || *s++ != ':' || !digits(&s, 2, &om) || oh > 23 || om > 59)
            return 0;
        off = sign * (oh * 3600 + om * 60);
    } else {
        return 0;
    }
    if (*s)
        return 0;
    int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
    if (t < TS_MIN_S || t > TS_MAX_S)
        return 0;
    *sec = t;
    *nanos = ns;
    return 1;
}

/* ------------------------------------------------------------ JSON out */

void dw__sap_json_float(dw_jw *w, float v)
{
    if (!isfinite(v)) {
        dw_jw_str(w, isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
        return;
    }
    /* Zero as 0, whatever its sign, as dw_jw_double writes doubles (JSON readers take "-0" for
     * the integer 0 anyway). */
    if (v == 0) {
        dw_jw_int(w, 0);
        return;
    }
    /* The shortest text that reads back (through a double, as JSON readers do) to v. */
    char tmp[32];
    int prec = 1;
    for (; prec < 9; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, (double)v);
        if ((float)strtod(tmp, NULL) == v)
            break;
    }
    dw_jw_double_prec(w, (double)v, prec);
}

static void json_double(dw_jw *w, double v)
{
    if (!isfinite(v))
        dw_jw_str(w, isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
    else
        dw_jw_double(w, v);
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* bytes as base64, as protobuf's JSON mapping writes them. Only Error.packet is bytes, so the
 * text is made on the heap rather than the writer growing a base64 mode. */
static void json_bytes(dw_jw *w, const ProtobufCBinaryData *b)
{
    size_t n = (b->len + 2) / 3 * 4;
    char *t = malloc(n + 1);
    if (!t) {
        dw_jw_null(w);
        w->full = 1;
        return;
    }
    size_t o = 0;
    for (size_t i = 0; i < b->len; i += 3) {
        uint32_t v = (uint32_t)b->data[i] << 16;
        if (i + 1 < b->len)
            v |= (uint32_t)b->data[i + 1] << 8;
        if (i + 2 < b->len)
            v |= b->data[i + 2];
        t[o++] = b64[v >> 18 & 63];
        t[o++] = b64[v >> 12 & 63];
        t[o++] = i + 1 < b->len ? b64[v >> 6 & 63] : '=';
        t[o++] = i + 2 < b->len ? b64[v & 63] : '=';
    }
    dw_jw_strn(w, t, o);
    free(t);
}

static void json_value(dw_jw *w, const ProtobufCFieldDescriptor *f, const void *p);

static void json_message(dw_jw *w, const ProtobufCMessage *m)
{
    dw_jw_obj(w);
    dw__sap_json_members(w, m);
    dw_jw_obj_end(w);
}

static void json_value(dw_jw *w, const ProtobufCFieldDescriptor *f, const void *p)
{
    double d;
    int64_t i;
    switch (f->type) {
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        dw_jw_uint(w, *(const uint64_t *)p);
        return;
    case PROTOBUF_C_TYPE_BOOL:
        dw_jw_bool(w, *(const protobuf_c_boolean *)p != 0);
        return;
    case PROTOBUF_C_TYPE_FLOAT:
        dw__sap_json_float(w, *(const float *)p);
        return;
    case PROTOBUF_C_TYPE_DOUBLE:
        json_double(w, *(const double *)p);
        return;
    case PROTOBUF_C_TYPE_ENUM: {
        int32_t v = *(const int32_t *)p;
        const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(f->descriptor, v);
        if (ev)
            dw_jw_str(w, ev->name);
        else
            dw_jw_int(w, v);
        return;
    }
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(const char *const *)p;
        dw_jw_str(w, s ? s : "");
        return;
    }
    case PROTOBUF_C_TYPE_BYTES:
        json_bytes(w, p);
        return;
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessage *sub = *(const ProtobufCMessage *const *)p;
        if (dw__sap_is_timestamp(sub->descriptor) &&
            ts_valid((const Google__Protobuf__Timestamp *)sub)) {
            const Google__Protobuf__Timestamp *ts = (const Google__Protobuf__Timestamp *)sub;
            char iso[40];
            dw__sap_format_time(ts->seconds, ts->nanos, iso);
            dw_jw_str(w, iso);
        } else {
            json_message(w, sub);
        }
        return;
    }
    default:
        if (number_of(f, p, &d, &i))
            dw_jw_int(w, i);
        else
            dw_jw_null(w);
        return;
    }
}

void dw__sap_json_members(dw_jw *w, const ProtobufCMessage *m)
{
    const ProtobufCMessageDescriptor *d = m->descriptor;
    for (unsigned k = 0; k < d->n_fields; k++) {
        const ProtobufCFieldDescriptor *f = &d->fields[k];
        if (!dw__sap_present(m, f))
            continue;
        dw_jw_key(w, f->name);
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)at(m, f->quantifier_offset);
            const char *base = *(const char *const *)at(m, f->offset);
            dw_jw_arr(w);
            for (size_t i = 0; i < n; i++)
                json_value(w, f, base + i * value_size(f->type));
            dw_jw_arr_end(w);
            continue;
        }
        const void *p = at(m, f->offset);
        json_value(w, f, p);
        if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
            const ProtobufCMessage *sub = *(const ProtobufCMessage *const *)p;
            const Google__Protobuf__Timestamp *ts = (const Google__Protobuf__Timestamp *)sub;
            if (dw__sap_is_timestamp(sub->descriptor) && ts_valid(ts)) {
                char key[80];
                snprintf(key, sizeof key, "%s_us", f->name);
                dw_jw_kint(w, key, ts->seconds * 1000000 + ts->nanos / 1000);
            }
        }
    }
    if (m->n_unknown_fields)
        dw_jw_kint(w, "_unknown_fields", (int64_t)m->n_unknown_fields);
}

/* ------------------------------------------------------------- JSON in */

typedef struct jctx {
    dw__sap_arena *a;
    char *err;
    size_t errlen;
} jctx;

static dw_status jfail(jctx *c, dw_status st, const char *fmt, const char *what)
{
    if (c->errlen && !c->err[0])
        snprintf(c->err, c->errlen, fmt, what);
    return st;
}

/* protobuf's JSON name: underscores dropped, the letter after each one upper-cased. */
static int json_name_is(const char *field, const char *key)
{
    int up = 0;
    for (; *field; field++) {
        if (*field == '_') {
            up = 1;
            continue;
        }
        char c = *field;
        if (up && c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        up = 0;
        if (*key++ != c)
            return 0;
    }
    return *key == '\0';
}

static const ProtobufCFieldDescriptor *field_for_key(const ProtobufCMessageDescriptor *d, const char *key)
{
    const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(d, key);
    if (f)
        return f;
    for (unsigned k = 0; k < d->n_fields; k++)
        if (json_name_is(d->fields[k].name, key))
            return &d->fields[k];
    return NULL;
}

static dw_status fill(jctx *c, ProtobufCMessage *m, json_t *obj, const char *const *ignore, int depth);

static dw_status parse_number(jctx *c, const ProtobufCFieldDescriptor *f, json_t *v, void *p)
{
    if (json_is_integer(v))
        return store_number(p, f, 0, (int64_t)json_integer_value(v), 1) == DW_OK
                   ? DW_OK : jfail(c, DW_ERR_PARSE, "\"%s\": value out of range", f->name);
    if (json_is_real(v)) {
        double d = json_real_value(v);
        int is_int = f->type != PROTOBUF_C_TYPE_FLOAT && f->type != PROTOBUF_C_TYPE_DOUBLE;
        if (is_int) {
            if (!(d == floor(d)) || fabs(d) > 9.2e18)
                return jfail(c, DW_ERR_PARSE, "\"%s\": not an integer", f->name);
            return store_number(p, f, 0, (int64_t)d, 1) == DW_OK
                       ? DW_OK : jfail(c, DW_ERR_PARSE, "\"%s\": value out of range", f->name);
        }
        return store_number(p, f, d, 0, 0) == DW_OK
                   ? DW_OK : jfail(c, DW_ERR_PARSE, "\"%s\": value out of range", f->name);
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (f->type == PROTOBUF_C_TYPE_FLOAT || f->type == PROTOBUF_C_TYPE_DOUBLE) {
            double d;
            if (!strcmp(s, "NaN"))
                d = NAN;
            else if (!strcmp(s, "Infinity"))
                d = INFINITY;
            else if (!strcmp(s, "-Infinity"))
                d = -INFINITY;
            else
                return jfail(c, DW_ERR_PARSE, "\"%s\": not a number", f->name);
            return store_number(p, f, d, 0, 0);
        }
        /* protobuf's JSON mapping writes 64-bit integers as strings. */
        char *e;
        errno = 0;
        long long i = strtoll(s, &e, 10);
        if (!*s || *e || errno)
            return jfail(c, DW_ERR_PARSE, "\"%s\": not an integer", f->name);
        return store_number(p, f, 0, i, 1) == DW_OK
                   ? DW_OK : jfail(c, DW_ERR_PARSE, "\"%s\": value out of range", f->name);
    }
    return jfail(c, DW_ERR_PARSE, "\"%s\": a number was expected", f->name);
}

/* Standard and URL-safe alphabets both, as protobuf's JSON parsers accept. */
static int b64val(char ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    if (ch == '+' || ch == '-')
        return 62;
    if (ch == '/' || ch == '_')
        return 63;
    return -1;
}

/* One value of field f from v into the slot p. */
static dw_status parse_value(jctx *c, const ProtobufCFieldDescriptor *f, json_t *v, void *p, int depth)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_BOOL:
        if (!json_is_boolean(v))
            return jfail(c, DW_ERR_PARSE, "\"%s\": true or false was expected", f->name);
        *(protobuf_c_boolean *)p = json_is_true(v);
        return DW_OK;
    case PROTOBUF_C_TYPE_ENUM:
        if (json_is_string(v)) {
            const ProtobufCEnumValue *ev =
                protobuf_c_enum_descriptor_get_value_by_name(f->descriptor, json_string_value(v));
            if (!ev)
                return jfail(c, DW_ERR_PARSE, "\"%s\": not a value of its enumeration", f->name);
            *(int32_t *)p = ev->value;
            return DW_OK;
        }
        if (!json_is_integer(v) || json_integer_value(v) < INT32_MIN || json_integer_value(v) > INT32_MAX)
            return jfail(c, DW_ERR_PARSE, "\"%s\": an enumeration name was expected", f->name);
        *(int32_t *)p = (int32_t)json_integer_value(v);
        return DW_OK;
    case PROTOBUF_C_TYPE_STRING:
        if (!json_is_string(v))
            return jfail(c, DW_ERR_PARSE, "\"%s\": a string was expected", f->name);
        if (strlen(json_string_value(v)) != json_string_length(v))
            return jfail(c, DW_ERR_PARSE, "\"%s\": NUL in a string", f->name);
        if (!(*(char **)p = dw__sap_strdup(c->a, json_string_value(v))))
            return jfail(c, DW_ERR_NOMEM, "%s", "out of memory");
        return DW_OK;
    case PROTOBUF_C_TYPE_BYTES: {
        if (!json_is_string(v))
            return jfail(c, DW_ERR_PARSE, "\"%s\": base64 was expected", f->name);
        const char *s = json_string_value(v);
        size_t len = json_string_length(v);
        uint8_t *b = dw__sap_alloc(c->a, len / 4 * 3 + 3);
        if (!b)
            return jfail(c, DW_ERR_NOMEM, "%s", "out of memory");
        size_t n = 0, bits = 0;
        uint32_t acc = 0;
        for (size_t i = 0; i < len; i++) {
            int d = b64val(s[i]);
            if (d < 0) {
                /* Padding only at the end. */
                while (i < len && s[i] == '=')
                    i++;
                if (i < len)
                    return jfail(c, DW_ERR_PARSE, "\"%s\": base64 was expected", f->name);
                break;
            }
            acc = acc << 6 | (uint32_t)d;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                b[n++] = (uint8_t)(acc >> bits);
            }
        }
        ((ProtobufCBinaryData *)p)->data = b;
        ((ProtobufCBinaryData *)p)->len = n;
        return DW_OK;
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
        if (depth + 1 > DW_SAPIENT_DEPTH_MAX)
            return jfail(c, DW_ERR_PARSE, "\"%s\": nested too deep", f->name);
        ProtobufCMessage *sub = dw__sap_new(c->a, f->descriptor);
        if (!sub)
            return jfail(c, DW_ERR_NOMEM, "%s", "out of memory");
        *(ProtobufCMessage **)p = sub;
        if (dw__sap_is_timestamp(f->descriptor) && json_is_string(v)) {
            Google__Protobuf__Timestamp *ts = (Google__Protobuf__Timestamp *)sub;
            if (!dw__sap_parse_time(json_string_value(v), &ts->seconds, &ts->nanos))
                return jfail(c, DW_ERR_PARSE, "\"%s\": not an RFC 3339 time", f->name);
            return DW_OK;
        }
        if (!json_is_object(v))
            return jfail(c, DW_ERR_PARSE, "\"%s\": an object was expected", f->name);
        return fill(c, sub, v, NULL, depth + 1);
    }
    default:
        return parse_number(c, f, v, p);
    }
}

static int ignored(const char *const *ignore, const char *key)
{
    for (; ignore && *ignore; ignore++)
        if (!strcmp(*ignore, key))
            return 1;
    return 0;
}

/* "<timestamp field>_us": the sibling the JSON writer adds, derived, so skipped. */
static int is_us_sibling(const ProtobufCMessageDescriptor *d, const char *key)
{
    size_t n = strlen(key);
    if (n < 4 || strcmp(key + n - 3, "_us"))
        return 0;
    char base[80];
    if (n - 3 >= sizeof base)
        return 0;
    memcpy(base, key, n - 3);
    base[n - 3] = '\0';
    const ProtobufCFieldDescriptor *f = field_for_key(d, base);
    return f && f->type == PROTOBUF_C_TYPE_MESSAGE && dw__sap_is_timestamp(f->descriptor);
}

static dw_status fill(jctx *c, ProtobufCMessage *m, json_t *obj, const char *const *ignore, int depth)
{
    const ProtobufCMessageDescriptor *d = m->descriptor;
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        if (ignored(ignore, key) || !strcmp(key, "_unknown_fields"))
            continue;
        const ProtobufCFieldDescriptor *f = field_for_key(d, key);
        if (!f) {
            if (is_us_sibling(d, key))
                continue;
            return jfail(c, DW_ERR_PARSE, "unknown key \"%s\"", key);
        }
        if (json_is_null(v))
            continue;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            if (!json_is_array(v))
                return jfail(c, DW_ERR_PARSE, "\"%s\": an array was expected", f->name);
            size_t n = json_array_size(v), sz = value_size(f->type);
            if (n == 0)
                continue;
            char *arr = dw__sap_alloc(c->a, n * sz);
            if (!arr)
                return jfail(c, DW_ERR_NOMEM, "%s", "out of memory");
            for (size_t i = 0; i < n; i++) {
                dw_status st = parse_value(c, f, json_array_get(v, i), arr + i * sz, depth);
                if (st != DW_OK)
                    return st;
            }
            *(void **)slot(m, f) = arr;
            *(size_t *)((char *)m + f->quantifier_offset) = n;
            continue;
        }
        if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
            *(uint32_t *)((char *)m + f->quantifier_offset) != 0)
            return jfail(c, DW_ERR_PARSE, "\"%s\": another member of its oneof is set", f->name);
        char tmp[sizeof(ProtobufCBinaryData) > 8 ? sizeof(ProtobufCBinaryData) : 8];
        memset(tmp, 0, sizeof tmp);
        dw_status st = parse_value(c, f, v, tmp, depth);
        if (st != DW_OK)
            return st;
        memcpy(mark(m, f), tmp, value_size(f->type));
    }
    return DW_OK;
}

dw_status dw__sap_from_json(dw__sap_arena *a, ProtobufCMessage *m, json_t *obj,
                            const char *const *ignore, char *err, size_t errlen)
{
    jctx c = {a, err, errlen};
    if (errlen)
        err[0] = '\0';
    if (!json_is_object(obj))
        return jfail(&c, DW_ERR_PARSE, "%s", "a JSON object was expected");
    return fill(&c, m, obj, ignore, 0);
}
