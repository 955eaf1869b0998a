#!/bin/sh
# `chantless record --https-proxy` end to end on loopback, with real https clients:
#   - the upstream is `chantless serve --tls` impersonating sts.us-east-1.amazonaws.com (it checks
#     the SigV4 signature with the test's source keys, so a request altered on the way fails);
#   - the recorder reaches it through --connect-to (never the real AWS) and trusts its CA through
#     --ca-bundle; clients trust the recorder's CA (--ca-out) and use it as their https proxy:
#     curl --proxy --aws-sigv4, python3 botocore (HTTPS_PROXY + AWS_CA_BUNDLE) when installed, and
#     `chantless resolve` of an assume-role profile (HTTPS_PROXY + AWS_CA_BUNDLE);
#   - the transcript names the host, holds no recorded secret (`chantless verify`), marks the signed
#     exchanges "sigv4": "verify" with a fake key in sigv4_keys;
#   - `chantless serve --tls` of the recording gives a PASS verdict to the same client signing with
#     that fake key.
# Secret-shaped values are generated at run time (od on /dev/urandom), never written in source.
set -eu
ROOT="${TEST_SRCDIR:-$(dirname "$0")/..}/${TEST_WORKSPACE:-chantless}"
[ -x "$ROOT/chantless" ] || ROOT="$(dirname "$0")/.."
CH="$ROOT/chantless"
T="${TEST_TMPDIR:-$(mktemp -d)}"
HOST=sts.us-east-1.amazonaws.com
PIDS=""
cleanup() { for p in $PIDS; do kill -TERM "$p" 2> /dev/null || true; done; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in "$T"/*.log; do echo "== $f"; cat "$f"; done; exit 1; }
command -v curl > /dev/null || { echo "SKIP: no curl"; exit 0; }

rand() {  # rand ALPHABET N
  od -An -N"$2" -tu1 /dev/urandom | tr -s ' ' '\n' | grep -v '^$' |
    awk -v a="$1" '{ printf "%s", substr(a, ($1 % length(a)) + 1, 1) }'
}
B64=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789
SRC_KEY="AKIA$(rand ABCDEFGHIJKLMNOPQRSTUVWXYZ234567 16)"
SRC_SECRET="Q$(rand $B64 37)z7"
KEY="ASIA$(rand ABCDEFGHIJKLMNOPQRSTUVWXYZ234567 16)"
SECRET="Q$(rand $B64 37)z7"
TOKEN="IQoJ$(rand $B64 200)9"

xml() {
  printf '%s' "<AssumeRoleResponse xmlns=\\\"https://sts.amazonaws.com/doc/2011-06-15/\\\"><AssumeRoleResult><Credentials><AccessKeyId>$KEY</AccessKeyId><SecretAccessKey>$SECRET</SecretAccessKey><SessionToken>$TOKEN</SessionToken><Expiration>2030-05-01T13:00:00Z</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROAEXAMPLEROLEID0001:s</AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role/demo/s</Arn></AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>"
}
exchange() {  # exchange ID
  printf '%s' "{\"id\": \"$1\", \"family\": \"sts\", \"host\": \"$HOST\", \"sigv4\": \"verify\",
   \"request\": {\"method\": \"POST\", \"path\": \"/\"},
   \"response\": {\"status\": 200, \"headers\": {\"Content-Type\": \"text/xml\"}, \"body\": \"$(xml)\"}}"
}
cat > "$T/upstream.json" <<JSON
{"format": "chantless-transcript", "version": 1, "name": "upstream", "docs": "fake STS",
 "recorded_at": "2030-05-01T12:00:00Z",
 "sigv4_keys": [{"access_key_id": "$SRC_KEY", "secret_access_key": "$SRC_SECRET"}],
 "exchanges": [$(exchange one), $(exchange two), $(exchange three)]}
JSON

lines() { if [ -f "$1" ]; then wc -l < "$1"; else echo 0; fi; }
wait_port() {  # wait_port FILE LINES
  i=0
  while [ "$(lines "$1")" -lt "$2" ] && [ $i -lt 500 ]; do i=$((i+1)); sleep 0.02; done
  [ "$(lines "$1")" -ge "$2" ] || fail "no port in $1"
}

"$CH" serve "$T/upstream.json" --tls --ca-out "$T/upstream-ca.pem" --port-file "$T/up.port" \
  > "$T/upstream.out" 2> "$T/upstream.log" &
UP_PID=$!; PIDS="$PIDS $UP_PID"
wait_port "$T/up.port" 2
UP=$(sed -n 2p "$T/up.port")

"$CH" record --https-proxy --out "$T/recorded.json" --ca-out "$T/proxy-ca.pem" \
  --port-file "$T/rec.port" --ca-bundle "$T/upstream-ca.pem" \
  --connect-to "$HOST:443=127.0.0.1:$UP" 2> "$T/record.log" &
REC_PID=$!; PIDS="$PIDS $REC_PID"
wait_port "$T/rec.port" 1
REC=$(cat "$T/rec.port")

BODY='Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo&RoleSessionName=session1'
curl_sts() {  # curl_sts KEY SECRET [curl options…]
  k=$1; s=$2; shift 2
  curl -sS --fail-with-body --aws-sigv4 "aws:amz:us-east-1:sts" --user "$k:$s" \
    -H 'Content-Type: application/x-www-form-urlencoded; charset=utf-8' --data "$BODY" \
    "$@" "https://$HOST/"
}

curl_sts "$SRC_KEY" "$SRC_SECRET" --proxy "http://127.0.0.1:$REC" --cacert "$T/proxy-ca.pem" \
  > "$T/curl1.out" 2> "$T/curl1.log" || fail "curl through the recorder: $(cat "$T/curl1.out")"
grep -qF "$KEY" "$T/curl1.out" || fail "curl did not get the upstream's answer"

BOTO=0
if python3 -c 'import botocore' 2> /dev/null; then
  BOTO=1
  HTTPS_PROXY="http://127.0.0.1:$REC" AWS_CA_BUNDLE="$T/proxy-ca.pem" NO_PROXY= no_proxy= \
  AWS_ACCESS_KEY_ID="$SRC_KEY" AWS_SECRET_ACCESS_KEY="$SRC_SECRET" AWS_CONFIG_FILE=/dev/null \
  AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_STS_REGIONAL_ENDPOINTS=regional \
  AWS_EC2_METADATA_DISABLED=true python3 - > "$T/boto.out" 2> "$T/boto.log" <<'PY' || fail "botocore through the recorder"
import botocore.session
s = botocore.session.get_session()
sts = s.create_client("sts", region_name="us-east-1")
r = sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/demo", RoleSessionName="session1")
print(r["Credentials"]["AccessKeyId"])
PY
  grep -qF "$KEY" "$T/boto.out" || fail "botocore did not get the upstream's answer"
  echo "botocore $(python3 -c "import botocore; print(botocore.__version__)") through the recorder: ok"
fi

# chantless itself: an assume-role profile over static source keys.
profile_home() {  # profile_home DIR KEY SECRET
  mkdir -p "$1/.aws"
  printf '[default]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/demo\nrole_session_name = session1\nsource_profile = base\n' \
    > "$1/.aws/config"
  printf '[base]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$2" "$3" \
    > "$1/.aws/credentials"
}
profile_home "$T/home" "$SRC_KEY" "$SRC_SECRET"
env -i HOME="$T/home" PATH=/usr/bin:/bin AWS_EC2_METADATA_DISABLED=true \
  AWS_STS_REGIONAL_ENDPOINTS=regional HTTPS_PROXY="http://127.0.0.1:$REC" \
  AWS_CA_BUNDLE="$T/proxy-ca.pem" "$CH" resolve --no-cache --format env-no-export \
  > "$T/resolve.out" 2> "$T/resolve.log" || fail "chantless resolve through the recorder"
grep -qF "AWS_ACCESS_KEY_ID=$KEY" "$T/resolve.out" || fail "chantless did not get the upstream's answer"

kill -TERM $REC_PID
rc=0; wait $REC_PID || rc=$?
[ "$rc" = 0 ] || fail "record exited $rc"
kill -TERM $UP_PID; wait $UP_PID || true

R="$T/recorded.json"
for s in "$SRC_KEY" "$SRC_SECRET" "$KEY" "$SECRET" "$TOKEN"; do
  grep -qF "$s" "$R" "$T/record.log" && fail "a secret survived the recording"
done
"$CH" verify "$R" > /dev/null 2>&1 || fail "verify rejected the recording"
grep -qF "\"host\": \"$HOST\"" "$R" || fail "the recording lost the host"
grep -qF '"sigv4": "verify"' "$R" || fail "no exchange marked sigv4 verify"
grep -qF '<SecretAccessKey>' "$R" || fail "the recording lost the XML"
N=$(grep -c '"sigv4": "verify"' "$R")
[ "$N" = $((2 + BOTO)) ] || fail "$N signed exchanges marked verify, expected $((2 + BOTO))"

FAKE_KEY=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sigv4_keys"][0]["access_key_id"])' "$R")
FAKE_SECRET=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sigv4_keys"][0]["secret_access_key"])' "$R")

# Replayed: the same client, signing with the recording's fake key, gets a PASS verdict.
"$CH" serve "$R" --tls --ca-out "$T/replay-ca.pem" --port-file "$T/replay.port" \
  > "$T/replay.out" 2> "$T/replay.log" &
RP_PID=$!; PIDS="$PIDS $RP_PID"
wait_port "$T/replay.port" 2
RP=$(sed -n 2p "$T/replay.port")
curl_sts "$FAKE_KEY" "$FAKE_SECRET" --connect-to "$HOST:443:127.0.0.1:$RP" \
  --cacert "$T/replay-ca.pem" > "$T/curl2.out" 2> "$T/curl2.log" ||
  fail "curl against the replay: $(cat "$T/curl2.out")"
if [ "$BOTO" = 1 ]; then
  # The replay's second exchange, for the same request (curl again: its signature is checked).
  curl_sts "$FAKE_KEY" "$FAKE_SECRET" --connect-to "$HOST:443:127.0.0.1:$RP" \
    --cacert "$T/replay-ca.pem" > "$T/curl3.out" 2> "$T/curl3.log" || fail "second replayed call"
fi
# chantless with the fake key, at the replay by address (a loopback request matches the recorded
# host; the signature covers the Host it sends, which the replay checks).
profile_home "$T/home2" "$FAKE_KEY" "$FAKE_SECRET"
env -i HOME="$T/home2" PATH=/usr/bin:/bin AWS_EC2_METADATA_DISABLED=true \
  AWS_STS_REGIONAL_ENDPOINTS=regional AWS_ENDPOINT_URL_STS="https://127.0.0.1:$RP" \
  AWS_CA_BUNDLE="$T/replay-ca.pem" "$CH" resolve --no-cache --format env-no-export \
  > "$T/resolve2.out" 2> "$T/resolve2.log" || fail "chantless resolve against the replay"
grep -qF "AWS_ACCESS_KEY_ID=ASIAREDACTED" "$T/resolve2.out" || fail "replayed credentials"
kill -TERM $RP_PID
rc=0; wait $RP_PID || rc=$?
grep -q "PASS" "$T/replay.out" || fail "replay verdict is not PASS"
[ "$rc" = 0 ] || fail "serve of the recording exited $rc"
echo PASS
