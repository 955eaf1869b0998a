// The AWS shared profile file grammar (~/.aws/config and ~/.aws/credentials) as a pure parser.
//
// ParseProfileFile takes the text of one file and returns its sections; it reads nothing, touches
// no process state and is a fuzz target. RenderProfileFile writes a ProfileFile back so that
// parse → render → parse yields an equal ProfileFile (the fuzzer checks that property).
//
// Rules implemented (the cross-SDK conformance suite, aws-config's profile-parser-tests.json, and
// botocore's configloader; differences from botocore are marked "botocore:"):
// - Lines end at "\n"; "\r" counts as whitespace, so "\r\n" files parse like "\n" files. A UTF-8
//   byte-order mark at the start of the text is skipped.
// - Blank lines (only whitespace) are ignored everywhere, also between continuation lines.
// - Full-line comments: a line whose first character is "#" or ";". Indented "#"/";" lines are
//   comments too when no property is open (or the open property has sub-properties); inside an
//   ordinary property they are continuation text, as in aws-config and the conformance suite
//   (botocore: a comment).
// - Section lines start with "[" in the first column. A comment ("#" or ";") may follow the "]"
//   with or without whitespace; anything else after "]", or no "]", is an error. The text between
//   the brackets is trimmed ("[  profile foo  ]" is "profile foo").
// - Config file (kConfig): "[profile NAME]" (whitespace — spaces or tabs — after "profile") is a
//   profile; "[default]" is the default profile unless a "[profile default]" section appears
//   anywhere in the file, which then wins and every "[default]" section is skipped with a warning;
//   "[sso-session NAME]" and "[services NAME]" are kept apart; any other section ("[foo]",
//   "[profilefoo]", "[plugins]") is skipped with a warning.
// - Credentials file (kCredentials): "[NAME]" is a profile; a name with whitespace in it (such as
//   "[profile foo]") is invalid and skipped with a warning.
// - Section names may contain ASCII letters, digits and "-/.%@_:+"; any other character makes the
//   section invalid: it is skipped with a warning (its properties are parsed and discarded), not an
//   error. Sections with the same name merge; for a key set in both, the later value wins.
// - Property lines "key = value" (split at the first "="): key and value are trimmed; an empty key
//   is an error; a key with characters outside the name set above is skipped with a warning. Keys
//   keep their spelling but are compared case-insensitively; a duplicate key in a section replaces
//   the earlier value in place (last wins; botocore: the whole file is rejected instead). An inline
//   comment starts at a "#" or ";" preceded by whitespace ("value ; note" is "value", "a;b" stays;
//   botocore keeps inline comments in the value).
// - Continuation lines (first character whitespace) append "\n" + the trimmed line to the open
//   property's value, comments included. When the property's own value is empty ("s3 =") its
//   indented lines are sub-properties instead: each must be "k = v" (else an error; an empty k is
//   an error), they are recorded in sub_properties (keys compared case-insensitively, last wins)
//   and the value still accumulates the raw lines ("\nk = v"), as the conformance suite expects.
// - A property or continuation before any section, a continuation right after a section line, and
//   a non-comment line without "=" are errors.
// Errors are kInvalidConfiguration with the message "PATH:LINE: what"; warnings are strings of the
// same shape in ProfileFile::warnings. Neither ever quotes a property value (values can be
// secrets).
#ifndef CHANTLESS_RESOLVER_PROFILE_PROFILE_FILE_PARSER_H_
#define CHANTLESS_RESOLVER_PROFILE_PROFILE_FILE_PARSER_H_

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "resolver/core/ascii.h"
#include "resolver/core/status.h"

namespace chantless {

enum class ProfileFileKind { kConfig, kCredentials };

// One `key = value` line with its continuation or sub-property lines. Plain value type.
struct ProfileProperty {
  std::string key;    // as written (compare with EqualsIgnoreCase, core/ascii.h)
  std::string value;  // trimmed; continuation lines joined with "\n"
  // Present only when the key line had an empty value and indented `k = v` lines followed;
  // in file order, keys as written, one entry per key (last wins).
  std::vector<std::pair<std::string, std::string>> sub_properties;
  int line = 0;  // 1-based line of the key; not compared by operator==

  // The sub-property `key` (case-insensitive); nullptr when absent.
  const std::string* SubProperty(std::string_view key) const;

  bool operator==(const ProfileProperty& o) const {
    return key == o.key && value == o.value && sub_properties == o.sub_properties;
  }
  bool operator!=(const ProfileProperty& o) const { return !(*this == o); }
};

// One profile (or sso-session, or services) section, all same-named sections of a file merged.
struct ProfileSection {
  std::string name;
  std::vector<ProfileProperty> properties;  // in order of first appearance
  int line = 0;  // 1-based line of the first header; not compared by operator==

  // The property `key` (case-insensitive); nullptr when absent.
  const ProfileProperty* Find(std::string_view key) const;

  bool operator==(const ProfileSection& o) const {
    return name == o.name && properties == o.properties;
  }
  bool operator!=(const ProfileSection& o) const { return !(*this == o); }
};

// The parsed content of one profile file. Plain value type (copyable, thread-compatible).
struct ProfileFile {
  std::map<std::string, ProfileSection, std::less<>> profiles;      // by profile name
  std::map<std::string, ProfileSection, std::less<>> sso_sessions;  // config file only
  std::map<std::string, ProfileSection, std::less<>> services;      // config file only
  // "PATH:LINE: section [x] ignored: …" for every skipped section or property. Not compared.
  std::vector<std::string> warnings;

  // The profile `name` (case-sensitive, as the SDKs compare profile names); nullptr when absent.
  const ProfileSection* FindProfile(std::string_view name) const;

  bool operator==(const ProfileFile& o) const {
    return profiles == o.profiles && sso_sessions == o.sso_sessions && services == o.services;
  }
  bool operator!=(const ProfileFile& o) const { return !(*this == o); }
};

// Parses one file's text. `path` is used only in messages. Errors: kInvalidConfiguration
// "PATH:LINE: what" for a syntax error (see the rules above); skipped sections and keys are
// warnings in the result, not errors.
StatusOr<ProfileFile> ParseProfileFile(std::string_view text, ProfileFileKind kind,
                                       std::string_view path);

// Writes `file` in the syntax of `kind` (config: "[profile x]", "[sso-session x]",
// "[services x]"; credentials: "[x]", other section kinds omitted). For any ProfileFile returned by
// ParseProfileFile with the same kind, ParseProfileFile(RenderProfileFile(f, kind), kind) == f.
std::string RenderProfileFile(const ProfileFile& file, ProfileFileKind kind);

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_PROFILE_PROFILE_FILE_PARSER_H_
