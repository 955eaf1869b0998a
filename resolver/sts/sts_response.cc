// STS response and error decoders (rules in sts_response.h).
#include "resolver/sts/sts_response.h"

#include <string>
#include <utility>

#include "resolver/core/ascii.h"
#include "resolver/core/time_util.h"
#include "resolver/xml/xml_reader.h"

namespace chantless {
namespace {

std::string Trim(std::string_view s) { return std::string(StripAsciiWhitespace(s)); }

class Decoder {
 public:
  explicit Decoder(const char* what) : what_(what) {}

  Status Fail(const std::string& why) const {
    return InvalidResponseError(std::string(what_) + ": " + why);
  }

  // The one child element named `name` of `parent` (`path` names it in messages).
  StatusOr<const XmlElement*> Element(const XmlElement& parent, const char* name,
                                      const std::string& path) const {
    auto found = parent.FindChildren(name);
    if (found.empty()) return Fail("<" + path + "> is missing");
    if (found.size() > 1) return Fail("<" + path + "> appears more than once");
    return found.front();
  }

  // The trimmed, non-empty text of the one child `name`.
  StatusOr<std::string> Required(const XmlElement& parent, const char* name,
                                 const std::string& path) const {
    CHANTLESS_ASSIGN_OR_RETURN(const XmlElement* e, Element(parent, name, path));
    std::string text = Trim(e->text);
    if (text.empty()) return Fail("<" + path + "> is empty");
    return text;
  }

  // The trimmed text of the child `name` when present and not empty; twice is an error.
  StatusOr<std::optional<std::string>> Optional(const XmlElement& parent, const char* name,
                                                const std::string& path) const {
    auto found = parent.FindChildren(name);
    if (found.size() > 1) return Fail("<" + path + "> appears more than once");
    if (found.empty()) return std::optional<std::string>();
    std::string text = Trim(found.front()->text);
    if (text.empty()) return std::optional<std::string>();
    return std::optional<std::string>(std::move(text));
  }

  // Key material goes into request headers: printable ASCII, no spaces.
  Status Token(const std::string& value, const std::string& path) const {
    for (char c : value) {
      const unsigned char u = static_cast<unsigned char>(c);
      if (u <= 0x20 || u >= 0x7f) {
        return Fail("<" + path + "> holds a space, a control character or a non-ASCII byte");
      }
    }
    return OkStatus();
  }

  StatusOr<XmlElement> Root(std::string_view body, const char* root_name) const {
    StatusOr<XmlElement> root = ParseXml(body);
    if (!root.ok()) return Fail(root.status().message());
    if (root->namespace_uri != "" && root->namespace_uri != kStsNamespace) {
      return Fail(std::string("<") + root_name + "> is not in the STS namespace " + kStsNamespace);
    }
    if (root->local_name == "ErrorResponse" || root->local_name == "Error") {
      return Fail("the body is an STS error response, not <" + std::string(root_name) + ">");
    }
    if (root->local_name != root_name) {
      return Fail(std::string("the root element is not <") + root_name + ">");
    }
    return root;
  }

 private:
  const char* what_;
};

StatusOr<StsAssumedRole> ParseCredentialsResponse(std::string_view body, const char* what,
                                                  const std::string& action, bool web_identity) {
  Decoder d(what);
  const std::string response = action + "Response";
  const std::string result_name = action + "Result";
  CHANTLESS_ASSIGN_OR_RETURN(XmlElement root, d.Root(body, response.c_str()));
  const std::string r = response + "/" + result_name;
  CHANTLESS_ASSIGN_OR_RETURN(const XmlElement* result, d.Element(root, result_name.c_str(), r));

  StsAssumedRole out;
  const std::string c = r + "/Credentials";
  CHANTLESS_ASSIGN_OR_RETURN(const XmlElement* creds, d.Element(*result, "Credentials", c));
  CHANTLESS_ASSIGN_OR_RETURN(out.credentials.access_key_id,
                             d.Required(*creds, "AccessKeyId", c + "/AccessKeyId"));
  CHANTLESS_RETURN_IF_ERROR(d.Token(out.credentials.access_key_id, c + "/AccessKeyId"));
  CHANTLESS_ASSIGN_OR_RETURN(std::string secret,
                             d.Required(*creds, "SecretAccessKey", c + "/SecretAccessKey"));
  CHANTLESS_RETURN_IF_ERROR(d.Token(secret, c + "/SecretAccessKey"));
  out.credentials.secret_access_key = Secret(std::move(secret));
  CHANTLESS_ASSIGN_OR_RETURN(std::string token,
                             d.Required(*creds, "SessionToken", c + "/SessionToken"));
  CHANTLESS_RETURN_IF_ERROR(d.Token(token, c + "/SessionToken"));
  out.credentials.session_token = Secret(std::move(token));
  CHANTLESS_ASSIGN_OR_RETURN(std::string expiration,
                             d.Required(*creds, "Expiration", c + "/Expiration"));
  StatusOr<WallTime> when = ParseRfc3339(expiration);
  if (!when.ok()) {
    // ParseRfc3339's message quotes the text: give only the expected shape.
    return d.Fail("<" + c + "/Expiration> is not an ISO-8601 time (YYYY-MM-DDTHH:MM:SS[.f]Z)");
  }
  out.credentials.expiration = *when;

  const std::string u = r + "/AssumedRoleUser";
  CHANTLESS_ASSIGN_OR_RETURN(const XmlElement* user, d.Element(*result, "AssumedRoleUser", u));
  CHANTLESS_ASSIGN_OR_RETURN(out.assumed_role_id,
                             d.Required(*user, "AssumedRoleId", u + "/AssumedRoleId"));
  CHANTLESS_ASSIGN_OR_RETURN(out.assumed_role_arn, d.Required(*user, "Arn", u + "/Arn"));
  // arn:partition:service:region:account:resource — the account is the 5th field.
  std::string_view arn = out.assumed_role_arn;
  size_t field_start = 0;
  for (int i = 0; i < 4 && field_start != std::string_view::npos; ++i) {
    size_t colon = arn.find(':', field_start);
    field_start = colon == std::string_view::npos ? colon : colon + 1;
  }
  const size_t field_end =
      field_start == std::string_view::npos ? field_start : arn.find(':', field_start);
  if (arn.substr(0, 4) != "arn:" || field_end == std::string_view::npos) {
    return d.Fail("<" + u + "/Arn> is not an ARN (arn:partition:sts::account:assumed-role/…)");
  }
  std::string account(arn.substr(field_start, field_end - field_start));
  bool digits = account.size() == 12;
  for (char ch : account) digits = digits && ch >= '0' && ch <= '9';
  if (!digits) return d.Fail("<" + u + "/Arn> does not hold a 12-digit account id");
  out.credentials.account_id = std::move(account);

  CHANTLESS_ASSIGN_OR_RETURN(auto packed,
                             d.Optional(*result, "PackedPolicySize", r + "/PackedPolicySize"));
  if (packed) {
    int64_t value = 0;
    bool ok = !packed->empty() && packed->size() <= 9;
    for (char ch : *packed) {
      ok = ok && ch >= '0' && ch <= '9';
      if (ok) value = value * 10 + (ch - '0');
    }
    if (!ok) return d.Fail("<" + r + "/PackedPolicySize> is not a percentage");
    out.packed_policy_size = value;
  }
  CHANTLESS_ASSIGN_OR_RETURN(out.source_identity,
                             d.Optional(*result, "SourceIdentity", r + "/SourceIdentity"));
  if (web_identity) {
    CHANTLESS_ASSIGN_OR_RETURN(
        out.subject_from_web_identity_token,
        d.Optional(*result, "SubjectFromWebIdentityToken", r + "/SubjectFromWebIdentityToken"));
    CHANTLESS_ASSIGN_OR_RETURN(out.provider, d.Optional(*result, "Provider", r + "/Provider"));
    CHANTLESS_ASSIGN_OR_RETURN(out.audience, d.Optional(*result, "Audience", r + "/Audience"));
  }
  if (const XmlElement* meta = root.FindChild("ResponseMetadata")) {
    CHANTLESS_ASSIGN_OR_RETURN(
        out.request_id, d.Optional(*meta, "RequestId", response + "/ResponseMetadata/RequestId"));
  }
  return out;
}

}  // namespace

StatusOr<StsAssumedRole> ParseAssumeRoleResponse(std::string_view body) {
  return ParseCredentialsResponse(body, "STS AssumeRole response", "AssumeRole", false);
}

StatusOr<StsAssumedRole> ParseAssumeRoleWithWebIdentityResponse(std::string_view body) {
  return ParseCredentialsResponse(body, "STS AssumeRoleWithWebIdentity response",
                                  "AssumeRoleWithWebIdentity", true);
}

StatusOr<StsError> ParseStsErrorResponse(std::string_view body) {
  Decoder d("STS error response");
  StatusOr<XmlElement> root = ParseXml(body);
  if (!root.ok()) return d.Fail(root.status().message());
  if (root->namespace_uri != "" && root->namespace_uri != kStsNamespace) {
    return d.Fail(std::string("the root element is not in the STS namespace ") + kStsNamespace);
  }
  const XmlElement* error = nullptr;
  std::string path;
  if (root->local_name == "ErrorResponse") {
    CHANTLESS_ASSIGN_OR_RETURN(error, d.Element(*root, "Error", "ErrorResponse/Error"));
    path = "ErrorResponse/Error";
  } else if (root->local_name == "Error") {
    error = &*root;
    path = "Error";
  } else {
    return d.Fail("the root element is neither <ErrorResponse> nor <Error>");
  }
  StsError out;
  CHANTLESS_ASSIGN_OR_RETURN(out.code, d.Required(*error, "Code", path + "/Code"));
  CHANTLESS_ASSIGN_OR_RETURN(out.type, d.Optional(*error, "Type", path + "/Type"));
  CHANTLESS_ASSIGN_OR_RETURN(out.message, d.Optional(*error, "Message", path + "/Message"));
  CHANTLESS_ASSIGN_OR_RETURN(out.request_id,
                             d.Optional(*root, "RequestId", root->local_name + "/RequestId"));
  if (!out.request_id && error != &*root) {
    CHANTLESS_ASSIGN_OR_RETURN(out.request_id,
                               d.Optional(*error, "RequestId", path + "/RequestId"));
  }
  return out;
}

}  // namespace chantless
