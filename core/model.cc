// make_dcache_program: a Scenario compiled into a Plan, run as a Program.
// before() builds the kernel state (root, the on-disk tree, disconnected
// aliases), thread(i) runs T(i+1)'s ops, after() checks for leaked
// references and frees everything.
#include "core/model.h"

#include <utility>

#include "core/detectors.h"
#include "core/fs.h"
#include "core/namei.h"
#include "core/vfs.h"

namespace dcfuzz {
namespace model {
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
  if (op.kind == OpKind::rename) out.text.append(" ").append(op.path2);
  for (size_t i = 0; i < paths.size(); ++i)
    if (paths[i] == out.path && out.tree_node < 0) out.tree_node = int(i);
  return out;
}

Plan compile(Scenario scenario_in, const ModelOptions& options) {
  Plan plan;
  plan.scenario = std::move(scenario_in);
  const Scenario& scenario = plan.scenario;
  plan.options = options;
  plan.patches = patches_for(scenario.kernel);
  intern(plan, "/");  // name 0: the root and anonymous dentries
  for (const TreeNode& node : scenario.tree) plan.tree_name.push_back(intern(plan, node.name));
  std::vector<std::vector<int>> paths = tree_paths(plan);
  for (const std::vector<Op>& ops : scenario.threads) {
    plan.threads.emplace_back();
    for (const Op& op : ops) plan.threads.back().push_back(compile_op(plan, op, paths));
  }
  if (plan.threads.empty()) plan.threads.emplace_back();
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
  return plan;
}

void init_globals(Vfs* v) {
  for (int i = 0; i < kBuckets; ++i)
    v->in_lookup_hashtable[i].meta = LockMeta{nref(Obj::bucket, uint32_t(i)), LockRank::bucket};
  v->rename_lock.lock.meta = LockMeta{nref(Obj::rename_lock, 0), LockRank::rename_lock};
  v->rename_lock.seqcount.ref = nref(Obj::rename_lock, 0);
  v->s_vfs_rename_mutex.meta = LockMeta{nref(Obj::rename_mutex, 0), LockRank::rename_mutex};
  for (int i = 0; i < kMaxTasks; ++i) v->tasks[i].index = i;
  v->dentries.reserve(64);
  v->dead.reserve(64);
  v->inodes.reserve(64);
}

// The root, the initial tree on disk, and its disconnected aliases (count 0,
// on sb->s_roots, as if a file handle had been decoded before the run).
void build_tree(Vfs* v, const Plan& plan) {
  inode* root_inode = new_inode(nullptr, 0, true);
  v->root = dentry_create(0);
  d_set_inode(v->root, root_inode);
  const std::vector<TreeNode>& tree = plan.scenario.tree;
  for (size_t i = 0; i < tree.size(); ++i) {
    int parent = tree[i].parent;
    bool valid_parent = parent >= 0 && size_t(parent) < i && tree[size_t(parent)].dir;
    inode* dir = valid_parent ? v->tree_inodes[size_t(parent)] : root_inode;
    DirEntry* existing = disk_find(dir, plan.tree_name[i]);
    inode* in = existing ? existing->inode : new_inode(dir, plan.tree_name[i], tree[i].dir);
    v->tree_inodes.push_back(in);
    if (existing || !in->dir || !tree[i].disconnected_alias) continue;
    dentry* alias = dentry_create(0);
    alias->d_flags = DCACHE_DISCONNECTED;
    d_set_inode(alias, in);
    alias->d_hashed = true;
    alias->d_count = 0;
  }
}

// Once every task finished, a dentry's references are its children's (and
// the mount's, for the root).
void check_no_references_left() {
  for (const dentry* d : vfs().dentries) {
    int expected = d == vfs().root ? 1 : 0;
    for (const dentry* child : vfs().dentries)
      if (child->d_parent == d && child != d) ++expected;
    if (d->d_count != expected) invariant_violation("reference leaked at exit", d, "after");
  }
}

class DcacheProgram final : public Program {
 public:
  DcacheProgram(Scenario scenario, const ModelOptions& options)
      : plan_(compile(std::move(scenario), options)) {}

  int thread_count() const override { return int(plan_.threads.size()); }

  void before(Host& host) override {
    Vfs* v = new Vfs;
    set_vfs(v);
    v->host = &host;
    v->plan = &plan_;
    v->ntasks = thread_count();
    init_globals(v);
    build_tree(v, plan_);
  }

  void thread(int index) override {
    Task& task = vfs().tasks[index];
    const std::vector<PlanOp>& ops = plan_.threads[size_t(index)];
    for (size_t k = 0; k < ops.size(); ++k) {
      task.op = int(k);
      ObjRef op = nref(Obj::op, uint32_t(index) * 16 + uint32_t(k));
      const char* name = op_name(ops[k].kind);
      trace(name, "begin", op);
      int err = sys_op(ops[k]);
      trace(name, err ? "error" : "end", op);
    }
    task_exit();
  }

  void invariant() override { check_invariants(); }

  void after() override {
    check_no_references_left();
    Vfs* v = &vfs();
    for (dentry* d : v->dentries) delete d;
    for (dentry* d : v->dead) delete d;
    for (inode* in : v->inodes) delete in;
    delete v;
    set_vfs(nullptr);
  }

 private:
  Plan plan_;
};

}  // namespace
}  // namespace model

std::unique_ptr<Program> make_dcache_program(Scenario scenario, const ModelOptions& options) {
  return std::make_unique<model::DcacheProgram>(std::move(scenario), options);
}

}  // namespace dcfuzz
