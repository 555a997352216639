// PCT finds the toy lock inversion on some seeds, not all, and every finding
// replays from its recording.
#include "schedules/pct.h"

#include <gtest/gtest.h>

#include "schedules/engine.h"
#include "schedules/replay.h"
#include "testing/toy_programs.h"

namespace dcfuzz {
namespace {

TEST(Pct, FindsLockInversionAndReplaysFromRecording) {
  auto program = toy::make_lock_inversion();
  int found = 0;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    PctStrategy pct(seed, 2, 8);
    Execution e = run_program(*program, pct);
    if (!e.found) continue;
    ++found;
    ReplayStrategy replay(e.recorded);
    EXPECT_EQ(run_program(*program, replay).title, e.title);
  }
  EXPECT_GT(found, 0);
  EXPECT_LT(found, 200);
}

}  // namespace
}  // namespace dcfuzz
