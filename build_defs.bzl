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
CHANTLESS_STATIC_RUNTIME_LINKOPTS = [
    "-static-libgcc",
    "-l:libssl.a",
    "-l:libcrypto.a",
    "-l:libexpat.a",
    "-l:libstdc++.a",
    "-Wl,--as-needed",
]
