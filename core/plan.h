// What a scenario compiles to, once, outside any execution: names interned,
// paths split into them, each op's text for reports. Read-only during an
// execution (see core/program.h).
#pragma once

#include <string>
#include <vector>

#include "core/model_options.h"
#include "core/scenario.h"
#include "oracles/seqfs.h"

namespace dcfuzz::model {

// A scenario op with its path split into interned names.
struct PlanOp {
  OpKind kind = OpKind::lookup;
  std::vector<int> path;
  std::vector<int> path2;
  std::string text;    // "rename d/a e/b", for reports
  int tree_node = -1;  // fh_decode: the initial-tree node the handle names
};

struct Plan {
  Scenario scenario;
  Patches patches;
  ModelOptions options;
  std::vector<std::string> names;  // interned names; id = index
  std::vector<int> folded;         // id of the first case-insensitively equal name
  std::vector<int> tree_name;      // per initial tree node
  std::vector<std::vector<PlanOp>> threads;
  oracle::SeqPlan seq;  // the result oracle's (when options.oracles)
  // nfs with an open_held op: the silly-rename name of each oracle slot
  // (".nfsNN"; no scenario name has a '.'), interned after the others.
  std::vector<int> silly_name;
};

Plan compile_plan(Scenario scenario, const ModelOptions& options);
// The same into *plan (compiled before, or empty), on its buffers.
void compile_plan(Plan* plan, Scenario scenario, const ModelOptions& options);
// The same, taking *scenario and leaving the plan's previous one in its
// place: buffers for the caller's next scenario.
void compile_plan(Plan* plan, Scenario* scenario, const ModelOptions& options);

}  // namespace dcfuzz::model
