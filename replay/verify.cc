// `chantless verify`: schema validation plus secret scan (see verify.h).
#include "replay/verify.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "nlohmann/json.hpp"
#include "replay/transcript.h"

namespace chantless {
namespace replay {
namespace {

namespace fs = std::filesystem;

bool ReadAll(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return false;
  *out = buf.str();
  return true;
}

bool LooksLikeTranscript(std::string_view text) {
  nlohmann::json doc = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return false;
  auto it = doc.find("format");
  return it != doc.end() && it->is_string() &&
         it->get_ref<const std::string&>() == "chantless-transcript";
}

void ScanOnly(std::string_view text, const std::string& source, VerifyReport* report) {
  ++report->files_checked;
  for (Finding& f : ScanDocument(text, source)) report->findings.push_back(std::move(f));
}

}  // namespace

void VerifyTranscriptText(std::string_view text, const std::string& source, VerifyReport* report) {
  StatusOr<Transcript> loaded = LoadTranscript(text, source);
  if (loaded.ok()) {
    ++report->transcripts_loaded;
  } else {
    report->errors.push_back(loaded.status().message());
  }
  ScanOnly(text, source, report);
}

void VerifyPath(const std::string& path, VerifyReport* report) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    std::vector<std::string> files;
    for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      std::string ext = it->path().extension().string();
      if (ext == ".json" || ext == ".har") files.push_back(it->path().string());
    }
    if (ec) report->errors.push_back(path + ": cannot list directory: " + ec.message());
    std::sort(files.begin(), files.end());
    for (const std::string& file : files) {
      std::string text;
      if (!ReadAll(file, &text)) {
        report->errors.push_back(file + ": cannot read");
        continue;
      }
      if (LooksLikeTranscript(text)) {
        VerifyTranscriptText(text, file, report);
      } else {
        ScanOnly(text, file, report);
      }
    }
    return;
  }
  std::string text;
  if (!fs::exists(path, ec) || !ReadAll(path, &text)) {
    report->errors.push_back(path + ": cannot read");
    return;
  }
  VerifyTranscriptText(text, path, report);
}

}  // namespace replay
}  // namespace chantless
