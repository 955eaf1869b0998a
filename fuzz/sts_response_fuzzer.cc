// Fuzz target: the STS decoders (resolver/sts/sts_response.h): ParseAssumeRoleResponse,
// ParseAssumeRoleWithWebIdentityResponse and ParseStsErrorResponse on the same bytes.
//
// Properties (a broken one traps): a success never yields an empty field (key id, secret, token,
// role id and ARN non-empty, an expiration, a 12-digit account id; optional fields absent rather
// than empty; an error's Code non-empty); key id, secret and token hold no whitespace or control
// byte; a failure is kInvalidResponse and its message contains no text of the input longer than
// 8 characters (element text and attribute values), except where that text is itself part of a
// fixed message the decoders write (an element path such as "AssumeRoleResponse/…"); digits
// count as equal there, so line and column numbers do not matter.
#include <expat.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "resolver/sts/sts_response.h"
#include "resolver/xml/xml_reader.h"

namespace {

std::string DigitsToZero(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= '0' && c <= '9') c = '0';
  }
  return out;
}

// Every message the decoders and the XML reader can produce, with digits as '0'.
const std::string& Vocabulary() {
  static const std::string* vocabulary = [] {
    std::vector<std::string> prefixes = {
        "STS AssumeRole response: ", "STS AssumeRoleWithWebIdentity response: ",
        "STS error response: "};
    std::vector<std::string> paths;
    for (std::string action : {"AssumeRole", "AssumeRoleWithWebIdentity"}) {
      const std::string r = action + "Response/" + action + "Result";
      paths.push_back(r);
      for (const char* p :
           {"/Credentials", "/Credentials/AccessKeyId", "/Credentials/SecretAccessKey",
            "/Credentials/SessionToken", "/Credentials/Expiration", "/AssumedRoleUser",
            "/AssumedRoleUser/AssumedRoleId", "/AssumedRoleUser/Arn", "/PackedPolicySize",
            "/SourceIdentity", "/SubjectFromWebIdentityToken", "/Provider", "/Audience"}) {
        paths.push_back(r + p);
      }
      paths.push_back(action + "Response/ResponseMetadata/RequestId");
    }
    for (const char* p :
         {"ErrorResponse/Error", "ErrorResponse/Error/Code", "ErrorResponse/Error/Type",
          "ErrorResponse/Error/Message", "ErrorResponse/Error/RequestId", "ErrorResponse/RequestId",
          "Error/Code", "Error/Type", "Error/Message", "Error/RequestId"}) {
      paths.push_back(p);
    }
    std::vector<std::string> suffixes = {
        " is missing",
        " appears more than once",
        " is empty",
        " holds a space, a control character or a non-ASCII byte",
        " is not an ISO-8601 time (YYYY-MM-DDTHH:MM:SS[.f]Z)",
        " is not an ARN (arn:partition:sts::account:assumed-role/…)",
        " does not hold a 12-digit account id",
        " is not a percentage"};
    std::string v;
    for (const auto& prefix : prefixes) {
      for (const auto& path : paths) {
        for (const auto& suffix : suffixes) v += prefix + "<" + path + ">" + suffix + "\n";
      }
      for (const char* root : {"AssumeRoleResponse", "AssumeRoleWithWebIdentityResponse"}) {
        v += prefix + "<" + root + "> is not in the STS namespace " + chantless::kStsNamespace +
             "\n";
        v += prefix + "the body is an STS error response, not <" + root + ">\n";
        v += prefix + "the root element is not <" + root + ">\n";
      }
      v += prefix + "the root element is not in the STS namespace " + chantless::kStsNamespace +
           "\n";
      v += prefix + "the root element is neither <ErrorResponse> nor <Error>\n";
      std::vector<std::string> reasons = {"a DOCTYPE is not allowed",
                                          "an entity declaration is not allowed",
                                          "an encoding other than UTF-8 is declared",
                                          "elements nested too deep",
                                          "too many elements",
                                          "too many attributes on one element",
                                          "out of memory",
                                          "no element found",
                                          "not well-formed"};
      for (int code = 0; code < 100; ++code) {
        const XML_LChar* s = XML_ErrorString(static_cast<XML_Error>(code));
        if (s != nullptr) reasons.push_back(s);
      }
      for (const auto& reason : reasons) {
        v += prefix + "XML not accepted: " + reason + " at line 0, column 0\n";
      }
      v += prefix + "XML not accepted: 0 bytes exceed the limit of 0\n";
    }
    return new std::string(DigitsToZero(v));
  }();
  return *vocabulary;
}

void CollectTexts(const chantless::XmlElement& e, std::vector<std::string>* out) {
  out->push_back(e.text);
  for (const auto& a : e.attributes) out->push_back(a.second);
  for (const auto& c : e.children) CollectTexts(c, out);
}

bool Clean(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return false;
  }
  return true;
}

bool NonEmptyIfSet(const std::optional<std::string>& s) { return !s || !s->empty(); }

// The element texts and attribute values of the body, parsed on first use.
class Texts {
 public:
  explicit Texts(std::string_view body) : body_(body) {}
  const std::vector<std::string>& Get() {
    if (!parsed_) {
      parsed_ = true;
      auto tree = chantless::ParseXml(body_);
      if (tree.ok()) CollectTexts(*tree, &texts_);
    }
    return texts_;
  }

 private:
  std::string_view body_;
  bool parsed_ = false;
  std::vector<std::string> texts_;
};

// Every 9-character window of the vocabulary, for an O(1) membership test.
const std::unordered_set<std::string>& VocabularyWindows() {
  static const auto* windows = [] {
    auto* set = new std::unordered_set<std::string>();
    const std::string& v = Vocabulary();
    for (size_t i = 0; i + 9 <= v.size(); ++i) set->insert(v.substr(i, 9));
    return set;
  }();
  return *windows;
}

void CheckFailure(const chantless::Status& status, Texts* texts) {
  if (status.code() != chantless::StatusCode::kInvalidResponse) __builtin_trap();
  const std::string& message = status.message();
  // Every 9-character piece of the message that also occurs in some text of the input must be
  // part of a fixed message. (The texts are parsed only for a piece that is not.)
  for (size_t i = 0; i + 9 <= message.size(); ++i) {
    const std::string_view piece = std::string_view(message).substr(i, 9);
    if (VocabularyWindows().count(DigitsToZero(piece)) != 0) continue;
    for (const std::string& text : texts->Get()) {
      if (text.find(piece) != std::string::npos) __builtin_trap();
    }
  }
}

void CheckRole(const chantless::StatusOr<chantless::StsAssumedRole>& r, Texts* texts) {
  if (!r.ok()) return CheckFailure(r.status(), texts);
  const auto& c = r->credentials;
  if (!Clean(c.access_key_id) || !Clean(c.secret_access_key.reveal()) ||
      !Clean(c.session_token.reveal()) || !c.expiration.has_value()) {
    __builtin_trap();
  }
  if (!c.account_id || c.account_id->size() != 12) __builtin_trap();
  if (r->assumed_role_id.empty() || r->assumed_role_arn.empty()) __builtin_trap();
  if (!NonEmptyIfSet(r->request_id) || !NonEmptyIfSet(r->source_identity) ||
      !NonEmptyIfSet(r->subject_from_web_identity_token) || !NonEmptyIfSet(r->provider) ||
      !NonEmptyIfSet(r->audience)) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  Texts texts(body);
  CheckRole(chantless::ParseAssumeRoleResponse(body), &texts);
  CheckRole(chantless::ParseAssumeRoleWithWebIdentityResponse(body), &texts);
  auto error = chantless::ParseStsErrorResponse(body);
  if (!error.ok()) {
    CheckFailure(error.status(), &texts);
  } else if (error->code.empty() || !NonEmptyIfSet(error->type) || !NonEmptyIfSet(error->message) ||
             !NonEmptyIfSet(error->request_id)) {
    __builtin_trap();
  }
  return 0;
}
