// RecentMap: the caches of the fuzz loop (fuzz/target.cc, fuzz/schedule_cache.cc).
#pragma once

#include <cstddef>
#include <unordered_map>
#include <utility>
#include <vector>

namespace dcfuzz {

// A map that forgets what was not used lately. When the current generation
// is full it becomes the old one (the previous old one is dropped); a hit in
// the old generation moves back to the current one. So an entry in regular
// use -- a corpus entry that libFuzzer mutates again and again -- stays,
// where clearing the whole map made every one of them miss once more.
template <typename Key, typename Value>
class RecentMap {
 public:
  explicit RecentMap(size_t capacity) : capacity_(capacity) {}

  Value* find(const Key& key) {
    auto it = current_.find(key);
    if (it != current_.end()) return &it->second;
    auto old = old_.find(key);
    if (old == old_.end()) return nullptr;
    auto node = old_.extract(old);
    return &put(std::move(node.key()), std::move(node.mapped()));
  }

  // The values of a generation dropped here go to *dropped, when given.
  Value& put(Key key, Value value, std::vector<Value>* dropped = nullptr) {
    if (current_.size() >= capacity_ && !current_.count(key)) {
      if (dropped)
        for (auto& entry : old_) dropped->push_back(std::move(entry.second));
      old_.swap(current_);
      current_.clear();
    }
    return current_.insert_or_assign(std::move(key), std::move(value)).first->second;
  }

 private:
  size_t capacity_;
  std::unordered_map<Key, Value> current_, old_;
};

}  // namespace dcfuzz
