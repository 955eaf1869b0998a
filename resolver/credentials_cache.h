// Deprecated forwarding header, kept for one release: include "resolver/chain/credentials_cache.h"
// and depend on //resolver/chain:credentials_cache instead.
#ifndef CHANTLESS_RESOLVER_CREDENTIALS_CACHE_H_
#define CHANTLESS_RESOLVER_CREDENTIALS_CACHE_H_

#include "resolver/chain/credentials_cache.h"

#endif  // CHANTLESS_RESOLVER_CREDENTIALS_CACHE_H_
