// ProfileConfig: the selected profile of the user's config and credentials files, loaded once.
//
// Rules implemented (the map of every rule: docs/behaviour.md):
// - File locations: AWS_CONFIG_FILE, default "~/.aws/config"; AWS_SHARED_CREDENTIALS_FILE, default
//   "~/.aws/credentials". Blank variables count as unset. A leading "~" is expanded with
//   ExpandHome (filesystem.h) in both the defaults and the variables, as botocore's expanduser
//   does. When no home directory is known at all, a default location is treated as absent (and
//   traced); a "~" in a variable is then an error.
// - A missing file (kNotConfigured from Filesystem::ReadFile) is an empty file; an unreadable one
//   is an error. Each file is parsed with ParseProfileFile (profile_file_parser.h); its warnings
//   (skipped sections and keys) are traced as kWarning events from provider "profile".
// - Profile selection: `--profile` > AWS_PROFILE > AWS_DEFAULT_PROFILE > "default". This is the
//   AWS CLI v2's order (its bundled botocore, awscli/botocore/configprovider.py: 'profile':
//   ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE']) and the JS, Go, Java and Rust SDKs'; botocore 1.29 and
//   aws-sdk-cpp let AWS_DEFAULT_PROFILE win instead. When both variables are set and differ, a
//   warning is traced naming both and the winner.
// - A profile selected explicitly (by --profile or either variable, even "default") must exist in
//   at least one file, as botocore raises ProfileNotFound; the implicit "default" may be missing.
// - Merge: for the same profile, a key in the credentials file wins over the same key in the config
//   file (keys compared case-insensitively).
#ifndef CHANTLESS_RESOLVER_PROFILE_PROFILE_CONFIG_H_
#define CHANTLESS_RESOLVER_PROFILE_PROFILE_CONFIG_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "resolver/core/environment.h"
#include "resolver/core/filesystem.h"
#include "resolver/core/provider.h"
#include "resolver/core/status.h"
#include "resolver/core/trace.h"
#include "resolver/profile/profile_file_parser.h"

namespace chantless {

// One setting of the selected profile and where it came from.
struct ProfileSetting {
  std::string value;
  ProfileFileKind file = ProfileFileKind::kConfig;  // the file that set it
  int line = 0;
  std::string where;  // "PATH:LINE (profile NAME)"
};

// Immutable once loaded; thread-safe. Owns both parsed files.
class ProfileConfig : public ProfileSettings {
 public:
  // `warnings`: every warning traced while loading (LoadProfileConfig fills it).
  ProfileConfig(std::string profile_name, std::string profile_source, std::string config_path,
                ProfileFile config_file, std::string credentials_path, ProfileFile credentials_file,
                std::vector<std::string> warnings = {});

  // ProfileSettings: the merged view (credentials file over config file).
  std::string ProfileName() const override { return profile_name_; }
  std::optional<std::string> Get(std::string_view key) const override;
  std::string Where(std::string_view key) const override;

  // The merged setting `key`, or nullopt when neither file sets it.
  std::optional<ProfileSetting> Lookup(std::string_view key) const;
  // The setting `key` as one file alone sets it (no merge).
  std::optional<ProfileSetting> LookupIn(ProfileFileKind file, std::string_view key) const;

  // Whether the selected profile has a section in either file.
  bool ProfileExists() const {
    return config_profile() != nullptr || credentials_profile() != nullptr;
  }
  // The selected profile's section in each file; nullptr when that file has none.
  const ProfileSection* config_profile() const { return config_file_.FindProfile(profile_name_); }
  const ProfileSection* credentials_profile() const {
    return credentials_file_.FindProfile(profile_name_);
  }
  // The merged profile: the config file's properties with the credentials file's over them.
  ProfileSection MergedProfile() const;

  // How the profile was chosen: "--profile", "AWS_PROFILE", "AWS_DEFAULT_PROFILE" or "default".
  const std::string& profile_source() const { return profile_source_; }
  // The expanded paths (as read) and the parsed files (sso-session and services sections included).
  const std::string& config_path() const { return config_path_; }
  const std::string& credentials_path() const { return credentials_path_; }
  const ProfileFile& config_file() const { return config_file_; }
  const ProfileFile& credentials_file() const { return credentials_file_; }
  // Every warning message LoadProfileConfig traced while building this (parser warnings of both
  // files, differing profile variables, no home directory), in order. Lets a later reload of the
  // same files (ProfileProvider) avoid tracing them twice.
  const std::vector<std::string>& warnings() const { return warnings_; }
  const std::string& PathOf(ProfileFileKind file) const {
    return file == ProfileFileKind::kConfig ? config_path_ : credentials_path_;
  }

 private:
  std::string profile_name_;
  std::string profile_source_;
  std::string config_path_;
  ProfileFile config_file_;
  std::string credentials_path_;
  ProfileFile credentials_file_;
  std::vector<std::string> warnings_;
};

// Loads both files and selects the profile per the rules above; traces to `trace` (may be null).
// Errors (all kInvalidConfiguration, naming the path or variable): an unreadable file, a syntax
// error ("PATH:LINE: what"), "~" with no home directory in AWS_CONFIG_FILE or
// AWS_SHARED_CREDENTIALS_FILE, and an explicitly selected profile found in neither file
// ("profile 'x' (from AWS_PROFILE) not found in PATH or PATH").
StatusOr<std::unique_ptr<ProfileConfig>> LoadProfileConfig(
    const Environment& env, const Filesystem& fs,
    const std::optional<std::string>& profile_override, TraceSink* trace);

// The selected profile as a provider resolving in `ctx` reads it: the load ctx.pass holds when a
// pass is open and has loaded the files already (its error included), else LoadProfileConfig,
// which an open pass then keeps for its other links. Warnings go to ctx.trace, except those
// already traced when ctx.settings was loaded from the same files (a ProfileConfig there): each
// warning is traced once, and a file edited since start-up still has its new warnings traced.
// Needs ctx.env and ctx.fs.
ResolutionPass::LoadedProfile LoadSelectedProfile(const ProviderContext& ctx);

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_PROFILE_PROFILE_CONFIG_H_
