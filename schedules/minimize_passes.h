// The minimizer's simplification passes (the driver is minimize.cc). Each
// proposes every simplification of the current schedule it knows, most
// promising first; the driver runs them and keeps what still shows the bug.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "schedule.pb.h"

namespace dcfuzz {

struct Candidate {
  std::string description;  // for the log: "T2 op 1 (lookup d/foo)"
  pb::Schedule schedule;
};
using Candidates = std::vector<Candidate>;

struct MinimizePass {
  const char* name;
  // `steps`: how many scheduling decisions the current schedule's execution took.
  void (*generate)(const pb::Schedule& current, uint32_t steps, Candidates* out);
};

// In the order they are tried in each round (minimize_pass_names()).
const std::vector<MinimizePass>& minimize_passes();

}  // namespace dcfuzz
