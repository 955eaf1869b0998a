// STS, SSO and SSO-OIDC endpoint and region selection and the CA bundle source (rules in
// endpoints.h).
#include "resolver/endpoints/endpoints.h"

#include <cctype>

#include "resolver/core/ascii.h"

namespace chantless {
namespace {

struct Partition {
  const char* name;
  const char* dns_suffix;
  const char* dual_stack_suffix;
};

constexpr Partition kAws{"aws", "amazonaws.com", "api.aws"};
constexpr Partition kAwsCn{"aws-cn", "amazonaws.com.cn", "api.amazonwebservices.com.cn"};
constexpr Partition kAwsUsGov{"aws-us-gov", "amazonaws.com", "api.aws"};
constexpr Partition kAwsIso{"aws-iso", "c2s.ic.gov", "api.aws.ic.gov"};
constexpr Partition kAwsIsoB{"aws-iso-b", "sc2s.sgov.gov", "api.aws.scloud"};
constexpr Partition kAwsIsoE{"aws-iso-e", "cloud.adc-e.uk", "api.cloud-aws.adc-e.uk"};
constexpr Partition kAwsIsoF{"aws-iso-f", "csp.hci.ic.gov", "api.aws.hci.ic.gov"};
constexpr Partition kAwsEusc{"aws-eusc", "amazonaws.eu", "api.amazonwebservices.eu"};

// `region` is `prefix` followed by `\w+-\d+` (the partitions' regionRegex shape).
bool MatchesRegionPattern(std::string_view region, std::string_view prefix) {
  if (region.substr(0, prefix.size()) != prefix) return false;
  std::string_view rest = region.substr(prefix.size());
  size_t dash = rest.find('-');
  if (dash == 0 || dash == std::string_view::npos || dash + 1 >= rest.size()) return false;
  for (size_t i = 0; i < dash; ++i) {
    char c = rest[i];
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  for (size_t i = dash + 1; i < rest.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(rest[i]))) return false;
  }
  return true;
}

const Partition& PartitionOf(std::string_view region) {
  if (region == "aws-cn-global" || MatchesRegionPattern(region, "cn-")) return kAwsCn;
  if (region == "aws-us-gov-global" || MatchesRegionPattern(region, "us-gov-")) return kAwsUsGov;
  if (region == "aws-iso-global" || MatchesRegionPattern(region, "us-iso-")) return kAwsIso;
  if (region == "aws-iso-b-global" || MatchesRegionPattern(region, "us-isob-")) return kAwsIsoB;
  if (region == "aws-iso-e-global" || MatchesRegionPattern(region, "eu-isoe-")) return kAwsIsoE;
  if (region == "aws-iso-f-global" || MatchesRegionPattern(region, "us-isof-")) return kAwsIsoF;
  if (MatchesRegionPattern(region, "eusc-de-")) return kAwsEusc;
  return kAws;  // botocore's default partition, also for regions it does not know
}

struct ServiceNames {
  const char* env_id;        // AWS_ENDPOINT_URL_<env_id>
  const char* services_key;  // key in [services NAME]
  const char* host;          // "sts", "portal.sso", "oidc"
  const char* fips_host;     // "sts-fips", …
  const char* label;         // "STS", "SSO", "SSO-OIDC"
};

ServiceNames NamesOf(EndpointService service) {
  switch (service) {
    case EndpointService::kSts:
      return {"STS", "sts", "sts", "sts-fips", "STS"};
    case EndpointService::kSso:
      return {"SSO", "sso", "portal.sso", "portal.sso-fips", "SSO"};
    case EndpointService::kSsoOidc:
      return {"SSO_OIDC", "sso_oidc", "oidc", "oidc-fips", "SSO-OIDC"};
  }
  return {"STS", "sts", "sts", "sts-fips", "STS"};
}

// A profile value is blank, and trimmed, over space, tab, CR and LF.
bool IsBlankValue(std::string_view s) { return IsBlank(s, kBlanksAndLineBreaks); }

std::string Trim(std::string_view s) {
  return std::string(StripAsciiWhitespace(s, kBlanksAndLineBreaks));
}

// A setting from the environment or the profile, with where it came from.
struct Setting {
  std::string value;
  std::string source;  // "AWS_REGION", "region (PATH:LINE (profile p))"
};

std::optional<Setting> FromEnv(const EndpointInputs& in, const char* name) {
  std::optional<std::string> value = GetNonBlank(*in.env, name);
  if (!value) return std::nullopt;
  return Setting{*value, name};
}

std::optional<Setting> FromProfile(const EndpointInputs& in, const char* key) {
  if (in.profile == nullptr) return std::nullopt;
  std::optional<std::string> value = in.profile->Get(key);
  if (!value || IsBlankValue(*value)) return std::nullopt;
  return Setting{Trim(*value), std::string(key) + " (" + in.profile->Where(key) + ")"};
}

std::optional<Setting> EnvThenProfile(const EndpointInputs& in, const char* env_name,
                                      const char* key) {
  if (auto s = FromEnv(in, env_name)) return s;
  return FromProfile(in, key);
}

// "true" or "false" in any case; anything else is kInvalidConfiguration naming the source
// (botocore's ensure_boolean reads anything but "true" as false; chantless refuses the typo, as it
// does for every boolean setting).
StatusOr<bool> Flag(const EndpointInputs& in, const char* env_name, const char* key,
                    std::string* source) {
  std::optional<Setting> s = EnvThenProfile(in, env_name, key);
  if (!s) return false;
  bool on = EqualsIgnoreCase(s->value, "true");
  if (!on && !EqualsIgnoreCase(s->value, "false")) {
    return InvalidConfigurationError(s->source + " must be true or false");
  }
  if (on) *source = s->source;
  return on;
}

bool IsHostLabel(std::string_view s) {
  if (s.empty() || s.size() > 63 || s.front() == '-') return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-')) return false;
  }
  return true;
}

Status CheckRegion(std::string_view region, std::string_view source) {
  if (IsHostLabel(region)) return OkStatus();
  return InvalidConfigurationError("region from " + std::string(source) +
                                   " is not a valid region name (1-63 of A-Z a-z 0-9 -, not "
                                   "starting with -)");
}

Status CheckOverrideUrl(const Setting& s) {
  std::string_view url = s.value;
  std::string_view rest;
  if (url.substr(0, 8) == "https://") {
    rest = url.substr(8);
  } else if (url.substr(0, 7) == "http://") {
    rest = url.substr(7);
  } else {
    return InvalidConfigurationError("endpoint URL from " + s.source +
                                     " must start with http:// or https://");
  }
  if (rest.empty() || rest.front() == '/' || rest.front() == ':' ||
      rest.find_first_of(" \t\r\n") != std::string_view::npos) {
    return InvalidConfigurationError("endpoint URL from " + s.source + " has no host name");
  }
  return OkStatus();
}

// The configured endpoint override for `service`, nullopt when none applies (rules 1-4).
StatusOr<std::optional<Setting>> FindOverride(const EndpointInputs& in, EndpointService service,
                                              std::string* not_used_why) {
  ServiceNames names = NamesOf(service);
  std::string ignore_source;
  CHANTLESS_ASSIGN_OR_RETURN(bool ignore, Flag(in, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
                                               "ignore_configured_endpoint_urls", &ignore_source));
  if (ignore) {
    *not_used_why = "configured endpoint URLs ignored (" + ignore_source + ")";
    return std::optional<Setting>();
  }
  std::string env_name = std::string("AWS_ENDPOINT_URL_") + names.env_id;
  if (auto s = FromEnv(in, env_name.c_str())) {
    s->source = env_name;
    return std::optional<Setting>(*s);
  }
  if (auto s = FromEnv(in, "AWS_ENDPOINT_URL")) return std::optional<Setting>(*s);
  if (std::optional<Setting> services = FromProfile(in, "services")) {
    const ProfileSection* section = nullptr;
    if (in.config_file != nullptr) {
      auto it = in.config_file->services.find(services->value);
      if (it != in.config_file->services.end()) section = &it->second;
    }
    if (section == nullptr) {
      return InvalidConfigurationError(
          "The profile is configured to use the services section but the \"" + services->value +
          "\" services configuration does not exist. (" + services->source + ")");
    }
    if (const ProfileProperty* property = section->Find(names.services_key)) {
      if (const std::string* url = property->SubProperty("endpoint_url");
          url != nullptr && !IsBlankValue(*url)) {
        return std::optional<Setting>(
            Setting{Trim(*url), "endpoint_url of " + std::string(names.services_key) +
                                    " in [services " + services->value + "] (" + in.config_path +
                                    ":" + std::to_string(property->line) + ")"});
      }
    }
  }
  if (auto s = FromProfile(in, "endpoint_url")) return std::optional<Setting>(*s);
  return std::optional<Setting>();
}

// The override, validated, as an EndpointSelection; nullopt when there is none.
StatusOr<std::optional<EndpointSelection>> OverrideSelection(const EndpointInputs& in,
                                                             EndpointService service, bool fips,
                                                             bool dual_stack,
                                                             std::string* not_used_why) {
  CHANTLESS_ASSIGN_OR_RETURN(std::optional<Setting> override_url,
                             FindOverride(in, service, not_used_why));
  if (!override_url) return std::optional<EndpointSelection>();
  CHANTLESS_RETURN_IF_ERROR(CheckOverrideUrl(*override_url));
  EndpointSelection out;
  out.url = override_url->value;
  out.why = std::string(NamesOf(service).label) + " endpoint " + out.url + " from " +
            override_url->source;
  if (fips || dual_stack) {
    out.warnings.push_back(std::string(NamesOf(service).label) + " endpoint override from " +
                           override_url->source + " wins: " +
                           (fips && dual_stack ? "FIPS and dual-stack are"
                            : fips             ? "FIPS is"
                                               : "dual-stack is") +
                           " not applied to it");
  }
  return std::optional<EndpointSelection>(out);
}

std::string BuiltInUrl(const ServiceNames& names, std::string_view region, bool fips,
                       bool dual_stack, std::string* rule) {
  const Partition& partition = PartitionOf(region);
  std::string host;
  if (fips && dual_stack) {
    host = std::string(names.fips_host) + "." + std::string(region) + "." +
           partition.dual_stack_suffix;
    *rule = "FIPS dual-stack endpoint";
  } else if (dual_stack) {
    host = std::string(names.host) + "." + std::string(region) + "." + partition.dual_stack_suffix;
    *rule = "dual-stack endpoint";
  } else if (fips && &partition == &kAwsUsGov) {
    host = std::string(names.host) + "." + std::string(region) + "." + partition.dns_suffix;
    *rule = "FIPS endpoint (GovCloud's regular endpoint is FIPS)";
  } else if (fips) {
    host = std::string(names.fips_host) + "." + std::string(region) + "." + partition.dns_suffix;
    *rule = "FIPS endpoint";
  } else {
    host = std::string(names.host) + "." + std::string(region) + "." + partition.dns_suffix;
    *rule = "regional endpoint";
  }
  *rule += std::string(" (partition ") + partition.name + ")";
  return "https://" + host;
}

}  // namespace

StatusOr<RegionSelection> SelectRegion(const EndpointInputs& in) {
  RegionSelection out;
  std::optional<Setting> chosen;
  if (in.region_flag && !IsBlankValue(*in.region_flag)) {
    chosen = Setting{Trim(*in.region_flag), "--region"};
  } else if (auto s = FromEnv(in, "AWS_REGION")) {
    chosen = s;
  } else if (auto s = FromEnv(in, "AWS_DEFAULT_REGION")) {
    chosen = s;
  } else {
    chosen = FromProfile(in, "region");
  }
  if (!chosen) {
    out.source = "no region in --region, AWS_REGION, AWS_DEFAULT_REGION or the profile's region";
    return out;
  }
  CHANTLESS_RETURN_IF_ERROR(CheckRegion(chosen->value, chosen->source));
  out.region = chosen->value;
  out.source = chosen->source;
  return out;
}

StatusOr<EndpointSelection> SelectStsEndpoint(const EndpointInputs& in) {
  CHANTLESS_ASSIGN_OR_RETURN(RegionSelection region, SelectRegion(in));
  std::vector<std::string> warnings;
  std::string fips_source, dual_source;
  CHANTLESS_ASSIGN_OR_RETURN(bool fips,
                             Flag(in, "AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint", &fips_source));
  CHANTLESS_ASSIGN_OR_RETURN(
      bool dual, Flag(in, "AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint", &dual_source));

  std::string mode = "regional";
  std::string mode_source = "default";
  if (std::optional<Setting> s =
          EnvThenProfile(in, "AWS_STS_REGIONAL_ENDPOINTS", "sts_regional_endpoints")) {
    if (s->value != "regional" && s->value != "legacy") {
      return InvalidConfigurationError("STS regional endpoints option " + s->value +
                                       " is invalid. Valid values are: legacy, regional (" +
                                       s->source + ")");
    }
    mode = s->value;
    mode_source = s->source;
  }
  std::string region_why =
      region.region ? "region " + *region.region + " from " + region.source : region.source;

  std::string not_used_why;
  CHANTLESS_ASSIGN_OR_RETURN(
      std::optional<EndpointSelection> overridden,
      OverrideSelection(in, EndpointService::kSts, fips, dual, &not_used_why));
  if (overridden) {
    EndpointSelection out = std::move(*overridden);
    out.warnings.insert(out.warnings.begin(), warnings.begin(), warnings.end());
    if (region.region) {
      out.signing_region = *region.region;
      out.why += "; signed for " + region_why;
    } else {
      out.signing_region = "us-east-1";
      out.why += "; signed for us-east-1 (" + region_why + ")";
      out.warnings.push_back(
          "STS endpoint override with no region: signing for us-east-1 (botocore fails with "
          "\"You must specify a region.\"); set AWS_REGION or the profile's region if the "
          "endpoint expects another");
    }
    return out;
  }

  EndpointSelection out;
  out.warnings = std::move(warnings);
  std::string variants;
  if (fips) variants += "; FIPS from " + fips_source;
  if (dual) variants += "; dual-stack from " + dual_source;
  if (!not_used_why.empty()) variants += "; " + not_used_why;
  if (!region.region) {
    if (fips || dual) {
      return InvalidConfigurationError(
          std::string(fips ? "use_fips_endpoint" : "use_dualstack_endpoint") + " (" +
          (fips ? fips_source : dual_source) +
          ") needs a region for STS, and none is set (--region, AWS_REGION, AWS_DEFAULT_REGION "
          "or the profile's region)");
    }
    out.url = "https://sts.amazonaws.com";
    out.signing_region = "us-east-1";
    out.why = "STS global endpoint " + out.url + ", signed for us-east-1: " + region_why;
    return out;
  }
  const std::string& r = *region.region;
  if (!fips && !dual) {
    bool legacy_global = false;
    if (mode == "legacy") {
      for (const char* legacy_region : kLegacyGlobalStsRegions) {
        if (r == legacy_region) legacy_global = true;
      }
    }
    if (legacy_global || r == "aws-global") {
      out.url = "https://sts.amazonaws.com";
      out.signing_region = "us-east-1";
      out.why = "STS global endpoint " + out.url + ", signed for us-east-1: " +
                (legacy_global ? "sts_regional_endpoints is legacy (" + mode_source + ") and " + r +
                                     " is one of its global regions"
                               : std::string("region aws-global")) +
                "; " + region_why + variants;
      return out;
    }
  }
  std::string rule;
  out.url = BuiltInUrl(NamesOf(EndpointService::kSts), r, fips, dual, &rule);
  out.signing_region = r;
  out.why = "STS " + rule + " " + out.url + " (sts_regional_endpoints " + mode + ", " +
            mode_source + "); " + region_why + variants;
  return out;
}

StatusOr<EndpointSelection> SelectSsoEndpoint(const EndpointInputs& in, EndpointService service,
                                              std::string_view sso_region,
                                              std::string_view sso_region_where) {
  if (service == EndpointService::kSts) {
    return InternalError("SelectSsoEndpoint called for STS");
  }
  ServiceNames names = NamesOf(service);
  std::string region_source = "sso_region (" + std::string(sso_region_where) + ")";
  CHANTLESS_RETURN_IF_ERROR(CheckRegion(sso_region, region_source));
  std::vector<std::string> warnings;
  std::string fips_source, dual_source;
  CHANTLESS_ASSIGN_OR_RETURN(bool fips,
                             Flag(in, "AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint", &fips_source));
  CHANTLESS_ASSIGN_OR_RETURN(
      bool dual, Flag(in, "AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint", &dual_source));
  std::string region_why = "region " + std::string(sso_region) + " from " + region_source;

  std::string not_used_why;
  CHANTLESS_ASSIGN_OR_RETURN(std::optional<EndpointSelection> overridden,
                             OverrideSelection(in, service, fips, dual, &not_used_why));
  if (overridden) {
    EndpointSelection out = std::move(*overridden);
    out.warnings.insert(out.warnings.begin(), warnings.begin(), warnings.end());
    out.signing_region = std::string(sso_region);
    out.why += "; " + region_why;
    return out;
  }
  EndpointSelection out;
  out.warnings = std::move(warnings);
  std::string rule;
  out.url = BuiltInUrl(names, sso_region, fips, dual, &rule);
  out.signing_region = std::string(sso_region);
  out.why = std::string(names.label) + " " + rule + " " + out.url + "; " + region_why;
  if (fips) out.why += "; FIPS from " + fips_source;
  if (dual) out.why += "; dual-stack from " + dual_source;
  if (!not_used_why.empty()) out.why += "; " + not_used_why;
  return out;
}

std::optional<CaBundleSelection> SelectCaBundle(const EndpointInputs& in) {
  std::optional<Setting> s = EnvThenProfile(in, "AWS_CA_BUNDLE", "ca_bundle");
  if (!s) return std::nullopt;
  return CaBundleSelection{s->value, s->source};
}

StatusOr<std::optional<CaBundleSelection>> SelectAndCheckCaBundle(const EndpointInputs& in,
                                                                  const Filesystem& fs) {
  std::optional<CaBundleSelection> bundle = SelectCaBundle(in);
  if (!bundle) return bundle;
  StatusOr<std::string> content = fs.ReadFile(bundle->path, 16 * 1024 * 1024);
  if (content.ok()) return bundle;
  if (IsNotConfigured(content.status())) {
    return InvalidConfigurationError("CA bundle " + bundle->path + " (from " + bundle->source +
                                     ") does not exist");
  }
  return InvalidConfigurationError("CA bundle " + bundle->path + " (from " + bundle->source +
                                   ") cannot be read: " + content.status().message());
}

}  // namespace chantless
