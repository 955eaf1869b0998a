// Tests for the redactor: each rule of redact.h, checked on captured exchanges shaped like IMDS,
// container and STS traffic, with fake secret-shaped values generated at run time.
#include "replay/redact.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "replay/fake_secrets.h"
#include "replay/secret_scan.h"

namespace chantless {
namespace replay {
namespace {

using testing::FakeAccessKeyId;
using testing::FakeChars;
using testing::FakeImdsToken;
using testing::FakeJwt;
using testing::FakeSecretAccessKey;
using testing::FakeSessionToken;

std::string CredentialsBody(const std::string& key_id, const std::string& secret,
                            const std::string& token) {
  return "{\n  \"Code\" : \"Success\",\n  \"LastUpdated\" : \"2024-05-01T11:55:00Z\",\n"
         "  \"Type\" : \"AWS-HMAC\",\n  \"AccessKeyId\" : \"" +
         key_id + "\",\n  \"SecretAccessKey\" : \"" + secret + "\",\n  \"Token\" : \"" + token +
         "\",\n  \"Expiration\" : \"2024-05-01T18:00:00Z\"\n}";
}

CapturedExchange TokenPut(const std::string& token) {
  CapturedExchange e;
  e.method = "PUT";
  e.path = "/latest/api/token";
  e.request_headers = {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}};
  e.status = 200;
  e.response_headers = {{"Content-Length", std::to_string(token.size())}};
  e.response_body = token;
  return e;
}

CapturedExchange Get(const std::string& path, const std::string& imds_token,
                     const std::string& body) {
  CapturedExchange e;
  e.path = path;
  if (!imds_token.empty()) e.request_headers = {{"X-aws-ec2-metadata-token", imds_token}};
  e.status = 200;
  e.response_headers = {{"Content-Type", "text/plain"},
                        {"Content-Length", std::to_string(body.size())}};
  e.response_body = body;
  return e;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string Everything(const std::vector<CapturedExchange>& exchanges) {
  std::string all;
  for (const CapturedExchange& e : exchanges) {
    all += e.method + " " + e.path + "\n";
    for (const auto& [n, v] : e.request_headers) all += n + ": " + v + "\n";
    all += e.request_body + "\n";
    for (const auto& [n, v] : e.response_headers) all += n + ": " + v + "\n";
    all += e.response_body + "\n";
  }
  return all;
}

TEST(RedactTest, ImdsTokenGetsOnePlaceholderInPutResponseAndLaterHeaders) {
  std::string token = FakeImdsToken(1);
  std::vector<CapturedExchange> ex = {
      TokenPut(token), Get("/latest/meta-data/iam/security-credentials/", token, "Role"),
      Get("/latest/meta-data/iam/security-credentials/Role", token, "{}")};
  Redactor redactor;
  redactor.RedactAll(&ex);
  const std::string& placeholder = ex[0].response_body;
  EXPECT_NE(placeholder, token);
  EXPECT_EQ(placeholder.size(), token.size());
  EXPECT_EQ(placeholder.rfind("REDACTEDIMDSTOKEN0001", 0), 0u);
  EXPECT_EQ(ex[1].request_headers[0].second, placeholder);
  EXPECT_EQ(ex[2].request_headers[0].second, placeholder);
  EXPECT_FALSE(Contains(Everything(ex), token));
}

TEST(RedactTest, AccessKeyIdGetsTheSamePlaceholderInTwoResponses) {
  std::string key_id = FakeAccessKeyId(2);
  std::string body = CredentialsBody(key_id, FakeSecretAccessKey(2), FakeSessionToken(2));
  std::vector<CapturedExchange> ex = {Get("/creds", "", body), Get("/creds", "", body)};
  Redactor redactor;
  redactor.RedactAll(&ex);
  EXPECT_EQ(ex[0].response_body, ex[1].response_body);
  EXPECT_TRUE(Contains(ex[0].response_body, "\"AccessKeyId\": \"ASIAREDACTED00000001\""));
  EXPECT_FALSE(Contains(Everything(ex), key_id));
}

TEST(RedactTest, PlaceholdersKeepTheShapeOfEachSecret) {
  std::string token = FakeSessionToken(3, 500);
  std::vector<CapturedExchange> ex = {Get(
      "/creds", "", CredentialsBody(FakeAccessKeyId(3, "AKIA"), FakeSecretAccessKey(3), token))};
  Redactor redactor;
  redactor.RedactAll(&ex);
  const std::string& body = ex[0].response_body;
  EXPECT_TRUE(Contains(body, "\"AKIAREDACTED00000001\""));
  EXPECT_TRUE(Contains(body, "\"REDACTED/SECRET/ACCESS/KEY/0000000000001\""));
  EXPECT_TRUE(Contains(body, "\"REDACTEDSESSIONTOKEN0001" + std::string(500 - 24, 'A') + "\""));
}

TEST(RedactTest, NonSecretFieldsStayAsRecorded) {
  std::vector<CapturedExchange> ex = {
      Get("/latest/meta-data/iam/security-credentials/TestRole", "",
          CredentialsBody(FakeAccessKeyId(4), FakeSecretAccessKey(4), FakeSessionToken(4)))};
  Redactor redactor;
  redactor.RedactAll(&ex);
  const std::string& body = ex[0].response_body;
  EXPECT_EQ(ex[0].path, "/latest/meta-data/iam/security-credentials/TestRole");
  EXPECT_TRUE(Contains(body, "\"Code\": \"Success\""));
  EXPECT_TRUE(Contains(body, "\"Expiration\": \"2024-05-01T18:00:00Z\""));
  EXPECT_TRUE(Contains(body, "\"LastUpdated\": \"2024-05-01T11:55:00Z\""));
  // Member order and pretty printing are kept.
  EXPECT_LT(body.find("\"Code\""), body.find("\"AccessKeyId\""));
  EXPECT_LT(body.find("\"AccessKeyId\""), body.find("\"Expiration\""));
  EXPECT_TRUE(Contains(body, "\n  \"Type\""));
}

TEST(RedactTest, NestedJsonIsRedactedAtAnyDepth) {
  std::string key_id = FakeAccessKeyId(5);
  std::string secret = FakeSecretAccessKey(5);
  std::string token = FakeSessionToken(5);
  std::string body =
      "{\"AssumeRoleResponse\": {\"Result\": {\"Credentials\": [{\"AccessKeyId\": \"" + key_id +
      "\", \"SecretAccessKey\": \"" + secret + "\", \"SessionToken\": \"" + token + "\"}]}}}";
  std::vector<CapturedExchange> ex = {Get("/sts", "", body)};
  Redactor redactor;
  redactor.RedactAll(&ex);
  std::string all = Everything(ex);
  EXPECT_FALSE(Contains(all, key_id));
  EXPECT_FALSE(Contains(all, secret));
  EXPECT_FALSE(Contains(all, token));
  EXPECT_TRUE(Contains(all, "ASIAREDACTED00000001"));
}

TEST(RedactTest, AuthorizationAndTokenHeadersAreRedacted) {
  CapturedExchange e = Get("/v1/credentials", "", "{}");
  e.request_headers = {{"authorization", "container-auth-token-value-1"},
                       {"X-Amz-Security-Token", "short-but-secret"},
                       {"User-Agent", "aws-cli/2.9.19"}};
  std::vector<CapturedExchange> ex = {e};
  Redactor redactor;
  redactor.RedactAll(&ex);
  EXPECT_EQ(ex[0].request_headers[0].second, "REDACTED-AUTHORIZATION-0001");
  EXPECT_EQ(ex[0].request_headers[1].second.rfind("REDACTEDSESSIONTOKEN", 0), 0u);
  EXPECT_EQ(ex[0].request_headers[2].second, "aws-cli/2.9.19");
}

TEST(RedactTest, BearerSchemeIsKeptAndTheBareTokenRedactedElsewhere) {
  CapturedExchange e = Get("/v1/credentials", "", "token was opaque-token-123456 here");
  e.request_headers = {{"Authorization", "Bearer opaque-token-123456"}};
  std::vector<CapturedExchange> ex = {e};
  Redactor redactor;
  redactor.RedactAll(&ex);
  EXPECT_EQ(ex[0].request_headers[0].second, "Bearer REDACTED-AUTHORIZATION-0001");
  EXPECT_FALSE(Contains(Everything(ex), "opaque-token-123456"));
}

TEST(RedactTest, SecretInsideALargerStringIsReplaced) {
  std::string key_id = FakeAccessKeyId(6);
  std::string secret = FakeSecretAccessKey(6);
  std::vector<CapturedExchange> ex = {
      Get("/log", "", "{\"Message\": \"key " + key_id + " expired; secret was " + secret + "!\"}"),
      Get("/creds", "", CredentialsBody(key_id, secret, FakeSessionToken(6)))};
  Redactor redactor;
  redactor.RedactAll(&ex);
  EXPECT_TRUE(Contains(ex[0].response_body, "key ASIAREDACTED00000001 expired"));
  EXPECT_FALSE(Contains(Everything(ex), key_id));
  EXPECT_FALSE(Contains(Everything(ex), secret));
}

TEST(RedactTest, BodyThatIsNotJsonIsRedactedAsText) {
  std::string key_id = FakeAccessKeyId(7);
  std::string secret = FakeSecretAccessKey(7);
  std::string body =
      "[default]\naws_access_key_id = " + key_id + "\naws_secret_access_key = " + secret + "\n";
  std::vector<CapturedExchange> ex = {Get("/ini", "", body)};
  Redactor redactor;
  redactor.RedactAll(&ex);
  EXPECT_EQ(ex[0].response_body,
            "[default]\naws_access_key_id = ASIAREDACTED00000001\naws_secret_access_key = "
            "REDACTED/SECRET/ACCESS/KEY/0000000000001\n");
}

TEST(RedactTest, BodyThatIsNotUtf8KeepsItsOtherBytes) {
  std::string key_id = FakeAccessKeyId(8);
  std::string body = std::string("\xFF\xFE\x00", 3) + key_id + "\x80\x81";
  std::vector<CapturedExchange> ex = {
      Get("/bin", "", body),
      Get("/creds", "", CredentialsBody(key_id, FakeSecretAccessKey(8), FakeSessionToken(8)))};
  Redactor redactor;
  redactor.RedactAll(&ex);
  EXPECT_EQ(ex[0].response_body, std::string("\xFF\xFE\x00", 3) + "ASIAREDACTED00000001\x80\x81");
}

TEST(RedactTest, ContentLengthIsCorrectedWhenABodyChanges) {
  std::string token = FakeSessionToken(9, 60);
  std::string body = "{\"Token\":\"" + token + "\",\"Note\":\"x\"}";
  std::vector<CapturedExchange> ex = {Get("/c", "", body)};
  Redactor redactor;
  redactor.RedactAll(&ex);
  ASSERT_EQ(ex[0].response_headers[1].first, "Content-Length");
  EXPECT_EQ(ex[0].response_headers[1].second, std::to_string(ex[0].response_body.size()));
  EXPECT_EQ(ex[0].response_body.find('\n'), std::string::npos);  // compact stays compact
}

TEST(RedactTest, UserSuppliedKeysAndHeadersAreRedacted) {
  CapturedExchange e = Get("/x", "", "{\"outer\": {\"ApiKey\": \"k1\", \"Other\": \"v\"}}");
  e.request_headers = {{"X-Custom-Secret", "hdr-value"}};
  std::vector<CapturedExchange> ex = {e};
  RedactOptions options;
  options.json_keys = {"apikey"};
  options.header_names = {"x-custom-secret"};
  Redactor redactor(options);
  redactor.RedactAll(&ex);
  EXPECT_EQ(ex[0].response_body, "{\"outer\":{\"ApiKey\":\"REDACTED-0002\",\"Other\":\"v\"}}");
  EXPECT_EQ(ex[0].request_headers[0].second, "REDACTED-0001");
}

TEST(RedactTest, AccountIdsStayUnlessAskedToRedact) {
  std::string body =
      "{\"AccountId\": \"111122223333\", \"InstanceProfileArn\": "
      "\"arn:aws:iam::111122223333:instance-profile/Role\"}";
  {
    std::vector<CapturedExchange> ex = {Get("/info", "", body)};
    Redactor redactor;
    redactor.RedactAll(&ex);
    EXPECT_EQ(ex[0].response_body, body);
  }
  {
    std::vector<CapturedExchange> ex = {Get("/info", "", body)};
    RedactOptions options;
    options.redact_account = true;
    Redactor redactor(options);
    redactor.RedactAll(&ex);
    EXPECT_FALSE(Contains(ex[0].response_body, "111122223333"));
    EXPECT_TRUE(Contains(ex[0].response_body, "arn:aws:iam::000000000001:instance-profile/Role"));
  }
}

TEST(RedactTest, IsDeterministic) {
  auto make = [] {
    return std::vector<CapturedExchange>{
        TokenPut(FakeImdsToken(10)),
        Get("/c", FakeImdsToken(10),
            CredentialsBody(FakeAccessKeyId(10), FakeSecretAccessKey(10), FakeSessionToken(10)))};
  };
  auto a = make();
  auto b = make();
  Redactor r1;
  Redactor r2;
  r1.RedactAll(&a);
  r2.RedactAll(&b);
  EXPECT_EQ(Everything(a), Everything(b));
}

TEST(RedactTest, RedactedExchangesPassTheScanner) {
  std::string token = FakeImdsToken(11);
  std::vector<CapturedExchange> ex = {
      TokenPut(token),
      Get("/c", token,
          CredentialsBody(FakeAccessKeyId(11), FakeSecretAccessKey(11), FakeSessionToken(11)))};
  Redactor redactor;
  redactor.RedactAll(&ex);
  EXPECT_TRUE(ScanDocument(Everything(ex), "redacted").empty());
}

TEST(RedactTest, AlreadyRedactedValuesAreLeftAlone) {
  std::vector<CapturedExchange> ex = {
      Get("/c", "",
          CredentialsBody("ASIAREDACTED00000007", "REDACTED/SECRET/ACCESS/KEY/0000000000007",
                          "REDACTEDSESSIONTOKEN0007"))};
  std::string before = ex[0].response_body;
  Redactor redactor;
  redactor.RedactAll(&ex);
  EXPECT_EQ(ex[0].response_body, before);
  EXPECT_EQ(redactor.secret_count(), 0u);
}

// A property over many generated recordings: secrets planted in JSON (nested), headers, plain text
// and binary bodies never survive, the result passes the scanner, and redacting again changes
// nothing (placeholders are recognised, not re-redacted).
TEST(RedactTest, PlantedSecretsNeverSurviveAndRedactionIsIdempotent) {
  uint32_t state = 12345;
  auto next = [&state] {
    state = state * 1103515245u + 12345u;
    return (state >> 16) & 0x7FFF;
  };
  for (uint32_t round = 0; round < 200; ++round) {
    std::vector<std::string> planted = {
        FakeAccessKeyId(round * 4 + 100), FakeSecretAccessKey(round * 4 + 101),
        FakeSessionToken(round * 4 + 102, 100 + next() % 900), FakeImdsToken(round * 4 + 103)};
    std::vector<CapturedExchange> ex;
    ex.push_back(TokenPut(planted[3]));
    for (int i = 0; i < 4; ++i) {
      const std::string& a = planted[next() % 3];
      const std::string& b = planted[next() % 3];
      std::string body;
      switch (next() % 4) {
        case 0:
          body = CredentialsBody(planted[0], planted[1], planted[2]);
          break;
        case 1:
          body = "{\"x\": [{\"y\": {\"Note\": \"see " + a + "\"}}, \"" + b + "\"]}";
          break;
        case 2:
          body = "plain text " + a + " and " + b + "\n";
          break;
        default:
          body = std::string("\x80\xFF", 2) + a + std::string("\x00", 1) + b;
          break;
      }
      ex.push_back(Get("/p" + std::to_string(i), planted[3], body));
    }
    Redactor redactor;
    redactor.RedactAll(&ex);
    std::string all = Everything(ex);
    for (const std::string& secret : planted) {
      ASSERT_FALSE(Contains(all, secret)) << "round " << round;
    }
    ASSERT_TRUE(ScanDocument(all, "generated").empty()) << "round " << round;
    Redactor again;
    again.RedactAll(&ex);
    EXPECT_EQ(again.secret_count(), 0u) << "round " << round;
    EXPECT_EQ(Everything(ex), all) << "round " << round;
  }
}

CapturedExchange Exchange(const std::string& method, const std::string& path,
                          const HttpHeaders& request_headers, const std::string& request_body,
                          const std::string& response_body) {
  CapturedExchange e;
  e.method = method;
  e.path = path;
  e.request_headers = request_headers;
  e.request_body = request_body;
  e.status = 200;
  e.response_headers = {{"Content-Length", std::to_string(response_body.size())}};
  e.response_body = response_body;
  return e;
}

std::string StsXml(const std::string& key_id, const std::string& secret, const std::string& token) {
  return "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
         "  <AssumeRoleResult>\n    <Credentials>\n      <AccessKeyId>" +
         key_id + "</AccessKeyId>\n      <SecretAccessKey>" + secret +
         "</SecretAccessKey>\n      <SessionToken>" + token +
         "</SessionToken>\n      <Expiration>2030-07-15T23:28:33Z</Expiration>\n"
         "    </Credentials>\n  </AssumeRoleResult>\n</AssumeRoleResponse>\n";
}

TEST(RedactTest, SignedStsExchangeKeepsItsShapeAndLosesEverySecret) {
  std::string source_key = FakeAccessKeyId(20, "AKIA");
  std::string source_token = FakeSessionToken(20);
  std::string signature(64, 'a');
  for (size_t i = 0; i < signature.size(); ++i) signature[i] = "0123456789abcdef"[(i * 7) % 16];
  std::string authorization = "AWS4-HMAC-SHA256 Credential=" + source_key +
                              "/20300715/us-east-1/sts/aws4_request, "
                              "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, "
                              "Signature=" +
                              signature;
  std::string key_id = FakeAccessKeyId(21);
  std::string secret = FakeSecretAccessKey(21);
  std::string token = FakeSessionToken(21);
  std::vector<CapturedExchange> ex = {
      Exchange("POST", "/",
               {{"Authorization", authorization},
                {"X-Amz-Date", "20300715T222833Z"},
                {"X-Amz-Security-Token", source_token}},
               "Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo"
               "&RoleSessionName=s&Version=2011-06-15",
               StsXml(key_id, secret, token))};
  Redactor redactor;
  redactor.RedactAll(&ex);
  std::string all = Everything(ex);
  for (const std::string& s : {source_key, source_token, signature, key_id, secret, token}) {
    EXPECT_FALSE(Contains(all, s)) << "a secret survived";
  }
  const std::string& auth = ex[0].request_headers[0].second;
  EXPECT_EQ(auth.rfind("AWS4-HMAC-SHA256 Credential=AKIAREDACTED00000001/20300715/us-east-1/sts/"
                       "aws4_request, SignedHeaders=content-type;host;x-amz-date;"
                       "x-amz-security-token, Signature=REDACTEDSIGNATURE0001",
                       0),
            0u)
      << auth;
  EXPECT_EQ(auth.size(), authorization.size());
  EXPECT_TRUE(Contains(ex[0].response_body, "<Expiration>2030-07-15T23:28:33Z</Expiration>"));
  EXPECT_TRUE(Contains(ex[0].response_body, "<AccessKeyId>ASIAREDACTED00000002</AccessKeyId>"));
  EXPECT_EQ(ex[0].response_headers[0].second, std::to_string(ex[0].response_body.size()));
  for (const Finding& f : ScanDocument(all, "sts")) ADD_FAILURE() << f.ToString();
}

TEST(RedactTest, WebIdentityTokenKeepsHeaderAndPayloadAndLosesItsSignature) {
  std::string jwt = FakeJwt(22);
  std::string body =
      "Action=AssumeRoleWithWebIdentity&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr"
      "&RoleSessionName=s&Version=2011-06-15&WebIdentityToken=" +
      jwt;
  std::vector<CapturedExchange> ex = {Exchange("POST", "/", {}, body, "<ok/>")};
  Redactor redactor;
  redactor.RedactAll(&ex);
  std::string head_and_payload = jwt.substr(0, jwt.rfind('.') + 1);
  EXPECT_TRUE(Contains(ex[0].request_body,
                       "WebIdentityToken=" + head_and_payload + "REDACTEDJWTSIGNATURE0001"))
      << ex[0].request_body;
  EXPECT_FALSE(Contains(ex[0].request_body, jwt.substr(jwt.rfind('.') + 1)));
  EXPECT_TRUE(ScanDocument(Everything(ex), "wi").empty());
}

TEST(RedactTest, SsoTrafficLosesTokensSecretsAndRoleCredentials) {
  std::string access_token = "aoaAAAAAGZ" + FakeChars(23, 200, "abcdefghijkl0123456789");
  std::string refresh_token = "Atzr|" + FakeChars(24, 120, "ABCDEFabcdef0123456789");
  std::string client_secret = "eyJraWQiOiJrZXkt" + FakeChars(25, 90, "abcdef0123456789");
  std::string key_id = FakeAccessKeyId(26);
  std::string secret = FakeSecretAccessKey(26);
  std::string token = FakeSessionToken(26);
  std::vector<CapturedExchange> ex = {
      Exchange("POST", "/token", {{"Content-Type", "application/json"}},
               "{\"clientId\":\"cid\",\"clientSecret\":\"" + client_secret +
                   "\",\"grantType\":\"refresh_token\",\"refreshToken\":\"" + refresh_token + "\"}",
               "{\"accessToken\":\"" + access_token + "\",\"expiresIn\":28800,\"refreshToken\":\"" +
                   refresh_token + "\"}"),
      Exchange("GET", "/federation/credentials?account_id=123456789012&role_name=ReadOnly",
               {{"x-amz-sso_bearer_token", access_token}}, "",
               "{\"roleCredentials\":{\"accessKeyId\":\"" + key_id + "\",\"secretAccessKey\":\"" +
                   secret + "\",\"sessionToken\":\"" + token +
                   "\",\"expiration\":1893456000000}}")};
  Redactor redactor;
  redactor.RedactAll(&ex);
  std::string all = Everything(ex);
  for (const std::string& s : {access_token, refresh_token, client_secret, key_id, secret, token}) {
    EXPECT_FALSE(Contains(all, s)) << "a secret survived";
  }
  // One token, one placeholder: the CreateToken answer and the later bearer header agree.
  const std::string& bearer = ex[1].request_headers[0].second;
  EXPECT_EQ(bearer.rfind("REDACTED-BEARER-TOKEN-", 0), 0u) << bearer;
  EXPECT_TRUE(Contains(ex[0].response_body, "\"accessToken\":\"" + bearer + "\""));
  EXPECT_TRUE(Contains(ex[1].response_body, "\"expiration\":1893456000000"));
  EXPECT_TRUE(ScanDocument(all, "sso").empty());
}

}  // namespace
}  // namespace replay
}  // namespace chantless
