#include "engine/watch_table.h"

#include <algorithm>

#include "base/hash.h"

namespace shoal {

size_t WatchTable::Hash::operator()(std::string_view s) const {
  return static_cast<size_t>(TableHash(s));
}

void WatchTable::Add(std::string_view key, std::shared_ptr<WatchFlag> flag) {
  auto it = by_key_.find(key);
  if (it == by_key_.end())
    it = by_key_.emplace(std::string(key), std::vector<std::shared_ptr<WatchFlag>>()).first;
  std::vector<std::shared_ptr<WatchFlag>>& flags = it->second;
  if (std::find(flags.begin(), flags.end(), flag) == flags.end()) flags.push_back(std::move(flag));
}

void WatchTable::Remove(std::string_view key, const WatchFlag* flag) {
  auto it = by_key_.find(key);
  if (it == by_key_.end()) return;
  std::erase_if(it->second,
                [flag](const std::shared_ptr<WatchFlag>& f) { return f.get() == flag; });
  if (it->second.empty()) by_key_.erase(it);
}

void WatchTable::Touch(std::string_view key) {
  auto it = by_key_.find(key);
  if (it == by_key_.end()) return;
  for (const auto& flag : it->second) flag->dirty.store(true, std::memory_order_relaxed);
}

}  // namespace shoal
