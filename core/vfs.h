// The state of one execution: the global objects of the model kernel (the
// dentry and inode tables, the in-lookup hash, rename_lock, the wait_var
// table, the tasks) and the scenario's plan. Created in Program::before(),
// freed in Program::after().
#pragma once

#include "core/dcache.h"
#include "core/model.h"
#include "core/program.h"
#include "core/scenario.h"

namespace dcfuzz::model {

constexpr int kBuckets = 4;

// A scenario op with its path split into interned names.
struct PlanOp {
  OpKind kind = OpKind::lookup;
  std::vector<int> path;
  std::vector<int> path2;
  std::string text;    // "rename d/a e/b", for reports
  int tree_node = -1;  // fh_decode: the initial-tree node the handle names
};

// What a scenario compiles to, once, outside any execution.
struct Plan {
  Scenario scenario;
  Patches patches;
  ModelOptions options;
  std::vector<std::string> names;  // interned names; id = index
  std::vector<int> folded;         // id of the first case-insensitively equal name
  std::vector<int> tree_name;      // per initial tree node
  std::vector<std::vector<PlanOp>> threads;
};

struct Vfs {
  Host* host = nullptr;
  const Plan* plan = nullptr;
  Task tasks[kMaxTasks];
  int ntasks = 0;
  uint32_t block_clock = 0;
  uint32_t next_dentry = 0;
  uint32_t next_inode = 0;
  std::vector<dentry*> dentries;    // alive, in creation order
  std::vector<dentry*> dead;        // killed; freed "after RCU", in after()
  std::vector<inode*> inodes;       // all, freed in after()
  std::vector<inode*> tree_inodes;  // per initial tree node
  dentry* root = nullptr;
  spinlock_t in_lookup_hashtable[kBuckets];
  seqlock_t rename_lock;
  rw_semaphore s_vfs_rename_mutex;
  VarWaitTable var_waiters;
};

Vfs& vfs();
void set_vfs(Vfs* v);
const Patches& patches();
const char* name_str(int name);

// An event for the report's interleaving table and the fuzzer's coverage.
void trace(const char* function, const char* what, const ObjRef& object);

}  // namespace dcfuzz::model
