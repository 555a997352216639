#include "fuzz/mutator.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "fuzz/recent_map.h"
#include "schedules/model_enums.h"
#include "schedules/normalize.h"
#include "schedules/random_scenario.h"

namespace dcfuzz {
namespace {

constexpr const char* kMutationNames[kMutationKinds] = {
    "add-preemption", "move-preemption", "drop-preemption", "retarget-preemption", "change-op",
    "change-name",    "add-op",          "drop-op",         "add-thread",          "drop-thread",
    "add-fault",      "drop-fault",      "change-fault",    "change-choice",       "add-node",
    "drop-node",      "change-node",     "change-fs",       "scatter-preemptions",
    "random-scenario",
};

// Few names, so that threads and the tree collide; case variants come on top.
constexpr const char* kAlphabet[] = {"a", "b", "d", "foo", "bar"};

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

}  // namespace

const char* mutation_name(Mutation kind) { return kMutationNames[int(kind)]; }

bool changes_scenario(Mutation kind) {
  switch (kind) {
    case Mutation::add_preemption:
    case Mutation::move_preemption:
    case Mutation::drop_preemption:
    case Mutation::retarget_preemption:
    case Mutation::add_fault:
    case Mutation::drop_fault:
    case Mutation::change_fault:
    case Mutation::change_choice:
    case Mutation::scatter_preemptions:
      return false;
    default:
      return true;
  }
}

uint32_t Mutator::mutate_scalar(uint32_t value) {
  uint8_t bytes[sizeof value];
  std::memcpy(bytes, &value, sizeof value);
  size_t size = scalar_(bytes, sizeof value, sizeof value);
  std::memset(bytes + std::min(size, sizeof value), 0, sizeof value - std::min(size, sizeof value));
  uint32_t out;
  std::memcpy(&out, bytes, sizeof out);
  return out;
}

// Half the time a name already in the scenario (a collision), else one of the
// alphabet; a third of the time in another case.
std::string Mutator::pick_name(const pb::Scenario& scenario) {
  std::vector<std::string> seen;
  for (const auto& node : scenario.tree()) seen.push_back(node.name());
  for (const auto& thread : scenario.threads()) {
    for (const auto& op : thread.ops()) {
      const std::string& path = op.path();
      seen.push_back(path.substr(path.rfind('/') + 1));
    }
  }
  std::string name = !seen.empty() && coin(2) ? seen[rng_.below(uint32_t(seen.size()))]
                                              : kAlphabet[rng_.below(std::size(kAlphabet))];
  return coin(3) ? case_variant(name, rng_.below(3)) : name;
}

// A name in a directory of the tree (the root or a directory node).
std::string Mutator::pick_path(const pb::Scenario& scenario) {
  std::vector<int> dirs = {-1};
  for (int i = 0; i < scenario.tree_size(); ++i) {
    if (scenario.tree(i).dir()) dirs.push_back(i);
  }
  int dir = dirs[rng_.below(uint32_t(dirs.size()))];
  std::vector<int> children;
  for (int i = 0; i < scenario.tree_size(); ++i) {
    if (int(scenario.tree(i).parent()) == dir + 1) children.push_back(i);
  }
  std::string prefix = dir < 0 ? "" : node_path(scenario, dir) + "/";
  if (!children.empty() && coin(2)) {
    std::string name = scenario.tree(children[rng_.below(uint32_t(children.size()))]).name();
    return prefix + (coin(3) ? case_variant(name, rng_.below(3)) : name);
  }
  return prefix + pick_name(scenario);
}

pb::Op Mutator::random_op(const pb::Scenario& scenario) {
  pb::Op op;
  op.set_op(pb::OpKind(rng_.below(kOpKinds)));
  op.set_path(pick_path(scenario));
  if (op.op() == pb::RENAME) op.set_path2(pick_path(scenario));
  return op;
}

// A name to rewrite: a tree node's, or the last component of an op's path.
std::string* Mutator::pick_name_site(pb::Scenario* scenario) {
  std::vector<std::string*> sites;
  for (auto& node : *scenario->mutable_tree()) sites.push_back(node.mutable_name());
  for (auto& thread : *scenario->mutable_threads()) {
    for (auto& op : *thread.mutable_ops()) {
      sites.push_back(op.mutable_path());
      if (op.op() == pb::RENAME) sites.push_back(op.mutable_path2());
    }
  }
  return sites.empty() ? nullptr : sites[rng_.below(uint32_t(sites.size()))];
}

bool Mutator::add_preemption(pb::Schedule* s, uint32_t steps) {
  if (s->preemptions_size() >= Limits::kPreemptions) return false;
  pb::Preemption p;
  if (s->preemptions_size() > 0 && coin(3)) {  // near another one: a second switch nearby
    const auto& near = s->preemptions(int(rng_.below(uint32_t(s->preemptions_size()))));
    p.set_step(near.step() + 1 + rng_.below(8));
  } else {
    p.set_step(rng_.below(std::max(steps, 1u) + 1));
  }
  p.set_thread(1 + rng_.below(uint32_t(s->scenario().threads_size())));
  *s->add_preemptions() = p;
  return true;
}

// What a random walk does, as one mutation: the old preemptions go, and each
// step of the execution gets one with probability 1/10. Shallow races are
// found this way in a few executions when the scenario is right.
bool Mutator::scatter_preemptions(pb::Schedule* s, uint32_t steps) {
  const uint32_t threads = uint32_t(s->scenario().threads_size());
  if (threads < 2) return false;
  s->clear_preemptions();
  for (uint32_t step = 0; step < std::max(steps, 1u); ++step) {
    if (!coin(10)) continue;
    if (s->preemptions_size() >= Limits::kPreemptions) break;
    auto* p = s->add_preemptions();
    p->set_step(step);
    p->set_thread(1 + rng_.below(threads));
  }
  return true;
}

bool Mutator::move_preemption(pb::Schedule* s) {
  if (s->preemptions_size() == 0) return false;
  auto* p = s->mutable_preemptions(int(rng_.below(uint32_t(s->preemptions_size()))));
  uint32_t old = p->step();
  if (coin(2)) {
    uint32_t delta = 1 + rng_.below(16);
    p->set_step(coin(2) ? old + delta : (old > delta ? old - delta : 0));
  } else {
    p->set_step(mutate_scalar(old) % 4096);
  }
  if (p->step() == old) p->set_step(old + 1);
  return true;
}

bool Mutator::change_op(pb::Scenario* scenario) {
  std::vector<pb::Op*> ops;
  for (auto& thread : *scenario->mutable_threads()) {
    for (auto& op : *thread.mutable_ops()) ops.push_back(&op);
  }
  if (ops.empty()) return false;
  pb::Op* op = ops[rng_.below(uint32_t(ops.size()))];
  op->set_op(pb::OpKind((uint32_t(op->op()) + 1 + rng_.below(kOpKinds - 1)) % kOpKinds));
  if (op->op() == pb::RENAME && op->path2().empty()) op->set_path2(pick_path(*scenario));
  return true;
}

bool Mutator::change_name(pb::Scenario* scenario) {
  const pb::Scenario before = *scenario;
  std::string* site = pick_name_site(scenario);
  if (!site) return false;
  size_t slash = site->rfind('/');
  std::string prefix = slash == std::string::npos ? "" : site->substr(0, slash + 1);
  std::string old = *site;
  for (int attempt = 0; attempt < 8 && *site == old; ++attempt) {
    *site = prefix + pick_name(before);
  }
  return *site != old;
}

bool Mutator::add_op(pb::Scenario* scenario) {
  auto* thread = scenario->mutable_threads(int(rng_.below(uint32_t(scenario->threads_size()))));
  if (thread->ops_size() >= Limits::kOpsPerThread) return false;
  pb::Op op = random_op(*scenario);
  *thread->add_ops() = op;
  // Move it to a random position.
  for (int i = thread->ops_size() - 1, at = int(rng_.below(uint32_t(i + 1))); i > at; --i) {
    thread->mutable_ops()->SwapElements(i, i - 1);
  }
  return true;
}

bool Mutator::drop_op(pb::Scenario* scenario) {
  auto* thread = scenario->mutable_threads(int(rng_.below(uint32_t(scenario->threads_size()))));
  if (thread->ops_size() == 0) return false;
  erase_at(thread->mutable_ops(), int(rng_.below(uint32_t(thread->ops_size()))));
  return true;
}

// A copy of another thread (same names: a race on them) or one or two new ops.
bool Mutator::add_thread(pb::Scenario* scenario) {
  if (scenario->threads_size() >= Limits::kThreads) return false;
  pb::Thread thread;
  if (coin(2)) {
    thread = scenario->threads(int(rng_.below(uint32_t(scenario->threads_size()))));
  }
  if (thread.ops_size() == 0 || coin(3)) {
    for (uint32_t n = 1 + rng_.below(2); n > 0; --n) *thread.add_ops() = random_op(*scenario);
  }
  *scenario->add_threads() = thread;
  return true;
}

bool Mutator::drop_thread(pb::Scenario* scenario) {
  if (scenario->threads_size() <= 1) return false;
  erase_at(scenario->mutable_threads(), int(rng_.below(uint32_t(scenario->threads_size()))));
  return true;
}

bool Mutator::change_fault(pb::Schedule* s) {
  if (s->faults_size() == 0) return false;
  auto* f = s->mutable_faults(int(rng_.below(uint32_t(s->faults_size()))));
  const pb::Fault old = *f;
  if (coin(2)) {
    f->set_thread(rng_.below(uint32_t(s->scenario().threads_size()) + 1));
  } else {
    f->set_nth(1 + mutate_scalar(f->nth()) % 64);
  }
  if (f->thread() == old.thread() && f->nth() == old.nth()) f->set_nth(old.nth() + 1);
  return true;
}

// Engine random choices: add one, change a value, or drop one.
bool Mutator::change_choice(pb::Schedule* s, uint32_t steps) {
  if (s->choices_size() > 0 && coin(2)) {
    int i = int(rng_.below(uint32_t(s->choices_size())));
    if (coin(3)) {
      erase_at(s->mutable_choices(), i);
    } else {
      auto* c = s->mutable_choices(i);
      uint32_t old = c->value();
      c->set_value(mutate_scalar(old));
      if (c->value() == old) c->set_value(old + 1);
    }
    return true;
  }
  if (s->choices_size() >= Limits::kChoices) return false;
  auto* c = s->add_choices();
  c->set_call(rng_.below(std::max(steps, 1u)));
  c->set_value(1 + rng_.below(3));
  return true;
}

bool Mutator::add_node(pb::Scenario* scenario) {
  if (scenario->tree_size() >= Limits::kTreeNodes) return false;
  std::vector<uint32_t> parents = {0};
  for (int i = 0; i < scenario->tree_size(); ++i) {
    if (scenario->tree(i).dir()) parents.push_back(uint32_t(i + 1));
  }
  pb::Node node;
  node.set_parent(parents[rng_.below(uint32_t(parents.size()))]);
  node.set_name(pick_name(*scenario));
  node.set_dir(coin(2));
  node.set_disconnected_alias(node.dir() && coin(3));
  *scenario->add_tree() = node;
  return true;
}

// Children of the dropped node move up to its parent.
bool Mutator::drop_node(pb::Scenario* scenario) {
  if (scenario->tree_size() == 0) return false;
  int index = int(rng_.below(uint32_t(scenario->tree_size())));
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

bool Mutator::change_node(pb::Scenario* scenario) {
  if (scenario->tree_size() == 0) return false;
  const pb::Scenario before = *scenario;
  const int index = int(rng_.below(uint32_t(scenario->tree_size())));
  auto* node = scenario->mutable_tree(index);
  switch (rng_.below(4)) {
    case 0:
      node->set_dir(!node->dir());
      break;
    case 1:  // an alias needs a directory
      node->set_disconnected_alias(!node->disconnected_alias());
      if (node->disconnected_alias()) node->set_dir(true);
      break;
    case 2:
      node->set_name(pick_name(before));
      break;
    default:  // the root or an earlier node
      node->set_parent(rng_.below(uint32_t(index) + 1));
      break;
  }
  return true;
}

bool Mutator::apply(Mutation kind, pb::Schedule* s, uint32_t steps) {
  if (options_.keep_scenario && changes_scenario(kind)) return false;
  pb::Scenario* scenario = s->mutable_scenario();
  switch (kind) {
    case Mutation::add_preemption:
      return add_preemption(s, steps);
    case Mutation::move_preemption:
      return move_preemption(s);
    case Mutation::drop_preemption:
      if (s->preemptions_size() == 0) return false;
      erase_at(s->mutable_preemptions(), int(rng_.below(uint32_t(s->preemptions_size()))));
      return true;
    case Mutation::retarget_preemption: {
      if (s->preemptions_size() == 0 || scenario->threads_size() < 2) return false;
      auto* p = s->mutable_preemptions(int(rng_.below(uint32_t(s->preemptions_size()))));
      const uint32_t n = uint32_t(scenario->threads_size());
      p->set_thread((p->thread() + rng_.below(n - 1)) % n + 1);  // another thread, 1-based
      return true;
    }
    case Mutation::change_op:
      return change_op(scenario);
    case Mutation::change_name:
      return change_name(scenario);
    case Mutation::add_op:
      return add_op(scenario);
    case Mutation::drop_op:
      return drop_op(scenario);
    case Mutation::add_thread:
      return add_thread(scenario);
    case Mutation::drop_thread:
      return drop_thread(scenario);
    case Mutation::add_fault: {
      if (s->faults_size() >= Limits::kFaults) return false;
      auto* f = s->add_faults();
      f->set_thread(rng_.below(uint32_t(scenario->threads_size()) + 1));
      f->set_nth(1 + rng_.below(4));
      return true;
    }
    case Mutation::drop_fault:
      if (s->faults_size() == 0) return false;
      erase_at(s->mutable_faults(), int(rng_.below(uint32_t(s->faults_size()))));
      return true;
    case Mutation::change_fault:
      return change_fault(s);
    case Mutation::change_choice:
      return change_choice(s, steps);
    case Mutation::add_node:
      return add_node(scenario);
    case Mutation::drop_node:
      return drop_node(scenario);
    case Mutation::change_node:
      return change_node(scenario);
    case Mutation::change_fs:
      scenario->set_fs(
          pb::Filesystem((scenario->fs() + 1 + rng_.below(kFilesystems - 1)) % kFilesystems));
      return true;
    case Mutation::scatter_preemptions:
      return scatter_preemptions(s, steps);
    case Mutation::random_scenario: {  // a random walk's sample; the campaign's kernel stays
      const pb::Kernel kernel = scenario->kernel();
      *scenario = random_schedule(rng_.next()).scenario();
      scenario->set_kernel(kernel);
      s->clear_choices();
      s->clear_faults();
      // and a random walk's interleaving on it, as a random walk would run it
      if (!scatter_preemptions(s, steps)) s->clear_preemptions();
      return true;
    }
  }
  return false;
}

// Faults and engine choices are rarer than interleaving and scenario changes:
// most bugs need neither.
void Mutator::mutate(pb::Schedule* schedule, uint32_t steps) {
  int count = coin(4) ? 2 + int(rng_.below(3)) : 1;
  for (int done = 0, attempts = 0; done < count && attempts < 64; ++attempts) {
    auto kind = Mutation(rng_.below(kMutationKinds));
    bool rare = kind == Mutation::add_fault || kind == Mutation::change_choice;
    if (rare && !coin(3)) continue;
    if (apply(kind, schedule, steps)) ++done;
  }
  normalize(schedule);
}

pb::Schedule Mutator::crossover(const pb::Schedule& a, const pb::Schedule& b) {
  pb::Schedule child = a;
  // With the scenario kept, only the two that take b's interleaving.
  switch (options_.keep_scenario ? 1 + 2 * rng_.below(2) : rng_.below(4)) {
    case 0: {  // threads of b replace or join those of a
      auto* threads = child.mutable_scenario()->mutable_threads();
      for (const auto& thread : b.scenario().threads()) {
        if (!coin(2)) continue;
        if (threads->size() < Limits::kThreads && coin(2)) {
          *threads->Add() = thread;
        } else {
          *threads->Mutable(int(rng_.below(uint32_t(threads->size())))) = thread;
        }
      }
      break;
    }
    case 1:  // b's interleaving on a's scenario
      *child.mutable_preemptions() = b.preemptions();
      *child.mutable_faults() = b.faults();
      *child.mutable_choices() = b.choices();
      break;
    case 2:  // b's tree and filesystem under a's threads
      *child.mutable_scenario()->mutable_tree() = b.scenario().tree();
      child.mutable_scenario()->set_fs(b.scenario().fs());
      break;
    default: {  // a's preemptions before a step, b's from it on
      uint32_t last = 0;
      for (const auto& p : b.preemptions()) last = std::max(last, p.step());
      uint32_t cut = rng_.below(last + 2);
      auto* ps = child.mutable_preemptions();
      ps->erase(std::remove_if(ps->begin(), ps->end(),
                               [&](const pb::Preemption& p) { return p.step() >= cut; }),
                ps->end());
      for (const auto& p : b.preemptions()) {
        if (p.step() >= cut) *ps->Add() = p;
      }
      break;
    }
  }
  normalize(&child);
  return child;
}

namespace {

// Schedules already parsed (and normalised) or written here, by their bytes.
// Parsing and normalising costs about as much as the mutation itself, and
// the same bytes come back: a mutation's output is what the target runs
// next, the input just run is what libFuzzer's mutation-depth loop mutates
// next, and corpus entries are mutated and crossed over again and again.
// Exact: a schedule is only remembered normalised, and parsing its bytes and
// normalising gives it back (normalize() is idempotent).
class RecentSchedules {
 public:
  std::shared_ptr<const pb::Schedule> find(const uint8_t* data, size_t size) {
    for (const Written& w : written_) {
      if (w.schedule && w.bytes.size() == size && std::memcmp(w.bytes.data(), data, size) == 0)
        return w.schedule;
    }
    auto* known = parsed_.find(std::string(reinterpret_cast<const char*>(data), size));
    return known ? *known : nullptr;
  }

  // A mutation's output: needed once, at once (the target runs it).
  void remember_written(const uint8_t* data, size_t size,
                        std::shared_ptr<const pb::Schedule> schedule) {
    Written& w = written_[next_written_];
    next_written_ = (next_written_ + 1) % kWritten;
    w.bytes.assign(reinterpret_cast<const char*>(data), size);
    w.schedule = std::move(schedule);
  }

  // An input parsed here: mostly corpus entries, which come back.
  void remember_parsed(const uint8_t* data, size_t size,
                       std::shared_ptr<const pb::Schedule> schedule) {
    parsed_.put(std::string(reinterpret_cast<const char*>(data), size), std::move(schedule));
  }

 private:
  static constexpr int kWritten = 4;
  static constexpr size_t kParsed = 4096;  // a campaign's corpus, with room
  struct Written {
    std::string bytes;
    std::shared_ptr<const pb::Schedule> schedule;
  };
  Written written_[kWritten];
  int next_written_ = 0;
  RecentMap<std::string, std::shared_ptr<const pb::Schedule>> parsed_{kParsed};
};

RecentSchedules& recent_schedules() {
  thread_local RecentSchedules recent;
  return recent;
}

size_t write_bounded(std::shared_ptr<const pb::Schedule> schedule, uint8_t* out, size_t max_size) {
  std::string bytes = schedule->SerializeAsString();
  if (bytes.size() > max_size) return 0;
  std::memcpy(out, bytes.data(), bytes.size());
  recent_schedules().remember_written(out, bytes.size(), std::move(schedule));
  return bytes.size();
}

std::shared_ptr<const pb::Schedule> parse_or_empty(const uint8_t* data, size_t size) {
  if (auto schedule = parse_shared_schedule(data, size)) return schedule;
  auto empty = std::make_shared<pb::Schedule>();
  normalize(empty.get());
  return empty;
}

}  // namespace

std::shared_ptr<const pb::Schedule> parse_shared_schedule(const uint8_t* data, size_t size) {
  if (auto known = recent_schedules().find(data, size)) return known;
  auto schedule = std::make_shared<pb::Schedule>();
  if (!schedule->ParseFromArray(data, int(size))) return nullptr;
  normalize(schedule.get());
  recent_schedules().remember_parsed(data, size, schedule);
  return schedule;
}

bool parse_binary_schedule(const uint8_t* data, size_t size, pb::Schedule* out) {
  auto schedule = parse_shared_schedule(data, size);
  if (!schedule) return false;
  *out = *schedule;
  return true;
}

size_t mutate_bytes(uint8_t* data, size_t size, size_t max_size, uint32_t seed, uint32_t steps,
                    ScalarMutate scalar, const MutatorOptions& options) {
  const auto input = parse_or_empty(data, size);
  Mutator mutator(seed, scalar, options);
  for (int attempt = 0; attempt < 4; ++attempt) {
    auto schedule = std::make_shared<pb::Schedule>(*input);
    mutator.mutate(schedule.get(), steps);
    if (size_t n = write_bounded(std::move(schedule), data, max_size)) return n;
  }
  return write_bounded(input, data, max_size);  // 0 (the empty schedule) if even that is too big
}

size_t crossover_bytes(const uint8_t* a, size_t a_size, const uint8_t* b, size_t b_size,
                       uint8_t* out, size_t max_size, uint32_t seed, ScalarMutate scalar,
                       const MutatorOptions& options) {
  Mutator mutator(seed, scalar, options);
  auto child = std::make_shared<pb::Schedule>(
      mutator.crossover(*parse_or_empty(a, a_size), *parse_or_empty(b, b_size)));
  return write_bounded(std::move(child), out, max_size);
}

}  // namespace dcfuzz
