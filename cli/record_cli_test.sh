#!/bin/sh
# The record family's command-line contract without external AWS clients (runs under every config):
#   - import --from dvr of traffic holding secret-shaped values writes a redacted, verified
#     transcript (no secret byte survives); export --to har and import --from har round-trip it;
#   - verify exits 1 and names the JSON path (never the value) for a planted secret;
#   - record with nothing recorded exits 1 on SIGTERM and leaves an existing --out untouched;
#   - bad usage (and an --out directory that cannot be written) exits 2 before recording.
# Secret-shaped values are generated at run time (od on /dev/urandom), never written in source.
set -eu
ROOT="${TEST_SRCDIR:-$(dirname "$0")/..}/${TEST_WORKSPACE:-chantless}"
[ -x "$ROOT/chantless" ] || ROOT="$(dirname "$0")/.."
CH="$ROOT/chantless"
T="${TEST_TMPDIR:-$(mktemp -d)}"
fail() { echo "FAIL: $*"; exit 1; }

rand() {  # rand ALPHABET N
  od -An -N"$2" -tu1 /dev/urandom | tr -s ' ' '\n' | grep -v '^$' |
    awk -v a="$1" '{ printf "%s", substr(a, ($1 % length(a)) + 1, 1) }'
}
KEY="ASIA$(rand ABCDEFGHIJKLMNOPQRSTUVWXYZ234567 16)"
SECRET="Q$(rand ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 37)z7"
TOKEN="IQoJ$(rand ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 200)9"

cat > "$T/traffic.json" <<JSON
{"events": [
 {"connection_id": 0, "action": {"Request": {"request": {"uri": "http://169.254.170.2/v2/credentials/abc", "headers": {"authorization": ["auth-$KEY"]}, "method": "GET"}}}},
 {"connection_id": 0, "action": {"Response": {"response": {"Ok": {"status": 200, "version": "HTTP/1.1", "headers": {"content-type": ["application/json"]}}}}}},
 {"connection_id": 0, "action": {"Data": {"data": {"Utf8": "{\"AccessKeyId\":\"$KEY\",\"SecretAccessKey\":\"$SECRET\",\"Token\":\"$TOKEN\",\"Expiration\":\"2024-05-01T18:00:00Z\"}"}, "direction": "Response"}}},
 {"connection_id": 0, "action": {"Eof": {"ok": true, "direction": "Response"}}}
], "docs": "ECS credentials", "version": "V0"}
JSON

"$CH" import --from dvr "$T/traffic.json" --out "$T/ecs.json" --recorded-at 2024-05-01T12:00:00Z \
  2> "$T/import.log" || fail "import --from dvr: $(cat "$T/import.log")"
for s in "$KEY" "$SECRET" "$TOKEN"; do
  grep -qF "$s" "$T/ecs.json" "$T/import.log" && fail "a secret survived the import"
done
grep -qF ASIAREDACTED00000001 "$T/ecs.json" || fail "no placeholder in the imported transcript"
"$CH" verify "$T/ecs.json" > /dev/null || fail "verify rejected the imported transcript"

"$CH" export --to har "$T/ecs.json" --out "$T/ecs.har" 2> /dev/null || fail "export --to har"
"$CH" import --from har "$T/ecs.har" --out "$T/back.json" 2> /dev/null || fail "import --from har"
grep -qF '"path": "/v2/credentials/abc"' "$T/back.json" || fail "HAR round trip lost the path"
grep -qF 'ASIAREDACTED00000001' "$T/back.json" || fail "HAR round trip lost the placeholder"

# A planted secret: verify exits 1, names the path, never prints the value.
sed "s/ASIAREDACTED00000001/$KEY/" "$T/ecs.json" > "$T/leaky.json"
rc=0; "$CH" verify "$T/leaky.json" > "$T/verify.out" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "verify of a leaky transcript exited $rc"
grep -qF '$.exchanges[0].response.body' "$T/verify.out" || fail "verify did not name the JSON path"
grep -qF "$KEY" "$T/verify.out" && fail "verify printed the secret"

# Nothing recorded: exit 1, the old file untouched.
echo "keep me" > "$T/old.json"
"$CH" record --upstream http://127.0.0.1:9 --out "$T/old.json" --port-file "$T/port" 2> "$T/rec.log" &
pid=$!
i=0; while [ ! -s "$T/port" ] && [ $i -lt 500 ]; do i=$((i+1)); sleep 0.02; done
[ -s "$T/port" ] || fail "record wrote no port file"
kill -TERM $pid
rc=0; wait $pid || rc=$?
[ "$rc" = 1 ] || fail "record with nothing recorded exited $rc: $(cat "$T/rec.log")"
[ "$(cat "$T/old.json")" = "keep me" ] || fail "record touched the old --out"

rc=0; "$CH" record --out x.json 2> /dev/null || rc=$?
[ "$rc" = 2 ] || fail "record without --upstream exited $rc"
rc=0; "$CH" record --upstream http://127.0.0.1:9 --out /nonexistent/dir/x.json 2> /dev/null || rc=$?
[ "$rc" = 2 ] || fail "record into a missing directory exited $rc"
rc=0; "$CH" import --from pcap x 2> /dev/null || rc=$?
[ "$rc" = 2 ] || fail "import --from pcap exited $rc"
echo "record_cli_test: all checks passed"
