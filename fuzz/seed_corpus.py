#!/usr/bin/env python3
"""Regenerates the fixture-derived seeds of fuzz/seeds/<target>/ from fixtures/ and replay/testdata/.

Every seed written here is named `fixture_<where>` and is overwritten on each run; hand-written
edge cases (named for what they test: `missing_expiration`, `code_failure`, `nested_bom`, ...) and
`regression_*` reproducers are never touched. Run from anywhere: `python3 fuzz/seed_corpus.py`.
Sources:
  profile_file_fuzzer               the ~/.aws/config and credentials files of fixtures/chain cases
  credential_process_output_fuzzer  the process stdout of fixtures/chain cases
  transcript_fuzzer, replay_client_fuzzer
                                    every transcript (fixtures/*/*.json, replay/testdata/*.json)
  imds_credentials_fuzzer, container_credentials_fuzzer, credentials_differential_fuzzer
                                    response bodies holding "AccessKeyId" in those transcripts
  metadata_listing_fuzzer           IMDS directory listings (paths ending in "/")
  instance_identity_fuzzer          instance identity documents
Client targets (container_client_fuzzer, imds_client_fuzzer, sts_sso_client_fuzzer) read a FuzzedDataProvider layout that
is not editable by hand, so their seeds are generated from the scenario tables below (CLIENT_SEEDS)
and named for what they exercise (`ecs_relative_success`, `throttled_then_v1`, ...); they are
rewritten on every run too.
"""
import base64
import glob
import json
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEEDS = os.path.join(ROOT, "fuzz", "seeds")  # named inputs; fuzz/corpus/ is libFuzzer's


def slug(text):
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower()


def write(target, name, data):
    directory = os.path.join(SEEDS, target)
    os.makedirs(directory, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(directory, "fixture_" + slug(name)), "wb") as f:
        f.write(data)


def body_of(response):
    if "body_base64" in response:
        return base64.b64decode(response["body_base64"])
    return response.get("body", "").encode()


K = "ASIAQEXAMPLEFUZZKEY"
S = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
T = "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN"
IMDS_TOKEN = "AQAEAFAKEIMDSTOKENEXAMPLE=="
CREDS = ('{"Code":"Success","LastUpdated":"2024-05-01T11:55:00Z","Type":"AWS-HMAC",'
         '"AccessKeyId":"%s","SecretAccessKey":"%s","Token":"%s",'
         '"Expiration":"2024-05-01T18:00:00Z"}' % (K, S, T))
EXPIRED = CREDS.replace("2024-05-01T18:00:00Z", "2024-05-01T11:00:00Z")
ECS = ('{"RoleArn":"arn:aws:iam::123456789012:role/demo","AccessKeyId":"%s","SecretAccessKey":"%s",'
       '"Token":"%s","Expiration":"2024-05-01T18:00:00Z"}' % (K, S, T))
HTML = "<html><body><h1>503 Service Unavailable</h1></body></html>"
STATUS = {200: 0, 404: 2, 401: 3, 403: 4, 500: 5, 503: 6, 429: 7, 400: 8, 405: 9, 302: 10}
OUTCOME = {"refused": 4, "timeout": 5, "truncated": 6, "reset": 7}
HEADERS = {"Content-Type": 0, "Retry-After": 1, "X-aws-ec2-metadata-token-ttl-seconds": 2}


class Fdp:
    """Builds input for FuzzedDataProvider: integers from the end, strings from the front."""

    def __init__(self):
        self.front, self.back = b"", []

    def byte(self, value):
        self.back.append(value)

    def string(self, text):
        self.front += text.encode().replace(b"\\", b"\\\\") + b"\\n"

    def answer(self, status, body="", headers=()):
        if status in OUTCOME:
            self.byte(OUTCOME[status])
            return
        self.byte(0)
        self.byte(STATUS[status])
        self.byte(len(headers))
        for name, value in headers:
            self.byte(HEADERS[name])
            self.string(value)
        self.string(body)

    def data(self):
        return self.front + bytes(reversed(self.back))


def container_seed(relative=0, full=0, token=0, token_file=0, answers=(), calls=1):
    f = Fdp()
    for b in (relative, full, token, token_file, calls - 1):
        f.byte(b)
    for a in answers:
        f.answer(*a)
    return f.data()


def imds_seed(config=(0, 0, 0, 0, 0, 0, 0), calls=((0, ()),)):
    f = Fdp()
    for b in config:
        f.byte(b)
    f.byte(len(calls) - 1)
    # Clock bytes are read before each call, interleaved with that call's answers.
    for clock, answers in calls:
        f.byte(clock)
        for a in answers:
            f.answer(*a)
    return f.data()


JSON = (("Content-Type", "application/json"),)

def sts_body(root="AssumeRole", key="ASIAFAKEASSUMEDROLE01", expiration="2024-05-01T13:00:00Z"):
    return ('<%sResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><%sResult>'
            '<AssumedRoleUser><AssumedRoleId>AROAFAKEROLEID:session</AssumedRoleId>'
            '<Arn>arn:aws:sts::123456789012:assumed-role/demo/session</Arn></AssumedRoleUser>'
            '<Credentials><AccessKeyId>%s</AccessKeyId>'
            '<SecretAccessKey>sts-EXAMPLE-secret-access-key</SecretAccessKey>'
            '<SessionToken>sts-EXAMPLE-session-token</SessionToken>'
            '<Expiration>%s</Expiration></Credentials></%sResult><ResponseMetadata>'
            '<RequestId>11111111-2222-3333-4444-555555555555</RequestId></ResponseMetadata>'
            '</%sResponse>' % (root, root, key, expiration, root, root))


def sts_error(code, message="fake message"):
    return ('<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender'
            '</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>req-0001</RequestId>'
            '</ErrorResponse>' % (code, message))


SSO_ROLE = ('{"roleCredentials":{"accessKeyId":"ASIAEXAMPLESSOROLE","secretAccessKey":'
            '"sso-EXAMPLE-secret-access-key","sessionToken":"sso-EXAMPLE-session-token",'
            '"expiration":1714568400000}}')
SSO_TOKEN = ('{"accessToken":"sso-EXAMPLE-new-token","expiresIn":28800,'
             '"refreshToken":"sso-EXAMPLE-new-refresh","tokenType":"Bearer"}')
SSO_UNAUTHORIZED = '{"message":"Session token not found or invalid","__type":"UnauthorizedException"}'
SCENARIO = {"role": 0, "hops": 1, "env": 2, "web": 3, "legacy": 4, "session": 5}


def sts_sso_seed(scenario, region=0, token=0, options=0, variant=0, cache=0, fronts=(),
                 calls=((0, ()),)):
    """Configuration bytes (sts_sso_client_fuzzer.cc), front strings, then per call a clock byte
    (0, 1 min, 20 min, 2 h) and its answers."""
    f = Fdp()
    for b in (SCENARIO[scenario], region, token, options, variant, cache, len(calls) - 1):
        f.byte(b)
    for text in fronts:
        f.string(text)
    for clock, answers in calls:
        f.byte(clock)
        for a in answers:
            f.answer(*a)
    return f.data()


ROLE_OK = (200, sts_body())
WEB_OK = (200, sts_body("AssumeRoleWithWebIdentity"))
XML = (("Content-Type", "text/xml"),)

TOKEN_OK = ("PUT", 200, IMDS_TOKEN, (("X-aws-ec2-metadata-token-ttl-seconds", "21600"),))
V2_FLOW = [TOKEN_OK[1:], (200, "TestEC2Role"), (200, CREDS)]
CLIENT_SEEDS = {
    "container_client_fuzzer": {
        "ecs_relative_success": container_seed(relative=1, answers=[(200, ECS, JSON)]),
        "eks_full_uri_token_file": container_seed(full=4, token_file=1, answers=[(200, ECS)]),
        "cloudshell_localhost_token": container_seed(full=2, token=1, answers=[(200, CREDS)]),
        "ipv6_eks_crlf_token_file": container_seed(full=5, token_file=2, answers=[(200, ECS)]),
        "html_503_then_refused_then_success": container_seed(
            relative=1, answers=[(503, HTML), ("refused",), (200, ECS)]),
        "500_exhausts_retries": container_seed(relative=1, answers=[(500, HTML)] * 3),
        "404_not_retried": container_seed(relative=1, answers=[(404, "Not Found")]),
        "timeout_then_truncated_then_success": container_seed(
            full=1, answers=[("timeout",), ("truncated",), (200, ECS)]),
        "disallowed_host": container_seed(full=6),
        "ftp_scheme": container_seed(full=7),
        "user_info": container_seed(full=8),
        "crlf_token_rejected": container_seed(full=1, token=3),
        "empty_token_file": container_seed(relative=1, token_file=3),
        "bad_token_file": container_seed(relative=1, token_file=4),
        "relative_wins_over_full": container_seed(relative=1, full=1, token=1, answers=[(200, ECS)]),
        "bad_json_200": container_seed(relative=1, answers=[(200, '{"AccessKeyId":')]),
        "code_failure_200": container_seed(relative=1, answers=[
            (200, '{"Code":"InvalidToken","Message":"bad token EXAMPLE"}')]),
        "three_calls": container_seed(relative=2, calls=3, answers=[(200, ECS)] * 3),
        "nothing_configured": container_seed(),
    },
    "sts_sso_client_fuzzer": {
        "role_success": sts_sso_seed("role", calls=[(0, [ROLE_OK])]),
        "role_session_token_external_id": sts_sso_seed("role", token=1, options=1,
                                                       calls=[(0, [ROLE_OK])]),
        "role_eu_west_1_duration_900": sts_sso_seed("role", region=1, options=2,
                                                    calls=[(0, [(200, sts_body(), XML)])]),
        "role_access_denied": sts_sso_seed("role", calls=[(0, [
            (403, sts_error("AccessDenied", "User is not authorized to perform sts:AssumeRole"))])]),
        "role_throttling": sts_sso_seed("role", calls=[(0, [
            (400, sts_error("Throttling", "Rate exceeded"))]), (1, [ROLE_OK])]),
        "role_expired_source_token": sts_sso_seed("role", token=1, calls=[(0, [
            (403, sts_error("ExpiredToken", "The security token included in the request is expired"))])]),
        "role_503_html": sts_sso_seed("role", calls=[(0, [(503, HTML)])]),
        "role_refused_then_success": sts_sso_seed("role", calls=[(0, [("refused",)]),
                                                                  (1, [ROLE_OK])]),
        "role_bad_xml": sts_sso_seed("role", calls=[(0, [(200, "<AssumeRoleResponse><Assume")])]),
        "role_cache_hit": sts_sso_seed("role", cache=2, calls=[(0, ())]),
        "role_cache_near_expiry": sts_sso_seed("role", cache=3, calls=[(0, [ROLE_OK])]),
        "role_cache_corrupt_rewritten": sts_sso_seed("role", cache=4, calls=[(0, [ROLE_OK])]),
        "role_cache_miss_written_then_reused": sts_sso_seed(
            "role", cache=1, calls=[(0, [ROLE_OK]), (1, ()), (3, [ROLE_OK])]),
        "role_cache_fuzzed_entry": sts_sso_seed(
            "role", cache=5, fronts=['{"Credentials": {"AccessKeyId": "A", "SecretAccessKey": '
                                     '"cached-EXAMPLE-secret-access-key", "SessionToken": "t", '
                                     '"Expiration": "2024-05-01T18:00:00+00:00"}}'],
            calls=[(0, ())]),
        "two_hops_success": sts_sso_seed("hops", calls=[(0, [ROLE_OK, ROLE_OK])]),
        "two_hops_chaining_duration_refused": sts_sso_seed("hops", options=3, calls=[(0, [
            ROLE_OK, (400, sts_error("ValidationError", "The requested DurationSeconds exceeds "
                                     "the 1 hour session limit for roles assumed by role chaining."))])]),
        "two_hops_cached_inner": sts_sso_seed("hops", cache=1, calls=[
            (0, [ROLE_OK, ROLE_OK]), (1, ())]),
        "env_source_success": sts_sso_seed("env", calls=[(0, [ROLE_OK])]),
        "env_source_session_token": sts_sso_seed("env", token=1, calls=[(0, [
            (403, sts_error("InvalidClientTokenId", "The security token included in the request is invalid"))])]),
        "web_identity_success": sts_sso_seed("web", calls=[(0, [WEB_OK])]),
        "web_identity_idp_retried": sts_sso_seed("web", calls=[(0, [
            (400, sts_error("IDPCommunicationError", "timeout")),
            (400, sts_error("InvalidIdentityToken", "Couldn't retrieve verification key")),
            WEB_OK])]),
        "web_identity_retries_exhausted": sts_sso_seed("web", calls=[(0, [
            (400, sts_error("IDPCommunicationError", "timeout"))] * 3)]),
        "web_identity_newline_token": sts_sso_seed("web", variant=1, calls=[(0, [WEB_OK])]),
        "web_identity_empty_token_file": sts_sso_seed("web", variant=2),
        "web_identity_missing_token_file": sts_sso_seed("web", variant=3),
        "web_identity_fuzzed_token": sts_sso_seed("web", variant=4, fronts=["abc.def.ghi"],
                                                  calls=[(0, [WEB_OK])]),
        "web_identity_access_denied_cache_on": sts_sso_seed("web", cache=1, calls=[(0, [
            (403, sts_error("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"))])]),
        "sso_legacy_success": sts_sso_seed("legacy", variant=2, calls=[(0, [(200, SSO_ROLE, JSON)])]),
        "sso_legacy_expired_token": sts_sso_seed("legacy", variant=1),
        "sso_legacy_no_token_file": sts_sso_seed("legacy", variant=4),
        "sso_legacy_401": sts_sso_seed("legacy", variant=2, calls=[(0, [(401, SSO_UNAUTHORIZED)])]),
        "sso_legacy_429": sts_sso_seed("legacy", variant=2, calls=[(0, [
            (429, '{"message":"Rate exceeded","__type":"TooManyRequestsException"}')])]),
        "sso_legacy_cache_hit": sts_sso_seed("legacy", variant=2, cache=2),
        "sso_legacy_cache_written": sts_sso_seed("legacy", variant=2, cache=1, calls=[
            (0, [(200, SSO_ROLE)]), (1, ())]),
        "sso_session_refresh_then_credentials": sts_sso_seed("session", calls=[(0, [
            (200, SSO_TOKEN, JSON), (200, SSO_ROLE, JSON)])]),
        "sso_session_expired_refresh_fails": sts_sso_seed("session", variant=1, calls=[(0, [
            (400, '{"error":"invalid_grant","error_description":"expired"}')])]),
        "sso_session_near_expiry_refresh_fails_uses_token": sts_sso_seed("session", calls=[(0, [
            (500, HTML), (200, SSO_ROLE)])]),
        "sso_session_fresh_token": sts_sso_seed("session", variant=2, calls=[(0, [(200, SSO_ROLE)])]),
        "sso_session_bad_create_token_json": sts_sso_seed("session", variant=3, calls=[(0, [
            (200, '{"accessToken":"x","expiresIn":-1}'), (200, SSO_ROLE)])]),
        "sso_session_three_calls": sts_sso_seed("session", cache=1, calls=[
            (0, [(200, SSO_TOKEN), (200, SSO_ROLE)]), (1, ()), (3, [(200, SSO_ROLE)])]),
        "sso_session_portal_timeout": sts_sso_seed("session", variant=2, calls=[(0, [("timeout",)])]),
    },
    "imds_client_fuzzer": {
        "v2_success": imds_seed(calls=[(0, V2_FLOW)]),
        "v2_two_calls_token_cached": imds_seed(calls=[(0, V2_FLOW), (1, [(200, CREDS)])]),
        "v1_fallback_on_403": imds_seed(calls=[(0, [(403, ""), (200, "TestEC2Role"),
                                                    (200, CREDS)])]),
        "v1_disabled_403": imds_seed(config=(0, 0, 1, 0, 0, 0, 0), calls=[(0, [(403, "")])]),
        "legacy_listing_after_404": imds_seed(calls=[(0, [TOKEN_OK[1:], (404, ""),
                                                          (200, "TestEC2Role"), (200, CREDS)])]),
        "no_role_attached": imds_seed(calls=[(0, [TOKEN_OK[1:], (404, ""), (404, "")])]),
        "throttled_retry_after": imds_seed(calls=[(0, [
            (429, "", (("Retry-After", "1"),)), (503, ""), TOKEN_OK[1:], (200, "TestEC2Role"),
            (200, CREDS)])]),
        "401_refreshes_token": imds_seed(calls=[(0, [TOKEN_OK[1:], (401, ""), TOKEN_OK[1:],
                                                     (200, "TestEC2Role"), (200, CREDS)])]),
        "token_timeout_hop_limit": imds_seed(calls=[(0, [("timeout",), (200, "TestEC2Role"),
                                                         (200, CREDS)])]),
        "token_400": imds_seed(calls=[(0, [(400, "")])]),
        "expired_credentials_extended": imds_seed(calls=[(0, [TOKEN_OK[1:], (200, "TestEC2Role"),
                                                              (200, EXPIRED)])]),
        "refresh_fails_after_success": imds_seed(calls=[(0, V2_FLOW),
                                                        (3, [(500, ""), ("refused",)])]),
        "named_profile_skips_discovery": imds_seed(config=(0, 0, 0, 0, 0, 1, 0),
                                                   calls=[(0, [TOKEN_OK[1:], (200, CREDS)])]),
        "bad_role_name": imds_seed(calls=[(0, [TOKEN_OK[1:], (200, "bad/role\nx")])]),
        "custom_endpoint_attempts_3": imds_seed(config=(1, 0, 0, 2, 2, 0, 0), calls=[(0, [
            ("reset",), (500, ""), TOKEN_OK[1:], (200, "TestEC2Role"), (200, CREDS)])]),
        "ipv6_mode": imds_seed(config=(0, 1, 0, 0, 0, 0, 0), calls=[(0, V2_FLOW)]),
        "https_endpoint_trailing_slashes": imds_seed(config=(3, 0, 0, 0, 0, 0, 0),
                                                     calls=[(0, V2_FLOW)]),
        "invalid_mode": imds_seed(config=(0, 3, 0, 0, 0, 0, 0)),
        "invalid_endpoint_scheme": imds_seed(config=(4, 0, 0, 0, 0, 0, 0)),
        "disabled": imds_seed(config=(0, 0, 0, 0, 0, 0, 2)),
        "bad_credentials_json": imds_seed(calls=[(0, [TOKEN_OK[1:], (200, "TestEC2Role"),
                                                      (200, '{"Code":"Success"}')])]),
    },
}


def main():
    count = 0
    for target, seeds in CLIENT_SEEDS.items():
        directory = os.path.join(SEEDS, target)
        os.makedirs(directory, exist_ok=True)
        for name, data in seeds.items():
            with open(os.path.join(directory, name), "wb") as f:
                f.write(data)
            count += 1
    for case in sorted(glob.glob(os.path.join(ROOT, "fixtures/chain/*/case.json"))):
        name = os.path.basename(os.path.dirname(case))
        spec = json.load(open(case))
        for path, text in spec.get("files", {}).items():
            if os.path.basename(path) in ("config", "credentials"):
                write("profile_file_fuzzer", name + "_" + os.path.basename(path), text)
                count += 1
        stdout = spec.get("process", {}).get("stdout")
        if stdout:
            write("credential_process_output_fuzzer", name, stdout)
            count += 1
    transcripts = sorted(glob.glob(os.path.join(ROOT, "fixtures/*/*.json")) +
                         glob.glob(os.path.join(ROOT, "replay/testdata/*.json")))
    for path in transcripts:
        where = os.path.relpath(path, ROOT)[: -len(".json")]
        text = open(path, "rb").read()
        write("transcript_fuzzer", where, text)
        write("replay_client_fuzzer", where, text)
        count += 2
        try:
            transcript = json.loads(text)
        except ValueError:
            continue
        for exchange in transcript.get("exchanges", []):
            response = exchange.get("response")
            if not isinstance(response, dict):
                continue
            body = body_of(response)
            request_path = exchange.get("request", {}).get("path", "")
            seed = where + "_" + exchange.get("id", "")
            if b"AccessKeyId" in body:
                targets = ["credentials_differential_fuzzer"]
                targets.append("imds_credentials_fuzzer" if "security-credentials" in request_path
                               else "container_credentials_fuzzer")
                for target in targets:
                    write(target, seed, body)
                    count += 1
            elif request_path.startswith("/latest/meta-data/") and request_path.endswith("/"):
                write("metadata_listing_fuzzer", seed, body)
                count += 1
            elif request_path.startswith("/latest/dynamic/instance-identity/document"):
                write("instance_identity_fuzzer", seed, body)
                count += 1
    print("wrote %d fixture seeds under %s" % (count, os.path.relpath(SEEDS, os.getcwd())))


if __name__ == "__main__":
    main()
