#!/usr/bin/env python3
"""Generates STS-shaped requests and botocore's SigV4 signatures of them, as JSON.

    botocore_cases.py <out.json> [count] [seed]

Deterministic for a given seed: random role ARNs, session names, external ids, durations,
regions, hosts with and without ports, with and without a session token, at fixed timestamps.
The body is form-encoded the way botocore's query serializer does it (urlencode: space as '+');
the bytes are the input, so the C++ side signs exactly the same bytes. botocore signs through
botocore.auth.SigV4Auth on a botocore.awsrequest.AWSRequest, with the timestamp pinned in the
request context instead of utcnow() (the only difference from SigV4Auth.add_auth).

Exit status 0 with the JSON written; 77 (and a SKIP line) when botocore cannot be imported.
"""
import datetime
import json
import random
import string
import sys
import urllib.parse

try:
    import botocore
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError as e:  # pragma: no cover - depends on the machine
    print(f"SKIP: botocore is not importable by {sys.executable} ({e}); "
          "install python3-botocore (./dev setup)")
    sys.exit(77)

REGIONS = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2",
           "ap-northeast-1", "sa-east-1", "ca-central-1", "me-south-1", "cn-north-1",
           "us-gov-west-1", "il-central-1"]
PARTITIONS = ["aws", "aws", "aws", "aws-cn", "aws-us-gov"]
SESSION_CHARS = string.ascii_letters + string.digits + "_+=,.@-"
EXTERNAL_CHARS = SESSION_CHARS + ":/"


def rand_text(rng, chars, lo, hi):
    return "".join(rng.choice(chars) for _ in range(rng.randint(lo, hi)))


def make_case(rng, index):
    region = rng.choice(REGIONS)
    account = "".join(rng.choice(string.digits) for _ in range(12))
    path = "/".join(rand_text(rng, string.ascii_letters + string.digits + "_+=,.@-", 1, 12)
                    for _ in range(rng.randint(0, 2)))
    role = rand_text(rng, string.ascii_letters + string.digits + "_+=,.@-", 1, 40)
    role_arn = f"arn:{rng.choice(PARTITIONS)}:iam::{account}:role/{path + '/' if path else ''}{role}"
    params = [("Action", "AssumeRole"), ("Version", "2011-06-15"), ("RoleArn", role_arn),
              ("RoleSessionName", rand_text(rng, SESSION_CHARS, 2, 64))]
    if rng.random() < 0.5:
        params.append(("ExternalId", rand_text(rng, EXTERNAL_CHARS, 2, 80)))
    if rng.random() < 0.5:
        params.append(("DurationSeconds", str(rng.randint(900, 43200))))
    if rng.random() < 0.2:
        params.append(("SerialNumber", f"arn:aws:iam::{account}:mfa/{role}"))
        params.append(("TokenCode", "".join(rng.choice(string.digits) for _ in range(6))))
    rng.shuffle(params[2:])  # parameter order differs between SDKs
    body = urllib.parse.urlencode(params)

    kind = rng.randrange(4)
    if kind == 0:
        host = f"sts.{region}.amazonaws.com"
    elif kind == 1:
        host = f"sts.{region}.amazonaws.com:{rng.choice([4443, 8443, 10443])}"
    elif kind == 2:
        host = f"127.0.0.1:{rng.randint(1025, 65535)}"
    else:
        host = "sts.amazonaws.com"
        region = "us-east-1"
    headers = [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")]
    if rng.random() < 0.5:
        headers.append(("User-Agent", f"Boto3/1.26.27 Python/3.11.2 Linux/6.1 Botocore/{botocore.__version__}"))
    if rng.random() < 0.2:
        headers.append(("X-Amz-Meta-Trace", "  a   b\t c  "))

    access_key = "ASIA" + "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(16))
    secret = rand_text(rng, string.ascii_letters + string.digits + "/+", 40, 40)
    token = None
    if rng.random() < 0.5:
        token = rand_text(rng, string.ascii_letters + string.digits + "/+=", 100, 600)
    seconds = rng.randint(1420070400, 2051222400)  # 2015-01-01 .. 2035-01-01
    timestamp = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")

    request = AWSRequest(method="POST", url=f"https://{host}/", headers=dict(headers), data=body)
    auth = SigV4Auth(Credentials(access_key, secret, token), "sts", region)
    request.context["timestamp"] = timestamp
    auth._modify_request_before_signing(request)
    canonical = auth.canonical_request(request)
    signature = auth.signature(auth.string_to_sign(request, canonical), request)
    auth._inject_signature_to_request(request, signature)
    return {
        "name": f"case-{index:04d}",
        "method": "POST",
        "host": host,
        "path": "/",
        "headers": headers,
        "body": body,
        "region": region,
        "service": "sts",
        "time": seconds,
        "access_key_id": access_key,
        "secret_access_key": secret,
        "session_token": token or "",
        "expected_x_amz_date": request.headers["X-Amz-Date"],
        "expected_authorization": request.headers["Authorization"],
    }


def main():
    out = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 20150830
    rng = random.Random(seed)
    cases = [make_case(rng, i) for i in range(count)]
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"botocore_version": botocore.__version__, "seed": seed, "cases": cases}, f,
                  indent=1)
    print(f"botocore {botocore.__version__}: {count} cases (seed {seed}) -> {out}")


if __name__ == "__main__":
    main()
