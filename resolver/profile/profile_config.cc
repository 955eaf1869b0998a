// Loading the config and credentials files and selecting the profile (rules in profile_config.h).
#include "resolver/profile/profile_config.h"

#include <algorithm>
#include <unordered_map>
#include <utility>

#include "resolver/core/ascii.h"

namespace chantless {
namespace {

constexpr char kTraceProvider[] = "profile";

// Traces a warning and keeps it for ProfileConfig::warnings().
struct Warner {
  TraceSink* trace;
  std::vector<std::string> messages;
  void Warn(std::string message) {
    TraceWarning(trace, kTraceProvider, message);
    messages.push_back(std::move(message));
  }
};

struct LoadedFile {
  std::string path;
  ProfileFile file;
};

// Resolves the location from `variable` or `default_path`, reads and parses it.
StatusOr<LoadedFile> LoadOne(const Environment& env, const Filesystem& fs,
                             std::string_view variable, const std::string& default_path,
                             ProfileFileKind kind, Warner* warner) {
  LoadedFile loaded;
  std::optional<std::string> configured = GetNonBlank(env, variable);
  StatusOr<std::string> path = ExpandHome(configured ? *configured : default_path, env, fs);
  if (!path.ok()) {
    if (configured) return path.status().WithContext(std::string(variable));
    warner->Warn("no home directory known: " + default_path + " is not read");
    loaded.path = default_path;
    return loaded;
  }
  loaded.path = *path;
  StatusOr<std::string> text = fs.ReadFile(loaded.path);
  if (!text.ok()) {
    if (IsNotConfigured(text.status())) return loaded;  // a missing file is an empty file
    return text.status();
  }
  StatusOr<ProfileFile> parsed = ParseProfileFile(*text, kind, loaded.path);
  if (!parsed.ok()) return parsed.status();
  loaded.file = std::move(parsed).value();
  for (const std::string& warning : loaded.file.warnings) {
    warner->Warn(warning);
  }
  return loaded;
}

}  // namespace

ProfileConfig::ProfileConfig(std::string profile_name, std::string profile_source,
                             std::string config_path, ProfileFile config_file,
                             std::string credentials_path, ProfileFile credentials_file,
                             std::vector<std::string> warnings)
    : profile_name_(std::move(profile_name)),
      profile_source_(std::move(profile_source)),
      config_path_(std::move(config_path)),
      config_file_(std::move(config_file)),
      credentials_path_(std::move(credentials_path)),
      credentials_file_(std::move(credentials_file)),
      warnings_(std::move(warnings)) {}

std::optional<ProfileSetting> ProfileConfig::LookupIn(ProfileFileKind file,
                                                      std::string_view key) const {
  const ProfileSection* section =
      file == ProfileFileKind::kConfig ? config_profile() : credentials_profile();
  if (section == nullptr) return std::nullopt;
  const ProfileProperty* property = section->Find(key);
  if (property == nullptr) return std::nullopt;
  ProfileSetting setting;
  setting.value = property->value;
  setting.file = file;
  setting.line = property->line;
  setting.where =
      PathOf(file) + ":" + std::to_string(property->line) + " (profile " + profile_name_ + ")";
  return setting;
}

std::optional<ProfileSetting> ProfileConfig::Lookup(std::string_view key) const {
  std::optional<ProfileSetting> setting = LookupIn(ProfileFileKind::kCredentials, key);
  if (setting) return setting;
  return LookupIn(ProfileFileKind::kConfig, key);
}

std::optional<std::string> ProfileConfig::Get(std::string_view key) const {
  std::optional<ProfileSetting> setting = Lookup(key);
  if (!setting) return std::nullopt;
  return setting->value;
}

std::string ProfileConfig::Where(std::string_view key) const {
  std::optional<ProfileSetting> setting = Lookup(key);
  return setting ? setting->where : std::string();
}

ProfileSection ProfileConfig::MergedProfile() const {
  ProfileSection merged;
  merged.name = profile_name_;
  if (const ProfileSection* config = config_profile()) {
    merged = *config;
  }
  if (const ProfileSection* credentials = credentials_profile()) {
    if (merged.line == 0) merged.line = credentials->line;
    std::unordered_map<std::string, size_t> index;  // lower-cased key → position in merged
    for (size_t i = 0; i < merged.properties.size(); ++i) {
      index.emplace(AsciiLower(merged.properties[i].key), i);
    }
    for (const ProfileProperty& property : credentials->properties) {
      auto [it, inserted] = index.emplace(AsciiLower(property.key), merged.properties.size());
      if (inserted) {
        merged.properties.push_back(property);
      } else {
        merged.properties[it->second] = property;
      }
    }
  }
  return merged;
}

StatusOr<std::unique_ptr<ProfileConfig>> LoadProfileConfig(
    const Environment& env, const Filesystem& fs,
    const std::optional<std::string>& profile_override, TraceSink* trace) {
  Warner warner{trace, {}};
  CHANTLESS_ASSIGN_OR_RETURN(LoadedFile config, LoadOne(env, fs, "AWS_CONFIG_FILE", "~/.aws/config",
                                                        ProfileFileKind::kConfig, &warner));
  CHANTLESS_ASSIGN_OR_RETURN(LoadedFile credentials,
                             LoadOne(env, fs, "AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials",
                                     ProfileFileKind::kCredentials, &warner));

  std::optional<std::string> default_profile = GetNonBlank(env, "AWS_DEFAULT_PROFILE");
  std::optional<std::string> aws_profile = GetNonBlank(env, "AWS_PROFILE");
  if (default_profile && aws_profile && *default_profile != *aws_profile) {
    bool overridden = profile_override && !profile_override->empty();
    warner.Warn("AWS_PROFILE ('" + *aws_profile + "') and AWS_DEFAULT_PROFILE ('" +
                *default_profile + "') are both set and differ; " +
                (overridden ? "--profile wins over both"
                            : "using AWS_PROFILE as the AWS CLI v2 does (botocore 1.29 would use "
                              "AWS_DEFAULT_PROFILE)"));
  }
  std::string name = "default";
  std::string source = "default";
  if (profile_override && !profile_override->empty()) {
    name = *profile_override;
    source = "--profile";
  } else if (aws_profile) {
    name = *aws_profile;
    source = "AWS_PROFILE";
  } else if (default_profile) {
    name = *default_profile;
    source = "AWS_DEFAULT_PROFILE";
  }

  auto result = std::make_unique<ProfileConfig>(name, source, config.path, std::move(config.file),
                                                credentials.path, std::move(credentials.file),
                                                std::move(warner.messages));
  if (source != "default" && !result->ProfileExists()) {
    return InvalidConfigurationError("profile '" + name + "' (from " + source + ") not found in " +
                                     result->config_path() + " or " + result->credentials_path());
  }
  return result;
}

namespace {

// Forwards events to `next`, except warnings listed in `already` (traced once already, when the
// ProfileConfig in ctx.settings was loaded from the same files).
class SkipKnownWarningsSink : public TraceSink {
 public:
  SkipKnownWarningsSink(TraceSink* next, const std::vector<std::string>* already)
      : next_(next), already_(already) {}
  void Record(const TraceEvent& event) override {
    if (event.kind == TraceEvent::Kind::kWarning && already_ != nullptr &&
        std::find(already_->begin(), already_->end(), event.message) != already_->end()) {
      return;
    }
    next_->Record(event);
  }

 private:
  TraceSink* const next_;
  const std::vector<std::string>* const already_;
};

}  // namespace

ResolutionPass::LoadedProfile LoadSelectedProfile(const ProviderContext& ctx) {
  if (ctx.pass != nullptr && ctx.pass->profile() != nullptr) return *ctx.pass->profile();
  const auto* loaded = dynamic_cast<const ProfileConfig*>(ctx.settings);
  SkipKnownWarningsSink sink(ctx.trace, loaded != nullptr ? &loaded->warnings() : nullptr);
  StatusOr<std::unique_ptr<ProfileConfig>> config = LoadProfileConfig(
      *ctx.env, *ctx.fs, ctx.profile_override, ctx.trace != nullptr ? &sink : nullptr);
  ResolutionPass::LoadedProfile result =
      config.ok() ? ResolutionPass::LoadedProfile(
                        std::shared_ptr<const ProfileConfig>(std::move(config).value()))
                  : ResolutionPass::LoadedProfile(config.status());
  if (ctx.pass != nullptr) ctx.pass->set_profile(result);
  return result;
}

}  // namespace chantless
