// `chantless imds …` and `chantless region` (usage and exit codes in cli/imds_command.h).
#include "cli/imds_command.h"

#include <optional>
#include <string>

#include "cli/debug_log.h"
#include "nlohmann/json.hpp"
#include "resolver/chain/region.h"
#include "resolver/core/time_util.h"
#include "resolver/imds/imds_client.h"
#include "resolver/imds/imds_listing.h"
#include "resolver/imds/instance_identity.h"
#include "resolver/system/system_world.h"

namespace chantless {
namespace cli {
namespace {

using json = nlohmann::json;

constexpr char kImdsUsage[] =
    "usage: chantless imds get <path> [--profile P] [--debug]\n"
    "       chantless imds ls [path] [--profile P] [--debug]\n"
    "       chantless imds identity [--profile P] [--debug]\n"
    "  a path without a leading '/' is under /latest/meta-data/\n"
    "  endpoint, timeout and attempts as the AWS CLI reads them "
    "(AWS_EC2_METADATA_SERVICE_ENDPOINT,\n"
    "  AWS_METADATA_SERVICE_TIMEOUT, AWS_METADATA_SERVICE_NUM_ATTEMPTS, …, or the profile's\n"
    "  ec2_metadata_service_endpoint, metadata_service_timeout, …)\n"
    "exit: 0 success, 1 no answer, 2 bad usage or configuration\n";

constexpr char kRegionUsage[] =
    "usage: chantless region [--profile P] [--explain] [--debug]\n"
    "  AWS_REGION > AWS_DEFAULT_REGION > profile region > IMDS placement\n"
    "exit: 0 found, 1 no region, 2 bad usage or configuration\n";

int ExitCode(const Status& status) { return IsInvalidConfiguration(status) ? 2 : 1; }

void PrintError(FILE* err, const std::string& message) {
  std::fprintf(err, "chantless: %s\n", message.c_str());
}

std::string MetadataPath(const std::string& arg) {
  if (!arg.empty() && arg.front() == '/') return arg;
  return "/latest/meta-data/" + arg;
}

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json IdentityJson(const InstanceIdentity& id) {
  json j = json::object();
  j["accountId"] = id.account_id;
  j["instanceId"] = id.instance_id;
  j["region"] = id.region;
  auto opt = [&](const char* key, const std::optional<std::string>& v) {
    if (v) j[key] = *v;
  };
  opt("architecture", id.architecture);
  opt("availabilityZone", id.availability_zone);
  opt("imageId", id.image_id);
  opt("instanceType", id.instance_type);
  opt("kernelId", id.kernel_id);
  opt("ramdiskId", id.ramdisk_id);
  opt("privateIp", id.private_ip);
  opt("version", id.version);
  if (id.pending_time) j["pendingTime"] = FormatRfc3339(*id.pending_time);
  if (!id.billing_products.empty()) j["billingProducts"] = id.billing_products;
  if (!id.devpay_product_codes.empty()) j["devpayProductCodes"] = id.devpay_product_codes;
  if (!id.marketplace_product_codes.empty()) {
    j["marketplaceProductCodes"] = id.marketplace_product_codes;
  }
  return j;
}

// Splits out --debug, --profile and (region only) --explain. Returns false on a usage error.
struct CommonFlags {
  bool debug = false;
  bool explain = false;
  std::optional<std::string> profile;
  Args rest;
};

bool ParseCommon(const Args& args, bool allow_explain, CommonFlags* flags, FILE* err) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--debug") {
      flags->debug = true;
    } else if (allow_explain && a == "--explain") {
      flags->explain = true;
    } else if (a == "--profile" || a.rfind("--profile=", 0) == 0) {
      std::string value;
      if (a == "--profile") {
        if (i + 1 >= args.size()) {
          PrintError(err, "--profile needs a profile name");
          return false;
        }
        value = args[++i];
      } else {
        value = a.substr(10);
      }
      if (value.empty()) {
        PrintError(err, "--profile needs a profile name");
        return false;
      }
      flags->profile = value;
    } else {
      flags->rest.push_back(a);
    }
  }
  return true;
}

}  // namespace

int RunImdsWith(const Args& args, const ProviderContext& ctx, FILE* out, FILE* err) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::fputs(kImdsUsage, args.empty() ? err : out);
    return args.empty() ? 2 : 0;
  }
  const std::string& verb = args[0];
  ImdsClient client(ctx, "imds");
  if (verb == "get") {
    if (args.size() != 2 || args[1].empty()) {
      std::fputs(kImdsUsage, err);
      return 2;
    }
    StatusOr<std::string> body = client.Get(MetadataPath(args[1]));
    if (!body.ok()) {
      PrintError(err, body.status().message());
      return ExitCode(body.status());
    }
    std::fwrite(body->data(), 1, body->size(), out);
    if (body->empty() || body->back() != '\n') std::fputc('\n', out);
    return 0;
  }
  if (verb == "ls") {
    if (args.size() > 2) {
      std::fputs(kImdsUsage, err);
      return 2;
    }
    std::string path = MetadataPath(args.size() == 2 ? args[1] : "");
    if (path.back() != '/') path += '/';
    StatusOr<std::string> body = client.Get(path);
    if (!body.ok()) {
      PrintError(err, body.status().message());
      return ExitCode(body.status());
    }
    for (const MetadataEntry& e : ParseMetadataListing(*body)) {
      std::fprintf(out, "%s%s\n", e.name.c_str(), e.is_directory ? "/" : "");
    }
    return 0;
  }
  if (verb == "identity") {
    if (args.size() != 1) {
      std::fputs(kImdsUsage, err);
      return 2;
    }
    StatusOr<std::string> body = client.Get(kInstanceIdentityDocumentPath);
    if (!body.ok()) {
      PrintError(err, body.status().message());
      return ExitCode(body.status());
    }
    StatusOr<InstanceIdentity> id = DecodeInstanceIdentity(*body);
    if (!id.ok()) {
      PrintError(err, id.status().message());
      return 1;
    }
    std::fprintf(out, "%s\n", Dump(IdentityJson(*id)).c_str());
    return 0;
  }
  PrintError(err, "unknown imds command \"" + verb + "\"");
  std::fputs(kImdsUsage, err);
  return 2;
}

int RunRegionWith(const Args& args, const ProviderContext& ctx,
                  const std::function<std::vector<TraceEvent>()>& events, FILE* out, FILE* err) {
  bool explain = false;
  for (const std::string& a : args) {
    if (a == "--help" || a == "-h") {
      std::fputs(kRegionUsage, out);
      return 0;
    }
    if (a == "--explain") {
      explain = true;
      continue;
    }
    PrintError(err, "unknown argument \"" + a + "\"");
    std::fputs(kRegionUsage, err);
    return 2;
  }
  ImdsClient client(ctx, "region");
  StatusOr<RegionResult> region = ResolveRegion(ctx, &client);
  if (explain) {
    json j = json::object();
    j["region"] = region.ok() ? json(region->region) : json(nullptr);
    j["source"] = region.ok() ? json(region->source) : json(nullptr);
    if (!region.ok()) j["error"] = region.status().ToString();
    json requests = json::array();
    json notes = json::array();
    for (const TraceEvent& e : events ? events() : std::vector<TraceEvent>()) {
      if (e.kind == TraceEvent::Kind::kRequest) {
        json r = {{"method", e.method},
                  {"endpoint", e.endpoint},
                  {"path", e.path},
                  {"status", e.status},
                  {"elapsed_ms", e.elapsed.count() / 1000.0}};
        if (!e.message.empty()) r["error"] = e.message;
        requests.push_back(r);
      } else {
        notes.push_back(json{{"kind", e.kind == TraceEvent::Kind::kWarning ? "warning" : "info"},
                             {"message", e.message}});
      }
    }
    j["requests"] = requests;
    j["notes"] = notes;
    std::fprintf(err, "%s\n", Dump(j).c_str());
  }
  if (!region.ok()) {
    PrintError(err, region.status().message());
    return ExitCode(region.status());
  }
  std::fprintf(out, "%s\n", region->region.c_str());
  return 0;
}

int RunImds(const Args& args) {
  CommonFlags flags;
  if (!ParseCommon(args, /*allow_explain=*/false, &flags, stderr)) return 2;
  DebugLogSink debug_log(stderr);
  SystemWorld world(flags.profile, flags.debug ? &debug_log : nullptr);
  if (flags.profile && !world.profile_status().ok()) {  // an explicit profile must load
    PrintError(stderr, world.profile_status().message());
    return ExitCode(world.profile_status());
  }
  return RunImdsWith(flags.rest, world.context(), stdout, stderr);
}

int RunRegion(const Args& args) {
  CommonFlags flags;
  if (!ParseCommon(args, /*allow_explain=*/true, &flags, stderr)) {
    std::fputs(kRegionUsage, stderr);
    return 2;
  }
  DebugLogSink debug_log(stderr);
  SystemWorld world(flags.profile, flags.debug ? &debug_log : nullptr);
  if (!world.profile_status().ok() && !IsNotConfigured(world.profile_status())) {
    PrintError(stderr, world.profile_status().message());
    return ExitCode(world.profile_status());
  }
  if (flags.explain) flags.rest.push_back("--explain");
  return RunRegionWith(
      flags.rest, world.context(), [&world] { return world.trace().events(); }, stdout, stderr);
}

}  // namespace cli
}  // namespace chantless
