// fs/namei.c: the path walk and the lookups that create in-lookup dentries,
// and the system calls the thread programs make.
#pragma once

#include "core/dcache.h"

namespace dcfuzz::model {

struct PlanOp;

// include/linux/fs.h: i_rwsem, taken in the caller's name (see locking.h).
inline void inode_lock(inode* in, const char* caller = __builtin_FUNCTION()) {
  down_write(&in->i_rwsem, "inode_lock", caller);
}
inline void inode_lock_nested(inode* in, int subclass, const char* caller = __builtin_FUNCTION()) {
  down_write_nested(&in->i_rwsem, subclass, "inode_lock_nested", caller);
}
inline void inode_unlock(inode* in, const char* caller = __builtin_FUNCTION()) {
  up_write(&in->i_rwsem, "inode_unlock", caller);
}
inline void inode_lock_shared(inode* in, const char* caller = __builtin_FUNCTION()) {
  down_read(&in->i_rwsem, "inode_lock_shared", caller);
}
inline bool inode_trylock_shared(inode* in, const char* caller = __builtin_FUNCTION()) {
  return down_read_trylock(&in->i_rwsem, "inode_trylock_shared", caller);
}
inline void inode_unlock_shared(inode* in, const char* caller = __builtin_FUNCTION()) {
  up_read(&in->i_rwsem, "inode_unlock_shared", caller);
}

// Walks `count` components from the root: a referenced positive dentry or
// ERR_PTR. kernel: path_lookupat (link_path_walk, a walk_component per name).
dentry* walk_components(const int* names, int count);
// The parent of a path's last component: a directory, or ERR_PTR.
dentry* walk_parent(const std::vector<int>& path);
dentry* lookup_fast(int name, dentry* dir);
dentry* lookup_slow(int name, dentry* dir, unsigned flags);
dentry* lookup_one_qstr_excl(int name, dentry* base, unsigned flags);
dentry* lookup_one_qstr(int name, dentry* base, unsigned flags, wait_queue_head* wq);
dentry* lookup_open(dentry* dir, int name, bool o_creat);

// The system calls. Return 0 or -errno; *got: the inode a stat or an open
// got (for the result oracle), else left alone. kernel: the syscall entry
// of each op (the model's one entry point for all of them).
int sys_op(const PlanOp& op, inode** got);
int do_rename(const PlanOp& op);  // rename and rename_exchange (renameat2's RENAME_EXCHANGE)
// may_delete: may `victim` (a directory if `isdir`) go from `dir`? 0 or -errno.
int may_delete(inode* dir, dentry* victim, bool isdir);

}  // namespace dcfuzz::model
