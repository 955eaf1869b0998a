// The profile file parser and renderer; the grammar is described in profile_file_parser.h.
#include "resolver/profile/profile_file_parser.h"

#include <algorithm>
#include <optional>
#include <unordered_map>

namespace chantless {
namespace {

// Whitespace as the profile file format counts it (kProfileFileWhitespace).
bool IsSpace(char c) { return kProfileFileWhitespace.find(c) != std::string_view::npos; }

std::string_view Trim(std::string_view s) {
  return StripAsciiWhitespace(s, kProfileFileWhitespace);
}

// Letters, digits and -/.%@_:+ (the conformance suite's identifier set).
bool IsValidIdentifier(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '/' || c == '.' || c == '%' || c == '@' || c == '_' || c == ':' ||
              c == '+';
    if (!ok) return false;
  }
  return true;
}

// "profile foo" → "foo" when `text` is `prefix` + whitespace + name; nullopt otherwise.
std::optional<std::string_view> StripPrefix(std::string_view text, std::string_view prefix) {
  if (text.size() <= prefix.size() || text.substr(0, prefix.size()) != prefix) return std::nullopt;
  if (!IsSpace(text[prefix.size()])) return std::nullopt;
  return Trim(text.substr(prefix.size()));
}

// Cuts a property line at the first "#" or ";" preceded by whitespace.
std::string_view StripInlineComment(std::string_view line) {
  for (size_t i = 1; i < line.size(); ++i) {
    if ((line[i] == '#' || line[i] == ';') && IsSpace(line[i - 1])) return line.substr(0, i);
  }
  return line;
}

enum class SectionType { kProfile, kBareDefault, kSsoSession, kServices, kIgnored };

class Parser {
 public:
  Parser(ProfileFileKind kind, std::string_view path) : kind_(kind), path_(path) {}

  StatusOr<ProfileFile> Parse(std::string_view text) {
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    int line_number = 0;
    size_t pos = 0;
    while (pos <= text.size()) {
      size_t end = text.find('\n', pos);
      if (end == std::string_view::npos) end = text.size();
      std::string_view line = text.substr(pos, end - pos);
      ++line_number;
      Status status = ParseLine(line, line_number);
      if (!status.ok()) return status;
      pos = end + 1;
    }
    Finish();
    return std::move(file_);
  }

 private:
  Status Error(int line, std::string_view what) const {
    return InvalidConfigurationError(std::string(path_) + ":" + std::to_string(line) + ": " +
                                     std::string(what));
  }
  void Warn(int line, std::string_view what) {
    file_.warnings.push_back(std::string(path_) + ":" + std::to_string(line) + ": " +
                             std::string(what));
  }

  Status ParseLine(std::string_view line, int n) {
    if (IsBlank(line, kProfileFileWhitespace)) return OkStatus();
    if (line[0] == '#' || line[0] == ';') return OkStatus();
    if (line[0] == '[') return ParseSectionLine(line, n);
    if (IsSpace(line[0])) return ParseContinuation(Trim(line), n);
    return ParsePropertyLine(line, n);
  }

  Status ParseSectionLine(std::string_view line, int n) {
    open_property_ = nullptr;
    sub_property_mode_ = false;
    seen_section_ = true;
    size_t comment = line.find_first_of("#;");
    std::string_view header = Trim(line.substr(0, comment));
    if (header.size() < 2 || header.back() != ']') {
      return Error(n, "Profile definition must end with ']'");
    }
    std::string_view inner = Trim(header.substr(1, header.size() - 2));
    std::string shown(inner);
    section_ = nullptr;
    section_type_ = SectionType::kIgnored;
    std::string_view name;
    if (kind_ == ProfileFileKind::kConfig) {
      if (auto p = StripPrefix(inner, "profile")) {
        section_type_ = SectionType::kProfile;
        name = *p;
      } else if (auto s = StripPrefix(inner, "sso-session")) {
        section_type_ = SectionType::kSsoSession;
        name = *s;
      } else if (auto v = StripPrefix(inner, "services")) {
        section_type_ = SectionType::kServices;
        name = *v;
      } else if (inner == "default") {
        section_type_ = SectionType::kBareDefault;
        name = inner;
      } else {
        Warn(n, "section [" + shown +
                    "] ignored: config file profiles are written [profile NAME] (or [default])");
        return OkStatus();
      }
    } else {
      section_type_ = SectionType::kProfile;
      name = inner;
      if (StripPrefix(inner, "profile")) {
        section_type_ = SectionType::kIgnored;
        Warn(n, "section [" + shown +
                    "] ignored: credentials file profiles are written [NAME], without 'profile'");
        return OkStatus();
      }
    }
    if (!IsValidIdentifier(name)) {
      section_type_ = SectionType::kIgnored;
      Warn(n,
           "section [" + shown + "] ignored: invalid name (allowed: letters, digits and -/.%@_:+)");
      return OkStatus();
    }
    std::map<std::string, ProfileSection, std::less<>>* target = nullptr;
    switch (section_type_) {
      case SectionType::kProfile:
        target = &file_.profiles;
        if (kind_ == ProfileFileKind::kConfig && name == "default") saw_prefixed_default_ = true;
        break;
      case SectionType::kBareDefault:
        target = &bare_default_;
        bare_default_lines_.push_back(n);
        break;
      case SectionType::kSsoSession:
        target = &file_.sso_sessions;
        break;
      case SectionType::kServices:
        target = &file_.services;
        break;
      case SectionType::kIgnored:
        return OkStatus();
    }
    auto it = target->find(name);
    if (it == target->end()) {
      ProfileSection section;
      section.name = std::string(name);
      section.line = n;
      it = target->emplace(section.name, std::move(section)).first;
    }
    section_ = &it->second;
    return OkStatus();
  }

  Status ParsePropertyLine(std::string_view line, int n) {
    open_property_ = nullptr;
    sub_property_mode_ = false;
    sub_index_.clear();
    // Any section line, even a skipped one, opens a section for the purposes of this rule.
    if (!seen_section_) return Error(n, "Expected a profile definition before this property");
    std::string_view content = Trim(StripInlineComment(line));
    size_t eq = content.find('=');
    if (eq == std::string_view::npos) {
      return Error(n, "Expected an '=' sign defining a property");
    }
    std::string_view key = Trim(content.substr(0, eq));
    std::string_view value = Trim(content.substr(eq + 1));
    if (key.empty()) return Error(n, "Property did not have a name");
    if (section_ == nullptr) {  // inside a skipped section: parse, then discard
      discarded_ = ProfileProperty{};
      open_property_ = &discarded_;
      return OkStatus();
    }
    if (!IsValidIdentifier(key)) {
      // Only the key's first word is quoted: a mistyped line can hold a secret after a blank.
      std::string_view shown = key.substr(
          0, std::min(
                 key.size(),
                 static_cast<size_t>(std::find_if(key.begin(), key.end(), IsSpace) - key.begin())));
      Warn(n, "property '" + std::string(shown) +
                  "…' ignored: invalid name (allowed: letters, digits and -/.%@_:+)");
      discarded_ = ProfileProperty{};
      open_property_ = &discarded_;
      return OkStatus();
    }
    // Indexed by lower-cased key so that a section with many keys parses in linear time.
    auto [it, inserted] =
        key_index_[section_].emplace(AsciiLower(key), section_->properties.size());
    if (inserted) section_->properties.emplace_back();
    ProfileProperty* property = &section_->properties[it->second];
    property->key = std::string(key);
    property->value = std::string(value);
    property->sub_properties.clear();
    property->line = n;
    open_property_ = property;
    return OkStatus();
  }

  Status ParseContinuation(std::string_view content, int n) {
    bool comment = content[0] == '#' || content[0] == ';';
    if (open_property_ == nullptr) {
      if (comment) return OkStatus();
      if (!seen_section_) return Error(n, "Expected a profile definition, found continuation");
      return Error(n, "Expected a property definition, found continuation");
    }
    if (open_property_->value.empty() && open_property_->sub_properties.empty()) {
      sub_property_mode_ = true;
    }
    if (sub_property_mode_) {
      if (comment) return OkStatus();
      size_t eq = content.find('=');
      if (eq == std::string_view::npos) {
        return Error(n, "Expected an '=' sign defining a sub-property");
      }
      std::string_view key = Trim(content.substr(0, eq));
      std::string_view value = Trim(content.substr(eq + 1));
      if (key.empty()) return Error(n, "Sub-property did not have a name");
      auto& subs = open_property_->sub_properties;
      auto [it, inserted] = sub_index_.emplace(AsciiLower(key), subs.size());
      if (inserted) {
        subs.emplace_back(std::string(key), std::string(value));
      } else {
        subs[it->second] = {std::string(key), std::string(value)};
      }
    }
    open_property_->value += '\n';
    open_property_->value += content;
    return OkStatus();
  }

  void Finish() {
    if (bare_default_.empty()) return;
    ProfileSection& bare = bare_default_.begin()->second;
    if (saw_prefixed_default_) {
      for (int line : bare_default_lines_) {
        Warn(line, "section [default] ignored: [profile default] in the same file wins");
      }
      return;
    }
    file_.profiles.emplace("default", std::move(bare));
  }

  ProfileFileKind kind_;
  std::string_view path_;
  ProfileFile file_;
  std::map<std::string, ProfileSection, std::less<>> bare_default_;
  std::vector<int> bare_default_lines_;
  bool saw_prefixed_default_ = false;
  bool seen_section_ = false;
  SectionType section_type_ = SectionType::kIgnored;
  ProfileSection* section_ = nullptr;  // null: before any section, or in a skipped one
  ProfileProperty* open_property_ = nullptr;
  bool sub_property_mode_ = false;
  ProfileProperty discarded_;
  // Lower-cased key → index in the section's properties / the open property's sub_properties.
  std::unordered_map<const ProfileSection*, std::unordered_map<std::string, size_t>> key_index_;
  std::unordered_map<std::string, size_t> sub_index_;
};

}  // namespace

const std::string* ProfileProperty::SubProperty(std::string_view k) const {
  for (const auto& p : sub_properties) {
    if (EqualsIgnoreCase(p.first, k)) return &p.second;
  }
  return nullptr;
}

const ProfileProperty* ProfileSection::Find(std::string_view key) const {
  for (const ProfileProperty& p : properties) {
    if (EqualsIgnoreCase(p.key, key)) return &p;
  }
  return nullptr;
}

const ProfileSection* ProfileFile::FindProfile(std::string_view name) const {
  auto it = profiles.find(name);
  return it == profiles.end() ? nullptr : &it->second;
}

StatusOr<ProfileFile> ParseProfileFile(std::string_view text, ProfileFileKind kind,
                                       std::string_view path) {
  return Parser(kind, path).Parse(text);
}

namespace {

void RenderSection(std::string_view header, const ProfileSection& section, std::string* out) {
  out->append("[").append(header).append("]\n");
  for (const ProfileProperty& p : section.properties) {
    std::string_view value = p.value;
    size_t nl = value.find('\n');
    std::string_view first = value.substr(0, nl);
    out->append(p.key).append(" =");
    if (!first.empty()) {
      // "k =#x" keeps "#x" as the value; "k = #x" would make it a comment.
      if (first[0] != '#' && first[0] != ';') out->append(" ");
      out->append(first);
    }
    out->append("\n");
    while (nl != std::string_view::npos) {
      value.remove_prefix(nl + 1);
      nl = value.find('\n');
      out->append("  ").append(value.substr(0, nl)).append("\n");
    }
  }
}

}  // namespace

std::string RenderProfileFile(const ProfileFile& file, ProfileFileKind kind) {
  std::string out;
  for (const auto& [name, section] : file.profiles) {
    if (kind == ProfileFileKind::kConfig) {
      RenderSection(name == "default" ? std::string("default") : "profile " + name, section, &out);
    } else {
      RenderSection(name, section, &out);
    }
  }
  if (kind == ProfileFileKind::kConfig) {
    for (const auto& [name, section] : file.sso_sessions) {
      RenderSection("sso-session " + name, section, &out);
    }
    for (const auto& [name, section] : file.services) {
      RenderSection("services " + name, section, &out);
    }
  }
  return out;
}

}  // namespace chantless
