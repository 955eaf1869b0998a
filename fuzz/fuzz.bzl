"""chantless_fuzz_target: one fuzz target, built two ways.

  <name>            cc_test (size small, part of `./dev test`) replaying fuzz/seeds/<name>/ (the
                    hand-written and fixture-derived seeds, named for what they test) and
                    fuzz/corpus/<name>/ (libFuzzer's hash-named output) through
                    LLVMFuzzerTestOneInput with //fuzz:corpus_replay_main; fails when both are
                    empty.
  <name>_libfuzzer  cc_binary tagged manual: under --config=fuzz (--define=chantless_fuzz=libfuzzer)
                    linked with -fsanitize=fuzzer (libFuzzer's main); otherwise the replay main, so
                    `bazel build //fuzz:all` still links everywhere.

`dict` and `options` (fuzz/<name>.dict, fuzz/<name>.options) are exported with the binary as data
for fuzz/run_fuzz.sh and fuzz/oss-fuzz/build.sh.
"""

load("//:build_defs.bzl", "CHANTLESS_COPTS")

def chantless_fuzz_target(name, srcs, deps, corpus = None, seeds = None, dict = None, options = None, size = "small"):
    corpus_dir = corpus or ("corpus/" + name)
    seeds_dir = seeds or ("seeds/" + name)
    corpus_files = native.glob([corpus_dir + "/**", seeds_dir + "/**"], allow_empty = True)
    extra = [f for f in [dict, options] if f]

    native.cc_library(
        name = name + "_lib",
        testonly = True,
        srcs = srcs,
        copts = CHANTLESS_COPTS,
        deps = deps + ["//fuzz:fuzzed_data_provider"],
        alwayslink = True,
    )

    native.cc_test(
        name = name,
        size = size,
        data = corpus_files,
        # Relative to the runfiles root; a directory that does not exist is skipped.
        args = [native.package_name() + "/" + d for d in [seeds_dir, corpus_dir]],
        deps = [
            ":" + name + "_lib",
            "//fuzz:corpus_replay_main",
        ],
    )

    native.cc_binary(
        name = name + "_libfuzzer",
        testonly = True,
        data = extra,
        linkopts = select({
            "//fuzz:libfuzzer": ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
        tags = ["manual"],
        deps = [":" + name + "_lib"] + select({
            "//fuzz:libfuzzer": [],
            "//conditions:default": ["//fuzz:corpus_replay_main"],
        }),
    )
