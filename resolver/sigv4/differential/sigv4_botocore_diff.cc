// Differential check of SigV4Signer against botocore: reads the cases botocore_cases.py wrote
// (inputs plus botocore's X-Amz-Date and Authorization) and signs each with chantless, once with
// a fresh signer and once with a shared, cached one. Exit 0 when every signature is identical;
// otherwise prints each differing case (name, both signed-header lists and signatures, and
// chantless's canonical request, whose session token is redacted) and exits 1.
//   sigv4_botocore_diff <cases.json>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "nlohmann/json.hpp"
#include "resolver/sigv4/sigv4_signer.h"

namespace {

using json = nlohmann::json;

int Run(const char* path) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "cannot read " << path << "\n";
    return 2;
  }
  std::stringstream text;
  text << in.rdbuf();
  json doc = json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.contains("cases") || !doc["cases"].is_array()) {
    std::cerr << path << ": not a cases file\n";
    return 2;
  }
  chantless::SigV4Signer cached;
  int identical = 0, different = 0;
  for (const json& c : doc["cases"]) {
    chantless::SigningInput input;
    input.method = c.value("method", "");
    input.host = c.value("host", "");
    input.path = c.value("path", "/");
    for (const json& h : c["headers"]) {
      input.headers.emplace_back(h[0].get<std::string>(), h[1].get<std::string>());
    }
    input.body = c.value("body", "");
    input.region = c.value("region", "");
    input.service = c.value("service", "");
    input.time = std::chrono::system_clock::time_point(std::chrono::seconds(c.value("time", 0)));
    chantless::SigningKeys keys{c.value("access_key_id", ""),
                                chantless::Secret(c.value("secret_access_key", "")),
                                chantless::Secret(c.value("session_token", ""))};
    const std::string expected = c.value("expected_authorization", "");
    const std::string name = c.value("name", "?");

    chantless::SigV4Signer fresh(chantless::SigV4Signer::KeyCache::kDisabled);
    auto a = fresh.Sign(input, keys);
    auto b = cached.Sign(input, keys);
    std::string got_a = a.ok() ? a->headers.back().second : a.status().ToString();
    std::string got_b = b.ok() ? b->headers.back().second : b.status().ToString();
    bool same = a.ok() && b.ok() && got_a == expected && got_b == expected &&
                a->amz_date == c.value("expected_x_amz_date", "");
    if (same) {
      ++identical;
      continue;
    }
    ++different;
    std::cout << "DIFFERENT " << name << "\n  botocore:  " << expected << "\n  chantless: " << got_a
              << "\n  cached:    " << got_b << "\n";
    if (a.ok()) std::cout << "  canonical request:\n" << a->canonical_request << "\n";
  }
  std::cout << identical << " cases identical, " << different << " different (botocore "
            << doc.value("botocore_version", "?") << ", seed " << doc.value("seed", 0) << ")\n";
  return different == 0 && identical > 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: sigv4_botocore_diff <cases.json>\n";
    return 2;
  }
  return Run(argv[1]);
}
