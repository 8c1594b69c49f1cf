#include "engine/db.h"

#include <algorithm>

#include "base/hash.h"

namespace shoal {

namespace {
constexpr uint32_t kLfuInitCounter = 5;  // new keys start "warm", as Redis's LFU_INIT_VAL

uint32_t LfuMinutes(int64_t now_ms) { return static_cast<uint32_t>(now_ms / 60000) & 0xFFFF; }

bool IsLfu(EvictionPolicy p) {
  return p == EvictionPolicy::kAllKeysLfu || p == EvictionPolicy::kVolatileLfu;
}
}  // namespace

Db::Db(ShardStats* stats, const EngineOptions* options, CasClock* cas_clock)
    : stats_(stats), options_(options), cas_clock_(cas_clock) {
  stats_->used_bytes += static_cast<int64_t>(dict_.BucketBytes());
}

Db::~Db() {
  Clear();
  stats_->used_bytes -= static_cast<int64_t>(dict_.BucketBytes());
}

bool Db::tracks_lfu() const {
  return IsLfu(options_->maxmemory_policy.load(std::memory_order_relaxed));
}

void Db::Touch(Entry* e, int64_t now_ms) const {
  if (!tracks_lfu()) {
    e->set_access(LruClock(now_ms));
    return;
  }
  // Logarithmic counter as Redis's LFULogIncr, after decay by elapsed minutes.
  uint32_t counter = LfuCounter(e, now_ms);
  if (counter < 255) {
    double base = counter > kLfuInitCounter ? counter - kLfuInitCounter : 0;
    double p = 1.0 / (base * options_->lfu_log_factor.load(std::memory_order_relaxed) + 1);
    // A cheap deterministic-enough source: low bits of the address mixed with time.
    uint64_t x =
        reinterpret_cast<uintptr_t>(e) ^ static_cast<uint64_t>(now_ms) * 0x9E3779B97F4A7C15ULL;
    x ^= x >> 29;
    double r = static_cast<double>(x & 0xFFFFFF) / static_cast<double>(0x1000000);
    if (r < p) counter++;
  }
  e->set_access(LfuMinutes(now_ms) << 8 | counter);
}

uint32_t Db::LfuCounter(const Entry* e, int64_t now_ms) const {
  uint32_t access = e->access();
  uint32_t last = access >> 8;
  uint32_t counter = access & 0xFF;
  uint32_t now = LfuMinutes(now_ms);
  uint32_t elapsed = now >= last ? now - last : 65535 - last + now;
  int decay = options_->lfu_decay_time.load(std::memory_order_relaxed);
  uint32_t periods = decay > 0 ? elapsed / static_cast<uint32_t>(decay) : 0;
  return periods > counter ? 0 : counter - periods;
}

int64_t Db::IdleSeconds(const Entry* e, int64_t now_ms) {
  uint32_t now = LruClock(now_ms);
  uint32_t then = e->access();
  return now >= then ? now - then : (0xFFFFFF - then) + now;
}

bool Db::ExpireIfNeeded(Entry* e, int64_t now_ms) {
  if (!e->has_expiry_block() || e->expire_at_ms() > now_ms) return false;
  Delete(e);
  stats_->expired_keys++;
  return true;
}

Entry* Db::FindForRead(std::string_view key, int64_t now_ms) {
  Entry* e = FindForWrite(key, now_ms);
  if (e)
    stats_->keyspace_hits++;
  else
    stats_->keyspace_misses++;
  return e;
}

Entry* Db::FindForWrite(std::string_view key, int64_t now_ms) {
  Entry* e = Peek(key, now_ms);
  if (e) Touch(e, now_ms);
  return e;
}

Entry* Db::Peek(std::string_view key, int64_t now_ms) {
  Entry* e = dict_.Find(key);
  if (e == nullptr || ExpireIfNeeded(e, now_ms)) return nullptr;
  return e;
}

uint64_t Db::KeyHash(std::string_view key) { return TableHash(key); }

void Db::AccountBuckets(size_t before) {
  stats_->used_bytes += static_cast<int64_t>(dict_.BucketBytes()) - static_cast<int64_t>(before);
}

Entry* Db::Insert(Entry* e, int64_t now_ms, int64_t expire_at_ms) {
  size_t buckets = dict_.BucketBytes();
  if (expire_at_ms > 0) {
    if (!e->has_expiry_block()) e = Entry::WithExpiryBlock(e, true);
    e->set_expire_at_ms(expire_at_ms);
    dict_.Insert(e);
    AddVolatile(e);
  } else {
    if (e->has_expiry_block()) e = Entry::WithExpiryBlock(e, false);
    dict_.Insert(e);
  }
  e->set_access(tracks_lfu() ? (LfuMinutes(now_ms) << 8 | kLfuInitCounter) : LruClock(now_ms));
  StampCas(e);
  Changed(e);
  if (blocking_ != nullptr && !blocking_->empty()) blocking_->KeyCreated(index_, e->key());
  stats_->used_bytes += static_cast<int64_t>(e->MemoryBytes());
  AccountBuckets(buckets);
  return e;
}

void Db::Delete(Entry* e) {
  size_t buckets = dict_.BucketBytes();
  if (e->has_expiry_block()) RemoveVolatile(e);
  Changed(e);
  dict_.Unlink(e->key());
  stats_->used_bytes -= static_cast<int64_t>(e->MemoryBytes());
  AccountBuckets(buckets);
  Entry::Destroy(e);
}

Entry* Db::Detach(std::string_view key, int64_t* expire_at_ms) {
  size_t buckets = dict_.BucketBytes();
  Entry* e = dict_.Unlink(key);
  *expire_at_ms = 0;
  if (e == nullptr) return nullptr;
  Changed(e);
  if (e->has_expiry_block()) {
    *expire_at_ms = e->expire_at_ms();
    RemoveVolatile(e);
  }
  stats_->used_bytes -= static_cast<int64_t>(e->MemoryBytes());
  AccountBuckets(buckets);
  return e;
}

Entry* Db::Updated(Entry* old_entry, Entry* updated, size_t old_bytes) {
  StampCas(updated);
  Changed(updated);
  if (updated != old_entry) {
    dict_.Replace(old_entry, updated);
    if (updated->has_expiry_block()) volatile_[updated->volatile_index()] = updated;
  }
  stats_->used_bytes +=
      static_cast<int64_t>(updated->MemoryBytes()) - static_cast<int64_t>(old_bytes);
  return updated;
}

Entry* Db::SetExpire(Entry* e, int64_t expire_at_ms) {
  Changed(e);
  if (e->has_expiry_block()) {
    e->set_expire_at_ms(expire_at_ms);
    return e;
  }
  size_t old_bytes = e->MemoryBytes();
  Entry* moved = Entry::WithExpiryBlock(e, true);
  moved->set_expire_at_ms(expire_at_ms);
  if (moved != e) dict_.Replace(e, moved);
  AddVolatile(moved);
  stats_->used_bytes +=
      static_cast<int64_t>(moved->MemoryBytes()) - static_cast<int64_t>(old_bytes);
  return moved;
}

Entry* Db::Persist(Entry* e) {
  if (!e->has_expiry_block()) return e;
  Changed(e);
  RemoveVolatile(e);
  size_t old_bytes = e->MemoryBytes();
  Entry* moved = Entry::WithExpiryBlock(e, false);
  if (moved != e) dict_.Replace(e, moved);
  stats_->used_bytes +=
      static_cast<int64_t>(moved->MemoryBytes()) - static_cast<int64_t>(old_bytes);
  return moved;
}

void Db::AddVolatile(Entry* e) {
  e->set_volatile_index(static_cast<uint32_t>(volatile_.size()));
  volatile_.push_back(e);
}

void Db::RemoveVolatile(Entry* e) {
  uint32_t idx = e->volatile_index();
  Entry* last = volatile_.back();
  volatile_[idx] = last;
  last->set_volatile_index(idx);
  volatile_.pop_back();
}

size_t Db::ActiveExpire(int64_t now_ms, int64_t deadline_us, const Clock& clock,
                        std::mt19937_64& rng) {
  // As Redis's activeExpireCycle: sample 20 keys with deadlines (more with higher effort),
  // repeat while more than a quarter of the sample had expired, stop at the time budget.
  int effort = std::clamp(options_->active_expire_effort.load(std::memory_order_relaxed), 1, 10);
  size_t per_sample = 20 + 5 * static_cast<size_t>(effort - 1);
  size_t deleted = 0;
  for (;;) {
    if (volatile_.empty()) break;
    size_t sample = std::min(per_sample, volatile_.size());
    size_t expired = 0;
    for (size_t i = 0; i < sample && !volatile_.empty(); i++) {
      Entry* e = volatile_[rng() % volatile_.size()];
      if (e->expire_at_ms() <= now_ms) {
        Delete(e);
        stats_->expired_keys++;
        expired++;
      }
    }
    deleted += expired;
    if (expired * 4 <= sample) break;
    if (clock.MonotonicUs() >= deadline_us) break;
  }
  return deleted;
}

size_t Db::Sample(std::mt19937_64& rng, bool volatile_only, Entry** out, size_t count) const {
  if (!volatile_only) return dict_.Sample(rng, out, count);
  size_t n = std::min(count, volatile_.size());
  for (size_t i = 0; i < n; i++) out[i] = volatile_[rng() % volatile_.size()];
  return n;
}

Entry* Db::RandomKey(std::mt19937_64& rng, int64_t now_ms) {
  // Skip expired keys the way Redis does, but give up after a bounded number of tries when
  // everything sampled is expired (all keys volatile and stale).
  for (int tries = 0; tries < 100; tries++) {
    Entry* e = dict_.Random(rng);
    if (e == nullptr) return nullptr;
    if (!ExpireIfNeeded(e, now_ms)) return e;
  }
  return nullptr;
}

int64_t Db::avg_ttl_ms(int64_t now_ms) const {
  if (volatile_.empty()) return 0;
  size_t n = std::min<size_t>(volatile_.size(), 64);
  int64_t sum = 0;
  for (size_t i = 0; i < n; i++) sum += std::max<int64_t>(0, volatile_[i]->expire_at_ms() - now_ms);
  return sum / static_cast<int64_t>(n);
}

void Db::Clear() {
  TouchExisting(*this);
  size_t buckets = dict_.BucketBytes();
  int64_t freed = 0;
  dict_.ForEach([&freed](Entry* e) { freed += static_cast<int64_t>(e->MemoryBytes()); });
  dict_.Clear();
  volatile_.clear();
  volatile_.shrink_to_fit();
  stats_->used_bytes -= freed;
  AccountBuckets(buckets);
}

Dict Db::TakeContents() {
  TouchExisting(*this);
  Dict taken;
  taken.swap(dict_);
  volatile_.clear();
  volatile_.shrink_to_fit();
  return taken;
}

void Db::TouchExisting(const Db& contents) {
  if (!watches_.empty()) {
    watches_.TouchIf([this, &contents](std::string_view key) {
      return dict_.Find(key) != nullptr || contents.dict_.Find(key) != nullptr;
    });
  }
}

void Db::RehashStep(size_t buckets) {
  size_t before = dict_.BucketBytes();
  dict_.RehashStep(buckets);
  AccountBuckets(before);
}

void Db::swap(Db& other) noexcept {
  // Both Dbs belong to the same shard, so stats_ and options_ are shared and stay. Watches
  // stay with the database number: every watcher of either sees a change.
  TouchExisting(other);
  other.TouchExisting(*this);
  dict_.swap(other.dict_);
  volatile_.swap(other.volatile_);
}

}  // namespace shoal
