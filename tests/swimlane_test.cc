// The picture of an interleaving: structure of the page, and that headless
// Chromium renders it (skipped when Chromium is not installed).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>

#include "reports/report.h"
#include "tests/run_binary.h"

namespace dcfuzz {
namespace testing {
// The hand-built wrong-waiter finding of report_test.cc.
pb::Schedule sample_schedule();
Execution sample_finding();
}  // namespace testing
namespace {

using testing::sample_finding;
using testing::sample_schedule;

size_t count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

TEST(Swimlane, OneLanePerThreadOneBoxPerEvent) {
  const Execution e = sample_finding();
  const std::string html = format_swimlane_html(sample_schedule(), e);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(count(html, "<svg"), 1u);
  EXPECT_EQ(count(html, "class=\"lane\""), 2u);
  EXPECT_EQ(count(html, "<g><title>step "), e.trace.size());
  EXPECT_EQ(count(html, "class=\"box fatal\""), 1u);
  EXPECT_EQ(count(html, "class=\"preempt\""), 2u);
  EXPECT_NE(html.find("<title>step 7  T2  d_wait_lookup: sleep d_flags of dentry /d  (fatal)"),
            std::string::npos);
  EXPECT_NE(html.find("INFO: task hung in d_wait_lookup"), std::string::npos);
}

TEST(Swimlane, SelfContainedEscapedDeterministic) {
  const std::string html = format_swimlane_html(sample_schedule(), sample_finding());
  EXPECT_EQ(html, format_swimlane_html(sample_schedule(), sample_finding()));
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("href="), std::string::npos);
  EXPECT_NE(html.find("dentry / &lt;disconnected alias&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<disconnected alias>"), std::string::npos);
}

TEST(Swimlane, CleanRunWithoutTrace) {
  Execution clean;
  const std::string html = format_swimlane_html(sample_schedule(), clean);
  EXPECT_NE(html.find("no finding"), std::string::npos);
  EXPECT_EQ(html.find("<svg"), std::string::npos);
}

std::string find_chromium() {
  if (const char* env = std::getenv("DCFUZZ_CHROMIUM")) return env;
  for (const char* dir : {"/usr/bin/", "/usr/local/bin/"}) {
    for (const char* name : {"chromium", "chromium-browser"}) {
      const std::string path = std::string(dir) + name;
      if (access(path.c_str(), X_OK) == 0) return path;
    }
  }
  return "";
}

uint32_t big_endian(const std::string& bytes, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
  return v;
}

// Renders the page in headless Chromium; the screenshot must be a 1200x800
// PNG with more in it than a blank page. DCFUZZ_SWIMLANE_PNG=path keeps it.
TEST(SwimlaneRender, HeadlessChromiumTakesAScreenshot) {
  const std::string chromium = find_chromium();
  if (chromium.empty())
    GTEST_SKIP() << "chromium not installed (scripts/install-deps.sh --with-browser)";
  const std::string dir = ::testing::TempDir() + "dcfuzz_swimlane_" + std::to_string(getpid());
  const std::string profile = dir + "/profile";
  ASSERT_EQ(std::system(("rm -rf " + dir + " && mkdir -p " + profile).c_str()), 0);
  const std::string page = dir + "/interleaving.html";
  const std::string png = dir + "/swimlane.png";
  {
    std::ofstream out(page);
    out << format_swimlane_html(sample_schedule(), sample_finding());
  }
  const std::string command =
      "timeout 120 " + chromium +
      " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
      " --disable-background-networking --disable-component-update --disable-sync"
      " --user-data-dir=" +
      profile + " --screenshot=" + png + " --window-size=1200,800 file://" + page + " >" + dir +
      "/chromium.log 2>&1";
  EXPECT_EQ(std::system(command.c_str()), 0) << testing::slurp(dir + "/chromium.log");
  const std::string bytes = testing::slurp(png);
  ASSERT_GT(bytes.size(), 24u) << "no screenshot";
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(big_endian(bytes, 16), 1200u);  // IHDR width
  EXPECT_EQ(big_endian(bytes, 20), 800u);   // IHDR height
  EXPECT_GT(bytes.size(), 20000u) << "the screenshot looks blank";
  if (const char* keep = std::getenv("DCFUZZ_SWIMLANE_PNG")) {
    std::ofstream(keep, std::ios::binary) << bytes;
  }
  (void)std::system(("rm -rf " + dir).c_str());
}

}  // namespace
}  // namespace dcfuzz
