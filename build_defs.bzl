"""Shared compiler options for chantless's own code (third-party code is compiled without them)."""

CHANTLESS_COPTS = [
    "-Wall",
    "-Wextra",
    "-Werror",
    "-Wno-unused-parameter",
]

CHANTLESS_TEST_COPTS = CHANTLESS_COPTS
