// credential_process: command-line splitting, output parsing and the run (rules in the header).
#include "resolver/process/credential_process.h"

#include <cctype>
#include <chrono>
#include <cstdlib>

#include "nlohmann/json.hpp"
#include "resolver/core/ascii.h"
#include "resolver/core/environment.h"
#include "resolver/core/expiry.h"
#include "resolver/core/time_util.h"
#include "resolver/core/trace.h"

namespace chantless {
namespace {

using json = nlohmann::json;

constexpr char kTimeoutVariable[] = "CHANTLESS_CREDENTIAL_PROCESS_TIMEOUT_MS";
constexpr size_t kMaxStdoutBytes = 1024 * 1024;
constexpr size_t kMaxStderrBytes = 64 * 1024;
constexpr size_t kMaxStderrInMessage = 300;

// The characters that separate the words of a credential_process command line (a POSIX
// shell's blanks and line breaks).
bool SeparatesWords(char c) { return kBlanksAndLineBreaks.find(c) != std::string_view::npos; }

// stderr folded onto one line: control characters become spaces, runs of spaces collapse, and the
// result is cut at kMaxStderrInMessage bytes (on a UTF-8 boundary) with "…" appended.
std::string OneLine(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (IsAsciiControl(c) || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  if (out.size() > kMaxStderrInMessage) {
    size_t cut = kMaxStderrInMessage;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
    out += "\xE2\x80\xA6";  // …
  }
  return out;
}

// A JSON member that must be a non-empty string.
StatusOr<std::string> RequiredString(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    return InvalidResponseError(std::string("credential_process output has no ") + key);
  }
  const std::string* value = it->get_ptr<const std::string*>();
  if (value == nullptr) {
    return InvalidResponseError(std::string("credential_process output: ") + key +
                                " is not a string");
  }
  if (value->empty()) {
    return InvalidResponseError(std::string("credential_process output: ") + key + " is empty");
  }
  return *value;
}

// A JSON member that may be absent or null; when present it must be a string. "" counts as absent.
StatusOr<std::optional<std::string>> OptionalString(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::optional<std::string>();
  const std::string* value = it->get_ptr<const std::string*>();
  if (value == nullptr) {
    return InvalidResponseError(std::string("credential_process output: ") + key +
                                " is not a string");
  }
  if (value->empty()) return std::optional<std::string>();
  return std::optional<std::string>(*value);
}

StatusOr<std::chrono::milliseconds> ProcessTimeout(const Environment* env) {
  std::chrono::milliseconds fallback(60000);
  if (env == nullptr) return fallback;
  std::optional<std::string> value = GetNonBlank(*env, kTimeoutVariable);
  if (!value) return fallback;
  bool digits = value->size() <= 9 && !value->empty();
  for (char c : *value) digits = digits && std::isdigit(static_cast<unsigned char>(c));
  long ms = digits ? std::strtol(value->c_str(), nullptr, 10) : 0;
  if (ms <= 0) {
    return InvalidConfigurationError(std::string(kTimeoutVariable) +
                                     " must be a positive number of milliseconds (at most 9 "
                                     "digits), got \"" +
                                     OneLine(*value).substr(0, 20) + "\"");
  }
  return std::chrono::milliseconds(ms);
}

}  // namespace

// Long on purpose: one state machine over the command line (blanks, quotes, backslashes).
StatusOr<std::vector<std::string>> SplitCommandLine(std::string_view command) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  size_t i = 0;
  const size_t n = command.size();
  while (i < n) {
    char c = command[i];
    if (SeparatesWords(c)) {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      ++i;
    } else if (c == '\\') {
      if (i + 1 >= n) {
        return InvalidConfigurationError("credential_process: trailing backslash at position " +
                                         std::to_string(i + 1));
      }
      if (command[i + 1] != '\n') {  // backslash-newline is a line continuation
        word.push_back(command[i + 1]);
        in_word = true;
      }
      i += 2;
    } else if (c == '\'') {
      size_t close = command.find('\'', i + 1);
      if (close == std::string_view::npos) {
        return InvalidConfigurationError(
            "credential_process: unterminated single quote at position " + std::to_string(i + 1));
      }
      word.append(command.substr(i + 1, close - i - 1));
      in_word = true;
      i = close + 1;
    } else if (c == '"') {
      const size_t open = i;
      ++i;
      bool closed = false;
      while (i < n) {
        char d = command[i];
        if (d == '"') {
          closed = true;
          ++i;
          break;
        }
        if (d == '\\' && i + 1 < n) {
          char e = command[i + 1];
          if (e == '"' || e == '\\' || e == '$' || e == '`') {
            word.push_back(e);
            i += 2;
            continue;
          }
          if (e == '\n') {
            i += 2;
            continue;
          }
        }
        word.push_back(d);
        ++i;
      }
      if (!closed) {
        return InvalidConfigurationError(
            "credential_process: unterminated double quote at position " +
            std::to_string(open + 1));
      }
      in_word = true;
    } else {
      word.push_back(c);
      in_word = true;
      ++i;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

StatusOr<Credentials> ParseCredentialProcessOutput(std::string_view text, WallTime now) {
  json parsed = json::parse(text.begin(), text.end(), nullptr, false);
  if (parsed.is_discarded()) {
    return InvalidResponseError("credential_process output is not valid JSON (" +
                                std::to_string(text.size()) + " bytes)");
  }
  if (!parsed.is_object()) {
    return InvalidResponseError("credential_process output is not a JSON object");
  }
  auto version = parsed.find("Version");
  if (version == parsed.end()) {
    return InvalidResponseError("credential_process output has no Version (expected 1)");
  }
  if (!version->is_number() || version->get<double>() != 1.0) {
    return InvalidResponseError(
        "credential_process output: unsupported Version " +
        version->dump(-1, ' ', false, json::error_handler_t::replace).substr(0, 20) +
        " (expected the number 1)");
  }
  CHANTLESS_ASSIGN_OR_RETURN(std::string access_key_id, RequiredString(parsed, "AccessKeyId"));
  CHANTLESS_ASSIGN_OR_RETURN(std::string secret, RequiredString(parsed, "SecretAccessKey"));
  CHANTLESS_ASSIGN_OR_RETURN(std::optional<std::string> token,
                             OptionalString(parsed, "SessionToken"));
  CHANTLESS_ASSIGN_OR_RETURN(std::optional<std::string> expiration_text,
                             OptionalString(parsed, "Expiration"));
  CHANTLESS_ASSIGN_OR_RETURN(std::optional<std::string> account_id,
                             OptionalString(parsed, "AccountId"));

  Credentials credentials;
  credentials.access_key_id = std::move(access_key_id);
  credentials.secret_access_key = Secret(std::move(secret));
  if (token) credentials.session_token = Secret(std::move(*token));
  credentials.account_id = std::move(account_id);
  if (credentials.account_id) credentials.account_id_source = "credential_process output";
  credentials.provider = kCredentialProcessProviderName;
  if (expiration_text) {
    StatusOr<WallTime> expiration = ParseRfc3339(*expiration_text);
    if (!expiration.ok()) {
      return InvalidResponseError(
          "credential_process output: Expiration is not an RFC 3339 "
          "timestamp: " +
          expiration.status().message());
    }
    CHANTLESS_RETURN_IF_ERROR(CheckExpiry(*expiration, now, "credential_process output"));
    credentials.expiration = *expiration;
  }
  return credentials;
}

StatusOr<Credentials> RunCredentialProcess(const ProviderContext& ctx, const std::string& command,
                                           const std::string& source) {
  if (ctx.process == nullptr || ctx.clock == nullptr) {
    return InternalError(source + ": credential_process: no process runner or clock in context");
  }
  StatusOr<std::vector<std::string>> argv = SplitCommandLine(command);
  if (!argv.ok()) return argv.status().WithContext(source);
  if (argv->empty()) {
    return InvalidConfigurationError(source + ": credential_process is empty");
  }
  StatusOr<std::chrono::milliseconds> timeout = ProcessTimeout(ctx.env);
  if (!timeout.ok()) return timeout.status();

  ProcessLimits limits;
  limits.timeout = *timeout;
  limits.max_stdout_bytes = kMaxStdoutBytes;
  limits.max_stderr_bytes = kMaxStderrBytes;
  const std::string program = (*argv)[0];
  TraceInfo(ctx.trace, kCredentialProcessProviderName,
            "Running credential_process \"" + program + "\" from " + source);
  const MonoTime start = ctx.clock->MonotonicNow();
  StatusOr<ProcessResult> result = ctx.process->Run(*argv, limits);
  const auto elapsed_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(ctx.clock->MonotonicNow() - start);
  if (!result.ok()) return result.status().WithContext(source);

  const std::string what = source + ": credential_process \"" + program + "\"";
  if (result->timed_out) {
    return UnavailableError(what + " timed out after " + std::to_string(limits.timeout.count()) +
                            " ms; its process group was killed (" + kTimeoutVariable +
                            " sets the timeout)");
  }
  if (result->stdout_overflow) {
    return InvalidResponseError(what + " wrote more than " + std::to_string(kMaxStdoutBytes) +
                                " bytes on stdout; it was killed");
  }
  if (result->exit_code != 0) {
    std::string message = what + " exited with code " + std::to_string(result->exit_code);
    std::string err = OneLine(result->stderr_data);
    if (!err.empty()) message += ": " + err;
    return UnavailableError(message);
  }
  const WallTime now = ctx.clock->Now();
  StatusOr<Credentials> credentials = ParseCredentialProcessOutput(result->stdout_data, now);
  if (!credentials.ok()) return credentials.status().WithContext(what);
  if (credentials->expiration) {
    TraceValidity(ctx.trace, kCredentialProcessProviderName, what, *credentials->expiration, now);
  }
  TraceInfo(ctx.trace, kCredentialProcessProviderName,
            "credential_process \"" + program + "\" returned credentials in " +
                std::to_string(elapsed_ms.count()) + " ms");
  return credentials;
}

}  // namespace chantless
