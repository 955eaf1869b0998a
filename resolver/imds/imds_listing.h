// Pure parsers for IMDS listing bodies (string_view in, values out; fuzz targets, no I/O).
//
// Role listing (`GET /latest/meta-data/iam/security-credentials[-extended]/`): one role name per
// line; the SDKs take the first line, trimmed. Metadata directory listings (`GET
// /latest/meta-data/`, `…/placement/`): one entry per line; an entry ending in '/' is a directory.
// Real IMDS answers text/plain with "\n" separators and no trailing newline; "\r\n" is accepted.
#ifndef CHANTLESS_RESOLVER_IMDS_IMDS_LISTING_H_
#define CHANTLESS_RESOLVER_IMDS_IMDS_LISTING_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "resolver/core/status.h"

namespace chantless {

// The first non-blank line, trimmed; nullopt when the body is blank (no role attached). The name
// goes into a URL path, so it must be a valid IAM role name (1–128 of A-Z a-z 0-9 + = , . @ _ -):
// anything else is kInvalidResponse (the message gives its length, never its bytes).
StatusOr<std::optional<std::string>> ParseRoleListing(std::string_view body);

struct MetadataEntry {
  std::string name;  // without the trailing '/'
  bool is_directory = false;

  bool operator==(const MetadataEntry& o) const {
    return name == o.name && is_directory == o.is_directory;
  }
};

// Every non-blank line, trimmed, in order. Never fails: a listing is whatever lines IMDS sent.
std::vector<MetadataEntry> ParseMetadataListing(std::string_view body);

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_IMDS_IMDS_LISTING_H_
