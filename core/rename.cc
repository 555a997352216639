// rename(2): do_renameat2, lock_rename and the checks vfs_rename makes.
#include "core/fs.h"
#include "core/kernel_state.h"
#include "core/namei.h"
#include "core/plan.h"

namespace dcfuzz::model {

namespace {

bool is_subdir(const dentry* d, const dentry* ancestor) {
  for (;; d = d->d_parent) {
    if (d == ancestor) return true;
    if (IS_ROOT(d)) return false;
  }
}

// Two directories: s_vfs_rename_mutex, then the ancestor first (else by
// inode number, where the kernel orders by address), annotated for lockdep
// as lock_two_directories does (I_MUTEX_PARENT, then I_MUTEX_PARENT2).
void lock_rename(dentry* p1, dentry* p2) {
  CALL_FRAME();
  if (p1 == p2) {
    inode_lock_nested(p1->d_inode, I_MUTEX_PARENT);
    return;
  }
  mutex_lock(&kstate().s_vfs_rename_mutex);
  bool p2_first =
      is_subdir(p1, p2) || (!is_subdir(p2, p1) && p2->d_inode->i_no < p1->d_inode->i_no);
  inode_lock_nested(p2_first ? p2->d_inode : p1->d_inode, I_MUTEX_PARENT);
  inode_lock_nested(p2_first ? p1->d_inode : p2->d_inode, I_MUTEX_PARENT2);
}

void unlock_rename(dentry* p1, dentry* p2) {
  CALL_FRAME();
  inode_unlock(p1->d_inode);
  if (p1 == p2) return;
  inode_unlock(p2->d_inode);
  mutex_unlock(&kstate().s_vfs_rename_mutex);
}

// do_renameat2's and vfs_rename's checks; 0 when the rename may go on.
int may_rename(dentry* old_d, dentry* new_d, dentry* old_parent, dentry* new_parent) {
  if (is_subdir(new_parent, old_d)) return -EINVAL;  // into itself
  inode* target = new_d->d_inode;
  if (!target) return 0;
  if (is_subdir(old_parent, new_d)) return -ENOTEMPTY;  // over an ancestor of the source
  if (old_d->d_inode->dir && !target->dir) return -ENOTDIR;
  if (!old_d->d_inode->dir && target->dir) return -EISDIR;
  return 0;
}

// vfs_rename from the target's lock on: a directory target is locked, found
// not empty by the filesystem (simple_rename, xfs_rename), and once
// replaced marked S_DEAD, so that nothing is created in it any more.
int vfs_rename(inode* old_dir, dentry* old_d, inode* new_dir, dentry* new_d) {
  inode* target = new_d->d_inode;
  const bool lock_target = target && target->dir;
  // nfs: the server checks and replaces what the target's name has now.
  const bool server = kstate().plan->scenario.fs == FsKind::nfs;
  if (lock_target) inode_lock(target);
  int err = lock_target && !server && !target->entries.empty() ? -ENOTEMPTY : 0;
  if (!err) err = fs_rename(old_dir, old_d, new_dir, new_d);
  if (!err && lock_target && !server) target->dead = true;
  if (!err) d_move(old_d, new_d);
  if (lock_target) inode_unlock(target);
  return err;
}

int rename_locked(const PlanOp& op, dentry* p1, dentry* p2) {
  dentry* old_d = lookup_one_qstr_excl(op.path.back(), p1, 0);
  if (IS_ERR(old_d)) return int(PTR_ERR(old_d));
  dentry* new_d = lookup_one_qstr_excl(op.path2.back(), p2, LOOKUP_RENAME_TARGET | LOOKUP_CREATE);
  if (IS_ERR(new_d)) {
    dput(old_d);
    return int(PTR_ERR(new_d));
  }
  int err = old_d == new_d ? 0 : may_rename(old_d, new_d, p1, p2);
  if (!err && old_d != new_d) err = vfs_rename(p1->d_inode, old_d, p2->d_inode, new_d);
  dput(new_d);
  dput(old_d);
  return err;
}

}  // namespace

int do_rename(const PlanOp& op) {
  CALL_FRAME();
  if (op.path2.empty()) return -EBUSY;
  dentry* p1 = walk_parent(op.path);  // filename_parentat: ENOTDIR before the second walk
  if (IS_ERR(p1)) return int(PTR_ERR(p1));
  dentry* p2 = walk_parent(op.path2);
  if (IS_ERR(p2)) {
    dput(p1);
    return int(PTR_ERR(p2));
  }
  lock_rename(p1, p2);
  int err = rename_locked(op, p1, p2);
  unlock_rename(p1, p2);
  dput(p2);
  dput(p1);
  return err;
}

}  // namespace dcfuzz::model
