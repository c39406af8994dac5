#!/usr/bin/env python3
"""obs_match.py — do decoded observations say what the simulator meant?

    obs_match.py MEANT.ndjson DECODED.ndjson (--sensor ID ... | --all) --stream KIND

MEANT holds every observation before encoding (dronewall sim --meant); DECODED the output
of `dronewall decode --obs` on one raw stream. The observations of the named sensors must
come back one for one, in order (--all: every sensor found in DECODED), with each value within what the wire format can carry
(the tolerances per stream kind below: ASTERIX quantises range to 1/256 NM and azimuth to
2^-16 of a turn, SBS writes feet and knots, and so on). Prints one line per stream and
exits 1 on the first difference, saying which observation and which value.
"""
import json
import math
import sys

# stream kind -> tolerances: time us, metres (positions, ranges, heights), degrees (angles),
# m/s (velocities)
TOL = {
    "asterix": dict(t=4000, m=4.5, deg=0.0031, mps=0.5, alt=4.0),
    "sbs": dict(t=1000, m=1.5, deg=1e-5, mps=0.6, alt=0.2),
    "sapient": dict(t=1, m=0.01, deg=1e-7, mps=1e-6, alt=0.01),
    "cot": dict(t=1000, m=0.2, deg=1e-6, mps=0.06, alt=0.06),
    "ndjson": dict(t=0, m=1e-3, deg=1e-9, mps=1e-9, alt=1e-6),
    # Remote ID: tenths of a second in the hour, 1e-7 degrees, 0.5 m heights, 0.25 m/s
    # speeds and whole degrees of track
    "remoteid": dict(t=100000, m=0.02, deg=1e-7, mps=0.35, alt=0.5),
}


def load(path, sensors):
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            o = json.loads(line)
            if o.get("type") == "obs" and o.get("sensor") in sensors:
                out.append(o)
    return out


def angdiff(a, b):
    d = (a - b) % 360.0
    return min(d, 360.0 - d)


def main():
    args = sys.argv[1:]
    if len(args) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    meant_path, dec_path = args[0], args[1]
    sensors, kind = set(), None
    i = 2
    while i < len(args):
        if args[i] == "--all":
            with open(dec_path) as f:
                for line in f:
                    if line.strip():
                        sensors.add(json.loads(line).get("sensor"))
            i += 1
            continue
        if args[i] == "--sensor":
            sensors.add(args[i + 1])
        elif args[i] == "--stream":
            kind = args[i + 1]
        else:
            print("obs_match: unknown argument " + args[i], file=sys.stderr)
            return 2
        i += 2
    tol = TOL[kind]
    meant, dec = load(meant_path, sensors), load(dec_path, sensors)
    name = ",".join(sorted(sensors))[:60]
    if not meant and not dec:
        print("ok   %s (%s): nothing meant, nothing decoded" % (name or "(empty stream)", kind))
        return 0
    if len(meant) != len(dec):
        print("FAIL %s (%s): %d observations meant, %d decoded" % (name, kind, len(meant), len(dec)))
        return 1
    worst = {}
    for n, (a, b) in enumerate(zip(meant, dec)):
        def bad(what, x, y):
            print("FAIL %s (%s): observation %d (%s at t_us %d): %s meant %r, decoded %r"
                  % (name, kind, n + 1, a["kind"], a["t_us"], what, x, y))
            return 1

        def near(key, t, f=lambda x, y: abs(x - y)):
            if key not in a and key not in b:
                return 0
            if (key in a) != (key in b):
                return bad(key, a.get(key), b.get(key))
            d = f(a[key], b[key])
            worst[key] = max(worst.get(key, 0), d)
            return bad(key, a[key], b[key]) if d > t else 0

        for key in ("kind", "sensor", "icao", "callsign"):
            if a.get(key) != b.get(key):
                return bad(key, a.get(key), b.get(key))
        r = near("t_us", tol["t"])
        for key in ("lat_deg", "lon_deg"):
            r = r or near(key, tol["m"] / 111000.0 + tol["deg"])
        r = r or near("alt_m", tol["alt"])
        r = r or near("range_m", tol["m"])
        r = r or near("radius_m", tol["m"])
        r = r or near("az_deg", tol["deg"], angdiff)
        r = r or near("el_deg", tol["deg"])
        if r:
            return 1
        va, vb = a.get("vel_enu_mps"), b.get("vel_enu_mps")
        if (va is None) != (vb is None):
            return bad("vel_enu_mps", va, vb)
        if va:
            d = max(abs(x - y) for x, y in zip(va, vb))
            worst["vel"] = max(worst.get("vel", 0), d)
            if d > tol["mps"]:
                return bad("vel_enu_mps", va, vb)
    print("ok   %s (%s): %d observations round-trip; largest differences %s"
          % (name, kind, len(meant), ", ".join("%s %.3g" % kv for kv in sorted(worst.items()))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
