// `chantless resolve [--profile P] [--format process|env|env-no-export|json] [--debug]
// [--explain] [--mfa-code CODE] [--no-cache]`: resolve credentials through the default chain and
// print them. Role credentials go through the AWS CLI's cache (~/.aws/cli/cache) unless
// --no-cache; an MFA code comes from --mfa-code, else a bounded prompt on the terminal.
//
// stdout: the credentials in the chosen format (default process), nothing else.
// stderr: with --debug, botocore-style debug lines as the chain runs; with --explain, the chain's
// explanation as one JSON line (ChainExplanation::ToJson) after it; on failure, one line
// "chantless: <error>". Neither ever holds a secret.
// Exit codes: 0 resolved; 1 no credentials (nothing configured, or a provider's endpoint or process
// failed: unavailable / invalid response, which includes credentials refused as expired by the
// expiry rule, resolver/core/expiry.h, from any source); 2 bad usage or invalid configuration.
#include "cli/resolve_command.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "cli/debug_log.h"
#include "nlohmann/json.hpp"
#include "resolver/chain/chain.h"
#include "resolver/chain/default_chain.h"
#include "resolver/cli_cache/cli_cache_store.h"
#include "resolver/core/time_util.h"
#include "resolver/system/mfa_code_source.h"
#include "resolver/system/system_world.h"

namespace chantless {
namespace cli {
namespace {

using json = nlohmann::json;

constexpr char kUsage[] =
    "usage: chantless resolve [--profile P] [--format process|env|env-no-export|json] [--debug] "
    "[--explain] [--mfa-code CODE] [--no-cache]\n"
    "  --profile P  use profile P (wins over AWS_PROFILE and AWS_DEFAULT_PROFILE)\n"
    "  --format F   process (default; as `aws configure export-credentials`), env, env-no-export,\n"
    "               json (one line, with AccountId, AccountIdSource and Provider)\n"
    "  --debug      botocore-style debug lines on stderr\n"
    "  --explain    the chain's explanation as JSON on stderr\n"
    "  --mfa-code CODE  the MFA code for a role profile with mfa_serial (else prompted on the\n"
    "               terminal, never read from stdin)\n"
    "  --no-cache   neither read nor write the AWS CLI's role credential cache ~/.aws/cli/cache\n"
    "exit: 0 resolved, 1 no credentials, 2 bad usage or configuration\n";

// A JSON string as Python's json.dumps writes it (ensure_ascii): nlohmann's escaping with
// ensure_ascii is the same (\", \\, \b \f \n \r \t, other controls and non-ASCII as \uxxxx).
std::string PyJsonString(const std::string& value) {
  return json(value).dump(-1, ' ', true, json::error_handler_t::replace);
}

std::string ProcessFormat(const Credentials& c) {
  std::string out = "{\n  \"Version\": 1,\n";
  out += "  \"AccessKeyId\": " + PyJsonString(c.access_key_id) + ",\n";
  out += "  \"SecretAccessKey\": " + PyJsonString(c.secret_access_key.reveal());
  if (!c.session_token.empty()) {
    out += ",\n  \"SessionToken\": " + PyJsonString(c.session_token.reveal());
  }
  if (c.expiration) out += ",\n  \"Expiration\": " + PyJsonString(PythonIsoFormat(*c.expiration));
  out += "\n}\n";
  return out;
}

std::string EnvFormat(const Credentials& c, const std::string& prefix) {
  std::string out;
  out += prefix + "AWS_ACCESS_KEY_ID=" + c.access_key_id + "\n";
  out += prefix + "AWS_SECRET_ACCESS_KEY=" + c.secret_access_key.reveal() + "\n";
  if (!c.session_token.empty()) {
    out += prefix + "AWS_SESSION_TOKEN=" + c.session_token.reveal() + "\n";
  }
  if (c.expiration) {
    out += prefix + "AWS_CREDENTIAL_EXPIRATION=" + PythonIsoFormat(*c.expiration) + "\n";
  }
  return out;
}

std::string JsonFormat(const Credentials& c) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  j["Version"] = 1;
  j["AccessKeyId"] = c.access_key_id;
  j["SecretAccessKey"] = c.secret_access_key.reveal();
  if (!c.session_token.empty()) j["SessionToken"] = c.session_token.reveal();
  if (c.expiration) j["Expiration"] = FormatRfc3339(*c.expiration);
  if (c.account_id) j["AccountId"] = *c.account_id;
  if (c.account_id && !c.account_id_source.empty()) j["AccountIdSource"] = c.account_id_source;
  j["Provider"] = c.provider;
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

void PrintError(const std::string& message) {
  std::string line = "chantless: " + message;
  for (char& ch : line) {
    if (ch == '\n' || ch == '\r') ch = ' ';
  }
  std::fprintf(stderr, "%s\n", line.c_str());
}

}  // namespace

std::string PythonIsoFormat(WallTime t) {
  const auto since_epoch = t.time_since_epoch();
  const auto secs = std::chrono::floor<std::chrono::seconds>(since_epoch);
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(since_epoch - secs);
  std::string base = FormatRfc3339(WallTime(secs));  // "YYYY-MM-DDTHH:MM:SSZ"
  if (!base.empty() && base.back() == 'Z') base.pop_back();
  if (micros.count() != 0) {
    // micros is in [1, 999999]: always six digits, zero-padded (Python's isoformat()).
    std::string digits = std::to_string(micros.count());
    base += "." + std::string(6 - std::min<size_t>(6, digits.size()), '0') + digits;
  }
  return base + "+00:00";
}

std::optional<std::string> FormatCredentials(const Credentials& credentials,
                                             const std::string& format) {
  if (format == "process") return ProcessFormat(credentials);
  if (format == "env") return EnvFormat(credentials, "export ");
  if (format == "env-no-export") return EnvFormat(credentials, "");
  if (format == "json") return JsonFormat(credentials);
  return std::nullopt;
}

int RunResolve(const Args& args) {
  std::optional<std::string> profile;
  std::string format = "process";
  bool debug = false, explain = false, no_cache = false;
  std::optional<std::string> mfa_code;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value_of = [&](const std::string& flag, std::string* out) {
      if (arg == flag) {
        if (i + 1 >= args.size()) return false;
        *out = args[++i];
        return true;
      }
      *out = arg.substr(flag.size() + 1);
      return true;
    };
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (arg == "--debug") {
      debug = true;
    } else if (arg == "--explain") {
      explain = true;
    } else if (arg == "--no-cache") {
      no_cache = true;
    } else if (arg == "--mfa-code" || arg.rfind("--mfa-code=", 0) == 0) {
      std::string value;
      if (!value_of("--mfa-code", &value) || value.empty()) {
        PrintError("--mfa-code needs the code");
        std::fputs(kUsage, stderr);
        return 2;
      }
      mfa_code = value;
    } else if (arg == "--profile" || arg.rfind("--profile=", 0) == 0) {
      std::string value;
      if (!value_of("--profile", &value) || value.empty()) {
        PrintError("--profile needs a profile name");
        std::fputs(kUsage, stderr);
        return 2;
      }
      profile = value;
    } else if (arg == "--format" || arg.rfind("--format=", 0) == 0) {
      if (!value_of("--format", &format)) {
        PrintError("--format needs one of process, env, env-no-export, json");
        return 2;
      }
      if (format != "process" && format != "env" && format != "env-no-export" && format != "json") {
        PrintError("unknown --format \"" + format +
                   "\" (expected process, env, env-no-export or json)");
        return 2;
      }
    } else {
      PrintError("unknown argument \"" + arg + "\"");
      std::fputs(kUsage, stderr);
      return 2;
    }
  }

  DebugLogSink debug_log(stderr);
  SystemWorld world(profile, debug ? &debug_log : nullptr);
  ProviderContext ctx = world.context();
  // The AWS CLI's cache, shared with `aws`; off with --no-cache or when no home is known.
  std::optional<CliCacheStore> cli_cache;
  if (!no_cache && ctx.env != nullptr && ctx.fs != nullptr) {
    StatusOr<std::string> dir = CliCacheStore::DefaultDirectory(*ctx.env, *ctx.fs);
    if (dir.ok()) {
      cli_cache.emplace(ctx.fs, *dir);
      ctx.cli_cache = &*cli_cache;
    }
  }
  TerminalMfaCodeSource mfa(mfa_code);
  ctx.mfa = &mfa;
  std::unique_ptr<Chain> chain = NewDefaultChain(ctx);
  ChainExplanation explanation;
  StatusOr<Credentials> credentials = chain->Resolve(&explanation);
  if (explain) std::fprintf(stderr, "%s\n", explanation.ToJson().c_str());
  if (!credentials.ok()) {
    PrintError(credentials.status().message());
    return IsInvalidConfiguration(credentials.status()) ? 2 : 1;
  }
  std::optional<std::string> text = FormatCredentials(*credentials, format);
  std::fwrite(text->data(), 1, text->size(), stdout);
  std::fflush(stdout);
  return 0;
}

}  // namespace cli
}  // namespace chantless
