// A scenario in the model's own terms: kernel variant, filesystem, initial
// tree and thread programs. schedules/ builds it from a (normalised)
// protobuf Scenario; core/ never sees protobuf.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dcfuzz {

// Named variants: the DCFUZZ_VARIANT rows of core/patches.def.
enum class Kernel {
#define DCFUZZ_VARIANT(id, name, summary, switches) id,
#include "core/patches.def"
};
enum class FsKind { plain, nfs, case_insensitive };
enum class OpKind {
  lookup,
  create,
  unlink,
  mkdir,
  rename,
  open_create,
  fh_decode,
  open,       // 7: open(path) without O_CREAT
  readdir,    // 8: getdents (nfs readdir primes the dcache)
  open_held,  // 9: open, kept open to the end (nfs silly-rename)
  // rmdir, link, renameat2 with RENAME_EXCHANGE (10 is free)
  rmdir = 11,
  link = 12,
  rename_exchange = 13,
  // the nfs server's own changes (schedule.proto's numbers)
  server_rename = 14,
  server_unlink = 15,
};
// The ops with a second path (Op::path2).
inline bool op_takes_path2(OpKind op) {
  return op == OpKind::rename || op == OpKind::link || op == OpKind::rename_exchange ||
         op == OpKind::server_rename;
}
// The nfs server's own changes (no client system call).
inline bool op_is_server(OpKind op) {
  return op == OpKind::server_rename || op == OpKind::server_unlink;
}

// Patch switches: the DCFUZZ_PATCH rows of core/patches.def.
enum class Patch {
#define DCFUZZ_PATCH(id, name, needs, modelled, help) id,
#include "core/patches.def"
  none  // not a switch: "needs nothing"
};
constexpr int kPatchCount = int(Patch::none);
constexpr int kVariantCount = 0
#define DCFUZZ_VARIANT(id, name, summary, switches) +1
#include "core/patches.def"
    ;
constexpr int kComposedCount = 0
#define DCFUZZ_COMPOSED(name, base, summary, switches) +1
#include "core/patches.def"
    ;

// A set of switches, one bit per Patch.
using PatchSet = uint32_t;
constexpr PatchSet patch_bit(Patch p) { return PatchSet(1) << int(p); }
static_assert(kPatchCount <= 32, "PatchSet has 32 bits");

struct PatchInfo {
  const char* name;  // "2/7"
  Patch needs;       // Patch::none, or a switch that must be on with this one
  bool modelled;     // false: no model code yet, cannot be turned on
  const char* help;
};
struct VariantInfo {
  const char* name;     // "v4-fixed"
  const char* summary;  // "both fixes"
  PatchSet switches;
};
// A name for a longer composition (DCFUZZ_COMPOSED): `base` with exactly
// `switches` on; --kernel accepts it, a schedule records base and switches.
struct ComposedInfo {
  const char* name;     // "v4-all"
  Kernel base;          // v4
  const char* summary;  // "the whole series as posted, ..."
  PatchSet switches;
};
const PatchInfo& patch_info(Patch p);
const VariantInfo& variant_info(Kernel kernel);
const ComposedInfo& composed_info(int index);  // 0 .. kComposedCount-1

// What the model reads: the switches turned into the code paths they select
// (docs/model.md, "Kernel variants and patch switches").
struct Patches {
  bool wait_var_event = false;     // d_wait_lookup sleeps with wait_var_event (v4 2/7)
  bool move_wakes_dentry = false;  // bug: __d_move wakes `dentry`, not `target` (v4 2/7)
  bool add_ci_drops_lock = false;  // d_add_ci drops the parent lock around d_alloc* (v4 7/7)
  bool add_ci_early_return_unlocked = false;  // bug: 3 early returns skip re-locking (v4 7/7)
  bool lookup_shared = false;  // lookup_slow passes LOOKUP_SHARED to ->lookup (v4 6/7)
  bool splice_hashed = false;  // d_splice_alias / __d_add take hashed dentries (v4 3/7)
  bool lift = false;  // dirop lookups before the parent lock (the series' next step, "lift")
  bool alloc_noblock = false;  // nfs_prime_dcache uses d_alloc_noblock (v4 4/7)
  bool duplicate = false;      // nfs_rename copies a busy target with d_duplicate (v4 5/7)
};

Patches patches_for(PatchSet switches);
const char* kernel_name(Kernel kernel);  // "mainline", "v4", "v4-fixed", ...
const char* fs_name(FsKind fs);          // "plain", "nfs", "case-insensitive"
const char* op_name(OpKind op);          // "lookup", "create", ...

// The set with what a schedule cannot run removed: switches not modelled
// yet, and switches whose `needs` is off. Idempotent.
PatchSet fold_switches(PatchSet switches);

// A kernel as one string: the variant's name, then ",+SWITCH" for each switch
// on that its row has off and ",-SWITCH" for each the other way, in table
// order ("v4-fixed", "v4-fixed,-7/7"), then ",~SWITCH" for each of `free`.
// A composed name on the same variant stands in for the variant's when it
// needs fewer such items ("v4-all", "next,-lift"). parse_kernel() reads it
// back.
std::string kernel_spelling(Kernel variant, PatchSet switches, PatchSet free = 0);

// `p` turned off (with every switch that needs it), or on (with every
// switch it needs); the result is folded (fold_switches).
PatchSet toggle_switch(PatchSet switches, Patch p);

// Every switch the model has code for.
PatchSet modelled_switches();

// Parses "VARIANT[,+SWITCH|,-SWITCH|,~SWITCH]..." (VARIANT a variant or a
// composed name, which gives its base and its switches): the variant's row with the
// switches added or removed in turn. `~SWITCH` (only where `free` is given:
// a campaign) leaves the switch as the row has it and adds it to `free`, the
// switches the campaign's mutator may flip. False, with a one-line `error`,
// for an unknown variant or switch, an empty or unsigned item, a switch
// named twice, a switch not modelled yet turned on or freed, or a switch on
// or free whose `needs` is neither.
bool parse_kernel(const std::string& text, Kernel* variant, PatchSet* switches, PatchSet* free,
                  std::string* error);

struct TreeNode {
  int parent = -1;  // -1: the root; else an earlier index into Scenario::tree
  std::string name;
  bool dir = false;
  bool disconnected_alias = false;  // directories: a disconnected alias exists at start
};

struct Op {
  OpKind kind = OpKind::lookup;
  std::string path;   // "d/foo", relative to the root
  std::string path2;  // rename, rename_exchange, server_rename: new path; link: the new name
};

struct Scenario {
  Kernel kernel = Kernel::v4;  // the variant, for naming the kernel
  PatchSet switches = 0;       // the switches that run (schedules/ fills them in)
  FsKind fs = FsKind::plain;
  std::vector<TreeNode> tree;
  std::vector<std::vector<Op>> threads;  // T1..Tn
  bool preempt_rt = false;               // CONFIG_PREEMPT_RT
};

}  // namespace dcfuzz
