// BotoConfigProvider: keys from a boto 2 configuration file (botocore's BotoProvider, method
// "boto-config").
//
// Rules implemented (botocore 1.29 credentials.py BotoProvider and configloader.py
// raw_config_parse; the map of every rule: docs/behaviour.md):
// - Where: BOTO_CONFIG, when set, names the only file looked at (even when it does not exist);
//   otherwise /etc/boto.cfg, then ~/.boto. "~" is expanded (ExpandHome; botocore also expands
//   $VARIABLES, chantless does not).
// - The files are tried in that order and the FIRST that has a [Credentials] section with
//   aws_access_key_id wins: /etc/boto.cfg beats ~/.boto (no merging, no override by the later
//   file). A missing file, or one without that key, is skipped.
// - The grammar is the shared profile file's (ParseProfileFile, kCredentials: every section is
//   kept by its name, "[Credentials]" case-sensitive, keys case-insensitive as configparser
//   lower-cases them). A syntax error is kInvalidConfiguration "PATH:LINE: what" and stops the
//   chain (botocore: ConfigParseError). The parser's documented differences from configparser
//   apply (inline comments, duplicate keys); a file that exists but cannot be read is the
//   filesystem's error (botocore skips it silently).
// - aws_access_key_id without aws_secret_access_key: kInvalidConfiguration naming file:line
//   (botocore: PartialCredentialsError). A blank value: kInvalidConfiguration naming file:line.
// - None of the files has the key: kNotConfigured, naming the files looked at.
// - No session token, no expiration. Credentials are stamped "boto-config". Trace: "Looking for
//   credentials via: boto-config", then "Found credentials in boto config file: PATH". No value is
//   ever traced or quoted in an error.
#ifndef CHANTLESS_RESOLVER_LEGACY_BOTO_CONFIG_PROVIDER_H_
#define CHANTLESS_RESOLVER_LEGACY_BOTO_CONFIG_PROVIDER_H_

#include <string>

#include "resolver/core/credentials.h"
#include "resolver/core/provider.h"
#include "resolver/core/status.h"

namespace chantless {

// Holds a copy of the context (whose seams the caller keeps alive). Stateless between calls:
// Resolve() re-reads the files each time, thread-safe when the seams are.
class BotoConfigProvider : public CredentialsProvider {
 public:
  explicit BotoConfigProvider(const ProviderContext& ctx) : ctx_(ctx) {}

  std::string Name() const override { return "boto-config"; }

  // Errors: kNotConfigured when no file has [Credentials] aws_access_key_id; kInvalidConfiguration
  // for a syntax error, a missing secret or a blank value (file:line), or BOTO_CONFIG with "~" and
  // no home; the filesystem's error for an unreadable file; kInternal without env or fs.
  StatusOr<Credentials> Resolve() override;

 private:
  ProviderContext ctx_;
};

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_LEGACY_BOTO_CONFIG_PROVIDER_H_
