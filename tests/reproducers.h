// The shipped reproducers (corpus/regressions/), for tests parameterised
// over them.
#pragma once

#include <gtest/gtest.h>

#include <ostream>
#include <string>

namespace dcfuzz::testing {

inline constexpr const char* kLostWakeup = "BUG: lost wakeup in __d_move";
inline constexpr const char* kUnlockBalance = "WARNING: bad unlock balance detected!";

struct Reproducer {
  const char* file;  // in corpus/regressions/
  const char* title;
  bool move_bug;  // found where __d_move wakes the wrong dentry, else where d_add_ci is broken
};

inline constexpr Reproducer kReproducers[] = {
    {"wrong-waiter-alias-splice.textproto", kLostWakeup, true},
    {"add-ci-not-in-lookup.textproto", kUnlockBalance, false},
    {"add-ci-alloc-parallel-enomem.textproto", kUnlockBalance, false},
    {"add-ci-d-alloc-enomem.textproto", kUnlockBalance, false},
};

// Reproducers of the lock-drop faults of v4 7/7 (d_add_ci drops the parent
// lock), which the two posted fixes leave: their own kernel is v4-fixed, they
// reproduce on every variant of the series and never on mainline.
struct LockDropReproducer {
  const char* file;  // in corpus/regressions/
  const char* title;
};

inline constexpr const char* kHungInDWaitLookup = "INFO: task hung in d_wait_lookup";

inline constexpr LockDropReproducer kLockDropReproducers[] = {
    {"add-ci-relock-deadlock.textproto", kHungInDWaitLookup},
};

// Reproducers of bugs that need the series' next step ("lift"): each file
// records its switches; `fires_on` lists the kernels (--kernel spelling)
// where it finds `title`, `clean_on` those where it finds nothing.
struct LiftReproducer {
  const char* file;  // in corpus/regressions/
  const char* title;
  const char* fires_on[2];
  const char* clean_on[5];
};

inline constexpr LiftReproducer kLiftReproducers[] = {
    {"lift-wrong-waiter-rename-target.textproto",
     kLostWakeup,
     {"v4,+lift", "v4-fix-add-ci,+lift"},
     {"v4-fixed,+lift", "v4-fix-move,+lift", "mainline,+6/7,+7/7,+fix-add-ci,+lift", "v4",
      "mainline"}},
    {"lift-ci-mkdir-in-lookup.textproto",
     "WARNING in __d_instantiate",
     {"mainline,+6/7,+7/7,+fix-add-ci,+lift", "v4-fixed,+lift"},
     {"mainline", "v4-fixed", "v4", "v4-fix-move", "v4-fix-add-ci"}},
    {"lift-open-create-stale-negative.textproto",
     "BUG: dcache incoherent: stale negative dentry",
     {"mainline,+6/7,+7/7,+fix-add-ci,+lift", "v4-fixed,+lift"},
     {"mainline", "v4-fixed", "v4", "v4-fix-move", "v4-fix-add-ci"}},
    {"lift-ci-rename-duplicate-name.textproto",
     "WARNING in xfs_dir2_sf_addname",
     {"mainline,+6/7,+7/7,+fix-add-ci,+lift", "next"},
     {"mainline", "v4-fixed", "v4", "v4-all-fixed", "v4-fix-add-ci"}},
    {"lift-deaddir-unlocked.textproto",
     "BUG: wrong result: rename(...) = -ENOENT",
     {"v4,+lift", "v4-fixed,+lift"},
     {"mainline", "v4-fixed", "v4", "v4-fix-move", "v4-fix-add-ci"}},
    {"lift-unlink-after-rename.textproto",
     "BUG: wrong result: unlink(...) = 0",
     {"mainline,+6/7,+7/7,+fix-add-ci,+lift", "v4-fixed,+lift"},
     {"mainline", "v4-fixed", "v4", "v4-fix-move", "v4-fix-add-ci"}},
    {"lift-ci-self-rename.textproto",
     "BUG: wrong result: link(...) = -EPERM",
     {"mainline,+6/7,+7/7,+fix-add-ci,+lift", "v4-fixed,+lift"},
     {"mainline", "v4-fixed", "v4", "v4-fix-move", "v4-fix-add-ci"}},
    {"lift-rename-source-renamed.textproto",
     "BUG: wrong result: renameat2(..., RENAME_EXCHANGE) = 0",
     {"v4,+lift", "v4-fixed,+lift"},
     {"mainline", "v4-fixed", "v4", "v4-fix-move", "v4-fix-add-ci"}},
    {"lift-nfs-revalidate-duplicate.textproto",
     "BUG: dcache invariant: two in-lookup dentries for one name",
     {"mainline,+6/7,+7/7,+fix-add-ci,+lift", "v4-fixed,+lift"},
     {"mainline", "v4-fixed", "v4", "v4-all-fixed", "v4-fix-add-ci"}},
    {"lift-nfs-revalidate-rename-target.textproto",
     "BUG: dcache invariant: in-lookup dentry beside a hashed one",
     {"mainline,+6/7,+7/7,+fix-add-ci,+lift", "v4,+lift"},
     {"mainline", "v4-fixed", "v4", "v4-all-fixed", "v4-fix-add-ci"}},
};

// Reproducers of buckets of the README's "What it finds" table that no
// table above holds: each fires `title` on the kernels of `fires_on`
// (--kernel spelling) and nothing on those of `clean_on`; lists end at
// nullptr.
struct TableReproducer {
  const char* file;  // in corpus/regressions/
  const char* title;
  const char* fires_on[5];
  const char* clean_on[3];
};

inline constexpr TableReproducer kTableReproducers[] = {
    {"lock-drop-rmdir-abba-queued.textproto",
     "INFO: task hung in d_add_ci",
     {"v4", "v4-fix-move", "v4-fix-add-ci", "v4-fixed", nullptr},
     {"mainline", nullptr, nullptr}},
    {"lock-drop-exchange-stale-source.textproto",
     "BUG: wrong result: renameat2(..., RENAME_EXCHANGE) = -ENOENT",
     {"v4", "v4-fix-move", "v4-fix-add-ci", "v4-fixed", nullptr},
     {"mainline", nullptr, nullptr}},
    {"lock-drop-unalias-mkdir.textproto",
     "BUG: wrong result: mkdir(...) = 0",
     {"v4", "v4-fix-move", "v4-fix-add-ci", "v4-fixed", nullptr},
     {"mainline", nullptr, nullptr}},
    {"lock-drop-unalias-open-path.textproto",
     "BUG: wrong result: open(...) = 0",
     {"v4,-2/7", "v4-fix-move", "v4-fixed", nullptr, nullptr},
     {"mainline", nullptr, nullptr}},
    {"lock-drop-rmdir-abba-unlink.textproto",
     "INFO: task hung in do_unlinkat",
     {"v4", "v4-fix-move", "v4-fix-add-ci", "v4-fixed", nullptr},
     {"mainline", nullptr, nullptr}},
    {"lock-drop-rmdir-abba-rename.textproto",
     "INFO: task hung in lock_rename",
     {"v4", "v4-fix-move", "v4-fix-add-ci", "v4-fixed", nullptr},
     {"mainline", nullptr, nullptr}},
    {"lock-drop-double-rename-enoent.textproto",
     "BUG: wrong result: rename(...) = -ENOENT",
     {"v4", "v4-fix-move", "v4-fix-add-ci", "v4-fixed", nullptr},
     {"mainline", nullptr, nullptr}},
    {"lock-drop-double-rename-exchange.textproto",
     "BUG: wrong result: renameat2(..., RENAME_EXCHANGE) = 0",
     {"v4", "v4-fix-move", "v4-fix-add-ci", "v4-fixed", nullptr},
     {"mainline", nullptr, nullptr}},
    {"lock-drop-unalias-rename-einval.textproto",
     "BUG: wrong result: rename(...) = -EINVAL",
     {"v4", "v4-fix-move", "v4-fix-add-ci", "v4-fixed", nullptr},
     {"mainline", nullptr, nullptr}},
    {"lock-drop-unalias-unlink.textproto",
     "BUG: wrong result: unlink(...) = 0",
     {"v4", "v4-fix-move", "v4-fix-add-ci", "v4-fixed", nullptr},
     {"mainline", nullptr, nullptr}},
    {"duplicate-err-ptr.textproto",
     "BUG: unable to handle page fault in nfs_rename",
     {"mainline,+5/7", "v4-fixed,+3/7,+4/7,+5/7", nullptr, nullptr, nullptr},
     {"mainline", "v4-fixed", nullptr}},
};

// Names the parameter in test listings (the default prints its bytes).
inline void PrintTo(const Reproducer& r, std::ostream* os) { *os << r.file; }
inline void PrintTo(const LockDropReproducer& r, std::ostream* os) { *os << r.file; }
inline void PrintTo(const LiftReproducer& r, std::ostream* os) { *os << r.file; }
inline void PrintTo(const TableReproducer& r, std::ostream* os) { *os << r.file; }

// "wrong-waiter-alias-splice.textproto" -> "wrong_waiter_alias_splice".
inline std::string reproducer_test_name(const ::testing::TestParamInfo<Reproducer>& info) {
  std::string name = info.param.file;
  name = name.substr(0, name.find('.'));
  for (char& c : name) c = c == '-' ? '_' : c;
  return name;
}

inline std::string lift_test_name(const ::testing::TestParamInfo<LiftReproducer>& info) {
  std::string name = info.param.file;
  name = name.substr(0, name.find('.'));
  for (char& c : name) c = c == '-' ? '_' : c;
  return name;
}

inline std::string table_test_name(const ::testing::TestParamInfo<TableReproducer>& info) {
  std::string name = info.param.file;
  name = name.substr(0, name.find('.'));
  for (char& c : name) c = c == '-' ? '_' : c;
  return name;
}

inline std::string lock_drop_test_name(const ::testing::TestParamInfo<LockDropReproducer>& info) {
  std::string name = info.param.file;
  name = name.substr(0, name.find('.'));
  for (char& c : name) c = c == '-' ? '_' : c;
  return name;
}

}  // namespace dcfuzz::testing
