// Tests for the STS response decoders: bodies shaped exactly as STS answers (sts-sso-behaviour.md
// §1.4, §2), every required element missing in turn, and the error bodies a provider meets.
#include "resolver/sts/sts_response.h"

#include <chrono>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "resolver/core/time_util.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace {

using ::chantless::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzSTSEXAMPLEKEY";
constexpr char kToken[] =
    "IQoJb3JpZ2luX2VjEXAMPLESTSASSUMEROLETOKEN//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+EXAMPLE==";

std::string AssumeRoleBody(const std::string& expiration = "2030-07-15T23:28:33.359Z") {
  return std::string(R"(<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <SourceIdentity>alice</SourceIdentity>
    <AssumedRoleUser>
      <AssumedRoleId>AROA3XFRBF535PLBIFPI4:chantless-test</AssumedRoleId>
      <Arn>arn:aws:sts::123456789012:assumed-role/demo/chantless-test</Arn>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAQEXAMPLESTSKEY01</AccessKeyId>
      <SecretAccessKey>)") +
         kSecret + R"(</SecretAccessKey>
      <SessionToken>)" +
         kToken + R"(</SessionToken>
      <Expiration>)" +
         expiration + R"(</Expiration>
    </Credentials>
    <PackedPolicySize>6</PackedPolicySize>
  </AssumeRoleResult>
  <ResponseMetadata>
    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>
)";
}

std::string WebIdentityBody() {
  return std::string(
             R"(<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <Audience>sts.amazonaws.com</Audience>
    <AssumedRoleUser>
      <AssumedRoleId>AROA3XFRBF535WEBIDENT:botocore-session-1796457094</AssumedRoleId>
      <Arn>arn:aws:sts::210987654321:assumed-role/eks-pod-role/botocore-session-1796457094</Arn>
    </AssumedRoleUser>
    <Provider>arn:aws:iam::210987654321:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE</Provider>
    <Credentials>
      <AccessKeyId>ASIAQEXAMPLEWEBIDKEY</AccessKeyId>
      <SecretAccessKey>)") +
         kSecret + R"(</SecretAccessKey>
      <SessionToken>)" +
         kToken + R"(</SessionToken>
      <Expiration>2026-12-05T08:51:34Z</Expiration>
    </Credentials>
    <SubjectFromWebIdentityToken>system:serviceaccount:default:app</SubjectFromWebIdentityToken>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata>
    <RequestId>ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE</RequestId>
  </ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>
)";
}

std::string ErrorBody(const std::string& type, const std::string& code,
                      const std::string& message) {
  return R"(<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error>
    <Type>)" +
         type + R"(</Type>
    <Code>)" +
         code + R"(</Code>
    <Message>)" +
         message + R"(</Message>
  </Error>
  <RequestId>4fd0f2e6-6f2b-4b1e-9c55-0c1d2f3e4a5b</RequestId>
</ErrorResponse>
)";
}

std::string Without(std::string body, const std::string& element) {
  const std::string open = "<" + element + ">";
  const std::string close = "</" + element + ">";
  size_t b = body.find(open);
  size_t e = body.find(close, b);
  if (b == std::string::npos || e == std::string::npos) ADD_FAILURE() << element;
  body.erase(b, e + close.size() - b);
  return body;
}

std::string Replace(std::string body, const std::string& from, const std::string& to) {
  size_t at = body.find(from);
  if (at == std::string::npos) ADD_FAILURE() << from;
  body.replace(at, from.size(), to);
  return body;
}

TEST(StsResponseTest, AssumeRoleAsStsAnswers) {
  ASSERT_OK_AND_ASSIGN(StsAssumedRole r, ParseAssumeRoleResponse(AssumeRoleBody()));
  EXPECT_EQ(r.credentials.access_key_id, "ASIAQEXAMPLESTSKEY01");
  EXPECT_EQ(r.credentials.secret_access_key.reveal(), kSecret);
  EXPECT_EQ(r.credentials.session_token.reveal(), kToken);
  ASSERT_TRUE(r.credentials.expiration.has_value());
  EXPECT_EQ(FormatRfc3339(*r.credentials.expiration), "2030-07-15T23:28:33Z");
  EXPECT_EQ(*r.credentials.expiration -
                std::chrono::floor<std::chrono::seconds>(*r.credentials.expiration),
            std::chrono::milliseconds(359));
  EXPECT_EQ(r.credentials.account_id, "123456789012");
  EXPECT_EQ(r.assumed_role_arn, "arn:aws:sts::123456789012:assumed-role/demo/chantless-test");
  EXPECT_EQ(r.assumed_role_id, "AROA3XFRBF535PLBIFPI4:chantless-test");
  EXPECT_EQ(r.request_id, "c6104cbe-af31-11e0-8154-cbc7ccf896c7");
  EXPECT_EQ(r.packed_policy_size, 6);
  EXPECT_EQ(r.source_identity, "alice");
  EXPECT_FALSE(r.provider.has_value());
  EXPECT_EQ(r.credentials.provider, "");
}

TEST(StsResponseTest, AssumeRoleWholeSecondsAndNoNamespace) {
  std::string body = Replace(AssumeRoleBody("2030-07-15T23:28:33Z"),
                             " xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"", "");
  body = Without(Without(Without(body, "PackedPolicySize"), "SourceIdentity"), "ResponseMetadata");
  ASSERT_OK_AND_ASSIGN(StsAssumedRole r, ParseAssumeRoleResponse(body));
  EXPECT_EQ(FormatRfc3339(*r.credentials.expiration), "2030-07-15T23:28:33Z");
  EXPECT_FALSE(r.packed_policy_size.has_value());
  EXPECT_FALSE(r.source_identity.has_value());
  EXPECT_FALSE(r.request_id.has_value());
}

TEST(StsResponseTest, PrefixedNamespaceAndSurroundingWhitespace) {
  const std::string body =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<sts:AssumeRoleResponse xmlns:sts=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
      "<sts:AssumeRoleResult><sts:Credentials>"
      "<sts:AccessKeyId>\n  ASIAKEY \n</sts:AccessKeyId>"
      "<sts:SecretAccessKey><![CDATA[secret/key+1]]></sts:SecretAccessKey>"
      "<sts:SessionToken>tok</sts:SessionToken>"
      "<sts:Expiration>2030-01-01T00:00:00Z</sts:Expiration>"
      "</sts:Credentials><sts:AssumedRoleUser><sts:AssumedRoleId>AROA:x</sts:AssumedRoleId>"
      "<sts:Arn>arn:aws-cn:sts::000000000001:assumed-role/r/x</sts:Arn></sts:AssumedRoleUser>"
      "</sts:AssumeRoleResult></sts:AssumeRoleResponse>";
  ASSERT_OK_AND_ASSIGN(StsAssumedRole r, ParseAssumeRoleResponse(body));
  EXPECT_EQ(r.credentials.access_key_id, "ASIAKEY");
  EXPECT_EQ(r.credentials.secret_access_key.reveal(), "secret/key+1");
  EXPECT_EQ(r.credentials.account_id, "000000000001");
}

TEST(StsResponseTest, WebIdentityAsStsAnswers) {
  ASSERT_OK_AND_ASSIGN(StsAssumedRole r, ParseAssumeRoleWithWebIdentityResponse(WebIdentityBody()));
  EXPECT_EQ(r.credentials.access_key_id, "ASIAQEXAMPLEWEBIDKEY");
  EXPECT_EQ(r.credentials.account_id, "210987654321");
  EXPECT_EQ(FormatRfc3339(*r.credentials.expiration), "2026-12-05T08:51:34Z");
  EXPECT_EQ(r.subject_from_web_identity_token, "system:serviceaccount:default:app");
  EXPECT_EQ(r.audience, "sts.amazonaws.com");
  EXPECT_EQ(r.provider,
            "arn:aws:iam::210987654321:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE");
  EXPECT_EQ(r.request_id, "ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE");
}

TEST(StsResponseTest, DecodersDoNotMixUpActions) {
  EXPECT_THAT(ParseAssumeRoleResponse(WebIdentityBody()),
              StatusIs(StatusCode::kInvalidResponse,
                       HasSubstr("the root element is not <AssumeRoleResponse>")));
  EXPECT_THAT(
      ParseAssumeRoleWithWebIdentityResponse(AssumeRoleBody()),
      StatusIs(StatusCode::kInvalidResponse, HasSubstr("not <AssumeRoleWithWebIdentityResponse>")));
}

TEST(StsResponseTest, EveryRequiredElementIsNamedWhenMissing) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"AssumeRoleResult", "<AssumeRoleResponse/AssumeRoleResult> is missing"},
      {"Credentials", "<AssumeRoleResponse/AssumeRoleResult/Credentials> is missing"},
      {"AccessKeyId", "Credentials/AccessKeyId> is missing"},
      {"SecretAccessKey", "Credentials/SecretAccessKey> is missing"},
      {"SessionToken", "Credentials/SessionToken> is missing"},
      {"Expiration", "Credentials/Expiration> is missing"},
      {"AssumedRoleUser", "AssumeRoleResult/AssumedRoleUser> is missing"},
      {"AssumedRoleId", "AssumedRoleUser/AssumedRoleId> is missing"},
      {"Arn", "AssumedRoleUser/Arn> is missing"},
  };
  for (const auto& [element, message] : cases) {
    SCOPED_TRACE(element);
    auto r = ParseAssumeRoleResponse(Without(AssumeRoleBody(), element));
    EXPECT_THAT(r, StatusIs(StatusCode::kInvalidResponse, HasSubstr(message)));
    EXPECT_THAT(r.status().message(), HasSubstr("STS AssumeRole response: "));
  }
}

TEST(StsResponseTest, BadValuesAreRefusedWithoutQuotingThem) {
  struct Bad {
    const char* name;
    std::string body;
    const char* message;
  };
  const std::vector<Bad> cases = {
      {"empty secret", Replace(AssumeRoleBody(), kSecret, "  "), "SecretAccessKey> is empty"},
      {"space in secret", Replace(AssumeRoleBody(), kSecret, std::string(kSecret) + " x"),
       "SecretAccessKey> holds a space"},
      {"newline in token", Replace(AssumeRoleBody(), kToken, std::string(kToken) + "\nX-Evil: 1"),
       "SessionToken> holds a space, a control character"},
      {"bad expiration", AssumeRoleBody("tomorrow at " + std::string(kSecret)),
       "Expiration> is not an ISO-8601 time"},
      {"arn without account",
       Replace(AssumeRoleBody(), "arn:aws:sts::123456789012:assumed-role", "arn:aws:sts::x:role"),
       "does not hold a 12-digit account id"},
      {"not an arn", Replace(AssumeRoleBody(), "arn:aws:sts::123456789012:", "urn:"),
       "Arn> is not an ARN"},
      {"two secrets",
       Replace(AssumeRoleBody(), "<SessionToken>",
               std::string("<SecretAccessKey>") + kSecret + "</SecretAccessKey><SessionToken>"),
       "SecretAccessKey> appears more than once"},
      {"packed policy not a number",
       Replace(AssumeRoleBody(), "<PackedPolicySize>6", "<PackedPolicySize>six"),
       "PackedPolicySize> is not a percentage"},
      {"foreign namespace",
       Replace(AssumeRoleBody(), "https://sts.amazonaws.com/doc/2011-06-15/", "urn:other"),
       "is not in the STS namespace"},
      {"an error body", ErrorBody("Sender", "AccessDenied", "no"), "is an STS error response"},
      {"truncated", AssumeRoleBody().substr(0, 400), "XML not accepted: "},
      {"json", "{\"Credentials\": {}}", "XML not accepted: "},
      {"empty", "", "no element found"},
  };
  for (const Bad& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = ParseAssumeRoleResponse(c.body);
    EXPECT_THAT(r, StatusIs(StatusCode::kInvalidResponse, HasSubstr(c.message)));
    EXPECT_THAT(r.status().message(), Not(HasSubstr("wJalrXUtnFEMI")));
    EXPECT_THAT(r.status().message(), Not(HasSubstr("IQoJb3JpZ2lu")));
    EXPECT_THAT(r.status().message(), Not(HasSubstr("tomorrow")));
  }
}

// --- error bodies
// ---------------------------------------------------------------------------------

struct ErrorCase {
  const char* code;
  const char* type;
  const char* message;
};

TEST(StsResponseTest, ErrorBodiesAProviderMeets) {
  const ErrorCase cases[] = {
      {"AccessDenied", "Sender",
       "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: sts:AssumeRole on "
       "resource: arn:aws:iam::123456789012:role/demo"},
      {"ExpiredToken", "Sender", "The security token included in the request is expired"},
      {"IDPCommunicationError", "Sender",
       "Couldn't retrieve verification key from your identity provider,  please reference "
       "AssumeRoleWithWebIdentity documentation for requirements"},
      {"InvalidIdentityToken", "Sender", "Incorrect token audience"},
      {"Throttling", "Sender", "Rate exceeded"},
      {"ValidationError", "Sender",
       "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role "
       "chaining."},
  };
  for (const ErrorCase& c : cases) {
    SCOPED_TRACE(c.code);
    ASSERT_OK_AND_ASSIGN(StsError e, ParseStsErrorResponse(ErrorBody(c.type, c.code, c.message)));
    EXPECT_EQ(e.code, c.code);
    EXPECT_EQ(e.type, c.type);
    EXPECT_EQ(e.message, c.message);
    EXPECT_EQ(e.request_id, "4fd0f2e6-6f2b-4b1e-9c55-0c1d2f3e4a5b");
  }
}

TEST(StsResponseTest, ErrorBodyWithRootError) {
  ASSERT_OK_AND_ASSIGN(
      StsError e,
      ParseStsErrorResponse("<Error><Code>InvalidIdentityToken</Code><Message>No OpenIDConnect "
                            "provider found</Message><RequestId>r-1</RequestId></Error>"));
  EXPECT_EQ(e.code, "InvalidIdentityToken");
  EXPECT_FALSE(e.type.has_value());
  EXPECT_EQ(e.message, "No OpenIDConnect provider found");
  EXPECT_EQ(e.request_id, "r-1");
}

TEST(StsResponseTest, ErrorBodyEscapedMessage) {
  ASSERT_OK_AND_ASSIGN(StsError e, ParseStsErrorResponse(ErrorBody("Receiver", "InternalFailure",
                                                                   "a &lt;b&gt; &amp; c")));
  EXPECT_EQ(e.message, "a <b> & c");
  EXPECT_EQ(e.type, "Receiver");
}

TEST(StsResponseTest, ErrorBodyProblems) {
  EXPECT_THAT(ParseStsErrorResponse(Without(ErrorBody("Sender", "Throttling", "x"), "Code")),
              StatusIs(StatusCode::kInvalidResponse,
                       HasSubstr("STS error response: <ErrorResponse/Error/Code> is missing")));
  EXPECT_THAT(
      ParseStsErrorResponse("<ErrorResponse><RequestId>r</RequestId></ErrorResponse>"),
      StatusIs(StatusCode::kInvalidResponse, HasSubstr("<ErrorResponse/Error> is missing")));
  EXPECT_THAT(
      ParseStsErrorResponse(AssumeRoleBody()),
      StatusIs(StatusCode::kInvalidResponse, HasSubstr("neither <ErrorResponse> nor <Error>")));
  EXPECT_THAT(ParseStsErrorResponse("<html><body>502 Bad Gateway</body>"),
              StatusIs(StatusCode::kInvalidResponse, HasSubstr("XML not accepted")));
}

}  // namespace
}  // namespace chantless
