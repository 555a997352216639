// fs/namei.c: the path walk and the lookups that create in-lookup dentries,
// and the system calls the thread programs make.
#pragma once

#include "core/dcache.h"

namespace dcfuzz::model {

struct PlanOp;

void inode_lock(inode* in, const char* function);
void inode_unlock(inode* in, const char* function);
void inode_lock_shared(inode* in, const char* function);
void inode_unlock_shared(inode* in, const char* function);

// Walks `count` components from the root: a referenced positive dentry or ERR_PTR.
dentry* walk_components(const int* names, int count);
dentry* lookup_fast(int name, dentry* dir);
dentry* lookup_slow(int name, dentry* dir, unsigned flags);
dentry* lookup_one_qstr_excl(int name, dentry* base, unsigned flags);
dentry* lookup_open(dentry* dir, int name);

// The system calls. Return 0 or -errno.
int sys_op(const PlanOp& op);
int do_rename(const PlanOp& op);

}  // namespace dcfuzz::model
