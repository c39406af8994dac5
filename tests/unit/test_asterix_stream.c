/* A raw ASTERIX stream with junk in it: the framer loses the block the
 * junk hits and nothing else, whatever the chunking of the reads. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

#include "dronewall/capture.h"
#include "dronewall/codec.h"
#include "dronewall/decoder.h"

static void count_raw(void *ctx, const char *json, size_t len)
{
    (void)json;
    (void)len;
    (*(size_t *)ctx)++;
}

/* The UDP payloads of the shared capture, concatenated: 120 blocks. */
static uint8_t *payloads(size_t *n_out)
{
    char err[256];
    dw_capture *c = NULL;
    assert_int_equal(dw_capture_open(dw_test_shared("data/asterix/croatiacontrol/cat_034_048.pcap"), &c,
                                     err, sizeof err), DW_OK);
    uint8_t *buf = malloc(1 << 20);
    size_t n = 0;
    const uint8_t *d;
    size_t len;
    dw_frame_meta m;
    while (dw_capture_next(c, &d, &len, &m) == DW_OK) {
        memcpy(buf + n, d, len);
        n += len;
    }
    dw_capture_close(c);
    *n_out = n;
    return buf;
}

static size_t decode(const uint8_t *p, size_t n, size_t chunk, dw_decode_stats *st)
{
    size_t records = 0;
    dw_decode_sink sink;
    memset(&sink, 0, sizeof sink);
    sink.raw = count_raw;
    sink.ctx = &records;
    sink.want_raw = 1;
    dw_codec_config cfg;
    memset(&cfg, 0, sizeof cfg);
    dw_decoder *d = NULL;
    assert_int_equal(dw_decoder_create(dw_codec_find("asterix"), &cfg, &sink, &d), DW_OK);
    dw_frame_meta m;
    memset(&m, 0, sizeof m);
    m.linktype = DW_LINK_STREAM;
    m.source = "test";
    for (size_t off = 0; off < n; off += chunk)
        dw_decoder_feed(d, p + off, n - off < chunk ? n - off : chunk, &m);
    dw_decoder_finish(d);
    dw_decoder_destroy(d);
    *st = sink.stats;
    return records;
}

static void junk_costs_one_block(void **state)
{
    (void)state;
    size_t n1;
    uint8_t *one = payloads(&n1);
    /* three copies, three junk bytes (an unknown category with a long
     * length) in the middle of the stream, at a block boundary */
    size_t cut = 0;
    for (size_t off = 0; off + 3 <= n1 && off < n1 / 2;) {
        size_t blen = (size_t)one[off + 1] << 8 | one[off + 2];
        off += blen;
        cut = off;
    }
    uint8_t *buf = malloc(3 * n1 + 3);
    size_t n = 0;
    memcpy(buf, one, n1);
    n += n1;
    memcpy(buf + n, one, cut);
    n += cut;
    const uint8_t junk[3] = {0x55, 0x66, 0x77};
    memcpy(buf + n, junk, 3);
    n += 3;
    memcpy(buf + n, one + cut, n1 - cut);
    n += n1 - cut;
    memcpy(buf + n, one, n1);
    n += n1;
    static const size_t chunks[] = {1 << 16, 4096, 1000, 37};
    for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        dw_decode_stats st;
        size_t clean = decode(one, n1, chunks[i], &st);
        assert_int_equal(clean, 162);
        size_t got = decode(buf, n, chunks[i], &st);
        print_message("chunk %zu: %zu of %d records, %llu bytes skipped\n", chunks[i], got, 3 * 162,
                      (unsigned long long)st.skipped_bytes);
        /* the junk lands between blocks: at most one block (3 records) is lost */
        assert_true(got >= 3 * 162 - 3);
        assert_true(st.skipped_bytes <= 16);
    }
    free(buf);
    free(one);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(junk_costs_one_block),
};

DW_TEST_MAIN("asterix_stream", tests)
