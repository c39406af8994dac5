/* asterix_spec.h — the shape of the generated ASTERIX tables.
 *
 * scripts/gen-asterix turns the asterix-specs definitions into constant
 * arrays of these structs (asterix_tables.c); the codec (asterix.c) only
 * interprets them, so an item's layout is written down once, by the spec.
 * A category edition is a UAP (FRN -> node) over a tree of nodes; a node's
 * leaves are fields with bit positions inside the node's bytes. Everything
 * here is static data owned by the tables; nothing is ever allocated.
 */
#ifndef DW_ASTERIX_SPEC_H
#define DW_ASTERIX_SPEC_H

#include <stddef.h>
#include <stdint.h>

/* What a field's bits mean (the generator's KINDS, in the same order). */
typedef enum dw__asx_fkind {
    DW__ASX_F_SPARE,    /* spare bits: not shown, written as zero           */
    DW__ASX_F_RAW,      /* raw bits as an unsigned integer                   */
    DW__ASX_F_TABLE,    /* an enumerated value (the integer)                 */
    DW__ASX_F_UINT,     /* an unsigned integer                               */
    DW__ASX_F_INT,      /* a two's complement integer                        */
    DW__ASX_F_UQTY,     /* unsigned raw x lsb, in `unit`                     */
    DW__ASX_F_SQTY,     /* two's complement raw x lsb, in `unit`             */
    DW__ASX_F_ICAO,     /* 6-bit ICAO (IA-5 subset) characters               */
    DW__ASX_F_ASCII,    /* 8-bit characters                                  */
    DW__ASX_F_OCTAL,    /* 3-bit octal digits (Mode 3/A codes)               */
    DW__ASX_F_BYTES,    /* raw octets wider than 64 bits, shown as hex       */
    DW__ASX_F_OPEN,     /* a named sub-group starts here (no bits)           */
    DW__ASX_F_CLOSE     /* ... and ends here                                 */
} dw__asx_fkind;

typedef struct dw__asx_field {
    const char *name;       /* spec name; NULL for spares, CLOSE and the
                               value of an unnamed element                   */
    uint16_t bit;           /* first bit, counted from the MSB of the node's
                               first octet (of the item for extended items)  */
    uint16_t bits;
    uint8_t kind;           /* dw__asx_fkind */
    int32_t lsb_num;        /* lsb = lsb_num / (2^lsb_den2 * 5^lsb_den5): the
                               exact form, so values print exactly           */
    uint8_t lsb_den2, lsb_den5;
    double lsb;
    const char *unit;       /* UTF-8, as in the spec ("NM", "\302\260", ...) */
    char key[16];           /* the JSON key: name (or "val"), zero-padded, so
                               it is copied in one fixed-size move           */
    uint8_t keylen;
} dw__asx_field;

/* How a node's bytes are laid out. */
typedef enum dw__asx_nkind {
    DW__ASX_N_FIXED,        /* `octets` bytes of fields                      */
    DW__ASX_N_EXTENDED,     /* parts ending in an FX bit; parts[s0 .. s0+ns)
                               are their sizes in octets                      */
    DW__ASX_N_REP,          /* a `rep`-octet count, then count x `octets`    */
    DW__ASX_N_REPFX,        /* elements of `octets` octets ending in FX      */
    DW__ASX_N_COMPOUND,     /* presence octets (FX), then the present
                               sub-nodes subs[s0 .. s0+ns) (-1: spare slot)   */
    DW__ASX_N_EXPLICIT      /* a length octet (itself included), then bytes  */
} dw__asx_nkind;

typedef struct dw__asx_node {
    const char *name;       /* "I040", "SP" for items; "APC" for sub-items   */
    uint8_t kind;           /* dw__asx_nkind */
    uint8_t rep;            /* REP: octets of the repetition count           */
    uint8_t scalar;         /* one unnamed element: a value, not an object   */
    uint16_t octets;        /* FIXED size; REP/REPFX size of one element;
                               EXTENDED: size of every part if all are alike,
                               else 0                                         */
    uint16_t f0, nf;        /* fields[f0 .. f0+nf)                           */
    uint16_t s0, ns;        /* EXTENDED: parts; COMPOUND: subs               */
    char key[16];           /* name, zero-padded (see dw__asx_field.key)     */
    uint8_t keylen;
} dw__asx_node;

typedef struct dw__asx_cat {
    uint8_t cat;
    const char *edition;    /* "1.32" */
    const char *title;
    const char *spec_file;  /* the asterix-specs file it came from           */
    uint8_t is_default;     /* used unless the configuration names another   */
    const dw__asx_node *nodes;
    const dw__asx_field *fields;
    const int16_t *subs;
    const uint8_t *parts;
    const int16_t *uap;     /* FRN-1 -> node index; -1 for a spare FRN       */
    const uint16_t *uap_octets; /* FRN-1 -> size of a FIXED item, else 0     */
    uint8_t nuap;
    uint16_t nnodes, nfields;
} dw__asx_cat;

#endif
