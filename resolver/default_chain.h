// Deprecated forwarding header, kept for one release: include "resolver/chain/default_chain.h" and
// depend on //resolver/chain:default_chain instead.
#ifndef CHANTLESS_RESOLVER_DEFAULT_CHAIN_H_
#define CHANTLESS_RESOLVER_DEFAULT_CHAIN_H_

#include "resolver/chain/default_chain.h"

#endif  // CHANTLESS_RESOLVER_DEFAULT_CHAIN_H_
