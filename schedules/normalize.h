// Normalisation: maps every parsed schedule onto a valid one, so that every
// byte string that parses is a schedule (out-of-range values are folded in,
// never rejected), and gives each schedule one canonical form.
#pragma once

#include <string>
#include <vector>

#include "core/scenario.h"
#include "schedule.pb.h"

namespace dcfuzz {

struct Limits {
  static constexpr int kThreads = 4;      // the engine's kMaxThreads
  static constexpr int kOpsPerThread = 6;
  static constexpr int kTreeNodes = 8;
  static constexpr int kPathDepth = 3;
  static constexpr size_t kNameLength = 8;
  static constexpr int kPreemptions = 64;
  static constexpr int kChoices = 64;
  static constexpr int kFaults = 8;
};

void normalize(pb::Schedule* schedule);

// What normalize() will cut from `raw` (a parsed, not yet normalised
// schedule) because it exceeds a Limit: "5000 threads" where 4 is the limit.
// For telling people about a file; the fuzzer's path never calls it.
struct Cap {
  std::string what;  // "threads", "operations in a thread", ...
  size_t found;      // the largest count in `raw`
  size_t limit;
};
std::vector<Cap> describe_caps(const pb::Schedule& raw);
// "5000 threads, capped to 4; 9 preemptions ..." or "" for no caps.
std::string format_caps(const std::vector<Cap>& caps);

// A name component as the model uses it: 1..kNameLength characters from
// [A-Za-z0-9_-]; other bytes are folded onto letters.
std::string normalize_name(const std::string& raw);

// The model's view of a normalised scenario.
Scenario to_scenario(const pb::Scenario& scenario);

// Command-line spelling of kernel variants ("v4-fixed") <-> protobuf enum.
bool kernel_from_name(const std::string& name, pb::Kernel* kernel);
std::string kernel_names();  // "mainline, v4, ..." for messages

}  // namespace dcfuzz
