// Instance identity document decoder (rules in instance_identity.h). nlohmann is used only in its
// non-throwing forms: parse(…, nullptr, false) + is_discarded(), find(), get_ref after a type
// check.
#include "resolver/imds/instance_identity.h"

#include "nlohmann/json.hpp"
#include "resolver/core/time_util.h"

namespace chantless {
namespace {

using json = nlohmann::json;

constexpr char kWhat[] = "instance identity document";

Status Fail(const std::string& why) {
  return InvalidResponseError(std::string(kWhat) + ": " + why);
}

Status String(const json& obj, const char* key, bool required, std::optional<std::string>* out) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    return required ? Fail(std::string("field \"") + key + "\" is missing") : OkStatus();
  }
  if (!it->is_string()) {
    return Fail(std::string("field \"") + key + "\" is a " + it->type_name() +
                ", expected a string");
  }
  const std::string& v = it->get_ref<const std::string&>();
  if (required && v.empty()) return Fail(std::string("field \"") + key + "\" is empty");
  *out = v;
  return OkStatus();
}

Status Required(const json& obj, const char* key, std::string* out) {
  std::optional<std::string> v;
  CHANTLESS_RETURN_IF_ERROR(String(obj, key, true, &v));
  *out = std::move(*v);
  return OkStatus();
}

Status StringArray(const json& obj, const char* key, std::vector<std::string>* out) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return OkStatus();
  if (!it->is_array()) {
    return Fail(std::string("field \"") + key + "\" is a " + it->type_name() +
                ", expected an array");
  }
  for (const json& item : *it) {
    if (!item.is_string()) {
      return Fail(std::string("field \"") + key + "\" holds a " + item.type_name() +
                  ", expected strings");
    }
    out->push_back(item.get_ref<const std::string&>());
  }
  return OkStatus();
}

}  // namespace

StatusOr<InstanceIdentity> DecodeInstanceIdentity(std::string_view body) {
  json doc = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return Fail("not valid JSON (" + std::to_string(body.size()) + " bytes)");
  }
  if (!doc.is_object())
    return Fail(std::string("expected a JSON object, got a ") + doc.type_name());
  InstanceIdentity out;
  CHANTLESS_RETURN_IF_ERROR(Required(doc, "accountId", &out.account_id));
  CHANTLESS_RETURN_IF_ERROR(Required(doc, "instanceId", &out.instance_id));
  CHANTLESS_RETURN_IF_ERROR(Required(doc, "region", &out.region));
  CHANTLESS_RETURN_IF_ERROR(String(doc, "architecture", false, &out.architecture));
  CHANTLESS_RETURN_IF_ERROR(String(doc, "availabilityZone", false, &out.availability_zone));
  CHANTLESS_RETURN_IF_ERROR(String(doc, "imageId", false, &out.image_id));
  CHANTLESS_RETURN_IF_ERROR(String(doc, "instanceType", false, &out.instance_type));
  CHANTLESS_RETURN_IF_ERROR(String(doc, "kernelId", false, &out.kernel_id));
  CHANTLESS_RETURN_IF_ERROR(String(doc, "ramdiskId", false, &out.ramdisk_id));
  CHANTLESS_RETURN_IF_ERROR(String(doc, "privateIp", false, &out.private_ip));
  CHANTLESS_RETURN_IF_ERROR(String(doc, "version", false, &out.version));
  std::optional<std::string> pending;
  CHANTLESS_RETURN_IF_ERROR(String(doc, "pendingTime", false, &pending));
  if (pending) {
    StatusOr<WallTime> t = ParseRfc3339(*pending);
    if (!t.ok()) return Fail("field \"pendingTime\" is not an RFC 3339 timestamp");
    out.pending_time = *t;
  }
  CHANTLESS_RETURN_IF_ERROR(StringArray(doc, "billingProducts", &out.billing_products));
  CHANTLESS_RETURN_IF_ERROR(StringArray(doc, "devpayProductCodes", &out.devpay_product_codes));
  CHANTLESS_RETURN_IF_ERROR(
      StringArray(doc, "marketplaceProductCodes", &out.marketplace_product_codes));
  return out;
}

}  // namespace chantless
