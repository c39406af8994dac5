/* cot_xml.c — an XML CoT event to the raw JSON record and the facts of an
 * observation.
 *
 * The document comes from partners and phones, so it is parsed as hostile:
 * libxml2 without network, DTDs or entity substitution, and any DOCTYPE is
 * refused outright before its internal subset is read (a billion-laughs
 * document never gets to declare its entities). Then one walk over the tree
 * writes the record: the event's attributes, the point, the detail elements
 * dronewall understands as typed keys, and everything else under <detail>
 * as a generic tree, so nothing a TAK client sent is lost and the encoders
 * can write it back. docs/formats.md "Cursor-on-Target" describes the keys.
 */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cot_int.h"

const char *const dw__cot_typed_xml[DW__COT_NTYPED] = {
#define X_XML(e, xml, key) xml,
    DW__COT_TYPED(X_XML)
#undef X_XML
};
const char *const dw__cot_typed_key[DW__COT_NTYPED] = {
#define X_KEY(e, xml, key) key,
    DW__COT_TYPED(X_KEY)
#undef X_KEY
};

/* ---- parsing ------------------------------------------------------------ */

static int refused_dtd; /* the address is the marker in ctxt->_private */

static void refuse_dtd(void *ctx, const xmlChar *name, const xmlChar *ext_id, const xmlChar *sys_id)
{
    (void)name, (void)ext_id, (void)sys_id;
    xmlParserCtxtPtr c = ctx;
    c->_private = &refused_dtd;
    xmlStopParser(c);
}

void *dw__cot_xml_parse(const char *buf, size_t len, const char **why)
{
    if (len > INT_MAX) {
        *why = "too large";
        return NULL;
    }
    /* A fresh context per document: a reused one keeps its name dictionary,
     * which hostile input could grow without bound. */
    xmlParserCtxtPtr c = xmlNewParserCtxt();
    if (!c) {
        *why = "out of memory";
        return NULL;
    }
    c->sax->internalSubset = refuse_dtd;
    c->_private = NULL;
    /* Not XML_PARSE_NOENT (no substitution), not DTDLOAD/DTDATTR/DTDVALID,
     * not HUGE (keep libxml2's own depth and size limits), not XINCLUDE.
     * UTF-8 is forced: TAK sends nothing else. */
    xmlDocPtr doc = xmlCtxtReadMemory(c, buf, (int)len, NULL, "UTF-8",
                                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                          XML_PARSE_NOCDATA);
    if (c->_private == &refused_dtd) {
        *why = "has a DOCTYPE (refused)";
        xmlFreeDoc(doc);
        doc = NULL;
    } else if (!doc || !c->wellFormed) {
        *why = "not well-formed XML";
        xmlFreeDoc(doc);
        doc = NULL;
    }
    xmlFreeParserCtxt(c);
    return doc;
}

void dw__cot_xml_free(void *doc) { xmlFreeDoc(doc); }

/* ---- tree helpers ------------------------------------------------------- */

/* "prefix:name" or "name" into buf; NULL when it does not fit (names that
 * long are not CoT). */
static const char *qname(const xmlChar *name, const xmlNs *ns, char *buf, size_t cap)
{
    if (!ns || !ns->prefix)
        return (const char *)name;
    size_t a = strlen((const char *)ns->prefix), b = strlen((const char *)name);
    if (a + b + 2 > cap)
        return NULL;
    memcpy(buf, ns->prefix, a);
    buf[a] = ':';
    memcpy(buf + a + 1, name, b + 1);
    return buf;
}

/* An attribute's value as one string inside the document. A value made of
 * several nodes (rare) is merged into one text node first, so the pointer
 * stays valid as long as the document. */
static const char *attr_value(xmlAttrPtr a)
{
    if (!a->children)
        return "";
    if (a->children->type == XML_TEXT_NODE && !a->children->next && a->children->content)
        return (const char *)a->children->content;
    xmlChar *v = xmlNodeListGetString(a->doc, a->children, 1);
    xmlNodePtr t = xmlNewDocText(a->doc, v ? v : BAD_CAST "");
    xmlFree(v);
    if (!t)
        return NULL;
    xmlFreeNodeList(a->children);
    t->parent = (xmlNodePtr)a;
    a->children = a->last = t;
    return (const char *)t->content;
}

static int has_element_children(xmlNodePtr n)
{
    for (xmlNodePtr c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return 1;
    return 0;
}

static int blank(const xmlChar *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return 0;
    return 1;
}

static int is_text(xmlNodePtr c) { return c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE; }

/* The character data of an element: all of it for a leaf, the non-blank
 * pieces when it also has element children (that whitespace is layout).
 * Writes it as the JSON string value `key` when not empty. */
static dw_status write_text(xmlNodePtr n, dw_jw *w, const char *key)
{
    int mixed = has_element_children(n);
    size_t total = 0, pieces = 0;
    const xmlChar *only = NULL;
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (!is_text(c) || !c->content || !c->content[0] || (mixed && blank(c->content)))
            continue;
        total += strlen((const char *)c->content);
        pieces++;
        only = c->content;
    }
    if (pieces == 0)
        return DW_OK;
    dw_jw_key(w, key);
    if (pieces == 1) {
        dw_jw_str(w, (const char *)only);
        return DW_OK;
    }
    char *buf = malloc(total + 1);
    if (!buf)
        return DW_ERR_NOMEM;
    size_t off = 0;
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (!is_text(c) || !c->content || !c->content[0] || (mixed && blank(c->content)))
            continue;
        size_t l = strlen((const char *)c->content);
        memcpy(buf + off, c->content, l);
        off += l;
    }
    dw_jw_strn(w, buf, off);
    free(buf);
    return DW_OK;
}

static int text_blank(xmlNodePtr n)
{
    for (xmlNodePtr c = n->children; c; c = c->next)
        if (is_text(c) && !blank(c->content))
            return 0;
    return 1;
}

/* Namespace declarations and attributes as members of an open JSON object,
 * except those named in `skip` (unprefixed names; NULL-terminated list). */
static dw_status write_attr_members(xmlNodePtr n, dw_jw *w, const char *const *skip)
{
    char kb[1024];
    for (xmlNsPtr ns = n->nsDef; ns; ns = ns->next) {
        if (ns->prefix) {
            size_t l = strlen((const char *)ns->prefix);
            if (l + 7 > sizeof kb)
                return DW_ERR_PARSE;
            memcpy(kb, "xmlns:", 6);
            memcpy(kb + 6, ns->prefix, l + 1);
            dw_jw_key(w, kb);
        } else {
            dw_jw_key(w, "xmlns");
        }
        dw_jw_str(w, ns->href ? (const char *)ns->href : "");
    }
    for (xmlAttrPtr a = n->properties; a; a = a->next) {
        if (skip && !a->ns) {
            int s = 0;
            for (const char *const *k = skip; *k && !s; k++)
                s = !strcmp(*k, (const char *)a->name);
            if (s)
                continue;
        }
        const char *k = qname(a->name, a->ns, kb, sizeof kb);
        const char *v = attr_value(a);
        if (!k || !v)
            return DW_ERR_PARSE;
        dw_jw_key(w, k);
        dw_jw_str(w, v);
    }
    return DW_OK;
}

static int count_attrs(xmlNodePtr n, const char *const *skip)
{
    int c = 0;
    for (xmlNsPtr ns = n->nsDef; ns; ns = ns->next)
        c++;
    for (xmlAttrPtr a = n->properties; a; a = a->next) {
        int s = 0;
        if (skip && !a->ns)
            for (const char *const *k = skip; *k && !s; k++)
                s = !strcmp(*k, (const char *)a->name);
        c += !s;
    }
    return c;
}

/* One element as {"name","attrs","text","children"} (empty members left out). */
static dw_status write_generic(xmlNodePtr n, dw_jw *w, int depth)
{
    if (depth > DW__COT_MAX_DEPTH)
        return DW_ERR_PARSE;
    char nb[1024];
    const char *name = qname(n->name, n->ns, nb, sizeof nb);
    if (!name)
        return DW_ERR_PARSE;
    dw_jw_obj(w);
    dw_jw_kstr(w, "name", name);
    dw_status st;
    if (count_attrs(n, NULL)) {
        dw_jw_key(w, "attrs");
        dw_jw_obj(w);
        if ((st = write_attr_members(n, w, NULL)) != DW_OK)
            return st;
        dw_jw_obj_end(w);
    }
    if ((st = write_text(n, w, "text")) != DW_OK)
        return st;
    if (has_element_children(n)) {
        dw_jw_key(w, "children");
        dw_jw_arr(w);
        for (xmlNodePtr c = n->children; c; c = c->next)
            if (c->type == XML_ELEMENT_NODE && (st = write_generic(c, w, depth + 1)) != DW_OK)
                return st;
        dw_jw_arr_end(w);
    }
    dw_jw_obj_end(w);
    return DW_OK;
}

static int named(xmlNodePtr n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && !(n->ns && n->ns->prefix) &&
           !strcmp((const char *)n->name, name);
}

static xmlAttrPtr find_attr(xmlNodePtr n, const char *name)
{
    for (xmlAttrPtr a = n->properties; a; a = a->next)
        if (!a->ns && !strcmp((const char *)a->name, name))
            return a;
    return NULL;
}

/* ---- typed detail elements ---------------------------------------------- */

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

/* A <track> is typed when every attribute is a known, finite number (or
 * its version) and course and speed are there: then it can be a velocity. */
static int track_typed(xmlNodePtr n, double vals[N_TRACK_ATTRS], int have[N_TRACK_ATTRS])
{
    if (n->nsDef || !text_blank(n))
        return 0;
    memset(have, 0, sizeof(int) * N_TRACK_ATTRS);
    for (xmlAttrPtr a = n->properties; a; a = a->next) {
        if (a->ns)
            return 0;
        if (!strcmp((const char *)a->name, "version"))
            continue;
        size_t i = 0;
        while (i < N_TRACK_ATTRS && strcmp(track_xml[i], (const char *)a->name))
            i++;
        const char *v = attr_value(a);
        if (i == N_TRACK_ATTRS || !v || !dw__cot_number(v, &vals[i]))
            return 0;
        have[i] = 1;
    }
    return have[0] && have[1];
}

static int typed_ok(int kind, xmlNodePtr n)
{
    if (has_element_children(n))
        return 0;
    if (kind == DW__COT_T_REMARKS)
        return !find_attr(n, "text"); /* "text" is the key of its content */
    if (kind == DW__COT_T_TRACK) {
        double v[N_TRACK_ATTRS];
        int h[N_TRACK_ATTRS];
        return track_typed(n, v, h);
    }
    return text_blank(n);
}

static dw_status write_typed(int kind, xmlNodePtr n, dw_jw *w, dw__cot_facts *f)
{
    dw_jw_key(w, dw__cot_typed_key[kind]);
    dw_jw_obj(w);
    dw_status st = DW_OK;
    if (kind == DW__COT_T_TRACK) {
        double v[N_TRACK_ATTRS];
        int h[N_TRACK_ATTRS];
        track_typed(n, v, h);
        for (size_t i = 0; i < N_TRACK_ATTRS; i++)
            if (h[i])
                dw_jw_kdouble(w, track_key[i], v[i]);
        xmlAttrPtr ver = find_attr(n, "version");
        if (ver)
            dw_jw_kstr(w, "version", attr_value(ver));
        f->has_track = 1;
        f->course_deg = v[0];
        f->speed_mps = v[1];
        f->has_slope = h[2];
        f->slope_deg = h[2] ? v[2] : 0.0;
    } else {
        st = write_attr_members(n, w, NULL);
        if (st == DW_OK && kind == DW__COT_T_REMARKS)
            st = write_text(n, w, "text");
        if (st == DW_OK && kind == DW__COT_T_CONTACT) {
            xmlAttrPtr cs = find_attr(n, "callsign");
            f->callsign = cs ? attr_value(cs) : NULL;
        }
    }
    dw_jw_obj_end(w);
    return st;
}

static void write_extra(int kind, const dw__cot_extra *x, dw_jw *w, dw__cot_facts *f)
{
    dw_jw_key(w, dw__cot_typed_key[kind]);
    dw_jw_obj(w);
    if (kind == DW__COT_T_TRACK) {
        dw_jw_kdouble(w, "course_deg", x->course_deg);
        dw_jw_kdouble(w, "speed_mps", x->speed_mps);
        f->has_track = 1;
        f->course_deg = x->course_deg;
        f->speed_mps = x->speed_mps;
    }
    for (int i = 0; i < x->n[kind]; i++) {
        dw_jw_kstr(w, x->name[kind][i], x->val[kind][i]);
        if (kind == DW__COT_T_CONTACT && !strcmp(x->name[kind][i], "callsign"))
            f->callsign = x->val[kind][i];
    }
    dw_jw_obj_end(w);
}

dw_status dw__cot_detail_json(void *detail, const dw__cot_extra *extra, dw_jw *w,
                              dw__cot_facts *f, const char **why)
{
    xmlNodePtr d = detail;
    xmlNodePtr chosen[DW__COT_NTYPED] = {0};
    int present[DW__COT_NTYPED] = {0};
    /* The first qualifying element of each typed kind becomes its key; the
     * rest, in document order, the generic list. */
    int n_generic = 0;
    for (xmlNodePtr c = d ? d->children : NULL; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        int k = 0;
        while (k < DW__COT_NTYPED && !named(c, dw__cot_typed_xml[k]))
            k++;
        if (k < DW__COT_NTYPED)
            present[k] = 1;
        if (k < DW__COT_NTYPED && !chosen[k] && typed_ok(k, c))
            chosen[k] = c;
        else
            n_generic++;
    }
    dw_status st;
    for (int k = 0; k < DW__COT_NTYPED; k++) {
        if (!chosen[k]) {
            if (extra && extra->have[k] && !present[k])
                write_extra(k, extra, w, f);
            continue;
        }
        if ((st = write_typed(k, chosen[k], w, f)) != DW_OK) {
            *why = "bad detail element";
            return st;
        }
    }
    if (n_generic) {
        dw_jw_key(w, "detail");
        dw_jw_arr(w);
        for (xmlNodePtr c = d->children; c; c = c->next) {
            if (c->type != XML_ELEMENT_NODE)
                continue;
            int k = 0;
            while (k < DW__COT_NTYPED && chosen[k] != c)
                k++;
            if (k < DW__COT_NTYPED)
                continue;
            if ((st = write_generic(c, w, 1)) != DW_OK) {
                *why = st == DW_ERR_NOMEM ? "out of memory" : "detail nested too deeply";
                return st;
            }
        }
        dw_jw_arr_end(w);
    }
    return DW_OK;
}

/* ---- the event ---------------------------------------------------------- */

static const char *const event_attrs[] = {"version", "uid", "type", "how", "access", "qos",
                                          "opex", "time", "start", "stale", NULL};
static const char *const point_attrs[] = {"lat", "lon", "hae", "ce", "le", NULL};

static const char *get(xmlNodePtr n, const char *name)
{
    xmlAttrPtr a = find_attr(n, name);
    return a ? attr_value(a) : NULL;
}

static int local_named(xmlNodePtr n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

dw_status dw__cot_event_json(void *docp, dw_jw *w, dw__cot_facts *f, const char **why)
{
    xmlNodePtr ev = xmlDocGetRootElement((xmlDocPtr)docp);
    if (!ev || !local_named(ev, "event"))
        return DW_ERR_NOT_FOUND;
    memset(f, 0, sizeof *f);

    const char *version = get(ev, "version"), *uid = get(ev, "uid"), *type = get(ev, "type");
    const char *how = get(ev, "how"), *access = get(ev, "access"), *qos = get(ev, "qos");
    const char *opex = get(ev, "opex");
    const char *ts[3] = {get(ev, "time"), get(ev, "start"), get(ev, "stale")};
    int64_t t_us[3];
    if (!uid || !type) {
        *why = "no uid or type";
        return DW_ERR_PARSE;
    }
    for (int i = 0; i < 3; i++) {
        if (!ts[i] || dw_cot_time_parse(ts[i], strlen(ts[i]), &t_us[i]) != DW_OK) {
            *why = "missing or bad time, start or stale";
            return DW_ERR_PARSE;
        }
    }
    xmlNodePtr point = NULL, detail = NULL;
    int n_other = 0;
    for (xmlNodePtr c = ev->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (!point && local_named(c, "point"))
            point = c;
        else if (!detail && local_named(c, "detail"))
            detail = c;
        else
            n_other++;
    }
    if (!point) {
        *why = "no point";
        return DW_ERR_PARSE;
    }
    double pv[5] = {0, 0, DW_COT_UNKNOWN, DW_COT_UNKNOWN, DW_COT_UNKNOWN};
    for (int i = 0; i < 5; i++) {
        const char *v = get(point, point_attrs[i]);
        if (!v && i >= 2)
            continue; /* absent hae/ce/le: unknown, as TAK writes it */
        if (!v || !dw__cot_number(v, &pv[i])) {
            *why = "missing or bad point attribute";
            return DW_ERR_PARSE;
        }
    }
    if (fabs(pv[0]) > 90.0 || fabs(pv[1]) > 180.0) {
        *why = "point outside -90..90, -180..180";
        return DW_ERR_PARSE;
    }

    f->uid = uid;
    f->type = type;
    f->time_us = t_us[0];
    f->lat_deg = pv[0];
    f->lon_deg = pv[1];
    f->hae_m = pv[2];
    f->ce_m = pv[3];
    f->le_m = pv[4];

    if (version)
        dw_jw_kstr(w, "version", version);
    dw_jw_kstr(w, "uid", uid);
    dw_jw_kstr(w, "cot_type", type);
    if (how)
        dw_jw_kstr(w, "how", how);
    if (access)
        dw_jw_kstr(w, "access", access);
    if (qos)
        dw_jw_kstr(w, "qos", qos);
    if (opex)
        dw_jw_kstr(w, "opex", opex);
    dw_jw_kint(w, "time_us", t_us[0]);
    dw_jw_kint(w, "start_us", t_us[1]);
    dw_jw_kint(w, "stale_us", t_us[2]);
    dw_status st;
    if (count_attrs(ev, event_attrs)) {
        dw_jw_key(w, "attrs");
        dw_jw_obj(w);
        if ((st = write_attr_members(ev, w, event_attrs)) != DW_OK) {
            *why = "bad event attribute";
            return st;
        }
        dw_jw_obj_end(w);
    }
    dw_jw_key(w, "point");
    dw_jw_obj(w);
    dw_jw_kdouble(w, "lat_deg", pv[0]);
    dw_jw_kdouble(w, "lon_deg", pv[1]);
    dw_jw_kdouble(w, "hae_m", pv[2]);
    dw_jw_kdouble(w, "ce_m", pv[3]);
    dw_jw_kdouble(w, "le_m", pv[4]);
    dw_jw_obj_end(w);
    if (count_attrs(point, point_attrs)) {
        dw_jw_key(w, "point_attrs");
        dw_jw_obj(w);
        if ((st = write_attr_members(point, w, point_attrs)) != DW_OK) {
            *why = "bad point attribute";
            return st;
        }
        dw_jw_obj_end(w);
    }
    if ((st = dw__cot_detail_json(detail, NULL, w, f, why)) != DW_OK)
        return st;
    if (detail && count_attrs(detail, NULL)) {
        dw_jw_key(w, "detail_attrs");
        dw_jw_obj(w);
        if ((st = write_attr_members(detail, w, NULL)) != DW_OK) {
            *why = "bad detail attribute";
            return st;
        }
        dw_jw_obj_end(w);
    }
    if (n_other) {
        dw_jw_key(w, "children");
        dw_jw_arr(w);
        for (xmlNodePtr c = ev->children; c; c = c->next) {
            if (c->type != XML_ELEMENT_NODE || c == point || c == detail)
                continue;
            if ((st = write_generic(c, w, 1)) != DW_OK) {
                *why = "event child nested too deeply";
                return st;
            }
        }
        dw_jw_arr_end(w);
    }
    return DW_OK;
}
