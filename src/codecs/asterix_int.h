/* asterix_int.h — what the ASTERIX codec's files share (not public).
 *
 * asterix.c interprets the generated tables: it finds the items of a
 * record (dw__asx_locate), writes them as JSON, and encodes JSON back.
 * asterix_obs.c turns located items into dw_obs and encodes observations
 * and tracks; codec_asterix.c owns the instance (struct dw_asterix) and the
 * block loop. Field references are resolved by name once, when an instance
 * is created, so the per-record work is reading bits at known places.
 */
#ifndef DW_ASTERIX_INT_H
#define DW_ASTERIX_INT_H

#include <stddef.h>
#include <stdint.h>

#include "asterix_tables.h"
#include "dronewall/asterix.h"
#include "dronewall/log.h"

#define DW_ASX_MAX_FRN 64

/* The items of one record: at[i], len[i] for each FRN i+1 flagged in
 * `present` (only those entries are written). */
typedef struct dw__asx_rec {
    uint64_t present;
    size_t size;                        /* FSPEC and items, octets */
    const uint8_t *at_fspec;
    uint8_t fspec_len;                  /* octets of FSPEC */
    const uint8_t *at[DW_ASX_MAX_FRN];
    uint16_t len[DW_ASX_MAX_FRN];
} dw__asx_rec;

/* Where a field is: UAP slot (FRN-1), compound slot (-1: the item itself),
 * field index in the category's fields; frn < 0: not in this edition.
 * The rest is the field's extraction worked out in advance: load `nbytes`
 * octets from `byte` big-endian, shift right, keep `bits`; present only if
 * the item has `need` octets (an extended item's later parts). */
typedef struct dw__asx_ref {
    int8_t frn;
    int8_t sub;
    int16_t field;
    uint16_t byte, need;
    uint8_t nbytes, shift, bits, kind;
    uint8_t is_signed;      /* two's complement (INT, SQTY) */
    uint64_t mask;
    double lsb;
    double scale;           /* value = raw x scale: lsb, or 1 for integers */
} dw__asx_ref;

/* The receive time of a frame and the start of its UTC day, worked out
 * once per frame rather than per record. */
typedef struct dw__asx_when {
    int64_t rx_us, day_us;
} dw__asx_when;

/* What dw__asx_locate and the node walkers report. */
enum { DW__ASX_OK = 0, DW__ASX_TRUNC = -1, DW__ASX_UNKNOWN = -2 };

/* The JSON scratch of an instance, and the token array of its encoder. */
#define DW_ASX_JSON_CAP (1u << 20)
#define DW_ASX_MAX_TOKENS 32768

/* One JSON token of the encoder's tokenizer (asterix.c). */
typedef struct dw__asx_tok {
    uint8_t type;
    uint32_t start, len;    /* STR: the contents between the quotes     */
    uint32_t n;             /* OBJ: members; ARR: elements              */
    uint32_t next;          /* the token after this one's subtree       */
} dw__asx_tok;

/* The fields the observation builders read, resolved by name for the
 * editions in force (a field an edition lacks has frn -1). */
typedef struct dw__asx_refs048 {
    dw__asx_ref sac, sic, tod, rho, theta, m3_v, m3_g, m3a, fl_v, fl, addr, ident;
    dw__asx_ref typ, h3d;               /* I020 TYP, I110 3DH */
    dw__asx_ref dop_d, dop_cal;         /* I120 CAL: D (doubtful), CAL (m/s) */
} dw__asx_refs048;

/* The CAT048 fast path: the usual layout of the items the tracker needs
 * (I010, I140, I040, I070, I090, I220, I240 as in every edition we have),
 * read at fixed places. `ok` is set only when the edition in force has
 * exactly that layout by its tables; otherwise the generic path runs. */
typedef struct dw__asx_fast048 {
    int ok;
    int8_t f010, f140, f040, f070, f090, f220, f240;
    int fl_signed;
    double tod_s, rho_nm, theta_deg, fl;    /* the LSBs */
    /* I110 (3-D height) at its usual place: 2 octets, 14-bit signed 3DH. */
    int8_t f110;                        /* -1 when the edition differs */
    double h3d_ft;
    /* The encoder's direct writer (asterix_obs.c): set only when every item
     * it writes (also I020's first part) sits where that writer puts it,
     * with the LSBs it quantises to, and the items come in this FRN order;
     * otherwise encoding goes through the JSON of the record. */
    int enc_ok;
    int8_t f020;
    /* I120 (radial Doppler speed), the item after I110: its CAL sub-item
     * first, two octets of D, 5 spare bits and a 10-bit CAL of 1 m/s. -1
     * when the edition has no I120 (then a plot's range rate is not
     * written; with I120 laid out otherwise enc_ok is 0). */
    int8_t f120;
} dw__asx_fast048;

typedef struct dw__asx_refs021 {
    dw__asx_ref sac, sic, t071, t073, t077, lat130, lon130, lat131, lon131, gh140, fl145, addr,
        ident, m3a, gs, ta, bvr, gvr;
} dw__asx_refs021;

typedef struct dw__asx_refs062 {
    dw__asx_ref sac, sic, tot, lat, lon, vx, vy, alt130, fl136, ctb135, roc, m3_v, m3_g, m3a, adr,
        id380, id245, apc_x, apc_y, apc_cov, apw_lat, apw_lon, aga, aba, atv_x, atv_y;
} dw__asx_refs062;

struct dw_asterix {
    const dw__asx_cat *by_cat[256];     /* edition in force per category  */
    dw__asx_refs048 r048;
    dw__asx_fast048 f048;
    dw__asx_refs021 r021;
    dw__asx_refs062 r062;
    unsigned sac, sic;                  /* encoding source                */
    char *json;                         /* DW_ASX_JSON_CAP bytes          */
    dw__asx_tok *toks;                  /* DW_ASX_MAX_TOKENS              */
    uint8_t *scratch;                   /* 65536 bytes: encoder staging   */
    /* last data source named, so the name is not formatted per record */
    int last_src;
    char last_name[12];
    dw_ratelimit rl;
};

/* Tables. */
const dw__asx_cat *dw__asx_find_cat(int cat, const char *edition);
int dw__asx_find_node(const dw__asx_cat *c, const char *item);     /* UAP slot or -1 */
dw__asx_ref dw__asx_resolve(const dw__asx_cat *c, const char *item, const char *sub,
                            const char *field);

/* Items of the record at p (avail octets). DW__ASX_OK, _TRUNC (cut short
 * or inconsistent) or _UNKNOWN (an item the edition does not define). */
int dw__asx_locate(const dw__asx_cat *c, const uint8_t *p, size_t avail, dw__asx_rec *r);

/* n raw bits (n <= 64) starting `bit` bits into p, MSB first; the caller
 * knows they lie within the item (dw__asx_rec.len). */
static inline __attribute__((always_inline)) uint64_t dw__asx_bits(const uint8_t *p, unsigned bit, unsigned n)
{
    const uint8_t *q = p + (bit >> 3);
    unsigned total = (bit & 7) + n;
    unsigned nbytes = (total + 7) >> 3;
    uint64_t v = 0;
    if (nbytes <= 8) {
        for (unsigned i = 0; i < nbytes; i++)
            v = (v << 8) | q[i];
        v >>= nbytes * 8 - total;
    } else {
        for (unsigned i = 0; i < 8; i++)
            v = (v << 8) | q[i];
        unsigned extra = total - 64;
        v = (v << extra) | (uint64_t)(q[8] >> (8 - extra));
    }
    return n >= 64 ? v : v & ((UINT64_C(1) << n) - 1);
}

static inline int64_t dw__asx_sext(uint64_t v, unsigned n)
{
    if (n >= 64)
        return (int64_t)v;
    uint64_t m = UINT64_C(1) << (n - 1);
    return (int64_t)((v ^ m) - m);
}

/* The bytes of a referenced field's node in r, or NULL if absent. */
const uint8_t *dw__asx_ref_at(const dw__asx_cat *c, const dw__asx_rec *r, dw__asx_ref x,
                              size_t *len);
/* A referenced numeric field's value in its spec unit (raw x lsb for
 * quantities, the integer otherwise); 0 and *ok = 0 if absent. */
double dw__asx_ref_value(const dw__asx_cat *c, const dw__asx_rec *r, dw__asx_ref x, int *ok);
uint64_t dw__asx_ref_raw(const dw__asx_cat *c, const dw__asx_rec *r, dw__asx_ref x, int *ok);
/* The fast forms of the two above, inlined into the observation builders:
 * 1 and *v set if the field is in the record. */
#define DW__ASX_INLINE static inline __attribute__((always_inline))

/* The bytes of the item holding field x, if the record has the item and
 * the item is long enough for the field; NULL otherwise. Not for fields of
 * compound sub-items (x->sub >= 0): those go through dw__asx_ref_raw. */
DW__ASX_INLINE const uint8_t *dw__asx_item(const dw__asx_rec *r, const dw__asx_ref *x)
{
    if (x->frn < 0 || x->sub >= 0 || !(r->present >> x->frn & 1) || r->len[x->frn] < x->need)
        return NULL;
    return r->at[x->frn];
}

/* Field x's raw bits from its item's bytes q (from dw__asx_item). */
DW__ASX_INLINE uint64_t dw__asx_x(const uint8_t *q, const dw__asx_ref *x)
{
    const uint8_t *b = q + x->byte;
    uint64_t w;
    switch (x->nbytes) {
    case 1:
        w = b[0];
        break;
    case 2:
        w = (uint64_t)b[0] << 8 | b[1];
        break;
    case 3:
        w = (uint64_t)b[0] << 16 | (uint64_t)b[1] << 8 | b[2];
        break;
    case 4:
        w = (uint64_t)b[0] << 24 | (uint64_t)b[1] << 16 | (uint64_t)b[2] << 8 | b[3];
        break;
    default:
        return dw__asx_bits(q, (unsigned)x->byte * 8 + (8 * x->nbytes - x->shift - x->bits) % 8,
                            x->bits);
    }
    return w >> x->shift & x->mask;
}

/* The field's value in its unit (raw x lsb for quantities). */
DW__ASX_INLINE double dw__asx_xf(const uint8_t *q, const dw__asx_ref *x)
{
    uint64_t v = dw__asx_x(q, x);
    return (x->is_signed ? (double)dw__asx_sext(v, x->bits) : (double)v) * x->scale;
}

/* Both steps, for a field that may be in a compound sub-item. */
DW__ASX_INLINE int dw__asx_get(const dw__asx_cat *c, const dw__asx_rec *r, const dw__asx_ref *x,
                              uint64_t *v)
{
    if (x->sub >= 0) {
        int ok;
        *v = dw__asx_ref_raw(c, r, *x, &ok);
        return ok;
    }
    const uint8_t *q = dw__asx_item(r, x);
    if (!q)
        return 0;
    *v = dw__asx_x(q, x);
    return 1;
}

DW__ASX_INLINE int dw__asx_getf(const dw__asx_cat *c, const dw__asx_rec *r, const dw__asx_ref *x,
                               double *d)
{
    if (x->sub >= 0) {
        int ok;
        *d = dw__asx_ref_value(c, r, *x, &ok);
        return ok;
    }
    const uint8_t *q = dw__asx_item(r, x);
    if (!q)
        return 0;
    *d = dw__asx_xf(q, x);
    return 1;
}

/* A referenced ICAO string, spaces trimmed, into out[cap]. */
int dw__asx_ref_icao(const dw__asx_cat *c, const dw__asx_rec *r, dw__asx_ref x, char *out,
                     size_t cap);

/* The record as one JSON object into [buf, buf+cap); its length, or 0 if it
 * did not fit. */
size_t dw__asx_json(const dw__asx_cat *c, const dw__asx_rec *r, char *buf, size_t cap);

/* A data block from JSON text (see dw_asterix_encode_json). */
dw_status dw__asx_encode_json(dw_asterix *ax, const char *json, size_t len, uint8_t *buf,
                              uint8_t *end, uint8_t **out_end);

/* Observation builders and encoders (asterix_obs.c). */
void dw__asx_resolve_refs(dw_asterix *ax);
/* One record's observation; 1 if *o was filled. */
int dw__asx_obs(dw_asterix *ax, const dw__asx_cat *c, const dw__asx_rec *r,
                const dw__asx_when *when, dw_obs *o);
/* The CAT048 observation by the generic references, bypassing the fast
 * path (for the test that checks one against the other). */
int dw__asx_obs048_generic(dw_asterix *ax, const dw__asx_cat *c, const dw__asx_rec *r,
                           const dw__asx_when *when, dw_obs *o);
/* The CAT048 record of a POLAR observation by way of its raw JSON and the
 * table-driven encoder: what the direct writer of dw_asterix_encode_obs
 * must match byte for byte (a unit test holds it to that; the benchmark
 * measures one against the other). */
dw_status dw__asx_encode_obs_json(dw_asterix *ax, const dw_obs *o, uint8_t *buf, uint8_t *end,
                                  uint8_t **out_end);
dw__asx_when dw__asx_when_of(int64_t rx_us);
int64_t dw__asx_time_us(const dw__asx_when *w, double tod_s);

#endif
