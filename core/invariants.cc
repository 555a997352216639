// The in-lookup rules of docs/model.md, checked over the whole cache at
// every scheduling decision. Reads plain state only (no rl::atomic).
#include "core/bug.h"
#include "core/kernel_state.h"

namespace dcfuzz::model {

namespace {

// Rule 2: an in-lookup dentry is negative, unhashed, referenced, and keeps
// its parent and name.
void check_in_lookup_dentry(const dentry* d) {
  const char* broken = nullptr;
  if (d->d_inode)
    broken = "in-lookup dentry positive";
  else if (d->d_hashed)
    broken = "in-lookup dentry hashed";
  else if (d->d_count < 1)
    broken = "in-lookup dentry unreferenced";
  else if (d->d_parent != d->lookup_parent || d->d_name != d->lookup_name)
    broken = "in-lookup dentry renamed";
  if (broken) invariant_violation(broken, d, "invariant check");
}

// v4 5/7 relaxes rule 1: d_duplicate's in-lookup copy may stand beside the
// hashed dentry it copied (until that one is moved away or the copy's
// lookup ends), which nobody else can add an in-lookup dentry beside.
bool duplicate_of(const dentry* in_lookup, const dentry* hashed) {
  return patches().duplicate && in_lookup->dup_of == hashed;
}

// Rules 1 and 5, for two dentries of the same parent and name.
void check_same_name(const dentry* a, const dentry* b) {
  const bool a_hashed = d_in_main_hash(a), b_hashed = d_in_main_hash(b);
  if (a->d_in_bucket && b->d_in_bucket)
    invariant_violation("two in-lookup dentries for one name", b, "invariant check");
  if ((a->d_in_bucket && b_hashed && !duplicate_of(a, b)) ||
      (b->d_in_bucket && a_hashed && !duplicate_of(b, a)))
    invariant_violation("in-lookup dentry beside a hashed one", a->d_in_bucket ? a : b,
                        "invariant check");
  if (a_hashed && b_hashed)
    invariant_violation("two hashed dentries for one name", b, "invariant check");
}

}  // namespace

void check_invariants() {
  // "directories can't have multiple aliases" (d_splice_alias's comment).
  for (const inode* in : kstate().inodes)
    if (in->dir && in->i_dentry.size() > 1)
      invariant_violation("directory inode with two aliases", in->i_dentry[1], "invariant check");
  const std::vector<dentry*>& ds = kstate().dentries;
  for (size_t i = 0; i < ds.size(); ++i) {
    const dentry* a = ds[i];
    if (a->d_in_bucket) check_in_lookup_dentry(a);
    if (!a->d_in_bucket && !d_in_main_hash(a)) continue;
    for (size_t j = i + 1; j < ds.size(); ++j) {
      const dentry* b = ds[j];
      if (b->d_parent == a->d_parent && b->d_name == a->d_name && !IS_ROOT(b))
        check_same_name(a, b);
    }
  }
}

}  // namespace dcfuzz::model
