// The sequential filesystem. It follows the model's system calls
// (core/syscalls.cc, core/rename.cc) with a coherent cache, which is to say
// the disk alone: fs/namei.c's checks in fs/namei.c's order.
#include "oracles/seqfs.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

namespace dcfuzz::oracle {

bool State::operator==(const State& o) const {
  if (clock != o.clock) return false;
  for (int i = 0; i < kSlots; ++i) {
    const Slot &a = slot[i], &b = o.slot[i];
    if (a.used != b.used) return false;
    if (a.used && (a.parent != b.parent || a.dir != b.dir || a.name != b.name ||
                   a.order != b.order || a.of != b.of || a.dying != b.dying || a.held != b.held))
      return false;
  }
  return true;
}

namespace {

int16_t intern(SeqPlan& plan, const char* name, size_t length) {
  for (size_t i = 0; i < plan.names.size(); ++i)
    if (plan.names[i].size() == length &&
        (length == 0 || (plan.names[i][length - 1] == name[length - 1] &&
                         std::memcmp(plan.names[i].data(), name, length) == 0)))
      return int16_t(i);
  plan.names.emplace_back(name, length);
  return int16_t(plan.names.size() - 1);
}

int16_t intern(SeqPlan& plan, const std::string& name) {
  return intern(plan, name.data(), name.size());
}

// Non-empty '/'-separated components; false if more than fit.
bool split(SeqPlan& plan, const std::string& path, int16_t* out, int* n) {
  *n = 0;
  size_t at = 0;
  while (at <= path.size()) {
    size_t slash = path.find('/', at);
    if (slash == std::string::npos) slash = path.size();
    if (slash > at) {
      if (*n == kMaxDepth) return false;
      out[(*n)++] = intern(plan, path.data() + at, slash - at);
    }
    at = slash + 1;
  }
  return true;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }

// The first 8 characters, lowered, packed: names equal but for case have
// equal heads.
uint64_t lowered_head(const std::string& name) {
  uint64_t head = 0;
  for (size_t i = 0; i < name.size() && i < 8; ++i)
    head |= uint64_t(uint8_t(lower(name[i]))) << (8 * i);
  return head;
}

bool equal_but_case(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

void link(State* s, int slot, int parent, int name, bool dir) {
  Slot& x = s->slot[slot];
  x.used = true;
  x.parent = int8_t(parent);
  x.name = int16_t(name);
  x.dir = dir;
  x.order = ++s->clock;
}

int find_exact(const State& s, int dir, int name, bool walk = false) {
  for (int i = 0; i < kSlots; ++i) {
    const Slot& x = s.slot[i];
    if (x.used && x.parent == dir && i != kRootSlot && x.name == name && (walk || !x.dying))
      return i;
  }
  return kNoSlot;
}

// The filesystem's lookup of `name` in `dir`: exact, and on the
// case-insensitive kind else the first entry equal but for case. A dying
// name only for a path walk.
int find(const SeqPlan& plan, const State& s, int dir, int name, bool walk = false) {
  int exact = find_exact(s, dir, name, walk);
  if (exact != kNoSlot || plan.fs != FsKind::case_insensitive) return exact;
  int best = kNoSlot;
  for (int i = 1; i < kSlots; ++i) {
    const Slot& x = s.slot[i];
    if (!x.used || x.parent != dir || plan.folded[size_t(x.name)] != plan.folded[size_t(name)] ||
        (x.dying && !walk))
      continue;
    if (best == kNoSlot || x.order < s.slot[best].order) best = i;
  }
  return best;
}

bool has_children(const State& s, int dir) {
  for (int i = 1; i < kSlots; ++i)
    if (s.slot[i].used && s.slot[i].parent == dir && !s.slot[i].dying) return true;
  return false;
}

// `a` is `d` or one of its ancestors.
bool is_subdir(const State& s, int d, int a) {
  for (int x = d, hops = 0; x != kNoSlot && hops <= kSlots; x = s.slot[x].parent, ++hops) {
    if (x == a) return true;
    if (x == kRootSlot) return false;
  }
  return false;
}

// One component of a path walk (walk_components): `name` in `dir`.
int lookup_component(const SeqPlan& plan, const State& s, int dir, int name) {
  if (!s.slot[dir].dir) return -ENOTDIR;
  int next = find(plan, s, dir, name, true);
  return next == kNoSlot ? -ENOENT : next;
}

Result result(int err, int slot = kNoSlot) { return Result{err, err ? kNoSlot : slot}; }

// The inode a name is: its own slot's, or a hard link's target.
int inode_of(const State& s, int slot) {
  return s.slot[slot].of != kNoSlot ? s.slot[slot].of : slot;
}

// i_nlink != 0: some name on disk is inode `ino`.
bool linked(const State& s, int ino) {
  for (int i = 1; i < kSlots; ++i)
    if (s.slot[i].used && s.slot[i].parent != kNoSlot && !s.slot[i].dying && inode_of(s, i) == ino)
      return true;
  return false;
}

// The operations themselves, under the parent's i_rwsem: `p` the parent the
// walk reached.
// A directory a rename replaced while a walk held it (S_DEAD): nothing is
// created in it (IS_DEADDIR: -ENOENT), and it is empty.
bool dead(const State& s, int dir) {
  return dir != kRootSlot && (s.slot[dir].parent == kNoSlot || s.slot[dir].dying);
}

Result do_create(const SeqPlan& plan, State* s, const SeqOp& op, int self, bool dir, int p) {
  if (dead(*s, p)) return result(-ENOENT);
  if (find(plan, *s, p, op.path[op.n - 1]) != kNoSlot) return result(-EEXIST);
  link(s, self, p, op.path[op.n - 1], dir);
  return result(0, self);
}

Result do_unlink(const SeqPlan& plan, State* s, const SeqOp& op, int p) {
  int x = find(plan, *s, p, op.path[op.n - 1]);
  if (x == kNoSlot) return result(-ENOENT);
  if (s->slot[x].dir) return result(-EISDIR);
  if (!plan.silly.empty() && s->slot[x].held) {
    s->slot[x].name = plan.silly[size_t(x)];  // nfs_unlink: an open file is silly-renamed
    return result(0);
  }
  s->slot[x].dying = true;  // gone at the operation's next step (d_delete)
  return Result{0, x};      // the caller's to remember
}

// open(O_CREAT) without O_EXCL: opens what is there, else creates a file.
Result do_open_create(const SeqPlan& plan, State* s, const SeqOp& op, int self, int p) {
  if (dead(*s, p)) return result(-ENOENT);
  int x = find(plan, *s, p, op.path[op.n - 1]);
  if (x == kNoSlot) {
    link(s, self, p, op.path[op.n - 1], false);
    return result(0, self);
  }
  if (s->slot[x].dir) return result(-EISDIR);  // do_open: O_CREAT on a directory
  return result(0, inode_of(*s, x));
}

// do_rmdir after its lookup, and vfs_rmdir: a directory, empty; it dies.
Result do_rmdir(const SeqPlan& plan, State* s, const SeqOp& op, int p) {
  int x = find(plan, *s, p, op.path[op.n - 1]);
  if (x == kNoSlot) return result(-ENOENT);
  if (!s->slot[x].dir) return result(-ENOTDIR);
  if (has_children(*s, x)) return result(-ENOTEMPTY);
  s->slot[x].dying = true;  // S_DEAD now; the name goes at the operation's next step (d_delete)
  return Result{0, x};      // the caller's to remember
}

// do_linkat: `src` the name the old path reached, `p` the new parent.
// filename_create's checks, then vfs_link's: no directory, and not an inode
// whose last name went since the old path was looked up (i_nlink == 0).
Result do_link(const SeqPlan& plan, State* s, const SeqOp& op, int self, int src, int p) {
  if (op.n2 == 0) return result(-EEXIST);  // the root: not LAST_NORM
  if (dead(*s, p)) return result(-ENOENT);
  // nfs does not look an exclusive create's name up: unless the name is
  // cached (then -EEXIST at once), the server's -EEXIST comes last (->link).
  const bool exists = find(plan, *s, p, op.path2[op.n2 - 1]) != kNoSlot;
  if (exists && plan.fs != FsKind::nfs) return result(-EEXIST);
  const int ino = inode_of(*s, src);
  int err = s->slot[ino].dir ? -EPERM : !linked(*s, ino) ? -ENOENT : exists ? -EEXIST : 0;
  if (err) {
    Result r = result(err);
    if (exists && err != -EEXIST) r.alt = -EEXIST;
    return r;
  }
  link(s, self, p, op.path2[op.n2 - 1], false);
  s->slot[self].of = int8_t(ino);
  return result(0);
}

// renameat2(RENAME_EXCHANGE): both names must exist; neither may be an
// ancestor of the other's parent (-EINVAL); nfs refuses the flag. The names
// keep their places in their directories (and their spelling) and swap
// inodes, which is the two slots swapping places.
Result do_exchange(const SeqPlan& plan, State* s, const SeqOp& op, int p1, int p2) {
  int old = find(plan, *s, p1, op.path[op.n - 1]);
  if (old == kNoSlot) return result(-ENOENT);
  if (dead(*s, p2)) return result(-ENOENT);
  int target = find(plan, *s, p2, op.path2[op.n2 - 1]);
  if (target == kNoSlot) return result(-ENOENT);
  if (is_subdir(*s, p2, old) || is_subdir(*s, p1, target)) return result(-EINVAL);
  if (inode_of(*s, old) == inode_of(*s, target)) {
    // nfs: the server may change a name between the client's two lookups
    // (each revalidated), which then see two inodes: nfs_rename's -EINVAL
    Result r = result(0);
    if (plan.fs == FsKind::nfs) r.alt = -EINVAL;
    return r;
  }
  if (plan.fs == FsKind::nfs) return result(-EINVAL);
  Slot& a = s->slot[old];
  Slot& b = s->slot[target];
  std::swap(a.parent, b.parent);
  std::swap(a.name, b.name);
  std::swap(a.order, b.order);
  return result(0);
}

// do_renameat2 after lock_rename, and vfs_rename, in their order of checks.
Result do_rename(const SeqPlan& plan, State* s, const SeqOp& op, int p1, int p2) {
  int old = find(plan, *s, p1, op.path[op.n - 1]);
  if (old == kNoSlot) return result(-ENOENT);
  if (dead(*s, p2)) return result(-ENOENT);  // no child dentry for a dead directory
  int target = find(plan, *s, p2, op.path2[op.n2 - 1]);
  if (old == target) return result(0);
  if (is_subdir(*s, p2, old)) return result(-EINVAL);  // source is an ancestor of target
  if (target != kNoSlot) {
    const Slot& t = s->slot[target];
    if (is_subdir(*s, p1, target)) return result(-ENOTEMPTY);  // target an ancestor of source
    if (inode_of(*s, old) == inode_of(*s, target)) return result(0);  // two names of one file
    if (s->slot[old].dir && !t.dir) return result(-ENOTDIR);
    if (!s->slot[old].dir && t.dir) return result(-EISDIR);
    if (t.dir && has_children(*s, target)) return result(-ENOTEMPTY);
  }
  // The new name is the target's own (on case-insensitive, its spelling).
  int name = target != kNoSlot ? s->slot[target].name : op.path2[op.n2 - 1];
  if (target != kNoSlot && !plan.silly.empty() && !s->slot[target].dir && s->slot[target].held &&
      op.kind != OpKind::server_rename) {
    // nfs_rename: an open target is silly-renamed on the server, not removed;
    // the server's own rename knows of no client's open file and removes it
    s->slot[target].name = plan.silly[size_t(target)];
  } else if (target != kNoSlot) {
    s->slot[target].parent = kNoSlot;
  }
  link(s, old, p2, name, s->slot[old].dir);
  return result(0);
}

// open_by_handle_at: the model decodes handles of initial directories only,
// and never checks whether the inode is still linked.
Result do_fh_decode(const SeqPlan& plan, const SeqOp& op) {
  if (op.tree_node < 0) return result(-ESTALE);
  int slot = plan.tree_slot[size_t(op.tree_node)];
  return result(plan.initial.slot[slot].dir ? 0 : -ESTALE);
}

// getdents on open(path, O_DIRECTORY): the walk reached a directory (else
// -ENOTDIR); iterate_dir refuses one that died meanwhile. The listing is not
// compared (the result names the directory read).
Result do_readdir(const State& s, int dir) {
  if (dead(s, dir)) return result(-ENOENT);
  return result(0, dir);
}

// open(path) kept open: the walk reached the name x (its dentry stays busy:
// nfs silly-renames that name); the result is its inode.
Result do_open_held(State* s, int x) {
  s->slot[x].held = true;
  return result(0, inode_of(*s, x));
}

// The nfs server's own changes: one atomic step on its tree (it walks the
// paths itself), with rename(2)'s and unlink(2)'s checks; no server on the
// other kinds.
int server_walk_parent(const SeqPlan& plan, const State& s, const int16_t* path, int n, int* out) {
  int cur = kRootSlot;
  for (int k = 0; k + 1 < n; ++k) {
    int x = lookup_component(plan, s, cur, path[k]);
    if (x < 0) return x;
    cur = x;
  }
  if (!s.slot[cur].dir) return -ENOTDIR;
  *out = cur;
  return 0;
}

Result do_server_op(const SeqPlan& plan, State* s, const SeqOp& op) {
  if (plan.fs != FsKind::nfs) return result(-EOPNOTSUPP);
  int p1 = kNoSlot, p2 = kNoSlot;
  if (int err = server_walk_parent(plan, *s, op.path, op.n, &p1)) return result(err);
  if (op.kind == OpKind::server_unlink) {  // gone at once: no dcache on the server
    const int x = find(plan, *s, p1, op.path[op.n - 1]);
    if (x == kNoSlot) return result(-ENOENT);
    if (s->slot[x].dir) return result(-EISDIR);
    s->slot[x].parent = kNoSlot;
    return result(0);
  }
  if (int err = server_walk_parent(plan, *s, op.path2, op.n2, &p2)) return result(err);
  return do_rename(plan, s, op, p1, p2);
}

// The pieces of a call's text around its path(s); `between` null: one path.
struct CallPieces {
  const char* before;
  const char* between;
  const char* after;
};

bool call_pieces(OpKind kind, CallPieces* out) {
  switch (kind) {
    case OpKind::lookup:
      *out = {"stat(\"", nullptr, "\")"};
      return true;
    case OpKind::create:
      *out = {"creat(\"", nullptr, "\")"};
      return true;
    case OpKind::unlink:
      *out = {"unlink(\"", nullptr, "\")"};
      return true;
    case OpKind::mkdir:
      *out = {"mkdir(\"", nullptr, "\")"};
      return true;
    case OpKind::rename:
      *out = {"rename(\"", "\", \"", "\")"};
      return true;
    case OpKind::open_create:
      *out = {"open(\"", nullptr, "\", O_CREAT)"};
      return true;
    case OpKind::fh_decode:
      *out = {"open_by_handle_at(\"", nullptr, "\")"};
      return true;
    case OpKind::open:
      *out = {"open(\"", nullptr, "\")"};
      return true;
    case OpKind::rmdir:
      *out = {"rmdir(\"", nullptr, "\")"};
      return true;
    case OpKind::link:
      *out = {"link(\"", "\", \"", "\")"};
      return true;
    case OpKind::rename_exchange:
      *out = {"renameat2(\"", "\", \"", "\", RENAME_EXCHANGE)"};
      return true;
    case OpKind::readdir:
      *out = {"getdents(\"", nullptr, "\")"};
      return true;
    case OpKind::open_held:
      *out = {"open(\"", nullptr, "\") kept open"};
      return true;
    case OpKind::server_rename:
      *out = {"server: rename(\"", "\", \"", "\")"};
      return true;
    case OpKind::server_unlink:
      *out = {"server: unlink(\"", nullptr, "\")"};
      return true;
  }
  return false;
}

// `stat("d/foo")`, cut to `size` as snprintf would (compiled once per new
// scenario: snprintf was a tenth of compile()'s time).
void call_text(const Op& op, char* buf, size_t size) {
  CallPieces pieces;
  if (size == 0 || !call_pieces(op.kind, &pieces)) return;
  size_t at = 0;
  auto append = [&](const char* text) {
    for (; *text && at + 1 < size; ++text) buf[at++] = *text;
  };
  append(pieces.before);
  append(op.path.c_str());
  if (pieces.between) {
    append(pieces.between);
    append(op.path2.c_str());
  }
  append(pieces.after);
  buf[at] = '\0';
}

const char* title_call_text(OpKind kind) {
  switch (kind) {
    case OpKind::lookup:
      return "stat(...)";
    case OpKind::create:
      return "creat(...)";
    case OpKind::unlink:
      return "unlink(...)";
    case OpKind::mkdir:
      return "mkdir(...)";
    case OpKind::rename:
      return "rename(...)";
    case OpKind::open_create:
      return "open(..., O_CREAT)";
    case OpKind::fh_decode:
      return "open_by_handle_at(...)";
    case OpKind::open:
      return "open(...)";
    case OpKind::rmdir:
      return "rmdir(...)";
    case OpKind::link:
      return "link(...)";
    case OpKind::rename_exchange:
      return "renameat2(..., RENAME_EXCHANGE)";
    case OpKind::readdir:
      return "getdents(...)";
    case OpKind::open_held:
      return "open(...)";
    case OpKind::server_rename:
      return "server: rename(...)";
    case OpKind::server_unlink:
      return "server: unlink(...)";
  }
  return "?";
}

void build_tree(SeqPlan& plan, const Scenario& scenario) {
  State& s = plan.initial;
  s.slot[kRootSlot].used = true;
  s.slot[kRootSlot].dir = true;
  s.slot[kRootSlot].parent = kNoSlot;
  const std::vector<TreeNode>& tree = scenario.tree;
  for (size_t i = 0; i < tree.size(); ++i) {
    int parent = tree[i].parent;
    bool valid_parent = parent >= 0 && size_t(parent) < i && tree[size_t(parent)].dir;
    int dir = valid_parent ? plan.tree_slot[size_t(parent)] : kRootSlot;
    int name = intern(plan, tree[i].name);
    int existing = find_exact(s, dir, name);
    if (existing != kNoSlot) {
      plan.tree_slot.push_back(existing);
      continue;
    }
    int slot = kTreeSlot0 + int(i);
    link(&s, slot, dir, name, tree[i].dir);
    plan.tree_slot.push_back(slot);
  }
}

// The initial tree node whose path (as the model builds it) is the op's.
int tree_node_of(const Scenario& scenario, const SeqPlan& plan, const SeqOp& op) {
  std::vector<std::vector<int16_t>> paths;
  for (size_t i = 0; i < scenario.tree.size(); ++i) {
    int parent = scenario.tree[i].parent;
    bool valid = parent >= 0 && size_t(parent) < i && scenario.tree[size_t(parent)].dir;
    std::vector<int16_t> path = valid ? paths[size_t(parent)] : std::vector<int16_t>();
    for (size_t k = 0; k < plan.names.size(); ++k)
      if (plan.names[k] == scenario.tree[i].name) path.push_back(int16_t(k));
    paths.push_back(path);
  }
  std::vector<int16_t> want(op.path, op.path + op.n);
  for (size_t i = 0; i < paths.size(); ++i)
    if (paths[i] == want) return int(i);
  return -1;
}

}  // namespace

SeqPlan compile(const Scenario& scenario) {
  SeqPlan plan;
  compile(scenario, &plan);
  return plan;
}

void compile(const Scenario& scenario, SeqPlan* out) {
  prepare_search();
  SeqPlan& plan = *out;
  plan.usable = false;
  plan.fs = scenario.fs;
  plan.names.clear();
  plan.folded.clear();
  plan.tree_slot.clear();
  plan.silly.clear();
  plan.initial = State();
  plan.names.reserve(16);
  intern(plan, "/");
  bool fits =
      scenario.tree.size() <= size_t(kMaxTree) && scenario.threads.size() <= size_t(kMaxThreads);
  for (const std::vector<Op>& ops : scenario.threads) fits = fits && ops.size() <= size_t(kMaxOps);
  if (!fits) {
    plan.threads.clear();
    return;
  }
  plan.tree_slot.reserve(scenario.tree.size());
  build_tree(plan, scenario);
  plan.threads.resize(scenario.threads.size());
  for (size_t t = 0; t < scenario.threads.size(); ++t) {
    const std::vector<Op>& ops = scenario.threads[t];
    plan.threads[t].clear();
    plan.threads[t].reserve(ops.size());
    for (const Op& op : ops) {
      SeqOp s;
      s.kind = op.kind;
      fits = fits && split(plan, op.path, s.path, &s.n);
      fits = fits && (!op_takes_path2(op.kind) || split(plan, op.path2, s.path2, &s.n2));
      call_text(op, s.call, sizeof s.call);
      s.title_call = title_call_text(op.kind);
      plan.threads[t].push_back(s);
    }
  }
  for (std::vector<SeqOp>& ops : plan.threads)
    for (SeqOp& op : ops)
      if (op.kind == OpKind::fh_decode) op.tree_node = tree_node_of(scenario, plan, op);
  bool held = false;
  for (const std::vector<Op>& ops : scenario.threads)
    for (const Op& op : ops) held = held || op.kind == OpKind::open_held;
  if (held && scenario.fs == FsKind::nfs) {
    plan.names.reserve(plan.names.size() + kSlots);
    plan.silly.reserve(kSlots);
    for (int slot = 0; slot < kSlots; ++slot) plan.silly.push_back(intern(plan, silly_name(slot)));
  }
  // Only the first of each spelling needs comparing (the others fold to it),
  // and its lowered head first (nfs's 33 silly names share theirs but one digit).
  std::vector<uint64_t> heads;
  heads.reserve(plan.names.size());
  for (const std::string& name : plan.names) heads.push_back(lowered_head(name));
  plan.folded.reserve(plan.names.size());
  for (size_t i = 0; i < plan.names.size(); ++i) {
    size_t first = 0;
    while (first < i && (size_t(plan.folded[first]) != first || heads[first] != heads[i] ||
                         !equal_but_case(plan.names[first], plan.names[i])))
      ++first;
    plan.folded.push_back(int16_t(first));
  }
  plan.usable = fits;
}

namespace {

// kGone: an unlink's or rmdir's name leaves the cache (d_delete), after the
// victim's lock that others may have taken meanwhile (vfs_unlink, vfs_rmdir).
enum : uint8_t { kWalk1, kWalk2, kFinal, kGone };

Result final_step(const SeqPlan& plan, State* s, const SeqOp& op, int self, const Cursor& c) {
  switch (op.kind) {
    case OpKind::create:
      return do_create(plan, s, op, self, false, c.cur);
    case OpKind::mkdir:
      return do_create(plan, s, op, self, true, c.cur);
    case OpKind::unlink:
      return do_unlink(plan, s, op, c.cur);
    case OpKind::rename:
      return do_rename(plan, s, op, c.p1, c.cur);
    case OpKind::open_create:
      return do_open_create(plan, s, op, self, c.cur);
    case OpKind::rmdir:
      return do_rmdir(plan, s, op, c.cur);
    case OpKind::link:
      return do_link(plan, s, op, self, c.p1, c.cur);
    case OpKind::rename_exchange:
      return do_exchange(plan, s, op, c.p1, c.cur);
    case OpKind::readdir:
      return do_readdir(*s, c.cur);
    case OpKind::open_held:
      return do_open_held(s, c.cur);
    default:
      return result(-EINVAL);
  }
}

// The end of a walk. A parent walk's end must be a directory (which never
// changes, so this takes no step of its own); link's first walk is of the
// old name itself.
bool parent_reached(const State& s, const SeqOp& op, Cursor* c, Result* r) {
  if (op.kind == OpKind::open_held) {  // the file itself, which may be anything
    c->phase = kFinal;
    return false;
  }
  if (op.kind != OpKind::link || c->phase != kWalk1) {
    if (!s.slot[c->cur].dir) {
      *r = result(-ENOTDIR);
      return true;
    }
  }
  if (op_takes_path2(op.kind) && c->phase == kWalk1) {
    c->p1 = c->cur;
    c->cur = kRootSlot;
    c->k = 0;
    c->phase = kWalk2;
  } else {
    c->phase = kFinal;
  }
  return false;
}

}  // namespace

bool advance(const SeqPlan& plan, State* s, int thread, int index, Cursor* c, Result* r) {
  const SeqOp& op = plan.threads[size_t(thread)][size_t(index)];
  const int self = op_slot(thread, index);
  // open without O_CREAT resolves the whole path as stat does (its last name
  // under the parent's lock, one step like stat's): a directory opens too.
  const bool stat = op.kind == OpKind::lookup || op.kind == OpKind::open;
  const bool needs_name = !stat && op.kind != OpKind::fh_decode && op.kind != OpKind::link &&
                          op.kind != OpKind::readdir && op.kind != OpKind::open_held;
  const bool needs_name2 = op_takes_path2(op.kind) && op.kind != OpKind::link;
  if ((needs_name && op.n == 0) || (needs_name2 && op.n2 == 0)) {
    *r = result(-EBUSY);  // the root itself
    return true;
  }
  if (op_is_server(op.kind)) {
    *r = do_server_op(plan, s, op);
    return true;
  }
  if (op.kind == OpKind::fh_decode) {
    *r = do_fh_decode(plan, op);
    return true;
  }
  if (stat && op.n == 0) {
    *r = result(0, kRootSlot);
    return true;
  }
  bool stepped = false;
  for (;;) {
    if (c->phase == kFinal) {
      if (stepped) return false;
      *r = final_step(plan, s, op, self, *c);
      // an unlink or rmdir leaves its name dying for one more step; nfs's
      // silly rename of an open file renames it instead (no slot returned)
      if (r->err || (op.kind != OpKind::unlink && op.kind != OpKind::rmdir) || r->slot < 0)
        return true;
      c->phase = kGone;
      c->cur = int8_t(r->slot);  // the dying name
      return false;
    }
    if (c->phase == kGone) {
      if (stepped) return false;
      s->slot[c->cur].parent = kNoSlot;
      s->slot[c->cur].dying = false;
      *r = result(0);
      return true;
    }
    const int16_t* names = c->phase == kWalk1 ? op.path : op.path2;
    // every component (link's old name too), not the parent
    const bool whole = stat || op.kind == OpKind::readdir || op.kind == OpKind::open_held ||
                       (op.kind == OpKind::link && c->phase == kWalk1);
    const int walk = (c->phase == kWalk1 ? op.n : op.n2) - (whole ? 0 : 1);
    if (c->k < walk) {
      if (stepped) return false;
      int x = lookup_component(plan, *s, c->cur, names[c->k]);
      stepped = true;
      if (x < 0) {
        *r = result(x);
        return true;
      }
      c->cur = int8_t(x);
      ++c->k;
      if (stat && c->k == walk) {
        *r = result(0, inode_of(*s, x));
        return true;
      }
      continue;
    }
    if (parent_reached(*s, op, c, r)) return true;
  }
}

Result apply(const SeqPlan& plan, State* s, int thread, int index) {
  Cursor c;
  Result r;
  while (!advance(plan, s, thread, index, &c, &r)) {
  }
  return r;
}

void canonicalize(State* s) {
  uint16_t rank = 0;
  for (uint16_t want = 1; want <= s->clock; ++want) {
    for (int i = 0; i < kSlots; ++i) {
      Slot& x = s->slot[i];
      if (x.used && x.parent != kNoSlot && x.order == want) x.order = ++rank;
    }
  }
  for (int i = 0; i < kSlots; ++i)
    if (s->slot[i].parent == kNoSlot) s->slot[i].order = 0;
  s->clock = rank;
}

std::string silly_name(int slot) {
  if (slot >= 0 && slot < 100) {  // without snprintf: a new nfs scenario makes 66 of them
    const char text[] = {'.', 'n', 'f', 's', char('0' + slot / 10), char('0' + slot % 10)};
    return std::string(text, sizeof text);
  }
  char buf[16];
  snprintf(buf, sizeof buf, ".nfs%02d", slot);
  return buf;
}

const char* errno_name(int err) {
  switch (err) {
    case 0:
      return "0";
    case -ENOENT:
      return "-ENOENT";
    case -ENOTDIR:
      return "-ENOTDIR";
    case -EISDIR:
      return "-EISDIR";
    case -EEXIST:
      return "-EEXIST";
    case -ENOTEMPTY:
      return "-ENOTEMPTY";
    case -EINVAL:
      return "-EINVAL";
    case -EBUSY:
      return "-EBUSY";
    case -ESTALE:
      return "-ESTALE";
    case -ENOMEM:
      return "-ENOMEM";
    case -EPERM:
      return "-EPERM";
    case -ETXTBSY:
      return "-ETXTBSY";
    case -EOPNOTSUPP:
      return "-EOPNOTSUPP";
  }
  thread_local char other[16];
  snprintf(other, sizeof other, "%d", err);
  return other;
}

// The text functions below write into the caller's buffer: the model calls
// them inside an execution, where the heap is Relacy's.

void path_in(const SeqPlan& plan, const State& s, int slot, char* buf, size_t size) {
  buf[0] = 0;
  if (slot == kRootSlot) {
    snprintf(buf, size, "/");
    return;
  }
  int chain[kSlots + 1];
  int n = 0;
  for (int x = slot; x != kRootSlot; x = s.slot[x].parent) {
    if (x == kNoSlot || !s.slot[x].used || n > kSlots) return;  // not linked: ""
    chain[n++] = x;
  }
  size_t at = 0;
  for (int k = n - 1; k >= 0 && at < size; --k) {
    int w = snprintf(buf + at, size - at, "/%s", plan.names[size_t(s.slot[chain[k]].name)].c_str());
    at += w > 0 ? size_t(w) : 0;
  }
}

std::string path_in(const SeqPlan& plan, const State& s, int slot) {
  char buf[256];
  path_in(plan, s, slot, buf, sizeof buf);
  return buf;
}

void slot_name(const SeqPlan& plan, int slot, char* buf, size_t size) {
  if (slot >= kOpSlot0 && slot < kSlots) {
    int t = (slot - kOpSlot0) / kMaxOps, i = (slot - kOpSlot0) % kMaxOps;
    if (size_t(t) < plan.threads.size() && size_t(i) < plan.threads[size_t(t)].size()) {
      snprintf(buf, size, "the inode T%d %s created", t + 1,
               plan.threads[size_t(t)][size_t(i)].call);
      return;
    }
  }
  path_in(plan, plan.initial, slot, buf, size);
  if (!buf[0]) snprintf(buf, size, "?");
}

void result_text(const SeqPlan& plan, const SeqOp& op, const Result& r, int self_slot, char* buf,
                 size_t size) {
  char name[160];
  if (r.err) {
    snprintf(buf, size, "%s", errno_name(r.err));
  } else if (op.kind == OpKind::open_create && r.slot == self_slot) {
    snprintf(buf, size, "created");
  } else if (op.kind == OpKind::open_create) {
    slot_name(plan, r.slot, name, sizeof name);
    snprintf(buf, size, "opened %s", name);
  } else if (op.kind == OpKind::lookup || op.kind == OpKind::open || op.kind == OpKind::readdir ||
             op.kind == OpKind::open_held) {
    slot_name(plan, r.slot, name, sizeof name);
    snprintf(buf, size, "0 (%s)", name);
  } else {
    snprintf(buf, size, "0");
  }
}

std::string result_text(const SeqPlan& plan, const SeqOp& op, const Result& r, int self_slot) {
  char buf[256];
  result_text(plan, op, r, self_slot, buf, sizeof buf);
  return buf;
}

}  // namespace dcfuzz::oracle
