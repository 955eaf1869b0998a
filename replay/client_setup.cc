// Client set-up files for `chantless serve` (see client_setup.h).
#include "replay/client_setup.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <map>

#include "replay/engine.h"
#include "replay/tls_setup.h"
#include "resolver/core/ascii.h"

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
    if (!e.request.body) continue;
    std::map<std::string, std::string> form;
    for (auto& [k, v] : ParseFormBody(*e.request.body)) form[k] = v;
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
  if (source != nullptr) {
    files.config += std::string("[profile ") + kSourceProfile +
                    "]\nregion = " + (sts_region.empty() ? "us-east-1" : sts_region) + "\n";
  }

  std::string& env = files.env;
  env = "# chantless serve: the client side of " + t.name + "\n";
  env +=
      "unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_DEFAULT_PROFILE "
      "AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE AWS_CONTAINER_CREDENTIALS_RELATIVE_URI "
      "AWS_CONTAINER_AUTHORIZATION_TOKEN\n";
  auto set = [&env](const std::string& name, const std::string& value) {
    env += "export " + name + "=" + ShellQuote(value) + "\n";
  };
  set("AWS_CONFIG_FILE", in.config_path);
  set("AWS_SHARED_CREDENTIALS_FILE", in.credentials_path);
  if (!first_profile.empty()) {
    set("AWS_PROFILE", first_profile);
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
  if (in.https_port != 0 && in.https_port != 443 && !first_profile.empty()) {
    set("AWS_ENDPOINT_URL_STS", "https://" + in.bind + ":" + std::to_string(in.https_port));
  }
  return files;
}

Status WriteClientFiles(const Transcript& transcript, const ClientSetupInputs& inputs,
                        const std::string& env_path) {
  ClientFiles files = MakeClientFiles(transcript, inputs);
  CHANTLESS_RETURN_IF_ERROR(WriteFile(inputs.config_path, files.config, 0600));
  CHANTLESS_RETURN_IF_ERROR(WriteFile(inputs.credentials_path, files.credentials, 0600));
  return WriteFile(env_path, files.env, 0644);
}

}  // namespace replay
}  // namespace chantless
