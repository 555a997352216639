// A scenario in the model's own terms: kernel variant, filesystem, initial
// tree and thread programs. schedules/ builds it from a (normalised)
// protobuf Scenario; core/ never sees protobuf.
#pragma once

#include <string>
#include <vector>

namespace dcfuzz {

enum class Kernel { mainline, v4, v4_fixed, v4_fix_move, v4_fix_add_ci };
enum class FsKind { plain, nfs, case_insensitive };
enum class OpKind { lookup, create, unlink, mkdir, rename, open_create, fh_decode };

// The switches that tell the variants apart (docs/model.md, "The patch
// series under test").
struct Patches {
  bool wait_var_event = false;      // d_wait_lookup sleeps with wait_var_event (v4 2/7)
  bool move_wakes_dentry = false;   // bug: __d_move wakes `dentry`, not `target` (v4 2/7)
  bool add_ci_drops_lock = false;   // d_add_ci drops the parent lock around d_alloc* (v4 7/7)
  bool add_ci_early_return_unlocked = false;  // bug: 3 early returns skip re-locking (v4 7/7)
  bool lookup_shared = false;       // LOOKUP_SHARED tells ->lookup how the parent is held (v4 6/7)
};

Patches patches_for(Kernel kernel);
const char* kernel_name(Kernel kernel);  // "mainline", "v4", "v4-fixed", ...
const char* fs_name(FsKind fs);          // "plain", "nfs", "case-insensitive"
const char* op_name(OpKind op);          // "lookup", "create", ...

struct TreeNode {
  int parent = -1;  // -1: the root; else an earlier index into Scenario::tree
  std::string name;
  bool dir = false;
  bool disconnected_alias = false;  // directories: a disconnected alias exists at start
};

struct Op {
  OpKind kind = OpKind::lookup;
  std::string path;   // "d/foo", relative to the root
  std::string path2;  // rename: new path
};

struct Scenario {
  Kernel kernel = Kernel::v4;
  FsKind fs = FsKind::plain;
  std::vector<TreeNode> tree;
  std::vector<std::vector<Op>> threads;  // T1..Tn
};

}  // namespace dcfuzz
