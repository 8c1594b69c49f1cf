#include "commands/zset_range.h"

#include <cmath>

#include "base/strings.h"
#include "commands/reply.h"

namespace shoal {

std::optional<ScoreBound> ParseScoreBound(std::string_view s) {
  ScoreBound b;
  if (!s.empty() && s[0] == '(') {
    b.exclusive = true;
    s.remove_prefix(1);
  }
  std::optional<double> v = ParseDouble(s);
  if (!v) return std::nullopt;
  b.value = *v;
  return b;
}

std::optional<LexBound> ParseLexBound(std::string_view s) {
  LexBound b;
  if (s == "-") {
    b.kind = LexBound::Kind::kMin;
  } else if (s == "+") {
    b.kind = LexBound::Kind::kMax;
  } else if (!s.empty() && (s[0] == '[' || s[0] == '(')) {
    b.exclusive = s[0] == '(';
    b.value = std::string(s.substr(1));
  } else {
    return std::nullopt;
  }
  return b;
}

namespace {
// Whether `member` is above the lower bound (at or past it) / below the upper bound.
bool AboveMin(std::string_view member, const LexBound& min) {
  if (min.kind == LexBound::Kind::kMin) return true;
  if (min.kind == LexBound::Kind::kMax) return false;
  return min.exclusive ? member > min.value : member >= min.value;
}
bool PastMax(std::string_view member, const LexBound& max) {
  if (max.kind == LexBound::Kind::kMax) return false;
  if (max.kind == LexBound::Kind::kMin) return true;
  return max.exclusive ? member >= max.value : member > max.value;
}
RankSpan Between(size_t first, size_t end) { return {first, end > first ? end - first : 0}; }
}  // namespace

RankSpan ScoreSpan(const ZSetObject& z, const ScoreBound& min, const ScoreBound& max) {
  const size_t first = z.LowerBound(
      [&](ZElement e) { return min.exclusive ? e.score > min.value : e.score >= min.value; });
  const size_t end = z.LowerBound(
      [&](ZElement e) { return max.exclusive ? e.score >= max.value : e.score > max.value; });
  return Between(first, end);
}

RankSpan LexSpan(const ZSetObject& z, const LexBound& min, const LexBound& max) {
  // Lex ranges assume equal scores (as Redis); the members are then in byte order.
  const size_t first = z.LowerBound([&](ZElement e) { return AboveMin(e.member, min); });
  const size_t end = z.LowerBound([&](ZElement e) { return PastMax(e.member, max); });
  return Between(first, end);
}

namespace {
constexpr std::string_view kNotFloatRangeError = "ERR min or max is not a float";
constexpr std::string_view kNotLexRangeError = "ERR min or max not valid string range item";
}  // namespace

bool ParseRangeOptions(CmdArgs args, size_t from, bool fixed, bool store, RangeRequest* r,
                       ReplySink& out) {
  for (size_t i = from; i < args.size(); i++) {
    std::string_view a = args[i];
    if (!store && EqualsIgnoreCase(a, "withscores")) {
      r->with_scores = true;
    } else if (EqualsIgnoreCase(a, "limit") && i + 2 < args.size()) {
      std::optional<int64_t> offset = ParseInt64(args[i + 1]), count = ParseInt64(args[i + 2]);
      if (!offset || !count) {
        out.Error(errors::kNotInteger);
        return false;
      }
      r->limit = std::make_pair(*offset, *count);
      i += 2;
    } else if (!fixed && r->by == By::kRank && EqualsIgnoreCase(a, "byscore")) {
      r->by = By::kScore;  // BYSCORE and BYLEX once, not both: Redis's syntax error otherwise
    } else if (!fixed && r->by == By::kRank && EqualsIgnoreCase(a, "bylex")) {
      r->by = By::kLex;
    } else if (!fixed && !r->rev && EqualsIgnoreCase(a, "rev")) {
      r->rev = true;
    } else {
      out.Error(errors::kSyntax);
      return false;
    }
  }
  if (r->limit && r->by == By::kRank) {
    out.Error(
        "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
    return false;
  }
  if (r->with_scores && r->by == By::kLex) {
    out.Error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
    return false;
  }
  return true;
}

std::optional<Selection> Select(const ZSetObject* z, const RangeRequest& r, ReplySink& out) {
  RankSpan span;
  if (r.by == By::kRank) {
    std::optional<int64_t> start = ParseInt64(r.min), stop = ParseInt64(r.max);
    if (!start || !stop) {
      out.Error(errors::kNotInteger);
      return std::nullopt;
    }
    if (z == nullptr) return Selection{};
    const size_t len = z->Length();
    span = IndexSpan(*start, *stop, len);
    if (r.rev) span.first = span.count == 0 ? 0 : len - span.first - span.count;
  } else if (r.by == By::kScore) {
    std::optional<ScoreBound> lo = ParseScoreBound(r.rev ? r.max : r.min);
    std::optional<ScoreBound> hi = ParseScoreBound(r.rev ? r.min : r.max);
    if (!lo || !hi) {
      out.Error(kNotFloatRangeError);
      return std::nullopt;
    }
    if (z == nullptr) return Selection{};
    span = ScoreSpan(*z, *lo, *hi);
  } else {
    std::optional<LexBound> lo = ParseLexBound(r.rev ? r.max : r.min);
    std::optional<LexBound> hi = ParseLexBound(r.rev ? r.min : r.max);
    if (!lo || !hi) {
      out.Error(kNotLexRangeError);
      return std::nullopt;
    }
    if (z == nullptr) return Selection{};
    span = LexSpan(*z, *lo, *hi);
  }
  Selection s{span.first, span.count, r.rev};
  if (r.rev && s.count > 0) s.first = span.first + span.count - 1;  // walk down from the top
  if (r.limit) {
    const auto [offset, count] = *r.limit;
    if (offset < 0 || static_cast<size_t>(offset) >= s.count) return Selection{};
    s.count -= static_cast<size_t>(offset);
    s.first = r.rev ? s.first - static_cast<size_t>(offset) : s.first + static_cast<size_t>(offset);
    if (count >= 0) s.count = std::min(s.count, static_cast<size_t>(count));
  }
  return s;
}

}  // namespace shoal
