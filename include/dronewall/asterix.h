/* asterix.h — EUROCONTROL ASTERIX: data blocks to raw JSON and dw_obs, and back.
 *
 * ASTERIX is what radars (CAT048 plots, CAT034 service messages), ADS-B
 * ground stations (CAT021) and surveillance data processors (CAT062 system
 * tracks, CAT065 service status) send over UDP. A data block is CAT (1
 * octet), LEN (2 octets, big-endian, including these 3) and records; a
 * record is an FSPEC followed by the items it flags, in the order of the
 * category's UAP. Item layouts are not written here: they are tables
 * generated from the asterix-specs definitions (scripts/gen-asterix,
 * src/codecs/asterix_tables.c), for the editions listed in docs/formats.md.
 * The wire carries no edition, so the edition of each category is a setting
 * (default: the newest the tables have).
 *
 * Decoding gives, per record, one raw JSON object with the spec's item and
 * field names and values in the spec's units, and, for target reports and
 * tracks, a dw_obs: CAT048 -> POLAR (alt_m from a validated I090 flight
 * level, else from I110, the height a 3-D radar measured), CAT021 -> POS3,
 * CAT062 -> POS3.
 * Encoding takes such a raw JSON object back to a data block (any category
 * in the tables), a POLAR dw_obs to CAT048 (one record per block, or many
 * with dw_asterix_block_*), and a dw_track to CAT062.
 *
 * This module is also the "asterix" codec of the codec table (codec.h);
 * this header adds what the generic interface does not carry: the raw JSON
 * encoder and the settings.
 *
 * Ownership: a dw_asterix is created by dw_asterix_create and freed by
 * dw_asterix_destroy; it holds all the memory decoding and encoding need,
 * allocated once at creation (nothing is allocated per block or record).
 * One instance must not be used from two threads at once.
 */
#ifndef DRONEWALL_ASTERIX_H
#define DRONEWALL_ASTERIX_H

#include <stddef.h>
#include <stdint.h>

#include "dronewall/codec.h"
#include "dronewall/obs.h"
#include "dronewall/status.h"
#include "dronewall/track.h"

typedef struct dw_asterix dw_asterix;

/* Settings come from cfg->edition, a comma-separated list (cfg and the
 * string may be NULL, and are not kept):
 *   catNNN=X.Y   the edition of category NNN ("cat048=1.30,cat062=1.18");
 *   sac=N,sic=N  the data source written into I010 of what this instance
 *                encodes from tracks (and from observations whose sensor is
 *                not named ASX-SSS-CCC); default 0/1.
 * Other keys are left to the other codecs that share the string.
 * DW_ERR_INVALID for a malformed catNNN, sac or sic value, DW_ERR_NOT_FOUND
 * for an edition the tables do not have, DW_ERR_NOMEM. *out is the caller's
 * to destroy. */
dw_status dw_asterix_create(const dw_codec_config *cfg, dw_asterix **out);
void dw_asterix_destroy(dw_asterix *ax);        /* NULL is fine */

/* The edition in force for category cat ("1.32"), or NULL if the tables do
 * not know the category. Static storage. */
const char *dw_asterix_edition(const dw_asterix *ax, int cat);

/* Decode buf, one or more whole data blocks (a UDP payload, or one frame
 * from the codec's frame()). Records go to the sink as raw JSON and/or
 * dw_obs. An unknown category's block is skipped by its length and counted
 * in stats.unknown; a record whose FSPEC names an item the edition does not
 * define ends its block (stats.unknown), as does a record that is cut short
 * or mis-sized (stats.malformed): there is no record length to resynchronise
 * on. Times of day are placed on the UTC day of meta->rx_us, allowing for
 * midnight between the two; with rx_us 0 (unknown) on 1970-01-01.
 * Returns DW_OK, or DW_ERR_PARSE if nothing of buf could be decoded. */
dw_status dw_asterix_decode(dw_asterix *ax, const uint8_t *buf, size_t len,
                            const dw_frame_meta *meta, dw_decode_sink *sink);

/* One data block from raw JSON: an object as the decoder writes it (keys
 * "cat" and the items "I010", ...; "codec", "len" and "ed" are ignored, "ed"
 * except that it must name an edition the tables have), or an array of such
 * objects of one category (one record each). Fields left out are written
 * as zero, spares always are. DW_OK sets *out_end; DW_ERR_PARSE for
 * malformed JSON or JSON that does not fit the item layouts, DW_ERR_RANGE for
 * a value the field cannot hold, DW_ERR_FULL if [buf, end) is too small. */
dw_status dw_asterix_encode_json(dw_asterix *ax, const char *json, size_t len, uint8_t *buf,
                                 uint8_t *end, uint8_t **out_end);

/* A CAT048 data block of one target report from a POLAR observation:
 * I010 (from a sensor named ASX-SSS-CCC, else the configured source), I140
 * (t_us as time of day, 1/128 s), I020 (TYP 5 Mode S, 2 SSR, 1 PSR), I040
 * (range 1/256 NM, azimuth 360/2^16 degrees), and I070, I220, I240 when the
 * observation has a Mode 3/A code, an ICAO address, a callsign. alt_m goes
 * to I090 (flight level, 1/4 FL) when the plot has an SSR identity (Mode
 * 3/A, ICAO address or callsign: a transponder's Mode C), and to I110
 * (height measured by a 3-D radar, 25 ft) when it has none (a primary
 * radar's own measurement); the decoder reads a validated I090 before
 * I110, so both come back as they went. Elevation,
 * range rate, sigmas and attributes are not carried. Written directly,
 * without text in between, byte for byte what the raw JSON of the record
 * would encode to. DW_ERR_UNSUPPORTED for other kinds, DW_ERR_RANGE when
 * the range, azimuth or height do not fit, DW_ERR_FULL; buf is unchanged
 * on failure. */
dw_status dw_asterix_encode_obs(dw_asterix *ax, const dw_obs *o, uint8_t *buf, uint8_t *end,
                                uint8_t **out_end);

/* A CAT048 data block filled with several target reports: a radar sends a
 * block per sector or scan, not one per plot. The caller owns the struct
 * and the buffer; the members are for reading (start: the block's CAT
 * octet; p: the end of the records so far; records: how many).
 *
 *   dw_asterix_block b;
 *   dw_asterix_block_begin(&b, buf, buf + 1400);      // e.g. one datagram
 *   while (more && dw_asterix_block_add_obs(ax, &b, &o) == DW_OK) ...
 *   dw_asterix_block_finish(&b, &end);                 // [buf, end) to send
 */
typedef struct dw_asterix_block {
    uint8_t *start, *p, *end;
    unsigned records;
} dw_asterix_block;

/* Start an empty CAT048 block at buf; it may grow to end (at most 65,535
 * octets, what LEN can say). DW_ERR_FULL if fewer than 3 octets. */
dw_status dw_asterix_block_begin(dw_asterix_block *b, uint8_t *buf, uint8_t *end);
/* Append one POLAR observation as a record, as dw_asterix_encode_obs
 * writes it; the block's LEN stays current. DW_ERR_FULL when the record
 * does not fit (finish this block and begin another), DW_ERR_RANGE,
 * DW_ERR_UNSUPPORTED; on failure the block is unchanged. */
dw_status dw_asterix_block_add_obs(dw_asterix *ax, dw_asterix_block *b, const dw_obs *o);
/* The end of the finished block: *out_end = b->p, or b->start when it has
 * no records (an empty block is not worth sending). */
dw_status dw_asterix_block_finish(dw_asterix_block *b, uint8_t **out_end);

/* A CAT062 data block of one system track: I010, I040 (track number: the
 * low 16 bits of t->id), I070 (time of t->t_us), I080, I105, I185, I130
 * (geometric altitude from alt_m), I220 (rate of climb), I500 (accuracies
 * from the covariances) and I380 (address, callsign) when known. now_us is
 * not used: the track's own time is what CAT062 carries. DW_ERR_FULL. */
dw_status dw_asterix_encode_track(dw_asterix *ax, const dw_track *t, int64_t now_us, uint8_t *buf,
                                  uint8_t *end, uint8_t **out_end);

/* The sensor id of a data source: "ASX-025-201" for SAC 25, SIC 201.
 * buf must hold 12 bytes. */
void dw_asterix_sensor_name(char *buf, unsigned sac, unsigned sic);

#endif
