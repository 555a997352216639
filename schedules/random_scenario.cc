#include "schedules/random_scenario.h"

#include <string>
#include <vector>

#include "schedules/model_enums.h"
#include "schedules/normalize.h"
#include "schedules/rng.h"

namespace dcfuzz {
namespace {

// Few names, so that operations meet; "A" and "D" collide with "a" and "d"
// on a case-insensitive filesystem.
const char* const kNames[] = {"a", "b", "A", "d", "D", "e"};

struct Generator {
  explicit Generator(uint64_t seed) : rng(seed) {}

  Rng rng;
  bool nfs = false;
  std::vector<std::string> node_paths;  // path of each tree node
  std::vector<bool> node_dir;

  bool chance(uint32_t percent) { return rng.below(100) < percent; }
  std::string name() { return kNames[rng.below(sizeof kNames / sizeof kNames[0])]; }

  void add_tree(pb::Scenario* scenario) {
    const int nodes = 1 + int(rng.below(5));
    for (int i = 0; i < nodes; ++i) {
      pb::Node* node = scenario->add_tree();
      std::vector<int> dirs;
      for (int k = 0; k < i; ++k)
        if (node_dir[size_t(k)]) dirs.push_back(k);
      int parent = dirs.empty() || chance(50) ? -1 : dirs[rng.below(uint32_t(dirs.size()))];
      node->set_parent(uint32_t(parent + 1));
      node->set_name(name());
      node->set_dir(chance(55));
      node->set_disconnected_alias(node->dir() && chance(35));
      node_paths.push_back((parent < 0 ? "" : node_paths[size_t(parent)] + "/") + node->name());
      node_dir.push_back(node->dir());
    }
  }

  // Mostly paths of the tree (or names beside them), sometimes new ones.
  std::string path() {
    if (node_paths.empty() || chance(20)) return chance(70) ? name() : name() + "/" + name();
    size_t k = rng.below(uint32_t(node_paths.size()));
    if (node_dir[k] && chance(30)) return node_paths[k] + "/" + name();
    return node_paths[k];
  }

  pb::OpKind op_kind() {
    static const pb::OpKind kWeighted[] = {
        pb::LOOKUP, pb::LOOKUP, pb::LOOKUP, pb::LOOKUP, pb::CREATE, pb::CREATE, pb::UNLINK,
        pb::MKDIR, pb::RENAME, pb::RENAME, pb::OPEN_CREATE, pb::FH_DECODE, pb::FH_DECODE,
        // open(path) without O_CREAT; getdents; open kept open
        pb::OPEN, pb::OPEN, pb::READDIR, pb::OPEN_HELD};
    // rmdir, link and renameat2(RENAME_EXCHANGE): one draw in five is one of them
    static const pb::OpKind kMore[] = {pb::RMDIR, pb::RMDIR, pb::LINK, pb::RENAMEAT2_EXCHANGE};
    if (rng.below(5) == 0) return kMore[rng.below(sizeof kMore / sizeof kMore[0])];
    return kWeighted[rng.below(sizeof kWeighted / sizeof kWeighted[0])];
  }

  void add_threads(pb::Scenario* scenario) {
    const int threads = chance(15) ? 4 : 2 + int(rng.below(2));
    for (int t = 0; t < threads; ++t) {
      pb::Thread* thread = scenario->add_threads();
      const int ops = 1 + int(rng.below(3));
      for (int k = 0; k < ops; ++k) {
        pb::Op* op = thread->add_ops();
        op->set_op(op_kind());
        // On nfs, now and then the server changes a name behind the client.
        if (nfs && chance(15)) op->set_op(chance(60) ? pb::SERVER_RENAME : pb::SERVER_UNLINK);
        op->set_path(path());
        if (takes_path2(op->op())) op->set_path2(path());
      }
    }
  }
};

}  // namespace

pb::Schedule random_schedule(uint64_t seed) {
  pb::Schedule schedule;
  random_schedule(seed, &schedule);
  return schedule;
}

void random_schedule(uint64_t seed, pb::Schedule* out) {
  Generator gen(seed);
  out->Clear();
  pb::Scenario* scenario = out->mutable_scenario();
  scenario->set_kernel(pb::Kernel(gen.rng.below(kKernels)));
  scenario->set_fs(pb::Filesystem(gen.rng.below(kFilesystems)));
  gen.nfs = scenario->fs() == pb::NFS;
  gen.add_tree(scenario);
  gen.add_threads(scenario);
  // One time in four, one modelled switch the other way from the variant's
  // row (drawn last, so the rest of the scenario is as the seed always gave).
  if (gen.rng.below(4) == 0) {
    std::vector<Patch> modelled;
    for (int i = 0; i < kPatchCount; ++i) {
      if (patch_info(Patch(i)).modelled) modelled.push_back(Patch(i));
    }
    const Patch p = modelled[gen.rng.below(uint32_t(modelled.size()))];
    set_kernel(scenario, scenario->kernel(), toggle_switch(switches_of(*scenario), p));
  }
  normalize(out);
}

}  // namespace dcfuzz
