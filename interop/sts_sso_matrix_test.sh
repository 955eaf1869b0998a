#!/usr/bin/env bash
# The STS/SSO interop matrix: the AWS CLI v2 (`aws configure export-credentials`), botocore
# (python3) and the JS SDK v3 (fromNodeProviderChain) resolve, against `chantless serve --tls` in a
# private network + mount namespace (tools/in_namespace.sh: the AWS host names resolve to the
# replay, its throwaway CA is trusted):
#   assume-role-static   role_arn + source_profile with static keys  (fixtures/sts/assume-role-static-keys.json)
#   assume-role-imds     role_arn + credential_source = Ec2InstanceMetadata (IMDS over plain HTTP,
#                        STS over TLS; fixtures/sts/credential-source-imds.json)
#   web-identity-env     AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN     (fixtures/sts/web-identity.json)
#   sso-session          an sso-session profile with a valid token cache (fixtures/sso/get-role-credentials.json)
#   web-identity-profile the profile `serve --client-env` derives: chantless-web-identity-1, its
#                        token file beside the env file                 (fixtures/sts/web-identity.json)
#   sso-client-env       the profile `serve --client-env` derives: chantless-sso-1, its sso-session
#                        and token cache under the HOME the env file sets (fixtures/sso/get-role-credentials.json)
# and chantless itself in the same cells. The first four write their own files; the last two use
# only what `chantless serve --client-env` wrote. Each cell passes when the client prints the transcript's
# access key id and the replay's verdict passes — the STS transcripts declare their fake source
# keys and verify every AssumeRole signature. A cell a client cannot do is an expected failure with
# its reason (none today). Prints the matrix. Skipped (exit 0 with a reason) where no namespace
# can be made; a client that is not installed is skipped with the reason.
# Args: chantless, tools/in_namespace.sh, interop/js_resolve.mjs, the fixtures directory.
set -uo pipefail
CHANTLESS="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
IN_NAMESPACE="$2"
JS="$(cd "$(dirname "$3")" && pwd)/$(basename "$3")"
FIXTURES="$(cd "$4" && pwd)"
TMP="${TEST_TMPDIR:-$(mktemp -d)}"

if ! "$IN_NAMESPACE" --chantless "$CHANTLESS" "$FIXTURES/sts/web-identity.json" -- true >/dev/null 2>"$TMP/probe"; then
  if [ "$?" -eq 77 ]; then echo "SKIPPED: $(cat "$TMP/probe")"; exit 0; fi
fi

# The fake keys of the transcripts (no secret: obviously fake, see fixtures/README.md).
cat >"$TMP/static-config" <<'CFG'
[profile role]
region = us-east-1
role_arn = arn:aws:iam::123456789012:role/demo
source_profile = base
CFG
cat >"$TMP/static-credentials" <<'CRED'
[base]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
CRED
cat >"$TMP/imds-config" <<'CFG'
[profile role]
region = us-east-1
role_arn = arn:aws:iam::123456789012:role/demo
credential_source = Ec2InstanceMetadata
CFG
cat >"$TMP/sso-config" <<'CFG'
[profile dev]
sso_session = my-sso
sso_account_id = 123456789012
sso_role_name = ReadOnly
region = us-east-1

[sso-session my-sso]
sso_start_url = https://d-abc.awsapps.com/start
sso_region = us-east-1
CFG
printf '%s' "eyJhbGciOiJSUzI1NiIsImtpZCI6IkVYQU1QTEUifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6ZGVmYXVsdDphcHAifQ.EXAMPLESIGNATUREEXAMPLESIGNATURE" >"$TMP/jwt"
EXPIRES="$(date -u -d '+8 hours' +%Y-%m-%dT%H:%M:%SZ)"
cat >"$TMP/resolve_botocore.py" <<'PY'
import botocore.session
print("resolved", botocore.session.Session().get_credentials().get_frozen_credentials().access_key)
PY

# setup CASE: the shell lines each cell runs first, inside the namespace (client.env sourced).
setup() {
  case "$1" in
    assume-role-static)
      echo "export AWS_CONFIG_FILE=$TMP/static-config AWS_SHARED_CREDENTIALS_FILE=$TMP/static-credentials AWS_PROFILE=role" ;;
    assume-role-imds)
      echo "export AWS_CONFIG_FILE=$TMP/imds-config AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PROFILE=role" ;;
    web-identity-env)
      echo "unset AWS_PROFILE; export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true AWS_WEB_IDENTITY_TOKEN_FILE=$TMP/jwt AWS_ROLE_ARN=arn:aws:iam::123456789012:role/irsa AWS_ROLE_SESSION_NAME=matrix" ;;
    sso-session)
      echo "mkdir -p \"\$HOME/.aws/sso/cache\"; printf '%s' '{\"startUrl\": \"https://d-abc.awsapps.com/start\", \"region\": \"us-east-1\", \"accessToken\": \"REDACTED-BEARER-TOKEN-0001\", \"expiresAt\": \"$EXPIRES\"}' >\"\$HOME/.aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json\"; export AWS_CONFIG_FILE=$TMP/sso-config AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PROFILE=dev" ;;
    web-identity-profile)
      echo 'test "$AWS_PROFILE" = chantless-web-identity-1' ;;
    sso-client-env)
      # sha1("chantless-sso"): the sso-session's token cache entry, under the HOME client.env sets.
      echo 'test "$AWS_PROFILE" = chantless-sso-1; test -f "$HOME/.aws/sso/cache/ce1e6ab84e3c91023e22f7de293931e55d99ea06.json"' ;;
  esac
}
transcript() {
  case "$1" in
    assume-role-static) echo "$FIXTURES/sts/assume-role-static-keys.json" ;;
    assume-role-imds) echo "$FIXTURES/sts/credential-source-imds.json" ;;
    web-identity-env) echo "$FIXTURES/sts/web-identity.json" ;;
    sso-session) echo "$FIXTURES/sso/get-role-credentials.json" ;;
    web-identity-profile) echo "$FIXTURES/sts/web-identity.json" ;;
    sso-client-env) echo "$FIXTURES/sso/get-role-credentials.json" ;;
  esac
}
expected_key() {
  case "$1" in
    assume-role-static) echo ASIAQEXAMPLEROLE0001 ;;
    assume-role-imds) echo ASIAQEXAMPLEROLE0010 ;;
    web-identity-env) echo ASIAQEXAMPLEROLE0011 ;;
    sso-session) echo ASIAQEXAMPLESSO00001 ;;
    web-identity-profile) echo ASIAQEXAMPLEROLE0011 ;;
    sso-client-env) echo ASIAQEXAMPLESSO00001 ;;
  esac
}
client_cmd() {
  case "$1" in
    chantless) echo "\"$CHANTLESS\" resolve --format process --no-cache" ;;
    aws-cli) echo "/usr/bin/aws configure export-credentials --format process" ;;
    botocore) echo "python3 $TMP/resolve_botocore.py" ;;
    js-sdk) echo "node $JS" ;;
  esac
}
client_missing() {
  case "$1" in
    aws-cli) [ -x /usr/bin/aws ] || echo "/usr/bin/aws is not installed" ;;
    botocore) python3 -c 'import botocore' 2>/dev/null || echo "python3-botocore is not installed" ;;
    js-sdk)
      if [ -z "${CHANTLESS_NPM_DIR:-}" ] || [ ! -d "$CHANTLESS_NPM_DIR/node_modules/@aws-sdk/credential-providers" ] ||
        ! command -v node >/dev/null; then echo "the JS SDK v3 is not installed (./dev setup)"; fi ;;
  esac
}

fail=0
printf '\n%-22s' "case"
CLIENTS=(chantless aws-cli botocore js-sdk)
for c in "${CLIENTS[@]}"; do printf '%-12s' "$c"; done
printf '\n'
REPORT=""
for case_ in assume-role-static assume-role-imds web-identity-env sso-session web-identity-profile sso-client-env; do
  printf '%-22s' "$case_"
  for client in "${CLIENTS[@]}"; do
    missing="$(client_missing "$client")"
    if [ -n "$missing" ]; then printf '%-12s' "skip"; REPORT+="$case_/$client: skipped: $missing"$'\n'; continue; fi
    script="$TMP/$case_-$client.sh"
    { echo "set -e"; setup "$case_"; echo "$(client_cmd "$client")"; } >"$script"
    out="$(CHANTLESS_NPM_DIR="${CHANTLESS_NPM_DIR:-}" "$IN_NAMESPACE" --chantless "$CHANTLESS" "$(transcript "$case_")" -- sh "$script" 2>&1)"
    rc=$?
    if [ "$rc" -eq 0 ] && grep -q "$(expected_key "$case_")" <<<"$out" && grep -q "verdict: PASS" <<<"$out" &&
      ! grep -q "signature rejected" <<<"$out"; then
      printf '%-12s' "PASS"
    else
      printf '%-12s' "FAIL"
      fail=1
      REPORT+="--- $case_/$client (exit $rc):"$'\n'"$out"$'\n'
    fi
  done
  printf '\n'
done
printf '\n%s' "$REPORT"
exit "$fail"
