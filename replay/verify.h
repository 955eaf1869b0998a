// Verification behind `chantless verify` and the recorder's re-read: schema validation (the strict
// transcript loader) plus the secret scanner (secret_scan.h).
//
// A file named on the command line must be a transcript. A directory is walked recursively: every
// `*.json` or `*.har` file is scanned for secrets, and those whose top-level "format" is
// "chantless-transcript" are also loaded strictly (scenario cases and other data are only scanned).
#ifndef CHANTLESS_REPLAY_VERIFY_H_
#define CHANTLESS_REPLAY_VERIFY_H_

#include <string>
#include <string_view>
#include <vector>

#include "replay/secret_scan.h"

namespace chantless {
namespace replay {

struct VerifyReport {
  int files_checked = 0;            // files scanned
  int transcripts_loaded = 0;       // of which validated as transcripts
  std::vector<std::string> errors;  // schema and I/O errors, each naming the file and JSON path
  std::vector<Finding> findings;    // secrets found (masked)

  bool ok() const { return errors.empty() && findings.empty(); }
};

// Validates `text` as a transcript named `source` and scans it. Appends to `report`.
void VerifyTranscriptText(std::string_view text, const std::string& source, VerifyReport* report);

// A file (must be a transcript) or a directory (see above). Appends to `report`; a path that does
// not exist or cannot be read is an error in the report.
void VerifyPath(const std::string& path, VerifyReport* report);

}  // namespace replay
}  // namespace chantless

#endif  // CHANTLESS_REPLAY_VERIFY_H_
