#!/usr/bin/env python3
"""Writes the seeds of fuzz/corpus/sigv4_fuzzer/, named for what they sign.

sigv4_fuzzer reads a FuzzedDataProvider layout (integers from the end, strings from the front,
the body last), which is not editable by hand; this script lays the inputs out in the order
sigv4_fuzzer.cc consumes them. Run from anywhere: `python3 fuzz/sigv4_seed_corpus.py`; it
rewrites only the seeds it names.
"""
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus", "sigv4_fuzzer")
METHODS = ["POST", "GET", "PUT", ""]
NAMES = ["Content-Type", "User-Agent", "X-Amz-Meta", "Expect", "Connection", "Host", "x-amz-date",
         "My-Header", "TE", "Authorization"]
FORM = "application/x-www-form-urlencoded; charset=utf-8"
STS_BODY = ("Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole"
            "%2Fdemo&RoleSessionName=chantless-test")
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SUITE_TIME = 1440938160  # 2015-08-30T12:36:00Z


class Fdp:
    def __init__(self):
        self.front, self.back = b"", []

    def byte(self, value):
        self.back.append(value)

    def integer(self, value, minimum, maximum):
        span, offset, count = maximum - minimum, 0, 0
        while offset < 64 and (span >> offset) > 0:
            offset, count = offset + 8, count + 1
        result = value - minimum
        for i in reversed(range(count)):  # most significant byte is consumed first
            self.back.append((result >> (8 * i)) & 0xFF)

    def string(self, text, maximum):
        raw = text.encode() if isinstance(text, str) else text
        assert len(raw) < maximum, text
        self.front += raw.replace(b"\\", b"\\\\") + b"\\n"

    def data(self, body):
        return self.front + body.encode() + bytes(reversed(self.back))


def seed(method="POST", host="sts.us-east-1.amazonaws.com", path="/", region="us-east-1",
         service="sts", query=(), headers=(("Content-Type", FORM),), time=SUITE_TIME,
         key="AKIDEXAMPLE", secret=SECRET, token="", body=STS_BODY):
    f = Fdp()
    if method in METHODS:
        f.byte(0)
        f.integer(METHODS.index(method), 0, 3)
    else:
        f.byte(1)
        f.string(method, 8)
    f.string(host, 64)
    f.string(path, 64)
    f.string(region, 16)
    if service == "sts":
        f.byte(1)
    else:
        f.byte(0)
        f.string(service, 8)
    f.integer(len(query), 0, 4)
    for k, v in query:
        f.string(k, 16)
        f.string(v, 16)
    f.integer(len(headers), 0, 8)
    for name, value in headers:
        if name in NAMES:
            f.byte(1)
            f.integer(NAMES.index(name), 0, 9)
        else:
            f.byte(0)
            f.string(name, 16)
        f.string(value, 64)
    f.integer(time, -100, 9200000000)
    f.string(key, 24)
    f.string(secret, 48)
    f.string(token, 64)
    return f.data(body)


SEEDS = {
    "sts_worked_vector_with_token": seed(token="SESSIONTOKEXAMPLE"),
    "sts_worked_vector_without_token": seed(),
    "sts_regional_host_with_port": seed(host="sts.eu-west-1.amazonaws.com:8443", region="eu-west-1"),
    "sts_loopback_host": seed(host="127.0.0.1:38343", token="IQoJb3JpZ2luX2VjEXAMPLE//////w=="),
    "suite_get_vanilla_query_order": seed(method="GET", host="example.amazonaws.com",
                                          service="service", query=(("Param2", "value2"),
                                                                    ("Param1", "value1")),
                                          headers=(), body=""),
    "unsigned_user_agent_expect_connection": seed(headers=(("Content-Type", FORM),
                                                           ("User-Agent", "Boto3/1.26 Python/3.11"),
                                                           ("Expect", "100-continue"),
                                                           ("Connection", "keep-alive"))),
    "owned_headers_replaced": seed(headers=(("Host", "elsewhere"), ("x-amz-date", "19990101T000000Z"),
                                            ("Authorization", "stale"))),
    "header_value_whitespace_collapse": seed(headers=(("X-Amz-Meta", "  a \t b   c  "),
                                                      ("My-Header", " \"a   b\" "))),
    "utf8_path_and_query": seed(method="GET", path="/\u1234/a b", query=(("\u1234", "bar baz"),),
                                service="service", body=""),
    "custom_method_and_service": seed(method="PATCH", service="iam", region="cn-north-1"),
    "empty_region_rejected": seed(region=""),
    "time_before_1970_rejected": seed(time=-1),
    "time_year_2261": seed(time=9183110400),  # 2261-01-01, near system_clock's end
    "bad_header_name_rejected": seed(headers=(("a b", "c"),)),
}


def main():
    os.makedirs(CORPUS, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(CORPUS, name), "wb") as f:
            f.write(data)
    print(f"{len(SEEDS)} seeds in {CORPUS}")


if __name__ == "__main__":
    main()
