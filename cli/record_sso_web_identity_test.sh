#!/bin/sh
# `chantless record --https-proxy` of SSO and web identity rounds, end to end on loopback: every
# secret the rounds carry is generated at run time, and none may survive in the recording or the
# recorder's log.
#   - the upstream is `chantless serve --tls` impersonating oidc.us-east-1.amazonaws.com (CreateToken),
#     portal.sso.us-east-1.amazonaws.com (GetRoleCredentials) and sts.us-east-1.amazonaws.com
#     (AssumeRoleWithWebIdentity), reached by the recorder through --connect-to, trusted through
#     --ca-bundle;
#   - the client is `chantless resolve` through the recorder (HTTPS_PROXY, AWS_CA_BUNDLE): an
#     sso-session profile whose cached token is near expiry (so it refreshes with the refresh token
#     and client secret, then calls GetRoleCredentials with the new access token), and web identity
#     from the environment (a JWT-shaped token file);
#   - the recording holds none of: the old and new access tokens, the refresh tokens, the client
#     secret, the role credentials, the STS credentials, the JWT's signature; the JWT's header and
#     payload stay readable; the bearer header of GetRoleCredentials is the same placeholder as the
#     accessToken CreateToken answered (consistent redaction); `chantless verify` accepts it;
#   - `chantless serve --tls` of the recording gives a PASS verdict to the same client holding the
#     recording's placeholders (refresh token, client secret, redacted JWT).
# Secret-shaped values come from /dev/urandom at run time, never from source.
set -eu
ROOT="${TEST_SRCDIR:-$(dirname "$0")/..}/${TEST_WORKSPACE:-chantless}"
[ -x "$ROOT/chantless" ] || ROOT="$(dirname "$0")/.."
CH="$ROOT/chantless"
T="${TEST_TMPDIR:-$(mktemp -d)}"
PIDS=""
cleanup() { for p in $PIDS; do kill -TERM "$p" 2> /dev/null || true; done; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in "$T"/*.log; do echo "== $f"; cat "$f"; done; exit 1; }

rand() {  # rand ALPHABET N
  od -An -N"$2" -tu1 /dev/urandom | tr -s ' ' '\n' | grep -v '^$' |
    awk -v a="$1" '{ printf "%s", substr(a, ($1 % length(a)) + 1, 1) }'
}
B64=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789
B64URL="${B64}-_"
UPPER=ABCDEFGHIJKLMNOPQRSTUVWXYZ234567
OLD_ACCESS="aoa$(rand $B64 120)"
NEW_ACCESS="aoa$(rand $B64 120)"
OLD_REFRESH="aor$(rand $B64 120)"
NEW_REFRESH="aor$(rand $B64 120)"
CLIENT_ID="cid$(rand $B64 30)"
CLIENT_SECRET="eyJ$(rand $B64 200)"
SSO_KEY="ASIA$(rand $UPPER 16)"
SSO_SECRET="Q$(rand $B64 37)z7"
SSO_TOKEN="IQoJ$(rand $B64 200)9"
WI_KEY="ASIA$(rand $UPPER 16)"
WI_SECRET="Q$(rand $B64 37)z7"
WI_TOKEN="IQoJ$(rand $B64 200)8"
JWT_HEAD="eyJhbGciOiJSUzI1NiIsImtpZCI6ImNoYW50bGVzcy10ZXN0In0"  # {"alg":"RS256","kid":"chantless-test"}
JWT_BODY="eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6ZGVmYXVsdDp0ZXN0In0"  # {"sub":"system:serviceaccount:default:test"}
JWT_SIG="$(rand $B64URL 342)"
JWT="$JWT_HEAD.$JWT_BODY.$JWT_SIG"

NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
SOON=$(date -u -d '+5 minutes' +%Y-%m-%dT%H:%M:%SZ)
LATER=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
LATER_MS=$(( $(date -u -d '+1 hour' +%s) * 1000 ))
NEXT_YEAR=$(date -u -d '+1 year' +%Y-%m-%dT%H:%M:%SZ)

json_string() { python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$1"; }
ROLE_JSON="{\"roleCredentials\":{\"accessKeyId\":\"$SSO_KEY\",\"secretAccessKey\":\"$SSO_SECRET\",\"sessionToken\":\"$SSO_TOKEN\",\"expiration\":$LATER_MS}}"
TOKEN_JSON="{\"accessToken\":\"$NEW_ACCESS\",\"expiresIn\":28800,\"tokenType\":\"Bearer\",\"refreshToken\":\"$NEW_REFRESH\"}"
WI_XML="<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>$WI_KEY</AccessKeyId><SecretAccessKey>$WI_SECRET</SecretAccessKey><SessionToken>$WI_TOKEN</SessionToken><Expiration>$LATER</Expiration></Credentials><SubjectFromWebIdentityToken>system:serviceaccount:default:test</SubjectFromWebIdentityToken><AssumedRoleUser><AssumedRoleId>AROAEXAMPLEROLEID0002:pod</AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role/irsa/pod</Arn></AssumedRoleUser><Provider>arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE</Provider><Audience>sts.amazonaws.com</Audience></AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>"

cat > "$T/upstream.json" <<JSON
{"format": "chantless-transcript", "version": 1, "name": "upstream", "docs": "fake OIDC, SSO portal and STS",
 "recorded_at": "$NOW",
 "exchanges": [
  {"id": "create-token", "family": "oidc", "host": "oidc.us-east-1.amazonaws.com",
   "request": {"method": "POST", "path": "/token"},
   "response": {"status": 200, "headers": {"Content-Type": "application/json"}, "body": $(json_string "$TOKEN_JSON")}},
  {"id": "get-role-credentials", "family": "sso", "host": "portal.sso.us-east-1.amazonaws.com",
   "request": {"method": "GET", "path": "/federation/credentials", "query": "role_name=ReadOnly&account_id=123456789012",
               "headers": {"x-amz-sso_bearer_token": "$NEW_ACCESS"}},
   "response": {"status": 200, "headers": {"Content-Type": "application/json"}, "body": $(json_string "$ROLE_JSON")}},
  {"id": "web-identity", "family": "sts", "host": "sts.us-east-1.amazonaws.com",
   "request": {"method": "POST", "path": "/"},
   "response": {"status": 200, "headers": {"Content-Type": "text/xml"}, "body": $(json_string "$WI_XML")}}
 ]}
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
  --connect-to "oidc.us-east-1.amazonaws.com:443=127.0.0.1:$UP" \
  --connect-to "portal.sso.us-east-1.amazonaws.com:443=127.0.0.1:$UP" \
  --connect-to "sts.us-east-1.amazonaws.com:443=127.0.0.1:$UP" 2> "$T/record.log" &
REC_PID=$!; PIDS="$PIDS $REC_PID"
wait_port "$T/rec.port" 1
REC=$(cat "$T/rec.port")

# The SSO round: an sso-session profile, its token near expiry with a valid registration.
H="$T/home"
mkdir -p "$H/.aws/sso/cache"
cat > "$H/.aws/config" <<CFG
[profile dev]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = ReadOnly
region = us-east-1

[sso-session corp]
sso_start_url = https://chantless-test.awsapps.com/start
sso_region = us-east-1
CFG
CACHE="$H/.aws/sso/cache/$(printf '%s' corp | sha1sum | cut -d' ' -f1).json"
cat > "$CACHE" <<TOK
{"startUrl": "https://chantless-test.awsapps.com/start", "region": "us-east-1",
 "accessToken": "$OLD_ACCESS", "expiresAt": "$SOON", "clientId": "$CLIENT_ID",
 "clientSecret": "$CLIENT_SECRET", "registrationExpiresAt": "$NEXT_YEAR",
 "refreshToken": "$OLD_REFRESH"}
TOK
chmod 600 "$CACHE"
env -i HOME="$H" PATH=/usr/bin:/bin AWS_EC2_METADATA_DISABLED=true \
  HTTPS_PROXY="http://127.0.0.1:$REC" AWS_CA_BUNDLE="$T/proxy-ca.pem" \
  "$CH" resolve --profile dev --no-cache --format env-no-export \
  > "$T/sso.out" 2> "$T/sso.log" || fail "chantless resolve (sso) through the recorder"
grep -qF "AWS_ACCESS_KEY_ID=$SSO_KEY" "$T/sso.out" || fail "sso: not the upstream's credentials"
grep -qF "$NEW_ACCESS" "$CACHE" || fail "the refreshed token was not written back"

# The web identity round.
printf '%s' "$JWT" > "$T/token.jwt"
env -i HOME="$T/empty-home" PATH=/usr/bin:/bin AWS_EC2_METADATA_DISABLED=true \
  AWS_WEB_IDENTITY_TOKEN_FILE="$T/token.jwt" AWS_ROLE_ARN=arn:aws:iam::123456789012:role/irsa \
  AWS_ROLE_SESSION_NAME=pod AWS_REGION=us-east-1 AWS_STS_REGIONAL_ENDPOINTS=regional \
  HTTPS_PROXY="http://127.0.0.1:$REC" AWS_CA_BUNDLE="$T/proxy-ca.pem" \
  "$CH" resolve --no-cache --format env-no-export \
  > "$T/wi.out" 2> "$T/wi.log" || fail "chantless resolve (web identity) through the recorder"
grep -qF "AWS_ACCESS_KEY_ID=$WI_KEY" "$T/wi.out" || fail "web identity: not the upstream's credentials"

kill -TERM $REC_PID
rc=0; wait $REC_PID || rc=$?
[ "$rc" = 0 ] || fail "record exited $rc"
kill -TERM $UP_PID; wait $UP_PID || true
grep -q PASS "$T/upstream.out" || fail "the upstream's verdict is not PASS"

R="$T/recorded.json"
[ -s "$R" ] || fail "no recording"
for s in "$OLD_ACCESS" "$NEW_ACCESS" "$OLD_REFRESH" "$NEW_REFRESH" "$CLIENT_SECRET" \
         "$SSO_KEY" "$SSO_SECRET" "$SSO_TOKEN" "$WI_KEY" "$WI_SECRET" "$WI_TOKEN" "$JWT_SIG"; do
  if grep -qF "$s" "$R" "$T/record.log"; then
    fail "a secret survived the recording (a ${#s}-character value)"
  fi
done
grep -qF "$JWT_HEAD.$JWT_BODY." "$R" || fail "the JWT's header and payload are not readable"
"$CH" verify "$R" > "$T/verify.out" 2>&1 || fail "verify rejected the recording: $(cat "$T/verify.out")"
python3 - "$R" <<'PY' || fail "the recording's redaction is not consistent"
import json, sys
t = json.load(open(sys.argv[1]))
by_host = {}
for e in t["exchanges"]:
    by_host.setdefault(e.get("host", ""), []).append(e)
oidc = by_host["oidc.us-east-1.amazonaws.com"][0]
portal = by_host["portal.sso.us-east-1.amazonaws.com"][0]
sts = by_host["sts.us-east-1.amazonaws.com"][0]
new_access = json.loads(oidc["response"]["body"])["accessToken"]
bearer = {k.lower(): v for k, v in portal["request"]["headers"].items()}["x-amz-sso_bearer_token"]
assert bearer == new_access, (bearer, new_access)
assert "<SecretAccessKey>" in sts["response"]["body"]
assert json.loads(portal["response"]["body"])["roleCredentials"]["accessKeyId"].startswith("ASIA")
print("consistent:", bearer)
PY

# Replayed: a client holding the recording's placeholders (the cached token's refresh token and
# client secret, the redacted JWT) makes the same three calls and gets a PASS verdict.
python3 - "$R" "$CACHE" "$SOON" "$T/token2.jwt" <<'PY' || fail "placeholders for the replay"
import json, sys, urllib.parse
t = json.load(open(sys.argv[1]))
by_host = {e.get("host", ""): e for e in t["exchanges"]}
create = json.loads(by_host["oidc.us-east-1.amazonaws.com"]["request"]["body"])
cache = json.load(open(sys.argv[2]))
cache.update(accessToken="REDACTED-OLD-ACCESS-TOKEN", expiresAt=sys.argv[3],
             clientId=create["clientId"], clientSecret=create["clientSecret"],
             refreshToken=create["refreshToken"])
json.dump(cache, open(sys.argv[2], "w"))
form = urllib.parse.parse_qs(by_host["sts.us-east-1.amazonaws.com"]["request"]["body"])
open(sys.argv[4], "w").write(form["WebIdentityToken"][0])
PY
"$CH" serve "$R" --tls --ca-out "$T/replay-ca.pem" --port-file "$T/replay.port" \
  > "$T/replay.out" 2> "$T/replay.log" &
RP_PID=$!; PIDS="$PIDS $RP_PID"
wait_port "$T/replay.port" 2
RP=$(sed -n 2p "$T/replay.port")
env -i HOME="$H" PATH=/usr/bin:/bin AWS_EC2_METADATA_DISABLED=true \
  AWS_ENDPOINT_URL_SSO="https://127.0.0.1:$RP" AWS_ENDPOINT_URL_SSO_OIDC="https://127.0.0.1:$RP" \
  AWS_CA_BUNDLE="$T/replay-ca.pem" "$CH" resolve --profile dev --no-cache --format env-no-export \
  > "$T/sso2.out" 2> "$T/sso2.log" || fail "chantless resolve (sso) against the replay"
grep -qF "AWS_ACCESS_KEY_ID=ASIAREDACTED" "$T/sso2.out" || fail "sso: replayed credentials"
env -i HOME="$T/empty-home" PATH=/usr/bin:/bin AWS_EC2_METADATA_DISABLED=true \
  AWS_WEB_IDENTITY_TOKEN_FILE="$T/token2.jwt" AWS_ROLE_ARN=arn:aws:iam::123456789012:role/irsa \
  AWS_ROLE_SESSION_NAME=pod AWS_REGION=us-east-1 AWS_ENDPOINT_URL_STS="https://127.0.0.1:$RP" \
  AWS_CA_BUNDLE="$T/replay-ca.pem" "$CH" resolve --no-cache --format env-no-export \
  > "$T/wi2.out" 2> "$T/wi2.log" || fail "chantless resolve (web identity) against the replay"
grep -qF "AWS_ACCESS_KEY_ID=ASIAREDACTED" "$T/wi2.out" || fail "web identity: replayed credentials"
kill -TERM $RP_PID
rc=0; wait $RP_PID || rc=$?
grep -q "PASS" "$T/replay.out" || fail "replay verdict is not PASS: $(cat "$T/replay.out")"
[ "$rc" = 0 ] || fail "serve of the recording exited $rc"
echo PASS
