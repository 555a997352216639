// compile_plan: names interned once, paths split, the ops' texts for reports.
#include "core/plan.h"

#include <algorithm>
#include <utility>

namespace dcfuzz::model {

namespace {

int intern(Plan& plan, const std::string& name) {
  for (size_t i = 0; i < plan.names.size(); ++i)
    if (plan.names[i] == name) return int(i);
  plan.names.push_back(name);
  return int(plan.names.size() - 1);
}

std::vector<int> split_path(Plan& plan, const std::string& path) {
  std::vector<int> out;
  size_t at = 0;
  while (at <= path.size()) {
    size_t slash = std::min(path.find('/', at), path.size());
    if (slash > at) out.push_back(intern(plan, path.substr(at, slash - at)));
    at = slash + 1;
  }
  return out;
}

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return s;
}

// Names of each initial tree node, from the root (empty for an invalid node).
std::vector<std::vector<int>> tree_paths(Plan& plan) {
  std::vector<std::vector<int>> paths;
  const std::vector<TreeNode>& tree = plan.scenario.tree;
  for (size_t i = 0; i < tree.size(); ++i) {
    int parent = tree[i].parent;
    bool valid_parent = parent < 0 || (size_t(parent) < i && tree[size_t(parent)].dir);
    std::vector<int> path =
        parent >= 0 && valid_parent ? paths[size_t(parent)] : std::vector<int>();
    path.push_back(plan.tree_name[i]);
    paths.push_back(path);
  }
  return paths;
}

PlanOp compile_op(Plan& plan, const Op& op, const std::vector<std::vector<int>>& paths) {
  PlanOp out;
  out.kind = op.kind;
  out.path = split_path(plan, op.path);
  out.path2 = split_path(plan, op.path2);
  out.text.reserve(32);
  out.text.append(op_name(op.kind)).append(" ").append(op.path);
  if (op_takes_path2(op.kind)) out.text.append(" ").append(op.path2);
  for (size_t i = 0; i < paths.size(); ++i)
    if (paths[i] == out.path && out.tree_node < 0) out.tree_node = int(i);
  return out;
}

}  // namespace

Plan compile_plan(Scenario scenario_in, const ModelOptions& options) {
  Plan plan;
  plan.scenario = std::move(scenario_in);
  const Scenario& scenario = plan.scenario;
  plan.options = options;
  plan.patches = patches_for(scenario.switches);
  intern(plan, "/");  // name 0: the root and anonymous dentries
  for (const TreeNode& node : scenario.tree) plan.tree_name.push_back(intern(plan, node.name));
  std::vector<std::vector<int>> paths = tree_paths(plan);
  for (const std::vector<Op>& ops : scenario.threads) {
    plan.threads.emplace_back();
    for (const Op& op : ops) plan.threads.back().push_back(compile_op(plan, op, paths));
  }
  if (plan.threads.empty()) plan.threads.emplace_back();
  bool held = false;
  for (const std::vector<Op>& ops : scenario.threads)
    for (const Op& op : ops) held = held || op.kind == OpKind::open_held;
  if (held && scenario.fs == FsKind::nfs) {
    for (int slot = 0; slot < oracle::kSlots; ++slot)
      plan.silly_name.push_back(intern(plan, oracle::silly_name(slot)));
  }
  // Each name lowered once: lowering inside the pairwise search (every
  // character compare is instrumented) was most of compile()'s time.
  std::vector<std::string> lowered;
  lowered.reserve(plan.names.size());
  for (const std::string& name : plan.names) lowered.push_back(lower(name));
  plan.folded.assign(plan.names.size(), 0);
  for (size_t i = 0; i < plan.names.size(); ++i) {
    size_t first = 0;
    while (lowered[first] != lowered[i]) ++first;
    plan.folded[i] = int(first);
  }
  if (options.oracles) plan.seq = oracle::compile(plan.scenario);
  return plan;
}

}  // namespace dcfuzz::model
