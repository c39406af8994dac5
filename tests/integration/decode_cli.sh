#!/usr/bin/env bash
# decode_cli.sh — `dronewall decode` end to end: exit codes (0 read, 1
# unreadable or nothing decodable, 2 usage), -o through a temporary name,
# standard input, --stats as the last line, and a few hundred cut, mangled
# and random inputs that must each end with 0 or 1 within seconds: never a
# crash, never a hang.
set -euo pipefail

: "${DW_BIN:?DW_BIN must name the dronewall binary}"
: "${DW_SHARED_DIR:?DW_SHARED_DIR must name the shared data directory}"
asx="$DW_SHARED_DIR/data/asterix/croatiacontrol"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "decode_cli: $*" >&2; exit 1; }
# expect CODE CMD...: run, compare the exit status
expect() {
  local want=$1; shift
  set +e
  "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  set -e
  [ "$rc" -eq "$want" ] || { cat "$tmp/err" >&2; fail "'$*' exited $rc, not $want"; }
}

# usage errors
expect 2 "$DW_BIN" decode
expect 2 "$DW_BIN" decode --nosuch "$asx/cat048.raw"
expect 2 "$DW_BIN" decode --format nosuch "$asx/cat048.raw"
expect 2 "$DW_BIN" decode --raw --obs "$asx/cat048.raw"
expect 2 "$DW_BIN" decode --ref 95,10 "$asx/cat048.raw"
expect 2 "$DW_BIN" decode --format
expect 0 "$DW_BIN" decode --help
grep -q -- '--edition SPEC' "$tmp/out" || fail "--help lacks --edition"
expect 0 "$DW_BIN" decode --list

# unreadable, empty, unrecognisable
expect 1 "$DW_BIN" decode "$tmp/does-not-exist"
grep -q "$tmp/does-not-exist" "$tmp/err" || fail "the missing file is not named"
: >"$tmp/empty"
expect 0 "$DW_BIN" decode "$tmp/empty"
[ ! -s "$tmp/out" ] || fail "an empty file gave output"
python3 - "$tmp/random" <<'PY'
import random, sys
random.seed(1)
# bytes no codec would take for a frame start: lower-case letters only
open(sys.argv[1], "wb").write(bytes(random.choice(b"qwxzjkv") for _ in range(20000)))
PY
expect 1 "$DW_BIN" decode "$tmp/random"
grep -q "no supported format recognised" "$tmp/err" || fail "random bytes: $(cat "$tmp/err")"
grep -q "skipped bytes" "$tmp/err" || fail "no summary line on stderr"

# a real capture, when the ASTERIX codec is built
if "$DW_BIN" decode --list | grep -q '^asterix '; then
  pcap="$asx/cat_034_048.pcap"
  expect 0 "$DW_BIN" decode "$pcap"
  [ "$(wc -l <"$tmp/out")" -eq 162 ] || fail "cat_034_048.pcap: $(wc -l <"$tmp/out") records, not 162"
  head -c 11 "$tmp/out" | grep -q '^{"codec":"' || fail "a raw record does not start with \"codec\""
  cp "$tmp/out" "$tmp/ref"
  # standard input reads the same
  expect 0 "$DW_BIN" decode - <"$pcap"
  cmp -s "$tmp/out" "$tmp/ref" || fail "stdin and file decode differ"
  # -o writes through a temporary name and leaves nothing else behind
  mkdir -p "$tmp/o"
  expect 0 "$DW_BIN" decode -o "$tmp/o/x.ndjson" "$pcap"
  cmp -s "$tmp/o/x.ndjson" "$tmp/ref" || fail "-o output differs from stdout"
  [ "$(ls "$tmp/o" | wc -l)" -eq 1 ] || fail "-o left files behind: $(ls "$tmp/o")"
  # --stats: one more line, the counters as JSON
  expect 0 "$DW_BIN" decode --stats "$pcap" "$tmp/empty"
  tail -n 1 "$tmp/out" | python3 -c '
import json, sys
s = json.load(sys.stdin)
assert s["type"] == "decode_stats", s
f = s["files"][0]
assert (f["file"], f["format"], f["codec"], f["packets"]) == ("cat_034_048.pcap", "pcap", "asterix", 100), f
assert (f["frames"], f["records"], f["malformed"]) == (120, 162, 0), f
assert s["total"]["records"] == 162 and len(s["files"]) == 2, s
'
  # --obs: native NDJSON
  expect 0 "$DW_BIN" decode --obs "$pcap"
  head -n 1 "$tmp/out" | grep -q '^{"v":1,"type":"obs"' || fail "--obs: $(head -n 1 "$tmp/out")"
  cp "$tmp/out" "$tmp/obs_ref"
  # --sensors: a radar's ASTERIX name (its wire_id) becomes its id; names not
  # in the file are kept; nothing else changes
  cat >"$tmp/sensors.yaml" <<'YAML'
sensors:
  - id: HR-RAD-12
    wire_id: ASX-025-012
    kind: radar
    lat_deg: 45.7
    lon_deg: 16.0
  - id: ASX-025-201
    kind: radar
    lat_deg: 45.8
    lon_deg: 16.1
YAML
  expect 0 "$DW_BIN" decode --obs --sensors "$tmp/sensors.yaml" "$pcap"
  [ "$(grep -c '"sensor":"HR-RAD-12"' "$tmp/out")" -eq "$(grep -c '"sensor":"ASX-025-012"' "$tmp/obs_ref")" ] \
    || fail "--sensors did not rename every ASX-025-012"
  ! grep -q '"sensor":"ASX-025-012"' "$tmp/out" || fail "--sensors left an ASX-025-012"
  sed 's/"sensor":"ASX-025-012"/"sensor":"HR-RAD-12"/' "$tmp/obs_ref" | cmp -s - "$tmp/out" \
    || fail "--sensors changed more than the names"
  grep -q "38 observations renamed from a wire_id to the sensor's id, 28 already named by id, 60 from sensors not listed" "$tmp/err" \
    || fail "--sensors summary: $(tail -n 1 "$tmp/err")"
  # --sensor-id, then --sensors: every observation is named, then renamed
  expect 0 "$DW_BIN" decode --obs --sensor-id ASX-025-012 --sensors "$tmp/sensors.yaml" "$pcap"
  [ "$(grep -c '"sensor":"HR-RAD-12"' "$tmp/out")" -eq "$(wc -l <"$tmp/obs_ref")" ] \
    || fail "--sensor-id then --sensors"
fi

# --sensor-id names the sensor of formats that carry none (SBS: "ADSB-SBS")
printf 'MSG,3,1,1,4CA2D6,1,2025/09/09,20:50:00.000,2025/09/09,20:50:00.000,,35000,,,52.10000,21.00000,,,0,0,0,0\n' >"$tmp/one.sbs"
expect 0 "$DW_BIN" decode --obs "$tmp/one.sbs"
grep -q '"sensor":"ADSB-SBS"' "$tmp/out" || fail "SBS without --sensor-id: $(cat "$tmp/out")"
expect 0 "$DW_BIN" decode --obs --sensor-id ADSB-WAW "$tmp/one.sbs"
grep -q '"sensor":"ADSB-WAW"' "$tmp/out" || fail "--sensor-id: $(cat "$tmp/out")"
# renaming needs observations; a bad name or sensors file is refused
expect 2 "$DW_BIN" decode --sensor-id ADSB-WAW "$tmp/one.sbs"
expect 2 "$DW_BIN" decode --raw --sensors "$tmp/one.sbs" "$tmp/one.sbs"
expect 2 "$DW_BIN" decode --obs --sensor-id "" "$tmp/one.sbs"
expect 2 "$DW_BIN" decode --obs --sensor-id "$(printf 'x%.0s' $(seq 48))" "$tmp/one.sbs"
expect 1 "$DW_BIN" decode --obs --sensors "$tmp/does-not-exist.yaml" "$tmp/one.sbs"
grep -q "does-not-exist.yaml" "$tmp/err" || fail "missing sensors file not named"

# Robustness: every input ends with 0 or 1, quickly.
inputs=("$asx/cat_034_048.pcap" "$asx/cat_001_002.pcap" "$DW_SHARED_DIR/data/remoteid/odid_bt5_lr_sample.pcapng"
        "$DW_SHARED_DIR/data/remoteid/odid_wifi_sample.pcap" "$asx/cat048.raw")
beast=$(ls "$DW_SHARED_DIR"/data/adsb/beastblackbox/*.log 2>/dev/null | head -n 1 || true)
[ -n "$beast" ] && inputs+=("$beast")
python3 - "$tmp/m" "${inputs[@]}" <<'PY'
import os, random, sys
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
random.seed(20250910)
k = 0
for path in sys.argv[2:]:
    data = open(path, "rb").read()[:200000]
    for i in range(40):
        b = bytearray(data)
        how = i % 4
        if how == 0:                      # cut anywhere
            b = b[:random.randrange(len(b) + 1)]
        elif how == 1:                    # flip bytes
            for _ in range(random.randrange(1, 32)):
                b[random.randrange(len(b))] = random.randrange(256)
        elif how == 2:                    # splice in random bytes
            at = random.randrange(len(b) + 1)
            b[at:at] = random.randbytes(random.randrange(1, 3000))
        else:                             # lengths set large
            for _ in range(random.randrange(1, 8)):
                at = random.randrange(max(1, len(b) - 2))
                b[at:at + 2] = b"\xff\xff"
        open(os.path.join(out, "m%04d" % k), "wb").write(bytes(b))
        k += 1
for i in range(20):
    open(os.path.join(out, "r%04d" % i), "wb").write(random.randbytes(random.randrange(1, 100000)))
PY
n=0
for f in "$tmp"/m/*; do
  set +e
  timeout 20 "$DW_BIN" decode --stats "$f" >/dev/null 2>"$tmp/err"
  rc=$?
  timeout 20 "$DW_BIN" decode --obs "$f" >/dev/null 2>>"$tmp/err"
  rc2=$?
  set -e
  if [ "$rc" -gt 1 ] || [ "$rc2" -gt 1 ]; then
    keep=${TMPDIR:-/tmp}/decode_cli_crash.bin
    cp "$f" "$keep"
    fail "$(basename "$f"): exit $rc/$rc2 (input kept as $keep): $(tail -n 3 "$tmp/err")"
  fi
  n=$((n + 1))
done
echo "decode_cli: ok ($n mangled and random inputs, each decoded twice)"
