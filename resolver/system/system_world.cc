// SystemWorld and its trace sink (see the header).
#include "resolver/system/system_world.h"

#include <utility>

#include "resolver/http/default_http_client.h"

namespace chantless {

void TeeTraceSink::Record(const TraceEvent& event) {
  collected_.Record(event);
  if (forward_ != nullptr) forward_->Record(event);
}

SystemWorld::SystemWorld(std::optional<std::string> profile_override, TraceSink* trace_forward)
    : profile_override_(std::move(profile_override)),
      http_(std::make_unique<DefaultHttpClient>()),
      trace_(trace_forward) {
  StatusOr<std::unique_ptr<ProfileConfig>> config =
      LoadProfileConfig(env_, fs_, profile_override_, &trace_);
  if (config.ok()) {
    profile_config_ = std::move(config).value();
  } else {
    profile_status_ = config.status();
  }
}

SystemWorld::~SystemWorld() = default;

ProviderContext SystemWorld::context() {
  ProviderContext ctx;
  ctx.env = &env_;
  ctx.fs = &fs_;
  ctx.clock = &clock_;
  ctx.http = http_.get();
  ctx.process = &process_;
  ctx.trace = &trace_;
  ctx.settings = profile_config_.get();
  ctx.profile_override = profile_override_;
  return ctx;
}

}  // namespace chantless
