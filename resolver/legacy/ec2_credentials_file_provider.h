// Ec2CredentialsFileProvider: the original EC2 command-line tools' credential file (botocore's
// OriginalEC2Provider, method "ec2-credentials-file").
//
// Rules implemented (botocore 1.29 credentials.py OriginalEC2Provider and utils.py
// parse_key_val_file; the map of every rule: docs/behaviour.md):
// - AWS_CREDENTIAL_FILE names the file; "~" is expanded (ExpandHome). Unset or blank: the
//   provider does not apply (kNotConfigured) and no file is read (botocore: a set but empty
//   variable fails on opening "").
// - The file is a list of "key=value" lines (ParseEc2CredentialFile): lines end at "\n" or "\r";
//   a line without "=" is ignored (so are comments and blank lines); the line is split at its
//   first "="; key and value are trimmed of ASCII whitespace; keys are case-sensitive; a repeated
//   key's last value wins.
// - AWSAccessKeyId is the access key id, AWSSecretKey the secret key. No AWSAccessKeyId line: the
//   provider does not apply (kNotConfigured, as botocore returns None). AWSAccessKeyId without
//   AWSSecretKey: kInvalidConfiguration naming the file and line (botocore: a bare KeyError). A
//   blank value of either: kInvalidConfiguration naming file:line (botocore takes "").
// - The file named but missing: kInvalidConfiguration naming AWS_CREDENTIAL_FILE and the path
//   (botocore raises ConfigNotFound, which stops its chain too); unreadable: the filesystem's
//   error.
// - No session token, no expiration (the format has neither). Credentials are stamped
//   "ec2-credentials-file". Trace: "Looking for credentials via: ec2-credentials-file", then
//   "Found credentials in AWS_CREDENTIAL_FILE." No value is ever traced or quoted in an error.
#ifndef CHANTLESS_RESOLVER_LEGACY_EC2_CREDENTIALS_FILE_PROVIDER_H_
#define CHANTLESS_RESOLVER_LEGACY_EC2_CREDENTIALS_FILE_PROVIDER_H_

#include <map>
#include <string>
#include <string_view>

#include "resolver/core/credentials.h"
#include "resolver/core/provider.h"
#include "resolver/core/status.h"

namespace chantless {

// One "key=value" line of the file: the trimmed value and its 1-based line.
struct Ec2CredentialFileEntry {
  std::string value;
  int line = 0;
};

// Pure: every "key=value" line of `text`, by key (last wins). Never fails.
std::map<std::string, Ec2CredentialFileEntry, std::less<>> ParseEc2CredentialFile(
    std::string_view text);

// Holds a copy of the context (whose seams the caller keeps alive). Stateless between calls:
// Resolve() re-reads the variable and the file each time, thread-safe when the seams are.
class Ec2CredentialsFileProvider : public CredentialsProvider {
 public:
  explicit Ec2CredentialsFileProvider(const ProviderContext& ctx) : ctx_(ctx) {}

  std::string Name() const override { return "ec2-credentials-file"; }

  // Errors: kNotConfigured when AWS_CREDENTIAL_FILE is unset or blank, or the file has no
  // AWSAccessKeyId line; kInvalidConfiguration for a missing file, a missing AWSSecretKey or a
  // blank value; the filesystem's error for an unreadable file; kInternal without env or fs.
  StatusOr<Credentials> Resolve() override;

 private:
  ProviderContext ctx_;
};

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_LEGACY_EC2_CREDENTIALS_FILE_PROVIDER_H_
