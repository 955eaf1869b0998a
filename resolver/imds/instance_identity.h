// Pure decoder of the EC2 instance identity document (`GET
// /latest/dynamic/instance-identity/document`) into a typed struct: string_view in, value out (a
// fuzz target, no I/O).
//
// The document is one JSON object with camelCase keys: accountId, architecture, availabilityZone,
// billingProducts, devpayProductCodes, marketplaceProductCodes, imageId, instanceId, instanceType,
// kernelId, pendingTime, privateIp, ramdiskId, region, version. Rules: instanceId, region and
// accountId are required non-empty strings; every other field is optional, null counts as absent;
// string fields must be strings; the *ProductCodes/billingProducts fields must be arrays of
// strings; pendingTime is strict RFC 3339; unknown fields are ignored. Errors are kInvalidResponse
// naming the field and the JSON type found, never quoting a value (values are of unknown size).
#ifndef CHANTLESS_RESOLVER_IMDS_INSTANCE_IDENTITY_H_
#define CHANTLESS_RESOLVER_IMDS_INSTANCE_IDENTITY_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "resolver/core/status.h"

namespace chantless {

inline constexpr char kInstanceIdentityDocumentPath[] =
    "/latest/dynamic/instance-identity/document";

struct InstanceIdentity {
  std::string account_id;
  std::string instance_id;
  std::string region;
  std::optional<std::string> architecture;
  std::optional<std::string> availability_zone;
  std::optional<std::string> image_id;
  std::optional<std::string> instance_type;
  std::optional<std::string> kernel_id;
  std::optional<std::string> ramdisk_id;
  std::optional<std::string> private_ip;
  std::optional<std::string> version;
  std::optional<std::chrono::system_clock::time_point> pending_time;
  std::vector<std::string> billing_products;
  std::vector<std::string> devpay_product_codes;
  std::vector<std::string> marketplace_product_codes;
};

StatusOr<InstanceIdentity> DecodeInstanceIdentity(std::string_view body);

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_IMDS_INSTANCE_IDENTITY_H_
