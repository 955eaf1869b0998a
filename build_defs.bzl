"""Shared compiler options for chantless's own code (third-party code is compiled without them)."""

CHANTLESS_COPTS = [
    "-Wall",
    "-Wextra",
    "-Werror",
    "-Wno-unused-parameter",
]

CHANTLESS_TEST_COPTS = CHANTLESS_COPTS

# Link options of the `chantless` binary (//:chantless): libstdc++, libgcc, OpenSSL (libssl,
# libcrypto) and libexpat linked statically, so that start-up maps no library but libc (and libm)
# and applies no relocations for them (`chantless resolve --format process` is a credential_process
# run on every AWS call; bench/linkage_floor.py measures what each linkage costs).
#
# How: a cc_binary's own linkopts come right after the object files in Bazel's link line, before
# its dependencies' linkopts (-lssl -lcrypto -lexpat, from third_party/*.BUILD) and the toolchain's
# -lstdc++ -lm. The archives named here resolve every reference first; "--as-needed" then keeps
# the shared libraries named later out of the binary's NEEDED list. (The toolchain links with
# `gcc`, which adds no libstdc++ itself, so -static-libstdc++ alone would not do it.) Debian ships
# the archives: libssl-dev, libexpat1-dev, and libstdc++.a in GCC's library directory.
#
# The binary stays position-independent (ASLR), so static OpenSSL brings ~21,000 relative
# relocations; packed as DT_RELR (-z pack-relative-relocs, GNU ld: gold cannot, hence -fuse-ld=bfd
# and, for GNU ld, no --start-lib: CHANTLESS_STATIC_RUNTIME_FEATURES) the loader reads ~7 KB of
# them instead of ~500 KB. DT_RELR needs glibc 2.36, which the binary needs already (Debian
# bookworm's). Linking it -no-pie would save ~0.3 ms more per start, at the cost of ASLR for the
# executable.
CHANTLESS_STATIC_RUNTIME_LINKOPTS = [
    "-static-libgcc",
    "-l:libssl.a",
    "-l:libcrypto.a",
    "-l:libexpat.a",
    "-l:libstdc++.a",
    "-Wl,--as-needed",
    "-fuse-ld=bfd",
    "-Wl,-z,pack-relative-relocs",
]

CHANTLESS_STATIC_RUNTIME_FEATURES = ["-supports_start_end_lib"]
