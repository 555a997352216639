// The mutations, one function each, and their table (fuzz/mutations.h).
#include "fuzz/mutations.h"

#include <algorithm>
#include <string>
#include <vector>

#include "schedules/model_enums.h"
#include "schedules/normalize.h"
#include "schedules/random_scenario.h"

namespace dcfuzz {
namespace {

// Few names, so that threads and the tree collide; case variants come on top.
constexpr const char* kAlphabet[] = {"a", "b", "d", "foo", "bar"};

// ---- What the mutations pick from ----------------------------------------

std::string case_variant(std::string name, uint32_t which) {
  for (size_t i = 0; i < name.size(); ++i) {
    char& c = name[i];
    bool upper = which == 2 || (which == 1 && i == 0);
    if (upper && c >= 'a' && c <= 'z') c = char(c - 'a' + 'A');
    if (!upper && c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  }
  return name;
}

// The path of tree node `index` (0-based), from the root.
std::string node_path(const pb::Scenario& scenario, int index) {
  std::string path = scenario.tree(index).name();
  // Parents come earlier (normalize() drops the rest); stop at anything else.
  for (int p = int(scenario.tree(index).parent()); p > 0 && p - 1 < index;
       index = p - 1, p = int(scenario.tree(index).parent())) {
    path = scenario.tree(p - 1).name() + "/" + path;
  }
  return path;
}

template <typename Field>
void erase_at(Field* field, int index) {
  field->erase(field->begin() + index);
}

// Half the time a name already in the scenario (a collision), else one of the
// alphabet; a third of the time in another case.
std::string pick_name(Chance& chance, const pb::Scenario& scenario) {
  std::vector<std::string> seen;
  for (const auto& node : scenario.tree()) seen.push_back(node.name());
  for (const auto& thread : scenario.threads()) {
    for (const auto& op : thread.ops()) {
      const std::string& path = op.path();
      seen.push_back(path.substr(path.rfind('/') + 1));
    }
  }
  std::string name = !seen.empty() && chance.coin(2)
                         ? seen[chance.below(uint32_t(seen.size()))]
                         : kAlphabet[chance.below(std::size(kAlphabet))];
  return chance.coin(3) ? case_variant(name, chance.below(3)) : name;
}

// A name in a directory of the tree (the root or a directory node).
std::string pick_path(Chance& chance, const pb::Scenario& scenario) {
  std::vector<int> dirs = {-1};
  for (int i = 0; i < scenario.tree_size(); ++i) {
    if (scenario.tree(i).dir()) dirs.push_back(i);
  }
  int dir = dirs[chance.below(uint32_t(dirs.size()))];
  std::vector<int> children;
  for (int i = 0; i < scenario.tree_size(); ++i) {
    if (int(scenario.tree(i).parent()) == dir + 1) children.push_back(i);
  }
  std::string prefix = dir < 0 ? "" : node_path(scenario, dir) + "/";
  if (!children.empty() && chance.coin(2)) {
    std::string name = scenario.tree(children[chance.below(uint32_t(children.size()))]).name();
    return prefix + (chance.coin(3) ? case_variant(name, chance.below(3)) : name);
  }
  return prefix + pick_name(chance, scenario);
}

pb::Op random_op(Chance& chance, const pb::Scenario& scenario) {
  pb::Op op;
  op.set_op(op_kind_at(chance.below(kOpKinds)));
  op.set_path(pick_path(chance, scenario));
  if (takes_path2(op.op())) op.set_path2(pick_path(chance, scenario));
  return op;
}

// A name to rewrite: a tree node's, or the last component of an op's path.
std::string* pick_name_site(Chance& chance, pb::Scenario* scenario) {
  std::vector<std::string*> sites;
  for (auto& node : *scenario->mutable_tree()) sites.push_back(node.mutable_name());
  for (auto& thread : *scenario->mutable_threads()) {
    for (auto& op : *thread.mutable_ops()) {
      sites.push_back(op.mutable_path());
      if (takes_path2(op.op())) sites.push_back(op.mutable_path2());
    }
  }
  return sites.empty() ? nullptr : sites[chance.below(uint32_t(sites.size()))];
}

// ---- The interleaving: preemptions, faults, engine choices ----------------

bool add_preemption(Chance& chance, pb::Schedule* s, uint32_t steps) {
  if (s->preemptions_size() >= Limits::kPreemptions) return false;
  pb::Preemption p;
  if (s->preemptions_size() > 0 && chance.coin(3)) {  // near another one: a second switch nearby
    const auto& near = s->preemptions(int(chance.below(uint32_t(s->preemptions_size()))));
    p.set_step(near.step() + 1 + chance.below(8));
  } else {
    p.set_step(chance.below(std::max(steps, 1u) + 1));
  }
  p.set_thread(1 + chance.below(uint32_t(s->scenario().threads_size())));
  *s->add_preemptions() = p;
  return true;
}

bool move_preemption(Chance& chance, pb::Schedule* s, uint32_t) {
  if (s->preemptions_size() == 0) return false;
  auto* p = s->mutable_preemptions(int(chance.below(uint32_t(s->preemptions_size()))));
  uint32_t old = p->step();
  if (chance.coin(2)) {
    uint32_t delta = 1 + chance.below(16);
    p->set_step(chance.coin(2) ? old + delta : (old > delta ? old - delta : 0));
  } else {
    p->set_step(chance.mutate_scalar(old) % 4096);
  }
  if (p->step() == old) p->set_step(old + 1);
  return true;
}

bool drop_preemption(Chance& chance, pb::Schedule* s, uint32_t) {
  if (s->preemptions_size() == 0) return false;
  erase_at(s->mutable_preemptions(), int(chance.below(uint32_t(s->preemptions_size()))));
  return true;
}

bool retarget_preemption(Chance& chance, pb::Schedule* s, uint32_t) {
  if (s->preemptions_size() == 0 || s->scenario().threads_size() < 2) return false;
  auto* p = s->mutable_preemptions(int(chance.below(uint32_t(s->preemptions_size()))));
  const uint32_t n = uint32_t(s->scenario().threads_size());
  p->set_thread((p->thread() + chance.below(n - 1)) % n + 1);  // another thread, 1-based
  return true;
}

// What a random walk does, as one mutation: the old preemptions go, and each
// step of the execution gets one with probability 1/10. Shallow races are
// found this way in a few executions when the scenario is right.
bool scatter_preemptions(Chance& chance, pb::Schedule* s, uint32_t steps) {
  const uint32_t threads = uint32_t(s->scenario().threads_size());
  if (threads < 2) return false;
  s->clear_preemptions();
  for (uint32_t step = 0; step < std::max(steps, 1u); ++step) {
    if (!chance.coin(10)) continue;
    if (s->preemptions_size() >= Limits::kPreemptions) break;
    auto* p = s->add_preemptions();
    p->set_step(step);
    p->set_thread(1 + chance.below(threads));
  }
  return true;
}

// One of the allocations the input's execution reached, as a fault of its
// thread; false if it reached none (or they are unknown).
bool reached_fault(Chance& chance, const pb::Schedule& s, pb::Fault* out) {
  uint32_t total = 0;
  const int threads = std::min(s.scenario().threads_size(), int(Limits::kThreads));
  for (int t = 0; t < threads; ++t) total += chance.reached.allocs[t];
  if (total == 0) return false;
  uint32_t pick = chance.below(total);
  for (int t = 0; t < threads; ++t) {
    if (pick < chance.reached.allocs[t]) {
      out->set_thread(uint32_t(t + 1));
      out->set_nth(pick + 1);
      return true;
    }
    pick -= chance.reached.allocs[t];
  }
  return false;
}

// Three times in four a fault at an allocation the input's execution reached
// (half of those times in place of the faults it had: most fault bugs need
// one fault, at the right allocation); else one of thread 0..n at nth 1..4,
// reached or not.
bool add_fault(Chance& chance, pb::Schedule* s, uint32_t) {
  if (s->faults_size() >= Limits::kFaults) return false;
  pb::Fault reached;
  if (!chance.coin(4) && reached_fault(chance, *s, &reached)) {
    if (chance.coin(2)) s->clear_faults();
    *s->add_faults() = reached;
    return true;
  }
  auto* f = s->add_faults();
  f->set_thread(chance.below(uint32_t(s->scenario().threads_size()) + 1));
  f->set_nth(1 + chance.below(4));
  return true;
}

bool drop_fault(Chance& chance, pb::Schedule* s, uint32_t) {
  if (s->faults_size() == 0) return false;
  erase_at(s->mutable_faults(), int(chance.below(uint32_t(s->faults_size()))));
  return true;
}

bool change_fault(Chance& chance, pb::Schedule* s, uint32_t) {
  if (s->faults_size() == 0) return false;
  auto* f = s->mutable_faults(int(chance.below(uint32_t(s->faults_size()))));
  const pb::Fault old = *f;
  if (chance.coin(2)) {
    f->set_thread(chance.below(uint32_t(s->scenario().threads_size()) + 1));
  } else {
    f->set_nth(1 + chance.mutate_scalar(f->nth()) % 64);
  }
  if (f->thread() == old.thread() && f->nth() == old.nth()) f->set_nth(old.nth() + 1);
  return true;
}

// Engine random choices: add one (three times in four at a random call the
// input's execution made, when it made any), change a value, or drop one.
bool change_choice(Chance& chance, pb::Schedule* s, uint32_t steps) {
  if (s->choices_size() > 0 && chance.coin(2)) {
    int i = int(chance.below(uint32_t(s->choices_size())));
    if (chance.coin(3)) {
      erase_at(s->mutable_choices(), i);
    } else {
      auto* c = s->mutable_choices(i);
      uint32_t old = c->value();
      c->set_value(chance.mutate_scalar(old));
      if (c->value() == old) c->set_value(old + 1);
    }
    return true;
  }
  if (s->choices_size() >= Limits::kChoices) return false;
  auto* c = s->add_choices();
  const bool reached = chance.reached.random_calls > 0 && !chance.coin(4);
  c->set_call(chance.below(reached ? chance.reached.random_calls : std::max(steps, 1u)));
  c->set_value(1 + chance.below(3));
  return true;
}

// ---- The scenario: operations, names, threads, the tree, the filesystem ---

bool change_op(Chance& chance, pb::Scenario* scenario) {
  std::vector<pb::Op*> ops;
  for (auto& thread : *scenario->mutable_threads()) {
    for (auto& op : *thread.mutable_ops()) ops.push_back(&op);
  }
  if (ops.empty()) return false;
  pb::Op* op = ops[chance.below(uint32_t(ops.size()))];
  op->set_op(op_kind_at(op_kind_index(op->op()) + 1 + chance.below(kOpKinds - 1)));
  if (takes_path2(op->op()) && op->path2().empty()) op->set_path2(pick_path(chance, *scenario));
  return true;
}

bool change_name(Chance& chance, pb::Scenario* scenario) {
  const pb::Scenario before = *scenario;
  std::string* site = pick_name_site(chance, scenario);
  if (!site) return false;
  size_t slash = site->rfind('/');
  std::string prefix = slash == std::string::npos ? "" : site->substr(0, slash + 1);
  std::string old = *site;
  for (int attempt = 0; attempt < 8 && *site == old; ++attempt) {
    *site = prefix + pick_name(chance, before);
  }
  return *site != old;
}

bool add_op(Chance& chance, pb::Scenario* scenario) {
  auto* thread = scenario->mutable_threads(int(chance.below(uint32_t(scenario->threads_size()))));
  if (thread->ops_size() >= Limits::kOpsPerThread) return false;
  pb::Op op = random_op(chance, *scenario);
  *thread->add_ops() = op;
  // Move it to a random position.
  for (int i = thread->ops_size() - 1, at = int(chance.below(uint32_t(i + 1))); i > at; --i) {
    thread->mutable_ops()->SwapElements(i, i - 1);
  }
  return true;
}

bool drop_op(Chance& chance, pb::Scenario* scenario) {
  auto* thread = scenario->mutable_threads(int(chance.below(uint32_t(scenario->threads_size()))));
  if (thread->ops_size() == 0) return false;
  erase_at(thread->mutable_ops(), int(chance.below(uint32_t(thread->ops_size()))));
  return true;
}

// A copy of another thread (same names: a race on them) or one or two new ops.
bool add_thread(Chance& chance, pb::Scenario* scenario) {
  if (scenario->threads_size() >= Limits::kThreads) return false;
  pb::Thread thread;
  if (chance.coin(2)) {
    thread = scenario->threads(int(chance.below(uint32_t(scenario->threads_size()))));
  }
  if (thread.ops_size() == 0 || chance.coin(3)) {
    for (uint32_t n = 1 + chance.below(2); n > 0; --n) {
      *thread.add_ops() = random_op(chance, *scenario);
    }
  }
  *scenario->add_threads() = thread;
  return true;
}

bool drop_thread(Chance& chance, pb::Scenario* scenario) {
  if (scenario->threads_size() <= 1) return false;
  erase_at(scenario->mutable_threads(), int(chance.below(uint32_t(scenario->threads_size()))));
  return true;
}

bool add_node(Chance& chance, pb::Scenario* scenario) {
  if (scenario->tree_size() >= Limits::kTreeNodes) return false;
  std::vector<uint32_t> parents = {0};
  for (int i = 0; i < scenario->tree_size(); ++i) {
    if (scenario->tree(i).dir()) parents.push_back(uint32_t(i + 1));
  }
  pb::Node node;
  node.set_parent(parents[chance.below(uint32_t(parents.size()))]);
  node.set_name(pick_name(chance, *scenario));
  node.set_dir(chance.coin(2));
  node.set_disconnected_alias(node.dir() && chance.coin(3));
  *scenario->add_tree() = node;
  return true;
}

// Children of the dropped node move up to its parent.
bool drop_node(Chance& chance, pb::Scenario* scenario) {
  if (scenario->tree_size() == 0) return false;
  int index = int(chance.below(uint32_t(scenario->tree_size())));
  uint32_t grandparent = scenario->tree(index).parent();
  for (int j = index + 1; j < scenario->tree_size(); ++j) {
    auto* node = scenario->mutable_tree(j);
    if (node->parent() == uint32_t(index + 1)) {
      node->set_parent(grandparent);
    } else if (node->parent() > uint32_t(index + 1)) {
      node->set_parent(node->parent() - 1);
    }
  }
  erase_at(scenario->mutable_tree(), index);
  return true;
}

bool change_node(Chance& chance, pb::Scenario* scenario) {
  if (scenario->tree_size() == 0) return false;
  const pb::Scenario before = *scenario;
  const int index = int(chance.below(uint32_t(scenario->tree_size())));
  auto* node = scenario->mutable_tree(index);
  switch (chance.below(4)) {
    case 0:
      node->set_dir(!node->dir());
      break;
    case 1:  // an alias needs a directory
      node->set_disconnected_alias(!node->disconnected_alias());
      if (node->disconnected_alias()) node->set_dir(true);
      break;
    case 2:
      node->set_name(pick_name(chance, before));
      break;
    default:  // the root or an earlier node
      node->set_parent(chance.below(uint32_t(index) + 1));
      break;
  }
  return true;
}

bool change_fs(Chance& chance, pb::Scenario* scenario) {
  scenario->set_fs(
      pb::Filesystem((scenario->fs() + 1 + chance.below(kFilesystems - 1)) % kFilesystems));
  return true;
}

constexpr uint32_t kRandomWalkChoices = 16;

// A random walk's sample; the kernel (variant and switches) stays. What a
// random walk leaves to chance is drawn here too: preemptions at one step in
// ten, the first kRandomWalkChoices random calls not 0 one time in eight, and
// in every thread one allocation failing, one of its first three (a random
// walk fails one in fifty; on the deep mutants, a fault in every sample did
// better than in every other one, and one in every thread better than one in
// one thread: each thread is a try at an error path; docs/benchmarks.md "What helped
// the search").
bool random_scenario(Chance& chance, pb::Schedule* s, uint32_t steps) {
  const pb::Kernel kernel = s->scenario().kernel();
  const bool preempt_rt = s->scenario().preempt_rt();
  const PatchSet switches = switches_of(s->scenario());
  random_schedule(chance.next(), s);  // in place: no schedule made, copied and freed
  pb::Scenario* scenario = s->mutable_scenario();
  set_kernel(scenario, kernel, switches);
  scenario->set_preempt_rt(preempt_rt);
  // and a random walk's interleaving on it, as a random walk would run it
  if (!scatter_preemptions(chance, s, steps)) s->clear_preemptions();
  for (uint32_t call = 0; call < kRandomWalkChoices; ++call) {
    if (!chance.coin(8)) continue;
    auto* c = s->add_choices();
    c->set_call(call);
    c->set_value(1 + chance.below(7));
  }
  for (int t = 1; t <= s->scenario().threads_size(); ++t) {
    auto* f = s->add_faults();
    f->set_thread(uint32_t(t));
    f->set_nth(1 + chance.below(3));
  }
  return true;
}

// One free patch switch turned on or off. Turning one on turns on what it
// needs; turning one off turns off what needs it (core/patches.def).
bool flip_switch(Chance& chance, pb::Schedule* s, uint32_t) {
  std::vector<Patch> free;
  for (int i = 0; i < kPatchCount; ++i) {
    if (chance.free_switches & patch_bit(Patch(i))) free.push_back(Patch(i));
  }
  if (free.empty()) return false;
  pb::Scenario* scenario = s->mutable_scenario();
  const Patch flip = free[chance.below(uint32_t(free.size()))];
  set_kernel(scenario, scenario->kernel(), toggle_switch(switches_of(*scenario), flip));
  return true;
}

// A mutation of the scenario alone, as a row of the table.
template <bool (*Mutate)(Chance&, pb::Scenario*)>
bool on_scenario(Chance& chance, pb::Schedule* s, uint32_t) {
  return Mutate(chance, s->mutable_scenario());
}

// ---- The table ------------------------------------------------------------

// Switch flips are rare: most bugs are in one variant. Faults and engine
// choices were rare too (one in three) until the mutator placed them where
// the input's execution allocated and chose (docs/benchmarks.md, "What helped the
// search").
constexpr uint32_t kAlways = 1;
constexpr uint32_t kRare = 3;
constexpr bool kScenario = true;
constexpr bool kInterleaving = false;

constexpr MutationKind kMutations[kMutationKinds] = {
    {Mutation::add_preemption, "add-preemption", add_preemption, kAlways, kInterleaving},
    {Mutation::move_preemption, "move-preemption", move_preemption, kAlways, kInterleaving},
    {Mutation::drop_preemption, "drop-preemption", drop_preemption, kAlways, kInterleaving},
    {Mutation::retarget_preemption, "retarget-preemption", retarget_preemption, kAlways,
     kInterleaving},
    {Mutation::change_op, "change-op", on_scenario<change_op>, kAlways, kScenario},
    {Mutation::change_name, "change-name", on_scenario<change_name>, kAlways, kScenario},
    {Mutation::add_op, "add-op", on_scenario<add_op>, kAlways, kScenario},
    {Mutation::drop_op, "drop-op", on_scenario<drop_op>, kAlways, kScenario},
    {Mutation::add_thread, "add-thread", on_scenario<add_thread>, kAlways, kScenario},
    {Mutation::drop_thread, "drop-thread", on_scenario<drop_thread>, kAlways, kScenario},
    {Mutation::add_fault, "add-fault", add_fault, kAlways, kInterleaving},
    {Mutation::drop_fault, "drop-fault", drop_fault, kAlways, kInterleaving},
    {Mutation::change_fault, "change-fault", change_fault, kAlways, kInterleaving},
    {Mutation::change_choice, "change-choice", change_choice, kAlways, kInterleaving},
    {Mutation::add_node, "add-node", on_scenario<add_node>, kAlways, kScenario},
    {Mutation::drop_node, "drop-node", on_scenario<drop_node>, kAlways, kScenario},
    {Mutation::change_node, "change-node", on_scenario<change_node>, kAlways, kScenario},
    {Mutation::change_fs, "change-fs", on_scenario<change_fs>, kAlways, kScenario},
    {Mutation::scatter_preemptions, "scatter-preemptions", scatter_preemptions, kAlways,
     kInterleaving},
    {Mutation::random_scenario, "random-scenario", random_scenario, kAlways, kScenario},
    {Mutation::flip_switch, "flip-switch", flip_switch, kRare, kScenario},
};

constexpr bool in_enum_order() {
  for (int i = 0; i < kMutationKinds; ++i) {
    if (int(kMutations[i].kind) != i || !kMutations[i].apply || kMutations[i].one_in == 0)
      return false;
  }
  return true;
}
static_assert(in_enum_order(), "kMutations: one row per kind, in the order of enum Mutation");

}  // namespace

const MutationKind& mutation_kind(Mutation kind) { return kMutations[int(kind)]; }

const char* mutation_name(Mutation kind) { return mutation_kind(kind).name; }

bool changes_scenario(Mutation kind) { return mutation_kind(kind).changes_scenario; }

}  // namespace dcfuzz
