/* cot_enc.c — a raw CoT record (the JSON the decoder writes) back to XML.
 *
 * This is the other half of the round trip: whatever dw_codec_cot decoded,
 * from XML or from TAK protocol v1, is written here as an event that decodes
 * to the same record. The typed detail keys are written first, in the order
 * of DW__COT_TYPED, then the generic elements in their order, so the
 * decoder finds the same first element of each typed kind again. Records are
 * checked as they are written: a key of the wrong JSON type, or a name that
 * is not an XML name, is DW_ERR_INVALID rather than broken XML.
 */
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "cot_int.h"

#define PROLOG "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"

static const char *const event_attrs[] = {"version", "uid", "type", "how", "access", "qos",
                                          "opex", "time", "start", "stale", NULL};
static const char *const point_attrs[] = {"lat", "lon", "hae", "ce", "le", NULL};

static int in_list(const char *const *list, const char *s)
{
    for (; list && *list; list++)
        if (!strcmp(*list, s))
            return 1;
    return 0;
}

/* An optional string member: DW_OK with *out NULL when absent. */
static dw_status opt_str(json_t *o, const char *key, const char **out)
{
    json_t *v = json_object_get(o, key);
    *out = NULL;
    if (!v)
        return DW_OK;
    if (!json_is_string(v))
        return DW_ERR_INVALID;
    *out = json_string_value(v);
    return DW_OK;
}

/* The members of a JSON object of strings as attributes. `skip` names the
 * keys that are not attributes (remarks' "text"); `reserved` the names the
 * element already has. */
static dw_status write_attr_obj(dw__xw *w, json_t *obj, const char *skip,
                                const char *const *reserved)
{
    if (!obj)
        return DW_OK;
    if (!json_is_object(obj))
        return DW_ERR_INVALID;
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v) {
        if (skip && !strcmp(k, skip))
            continue;
        if (!json_is_string(v) || !dw__cot_xml_name_ok(k) || in_list(reserved, k))
            return DW_ERR_INVALID;
        dw__xw_attr(w, k, json_string_value(v));
    }
    return DW_OK;
}

static dw_status write_text(dw__xw *w, json_t *text)
{
    if (!text)
        return DW_OK;
    if (!json_is_string(text))
        return DW_ERR_INVALID;
    dw__xw_esc(w, json_string_value(text), json_string_length(text), 0);
    return DW_OK;
}

static dw_status write_generic(dw__xw *w, json_t *el, int depth)
{
    if (depth > DW__COT_MAX_DEPTH || !json_is_object(el))
        return DW_ERR_INVALID;
    const char *name;
    dw_status st = opt_str(el, "name", &name);
    if (st != DW_OK || !name || !dw__cot_xml_name_ok(name))
        return DW_ERR_INVALID;
    json_t *text = json_object_get(el, "text"), *kids = json_object_get(el, "children");
    if (kids && !json_is_array(kids))
        return DW_ERR_INVALID;
    dw__xw_raw(w, "<", 1);
    dw__xw_str(w, name);
    if ((st = write_attr_obj(w, json_object_get(el, "attrs"), NULL, NULL)) != DW_OK)
        return st;
    if (!text && (!kids || json_array_size(kids) == 0)) {
        dw__xw_raw(w, "/>", 2);
        return DW_OK;
    }
    dw__xw_raw(w, ">", 1);
    if ((st = write_text(w, text)) != DW_OK)
        return st;
    size_t i;
    json_t *c;
    json_array_foreach(kids, i, c) {
        if ((st = write_generic(w, c, depth + 1)) != DW_OK)
            return st;
    }
    dw__xw_raw(w, "</", 2);
    dw__xw_str(w, name);
    dw__xw_raw(w, ">", 1);
    return DW_OK;
}

static const char *const track_xml[] = {
#define X_T(xml, key) xml,
    DW__COT_TRACK_ATTRS(X_T)
#undef X_T
};
static const char *const track_key[] = {
#define X_T(xml, key) key,
    DW__COT_TRACK_ATTRS(X_T)
#undef X_T
};
#define N_TRACK_ATTRS (sizeof track_xml / sizeof track_xml[0])

static dw_status write_track(dw__xw *w, json_t *t)
{
    const char *k;
    json_t *v;
    json_object_foreach(t, k, v) {
        size_t i = 0;
        while (i < N_TRACK_ATTRS && strcmp(track_key[i], k))
            i++;
        if (i == N_TRACK_ATTRS ? strcmp(k, "version") || !json_is_string(v) : !json_is_number(v))
            return DW_ERR_INVALID;
    }
    /* A track without both could not be a typed track when read back. */
    if (!json_is_number(json_object_get(t, "course_deg")) ||
        !json_is_number(json_object_get(t, "speed_mps")))
        return DW_ERR_INVALID;
    dw__xw_str(w, "<track");
    for (size_t i = 0; i < N_TRACK_ATTRS; i++) {
        json_t *n = json_object_get(t, track_key[i]);
        if (n)
            dw__xw_attr_num(w, track_xml[i], json_number_value(n));
    }
    json_t *ver = json_object_get(t, "version");
    if (ver)
        dw__xw_attr(w, "version", json_string_value(ver));
    dw__xw_raw(w, "/>", 2);
    return DW_OK;
}

static dw_status write_typed(dw__xw *w, int k, json_t *v)
{
    if (!json_is_object(v))
        return DW_ERR_INVALID;
    if (k == DW__COT_T_TRACK)
        return write_track(w, v);
    const char *name = dw__cot_typed_xml[k];
    dw__xw_raw(w, "<", 1);
    dw__xw_str(w, name);
    int remarks = k == DW__COT_T_REMARKS;
    dw_status st = write_attr_obj(w, v, remarks ? "text" : NULL, NULL);
    if (st != DW_OK)
        return st;
    json_t *text = remarks ? json_object_get(v, "text") : NULL;
    if (!text) {
        dw__xw_raw(w, "/>", 2);
        return DW_OK;
    }
    dw__xw_raw(w, ">", 1);
    if ((st = write_text(w, text)) != DW_OK)
        return st;
    dw__xw_raw(w, "</", 2);
    dw__xw_str(w, name);
    dw__xw_raw(w, ">", 1);
    return DW_OK;
}

dw_status dw__cot_enc_detail_xml(const void *recp, const int keep[DW__COT_NTYPED], dw__xw *w)
{
    json_t *rec = (json_t *)recp;
    dw_status st;
    for (int k = 0; k < DW__COT_NTYPED; k++) {
        json_t *v = json_object_get(rec, dw__cot_typed_key[k]);
        if (v && (!keep || keep[k]) && (st = write_typed(w, k, v)) != DW_OK)
            return st;
    }
    json_t *generic = json_object_get(rec, "detail");
    if (generic && !json_is_array(generic))
        return DW_ERR_INVALID;
    size_t i;
    json_t *el;
    json_array_foreach(generic, i, el) {
        if ((st = write_generic(w, el, 1)) != DW_OK)
            return st;
    }
    return DW_OK;
}

static int has_detail(json_t *rec)
{
    for (int k = 0; k < DW__COT_NTYPED; k++)
        if (json_object_get(rec, dw__cot_typed_key[k]))
            return 1;
    json_t *g = json_object_get(rec, "detail");
    return g && (!json_is_array(g) || json_array_size(g) > 0);
}

static dw_status get_time(json_t *rec, const char *key, int64_t *out)
{
    json_t *v = json_object_get(rec, key);
    if (!json_is_integer(v))
        return DW_ERR_INVALID;
    *out = (int64_t)json_integer_value(v);
    return DW_OK;
}

dw_status dw__cot_enc_xml(const void *recp, dw__xw *w)
{
    json_t *rec = (json_t *)recp;
    const char *uid, *type, *version, *how, *access, *qos, *opex;
    if (opt_str(rec, "uid", &uid) || opt_str(rec, "cot_type", &type) ||
        opt_str(rec, "version", &version) || opt_str(rec, "how", &how) ||
        opt_str(rec, "access", &access) || opt_str(rec, "qos", &qos) ||
        opt_str(rec, "opex", &opex) || !uid || !type)
        return DW_ERR_INVALID;
    int64_t t[3];
    if (get_time(rec, "time_us", &t[0]) || get_time(rec, "start_us", &t[1]) ||
        get_time(rec, "stale_us", &t[2]))
        return DW_ERR_INVALID;
    json_t *pt = json_object_get(rec, "point");
    if (!json_is_object(pt))
        return DW_ERR_INVALID;
    static const char *const pkeys[] = {"lat_deg", "lon_deg", "hae_m", "ce_m", "le_m"};
    double pv[5] = {0, 0, DW_COT_UNKNOWN, DW_COT_UNKNOWN, DW_COT_UNKNOWN};
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

    dw_status st;
    dw__xw_str(w, PROLOG "<event");
    if (version)
        dw__xw_attr(w, "version", version);
    dw__xw_attr(w, "uid", uid);
    dw__xw_attr(w, "type", type);
    if ((st = dw__xw_attr_time(w, "time", t[0])) != DW_OK ||
        (st = dw__xw_attr_time(w, "start", t[1])) != DW_OK ||
        (st = dw__xw_attr_time(w, "stale", t[2])) != DW_OK)
        return st;
    if (how)
        dw__xw_attr(w, "how", how);
    if (access)
        dw__xw_attr(w, "access", access);
    if (qos)
        dw__xw_attr(w, "qos", qos);
    if (opex)
        dw__xw_attr(w, "opex", opex);
    if ((st = write_attr_obj(w, json_object_get(rec, "attrs"), NULL, event_attrs)) != DW_OK)
        return st;
    dw__xw_str(w, "><point");
    static const char *const pattr[] = {"lat", "lon", "hae", "ce", "le"};
    for (int i = 0; i < 5; i++)
        dw__xw_attr_num(w, pattr[i], pv[i]);
    if ((st = write_attr_obj(w, json_object_get(rec, "point_attrs"), NULL, point_attrs)) != DW_OK)
        return st;
    dw__xw_raw(w, "/>", 2);

    json_t *dattrs = json_object_get(rec, "detail_attrs");
    json_t *kids = json_object_get(rec, "children");
    if (kids && !json_is_array(kids))
        return DW_ERR_INVALID;
    /* A later <detail> among the other children needs the first one before
     * it, even empty, or it would be read back as the event's detail. */
    int later_detail = 0;
    size_t i;
    json_t *el;
    json_array_foreach(kids, i, el) {
        const char *nm = json_string_value(json_object_get(el, "name"));
        const char *colon = nm ? strrchr(nm, ':') : NULL;
        later_detail |= nm && !strcmp(colon ? colon + 1 : nm, "detail");
    }
    if (has_detail(rec) || dattrs || later_detail) {
        dw__xw_str(w, "<detail");
        if ((st = write_attr_obj(w, dattrs, NULL, NULL)) != DW_OK)
            return st;
        dw__xw_raw(w, ">", 1);
        if ((st = dw__cot_enc_detail_xml(rec, NULL, w)) != DW_OK)
            return st;
        dw__xw_str(w, "</detail>");
    }
    json_array_foreach(kids, i, el) {
        if ((st = write_generic(w, el, 1)) != DW_OK)
            return st;
    }
    dw__xw_str(w, "</event>");
    return DW_OK;
}

dw_status dw_cot_encode_raw(const char *json, size_t len, dw_cot_wire wire, uint8_t *buf,
                            uint8_t *end, uint8_t **out_end)
{
    if (!json || !buf || !end || end < buf || !out_end)
        return DW_ERR_INVALID;
    json_error_t err;
    json_t *rec = json_loadb(json, len, JSON_REJECT_DUPLICATES, &err);
    if (!json_is_object(rec)) {
        json_decref(rec);
        return DW_ERR_INVALID;
    }
    const char *codec = NULL;
    dw_status st = opt_str(rec, "codec", &codec);
    if (st == DW_OK && codec && strcmp(codec, "cot"))
        st = DW_ERR_INVALID; /* another codec's record */
    if (st == DW_OK && wire == DW_COT_WIRE_AUTO) {
        const char *ws = NULL;
        st = opt_str(rec, "wire", &ws);
        if (!ws || !strcmp(ws, "xml"))
            wire = DW_COT_WIRE_XML;
        else if (!strcmp(ws, "takp_mesh"))
            wire = DW_COT_WIRE_TAKP_MESH;
        else if (!strcmp(ws, "takp_stream"))
            wire = DW_COT_WIRE_TAKP_STREAM;
        else
            st = DW_ERR_INVALID;
    }
    if (st == DW_OK) {
        if (wire == DW_COT_WIRE_XML) {
            if (!json_object_get(rec, "uid") && json_object_get(rec, "takcontrol")) {
                st = DW_ERR_UNSUPPORTED; /* TAK control has no XML form */
            } else {
                dw__xw w = {(char *)buf, (char *)end, 0};
                st = dw__cot_enc_xml(rec, &w);
                if (st == DW_OK && w.full)
                    st = DW_ERR_FULL;
                if (st == DW_OK)
                    *out_end = (uint8_t *)w.p;
            }
        } else {
            st = dw__takp_enc(rec, wire, buf, end, out_end);
        }
    }
    json_decref(rec);
    return st;
}
