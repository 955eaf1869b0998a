"""chantless's third-party repositories, for this workspace and for workspaces that depend on it.

Every dependency is a Debian package mapped in with new_local_repository and an overlay in
//third_party (no downloads: Bazel 4.2.3 offline). A consumer calls chantless_dependencies() from its
WORKSPACE after declaring @chantless; repositories it already declares (say, its own gtest) are kept.
"""

def _maybe(name, build_file, path):
    if native.existing_rule(name) == None:
        native.new_local_repository(name = name, build_file = build_file, path = path)

def chantless_dependencies():
    """Declares @httplib, @nlohmann_json, @gtest, @benchmark, @expat and @openssl from Debian's packages."""
    _maybe("httplib", "@chantless//third_party:httplib.BUILD", "/usr")
    _maybe("nlohmann_json", "@chantless//third_party:nlohmann_json.BUILD", "/usr/include/nlohmann")
    _maybe("gtest", "@chantless//third_party:gtest.BUILD", "/usr")
    _maybe("benchmark", "@chantless//third_party:benchmark.BUILD", "/usr")
    _maybe("expat", "@chantless//third_party:expat.BUILD", "/usr")
    _maybe("openssl", "@chantless//third_party:openssl.BUILD", "/usr")
