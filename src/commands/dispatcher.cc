#include "commands/dispatcher.h"

#include <algorithm>
#include <array>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/container/small_vector.hpp>
#include <chrono>

#include "base/hash.h"
#include "base/strings.h"
#include "engine/transaction.h"

namespace shoal {

std::string UnknownCommandError(CmdArgs args) {
  // As Redis: arguments are quoted until their list reaches 128 bytes, each cut to fit.
  std::string listed;
  for (size_t i = 1; i < args.size() && listed.size() < 128; i++) {
    size_t room = 128 - listed.size();
    listed.append("'");
    listed.append(args[i].substr(0, room));
    listed.append("' ");
  }
  std::string msg = "ERR unknown command '";
  msg.append(args[0].substr(0, 128));
  msg.append("', with args beginning with: ");
  msg.append(listed);
  for (char& c : msg) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return msg;
}

std::string WrongArityError(std::string_view name) {
  return "ERR wrong number of arguments for '" + ToLower(name) + "' command";
}

Dispatcher::Dispatcher(ShardSet* shards, ServerApi* server, const SlowLogOptions* slowlog_options)
    : shards_(shards),
      server_(server),
      counters_(new ShardCounters[shards->size()]),
      slowlog_(slowlog_options, shards->size()) {}

Dispatcher::~Dispatcher() = default;

int64_t Dispatcher::SlowLogStart() const {
  if (!slowlog_.enabled()) return -1;
  return SystemClock::Instance().MonotonicUs();
}

void Dispatcher::SlowLogFinish(const CommandContext& ctx, int64_t start_us) {
  if (start_us < 0) return;
  slowlog_.Record(ctx, SystemClock::Instance().MonotonicUs() - start_us);
}

void Dispatcher::Count() {
  int s = ShardSet::CurrentShard();
  if (s >= 0) counters_[static_cast<size_t>(s)].commands.fetch_add(1, std::memory_order_relaxed);
}

uint64_t Dispatcher::total_commands() const {
  uint64_t n = 0;
  for (uint32_t i = 0; i < shards_->size(); i++) {
    n += counters_[i].commands.load(std::memory_order_relaxed);
  }
  return n;
}

void Dispatcher::ResetStats() {
  for (uint32_t i = 0; i < shards_->size(); i++) counters_[i].commands.store(0);
}

void Dispatcher::Pause(int64_t until_ms, bool writes_only) {
  pause_writes_only_.store(writes_only, std::memory_order_relaxed);
  pause_until_ms_.store(until_ms, std::memory_order_release);
}

void Dispatcher::Unpause() { pause_until_ms_.store(0, std::memory_order_release); }

bool Dispatcher::PausedFor(const CommandSpec& spec) const {
  int64_t until = pause_until_ms_.load(std::memory_order_acquire);
  if (until == 0) return false;
  // CLIENT UNPAUSE and the commands that must keep working during a pause are never held.
  if (spec.name == "client" || spec.name == "ping" || spec.name == "quit" || spec.name == "info") {
    return false;
  }
  if (pause_writes_only_.load(std::memory_order_relaxed) && !(spec.flags & kCmdWrite)) {
    return false;
  }
  return SystemClock::Instance().NowMs() < until;
}

namespace {
// Redis's arity rule: N means exactly N arguments (the name counts), -N at least N.
bool ArityMatches(const CommandSpec& spec, size_t argc) {
  int n = static_cast<int>(argc);
  return spec.arity > 0 ? n == spec.arity : n >= -spec.arity;
}
}  // namespace

void Dispatcher::Lookup(CommandContext& ctx) { ctx.spec = CommandTable::Get().Find(ctx.args[0]); }

template <typename At>
void Dispatcher::PrefetchKeys(uint32_t shard_id, size_t n, At at) {
  Shard& shard = shards_->shard(shard_id);
  // In chunks: more misses in flight than the core's line fill buffers gain nothing.
  constexpr size_t kChunk = 16;
  struct Pending {
    const Db* db;
    uint64_t hash;
  };
  std::array<Pending, kChunk> pending;
  for (size_t begin = 0; begin < n; begin += kChunk) {
    size_t count = 0;
    for (size_t i = begin; i < std::min(n, begin + kChunk); i++) {
      const CommandContext& ctx = at(i);
      const CommandSpec* spec = ctx.spec;
      if (spec == nullptr || spec->shard_handler == nullptr || spec->first_key <= 0) continue;
      const auto key_index = static_cast<size_t>(spec->first_key);
      if (ctx.args.size() <= key_index) continue;
      std::string_view key = ctx.args[key_index];
      if (ShardOfKey(key, shards_->size()) != shard_id) continue;
      pending[count] = Pending{&shard.db(ctx.client->db), Db::KeyHash(key)};
      pending[count].db->PrefetchBucket(pending[count].hash);
      count++;
    }
    for (size_t i = 0; i < count; i++) pending[i].db->PrefetchChain(pending[i].hash);
  }
}

void Dispatcher::Prefetch(std::span<CommandContext> batch) {
  const int current = ShardSet::CurrentShard();
  if (current < 0 || batch.size() < 2) return;
  PrefetchKeys(static_cast<uint32_t>(current), batch.size(),
               [batch](size_t i) -> const CommandContext& { return batch[i]; });
}

const CommandSpec* Dispatcher::Resolve(CommandContext& ctx) {
  const CommandSpec* spec = ctx.spec != nullptr ? ctx.spec : CommandTable::Get().Find(ctx.args[0]);
  if (spec == nullptr) {
    ctx.out->Error(UnknownCommandError(ctx.args));
    return nullptr;
  }
  if (!ArityMatches(*spec, ctx.args.size())) {
    if (spec->name == "exec") {
      // As Redis: a refused EXEC ends the transaction (its WATCHes stay until the next
      // EXEC, DISCARD, UNWATCH or disconnection).
      ctx.client->multi = ClientState::Multi();
      ctx.out->Error("EXECABORT Transaction discarded because of: " +
                     WrongArityError(spec->name).substr(4));
      return nullptr;
    }
    ctx.out->Error(WrongArityError(spec->name));
    return nullptr;
  }
  if (!ctx.client->authenticated && !(spec->flags & kCmdNoAuth) && server_->auth_required()) {
    ctx.out->Error("NOAUTH Authentication required.");
    return nullptr;
  }
  ctx.spec = spec;
  return spec;
}

void Dispatcher::RunShardHandler(const CommandSpec& spec, CommandContext& ctx, Shard& shard) {
  if ((spec.flags & kCmdDenyOom) && !shard.EnsureMemory()) {
    ctx.out->Error(errors::kOom);
    return;
  }
  const int64_t now = ctx.now_ms != 0 ? ctx.now_ms : shard.NowMs();
  ShardCall call{shard, shard.db(ctx.client->db), ctx.args, *ctx.out, *ctx.client, now};
  spec.shard_handler(call);
  shard.ServeBlocked();  // before the next command of a batch, as Redis after each command
}

namespace {
// Commands that run at once inside MULTI instead of being queued (as Redis).
bool RunsInsideMulti(const CommandSpec& spec) {
  return spec.name == "exec" || spec.name == "discard" || spec.name == "multi" ||
         spec.name == "watch" || spec.name == "quit" || spec.name == "reset";
}
}  // namespace

void Dispatcher::Queue(CommandContext& ctx) {
  ClientState::Multi& multi = ctx.client->multi;
  if (Resolve(ctx) == nullptr) {
    multi.failed = true;
    return;
  }
  if (ctx.spec->flags & kCmdNoMulti) {
    multi.failed = true;
    ctx.out->Error("ERR Command not allowed inside a transaction");
    return;
  }
  multi.queued.emplace_back(ctx.args.begin(), ctx.args.end());
  ctx.out->SimpleString("QUEUED");
}

bool Dispatcher::TryInline(CommandContext& ctx) {
  Count();
  if (ctx.client->multi.active && !(ctx.spec != nullptr && RunsInsideMulti(*ctx.spec))) {
    Queue(ctx);
    return true;
  }
  const CommandSpec* spec = Resolve(ctx);
  if (spec == nullptr) return true;
  if (PausedFor(*spec)) return false;
  if (spec->shard_handler == nullptr) return false;
  uint32_t target = ShardOfKey(ctx.args[static_cast<size_t>(spec->first_key)], shards_->size());
  if (static_cast<int>(target) != ShardSet::CurrentShard()) return false;
  Shard& shard = shards_->shard(target);
  if (!ctx.client->exec_holds_shards && !shard.locks().CanRunKey(GateKey(ctx))) return false;
  int64_t start = SlowLogStart();
  RunShardHandler(*spec, ctx, shard);
  SlowLogFinish(ctx, start);
  return true;
}

boost::asio::awaitable<void> Dispatcher::Dispatch(CommandContext& ctx) {
  // TryInline already resolved and counted the command.
  const CommandSpec& spec = *ctx.spec;
  while (PausedFor(spec)) {
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
    timer.expires_after(std::chrono::milliseconds(10));
    co_await timer.async_wait(boost::asio::use_awaitable);
  }
  int64_t start = SlowLogStart();
  if (spec.coord_handler != nullptr) {
    co_await spec.coord_handler(ctx);
    SlowLogFinish(ctx, start);
    co_return;
  }
  std::string_view key = ctx.args[static_cast<size_t>(spec.first_key)];
  uint32_t target = ShardOfKey(key, shards_->size());
  LockRequest gate;
  gate.keys.push_back(GateKey(ctx));
  auto body = [this, &spec, &ctx](Shard& shard) { RunShardHandler(spec, ctx, shard); };
  const LockRequest* wait_for = ctx.client->exec_holds_shards ? nullptr : &gate;
  co_await shards_->Execute(target, wait_for, /*acquire=*/false, body);
  SlowLogFinish(ctx, start);
}

uint32_t Dispatcher::OwnerShard(CommandContext& ctx) const {
  const CommandSpec* spec = ctx.spec != nullptr ? ctx.spec : CommandTable::Get().Find(ctx.args[0]);
  if (spec == nullptr || spec->shard_handler == nullptr || ctx.client->multi.active)
    return kNoOwner;
  if (!ArityMatches(*spec, ctx.args.size()) || !ctx.client->authenticated || PausedFor(*spec))
    return kNoOwner;
  ctx.spec = spec;
  return ShardOfKey(ctx.args[static_cast<size_t>(spec->first_key)], shards_->size());
}

uint32_t Dispatcher::RemoteTarget(CommandContext& ctx) const {
  uint32_t owner = OwnerShard(ctx);
  return static_cast<int>(owner) == ShardSet::CurrentShard() ? kNotRemote : owner;
}

boost::asio::awaitable<void> Dispatcher::DispatchParallel(std::span<CommandContext> batch) {
  int64_t start = SlowLogStart();
  // One hop per shard: targets[h], with batch[order[first[h]] .. order[first[h + 1] - 1]]
  // in pipeline order.
  boost::container::small_vector<uint32_t, 8> targets;
  boost::container::small_vector<uint32_t, 8> hop_of_shard(shards_->size(), kNoOwner);
  boost::container::small_vector<uint32_t, 64> hop_of_request(batch.size());
  for (uint32_t i = 0; i < batch.size(); i++) {
    Count();
    uint32_t owner = OwnerShard(batch[i]);
    if (hop_of_shard[owner] == kNoOwner) {
      hop_of_shard[owner] = static_cast<uint32_t>(targets.size());
      targets.push_back(owner);
    }
    hop_of_request[i] = hop_of_shard[owner];
  }
  boost::container::small_vector<uint32_t, 9> first(targets.size() + 1, 0);
  for (uint32_t h : hop_of_request) first[h + 1]++;
  for (size_t h = 0; h < targets.size(); h++) first[h + 1] += first[h];
  boost::container::small_vector<uint32_t, 64> order(batch.size());
  boost::container::small_vector<uint32_t, 8> next(first.begin(), first.end() - 1);
  for (uint32_t i = 0; i < batch.size(); i++) order[next[hop_of_request[i]]++] = i;
  auto requests_of = [&order, &first](size_t hop) {
    return std::span<const uint32_t>(order.data() + first[hop], first[hop + 1] - first[hop]);
  };

  auto run_hop = [this, batch, &requests_of, &targets](Shard& shard, size_t hop) {
    std::span<const uint32_t> mine = requests_of(hop);
    PrefetchKeys(targets[hop], mine.size(),
                 [&](size_t k) -> const CommandContext& { return batch[mine[k]]; });
    for (uint32_t i : mine) RunShardHandler(*batch[i].spec, batch[i], shard);
  };

  const bool writes = std::any_of(batch.begin(), batch.end(), [](const CommandContext& ctx) {
    return (ctx.spec->flags & kCmdReadOnly) == 0;
  });
  if (writes) {
    // Atomic: every key locked (ascending shard order) before any runs, so no other client
    // sees a later write of the run without an earlier one.
    Transaction tx(shards_, batch[0].client->db, batch[0].client->exec_holds_shards);
    for (const CommandContext& ctx : batch) {
      LockKey k = GateKey(ctx);
      tx.AddKey(k.key, k.mode);
    }
    auto part = [&run_hop, &hop_of_shard](Shard& shard) {
      run_hop(shard, hop_of_shard[shard.id()]);
    };
    co_await tx.LockAndRunAll(part);
  } else {
    auto gate_of = [batch, &requests_of](size_t hop) {
      LockRequest gate;
      for (uint32_t i : requests_of(hop)) gate.keys.push_back(GateKey(batch[i]));
      return std::optional<LockRequest>(std::move(gate));
    };
    co_await shards_->ExecuteParallel(std::span<const uint32_t>(targets), gate_of, run_hop);
  }
  for (CommandContext& ctx : batch) SlowLogFinish(ctx, start);
}

boost::asio::awaitable<void> Dispatcher::DispatchBatch(uint32_t target,
                                                       std::span<CommandContext> batch) {
  int64_t start = SlowLogStart();
  LockRequest gate;
  for (CommandContext& ctx : batch) {
    Count();
    gate.keys.push_back(GateKey(ctx));
  }
  auto body = [this, target, batch](Shard& shard) {
    if (batch.size() > 1) {
      PrefetchKeys(target, batch.size(),
                   [batch](size_t i) -> const CommandContext& { return batch[i]; });
    }
    for (CommandContext& ctx : batch) RunShardHandler(*ctx.spec, ctx, shard);
  };
  co_await shards_->Execute(target, &gate, /*acquire=*/false, body);
  for (CommandContext& ctx : batch) SlowLogFinish(ctx, start);
}

LockKey Dispatcher::GateKey(const CommandContext& ctx) {
  return LockKey{ctx.client->db, ctx.args[static_cast<size_t>(ctx.spec->first_key)],
                 (ctx.spec->flags & kCmdWrite) ? LockMode::kExclusive : LockMode::kShared};
}

}  // namespace shoal
