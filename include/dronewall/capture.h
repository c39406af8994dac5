/* capture.h — recordings in, packets out: the container layer under every codec.
 *
 * A capture turns a file (or bytes in memory, for fuzzing) into the packets
 * a codec reads, whatever it was recorded in. The container is found by
 * content, never by the file name:
 *
 *   pcap, pcapng  link-layer records; Ethernet (with VLAN tags), Linux cooked
 *                 (SLL, SLL2), BSD loopback and raw IPv4/IPv6 are taken apart
 *                 down to the UDP payload (DW_LINK_DATAGRAM) or, for TCP, the
 *                 bytes of each flow in sequence order (DW_LINK_STREAM, one
 *                 `source` string per flow); 802.11, radiotap and Bluetooth
 *                 frames are handed over whole with their link type.
 *   FINAL         EUROCONTROL's ASTERIX recording format: per data block an
 *                 8-byte header (byte count incl. header and trailer, board,
 *                 line, day, 24-bit time of day in 10 ms) and an A5A5A5A5
 *                 trailer; each block is one DW_LINK_DATAGRAM.
 *   ORADIS        ASTERIX blocks behind a 6-byte header with a 2-byte length;
 *                 unwrapped as files and as UDP payloads inside pcap.
 *   anything else a raw byte stream (DW_LINK_STREAM) read in chunks.
 *
 * Bad input is never fatal: IP fragments, packets captured shorter than they
 * were sent, unknown link types and protocols, malformed headers are counted
 * in dw_capture_stats and skipped; a file cut short ends the capture at the
 * cut; a record header that makes no sense ends it there. Only failing to
 * open or read the file is an error.
 *
 * The pcap and pcapng readers are our own (a few hundred lines of well
 * documented formats) rather than libpcap's: they read memory and pipes
 * alike with no fmemopen, take a link type per pcapng interface (libpcap
 * refuses a second one), allocate nothing per packet, and carry the
 * fuzzer's coverage instrumentation, which a prebuilt libpcap does not.
 * libpcap is the oracle they are tested against (tests/unit/test_capture.c).
 *
 * Ownership: the capture owns its read buffer and flow table; the bytes and
 * strings dw_capture_next hands out are the capture's and stay valid until
 * the next call on it. Memory given to dw_capture_open_mem is borrowed and
 * must outlive the capture; a FILE given to dw_capture_open_fp is read, never
 * closed. Nothing here reads the clock: times come from the recording.
 */
#ifndef DRONEWALL_CAPTURE_H
#define DRONEWALL_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dronewall/codec.h"
#include "dronewall/status.h"

/* Link types handed over whole (pcap LINKTYPE_* values), besides those in
 * codec.h; the Remote ID captures are Nordic BLE sniffer frames. */
enum {
    DW_LINK_PRISM = 119,
    DW_LINK_AVS = 163,
    DW_LINK_BLUETOOTH_HCI_H4 = 187,
    DW_LINK_PPI = 192,
    DW_LINK_BLUETOOTH_HCI_H4_WITH_PHDR = 201,
    DW_RID_LINK_NORDIC_BLE = 272,
};

/* Bytes of a raw stream per dw_capture_next. */
#define DW_CAPTURE_CHUNK (64u * 1024u)
/* The largest pcap record or pcapng packet block read; a longer record
 * header is taken for corruption (libpcap allows 256 KiB). */
#define DW_CAPTURE_MAX_RECORD (1u << 20)
/* TCP flows followed at once; the least recently seen is forgotten. */
#define DW_CAPTURE_MAX_FLOWS 64

typedef enum dw_capture_format {
    DW_CAPTURE_RAW,
    DW_CAPTURE_PCAP,
    DW_CAPTURE_PCAPNG,
    DW_CAPTURE_FINAL,
    DW_CAPTURE_ORADIS,
} dw_capture_format;

typedef struct dw_capture_stats {
    uint64_t records;       /* container records read: packets, blocks, chunks */
    uint64_t delivered;     /* payloads handed out by dw_capture_next           */
    uint64_t bytes;         /* bytes handed out                                 */
    uint64_t truncated;     /* packets captured shorter than sent (caplen < len) */
    uint64_t ip_fragments;  /* IPv4/IPv6 fragments (not reassembled)            */
    uint64_t unknown_link;  /* link types, ethertypes, IP protocols not taken   */
    uint64_t malformed;     /* link/IP/UDP/TCP or FINAL/ORADIS headers that do
                               not parse                                       */
    uint64_t unwrapped;     /* FINAL/ORADIS records unwrapped                   */
    uint64_t skipped_bytes; /* FINAL/ORADIS bytes skipped to find the next record */
    uint64_t tcp_gaps;      /* TCP segments after a hole (lost or reordered)    */
    uint64_t tcp_dups;      /* TCP segments already delivered (retransmissions) */
    uint64_t flows_evicted; /* TCP flows forgotten for room                     */
    int truncated_file;     /* the input ended inside a record                  */
    int corrupt;            /* a record header made no sense; reading stopped   */
} dw_capture_stats;

typedef struct dw_capture dw_capture;

/* Open a file and find its container. On failure *out is untouched and err
 * (when not NULL) holds "PATH: reason". DW_ERR_IO if it cannot be opened or
 * read, DW_ERR_NOMEM, DW_ERR_INVALID without path or out. */
dw_status dw_capture_open(const char *path, dw_capture **out, char *err, size_t errlen);

/* The same over an open FILE (stdin, a pipe: no seeking needed); `name`
 * (copied; NULL gives "-") is the meta->source of what is read. The FILE is
 * never closed by the capture. */
dw_status dw_capture_open_fp(FILE *f, const char *name, dw_capture **out, char *err,
                             size_t errlen);

/* The same over len bytes at data, which are borrowed, not copied, and must
 * stay valid and unchanged until dw_capture_close. */
dw_status dw_capture_open_mem(const uint8_t *data, size_t len, const char *name,
                              dw_capture **out, char *err, size_t errlen);

/* The next packet: DW_OK with its bytes in *data and *len (never empty:
 * empty UDP payloads are skipped) and *meta filled in
 * (rx_us from the recording, 0 where it has none; linktype; ports; source);
 * DW_ERR_EOF at the end (again on every later call); DW_ERR_IO if reading
 * failed. The bytes and meta->source stay valid until the next call. */
dw_status dw_capture_next(dw_capture *c, const uint8_t **data, size_t *len, dw_frame_meta *meta);

dw_capture_format dw_capture_get_format(const dw_capture *c);
/* "pcap", "pcapng", "final", "oradis", "raw"; never NULL. */
const char *dw_capture_format_name(dw_capture_format f);
/* The link type of a pcap file or of the first pcapng interface; -1
 * for the other formats. */
int dw_capture_linktype(const dw_capture *c);
void dw_capture_get_stats(const dw_capture *c, dw_capture_stats *out);

/* Frees the capture (NULL is fine), closing the file dw_capture_open opened. */
void dw_capture_close(dw_capture *c);

/* True if buf[0..len) is exactly a sequence of ASTERIX data blocks (CAT,
 * 16-bit LEN counting its own 3 octets). Used to recognise FINAL and ORADIS
 * contents; exposed for the tests and the bench. */
int dw_capture_is_asterix_blocks(const uint8_t *buf, size_t len);

#endif
