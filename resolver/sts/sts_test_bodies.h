// STS answers for tests of the STS providers: success bodies with obviously fake credentials and
// ErrorResponse bodies.
#ifndef CHANTLESS_RESOLVER_STS_STS_TEST_BODIES_H_
#define CHANTLESS_RESOLVER_STS_STS_TEST_BODIES_H_

#include <string>

namespace chantless {
namespace testing {

inline constexpr char kStsTestSecret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzSTSEXAMPLEKEY";
inline constexpr char kStsTestToken[] = "IQoJb3JpZ2luX2VjEXAMPLESTSTOKEN//////////wEaCXVzLWVhc3Q=";
inline constexpr char kStsTestExpiration[] = "2024-05-01T13:00:00Z";  // FakeClock's now + 1 h

// An AssumeRole (or, with `web_identity`, AssumeRoleWithWebIdentity) success body.
inline std::string StsSuccessBody(const std::string& access_key_id = "ASIAFAKEASSUMEDROLE01",
                                  bool web_identity = false,
                                  const std::string& expiration = kStsTestExpiration) {
  const std::string root = web_identity ? "AssumeRoleWithWebIdentity" : "AssumeRole";
  return "<" + root + "Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><" + root +
         "Result><AssumedRoleUser><AssumedRoleId>AROAFAKEROLEID:session</AssumedRoleId>"
         "<Arn>arn:aws:sts::123456789012:assumed-role/demo/session</Arn></AssumedRoleUser>"
         "<Credentials><AccessKeyId>" +
         access_key_id + "</AccessKeyId><SecretAccessKey>" + kStsTestSecret +
         "</SecretAccessKey><SessionToken>" + kStsTestToken + "</SessionToken><Expiration>" +
         expiration + "</Expiration></Credentials></" + root +
         "Result><ResponseMetadata><RequestId>11111111-2222-3333-4444-555555555555</RequestId>"
         "</ResponseMetadata></" +
         root + "Response>";
}

inline std::string StsErrorBody(const std::string& code, const std::string& message,
                                const std::string& request_id = "req-0001") {
  return "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>"
         "<Type>Sender</Type><Code>" +
         code + "</Code><Message>" + message + "</Message></Error><RequestId>" + request_id +
         "</RequestId></ErrorResponse>";
}

}  // namespace testing
}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_STS_STS_TEST_BODIES_H_
