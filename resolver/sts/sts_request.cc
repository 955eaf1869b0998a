// STS query bodies and parameter checks (rules in sts_request.h).
#include "resolver/sts/sts_request.h"

#include <cstring>

#include "resolver/core/ascii.h"

namespace chantless {
namespace {

bool IsWordChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

// Length within [min, max] and every character a word character or one of `extra`.
Status CheckPattern(const char* name, std::string_view value, size_t min, size_t max,
                    const char* extra, const char* allowed_text) {
  if (value.size() < min || value.size() > max) {
    return InvalidConfigurationError("AssumeRole parameter " + std::string(name) + " must be " +
                                     std::to_string(min) + " to " + std::to_string(max) +
                                     " characters (it has " + std::to_string(value.size()) + ")");
  }
  for (char c : value) {
    if (!IsWordChar(c) && (c == '\0' || std::strchr(extra, c) == nullptr)) {
      return InvalidConfigurationError("AssumeRole parameter " + std::string(name) +
                                       " may hold only " + allowed_text);
    }
  }
  return OkStatus();
}

Status CheckRoleArn(std::string_view arn) {
  const char* shape =
      "AssumeRole parameter RoleArn must look like "
      "arn:aws:iam::123456789012:role/name";
  if (arn.size() < 20 || arn.size() > 2048) {
    return InvalidConfigurationError(std::string(shape) + " (20 to 2048 characters; it has " +
                                     std::to_string(arn.size()) + ")");
  }
  // arn : partition : iam : (empty region) : account : role/…
  std::vector<std::string_view> fields;
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    size_t colon = arn.find(':', start);
    if (colon == std::string_view::npos) return InvalidConfigurationError(shape);
    fields.push_back(arn.substr(start, colon - start));
    start = colon + 1;
  }
  std::string_view resource = arn.substr(start);
  bool ok = fields[0] == "arn" && !fields[1].empty() && fields[2] == "iam" && fields[3].empty() &&
            fields[4].size() == 12 && resource.size() > 5 && resource.substr(0, 5) == "role/" &&
            resource.back() != '/';
  for (char c : fields[1]) ok = ok && ((c >= 'a' && c <= 'z') || c == '-');
  for (char c : fields[4]) ok = ok && c >= '0' && c <= '9';
  for (char c : arn) ok = ok && static_cast<unsigned char>(c) > 0x20 && c != 0x7f;
  if (!ok) return InvalidConfigurationError(shape);
  return OkStatus();
}

Status CheckDuration(const std::optional<int>& duration) {
  if (duration && (*duration < 900 || *duration > 43200)) {
    return InvalidConfigurationError(
        "AssumeRole parameter DurationSeconds must be 900 to 43200 seconds (it is " +
        std::to_string(*duration) + ")");
  }
  return OkStatus();
}

Status CheckSessionName(std::string_view name) {
  return CheckPattern("RoleSessionName", name, 2, 64, "+=,.@-", "A-Z a-z 0-9 and _+=,.@-");
}

}  // namespace

std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (size_t i = 0; i < params.size(); ++i) {
    if (i > 0) out.push_back('&');
    out += PercentEncode(params[i].first);
    out.push_back('=');
    out += PercentEncode(params[i].second);
  }
  return out;
}

Status ValidateAssumeRoleParams(const AssumeRoleParams& p) {
  CHANTLESS_RETURN_IF_ERROR(CheckRoleArn(p.role_arn));
  CHANTLESS_RETURN_IF_ERROR(CheckSessionName(p.role_session_name));
  CHANTLESS_RETURN_IF_ERROR(CheckDuration(p.duration_seconds));
  if (p.external_id) {
    CHANTLESS_RETURN_IF_ERROR(CheckPattern("ExternalId", *p.external_id, 2, 1224, "+=,.@:/-",
                                           "A-Z a-z 0-9 and _+=,.@:/-"));
  }
  if (p.serial_number) {
    CHANTLESS_RETURN_IF_ERROR(CheckPattern("SerialNumber", *p.serial_number, 9, 256, "+=/:,.@-",
                                           "A-Z a-z 0-9 and _+=/:,.@-"));
  }
  if (p.token_code) {
    if (!p.serial_number) {
      return InvalidConfigurationError(
          "AssumeRole parameter TokenCode is set but SerialNumber (mfa_serial) is not");
    }
    const std::string& code = p.token_code->reveal();
    bool six_digits = code.size() == 6;
    for (char c : code) six_digits = six_digits && c >= '0' && c <= '9';
    if (!six_digits) {
      return InvalidConfigurationError("AssumeRole parameter TokenCode must be exactly 6 digits");
    }
  }
  if (p.source_identity) {
    CHANTLESS_RETURN_IF_ERROR(CheckPattern("SourceIdentity", *p.source_identity, 2, 64, "+=,.@-",
                                           "A-Z a-z 0-9 and _+=,.@-"));
  }
  return OkStatus();
}

Status ValidateAssumeRoleWithWebIdentityParams(const AssumeRoleWithWebIdentityParams& p) {
  CHANTLESS_RETURN_IF_ERROR(CheckRoleArn(p.role_arn));
  CHANTLESS_RETURN_IF_ERROR(CheckSessionName(p.role_session_name));
  CHANTLESS_RETURN_IF_ERROR(CheckDuration(p.duration_seconds));
  const size_t n = p.web_identity_token.size();
  if (n < 4 || n > 20000) {
    return InvalidConfigurationError(
        "AssumeRoleWithWebIdentity parameter WebIdentityToken must be 4 to 20000 characters (it "
        "has " +
        std::to_string(n) + ")");
  }
  return OkStatus();
}

StatusOr<std::string> AssumeRoleRequestBody(const AssumeRoleParams& p) {
  CHANTLESS_RETURN_IF_ERROR(ValidateAssumeRoleParams(p));
  std::vector<std::pair<std::string, std::string>> params = {
      {"Action", "AssumeRole"},
      {"Version", kStsApiVersion},
      {"RoleArn", p.role_arn},
      {"RoleSessionName", p.role_session_name},
  };
  if (p.duration_seconds)
    params.emplace_back("DurationSeconds", std::to_string(*p.duration_seconds));
  if (p.external_id) params.emplace_back("ExternalId", *p.external_id);
  if (p.serial_number) params.emplace_back("SerialNumber", *p.serial_number);
  if (p.token_code) params.emplace_back("TokenCode", p.token_code->reveal());
  if (p.source_identity) params.emplace_back("SourceIdentity", *p.source_identity);
  return FormEncode(params);
}

StatusOr<std::string> AssumeRoleWithWebIdentityRequestBody(
    const AssumeRoleWithWebIdentityParams& p) {
  CHANTLESS_RETURN_IF_ERROR(ValidateAssumeRoleWithWebIdentityParams(p));
  std::vector<std::pair<std::string, std::string>> params = {
      {"Action", "AssumeRoleWithWebIdentity"},
      {"Version", kStsApiVersion},
      {"RoleArn", p.role_arn},
      {"RoleSessionName", p.role_session_name},
  };
  if (p.duration_seconds)
    params.emplace_back("DurationSeconds", std::to_string(*p.duration_seconds));
  params.emplace_back("WebIdentityToken", p.web_identity_token.reveal());
  return FormEncode(params);
}

}  // namespace chantless
