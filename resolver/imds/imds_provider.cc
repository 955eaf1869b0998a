// ImdsProvider: role discovery, credentials and static stability (rules in imds_provider.h).
#include "resolver/imds/imds_provider.h"

#include <algorithm>
#include <utility>

#include "resolver/core/ascii.h"
#include "resolver/core/expiry.h"
#include "resolver/core/jitter_seed.h"
#include "resolver/core/time_util.h"
#include "resolver/http/credentials_json.h"
#include "resolver/imds/imds_listing.h"

namespace chantless {
namespace {

constexpr char kProvider[] = "iam-role";

struct RoleOverride {
  std::string role;
  std::string source;
};

std::optional<RoleOverride> FindRoleOverride(const ProviderContext& ctx) {
  if (ctx.env != nullptr) {
    if (auto v = GetNonBlank(*ctx.env, "AWS_EC2_INSTANCE_PROFILE_NAME")) {
      return RoleOverride{*v, "AWS_EC2_INSTANCE_PROFILE_NAME"};
    }
  }
  if (ctx.settings != nullptr) {
    if (auto v = ctx.settings->Get("ec2_instance_profile_name")) {
      if (!IsBlank(*v, kSpaceAndTab)) {
        std::string where = ctx.settings->Where("ec2_instance_profile_name");
        return RoleOverride{
            std::string(StripAsciiWhitespace(*v, kSpaceAndTab)),
            "ec2_instance_profile_name" + (where.empty() ? "" : " (" + where + ")")};
      }
    }
  }
  return std::nullopt;
}

}  // namespace

ImdsProvider::ImdsProvider(const ProviderContext& ctx) : ImdsProvider(ctx, ImdsProviderOptions()) {}

ImdsProvider::ImdsProvider(const ProviderContext& ctx, ImdsProviderOptions options)
    : ctx_(ctx),
      client_(ctx, kProvider),
      options_(options),
      rng_(options.jitter_seed ? *options.jitter_seed : NewJitterSeed()) {}

std::string ImdsProvider::BasePath() const {
  return api_ == Api::kLegacy ? kImdsLegacyCredentialsPath : kImdsExtendedCredentialsPath;
}

StatusOr<std::string> ImdsProvider::DiscoverRole() {
  ImdsResponse listing;
  std::string path;
  while (true) {
    path = BasePath();
    CHANTLESS_ASSIGN_OR_RETURN(listing, client_.Fetch(path));
    if (listing.status == 404 && api_ != Api::kLegacy) {
      api_ = Api::kLegacy;  // no extended API here: remember it
      continue;
    }
    break;
  }
  const std::string where = "GET " + client_.endpoint() + path;
  if (listing.status == 404) {
    return NotConfiguredError("no IAM role is attached to this instance (" + where + ": HTTP 404)");
  }
  if (listing.status != 200) {
    return UnavailableError(where + ": HTTP " + std::to_string(listing.status));
  }
  if (api_ == Api::kUnknown) api_ = Api::kExtended;
  StatusOr<std::optional<std::string>> role = ParseRoleListing(listing.body);
  if (!role.ok()) return role.status().WithContext(where);
  if (!role->has_value()) {
    return NotConfiguredError("no IAM role is attached to this instance (" + where +
                              ": empty listing)");
  }
  return **role;
}

StatusOr<Credentials> ImdsProvider::FetchFresh(std::string* role_out) {
  std::optional<RoleOverride> named = FindRoleOverride(ctx_);
  std::string role;
  if (named) {
    // The name goes into the URL: it must be a role name, not a path.
    StatusOr<std::optional<std::string>> checked = ParseRoleListing(named->role);
    if (!checked.ok() || !checked->has_value() || **checked != named->role) {
      return InvalidConfigurationError(named->source + ": not a valid IAM role name");
    }
    role = named->role;
  } else {
    CHANTLESS_ASSIGN_OR_RETURN(role, DiscoverRole());
  }
  *role_out = role;
  ImdsResponse res;
  std::string path;
  while (true) {
    path = BasePath() + role;
    CHANTLESS_ASSIGN_OR_RETURN(res, client_.Fetch(path));
    if (res.status == 404 && api_ != Api::kLegacy && named) {
      api_ = Api::kLegacy;  // only possible before discovery ran: try the legacy API
      continue;
    }
    break;
  }
  const std::string where = "GET " + client_.endpoint() + path;
  if (res.status == 404 && named) {
    return InvalidConfigurationError(named->source + " names role \"" + role +
                                     "\", which IMDS does not know (" + where + ": HTTP 404)");
  }
  if (res.status != 200) {
    return UnavailableError(where + ": HTTP " + std::to_string(res.status));
  }
  if (api_ == Api::kUnknown) api_ = Api::kExtended;
  StatusOr<DecodedCredentials> decoded = DecodeImdsCredentials(res.body);
  if (!decoded.ok()) return decoded.status().WithContext(where);
  return decoded->ToCredentials(kProvider);
}

StatusOr<Credentials> ImdsProvider::Extend(Credentials credentials, WallTime real_expiry,
                                           const Status& why_status) {
  const std::string& why = why_status.message();
  const WallTime now = ctx_.clock->Now();
  const WallTime cap = real_expiry + options_.max_total_extension;
  // Compared in whole seconds, the unit the extension is served in: a cap less than a second ahead
  // would be served as an expiration of `now` (found by fuzz/imds_client_fuzzer).
  if (std::chrono::floor<std::chrono::seconds>(cap) <= now) {
    return Status(why_status.code(),
                  why + "; the credentials expired at " + FormatRfc3339(real_expiry) +
                      ", more than the static-stability limit of " +
                      std::to_string(options_.max_total_extension.count() / 60) + " minutes ago");
  }
  const int64_t span = (options_.max_extension - options_.min_extension).count();
  std::uniform_int_distribution<int64_t> dist(0, std::max<int64_t>(span, 0));
  const WallTime extended =
      std::min(now + options_.min_extension + std::chrono::seconds(dist(rng_)), cap);
  // Whole seconds, as IMDS itself and every SDK print expirations (no ".497677" in the output).
  credentials.expiration = std::chrono::time_point_cast<WallTime::duration>(
      std::chrono::floor<std::chrono::seconds>(extended));
  credentials.extended = true;
  TraceWarning(ctx_.trace, kProvider,
               why +
                   ". Attempting credential expiration extension due to a credential service "
                   "availability issue: the credentials (real expiry " +
                   FormatRfc3339(real_expiry) + ") are served until " +
                   FormatRfc3339(*credentials.expiration) + ", when a refresh is attempted again");
  return credentials;
}

std::string ImdsProvider::Name() const { return kProvider; }

StatusOr<Credentials> ImdsProvider::Resolve() {
  TraceInfo(ctx_.trace, kProvider, "Looking for credentials via: iam-role");
  std::string role;
  StatusOr<Credentials> fresh = FetchFresh(&role);
  const WallTime now = ctx_.clock->Now();
  if (fresh.ok()) {
    last_ = *fresh;
    // The expiry rule (expiry.h); static stability is its one documented exception.
    const Status expiry = CheckExpiry(fresh->expiration, now,
                                      "iam-role: GET " + client_.endpoint() + BasePath() + role,
                                      ctx_.trace, kProvider);
    if (!expiry.ok()) return Extend(*fresh, *fresh->expiration, expiry);
    TraceInfo(ctx_.trace, kProvider, "Found credentials from IAM Role: " + role);
    return fresh;
  }
  const Status& error = fresh.status();
  const bool refresh_failure = IsUnavailableOrDeadlineExceeded(error) || IsInvalidResponse(error);
  if (!refresh_failure || !last_) return error;
  if (!last_->expiration || now < *last_->expiration) {
    TraceWarning(ctx_.trace, kProvider,
                 "refreshing credentials from IMDS failed (" + error.message() +
                     "); serving the previous credentials, which are still valid");
    return *last_;
  }
  return Extend(
      *last_, *last_->expiration,
      UnavailableError("refreshing credentials from IMDS failed (" + error.message() + ")"));
}

}  // namespace chantless
