// make_dcache_program: a Scenario compiled into a Plan (core/plan.h), run as a
// Program.
// before() builds the kernel state (root, the on-disk tree, disconnected
// aliases), thread(i) runs T(i+1)'s ops and records their results,
// invariant() checks the in-lookup rules and the dcache against the disk,
// after() checks for leaked references, the dcache and the results, and
// frees everything.
#include "core/model.h"

#include <utility>

#include "core/bug.h"
#include "core/coherence.h"
#include "core/fs.h"
#include "core/kernel_state.h"
#include "core/namei.h"
#include "core/plan.h"

namespace dcfuzz {
namespace model {
namespace {

void init_globals(KernelState* v) {
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

// The root, the initial tree on disk, and its disconnected aliases: each as
// d_obtain_alias leaves it, held by a task outside the scenario for the
// whole run (a decoder of a file handle, before its reconnect_path).
void build_tree(KernelState* v, const Plan& plan) {
  inode* root_inode = new_inode(nullptr, 0, true);
  root_inode->slot = oracle::kRootSlot;
  v->root = dentry_create(0);
  d_set_inode(v->root, root_inode);
  const std::vector<TreeNode>& tree = plan.scenario.tree;
  for (size_t i = 0; i < tree.size(); ++i) {
    int parent = tree[i].parent;
    bool valid_parent = parent >= 0 && size_t(parent) < i && tree[size_t(parent)].dir;
    inode* dir = valid_parent ? v->tree_inodes[size_t(parent)] : root_inode;
    DirEntry* existing = disk_find(dir, plan.tree_name[i]);
    inode* in = existing ? existing->inode : new_inode(dir, plan.tree_name[i], tree[i].dir);
    if (!existing && i < size_t(oracle::kMaxTree)) in->slot = oracle::kTreeSlot0 + int(i);
    v->tree_inodes.push_back(in);
    if (existing || !in->dir || !tree[i].disconnected_alias) continue;
    dentry* alias = dentry_create(0);
    alias->d_flags = DCACHE_DISCONNECTED;
    d_set_inode(alias, in);
    v->held_outside.push_back(alias);
  }
}

// Once every task finished, a dentry's references are its children's (and
// the mount's, for the root).
void check_no_references_left() {
  for (const dentry* d : kstate().dentries) {
    const std::vector<dentry*>& outside = kstate().held_outside;
    int expected = d == kstate().root ? 1 : 0;
    expected += int(std::count(outside.begin(), outside.end(), d));
    for (const dentry* child : kstate().dentries)
      if (child->d_parent == d && child != d) ++expected;
    if (d->d_count != expected) invariant_violation("reference leaked at exit", d, "after");
  }
}

// The result oracle's record of op k of thread t.
void record(int t, int k, uint32_t begin, int err, const inode* got) {
  if (t >= oracle::kMaxThreads || k >= oracle::kMaxOps) return;
  oracle::OpRecord& r = kstate().history.op[t][k];
  r.ran = true;
  r.begin = begin;
  r.end = kstate().host->step();
  r.result = oracle::Result{err, err == 0 && got ? got->slot : oracle::kNoSlot};
}

class DcacheProgram final : public Program {
 public:
  DcacheProgram(Scenario scenario, const ModelOptions& options)
      : plan_(compile_plan(std::move(scenario), options)) {}

  // Compiles another scenario into this program, on the old plan's buffers;
  // the old scenario goes to *scenario.
  void remake(Scenario* scenario, const ModelOptions& options) {
    compile_plan(&plan_, scenario, options);
  }

  int thread_count() const override { return int(plan_.threads.size()); }

  void before(Host& host) override {
    KernelState* v = new KernelState;
    set_kstate(v);
    v->host = &host;
    v->plan = &plan_;
    v->ntasks = thread_count();
    init_globals(v);
    build_tree(v, plan_);
    size_t ops = 0;
    for (const std::vector<Op>& t : plan_.scenario.threads) ops += t.size();
    // One per op at most; reserved, so that no buffer is freed (Relacy draws a
    // choice at each free: the choices' numbering stays as it was).
    v->inode_pool.reserve(ops);
    for (size_t i = 0; i < ops; ++i) v->inode_pool.push_back(new inode);
    v->tree_built = true;
  }

  void thread(int index) override {
    Task& task = kstate().tasks[index];
    const std::vector<PlanOp>& ops = plan_.threads[size_t(index)];
    for (size_t k = 0; k < ops.size(); ++k) {
      task.op = int(k);
      task.op_begin = kstate().host->step();
      ObjRef op = nref(Obj::op, uint32_t(index) * 16 + uint32_t(k));
      const char* name = op_name(ops[k].kind);
      trace(EventKind::other, "begin", op, name);
      const uint32_t begin = kstate().host->step();
      inode* got = nullptr;
      int err = sys_op(ops[k], &got);
      record(index, int(k), begin, err, got);
      trace(EventKind::other, err ? "error" : "end", op, name);
    }
    task_exit();
  }

  void invariant() override {
    check_invariants();
    check_coherence(false);
  }

  void after() override {
    check_no_references_left();
    check_coherence(true);
    check_results();
    KernelState* v = &kstate();
    for (dentry* d : v->dentries) delete d;
    for (dentry* d : v->dead) delete d;
    for (inode* in : v->inodes) delete in;
    for (inode* in : v->inode_pool) delete in;
    delete v;
    set_kstate(nullptr);
  }

 private:
  Plan plan_;
};

}  // namespace
}  // namespace model

std::unique_ptr<Program> make_dcache_program(Scenario scenario, const ModelOptions& options) {
  return std::make_unique<model::DcacheProgram>(std::move(scenario), options);
}

void remake_dcache_program(Program& program, Scenario scenario, const ModelOptions& options) {
  remake_dcache_program(program, &scenario, options);
}

void remake_dcache_program(Program& program, Scenario* scenario, const ModelOptions& options) {
  static_cast<model::DcacheProgram&>(program).remake(scenario, options);
}

}  // namespace dcfuzz
