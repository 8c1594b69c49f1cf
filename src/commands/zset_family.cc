// The sorted set commands (Redis "sorted_set" group) that work on one key. Ranges are parsed
// and resolved to ranks in zset_range.cc; the commands over several keys are in
// zset_multi_key.cc.
#include <algorithm>
#include <boost/unordered/unordered_flat_set.hpp>
#include <cmath>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "base/strings.h"
#include "commands/command.h"
#include "commands/command_table.h"
#include "commands/value_helpers.h"
#include "commands/zset_commands.h"
#include "commands/zset_range.h"
#include "core/zset_object.h"

namespace shoal {
namespace {

constexpr uint32_t kW = kCmdWrite | kCmdDenyOom;
constexpr uint32_t kR = kCmdReadOnly;
constexpr std::string_view kNaN = "ERR resulting score is not a number (NaN)";

ZSetObject& ZOf(Entry* e) { return *static_cast<ZSetObject*>(e->object()); }

Entry* FindZSet(ShardCall& c, bool* bad, bool for_write = false) {
  return FindTyped(c.db, c.args[1], c.now_ms, ValueType::kZSet, c.out, bad, for_write);
}

Entry* FindOrCreateZSet(ShardCall& c) {
  bool bad;
  Entry* e = FindZSet(c, &bad, true);
  if (bad) return nullptr;
  if (e == nullptr) e = c.db.Insert(Entry::CreateObject(c.args[1], new ZSetObject()), c.now_ms);
  return e;
}

// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]
void ZAdd(ShardCall& c) {
  bool nx = false, xx = false, gt = false, lt = false, ch = false, incr = false;
  size_t i = 2;
  for (; i < c.args.size(); i++) {
    std::string_view a = c.args[i];
    if (EqualsIgnoreCase(a, "nx"))
      nx = true;
    else if (EqualsIgnoreCase(a, "xx"))
      xx = true;
    else if (EqualsIgnoreCase(a, "gt"))
      gt = true;
    else if (EqualsIgnoreCase(a, "lt"))
      lt = true;
    else if (EqualsIgnoreCase(a, "ch"))
      ch = true;
    else if (EqualsIgnoreCase(a, "incr"))
      incr = true;
    else
      break;
  }
  const size_t pairs_args = c.args.size() - i;
  if (pairs_args == 0 || pairs_args % 2 != 0) return c.out.Error(errors::kSyntax);
  if (nx && xx) return c.out.Error("ERR XX and NX options at the same time are not compatible");
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    return c.out.Error("ERR GT, LT, and/or NX options at the same time are not compatible");
  }
  if (incr && pairs_args > 2) {
    return c.out.Error("ERR INCR option supports a single increment-element pair");
  }
  std::vector<double> scores;
  for (size_t k = i; k < c.args.size(); k += 2) {
    std::optional<double> s = ParseDouble(c.args[k]);
    if (!s) return c.out.Error(errors::kNotFloat);
    scores.push_back(*s);
  }
  bool bad;
  Entry* e = FindZSet(c, &bad, true);
  if (bad) return;
  if (e == nullptr) {
    if (xx) return incr ? c.out.Null() : c.out.Integer(0);
    e = c.db.Insert(Entry::CreateObject(c.args[1], new ZSetObject()), c.now_ms);
  }
  const ZSetLimits limits = c.shard.options().zset_limits();
  int64_t added = 0, changed = 0;
  std::optional<double> incr_result;
  bool nan = false;
  {
    ObjectChange change(c.db, e);
    ZSetObject& z = ZOf(e);
    for (size_t k = 0; k < scores.size(); k++) {
      std::string_view member = c.args[i + 2 * k + 1];
      std::optional<double> old = z.Score(member);
      if ((nx && old) || (xx && !old)) continue;
      double score = scores[k];
      if (incr && old) score += *old;
      if (std::isnan(score)) {
        nan = true;
        break;
      }
      if (old && ((gt && score <= *old) || (lt && score >= *old))) continue;
      if (incr) incr_result = score;
      if (!old) {
        z.Set(member, score, limits);
        added++;
      } else if (*old != score) {
        z.Set(member, score, limits);
        changed++;
      }
    }
  }
  if (nan) return c.out.Error(kNaN);
  if (incr) return incr_result ? c.out.Double(*incr_result) : c.out.Null();
  c.out.Integer(ch ? added + changed : added);
}

void ZIncrBy(ShardCall& c) {
  std::optional<double> incr = ParseDouble(c.args[2]);
  if (!incr) return c.out.Error(errors::kNotFloat);
  Entry* e = FindOrCreateZSet(c);
  if (e == nullptr) return;
  double score = 0;
  {
    ObjectChange change(c.db, e);
    ZSetObject& z = ZOf(e);
    score = z.Score(c.args[3]).value_or(0) + *incr;
    if (!std::isnan(score)) z.Set(c.args[3], score, c.shard.options().zset_limits());
  }
  if (std::isnan(score)) return c.out.Error(kNaN);
  c.out.Double(score);
}

void ZRem(ShardCall& c) {
  bool bad;
  Entry* e = FindZSet(c, &bad, true);
  if (bad) return;
  if (e == nullptr) return c.out.Integer(0);
  int64_t removed = 0;
  {
    ObjectChange change(c.db, e);
    for (size_t i = 2; i < c.args.size(); i++) removed += ZOf(e).Remove(c.args[i]) ? 1 : 0;
  }
  c.out.Integer(removed);
}

void ZCard(ShardCall& c) {
  bool bad;
  Entry* e = FindZSet(c, &bad);
  if (bad) return;
  c.out.Integer(e == nullptr ? 0 : static_cast<int64_t>(ZOf(e).Length()));
}

void ZScore(ShardCall& c) {
  bool bad;
  Entry* e = FindZSet(c, &bad);
  if (bad) return;
  std::optional<double> s = e == nullptr ? std::nullopt : ZOf(e).Score(c.args[2]);
  if (!s) return c.out.Null();
  c.out.Double(*s);
}

void ZMScore(ShardCall& c) {
  bool bad;
  Entry* e = FindZSet(c, &bad);
  if (bad) return;
  c.out.ArrayHeader(c.args.size() - 2);
  for (size_t i = 2; i < c.args.size(); i++) {
    std::optional<double> s = e == nullptr ? std::nullopt : ZOf(e).Score(c.args[i]);
    if (s)
      c.out.Double(*s);
    else
      c.out.Null();
  }
}

void RankGeneric(ShardCall& c, bool reverse) {
  bool bad;
  Entry* e = FindZSet(c, &bad);
  if (bad) return;
  std::optional<size_t> rank = e == nullptr ? std::nullopt : ZOf(e).Rank(c.args[2]);
  if (!rank) return c.out.Null();
  c.out.Integer(static_cast<int64_t>(reverse ? ZOf(e).Length() - 1 - *rank : *rank));
}
void ZRank(ShardCall& c) { RankGeneric(c, false); }
void ZRevRank(ShardCall& c) { RankGeneric(c, true); }

// ---- Ranges ----

// Members (and scores) of a selection: RESP3 WITHSCORES pairs nest, as Redis 7.
void ReplyElements(const ZSetObject* z, const Selection& s, bool with_scores, ReplySink& out) {
  const bool nested = with_scores && out.protocol_version() >= 3;
  out.ArrayHeader(with_scores && !nested ? s.count * 2 : s.count);
  if (z == nullptr || s.count == 0) return;
  z->ForRange(s.first, s.count, s.reverse, [&](ZElement e) {
    if (nested) out.ArrayHeader(2);
    out.Bulk(e.member);
    if (with_scores) out.Double(e.score);
    return true;
  });
}

RangeRequest Request(ShardCall& c, By by, bool rev) {
  RangeRequest r;
  r.by = by;
  r.rev = rev;
  r.min = c.args[2];
  r.max = c.args[3];
  return r;
}

void RangeGeneric(ShardCall& c, By by, bool rev, size_t options_from, bool fixed) {
  RangeRequest r = Request(c, by, rev);
  if (!ParseRangeOptions(c.args, options_from, fixed, /*store=*/false, &r, c.out)) return;
  if (!Select(nullptr, r, c.out)) return;  // bad bounds are reported before the key's type
  bool bad;
  Entry* e = FindZSet(c, &bad);
  if (bad) return;
  const ZSetObject* z = e == nullptr ? nullptr : &ZOf(e);
  std::optional<Selection> s = Select(z, r, c.out);
  if (!s) return;
  ReplyElements(z, *s, r.with_scores, c.out);
}

void ZRange(ShardCall& c) { RangeGeneric(c, By::kRank, false, 4, false); }
void ZRevRange(ShardCall& c) { RangeGeneric(c, By::kRank, true, 4, true); }
void ZRangeByScore(ShardCall& c) { RangeGeneric(c, By::kScore, false, 4, true); }
void ZRevRangeByScore(ShardCall& c) { RangeGeneric(c, By::kScore, true, 4, true); }
void ZRangeByLex(ShardCall& c) { RangeGeneric(c, By::kLex, false, 4, true); }
void ZRevRangeByLex(ShardCall& c) { RangeGeneric(c, By::kLex, true, 4, true); }

// ZCOUNT / ZLEXCOUNT key min max
void CountGeneric(ShardCall& c, By by) {
  RangeRequest r = Request(c, by, false);
  if (!Select(nullptr, r, c.out)) return;
  bool bad;
  Entry* e = FindZSet(c, &bad);
  if (bad) return;
  std::optional<Selection> s = Select(e == nullptr ? nullptr : &ZOf(e), r, c.out);
  if (!s) return;
  c.out.Integer(static_cast<int64_t>(s->count));
}
void ZCount(ShardCall& c) { CountGeneric(c, By::kScore); }
void ZLexCount(ShardCall& c) { CountGeneric(c, By::kLex); }

// ZREMRANGEBYRANK / ZREMRANGEBYSCORE / ZREMRANGEBYLEX key min max
void RemoveRangeGeneric(ShardCall& c, By by) {
  RangeRequest r = Request(c, by, false);
  if (!Select(nullptr, r, c.out)) return;
  bool bad;
  Entry* e = FindZSet(c, &bad, true);
  if (bad) return;
  std::optional<Selection> s = Select(e == nullptr ? nullptr : &ZOf(e), r, c.out);
  if (!s) return;
  if (e != nullptr && s->count > 0) {
    ObjectChange change(c.db, e);
    ZOf(e).RemoveRange(s->first, s->count);
  }
  c.out.Integer(static_cast<int64_t>(s->count));
}
void ZRemRangeByRank(ShardCall& c) { RemoveRangeGeneric(c, By::kRank); }
void ZRemRangeByScore(ShardCall& c) { RemoveRangeGeneric(c, By::kScore); }
void ZRemRangeByLex(ShardCall& c) { RemoveRangeGeneric(c, By::kLex); }

// ZPOPMIN / ZPOPMAX key [count]
void PopGeneric(ShardCall& c, bool max) {
  int64_t count = 1;
  if (c.args.size() == 3) {
    std::optional<int64_t> v = ParseInt64(c.args[2]);
    if (!v || *v < 0) return c.out.Error("ERR value is out of range, must be positive");
    count = *v;
  } else if (c.args.size() > 3) {
    return c.out.Error(errors::kSyntax);
  }
  bool bad;
  Entry* e = FindZSet(c, &bad, true);
  if (bad) return;
  Scored popped;
  if (e != nullptr) popped = PopScored(c.db, e, max, static_cast<size_t>(count));
  // RESP3 nests the pairs when a count was given, as Redis 7.
  const bool nested = c.out.protocol_version() >= 3 && c.args.size() == 3;
  c.out.ArrayHeader(nested ? popped.size() : popped.size() * 2);
  for (const auto& [member, score] : popped) {
    if (nested) c.out.ArrayHeader(2);
    c.out.Bulk(member);
    c.out.Double(score);
  }
}
void ZPopMin(ShardCall& c) { PopGeneric(c, false); }
void ZPopMax(ShardCall& c) { PopGeneric(c, true); }

// `n` distinct ranks out of [0, len), in random order: rejection from a set when n is small
// next to len (no O(len) work for a few picks from a big set), else a partial shuffle.
std::vector<size_t> DistinctRandomRanks(size_t len, size_t n, std::mt19937_64& rng) {
  std::vector<size_t> out;
  if (n * 4 < len) {
    boost::unordered_flat_set<size_t> seen;
    while (out.size() < n) {
      const size_t r = rng() % len;
      if (seen.insert(r).second) out.push_back(r);
    }
    return out;
  }
  out.resize(len);
  for (size_t i = 0; i < len; i++) out[i] = i;
  for (size_t i = 0; i < n; i++) std::swap(out[i], out[i + rng() % (len - i)]);
  out.resize(n);
  return out;
}

// ZRANDMEMBER key [count [WITHSCORES]]
void ZRandMember(ShardCall& c) {
  std::optional<RandomCountArgs> a = ParseRandomCountArgs(c.args, "withscores", c.out);
  if (!a) return;
  const std::optional<int64_t> count = a->count;
  const bool with_scores = a->with;
  bool bad;
  Entry* e = FindZSet(c, &bad);
  if (bad) return;
  if (e == nullptr) return count ? c.out.ArrayHeader(0) : c.out.Null();
  const ZSetObject& z = ZOf(e);
  auto& rng = c.shard.rng();
  if (!count) return c.out.Bulk(z.ElementAt(rng() % z.Length()).member);
  const bool nested = with_scores && c.out.protocol_version() >= 3;
  auto reply = [&](size_t rank) {
    ZElement el = z.ElementAt(rank);
    if (nested) c.out.ArrayHeader(2);
    c.out.Bulk(el.member);
    if (with_scores) c.out.Double(el.score);
  };
  // A negative count may repeat members: ranks are drawn and sent one at a time.
  const size_t n =
      *count < 0 ? static_cast<size_t>(-*count) : std::min(static_cast<size_t>(*count), z.Length());
  c.out.ArrayHeader(with_scores && !nested ? n * 2 : n);
  if (*count < 0) {
    for (size_t i = 0; i < n; i++) reply(rng() % z.Length());
    return;
  }
  if (n == z.Length()) {  // the whole set, from the highest rank down, as Redis's iterator
    for (size_t k = 0; k < n; k++) reply(n - 1 - k);
    return;
  }
  for (size_t rank : DistinctRandomRanks(z.Length(), n, rng)) reply(rank);
}

// ZSCAN key cursor [MATCH pattern] [COUNT count]: the cursor is a rank (a sorted set has no
// buckets), so members present for the whole scan are returned exactly once unless ranks
// shift under it.
void ZScan(ShardCall& c) {
  std::optional<ScanArgs> a = ParseScanArgs(c.args, 2, ScanKind::kMembers, c.out);
  if (!a) return;
  bool bad;
  Entry* e = FindZSet(c, &bad);
  if (bad) return;
  std::vector<std::pair<std::string, double>> found;
  uint64_t next = 0;
  if (e != nullptr && a->cursor < ZOf(e).Length()) {
    const ZSetObject& z = ZOf(e);
    const size_t n = std::min<size_t>(z.Length() - a->cursor, static_cast<size_t>(a->count));
    z.ForRange(a->cursor, n, false, [&](ZElement el) {
      if (a->pattern.empty() || GlobMatch(a->pattern, el.member)) {
        found.emplace_back(std::string(el.member), el.score);
      }
      return true;
    });
    next = a->cursor + n < z.Length() ? a->cursor + n : 0;
  }
  c.out.ArrayHeader(2);
  c.out.Bulk(std::to_string(next));
  c.out.ArrayHeader(found.size() * 2);
  for (const auto& [member, score] : found) {
    c.out.Bulk(member);
    c.out.Bulk(FormatDouble(score));
  }
}

constexpr std::string_view kZWriteFast = "@write @sortedset @fast";
constexpr std::string_view kZWriteSlow = "@write @sortedset @slow";
constexpr std::string_view kZReadFast = "@read @sortedset @fast";
constexpr std::string_view kZReadSlow = "@read @sortedset @slow";

const CommandSpec kZSetCommands[] = {
    {"zadd", -4, kW | kCmdFast, 1, 1, 1, kZWriteFast, "sorted_set", "1.2.0",
     "Adds one or more members to a sorted set, or updates their scores. Creates the key if it "
     "doesn't exist.",
     ZAdd, nullptr},
    {"zincrby", 4, kW | kCmdFast, 1, 1, 1, kZWriteFast, "sorted_set", "1.2.0",
     "Increments the score of a member in a sorted set.", ZIncrBy, nullptr},
    {"zrem", -3, kCmdWrite | kCmdFast, 1, 1, 1, kZWriteFast, "sorted_set", "1.2.0",
     "Removes one or more members from a sorted set. Deletes the sorted set if all members were "
     "removed.",
     ZRem, nullptr},
    {"zcard", 2, kR | kCmdFast, 1, 1, 1, kZReadFast, "sorted_set", "1.2.0",
     "Returns the number of members in a sorted set.", ZCard, nullptr},
    {"zscore", 3, kR | kCmdFast, 1, 1, 1, kZReadFast, "sorted_set", "1.2.0",
     "Returns the score of a member in a sorted set.", ZScore, nullptr},
    {"zmscore", -3, kR | kCmdFast, 1, 1, 1, kZReadFast, "sorted_set", "6.2.0",
     "Returns the score of one or more members in a sorted set.", ZMScore, nullptr},
    {"zrank", 3, kR | kCmdFast, 1, 1, 1, kZReadFast, "sorted_set", "2.0.0",
     "Returns the index of a member in a sorted set ordered by ascending scores.", ZRank, nullptr},
    {"zrevrank", 3, kR | kCmdFast, 1, 1, 1, kZReadFast, "sorted_set", "2.0.0",
     "Returns the index of a member in a sorted set ordered by descending scores.", ZRevRank,
     nullptr},
    {"zcount", 4, kR | kCmdFast, 1, 1, 1, kZReadFast, "sorted_set", "2.0.0",
     "Returns the count of members in a sorted set that have scores within a range.", ZCount,
     nullptr},
    {"zlexcount", 4, kR | kCmdFast, 1, 1, 1, kZReadFast, "sorted_set", "2.8.9",
     "Returns the number of members in a sorted set within a lexicographical range.", ZLexCount,
     nullptr},
    {"zrange", -4, kR, 1, 1, 1, kZReadSlow, "sorted_set", "1.2.0",
     "Returns members in a sorted set within a range of indexes.", ZRange, nullptr},
    {"zrevrange", -4, kR, 1, 1, 1, kZReadSlow, "sorted_set", "1.2.0",
     "Returns members in a sorted set within a range of indexes in reverse order.", ZRevRange,
     nullptr},
    {"zrangebyscore", -4, kR, 1, 1, 1, kZReadSlow, "sorted_set", "1.0.5",
     "Returns members in a sorted set within a range of scores.", ZRangeByScore, nullptr},
    {"zrevrangebyscore", -4, kR, 1, 1, 1, kZReadSlow, "sorted_set", "2.2.0",
     "Returns members in a sorted set within a range of scores in reverse order.", ZRevRangeByScore,
     nullptr},
    {"zrangebylex", -4, kR, 1, 1, 1, kZReadSlow, "sorted_set", "2.8.9",
     "Returns members in a sorted set within a lexicographical range.", ZRangeByLex, nullptr},
    {"zrevrangebylex", -4, kR, 1, 1, 1, kZReadSlow, "sorted_set", "2.8.9",
     "Returns members in a sorted set within a lexicographical range in reverse order.",
     ZRevRangeByLex, nullptr},
    {"zremrangebyrank", 4, kCmdWrite, 1, 1, 1, kZWriteSlow, "sorted_set", "2.0.0",
     "Removes members in a sorted set within a range of indexes. Deletes the sorted set if all "
     "members were removed.",
     ZRemRangeByRank, nullptr},
    {"zremrangebyscore", 4, kCmdWrite, 1, 1, 1, kZWriteSlow, "sorted_set", "1.2.0",
     "Removes members in a sorted set within a range of scores. Deletes the sorted set if all "
     "members were removed.",
     ZRemRangeByScore, nullptr},
    {"zremrangebylex", 4, kCmdWrite, 1, 1, 1, kZWriteSlow, "sorted_set", "2.8.9",
     "Removes members in a sorted set within a lexicographical range. Deletes the sorted set if "
     "all members were removed.",
     ZRemRangeByLex, nullptr},
    {"zpopmin", -2, kCmdWrite | kCmdFast, 1, 1, 1, kZWriteFast, "sorted_set", "5.0.0",
     "Returns the lowest-scoring members from a sorted set after removing them. Deletes the "
     "sorted set if the last member was popped.",
     ZPopMin, nullptr},
    {"zpopmax", -2, kCmdWrite | kCmdFast, 1, 1, 1, kZWriteFast, "sorted_set", "5.0.0",
     "Returns the highest-scoring members from a sorted set after removing them. Deletes the "
     "sorted set if the last member was popped.",
     ZPopMax, nullptr},
    {"zrandmember", -2, kR, 1, 1, 1, kZReadSlow, "sorted_set", "6.2.0",
     "Returns one or more random members from a sorted set.", ZRandMember, nullptr},
    {"zscan", -3, kR, 1, 1, 1, kZReadSlow, "sorted_set", "2.8.0",
     "Iterates over members and scores of a sorted set.", ZScan, nullptr},
};

}  // namespace

Scored PopScored(Db& db, Entry* e, bool max, size_t count) {
  Scored popped;
  ObjectChange change(db, e);
  ZSetObject& z = ZOf(e);
  z.ForRange(max ? z.Length() - 1 : 0, std::min(count, z.Length()), max, [&](ZElement el) {
    popped.emplace_back(std::string(el.member), el.score);
    return true;
  });
  for (const auto& [member, score] : popped) z.Remove(member);
  return popped;
}

void ReplyMPopped(ReplySink& out, std::string_view key, const Scored& popped) {
  out.ArrayHeader(2);
  out.Bulk(key);
  out.ArrayHeader(popped.size());
  for (const auto& [member, score] : popped) {
    out.ArrayHeader(2);
    out.Bulk(member);
    out.Double(score);
  }
}

std::span<const CommandSpec> ZSetFamily() { return kZSetCommands; }

}  // namespace shoal
