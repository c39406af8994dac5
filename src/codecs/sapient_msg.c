/* sapient_msg.c — the typed SAPIENT messages (sapient.h): reading them out of an unpacked
 * protobuf tree, building them into one, and the public parse and encode calls. Both versions
 * go through the same code: fields are found by name (sapient_int.h), so a field only one
 * version has is read when there and skipped when not. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/sapient_int.h"

/* ------------------------------------------------------------- versions */

const char *dw_sapient_version_name(dw_sapient_version v)
{
    switch (v) {
    case DW_SAPIENT_V1_0:
        return "1.0";
    case DW_SAPIENT_V2_0:
        return "2.0";
    }
    return "?";
}

dw_status dw_sapient_version_parse(const char *s, dw_sapient_version *out)
{
    if (!s)
        return DW_ERR_INVALID;
    /* Keep the digits only after a "335" (the standard's number) if there is one, so that
     * "BSI Flex 335 v2.0", "bsi_flex_335_v2_0" and "2.0" all come down to "20". */
    const char *p = strstr(s, "335");
    p = p ? p + 3 : s;
    char dig[4];
    size_t n = 0;
    for (; *p; p++) {
        if (isdigit((unsigned char)*p)) {
            if (n == sizeof dig - 1)
                return DW_ERR_INVALID;
            dig[n++] = *p;
        } else if (!strchr(" _.-vV", *p)) {
            return DW_ERR_INVALID;
        }
    }
    dig[n] = '\0';
    if (!strcmp(dig, "1") || !strcmp(dig, "10"))
        *out = DW_SAPIENT_V1_0;
    else if (!strcmp(dig, "2") || !strcmp(dig, "20"))
        *out = DW_SAPIENT_V2_0;
    else
        return DW_ERR_INVALID;
    return DW_OK;
}

static const char *icd_name(dw_sapient_version v)
{
    return v == DW_SAPIENT_V1_0 ? "BSI Flex 335 v1.0" : "BSI Flex 335 v2.0";
}

/* ------------------------------------------------------------ small ids */

void dw_sapient_ulid(int64_t t_us, uint64_t entropy, char out[27])
{
    static const char b32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    int64_t ms = t_us / 1000;
    if (ms < 0)
        ms = 0;
    if (ms > 0xFFFFFFFFFFFFLL)
        ms = 0xFFFFFFFFFFFFLL;
    /* 128 bits: 48 of time, then 16 zero bits and the 64 of entropy; 26 digits of 5 bits
     * (the first digit carries only 3). Digit d > 0 is bits [5d - 2, 5d + 3) from the top. */
    uint64_t hi = (uint64_t)ms << 16, lo = entropy;
    out[0] = b32[hi >> 61];
    for (int d = 1; d < 26; d++) {
        int first = 5 * d - 2, last = first + 4; /* bit indices from the top, 0..127 */
        unsigned v;
        if (last < 64)
            v = (unsigned)(hi >> (63 - last)) & 31;
        else if (first >= 64)
            v = (unsigned)(lo >> (127 - last)) & 31;
        else
            v = (unsigned)((hi << (last - 63)) | (lo >> (127 - last))) & 31;
        out[d] = b32[v];
    }
    out[26] = '\0';
}

void dw_sapient_sensor_id(const char *node_id, char out[DW_ID_MAX])
{
    dw__sap_copy(out, DW_ID_MAX, node_id ? node_id : "");
}

/* ------------------------------------------------------------- reading */

static void copy_str(char *dst, size_t cap, const ProtobufCMessage *m, const char *name)
{
    dw__sap_copy(dst, cap, dw__sap_get_str(m, name, 0));
}

static int get_enum(const ProtobufCMessage *m, const char *name)
{
    int64_t v;
    return dw__sap_get_int(m, name, &v) ? (int)v : 0;
}

static void read_location(const ProtobufCMessage *m, dw_sapient_location *l)
{
    memset(l, 0, sizeof *l);
    /* x and y come as a pair: one without the other is no position (and is not kept, so that
     * what is read is what an encode writes back). */
    double x, y;
    if (dw__sap_get_double(m, "x", &x) & dw__sap_get_double(m, "y", &y)) {
        l->x = x;
        l->y = y;
        l->has |= DW_SAPIENT_HAS_XY;
    }
    if (dw__sap_get_double(m, "z", &l->z))
        l->has |= DW_SAPIENT_HAS_Z;
    if (dw__sap_get_double(m, "x_error", &l->x_error))
        l->has |= DW_SAPIENT_HAS_X_ERROR;
    if (dw__sap_get_double(m, "y_error", &l->y_error))
        l->has |= DW_SAPIENT_HAS_Y_ERROR;
    if (dw__sap_get_double(m, "z_error", &l->z_error))
        l->has |= DW_SAPIENT_HAS_Z_ERROR;
    l->coordinate_system = get_enum(m, "coordinate_system");
    l->datum = get_enum(m, "datum");
    copy_str(l->utm_zone, sizeof l->utm_zone, m, "utm_zone");
}

static void read_range_bearing(const ProtobufCMessage *m, dw_sapient_range_bearing *rb)
{
    static const struct {
        const char *name;
        size_t off;
        uint32_t bit;
    } f[] = {
        {"azimuth", offsetof(dw_sapient_range_bearing, azimuth), DW_SAPIENT_HAS_AZIMUTH},
        {"elevation", offsetof(dw_sapient_range_bearing, elevation), DW_SAPIENT_HAS_ELEVATION},
        {"range", offsetof(dw_sapient_range_bearing, range), DW_SAPIENT_HAS_RANGE},
        {"azimuth_error", offsetof(dw_sapient_range_bearing, azimuth_error), DW_SAPIENT_HAS_AZIMUTH_ERROR},
        {"elevation_error", offsetof(dw_sapient_range_bearing, elevation_error), DW_SAPIENT_HAS_ELEVATION_ERROR},
        {"range_error", offsetof(dw_sapient_range_bearing, range_error), DW_SAPIENT_HAS_RANGE_ERROR},
    };
    memset(rb, 0, sizeof *rb);
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        if (dw__sap_get_double(m, f[i].name, (double *)((char *)rb + f[i].off)))
            rb->has |= f[i].bit;
    rb->coordinate_system = get_enum(m, "coordinate_system");
    rb->datum = get_enum(m, "datum");
}

/* Where an event is: the oneof of RangeBearing and Location that detections and alerts share. */
static dw_sapient_where read_where(const ProtobufCMessage *m, dw_sapient_range_bearing *rb,
                                   dw_sapient_location *loc)
{
    const ProtobufCMessage *sub;
    if ((sub = dw__sap_get_msg(m, "range_bearing", 0))) {
        read_range_bearing(sub, rb);
        return DW_SAPIENT_AT_RANGE_BEARING;
    }
    if ((sub = dw__sap_get_msg(m, "location", 0))) {
        read_location(sub, loc);
        return DW_SAPIENT_AT_LOCATION;
    }
    return DW_SAPIENT_AT_NONE;
}

/* Pre-order walk of a classification tree into the flat list. */
static void read_classes(const ProtobufCMessage *m, const char *field, int parent,
                         dw_sapient_detection *d, int depth)
{
    size_t n = dw__sap_count(m, field);
    for (size_t i = 0; i < n && d->n_classes < DW_SAPIENT_CLASSES_MAX; i++) {
        const ProtobufCMessage *c = dw__sap_get_msg(m, field, i);
        dw_sapient_class *k = &d->classes[d->n_classes];
        int self = (int)d->n_classes++;
        copy_str(k->type, sizeof k->type, c, "type");
        k->has_confidence = dw__sap_get_float(c, "confidence", &k->confidence);
        k->parent = parent;
        if (depth < DW_SAPIENT_DEPTH_MAX)
            read_classes(c, "sub_class", self, d, depth + 1);
    }
}

void dw__sap_read_detection(const ProtobufCMessage *m, dw_sapient_detection *d)
{
    memset(d, 0, sizeof *d);
    copy_str(d->report_id, sizeof d->report_id, m, "report_id");
    copy_str(d->object_id, sizeof d->object_id, m, "object_id");
    copy_str(d->task_id, sizeof d->task_id, m, "task_id");
    copy_str(d->state, sizeof d->state, m, "state");
    d->where = read_where(m, &d->rb, &d->loc);
    if (dw__sap_get_float(m, "detection_confidence", &d->detection_confidence))
        d->has |= DW_SAPIENT_DET_CONFIDENCE;
    const ProtobufCMessage *v = dw__sap_get_msg(m, "enu_velocity", 0);
    double east, north, up;
    /* east and north are mandatory; a velocity missing either is not one. */
    if (v && dw__sap_get_double(v, "east_rate", &east) & dw__sap_get_double(v, "north_rate", &north)) {
        d->vel_east = east;
        d->vel_north = north;
        d->has |= DW_SAPIENT_DET_VELOCITY;
        if (dw__sap_get_double(v, "up_rate", &up)) {
            d->vel_up = up;
            d->has |= DW_SAPIENT_DET_VEL_UP;
        }
    }
    read_classes(m, "classification", -1, d, 0);
    size_t n = dw__sap_count(m, "object_info");
    for (size_t i = 0; i < n && d->n_info < DW_SAPIENT_INFO_MAX; i++) {
        const ProtobufCMessage *o = dw__sap_get_msg(m, "object_info", i);
        dw_sapient_info *inf = &d->object_info[d->n_info++];
        copy_str(inf->type, sizeof inf->type, o, "type");
        copy_str(inf->value, sizeof inf->value, o, "value");
    }
    copy_str(d->colour, sizeof d->colour, m, "colour");
    copy_str(d->id, sizeof d->id, m, "id");
}

void dw__sap_read_status(const ProtobufCMessage *m, dw_sapient_status *s)
{
    memset(s, 0, sizeof *s);
    copy_str(s->report_id, sizeof s->report_id, m, "report_id");
    s->system = get_enum(m, "system");
    s->info = get_enum(m, "info");
    copy_str(s->active_task_id, sizeof s->active_task_id, m, "active_task_id");
    copy_str(s->mode, sizeof s->mode, m, "mode");
    const ProtobufCMessage *loc = dw__sap_get_msg(m, "node_location", 0);
    if (loc) {
        s->has_location = 1;
        read_location(loc, &s->node_location);
    }
    const ProtobufCMessage *pw = dw__sap_get_msg(m, "power", 0);
    int64_t level;
    if (pw && dw__sap_get_int(pw, "level", &level)) {
        s->has_power_level = 1;
        s->power_level = (int)level;
    }
}

static float seconds_of(const ProtobufCMessage *dur, int *ok)
{
    /* TimeUnits: 1 ns, 2 µs, 3 ms, 4 s, 5 min, 6 h, 7 d (v2.0). */
    static const double factor[] = {0, 1e-9, 1e-6, 1e-3, 1, 60, 3600, 86400};
    float v;
    int u = get_enum(dur, "units");
    *ok = 0;
    if (!dur || !dw__sap_get_float(dur, "value", &v) || u < 1 || u > 7)
        return 0;
    *ok = 1;
    return u == 4 ? v : (float)(v * factor[u]);
}

static void read_mode(const ProtobufCMessage *md, dw_sapient_mode *mode)
{
    memset(mode, 0, sizeof *mode);
    copy_str(mode->name, sizeof mode->name, md, "mode_name");
    /* detection_definition is optional in v1.0 and repeated in v2.0: the first either way. */
    const ProtobufCMessage *dd = dw__sap_get_msg(md, "detection_definition", 0);
    const ProtobufCMessage *lt = dw__sap_get_msg(dd, "location_type", 0);
    if (lt) {
        int64_t v;
        if (dw__sap_get_int(lt, "range_bearing_units", &v)) {
            mode->range_bearing = 1;
            mode->units = (int)v;
        } else if (dw__sap_get_int(lt, "location_units", &v)) {
            mode->units = (int)v;
        }
        if (dw__sap_get_int(lt, "range_bearing_datum", &v) || dw__sap_get_int(lt, "location_datum", &v))
            mode->datum = (int)v;
        copy_str(mode->zone, sizeof mode->zone, lt, "zone");
    }
    const ProtobufCMessage *vt = dw__sap_get_msg(dd, "velocity_type", 0);
    const ProtobufCMessage *eu = dw__sap_get_msg(vt, "enu_velocity_units", 0);
    if (eu)
        mode->speed_units = get_enum(eu, "east_north_rate_units");
}

void dw__sap_read_registration(const ProtobufCMessage *m, dw_sapient_registration *r)
{
    memset(r, 0, sizeof *r);
    const ProtobufCMessage *nd = dw__sap_get_msg(m, "node_definition", 0);
    r->node_type = get_enum(nd, "node_type");
    dw__sap_copy(r->node_sub_type, sizeof r->node_sub_type, dw__sap_get_str(nd, "node_sub_type", 0));
    copy_str(r->icd_version, sizeof r->icd_version, m, "icd_version");
    copy_str(r->name, sizeof r->name, m, "name");
    copy_str(r->short_name, sizeof r->short_name, m, "short_name");
    const ProtobufCMessage *sd = dw__sap_get_msg(m, "status_definition", 0);
    r->status_interval_s = seconds_of(dw__sap_get_msg(sd, "status_interval", 0), &r->has_status_interval);
    size_t n = dw__sap_count(m, "mode_definition");
    for (size_t i = 0; i < n && r->n_modes < DW_SAPIENT_MODES_MAX; i++)
        read_mode(dw__sap_get_msg(m, "mode_definition", i), &r->modes[r->n_modes++]);
    /* The class names of the first mode's detection definition. */
    const ProtobufCMessage *md = dw__sap_get_msg(m, "mode_definition", 0);
    const ProtobufCMessage *dd = dw__sap_get_msg(md, "detection_definition", 0);
    size_t nd_cls = dw__sap_count(dd, "detection_class_definition");
    for (size_t i = 0; i < nd_cls; i++) {
        const ProtobufCMessage *dcd = dw__sap_get_msg(dd, "detection_class_definition", i);
        size_t nc = dw__sap_count(dcd, "class_definition");
        for (size_t j = 0; j < nc && r->n_classes < 8; j++)
            copy_str(r->classes[r->n_classes++], DW_SAPIENT_NAME_MAX,
                     dw__sap_get_msg(dcd, "class_definition", j), "type");
    }
    const ProtobufCMessage *cfg = dw__sap_get_msg(m, "config_data", 0);
    copy_str(r->manufacturer, sizeof r->manufacturer, cfg, "manufacturer");
    copy_str(r->model, sizeof r->model, cfg, "model");
}

void dw__sap_read_alert(const ProtobufCMessage *m, dw_sapient_alert *al)
{
    memset(al, 0, sizeof *al);
    copy_str(al->alert_id, sizeof al->alert_id, m, "alert_id");
    al->alert_type = get_enum(m, "alert_type");
    al->status = get_enum(m, "status");
    copy_str(al->description, sizeof al->description, m, "description");
    al->where = read_where(m, &al->rb, &al->loc);
    copy_str(al->region_id, sizeof al->region_id, m, "region_id");
    al->priority = get_enum(m, "priority");
    al->has_ranking = dw__sap_get_float(m, "ranking", &al->ranking);
    al->has_confidence = dw__sap_get_float(m, "confidence", &al->confidence);
    size_t n = dw__sap_count(m, "associated_detection");
    for (size_t i = 0; i < n && al->n_assoc < DW_SAPIENT_ASSOC_MAX; i++) {
        const ProtobufCMessage *ad = dw__sap_get_msg(m, "associated_detection", i);
        copy_str(al->assoc[al->n_assoc].node_id, DW_SAPIENT_ID_MAX, ad, "node_id");
        copy_str(al->assoc[al->n_assoc].object_id, DW_SAPIENT_ID_MAX, ad, "object_id");
        al->n_assoc++;
    }
    copy_str(al->additional_information, sizeof al->additional_information, m,
             "additional_information");
}

void dw__sap_read_header(const ProtobufCMessage *root, dw_sapient_version v, dw_sapient_header *h)
{
    memset(h, 0, sizeof *h);
    h->version = v;
    h->has_time = dw__sap_get_time_us(root, "timestamp", &h->t_us);
    copy_str(h->node_id, sizeof h->node_id, root, "node_id");
    copy_str(h->destination_id, sizeof h->destination_id, root, "destination_id");
}

dw_sapient_kind dw__sap_kind(const ProtobufCMessage *root, const ProtobufCMessage **content)
{
    static const struct {
        const char *field;
        dw_sapient_kind kind;
    } kinds[] = {
        {"registration", DW_SAPIENT_REGISTRATION},
        {"status_report", DW_SAPIENT_STATUS_REPORT},
        {"detection_report", DW_SAPIENT_DETECTION_REPORT},
        {"alert", DW_SAPIENT_ALERT},
    };
    *content = NULL;
    const char *which = dw__sap_oneof_case(root, "registration");
    if (!which)
        return DW_SAPIENT_OTHER;
    *content = dw__sap_get_msg(root, which, 0);
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strcmp(kinds[i].field, which))
            return kinds[i].kind;
    return DW_SAPIENT_OTHER;
}

/* A heap arena for the public calls: they are not on the hot path, but their unpacked trees
 * are bounded by the message size all the same. */
static dw_status heap_arena(dw__sap_arena *a, size_t cap)
{
    void *mem = malloc(cap);
    if (!mem)
        return DW_ERR_NOMEM;
    dw__sap_arena_init(a, mem, cap);
    return DW_OK;
}

dw_status dw_sapient_parse(const uint8_t *msg, size_t len, dw_sapient_version hint, dw_sapient_msg *out)
{
    if (!msg || len > DW_SAPIENT_MSG_MAX)
        return DW_ERR_PARSE;
    dw_sapient_version v;
    if (dw__sap_pick_version(msg, len, hint, NULL, NULL, &v, NULL, NULL) != DW_OK)
        return DW_ERR_PARSE;
    dw__sap_arena a;
    if (heap_arena(&a, 64 * 1024 + 64 * len) != DW_OK)
        return DW_ERR_NOMEM;
    dw_status st = DW_ERR_PARSE;
    ProtobufCMessage *root = dw__sap_unpack(&a, v, msg, len);
    if (root) {
        const ProtobufCMessage *content;
        dw_sapient_msg *m = calloc(1, sizeof *m);
        if (!m) {
            free(a.base);
            return DW_ERR_NOMEM;
        }
        dw__sap_read_header(root, v, &m->hdr);
        m->kind = dw__sap_kind(root, &content);
        switch (m->kind) {
        case DW_SAPIENT_REGISTRATION:
            dw__sap_read_registration(content, &m->u.reg);
            break;
        case DW_SAPIENT_STATUS_REPORT:
            dw__sap_read_status(content, &m->u.status);
            break;
        case DW_SAPIENT_DETECTION_REPORT:
            dw__sap_read_detection(content, &m->u.det);
            break;
        case DW_SAPIENT_ALERT:
            dw__sap_read_alert(content, &m->u.alert);
            break;
        case DW_SAPIENT_OTHER:
            break;
        }
        memcpy(out, m, sizeof *m);
        free(m);
        st = DW_OK;
    }
    free(a.base);
    return st;
}

/* ------------------------------------------------------------- building */

/* The builders stop at the first failure; `st` carries it. A field this version lacks
 * (DW_ERR_NOT_FOUND) is no failure: the message simply cannot say it. */
typedef struct bld {
    dw__sap_arena *a;
    dw_status st;
} bld;

static void chk(bld *b, dw_status st)
{
    if (b->st == DW_OK && st != DW_OK && st != DW_ERR_NOT_FOUND)
        b->st = st;
}

static void b_str(bld *b, ProtobufCMessage *m, const char *name, const char *s)
{
    if (m)
        chk(b, dw__sap_set_str(b->a, m, name, s));
}

static void b_dbl(bld *b, ProtobufCMessage *m, const char *name, double v)
{
    if (m)
        chk(b, dw__sap_set_double(m, name, v));
}

static void b_int(bld *b, ProtobufCMessage *m, const char *name, int64_t v)
{
    if (m)
        chk(b, dw__sap_set_int(m, name, v));
}

static ProtobufCMessage *b_msg(bld *b, ProtobufCMessage *m, const char *name)
{
    if (!m)
        return NULL;
    ProtobufCMessage *sub = dw__sap_add_msg(b->a, m, name);
    if (!sub && dw__sap_field(m, name))
        chk(b, DW_ERR_NOMEM);
    return sub;
}

static void build_location(bld *b, ProtobufCMessage *m, const dw_sapient_location *l)
{
    if (l->has & DW_SAPIENT_HAS_XY) {
        b_dbl(b, m, "x", l->x);
        b_dbl(b, m, "y", l->y);
    }
    if (l->has & DW_SAPIENT_HAS_Z)
        b_dbl(b, m, "z", l->z);
    if (l->has & DW_SAPIENT_HAS_X_ERROR)
        b_dbl(b, m, "x_error", l->x_error);
    if (l->has & DW_SAPIENT_HAS_Y_ERROR)
        b_dbl(b, m, "y_error", l->y_error);
    if (l->has & DW_SAPIENT_HAS_Z_ERROR)
        b_dbl(b, m, "z_error", l->z_error);
    b_int(b, m, "coordinate_system", l->coordinate_system);
    b_int(b, m, "datum", l->datum);
    b_str(b, m, "utm_zone", l->utm_zone);
}

static void build_range_bearing(bld *b, ProtobufCMessage *m, const dw_sapient_range_bearing *rb)
{
    if (rb->has & DW_SAPIENT_HAS_ELEVATION)
        b_dbl(b, m, "elevation", rb->elevation);
    if (rb->has & DW_SAPIENT_HAS_AZIMUTH)
        b_dbl(b, m, "azimuth", rb->azimuth);
    if (rb->has & DW_SAPIENT_HAS_RANGE)
        b_dbl(b, m, "range", rb->range);
    if (rb->has & DW_SAPIENT_HAS_ELEVATION_ERROR)
        b_dbl(b, m, "elevation_error", rb->elevation_error);
    if (rb->has & DW_SAPIENT_HAS_AZIMUTH_ERROR)
        b_dbl(b, m, "azimuth_error", rb->azimuth_error);
    if (rb->has & DW_SAPIENT_HAS_RANGE_ERROR)
        b_dbl(b, m, "range_error", rb->range_error);
    b_int(b, m, "coordinate_system", rb->coordinate_system);
    b_int(b, m, "datum", rb->datum);
}

static void build_where(bld *b, ProtobufCMessage *m, dw_sapient_where where,
                        const dw_sapient_range_bearing *rb, const dw_sapient_location *loc)
{
    if (where == DW_SAPIENT_AT_RANGE_BEARING)
        build_range_bearing(b, b_msg(b, m, "range_bearing"), rb);
    else if (where == DW_SAPIENT_AT_LOCATION)
        build_location(b, b_msg(b, m, "location"), loc);
}

/* The sub-classes of list entry `parent` (-1: the top level), into field `field` of m. */
static void build_classes(bld *b, ProtobufCMessage *m, const char *field, const dw_sapient_detection *d,
                          int parent, int level)
{
    for (size_t i = 0; i < d->n_classes; i++) {
        const dw_sapient_class *k = &d->classes[i];
        /* A parent always comes before its children: anything else is not a tree. */
        if (k->parent != parent || (k->parent >= (int)i))
            continue;
        ProtobufCMessage *c = b_msg(b, m, field);
        b_str(b, c, "type", k->type);
        if (k->has_confidence)
            b_dbl(b, c, "confidence", k->confidence);
        if (parent >= 0)
            b_int(b, c, "level", level);
        if (level < DW_SAPIENT_DEPTH_MAX)
            build_classes(b, c, "sub_class", d, (int)i, level + 1);
    }
}

static ProtobufCMessage *start(bld *b, const dw_sapient_header *h, const char *content)
{
    const ProtobufCMessageDescriptor *d = dw__sap_root(h->version);
    if (!d) {
        b->st = DW_ERR_INVALID;
        return NULL;
    }
    ProtobufCMessage *root = dw__sap_new(b->a, d);
    if (!root) {
        b->st = DW_ERR_NOMEM;
        return NULL;
    }
    if (h->has_time)
        chk(b, dw__sap_set_time_us(b->a, root, "timestamp", h->t_us));
    b_str(b, root, "node_id", h->node_id);
    b_str(b, root, "destination_id", h->destination_id);
    return b_msg(b, root, content) ? root : NULL;
}

static ProtobufCMessage *content_of(ProtobufCMessage *root, const char *content)
{
    return (ProtobufCMessage *)dw__sap_get_msg(root, content, 0);
}

static void build_detection(bld *b, ProtobufCMessage *m, const dw_sapient_detection *d)
{
    b_str(b, m, "report_id", d->report_id);
    b_str(b, m, "object_id", d->object_id);
    b_str(b, m, "task_id", d->task_id);
    b_str(b, m, "state", d->state);
    build_where(b, m, d->where, &d->rb, &d->loc);
    if (d->has & DW_SAPIENT_DET_CONFIDENCE)
        b_dbl(b, m, "detection_confidence", d->detection_confidence);
    build_classes(b, m, "classification", d, -1, 0);
    for (size_t i = 0; i < d->n_info && i < DW_SAPIENT_INFO_MAX; i++) {
        ProtobufCMessage *o = b_msg(b, m, "object_info");
        b_str(b, o, "type", d->object_info[i].type);
        b_str(b, o, "value", d->object_info[i].value);
    }
    if (d->has & DW_SAPIENT_DET_VELOCITY) {
        ProtobufCMessage *v = b_msg(b, m, "enu_velocity");
        b_dbl(b, v, "east_rate", d->vel_east);
        b_dbl(b, v, "north_rate", d->vel_north);
        if (d->has & DW_SAPIENT_DET_VEL_UP)
            b_dbl(b, v, "up_rate", d->vel_up);
    }
    b_str(b, m, "colour", d->colour);
    b_str(b, m, "id", d->id);
}

static void build_status(bld *b, ProtobufCMessage *m, const dw_sapient_status *s)
{
    b_str(b, m, "report_id", s->report_id);
    if (s->system)
        b_int(b, m, "system", s->system);
    if (s->info)
        b_int(b, m, "info", s->info);
    b_str(b, m, "active_task_id", s->active_task_id);
    b_str(b, m, "mode", s->mode);
    if (s->has_power_level)
        b_int(b, b_msg(b, m, "power"), "level", s->power_level);
    if (s->has_location)
        build_location(b, b_msg(b, m, "node_location"), &s->node_location);
}

static void build_duration(bld *b, ProtobufCMessage *dur, float seconds)
{
    b_int(b, dur, "units", 4); /* TIME_UNITS_SECONDS */
    b_dbl(b, dur, "value", seconds);
}

static void build_location_type(bld *b, ProtobufCMessage *lt, const dw_sapient_mode *mode)
{
    if (mode->range_bearing) {
        b_int(b, lt, "range_bearing_units", mode->units);
        b_int(b, lt, "range_bearing_datum", mode->datum);
    } else {
        b_int(b, lt, "location_units", mode->units);
        b_int(b, lt, "location_datum", mode->datum);
    }
    b_str(b, lt, "zone", mode->zone);
}

static void build_registration(bld *b, ProtobufCMessage *m, const dw_sapient_registration *r,
                               dw_sapient_version v)
{
    ProtobufCMessage *nd = b_msg(b, m, "node_definition");
    if (r->node_type)
        b_int(b, nd, "node_type", r->node_type);
    b_str(b, nd, "node_sub_type", r->node_sub_type);
    b_str(b, m, "icd_version", r->icd_version[0] ? r->icd_version : icd_name(v));
    b_str(b, m, "name", r->name);
    b_str(b, m, "short_name", r->short_name);
    if (r->has_status_interval)
        build_duration(b, b_msg(b, b_msg(b, m, "status_definition"), "status_interval"),
                       r->status_interval_s);
    for (size_t i = 0; i < r->n_modes && i < DW_SAPIENT_MODES_MAX; i++) {
        const dw_sapient_mode *mode = &r->modes[i];
        ProtobufCMessage *md = b_msg(b, m, "mode_definition");
        b_str(b, md, "mode_name", mode->name);
        /* The mandatory parts a receiver's validator looks for: a type, a settle time, a task
         * definition with a region. */
        b_int(b, md, "mode_type", 1); /* MODE_TYPE_PERMANENT */
        build_duration(b, b_msg(b, md, "settle_time"), 0);
        ProtobufCMessage *dd = b_msg(b, md, "detection_definition");
        build_location_type(b, b_msg(b, dd, "location_type"), mode);
        if (i == 0 && r->n_classes) {
            ProtobufCMessage *dcd = b_msg(b, dd, "detection_class_definition");
            for (size_t j = 0; j < r->n_classes && j < 8; j++)
                b_str(b, b_msg(b, dcd, "class_definition"), "type", r->classes[j]);
        }
        if (mode->speed_units) {
            ProtobufCMessage *vt = b_msg(b, dd, "velocity_type");
            b_int(b, b_msg(b, vt, "enu_velocity_units"), "east_north_rate_units", mode->speed_units);
            b_int(b, vt, "location_datum", DW_SAPIENT_DATUM_WGS84_E);
        }
        ProtobufCMessage *rd = b_msg(b, b_msg(b, md, "task"), "region_definition");
        /* region_type is a repeated enum; the builder appends through a one-entry array. */
        if (rd) {
            const ProtobufCFieldDescriptor *f = dw__sap_field(rd, "region_type");
            int32_t *arr = dw__sap_alloc(b->a, sizeof *arr);
            if (f && arr) {
                arr[0] = 1; /* REGION_TYPE_AREA_OF_INTEREST */
                *(int32_t **)((char *)rd + f->offset) = arr;
                *(size_t *)((char *)rd + f->quantifier_offset) = 1;
            } else if (f) {
                chk(b, DW_ERR_NOMEM);
            }
            build_location_type(b, b_msg(b, rd, "region_area"), mode);
        }
    }
    if (v == DW_SAPIENT_V2_0 && (r->manufacturer[0] || r->model[0])) {
        ProtobufCMessage *cfg = b_msg(b, m, "config_data");
        b_str(b, cfg, "manufacturer", r->manufacturer);
        b_str(b, cfg, "model", r->model);
    }
}

static void build_alert(bld *b, ProtobufCMessage *m, const dw_sapient_alert *al)
{
    b_str(b, m, "alert_id", al->alert_id);
    if (al->alert_type)
        b_int(b, m, "alert_type", al->alert_type);
    if (al->status)
        b_int(b, m, "status", al->status);
    b_str(b, m, "description", al->description);
    build_where(b, m, al->where, &al->rb, &al->loc);
    b_str(b, m, "region_id", al->region_id);
    if (al->priority)
        b_int(b, m, "priority", al->priority);
    if (al->has_ranking)
        b_dbl(b, m, "ranking", al->ranking);
    if (al->has_confidence)
        b_dbl(b, m, "confidence", al->confidence);
    for (size_t i = 0; i < al->n_assoc && i < DW_SAPIENT_ASSOC_MAX; i++) {
        ProtobufCMessage *ad = b_msg(b, m, "associated_detection");
        b_str(b, ad, "node_id", al->assoc[i].node_id);
        b_str(b, ad, "object_id", al->assoc[i].object_id);
    }
    b_str(b, m, "additional_information", al->additional_information);
}

/* The typed structs hold at most a few hundred strings and sub-messages: 256 kB is room for
 * the largest with a wide margin (a full dw_sapient_detection needs about 20 kB). */
#define BUILD_ARENA (256 * 1024)

dw_status dw__sap_encode_msg(dw__sap_arena *arena, const dw_sapient_msg *msg, uint8_t *buf,
                             uint8_t *end, uint8_t **out_end)
{
    static const char *const content[] = {
        [DW_SAPIENT_REGISTRATION] = "registration",
        [DW_SAPIENT_STATUS_REPORT] = "status_report",
        [DW_SAPIENT_DETECTION_REPORT] = "detection_report",
        [DW_SAPIENT_ALERT] = "alert",
    };
    if (msg->kind < DW_SAPIENT_REGISTRATION || msg->kind > DW_SAPIENT_ALERT ||
        !dw__sap_root(msg->hdr.version))
        return DW_ERR_INVALID;
    dw__sap_arena_reset(arena);
    bld b = {arena, DW_OK};
    ProtobufCMessage *root = start(&b, &msg->hdr, content[msg->kind]);
    ProtobufCMessage *m = root ? content_of(root, content[msg->kind]) : NULL;
    if (m) {
        switch (msg->kind) {
        case DW_SAPIENT_REGISTRATION:
            build_registration(&b, m, &msg->u.reg, msg->hdr.version);
            break;
        case DW_SAPIENT_STATUS_REPORT:
            build_status(&b, m, &msg->u.status);
            break;
        case DW_SAPIENT_DETECTION_REPORT:
            build_detection(&b, m, &msg->u.det);
            break;
        case DW_SAPIENT_ALERT:
            build_alert(&b, m, &msg->u.alert);
            break;
        default:
            break;
        }
    } else if (b.st == DW_OK) {
        b.st = DW_ERR_NOMEM;
    }
    uint8_t *e = NULL;
    if (b.st == DW_OK)
        b.st = dw__sap_pack(root, buf, end, &e);
    if (b.st == DW_OK)
        *out_end = e;
    return b.st;
}

static dw_status encode(const dw_sapient_msg *msg, uint8_t *buf, uint8_t *end, uint8_t **out_end)
{
    dw__sap_arena a;
    if (heap_arena(&a, BUILD_ARENA) != DW_OK)
        return DW_ERR_NOMEM;
    dw_status st = dw__sap_encode_msg(&a, msg, buf, end, out_end);
    free(a.base);
    return st;
}

dw_status dw_sapient_encode(const dw_sapient_msg *m, uint8_t *buf, uint8_t *end, uint8_t **out_end)
{
    return encode(m, buf, end, out_end);
}

/* The per-kind encoders wrap their struct in a dw_sapient_msg on the heap: the union is
 * tens of kB, too much to put on a simulator thread's stack. */
static dw_status encode_one(const dw_sapient_header *hdr, dw_sapient_kind kind, const void *body,
                            size_t size, uint8_t *buf, uint8_t *end, uint8_t **out_end)
{
    dw_sapient_msg *m = malloc(sizeof *m);
    if (!m)
        return DW_ERR_NOMEM;
    m->hdr = *hdr;
    m->kind = kind;
    memcpy(&m->u, body, size);
    dw_status st = encode(m, buf, end, out_end);
    free(m);
    return st;
}

dw_status dw_sapient_encode_registration(const dw_sapient_header *hdr, const dw_sapient_registration *r,
                                         uint8_t *buf, uint8_t *end, uint8_t **out_end)
{
    return encode_one(hdr, DW_SAPIENT_REGISTRATION, r, sizeof *r, buf, end, out_end);
}

dw_status dw_sapient_encode_status(const dw_sapient_header *hdr, const dw_sapient_status *s,
                                   uint8_t *buf, uint8_t *end, uint8_t **out_end)
{
    return encode_one(hdr, DW_SAPIENT_STATUS_REPORT, s, sizeof *s, buf, end, out_end);
}

dw_status dw_sapient_encode_detection(const dw_sapient_header *hdr, const dw_sapient_detection *d,
                                      uint8_t *buf, uint8_t *end, uint8_t **out_end)
{
    return encode_one(hdr, DW_SAPIENT_DETECTION_REPORT, d, sizeof *d, buf, end, out_end);
}

dw_status dw_sapient_encode_alert(const dw_sapient_header *hdr, const dw_sapient_alert *a,
                                  uint8_t *buf, uint8_t *end, uint8_t **out_end)
{
    return encode_one(hdr, DW_SAPIENT_ALERT, a, sizeof *a, buf, end, out_end);
}

/* Top-level keys of the codec's raw JSON that are not SapientMessage fields. */
static const char *const raw_keys[] = {"codec", "version", "version_from", "type", "sensor", NULL};

dw_status dw_sapient_encode_json(const char *json, size_t len, dw_sapient_version version,
                                 uint8_t *buf, uint8_t *end, uint8_t **out_end, char *err,
                                 size_t errlen)
{
    if (errlen)
        err[0] = '\0';
    json_error_t je;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        if (errlen)
            snprintf(err, errlen, "JSON: %s (line %d)", je.text, je.line);
        return DW_ERR_PARSE;
    }
    dw_status st = DW_OK;
    if (!version) {
        json_t *v = json_object_get(root, "version");
        version = DW_SAPIENT_V2_0;
        if (json_is_string(v) && dw_sapient_version_parse(json_string_value(v), &version) != DW_OK) {
            if (errlen)
                snprintf(err, errlen, "\"version\": not 1.0 or 2.0");
            st = DW_ERR_INVALID;
        }
    }
    const ProtobufCMessageDescriptor *d = dw__sap_root(version);
    if (st == DW_OK && !d)
        st = DW_ERR_INVALID;
    dw__sap_arena a = {0};
    if (st == DW_OK)
        st = heap_arena(&a, 64 * 1024 + 16 * len);
    if (st == DW_OK) {
        ProtobufCMessage *m = dw__sap_new(&a, d);
        st = m ? dw__sap_from_json(&a, m, root, raw_keys, err, errlen) : DW_ERR_NOMEM;
        uint8_t *e = NULL;
        if (st == DW_OK)
            st = dw__sap_pack(m, buf, end, &e);
        if (st == DW_OK)
            *out_end = e;
    }
    free(a.base);
    json_decref(root);
    return st;
}
