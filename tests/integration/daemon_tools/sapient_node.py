#!/usr/bin/env python3
"""sapient_node.py HOST:PORT ACTION... : a SAPIENT node (BSI Flex 335 v2.0) talking to the
daemon's sapient_tcp server. Messages are protobuf, hand-written here with the standard
library, each framed as the codec reads them: a 4-byte little-endian length, then the
SapientMessage (src/codecs/codec_sapient.c). Actions, sent in order on one connection:

  reg             a registration (a radar node whose detections are WGS-84 locations)
  det:N           N detection reports, a drone flying east from 51.50 N 23.00 E, now-timed
  junk:N          N random bytes (no frame in them)
  badutf8         a detection report that frames like any other but whose id string, past
                  the 512 bytes the framer checks, is not UTF-8: refused by the decoder
  badproto        the same with a location sub-message that is not protobuf
  magnetic        a detection by range/bearing from magnetic north (no observation)
  big:N           a frame that claims and carries N bytes (a detection padded with
                  additional_information), larger than the input's max_frame
  sleep:S         wait S seconds

Prints {"sent": {action: frames}, "bytes": B, "open": true|false} at the end: "open" says
whether the daemon kept the connection after the last action (it is then closed)."""
import json
import random
import socket
import struct
import sys
import time

NODE = "7f3c2a10-5d4e-4b6a-9c8d-0e1f2a3b4c5d"


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def key(field, wt):
    return varint(field << 3 | wt)


def ld(field, payload):
    if isinstance(payload, str):
        payload = payload.encode()
    return key(field, 2) + varint(len(payload)) + payload


def vint(field, n):
    return key(field, 0) + varint(n)


def dbl(field, x):
    return key(field, 1) + struct.pack("<d", x)


def flt(field, x):
    return key(field, 5) + struct.pack("<f", x)


def timestamp(t=None):
    t = time.time() if t is None else t
    return vint(1, int(t)) + vint(2, int((t % 1) * 1e9))


def message(content_field, content, t=None, extra=b""):
    # SapientMessage: timestamp 1, node_id 2, the content (4 registration, 7 detection_report)
    return ld(1, timestamp(t)) + ld(2, NODE) + ld(content_field, content) + extra


def frame(msg):
    return struct.pack("<I", len(msg)) + msg


_ulid = [0]


def ulid():
    _ulid[0] += 1
    return "01K4R3W69V%016d" % _ulid[0]


def registration():
    # Registration: node_definition 1 {node_type 1 = RADAR 2}, icd_version 2, name 3,
    # short_name 4, capabilities 5 {category 1, type 2}, status_definition 6
    # {status_interval 1}, mode_definition 7 {mode_name 1, mode_type 2 = PERMANENT 1,
    # settle_time 4, detection_definition 10 {location_type 1}, task 11
    # {region_definition 2 {region_type 1 = AREA_OF_INTEREST 1, region_area 3}}},
    # config_data 10 {manufacturer 1, model 2}. A Duration is {units 1 = SECONDS 4,
    # value 3 (float)}; a LocationType {location_units 1 = LAT_LNG_DEG_M 1,
    # location_datum 3 = WGS84_E 1}.
    dur = vint(1, 4) + flt(3, 1.0)
    loc_type = vint(1, 1) + vint(3, 1)
    mode = (ld(1, "search") + vint(2, 1) + ld(4, dur) + ld(10, ld(1, loc_type)) +
            ld(11, ld(2, vint(1, 1) + ld(3, loc_type))))
    reg = (ld(1, vint(1, 2)) + ld(2, "BSI Flex 335 v2.0") + ld(3, "loopback test radar") +
           ld(4, "LBR1") + ld(5, ld(1, "detection") + ld(2, "location")) +
           ld(6, ld(1, dur)) + ld(7, mode) + ld(10, ld(1, "dronewall tests") + ld(2, "T1")))
    return message(4, reg)


def detection(i, report_id=None, magnetic=False, t=None, extra=b""):
    # DetectionReport: report_id 1, object_id 2, range_bearing 5 {elevation 1, azimuth 2,
    # range 3, coordinate_system 7 = DEGREES_M 1, datum 8 = MAGNETIC 2} or location 6
    # {x 1 (lon), y 2 (lat), z 3, x_error 4, y_error 5, z_error 6, coordinate_system 7 =
    # LAT_LNG_DEG_M 1, datum 8 = WGS84_E 1}, detection_confidence 7, classification 11
    # {type 1, confidence 2}.
    rid = report_id if report_id is not None else ulid()
    if magnetic:
        where = ld(5, dbl(1, 1.0) + dbl(2, 80.0) + dbl(3, 4000.0) + vint(7, 1) + vint(8, 2))
    else:
        lon = 23.0 + 0.0004 * i       # ~27 m a report, east
        where = ld(6, dbl(1, lon) + dbl(2, 51.5) + dbl(3, 800.0) + dbl(4, 0.0002) +
                   dbl(5, 0.0002) + dbl(6, 30.0) + vint(7, 1) + vint(8, 1))
    rep = (ld(1, rid) + ld(2, "01K4R3W69VOBJECT000000001A") + where + flt(7, 0.9) +
           ld(11, ld(1, "UAV") + flt(2, 0.8)))
    return message(7, rep, t=t, extra=extra)


def broken(i, how):
    # A detection report padded (colour 22) beyond the framer's window, then a bad field:
    # id 23 with bytes that are not UTF-8, or a second location 6 that is not a message.
    tail = ld(23, b"\xff\xfeX") if how == "badutf8" else ld(6, b"\xff\xff\xff")
    rep = (ld(1, ulid()) + ld(2, "01K4R3W69VOBJECT000000001A") +
           ld(6, dbl(1, 23.0) + dbl(2, 51.5) + vint(7, 1) + vint(8, 1)) + ld(22, b"C" * 700) + tail)
    return message(7, rep)


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        sys.exit(2)
    host, port = sys.argv[1].rsplit(":", 1)
    s = socket.create_connection((host, int(port)), timeout=10)
    sent = {}
    total = 0
    det_i = 0
    rnd = random.Random(7)

    def put(name, data, n=1):
        nonlocal total
        s.sendall(data)
        total += len(data)
        sent[name] = sent.get(name, 0) + n

    for act in sys.argv[2:]:
        name, _, arg = act.partition(":")
        if name == "reg":
            put("reg", frame(registration()))
        elif name == "det":
            for _ in range(int(arg)):
                put("det", frame(detection(det_i)))
                det_i += 1
                time.sleep(0.02)
        elif name == "junk":
            put("junk", bytes(rnd.getrandbits(8) for _ in range(int(arg))), 0)
        elif name in ("badutf8", "badproto"):
            put(name, frame(broken(det_i, name)))
        elif name == "magnetic":
            put("magnetic", frame(detection(det_i, magnetic=True)))
        elif name == "big":
            n = int(arg)
            base = detection(det_i)
            pad = n - len(base) - 8
            msg = detection(det_i, extra=ld(13, "A" * pad))
            put("big", frame(msg))
        elif name == "sleep":
            time.sleep(float(arg))
        else:
            print("unknown action " + act, file=sys.stderr)
            sys.exit(2)
    # Is the connection still there? A closed one reads EOF (or a reset).
    s.settimeout(0.3)
    still = True
    try:
        if s.recv(1) == b"":
            still = False
    except socket.timeout:
        pass
    except OSError:
        still = False
    s.close()
    print(json.dumps({"sent": sent, "bytes": total, "open": still}), flush=True)


if __name__ == "__main__":
    main()
