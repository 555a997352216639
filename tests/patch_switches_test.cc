// The patch switches of core/patches.def: --kernel's syntax and its refusals,
// the rows that name the variants, how a schedule records its switches (old
// schedules unchanged), each modelled switch changing an outcome, and the
// mutator, random_scenario and the minimizer reaching and dropping them.
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "core/model.h"
#include "fuzz/mutator.h"
#include "fuzz/target.h"
#include "reports/report.h"
#include "schedules/minimize.h"
#include "schedules/model_enums.h"
#include "schedules/normalize.h"
#include "schedules/random_scenario.h"
#include "schedules/relacy_search.h"
#include "schedules/replay.h"
#include "schedules/run.h"
#include "schedules/schedule_io.h"
#include "tests/model_replay.h"
#include "tests/run_binary.h"
#include "tests/schedule_text.h"

namespace dcfuzz {
namespace {

PatchSet bits(std::initializer_list<Patch> patches) {
  PatchSet out = 0;
  for (Patch p : patches) out |= patch_bit(p);
  return out;
}

// --kernel's value on a schedule, as `dcfuzz replay --kernel` applies it.
pb::Schedule with_kernel(pb::Schedule s, const std::string& kernel) {
  pb::Kernel variant;
  PatchSet switches = 0;
  std::string error;
  EXPECT_TRUE(parse_kernel(kernel, &variant, &switches, nullptr, &error))
      << kernel << ": " << error;
  set_kernel(s.mutable_scenario(), variant, switches);
  return s;
}

pb::Schedule regression(const std::string& name) {
  pb::Schedule s;
  std::string error;
  EXPECT_TRUE(load_schedule(testing::source_path("corpus/regressions/" + name), &s, &error))
      << error;
  return s;
}

std::string title_on(const pb::Schedule& s, const std::string& kernel) {
  Execution e = run_schedule(with_kernel(s, kernel));
  return e.found ? e.title : "";
}

std::string parse_error(const std::string& text, PatchSet* free = nullptr) {
  Kernel variant;
  PatchSet switches;
  std::string error;
  EXPECT_FALSE(parse_kernel(text, &variant, &switches, free, &error)) << text;
  return error;
}

// ---- the table and --kernel ----

// The rows give exactly the code paths the variants had before the table.
TEST(PatchSwitches, VariantRowsSelectTheVariantsCodePaths) {
  struct Want {
    Kernel k;
    bool var, move_bug, drops, early_bug, shared;
  };
  const Want want[] = {{Kernel::mainline, false, false, false, false, false},
                       {Kernel::v4, true, true, true, true, true},
                       {Kernel::v4_fixed, true, false, true, false, true},
                       {Kernel::v4_fix_move, true, false, true, true, true},
                       {Kernel::v4_fix_add_ci, true, true, true, false, true}};
  ASSERT_EQ(kVariantCount, 5);
  for (const Want& w : want) {
    const Patches p = patches_for(variant_info(w.k).switches);
    EXPECT_EQ(p.wait_var_event, w.var) << kernel_name(w.k);
    EXPECT_EQ(p.move_wakes_dentry, w.move_bug) << kernel_name(w.k);
    EXPECT_EQ(p.add_ci_drops_lock, w.drops) << kernel_name(w.k);
    EXPECT_EQ(p.add_ci_early_return_unlocked, w.early_bug) << kernel_name(w.k);
    EXPECT_EQ(p.lookup_shared, w.shared) << kernel_name(w.k);
  }
}

TEST(PatchSwitches, SpellingRoundTrips) {
  for (const char* text :
       {"mainline", "v4", "v4-fixed", "v4-fix-move", "v4-fix-add-ci", "v4-fixed,-7/7",
        "mainline,+2/7", "v4,+fix-move,-7/7", "mainline,+6/7,+7/7,+fix-add-ci"}) {
    Kernel variant;
    PatchSet switches;
    std::string error;
    ASSERT_TRUE(parse_kernel(text, &variant, &switches, nullptr, &error)) << text << error;
    EXPECT_EQ(kernel_spelling(variant, switches), text);
  }
  Kernel variant;
  PatchSet switches;
  std::string error;
  // Order and redundant edits do not matter; the spelling is canonical.
  ASSERT_TRUE(parse_kernel("v4,-7/7,+fix-move,+2/7", &variant, &switches, nullptr, &error));
  EXPECT_EQ(kernel_spelling(variant, switches), "v4,+fix-move,-7/7");
  ASSERT_TRUE(parse_kernel("v4-fixed,-7/7", &variant, &switches, nullptr, &error));
  EXPECT_EQ(switches, bits({Patch::wait_var_event, Patch::fix_move, Patch::lookup_shared,
                            Patch::fix_add_ci}));
}

// A composed name is its base variant with its switches; the spelling takes
// whichever name needs the fewest +/- items.
TEST(PatchSwitches, ComposedNamesParseToTheirBaseAndSwitches) {
  const PatchSet series =
      bits({Patch::wait_var_event, Patch::splice_in_lookup, Patch::alloc_noblock, Patch::duplicate,
            Patch::lookup_shared, Patch::add_ci_drops_lock});
  const PatchSet fixes = bits({Patch::fix_move, Patch::fix_add_ci});
  struct Want {
    const char* text;
    Kernel variant;
    PatchSet switches;
    const char* spelling;
  };
  const Want want[] = {
      {"v4-all", Kernel::v4, series, "v4-all"},
      {"v4,+3/7,+4/7,+5/7", Kernel::v4, series, "v4-all"},
      {"v4-all,-5/7", Kernel::v4, series & ~patch_bit(Patch::duplicate), "v4-all,-5/7"},
      {"v4-all-fixed", Kernel::v4_fixed, series | fixes, "v4-all-fixed"},
      {"next", Kernel::v4_fixed, series | fixes | patch_bit(Patch::lift), "next"},
      {"next,-lift", Kernel::v4_fixed, series | fixes, "v4-all-fixed"},
      {"v4-all,-3/7,-4/7,-5/7", Kernel::v4, variant_info(Kernel::v4).switches, "v4"},
      {"v4-fixed,+lift", Kernel::v4_fixed,
       variant_info(Kernel::v4_fixed).switches | patch_bit(Patch::lift), "v4-fixed,+lift"},
  };
  for (const Want& w : want) {
    Kernel variant;
    PatchSet switches;
    std::string error;
    ASSERT_TRUE(parse_kernel(w.text, &variant, &switches, nullptr, &error)) << w.text << error;
    EXPECT_EQ(variant, w.variant) << w.text;
    EXPECT_EQ(switches, w.switches) << w.text;
    EXPECT_EQ(kernel_spelling(variant, switches), w.spelling) << w.text;
  }
  // No composed name hides a variant's.
  for (int c = 0; c < kComposedCount; ++c)
    for (int v = 0; v < kVariantCount; ++v)
      EXPECT_STRNE(composed_info(c).name, variant_info(Kernel(v)).name);
  EXPECT_NE(parse_error("v4-all,+lift,-6/7").find("needs 6/7"), std::string::npos);
}

TEST(PatchSwitches, BadKernelsAreRefusedWithOneLine) {
  EXPECT_EQ(parse_error("v5"),
            "unknown kernel variant 'v5' (one of mainline, v4, v4-fixed, v4-fix-move, "
            "v4-fix-add-ci, v4-all, v4-all-fixed, next)");
  EXPECT_EQ(parse_error(""), parse_error("") /* no crash */);
  EXPECT_NE(parse_error("v4,+8/7").find("unknown switch '8/7'"), std::string::npos);
  EXPECT_NE(parse_error("v4,7/7").find("'7/7' is not +SWITCH or -SWITCH"), std::string::npos);
  EXPECT_NE(parse_error("v4,").find("'' is not +SWITCH"), std::string::npos);
  EXPECT_NE(parse_error("v4,,-7/7").find("'' is not +SWITCH"), std::string::npos);
  EXPECT_NE(parse_error("v4,+2/7,-2/7").find("switch 2/7 named twice"), std::string::npos);
  EXPECT_NE(parse_error("v4,-6/7").find("switch 7/7 needs 6/7"), std::string::npos);
  EXPECT_NE(parse_error("mainline,+7/7").find("switch 7/7 needs 6/7"), std::string::npos);
  EXPECT_NE(parse_error("v4,~7/7").find("is not +SWITCH or -SWITCH"), std::string::npos);
  // Every switch marked not modelled in the table (none at present).
  std::vector<std::string> unmodelled_names;
  for (int i = 0; i < kPatchCount; ++i)
    if (!patch_info(Patch(i)).modelled) unmodelled_names.push_back(patch_info(Patch(i)).name);
  for (const std::string& p : unmodelled_names) {
    const std::string error = parse_error(std::string("v4,+") + p);
    EXPECT_NE(error.find(std::string("switch ") + p), std::string::npos) << error;
    EXPECT_NE(error.find("not modelled yet"), std::string::npos) << error;
    EXPECT_EQ(error.find('\n'), std::string::npos);
  }
  PatchSet free = 0;
  EXPECT_NE(parse_error("mainline,~7/7", &free).find("7/7 needs 6/7"), std::string::npos);
}

// Removing a switch that is not modelled is what every kernel does already.
TEST(PatchSwitches, UnmodelledSwitchesAreOffEverywhere) {
  PatchSet unmodelled = 0;
  for (int i = 0; i < kPatchCount; ++i)
    if (!patch_info(Patch(i)).modelled) unmodelled |= patch_bit(Patch(i));
  EXPECT_EQ(modelled_switches() & unmodelled, 0u);
  for (int v = 0; v < kVariantCount; ++v)
    EXPECT_EQ(variant_info(Kernel(v)).switches & unmodelled, 0u);
  EXPECT_EQ(fold_switches(unmodelled | patch_bit(Patch::wait_var_event)),
            patch_bit(Patch::wait_var_event));
  Kernel variant;
  PatchSet switches;
  std::string error;
  EXPECT_TRUE(parse_kernel("v4,-4/7", &variant, &switches, nullptr, &error)) << error;
}

TEST(PatchSwitches, FreeSwitchesForCampaigns) {
  Kernel variant;
  PatchSet switches, free = 0;
  std::string error;
  ASSERT_TRUE(parse_kernel("v4-fixed,~7/7,~fix-move", &variant, &switches, &free, &error)) << error;
  EXPECT_EQ(switches, variant_info(Kernel::v4_fixed).switches);
  EXPECT_EQ(free, bits({Patch::fix_move, Patch::add_ci_drops_lock}));
  EXPECT_EQ(kernel_spelling(variant, switches, free), "v4-fixed,~fix-move,~7/7");
}

// ---- schedules ----

TEST(PatchSwitches, OldSchedulesKeepTheirVariantsRow) {
  for (const char* name :
       {"wrong-waiter-alias-splice.textproto", "add-ci-not-in-lookup.textproto"}) {
    pb::Schedule s = regression(name);
    EXPECT_FALSE(s.scenario().has_switches());
    EXPECT_EQ(switches_of(s.scenario()), variant_info(Kernel::v4).switches);
    EXPECT_EQ(kernel_spelling(s.scenario()), "v4");
    const std::string before = s.SerializeAsString();
    normalize(&s);
    EXPECT_EQ(s.SerializeAsString(), before);
  }
}

TEST(PatchSwitches, RecordedSwitchesAreNormalised) {
  pb::Schedule s = testing::parse_text(R"(
    scenario { kernel: V4_FIXED
      switches { on: "7/7" on: "2/7" on: "bogus" on: "2/7" on: "fix-add-ci" }
      threads { ops { path: "a" } } })");
  normalize(&s);
  // "bogus" and the duplicate go; 7/7 without 6/7 goes,
  // and fix-add-ci stays (it changes nothing without 7/7).
  EXPECT_EQ(switches_of(s.scenario()), bits({Patch::wait_var_event, Patch::fix_add_ci}));
  ASSERT_EQ(s.scenario().switches().on_size(), 2);
  EXPECT_EQ(s.scenario().switches().on(0), "2/7");
  EXPECT_EQ(s.scenario().switches().on(1), "fix-add-ci");
  EXPECT_EQ(kernel_spelling(s.scenario()), "v4-fixed,-fix-move,-6/7,-7/7");
  // A recorded set equal to the row is the row: not recorded.
  pb::Schedule row = testing::parse_text(R"(
    scenario { kernel: V4 switches { on: "6/7" on: "2/7" on: "7/7" } })");
  normalize(&row);
  EXPECT_FALSE(row.scenario().has_switches());
  // An empty recorded set is a kernel without patches.
  pb::Schedule none = testing::parse_text("scenario { kernel: V4 switches { } }");
  normalize(&none);
  EXPECT_TRUE(none.scenario().has_switches());
  EXPECT_EQ(switches_of(none.scenario()), 0u);
  EXPECT_EQ(kernel_spelling(none.scenario()), "v4,-2/7,-6/7,-7/7");
}

TEST(PatchSwitches, TheRecordedSetIsWhatRunsAndWhatTheReportNames) {
  pb::Schedule s = with_kernel(regression("wrong-waiter-alias-splice.textproto"), "mainline,+2/7");
  const std::string text = to_text(s);
  EXPECT_EQ(s.scenario().kernel(), pb::MAINLINE);
  EXPECT_NE(text.find("on: \"2/7\""), std::string::npos) << text;
  pb::Schedule back;
  std::string error;
  ASSERT_TRUE(parse_schedule(text, &back, &error)) << error;
  Execution e = run_schedule_traced(back);
  ASSERT_TRUE(e.found);
  const std::string report = format_report(canonical_schedule(back, e), e);
  EXPECT_NE(report.find("kernel:     mainline,+2/7 (switches on: 2/7)\n"), std::string::npos)
      << report;
  const std::string old =
      format_report(regression("wrong-waiter-alias-splice.textproto"),
                    run_schedule_traced(regression("wrong-waiter-alias-splice.textproto")));
  EXPECT_NE(old.find("kernel:     v4 (2/7, 6/7 and 7/7 as posted: both bugs)\n"),
            std::string::npos);
}

TEST(PatchSwitches, AFilesDroppedSwitchesAreNoted) {
  const std::string file = testing::write_temp(
      "switches.textproto", "scenario { switches { on: \"7/7\" on: \"b\\001d\" on: \"2/7\" } }");
  auto o = testing::run_dcfuzz("replay " + file);
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_NE(o.err.find("switch '7/7' needs 6/7, dropped; switch 'b?d' unknown, dropped\n"),
            std::string::npos)
      << o.err;
  EXPECT_EQ(testing::count_lines(o.err), 1u) << o.err;
  EXPECT_NE(o.out.find("kernel:     mainline,+2/7"), std::string::npos) << o.out;
}

// ---- each modelled switch changes an outcome ----

constexpr const char* kLostWakeup = "BUG: lost wakeup in __d_move";
constexpr const char* kBadUnlock = "WARNING: bad unlock balance detected!";

TEST(PatchSwitches, TwoOfSevenBringsTheWrongWaiter) {
  const pb::Schedule s = regression("wrong-waiter-alias-splice.textproto");
  EXPECT_EQ(title_on(s, "mainline"), "");
  EXPECT_EQ(title_on(s, "mainline,+2/7"), kLostWakeup);
  EXPECT_EQ(title_on(s, "v4"), kLostWakeup);
  EXPECT_EQ(title_on(s, "v4,-2/7"), "");
}

TEST(PatchSwitches, FixMoveRemovesTheWrongWaiter) {
  const pb::Schedule s = regression("wrong-waiter-alias-splice.textproto");
  EXPECT_EQ(title_on(s, "v4,+fix-move"), "");
  EXPECT_EQ(title_on(s, "v4-fixed,-fix-move"), kLostWakeup);
  EXPECT_EQ(title_on(s, "mainline,+fix-move"), "");  // nothing to fix without 2/7
}

TEST(PatchSwitches, SevenOfSevenBringsTheUnlockedEarlyReturns) {
  for (const char* name : {"add-ci-alloc-parallel-enomem.textproto",
                           "add-ci-d-alloc-enomem.textproto", "add-ci-not-in-lookup.textproto"}) {
    const pb::Schedule s = regression(name);
    EXPECT_EQ(title_on(s, "v4"), kBadUnlock) << name;
    EXPECT_EQ(title_on(s, "v4,-7/7"), "") << name;
    EXPECT_EQ(title_on(s, "mainline,+6/7,+7/7"), kBadUnlock) << name;
    EXPECT_EQ(title_on(s, "mainline,+6/7"), "") << name;
  }
}

TEST(PatchSwitches, FixAddCiRelocksOnEveryReturn) {
  for (const char* name : {"add-ci-alloc-parallel-enomem.textproto",
                           "add-ci-d-alloc-enomem.textproto", "add-ci-not-in-lookup.textproto"}) {
    const pb::Schedule s = regression(name);
    EXPECT_EQ(title_on(s, "v4,+fix-add-ci"), "") << name;
    EXPECT_EQ(title_on(s, "v4-fixed,-fix-add-ci"), kBadUnlock) << name;
  }
}

// The lock drop of 7/7 itself (not its early returns): v4-fixed deadlocks
// in d_wait_lookup, v4-fixed without 7/7 does not.
TEST(PatchSwitches, SevenOfSevensLockDropDeadlocks) {
  const pb::Schedule s = regression("add-ci-relock-deadlock.textproto");
  EXPECT_EQ(title_on(s, "v4-fixed"), "INFO: task hung in d_wait_lookup");
  EXPECT_EQ(title_on(s, "mainline,+6/7,+7/7"), "INFO: task hung in d_wait_lookup");
  EXPECT_EQ(title_on(s, "v4-fixed,-7/7"), "");
}

// Every context-bounded interleaving (2 preemptions) of `s` on `kernel`:
// the first finding's title, "" if none.
std::string any_title(const pb::Schedule& s, const std::string& kernel,
                      const ModelOptions& options = {}) {
  const pb::Schedule k = with_kernel(s, kernel);
  auto program = make_dcache_program(to_scenario(k.scenario()), options);
  SearchResult r = relacy_search(*program, k, SearchKind::context_bound, 2, 200000);
  EXPECT_TRUE(r.found || r.complete) << kernel << ": " << r.executions;
  return r.found ? r.execution.title : "";
}

// The events of `thread` (0-based) as "function what object" lines.
std::string events_of(const Execution& e, int thread) {
  std::string out;
  for (const TraceEvent& ev : e.trace)
    if (ev.thread == thread) out += ev.function + " " + ev.what + " " + ev.object + "\n";
  return out;
}

// v4 3/7 lets d_splice_alias (and d_add) take a hashed negative dentry: its
// BUG_ON(!d_unhashed(dentry)) becomes BUG_ON(d_really_is_positive(dentry)),
// and __d_add leaves a hashed dentry where it is. An in-lookup dentry is
// d_unhashed, so mainline takes ->lookup's dentries already. No caller in the
// series' seven patches passes a hashed one: 7/7's d_add_ci splices a dentry
// fresh from d_alloc or d_alloc_parallel, ->lookup's own is in lookup. So the
// composed kernels' outcomes are the same with and without it (second half);
// the difference needs a caller that splices a hashed dentry, as 3/7's
// vfs.rst hunk tells ->mkdir to (no d_drop first): the model's filesystem
// does that with ModelOptions::create_splices. creat("a") after its lookup
// left a hashed negative dentry is then mainline's kernel BUG, and with 3/7
// the dentry is instantiated in place (stat and open find the new inode,
// which the result oracle checks).
TEST(PatchSwitches, ThreeOfSevenSplicesAHashedNegativeDentry) {
  const pb::Schedule s = testing::parse_normalized(R"(
    scenario { kernel: MAINLINE
      threads { ops { op: CREATE path: "a" } ops { op: LOOKUP path: "a" }
                ops { op: OPEN path: "a" } } })");
  ModelOptions splices;
  splices.create_splices = true;
  const Execution bug = testing::replay_traced(s, splices);
  ASSERT_TRUE(bug.found);
  EXPECT_EQ(bug.title, "kernel BUG in d_splice_alias");
  EXPECT_NE(bug.details.find("BUG_ON: !d_unhashed(dentry)"), std::string::npos) << bug.details;
  for (const char* kernel : {"mainline,+3/7", "v4-fixed,+3/7"}) {
    const Execution e = testing::replay_traced(with_kernel(s, kernel), splices);
    EXPECT_FALSE(e.found) << kernel << ": " << e.title << "\n" << e.details;
    // Hashed once (its negative lookup), never unhashed, instantiated in place.
    const std::string events = events_of(e, 0);
    EXPECT_EQ(events.find("unhash dentry /a"), std::string::npos) << events;
    const size_t hashed = events.find("hash dentry /a");
    ASSERT_NE(hashed, std::string::npos) << events;
    EXPECT_EQ(events.find("hash dentry /a", hashed + 1), std::string::npos) << events;
  }
  EXPECT_EQ(title_on(s, "v4-fixed,+3/7"), "");
  // A positive dentry is still refused, under 3/7's own check: a ->lookup
  // that splices the inode of "f" twice.
  const pb::Schedule f = testing::parse_normalized(R"(
    scenario { kernel: MAINLINE tree { name: "f" } threads { ops { op: LOOKUP path: "f" } } })");
  ModelOptions twice;
  twice.selftest_fs_bug = FsSelftestBug::lookup_splices_twice;
  const Execution positive = testing::replay_traced(with_kernel(f, "mainline,+3/7"), twice);
  ASSERT_TRUE(positive.found);
  EXPECT_NE(positive.details.find("BUG_ON: d_really_is_positive(dentry)"), std::string::npos)
      << positive.details;
}

// Without such a caller, 3/7 changes no outcome: every reproducer gives the
// same title with and without it.
TEST(PatchSwitches, ThreeOfSevenChangesNoOutcomeOfTheSeriesCallers) {
  for (const char* name : {"wrong-waiter-alias-splice.textproto", "add-ci-not-in-lookup.textproto",
                           "add-ci-relock-deadlock.textproto", "add-ci-d-alloc-enomem.textproto"}) {
    const pb::Schedule s = regression(name);
    for (const char* kernel : {"mainline", "v4", "v4-fixed"}) {
      EXPECT_EQ(title_on(s, std::string(kernel) + ",+3/7"), title_on(s, kernel))
          << name << " " << kernel;
    }
  }
}

// v4 6/7's lookup_open hunk: open without O_CREAT holds the parent shared and
// says so (LOOKUP_SHARED); with O_CREAT it holds it exclusive and does not.
// Only 7/7's d_add_ci reads the flag (xfs_vn_ci_lookup passes it on): it
// drops and re-takes the parent as held. On a case-insensitive filesystem
// open("B") finds "b" through d_add_ci; under v4-fixed its lock drop is
// shared, open("B", O_CREAT)'s exclusive, and no interleaving of either
// against a stat of "b" is a bad unlock balance (d_add_ci unlocking a lock
// held the other way would be). Without 6/7 (mainline) nothing reads it.
TEST(PatchSwitches, SixOfSevenTellsDAddCiHowOpenHoldsTheParent) {
  const char* kOpen = R"(
    scenario { kernel: V4_FIXED fs: CASE_INSENSITIVE tree { name: "b" }
      threads { ops { op: %s path: "B" } } threads { ops { op: LOOKUP path: "b" } } })";
  char text[400];
  snprintf(text, sizeof text, kOpen, "OPEN");
  const pb::Schedule open = testing::parse_normalized(text);
  snprintf(text, sizeof text, kOpen, "OPEN_CREATE");
  const pb::Schedule creat = testing::parse_normalized(text);
  const Execution shared = testing::replay_traced(open);
  EXPECT_FALSE(shared.found) << shared.title << "\n" << shared.details;
  const std::string se = events_of(shared, 0);
  EXPECT_NE(se.find("d_add_ci inode_unlock_shared"), std::string::npos) << se;
  EXPECT_NE(se.find("d_add_ci inode_lock_shared"), std::string::npos) << se;
  const Execution exclusive = testing::replay_traced(creat);
  EXPECT_FALSE(exclusive.found) << exclusive.title << "\n" << exclusive.details;
  const std::string ee = events_of(exclusive, 0);
  EXPECT_NE(ee.find("d_add_ci inode_unlock "), std::string::npos) << ee;
  EXPECT_EQ(ee.find("d_add_ci inode_unlock_shared"), std::string::npos) << ee;
  for (const pb::Schedule* s : {&open, &creat}) {
    EXPECT_NE(any_title(*s, "v4-fixed"), kBadUnlock);
    EXPECT_EQ(any_title(*s, "mainline"), "");
    EXPECT_EQ(any_title(*s, "mainline,+6/7"), "");
  }
  EXPECT_EQ(
      events_of(testing::replay_traced(with_kernel(open, "mainline")), 0).find("d_add_ci inode_"),
      std::string::npos);
}

// The open op itself makes no finding on mainline: on each filesystem, an
// open of a name that a rename, an unlink and a create change around it,
// every interleaving to 2 preemptions (the result oracle checks each open's
// result against the sequential filesystem).
TEST(PatchSwitches, OpenWithoutCreatExploresCleanOnMainline) {
  for (const char* fs : {"PLAIN", "NFS", "CASE_INSENSITIVE"}) {
    char text[600];
    snprintf(text, sizeof text, R"(
      scenario { kernel: MAINLINE fs: %s tree { name: "d" dir: true }
        tree { name: "f" parent: 1 }
        threads { ops { op: OPEN path: "d/F" } ops { op: OPEN path: "e/f" } }
        threads { ops { op: RENAME path: "d" path2: "e" } ops { op: UNLINK path: "e/f" }
                  ops { op: CREATE path: "e/F" } } })",
             fs);
    const pb::Schedule s = testing::parse_normalized(text);
    EXPECT_EQ(any_title(s, "mainline"), "") << fs;
    EXPECT_EQ(any_title(s, "mainline,+6/7"), "") << fs;
  }
}

// "lift" (the series' next step): the nfs rename target stays in lookup past
// its lookup, so __d_move ends a lookup others may wait on: with 2/7 and no
// fix, the wrong waiter is woken. Without lift the target is d_alloc'ed
// under the exclusive lock and nobody can wait on it.
TEST(PatchSwitches, LiftLeavesTheNfsRenameTargetInLookup) {
  const pb::Schedule s = regression("lift-wrong-waiter-rename-target.textproto");
  EXPECT_EQ(title_on(s, "v4,+lift"), kLostWakeup);
  EXPECT_EQ(title_on(s, "mainline,+2/7,+6/7,+7/7,+fix-add-ci,+lift"), kLostWakeup);
  EXPECT_EQ(title_on(s, "v4"), "");
  EXPECT_EQ(title_on(s, "v4-fixed,+lift"), "");
  EXPECT_EQ(title_on(s, "mainline,+6/7,+7/7,+fix-add-ci,+lift"), "");
  pb::Schedule plain = with_kernel(s, "v4,+lift");
  plain.mutable_scenario()->set_fs(pb::PLAIN);  // ->lookup ends the target's lookup itself
  EXPECT_EQ(title_on(plain, "v4,+lift"), "");
}

// nfs_sillyrename refuses a dentry silly-renamed already (-EBUSY). Under
// "lift" T1's rename("a/c", "a/b") looks its target "b" up before the lock;
// T2's rename("a/c", "a/b") silly-renames that open "b" to its silly name in
// the gap. T1's nfs_rename finds the target open and silly-renames it again:
// without the check, d_move of the dentry onto itself (the same silly name)
// spun on its own d_lock ("task hung in __d_lookup"). The rename's stale
// target is the lift's (lift-unlink-after-rename.textproto): a wrong result.
TEST(PatchSwitches, SillyRenameRefusesADentryRenamedAlready) {
  const pb::Schedule s = testing::parse_normalized(R"(
    scenario {
      kernel: V4
      fs: NFS
      tree { name: "a" dir: true }
      tree { parent: 1 name: "b" }
      tree { parent: 1 name: "c" }
      threads { ops { op: RENAME path: "a/c" path2: "a/b" } }
      threads { ops { op: OPEN_HELD path: "a/b" } ops { op: RENAME path: "a/c" path2: "a/b" } }
      threads { ops { op: OPEN_HELD path: "a/b" } }
      switches { on: "6/7" on: "7/7" on: "lift" }
    }
    preemptions { thread: 2 }
    preemptions { step: 16 thread: 1 }
    preemptions { step: 50 thread: 1 }
    preemptions { step: 183 thread: 3 })");
  const Execution e = run_schedule(s);
  ASSERT_TRUE(e.found);
  EXPECT_EQ(e.title, "BUG: wrong result: rename(...) = -EBUSY") << e.details;
  EXPECT_NE(e.details.find("T1 rename(\"a/c\", \"a/b\") = -EBUSY"), std::string::npos) << e.details;
  EXPECT_EQ(title_on(s, "mainline"), "");
}

// v4 4/7: nfs readdir primes "d/a" while T1's stat has it in lookup. At
// decision 35 T1 has just put d/a in the in-lookup hash; T2's getdents("d")
// finds it there. d_alloc_parallel (mainline, and the series without 4/7)
// sleeps in d_wait_lookup until T1's lookup ends; d_alloc_noblock returns
// -EWOULDBLOCK at once and nfs_prime_dcache skips the name.
// Thread `thread` (0-based) has an event "function what object" with `line` in it.
bool has_event(const Execution& e, int thread, const std::string& line) {
  for (const TraceEvent& ev : e.trace)
    if (ev.thread == thread && (ev.function + " " + ev.what + " " + ev.object).find(line) == 0)
      return true;
  return false;
}

constexpr const char* kReaddirMeetsLookup = R"(
  scenario {
    fs: NFS
    tree { name: "d" dir: true }
    tree { parent: 1 name: "a" }
    threads { ops { op: LOOKUP path: "d/a" } }
    threads { ops { op: READDIR path: "d" } }
  }
  preemptions { step: 35 thread: 2 })";

TEST(PatchSwitches, FourOfSevenPrimesWithoutWaiting) {
  const pb::Schedule s = testing::parse_normalized(kReaddirMeetsLookup);
  const std::string kWaits = "d_wait_lookup sleep";
  const std::string kSkips = "d_alloc_noblock in lookup elsewhere: -EWOULDBLOCK dentry /d/a";
  for (const char* kernel : {"mainline", "v4-fixed"}) {
    const Execution waits = testing::replay_traced(with_kernel(s, kernel));
    EXPECT_FALSE(waits.found) << waits.title;
    EXPECT_TRUE(has_event(waits, 1, kWaits)) << kernel;
    EXPECT_FALSE(has_event(waits, 1, kSkips)) << kernel;
    const std::string noblock = std::string(kernel) + ",+4/7";
    const Execution skips = testing::replay_traced(with_kernel(s, noblock));
    EXPECT_FALSE(skips.found) << skips.title;
    EXPECT_FALSE(has_event(skips, 1, kWaits)) << noblock;
    EXPECT_TRUE(has_event(skips, 1, kSkips)) << noblock;
  }
}

// No false reports: every interleaving with up to two preemptions of
// getdents against a stat, a create and a rename in the directory it lists,
// with and without 4/7 (the oracles on).
// lookup_one_qstr under "lift" revalidates what it finds in the dcache, as
// lookup_dcache does: T1's unlink("a/b") leaves a negative "b"; the server
// renames the directory "c" to "b" behind the client; T2's unlink("a/b")
// must see the stale negative dentry go (nfs's ->d_revalidate) and find the
// directory (-EISDIR), not answer -ENOENT from the cache.
TEST(PatchSwitches, LiftRevalidatesWhatTheDcacheHolds) {
  const pb::Schedule s = testing::parse_normalized(R"(
    scenario {
      kernel: V4
      fs: NFS
      tree { name: "a" dir: true }
      tree { parent: 1 name: "c" dir: true }
      threads { ops { op: UNLINK path: "a/b" } }
      threads { ops { op: SERVER_RENAME path: "a/c" path2: "a/b" } ops { op: UNLINK path: "a/b" } }
      switches { on: "6/7" on: "7/7" on: "lift" }
    })");
  const Execution e = run_schedule(s);
  EXPECT_FALSE(e.found) << e.title << "\n" << e.details;
  EXPECT_EQ(title_on(s, "mainline"), "");
}

// vfs_create's may_create refuses a positive child (-EEXIST): under "lift"
// T3's creat("a/b") looks "b" up (T1's lookup left it hashed negative) before
// the lock, T2 creates "b" through that dentry, and T3, once it holds the
// parent, must not instantiate it again (BUG_ON in d_instantiate).
TEST(PatchSwitches, LiftCreateOfANameCreatedMeanwhileIsEexist) {
  const pb::Schedule s = testing::parse_normalized(R"(
    scenario {
      kernel: V4
      fs: NFS
      tree { name: "a" dir: true }
      threads { ops { op: RENAME path: "a/b" path2: "a" } }
      threads { ops { op: CREATE path: "a/b" } ops { op: SERVER_UNLINK path: "a/b" } }
      threads { ops { op: CREATE path: "a/b" } }
      switches { on: "6/7" on: "7/7" on: "lift" }
    }
    preemptions { step: 38 thread: 3 })");
  const Execution e = run_schedule(s);
  EXPECT_FALSE(e.found) << e.title << "\n" << e.details;
}

// Under "lift" an open without O_CREAT takes the parent in lookup_open only
// around ->lookup (RFC 52/53 moves the locking out of open_last_lookups):
// T2's open("a/b") must not wait on T1's in-lookup rename target (nfs leaves
// it in lookup) while holding /a shared, which T1's lock_rename waits for.
TEST(PatchSwitches, LiftOpenWaitsOnALookupWithoutTheParent) {
  const pb::Schedule s = testing::parse_normalized(R"(
    scenario {
      kernel: V4
      fs: NFS
      tree { name: "a" dir: true }
      tree { parent: 1 name: "c" }
      threads { ops { op: RENAME path: "a/c" path2: "a/b" } }
      threads { ops { op: OPEN path: "a/b" } }
      switches { on: "6/7" on: "7/7" on: "lift" }
    }
    preemptions { step: 33 thread: 2 })");
  const Execution e = run_schedule(s);
  EXPECT_FALSE(e.found) << e.title << "\n" << e.details;
}

// "lift" runs nfs's 4/7 and 5/7 users: the RFC converts nfs_prime_dcache
// to d_alloc_noblock and nfs_rename to d_duplicate before it lifts the
// lookups. Without 4/7: T1's lifted lookup holds b/d in lookup and queues for
// /b shared behind T3's create (exclusive); T2's getdents holds /b shared and,
// waiting in d_alloc_parallel on b/d, closes a cycle no posted kernel has.
TEST(PatchSwitches, LiftPrimesWithoutWaiting) {
  const pb::Schedule s = testing::parse_normalized(R"(
    scenario {
      kernel: V4
      fs: NFS
      tree { name: "b" dir: true }
      tree { parent: 1 name: "d" }
      threads { ops { op: RENAME path: "b/d" path2: "b/c" } }
      threads { ops { op: READDIR path: "b" } }
      threads { ops { op: CREATE path: "b/a" } }
      switches { on: "6/7" on: "7/7" on: "lift" }
    }
    preemptions { step: 4 thread: 3 }
    preemptions { step: 61 thread: 1 }
    preemptions { step: 76 thread: 3 })");
  const Execution e = run_schedule(s);
  EXPECT_FALSE(e.found) << e.title << "\n" << e.details;
  EXPECT_EQ(title_on(s, "v4,-2/7,+4/7,+lift"), "");
}

// Without 5/7: T1's rename("a/c", "a/b") onto the open "b" copies the name
// with d_alloc (unhashed), silly-renames "b"; T2's stat("a/b") finds "b"
// stale, and its lifted lookup puts a new "b" in lookup before taking /a;
// T1's d_move onto the copy then hashes "b" beside it. With 5/7 the copy is
// in lookup in the hash, and T2 waits on it.
TEST(PatchSwitches, LiftRenamesOntoAnOpenFileThroughDDuplicate) {
  const pb::Schedule s = testing::parse_normalized(R"(
    scenario {
      kernel: V4
      fs: NFS
      tree { name: "a" dir: true }
      tree { parent: 1 name: "b" }
      tree { parent: 1 name: "c" }
      threads { ops { op: OPEN_HELD path: "a/b" } ops { op: RENAME path: "a/c" path2: "a/b" } }
      threads { ops { op: LOOKUP path: "a/b" } }
      switches { on: "6/7" on: "7/7" on: "lift" }
    }
    preemptions { step: 93 thread: 2 })");
  const Execution e = run_schedule(s);
  EXPECT_FALSE(e.found) << e.title << "\n" << e.details;
  // Without 2/7 a lookup that finds the copy in lookup sleeps on its d_wait
  // queue, which nfs_rename provides (it was left NULL: a crash).
  pb::Schedule race = testing::parse_normalized(R"(
    scenario {
      kernel: MAINLINE
      fs: NFS
      tree { name: "a" dir: true }
      tree { parent: 1 name: "b" }
      tree { parent: 1 name: "c" }
      threads { ops { op: OPEN_HELD path: "a/b" } ops { op: RENAME path: "a/c" path2: "a/b" } }
      threads { ops { op: LOOKUP path: "a/b" } }
      switches { on: "6/7" on: "7/7" on: "lift" }
    })");
  auto program = make_dcache_program(to_scenario(race.scenario()), ModelOptions{});
  const SearchResult r = relacy_search(*program, race, SearchKind::context_bound, 2, 200000);
  EXPECT_FALSE(r.found) << r.execution.title << "\n" << r.execution.details;
  EXPECT_TRUE(r.complete) << r.executions;
}

TEST(PatchSwitches, ReaddirIsCleanUnderABoundedSearch) {
  pb::Schedule s = testing::parse_normalized(R"(
    scenario {
      fs: NFS
      tree { name: "d" dir: true }
      tree { parent: 1 name: "a" }
      tree { parent: 1 name: "e" dir: true disconnected_alias: true }
      threads { ops { op: LOOKUP path: "d/a" } ops { op: LOOKUP path: "d/e" } }
      threads { ops { op: READDIR path: "d" } }
      threads { ops { op: RENAME path: "d/a" path2: "d/b" } }
    })");
  for (const char* kernel : {"mainline", "mainline,+4/7", "v4-fixed,+4/7"}) {
    const pb::Schedule k = with_kernel(s, kernel);
    auto program = make_dcache_program(to_scenario(k.scenario()), ModelOptions{});
    const SearchResult r = relacy_search(*program, k, SearchKind::context_bound, 1, 200000);
    EXPECT_FALSE(r.found) << kernel << ": " << r.execution.title << "\n" << r.execution.details;
    EXPECT_TRUE(r.complete) << kernel << ": " << r.executions;
  }
}

// v4 5/7 with its nfs user: T1 opens d/f and keeps it open, then renames
// d/g over it; nfs_rename silly-renames the open target to .nfsNN and copies
// its name for the rename: d_duplicate, an in-lookup dentry beside the hashed
// d/f (rule 1 as 5/7 relaxes it), where mainline d_allocs an unhashed one.
constexpr const char* kRenameOverOpenFile = R"(
  scenario {
    fs: NFS
    tree { name: "d" dir: true }
    tree { parent: 1 name: "f" }
    tree { parent: 1 name: "g" }
    threads { ops { op: OPEN_HELD path: "d/f" } ops { op: RENAME path: "d/g" path2: "d/f" } }
  })";

TEST(PatchSwitches, FiveOfSevenCopiesABusyTargetsNameInLookup) {
  const pb::Schedule s = testing::parse_normalized(kRenameOverOpenFile);
  const std::string kDuplicate = "d_duplicate in-lookup hash add dentry /d/f";
  const std::string kSilly = "__d_move __d_move dentry /d/.nfs02";
  for (const char* kernel : {"mainline", "v4-fixed"}) {
    const Execution off = testing::replay_traced(with_kernel(s, kernel));
    EXPECT_FALSE(off.found) << off.title << off.details;
    EXPECT_TRUE(has_event(off, 0, kSilly)) << kernel;
    EXPECT_FALSE(has_event(off, 0, kDuplicate)) << kernel;
    const std::string on = std::string(kernel) + ",+5/7";
    const Execution dup = testing::replay_traced(with_kernel(s, on));
    EXPECT_FALSE(dup.found) << dup.title << dup.details;  // the invariant check ran at every step
    EXPECT_TRUE(has_event(dup, 0, kSilly)) << on;
    EXPECT_TRUE(has_event(dup, 0, kDuplicate)) << on;
  }
}

// The same with the 4th allocation of T1 failing, d_duplicate's: the nfs
// user tests its result for NULL, but d_duplicate returns ERR_PTR(-ENOMEM).
// Mainline's d_alloc returns NULL: -ETXTBSY, no finding.
TEST(PatchSwitches, FiveOfSevensNfsUserDereferencesAnErrPtr) {
  pb::Schedule s = testing::parse_normalized(kRenameOverOpenFile);
  pb::Fault* fault = s.add_faults();
  fault->set_thread(1);
  fault->set_nth(4);
  EXPECT_EQ(title_on(s, "mainline"), "");
  EXPECT_EQ(title_on(s, "v4-fixed"), "");
  EXPECT_EQ(title_on(s, "mainline,+5/7"), "BUG: unable to handle page fault in nfs_rename");
  EXPECT_EQ(title_on(s, "v4-fixed,+5/7"), "BUG: unable to handle page fault in nfs_rename");
}

// No false reports with an open file renamed over, unlinked and listed
// while another task looks its name up and lists the directory.
TEST(PatchSwitches, SillyRenameIsCleanUnderABoundedSearch) {
  pb::Schedule s = testing::parse_normalized(R"(
    scenario {
      fs: NFS
      tree { name: "d" dir: true }
      tree { parent: 1 name: "f" }
      tree { parent: 1 name: "g" }
      threads { ops { op: OPEN_HELD path: "d/f" } ops { op: RENAME path: "d/g" path2: "d/f" }
                ops { op: OPEN_HELD path: "d/f" } ops { op: UNLINK path: "d/f" } }
      threads { ops { op: LOOKUP path: "d/f" } ops { op: READDIR path: "d" } }
    })");
  for (const char* kernel : {"mainline", "mainline,+5/7", "v4-fixed,+4/7,+5/7"}) {
    const pb::Schedule k = with_kernel(s, kernel);
    auto program = make_dcache_program(to_scenario(k.scenario()), ModelOptions{});
    const SearchResult r = relacy_search(*program, k, SearchKind::context_bound, 1, 200000);
    EXPECT_FALSE(r.found) << kernel << ": " << r.execution.title << "\n" << r.execution.details;
    EXPECT_TRUE(r.complete) << kernel << ": " << r.executions;
  }
}

// ---- the mutator, random_scenario, the minimizer, the campaign's target ----

size_t bump_scalar(uint8_t* data, size_t size, size_t) {
  if (size) data[0] = uint8_t(data[0] + 3);
  return size;
}

TEST(PatchSwitches, FlipSwitchReachesEveryModelledSwitchBothWays) {
  std::set<int> turned_on, turned_off;
  for (uint32_t seed = 1; seed <= 200; ++seed) {
    // v4-fixed,+3/7,+4/7,+5/7,+lift has every modelled switch on: each can be turned off.
    for (const char* kernel : {"mainline", "v4-fixed", "v4-fixed,+3/7,+4/7,+5/7,+lift"}) {
      pb::Schedule s = with_kernel(regression("wrong-waiter-alias-splice.textproto"), kernel);
      const PatchSet before = switches_of(s.scenario());
      Mutator mutator(seed, bump_scalar);
      ASSERT_TRUE(mutator.apply(Mutation::flip_switch, &s, 100));
      normalize(&s);
      const PatchSet after = switches_of(s.scenario());
      ASSERT_NE(after, before);
      EXPECT_EQ(after, fold_switches(after));  // only sets that can run
      for (int i = 0; i < kPatchCount; ++i) {
        if ((after & ~before) & patch_bit(Patch(i))) turned_on.insert(i);
        if ((before & ~after) & patch_bit(Patch(i))) turned_off.insert(i);
      }
    }
  }
  for (int i = 0; i < kPatchCount; ++i) {
    const bool modelled = patch_info(Patch(i)).modelled;
    EXPECT_EQ(turned_on.count(i), modelled ? 1u : 0u) << patch_info(Patch(i)).name;
    EXPECT_EQ(turned_off.count(i), modelled ? 1u : 0u) << patch_info(Patch(i)).name;
  }
}

TEST(PatchSwitches, FlipSwitchOnlyFlipsFreeSwitchesAndNeverWithKeepScenario) {
  MutatorOptions pinned;
  pinned.free_switches = 0;
  MutatorOptions keep;
  keep.keep_scenario = true;
  MutatorOptions one;
  one.free_switches = patch_bit(Patch::fix_move);
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    pb::Schedule s = with_kernel(regression("wrong-waiter-alias-splice.textproto"), "v4");
    EXPECT_FALSE(Mutator(seed, bump_scalar, pinned).apply(Mutation::flip_switch, &s, 100));
    EXPECT_FALSE(Mutator(seed, bump_scalar, keep).apply(Mutation::flip_switch, &s, 100));
    ASSERT_TRUE(Mutator(seed, bump_scalar, one).apply(Mutation::flip_switch, &s, 100));
    EXPECT_EQ(kernel_spelling(s.scenario()), "v4,+fix-move");
  }
}

// The mutator's random-scenario keeps the kernel, switches included.
TEST(PatchSwitches, RandomScenarioMutationKeepsTheSwitches) {
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    pb::Schedule s =
        with_kernel(regression("wrong-waiter-alias-splice.textproto"), "v4-fixed,-7/7");
    ASSERT_TRUE(Mutator(seed, bump_scalar).apply(Mutation::random_scenario, &s, 100));
    normalize(&s);
    EXPECT_EQ(kernel_spelling(s.scenario()), "v4-fixed,-7/7");
  }
}

TEST(PatchSwitches, RandomScenarioDrawsSwitchSets) {
  std::set<int> on, off;
  int recorded = 0;
  for (uint64_t seed = 0; seed < 400; ++seed) {
    pb::Schedule s = random_schedule(seed);
    const PatchSet set = switches_of(s.scenario());
    recorded += s.scenario().has_switches();
    EXPECT_EQ(set, fold_switches(set));
    for (int i = 0; i < kPatchCount; ++i) {
      const PatchSet row = variant_info(to_model(s.scenario().kernel())).switches;
      if ((set & ~row) & patch_bit(Patch(i))) on.insert(i);
      if ((row & ~set) & patch_bit(Patch(i))) off.insert(i);
    }
  }
  EXPECT_GT(recorded, 40);
  EXPECT_LT(recorded, 200);
  for (int i = 0; i < kPatchCount; ++i) {
    const bool modelled = patch_info(Patch(i)).modelled;
    EXPECT_EQ(on.count(i) + off.count(i) > 0, modelled) << patch_info(Patch(i)).name;
  }
}

TEST(PatchSwitches, TheMinimizerDropsSwitchesTheBugDoesNotNeed) {
  MinimizeResult r = minimize(regression("wrong-waiter-alias-splice.textproto"));
  ASSERT_TRUE(r.found);
  EXPECT_EQ(r.title, kLostWakeup);
  EXPECT_EQ(kernel_spelling(r.schedule.scenario()), "mainline,+2/7");
  MinimizeResult unlock = minimize(regression("add-ci-not-in-lookup.textproto"));
  ASSERT_TRUE(unlock.found);
  EXPECT_EQ(unlock.title, kBadUnlock);
  EXPECT_EQ(kernel_spelling(unlock.schedule.scenario()), "v4,-2/7");
}

TEST(PatchSwitches, TheCampaignPinsAllButItsFreeSwitches) {
  const pb::Schedule s =
      with_kernel(regression("wrong-waiter-alias-splice.textproto"), "mainline,+2/7,+fix-move");
  const std::string bytes = s.SerializeAsString();
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  TargetOptions options;
  options.kernel = pb::V4_FIXED;
  options.switches = variant_info(Kernel::v4_fixed).switches;
  set_target(options);
  pb::Schedule out;
  ASSERT_TRUE(target_schedule(data, bytes.size(), &out));
  EXPECT_EQ(kernel_spelling(out.scenario()), "v4-fixed");
  options.free_switches = bits({Patch::fix_move, Patch::add_ci_drops_lock});
  set_target(options);
  ASSERT_TRUE(target_schedule(data, bytes.size(), &out));
  EXPECT_EQ(kernel_spelling(out.scenario()), "v4-fixed,-7/7");  // the input's 7/7 and fix-move
  set_target(TargetOptions{});
}

// ---- the command line ----

TEST(PatchSwitches, KernelsCommandListsVariantsAndSwitches) {
  auto o = testing::run_dcfuzz("kernels");
  EXPECT_EQ(o.exit_code, 0) << o.err;
  for (int i = 0; i < kPatchCount; ++i)
    EXPECT_NE(o.out.find(std::string("  ") + patch_info(Patch(i)).name + " "), std::string::npos);
  for (int v = 0; v < kVariantCount; ++v)
    EXPECT_NE(o.out.find(std::string("  ") + variant_info(Kernel(v)).name + " "),
              std::string::npos);
  for (int c = 0; c < kComposedCount; ++c)
    EXPECT_NE(o.out.find(std::string("  ") + composed_info(c).name + " "), std::string::npos);
  testing::expect_bad("kernels extra", "takes no arguments");
}

TEST(PatchSwitches, CommandLineKernels) {
  const std::string file =
      testing::source_path("corpus/regressions/wrong-waiter-alias-splice.textproto");
  EXPECT_EQ(testing::run_dcfuzz("replay " + file + " --kernel mainline,+2/7").exit_code, 1);
  EXPECT_EQ(testing::run_dcfuzz("replay " + file + " --kernel v4,+fix-move").exit_code, 0);
  testing::expect_bad("replay " + file + " --kernel v4,-6/7", "needs 6/7");
  testing::expect_bad("replay " + file + " --kernel v4,+nope", "unknown switch 'nope'");
  testing::expect_bad("replay " + file + " --kernel v4,~7/7", "is not +SWITCH or -SWITCH");
  testing::expect_bad("fuzz --time 1 --kernel v4,7/7", "is not +SWITCH, -SWITCH or ~SWITCH");
}

}  // namespace
}  // namespace dcfuzz
