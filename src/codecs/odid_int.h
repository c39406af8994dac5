/* odid_int.h — byte helpers shared by the Remote ID files (odid.c,
 * odid_link.c, odid_obs.c, codec_remoteid.c). Everything on the air in Open
 * Drone ID, 802.11 and Bluetooth LE is little-endian.
 */
#ifndef DW_CODECS_ODID_INT_H
#define DW_CODECS_ODID_INT_H

#include <stddef.h>
#include <stdint.h>

static inline uint16_t dw__le16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }

static inline uint32_t dw__le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline void dw__put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void dw__put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* The Bluetooth LE CRC-24 of a PDU (header and payload) as it appears after
 * the PDU on the air (3 bytes, little-endian as captured). `init` is
 * 0x555555 on the advertising channels. */
uint32_t dw__ble_crc24(const uint8_t *pdu, size_t len, uint32_t init);

#define DW__BLE_ADV_AA 0x8E89BED6u
#define DW__BLE_ADV_CRC_INIT 0x555555u

#endif
