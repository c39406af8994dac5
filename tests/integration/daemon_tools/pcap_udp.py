"""pcap_udp.py — the UDP payloads of a classic pcap file (Ethernet, Linux cooked, raw IP or
BSD loopback links; IPv4 only; fragments are skipped), for the senders."""
import struct


def udp_payloads(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        raise ValueError("%s: not a classic pcap file" % path)
    link = struct.unpack(e + "I", data[20:24])[0]
    off = 24
    out = []
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(e + "IIII", data[off:off + 16])
        pkt = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if link == 1:                       # Ethernet, maybe VLAN-tagged
            et = struct.unpack(">H", pkt[12:14])[0]
            ip = pkt[14:]
            while et == 0x8100 and len(ip) >= 4:
                et = struct.unpack(">H", ip[2:4])[0]
                ip = ip[4:]
            if et != 0x0800:
                continue
        elif link == 113:                   # Linux cooked
            if struct.unpack(">H", pkt[14:16])[0] != 0x0800:
                continue
            ip = pkt[16:]
        elif link in (101, 228, 12, 14):    # raw IPv4
            ip = pkt
        elif link == 0:                     # BSD loopback
            ip = pkt[4:]
        else:
            raise ValueError("%s: link type %d" % (path, link))
        if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 17:
            continue
        flags_frag = struct.unpack(">H", ip[6:8])[0]
        if flags_frag & 0x3FFF:             # a fragment
            continue
        ihl = (ip[0] & 15) * 4
        total = struct.unpack(">H", ip[2:4])[0]
        udp = ip[ihl:total]
        if len(udp) < 8:
            continue
        ulen = struct.unpack(">H", udp[4:6])[0]
        out.append(bytes(udp[8:ulen]))
    return out
