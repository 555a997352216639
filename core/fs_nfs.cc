// An nfs-like filesystem: a rename target or an exclusive create is not
// looked up at all (nfs_lookup returns NULL at once), leaving the dentry
// negative, unhashed, and in lookup if it came from d_alloc_parallel.
// The server (the model's disk) may change behind the client (SERVER_RENAME,
// SERVER_UNLINK), so a cached dentry is checked with the server before a
// lookup uses it: ->d_revalidate, as nfs mounted with lookupcache=none does.
#include "core/fs.h"

#include "core/coherence.h"
#include "core/events.h"
#include "core/kernel_state.h"
#include "core/plan.h"
#include "core/program.h"

namespace dcfuzz::model {

dentry* nfs_lookup(inode* dir, dentry* d, unsigned flags) {
  CALL_FRAME();
  if (flags & (LOOKUP_RENAME_TARGET | LOOKUP_EXCL)) return nullptr;
  return plain_lookup(dir, d, flags);
}

namespace {

// The server answers one call at a time under its own locks, not the
// client's i_rwsem: its reads and writes skip the disk's race bookkeeping
// (disk_find's rl::var), which stands for the client's locking.
const DirEntry* server_find(const inode* dir, int name) {
  for (const DirEntry& e : dir->entries)
    if (e.name == name) return &e;
  return nullptr;
}

}  // namespace

// nfs_lookup_revalidate for a mount with lookupcache=none (the model's one
// mount option): a positive dentry is looked up on the server again
// (nfs_lookup_revalidate_dentry) and stale unless the name still gives its
// inode; a negative one is stale (NFS_MOUNT_LOOKUP_CACHE_NONEG) unless the
// lookup is for a create or a rename target (nfs_neg_need_reval).
// The name asked about is the one the walk looked up (d_revalidate's `name`):
// the dentry may have been moved since, by a rename between __d_lookup and
// the call, which sleeps (one scheduling decision).
int nfs_lookup_revalidate(inode* dir, int name, dentry* d, unsigned flags) {
  CALL_FRAME();
  if (!d->d_inode) return (flags & (LOOKUP_CREATE | LOOKUP_RENAME_TARGET)) ? 1 : 0;
  if (IS_ROOT(d)) return 1;  // nfs_lookup_revalidate_done: never drop a disconnected root
  inode* in = d->d_inode;
  kstate().server_calls.fetch_add(1);  // the LOOKUP call to the server
  const DirEntry* e = server_find(dir, name);
  const bool valid = e && e->inode == in;
  trace(EventKind::other, valid ? "valid" : "stale", dref(Obj::dentry, d));
  return valid ? 1 : 0;
}

namespace {

// The server's own walk from its root: the directory of a path's last
// component, or -ENOENT / -ENOTDIR (the sequential filesystem's order).
int server_walk_parent(const std::vector<int>& path, inode** out) {
  inode* cur = kstate().root->d_inode;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    if (!cur->dir) return -ENOTDIR;
    const DirEntry* e = server_find(cur, path[i]);
    if (!e) return -ENOENT;
    cur = e->inode;
  }
  if (!cur->dir) return -ENOTDIR;
  *out = cur;
  return 0;
}

// The directory that holds `in` on the server, or NULL (the root, or unlinked).
inode* server_parent(const inode* in) {
  for (inode* dir : kstate().inodes)
    if (dir->dir && !dir->dead)
      for (const DirEntry& e : dir->entries)
        if (e.inode == in) return dir;
  return nullptr;
}

void server_remove(inode* dir, int name) {
  std::vector<DirEntry>& es = dir->entries;
  es.erase(
      std::remove_if(es.begin(), es.end(), [name](const DirEntry& e) { return e.name == name; }),
      es.end());
}

// A change the server made: the client's dcache is not told.
void server_changed(inode* dir) {
  note_disk_change(dir);
  dir->server_changed = kstate().host->step();
}

}  // namespace

bool server_is_subdir(const inode* in, const inode* ancestor) {
  for (int hops = 0; in && hops < 64; in = server_parent(in), ++hops)
    if (in == ancestor) return true;
  return false;
}

namespace {

int server_unlink(const PlanOp& op) {
  inode* dir = nullptr;
  if (int err = server_walk_parent(op.path, &dir)) return err;
  const DirEntry* e = server_find(dir, op.path.back());
  if (!e) return -ENOENT;
  if (e->inode->dir) return -EISDIR;
  server_remove(dir, op.path.back());
  server_changed(dir);
  return 0;
}

// rename(2)'s checks, made by the server on its own tree.
int server_rename(const PlanOp& op) {
  inode *p1 = nullptr, *p2 = nullptr;
  if (int err = server_walk_parent(op.path, &p1)) return err;
  if (int err = server_walk_parent(op.path2, &p2)) return err;
  const DirEntry* o = server_find(p1, op.path.back());
  if (!o) return -ENOENT;
  inode* in = o->inode;
  const DirEntry* t = server_find(p2, op.path2.back());
  inode* target = t ? t->inode : nullptr;
  if (target == in) return 0;
  if (server_is_subdir(p2, in)) return -EINVAL;
  if (target) {
    if (server_is_subdir(p1, target)) return -ENOTEMPTY;
    if (in->dir && !target->dir) return -ENOTDIR;
    if (!in->dir && target->dir) return -EISDIR;
    if (target->dir && !target->entries.empty()) return -ENOTEMPTY;
  }
  server_remove(p1, op.path.back());
  server_remove(p2, op.path2.back());
  p2->entries.push_back(DirEntry{op.path2.back(), in});
  if (target && target->dir) target->dead = true;  // the server's rmdir of it
  server_changed(p1);
  server_changed(p2);
  return 0;
}

}  // namespace

int nfs_server_op(const PlanOp& op) {
  CALL_FRAME();
  if (op.kind == OpKind::server_rename && op.path2.empty()) return -EBUSY;
  if (kstate().plan->scenario.fs != FsKind::nfs) return -EOPNOTSUPP;  // no server
  kstate().server_calls.fetch_add(1);  // the call arrives: a scheduling decision
  return op.kind == OpKind::server_rename ? server_rename(op) : server_unlink(op);
}

}  // namespace dcfuzz::model
