/* capture.c — pcap, pcapng, FINAL, ORADIS and raw files into packets.
 *
 * Everything reads through one small byte source (a growing window over a
 * FILE, or the caller's memory) so that every format works on pipes and on
 * fuzzer input alike. A packet handed out points into that window; the bytes
 * are dropped at the start of the next call, never before.
 *
 * Format references: pcap and pcapng as in the IETF opsawg drafts
 * (draft-ietf-opsawg-pcap, draft-ietf-opsawg-pcapng) and tcpdump.org's
 * LINKTYPE list; FINAL and ORADIS as in /work/shared/docs/interop-formats.md
 * §1.1. The ORADIS header's last four octets are the time of day in
 * milliseconds (the croatiacontrol sample's agree with its pcap times).
 */
#include "dronewall/capture.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SRC_INITIAL (256u * 1024u)
#define DETECT_WINDOW 4096u
#define ASX_MIN 3u              /* an ASTERIX block: CAT + LEN */
#define FINAL_HDR 8u
#define FINAL_TRAILER 4u
#define ORADIS_HDR 6u
#define MAX_IFS 1024u           /* pcapng interfaces per section */

/* ---- the byte source ---------------------------------------------------- */

typedef struct src {
    FILE *f;                    /* NULL: memory */
    const uint8_t *mem;
    size_t mem_len;
    uint8_t *buf;               /* file window: buf[off .. fill) */
    size_t cap, off, fill;
    int eof;
    dw_status fail;             /* DW_ERR_IO or DW_ERR_NOMEM once reading failed */
} src;

static const uint8_t *src_ptr(const src *s) { return (s->f ? s->buf : s->mem) + s->off; }

/* Make up to `want` bytes available at src_ptr(); returns how many are
 * (fewer only at the end of the input or on failure). */
static size_t src_avail(src *s, size_t want)
{
    if (!s->f) {
        size_t have = s->mem_len - s->off;
        return have < want ? have : want;
    }
    size_t have = s->fill - s->off;
    if (have >= want || s->eof)
        return have < want ? have : want;
    if (want > s->cap) {
        size_t ncap = s->cap;
        while (ncap < want)
            ncap *= 2;
        uint8_t *nb = malloc(ncap);
        if (!nb) {
            s->fail = DW_ERR_NOMEM;
            s->eof = 1;
            return have;
        }
        memcpy(nb, s->buf + s->off, have);
        free(s->buf);
        s->buf = nb;
        s->cap = ncap;
        s->off = 0;
        s->fill = have;
    } else if (s->off + want > s->cap) {
        memmove(s->buf, s->buf + s->off, have);
        s->off = 0;
        s->fill = have;
    }
    while (s->fill - s->off < want && !s->eof) {
        size_t n = fread(s->buf + s->fill, 1, s->cap - s->fill, s->f);
        if (n == 0) {
            if (ferror(s->f))
                s->fail = DW_ERR_IO;
            s->eof = 1;
        }
        s->fill += n;
    }
    have = s->fill - s->off;
    return have < want ? have : want;
}

static void src_drop(src *s, size_t n) { s->off += n; }

/* Skip n bytes that need not be held at once; returns how many were. */
static uint64_t src_skip(src *s, uint64_t n)
{
    uint64_t done = 0;
    while (done < n) {
        uint64_t left = n - done;
        size_t a = src_avail(s, left < SRC_INITIAL ? (size_t)left : SRC_INITIAL);
        if (a == 0)
            break;
        src_drop(s, a);
        done += a;
    }
    return done;
}

/* ---- small helpers ------------------------------------------------------ */

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}
static uint16_t rd16(const uint8_t *p, int big) { return big ? be16(p) : (uint16_t)(p[1] << 8 | p[0]); }
static uint32_t rd32(const uint8_t *p, int big) { return big ? be32(p) : le32(p); }

int dw_capture_is_asterix_blocks(const uint8_t *p, size_t n)
{
    if (n < ASX_MIN)
        return 0;
    while (n) {
        if (n < ASX_MIN)
            return 0;
        size_t len = be16(p + 1);
        if (len < ASX_MIN || len > n)
            return 0;
        p += len;
        n -= len;
    }
    return 1;
}

/* Length of the complete FINAL record at p (checked down to its trailer and,
 * when `strict`, to the ASTERIX blocks inside), or 0. */
static size_t final_record(const uint8_t *p, size_t n, int strict)
{
    if (n < FINAL_HDR)
        return 0;
    size_t len = be16(p);
    if (len < FINAL_HDR + FINAL_TRAILER + ASX_MIN || len > n)
        return 0;
    const uint8_t *t = p + len - FINAL_TRAILER;
    if (t[0] != 0xa5 || t[1] != 0xa5 || t[2] != 0xa5 || t[3] != 0xa5)
        return 0;
    if (strict && !dw_capture_is_asterix_blocks(p + FINAL_HDR, len - FINAL_HDR - FINAL_TRAILER))
        return 0;
    return len;
}

/* Length of the complete ORADIS record at p (its contents must be ASTERIX
 * blocks: there is no trailer to check), or 0. */
static size_t oradis_record(const uint8_t *p, size_t n)
{
    if (n < ORADIS_HDR + ASX_MIN)
        return 0;
    size_t len = be16(p);
    if (len < ORADIS_HDR + ASX_MIN || len > n)
        return 0;
    if (!dw_capture_is_asterix_blocks(p + ORADIS_HDR, len - ORADIS_HDR))
        return 0;
    return len;
}

static int oradis_chain(const uint8_t *p, size_t n)
{
    if (n == 0)
        return 0;
    while (n) {
        size_t len = oradis_record(p, n);
        if (!len)
            return 0;
        p += len;
        n -= len;
    }
    return 1;
}

/* The first records of a window look like `rec`: at least one complete, and
 * every complete one within the window valid up to the first that is cut. */
static int looks_like(const uint8_t *p, size_t n, int final)
{
    int good = 0;
    for (int i = 0; i < 4 && n >= 2; i++) {
        size_t need = be16(p);
        if (need > n)
            break; /* cut by the window: judge by what came before */
        size_t len = final ? final_record(p, n, 1) : oradis_record(p, n);
        if (!len)
            return 0;
        good++;
        p += len;
        n -= len;
    }
    return good > 0;
}

/* ---- the capture -------------------------------------------------------- */

typedef struct flow {
    int used;
    uint8_t key[37];            /* family, src, dst (16 each), sport, dport */
    uint32_t next_seq;
    int has_seq;
    uint64_t last_use;
    char source[192];
} flow;

typedef struct ng_if {
    int linktype;
    int base2;                  /* if_tsresol: power of 2 (else of 10) */
    int exp;
    int64_t offset_s;           /* if_tsoffset */
} ng_if;

struct dw_capture {
    src s;
    FILE *owned;
    char *name;
    dw_capture_format fmt;
    int linktype;               /* pcap */
    int big;                    /* byte order of the pcap file / pcapng section */
    int nsec;                   /* pcap: nanosecond timestamps */
    size_t rec_hdr;             /* pcap: record header size (16, 24 for Kuznetzov's) */
    ng_if *ifs;
    size_t n_ifs, cap_ifs;
    int first_linktype;
    size_t pending;             /* bytes of s to drop before the next read */
    /* ORADIS records inside the current UDP payload still to hand out */
    const uint8_t *sub, *sub_end;
    dw_frame_meta sub_meta;
    flow *flows;
    uint64_t use_clock;
    int done;
    dw_capture_stats st;
};

static void set_err(char *err, size_t errlen, const char *name, const char *what)
{
    if (err && errlen)
        snprintf(err, errlen, "%s: %s", name, what);
}

static void detect_format(dw_capture *c)
{
    src *s = &c->s;
    size_t a = src_avail(s, DETECT_WINDOW);
    const uint8_t *p = src_ptr(s);
    c->fmt = DW_CAPTURE_RAW;
    if (a >= 24) {
        uint32_t m = be32(p);
        int big = -1, nsec = 0, kuz = 0;
        if (m == 0xa1b2c3d4u || m == 0xa1b23c4du || m == 0xa1b2cd34u)
            big = 1;
        else if (m == 0xd4c3b2a1u || m == 0x4d3cb2a1u || m == 0x34cdb2a1u)
            big = 0;
        if (big >= 0 && rd16(p + 4, big) == 2) {
            nsec = m == 0xa1b23c4du || m == 0x4d3cb2a1u;
            kuz = m == 0xa1b2cd34u || m == 0x34cdb2a1u;
            c->fmt = DW_CAPTURE_PCAP;
            c->big = big;
            c->nsec = nsec;
            c->rec_hdr = kuz ? 24 : 16;
            /* The upper bits carry the FCS length, not the link type. */
            c->linktype = (int)(rd32(p + 20, big) & 0x03ffffffu);
            c->first_linktype = c->linktype;
            src_drop(s, 24);
            return;
        }
    }
    if (a >= 12 && be32(p) == 0x0a0d0d0au &&
        (be32(p + 8) == 0x1a2b3c4du || le32(p + 8) == 0x1a2b3c4du)) {
        c->fmt = DW_CAPTURE_PCAPNG;
        /* The first interface usually follows the section header at once. */
        int big = be32(p + 8) == 0x1a2b3c4du;
        size_t shb = rd32(p + 4, big);
        if (shb >= 28 && shb + 12 <= a && rd32(p + shb, big) == 1)
            c->first_linktype = rd16(p + shb + 8, big);
        return;
    }
    if (a >= FINAL_HDR + FINAL_TRAILER + ASX_MIN && looks_like(p, a, 1))
        c->fmt = DW_CAPTURE_FINAL;
    else if (a >= ORADIS_HDR + ASX_MIN && looks_like(p, a, 0))
        c->fmt = DW_CAPTURE_ORADIS;
}

static dw_status capture_new(const char *name, char *err, size_t errlen, dw_capture **made)
{
    dw_capture *c = calloc(1, sizeof *c);
    if (!c) {
        set_err(err, errlen, name, "out of memory");
        return DW_ERR_NOMEM;
    }
    c->name = strdup(name);
    c->flows = calloc(DW_CAPTURE_MAX_FLOWS, sizeof *c->flows);
    if (!c->name || !c->flows) {
        free(c->name);
        free(c->flows);
        free(c);
        set_err(err, errlen, name, "out of memory");
        return DW_ERR_NOMEM;
    }
    c->first_linktype = -1;
    c->linktype = -1;
    *made = c;
    return DW_OK;
}

static dw_status capture_start(dw_capture *c, dw_capture **out, char *err, size_t errlen)
{
    detect_format(c);
    if (c->s.fail != DW_OK) {
        dw_status st = c->s.fail;
        set_err(err, errlen, c->name, st == DW_ERR_NOMEM ? "out of memory" : strerror(errno));
        dw_capture_close(c);
        return st;
    }
    *out = c;
    return DW_OK;
}

dw_status dw_capture_open_fp(FILE *f, const char *name, dw_capture **out, char *err,
                             size_t errlen)
{
    if (!name)
        name = "-";
    if (!f || !out) {
        set_err(err, errlen, name, "invalid argument");
        return DW_ERR_INVALID;
    }
    dw_capture *c;
    dw_status st = capture_new(name, err, errlen, &c);
    if (st != DW_OK)
        return st;
    c->s.f = f;
    c->s.cap = SRC_INITIAL;
    c->s.buf = malloc(c->s.cap);
    if (!c->s.buf) {
        dw_capture_close(c);
        set_err(err, errlen, name, "out of memory");
        return DW_ERR_NOMEM;
    }
    return capture_start(c, out, err, errlen);
}

dw_status dw_capture_open(const char *path, dw_capture **out, char *err, size_t errlen)
{
    if (!path || !out) {
        set_err(err, errlen, path ? path : "(null)", "invalid argument");
        return DW_ERR_INVALID;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        set_err(err, errlen, path, strerror(errno));
        return DW_ERR_IO;
    }
    dw_capture *c = NULL;
    dw_status st = dw_capture_open_fp(f, path, &c, err, errlen);
    if (st != DW_OK) {
        fclose(f);
        return st;
    }
    c->owned = f;
    *out = c;
    return DW_OK;
}

dw_status dw_capture_open_mem(const uint8_t *data, size_t len, const char *name,
                              dw_capture **out, char *err, size_t errlen)
{
    if (!name)
        name = "<memory>";
    if ((!data && len) || !out) {
        set_err(err, errlen, name, "invalid argument");
        return DW_ERR_INVALID;
    }
    dw_capture *c;
    dw_status st = capture_new(name, err, errlen, &c);
    if (st != DW_OK)
        return st;
    static const uint8_t none[1];
    c->s.mem = data ? data : none;
    c->s.mem_len = len;
    return capture_start(c, out, err, errlen);
}

void dw_capture_close(dw_capture *c)
{
    if (!c)
        return;
    if (c->owned)
        fclose(c->owned);
    free(c->s.buf);
    free(c->ifs);
    free(c->flows);
    free(c->name);
    free(c);
}

dw_capture_format dw_capture_get_format(const dw_capture *c) { return c->fmt; }

const char *dw_capture_format_name(dw_capture_format f)
{
    switch (f) {
    case DW_CAPTURE_RAW: return "raw";
    case DW_CAPTURE_PCAP: return "pcap";
    case DW_CAPTURE_PCAPNG: return "pcapng";
    case DW_CAPTURE_FINAL: return "final";
    case DW_CAPTURE_ORADIS: return "oradis";
    }
    return "unknown";
}

int dw_capture_linktype(const dw_capture *c) { return c->first_linktype; }

void dw_capture_get_stats(const dw_capture *c, dw_capture_stats *out) { *out = c->st; }

/* ---- link, network and transport layers ------------------------------- */

static int passthrough(int lt)
{
    switch (lt) {
    case DW_LINK_IEEE802_11:
    case DW_LINK_PRISM:
    case DW_LINK_IEEE802_11_RADIOTAP:
    case DW_LINK_AVS:
    case DW_LINK_BLUETOOTH_HCI_H4:
    case DW_LINK_PPI:
    case DW_LINK_BLUETOOTH_HCI_H4_WITH_PHDR:
    case DW_LINK_BLUETOOTH_LE_LL:
    case DW_LINK_BLUETOOTH_LE_LL_WITH_PHDR:
    case DW_RID_LINK_NORDIC_BLE:
        return 1;
    default:
        return 0;
    }
}

/* Hand out the next ORADIS record of the current UDP payload. */
static int sub_next(dw_capture *c, const uint8_t **data, size_t *len, dw_frame_meta *meta)
{
    size_t n = (size_t)(c->sub_end - c->sub);
    size_t rl = oradis_record(c->sub, n); /* the chain was checked whole */
    if (!rl) {
        c->sub = c->sub_end = NULL;
        return 0;
    }
    *data = c->sub + ORADIS_HDR;
    *len = rl - ORADIS_HDR;
    *meta = c->sub_meta;
    c->sub += rl;
    c->st.unwrapped++;
    return 1;
}

static flow *flow_get(dw_capture *c, const uint8_t key[37], int fam, const uint8_t *sa,
                      const uint8_t *da, uint16_t sp, uint16_t dp)
{
    flow *oldest = &c->flows[0];
    c->use_clock++;
    for (size_t i = 0; i < DW_CAPTURE_MAX_FLOWS; i++) {
        flow *f = &c->flows[i];
        if (f->used && !memcmp(f->key, key, sizeof f->key)) {
            f->last_use = c->use_clock;
            return f;
        }
        if (!f->used || (oldest->used && f->last_use < oldest->last_use))
            oldest = f;
    }
    if (oldest->used)
        c->st.flows_evicted++;
    memset(oldest, 0, sizeof *oldest);
    oldest->used = 1;
    oldest->last_use = c->use_clock;
    memcpy(oldest->key, key, sizeof oldest->key);
    char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
    inet_ntop(fam == 6 ? AF_INET6 : AF_INET, sa, a, sizeof a);
    inet_ntop(fam == 6 ? AF_INET6 : AF_INET, da, b, sizeof b);
    if (fam == 6)
        snprintf(oldest->source, sizeof oldest->source, "%s tcp [%s]:%u>[%s]:%u", c->name, a,
                 sp, b, dp);
    else
        snprintf(oldest->source, sizeof oldest->source, "%s tcp %s:%u>%s:%u", c->name, a, sp, b,
                 dp);
    return oldest;
}

static int transport(dw_capture *c, int fam, int proto, const uint8_t *sa, const uint8_t *da,
                     const uint8_t *p, size_t n, const uint8_t **data, size_t *len,
                     dw_frame_meta *meta)
{
    if (proto == 17) {
        if (n < 8) {
            c->st.malformed++;
            return 0;
        }
        size_t ulen = be16(p + 4);
        if (ulen == 0 && fam == 6)
            ulen = n; /* a jumbogram's length is in the IPv6 options */
        if (ulen < 8 || ulen > n) {
            c->st.malformed++;
            return 0;
        }
        meta->linktype = DW_LINK_DATAGRAM;
        meta->src_port = be16(p);
        meta->dst_port = be16(p + 2);
        p += 8;
        ulen -= 8;
        if (ulen == 0)
            return 0;
        if (!dw_capture_is_asterix_blocks(p, ulen) && oradis_chain(p, ulen)) {
            c->sub = p;
            c->sub_end = p + ulen;
            c->sub_meta = *meta;
            return sub_next(c, data, len, meta);
        }
        *data = p;
        *len = ulen;
        return 1;
    }
    if (proto == 6) {
        if (n < 20) {
            c->st.malformed++;
            return 0;
        }
        size_t doff = (size_t)(p[12] >> 4) * 4;
        if (doff < 20 || doff > n) {
            c->st.malformed++;
            return 0;
        }
        uint16_t sp = be16(p), dp = be16(p + 2);
        uint32_t seq = be32(p + 4);
        uint8_t flags = p[13];
        uint8_t key[37] = {0};
        size_t alen = fam == 6 ? 16 : 4;
        key[0] = (uint8_t)fam;
        memcpy(key + 1, sa, alen);
        memcpy(key + 17, da, alen);
        key[33] = (uint8_t)(sp >> 8);
        key[34] = (uint8_t)sp;
        key[35] = (uint8_t)(dp >> 8);
        key[36] = (uint8_t)dp;
        flow *f = flow_get(c, key, fam, sa, da, sp, dp);
        if (flags & 0x02) { /* SYN takes one sequence number */
            f->next_seq = seq + 1;
            f->has_seq = 1;
            seq++;
        }
        const uint8_t *pl = p + doff;
        size_t plen = n - doff;
        if (plen == 0)
            return 0;
        if (!f->has_seq) { /* joined mid-stream: take it from here */
            f->next_seq = seq;
            f->has_seq = 1;
        }
        uint32_t ahead = seq - f->next_seq;
        if (ahead != 0 && ahead < 0x80000000u) {
            c->st.tcp_gaps++; /* a hole: carry on after it, the codec resyncs */
        } else if (ahead != 0) {
            uint32_t behind = f->next_seq - seq;
            if (behind >= plen) {
                c->st.tcp_dups++;
                return 0;
            }
            pl += behind;
            plen -= behind;
            seq += behind;
        }
        f->next_seq = seq + (uint32_t)plen;
        meta->linktype = DW_LINK_STREAM;
        meta->src_port = sp;
        meta->dst_port = dp;
        meta->source = f->source;
        *data = pl;
        *len = plen;
        return 1;
    }
    c->st.unknown_link++;
    return 0;
}

static int network(dw_capture *c, int fam, const uint8_t *p, size_t n, const uint8_t **data,
                   size_t *len, dw_frame_meta *meta)
{
    if (fam == 4) {
        if (n < 20 || (p[0] >> 4) != 4) {
            c->st.malformed++;
            return 0;
        }
        size_t ihl = (size_t)(p[0] & 15) * 4;
        size_t tot = be16(p + 2);
        if (tot == 0)
            tot = n; /* segmentation offload: the length was never filled in */
        if (ihl < 20 || tot < ihl || tot > n) {
            c->st.malformed++;
            return 0;
        }
        if (be16(p + 6) & 0x3fff) { /* more fragments, or not the first */
            c->st.ip_fragments++;
            return 0;
        }
        return transport(c, 4, p[9], p + 12, p + 16, p + ihl, tot - ihl, data, len, meta);
    }
    if (n < 40 || (p[0] >> 4) != 6) {
        c->st.malformed++;
        return 0;
    }
    size_t plen = be16(p + 4);
    size_t end = plen ? 40 + plen : n;
    if (end > n) {
        c->st.malformed++;
        return 0;
    }
    int nh = p[6];
    size_t off = 40;
    for (int hops = 0; hops < 16; hops++) {
        if (nh == 0 || nh == 43 || nh == 60 || nh == 51) {
            if (off + 8 > end) {
                c->st.malformed++;
                return 0;
            }
            size_t hl = nh == 51 ? ((size_t)p[off + 1] + 2) * 4 : ((size_t)p[off + 1] + 1) * 8;
            nh = p[off];
            off += hl;
            if (off > end) {
                c->st.malformed++;
                return 0;
            }
        } else if (nh == 44) {
            if (off + 8 > end) {
                c->st.malformed++;
                return 0;
            }
            if (be16(p + off + 2) & 0xfff9) { /* offset or M: a real fragment */
                c->st.ip_fragments++;
                return 0;
            }
            nh = p[off];
            off += 8;
        } else {
            break;
        }
    }
    return transport(c, 6, nh, p + 8, p + 24, p + off, end - off, data, len, meta);
}

/* One link-layer frame: 1 and the payload to hand out, or 0 (counted). */
static int link_frame(dw_capture *c, int lt, const uint8_t *p, size_t n, int64_t rx_us,
                      const uint8_t **data, size_t *len, dw_frame_meta *meta)
{
    meta->rx_us = rx_us;
    meta->src_port = meta->dst_port = 0;
    meta->source = c->name;
    meta->linktype = lt;
    if (passthrough(lt)) {
        *data = p;
        *len = n;
        return n > 0;
    }
    unsigned type = 0; /* ethertype, where the link layer has one */
    int fam = 0;       /* 4 or 6 */
    size_t off = 0;
    switch (lt) {
    case 1: /* Ethernet, with any number of 802.1Q / 802.1ad tags */
        if (n < 14)
            goto bad;
        type = be16(p + 12);
        off = 14;
        while (type == 0x8100 || type == 0x88a8 || type == 0x9100) {
            if (n < off + 4)
                goto bad;
            type = be16(p + off + 2);
            off += 4;
        }
        break;
    case 113: /* Linux cooked v1 */
        if (n < 16)
            goto bad;
        type = be16(p + 14);
        off = 16;
        break;
    case 276: /* Linux cooked v2 */
        if (n < 20)
            goto bad;
        type = be16(p);
        off = 20;
        break;
    case 0:   /* BSD loopback: the address family in the writer's byte order */
    case 108: /* OpenBSD loopback: in network byte order */
    {
        if (n < 4)
            goto bad;
        uint32_t af = lt == 108 ? be32(p) : le32(p);
        if (lt == 0 && af > 0xffff)
            af = be32(p);
        fam = af == 2 ? 4 : (af == 10 || af == 24 || af == 28 || af == 30) ? 6 : 0;
        off = 4;
        break;
    }
    case 12:  /* DLT_RAW as some systems number it */
    case 14:
    case 101: /* raw IP */
        if (n < 1)
            goto bad;
        fam = p[0] >> 4;
        break;
    case 228:
        fam = 4;
        break;
    case 229:
        fam = 6;
        break;
    default:
        c->st.unknown_link++;
        return 0;
    }
    if (type == 0x0800)
        fam = 4;
    else if (type == 0x86dd)
        fam = 6;
    if (fam != 4 && fam != 6) {
        c->st.unknown_link++;
        return 0;
    }
    return network(c, fam, p + off, n - off, data, len, meta);
bad:
    c->st.malformed++;
    return 0;
}

/* ---- containers --------------------------------------------------------- */

typedef enum { REC_PACKET, REC_END } rec_result;

typedef struct rec {
    const uint8_t *p;
    size_t caplen, len;
    int linktype;
    int64_t rx_us;
} rec;

/* Need `want` bytes for the record at hand: fewer means the file was cut
 * inside it. */
static int need(dw_capture *c, size_t want)
{
    if (src_avail(&c->s, want) < want) {
        if (c->s.fail == DW_OK)
            c->st.truncated_file = 1;
        return 0;
    }
    return 1;
}

static rec_result pcap_record(dw_capture *c, rec *r)
{
    src *s = &c->s;
    size_t hl = c->rec_hdr;
    size_t a = src_avail(s, hl);
    if (a == 0)
        return REC_END;
    if (a < hl) {
        if (s->fail == DW_OK)
            c->st.truncated_file = 1;
        return REC_END;
    }
    const uint8_t *p = src_ptr(s);
    uint32_t sec = rd32(p, c->big), frac = rd32(p + 4, c->big);
    uint32_t incl = rd32(p + 8, c->big), orig = rd32(p + 12, c->big);
    if (incl > DW_CAPTURE_MAX_RECORD) {
        c->st.corrupt = 1;
        return REC_END;
    }
    if (!need(c, hl + incl))
        return REC_END;
    p = src_ptr(s);
    c->st.records++;
    c->pending = hl + incl;
    r->p = p + hl;
    r->caplen = incl;
    r->len = orig;
    r->linktype = c->linktype;
    r->rx_us = (int64_t)sec * 1000000 + (c->nsec ? frac / 1000 : frac);
    return REC_PACKET;
}

static int64_t ng_time(const ng_if *i, uint64_t ts)
{
    static const uint64_t p10[] = {1u, 10u, 100u, 1000u, 10000u, 100000u, 1000000u, 10000000u,
                                   100000000u, 1000000000u, 10000000000u, 100000000000u,
                                   1000000000000u, 10000000000000u, 100000000000000u,
                                   1000000000000000u, 10000000000000000u,
                                   100000000000000000u, 1000000000000000000u,
                                   10000000000000000000u};
    uint64_t us;
    if (!i->base2) {
        if (i->exp <= 6)
            us = ts * p10[6 - i->exp];
        else if (i->exp - 6 < 20)
            us = ts / p10[i->exp - 6];
        else
            us = 0;
    } else if (i->exp >= 64) {
        us = 0;
    } else {
        uint64_t sec = ts >> i->exp;
        uint64_t frac = ts & ((i->exp ? (UINT64_C(1) << i->exp) : 1) - 1);
        us = sec * 1000000u + (uint64_t)((double)frac * 1e6 / (double)(UINT64_C(1) << i->exp));
    }
    /* Wrapping is well defined in unsigned arithmetic; garbage stays garbage. */
    return (int64_t)(us + (uint64_t)i->offset_s * 1000000u);
}

static void ng_add_if(dw_capture *c, const uint8_t *p, size_t blen)
{
    if (c->n_ifs >= MAX_IFS) {
        c->st.malformed++;
        return;
    }
    if (c->n_ifs == c->cap_ifs) {
        size_t ncap = c->cap_ifs ? 2 * c->cap_ifs : 4;
        ng_if *n = realloc(c->ifs, ncap * sizeof *n);
        if (!n) {
            c->st.malformed++;
            return;
        }
        c->ifs = n;
        c->cap_ifs = ncap;
    }
    ng_if *i = &c->ifs[c->n_ifs++];
    i->linktype = rd16(p + 8, c->big);
    i->base2 = 0;
    i->exp = 6;
    i->offset_s = 0;
    if (c->first_linktype < 0)
        c->first_linktype = i->linktype; /* not seen at detection */
    size_t off = 16, end = blen - 4;
    while (off + 4 <= end) {
        unsigned code = rd16(p + off, c->big), olen = rd16(p + off + 2, c->big);
        off += 4;
        if (code == 0 || off + olen > end)
            break;
        if (code == 9 && olen >= 1) {
            i->base2 = (p[off] & 0x80) != 0;
            i->exp = p[off] & 0x7f;
        } else if (code == 14 && olen >= 8) {
            uint64_t hi = rd32(p + off, c->big), lo = rd32(p + off + 4, c->big);
            uint64_t v = c->big ? (hi << 32 | lo) : (lo << 32 | hi);
            i->offset_s = (int64_t)v;
        }
        off += (olen + 3u) & ~3u;
    }
}

static rec_result pcapng_record(dw_capture *c, rec *r)
{
    src *s = &c->s;
    for (;;) {
        size_t a = src_avail(s, 12);
        if (a == 0)
            return REC_END;
        if (a < 12) {
            if (s->fail == DW_OK)
                c->st.truncated_file = 1;
            return REC_END;
        }
        const uint8_t *p = src_ptr(s);
        if (be32(p) == 0x0a0d0d0au) { /* a section: its own byte order */
            if (be32(p + 8) == 0x1a2b3c4du)
                c->big = 1;
            else if (le32(p + 8) == 0x1a2b3c4du)
                c->big = 0;
            else {
                c->st.corrupt = 1;
                return REC_END;
            }
            c->n_ifs = 0;
        }
        uint32_t type = rd32(p, c->big), blen = rd32(p + 4, c->big);
        if (blen < 12 || (blen & 3)) {
            c->st.corrupt = 1;
            return REC_END;
        }
        int packet = type == 6 || type == 3 || type == 2;
        if (blen > DW_CAPTURE_MAX_RECORD + 64) {
            if (packet) {
                c->st.records++;
                c->st.truncated++;
            }
            if (src_skip(s, blen) < blen) {
                if (s->fail == DW_OK)
                    c->st.truncated_file = 1;
                return REC_END;
            }
            continue;
        }
        if (!need(c, blen))
            return REC_END;
        p = src_ptr(s);
        if (rd32(p + blen - 4, c->big) != blen) {
            c->st.corrupt = 1;
            return REC_END;
        }
        c->pending = blen;
        if (type == 1) {
            if (blen >= 20)
                ng_add_if(c, p, blen);
            else
                c->st.malformed++;
        }
        if (!packet) {
            src_drop(s, blen);
            c->pending = 0;
            continue;
        }
        c->st.records++;
        size_t ifid, hdr;
        uint64_t ts = 0;
        int has_ts = 1;
        if (type == 3) { /* simple packet: interface 0, no time */
            if (blen < 16)
                goto bad;
            ifid = 0;
            hdr = 12;
            r->len = rd32(p + 8, c->big);
            r->caplen = r->len < blen - 16 ? r->len : blen - 16;
            has_ts = 0;
        } else {
            if (blen < 32)
                goto bad;
            hdr = 28;
            if (type == 6) {
                ifid = rd32(p + 8, c->big);
            } else {
                ifid = rd16(p + 8, c->big);
            }
            ts = (uint64_t)rd32(p + 12, c->big) << 32 | rd32(p + 16, c->big);
            r->caplen = rd32(p + 20, c->big);
            r->len = rd32(p + 24, c->big);
            if (r->caplen > blen - 32)
                goto bad;
        }
        if (ifid >= c->n_ifs)
            goto bad;
        r->p = p + hdr;
        r->linktype = c->ifs[ifid].linktype;
        r->rx_us = has_ts ? ng_time(&c->ifs[ifid], ts) : 0;
        return REC_PACKET;
    bad:
        c->st.malformed++;
        src_drop(s, blen);
        c->pending = 0;
    }
}

/* FINAL and ORADIS files: one record, or a resynchronisation to the next. */
static rec_result wrapped_record(dw_capture *c, rec *r)
{
    src *s = &c->s;
    int final = c->fmt == DW_CAPTURE_FINAL;
    size_t hdr = final ? FINAL_HDR : ORADIS_HDR;
    size_t extra = final ? FINAL_TRAILER : 0;
    /* 0: in step; 1: lost after a bad record (counted); 2: lost after a
     * record the input ends inside, which is only a cut if nothing follows. */
    int lost = 0;
    for (;;) {
        size_t a = src_avail(s, 2);
        if (a < 2) {
            if (a || lost == 2)
                c->st.truncated_file = 1;
            c->st.skipped_bytes += a;
            src_drop(s, a);
            return REC_END;
        }
        size_t len = be16(src_ptr(s));
        size_t got = len >= hdr + extra + ASX_MIN ? src_avail(s, len) : 0;
        const uint8_t *p = src_ptr(s);
        /* While resynchronising, demand valid contents too: a length and a
         * trailer alone are found by chance in a long stretch of garbage. */
        size_t ok = got < len ? 0
                    : final   ? final_record(p, got, lost != 0)
                              : oradis_record(p, got);
        if (ok) {
            if (lost == 2)
                c->st.malformed++;
            c->st.records++;
            c->st.unwrapped++;
            c->pending = len;
            r->p = p + hdr;
            r->caplen = r->len = len - hdr - extra;
            r->linktype = DW_LINK_DATAGRAM;
            if (final) /* 24-bit time of day in 10 ms; the day has no month */
                r->rx_us = (int64_t)((uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7]) * 10000;
            else /* time of day in ms */
                r->rx_us = (int64_t)be32(p + 2) * 1000;
            return REC_PACKET;
        }
        if (!lost) {
            lost = got && got < len ? 2 : 1;
            if (lost == 1)
                c->st.malformed++;
        }
        c->st.skipped_bytes++;
        src_drop(s, 1);
    }
}

dw_status dw_capture_next(dw_capture *c, const uint8_t **data, size_t *len, dw_frame_meta *meta)
{
    if (!c || !data || !len || !meta)
        return DW_ERR_INVALID;
    if (c->sub) {
        if (c->sub < c->sub_end && sub_next(c, data, len, meta))
            goto deliver;
        c->sub = c->sub_end = NULL;
    }
    if (c->pending) {
        src_drop(&c->s, c->pending);
        c->pending = 0;
    }
    while (!c->done) {
        rec r;
        rec_result rr;
        switch (c->fmt) {
        case DW_CAPTURE_RAW: {
            size_t a = src_avail(&c->s, DW_CAPTURE_CHUNK);
            if (a == 0) {
                rr = REC_END;
                break;
            }
            c->st.records++;
            c->pending = a;
            *data = src_ptr(&c->s);
            *len = a;
            meta->rx_us = 0;
            meta->linktype = DW_LINK_STREAM;
            meta->src_port = meta->dst_port = 0;
            meta->source = c->name;
            goto deliver;
        }
        case DW_CAPTURE_PCAP:
            rr = pcap_record(c, &r);
            break;
        case DW_CAPTURE_PCAPNG:
            rr = pcapng_record(c, &r);
            break;
        default:
            rr = wrapped_record(c, &r);
            break;
        }
        if (rr == REC_END) {
            c->done = 1;
            break;
        }
        if (r.caplen < r.len) {
            c->st.truncated++;
        } else if (c->fmt == DW_CAPTURE_FINAL || c->fmt == DW_CAPTURE_ORADIS) {
            *data = r.p;
            *len = r.caplen;
            meta->rx_us = r.rx_us;
            meta->linktype = DW_LINK_DATAGRAM;
            meta->src_port = meta->dst_port = 0;
            meta->source = c->name;
            goto deliver;
        } else if (link_frame(c, r.linktype, r.p, r.caplen, r.rx_us, data, len, meta)) {
            goto deliver;
        }
        src_drop(&c->s, c->pending);
        c->pending = 0;
    }
    return c->s.fail != DW_OK ? c->s.fail : DW_ERR_EOF;
deliver:
    c->st.delivered++;
    c->st.bytes += *len;
    return DW_OK;
}
