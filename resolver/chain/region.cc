// Region resolution (rules in region.h).
#include "resolver/chain/region.h"

#include <algorithm>
#include <cctype>

#include "resolver/core/ascii.h"

namespace chantless {
namespace {

constexpr char kProvider[] = "region";

bool IsRegionName(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

StatusOr<RegionResult> Found(const ProviderContext& ctx, std::string region, std::string source,
                             StatusCode bad_code) {
  if (!IsRegionName(region)) {
    return Status(bad_code, source + ": not a region name (" + std::to_string(region.size()) +
                                " bytes; expected 1-64 of a-z, 0-9, -)");
  }
  TraceInfo(ctx.trace, kProvider, "Found region " + region + " from " + source);
  return RegionResult{std::move(region), std::move(source)};
}

}  // namespace

StatusOr<RegionResult> ResolveRegion(const ProviderContext& ctx, ImdsClient* imds) {
  std::string tried;
  for (const char* var : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    if (ctx.env != nullptr) {
      if (std::optional<std::string> v = GetNonBlank(*ctx.env, var)) {
        return Found(ctx, *v, var, StatusCode::kInvalidConfiguration);
      }
    }
    tried += std::string(var) + " not set; ";
  }
  if (ctx.settings != nullptr) {
    if (std::optional<std::string> v = ctx.settings->Get("region")) {
      std::string region(StripAsciiWhitespace(*v, kBlanksAndLineBreaks));
      if (!region.empty()) {
        std::string where = ctx.settings->Where("region");
        return Found(ctx, region, "region" + (where.empty() ? "" : " (" + where + ")"),
                     StatusCode::kInvalidConfiguration);
      }
    }
    tried += "profile " + ctx.settings->ProfileName() + " has no region; ";
  } else {
    tried += "no profile settings; ";
  }
  if (imds == nullptr) {
    return NotConfiguredError("no region: " + tried + "IMDS not consulted");
  }
  StatusOr<ImdsResponse> region = imds->Fetch(kImdsRegionPath);
  if (!region.ok()) {
    if (IsInvalidConfiguration(region.status())) return region.status();
    return NotConfiguredError("no region: " + tried + "IMDS: " + region.status().message());
  }
  if (region->status == 200) {
    return Found(ctx, std::string(StripAsciiWhitespace(region->body, kBlanksAndLineBreaks)),
                 std::string("IMDS ") + kImdsRegionPath, StatusCode::kInvalidResponse);
  }
  StatusOr<ImdsResponse> zone = imds->Fetch(kImdsAvailabilityZonePath);
  if (!zone.ok()) {
    if (IsInvalidConfiguration(zone.status())) return zone.status();
    return NotConfiguredError("no region: " + tried + "IMDS: " + zone.status().message());
  }
  if (zone->status != 200) {
    return NotConfiguredError("no region: " + tried + "IMDS answered HTTP " +
                              std::to_string(region->status) + " for " + kImdsRegionPath +
                              " and HTTP " + std::to_string(zone->status) + " for " +
                              kImdsAvailabilityZonePath);
  }
  std::string az(StripAsciiWhitespace(zone->body, kBlanksAndLineBreaks));
  if (az.size() < 2 || !std::isalpha(static_cast<unsigned char>(az.back())) ||
      !IsRegionName(az.substr(0, az.size() - 1))) {
    return InvalidResponseError(std::string("IMDS ") + kImdsAvailabilityZonePath +
                                ": not an availability zone (" + std::to_string(az.size()) +
                                " bytes)");
  }
  return Found(ctx, az.substr(0, az.size() - 1), std::string("IMDS ") + kImdsAvailabilityZonePath,
               StatusCode::kInvalidResponse);
}

}  // namespace chantless
