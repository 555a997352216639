// The sequential filesystem: what a scenario's operations return when they run
// one at a time, with nothing cached, on each of the model's filesystems
// (plain, nfs: the server's answers, case-insensitive: xfs ascii-ci). The
// result oracle (linearize.h) explains the model's concurrent results with
// it; tests/oracle_kernel_test.cc checks it against Linux itself.
//
// Pure C++, no Relacy: the model calls it at the end of an execution, and it
// is left out of the fuzzer's edge coverage.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/scenario.h"

namespace dcfuzz::oracle {

constexpr int kMaxThreads = 4;
constexpr int kMaxOps = 6;    // per thread
constexpr int kMaxTree = 8;   // initial tree nodes
constexpr int kMaxDepth = 8;  // components in a path

// Inodes have the same identity in the model and here: the root, the initial
// tree node that made it, or the operation that created it.
constexpr int kRootSlot = 0;
constexpr int kTreeSlot0 = 1;
constexpr int kOpSlot0 = kTreeSlot0 + kMaxTree;
constexpr int kSlots = kOpSlot0 + kMaxThreads * kMaxOps;
constexpr int kNoSlot = -1;
inline int op_slot(int thread, int op) { return kOpSlot0 + thread * kMaxOps + op; }

// What an operation returned: 0 or -errno, and for lookup (stat), open and
// open_create the inode it got (for open_create, created by itself or not;
// the sequential filesystem also names the inode a create made).
struct Result {
  int err = 0;
  int slot = kNoSlot;
  // A second error the kernel gives instead when what it has cached decides
  // (nfs: a link's new name, not looked up unless cached); 0: none.
  int alt = 0;
};

struct SeqOp {
  OpKind kind = OpKind::lookup;
  int n = 0, n2 = 0;  // components in path, path2
  int16_t path[kMaxDepth] = {};
  int16_t path2[kMaxDepth] = {};
  int tree_node = -1;           // fh_decode: the initial tree node the handle names
  char call[96] = {};           // `stat("d/foo")`, for reports
  const char* title_call = "";  // `stat(...)`: a title names the call, not its path (one bucket)
};

// One inode of the sequential filesystem: linked under `parent` as `name`
// (parent kNoSlot: not linked), `order` its position in the directory.
// A slot is a name and, unless `of` says otherwise, the inode it was made
// with: a link op's slot is a name of the inode of slot `of` (a hard link).
struct Slot {
  int8_t parent = kNoSlot;
  bool used = false;
  bool dir = false;
  int16_t name = 0;
  uint16_t order = 0;
  int8_t of = kNoSlot;  // link: the slot whose inode this name is
  // Removed on disk by an unlink or rmdir that has not yet dropped it from
  // the cache: a path walk (lookup_fast) still finds it, nothing done under
  // its parent's lock does (the remover holds that lock), and it counts for
  // no i_nlink; a rmdir'ed directory is dead already.
  bool dying = false;
  bool held = false;  // opened by an open_held op: open until the execution ends
};

struct State {
  Slot slot[kSlots];
  uint16_t clock = 0;
  bool operator==(const State& o) const;
};

// A scenario compiled for the sequential filesystem.
struct SeqPlan {
  bool usable = false;  // false: beyond the limits above (no oracle)
  FsKind fs = FsKind::plain;
  std::vector<std::string> names;  // interned; id = index
  std::vector<int16_t> folded;     // id of the first case-insensitively equal name
  std::vector<int> tree_slot;      // per initial tree node
  std::vector<int16_t> silly;      // nfs with open_held: silly_name(slot) interned, per slot
  std::vector<std::vector<SeqOp>> threads;
  State initial;
  // The slot's name for reports: "/", "/d/foo" as first linked, or "the inode T1 creat(\"d/x\")
  // created".
  std::string slot_name(int slot) const;
};

// Also makes this thread's search tables (linearize.h), so that no check
// allocates: inside an execution the heap is Relacy's.
SeqPlan compile(const Scenario& scenario);
// The same into *plan (compiled before, or empty), on its buffers.
void compile(const Scenario& scenario, SeqPlan* plan);

// Where an operation is: the kernel's path walk is not atomic, each
// component is looked up on its own (walk_components), then the operation
// itself runs under its parent's i_rwsem. `cur`: the inode the walk reached;
// `p1`: rename's first parent, link's old name.
struct Cursor {
  uint8_t phase = 0;
  uint8_t k = 0;  // components of the current path looked up
  int8_t cur = kRootSlot;
  int8_t p1 = kNoSlot;
};

// One atomic step of op (thread, index) from `cursor`: a component looked
// up, or the operation itself. True when the operation ended (*result set).
bool advance(const SeqPlan& plan, State* state, int thread, int index, Cursor* cursor,
             Result* result);
// Runs op (thread, index) on `state` to its end; returns its result.
Result apply(const SeqPlan& plan, State* state, int thread, int index);
// Renumbers directory order 1, 2, ... (keeping it): equal filesystems, equal states.
void canonicalize(State* state);

// Texts for reports, into buf (cut to size; no allocation). A slot's name:
// "/", "/d/foo" (where the initial tree has it), or "the inode T1
// creat(\"d/x\") created". A result: "0", "-ENOENT", "0 (/foo)", "created",
// "opened /foo".
void slot_name(const SeqPlan& plan, int slot, char* buf, size_t size);
void result_text(const SeqPlan& plan, const SeqOp& op, const Result& r, int self_slot, char* buf,
                 size_t size);
std::string result_text(const SeqPlan& plan, const SeqOp& op, const Result& r, int self_slot);
const char* errno_name(int err);  // "-ENOENT"; the number for others

// The path of a linked slot in `state` ("/d/foo"), or "" if not linked.
void path_in(const SeqPlan& plan, const State& state, int slot, char* buf, size_t size);
std::string path_in(const SeqPlan& plan, const State& state, int slot);

// nfs_sillyrename's name for the inode of `slot` (the kernel's is ".nfs",
// the fileid and a counter in hex; here the slot, so that model and
// sequential filesystem agree): ".nfs07".
std::string silly_name(int slot);

// Makes this thread's search tables once (compile() calls it).
void prepare_search();

}  // namespace dcfuzz::oracle
