// The version `chantless --version` prints: `git describe` of the release build (`./dev dist`
// stamps it through tools/workspace_status.sh), "unstamped" in development builds.
#ifndef CHANTLESS_CLI_VERSION_H_
#define CHANTLESS_CLI_VERSION_H_

namespace chantless {
namespace cli {

const char* Version();

}  // namespace cli
}  // namespace chantless

#endif  // CHANTLESS_CLI_VERSION_H_
