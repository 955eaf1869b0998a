// Tests for the secret scanner: every planted kind is found, with the right JSON path; documented
// examples, placeholders and templates are accepted; findings never print the secret.
#include "replay/secret_scan.h"

#include <string>

#include "gtest/gtest.h"
#include "replay/base64.h"
#include "replay/fake_secrets.h"

namespace chantless {
namespace replay {
namespace {

using testing::FakeAccessKeyId;
using testing::FakeImdsToken;
using testing::FakeJwt;
using testing::FakeSecretAccessKey;
using testing::FakeSessionToken;

std::string Quote(const std::string& s) { return "\"" + s + "\""; }

TEST(SecretScanTest, FindsAccessKeyIdWithItsPath) {
  std::string doc =
      "{\"exchanges\": [{\"response\": {\"body\": " + Quote(FakeAccessKeyId(1)) + "}}]}";
  auto findings = ScanDocument(doc, "f.json");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].kind, SecretKind::kAccessKeyId);
  EXPECT_EQ(findings[0].json_path, "$.exchanges[0].response.body");
  EXPECT_EQ(findings[0].file, "f.json");
}

TEST(SecretScanTest, FindsAkiaKeyIds) {
  auto spans = FindSecretsInText("id=" + FakeAccessKeyId(2, "AKIA") + ";");
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].kind, SecretKind::kAccessKeyId);
  EXPECT_EQ(spans[0].offset, 3u);
  EXPECT_EQ(spans[0].length, 20u);
}

TEST(SecretScanTest, IgnoresLowEntropyKeyIds) {
  EXPECT_TRUE(FindSecretsInText("AKIA" + std::string(16, 'A')).empty());
}

TEST(SecretScanTest, AllowsDocumentedExamplesAndPlaceholders) {
  EXPECT_TRUE(FindSecretsInText("AKIAIOSFODNN7EXAMPLE").empty());
  EXPECT_TRUE(FindSecretsInText("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY").empty());
  EXPECT_TRUE(
      FindSecretsInText("ASIAREDACTED00000001 REDACTED/SECRET/ACCESS/KEY/0000000000001").empty());
  EXPECT_TRUE(FindSecretsInText("REDACTEDSESSIONTOKEN0001" + std::string(300, 'A')).empty());
}

TEST(SecretScanTest, FindsSecretAccessKey) {
  auto spans = FindSecretsInText("{\"SecretAccessKey\": " + Quote(FakeSecretAccessKey(3)) + "}");
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].kind, SecretKind::kSecretAccessKey);
  EXPECT_EQ(spans[0].length, 40u);
}

TEST(SecretScanTest, IgnoresHexDigestsOfSecretKeyLength) {
  EXPECT_TRUE(FindSecretsInText("da39a3ee5e6b4b0d3255bfef95601890afd80709").empty());
}

TEST(SecretScanTest, FindsLongBase64SessionToken) {
  auto spans = FindSecretsInText("Token: " + FakeSessionToken(4));
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].kind, SecretKind::kSessionToken);
}

TEST(SecretScanTest, FindsImdsTokenShape) {
  auto spans = FindSecretsInText(FakeImdsToken(5));
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].kind, SecretKind::kImdsToken);
}

TEST(SecretScanTest, FindsSecretInsideLargerString) {
  std::string text =
      "aws4 Credential=" + FakeAccessKeyId(6) + "/20240501/us-east-1/sts/aws4_request";
  auto spans = FindSecretsInText(text);
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].kind, SecretKind::kAccessKeyId);
  EXPECT_EQ(spans[0].offset, std::string("aws4 Credential=").size());
}

TEST(SecretScanTest, FlagsAuthorizationHeaderWithRealValue) {
  auto findings =
      ScanDocument("{\"request\": {\"headers\": {\"authorization\": \"abc123\"}}}", "f.json");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].kind, SecretKind::kAuthorization);
  EXPECT_EQ(findings[0].json_path, "$.request.headers.authorization");
}

TEST(SecretScanTest, FlagsHarStyleHeaderPairs) {
  auto findings = ScanDocument(
      "{\"headers\": [{\"name\": \"X-aws-ec2-metadata-token\", \"value\": \"tok\"}]}", "a.har");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].kind, SecretKind::kImdsToken);
  EXPECT_EQ(findings[0].json_path, "$.headers[0].value");
}

TEST(SecretScanTest, AcceptsPlaceholderAndTemplateHeaderValues) {
  EXPECT_TRUE(ScanDocument("{\"headers\": {\"Authorization\": \"REDACTED-AUTHORIZATION-0001\", "
                           "\"X-aws-ec2-metadata-token\": \"{{present}}\"}}",
                           "f.json")
                  .empty());
}

TEST(SecretScanTest, DecodesBase64BodiesBeforeScanning) {
  std::string raw = std::string("\xFF\xFE") + FakeSecretAccessKey(7) + "\x80";
  auto findings = ScanDocument("{\"body_base64\": " + Quote(Base64Encode(raw)) + "}", "f.json");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].kind, SecretKind::kSecretAccessKey);
}

TEST(SecretScanTest, ScansTextThatIsNotJson) {
  auto findings = ScanDocument("not json " + FakeAccessKeyId(8), "x.txt");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].json_path, "$");
}

TEST(SecretScanTest, FlagsCredentialFieldsWhateverTheirShapeInsideJsonBodies) {
  auto findings = ScanDocument(
      R"({"exchanges": [{"response": {"body": "{\"AccessKeyId\": \"AKIDSHORT\", \"Token\": \"tokencorrect\", \"SecretAccessKey\": \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"}"}}]})",
      "f.json");
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].json_path, "$.exchanges[0].response.body:$.AccessKeyId");
  EXPECT_EQ(findings[0].kind, SecretKind::kAccessKeyId);
  EXPECT_EQ(findings[1].json_path, "$.exchanges[0].response.body:$.Token");
  EXPECT_EQ(findings[1].kind, SecretKind::kSessionToken);
}

TEST(SecretScanTest, ReportsOneFindingPerSecretInAJsonBody) {
  // The body is JSON text inside a JSON string: its quotes are escaped.
  std::string body = "{\\\"AccessKeyId\\\": \\\"" + FakeAccessKeyId(10) +
                     "\\\", \\\"Note\\\": \\\"" + FakeSecretAccessKey(10) + "\\\"}";
  auto findings = ScanDocument("{\"body\": \"" + body + "\"}", "f.json");
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].json_path, "$.body:$.AccessKeyId");
  EXPECT_EQ(findings[1].json_path, "$.body:$.Note");
  EXPECT_EQ(findings[1].kind, SecretKind::kSecretAccessKey);
}

TEST(SecretScanTest, FindingsNeverContainTheSecret) {
  std::string key_id = FakeAccessKeyId(9);
  std::string secret = FakeSecretAccessKey(9);
  std::string token = FakeSessionToken(9);
  auto findings = ScanDocument(
      "{\"a\": " + Quote(key_id) + ", \"b\": " + Quote(secret) + ", \"c\": " + Quote(token) + "}",
      "f.json");
  ASSERT_EQ(findings.size(), 3u);
  for (const Finding& f : findings) {
    std::string line = f.ToString();
    EXPECT_EQ(line.find(key_id), std::string::npos);
    EXPECT_EQ(line.find(key_id.substr(4)), std::string::npos);
    EXPECT_EQ(line.find(secret.substr(0, 8)), std::string::npos);
    EXPECT_EQ(line.find(token.substr(0, 8)), std::string::npos);
  }
  EXPECT_EQ(findings[0].masked, "ASIA\xE2\x80\xA6 (20 chars)");
}

TEST(SecretScanTest, FindsAJwtInAFormBody) {
  std::string jwt = FakeJwt(1);
  std::string body =
      "Action=AssumeRoleWithWebIdentity&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr"
      "&WebIdentityToken=" +
      jwt + "&Version=2011-06-15";
  auto spans = FindSecretsInText(body);
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].kind, SecretKind::kWebIdentityToken);
  EXPECT_EQ(body.substr(spans[0].offset, spans[0].length), jwt);
}

TEST(SecretScanTest, AJwtWithAPlaceholderSignatureIsNotReportedNorItsPayload) {
  std::string jwt = FakeJwt(2);
  std::string redacted = jwt.substr(0, jwt.rfind('.') + 1) + "REDACTEDJWTSIGNATURE0001";
  EXPECT_TRUE(FindSecretsInText("WebIdentityToken=" + redacted + "&x=1").empty());
  auto findings = ScanDocument("{\"body\": " + Quote("WebIdentityToken=" + redacted) + "}", "f");
  EXPECT_TRUE(findings.empty());
}

TEST(SecretScanTest, FindsStsXmlCredentialsWhateverTheirShape) {
  std::string xml =
      "<AssumeRoleResponse><AssumeRoleResult><Credentials>\n"
      "  <AccessKeyId>ASIAshortbutreal</AccessKeyId>\n"
      "  <SecretAccessKey>not-base64-but-still-a-secret</SecretAccessKey>\n"
      "  <SessionToken>" +
      FakeSessionToken(3) +
      "</SessionToken>\n"
      "  <Expiration>2030-01-01T00:00:00Z</Expiration>\n"
      "</Credentials></AssumeRoleResult></AssumeRoleResponse>";
  auto spans = FindSecretsInText(xml);
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_EQ(spans[0].kind, SecretKind::kAccessKeyId);
  EXPECT_EQ(spans[1].kind, SecretKind::kSecretAccessKey);
  EXPECT_EQ(spans[2].kind, SecretKind::kSessionToken);
  EXPECT_EQ(xml.substr(spans[1].offset, spans[1].length), "not-base64-but-still-a-secret");
  EXPECT_EQ(spans[2].length, FakeSessionToken(3).size());
}

TEST(SecretScanTest, StsXmlWithPlaceholdersIsClean) {
  std::string xml =
      "<Credentials><AccessKeyId>ASIAREDACTED00000001</AccessKeyId>"
      "<SecretAccessKey>REDACTED/SECRET/ACCESS/KEY/0000000000001</SecretAccessKey>"
      "<SessionToken>REDACTEDSESSIONTOKEN0001" +
      std::string(200, 'A') +
      "</SessionToken>"
      "</Credentials>";
  EXPECT_TRUE(FindSecretsInText(xml).empty());
}

TEST(SecretScanTest, SsoTokensAndBearerHeaderAreFound) {
  std::string doc =
      "{\"accessToken\": \"aoaAAAAAGZ-short\", \"refreshToken\": \"Atzr|x\", "
      "\"clientSecret\": \"eyJraWQiOiJrZXktMTU2\", \"headers\": "
      "{\"x-amz-sso_bearer_token\": \"aoaAAAAA-bearer\"}, "
      "\"cache\": {\"accessToken\": \"REDACTED-BEARER-TOKEN-0001\"}}";
  auto findings = ScanDocument(doc, "sso.json");
  ASSERT_EQ(findings.size(), 4u);
  for (const Finding& f : findings) {
    EXPECT_EQ(f.kind, SecretKind::kBearerToken) << f.ToString();
    EXPECT_EQ(f.ToString().find("aoaAAAAA"), std::string::npos);
  }
  bool header_found = false;
  for (const Finding& f : findings) {
    header_found |= f.json_path == "$.headers[\"x-amz-sso_bearer_token\"]";
  }
  EXPECT_TRUE(header_found);
}

}  // namespace
}  // namespace replay
}  // namespace chantless
