#!/usr/bin/env python3
"""What linking alone costs at start-up: empty programs against chantless's libraries, pairwise.

`chantless resolve` with env keys does almost nothing (no file, no request), so its start-up is
mostly the dynamic loader's: mapping libstdc++, libssl, libcrypto and libcpp-httplib and applying
their relocations. This script builds `int main() { return 0; }` several ways in a temporary
directory (the system compiler, nothing downloaded) and times each as a whole process next to
/bin/true and the chantless binary given, round by round (posix_spawn to waitpid, as
bench/startup.py does), so the floor that a given linkage sets is measured in the same run as the
binary it explains:

  true            /bin/true
  c               an empty C program (libc only)
  cxx             an empty C++ program linked with libstdc++ (--no-as-needed)
  cxx+crypto      the same plus libcrypto
  cxx+httplib     the same plus libcpp-httplib (which brings libssl, libcrypto, zlib, brotli)
  static-openssl  libstdc++, libgcc, libssl and libcrypto linked statically, OpenSSL referenced
  chantless       CHANTLESS resolve --format process, env keys (no file, no request)

Usage: bench/linkage_floor.py CHANTLESS [--rounds N]
Nothing is contacted (AWS_EC2_METADATA_DISABLED=true, env keys).
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from startup import spawn_time  # noqa: E402

EMPTY = "int main() { return 0; }\n"
# References OpenSSL only on a path never taken, so the static link keeps its code and its
# initialisers but the program does no work.
OPENSSL_REFERENCED = """#include <openssl/evp.h>
#include <openssl/ssl.h>
int main(int argc, char**) {
  if (argc > 5) {
    SSL_CTX* c = SSL_CTX_new(TLS_client_method());
    SSL_CTX_free(c);
    unsigned char md[32];
    EVP_Digest("a", 1, md, nullptr, EVP_sha256(), nullptr);
  }
  return 0;
}
"""


def build(workdir):
    """Returns [(name, path)] of the programs that could be built (a missing library skips one)."""
    cc = shutil.which("cc") or shutil.which("gcc")
    cxx = shutil.which("c++") or shutil.which("g++")
    if cc is None or cxx is None:
        sys.exit("no C/C++ compiler on PATH")
    sources = {"empty.c": EMPTY, "empty.cc": EMPTY, "openssl.cc": OPENSSL_REFERENCED}
    for name, text in sources.items():
        with open(os.path.join(workdir, name), "w") as f:
            f.write(text)
    recipes = [
        ("c", [cc, "-O2", "empty.c"]),
        ("cxx", [cxx, "-O2", "empty.cc", "-Wl,--no-as-needed", "-lstdc++"]),
        ("cxx+crypto", [cxx, "-O2", "empty.cc", "-Wl,--no-as-needed", "-lstdc++", "-lcrypto"]),
        ("cxx+httplib", [cxx, "-O2", "empty.cc", "-Wl,--no-as-needed", "-lstdc++",
                         "-lcpp-httplib"]),
        ("static-openssl", [cxx, "-O2", "openssl.cc", "-static-libstdc++", "-static-libgcc",
                            "-Wl,-Bstatic", "-lssl", "-lcrypto", "-Wl,-Bdynamic", "-ldl",
                            "-pthread"]),
    ]
    built = []
    for name, argv in recipes:
        out = os.path.join(workdir, name.replace("+", "_"))
        r = subprocess.run(argv + ["-o", out], cwd=workdir, capture_output=True, text=True)
        if r.returncode != 0:
            print(f"[linkage_floor] {name}: not built ({r.stderr.strip().splitlines()[-1:]})",
                  file=sys.stderr)
            continue
        built.append((name, out))
    return built


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("chantless")
    ap.add_argument("--rounds", type=int, default=300)
    args = ap.parse_args()
    workdir = tempfile.mkdtemp(prefix="chantless-linkage-")
    try:
        env = {"HOME": workdir, "PATH": "/usr/bin:/bin",
               "AWS_ACCESS_KEY_ID": "AKIAFAKELINKAGE00001",
               "AWS_SECRET_ACCESS_KEY": "fake/linkage/secret/key/0000000000000000",
               "AWS_EC2_METADATA_DISABLED": "true"}
        cases = [("true", ["/bin/true"])]
        cases += [(name, [path]) for name, path in build(workdir)]
        cases.append(("chantless", [os.path.abspath(args.chantless), "resolve", "--format",
                                    "process"]))
        times = {name: [] for name, _ in cases}
        for _ in range(args.rounds):
            for name, argv in cases:
                times[name].append(spawn_time(argv, env))
        base = statistics.median(times["true"])
        print(f"{'case':<16} {'median ms':>10} {'p90 ms':>8} {'x /bin/true':>12}  runs")
        for name, _ in cases:
            xs = sorted(times[name])
            med = statistics.median(xs)
            p90 = xs[int(len(xs) * 0.9) - 1]
            print(f"{name:<16} {med:>10.3f} {p90:>8.3f} {med / base:>12.2f}  {len(xs)}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
