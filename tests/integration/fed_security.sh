#!/usr/bin/env bash
# The federation bus's accounts and permissions (docs/federation.md): a 3-node NATS cluster
# from scripts/nats-cluster with members PL (releases to LT and UA), LT and UA (each releases
# to PL). What a member may do works: PL makes its streams and publishes, LT and UA read what
# was released to them, LT releases to PL. Everything else is refused by the server: another
# node's subjects, a stream not released to the reader, someone else's durable, stream
# management, core subscriptions outside the member's inbox, a wrong password, no user. A
# node crash leaves an R3 stream writable; two crashes leave it without quorum. A second,
# single-node bus with --tls refuses plain connections and takes TLS ones with the CA; it is
# also --locked: the streams and consumers are the script's, and members cannot make any.
# dw_tool_natsprobe (tests/tools/natsprobe.c) makes each attempt: exit 0 allowed, 3 refused.
set -euo pipefail
: "${DW_BUILD:?DW_BUILD must name the build directory}" "${DW_SOURCE_DIR:?}"
PROBE="$DW_BUILD/tests/dw_tool_natsprobe"
CLUSTER="$DW_SOURCE_DIR/scripts/nats-cluster"
T=$(mktemp -d "${TMPDIR:-/tmp}/dw-fedsec.XXXXXX")
B="$T/bus"
BT="$T/tlsbus"
T_START=$(date +%s%N)

fail() { echo "FAIL $*"; exit 1; }
elapsed() {
    local ms=$((($(date +%s%N) - T_START) / 1000000))
    printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100))
}
ok() { echo "ok $* [$(elapsed) s]"; }

# Our servers are the ones started with a config under $T: stopped by their PID files, and
# any left over (by PID, found with pgrep) is killed and fails the test.
cleanup() {
    local rc=$? d left
    for d in "$B" "$BT"; do
        if [ -f "$d/n1.conf" ]; then "$CLUSTER" stop "$d" >/dev/null 2>&1 || true; fi
    done
    left=$(pgrep -f "nats-server -c $T/" || true)
    if [ -n "$left" ]; then
        echo "FAIL nats-server still running after stop: pids $left"
        # shellcheck disable=SC2086
        kill -9 $left 2>/dev/null || true
        rc=1
    fi
    if [ "$rc" != 0 ]; then
        local f
        for f in "$B"/n*.log "$BT"/n*.log; do
            [ -f "$f" ] || continue
            echo "--- $f (last 15 lines)"
            tail -n 15 "$f"
        done
    fi
    rm -rf "$T"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

command -v nats-server >/dev/null || fail "nats-server is not installed (scripts/bootstrap installs it)"
[ -x "$PROBE" ] || fail "$PROBE is missing (build the dw_tool_natsprobe target)"

# probe BUS USER ARGS...: one attempt as USER ("-" for no user); OUT and RC are its result.
probe() {
    local bus=$1 user=$2
    shift 2
    local who=()
    [ "$user" = - ] || who=(--user "$user" --password-file "$bus/creds/$user.password")
    RC=0
    OUT=$("$PROBE" --servers "${URLS:-$(cat "$bus/servers")}" "${who[@]}" "$@" 2>&1) || RC=$?
}

# allow WHAT USER ARGS... / refuse WHAT USER ARGS...: on the cluster, an "ok" line or a FAIL.
allow() {
    local what=$1
    shift
    probe "$B" "$@"
    [ "$RC" = 0 ] || fail "$what: want it allowed, got exit $RC: $OUT"
    ok "$what: $OUT"
}
refuse() {
    local what=$1
    shift
    probe "$B" "$@"
    [ "$RC" = 3 ] || fail "$what: want it refused (exit 3), got exit $RC: $OUT"
    ok "$what: $OUT"
}
# count_is N: the last read fetched N messages.
count_is() {
    [[ $OUT == "ok read $1 "* ]] || fail "want $1 message(s) read, got: $OUT"
}

# --- the cluster ------------------------------------------------------------------------
URLS=$("$CLUSTER" start "$B" --nodes 3 --member PL:PL:LT,UA --member LT:LT:PL \
    --member UA:UA:PL 2>&1) || fail "nats-cluster start: $URLS"
[[ $URLS =~ ^nats://127\.0\.0\.1:[0-9]+,nats://127\.0\.0\.1:[0-9]+,nats://127\.0\.0\.1:[0-9]+$ ]] ||
    fail "nats-cluster start printed '$URLS', not three client URLs"
for f in PL LT UA admin; do
    [ "$(stat -c %a "$B/creds/$f.password")" = 600 ] || fail "creds/$f.password is not mode 0600"
done
grep -q '^listen: 127\.0\.0\.1:' "$B/n1.conf" || fail "n1.conf does not listen on 127.0.0.1"
ok "3-node cluster up at $URLS; passwords in mode 0600 files"

# --- what members may do ------------------------------------------------------------------
allow "PL creates DW_PL_LT (R3)" PL --replicas 3 add-stream PL LT
allow "PL creates DW_PL_UA (R3)" PL --replicas 3 add-stream PL UA
allow "PL creates DW_PL_LT again (same config)" PL --replicas 3 add-stream PL LT
allow "PL publishes to dw.PL.LT.trk" PL --data "for-LT" publish dw.PL.LT.trk
allow "PL publishes to dw.PL.UA.trk" PL --data "for-UA" publish dw.PL.UA.trk
allow "LT reads DW_PL_LT with durable LT" LT read DW_PL_LT LT
count_is 1
[[ $OUT == *'"for-LT"'* ]] || fail "LT read something else than PL's message for LT: $OUT"
allow "UA reads DW_PL_UA with durable UA" UA read DW_PL_UA UA
count_is 1
[[ $OUT == *'"for-UA"'* ]] || fail "UA read something else than PL's message for UA: $OUT"
allow "LT reads DW_PL_LT again: acked, nothing new" LT --wait 500 read DW_PL_LT LT
count_is 0
allow "LT creates DW_LT_PL" LT --replicas 3 add-stream LT PL
allow "LT publishes to dw.LT.PL.alr" LT --data "for-PL" publish dw.LT.PL.alr
allow "PL reads DW_LT_PL with durable PL" PL read DW_LT_PL PL
count_is 1
allow "the admin user looks at DW_PL_UA" admin stream-info DW_PL_UA

# --- what they may not ---------------------------------------------------------------------
refuse "LT publishes to dw.PL.LT.trk (PL's subject)" LT publish dw.PL.LT.trk
refuse "LT core-publishes to dw.PL.LT.trk" LT core-publish dw.PL.LT.trk
refuse "LT publishes to dw.UA.PL.trk (UA's subject)" LT publish dw.UA.PL.trk
refuse "LT reads DW_PL_UA (not released to LT) as LT" LT read DW_PL_UA LT
refuse "LT reads DW_PL_UA with UA's durable" LT read DW_PL_UA UA
refuse "LT creates durable X on DW_PL_UA" LT add-consumer DW_PL_UA X
refuse "LT creates an ephemeral consumer on DW_PL_UA" LT add-consumer DW_PL_UA
refuse "LT looks at DW_PL_UA" LT stream-info DW_PL_UA
refuse "LT reads DW_PL_LT with UA's durable name" LT read DW_PL_LT UA
refuse "LT creates an ephemeral consumer on DW_PL_LT" LT add-consumer DW_PL_LT
# shellcheck disable=SC2016 # '$JS.>' is a subject
for s in 'dw.PL.>' 'dw.>' '>' '_INBOX_PL.>' '_INBOX.>' '$JS.>'; do
    refuse "LT subscribes to $s" LT subscribe "$s"
done
refuse "LT makes a request with the default _INBOX prefix" LT --inbox-prefix - read DW_PL_LT LT
refuse "LT creates stream DW_PL_LT2" LT add-stream PL LT2
refuse "LT creates stream DW_LT_UA (an audience LT was not given)" LT add-stream LT UA
refuse "LT deletes DW_PL_LT" LT delete-stream DW_PL_LT
refuse "LT purges DW_PL_LT" LT purge-stream DW_PL_LT
refuse "PL deletes its own DW_PL_LT (an administrator's act)" PL delete-stream DW_PL_LT
refuse "PL purges its own DW_PL_UA" PL purge-stream DW_PL_UA
refuse "LT connects with PL's password" LT --password-file "$B/creds/PL.password" connect
printf 'not-the-password\n' >"$T/wrong.password"
refuse "LT connects with a wrong password" LT --password-file "$T/wrong.password" connect
refuse "admin connects with a wrong password" admin --password-file "$T/wrong.password" connect
refuse "a client without a user" - connect
# UA's stream is untouched by all of this: a new message reaches UA, and only it.
allow "PL publishes a second message to dw.PL.UA.trk" PL --data "for-UA-2" publish dw.PL.UA.trk
allow "UA reads DW_PL_UA" UA read DW_PL_UA UA
count_is 1

# --- a crash, and quorum ---------------------------------------------------------------------
"$CLUSTER" kill "$B" 3 >/dev/null || fail "nats-cluster kill $B 3"
# The stream may have had its leader on n3: a new one is elected, within a few seconds on a
# loaded machine, and until then the stream does not answer (no responders, at once): retry
# for up to 30 s.
T_END=$((SECONDS + 30))
while :; do
    probe "$B" PL --wait 2000 --data "n3-down" publish dw.PL.LT.trk
    [ "$RC" != 0 ] && [ "$SECONDS" -lt "$T_END" ] || break
    sleep 0.25
done
[ "$RC" = 0 ] || fail "with n3 down, a publish to the R3 stream: exit $RC: $OUT"
ok "with n3 down, PL publishes to the R3 stream: $OUT"
"$CLUSTER" kill "$B" 2 >/dev/null || fail "nats-cluster kill $B 2"
probe "$B" PL --wait 1500 publish dw.PL.LT.trk
if [ "$RC" != 2 ] || [[ $OUT != *Timeout* && $OUT != *"No responders"* ]]; then
    fail "with 2 of 3 nodes down a publish should time out (no quorum), got exit $RC: $OUT"
fi
ok "with n2 and n3 down, a publish to the R3 stream fails: $OUT"
"$CLUSTER" restart "$B" 2 >"$T/restart2.out" 2>&1 &
R2=$!
"$CLUSTER" restart "$B" 3 >"$T/restart3.out" 2>&1 &
R3=$!
wait "$R2" || fail "nats-cluster restart $B 2: $(cat "$T/restart2.out")"
wait "$R3" || fail "nats-cluster restart $B 3: $(cat "$T/restart3.out")"
T_END=$((SECONDS + 30))
while :; do
    probe "$B" PL --wait 2000 --data "back" publish dw.PL.LT.trk
    [ "$RC" != 0 ] && [ "$SECONDS" -lt "$T_END" ] || break
    sleep 0.25
done
[ "$RC" = 0 ] || fail "n2 and n3 back: a publish to the R3 stream: exit $RC: $OUT"
ok "n2 and n3 back: PL publishes: $OUT"
# The publish that timed out may still be stored: the node that took it commits it once
# quorum is back. A timeout means "not known", never "not stored".
allow "LT reads what came during and after the crash" LT read DW_PL_LT LT
[[ $OUT == "ok read 2 "* || $OUT == "ok read 3 "* ]] ||
    fail "LT should read the 2 acknowledged messages (3 if the timed-out one was stored): $OUT"
"$CLUSTER" status "$B" >/dev/null || fail "nats-cluster status: no node running"

# --- TLS, and a locked bus -------------------------------------------------------------------
# One node, TLS, and --locked: the script made the streams and durable consumers as admin,
# and members may not create or change any.
TURLS=$("$CLUSTER" start "$BT" --nodes 1 --tls --locked --member PL:PL:LT --member LT:LT:PL 2>&1) ||
    fail "nats-cluster start --tls --locked: $TURLS"
[[ $TURLS == tls://127.0.0.1:* ]] || fail "nats-cluster start --tls printed '$TURLS'"
tls_allow() {
    local what=$1
    shift
    URLS=$TURLS probe "$BT" "$@"
    [ "$RC" = 0 ] || fail "$what: want it allowed, got exit $RC: $OUT"
    ok "$what: $OUT"
}
tls_refuse() {
    local what=$1
    shift
    URLS=$TURLS probe "$BT" "$@"
    [ "$RC" = 3 ] || fail "$what: want it refused (exit 3), got exit $RC: $OUT"
    ok "$what: $OUT"
}
CA=(--tls-ca "$BT/tls/ca.pem")
# A client that ignores tls_required and speaks plain NATS with the right password gets no
# PONG: the server closes the connection (nats.c itself would switch to TLS on its own).
OUT=$(python3 - "${TURLS##*:}" "$(cat "$BT/creds/PL.password")" <<'PY' 2>&1) || fail "a plain client on the TLS bus: $OUT"
import json, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
info = b""
while not info.endswith(b"\r\n"):
    info += s.recv(1)
if b'"tls_required":true' not in info:
    sys.exit("the server does not say tls_required: %r" % info[:200])
s.sendall(b"CONNECT %s\r\nPING\r\n" % json.dumps({"user": "PL", "pass": sys.argv[2],
                                                     "verbose": False}).encode())
got = b""
try:
    while True:
        c = s.recv(4096)
        if not c:
            break
        got += c
except (socket.timeout, ConnectionResetError):
    pass
if b"PONG" in got:
    sys.exit("the server answered PONG to a plain client: %r" % got[:200])
print("closed without a PONG (%d bytes back)" % len(got))
PY
ok "a plain-text client on the TLS bus is refused: $OUT"
URLS=${TURLS/tls:/nats:} probe "$BT" PL connect
[ "$RC" = 3 ] || fail "nats.c without the CA: want refused, got exit $RC: $OUT"
ok "nats.c without our CA (it switches to TLS, the certificate is not trusted): $OUT"
tls_allow "TLS with the CA" PL "${CA[@]}" connect
tls_allow "locked: PL finds DW_PL_LT made by the script" PL "${CA[@]}" stream-info DW_PL_LT
tls_allow "locked: PL publishes over TLS" PL "${CA[@]}" --data "tls" publish dw.PL.LT.trk
tls_allow "locked: LT reads with the script's durable LT" LT "${CA[@]}" read DW_PL_LT LT
count_is 1
tls_refuse "locked: PL cannot create or redefine DW_PL_LT" PL "${CA[@]}" add-stream PL LT
tls_refuse "locked: PL cannot point DW_PL_LT at LT's subjects" PL "${CA[@]}" \
    --stream-subjects 'dw.LT.PL.>' add-stream PL LT
tls_refuse "locked: LT cannot create or redefine its durable" LT "${CA[@]}" add-consumer DW_PL_LT LT

"$CLUSTER" stop "$BT" >/dev/null
"$CLUSTER" stop "$B" >/dev/null
left=$(pgrep -f "nats-server -c $T/" || true)
[ -z "$left" ] || fail "nats-server still running after stop: pids $left"
ok "every nats-server stopped"
