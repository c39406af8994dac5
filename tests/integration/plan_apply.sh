#!/usr/bin/env bash
# dronewall plan --apply: the assignment's approved engagements applied to the simulated
# world of scenarios/quick.yaml (a kill with the engagement's chance at its intercept time,
# the drone's track ending there): drones are really brought down, the applied figures add
# up, no debris falls on a site or city, and the same seed gives the same night twice.
set -euo pipefail
: "${DW_BIN:?}" "${DW_SOURCE_DIR:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/dw-plan.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$DW_SOURCE_DIR"
"$DW_BIN" plan scenarios/quick.yaml --apply wta --every 10 --out "$T/a.json" > "$T/a.txt"
"$DW_BIN" plan scenarios/quick.yaml --apply wta --every 10 > "$T/b.txt"
cat "$T/a.txt"
python3 - "$T/a.txt" "$T/b.txt" "$T/a.json" <<'PY'
import json, re, sys
a = open(sys.argv[1]).read()
m = re.search(r"applied \(wta\): (\d+) engagements approved, (\d+) reached their intercept "
              r"before the end: (\d+) drones brought down, (\d+) missed, (\d+) found no drone at "
              r"the intercept point; (\d+) of (\d+) drones not brought down; debris of the killed "
              r"drones over ([\d.]+) people in all, (\d+) on a site or city", a)
if not m:
    sys.exit("FAIL no 'applied' line in:\n" + a)
approved, reached, hit, miss, none, left, drones, people, over = m.groups()
approved, reached, hit, miss, none, left, drones, over = map(int, (approved, reached, hit, miss, none, left, drones, over))
if hit < 1:
    sys.exit("FAIL no drone brought down: %s" % m.group(0))
if hit + miss + none != reached or reached > approved:
    sys.exit("FAIL the applied figures do not add up: %s" % m.group(0))
if left != drones - hit or drones != 6:
    sys.exit("FAIL %d drones in quick.yaml, %d left for %d brought down" % (drones, left, hit))
if over != 0:
    sys.exit("FAIL debris on a site or city: %s" % m.group(0))
b = open(sys.argv[2]).read()
mb = re.search(r"applied \(wta\): .*", b)
if not mb or mb.group(0) != m.group(0):
    sys.exit("FAIL two runs with the same seed differ:\n  %s\n  %s" % (m.group(0), mb.group(0) if mb else b))
j = json.load(open(sys.argv[3]))
s = [x for x in j["strategies"] if x["strategy"] == "wta"]
if len(j["strategies"]) != 1 or len(s) != 1 or s[0]["engaged"] != approved or s[0]["applied"]["brought_down"] != hit:
    sys.exit("FAIL the JSON's wta strategy: %s" % j["strategies"])
print("ok   plan --apply wta on quick.yaml: %d engagements, %d drones of %d brought down, the same twice" % (approved, hit, drones))
PY
