#!/usr/bin/env python3
"""Regenerates the fixture-derived seeds of fuzz/corpus/<target>/ from fixtures/ and replay/testdata/.

Every seed written here is named `fixture_<where>` and is overwritten on each run; hand-written
edge cases (named for what they test: `missing_expiration`, `code_failure`, `nested_bom`, ...) and
`regression_*` reproducers are never touched. Run from anywhere: `python3 fuzz/seed_corpus.py`.
Sources:
  profile_file_fuzzer               the ~/.aws/config and credentials files of fixtures/chain cases
  credential_process_output_fuzzer  the process stdout of fixtures/chain cases
  transcript_fuzzer                 every transcript (fixtures/*/*.json, replay/testdata/*.json)
  imds_credentials_fuzzer, container_credentials_fuzzer, credentials_differential_fuzzer
                                    response bodies holding "AccessKeyId" in those transcripts
  metadata_listing_fuzzer           IMDS directory listings (paths ending in "/")
  instance_identity_fuzzer          instance identity documents
"""
import base64
import glob
import json
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")


def slug(text):
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower()


def write(target, name, data):
    directory = os.path.join(CORPUS, target)
    os.makedirs(directory, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(directory, "fixture_" + slug(name)), "wb") as f:
        f.write(data)


def body_of(response):
    if "body_base64" in response:
        return base64.b64decode(response["body_base64"])
    return response.get("body", "").encode()


def main():
    count = 0
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
        count += 1
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
    print("wrote %d fixture seeds under %s" % (count, os.path.relpath(CORPUS, os.getcwd())))


if __name__ == "__main__":
    main()
