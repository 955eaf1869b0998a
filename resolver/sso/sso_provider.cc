// The SSO provider (rules in sso_provider.h).
#include "resolver/sso/sso_provider.h"

#include <memory>
#include <optional>
#include <utility>

#include "nlohmann/json.hpp"
#include "resolver/cli_cache/cli_cache.h"
#include "resolver/cli_cache/cli_cache_store.h"
#include "resolver/core/ascii.h"
#include "resolver/core/expiry.h"
#include "resolver/core/time_util.h"
#include "resolver/core/trace.h"
#include "resolver/endpoints/endpoints.h"
#include "resolver/http/http_client.h"
#include "resolver/http/proxy.h"
#include "resolver/sso/sso_api.h"
#include "resolver/sso/sso_config.h"
#include "resolver/sso/sso_token.h"

namespace chantless {
namespace {

constexpr char kProviderName[] = "sso";
constexpr char kTokenCacheDir[] = "~/.aws/sso/cache";
constexpr std::chrono::milliseconds kRequestTimeout{5000};
constexpr std::chrono::milliseconds kRefreshLockTimeout{5000};
constexpr size_t kMaxServiceMessage = 200;

// Memory of CreateToken attempts, shared by the calls of one SsoProvider; null: none.
struct RefreshMemory {
  std::mutex* mu = nullptr;
  std::map<std::string, WallTime>* last_attempt = nullptr;

  std::optional<WallTime> Get(const std::string& path) const {
    if (mu == nullptr) return std::nullopt;
    std::lock_guard<std::mutex> lock(*mu);
    auto it = last_attempt->find(path);
    if (it == last_attempt->end()) return std::nullopt;
    return it->second;
  }
  void Set(const std::string& path, WallTime t) const {
    if (mu == nullptr) return;
    std::lock_guard<std::mutex> lock(*mu);
    (*last_attempt)[path] = t;
  }
};

void TraceRequest(TraceSink* sink, const std::string& step, const std::string& action,
                  const HttpRequest& request, int status, std::chrono::microseconds elapsed,
                  std::string message) {
  if (sink == nullptr) return;
  TraceEvent e;
  e.kind = TraceEvent::Kind::kRequest;
  e.provider = kProviderName;
  e.step = step;
  e.action = action;
  e.method = request.method;
  e.endpoint = request.endpoint;
  e.path = request.path;
  e.status = status;
  e.elapsed = elapsed;
  e.message = std::move(message);
  sink->Record(e);
}

void TraceStep(TraceSink* sink, const std::string& step, std::string message) {
  if (sink == nullptr) return;
  TraceEvent e;
  e.kind = TraceEvent::Kind::kInfo;
  e.provider = kProviderName;
  e.step = step;
  e.message = std::move(message);
  sink->Record(e);
}

std::string LoginCommand(const SsoSettings& s) {
  return s.session_name ? "aws sso login --sso-session " + *s.session_name
                        : "aws sso login --profile " + s.profile_name;
}

// "https://host:port/base" → endpoint "https://host:port" and path prefix "/base" (no trailing
// "/").
void SplitUrl(const std::string& url, std::string* endpoint, std::string* prefix) {
  size_t scheme = url.find("://");
  size_t slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  *endpoint = url.substr(0, slash);
  *prefix = slash == std::string::npos ? "" : url.substr(slash);
  while (!prefix->empty() && prefix->back() == '/') prefix->pop_back();
}

// `text` cut to kMaxServiceMessage bytes with control characters replaced: a service message goes
// into our messages as data.
std::string Sanitize(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, kMaxServiceMessage)) out += IsAsciiControl(c) ? ' ' : c;
  if (text.size() > kMaxServiceMessage) out += "…";
  return out;
}

// "HTTP 404 ResourceNotFoundException: No access (request id 1234)": the status, the error type
// (x-amzn-ErrorType, else the body's "__type" or OAuth "error"), the service's message ("message",
// "Message" or OAuth "error_description") and the request id (x-amzn-RequestId).
std::string DescribeErrorReply(const HttpResponse& response) {
  std::string type;
  std::string message;
  if (std::optional<std::string> t = FindHeader(response.headers, "x-amzn-ErrorType")) {
    type = t->substr(0, t->find(':'));
  }
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  if (!body.is_discarded() && body.is_object()) {
    for (const char* key : {"__type", "error"}) {
      auto it = body.find(key);
      if (type.empty() && it != body.end() && it->is_string()) {
        std::string v = it->get<std::string>();
        type = v.substr(v.rfind('#') == std::string::npos ? 0 : v.rfind('#') + 1);
      }
    }
    for (const char* key : {"message", "Message", "error_description"}) {
      auto it = body.find(key);
      if (message.empty() && it != body.end() && it->is_string()) message = it->get<std::string>();
    }
  }
  std::string out = "HTTP " + std::to_string(response.status);
  if (!type.empty()) out += " " + Sanitize(type);
  if (!message.empty()) out += ": " + Sanitize(message);
  if (std::optional<std::string> id = FindHeader(response.headers, "x-amzn-RequestId")) {
    out += " (request id " + Sanitize(*id) + ")";
  }
  return out;
}

// Everything one resolution needs.
class Resolution {
 public:
  Resolution(const ProviderContext& ctx, const ProfileConfig& profile, SsoSettings settings,
             RefreshMemory memory)
      : ctx_(ctx), profile_(profile), s_(std::move(settings)), memory_(memory) {
    inputs_.env = ctx.env;
    inputs_.profile = &profile;
    inputs_.config_file = &profile.config_file();
    inputs_.config_path = profile.config_path();
  }

  StatusOr<Credentials> Run() {
    TraceInfo(ctx_.trace, kProviderName, "Using SSO settings of " + s_.where);
    std::string cli_file;
    if (ctx_.cli_cache != nullptr) {
      cli_file = SsoCliCacheFileName(s_.account_id, s_.role_name,
                                     s_.session_name ? *s_.session_name : "", s_.start_url);
      if (std::optional<Credentials> cached = LookupCliCache(cli_file)) return *cached;
    }
    CHANTLESS_ASSIGN_OR_RETURN(Secret token, UsableToken());
    CHANTLESS_ASSIGN_OR_RETURN(SsoRoleCredentials role, GetRoleCredentials(token));
    Credentials credentials = role.ToCredentials(s_.account_id, kProviderName);
    credentials.account_id_source = profile_.Where("sso_account_id");
    CHANTLESS_RETURN_IF_ERROR(CheckExpiry(credentials.expiration, ctx_.clock->Now(),
                                          "SSO GetRoleCredentials " + last_url_, ctx_.trace,
                                          kProviderName));
    if (ctx_.cli_cache != nullptr) StoreCliCache(cli_file, role);
    TraceInfo(ctx_.trace, kProviderName, "Found credentials from sso (" + s_.where + ")");
    return credentials;
  }

 private:
  std::optional<Credentials> LookupCliCache(const std::string& file) {
    const std::string path = ctx_.cli_cache->PathOf(file);
    CliCacheLookup lookup = ctx_.cli_cache->Lookup(file);
    if (!lookup.hit()) {
      const bool absent = lookup.miss_reason.rfind("no such file", 0) == 0;
      TraceCache(ctx_.trace, kProviderName, "aws-cli", "read", path, absent ? "miss" : "bad",
                 "AWS CLI cache miss: " + lookup.miss_reason);
      return std::nullopt;
    }
    if (!ShouldReuseCliCacheEntry(lookup.entry->expiration, ctx_.clock->Now())) {
      TraceCache(ctx_.trace, kProviderName, "aws-cli", "read", path, "expired",
                 "AWS CLI cache entry " + path + " expires at " +
                     FormatRfc3339(lookup.entry->expiration) +
                     ", less than 15 min from now: not reused");
      return std::nullopt;
    }
    TraceCache(ctx_.trace, kProviderName, "aws-cli", "read", path, "hit",
               "Using the AWS CLI cache entry " + path + " (expires " +
                   FormatRfc3339(lookup.entry->expiration) + ")");
    Credentials credentials = lookup.entry->ToCredentials(kProviderName);
    if (!credentials.account_id) credentials.account_id = s_.account_id;
    credentials.account_id_source = profile_.Where("sso_account_id");
    return credentials;
  }

  void StoreCliCache(const std::string& file, const SsoRoleCredentials& role) {
    CliCacheEntry entry;
    entry.kind = CliCacheEntryKind::kSso;
    entry.access_key_id = role.access_key_id;
    entry.secret_access_key = role.secret_access_key;
    entry.session_token = role.session_token;
    entry.expiration = role.expiration;
    entry.account_id = s_.account_id;
    Status stored = ctx_.cli_cache->Store(file, entry);
    const std::string path = ctx_.cli_cache->PathOf(file);
    if (stored.ok()) {
      TraceCache(ctx_.trace, kProviderName, "aws-cli", "write", path, "written",
                 "Wrote the AWS CLI cache entry " + path);
    } else {
      TraceCache(ctx_.trace, kProviderName, "aws-cli", "write", path, "not written",
                 "could not write the AWS CLI cache entry: " + stored.message());
    }
  }

  SsoLoginHint Hint(const std::optional<SsoToken>& token, std::string detail) const {
    SsoLoginHint hint;
    hint.profile_name = s_.profile_name;
    hint.session_name = s_.session_name;
    hint.start_url = s_.start_url;
    hint.cache_path = token_path_;
    if (token) hint.expires_at_seen = FormatRfc3339(token->expires_at);
    hint.detail = std::move(detail);
    return hint;
  }

  Status TokenError(SsoTokenProblem problem, const std::optional<SsoToken>& token,
                    std::string detail = "") const {
    return InvalidConfigurationError(SsoTokenErrorMessage(problem, Hint(token, std::move(detail))));
  }

  // Reads and parses the token file; sets text_.
  StatusOr<SsoToken> ReadToken() {
    StatusOr<std::string> text = ctx_.fs->ReadFile(token_path_, 1024 * 1024);
    if (!text.ok()) {
      const bool missing = IsNotConfigured(text.status());
      TraceCache(ctx_.trace, kProviderName, "sso-token", "read", token_path_,
                 missing ? "miss" : "bad",
                 "SSO token " + token_path_ + ": " + text.status().message());
      if (missing) return TokenError(SsoTokenProblem::kMissing, {});
      return TokenError(SsoTokenProblem::kInvalid, {}, text.status().message());
    }
    StatusOr<SsoToken> token = ParseSsoToken(*text, token_path_);
    if (!token.ok()) {
      TraceCache(ctx_.trace, kProviderName, "sso-token", "read", token_path_, "bad",
                 "SSO token " + token_path_ + ": " + token.status().message());
      return TokenError(SsoTokenProblem::kInvalid, {}, token.status().message());
    }
    text_ = *std::move(text);
    return token;
  }

  SsoRefreshVerdict Decide(const SsoToken& token) const {
    SsoRefreshInputs inputs;
    inputs.sso_session_profile = s_.session_name.has_value();
    if (StatusOr<WallTime> mtime = ctx_.fs->ModificationTime(token_path_); mtime.ok()) {
      inputs.issued_at = *mtime;
    }
    inputs.last_attempt = memory_.Get(token_path_);
    return DecideSsoRefresh(token, inputs, ctx_.clock->Now());
  }

  // The access token to call GetRoleCredentials with, refreshed first when due.
  StatusOr<Secret> UsableToken() {
    CHANTLESS_ASSIGN_OR_RETURN(std::string dir, ExpandHome(kTokenCacheDir, *ctx_.env, *ctx_.fs));
    token_path_ = SsoTokenCachePath(dir, s_.token_cache_key_source());
    CHANTLESS_ASSIGN_OR_RETURN(SsoToken token, ReadToken());
    TraceCache(ctx_.trace, kProviderName, "sso-token", "read", token_path_, "hit",
               "Read the SSO token " + token_path_ + " (expiresAt " +
                   FormatRfc3339(token.expires_at) + ")");
    SsoRefreshVerdict verdict = Decide(token);
    TraceStep(ctx_.trace, "token-refresh-decision", verdict.why);
    if (verdict.decision == SsoRefreshDecision::kRefresh) return Refresh(std::move(token));
    if (!verdict.usable) return TokenError(SsoTokenProblem::kExpired, token, verdict.why);
    return token.access_token;
  }

  // The old token when it is still usable (with a warning), else the login error.
  StatusOr<Secret> RefreshFailed(const SsoToken& token, const std::string& why) {
    if (ctx_.clock->Now() < token.expires_at) {
      TraceWarning(ctx_.trace, kProviderName,
                   "SSO token refresh failed (" + why +
                       "); using the current token, which expires " +
                       FormatRfc3339(token.expires_at));
      return token.access_token;
    }
    return TokenError(SsoTokenProblem::kRefreshFailed, token, why);
  }

  StatusOr<Secret> Refresh(SsoToken token) {
    const std::string lock_path = token_path_ + ".lock";
    StatusOr<std::unique_ptr<FileLock>> lock = ctx_.fs->LockFile(lock_path, kRefreshLockTimeout);
    if (!lock.ok()) return RefreshFailed(token, "lock: " + lock.status().message());
    TraceStep(ctx_.trace, "token-lock", "Locked " + lock_path);
    // Another process may have refreshed the token while this one waited for the lock.
    CHANTLESS_ASSIGN_OR_RETURN(token, ReadToken());
    SsoRefreshVerdict verdict = Decide(token);
    if (verdict.decision != SsoRefreshDecision::kRefresh) {
      TraceStep(ctx_.trace, "token-refresh-decision", "after taking the lock: " + verdict.why);
      if (!verdict.usable) return TokenError(SsoTokenProblem::kExpired, token, verdict.why);
      return token.access_token;
    }
    memory_.Set(token_path_, ctx_.clock->Now());
    StatusOr<SsoOidcToken> fresh = CreateToken(token);
    if (!fresh.ok()) return RefreshFailed(token, fresh.status().message());

    SsoTokenRefresh refresh;
    refresh.access_token = fresh->access_token;
    refresh.expires_at =
        std::chrono::time_point_cast<WallTime::duration>(ctx_.clock->Now() + fresh->expires_in);
    refresh.refresh_token = fresh->refresh_token;
    StatusOr<std::string> text = RenderRefreshedSsoToken(text_, refresh, token_path_);
    Status written = text.ok() ? ctx_.fs->WriteFileAtomic(token_path_, *text, 0600) : text.status();
    if (written.ok()) {
      TraceCache(ctx_.trace, kProviderName, "sso-token", "write", token_path_, "written",
                 "Wrote the refreshed SSO token " + token_path_ + " (expiresAt " +
                     FormatRfc3339(refresh.expires_at) + ")");
    } else {
      TraceCache(ctx_.trace, kProviderName, "sso-token", "write", token_path_, "not written",
                 "could not write the refreshed SSO token back: " + written.message());
    }
    return fresh->access_token;
  }

  // Where sso_region was set: the profile line, else (sso_session profiles) the session's.
  std::string SsoRegionWhere() const {
    std::string where = profile_.Where("sso_region");
    return where.empty() ? s_.where : where;
  }

  // Sends `request` to the endpoint of `service`; traces it as `step`.
  StatusOr<HttpResponse> Send(EndpointService service, const std::string& step,
                              const std::string& action, HttpRequest request) {
    CHANTLESS_ASSIGN_OR_RETURN(EndpointSelection endpoint,
                               SelectSsoEndpoint(inputs_, service, s_.region, SsoRegionWhere()));
    for (const std::string& w : endpoint.warnings) TraceWarning(ctx_.trace, kProviderName, w);
    TraceStep(ctx_.trace, step, action + " endpoint " + endpoint.url + ": " + endpoint.why);
    CHANTLESS_ASSIGN_OR_RETURN(std::optional<CaBundleSelection> ca,
                               SelectAndCheckCaBundle(inputs_, *ctx_.fs));
    if (ca) request.ca_bundle_path = ca->path;
    request.proxy = SelectProxy(*ctx_.env, endpoint.url);
    if (!request.proxy.empty()) {
      // The variable's name only: a proxy URL may hold a user and password.
      TraceStep(ctx_.trace, step,
                action + " through the proxy from " + SelectProxySource(*ctx_.env, endpoint.url));
    }
    std::string prefix;
    SplitUrl(endpoint.url, &request.endpoint, &prefix);
    request.path = prefix + request.path;
    request.timeout = kRequestTimeout;
    if (ctx_.http == nullptr) return InternalError("sso: no HttpClient in the provider context");
    last_url_ = request.method + " " + request.endpoint + request.path;
    const MonoTime start = ctx_.clock->MonotonicNow();
    StatusOr<HttpResponse> response = ctx_.http->Send(request);
    auto elapsed =
        std::chrono::duration_cast<std::chrono::microseconds>(ctx_.clock->MonotonicNow() - start);
    TraceRequest(ctx_.trace, step, action, request, response.ok() ? response->status : 0, elapsed,
                 response.ok() ? action : action + ": " + response.status().message());
    if (!response.ok()) {
      return response.status().WithContext(action + " " + last_url_);
    }
    return response;
  }

  StatusOr<SsoOidcToken> CreateToken(const SsoToken& token) {
    HttpRequest request;
    request.method = "POST";
    request.path = "/token";
    request.headers = {{"Content-Type", "application/json"}};
    request.body = CreateTokenRefreshRequestBody(token.client_id.value_or(""),
                                                 token.client_secret.value_or(Secret()),
                                                 token.refresh_token.value_or(Secret()));
    CHANTLESS_ASSIGN_OR_RETURN(HttpResponse response,
                               Send(EndpointService::kSsoOidc, "create-token",
                                    "SSO-OIDC CreateToken", std::move(request)));
    if (response.status != 200) {
      return Status(response.status == 429 || response.status >= 500
                        ? StatusCode::kUnavailable
                        : StatusCode::kInvalidConfiguration,
                    "SSO-OIDC CreateToken " + last_url_ + ": " + DescribeErrorReply(response));
    }
    return DecodeCreateTokenResponse(response.body);
  }

  StatusOr<SsoRoleCredentials> GetRoleCredentials(const Secret& token) {
    HttpRequest request;
    request.method = "GET";
    request.path = GetRoleCredentialsPathAndQuery(s_.role_name, s_.account_id);
    request.headers = {{kSsoBearerTokenHeader, token.reveal()}};
    CHANTLESS_ASSIGN_OR_RETURN(HttpResponse response,
                               Send(EndpointService::kSso, "get-role-credentials",
                                    "SSO GetRoleCredentials", std::move(request)));
    if (response.status == 200) {
      StatusOr<SsoRoleCredentials> role = DecodeGetRoleCredentialsResponse(response.body);
      if (!role.ok()) return role.status().WithContext(last_url_);
      return role;
    }
    const std::string what =
        "SSO GetRoleCredentials " + last_url_ + ": " + DescribeErrorReply(response);
    if (response.status == 401) {
      return TokenError(SsoTokenProblem::kUnauthorized, std::nullopt, what);
    }
    if (response.status == 403) {
      return InvalidConfigurationError(what +
                                       ". The SSO session may have been revoked or the role is "
                                       "not assigned to you; to log in again run: " +
                                       LoginCommand(s_) + " (token file " + token_path_ + ")");
    }
    if (response.status == 429 || response.status >= 500) return UnavailableError(what);
    return InvalidConfigurationError(what + " (" + s_.where + ")");
  }

  const ProviderContext& ctx_;
  const ProfileConfig& profile_;
  const SsoSettings s_;
  const RefreshMemory memory_;
  EndpointInputs inputs_;
  std::string token_path_;
  std::string text_;      // the token file as last read
  std::string last_url_;  // "GET https://portal.sso…/federation/credentials?…" of the last call
};

StatusOr<Credentials> ResolveWithMemory(const ProviderContext& ctx, const ProfileConfig& profile,
                                        RefreshMemory memory) {
  if (ctx.env == nullptr || ctx.fs == nullptr || ctx.clock == nullptr) {
    return InternalError("sso: no Environment, Filesystem or Clock in the provider context");
  }
  CHANTLESS_ASSIGN_OR_RETURN(SsoSettings settings, ResolveSsoSettings(profile));
  return Resolution(ctx, profile, std::move(settings), memory).Run();
}

}  // namespace

StatusOr<Credentials> ResolveSsoCredentials(const ProviderContext& ctx,
                                            const ProfileConfig& profile) {
  return ResolveWithMemory(ctx, profile, RefreshMemory());
}

std::string SsoProvider::Name() const { return kProviderName; }

StatusOr<Credentials> SsoProvider::Resolve() {
  if (ctx_.env == nullptr || ctx_.fs == nullptr) {
    return InternalError("sso: no Environment or Filesystem in the provider context");
  }
  // Files that cannot be loaded are the profile link's to report, with its own wording.
  ResolutionPass::LoadedProfile config = LoadSelectedProfile(ctx_);
  if (!config.ok()) {
    return NotConfiguredError("the profile files could not be loaded (" +
                              config.status().message() + ")");
  }
  RefreshMemory memory;
  memory.mu = &mu_;
  memory.last_attempt = &last_refresh_attempt_;
  return ResolveWithMemory(ctx_, **config, memory);
}

}  // namespace chantless
