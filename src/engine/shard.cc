#include "engine/shard.h"

#include <algorithm>
#include <limits>

namespace shoal {

Shard::Shard(uint32_t id, const EngineOptions* options, const Clock* clock)
    : id_(id), options_(options), clock_(clock), cas_clock_(id), rng_(0x5eed0000ULL + id) {
  for (int i = 0; i < options_->num_databases; i++) {
    dbs_.push_back(std::make_unique<Db>(&stats_, options_, &cas_clock_));
    dbs_.back()->AttachBlocking(&blocking_, i);
  }
}

void Shard::SwapDbs(int a, int b) {
  dbs_[static_cast<size_t>(a)].swap(dbs_[static_cast<size_t>(b)]);
  dbs_[static_cast<size_t>(a)]->AttachBlocking(&blocking_, a);
  dbs_[static_cast<size_t>(b)]->AttachBlocking(&blocking_, b);
  blocking_.DbReplaced(a);
  blocking_.DbReplaced(b);
  ServeBlocked();
}

uint64_t Shard::MemoryLimit() const {
  uint64_t maxmemory = options_->maxmemory.load(std::memory_order_relaxed);
  if (maxmemory == 0) return 0;
  return std::max<uint64_t>(1, maxmemory / std::max<uint32_t>(1, options_->num_shards));
}

bool Shard::EnsureMemory() {
  uint64_t limit = MemoryLimit();
  if (limit == 0) return true;
  // Bounded: a command never spends unbounded time evicting.
  for (int i = 0; i < 10000; i++) {
    if (stats_.used_bytes <= static_cast<int64_t>(limit)) return true;
    if (!EvictOne()) return false;
  }
  return stats_.used_bytes <= static_cast<int64_t>(limit);
}

bool Shard::EvictOne() {
  // Redis-style approximation: sample `maxmemory-samples` keys per database and evict the
  // best candidate of the whole sample under the policy.
  EvictionPolicy policy = options_->maxmemory_policy.load(std::memory_order_relaxed);
  if (policy == EvictionPolicy::kNoEviction) return false;
  bool volatile_only =
      policy == EvictionPolicy::kVolatileLru || policy == EvictionPolicy::kVolatileLfu ||
      policy == EvictionPolicy::kVolatileRandom || policy == EvictionPolicy::kVolatileTtl;
  bool random =
      policy == EvictionPolicy::kAllKeysRandom || policy == EvictionPolicy::kVolatileRandom;
  size_t samples = static_cast<size_t>(
      std::clamp(options_->maxmemory_samples.load(std::memory_order_relaxed), 1, 64));
  int64_t now = NowMs();

  Entry* best = nullptr;
  Db* best_db = nullptr;
  double best_score = -std::numeric_limits<double>::infinity();
  Entry* sample[64];
  for (auto& db : dbs_) {
    size_t n = db->Sample(rng_, volatile_only, sample, samples);
    for (size_t i = 0; i < n; i++) {
      Entry* e = sample[i];
      double score;  // higher = better victim
      if (random) {
        score = 0;
      } else if (policy == EvictionPolicy::kVolatileTtl) {
        score = -static_cast<double>(e->expire_at_ms());
      } else if (db->tracks_lfu()) {
        score = 255.0 - db->LfuCounter(e, now);
      } else {
        score = static_cast<double>(Db::IdleSeconds(e, now));
      }
      if (best == nullptr || score > best_score) {
        best = e;
        best_db = db.get();
        best_score = score;
      }
    }
    if (random && best != nullptr) break;
  }
  if (best == nullptr) return false;
  best_db->Delete(best);
  stats_.evicted_keys++;
  return true;
}

void Shard::Cron() {
  int hz = std::clamp(options_->hz.load(std::memory_order_relaxed), 1, 500);
  // As Redis: active expiry may use up to 25% of the cron period.
  int64_t budget_us = 1000000 / hz / 4;
  int64_t deadline = clock_->MonotonicUs() + budget_us;
  int64_t now = NowMs();
  for (size_t i = 0; i < dbs_.size(); i++) {
    Db& db = *dbs_[(expire_db_cursor_ + i) % dbs_.size()];
    if (db.volatile_size() > 0) db.ActiveExpire(now, deadline, *clock_, rng_);
    if (clock_->MonotonicUs() >= deadline) {
      expire_db_cursor_ = (expire_db_cursor_ + i + 1) % dbs_.size();
      break;
    }
  }
  for (auto& db : dbs_) db->RehashStep(100);
}

size_t Shard::TotalKeys() const {
  size_t n = 0;
  for (const auto& db : dbs_) n += db->size();
  return n;
}

void Shard::FlushLazily(Db& db) { lazy_free_.push_back(LazyFree{db.TakeContents(), 0}); }

bool Shard::FreeLazily(size_t max_entries) {
  while (max_entries > 0 && !lazy_free_.empty()) {
    LazyFree& job = lazy_free_.front();
    const size_t before = job.dict.size();
    const size_t step = std::min(max_entries, before);
    stats_.used_bytes -= static_cast<int64_t>(job.dict.DestroySome(step, &job.cursor));
    const size_t done = before - job.dict.size();
    stats_.lazyfreed_keys += done;
    max_entries -= done;
    if (job.dict.size() == 0) lazy_free_.pop_front();
  }
  return !lazy_free_.empty();
}

size_t Shard::lazy_free_pending() const {
  size_t n = 0;
  for (const LazyFree& job : lazy_free_) n += job.dict.size();
  return n;
}

}  // namespace shoal
