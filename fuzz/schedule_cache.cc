#include "fuzz/schedule_cache.h"

#include <cstring>
#include <string>
#include <utility>

#include "fuzz/recent_map.h"
#include "schedules/normalize.h"

namespace dcfuzz {
namespace {

class RecentSchedules {
 public:
  std::shared_ptr<const pb::Schedule> find(const uint8_t* data, size_t size) {
    for (const Written& w : written_) {
      if (w.schedule && w.bytes.size() == size && std::memcmp(w.bytes.data(), data, size) == 0)
        return w.schedule;
    }
    key_.assign(reinterpret_cast<const char*>(data), size);  // no allocation once grown
    auto* known = parsed_.find(key_);
    return known ? *known : nullptr;
  }

  // The schedule written as these bytes, out of the cache, when nothing else
  // holds it (null otherwise): the caller may change it.
  std::shared_ptr<pb::Schedule> take_written(const uint8_t* data, size_t size) {
    for (Written& w : written_) {
      if (w.schedule && w.schedule.use_count() == 1 && w.bytes.size() == size &&
          std::memcmp(w.bytes.data(), data, size) == 0) {
        auto schedule = std::const_pointer_cast<pb::Schedule>(std::move(w.schedule));
        w.schedule = nullptr;
        return schedule;
      }
    }
    return nullptr;
  }

  // A mutation's output: needed once, at once (the target runs it).
  void remember_written(const uint8_t* data, size_t size,
                        std::shared_ptr<const pb::Schedule> schedule) {
    Written& w = written_[next_written_];
    next_written_ = (next_written_ + 1) % kWritten;
    w.bytes.assign(reinterpret_cast<const char*>(data), size);
    w.schedule = std::move(schedule);
  }

  // An input parsed here: mostly corpus entries, which come back.
  void remember_parsed(const uint8_t* data, size_t size,
                       std::shared_ptr<const pb::Schedule> schedule) {
    parsed_.put(std::string(reinterpret_cast<const char*>(data), size), std::move(schedule));
  }

 private:
  static constexpr int kWritten = 4;
  static constexpr size_t kParsed = 4096;  // a campaign's corpus, with room
  struct Written {
    std::string bytes;
    std::shared_ptr<const pb::Schedule> schedule;
  };
  Written written_[kWritten];
  int next_written_ = 0;
  RecentMap<std::string, std::shared_ptr<const pb::Schedule>> parsed_{kParsed};
  std::string key_;  // find()'s key, kept between calls
};

RecentSchedules& recent_schedules() {
  thread_local RecentSchedules recent;
  return recent;
}

struct ArenaSchedule {
  static google::protobuf::ArenaOptions options() {
    google::protobuf::ArenaOptions o;
    // Blocks under glibc's large-request size (1 KiB): a large malloc
    // consolidates every free small chunk first, and the model frees many.
    o.start_block_size = 512;
    o.max_block_size = 768;
    return o;
  }
  google::protobuf::Arena arena{options()};
  pb::Schedule* schedule = google::protobuf::Arena::CreateMessage<pb::Schedule>(&arena);
};

}  // namespace

std::shared_ptr<pb::Schedule> new_schedule() {
  auto owner = std::make_shared<ArenaSchedule>();
  return std::shared_ptr<pb::Schedule>(owner, owner->schedule);
}

std::shared_ptr<pb::Schedule> copy_schedule(const pb::Schedule& from) {
  auto schedule = new_schedule();
  *schedule = from;
  return schedule;
}

std::shared_ptr<const pb::Schedule> parse_shared_schedule(const uint8_t* data, size_t size) {
  if (auto known = recent_schedules().find(data, size)) return known;
  auto schedule = new_schedule();
  if (!schedule->ParseFromArray(data, int(size))) return nullptr;
  normalize(schedule.get());
  recent_schedules().remember_parsed(data, size, schedule);
  return schedule;
}

bool parse_binary_schedule(const uint8_t* data, size_t size, pb::Schedule* out) {
  auto schedule = parse_shared_schedule(data, size);
  if (!schedule) return false;
  *out = *schedule;
  return true;
}

std::shared_ptr<pb::Schedule> take_written(const uint8_t* data, size_t size) {
  return recent_schedules().take_written(data, size);
}

std::shared_ptr<const pb::Schedule> parse_or_empty(const uint8_t* data, size_t size) {
  if (auto schedule = parse_shared_schedule(data, size)) return schedule;
  auto empty = std::make_shared<pb::Schedule>();
  normalize(empty.get());
  return empty;
}

size_t write_bounded(std::shared_ptr<const pb::Schedule> schedule, uint8_t* out, size_t max_size) {
  // Straight into `out` (the bytes SerializeAsString would make, without the string).
  const size_t size = schedule->ByteSizeLong();
  if (size > max_size) return 0;
  schedule->SerializeWithCachedSizesToArray(out);
  recent_schedules().remember_written(out, size, std::move(schedule));
  return size;
}

}  // namespace dcfuzz
