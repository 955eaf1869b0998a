// Tests for the replay's SigV4 verification: requests signed by chantless's SigV4Signer and by
// botocore verify; a tampered body, a tampered signed header, a wrong secret, an unknown key, a
// wrong scope date and a missing signed header are each refused with the right code and reason;
// no reason holds a secret.
#include "replay/sigv4_verify.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "resolver/core/ascii.h"
#include "resolver/sigv4/sigv4_signer.h"
#include "resolver/testing/status_matchers.h"

namespace chantless {
namespace replay {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kKeyId[] = "AKIAIOSFODNN7FAKEKEY";
constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYFAKESECRET";
constexpr char kToken[] = "IQoJb3JpZ2luX2VjFAKESESSIONTOKEN";
constexpr char kHost[] = "sts.us-east-1.amazonaws.com";
constexpr char kBody[] =
    "Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Ffake"
    "&RoleSessionName=s1&Version=2011-06-15";
constexpr char kForm[] = "application/x-www-form-urlencoded; charset=utf-8";

std::vector<SigV4Key> Keys(const std::string& token = "") {
  return {SigV4Key{"AKIAOTHERFAKEKEY0000", Secret("other-fake-secret"), Secret()},
          SigV4Key{kKeyId, Secret(kSecret), Secret(token)}};
}

// Signs POST / on kHost with chantless's signer: Content-Type plus the signer's headers.
HttpHeaders SignWith(const std::string& secret, const std::string& token = "",
                     const std::string& body = kBody) {
  SigningInput input;
  input.host = kHost;
  input.headers = {{"Content-Type", kForm}};
  input.body = body;
  input.region = "us-east-1";
  input.service = "sts";
  input.time = std::chrono::system_clock::from_time_t(1714564800);  // 2024-05-01T12:00:00Z
  SigV4Signer signer;
  StatusOr<SignedRequest> s =
      signer.Sign(input, SigningKeys{kKeyId, Secret(secret), Secret(token)});
  EXPECT_TRUE(s.ok()) << s.status();
  HttpHeaders headers = {{"Content-Type", kForm}, {"User-Agent", "test"}};
  for (const auto& h : s->headers) headers.push_back(h);
  return headers;
}

void Replace(HttpHeaders* headers, const std::string& name, const std::string& value) {
  for (auto& [n, v] : *headers) {
    if (EqualsIgnoreCase(n, name)) v = value;
  }
}

std::string AuthorizationOf(const HttpHeaders& headers) {
  return *FindHeader(headers, "Authorization");
}

TEST(SigV4VerifyTest, ARequestSignedByChantlessVerifies) {
  HttpHeaders headers = SignWith(kSecret);
  SigV4Result r = VerifySigV4(Keys(), "POST", kHost, "/", headers, kBody);
  EXPECT_TRUE(r.ok) << r.reason;
}

TEST(SigV4VerifyTest, ASessionTokenIsSignedAndMustBeTheOneHandedOut) {
  HttpHeaders headers = SignWith(kSecret, kToken);
  EXPECT_TRUE(VerifySigV4(Keys(kToken), "POST", kHost, "/", headers, kBody).ok);
  SigV4Result other = VerifySigV4(Keys("IQoJAnotherFakeToken"), "POST", kHost, "/", headers, kBody);
  EXPECT_FALSE(other.ok);
  EXPECT_EQ(other.code, "InvalidClientTokenId");
  EXPECT_THAT(other.reason, HasSubstr("session token sent is not the one handed out"));
  EXPECT_THAT(other.reason, Not(HasSubstr(kToken)));
}

TEST(SigV4VerifyTest, ATamperedBodyIsRefusedWithTheServersCanonicalRequest) {
  HttpHeaders headers = SignWith(kSecret, kToken);
  std::string body = std::string(kBody) + "&DurationSeconds=900";
  SigV4Result r = VerifySigV4(Keys(), "POST", kHost, "/", headers, body);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.code, "SignatureDoesNotMatch");
  EXPECT_THAT(r.reason,
              StartsWith("the signature differs; the server's canonical request is:\nPOST\n/\n\n"));
  EXPECT_THAT(r.reason,
              HasSubstr("content-type:application/x-www-form-urlencoded; charset=utf-8\n"));
  EXPECT_THAT(r.reason, HasSubstr("x-amz-security-token:<redacted>\n"));
  EXPECT_THAT(r.reason, HasSubstr(Sha256Hex(body)));
  EXPECT_THAT(r.reason, Not(HasSubstr(kToken)));
  EXPECT_THAT(r.reason, Not(HasSubstr(kSecret)));
}

TEST(SigV4VerifyTest, ATamperedSignedHeaderIsRefused) {
  HttpHeaders headers = SignWith(kSecret);
  Replace(&headers, "Content-Type", "application/json");
  SigV4Result r = VerifySigV4(Keys(), "POST", kHost, "/", headers, kBody);
  EXPECT_EQ(r.code, "SignatureDoesNotMatch");
  EXPECT_THAT(r.reason, HasSubstr("content-type:application/json\n"));
  // A different host is a different canonical request too.
  EXPECT_FALSE(
      VerifySigV4(Keys(), "POST", "sts.us-west-2.amazonaws.com", "/", SignWith(kSecret), kBody).ok);
  // Unsigned headers may change.
  HttpHeaders ua = SignWith(kSecret);
  Replace(&ua, "User-Agent", "another");
  EXPECT_TRUE(VerifySigV4(Keys(), "POST", kHost, "/", ua, kBody).ok);
}

TEST(SigV4VerifyTest, AWrongSecretIsRefused) {
  SigV4Result r =
      VerifySigV4(Keys(), "POST", kHost, "/", SignWith("not-the-fake-secret-handed-out"), kBody);
  EXPECT_EQ(r.code, "SignatureDoesNotMatch");
  EXPECT_THAT(r.reason, StartsWith("the signature differs"));
  EXPECT_THAT(r.reason, Not(HasSubstr("not-the-fake-secret")));
}

TEST(SigV4VerifyTest, AnUnknownKeyIdIsInvalidClientTokenId) {
  HttpHeaders headers = SignWith(kSecret);
  std::string auth = AuthorizationOf(headers);
  auth.replace(auth.find(kKeyId), strlen(kKeyId), "AKIAUNKNOWNFAKEKEY00");
  Replace(&headers, "Authorization", auth);
  SigV4Result r = VerifySigV4(Keys(), "POST", kHost, "/", headers, kBody);
  EXPECT_EQ(r.code, "InvalidClientTokenId");
  EXPECT_THAT(r.reason, HasSubstr("unknown access key id AKIAUNKNOWNFAKEKEY00"));
}

TEST(SigV4VerifyTest, AScopeDateOtherThanXAmzDateIsRefused) {
  HttpHeaders headers = SignWith(kSecret);
  Replace(&headers, "X-Amz-Date", "20240502T120000Z");
  SigV4Result r = VerifySigV4(Keys(), "POST", kHost, "/", headers, kBody);
  EXPECT_EQ(r.code, "SignatureDoesNotMatch");
  EXPECT_THAT(r.reason,
              HasSubstr("wrong scope date: the scope says 20240501, X-Amz-Date says 20240502"));
  HttpHeaders bad_scope = SignWith(kSecret);
  std::string auth = AuthorizationOf(bad_scope);
  auth.replace(auth.find("aws4_request"), 12, "aws4_reqxxxx");
  Replace(&bad_scope, "Authorization", auth);
  EXPECT_THAT(VerifySigV4(Keys(), "POST", kHost, "/", bad_scope, kBody).reason,
              HasSubstr("wrong credential scope"));
}

TEST(SigV4VerifyTest, AMissingSignedHeaderIsNamed) {
  HttpHeaders headers = SignWith(kSecret);
  HttpHeaders without;
  for (const auto& h : headers) {
    if (!EqualsIgnoreCase(h.first, "Content-Type")) without.push_back(h);
  }
  SigV4Result r = VerifySigV4(Keys(), "POST", kHost, "/", without, kBody);
  EXPECT_EQ(r.code, "SignatureDoesNotMatch");
  EXPECT_EQ(r.reason, "signed header content-type not received");
}

TEST(SigV4VerifyTest, UnsignedOrMalformedRequestsAreRefused) {
  EXPECT_EQ(VerifySigV4(Keys(), "POST", kHost, "/", {}, kBody).code, "MissingAuthenticationToken");
  EXPECT_EQ(VerifySigV4(Keys(), "POST", kHost, "/", {{"Authorization", "Bearer x"}}, kBody).code,
            "IncompleteSignature");
}

TEST(SigV4VerifyTest, ErrorXmlIsStsShaped) {
  std::string xml = StsErrorXml("SignatureDoesNotMatch", "a <b> & c");
  EXPECT_THAT(xml, HasSubstr("<Code>SignatureDoesNotMatch</Code>"));
  EXPECT_THAT(xml, HasSubstr("<Type>Sender</Type>"));
  EXPECT_THAT(xml, HasSubstr("<Message>a &lt;b&gt; &amp; c</Message>"));
}

// A request signed by botocore's SigV4Auth (python3-botocore), with a query string and a session
// token, verifies; the same request with another secret does not.
TEST(SigV4VerifyTest, ARequestSignedByBotocoreVerifies) {
  if (std::system("python3 -c 'import botocore.auth' >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "python3 with botocore is not installed";
  }
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string dir = tmp ? tmp : "/tmp";
  const std::string script = dir + "/sign.py";
  std::ofstream(script) << R"(import json, sys
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
key, secret, token, body = sys.argv[1:5]
req = AWSRequest(method="POST", url="https://sts.us-east-1.amazonaws.com/?Extra=a%20b&A=1",
                 data=body,
                 headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
SigV4Auth(Credentials(key, secret, token), "sts", "us-east-1").add_auth(req)
print(json.dumps(dict(req.headers.items())))
)";
  auto run = [&](const std::string& secret) {
    std::string cmd =
        "python3 " + script + " " + kKeyId + " '" + secret + "' " + kToken + " '" + kBody + "'";
    FILE* p = popen(cmd.c_str(), "r");
    std::string out;
    char buf[4096];
    size_t n;
    while (p && (n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    if (p) pclose(p);
    HttpHeaders headers;
    nlohmann::json j = nlohmann::json::parse(out, nullptr, false);
    EXPECT_TRUE(j.is_object()) << out;
    if (!j.is_object()) return headers;
    for (auto it = j.begin(); it != j.end(); ++it) {
      headers.emplace_back(it.key(), it.value().get<std::string>());
    }
    return headers;
  };
  HttpHeaders headers = run(kSecret);
  ASSERT_TRUE(FindHeader(headers, "Authorization").has_value());
  SigV4Result r = VerifySigV4(Keys(kToken), "POST", kHost, "/?Extra=a%20b&A=1", headers, kBody);
  EXPECT_TRUE(r.ok) << r.code << ": " << r.reason;
  SigV4Result wrong =
      VerifySigV4(Keys(kToken), "POST", kHost, "/?Extra=a%20b&A=1", run("another-fake"), kBody);
  EXPECT_EQ(wrong.code, "SignatureDoesNotMatch");
}

}  // namespace
}  // namespace replay
}  // namespace chantless
