// Client set-up files for `chantless serve` (see client_setup.h).
#include "replay/client_setup.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include "nlohmann/json.hpp"
#include "replay/engine.h"
#include "replay/tls_setup.h"
#include "resolver/core/ascii.h"
#include "resolver/http/http_client.h"
#include "resolver/sso/sso_token.h"
#include "resolver/sts/sts_response.h"

namespace chantless {
namespace replay {
namespace {

constexpr char kSourceProfile[] = "chantless-source";

// 'value' for a POSIX shell (a ' inside becomes '\'').
std::string ShellQuote(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string HostName(const std::string& host) {
  if (!host.empty() && host[0] == '[') return host.substr(1, host.find(']') - 1);
  return AsciiLower(host.substr(0, host.find(':')));
}

// "sts.us-west-2.amazonaws.com" → "us-west-2"; "" for the global endpoint or another host.
std::string StsRegion(const std::string& host) {
  const std::string name = HostName(host);
  const std::string prefix = "sts.";
  if (name.rfind(prefix, 0) != 0) return "";
  size_t dot = name.find('.', prefix.size());
  if (dot == std::string::npos) return "";
  std::string region = name.substr(prefix.size(), dot - prefix.size());
  if (region == "amazonaws") return "";  // sts.amazonaws.com
  return region;
}

bool IsImds(const Exchange& e) {
  return e.family.rfind("imds", 0) == 0 || e.request.path.rfind("/latest/", 0) == 0;
}

// Escapes nothing: profile values from a form body are single-line by construction (the loader
// refuses control characters nowhere in bodies, so drop them here).
std::string ProfileValue(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (!IsAsciiControl(c)) out += c;
  }
  return out;
}

// "portal.sso.us-east-1.amazonaws.com" → "us-east-1"; "" for another host.
std::string SsoPortalRegion(const std::string& host) {
  const std::string name = HostName(host);
  const std::string prefix = "portal.sso.";
  if (name.rfind(prefix, 0) != 0) return "";
  size_t dot = name.find('.', prefix.size());
  if (dot == std::string::npos) return "";
  return name.substr(prefix.size(), dot - prefix.size());
}

// Stands in for a web identity token the transcript did not record (a body-less exchange matches
// any token): shaped like a JWT, with a placeholder signature.
constexpr char kInventedWebIdentityToken[] =
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiJjaGFudGxlc3MtcmVwbGF5IiwiYXVkIjoic3RzLmFtYXpvbmF3cy5jb20ifQ."
    "REDACTEDJWTSIGNATURE0000";
// Stands in for an SSO bearer token the transcript matches as "{{present}}".
constexpr char kInventedSsoToken[] = "REDACTED-BEARER-TOKEN-CHANTLESS";
constexpr char kInventedSsoStartUrl[] = "https://chantless-replay.awsapps.com/start";
// Far enough ahead that no client refreshes the token (they compare it with the real clock).
constexpr char kSsoTokenExpiresAt[] = "2099-12-31T23:59:59Z";

// A web identity profile an exchange implies.
struct WebIdentityRole {
  std::string role_arn;
  std::string session_name;
  std::string token;
  std::string sts_host;
  bool operator<(const WebIdentityRole& o) const {
    return std::tie(role_arn, session_name, token, sts_host) <
           std::tie(o.role_arn, o.session_name, o.token, o.sts_host);
  }
};

// From the form body (Action=AssumeRoleWithWebIdentity, RoleArn, RoleSessionName,
// WebIdentityToken) or, for an exchange that recorded no body, from its successful response's
// AssumedRoleUser ("arn:aws:sts::123456789012:assumed-role/irsa/s" → role arn:aws:iam::…:role/irsa,
// session s) with an invented token. Anything else implies no profile.
std::optional<WebIdentityRole> WebIdentityRoleOf(const Exchange& e,
                                                 std::map<std::string, std::string>& form) {
  WebIdentityRole role;
  role.sts_host = e.host;
  if (e.request.body) {
    if (form["Action"] != "AssumeRoleWithWebIdentity" || form["RoleArn"].empty()) {
      return std::nullopt;
    }
    role.role_arn = ProfileValue(form["RoleArn"]);
    role.session_name = ProfileValue(form["RoleSessionName"]);
    role.token =
        form["WebIdentityToken"].empty() ? kInventedWebIdentityToken : form["WebIdentityToken"];
    return role;
  }
  if (!e.response) return std::nullopt;
  StatusOr<StsAssumedRole> assumed = ParseAssumeRoleWithWebIdentityResponse(e.response->body);
  if (!assumed.ok()) return std::nullopt;
  // arn:<partition>:sts::<account>:assumed-role/<role>/<session>
  const std::string& arn = assumed->assumed_role_arn;
  std::vector<std::string> fields;
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    size_t colon = arn.find(':', start);
    if (colon == std::string::npos) return std::nullopt;
    fields.push_back(arn.substr(start, colon - start));
    start = colon + 1;
  }
  const std::string resource = arn.substr(start);
  const std::string kind = "assumed-role/";
  size_t slash = resource.rfind('/');
  if (fields[0] != "arn" || resource.rfind(kind, 0) != 0 || slash < kind.size() + 1) {
    return std::nullopt;
  }
  role.role_arn = ProfileValue("arn:" + fields[1] + ":iam::" + fields[4] + ":role/" +
                               resource.substr(kind.size(), slash - kind.size()));
  role.session_name = ProfileValue(resource.substr(slash + 1));
  role.token = kInventedWebIdentityToken;
  return role;
}

// An SSO GetRoleCredentials exchange: GET /federation/credentials?role_name=R&account_id=A to
// portal.sso.<region>.amazonaws.com with an x-amz-sso_bearer_token header.
struct SsoRole {
  std::string region;
  std::string token;
  std::string account_id;
  std::string role_name;
};

std::optional<SsoRole> SsoRoleOf(const Exchange& e) {
  SsoRole role;
  role.region = SsoPortalRegion(e.host);
  if (role.region.empty() || e.request.method != "GET" ||
      e.request.path != "/federation/credentials") {
    return std::nullopt;
  }
  std::optional<std::string> token = FindHeader(e.request.headers, "x-amz-sso_bearer_token");
  if (!token || *token == kHeaderAbsent || token->empty()) return std::nullopt;
  role.token = *token == kHeaderPresent ? kInventedSsoToken : *token;
  for (auto& [k, v] : ParseFormBody(e.request.query)) {
    if (k == "role_name") role.role_name = ProfileValue(v);
    if (k == "account_id") role.account_id = ProfileValue(v);
  }
  if (role.role_name.empty() || role.account_id.empty()) return std::nullopt;
  return role;
}

// The first "startUrl" member of a JSON request body (SSO-OIDC StartDeviceAuthorization), else "".
std::string RecordedStartUrl(const Transcript& t) {
  for (const Exchange& e : t.exchanges) {
    if (!e.request.body) continue;
    nlohmann::json body = nlohmann::json::parse(*e.request.body, nullptr, false);
    if (!body.is_object()) continue;
    auto it = body.find("startUrl");
    if (it != body.end() && it->is_string() && !it->get_ref<const std::string&>().empty()) {
      return ProfileValue(it->get<std::string>());
    }
  }
  return "";
}

// "chantless-sso" for the first session, then "chantless-sso-2", ….
std::string SsoSessionName(size_t index) {
  return index == 0 ? "chantless-sso" : "chantless-sso-" + std::to_string(index + 1);
}

// Creates `dir` and its missing parents (0700).
Status MakeDirectories(const std::string& dir) {
  for (size_t slash = dir.find('/', 1);; slash = dir.find('/', slash + 1)) {
    const std::string prefix = dir.substr(0, slash);
    if (::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) {
      return InternalError(prefix + ": cannot create the directory");
    }
    if (slash == std::string::npos) return OkStatus();
  }
}

Status WriteFile(const std::string& path, const std::string& text, mode_t mode) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return InternalError(path + ": cannot write");
  bool ok = ::write(fd, text.data(), text.size()) == ssize_t(text.size());
  ok = ::close(fd) == 0 && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return InternalError(path + ": cannot write");
  }
  return OkStatus();
}

}  // namespace

std::string HostsFileText(const Transcript& transcript, const std::string& address) {
  std::string out = "127.0.0.1 localhost\n::1 localhost\n";
  for (const std::string& host : TranscriptHostNames(transcript)) {
    out += address + " " + host + "\n";
  }
  return out;
}

ClientFiles MakeClientFiles(const Transcript& t, const ClientSetupInputs& in) {
  ClientFiles files;
  // Source keys → credentials.
  const SigV4Key* source = nullptr;
  for (const SigV4Key& k : t.sigv4_keys) {
    if (k.session_token.empty()) {
      source = &k;
      break;
    }
  }
  if (source != nullptr) {
    files.credentials = std::string("[") + kSourceProfile +
                        "]\naws_access_key_id = " + source->access_key_id +
                        "\naws_secret_access_key = " + source->secret_access_key.reveal() + "\n";
  }
  // Assume-role profiles from the AssumeRole exchanges; the STS region; IMDS and container use.
  std::string first_profile;
  std::string sts_region;
  bool imds = false;
  std::string container_path;
  std::vector<WebIdentityRole> web_identity_roles;  // distinct, in transcript order
  std::set<WebIdentityRole> seen_web_identity;
  std::vector<SsoRole> sso_roles;
  int n = 0;
  for (const Exchange& e : t.exchanges) {
    if (IsImds(e)) {
      imds = true;
      continue;
    }
    if (e.host.empty() && e.request.method == "GET" && container_path.empty()) {
      container_path = e.request.path + (e.request.query.empty() ? "" : "?" + e.request.query);
    }
    if (!sts_region.empty() || StsRegion(e.host).empty()) {
      // keep the first regional STS host's region
    } else {
      sts_region = StsRegion(e.host);
    }
    if (std::optional<SsoRole> sso = SsoRoleOf(e)) {
      sso_roles.push_back(*sso);
      continue;
    }
    std::map<std::string, std::string> form;
    if (e.request.body) {
      for (auto& [k, v] : ParseFormBody(*e.request.body)) form[k] = v;
    }
    if (std::optional<WebIdentityRole> role = WebIdentityRoleOf(e, form)) {
      if (seen_web_identity.insert(*role).second) web_identity_roles.push_back(*role);
      continue;
    }
    if (!e.request.body) continue;
    if (form["Action"] != "AssumeRole" || form["RoleArn"].empty()) continue;
    const std::string profile = "chantless-assume-role-" + std::to_string(++n);
    if (first_profile.empty()) first_profile = profile;
    const std::string region = StsRegion(e.host).empty() ? "us-east-1" : StsRegion(e.host);
    files.config += "[profile " + profile + "]\nrole_arn = " + ProfileValue(form["RoleArn"]) + "\n";
    if (source != nullptr) files.config += std::string("source_profile = ") + kSourceProfile + "\n";
    if (!form["RoleSessionName"].empty()) {
      files.config += "role_session_name = " + ProfileValue(form["RoleSessionName"]) + "\n";
    }
    if (!form["ExternalId"].empty()) {
      files.config += "external_id = " + ProfileValue(form["ExternalId"]) + "\n";
    }
    if (!form["DurationSeconds"].empty()) {
      files.config += "duration_seconds = " + ProfileValue(form["DurationSeconds"]) + "\n";
    }
    files.config += "region = " + region + "\n";
    if (!StsRegion(e.host).empty()) files.config += "sts_regional_endpoints = regional\n";
    files.config += "\n";
  }
  // Web identity profiles, each with its token in a file of its own.
  std::string first_web_identity;
  for (size_t i = 0; i < web_identity_roles.size() && !in.web_identity_token_prefix.empty(); ++i) {
    const WebIdentityRole& role = web_identity_roles[i];
    const std::string profile = "chantless-web-identity-" + std::to_string(i + 1);
    if (first_web_identity.empty()) first_web_identity = profile;
    ClientFile token{in.web_identity_token_prefix + std::to_string(i + 1), role.token};
    const std::string region = StsRegion(role.sts_host);
    files.config += "[profile " + profile + "]\nrole_arn = " + role.role_arn +
                    "\nweb_identity_token_file = " + token.path + "\n";
    if (!role.session_name.empty()) {
      files.config += "role_session_name = " + role.session_name + "\n";
    }
    files.config += "region = " + (region.empty() ? "us-east-1" : region) + "\n";
    if (!region.empty()) files.config += "sts_regional_endpoints = regional\n";
    files.config += "\n";
    files.web_identity_tokens.push_back(std::move(token));
  }
  // SSO: one sso-session per distinct (region, bearer token), one profile per distinct role.
  std::string first_sso;
  if (!in.home_path.empty()) {
    const std::string recorded_start_url = RecordedStartUrl(t);
    const std::string start_url =
        recorded_start_url.empty() ? kInventedSsoStartUrl : recorded_start_url;
    std::vector<std::pair<std::string, std::string>> sessions;  // (region, token), in order
    std::set<std::tuple<std::string, std::string, std::string>> seen_roles;
    for (const SsoRole& role : sso_roles) {
      size_t s = 0;
      while (s < sessions.size() && sessions[s] != std::make_pair(role.region, role.token)) ++s;
      if (s == sessions.size()) sessions.emplace_back(role.region, role.token);
      const std::string session = SsoSessionName(s);
      if (!seen_roles.emplace(session, role.account_id, role.role_name).second) continue;
      const std::string profile = "chantless-sso-" + std::to_string(seen_roles.size());
      if (first_sso.empty()) first_sso = profile;
      files.config += "[profile " + profile + "]\nsso_session = " + session +
                      "\nsso_account_id = " + role.account_id +
                      "\nsso_role_name = " + role.role_name + "\nregion = " + role.region + "\n\n";
    }
    for (size_t s = 0; s < sessions.size(); ++s) {
      const std::string session = SsoSessionName(s);
      const auto& [region, token] = sessions[s];
      files.config += "[sso-session " + session + "]\nsso_start_url = " + start_url +
                      "\nsso_region = " + region + "\n\n";
      nlohmann::ordered_json entry = {{"startUrl", start_url},
                                      {"region", region},
                                      {"accessToken", token},
                                      {"expiresAt", kSsoTokenExpiresAt}};
      files.sso_token_cache.push_back(
          {SsoTokenCachePath(in.home_path + "/.aws/sso/cache", session),
           entry.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"});
    }
  }
  if (source != nullptr) {
    files.config += std::string("[profile ") + kSourceProfile +
                    "]\nregion = " + (sts_region.empty() ? "us-east-1" : sts_region) + "\n";
  }

  std::string& env = files.env;
  env = "# chantless serve: the client side of " + t.name + "\n";
  env +=
      "unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_DEFAULT_PROFILE "
      "AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE AWS_ROLE_SESSION_NAME "
      "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI "
      "AWS_CONTAINER_AUTHORIZATION_TOKEN\n";
  auto set = [&env](const std::string& name, const std::string& value) {
    env += "export " + name + "=" + ShellQuote(value) + "\n";
  };
  set("AWS_CONFIG_FILE", in.config_path);
  set("AWS_SHARED_CREDENTIALS_FILE", in.credentials_path);
  if (!files.sso_token_cache.empty()) set("HOME", in.home_path);
  if (!first_profile.empty()) {
    set("AWS_PROFILE", first_profile);
  } else if (!first_web_identity.empty()) {
    set("AWS_PROFILE", first_web_identity);
  } else if (!first_sso.empty()) {
    set("AWS_PROFILE", first_sso);
  } else if (source != nullptr) {
    set("AWS_PROFILE", kSourceProfile);
  }
  if (!in.ca_path.empty()) {
    set("AWS_CA_BUNDLE", in.ca_path);
    set("NODE_EXTRA_CA_CERTS", in.ca_path);
    set("SSL_CERT_FILE", in.ca_path);
  }
  const std::string plain = "http://" + in.bind + ":" + std::to_string(in.http_port);
  if (imds) {
    set("AWS_EC2_METADATA_SERVICE_ENDPOINT", plain + "/");
  } else {
    set("AWS_EC2_METADATA_DISABLED", "true");
  }
  if (!container_path.empty()) set("AWS_CONTAINER_CREDENTIALS_FULL_URI", plain + container_path);
  if (!sts_region.empty()) set("AWS_STS_REGIONAL_ENDPOINTS", "regional");
  const std::string tls = "https://" + in.bind + ":" + std::to_string(in.https_port);
  if (in.https_port != 0 && in.https_port != 443) {
    if (!first_profile.empty() || !first_web_identity.empty()) set("AWS_ENDPOINT_URL_STS", tls);
    if (!first_sso.empty()) set("AWS_ENDPOINT_URL_SSO", tls);
  }
  return files;
}

Status WriteClientFiles(const Transcript& transcript, const ClientSetupInputs& inputs,
                        const std::string& env_path) {
  ClientFiles files = MakeClientFiles(transcript, inputs);
  CHANTLESS_RETURN_IF_ERROR(WriteFile(inputs.config_path, files.config, 0600));
  CHANTLESS_RETURN_IF_ERROR(WriteFile(inputs.credentials_path, files.credentials, 0600));
  for (const ClientFile& token : files.web_identity_tokens) {
    CHANTLESS_RETURN_IF_ERROR(WriteFile(token.path, token.text, 0600));
  }
  for (const ClientFile& entry : files.sso_token_cache) {
    CHANTLESS_RETURN_IF_ERROR(MakeDirectories(entry.path.substr(0, entry.path.rfind('/'))));
    CHANTLESS_RETURN_IF_ERROR(WriteFile(entry.path, entry.text, 0600));
  }
  return WriteFile(env_path, files.env, 0644);
}

}  // namespace replay
}  // namespace chantless
