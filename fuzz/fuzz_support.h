// What the libFuzzer targets share: invariant checks that abort (so libFuzzer records the
// input) and the tiny deterministic generator that picks where a stream is split.
// Thread-safety: plain functions and values; each fuzz input runs on one thread.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace shoal::fuzz {

inline void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

// xorshift64, seeded from the input so that a crash replays exactly.
struct Rng {
  uint64_t s;
  uint64_t Next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
};

}  // namespace shoal::fuzz
