// Log-safe rendering of Credentials.
#include "resolver/core/credentials.h"

#include "resolver/core/time_util.h"

namespace chantless {

std::string DebugString(const Credentials& c) {
  std::string out = "Credentials{provider=" + c.provider;
  out += ", session_token=";
  out += c.session_token.empty() ? "no" : "yes";
  out += ", expiration=";
  out += c.expiration ? FormatRfc3339(*c.expiration) : "never";
  if (c.account_id) out += ", account_id=" + *c.account_id;
  if (c.extended) out += ", extended";
  out += "}";
  return out;
}

}  // namespace chantless
