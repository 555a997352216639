// The shipped seed schedules (corpus/seeds/), compiled into the binary at
// build time (cmake/embed_seeds.cmake), so that `dcfuzz fuzz` and the
// libFuzzer target need no file beside them: they work from any directory,
// any build directory and after `cmake --install`.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace dcfuzz {

struct ShippedSeed {
  const char* name;  // the file name in corpus/seeds/
  const unsigned char* data;
  size_t size;
  std::string bytes() const { return std::string(reinterpret_cast<const char*>(data), size); }
};

// In corpus/seeds/'s name order.
const std::vector<ShippedSeed>& shipped_seeds();

}  // namespace dcfuzz
