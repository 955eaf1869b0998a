#!/usr/bin/env python3
"""Times botocore's cold credential resolution in-process (interpreter start-up and imports excluded).

Usage: botocore_peer.py RUNS. The endpoint comes from the environment (AWS_EC2_METADATA_SERVICE_ENDPOINT
or AWS_CONTAINER_CREDENTIALS_FULL_URI + AWS_CONTAINER_AUTHORIZATION_TOKEN), or the role profile
(AWS_PROFILE, AWS_CONFIG_FILE, AWS_CA_BUNDLE: the AssumeRole happens in get_frozen_credentials(),
with the STS client botocore creates for it), set by peers.py. Each run
builds a new botocore session (outside the timed region) and times get_credentials() +
get_frozen_credentials() through botocore's whole default chain. Prints one JSON line:
{"client": "botocore <version>", "runs": N, "times_ms": [...], "method": "iam-role"}.
No credential value is printed.
"""
import json
import sys
import time

import botocore
import botocore.session


def main() -> int:
    runs = int(sys.argv[1])
    times = []
    method = None
    for _ in range(runs):
        session = botocore.session.get_session()
        start = time.perf_counter()
        credentials = session.get_credentials()
        if credentials is None:
            print(json.dumps({"client": "botocore", "error": "no credentials"}))
            return 1
        credentials.get_frozen_credentials()
        times.append((time.perf_counter() - start) * 1000.0)
        method = credentials.method
    print(json.dumps({"client": "botocore " + botocore.__version__, "runs": runs,
                      "times_ms": times, "method": method}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
