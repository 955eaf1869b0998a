// Table-driven tests of the profile file grammar (profile_file_parser.h). Each case is named for
// the rule it checks; most come from aws-config's profile-parser-tests.json, the cross-SDK
// statement of the grammar, plus chantless's own choices (warnings, line numbers, BOM, indented
// comments). Every successful case is also rendered and parsed again (the round-trip property).
#include "resolver/profile/profile_file_parser.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace {

using ::chantless::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr ProfileFileKind kConfig = ProfileFileKind::kConfig;
constexpr ProfileFileKind kCredentials = ProfileFileKind::kCredentials;
constexpr char kPath[] = "/home/u/.aws/file";

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string DumpSections(const std::string& prefix,
                         const std::map<std::string, ProfileSection, std::less<>>& sections) {
  std::string out;
  for (const auto& [name, section] : sections) {
    if (!out.empty()) out += " ";
    out += prefix + name + ":{";
    bool first = true;
    for (const ProfileProperty& p : section.properties) {
      if (!first) out += ";";
      first = false;
      out += p.key + "=" + Escape(p.value);
      if (!p.sub_properties.empty()) {
        out += "{";
        for (size_t i = 0; i < p.sub_properties.size(); ++i) {
          if (i > 0) out += ",";
          out += p.sub_properties[i].first + "=" + p.sub_properties[i].second;
        }
        out += "}";
      }
    }
    out += "}";
  }
  return out;
}

// "foo:{name=value;k=a\nb} sso-session s:{…} services x:{…}", sections in name order.
std::string Dump(const ProfileFile& file) {
  std::string out = DumpSections("", file.profiles);
  for (const std::string& part : {DumpSections("sso-session ", file.sso_sessions),
                                  DumpSections("services ", file.services)}) {
    if (part.empty()) continue;
    if (!out.empty()) out += " ";
    out += part;
  }
  return out;
}

struct ParserCase {
  const char* name;
  ProfileFileKind kind;
  const char* text;
  // Success: the Dump() of the result, and how many warnings.
  const char* expected = nullptr;
  int warnings = 0;
  // Failure (when non-null): a substring of the error and its line number.
  const char* error = nullptr;
  int error_line = 0;
};

ParserCase Ok(const char* name, ProfileFileKind kind, const char* text, const char* expected,
              int warnings = 0) {
  return ParserCase{name, kind, text, expected, warnings, nullptr, 0};
}
ParserCase Fails(const char* name, ProfileFileKind kind, const char* text, const char* error,
                 int line) {
  return ParserCase{name, kind, text, nullptr, 0, error, line};
}

// Long on purpose: the parser's table of cases, one row each.
const std::vector<ParserCase>& Cases() {
  static const auto* cases = new std::vector<ParserCase>{
      // Sections.
      Ok("EmptyFileHasNoProfiles", kConfig, "", ""),
      Ok("EmptyProfileHasNoProperties", kConfig, "[profile foo]", "foo:{}"),
      Ok("ProfileNamesAllowLettersDigitsAndPunctuation", kConfig,
         "[profile some-thing:long/the_one%only.foo@bar+]\n[profile foo!bar]",
         "some-thing:long/the_one%only.foo@bar+:{}", 1),
      Fails("SectionWithoutClosingBracketIsAnError", kConfig, "[profile foo",
            "Profile definition must end with ']'", 1),
      Fails("TextAfterClosingBracketIsAnError", kConfig, "[profile foo] junk",
            "Profile definition must end with ']'", 1),
      Ok("ProfileNameIsTrimmedInsideBrackets", kConfig, "[profile \tfoo \t]", "foo:{}"),
      Ok("TabSeparatesProfilePrefixFromName", kConfig, "[profile\tfoo]", "foo:{}"),
      Ok("WhitespaceAroundProfileKeywordIsTrimmed", kConfig,
         "[   profile foo    ]\nname = value\n[profile bar]", "bar:{} foo:{name=value}"),
      Ok("WhitespaceInsideCredentialsBracketsIsTrimmed", kCredentials, "[   foo    ]\nname = value",
         "foo:{name=value}"),
      Ok("MultipleEmptyProfiles", kConfig, "[profile foo]\n[profile bar]", "bar:{} foo:{}"),
      Ok("MultipleProfilesWithProperties", kConfig,
         "[profile foo]\nname = value\n[profile bar]\nname2 = value2",
         "bar:{name2=value2} foo:{name=value}"),
      Ok("InvalidProfileNameIsSkippedWithWarning", kConfig, "[profile in valid]\nname = value", "",
         1),
      Ok("InvalidCredentialsProfileNameIsSkippedWithWarning", kCredentials,
         "[in valid 2]\nname2 = value2", "", 1),
      Ok("PropertiesOfSkippedSectionAreDiscarded", kConfig,
         "[profile foo]\nname = value\n[profile in valid]\nx = 1\n[profile bar]\nname = value2",
         "bar:{name=value2} foo:{name=value}", 1),
      Ok("ConfigSectionWithoutProfilePrefixIsSkipped", kConfig, "[foo]\nname = value", "", 1),
      Ok("ConfigProfileKeywordWithoutSpaceIsSkipped", kConfig,
         "[profilefoo]\nname = value\n[profile bar]", "bar:{}", 1),
      Ok("ConfigEmptyProfileNameIsSkipped", kConfig, "[profile]\n[profile ]\n[]", "", 3),
      Ok("CredentialsSectionWithProfilePrefixIsSkipped", kCredentials,
         "[profile foo]\nname = value", "", 1),
      Ok("CredentialsSectionIsPlainName", kCredentials, "[foo]\nname = value", "foo:{name=value}"),
      Ok("CredentialsDefaultSection", kCredentials, "[default]\naws_access_key_id = AKIDEXAMPLE",
         "default:{aws_access_key_id=AKIDEXAMPLE}"),
      Ok("ConfigBareDefaultIsTheDefaultProfile", kConfig, "[default]\nregion = eu-west-1",
         "default:{region=eu-west-1}"),
      Ok("PrefixedDefaultWinsOverBareDefaultWhenFirst", kConfig,
         "[profile default]\nname = value\n[default]\nname2 = value2", "default:{name=value}", 1),
      Ok("PrefixedDefaultWinsOverBareDefaultWhenLast", kConfig,
         "[default]\nname2 = value2\n[profile default]\nname = value", "default:{name=value}", 1),
      Ok("PrefixedDefaultSectionsMergeAroundBareDefault", kConfig,
         "[profile default]\nname = value\n[default]\nname2 = value2\n[profile default]\n"
         "name3 = value3",
         "default:{name=value;name3=value3}", 1),
      Ok("DuplicateSectionsMergeProperties", kConfig,
         "[profile foo]\nname = value\n[profile foo]\nname2 = value2",
         "foo:{name=value;name2=value2}"),
      Ok("SsoSessionSectionsAreKeptApart", kConfig,
         "[sso-session foo]\nname = value\n[profile bar]", "bar:{} sso-session foo:{name=value}"),
      Ok("ServicesSectionsAreKeptApart", kConfig,
         "[services dev]\ns3 =\n  endpoint_url = http://localhost:9000\n[profile bar]",
         "bar:{} services dev:{s3=\\nendpoint_url = http://localhost:9000"
         "{endpoint_url=http://localhost:9000}}"),
      Ok("SsoSessionWithoutSpaceIsAProfileInCredentials", kCredentials,
         "[sso-sessionfoo]\nname = value\n[bar]", "bar:{} sso-sessionfoo:{name=value}"),
      Ok("ByteOrderMarkIsSkipped", kConfig, "\xEF\xBB\xBF[profile foo]\nname = value",
         "foo:{name=value}"),
      // Properties.
      Fails("PropertyBeforeAnySectionIsAnError", kConfig, "name = value",
            "Expected a profile definition", 1),
      Ok("ProfilesContainProperties", kConfig, "[profile foo]\nname = value", "foo:{name=value}"),
      Ok("WindowsLineEndingsAreSupported", kConfig, "[profile foo]\r\nname = value\r\n",
         "foo:{name=value}"),
      Ok("EqualsSignsAreAllowedInValues", kConfig, "[profile foo]\nname = val=ue",
         "foo:{name=val=ue}"),
      Ok("UnicodeIsAllowedInValues", kConfig, "[profile foo]\nname = \xF0\x9F\x98\x82",
         "foo:{name=\xF0\x9F\x98\x82}"),
      Ok("KeysAndValuesAreTrimmed", kConfig, "[profile foo]\nname \t=  \tvalue \t",
         "foo:{name=value}"),
      Ok("ValuesMayBeEmpty", kConfig, "[profile foo]\nname =", "foo:{name=}"),
      Fails("EmptyKeyIsAnError", kConfig, "[profile foo]\n= value", "Property did not have a name",
            2),
      Fails("LineWithoutEqualsIsAnError", kConfig, "[profile foo]\nkey : value",
            "Expected an '=' sign defining a property", 2),
      Fails("ErrorReportsTheLineItOccursOn", kConfig,
            "[profile a]\nk = v\n\n# comment\nnot a property", "Expected an '='", 5),
      Ok("InvalidPropertyNameIsSkippedWithWarning", kConfig, "[profile foo]\nin valid = value",
         "foo:{}", 1),
      Ok("AllValidPropertyNameCharacters", kConfig, "[profile foo]\nABCxyz0123456789-_ = value",
         "foo:{ABCxyz0123456789-_=value}"),
      Ok("DuplicateKeysLastOneWins", kConfig, "[profile foo]\nname = value\nname = value2",
         "foo:{name=value2}"),
      Ok("DuplicateKeysAcrossDuplicateSectionsLastOneWins", kConfig,
         "[profile foo]\nname = value\n[profile foo]\nname = value2", "foo:{name=value2}"),
      Ok("DuplicateKeysAreComparedCaseInsensitively", kConfig,
         "[profile foo]\nName = value\n[profile foo]\nname = value2", "foo:{name=value2}"),
      Ok("DuplicateKeyKeepsItsFirstPosition", kConfig, "[profile foo]\na = 1\nb = 2\nA = 3",
         "foo:{A=3;b=2}"),
      // Comments.
      Ok("BlankLinesAreIgnored", kConfig,
         "\t \n[profile foo]\n\t\n \nname = value\n\t \n[profile bar]\n \t",
         "bar:{} foo:{name=value}"),
      Ok("PoundCommentsAreIgnored", kConfig,
         "# Comment\n[profile foo] # Comment\nname = value # Comment with # sign",
         "foo:{name=value}"),
      Ok("SemicolonCommentsAreIgnored", kConfig,
         "; Comment\n[profile foo] ; Comment\nname = value ; Comment with ; sign",
         "foo:{name=value}"),
      Ok("CommentsMayBeEmpty", kConfig, ";\n[profile foo];\nname = value ;\n", "foo:{name=value}"),
      Ok("CommentsMayTouchSectionHeaders", kConfig,
         "[profile foo]; Adjacent semicolons\n[profile bar]# Adjacent pound signs",
         "bar:{} foo:{}"),
      Ok("CommentCharactersWithoutWhitespaceArePartOfTheValue", kConfig,
         "[profile foo]\nname = value; Adjacent semicolons\nname2 = value# Adjacent pound signs",
         "foo:{name=value; Adjacent semicolons;name2=value# Adjacent pound signs}"),
      Ok("ValueMayStartWithCommentCharacterWhenTouchingEquals", kConfig, "[profile foo]\nk =#x",
         "foo:{k=#x}"),
      Ok("IndentedCommentWithoutOpenPropertyIsIgnored", kConfig,
         "  # top\n[profile foo]\n  ; note\nname = value", "foo:{name=value}"),
      // Continuation lines.
      Ok("ContinuationLinesAppendToTheValue", kConfig, "[profile foo]\nname = value\n -continued",
         "foo:{name=value\\n-continued}"),
      Ok("MultipleContinuationLines", kConfig,
         "[profile foo]\nname = value\n -continued\n -and-continued",
         "foo:{name=value\\n-continued\\n-and-continued}"),
      Ok("ContinuationLinesAreTrimmed", kConfig, "[profile foo]\nname = value\n \t -continued \t ",
         "foo:{name=value\\n-continued}"),
      Ok("ContinuationLinesKeepPoundComments", kConfig,
         "[profile foo]\nname = value\n -continued # Comment",
         "foo:{name=value\\n-continued # Comment}"),
      Ok("ContinuationLinesKeepSemicolonComments", kConfig,
         "[profile foo]\nname = value\n -continued ; Comment",
         "foo:{name=value\\n-continued ; Comment}"),
      Ok("ContinuationAfterBlankLineStillAppends", kConfig, "[profile foo]\nk = a\n\n  b",
         "foo:{k=a\\nb}"),
      Fails("ContinuationBeforeAnySectionIsAnError", kConfig, " -continued",
            "Expected a profile definition", 1),
      Fails("ContinuationRightAfterSectionIsAnError", kConfig, "[profile foo]\n -continued",
            "Expected a property definition, found continuation", 2),
      Fails("SectionLineEndsTheOpenProperty", kConfig,
            "[profile foo]\nname = value\n[profile foo]\n -continued",
            "Expected a property definition, found continuation", 4),
      // Sub-properties.
      Ok("EmptyValueFollowedByIndentedLinesHasSubProperties", kConfig,
         "[profile foo]\ns3 =\n name = value", "foo:{s3=\\nname = value{name=value}}"),
      Fails("SubPropertyWithoutEqualsIsAnError", kConfig, "[profile foo]\ns3 =\n invalid",
            "Expected an '=' sign defining a sub-property", 3),
      Ok("SubPropertyValueMayBeEmpty", kConfig,
         "[profile foo]\ns3 =\n name =", "foo:{s3=\\nname ={name=}}"),
      Fails("SubPropertyWithEmptyNameIsAnError", kConfig, "[profile foo]\ns3 =\n = value",
            "Sub-property did not have a name", 3),
      Ok("SubPropertyMayHaveAnInvalidName", kConfig, "[profile foo]\ns3 =\n in valid = value",
         "foo:{s3=\\nin valid = value{in valid=value}}"),
      Ok("SubPropertiesIgnoreBlankLines", kConfig,
         "[profile foo]\ns3 =\n name = value\n\t \n name2 = value2",
         "foo:{s3=\\nname = value\\nname2 = value2{name=value,name2=value2}}"),
      Ok("SubPropertiesIgnoreIndentedComments", kConfig,
         "[profile foo]\ns3 =\n # note\n name = value", "foo:{s3=\\nname = value{name=value}}"),
      Ok("DuplicateSubPropertyLastOneWins", kConfig, "[profile foo]\ns3 =\n a = 1\n A = 2",
         "foo:{s3=\\na = 1\\nA = 2{A=2}}"),
      Ok("SubPropertiesEndAtTheNextProperty", kConfig,
         "[profile foo]\ns3 =\n a = 1\nregion = us-east-1",
         "foo:{s3=\\na = 1{a=1};region=us-east-1}"),
  };
  return *cases;
}

class ProfileFileParserTableTest : public ::testing::TestWithParam<ParserCase> {};

TEST_P(ProfileFileParserTableTest, ParsesAsSpecified) {
  const ParserCase& c = GetParam();
  StatusOr<ProfileFile> parsed = ParseProfileFile(c.text, c.kind, kPath);
  if (c.error != nullptr) {
    EXPECT_THAT(
        parsed,
        StatusIs(StatusCode::kInvalidConfiguration,
                 AllOf(HasSubstr(c.error),
                       HasSubstr(std::string(kPath) + ":" + std::to_string(c.error_line) + ": "))));
    return;
  }
  ASSERT_OK(parsed);
  EXPECT_EQ(Dump(*parsed), c.expected);
  EXPECT_EQ(parsed->warnings.size(), static_cast<size_t>(c.warnings))
      << ::testing::PrintToString(parsed->warnings);
  for (const std::string& w : parsed->warnings) EXPECT_THAT(w, HasSubstr(std::string(kPath) + ":"));

  // Round trip: parse → render → parse gives an equal file, without new warnings.
  std::string rendered = RenderProfileFile(*parsed, c.kind);
  StatusOr<ProfileFile> reparsed = ParseProfileFile(rendered, c.kind, kPath);
  ASSERT_OK(reparsed) << rendered;
  EXPECT_EQ(*reparsed, *parsed) << rendered;
  EXPECT_TRUE(reparsed->warnings.empty()) << rendered;
}

INSTANTIATE_TEST_SUITE_P(Grammar, ProfileFileParserTableTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<ParserCase>& info) {
                           return std::string(info.param.name);
                         });

TEST(ProfileFileParserTest, TableHasAtLeastFortyCases) { EXPECT_GE(Cases().size(), 40u); }

TEST(ProfileFileParserTest, RecordsLineNumbersOfSectionsAndProperties) {
  ASSERT_OK_AND_ASSIGN(ProfileFile file,
                       ParseProfileFile("# c\n[profile dev]\n\nregion = eu-west-1\n"
                                        "[profile dev]\nregion = us-east-1\n",
                                        kConfig, kPath));
  const ProfileSection* dev = file.FindProfile("dev");
  ASSERT_NE(dev, nullptr);
  EXPECT_EQ(dev->line, 2);
  const ProfileProperty* region = dev->Find("REGION");
  ASSERT_NE(region, nullptr);
  EXPECT_EQ(region->value, "us-east-1");
  EXPECT_EQ(region->line, 6);
}

TEST(ProfileFileParserTest, FindComparesKeysCaseInsensitivelyAndNamesCaseSensitively) {
  ASSERT_OK_AND_ASSIGN(ProfileFile file,
                       ParseProfileFile("[Dev]\nAWS_Access_Key_ID = AKIDEXAMPLE\ns3 =\n  "
                                        "Max_Concurrent_Requests = 4\n",
                                        kCredentials, kPath));
  EXPECT_EQ(file.FindProfile("dev"), nullptr);
  const ProfileSection* dev = file.FindProfile("Dev");
  ASSERT_NE(dev, nullptr);
  ASSERT_NE(dev->Find("aws_access_key_id"), nullptr);
  const ProfileProperty* s3 = dev->Find("S3");
  ASSERT_NE(s3, nullptr);
  const std::string* sub = s3->SubProperty("max_concurrent_requests");
  ASSERT_NE(sub, nullptr);
  EXPECT_EQ(*sub, "4");
  EXPECT_EQ(s3->SubProperty("absent"), nullptr);
}

TEST(ProfileFileParserTest, WarningsNamePathLineAndSection) {
  ASSERT_OK_AND_ASSIGN(ProfileFile file,
                       ParseProfileFile("[profile ok]\n\n[dev]\nk = v\n", kConfig, kPath));
  ASSERT_EQ(file.warnings.size(), 1u);
  EXPECT_THAT(file.warnings[0], HasSubstr(std::string(kPath) + ":3: section [dev] ignored"));
}

TEST(ProfileFileParserTest, NoValueAppearsInErrorsOrWarnings) {
  const std::string secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  const std::vector<std::string> texts = {
      "aws_secret_access_key = " + secret,
      "[profile a]\naws_secret_access_key : " + secret,
      "[profile a]\ns3 =\n  " + secret,
      "[profile a b]\naws_secret_access_key = " + secret + "\n",
      "[x]\naws_secret_access_key = " + secret + "\n",
      "[profile a]\nbad key = " + secret + "\n",
      "  " + secret,
      "[profile a]\n  " + secret,
  };
  for (const std::string& text : texts) {
    StatusOr<ProfileFile> parsed = ParseProfileFile(text, kConfig, kPath);
    if (!parsed.ok()) {
      EXPECT_THAT(parsed.status().message(), Not(HasSubstr(secret))) << text;
      EXPECT_THAT(parsed.status().message(), Not(HasSubstr("EXAMPLEKEY"))) << text;
    } else {
      for (const std::string& w : parsed->warnings) {
        EXPECT_THAT(w, Not(HasSubstr("EXAMPLEKEY"))) << text;
      }
    }
  }
}

TEST(ProfileFileParserTest, RenderWritesKindSpecificHeaders) {
  ASSERT_OK_AND_ASSIGN(ProfileFile file,
                       ParseProfileFile("[profile dev]\nregion = eu-west-1\n[default]\nk = v\n"
                                        "[sso-session corp]\nsso_region = us-east-1\n",
                                        kConfig, kPath));
  EXPECT_EQ(RenderProfileFile(file, kConfig),
            "[default]\nk = v\n[profile dev]\nregion = eu-west-1\n"
            "[sso-session corp]\nsso_region = us-east-1\n");
  EXPECT_EQ(RenderProfileFile(file, kCredentials), "[default]\nk = v\n[dev]\nregion = eu-west-1\n");
}

TEST(ProfileFileParserTest, RoundTripsARealisticConfigFile) {
  const char* text =
      "# managed by hand\n"
      "[default]\n"
      "region = us-east-1 ; the usual\n"
      "output=json\n"
      "\n"
      "[profile dev]\n"
      "credential_process = /opt/bin/creds --profile \"dev team\"\n"
      "s3 =\n"
      "  max_concurrent_requests = 20\n"
      "  addressing_style = path\n"
      "ca_bundle = /etc/ssl/a.pem\n"
      "  /etc/ssl/b.pem\n"
      "[sso-session corp]\n"
      "sso_start_url = https://example.awsapps.com/start\n";
  ASSERT_OK_AND_ASSIGN(ProfileFile file, ParseProfileFile(text, kConfig, kPath));
  EXPECT_TRUE(file.warnings.empty());
  std::string rendered = RenderProfileFile(file, kConfig);
  ASSERT_OK_AND_ASSIGN(ProfileFile again, ParseProfileFile(rendered, kConfig, kPath));
  EXPECT_EQ(again, file);
  EXPECT_EQ(RenderProfileFile(again, kConfig), rendered);
}

// Many distinct keys and sub-properties in one section are all kept, in order, with a late
// duplicate (different case) replacing its key in place. (The parser indexes keys, so this is
// linear; the test checks the result, not the time.)
TEST(ProfileFileParserTest, ManyKeysInOneSectionAreAllKept) {
  std::string text = "[profile big]\n";
  for (int i = 0; i < 20000; ++i) text += "key" + std::to_string(i) + " = v\n";
  text += "s3 =\n";
  for (int i = 0; i < 20000; ++i) text += "  sub" + std::to_string(i) + " = v\n";
  text += "KEY7 = last\n";
  ASSERT_OK_AND_ASSIGN(ProfileFile file, ParseProfileFile(text, kConfig, kPath));
  const ProfileSection* big = file.FindProfile("big");
  ASSERT_NE(big, nullptr);
  EXPECT_EQ(big->properties.size(), 20001u);
  EXPECT_EQ(big->properties[7].key, "KEY7");
  EXPECT_EQ(big->properties[7].value, "last");
  EXPECT_EQ(big->properties.back().sub_properties.size(), 20000u);
}

TEST(ProfileFileParserTest, EqualityIgnoresLineNumbersAndWarnings) {
  ASSERT_OK_AND_ASSIGN(ProfileFile a, ParseProfileFile("[a]\nk = v\n", kCredentials, kPath));
  ASSERT_OK_AND_ASSIGN(ProfileFile b, ParseProfileFile("\n\n[profile x]\nj = 1\n[a]\n\nk = v\n",
                                                       kCredentials, kPath));
  EXPECT_EQ(a, b);
  ASSERT_OK_AND_ASSIGN(ProfileFile c, ParseProfileFile("[a]\nk = w\n", kCredentials, kPath));
  EXPECT_NE(a, c);
}

}  // namespace
}  // namespace chantless
