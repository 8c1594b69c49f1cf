#include "engine/lock_table.h"

#include <cstring>

#include "base/hash.h"

namespace shoal {

std::string LockTable::Id(int db, std::string_view key) {
  std::string id;
  id.reserve(key.size() + 4);
  id.append(reinterpret_cast<const char*>(&db), sizeof(db));
  id.append(key);
  return id;
}

LockTable::IdView LockTable::IdEqual::View(const std::string& id) {
  IdView v;
  std::memcpy(&v.db, id.data(), sizeof(v.db));
  v.key = std::string_view(id).substr(sizeof(v.db));
  return v;
}

bool LockTable::IdEqual::operator()(const IdView& a, const std::string& b) const {
  IdView v = View(b);
  return a.db == v.db && a.key == v.key;
}

size_t LockTable::IdHash::operator()(const IdView& v) const {
  return static_cast<size_t>(TableHash(v.key) ^
                             (static_cast<uint64_t>(v.db) * 0x9E3779B97F4A7C15ULL));
}

size_t LockTable::IdHash::operator()(const std::string& id) const {
  return (*this)(IdEqual::View(id));
}

bool LockTable::KeyConflicts(const LockKey& k) const {
  auto it = held_.find(IdView{k.db, k.key});
  if (it == held_.end()) return false;
  return it->second.exclusive || (k.mode == LockMode::kExclusive && it->second.shared > 0);
}

bool LockTable::Conflicts(const LockRequest& request) const {
  if (whole_shard_holders_ > 0) return true;
  if (request.whole_shard) return !held_.empty();
  for (const LockKey& k : request.keys) {
    if (KeyConflicts(k)) return true;
  }
  return false;
}

bool LockTable::CanRun(const LockRequest& request) const {
  return idle() || (waiters_.empty() && !Conflicts(request));
}

bool LockTable::CanRunKey(const LockKey& key) const {
  return idle() || (waiters_.empty() && whole_shard_holders_ == 0 && !KeyConflicts(key));
}

void LockTable::Acquire(const LockRequest& request) {
  if (request.whole_shard) {
    whole_shard_holders_++;
    return;
  }
  for (const LockKey& k : request.keys) {
    auto it = held_.find(IdView{k.db, k.key});
    if (it == held_.end()) it = held_.emplace(Id(k.db, k.key), Holders{}).first;
    Holders& h = it->second;
    if (k.mode == LockMode::kExclusive)
      h.exclusive = true;
    else
      h.shared++;
  }
}

void LockTable::Release(const LockRequest& request) {
  if (request.whole_shard) {
    whole_shard_holders_--;
  } else {
    for (const LockKey& k : request.keys) {
      auto it = held_.find(IdView{k.db, k.key});
      if (it == held_.end()) continue;
      if (k.mode == LockMode::kExclusive)
        it->second.exclusive = false;
      else if (it->second.shared > 0)
        it->second.shared--;
      if (!it->second.exclusive && it->second.shared == 0) held_.erase(it);
    }
  }
  RunReadyWaiters();
}

void LockTable::Wait(LockRequest request, bool acquire, TaskPtr task) {
  waiters_.push_back(Waiter{std::move(request), acquire, std::move(task)});
  RunReadyWaiters();
}

void LockTable::RunReadyWaiters() {
  // Tasks may release locks themselves (a command that runs and finishes a transaction);
  // the flag keeps that re-entrant call from running waiters out of order.
  if (running_waiters_) return;
  running_waiters_ = true;
  while (!waiters_.empty() && !Conflicts(waiters_.front().request)) {
    Waiter w = std::move(waiters_.front());
    waiters_.pop_front();
    if (w.acquire) Acquire(w.request);
    w.task->Run();
  }
  running_waiters_ = false;
}

}  // namespace shoal
