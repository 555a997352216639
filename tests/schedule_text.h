// Schedules written inline in tests, in protobuf text format.
#pragma once

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <string>

#include "schedule.pb.h"

namespace dcfuzz::testing {

// Parses `text` as written (not normalised); a parse error fails the test.
inline pb::Schedule parse_text(const std::string& text) {
  pb::Schedule s;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &s)) << text;
  return s;
}

}  // namespace dcfuzz::testing
