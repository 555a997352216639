// The result oracle's search. Depth first over which thread takes the next
// step (a path component, or its operation itself); a thread may step when
// no other pending operation ended before its own began. Visited (where
// every thread is, state) pairs are remembered, exactly, in a table kept per
// thread across checks (no allocation in an execution's check after the
// first).
#include "oracles/linearize.h"

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <vector>

namespace dcfuzz::oracle {

namespace {

constexpr int kMaxTotal = kMaxThreads * kMaxOps;
constexpr size_t kMemoSize = 4096;      // a power of two
constexpr uint32_t kBudget = 200000;    // dfs nodes; beyond, no verdict
constexpr uint32_t kQuickBudget = 256;  // the first search's, without the table

// Where every thread is: its operations done, and the one under way.
struct Key {
  uint8_t done[kMaxThreads] = {};
  Cursor cursor[kMaxThreads];
  bool operator==(const Key& o) const { return std::memcmp(this, &o, sizeof *this) == 0; }
};

struct MemoEntry {
  uint32_t gen = 0;
  uint64_t hash = 0;
  Key key;
  State state;
};

struct Memo {
  std::vector<MemoEntry> table;
  uint32_t gen = 0;
  size_t used = 0;
  void reset() {
    if (++gen == 0) {  // wrapped: forget every entry for real
      for (MemoEntry& e : table) e.gen = 0;
      gen = 1;
    }
    used = 0;
  }
};

thread_local Memo g_memo;

// One step of the search: the state after it, which thread took it from
// where (to take it back), and the operations ended so far.
struct Frame {
  State state;
  int8_t thread = -1;
  bool ended = false;
  bool entered = false;
  Cursor before;
  int depth = 0;
  int next_thread = 0;
};

constexpr size_t kMaxFrames = 1024;
thread_local std::vector<Frame> g_frames;

uint64_t hash_state(const State& s, const Key& key) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](uint64_t v) { h = (h ^ v) * 1099511628211ull; };
  const unsigned char* k = reinterpret_cast<const unsigned char*>(&key);
  for (size_t i = 0; i < sizeof key; ++i) mix(k[i]);
  mix(s.clock);
  for (int i = 0; i < kSlots; ++i) {
    const Slot& x = s.slot[i];
    if (!x.used) continue;
    mix(uint64_t(i) | uint64_t(uint8_t(x.parent)) << 8 | uint64_t(x.dir) << 16 |
        uint64_t(x.dying) << 17 | uint64_t(x.held) << 18 | uint64_t(uint16_t(x.name)) << 24 |
        uint64_t(x.order) << 40 | uint64_t(uint8_t(x.of)) << 56);
  }
  return h;
}

// True if (key, state) was seen before; else remembers it. A full table
// remembers nothing more (the search goes on, bounded by the budget).
bool seen(const Key& key, const State& s) {
  Memo& m = g_memo;
  const uint64_t h = hash_state(s, key);
  size_t at = size_t(h) & (kMemoSize - 1);
  for (size_t probe = 0; probe < kMemoSize; ++probe, at = (at + 1) & (kMemoSize - 1)) {
    MemoEntry& e = m.table[at];
    if (e.gen != m.gen) {
      if (m.used * 4 >= kMemoSize * 3) return false;
      e.gen = m.gen;
      e.key = key;
      e.hash = h;
      e.state = s;
      ++m.used;
      return false;
    }
    if (e.hash == h && e.key == key && e.state == s) return true;
  }
  return false;
}

// Inodes are compared where the call tells which inode it got. `a` is the
// sequential filesystem's, which may allow a second error (Result::alt).
bool same_result(OpKind kind, const Result& a, const Result& b) {
  if (a.err != b.err) return a.alt != 0 && a.alt == b.err;
  const bool got_inode = kind == OpKind::lookup || kind == OpKind::open_create ||
                         kind == OpKind::open || kind == OpKind::readdir ||
                         kind == OpKind::open_held;
  return a.err != 0 || !got_inode || a.slot == b.slot;
}

// An allocation fault's result is not checked: -ENOMEM, or -ETXTBSY, nfs_rename's
// answer when the copy of a busy target's name cannot be allocated.
bool fault_result(int err) { return err == -ENOMEM || err == -ETXTBSY; }

// On nfs, -ESTALE is the client's way of saying the server changed under it
// (d_splice_alias's __d_unalias could not take the locks to move a
// directory's alias twice, retry_estale included): no sequential order
// explains it, and the kernel is allowed it, so it constrains nothing.
bool stale_on_nfs(const SeqPlan& plan, const OpRecord& r) {
  return plan.fs == FsKind::nfs && r.result.err == -ESTALE;
}

bool checked(const SeqPlan& plan, const OpRecord& r) {
  return r.ran && !fault_result(r.result.err) && !stale_on_nfs(plan, r);
}

// One search: `timing` keeps every operation between its begin and its end;
// the result of operation `open` (if any) is not compared.
class Search {
 public:
  Search(const SeqPlan& plan, const History& h, bool timing, OrderStep open)
      : plan_(plan), h_(h), timing_(timing), open_(open) {
    nthreads_ = int(plan.threads.size());
    for (int t = 0; t < nthreads_; ++t) {
      count_[t] = 0;
      for (int i = 0; i < int(plan.threads[size_t(t)].size()); ++i)
        if (checked(plan, h.op[t][i])) ops_[t][count_[t]++] = int8_t(i);
    }
  }

  // True if an order was found (in order()), false if none; gave_up() if
  // the budget ran out first.
  // First a short search that remembers nothing (most histories fit the
  // first order tried, and the table costs more than the search), then the
  // memoised one.
  bool run() {
    budget_ = kQuickBudget;
    memo_ = false;
    if (dfs()) return true;
    key_ = Key();
    nodes_ = 0;
    gave_up_ = false;
    budget_ = kBudget;
    memo_ = true;
    g_memo.reset();
    return dfs();
  }
  bool gave_up() const { return gave_up_; }
  const OrderStep* order() const { return path_; }
  int length() const { return best_len_; }
  const Result& open_result() const { return open_result_; }
  // The deepest point the search reached: the operation that did not fit there.
  OrderStep deepest_misfit() const { return misfit_; }
  int deepest_len() const { return misfit_len_; }
  const OrderStep* deepest_order() const { return misfit_path_; }
  const Result& deepest_expected() const { return misfit_expected_; }

 private:
  const OpRecord& rec(int t, int k) const { return h_.op[t][ops_[t][k]]; }

  bool may_go_next(int t) const {
    if (!timing_) return true;
    const uint32_t begin = rec(t, key_.done[t]).begin;
    for (int u = 0; u < nthreads_; ++u)
      if (u != t && key_.done[u] < count_[u] && rec(u, key_.done[u]).end < begin) return false;
    return true;
  }

  // Depth first, with its stack on the heap: the model runs this on a
  // Relacy fiber, whose stack is small.
  bool dfs() {
    std::vector<Frame>& stack = g_frames;
    if (stack.size() < kMaxFrames || g_memo.table.size() < kMemoSize) {  // not prepared: no verdict
      gave_up_ = true;
      return false;
    }
    int sp = 0;
    stack[0] = Frame();
    stack[0].state = plan_.initial;
    while (sp >= 0) {
      Frame& f = stack[size_t(sp)];
      if (!f.entered) {
        f.entered = true;
        bool done = true;
        for (int t = 0; t < nthreads_; ++t) done = done && key_.done[t] == count_[t];
        if (done) {
          best_len_ = f.depth;
          return true;
        }
        if (++nodes_ > budget_ || sp + 1 >= int(kMaxFrames)) {
          gave_up_ = true;
          return false;
        }
        if (memo_ && seen(key_, f.state)) f.next_thread = nthreads_;  // nothing new below
      }
      if (!try_next_step(f, &stack[size_t(sp + 1)])) {
        undo(f);
        --sp;
        continue;
      }
      ++sp;
    }
    return false;
  }

  // Takes the next untried step from frame `f` into `child`; false if none is left.
  bool try_next_step(Frame& f, Frame* child) {
    while (f.next_thread < nthreads_) {
      const int t = f.next_thread++;
      if (key_.done[t] == count_[t] || !may_go_next(t)) continue;
      const int index = ops_[t][key_.done[t]];
      child->state = f.state;
      child->thread = int8_t(t);
      child->ended = false;
      child->entered = false;
      child->next_thread = 0;
      child->before = key_.cursor[t];
      child->depth = f.depth;
      Result got;
      if (!advance(plan_, &child->state, t, index, &key_.cursor[t], &got)) {  // a step, not the end
        return true;  // a lookup changes nothing
      }
      key_.cursor[t] = child->before;
      const bool is_open = open_.thread == t && open_.index == index;
      path_[f.depth] = OrderStep{int8_t(t), int8_t(index)};
      const OpKind kind = plan_.threads[size_t(t)][size_t(index)].kind;
      if (!is_open && !same_result(kind, got, h_.op[t][index].result)) {
        note_misfit(f.depth, got);
        continue;
      }
      if (is_open) open_result_ = got;
      if (child->state.clock != f.state.clock) canonicalize(&child->state);  // something linked
      child->ended = true;
      child->depth = f.depth + 1;
      ++key_.done[t];
      key_.cursor[t] = Cursor();
      return true;
    }
    return false;
  }

  // Takes back the step that made frame `f`.
  void undo(const Frame& f) {
    if (f.thread < 0) return;
    if (f.ended) --key_.done[f.thread];
    key_.cursor[f.thread] = f.before;
  }

  void note_misfit(int depth, const Result& got) {
    if (depth < misfit_len_) return;
    misfit_len_ = depth;
    misfit_ = path_[depth];
    misfit_expected_ = got;
    std::memcpy(misfit_path_, path_, sizeof(OrderStep) * size_t(depth + 1));
  }

  const SeqPlan& plan_;
  const History& h_;
  const bool timing_;
  const OrderStep open_;
  int nthreads_ = 0;
  int count_[kMaxThreads] = {};
  Key key_;
  int8_t ops_[kMaxThreads][kMaxOps] = {};
  OrderStep path_[kMaxTotal];
  int best_len_ = 0;
  Result open_result_;
  uint32_t nodes_ = 0;
  uint32_t budget_ = kBudget;
  bool memo_ = true;
  bool gave_up_ = false;
  int misfit_len_ = -1;
  OrderStep misfit_{-1, -1};
  OrderStep misfit_path_[kMaxTotal];
  Result misfit_expected_;
};

constexpr OrderStep kNone{-1, -1};

}  // namespace

void prepare_search() {
  if (g_memo.table.size() < kMemoSize) g_memo.table.resize(kMemoSize);
  if (g_frames.size() < kMaxFrames) g_frames.resize(kMaxFrames);
}

// nfs promises no atomicity of a client's system call against the server's
// own changes: the call is several RPCs (LOOKUP, then REMOVE, RENAME, ...),
// each answered against the server's tree as it is then, and the sequential
// filesystem cannot split a call so. A history in which a server change ran
// while a client call of another thread was under way is not checked (the
// coherence check and the kernel's own detectors still are).
bool server_overlaps_a_call(const SeqPlan& plan, const History& h) {
  if (plan.fs != FsKind::nfs) return false;
  const int n = int(plan.threads.size());
  for (int t = 0; t < n; ++t)
    for (int i = 0; i < int(plan.threads[size_t(t)].size()); ++i) {
      const OpRecord& s = h.op[t][i];
      if (!s.ran || !op_is_server(plan.threads[size_t(t)][size_t(i)].kind)) continue;
      for (int u = 0; u < n; ++u)
        for (int j = 0; u != t && j < int(plan.threads[size_t(u)].size()); ++j) {
          const OpRecord& c = h.op[u][j];
          if (c.ran && !op_is_server(plan.threads[size_t(u)][size_t(j)].kind) && c.begin < s.end &&
              s.begin < c.end)
            return true;
        }
    }
  return false;
}

Verdict check_history(const SeqPlan& plan, const History& history) {
  Verdict v;
  if (!plan.usable || server_overlaps_a_call(plan, history)) return v;
  Search full(plan, history, true, kNone);
  if (full.run()) return v;
  if (full.gave_up()) {
    v.gave_up = true;
    return v;
  }
  v.ok = false;
  // Blame the first operation (in thread order) whose result alone no
  // order explains: with it left open, the others fit.
  for (int t = 0; t < int(plan.threads.size()) && v.thread < 0; ++t) {
    for (int i = 0; i < int(plan.threads[size_t(t)].size()) && v.thread < 0; ++i) {
      if (!checked(plan, history.op[t][i])) continue;
      Search open(plan, history, true, OrderStep{int8_t(t), int8_t(i)});
      if (!open.run()) continue;
      v.thread = t;
      v.index = i;
      v.expected = open.open_result();
      for (int k = 0; k < open.length(); ++k) {
        v.open_order[v.open_len++] = open.order()[k];
        if (open.order()[k].thread == t && open.order()[k].index == i) break;
      }
    }
  }
  if (v.thread < 0) {  // more than one result is wrong: the first misfit of the deepest search
    const OrderStep m = full.deepest_misfit();
    v.thread = m.thread;
    v.index = m.index;
    v.expected = full.deepest_expected();
    v.open_len = full.deepest_len() + 1;
    std::memcpy(v.open_order, full.deepest_order(), sizeof(OrderStep) * size_t(v.open_len));
  }
  Search relaxed(plan, history, false, kNone);
  if (relaxed.run()) {
    v.needed_len = relaxed.length();
    std::memcpy(v.needed_order, relaxed.order(), sizeof(OrderStep) * size_t(v.needed_len));
  }
  return v;
}

namespace {

class Out {
 public:
  Out(char* buf, size_t size) : buf_(buf), size_(size) { buf_[0] = 0; }
  void add(const char* format, ...) __attribute__((format(printf, 2, 3))) {
    va_list args;
    va_start(args, format);
    int n = vsnprintf(buf_ + len_, size_ - len_, format, args);
    va_end(args);
    if (n > 0) len_ = std::min(size_ - 1, len_ + size_t(n));
  }

 private:
  char* buf_;
  size_t size_;
  size_t len_ = 0;
};

const SeqOp& op_of(const SeqPlan& plan, int t, int i) { return plan.threads[size_t(t)][size_t(i)]; }

// The result as a title shows it: an errno, "0", "created" or "opened".
const char* short_result(const SeqOp& op, const Result& r, int self) {
  if (r.err) return errno_name(r.err);
  if (op.kind == OpKind::open_create) return r.slot == self ? "created" : "opened";
  return "0";
}

void add_order(Out& out, const SeqPlan& plan, const OrderStep* order, int len) {
  for (int k = 0; k < len; ++k)
    out.add("%sT%d %s", k ? ", " : "", order[k].thread + 1,
            op_of(plan, order[k].thread, order[k].index).call);
}

}  // namespace

void describe_verdict(const SeqPlan& plan, const History& h, const Verdict& v, char* title,
                      size_t title_size, char* details, size_t details_size) {
  const SeqOp& blamed = op_of(plan, v.thread, v.index);
  const int self = op_slot(v.thread, v.index);
  const OpRecord& got = h.op[v.thread][v.index];
  snprintf(title, title_size, "BUG: wrong result: %s = %s", blamed.title_call,
           short_result(blamed, got.result, self));
  Out out(details, details_size);
  char text[256];
  result_text(plan, blamed, got.result, self, text, sizeof text);
  out.add(
      "T%d %s = %s: no order of the operations, each placed between its begin and its end, "
      "gives that result on a sequential %s filesystem.\n",
      v.thread + 1, blamed.call, text,
      plan.fs == FsKind::plain ? "plain"
      : plan.fs == FsKind::nfs ? "nfs"
                               : "case-insensitive");
  out.add("The results (steps of begin and end):\n");
  for (int t = 0; t < int(plan.threads.size()); ++t) {
    for (int i = 0; i < int(plan.threads[size_t(t)].size()); ++i) {
      const OpRecord& r = h.op[t][i];
      const SeqOp& op = op_of(plan, t, i);
      if (!r.ran) {
        out.add("  T%d %s: did not run\n", t + 1, op.call);
        continue;
      }
      result_text(plan, op, r.result, op_slot(t, i), text, sizeof text);
      out.add("  T%d %s = %s [%u..%u]%s\n", t + 1, op.call, text, r.begin, r.end,
              fault_result(r.result.err) ? " (allocation fault: not checked)"
              : stale_on_nfs(plan, r)    ? " (-ESTALE on nfs: not checked)"
                                         : "");
    }
  }
  out.add("In the order ");
  add_order(out, plan, v.open_order, v.open_len);
  result_text(plan, blamed, v.expected, self, text, sizeof text);
  out.add(", which the execution allows, a sequential filesystem gives T%d %s = %s.\n",
          v.thread + 1, blamed.call, text);
  if (v.needed_len == 0) {
    out.add("No order of the operations gives all these results, even ignoring when each ran.\n");
    return;
  }
  out.add("The results need the order ");
  add_order(out, plan, v.needed_order, v.needed_len);
  out.add(", but");
  int shown = 0;
  for (int a = 0; a < v.needed_len && shown < 4; ++a) {
    for (int b = a + 1; b < v.needed_len && shown < 4; ++b) {
      const OrderStep x = v.needed_order[a], y = v.needed_order[b];
      const OpRecord &rx = h.op[x.thread][x.index], &ry = h.op[y.thread][y.index];
      if (ry.end >= rx.begin) continue;
      out.add("%s T%d %s ended (step %u) before T%d %s began (step %u)", shown ? ";" : "",
              y.thread + 1, op_of(plan, y.thread, y.index).call, ry.end, x.thread + 1,
              op_of(plan, x.thread, x.index).call, rx.begin);
      ++shown;
    }
  }
  out.add(".\n");
}

}  // namespace dcfuzz::oracle
