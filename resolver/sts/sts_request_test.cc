// Tests for the STS request bodies and the parameter checks against STS's limits.
#include "resolver/sts/sts_request.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace {

using ::chantless::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

AssumeRoleParams Demo() {
  AssumeRoleParams p;
  p.role_arn = "arn:aws:iam::123456789012:role/demo";
  p.role_session_name = "chantless-test";
  return p;
}

TEST(StsRequestTest, AssumeRoleBodyMatchesTheWorkedVector) {
  // The body of the signed vector in sts-sso-behaviour.md §4.
  ASSERT_OK_AND_ASSIGN(std::string body, AssumeRoleRequestBody(Demo()));
  EXPECT_EQ(
      body,
      "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2F"
      "demo&RoleSessionName=chantless-test");
}

TEST(StsRequestTest, AssumeRoleBodyWithEveryParameter) {
  AssumeRoleParams p = Demo();
  p.role_arn = "arn:aws:iam::123456789012:role/path/to/demo";
  p.duration_seconds = 3600;
  p.external_id = "ext-123:a/b+c=d,e.f@g";
  p.serial_number = "arn:aws:iam::123456789012:mfa/user";
  p.token_code = Secret("123456");
  p.source_identity = "alice@example.com";
  ASSERT_OK_AND_ASSIGN(std::string body, AssumeRoleRequestBody(p));
  EXPECT_EQ(body,
            "Action=AssumeRole&Version=2011-06-15"
            "&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fpath%2Fto%2Fdemo"
            "&RoleSessionName=chantless-test&DurationSeconds=3600"
            "&ExternalId=ext-123%3Aa%2Fb%2Bc%3Dd%2Ce.f%40g"
            "&SerialNumber=arn%3Aaws%3Aiam%3A%3A123456789012%3Amfa%2Fuser&TokenCode=123456"
            "&SourceIdentity=alice%40example.com");
}

TEST(StsRequestTest, FormEncodeKeepsOnlyUnreserved) {
  EXPECT_EQ(FormEncode({{"a b", "c&d=e~f_g.h-i"}, {"\xc3\xa9", "+/%"}}),
            "a%20b=c%26d%3De~f_g.h-i&%C3%A9=%2B%2F%25");
  EXPECT_EQ(FormEncode({}), "");
}

TEST(StsRequestTest, WebIdentityBody) {
  AssumeRoleWithWebIdentityParams p;
  p.role_arn = "arn:aws:iam::123456789012:role/wi";
  p.role_session_name = "botocore-session-1796457094";
  p.web_identity_token = Secret("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln");
  ASSERT_OK_AND_ASSIGN(std::string body, AssumeRoleWithWebIdentityRequestBody(p));
  EXPECT_EQ(body,
            "Action=AssumeRoleWithWebIdentity&Version=2011-06-15"
            "&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fwi"
            "&RoleSessionName=botocore-session-1796457094"
            "&WebIdentityToken=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln");
  p.web_identity_token = Secret("abc");
  EXPECT_THAT(AssumeRoleWithWebIdentityRequestBody(p),
              StatusIs(StatusCode::kInvalidConfiguration,
                       HasSubstr("WebIdentityToken must be 4 to 20000")));
}

TEST(StsRequestTest, LimitsAreCheckedWithClearMessages) {
  struct Case {
    const char* name;
    void (*mutate)(AssumeRoleParams*);
    const char* message;  // nullptr: accepted
  };
  const Case cases[] = {
      {"session name 2 chars", [](AssumeRoleParams* p) { p->role_session_name = "ab"; }, nullptr},
      {"session name 64 chars",
       [](AssumeRoleParams* p) { p->role_session_name = std::string(64, 'a'); }, nullptr},
      {"session name all symbols", [](AssumeRoleParams* p) { p->role_session_name = "a_+=,.@-Z9"; },
       nullptr},
      {"session name 1 char", [](AssumeRoleParams* p) { p->role_session_name = "a"; },
       "RoleSessionName must be 2 to 64 characters (it has 1)"},
      {"session name 65 chars",
       [](AssumeRoleParams* p) { p->role_session_name = std::string(65, 'a'); },
       "RoleSessionName must be 2 to 64 characters (it has 65)"},
      {"session name with space", [](AssumeRoleParams* p) { p->role_session_name = "a b"; },
       "RoleSessionName may hold only A-Z a-z 0-9 and _+=,.@-"},
      {"session name with slash", [](AssumeRoleParams* p) { p->role_session_name = "a/b"; },
       "RoleSessionName may hold only"},
      {"duration 900", [](AssumeRoleParams* p) { p->duration_seconds = 900; }, nullptr},
      {"duration 43200", [](AssumeRoleParams* p) { p->duration_seconds = 43200; }, nullptr},
      {"duration 899", [](AssumeRoleParams* p) { p->duration_seconds = 899; },
       "DurationSeconds must be 900 to 43200 seconds (it is 899)"},
      {"duration 43201", [](AssumeRoleParams* p) { p->duration_seconds = 43201; },
       "DurationSeconds must be 900 to 43200"},
      {"external id with colon and slash", [](AssumeRoleParams* p) { p->external_id = "a:b/c"; },
       nullptr},
      {"external id 1 char", [](AssumeRoleParams* p) { p->external_id = "a"; },
       "ExternalId must be 2 to 1224 characters"},
      {"external id 1225 chars",
       [](AssumeRoleParams* p) { p->external_id = std::string(1225, 'x'); },
       "ExternalId must be 2 to 1224 characters (it has 1225)"},
      {"external id with space", [](AssumeRoleParams* p) { p->external_id = "a b"; },
       "ExternalId may hold only A-Z a-z 0-9 and _+=,.@:/-"},
      {"token code without serial", [](AssumeRoleParams* p) { p->token_code = Secret("123456"); },
       "TokenCode is set but SerialNumber"},
      {"token code 5 digits",
       [](AssumeRoleParams* p) {
         p->serial_number = "arn:aws:iam::123456789012:mfa/u";
         p->token_code = Secret("12345");
       },
       "TokenCode must be exactly 6 digits"},
      {"token code letters",
       [](AssumeRoleParams* p) {
         p->serial_number = "arn:aws:iam::123456789012:mfa/u";
         p->token_code = Secret("12345a");
       },
       "TokenCode must be exactly 6 digits"},
      {"serial too short", [](AssumeRoleParams* p) { p->serial_number = "GAHT1234"; },
       "SerialNumber must be 9 to 256"},
      {"hardware serial", [](AssumeRoleParams* p) { p->serial_number = "GAHT12345678"; }, nullptr},
      {"source identity 1 char", [](AssumeRoleParams* p) { p->source_identity = "a"; },
       "SourceIdentity must be 2 to 64"},
      {"arn of a user",
       [](AssumeRoleParams* p) { p->role_arn = "arn:aws:iam::123456789012:user/u"; },
       "RoleArn must look like arn:aws:iam::123456789012:role/name"},
      {"arn 11-digit account",
       [](AssumeRoleParams* p) { p->role_arn = "arn:aws:iam::12345678901:role/demo"; },
       "RoleArn must look like"},
      {"arn with region",
       [](AssumeRoleParams* p) { p->role_arn = "arn:aws:iam:us-east-1:123456789012:role/d"; },
       "RoleArn must look like"},
      {"arn of sts",
       [](AssumeRoleParams* p) { p->role_arn = "arn:aws:sts::123456789012:role/demo"; },
       "RoleArn must look like"},
      {"arn without name",
       [](AssumeRoleParams* p) { p->role_arn = "arn:aws:iam::123456789012:role/"; },
       "RoleArn must look like"},
      {"arn too short", [](AssumeRoleParams* p) { p->role_arn = "arn:aws:iam::1:role"; },
       "RoleArn must look like arn:aws:iam::123456789012:role/name (20 to 2048 characters"},
      {"arn gov partition",
       [](AssumeRoleParams* p) { p->role_arn = "arn:aws-us-gov:iam::123456789012:role/a/b"; },
       nullptr},
      {"arn with space",
       [](AssumeRoleParams* p) { p->role_arn = "arn:aws:iam::123456789012:role/a b"; },
       "RoleArn must look like"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    AssumeRoleParams p = Demo();
    c.mutate(&p);
    Status s = ValidateAssumeRoleParams(p);
    if (c.message == nullptr) {
      EXPECT_OK(s);
    } else {
      EXPECT_THAT(s, StatusIs(StatusCode::kInvalidConfiguration, HasSubstr(c.message)));
      EXPECT_THAT(AssumeRoleRequestBody(p),
                  StatusIs(StatusCode::kInvalidConfiguration, HasSubstr(c.message)));
    }
  }
}

TEST(StsRequestTest, TokenCodeNeverQuoted) {
  AssumeRoleParams p = Demo();
  p.serial_number = "arn:aws:iam::123456789012:mfa/u";
  p.token_code = Secret("98765x");
  Status s = ValidateAssumeRoleParams(p);
  EXPECT_THAT(s.message(), Not(HasSubstr("98765")));
}

}  // namespace
}  // namespace chantless
