// compile_plan: names interned once, paths split, the ops' texts for reports.
#include "core/plan.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <utility>

namespace dcfuzz::model {

namespace {

// A campaign compiles a plan for most executions (a new scenario), so this
// file avoids temporaries: names are compared in place, vectors reserved,
// and a plan compiled again keeps its buffers.
int intern(Plan& plan, const char* name, size_t length) {
  for (size_t i = 0; i < plan.names.size(); ++i)
    if (plan.names[i].size() == length &&
        (length == 0 || (plan.names[i][length - 1] == name[length - 1] &&
                         std::memcmp(plan.names[i].data(), name, length) == 0)))
      return int(i);
  plan.names.emplace_back(name, length);
  return int(plan.names.size() - 1);
}

int intern(Plan& plan, const std::string& name) { return intern(plan, name.data(), name.size()); }

// Into *out, reusing its buffer.
void split_path(Plan& plan, const std::string& path, std::vector<int>* out) {
  out->clear();
  size_t at = 0;
  while (at <= path.size()) {
    size_t slash = std::min(path.find('/', at), path.size());
    if (slash > at) out->push_back(intern(plan, path.data() + at, slash - at));
    at = slash + 1;
  }
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }

// The first 8 characters, lowered, packed: names equal but for case have
// equal heads.
uint64_t lowered_head(const std::string& name) {
  uint64_t head = 0;
  for (size_t i = 0; i < name.size() && i < 8; ++i)
    head |= uint64_t(uint8_t(lower(name[i]))) << (8 * i);
  return head;
}

bool equal_but_case(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

// Names of each initial tree node, from the root (empty for an invalid node).
std::vector<std::vector<int>> tree_paths(Plan& plan) {
  std::vector<std::vector<int>> paths;
  const std::vector<TreeNode>& tree = plan.scenario.tree;
  paths.reserve(tree.size());
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

// Into *out, reusing its buffers.
void compile_op(Plan& plan, const Op& op, const std::vector<std::vector<int>>& paths, PlanOp* out) {
  out->kind = op.kind;
  split_path(plan, op.path, &out->path);
  split_path(plan, op.path2, &out->path2);
  const char* name = op_name(op.kind);
  const size_t name_length = std::strlen(name);
  out->text.clear();
  out->text.reserve(name_length + 2 + op.path.size() + op.path2.size());
  out->text.append(name, name_length).append(" ").append(op.path);
  if (op_takes_path2(op.kind)) out->text.append(" ").append(op.path2);
  out->tree_node = -1;
  for (size_t i = 0; i < paths.size(); ++i)
    if (paths[i] == out->path && out->tree_node < 0) out->tree_node = int(i);
}

}  // namespace

Plan compile_plan(Scenario scenario, const ModelOptions& options) {
  Plan plan;
  compile_plan(&plan, std::move(scenario), options);
  return plan;
}

void compile_plan(Plan* out, Scenario scenario_in, const ModelOptions& options) {
  compile_plan(out, &scenario_in, options);
}

void compile_plan(Plan* out, Scenario* scenario_in, const ModelOptions& options) {
  Plan& plan = *out;
  std::swap(plan.scenario, *scenario_in);
  const Scenario& scenario = plan.scenario;
  plan.options = options;
  plan.patches = patches_for(scenario.switches);
  plan.names.clear();
  plan.folded.clear();
  plan.tree_name.clear();
  plan.silly_name.clear();
  plan.names.reserve(16);
  intern(plan, "/");  // name 0: the root and anonymous dentries
  plan.tree_name.reserve(scenario.tree.size());
  for (const TreeNode& node : scenario.tree) plan.tree_name.push_back(intern(plan, node.name));
  std::vector<std::vector<int>> paths = tree_paths(plan);
  // At least one thread (an empty one for a scenario without threads).
  plan.threads.resize(std::max<size_t>(scenario.threads.size(), 1));
  for (size_t t = 0; t < plan.threads.size(); ++t) {
    const size_t count = t < scenario.threads.size() ? scenario.threads[t].size() : 0;
    std::vector<PlanOp>& ops = plan.threads[t];
    ops.resize(count);
    for (size_t k = 0; k < count; ++k) compile_op(plan, scenario.threads[t][k], paths, &ops[k]);
  }
  bool held = false;
  for (const std::vector<Op>& ops : scenario.threads)
    for (const Op& op : ops) held = held || op.kind == OpKind::open_held;
  if (held && scenario.fs == FsKind::nfs) {
    plan.names.reserve(plan.names.size() + oracle::kSlots);
    for (int slot = 0; slot < oracle::kSlots; ++slot)
      plan.silly_name.push_back(intern(plan, oracle::silly_name(slot)));
  }
  // Only the first of each spelling needs comparing (the others fold to it),
  // and its lowered head first (nfs's 33 silly names share theirs but one digit).
  std::vector<uint64_t> heads;
  heads.reserve(plan.names.size());
  for (const std::string& name : plan.names) heads.push_back(lowered_head(name));
  plan.folded.assign(plan.names.size(), 0);
  for (size_t i = 0; i < plan.names.size(); ++i) {
    size_t first = 0;
    while (first < i && (size_t(plan.folded[first]) != first || heads[first] != heads[i] ||
                         !equal_but_case(plan.names[first], plan.names[i])))
      ++first;
    plan.folded[i] = int(first);
  }
  if (options.oracles) {
    oracle::compile(plan.scenario, &plan.seq);
  } else {
    plan.seq = oracle::SeqPlan();
  }
}

}  // namespace dcfuzz::model
