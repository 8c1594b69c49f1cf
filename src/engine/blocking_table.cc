#include "engine/blocking_table.h"

#include <algorithm>
#include <cstring>

#include "base/hash.h"
#include "engine/shard.h"

namespace shoal {

size_t BlockingTable::Hash::operator()(std::string_view s) const {
  return static_cast<size_t>(TableHash(s));
}

std::string BlockingTable::Id(int db, std::string_view key) {
  std::string id(sizeof(db), '\0');
  std::memcpy(id.data(), &db, sizeof(db));
  id.append(key);
  return id;
}

void BlockingTable::Add(int db, std::string_view key, std::shared_ptr<BlockedClient> waiter) {
  Waiters& waiters = by_key_[Id(db, key)];
  // A key named twice by one command is registered once (its registrations come together).
  if (waiters.empty() || waiters.back() != waiter) waiters.push_back(std::move(waiter));
}

void BlockingTable::Remove(int db, std::string_view key, const BlockedClient* waiter) {
  auto it = by_key_.find(Id(db, key));
  if (it == by_key_.end()) return;
  std::erase_if(it->second,
                [waiter](const std::shared_ptr<BlockedClient>& w) { return w.get() == waiter; });
  if (it->second.empty()) by_key_.erase(it);
}

void BlockingTable::KeyCreated(int db, std::string_view key) {
  std::string id = Id(db, key);
  if (by_key_.contains(id)) ready_.push_back(std::move(id));
}

void BlockingTable::DbReplaced(int db) {
  for (const auto& [id, waiters] : by_key_) {
    int id_db;
    std::memcpy(&id_db, id.data(), sizeof(id_db));
    if (id_db == db) ready_.push_back(id);
  }
}

void BlockingTable::ServeReady(Shard& shard) {
  if (serving_) return;  // a key made ready while serving is picked up by the loop below
  serving_ = true;
  while (!ready_.empty()) {
    std::vector<std::string> ready = std::move(ready_);
    ready_.clear();
    for (const std::string& id : ready) ServeKey(shard, id);
  }
  serving_ = false;
}

void BlockingTable::ServeKey(Shard& shard, const std::string& id) {
  int db_index;
  std::memcpy(&db_index, id.data(), sizeof(db_index));
  const std::string_view key = std::string_view(id).substr(sizeof(db_index));
  if (!by_key_.contains(id)) return;
  const LockKey lock{db_index, key, LockMode::kExclusive};
  if (!shard.locks().CanRunKey(lock)) {
    // A transaction holds the key: serve what it leaves once it is done. The request's view
    // points into the heap copy owned by the task.
    auto owned = std::make_unique<std::string>(id);
    LockRequest request{{LockKey{db_index, std::string_view(*owned).substr(sizeof(db_index)),
                                 LockMode::kExclusive}},
                        false};
    shard.locks().Wait(std::move(request), /*acquire=*/false,
                       MakeTask([this, &shard, owned = std::move(owned)] {
                         ServeWaiters(shard, *owned);  // the lock table found it free
                         ServeReady(shard);
                       }));
    return;
  }
  ServeWaiters(shard, id);
}

void BlockingTable::ServeWaiters(Shard& shard, const std::string& id) {
  int db_index;
  std::memcpy(&db_index, id.data(), sizeof(db_index));
  const std::string_view key = std::string_view(id).substr(sizeof(db_index));
  Db& db = shard.db(db_index);
  for (;;) {
    auto it = by_key_.find(id);
    if (it == by_key_.end()) return;
    if (it->second.empty()) {
      by_key_.erase(it);
      return;
    }
    const Entry* e = db.FindForWrite(key, shard.NowMs());
    if (e == nullptr) return;
    // The first waiter for what the key holds now (BLPOP and BZPOPMIN may wait on one key).
    Waiters& waiters = it->second;
    auto w = std::find_if(waiters.begin(), waiters.end(),
                          [type = e->type()](const auto& x) { return x->type() == type; });
    if (w == waiters.end()) return;
    std::shared_ptr<BlockedClient> waiter = std::move(*w);
    waiters.erase(w);
    if (waiter->TryClaim()) waiter->Serve(shard, db, key);
  }
}

}  // namespace shoal
