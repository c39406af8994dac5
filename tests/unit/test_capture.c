/* test_capture.c — containers into packets: the shared captures (pcap with
 * ASTERIX over UDP, ORADIS inside pcap, pcapng from a Bluetooth LE sniffer),
 * FINAL and ORADIS files and pcaps built here byte by byte, raw streams, and
 * inputs cut short or mangled. libpcap is the oracle for the pcap and pcapng
 * readers: same packets, same bytes, same times. */
#include "harness.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/capture.h"

/* ---- collecting what a capture hands out ------------------------------- */

#define MAX_PKTS 1024

typedef struct pkt {
    size_t off, len;
    int linktype;
    uint16_t sp, dp;
    int64_t rx_us;
    char source[224];
} pkt;

typedef struct got {
    pkt p[MAX_PKTS];
    size_t n;                   /* packets stored (at most MAX_PKTS) */
    uint64_t total;             /* packets handed out */
    uint8_t *blob;
    size_t blen, bcap;
    dw_capture_stats st;
    dw_capture_format fmt;
    int linktype;
    dw_status end;
} got;

static got *drain(dw_capture *c)
{
    got *g = calloc(1, sizeof *g);
    assert_non_null(g);
    g->fmt = dw_capture_get_format(c);
    g->linktype = dw_capture_linktype(c);
    const uint8_t *d;
    size_t n;
    dw_frame_meta m;
    uint64_t calls = 0;
    while ((g->end = dw_capture_next(c, &d, &n, &m)) == DW_OK) {
        assert_true(++calls < 10000000); /* no endless loop on any input */
        assert_true(n > 0);
        g->total++;
        if (g->n < MAX_PKTS) {
            pkt *p = &g->p[g->n++];
            if (g->blen + n > g->bcap) {
                g->bcap = (g->blen + n) * 2;
                g->blob = realloc(g->blob, g->bcap);
                assert_non_null(g->blob);
            }
            memcpy(g->blob + g->blen, d, n);
            p->off = g->blen;
            p->len = n;
            g->blen += n;
            p->linktype = m.linktype;
            p->sp = m.src_port;
            p->dp = m.dst_port;
            p->rx_us = m.rx_us;
            assert_non_null(m.source);
            snprintf(p->source, sizeof p->source, "%s", m.source);
        }
    }
    /* EOF stays EOF */
    assert_int_equal(dw_capture_next(c, &d, &n, &m), g->end);
    dw_capture_get_stats(c, &g->st);
    assert_int_equal(g->st.delivered, g->total);
    dw_capture_close(c);
    return g;
}

static got *read_mem(const uint8_t *d, size_t n)
{
    dw_capture *c = NULL;
    char err[256];
    assert_int_equal(dw_capture_open_mem(d, n, "mem", &c, err, sizeof err), DW_OK);
    return drain(c);
}

static got *read_path(const char *path)
{
    dw_capture *c = NULL;
    char err[512];
    dw_status st = dw_capture_open(path, &c, err, sizeof err);
    if (st != DW_OK)
        fprintf(stderr, "%s\n", err);
    assert_int_equal(st, DW_OK);
    return drain(c);
}

static void got_free(got *g)
{
    if (g) {
        free(g->blob);
        free(g);
    }
}

static const uint8_t *bytes_of(const got *g, size_t i) { return g->blob + g->p[i].off; }

static int contains(const uint8_t *hay, size_t n, const uint8_t *needle, size_t m)
{
    for (size_t i = 0; i + m <= n; i++)
        if (!memcmp(hay + i, needle, m))
            return 1;
    return 0;
}


static const char *write_tmp(const char *name, const uint8_t *d, size_t n)
{
    static char path[512];
    const char *dir = dw_test_tmpdir();
    assert_non_null(dir);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(d, 1, n, f), n);
    fclose(f);
    return path;
}

/* ---- building captures -------------------------------------------------- */

typedef struct buf {
    uint8_t *p;
    size_t n, cap;
} buf;

static void put(buf *b, const void *d, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    memcpy(b->p + b->n, d, n);
    b->n += n;
}
static void put8(buf *b, unsigned v) { uint8_t x = (uint8_t)v; put(b, &x, 1); }
static void put16(buf *b, unsigned v, int big)
{
    uint8_t x[2] = {(uint8_t)(big ? v >> 8 : v), (uint8_t)(big ? v : v >> 8)};
    put(b, x, 2);
}
static void put32(buf *b, uint32_t v, int big)
{
    for (int i = 0; i < 4; i++)
        put8(b, big ? v >> (24 - 8 * i) : v >> (8 * i));
}

static void pcap_hdr(buf *b, uint32_t magic, int big, uint32_t linktype)
{
    put32(b, magic, big);
    put16(b, 2, big);
    put16(b, 4, big);
    put32(b, 0, big);
    put32(b, 0, big);
    put32(b, 65535, big);
    put32(b, linktype, big);
}

static void pcap_rec(buf *b, int big, uint32_t sec, uint32_t frac, const uint8_t *d,
                     size_t caplen, size_t len)
{
    put32(b, sec, big);
    put32(b, frac, big);
    put32(b, (uint32_t)caplen, big);
    put32(b, (uint32_t)len, big);
    put(b, d, caplen);
}

static size_t udp(uint8_t *o, uint16_t sp, uint16_t dp, const void *pl, size_t n)
{
    o[0] = (uint8_t)(sp >> 8), o[1] = (uint8_t)sp, o[2] = (uint8_t)(dp >> 8), o[3] = (uint8_t)dp;
    o[4] = (uint8_t)((n + 8) >> 8), o[5] = (uint8_t)(n + 8), o[6] = o[7] = 0;
    memcpy(o + 8, pl, n);
    return n + 8;
}

static size_t tcp(uint8_t *o, uint16_t sp, uint16_t dp, uint32_t seq, uint8_t flags,
                  const void *pl, size_t n)
{
    memset(o, 0, 20);
    o[0] = (uint8_t)(sp >> 8), o[1] = (uint8_t)sp, o[2] = (uint8_t)(dp >> 8), o[3] = (uint8_t)dp;
    o[4] = (uint8_t)(seq >> 24), o[5] = (uint8_t)(seq >> 16), o[6] = (uint8_t)(seq >> 8);
    o[7] = (uint8_t)seq;
    o[12] = 5 << 4;
    o[13] = flags;
    memcpy(o + 20, pl, n);
    return n + 20;
}

/* IPv4 from 10.0.0.<src> to 10.0.0.<dst>; frag is the flags/offset field. */
static size_t ip4(uint8_t *o, int proto, int src, int dst, uint16_t frag, const uint8_t *l4,
                  size_t n)
{
    memset(o, 0, 20);
    o[0] = 0x45;
    o[2] = (uint8_t)((n + 20) >> 8), o[3] = (uint8_t)(n + 20);
    o[6] = (uint8_t)(frag >> 8), o[7] = (uint8_t)frag;
    o[8] = 64;
    o[9] = (uint8_t)proto;
    o[12] = 10, o[15] = (uint8_t)src;
    o[16] = 10, o[19] = (uint8_t)dst;
    memcpy(o + 20, l4, n);
    return n + 20;
}

/* IPv6 ::1 to ::2, optionally behind a hop-by-hop options header. */
static size_t ip6(uint8_t *o, int proto, int hbh, const uint8_t *l4, size_t n)
{
    memset(o, 0, 48);
    o[0] = 0x60;
    size_t ext = hbh ? 8 : 0;
    o[4] = (uint8_t)((n + ext) >> 8), o[5] = (uint8_t)(n + ext);
    o[6] = (uint8_t)(hbh ? 0 : proto);
    o[7] = 64;
    o[23] = 1;
    o[39] = 2;
    if (hbh) {
        o[40] = (uint8_t)proto;
        o[41] = 0; /* (0 + 1) * 8 bytes */
    }
    memcpy(o + 40 + ext, l4, n);
    return n + 40 + ext;
}

static size_t eth(uint8_t *o, int vlans, uint16_t type, const uint8_t *l3, size_t n)
{
    memset(o, 0, 12);
    size_t k = 12;
    for (int i = 0; i < vlans; i++) {
        o[k++] = i ? 0x81 : 0x88, o[k++] = i ? 0x00 : 0xa8;
        o[k++] = 0, o[k++] = 7;
    }
    o[k++] = (uint8_t)(type >> 8), o[k++] = (uint8_t)type;
    memcpy(o + k, l3, n);
    return k + n;
}

static const uint8_t asx_block[] = {48, 0, 7, 0x80, 25, 201, 0}; /* CAT048, 7 octets */

/* ---- the shared captures ----------------------------------------------- */

static void pcap_asterix_udp_ports(void **state)
{
    (void)state;
    got *g = read_path(dw_test_shared("data/asterix/croatiacontrol/cat_034_048.pcap"));
    assert_int_equal(g->fmt, DW_CAPTURE_PCAP);
    assert_int_equal(g->linktype, 1);
    assert_int_equal(g->end, DW_ERR_EOF);
    assert_int_equal(g->total, 100);
    assert_int_equal(g->st.records, 100);
    size_t bytes = 0, from_20124 = 0;
    for (size_t i = 0; i < g->n; i++) {
        const pkt *p = &g->p[i];
        assert_int_equal(p->linktype, DW_LINK_DATAGRAM);
        assert_true(dw_capture_is_asterix_blocks(bytes_of(g, i), p->len));
        assert_true(p->dp >= 21111 && p->dp <= 22135);
        assert_true(i == 0 || p->rx_us >= g->p[i - 1].rx_us);
        assert_non_null(strstr(p->source, "cat_034_048.pcap"));
        from_20124 += p->sp == 20124 && p->dp == 21131;
        bytes += p->len;
    }
    assert_int_equal(bytes, 6882);
    assert_int_equal(from_20124, 15);
    /* the first packet: 21124 -> 22131 at 1462433756.508910, a CAT048 block */
    assert_int_equal(g->p[0].sp, 21124);
    assert_int_equal(g->p[0].dp, 22131);
    assert_true(g->p[0].rx_us == INT64_C(1462433756508910));
    assert_memory_equal(bytes_of(g, 0), "\x30\x00\x30\xfd", 4);
    assert_int_equal(g->st.truncated + g->st.ip_fragments + g->st.unknown_link + g->st.malformed, 0);
    got_free(g);
}

static void pcap_oradis_unwrapped(void **state)
{
    (void)state;
    got *g = read_path(dw_test_shared("data/asterix/croatiacontrol/cat_001_002.pcap"));
    /* one UDP payload of six ORADIS records: five CAT001 and one CAT002 */
    static const struct { int cat; size_t len; } want[] = {
        {1, 72}, {1, 26}, {2, 11}, {1, 26}, {1, 26}, {1, 26}};
    assert_int_equal(g->st.records, 1);
    assert_int_equal(g->total, 6);
    assert_int_equal(g->st.unwrapped, 6);
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(g->p[i].len, want[i].len);
        assert_int_equal(bytes_of(g, i)[0], want[i].cat);
        assert_true(dw_capture_is_asterix_blocks(bytes_of(g, i), g->p[i].len));
        assert_int_equal(g->p[i].linktype, DW_LINK_DATAGRAM);
        assert_int_equal(g->p[i].sp, 20124);
        assert_int_equal(g->p[i].dp, 21131);
        assert_true(g->p[i].rx_us == INT64_C(1393332226414938)); /* the pcap's time */
    }
    got_free(g);

    /* Plain ASTERIX payloads are never taken for ORADIS. */
    g = read_path(dw_test_shared("data/asterix/croatiacontrol/cat_062_065.pcap"));
    assert_int_equal(g->total, 1);
    assert_int_equal(g->st.unwrapped, 0);
    assert_int_equal(g->p[0].len, 173);
    got_free(g);
}

static void pcapng_bluetooth_le(void **state)
{
    (void)state;
    got *g = read_path(dw_test_shared("data/remoteid/odid_bt5_lr_sample.pcapng"));
    assert_int_equal(g->fmt, DW_CAPTURE_PCAPNG);
    assert_int_equal(g->linktype, DW_RID_LINK_NORDIC_BLE);
    assert_int_equal(g->end, DW_ERR_EOF);
    assert_int_equal(g->total, 274);
    for (size_t i = 0; i < g->n; i++) {
        assert_int_equal(g->p[i].linktype, DW_RID_LINK_NORDIC_BLE); /* the frame, whole */
        assert_true(g->p[i].rx_us > INT64_C(1500000000000000));
        assert_true(i == 0 || g->p[i].rx_us >= g->p[i - 1].rx_us);
        assert_int_equal(g->p[i].sp, 0);
    }
    got_free(g);
}

/* Every shared pcap and pcapng against libpcap: the same records at the
 * same times; frames handed over whole are the same bytes. */
static void agrees_with_libpcap(void **state)
{
    (void)state;
    static const char *const files[] = {
        "data/asterix/croatiacontrol/cat_034_048.pcap",
        "data/asterix/croatiacontrol/cat_062_065.pcap",
        "data/asterix/croatiacontrol/asterix.pcap",
        "data/remoteid/odid_bt5_lr_sample.pcapng",
        "data/remoteid/odid_wifi_sample.pcap",
        "data/remoteid/odid_wifi_bcn_sample.pcap",
    };
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        const char *path = dw_test_shared(files[f]);
        char errbuf[PCAP_ERRBUF_SIZE];
        pcap_t *pc = pcap_open_offline(path, errbuf);
        assert_non_null(pc);
        got *g = read_path(path);
        assert_int_equal(g->linktype, pcap_datalink(pc));
        int whole = g->linktype != 1;
        struct pcap_pkthdr *h;
        const u_char *d;
        size_t n = 0;
        while (pcap_next_ex(pc, &h, &d) == 1) {
            assert_true(n < g->n);
            int64_t t = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
            assert_true(g->p[n].rx_us == t);
            if (whole) {
                assert_int_equal(g->p[n].len, h->caplen);
                assert_memory_equal(bytes_of(g, n), d, h->caplen);
            } else {
                /* the UDP payload is the frame's tail, before any padding */
                assert_true(g->p[n].len <= h->caplen);
                assert_true(contains(d, h->caplen, bytes_of(g, n), g->p[n].len));
            }
            n++;
        }
        assert_int_equal(n, g->total);
        assert_int_equal(n, g->st.records);
        pcap_close(pc);
        got_free(g);
    }
}

/* ---- FINAL, ORADIS and raw files ---------------------------------------- */

static void final_record(buf *b, const uint8_t *blk, size_t n, uint32_t tod_10ms)
{
    put16(b, (unsigned)(n + 12), 1);
    put8(b, 1);                     /* board */
    put8(b, 2);                     /* line */
    put8(b, 24);                    /* day */
    put8(b, tod_10ms >> 16);
    put8(b, tod_10ms >> 8);
    put8(b, tod_10ms);
    put(b, blk, n);
    put32(b, 0xa5a5a5a5u, 1);
}

static void final_built_from_cat048(void **state)
{
    (void)state;
    size_t n;
    uint8_t *blk = dw_test_read_file(dw_test_shared("data/asterix/croatiacontrol/cat048.raw"), &n);
    assert_int_equal(n, 48);
    buf b = {0};
    final_record(&b, blk, n, 100);
    final_record(&b, blk, n, 4500000);          /* 12:30:00 */
    put(&b, "garbage!", 8);                     /* lost bytes: resynchronised */
    final_record(&b, blk, n, 8639999);          /* 23:59:59.99 */
    got *g = read_path(write_tmp("cat048.ff", b.p, b.n));
    assert_int_equal(g->fmt, DW_CAPTURE_FINAL);
    assert_int_equal(g->total, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(g->p[i].len, 48);
        assert_memory_equal(bytes_of(g, i), blk, 48);
        assert_int_equal(g->p[i].linktype, DW_LINK_DATAGRAM);
    }
    assert_true(g->p[0].rx_us == 1000000);
    assert_true(g->p[1].rx_us == INT64_C(45000000000));
    assert_true(g->p[2].rx_us == INT64_C(86399990000));
    assert_int_equal(g->st.malformed, 1);
    assert_int_equal(g->st.skipped_bytes, 8);
    assert_int_equal(g->st.unwrapped, 3);
    assert_int_equal(g->st.truncated_file, 0);
    got_free(g);

    /* Cut inside the last record: two records, and the cut is reported. */
    g = read_mem(b.p, b.n - 5);
    assert_int_equal(g->fmt, DW_CAPTURE_FINAL);
    assert_int_equal(g->total, 2);
    assert_int_equal(g->st.truncated_file, 1);
    /* the garbage and the cut record are one stretch with nothing valid
     * after it: that is a cut, not a malformed record */
    assert_int_equal(g->st.malformed, 0);
    assert_int_equal(g->st.skipped_bytes, 8 + 60 - 5);
    got_free(g);
    free(b.p);
    free(blk);
}

static void oradis_file(void **state)
{
    (void)state;
    size_t n48, n34;
    uint8_t *b48 = dw_test_read_file(dw_test_shared("data/asterix/croatiacontrol/cat048.raw"), &n48);
    uint8_t *b34 = dw_test_read_file(dw_test_shared("data/asterix/croatiacontrol/cat034.raw"), &n34);
    buf b = {0};
    put16(&b, (unsigned)(n48 + 6), 1);
    put32(&b, 45826101, 1);                     /* ms of the day */
    put(&b, b48, n48);
    put16(&b, (unsigned)(n34 + n48 + 6), 1);    /* two blocks in one record */
    put32(&b, 45826159, 1);
    put(&b, b34, n34);
    put(&b, b48, n48);
    got *g = read_mem(b.p, b.n);
    assert_int_equal(g->fmt, DW_CAPTURE_ORADIS);
    assert_int_equal(g->total, 2);
    assert_int_equal(g->p[0].len, n48);
    assert_int_equal(g->p[1].len, n34 + n48);
    assert_memory_equal(bytes_of(g, 1), b34, n34);
    assert_true(g->p[0].rx_us == INT64_C(45826101000));
    got_free(g);

    /* A raw ASTERIX file stays raw: its blocks are the codec's to frame. */
    g = read_mem(b48, n48);
    assert_int_equal(g->fmt, DW_CAPTURE_RAW);
    assert_int_equal(g->total, 1);
    assert_int_equal(g->p[0].linktype, DW_LINK_STREAM);
    got_free(g);
    free(b.p);
    free(b48);
    free(b34);
}

static void raw_file_chunked(void **state)
{
    (void)state;
    size_t n = 3 * DW_CAPTURE_CHUNK + 12345;
    uint8_t *d = malloc(n);
    assert_non_null(d);
    uint32_t x = 12345;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        d[i] = (uint8_t)(x >> 16);
    }
    memcpy(d, "NOT A CONTAINER", 15);
    const char *path = write_tmp("stream.bin", d, n);
    got *g = read_path(path);
    assert_int_equal(g->fmt, DW_CAPTURE_RAW);
    assert_int_equal(g->linktype, -1);
    assert_int_equal(g->total, 4);
    assert_int_equal(g->blen, n);
    assert_memory_equal(g->blob, d, n);
    for (size_t i = 0; i < g->n; i++) {
        assert_true(g->p[i].len <= DW_CAPTURE_CHUNK);
        assert_int_equal(g->p[i].linktype, DW_LINK_STREAM);
        assert_true(g->p[i].rx_us == 0);
        assert_string_equal(g->p[i].source, path);
    }
    got_free(g);

    /* The same through a FILE we opened (a pipe would do as well). */
    FILE *f = fmemopen(d, n, "rb");
    assert_non_null(f);
    dw_capture *c;
    assert_int_equal(dw_capture_open_fp(f, NULL, &c, NULL, 0), DW_OK);
    g = drain(c);
    assert_int_equal(g->blen, n);
    assert_string_equal(g->p[0].source, "-");
    fclose(f);
    got_free(g);

    /* Empty input: nothing, at once. */
    g = read_mem(NULL, 0);
    assert_int_equal(g->total, 0);
    assert_int_equal(g->end, DW_ERR_EOF);
    got_free(g);
    free(d);
}

/* ---- cut and mangled input ---------------------------------------------- */

static void truncated_pcap_every_cut(void **state)
{
    (void)state;
    size_t n;
    uint8_t *d = dw_test_read_file(dw_test_shared("data/asterix/croatiacontrol/cat_034_048.pcap"), &n);
    /* where each record ends */
    size_t ends[101], k = 0, off = 24;
    while (off + 16 <= n) {
        off += 16 + (d[off + 8] | (size_t)d[off + 9] << 8);
        ends[k++] = off;
    }
    assert_int_equal(k, 100);
    uint64_t last = 0;
    for (size_t cut = 24; cut <= n; cut++) {
        got *g = read_mem(d, cut);
        assert_int_equal(g->fmt, DW_CAPTURE_PCAP);
        size_t complete = 0;
        int on_boundary = cut == 24;
        for (size_t i = 0; i < k; i++) {
            complete += ends[i] <= cut;
            on_boundary |= ends[i] == cut;
        }
        assert_int_equal(g->total, complete);
        assert_int_equal(g->st.truncated_file, !on_boundary);
        assert_true(g->total >= last);
        last = g->total;
        got_free(g);
    }
    /* and once from a file on disk */
    got *g = read_path(write_tmp("cut.pcap", d, n - 7));
    assert_int_equal(g->total, 99);
    assert_int_equal(g->st.truncated_file, 1);
    got_free(g);
    free(d);
}

static uint32_t xorshift(uint32_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

static void mutated_inputs_never_crash(void **state)
{
    (void)state;
    /* Seeds: a small pcap, a pcapng, a FINAL file; then random damage. */
    buf seeds[3] = {{0}};
    uint8_t frame[256], l4[128], l3[192];
    pcap_hdr(&seeds[0], 0xa1b2c3d4u, 0, 1);
    for (int i = 0; i < 4; i++) {
        size_t n4 = i & 1 ? tcp(l4, 30005, 4000, 100u + (uint32_t)i * 7, 0x18, asx_block, sizeof asx_block)
                          : udp(l4, 21000, 22000, asx_block, sizeof asx_block);
        size_t n3 = ip4(l3, i & 1 ? 6 : 17, 1, 2, 0, l4, n4);
        size_t nf = eth(frame, i % 3, 0x0800, l3, n3);
        pcap_rec(&seeds[0], 0, 1000, (uint32_t)i, frame, nf, nf);
    }
    buf *ng = &seeds[1];
    put32(ng, 0x0a0d0d0au, 0);
    put32(ng, 28, 0);
    put32(ng, 0x1a2b3c4du, 0);
    put16(ng, 1, 0);
    put16(ng, 0, 0);
    put32(ng, 0xffffffffu, 0);
    put32(ng, 0xffffffffu, 0);
    put32(ng, 28, 0);
    put32(ng, 1, 0); /* IDB, raw IP, if_tsresol 9 */
    put32(ng, 32, 0);
    put16(ng, 101, 0);
    put16(ng, 0, 0);
    put32(ng, 0, 0);
    put16(ng, 9, 0);
    put16(ng, 1, 0);
    put32(ng, 9, 0);
    put32(ng, 0, 0);
    put32(ng, 32, 0);
    size_t n4 = udp(l4, 1, 2, asx_block, sizeof asx_block);
    size_t n3 = ip4(l3, 17, 1, 2, 0, l4, n4);
    size_t pad = (4 - n3 % 4) % 4;
    put32(ng, 6, 0);
    put32(ng, (uint32_t)(32 + n3 + pad), 0);
    put32(ng, 0, 0);
    put32(ng, 0, 0);
    put32(ng, 12345, 0);
    put32(ng, (uint32_t)n3, 0);
    put32(ng, (uint32_t)n3, 0);
    put(ng, l3, n3);
    put(ng, "\0\0\0", pad);
    put32(ng, (uint32_t)(32 + n3 + pad), 0);
    final_record(&seeds[2], asx_block, sizeof asx_block, 1);
    final_record(&seeds[2], asx_block, sizeof asx_block, 2);

    uint32_t x = 2463534242u;
#define RND() xorshift(&x)
    for (int it = 0; it < 6000; it++) {
        const buf *s = &seeds[it % 3];
        size_t n = s->n;
        uint8_t *m = malloc(n + 64);
        assert_non_null(m);
        memcpy(m, s->p, n);
        int hits = 1 + (int)(RND() % 8);
        for (int h = 0; h < hits; h++) {
            switch (RND() % 4) {
            case 0: {
                size_t at = RND() % n;
                m[at] = (uint8_t)RND();
                break;
            }
            case 1: m[RND() % n] ^= (uint8_t)(1u << (RND() % 8)); break;
            case 2: n = 1 + RND() % n; break;
            default: { /* a length field set to something large */
                size_t at = RND() % (n > 4 ? n - 4 : 1);
                m[at] = 0xff;
                m[at + 1] = (uint8_t)RND();
            }
            }
        }
        got *g = read_mem(m, n);
        assert_true(g->st.bytes <= (uint64_t)n * 2); /* only ever views of the input */
        got_free(g);
        free(m);
    }
#undef RND
    for (int i = 0; i < 3; i++)
        free(seeds[i].p);
}

/* ---- link layers built by hand ------------------------------------------ */

static void link_layers_and_counted_skips(void **state)
{
    (void)state;
    uint8_t frame[256], l4[128], l3[192];
    size_t n4, n3, nf;
    buf b = {0};
    pcap_hdr(&b, 0xa1b2c3d4u, 0, 1);
    /* 1: two VLAN tags, IPv4, UDP */
    n4 = udp(l4, 1111, 2222, "hello", 5);
    n3 = ip4(l3, 17, 1, 2, 0, l4, n4);
    nf = eth(frame, 2, 0x0800, l3, n3);
    pcap_rec(&b, 0, 10, 1, frame, nf, nf);
    /* 2: IPv6 with a hop-by-hop header, UDP; Ethernet padding after it */
    n4 = udp(l4, 3333, 4444, "v6!", 3);
    n3 = ip6(l3, 17, 1, l4, n4);
    nf = eth(frame, 0, 0x86dd, l3, n3);
    memset(frame + nf, 0xee, 6);
    pcap_rec(&b, 0, 10, 2, frame, nf + 6, nf + 6);
    /* 3: an IPv4 fragment (more fragments), 4: a later fragment */
    n3 = ip4(l3, 17, 1, 2, 0x2000, l4, n4);
    nf = eth(frame, 0, 0x0800, l3, n3);
    pcap_rec(&b, 0, 10, 3, frame, nf, nf);
    n3 = ip4(l3, 17, 1, 2, 0x0010, l4, n4);
    nf = eth(frame, 0, 0x0800, l3, n3);
    pcap_rec(&b, 0, 10, 4, frame, nf, nf);
    /* 5: captured short (caplen < len) */
    n4 = udp(l4, 1111, 2222, "hello", 5);
    n3 = ip4(l3, 17, 1, 2, 0, l4, n4);
    nf = eth(frame, 0, 0x0800, l3, n3);
    pcap_rec(&b, 0, 10, 5, frame, nf - 3, nf);
    /* 6: ARP, 7: ICMP: not ours */
    nf = eth(frame, 0, 0x0806, l3, 28);
    pcap_rec(&b, 0, 10, 6, frame, nf, nf);
    n3 = ip4(l3, 1, 1, 2, 0, l4, 8);
    nf = eth(frame, 0, 0x0800, l3, n3);
    pcap_rec(&b, 0, 10, 7, frame, nf, nf);
    /* 8: an IPv4 header longer than the packet; 9: UDP length past the end;
     * 10: an 802.3 length field, not an ethertype */
    n3 = ip4(l3, 17, 1, 2, 0, l4, n4);
    l3[0] = 0x4f;
    nf = eth(frame, 0, 0x0800, l3, 22);
    pcap_rec(&b, 0, 10, 8, frame, nf, nf);
    n4 = udp(l4, 1111, 2222, "hello", 5);
    l4[5] = 200;
    n3 = ip4(l3, 17, 1, 2, 0, l4, n4);
    nf = eth(frame, 0, 0x0800, l3, n3);
    pcap_rec(&b, 0, 10, 9, frame, nf, nf);
    nf = eth(frame, 0, 0x0004, l3, n3);
    pcap_rec(&b, 0, 10, 10, frame, nf, nf);
    /* 11: an empty UDP payload, skipped without a count */
    n4 = udp(l4, 1, 2, "", 0);
    n3 = ip4(l3, 17, 1, 2, 0, l4, n4);
    nf = eth(frame, 0, 0x0800, l3, n3);
    pcap_rec(&b, 0, 10, 11, frame, nf, nf);

    got *g = read_mem(b.p, b.n);
    assert_int_equal(g->st.records, 11);
    assert_int_equal(g->total, 2);
    assert_int_equal(g->p[0].len, 5);
    assert_memory_equal(bytes_of(g, 0), "hello", 5);
    assert_int_equal(g->p[0].sp, 1111);
    assert_int_equal(g->p[0].dp, 2222);
    assert_true(g->p[0].rx_us == 10000001);
    assert_int_equal(g->p[1].len, 3);
    assert_memory_equal(bytes_of(g, 1), "v6!", 3);
    assert_int_equal(g->p[1].sp, 3333);
    assert_int_equal(g->st.ip_fragments, 2);
    assert_int_equal(g->st.truncated, 1);
    assert_int_equal(g->st.unknown_link, 3);
    assert_int_equal(g->st.malformed, 2);
    got_free(g);
    free(b.p);

    /* Linux cooked v1 and v2, BSD loopback, raw IPv6, IPv4 link types;
     * big-endian with nanosecond times; and an unknown link type. */
    struct {
        uint32_t lt;
        size_t hdr;
    } links[] = {{113, 16}, {276, 20}, {0, 4}, {101, 0}, {228, 0}, {229, 0}};
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
        buf c = {0};
        pcap_hdr(&c, 0xa1b23c4du, 1, links[i].lt);
        int v6 = links[i].lt == 229 || (links[i].lt == 101);
        n4 = udp(l4, 5, 6, "data", 4);
        n3 = v6 ? ip6(l3, 17, 0, l4, n4) : ip4(l3, 17, 1, 2, 0, l4, n4);
        memset(frame, 0, links[i].hdr);
        if (links[i].lt == 113)
            frame[14] = 0x08;
        if (links[i].lt == 276)
            frame[0] = 0x08;
        if (links[i].lt == 0)
            frame[0] = 2; /* AF_INET, little-endian writer */
        memcpy(frame + links[i].hdr, l3, n3);
        pcap_rec(&c, 1, 7, 123456789, frame, links[i].hdr + n3, links[i].hdr + n3);
        g = read_mem(c.p, c.n);
        assert_int_equal(g->linktype, (int)links[i].lt);
        assert_int_equal(g->total, 1);
        assert_memory_equal(bytes_of(g, 0), "data", 4);
        assert_true(g->p[0].rx_us == 7123456);
        got_free(g);
        free(c.p);
    }
    buf c = {0};
    pcap_hdr(&c, 0xa1b2c3d4u, 0, 147); /* a user link type */
    pcap_rec(&c, 0, 1, 1, (const uint8_t *)"abcd", 4, 4);
    g = read_mem(c.p, c.n);
    assert_int_equal(g->total, 0);
    assert_int_equal(g->st.unknown_link, 1);
    got_free(g);
    free(c.p);
}

static void tcp_flows_in_order(void **state)
{
    (void)state;
    uint8_t frame[256], l4[128], l3[192];
    buf b = {0};
    pcap_hdr(&b, 0xa1b2c3d4u, 0, 1);
    struct {
        int flow;           /* 0: 10.0.0.1:30005 > .2:4000, 1: 10.0.0.3:30005 > .2:4000 */
        uint32_t seq;
        uint8_t flags;
        const char *data;
    } segs[] = {
        {0, 999, 0x02, ""},        /* SYN: data starts at 1000 */
        {0, 1000, 0x18, "abc"},
        {1, 5000, 0x18, "XY"},     /* joined mid-stream */
        {0, 1003, 0x18, "def"},
        {0, 1000, 0x18, "abc"},    /* retransmission: dropped */
        {0, 1004, 0x18, "efgh"},   /* overlaps: only "gh" is new */
        {1, 5002, 0x18, "Z"},
        {0, 1020, 0x18, "late"},   /* a hole before it: counted, kept */
        {0, 1024, 0x11, ""},       /* FIN, no data */
    };
    for (size_t i = 0; i < sizeof segs / sizeof segs[0]; i++) {
        size_t n4 = tcp(l4, 30005, 4000, segs[i].seq, segs[i].flags, segs[i].data,
                        strlen(segs[i].data));
        size_t n3 = ip4(l3, 6, segs[i].flow ? 3 : 1, 2, 0, l4, n4);
        size_t nf = eth(frame, 0, 0x0800, l3, n3);
        pcap_rec(&b, 0, 100, (uint32_t)i, frame, nf, nf);
    }
    got *g = read_mem(b.p, b.n);
    char s0[64] = "", s1[64] = "";
    for (size_t i = 0; i < g->n; i++) {
        assert_int_equal(g->p[i].linktype, DW_LINK_STREAM);
        assert_int_equal(g->p[i].sp, 30005);
        int second = strstr(g->p[i].source, "10.0.0.3:30005>10.0.0.2:4000") != NULL;
        if (!second)
            assert_non_null(strstr(g->p[i].source, "mem tcp 10.0.0.1:30005>10.0.0.2:4000"));
        strncat(second ? s1 : s0, (const char *)bytes_of(g, i), g->p[i].len);
    }
    assert_string_equal(s0, "abcdefghlate");
    assert_string_equal(s1, "XYZ");
    assert_int_equal(g->st.tcp_dups, 1);
    assert_int_equal(g->st.tcp_gaps, 1);
    got_free(g);
    free(b.p);
}

static void pcapng_sections_and_resolutions(void **state)
{
    (void)state;
    uint8_t l4[64], l3[128], frame[160];
    size_t n4 = udp(l4, 7, 8, "ng", 2);
    size_t n3 = ip4(l3, 17, 1, 2, 0, l4, n4); /* 30 bytes: padded to 32 */
    buf b = {0};
    for (int big = 1; big >= 0; big--) {
        /* a section in each byte order */
        put32(&b, 0x0a0d0d0au, big);
        put32(&b, 28, big);
        put32(&b, 0x1a2b3c4du, big);
        put16(&b, 1, big);
        put16(&b, 0, big);
        put32(&b, 0xffffffffu, big);
        put32(&b, 0xffffffffu, big);
        put32(&b, 28, big);
        /* interface 0: raw IP in ns (base 10), or in 2^-20 s (base 2) */
        put32(&b, 1, big);
        put32(&b, 32, big);
        put16(&b, 101, big);
        put16(&b, 0, big);
        put32(&b, 0, big);
        put16(&b, 9, big);
        put16(&b, 1, big);
        put8(&b, big ? 9 : 0x80 | 20);
        put8(&b, 0), put8(&b, 0), put8(&b, 0);
        put32(&b, 0, big);
        put32(&b, 32, big);
        /* interface 1: radiotap, default µs */
        put32(&b, 1, big);
        put32(&b, 20, big);
        put16(&b, 127, big);
        put16(&b, 0, big);
        put32(&b, 0, big);
        put32(&b, 20, big);
        /* an unknown block, skipped */
        put32(&b, 0x00000bad, big);
        put32(&b, 16, big);
        put32(&b, 0xdeadbeefu, big);
        put32(&b, 16, big);
        /* EPB on interface 0 at 1.5 s */
        uint64_t ts = big ? UINT64_C(1500000000) : (UINT64_C(3) << 19); /* 1.5 s */
        put32(&b, 6, big);
        put32(&b, 32 + 32, big);
        put32(&b, 0, big);
        put32(&b, (uint32_t)(ts >> 32), big);
        put32(&b, (uint32_t)ts, big);
        put32(&b, (uint32_t)n3, big);
        put32(&b, (uint32_t)n3, big);
        memset(frame, 0, 32);
        memcpy(frame, l3, n3);
        put(&b, frame, 32);
        put32(&b, 32 + 32, big);
        /* EPB on interface 1: the radiotap frame whole */
        put32(&b, 6, big);
        put32(&b, 32 + 8, big);
        put32(&b, 1, big);
        put32(&b, 0, big);
        put32(&b, 2000000, big);
        put32(&b, 8, big);
        put32(&b, 8, big);
        put(&b, "\0\0\x08\0radi", 8);
        put32(&b, 32 + 8, big);
        /* SPB (interface 0, no time) */
        put32(&b, 3, big);
        put32(&b, 16 + 32, big);
        put32(&b, (uint32_t)n3, big);
        put(&b, frame, 32);
        put32(&b, 16 + 32, big);
        /* EPB naming an interface that does not exist */
        put32(&b, 6, big);
        put32(&b, 32 + 8, big);
        put32(&b, 9, big);
        put32(&b, 0, big);
        put32(&b, 0, big);
        put32(&b, 8, big);
        put32(&b, 8, big);
        put(&b, "nothing!", 8);
        put32(&b, 32 + 8, big);
    }
    got *g = read_mem(b.p, b.n);
    assert_int_equal(g->fmt, DW_CAPTURE_PCAPNG);
    assert_int_equal(g->linktype, 101);
    assert_int_equal(g->total, 6);
    for (int s = 0; s < 2; s++) {
        const pkt *p = &g->p[3 * s];
        assert_int_equal(p[0].len, 2);
        assert_memory_equal(bytes_of(g, 3 * (size_t)s), "ng", 2);
        assert_true(p[0].rx_us == 1500000);
        assert_int_equal(p[1].linktype, 127);
        assert_int_equal(p[1].len, 8);
        assert_true(p[1].rx_us == 2000000);
        assert_int_equal(p[2].len, 2);
        assert_true(p[2].rx_us == 0);
    }
    assert_int_equal(g->st.malformed, 2);
    assert_int_equal(g->st.records, 8);
    got_free(g);

    /* A block whose trailing length disagrees: reading stops there. */
    b.p[b.n - 1] ^= 1;
    g = read_mem(b.p, b.n);
    assert_int_equal(g->total, 6);
    assert_int_equal(g->st.corrupt, 1);
    got_free(g);
    free(b.p);
}

static void open_errors(void **state)
{
    (void)state;
    dw_capture *c = (dw_capture *)(uintptr_t)1;
    char err[256] = "";
    assert_int_equal(dw_capture_open("/nonexistent/x.pcap", &c, err, sizeof err), DW_ERR_IO);
    assert_true(c == (dw_capture *)(uintptr_t)1); /* untouched on failure */
    assert_non_null(strstr(err, "/nonexistent/x.pcap: "));
    assert_int_equal(dw_capture_open(NULL, &c, err, sizeof err), DW_ERR_INVALID);
    assert_int_equal(dw_capture_open_mem(NULL, 5, "x", &c, NULL, 0), DW_ERR_INVALID);
    assert_string_equal(dw_capture_format_name(DW_CAPTURE_ORADIS), "oradis");
    dw_capture_close(NULL);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(pcap_asterix_udp_ports),
    cmocka_unit_test(pcap_oradis_unwrapped),
    cmocka_unit_test(pcapng_bluetooth_le),
    cmocka_unit_test(agrees_with_libpcap),
    cmocka_unit_test(final_built_from_cat048),
    cmocka_unit_test(oradis_file),
    cmocka_unit_test(raw_file_chunked),
    cmocka_unit_test(truncated_pcap_every_cut),
    cmocka_unit_test(mutated_inputs_never_crash),
    cmocka_unit_test(link_layers_and_counted_skips),
    cmocka_unit_test(tcp_flows_in_order),
    cmocka_unit_test(pcapng_sections_and_resolutions),
    cmocka_unit_test(open_errors),
};

DW_TEST_MAIN("capture", tests)
