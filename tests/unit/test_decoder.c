/* test_decoder.c — the driver between packets and codecs, proved with two
 * tiny codecs defined here (and registered nowhere): "fake" frames are
 * 'A' 'B' LEN PAYLOAD[LEN], "other" frames 'C' 'D' LEN PAYLOAD[LEN]. A
 * payload starting with '!' is malformed, with '?' unknown, with 'F' counted
 * by the codec itself (the driver must not count it again).
 *
 * What is proved: a stream cut at any boundary decodes to the same records;
 * garbage between frames is counted byte for byte; a datagram is framed
 * within itself; each source gets its own detected codec and state; memory
 * stays bounded (the stream buffer overflows into a count, not an
 * allocation), and a codec that breaks its contract cannot hang the driver.
 */
#include "harness.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dronewall/decoder.h"
#include "dronewall/jsonw.h"

/* ---- the fake codecs ---------------------------------------------------- */

typedef struct fake_state {
    char tag;                   /* 'A' or 'C' */
    int frames;
} fake_state;

static int n_states;            /* live codec states */

static int detect_tag(const uint8_t *b, size_t n, char tag)
{
    return n >= 3 && b[0] == (uint8_t)tag && b[1] == (uint8_t)(tag + 1) ? 90 : 0;
}
static int fake_detect(const uint8_t *b, size_t n, const dw_frame_meta *m)
{
    (void)m;
    return detect_tag(b, n, 'A');
}
static int other_detect(const uint8_t *b, size_t n, const dw_frame_meta *m)
{
    (void)m;
    return detect_tag(b, n, 'C');
}

static dw_status frame_tag(const uint8_t *b, size_t n, size_t *skip, size_t *flen, char tag)
{
    size_t i = 0;
    while (i < n && !(b[i] == (uint8_t)tag && (i + 1 == n || b[i + 1] == (uint8_t)(tag + 1))))
        i++;
    *skip = i;
    if (n - i < 3)
        return DW_ERR_EOF;
    size_t len = 3 + (size_t)b[i + 2];
    if (n - i < len)
        return DW_ERR_EOF;
    *flen = len;
    return DW_OK;
}
static dw_status fake_frame(const uint8_t *b, size_t n, size_t *skip, size_t *flen)
{
    return frame_tag(b, n, skip, flen, 'A');
}
static dw_status other_frame(const uint8_t *b, size_t n, size_t *skip, size_t *flen)
{
    return frame_tag(b, n, skip, flen, 'C');
}

static dw_status create_tag(void **state, char tag)
{
    fake_state *s = calloc(1, sizeof *s);
    if (!s)
        return DW_ERR_NOMEM;
    s->tag = tag;
    n_states++;
    *state = s;
    return DW_OK;
}
static dw_status fake_create(const dw_codec_config *cfg, void **state)
{
    (void)cfg;
    return create_tag(state, 'A');
}
static dw_status other_create(const dw_codec_config *cfg, void **state)
{
    (void)cfg;
    return create_tag(state, 'C');
}
static void fake_destroy(void *state)
{
    free(state);
    n_states--;
}

static dw_status fake_decode(void *state, const uint8_t *f, size_t n, const dw_frame_meta *meta,
                             dw_decode_sink *sink)
{
    fake_state *s = state;
    const uint8_t *pl = f + 3;
    size_t pn = n - 3;
    if (pn && pl[0] == '!')
        return DW_ERR_PARSE;
    s->frames++;
    if (pn && pl[0] == '?') {
        sink->stats.unknown++;
        return DW_OK;
    }
    if (pn && pl[0] == 'F')
        sink->stats.frames++;
    sink->stats.records++;
    if (sink->want_raw) {
        char buf[512];
        dw_jw w;
        dw_jw_init(&w, buf, sizeof buf);
        dw_jw_obj(&w);
        dw_jw_kstr(&w, "codec", s->tag == 'A' ? "fake" : "other");
        dw_jw_kint(&w, "port", meta->dst_port);
        dw_jw_key(&w, "p");
        dw_jw_strn(&w, (const char *)pl, pn);
        dw_jw_obj_end(&w);
        sink->raw(sink->ctx, buf, dw_jw_len(&w));
    }
    return DW_OK;
}

static const dw_codec_ops fake = {
    .name = "fake", .summary = "AB LEN PAYLOAD", .detect = fake_detect, .frame = fake_frame,
    .create = fake_create, .destroy = fake_destroy, .decode = fake_decode};
static const dw_codec_ops other = {
    .name = "other", .summary = "CD LEN PAYLOAD", .detect = other_detect, .frame = other_frame,
    .create = other_create, .destroy = fake_destroy, .decode = fake_decode};
static const dw_codec_ops *const both[] = {&fake, &other, NULL};

/* ---- a sink that keeps what it is given --------------------------------- */

typedef struct kept {
    char text[1 << 16];
    size_t len;
    int n;
} kept;

static void keep_raw(void *ctx, const char *json, size_t len)
{
    kept *k = ctx;
    assert_true(k->len + len + 1 < sizeof k->text);
    memcpy(k->text + k->len, json, len);
    k->len += len;
    k->text[k->len++] = '\n';
    k->text[k->len] = '\0';
    k->n++;
}

static dw_decode_sink make_sink(kept *k)
{
    memset(k, 0, sizeof *k);
    dw_decode_sink s = {0};
    s.raw = keep_raw;
    s.ctx = k;
    s.want_raw = 1;
    return s;
}

static dw_frame_meta stream_meta(void)
{
    dw_frame_meta m = {0};
    m.linktype = DW_LINK_STREAM;
    m.source = "test";
    return m;
}

/* A stream of `frames` frames with garbage before, between and after. */
typedef struct built {
    uint8_t b[8192];
    size_t n;
    size_t garbage;
    size_t frames;
} built;

static void add(built *s, const void *d, size_t n)
{
    assert_true(s->n + n <= sizeof s->b);
    memcpy(s->b + s->n, d, n);
    s->n += n;
}

static void add_frame(built *s, char tag, const char *payload)
{
    uint8_t h[3] = {(uint8_t)tag, (uint8_t)(tag + 1), (uint8_t)strlen(payload)};
    add(s, h, 3);
    add(s, payload, strlen(payload));
    s->frames++;
}

static void add_garbage(built *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t g = (uint8_t)('a' + (s->n + i) % 26); /* never 'A' */
        add(s, &g, 1);
    }
    s->garbage += n;
}

static void build_stream(built *s)
{
    memset(s, 0, sizeof *s);
    add_garbage(s, 5);
    for (int i = 0; i < 60; i++) {
        char p[64];
        snprintf(p, sizeof p, "frame %d %.*s", i, i % 40, "0123456789012345678901234567890123456789");
        add_frame(s, 'A', p);
        if (i % 7 == 3)
            add_garbage(s, (size_t)(i % 5) + 1);
    }
    add_frame(s, 'A', ""); /* an empty payload is a frame too */
}

/* ---- tests -------------------------------------------------------------- */

static void stream_any_chunking(void **state)
{
    (void)state;
    built s;
    build_stream(&s);
    /* the reference: the whole stream in one piece */
    static kept ref, got;
    dw_decode_sink rs = make_sink(&ref);
    dw_decoder *d;
    dw_frame_meta m = stream_meta();
    assert_int_equal(dw_decoder_create(&fake, NULL, &rs, &d), DW_OK);
    assert_int_equal(dw_decoder_feed(d, s.b, s.n, &m), DW_OK);
    assert_int_equal(dw_decoder_finish(d), DW_OK);
    dw_decoder_destroy(d);
    assert_int_equal(ref.n, (int)s.frames);
    assert_int_equal(rs.stats.frames, s.frames);
    assert_int_equal(rs.stats.records, s.frames);
    assert_int_equal(rs.stats.skipped_bytes, s.garbage);
    assert_non_null(strstr(ref.text, "{\"codec\":\"fake\",\"port\":0,\"p\":\"frame 0 \"}\n"));

    /* every fixed chunk size, and random ones: the same records and counts */
    uint32_t x = 7;
    for (size_t chunk = 0; chunk <= 70; chunk++) {
        dw_decode_sink gs = make_sink(&got);
        assert_int_equal(dw_decoder_create(&fake, NULL, &gs, &d), DW_OK);
        for (size_t off = 0; off < s.n;) {
            size_t n;
            if (chunk) {
                n = chunk;
            } else {
                x = x * 1664525u + 1013904223u;
                n = 1 + (x >> 16) % 97;
            }
            if (n > s.n - off)
                n = s.n - off;
            assert_int_equal(dw_decoder_feed(d, s.b + off, n, &m), DW_OK);
            off += n;
        }
        dw_decoder_finish(d);
        dw_decoder_stats ds;
        dw_decoder_get_stats(d, &ds);
        assert_int_equal(ds.sources, 1);
        assert_int_equal(ds.overflows, 0);
        assert_int_equal(ds.codec_errors, 0);
        dw_decoder_destroy(d);
        assert_int_equal(got.n, ref.n);
        assert_string_equal(got.text, ref.text);
        assert_int_equal(gs.stats.skipped_bytes, s.garbage);
        assert_int_equal(gs.stats.frames, s.frames);
    }
    assert_int_equal(n_states, 0);
}

static void garbage_and_counting(void **state)
{
    (void)state;
    static kept k;
    dw_decode_sink sink = make_sink(&k);
    dw_decoder *d;
    dw_frame_meta m = stream_meta();
    assert_int_equal(dw_decoder_create(&fake, NULL, &sink, &d), DW_OK);
    built s;
    memset(&s, 0, sizeof s);
    add_garbage(&s, 11);
    add_frame(&s, 'A', "ok");
    add_frame(&s, 'A', "!bad");        /* malformed: the driver counts it */
    add_frame(&s, 'A', "?what");       /* unknown: the codec counts it */
    add_frame(&s, 'A', "Framed");      /* the codec counts the frame itself */
    add_garbage(&s, 3);
    uint8_t cut[] = {'A', 'B', 9, 'x'}; /* a frame the stream ends inside */
    add(&s, cut, sizeof cut);
    dw_decoder_feed(d, s.b, s.n, &m);
    assert_int_equal(sink.stats.skipped_bytes, 14); /* the tail waits for more */
    dw_decoder_finish(d);
    assert_int_equal(sink.stats.skipped_bytes, 14 + sizeof cut);
    assert_int_equal(sink.stats.frames, 3);    /* ok, ?what, Framed: each once */
    assert_int_equal(sink.stats.malformed, 1);
    assert_int_equal(sink.stats.unknown, 1);
    assert_int_equal(sink.stats.records, 2);
    assert_int_equal(k.n, 2);
    dw_decoder_destroy(d);
}

static void datagram_framing(void **state)
{
    (void)state;
    static kept k;
    dw_decode_sink sink = make_sink(&k);
    dw_decoder *d;
    assert_int_equal(dw_decoder_create(&fake, NULL, &sink, &d), DW_OK);
    built s;
    memset(&s, 0, sizeof s);
    add_frame(&s, 'A', "one");
    add_frame(&s, 'A', "two");
    add_garbage(&s, 2);
    add_frame(&s, 'A', "three");
    uint8_t cut[] = {'A', 'B', 50, 'x', 'y'}; /* cut by the datagram's end */
    add(&s, cut, sizeof cut);
    dw_frame_meta m = {0};
    m.linktype = DW_LINK_DATAGRAM;
    m.src_port = 1000;
    m.dst_port = 2000;
    m.source = "udp";
    dw_decoder_feed(d, s.b, s.n, &m);
    /* nothing is kept from a datagram: the counts are final at once */
    assert_int_equal(sink.stats.frames, 3);
    assert_int_equal(sink.stats.skipped_bytes, 2 + sizeof cut);
    assert_string_equal(k.text, "{\"codec\":\"fake\",\"port\":2000,\"p\":\"one\"}\n"
                                "{\"codec\":\"fake\",\"port\":2000,\"p\":\"two\"}\n"
                                "{\"codec\":\"fake\",\"port\":2000,\"p\":\"three\"}\n");
    /* the next datagram starts clean: no carry-over from the cut */
    dw_decoder_feed(d, (const uint8_t *)"AB\x02hi", 5, &m);
    assert_int_equal(sink.stats.frames, 4);
    dw_decoder_finish(d);
    assert_int_equal(sink.stats.skipped_bytes, 2 + sizeof cut);

    /* a link-layer frame is one frame, whatever frame() would say of it */
    m.linktype = DW_LINK_BLUETOOTH_LE_LL;
    m.src_port = m.dst_port = 0;
    k.len = 0;
    dw_decoder_feed(d, (const uint8_t *)"AB\x02hi, and a trailer", 20, &m);
    assert_int_equal(sink.stats.frames, 5);
    assert_string_equal(k.text, "{\"codec\":\"fake\",\"port\":0,\"p\":\"hi, and a trailer\"}\n");
    dw_decoder_destroy(d);
}

static void detection_per_source(void **state)
{
    (void)state;
    static kept k;
    dw_decode_sink sink = make_sink(&k);
    dw_decoder *d;
    assert_int_equal(dw_decoder_create(NULL, NULL, &sink, &d), DW_OK);
    assert_int_equal(dw_decoder_set_candidates(d, both), DW_OK);
    dw_frame_meta m = {0};
    m.linktype = DW_LINK_DATAGRAM;
    m.source = "cap";
    m.dst_port = 1;
    dw_decoder_feed(d, (const uint8_t *)"AB\x01x", 4, &m);
    m.dst_port = 2;
    dw_decoder_feed(d, (const uint8_t *)"CD\x01y", 4, &m);
    m.dst_port = 3;
    dw_decoder_feed(d, (const uint8_t *)"noise", 5, &m);     /* nothing matches yet */
    dw_decoder_feed(d, (const uint8_t *)"CD\x01z", 4, &m);   /* tried again: other */
    m.dst_port = 1;
    dw_decoder_feed(d, (const uint8_t *)"CD\x01w", 4, &m);   /* port 1 is fake's now */
    assert_string_equal(k.text, "{\"codec\":\"fake\",\"port\":1,\"p\":\"x\"}\n"
                                "{\"codec\":\"other\",\"port\":2,\"p\":\"y\"}\n"
                                "{\"codec\":\"other\",\"port\":3,\"p\":\"z\"}\n");
    assert_int_equal(sink.stats.skipped_bytes, 5 + 4);
    assert_int_equal(n_states, 3); /* one state per source */
    assert_true(dw_decoder_codec(d) == &fake);
    dw_decoder_stats ds;
    dw_decoder_get_stats(d, &ds);
    assert_int_equal(ds.sources, 3);
    assert_int_equal(ds.undetected_bytes, 5);

    /* a stream found after leading garbage (a capture joined mid-frame),
     * kept apart from the datagrams of the same name */
    built s;
    memset(&s, 0, sizeof s);
    add_garbage(&s, 300);
    for (int i = 0; i < 200; i++)
        add_frame(&s, 'C', "stream frame");
    dw_frame_meta sm = stream_meta();
    sm.source = "cap";
    for (size_t off = 0; off < s.n; off += 100)
        dw_decoder_feed(d, s.b + off, s.n - off < 100 ? s.n - off : 100, &sm);
    dw_decoder_finish(d);
    assert_int_equal(sink.stats.skipped_bytes, 9 + 300);
    assert_int_equal(sink.stats.frames, 3 + 200);
    dw_decoder_get_stats(d, &ds);
    assert_int_equal(ds.undetected_bytes, 5 + 300);
    dw_decoder_destroy(d);
    assert_int_equal(n_states, 0);

    /* a stream nothing recognises: all of it skipped, none of it decoded */
    memset(&sink.stats, 0, sizeof sink.stats);
    assert_int_equal(dw_decoder_create(NULL, NULL, &sink, &d), DW_OK);
    dw_decoder_set_candidates(d, both);
    memset(&s, 0, sizeof s);
    add_garbage(&s, 5000);
    dw_decoder_feed(d, s.b, s.n, &sm);
    dw_decoder_finish(d);
    assert_int_equal(sink.stats.skipped_bytes, 5000);
    assert_null(dw_decoder_codec(d));
    dw_decoder_destroy(d);
}

static void bounded_memory(void **state)
{
    (void)state;
    static kept k;
    dw_decode_sink sink = make_sink(&k);
    sink.want_raw = 0;
    dw_decoder *d;
    dw_frame_meta m = stream_meta();
    assert_int_equal(dw_decoder_create(&fake, NULL, &sink, &d), DW_OK);
    assert_int_equal(dw_decoder_set_limits(d, 64, 2), DW_OK);
    /* a frame longer than the buffer: dropped and counted, then in step again */
    built s;
    memset(&s, 0, sizeof s);
    add_frame(&s, 'A', "small");
    char big[201];
    memset(big, 'z', 200);
    big[200] = '\0';
    add_frame(&s, 'A', big);
    add_frame(&s, 'A', "after");
    for (size_t off = 0; off < s.n; off += 10)
        dw_decoder_feed(d, s.b + off, s.n - off < 10 ? s.n - off : 10, &m);
    dw_decoder_finish(d);
    dw_decoder_stats ds;
    dw_decoder_get_stats(d, &ds);
    assert_true(ds.overflows >= 1);
    assert_int_equal(sink.stats.frames, 2);      /* small and after */
    assert_int_equal(sink.stats.skipped_bytes, 3 + 200);
    assert_int_equal(dw_decoder_set_limits(d, 128, 0), DW_ERR_INVALID); /* too late */

    /* more sources than room: the oldest is flushed and forgotten */
    dw_frame_meta a = stream_meta(), b = stream_meta(), c = stream_meta();
    a.source = "a", b.source = "b", c.source = "c";
    dw_decoder_feed(d, (const uint8_t *)"AB\x03x", 4, &a);   /* waits for 2 more */
    dw_decoder_feed(d, (const uint8_t *)"AB\x01y", 4, &b);
    dw_decoder_feed(d, (const uint8_t *)"AB\x01z", 4, &c);
    dw_decoder_get_stats(d, &ds);
    assert_true(ds.evicted >= 1);
    assert_int_equal(n_states, 2);
    dw_decoder_destroy(d);
    assert_int_equal(n_states, 0);

#if !defined(__SANITIZE_ADDRESS__)
    /* Nothing is allocated per frame: after the first feed the heap in use
     * does not move, however many frames follow (glibc's own count). */
    memset(&sink.stats, 0, sizeof sink.stats);
    assert_int_equal(dw_decoder_create(&fake, NULL, &sink, &d), DW_OK);
    build_stream(&s);
    dw_decoder_feed(d, s.b, 7, &m);
    dw_decoder_feed(d, s.b + 7, s.n - 7, &m);
    struct mallinfo2 before = mallinfo2();
    for (int r = 0; r < 200; r++)
        for (size_t off = 0; off < s.n; off += 33)
            dw_decoder_feed(d, s.b + off, s.n - off < 33 ? s.n - off : 33, &m);
    struct mallinfo2 after = mallinfo2();
    assert_int_equal(after.uordblks, before.uordblks);
    assert_int_equal(sink.stats.frames, 201 * s.frames);
    dw_decoder_destroy(d);
#endif
}

/* Codecs that break the frame() contract: the driver counts and moves on. */
static dw_status stuck_frame(const uint8_t *b, size_t n, size_t *skip, size_t *flen)
{
    (void)b;
    *skip = 0;
    *flen = n + 10; /* more than there is */
    return DW_OK;
}
static dw_status idle_frame(const uint8_t *b, size_t n, size_t *skip, size_t *flen)
{
    (void)b;
    (void)n;
    *skip = 0;
    *flen = 0; /* no progress */
    return DW_OK;
}

static void broken_codecs_cannot_hang(void **state)
{
    (void)state;
    dw_codec_ops stuck = fake, idle = fake;
    stuck.frame = stuck_frame;
    idle.frame = idle_frame;
    const dw_codec_ops *const codecs[] = {&stuck, &idle};
    for (int i = 0; i < 2; i++) {
        static kept k;
        dw_decode_sink sink = make_sink(&k);
        dw_decoder *d;
        assert_int_equal(dw_decoder_create(codecs[i], NULL, &sink, &d), DW_OK);
        dw_frame_meta m = stream_meta();
        dw_decoder_feed(d, (const uint8_t *)"AB\x01xAB\x01y", 8, &m);
        m.linktype = DW_LINK_DATAGRAM;
        dw_decoder_feed(d, (const uint8_t *)"AB\x01xAB\x01y", 8, &m);
        dw_decoder_finish(d);
        dw_decoder_stats ds;
        dw_decoder_get_stats(d, &ds);
        assert_true(ds.codec_errors > 0);
        assert_int_equal(sink.stats.frames, 0);
        assert_int_equal(sink.stats.skipped_bytes, 16);
        dw_decoder_destroy(d);
    }
    /* and bad arguments are refused */
    dw_decoder *d = (dw_decoder *)(uintptr_t)1;
    assert_int_equal(dw_decoder_create(&fake, NULL, NULL, &d), DW_ERR_INVALID);
    assert_true(d == (dw_decoder *)(uintptr_t)1);
    assert_int_equal(dw_decoder_feed(NULL, NULL, 0, NULL), DW_ERR_INVALID);
    dw_decoder_destroy(NULL);
}

static void config_is_copied(void **state)
{
    (void)state;
    static kept k;
    dw_decode_sink sink = make_sink(&k);
    char edition[] = "cat048=1.32";
    dw_codec_config cfg = {0};
    cfg.edition = edition;
    dw_decoder *d;
    assert_int_equal(dw_decoder_create(&fake, &cfg, &sink, &d), DW_OK);
    memset(edition, 'x', sizeof edition - 1); /* the caller's copy may change */
    dw_frame_meta m = stream_meta();
    dw_decoder_feed(d, (const uint8_t *)"AB\x01x", 4, &m);
    assert_int_equal(sink.stats.frames, 1);
    dw_decoder_destroy(d);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(stream_any_chunking),
    cmocka_unit_test(garbage_and_counting),
    cmocka_unit_test(datagram_framing),
    cmocka_unit_test(detection_per_source),
    cmocka_unit_test(bounded_memory),
    cmocka_unit_test(broken_codecs_cannot_hang),
    cmocka_unit_test(config_is_copied),
};

DW_TEST_MAIN("decoder", tests)
