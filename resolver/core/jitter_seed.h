// NewJitterSeed(): a seed for the pseudo-random jitter of refresh windows and static-stability
// extensions, cheap enough to take on every provider or cache construction.
//
// Why not std::random_device per construction: libstdc++ 12's random_device runs CPUID to choose
// its source each time one is constructed, and on a virtual machine CPUID traps to the hypervisor.
// Measured on the 2-core PVM guest chantless is developed on: std::random_device::_M_init was
// 9.7 % of a cold loopback resolution's samples (perf, BM_ColdResolve_Container_Loopback).
//
// Rules:
// - the first call in a process draws 64 bits from the OS (getrandom(2), through
//   std::random_device if getrandom fails); later calls never touch the OS. A fork()ed child draws
//   anew on its first call (pthread_atfork), so parent and child never share seeds;
// - every call returns a different value (a per-process counter through the SplitMix64 finaliser,
//   which is a bijection), so two caches built in the same nanosecond still jitter differently;
// - never returns 0 (callers use 0 to mean "no seed given");
// - thread-safe and lock-free after the first call.
// The jitter is not a security boundary: it spreads refreshes of a fleet, it hides nothing.
#ifndef CHANTLESS_RESOLVER_CORE_JITTER_SEED_H_
#define CHANTLESS_RESOLVER_CORE_JITTER_SEED_H_

#include <cstdint>

namespace chantless {

uint64_t NewJitterSeed();

// SplitMix64's output function (exposed for tests): a bijection on 64-bit values.
uint64_t SplitMix64(uint64_t x);

}  // namespace chantless

#endif  // CHANTLESS_RESOLVER_CORE_JITTER_SEED_H_
