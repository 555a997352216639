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
  static constexpr int kThreads = 4;  // the engine's kMaxThreads
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

// What normalize() drops from `raw`'s recorded switches: "switch 3/7 not
// modelled yet, dropped; ..." or "" for nothing. For files, as describe_caps.
std::string describe_dropped_switches(const pb::Scenario& raw);

// A name component as the model uses it: 1..kNameLength characters from
// [A-Za-z0-9_-]; other bytes are folded onto letters.
std::string normalize_name(const std::string& raw);

// The model's view of a normalised scenario.
Scenario to_scenario(const pb::Scenario& scenario);
// The same into *out, on its buffers (vectors and strings keep their room).
void to_scenario(const pb::Scenario& scenario, Scenario* out);

// The switches a (parsed) scenario runs with: its recorded Switches, folded
// (fold_switches), else the row of its variant.
PatchSet switches_of(const pb::Scenario& scenario);
// Gives `scenario` this variant and these switches (folded), in canonical form:
// Switches recorded only when they differ from the variant's row. Without
// `switches`: the variant's row.
void set_kernel(pb::Scenario* scenario, pb::Kernel variant, PatchSet switches);
void set_kernel(pb::Scenario* scenario, pb::Kernel variant);
// "v4-fixed" or "v4-fixed,-7/7" (core/scenario.h's kernel_spelling).
std::string kernel_spelling(const pb::Scenario& scenario);
// --kernel's value: "VARIANT[,+SWITCH|,-SWITCH|,~SWITCH]..." (core/scenario.h's
// parse_kernel), with the variant as the protobuf enum.
bool parse_kernel(const std::string& text, pb::Kernel* variant, PatchSet* switches, PatchSet* free,
                  std::string* error);

}  // namespace dcfuzz
