#!/usr/bin/env python3
"""Counts test cases from a Bazel build-event JSON file and prints "N passed, N failed".

Each test target's test.xml (gtest writes one per target; Bazel writes one for other tests) is read:
every <testcase> is one test, failed when it holds <failure> or <error>. A target with no readable
XML counts as one test, passed or failed by its status. Targets that failed to build count as
failed. Exit status: 0 when nothing failed.
"""
import json
import sys
import urllib.parse
import xml.etree.ElementTree as ET


def xml_path(test_result):
    for out in test_result.get("testActionOutput", []):
        if out.get("name") == "test.xml":
            uri = out.get("uri", "")
            if uri.startswith("file://"):
                return urllib.parse.unquote(uri[len("file://"):])
    return None


def count_xml(path):
    tree = ET.parse(path)
    passed = failed = skipped = 0
    for case in tree.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.find("skipped") is not None or case.get("status") == "notrun":
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped


def main(argv):
    passed = failed = skipped = 0
    failed_targets = []
    seen = set()
    with open(argv[1]) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            event = json.loads(line)
            ident = event.get("id", {})
            if "testResult" in ident and "testResult" in event:
                label = ident["testResult"]["label"]
                key = (label, ident["testResult"].get("run"), ident["testResult"].get("shard"))
                if key in seen:
                    continue
                seen.add(key)
                result = event["testResult"]
                status = result.get("status", "")
                counted = False
                path = xml_path(result)
                if path:
                    try:
                        p, fl, s = count_xml(path)
                        if p + fl + s > 0:
                            if status != "PASSED" and fl == 0:
                                fl = 1  # crashed after writing passing cases, or timed out
                            passed += p
                            failed += fl
                            skipped += s
                            counted = True
                    except (ET.ParseError, OSError):
                        pass
                if not counted:
                    if status == "PASSED":
                        passed += 1
                    else:
                        failed += 1
                if status != "PASSED":
                    failed_targets.append("%s (%s)" % (label, status))
            elif "targetCompleted" in ident and event.get("completed", {}).get("success") is False:
                failed += 1
                failed_targets.append("%s (build failed)" % ident["targetCompleted"]["label"])
            elif "aborted" in event and "targetCompleted" in ident:
                failed += 1
                failed_targets.append("%s (aborted: %s)" % (
                    ident["targetCompleted"]["label"], event["aborted"].get("reason", "")))
    for t in failed_targets:
        print("FAILED: " + t)
    if skipped:
        print("%d skipped" % skipped)
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
