/* asterix.c — the interpreter of the generated ASTERIX tables.
 *
 * Three walks over the same node tree: sizing (where each item of a record
 * is), writing (the record as JSON) and encoding (JSON back to octets). None
 * of them knows any item by name; the observation builders in asterix_obs.c
 * do, through references resolved once per instance.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asterix_int.h"

/* ------------------------------------------------------------------ tables */

const dw__asx_cat *dw__asx_find_cat(int cat, const char *edition)
{
    if (!edition) {
        int i = cat >= 0 && cat < 256 ? dw__asx_default_cat[cat] : -1;
        return i >= 0 ? &dw__asx_cats[i] : NULL;
    }
    for (size_t i = 0; i < DW_ASX_NCATS; i++) {
        const dw__asx_cat *c = &dw__asx_cats[i];
        if (c->cat != cat)
            continue;
        if (!strcmp(c->edition, edition))
            return c;
    }
    return NULL;
}

int dw__asx_find_node(const dw__asx_cat *c, const char *item)
{
    for (int i = 0; i < c->nuap; i++)
        if (c->uap[i] >= 0 && !strcmp(c->nodes[c->uap[i]].name, item))
            return i;
    return -1;
}

static int find_field(const dw__asx_cat *c, const dw__asx_node *n, const char *field)
{
    int depth = 0;
    for (int i = n->f0; i < n->f0 + n->nf; i++) {
        const dw__asx_field *f = &c->fields[i];
        if (f->kind == DW__ASX_F_CLOSE) {
            depth--;
            continue;
        }
        /* Top-level names only (a sub-group's members are not needed by
         * the builders); no name: the item's first value field. */
        if (!field && f->kind != DW__ASX_F_SPARE && f->kind != DW__ASX_F_OPEN)
            return i;
        if (field && f->name && depth == 0 && !strcmp(f->name, field) &&
            f->kind != DW__ASX_F_OPEN)
            return i;
        if (f->kind == DW__ASX_F_OPEN)
            depth++;
    }
    return -1;
}

dw__asx_ref dw__asx_resolve(const dw__asx_cat *c, const char *item, const char *sub,
                            const char *field)
{
    dw__asx_ref none = {-1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    if (!c)
        return none;
    int slot = dw__asx_find_node(c, item);
    if (slot < 0)
        return none;
    const dw__asx_node *n = &c->nodes[c->uap[slot]];
    int s = -1;
    if (sub) {
        if (n->kind != DW__ASX_N_COMPOUND)
            return none;
        for (int i = 0; i < n->ns; i++) {
            int k = c->subs[n->s0 + i];
            if (k >= 0 && !strcmp(c->nodes[k].name, sub)) {
                s = i;
                n = &c->nodes[k];
                break;
            }
        }
        if (s < 0)
            return none;
    }
    if (n->kind != DW__ASX_N_FIXED && n->kind != DW__ASX_N_EXTENDED)
        return none;
    int f = find_field(c, n, field);
    if (f < 0)
        return none;
    const dw__asx_field *fd = &c->fields[f];
    unsigned total = (fd->bit & 7u) + fd->bits;
    dw__asx_ref r = {(int8_t)slot, (int8_t)s, (int16_t)f, (uint16_t)(fd->bit / 8),
                     (uint16_t)((fd->bit + fd->bits + 7u) / 8), (uint8_t)((total + 7) / 8),
                     (uint8_t)(((total + 7) / 8) * 8 - total), (uint8_t)fd->bits, fd->kind,
                     fd->kind == DW__ASX_F_SQTY || fd->kind == DW__ASX_F_INT,
                     fd->bits >= 64 ? UINT64_MAX : (UINT64_C(1) << fd->bits) - 1, fd->lsb,
                     fd->kind == DW__ASX_F_SQTY || fd->kind == DW__ASX_F_UQTY ? fd->lsb : 1.0};
    return r;
}

/* ------------------------------------------------------------------ sizing */

static long node_size(const dw__asx_cat *c, const dw__asx_node *n, const uint8_t *p, size_t avail);

/* The presence octets of a compound: number of octets, or an error. */
static long compound_fspec(const dw__asx_node *n, const uint8_t *p, size_t avail)
{
    size_t max = (size_t)(n->ns + 6) / 7;
    size_t k = 0;
    do {
        if (k >= avail)
            return DW__ASX_TRUNC;
        if (k >= max)
            return DW__ASX_UNKNOWN;
    } while (p[k++] & 1);
    return (long)k;
}

static long compound_size(const dw__asx_cat *c, const dw__asx_node *n, const uint8_t *p,
                          size_t avail)
{
    long k = compound_fspec(n, p, avail);
    if (k < 0)
        return k;
    size_t off = (size_t)k;
    for (long o = 0; o < k; o++) {
        for (unsigned m = p[o] & 0xFEu; m;) {
            int b = 31 - __builtin_clz(m);
            m &= ~(1u << b);    /* slots in order: highest bit first */
            int slot = (int)(o * 7 + (7 - b));
            if (slot >= n->ns || c->subs[n->s0 + slot] < 0)
                return DW__ASX_UNKNOWN;
            const dw__asx_node *sn = &c->nodes[c->subs[n->s0 + slot]];
            long s;
            if (sn->kind == DW__ASX_N_FIXED)
                s = sn->octets <= avail - off ? (long)sn->octets : DW__ASX_TRUNC;
            else
                s = node_size(c, sn, p + off, avail - off);
            if (s < 0)
                return s;
            off += (size_t)s;
        }
    }
    return (long)off;
}

static long node_size(const dw__asx_cat *c, const dw__asx_node *n, const uint8_t *p, size_t avail)
{
    switch (n->kind) {
    case DW__ASX_N_FIXED:
        return n->octets <= avail ? (long)n->octets : DW__ASX_TRUNC;
    case DW__ASX_N_EXTENDED: {
        size_t off = 0;
        if (n->octets == 1) {
            /* the common case: one octet per part */
            size_t max = n->ns < avail ? n->ns : avail;
            for (; off < max; off++)
                if (!(p[off] & 1))
                    return (long)off + 1;
            return off < n->ns ? DW__ASX_TRUNC : DW__ASX_UNKNOWN;
        }
        for (int k = 0; k < n->ns; k++) {
            off += c->parts[n->s0 + k];
            if (off > avail)
                return DW__ASX_TRUNC;
            if (!(p[off - 1] & 1))
                return (long)off;
        }
        /* An extension the edition does not define. */
        return DW__ASX_UNKNOWN;
    }
    case DW__ASX_N_REP: {
        if (avail < n->rep)
            return DW__ASX_TRUNC;
        size_t count = 0;
        for (unsigned i = 0; i < n->rep; i++)
            count = count << 8 | p[i];
        size_t s = n->rep + count * n->octets;
        return s <= avail ? (long)s : DW__ASX_TRUNC;
    }
    case DW__ASX_N_REPFX: {
        size_t off = 0;
        do {
            off += n->octets;
            if (off > avail)
                return DW__ASX_TRUNC;
        } while (p[off - 1] & 1);
        return (long)off;
    }
    case DW__ASX_N_COMPOUND:
        return compound_size(c, n, p, avail);
    case DW__ASX_N_EXPLICIT:
        if (avail < 1 || p[0] < 1 || p[0] > avail)
            return DW__ASX_TRUNC;
        return p[0];
    }
    return DW__ASX_UNKNOWN;
}

/* rev7[b >> 1]: FSPEC bits 8..2 of an octet as bits 0..6 (FRN order). */
#define R1(x) (((x) >> 6 & 1) | ((x) >> 4 & 2) | ((x) >> 2 & 4) | ((x)&8) | ((x) << 2 & 16) | \
               ((x) << 4 & 32) | ((x) << 6 & 64))
#define R4(x) R1(x), R1((x) + 1), R1((x) + 2), R1((x) + 3)
#define R16(x) R4(x), R4((x) + 4), R4((x) + 8), R4((x) + 12)
#define R64(x) R16(x), R16((x) + 16), R16((x) + 32), R16((x) + 48)
static const uint8_t rev7[128] = {R64(0), R64(64)};
#undef R1
#undef R4
#undef R16
#undef R64

int dw__asx_locate(const dw__asx_cat *c, const uint8_t *p, size_t avail, dw__asx_rec *r)
{
    uint64_t fr = 0;
    size_t off = 0;
    unsigned frn = 0;
    for (;;) {
        if (off >= avail)
            return DW__ASX_TRUNC;
        unsigned b = p[off++];
        if (frn + 7 > c->nuap) {
            /* Only the head of this octet maps onto the UAP. */
            unsigned known = c->nuap > frn ? c->nuap - frn : 0;
            unsigned mask = (0xFEu << (7 - known)) & 0xFE;
            if ((b & 0xFE & ~mask) || (b & 1))
                return DW__ASX_UNKNOWN;
        }
        fr |= (uint64_t)rev7[b >> 1] << frn;
        frn += 7;
        if (!(b & 1))
            break;
    }
    size_t fsl = off;
    if (!fr)
        return DW__ASX_TRUNC;   /* a record of nothing: not a record */
    const uint8_t *q = p + off, *end = p + avail;
    for (uint64_t m = fr; m; m &= m - 1) {
        unsigned i = (unsigned)__builtin_ctzll(m);
        size_t s = c->uap_octets[i];
        size_t left = (size_t)(end - q);
        if (!s) {
            int k = c->uap[i];
            if (k < 0)
                return DW__ASX_UNKNOWN;
            const dw__asx_node *n = &c->nodes[k];
            if (n->kind == DW__ASX_N_EXTENDED && n->octets == 1) {
                /* inline the two commonest variable items */
                size_t max = n->ns < left ? n->ns : left, j = 0;
                while (j < max && (q[j] & 1))
                    j++;
                if (j == max)
                    return j < n->ns ? DW__ASX_TRUNC : DW__ASX_UNKNOWN;
                s = j + 1;
            } else if (n->kind == DW__ASX_N_REP && n->rep == 1) {
                if (!left)
                    return DW__ASX_TRUNC;
                s = 1 + (size_t)q[0] * n->octets;
            } else {
                long ls = node_size(c, n, q, left);
                if (ls < 0)
                    return (int)ls;
                s = (size_t)ls;
            }
        }
        if (s > left)
            return DW__ASX_TRUNC;
        r->at[i] = q;
        r->len[i] = (uint16_t)s;
        q += s;
    }
    off = (size_t)(q - p);
    r->present = fr;
    r->size = off;
    r->at_fspec = p;
    r->fspec_len = (uint8_t)fsl;
    return DW__ASX_OK;
}

/* The sub-item in compound slot `slot` of the compound at p. */
static const uint8_t *compound_sub(const dw__asx_cat *c, const dw__asx_node *n, const uint8_t *p,
                                   size_t len, int slot, size_t *slen)
{
    long k = compound_fspec(n, p, len);
    if (k < 0 || slot / 7 >= k || !(p[slot / 7] >> (7 - slot % 7) & 1))
        return NULL;
    size_t off = (size_t)k;
    for (int i = 0; i < slot; i++) {
        if (!(p[i / 7] >> (7 - i % 7) & 1))
            continue;
        long s = node_size(c, &c->nodes[c->subs[n->s0 + i]], p + off, len - off);
        if (s < 0)
            return NULL;
        off += (size_t)s;
    }
    long s = node_size(c, &c->nodes[c->subs[n->s0 + slot]], p + off, len - off);
    if (s < 0)
        return NULL;
    *slen = (size_t)s;
    return p + off;
}

const uint8_t *dw__asx_ref_at(const dw__asx_cat *c, const dw__asx_rec *r, dw__asx_ref x,
                              size_t *len)
{
    if (x.frn < 0 || !(r->present >> x.frn & 1))
        return NULL;
    const uint8_t *p = r->at[x.frn];
    size_t l = r->len[x.frn];
    if (x.sub >= 0) {
        const dw__asx_node *n = &c->nodes[c->uap[x.frn]];
        p = compound_sub(c, n, p, l, x.sub, &l);
        if (!p)
            return NULL;
    }
    *len = l;
    return p;
}

uint64_t dw__asx_ref_raw(const dw__asx_cat *c, const dw__asx_rec *r, dw__asx_ref x, int *ok)
{
    size_t len;
    const uint8_t *p = dw__asx_ref_at(c, r, x, &len);
    const dw__asx_field *f = &c->fields[x.field >= 0 ? x.field : 0];
    if (!p || (size_t)f->bit + f->bits > len * 8) {
        *ok = 0;
        return 0;
    }
    *ok = 1;
    return dw__asx_bits(p, f->bit, f->bits);
}

double dw__asx_ref_value(const dw__asx_cat *c, const dw__asx_rec *r, dw__asx_ref x, int *ok)
{
    uint64_t v = dw__asx_ref_raw(c, r, x, ok);
    if (!*ok)
        return 0;
    const dw__asx_field *f = &c->fields[x.field];
    switch (f->kind) {
    case DW__ASX_F_SQTY:
        return (double)dw__asx_sext(v, f->bits) * f->lsb;
    case DW__ASX_F_UQTY:
        return (double)v * f->lsb;
    case DW__ASX_F_INT:
        return (double)dw__asx_sext(v, f->bits);
    default:
        return (double)v;
    }
}

static char icao_char(unsigned c6)
{
    /* IA-5 columns 4/5 for 0..31 ('@', 'A'..'Z', '['..'_'), 2/3 for 32..63
     * (' '..'?'): every code has a character, so strings round-trip. */
    return (char)(c6 < 32 ? 0x40 + c6 : c6);
}

int dw__asx_ref_icao(const dw__asx_cat *c, const dw__asx_rec *r, dw__asx_ref x, char *out,
                     size_t cap)
{
    size_t len;
    if (x.frn < 0 || !(r->present >> x.frn & 1))
        return 0;
    const uint8_t *p = dw__asx_ref_at(c, r, x, &len);
    const dw__asx_field *f = &c->fields[x.field];
    if (!p || f->kind != DW__ASX_F_ICAO || (size_t)f->bit + f->bits > len * 8)
        return 0;
    /* The ICAO set is A-Z, 0-9 and space; other codes (all-zero bits for
     * "no identification") become spaces here, as in the goldens. */
    static const char set[65] = " ABCDEFGHIJKLMNOPQRSTUVWXYZ                     0123456789      ";
    size_t n = f->bits / 6, k = 0;
    for (size_t i = 0; i < n && k + 1 < cap; i += 8) {
        /* eight characters at a time: 48 bits */
        unsigned m = n - i < 8 ? (unsigned)(n - i) : 8;
        uint64_t w = dw__asx_bits(p, f->bit + 6 * (unsigned)i, 6 * m);
        for (unsigned j = 0; j < m && k + 1 < cap; j++)
            out[k++] = set[(w >> (6 * (m - 1 - j))) & 63];
    }
    while (k && out[k - 1] == ' ')
        k--;
    out[k] = '\0';
    return k > 0;
}

/* ------------------------------------------------------------------ JSON out */

/* A writer of our own rather than jsonw.h: scaled values are printed as the
 * exact decimal of raw x lsb (no printf, no rounding), and the keys are the
 * tables' own, so nothing needs escaping but string values. */
typedef struct jout {
    char *p, *end;
    int full;
} jout;

/* Room for one short token (a key up to 40 characters, a number) without
 * checking each character; longer things check as they go. */
#define JROOM 64

static inline int jroom(jout *o)
{
    if (o->end - o->p >= JROOM)
        return 1;
    o->full = 1;
    return 0;
}

static inline void jput(jout *o, const char *s, size_t n)
{
    if ((size_t)(o->end - o->p) < n) {
        o->full = 1;
        o->p = o->end;
        return;
    }
    memcpy(o->p, s, n);
    o->p += n;
}

static inline void jc(jout *o, char ch)
{
    if (o->p >= o->end) {
        o->full = 1;
        return;
    }
    *o->p++ = ch;
}

static inline void jkey(jout *o, int *first, const char *k)
{
    if (!jroom(o))
        return;
    char *p = o->p;
    if (!*first)
        *p++ = ',';
    *first = 0;
    *p++ = '"';
    for (int i = 0; k[i] && i < 40; i++)
        *p++ = k[i];
    *p++ = '"';
    *p++ = ':';
    o->p = p;
}

/* A key from the tables: 16 zero-padded octets moved at once. */
static inline void jkey16(jout *o, int *first, const char key[16], unsigned len)
{
    if (!jroom(o))
        return;
    char *p = o->p;
    if (!*first)
        *p++ = ',';
    *first = 0;
    *p++ = '"';
    memcpy(p, key, 16);
    p += len;
    *p++ = '"';
    *p++ = ':';
    o->p = p;
}

static const char digits2[201] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                 "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                 "8081828384858687888990919293949596979899";

/* v in decimal, ending at end; returns the first character. */
static inline char *udec(char *end, uint64_t v)
{
    char *p = end;
    while (v >= 100) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        p -= 2;
        p[0] = digits2[2 * r];
        p[1] = digits2[2 * r + 1];
    }
    if (v >= 10) {
        p -= 2;
        p[0] = digits2[2 * v];
        p[1] = digits2[2 * v + 1];
    } else {
        *--p = (char)('0' + v);
    }
    return p;
}

static inline void jraw(jout *o, const char *s, size_t n)
{
    /* n < JROOM after jroom(): a plain loop beats a call to memcpy */
    char *p = o->p;
    for (size_t i = 0; i < n; i++)
        p[i] = s[i];
    o->p = p + n;
}

static void juint(jout *o, uint64_t v)
{
    char tmp[24];
    if (!jroom(o))
        return;
    char *b = udec(tmp + 24, v);
    jraw(o, b, (size_t)(tmp + 24 - b));
}

static void jint(jout *o, int64_t v)
{
    if (v < 0) {
        jc(o, '-');
        juint(o, (uint64_t)(-(v + 1)) + 1);
    } else {
        juint(o, (uint64_t)v);
    }
}

static const uint64_t pow10_[20] = {1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull,
                                    1000000ull, 10000000ull, 100000000ull, 1000000000ull,
                                    10000000000ull, 100000000000ull, 1000000000000ull,
                                    10000000000000ull, 100000000000000ull,
                                    1000000000000000ull, 10000000000000000ull,
                                    100000000000000000ull, 1000000000000000000ull,
                                    10000000000000000000ull};

static void jdouble(jout *o, double v)
{
    char tmp[40];
    int n = 0;
    if (!isfinite(v)) {
        jput(o, "null", 4);
        return;
    }
    for (int prec = 15; prec <= 17; prec++) {
        n = snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    jput(o, tmp, (size_t)n);
}

/* raw x lsb_num / (2^a 5^b) as an exact decimal: with d = max(a, b) it is
 * raw x lsb_num x 2^(d-a) x 5^(d-b) / 10^d, an integer shifted d places. */
static const uint64_t pow5_[20] = {1ull, 5ull, 25ull, 125ull, 625ull, 3125ull, 15625ull, 78125ull,
                                   390625ull, 1953125ull, 9765625ull, 48828125ull, 244140625ull,
                                   1220703125ull, 6103515625ull, 30517578125ull, 152587890625ull,
                                   762939453125ull, 3814697265625ull, 19073486328125ull};

static void jscaled(jout *o, int64_t raw, const dw__asx_field *f)
{
    unsigned a = f->lsb_den2, b = f->lsb_den5, d = a > b ? a : b;
    uint64_t m = raw < 0 ? (uint64_t)(-(raw + 1)) + 1 : (uint64_t)raw;
    int ok = d <= 19 && f->lsb_num > 0;
    if (ok)
        ok = !__builtin_mul_overflow(m, (uint64_t)f->lsb_num, &m) &&
             !__builtin_mul_overflow(m, UINT64_C(1) << (d - a), &m) &&
             !__builtin_mul_overflow(m, pow5_[d - b], &m);
    if (!ok) {
        jdouble(o, (double)raw * f->lsb);
        return;
    }
    if (!jroom(o))
        return;
    char tmp[48];
    char *e = tmp + 48, *p = e;
    uint64_t ip = m / pow10_[d], fp = m % pow10_[d];
    if (fp) {
        unsigned nd = d;
        while (fp % 10 == 0) {
            fp /= 10;
            nd--;
        }
        /* nd fraction digits, with the leading zeros */
        char *fe = p;
        p = udec(p, fp);
        while ((unsigned)(fe - p) < nd)
            *--p = '0';
        *--p = '.';
    }
    p = udec(p, ip);
    if (raw < 0 && m)
        *--p = '-';
    jraw(o, p, (size_t)(e - p));
}

static void jstrbytes(jout *o, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    jc(o, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\') {
            char e[2] = {'\\', (char)ch};
            jput(o, e, 2);
        } else if (ch < 0x20 || ch >= 0x7f) {
            /* Bytes, not UTF-8: \u00XX keeps each one and reads back. */
            char e[6] = {'\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15]};
            jput(o, e, 6);
        } else {
            jc(o, (char)ch);
        }
    }
    jc(o, '"');
}

static void jvalue(jout *o, const dw__asx_field *f, const uint8_t *p)
{
    switch (f->kind) {
    case DW__ASX_F_RAW:
    case DW__ASX_F_TABLE:
    case DW__ASX_F_UINT:
        juint(o, dw__asx_bits(p, f->bit, f->bits));
        return;
    case DW__ASX_F_INT:
        jint(o, dw__asx_sext(dw__asx_bits(p, f->bit, f->bits), f->bits));
        return;
    case DW__ASX_F_UQTY:
        jscaled(o, (int64_t)dw__asx_bits(p, f->bit, f->bits), f);
        return;
    case DW__ASX_F_SQTY:
        jscaled(o, dw__asx_sext(dw__asx_bits(p, f->bit, f->bits), f->bits), f);
        return;
    case DW__ASX_F_ICAO: {
        char s[64];
        unsigned n = f->bits / 6;
        if (n > sizeof s)
            n = sizeof s;
        for (unsigned i = 0; i < n; i++)
            s[i] = icao_char((unsigned)dw__asx_bits(p, f->bit + 6 * i, 6));
        jstrbytes(o, s, n);
        return;
    }
    case DW__ASX_F_ASCII: {
        char s[256];
        unsigned n = f->bits / 8;
        if (n > sizeof s)
            n = sizeof s;
        for (unsigned i = 0; i < n; i++)
            s[i] = (char)dw__asx_bits(p, f->bit + 8 * i, 8);
        jstrbytes(o, s, n);
        return;
    }
    case DW__ASX_F_OCTAL: {
        char s[32];
        unsigned n = f->bits / 3;
        if (n > sizeof s - 2)
            n = sizeof s - 2;
        s[0] = '"';
        for (unsigned i = 0; i < n; i++)
            s[1 + i] = (char)('0' + dw__asx_bits(p, f->bit + 3 * i, 3));
        s[n + 1] = '"';
        jput(o, s, n + 2);
        return;
    }
    case DW__ASX_F_BYTES: {
        static const char hex[] = "0123456789abcdef";
        jc(o, '"');
        for (unsigned i = 0; i < f->bits / 8u; i++) {
            uint8_t b = p[f->bit / 8 + i];
            char e[2] = {hex[b >> 4], hex[b & 15]};
            jput(o, e, 2);
        }
        jc(o, '"');
        return;
    }
    default:
        jput(o, "null", 4);
    }
}

/* Fields [f0, f0+nf) of bytes p; only those within the first `bits` bits
 * (an extended item's present parts). */
static void jfields(jout *o, const dw__asx_cat *c, const dw__asx_node *n, const uint8_t *p,
                    unsigned bits)
{
    if (n->scalar) {
        jvalue(o, &c->fields[n->f0], p);
        return;
    }
    int first[8];
    int d = 0;
    first[0] = 1;
    jc(o, '{');
    for (unsigned i = n->f0; i < (unsigned)n->f0 + n->nf; i++) {
        const dw__asx_field *f = &c->fields[i];
        if ((unsigned)f->bit + f->bits > bits || (f->kind == DW__ASX_F_OPEN && f->bit >= bits))
            break;
        switch (f->kind) {
        case DW__ASX_F_SPARE:
            break;
        case DW__ASX_F_OPEN:
            jkey16(o, &first[d], f->key, f->keylen);
            jc(o, '{');
            if (d < 7)
                d++;
            first[d] = 1;
            break;
        case DW__ASX_F_CLOSE:
            jc(o, '}');
            if (d > 0)
                d--;
            break;
        default:
            jkey16(o, &first[d], f->key, f->keylen);
            jvalue(o, f, p);
        }
    }
    /* A part boundary never falls inside a sub-group, but be safe. */
    while (d-- > 0)
        jc(o, '}');
    jc(o, '}');
}

static void jhex(jout *o, const uint8_t *p, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    jc(o, '"');
    for (size_t i = 0; i < n; i++) {
        char e[2] = {hex[p[i] >> 4], hex[p[i] & 15]};
        jput(o, e, 2);
    }
    jc(o, '"');
}

static void jnode(jout *o, const dw__asx_cat *c, const dw__asx_node *n, const uint8_t *p,
                  size_t len)
{
    switch (n->kind) {
    case DW__ASX_N_FIXED:
        jfields(o, c, n, p, n->octets * 8u);
        return;
    case DW__ASX_N_EXTENDED:
        jfields(o, c, n, p, (unsigned)len * 8u);
        return;
    case DW__ASX_N_REP: {
        size_t count = 0, off = n->rep;
        for (unsigned i = 0; i < n->rep; i++)
            count = count << 8 | p[i];
        jc(o, '[');
        for (size_t i = 0; i < count; i++, off += n->octets) {
            if (i)
                jc(o, ',');
            jfields(o, c, n, p + off, n->octets * 8u);
        }
        jc(o, ']');
        return;
    }
    case DW__ASX_N_REPFX: {
        jc(o, '[');
        for (size_t off = 0; off + n->octets <= len; off += n->octets) {
            if (off)
                jc(o, ',');
            jfields(o, c, n, p + off, n->octets * 8u - 1);
        }
        jc(o, ']');
        return;
    }
    case DW__ASX_N_COMPOUND: {
        long k = compound_fspec(n, p, len);
        size_t off = k > 0 ? (size_t)k : len;
        int first = 1;
        jc(o, '{');
        if (k > 1 && !(p[k - 1] & 0xFE)) {
            /* Trailing empty presence octets: legal but not minimal; say
             * so, or the encoder could not give back the same octets. */
            jkey(o, &first, "fspec_len");
            juint(o, (uint64_t)k);
        }
        for (long oc = 0; oc < k; oc++) {
            for (int b = 7; b >= 1; b--) {
                if (!(p[oc] >> b & 1))
                    continue;
                int slot = (int)(oc * 7 + (7 - b));
                const dw__asx_node *s = &c->nodes[c->subs[n->s0 + slot]];
                long sz = node_size(c, s, p + off, len - off);
                if (sz < 0)
                    break;  /* cannot happen: sized before */
                jkey16(o, &first, s->key, s->keylen);
                jnode(o, c, s, p + off, (size_t)sz);
                off += (size_t)sz;
            }
        }
        jc(o, '}');
        return;
    }
    case DW__ASX_N_EXPLICIT:
        jhex(o, p + 1, len - 1);
        return;
    }
}

size_t dw__asx_json(const dw__asx_cat *c, const dw__asx_rec *r, char *buf, size_t cap)
{
    jout o = {buf, buf + (cap ? cap - 1 : 0), cap == 0};
    int first = 0;
    jput(&o, "{\"codec\":\"asterix\",\"cat\":", 25);
    juint(&o, c->cat);
    jput(&o, ",\"ed\":\"", 7);
    jput(&o, c->edition, strlen(c->edition));
    jput(&o, "\",\"len\":", 8);
    juint(&o, r->size);
    if (r->fspec_len > 1 && !(r->at_fspec[r->fspec_len - 1] & 0xFE)) {
        jput(&o, ",\"fspec_len\":", 13);
        juint(&o, r->fspec_len);
    }
    for (uint64_t m = r->present; m; m &= m - 1) {
        unsigned i = (unsigned)__builtin_ctzll(m);
        const dw__asx_node *n = &c->nodes[c->uap[i]];
        jkey16(&o, &first, n->key, n->keylen);
        jnode(&o, c, n, r->at[i], r->len[i]);
    }
    jc(&o, '}');
    if (o.full)
        return 0;
    *o.p = '\0';
    return (size_t)(o.p - buf);
}

/* ------------------------------------------------------------------ JSON in */

/* A small tokenizer: the encoder reads JSON without allocating, into the
 * instance's token array. Each token knows the index after its subtree. */
enum { JT_OBJ = 1, JT_ARR, JT_STR, JT_NUM, JT_LIT };

typedef struct jparse {
    const char *s;
    size_t len, pos;
    dw__asx_tok *t;
    uint32_t nt, cap;
    int depth;
} jparse;

static void jws(jparse *j)
{
    while (j->pos < j->len && (j->s[j->pos] == ' ' || j->s[j->pos] == '\t' ||
                               j->s[j->pos] == '\n' || j->s[j->pos] == '\r'))
        j->pos++;
}

static int jnew(jparse *j, int type)
{
    if (j->nt >= j->cap)
        return -1;
    dw__asx_tok *t = &j->t[j->nt];
    t->type = (uint8_t)type;
    t->start = (uint32_t)j->pos;
    t->len = 0;
    t->n = 0;
    t->next = 0;
    return (int)j->nt++;
}

static int jp_value(jparse *j);

static int jp_string(jparse *j)
{
    int k = jnew(j, JT_STR);
    if (k < 0)
        return -1;
    j->pos++; /* the quote */
    size_t s = j->pos;
    while (j->pos < j->len && j->s[j->pos] != '"') {
        unsigned char ch = (unsigned char)j->s[j->pos];
        if (ch < 0x20)
            return -1;
        if (ch == '\\') {
            if (++j->pos >= j->len)
                return -1;
        }
        j->pos++;
    }
    if (j->pos >= j->len)
        return -1;
    j->t[k].start = (uint32_t)s;
    j->t[k].len = (uint32_t)(j->pos - s);
    j->pos++;
    j->t[k].next = j->nt;
    return k;
}

static int jp_value(jparse *j)
{
    jws(j);
    if (j->pos >= j->len)
        return -1;
    char ch = j->s[j->pos];
    if (ch == '"')
        return jp_string(j);
    if (ch == '{' || ch == '[') {
        if (++j->depth > 32)
            return -1;
        int k = jnew(j, ch == '{' ? JT_OBJ : JT_ARR);
        if (k < 0)
            return -1;
        char close = ch == '{' ? '}' : ']';
        j->pos++;
        jws(j);
        if (j->pos < j->len && j->s[j->pos] == close) {
            j->pos++;
        } else {
            for (;;) {
                if (ch == '{') {
                    jws(j);
                    if (j->pos >= j->len || j->s[j->pos] != '"' || jp_string(j) < 0)
                        return -1;
                    jws(j);
                    if (j->pos >= j->len || j->s[j->pos] != ':')
                        return -1;
                    j->pos++;
                }
                if (jp_value(j) < 0)
                    return -1;
                j->t[k].n++;
                jws(j);
                if (j->pos >= j->len)
                    return -1;
                if (j->s[j->pos] == ',') {
                    j->pos++;
                    continue;
                }
                if (j->s[j->pos] != close)
                    return -1;
                j->pos++;
                break;
            }
        }
        j->depth--;
        j->t[k].len = (uint32_t)(j->pos - j->t[k].start);
        j->t[k].next = j->nt;
        return k;
    }
    if (ch == '-' || (ch >= '0' && ch <= '9')) {
        int k = jnew(j, JT_NUM);
        if (k < 0)
            return -1;
        size_t s = j->pos;
        while (j->pos < j->len && strchr("+-0123456789.eE", j->s[j->pos]) && j->s[j->pos])
            j->pos++;
        j->t[k].len = (uint32_t)(j->pos - s);
        j->t[k].next = j->nt;
        return j->t[k].len < 64 ? k : -1;
    }
    static const char *lits[] = {"true", "false", "null"};
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(lits[i]);
        if (j->len - j->pos >= n && !memcmp(j->s + j->pos, lits[i], n)) {
            int k = jnew(j, JT_LIT);
            if (k < 0)
                return -1;
            j->t[k].len = (uint32_t)n;
            j->pos += n;
            j->t[k].next = j->nt;
            return k;
        }
    }
    return -1;
}

/* The value token of `key` in object `obj`, or -1. */
static int jget(const char *s, const dw__asx_tok *t, int obj, const char *key)
{
    size_t kl = strlen(key);
    uint32_t k = (uint32_t)obj + 1;
    for (uint32_t i = 0; i < t[obj].n; i++) {
        if (t[k].len == kl && !memcmp(s + t[k].start, key, kl))
            return (int)k + 1;
        k = t[k + 1].next;
    }
    return -1;
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* A string token's bytes with escapes resolved (\u up to 00FF only: the
 * decoder writes bytes that way); -1 if malformed or longer than cap. */
static long jstr(const char *s, const dw__asx_tok *t, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = t->start; i < (size_t)t->start + t->len; i++) {
        char ch = s[i];
        if (ch == '\\') {
            ch = s[++i];
            switch (ch) {
            case 'n': ch = '\n'; break;
            case 't': ch = '\t'; break;
            case 'r': ch = '\r'; break;
            case 'b': ch = '\b'; break;
            case 'f': ch = '\f'; break;
            case '"': case '\\': case '/': break;
            case 'u': {
                if (i + 4 >= (size_t)t->start + t->len)
                    return -1;
                int v = 0;
                for (int d = 1; d <= 4; d++) {
                    int h = hexval(s[i + (size_t)d]);
                    if (h < 0)
                        return -1;
                    v = v * 16 + h;
                }
                if (v > 0xFF)
                    return -1;
                ch = (char)v;
                i += 4;
                break;
            }
            default:
                return -1;
            }
        }
        if (k >= cap)
            return -1;
        out[k++] = ch;
    }
    return (long)k;
}

static int jnum(const char *s, const dw__asx_tok *t, double *v)
{
    char tmp[64];
    if (t->type != JT_NUM || t->len >= sizeof tmp)
        return -1;
    memcpy(tmp, s + t->start, t->len);
    tmp[t->len] = '\0';
    char *e;
    *v = strtod(tmp, &e);
    return *e == '\0' && isfinite(*v) ? 0 : -1;
}

/* An integer token exactly (64-bit raw fields do not fit a double). */
static int jinteger(const char *s, const dw__asx_tok *t, int64_t *sv, uint64_t *uv, int *neg)
{
    if (t->type != JT_NUM || t->len == 0)
        return -3;
    if (t->len > 21)
        return -1;
    const char *p = s + t->start, *e = p + t->len;
    *neg = 0;
    if (*p == '-') {
        *neg = 1;
        p++;
    }
    if (p == e)
        return -3;
    uint64_t u = 0;
    for (; p < e; p++) {
        if (*p < '0' || *p > '9')
            return -2; /* not an integer literal */
        if (__builtin_mul_overflow(u, 10, &u) || __builtin_add_overflow(u, (uint64_t)(*p - '0'), &u))
            return -1;
    }
    *uv = u;
    if (*neg) {
        if (u > (uint64_t)INT64_MAX + 1)
            return -1;
        *sv = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
    } else {
        *sv = u > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)u;
    }
    return 0;
}

/* ------------------------------------------------------------------ encode */

typedef struct enc {
    const char *s;
    const dw__asx_tok *t;
    uint8_t *p, *end;
} enc;

static void putbits(uint8_t *base, unsigned bit, unsigned n, uint64_t v)
{
    for (unsigned k = 0; k < n; k++)
        if (v >> (n - 1 - k) & 1)
            base[(bit + k) >> 3] |= (uint8_t)(0x80u >> ((bit + k) & 7));
}

static dw_status enc_value(const enc *e, const dw__asx_field *f, int tok, uint8_t *base)
{
    const dw__asx_tok *t = &e->t[tok];
    uint64_t maxu = f->bits >= 64 ? UINT64_MAX : (UINT64_C(1) << f->bits) - 1;
    switch (f->kind) {
    case DW__ASX_F_RAW:
    case DW__ASX_F_TABLE:
    case DW__ASX_F_UINT:
    case DW__ASX_F_INT: {
        int64_t sv;
        uint64_t uv;
        int neg;
        int rc = jinteger(e->s, t, &sv, &uv, &neg);
        if (rc == -2) {
            double d;
            if (jnum(e->s, t, &d) < 0 || d != floor(d) || fabs(d) > 9e18)
                return DW_ERR_PARSE;
            sv = (int64_t)d;
            neg = d < 0;
            uv = neg ? 0 : (uint64_t)d;
        } else if (rc < 0) {
            return rc == -1 ? DW_ERR_RANGE : DW_ERR_PARSE;
        }
        if (f->kind == DW__ASX_F_INT) {
            int64_t lo = f->bits >= 64 ? INT64_MIN : -(INT64_C(1) << (f->bits - 1));
            int64_t hi = f->bits >= 64 ? INT64_MAX : (INT64_C(1) << (f->bits - 1)) - 1;
            if (sv < lo || sv > hi)
                return DW_ERR_RANGE;
            putbits(base, f->bit, f->bits, (uint64_t)sv & maxu);
        } else {
            if (neg || uv > maxu)
                return DW_ERR_RANGE;
            putbits(base, f->bit, f->bits, uv);
        }
        return DW_OK;
    }
    case DW__ASX_F_UQTY:
    case DW__ASX_F_SQTY: {
        double d;
        if (jnum(e->s, t, &d) < 0)
            return DW_ERR_PARSE;
        double q = d / f->lsb;
        if (!(fabs(q) < 9e18))
            return DW_ERR_RANGE;
        int64_t r = llround(q);
        if (f->kind == DW__ASX_F_SQTY) {
            int64_t lo = f->bits >= 64 ? INT64_MIN : -(INT64_C(1) << (f->bits - 1));
            int64_t hi = f->bits >= 64 ? INT64_MAX : (INT64_C(1) << (f->bits - 1)) - 1;
            if (r < lo || r > hi)
                return DW_ERR_RANGE;
            putbits(base, f->bit, f->bits, (uint64_t)r & maxu);
        } else {
            if (r < 0 || (uint64_t)r > maxu)
                return DW_ERR_RANGE;
            putbits(base, f->bit, f->bits, (uint64_t)r);
        }
        return DW_OK;
    }
    case DW__ASX_F_ICAO:
    case DW__ASX_F_ASCII:
    case DW__ASX_F_OCTAL: {
        char buf[256];
        if (t->type != JT_STR)
            return DW_ERR_PARSE;
        unsigned w = f->kind == DW__ASX_F_ICAO ? 6 : f->kind == DW__ASX_F_ASCII ? 8 : 3;
        unsigned n = f->bits / w;
        long k = jstr(e->s, t, buf, sizeof buf);
        if (k < 0 || (unsigned long)k > n)
            return k < 0 ? DW_ERR_PARSE : DW_ERR_RANGE;
        for (unsigned i = 0; i < n; i++) {
            unsigned v;
            if (f->kind == DW__ASX_F_OCTAL) {
                /* right-aligned: "17" is 0017 */
                long j = (long)i - (long)(n - (unsigned)k);
                char ch = j >= 0 ? buf[j] : '0';
                if (ch < '0' || ch > '7')
                    return DW_ERR_PARSE;
                v = (unsigned)(ch - '0');
            } else {
                unsigned char ch = i < (unsigned long)k ? (unsigned char)buf[i] : ' ';
                if (f->kind == DW__ASX_F_ICAO) {
                    if (ch >= 'a' && ch <= 'z')
                        ch = (unsigned char)(ch - 32);
                    if (ch >= 0x40 && ch <= 0x5F)
                        v = ch - 0x40u;
                    else if (ch >= 0x20 && ch <= 0x3F)
                        v = ch;
                    else
                        return DW_ERR_RANGE;
                } else {
                    v = ch;
                }
            }
            putbits(base, f->bit + w * i, w, v);
        }
        return DW_OK;
    }
    case DW__ASX_F_BYTES: {
        if (t->type != JT_STR || t->len != f->bits / 4u)
            return DW_ERR_PARSE;
        for (unsigned i = 0; i < f->bits / 8u; i++) {
            int hi = hexval(e->s[t->start + 2 * i]), lo = hexval(e->s[t->start + 2 * i + 1]);
            if (hi < 0 || lo < 0)
                return DW_ERR_PARSE;
            base[f->bit / 8 + i] = (uint8_t)(hi << 4 | lo);
        }
        return DW_OK;
    }
    default:
        return DW_ERR_PARSE;
    }
}

/* The fields of node n below bit `bits` into base (zeroed by the caller),
 * from the object (or, for a scalar node, the value) at tok. */
static dw_status enc_fields(const enc *e, const dw__asx_cat *c, const dw__asx_node *n, int tok,
                            uint8_t *base, unsigned bits)
{
    if (n->scalar)
        return enc_value(e, &c->fields[n->f0], tok, base);
    if (e->t[tok].type != JT_OBJ)
        return DW_ERR_PARSE;
    int obj[8], matched[8];
    int d = 0, skip = 0;
    obj[0] = tok;
    matched[0] = 0;
    for (unsigned i = n->f0; i < (unsigned)n->f0 + n->nf; i++) {
        const dw__asx_field *f = &c->fields[i];
        if ((unsigned)f->bit + f->bits > bits || (f->kind == DW__ASX_F_OPEN && f->bit >= bits))
            break;
        if (skip) {
            skip += f->kind == DW__ASX_F_OPEN;
            skip -= f->kind == DW__ASX_F_CLOSE;
            continue;
        }
        if (f->kind == DW__ASX_F_SPARE)
            continue;
        if (f->kind == DW__ASX_F_CLOSE) {
            if (matched[d] != (int)e->t[obj[d]].n)
                return DW_ERR_PARSE;
            if (d > 0)
                d--;
            continue;
        }
        int v = jget(e->s, e->t, obj[d], f->name ? f->name : "val");
        if (f->kind == DW__ASX_F_OPEN) {
            if (v < 0) {
                skip = 1;
                continue;
            }
            if (e->t[v].type != JT_OBJ || d >= 7)
                return DW_ERR_PARSE;
            matched[d]++;
            obj[++d] = v;
            matched[d] = 0;
            continue;
        }
        if (v < 0)
            continue;   /* left out: zero */
        matched[d]++;
        dw_status st = enc_value(e, f, v, base);
        if (st != DW_OK)
            return st;
    }
    return matched[0] == (int)e->t[obj[0]].n ? DW_OK : DW_ERR_PARSE;
}

static dw_status enc_node(enc *e, const dw__asx_cat *c, const dw__asx_node *n, int tok);

static dw_status room(enc *e, size_t n)
{
    if ((size_t)(e->end - e->p) < n)
        return DW_ERR_FULL;
    memset(e->p, 0, n);
    return DW_OK;
}

/* Does the object at tok hold a key for a field (or sub-group) of part k? */
static int part_used(const enc *e, const dw__asx_cat *c, const dw__asx_node *n, int tok,
                     unsigned from_bit, unsigned to_bit)
{
    int depth = 0;
    for (unsigned i = n->f0; i < (unsigned)n->f0 + n->nf; i++) {
        const dw__asx_field *f = &c->fields[i];
        if (f->kind == DW__ASX_F_CLOSE) {
            depth--;
            continue;
        }
        int top = depth == 0;
        if (f->kind == DW__ASX_F_OPEN)
            depth++;
        if (!top || f->kind == DW__ASX_F_SPARE || f->bit < from_bit || f->bit >= to_bit)
            continue;
        if (jget(e->s, e->t, tok, f->name ? f->name : "val") >= 0)
            return 1;
    }
    return 0;
}

/* A "fspec_len" value: an integer 1..16, else 0 (refused by the caller). */
static uint64_t fspec_len_of(const enc *e, int tok)
{
    int64_t sv;
    uint64_t uv;
    int neg;
    if (jinteger(e->s, &e->t[tok], &sv, &uv, &neg) < 0 || neg || uv > 16)
        return 0;
    return uv;
}

static dw_status enc_node(enc *e, const dw__asx_cat *c, const dw__asx_node *n, int tok)
{
    const dw__asx_tok *t = &e->t[tok];
    dw_status st;
    switch (n->kind) {
    case DW__ASX_N_FIXED:
        if ((st = room(e, n->octets)) != DW_OK)
            return st;
        if ((st = enc_fields(e, c, n, tok, e->p, n->octets * 8u)) != DW_OK)
            return st;
        e->p += n->octets;
        return DW_OK;
    case DW__ASX_N_EXTENDED: {
        if (t->type != JT_OBJ)
            return DW_ERR_PARSE;
        unsigned need = 1, start = 0;
        for (unsigned k = 0; k < n->ns; k++) {
            unsigned end = start + c->parts[n->s0 + k];
            if (part_used(e, c, n, tok, start * 8, end * 8))
                need = k + 1;
            start = end;
        }
        size_t total = 0;
        for (unsigned k = 0; k < need; k++)
            total += c->parts[n->s0 + k];
        if ((st = room(e, total)) != DW_OK)
            return st;
        if ((st = enc_fields(e, c, n, tok, e->p, (unsigned)total * 8)) != DW_OK)
            return st;
        size_t off = 0;
        for (unsigned k = 0; k + 1 < need; k++) {
            off += c->parts[n->s0 + k];
            e->p[off - 1] |= 1;
        }
        e->p += total;
        return DW_OK;
    }
    case DW__ASX_N_REP:
    case DW__ASX_N_REPFX: {
        if (t->type != JT_ARR)
            return DW_ERR_PARSE;
        uint32_t count = t->n;
        if (n->kind == DW__ASX_N_REP) {
            if (n->rep < 4 && count >> (8 * n->rep))
                return DW_ERR_RANGE;
            if ((st = room(e, n->rep)) != DW_OK)
                return st;
            for (unsigned i = 0; i < n->rep; i++)
                e->p[i] = (uint8_t)(count >> (8 * (n->rep - 1 - i)));
            e->p += n->rep;
        } else if (count == 0) {
            return DW_ERR_RANGE;    /* FX repetition cannot say "none" */
        }
        uint32_t k = (uint32_t)tok + 1;
        for (uint32_t i = 0; i < count; i++) {
            if ((st = room(e, n->octets)) != DW_OK)
                return st;
            unsigned bits = n->octets * 8u - (n->kind == DW__ASX_N_REPFX);
            if ((st = enc_fields(e, c, n, (int)k, e->p, bits)) != DW_OK)
                return st;
            if (n->kind == DW__ASX_N_REPFX && i + 1 < count)
                e->p[n->octets - 1] |= 1;
            e->p += n->octets;
            k = e->t[k].next;
        }
        return DW_OK;
    }
    case DW__ASX_N_COMPOUND: {
        if (t->type != JT_OBJ)
            return DW_ERR_PARSE;
        int hi = -1;
        uint32_t matched = 0;
        for (int i = 0; i < n->ns; i++) {
            int k = c->subs[n->s0 + i];
            if (k >= 0 && jget(e->s, e->t, tok, c->nodes[k].name) >= 0) {
                hi = i;
                matched++;
            }
        }
        size_t noct = hi < 0 ? 1 : (size_t)hi / 7 + 1;
        int fl = jget(e->s, e->t, tok, "fspec_len");
        if (fl >= 0) {
            uint64_t want = fspec_len_of(e, fl);
            if (want < noct || want > (size_t)(n->ns + 6) / 7)
                return DW_ERR_PARSE;
            noct = want;
            matched++;
        }
        if (matched != t->n)
            return DW_ERR_PARSE;
        if ((st = room(e, noct)) != DW_OK)
            return st;
        uint8_t *fs = e->p;
        e->p += noct;
        for (size_t o = 0; o + 1 < noct; o++)
            fs[o] |= 1;
        for (int i = 0; i <= hi; i++) {
            int k = c->subs[n->s0 + i];
            if (k < 0)
                continue;
            int v = jget(e->s, e->t, tok, c->nodes[k].name);
            if (v < 0)
                continue;
            fs[i / 7] |= (uint8_t)(0x80u >> (i % 7));
            if ((st = enc_node(e, c, &c->nodes[k], v)) != DW_OK)
                return st;
        }
        return DW_OK;
    }
    case DW__ASX_N_EXPLICIT: {
        if (t->type != JT_STR || t->len % 2 || t->len / 2 > 254)
            return t->type == JT_STR && !(t->len % 2) ? DW_ERR_RANGE : DW_ERR_PARSE;
        size_t nb = t->len / 2;
        if ((st = room(e, nb + 1)) != DW_OK)
            return st;
        e->p[0] = (uint8_t)(nb + 1);
        for (size_t i = 0; i < nb; i++) {
            int h = hexval(e->s[t->start + 2 * i]), l = hexval(e->s[t->start + 2 * i + 1]);
            if (h < 0 || l < 0)
                return DW_ERR_PARSE;
            e->p[1 + i] = (uint8_t)(h << 4 | l);
        }
        e->p += nb + 1;
        return DW_OK;
    }
    }
    return DW_ERR_PARSE;
}

static int is_meta_key(const char *s, const dw__asx_tok *k)
{
    static const char *meta[] = {"codec", "cat", "len", "ed", "fspec_len"};
    for (int i = 0; i < 5; i++)
        if (k->len == strlen(meta[i]) && !memcmp(s + k->start, meta[i], k->len))
            return 1;
    return 0;
}

/* The category edition a record object asks for. */
static dw_status rec_cat(const dw_asterix *ax, const char *s, const dw__asx_tok *t, int obj,
                         const dw__asx_cat **out)
{
    int v = jget(s, t, obj, "cat");
    int64_t sv;
    uint64_t uv;
    int neg;
    if (v < 0 || jinteger(s, &t[v], &sv, &uv, &neg) < 0 || neg || uv < 1 || uv > 255)
        return DW_ERR_PARSE;
    const dw__asx_cat *c = ax->by_cat[uv];
    int ed = jget(s, t, obj, "ed");
    if (ed >= 0) {
        char e[16];
        long n = t[ed].type == JT_STR ? jstr(s, &t[ed], e, sizeof e - 1) : -1;
        if (n < 0)
            return DW_ERR_PARSE;
        e[n] = '\0';
        c = dw__asx_find_cat((int)uv, e);
    }
    if (!c)
        return DW_ERR_NOT_FOUND;
    *out = c;
    return DW_OK;
}

static dw_status enc_record(enc *e, const dw__asx_cat *c, int obj)
{
    const dw__asx_tok *t = e->t;
    if (t[obj].type != JT_OBJ)
        return DW_ERR_PARSE;
    /* Every key must be an item of the edition (or one of ours). */
    uint64_t want = 0;
    uint32_t k = (uint32_t)obj + 1;
    for (uint32_t i = 0; i < t[obj].n; i++) {
        if (!is_meta_key(e->s, &t[k])) {
            int slot = -1;
            for (int u = 0; u < c->nuap; u++) {
                if (c->uap[u] < 0)
                    continue;
                const char *nm = c->nodes[c->uap[u]].name;
                if (strlen(nm) == t[k].len && !memcmp(e->s + t[k].start, nm, t[k].len)) {
                    slot = u;
                    break;
                }
            }
            if (slot < 0)
                return DW_ERR_PARSE;
            want |= UINT64_C(1) << slot;
        }
        k = t[k + 1].next;
    }
    if (!want)
        return DW_ERR_PARSE;
    unsigned hi = 63 - (unsigned)__builtin_clzll(want);
    size_t noct = hi / 7 + 1;
    int fl = jget(e->s, t, obj, "fspec_len");
    if (fl >= 0) {
        /* as many octets as asked, up to the first one past the UAP */
        uint64_t n = fspec_len_of(e, fl);
        if (n < noct || n > (size_t)(c->nuap + 6) / 7 + 1)
            return DW_ERR_PARSE;
        noct = n;
    }
    dw_status st = room(e, noct);
    if (st != DW_OK)
        return st;
    uint8_t *fs = e->p;
    e->p += noct;
    for (size_t o = 0; o + 1 < noct; o++)
        fs[o] |= 1;
    for (uint64_t m = want; m; m &= m - 1) {
        unsigned i = (unsigned)__builtin_ctzll(m);
        fs[i / 7] |= (uint8_t)(0x80u >> (i % 7));
        const dw__asx_node *n = &c->nodes[c->uap[i]];
        if ((st = enc_node(e, c, n, jget(e->s, t, obj, n->name))) != DW_OK)
            return st;
    }
    return DW_OK;
}

dw_status dw__asx_encode_json(dw_asterix *ax, const char *json, size_t len, uint8_t *buf,
                              uint8_t *end, uint8_t **out_end)
{
    if (!ax || !json || !buf || !end || end < buf || !out_end)
        return DW_ERR_INVALID;
    jparse j = {json, len, 0, ax->toks, 0, DW_ASX_MAX_TOKENS, 0};
    int root = jp_value(&j);
    if (root < 0)
        return j.nt >= j.cap ? DW_ERR_FULL : DW_ERR_PARSE;
    jws(&j);
    if (j.pos != len && !(j.pos + 1 == len && json[j.pos] == '\0'))
        return DW_ERR_PARSE;
    const dw__asx_tok *t = ax->toks;
    int first = root;
    uint32_t nrec = 1;
    if (t[root].type == JT_ARR) {
        if (t[root].n == 0)
            return DW_ERR_PARSE;
        first = root + 1;
        nrec = t[root].n;
    }
    const dw__asx_cat *c;
    dw_status st = rec_cat(ax, json, t, first, &c);
    if (st != DW_OK)
        return st == DW_ERR_NOT_FOUND ? DW_ERR_PARSE : st;
    /* Stage in the scratch so that a failure leaves buf as it was, and a
     * block is never longer than LEN can say. */
    enc e = {json, t, ax->scratch + 3, ax->scratch + 65535};
    int r = first;
    for (uint32_t i = 0; i < nrec; i++) {
        const dw__asx_cat *ci;
        if ((st = rec_cat(ax, json, t, r, &ci)) != DW_OK)
            return st == DW_ERR_NOT_FOUND ? DW_ERR_PARSE : st;
        if (ci != c)
            return DW_ERR_PARSE;
        if ((st = enc_record(&e, c, r)) != DW_OK)
            return st == DW_ERR_FULL ? DW_ERR_RANGE : st;
        r = (int)t[r].next;
    }
    size_t n = (size_t)(e.p - ax->scratch);
    if ((size_t)(end - buf) < n)
        return DW_ERR_FULL;
    ax->scratch[0] = c->cat;
    ax->scratch[1] = (uint8_t)(n >> 8);
    ax->scratch[2] = (uint8_t)n;
    memcpy(buf, ax->scratch, n);
    *out_end = buf + n;
    return DW_OK;
}
