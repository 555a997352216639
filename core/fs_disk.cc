// The model filesystems' disk: directory contents, and the inode operations
// every kind shares (create, unlink, rename) plus the ->lookup dispatch.
#include "core/coherence.h"
#include "core/fs.h"
#include "core/kernel_state.h"
#include "core/plan.h"

namespace dcfuzz::model {

namespace {

// Race detection: the contents are only read or written under i_rwsem.
void disk_read(inode* dir) { (void)int(dir->i_contents($)); }
void disk_write(inode* dir) {
  dir->i_contents($) = int(dir->i_contents($)) + 1;
  note_disk_change(dir);
}

// xfs and the nfs server find the names in their own directories (ramfs has
// none but the dcache): a name the dentry no longer matches is -ENOENT
// (xfs_dir_removename; xfs would call a wrong inode corruption).
bool on_disk_as_cached(inode* dir, const dentry* d) {
  if (kstate().plan->scenario.fs == FsKind::plain) return true;
  DirEntry* e = disk_find(dir, d->d_name);
  return e && e->inode == d->d_inode;
}

}  // namespace

DirEntry* disk_find(inode* dir, int name) {
  disk_read(dir);
  for (DirEntry& e : dir->entries)
    if (e.name == name) return &e;
  return nullptr;
}

DirEntry* disk_find_ci(inode* dir, int name) {
  disk_read(dir);
  const std::vector<int>& folded = kstate().plan->folded;
  for (DirEntry& e : dir->entries)
    if (folded[size_t(e.name)] == folded[size_t(name)]) return &e;
  return nullptr;
}

void disk_add(inode* dir, int name, inode* in) {
  disk_write(dir);
  dir->entries.push_back(DirEntry{name, in});
}

void disk_remove(inode* dir, int name) {
  disk_write(dir);
  std::vector<DirEntry>& es = dir->entries;
  es.erase(
      std::remove_if(es.begin(), es.end(), [name](const DirEntry& e) { return e.name == name; }),
      es.end());
}

// Inodes live until the execution ends (no eviction in the model).
inode* new_inode(inode* dir, int name, bool is_dir) {
  KernelState& v = kstate();
  inode* in = new inode;
  in->i_no = v.next_inode++;
  in->dir = is_dir;
  if (!dir) {
    snprintf(in->path, sizeof in->path, "/");
  } else {
    snprintf(in->path, sizeof in->path, "%s/%s", dir->i_no == 0 ? "" : dir->path, name_str(name));
  }
  in->i_rwsem.meta = LockMeta{iref(Obj::i_rwsem, in), LockRank::i_rwsem};
  in->i_dir_seq.ref = iref(Obj::i_dir_seq, in);
  v.inodes.push_back(in);
  if (dir) disk_add(dir, name, in);
  return in;
}

dentry* fs_lookup(inode* dir, dentry* d, unsigned flags) {
  trace(EventKind::other, "lookup", dref(Obj::dentry, d), "->lookup");  // the filesystem's i_op
  switch (kstate().plan->scenario.fs) {
    case FsKind::plain:
      return plain_lookup(dir, d, flags);
    case FsKind::nfs:
      return nfs_lookup(dir, d, flags);
    case FsKind::case_insensitive:
      return ci_lookup(dir, d, flags);
  }
  return nullptr;
}

// vfs_create / vfs_mkdir. A dentry the lookup left unhashed is added now.
int fs_create(inode* dir, dentry* d, bool is_dir) {
  if (dir->dead) return -ENOENT;                   // may_create: IS_DEADDIR
  if (disk_find(dir, d->d_name)) return -EEXIST;  // nfs: the server's answer
  inode* in = new_inode(dir, d->d_name, is_dir);
  in->slot = created_slot();
  if (d_unhashed(d)) {
    d_add(d, in);
  } else if (kstate().plan->options.selftest_incoherence !=
             SelftestIncoherence::create_keeps_negative) {
    d_instantiate(d, in);
  }
  return 0;
}

// xfs_vn_unlink: in ascii-ci mode the dentry is unhashed, not left negative
// (a negative dentry would hide the name in any other case).
int fs_unlink(inode* dir, dentry* d) {
  if (!on_disk_as_cached(dir, d)) return -ENOENT;
  disk_remove(dir, d->d_name);
  if (kstate().plan->scenario.fs == FsKind::case_insensitive) d_invalidate(d);
  return 0;
}

int fs_rename(inode* old_dir, dentry* old_d, inode* new_dir, dentry* new_d) {
  inode* in = old_d->d_inode;
  const FsKind fs = kstate().plan->scenario.fs;
  if (!on_disk_as_cached(old_dir, old_d)) return -ENOENT;
  if (new_d->d_inode && !on_disk_as_cached(new_dir, new_d)) return -ENOENT;
  if (fs != FsKind::plain && !new_d->d_inode) {
    if (DirEntry* e = disk_find(new_dir, new_d->d_name)) {
      // xfs_dir_createname finds the name taken; the nfs server, which was
      // not asked (LOOKUP_RENAME_TARGET), replaces it after its checks.
      if (fs == FsKind::case_insensitive) return -EEXIST;
      if (in->dir && !e->inode->dir) return -ENOTDIR;
      if (!in->dir && e->inode->dir) return -EISDIR;
      if (e->inode->dir && !e->inode->entries.empty()) return -ENOTEMPTY;
    }
  }
  disk_remove(old_dir, old_d->d_name);
  disk_remove(new_dir, new_d->d_name);  // nfs may not have looked the target up
  disk_add(new_dir, new_d->d_name, in);
  return 0;
}

}  // namespace dcfuzz::model
