// A small deterministic random generator (xorshift64*), shared by the
// strategies, the random scenarios and the mutator. Same seed, same numbers,
// on every machine.
#pragma once

#include <cstdint>

namespace dcfuzz {

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ull + 1) {}
  uint64_t next() {
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return state_ * 0x2545F4914F6CDD1Dull;
  }
  uint32_t below(uint32_t limit) { return limit ? uint32_t(next() % limit) : 0; }

 private:
  uint64_t state_;
};

}  // namespace dcfuzz
