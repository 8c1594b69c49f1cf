// ZSetObject: the value of a sorted set key: members ordered by (score, member bytes). Two
// representations, as Redis:
//  - "listpack": member, score, member, score, ... in order, in a PackedList (integral
//    scores in 1-7 bytes, others as the 8 bytes of the double; zset_object.cc),
//    while at most ZSetLimits::max_packed_entries members none longer than max_packed_value;
//  - "skiplist": a skiplist with spans (rank in O(log n), as Redis's zskiplist) plus a hash
//    index member → node. Conversion is one way.
// Every operation is expressed by rank: ElementAt(rank), ForRange(rank, n), LowerBound(pred)
// and the updates; score and lex ranges are found by binary search over ranks.
//
// Thread ownership: see core/object.h.
#pragma once

#include <boost/unordered/unordered_flat_map.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "core/object.h"
#include "core/packed_list.h"

namespace shoal {

struct ZSetLimits {
  size_t max_packed_entries = 128;  // zset-max-listpack-entries
  size_t max_packed_value = 64;     // zset-max-listpack-value
};

struct ZElement {
  std::string_view member;
  double score;
};

class ZSkipList;

class ZSetObject final : public Object {
 public:
  ZSetObject();
  ~ZSetObject() override;

  ValueType type() const override { return ValueType::kZSet; }

  std::string_view EncodingName() const override;
  size_t MemoryBytes() const override;
  size_t Length() const override;
  std::unique_ptr<Object> Clone() const override;
  // count, then per member: member (varint length, bytes), score (8 bytes IEEE, little-endian).
  void Serialize(std::string* out) const override;

  std::optional<double> Score(std::string_view member) const;
  // Adds or moves `member` to `score` (not NaN). Returns true when it is new.
  bool Set(std::string_view member, double score, const ZSetLimits& limits);
  bool Remove(std::string_view member);
  // 0-based rank in ascending order.
  std::optional<size_t> Rank(std::string_view member) const;

  // The element at `rank` (< Length()); the view lives until the next change.
  ZElement ElementAt(size_t rank) const;
  // fn(ZElement) for ranks [first, first + n) ascending, or descending from `first` when
  // reverse (first, first - 1, ...). fn returns false to stop.
  template <typename Fn>
  void ForRange(size_t first, size_t n, bool reverse, Fn&& fn) const;
  // The first rank whose element satisfies `pred`, for a pred that is false then true along
  // the order (Length() if none).
  template <typename Pred>
  size_t LowerBound(Pred&& pred) const;
  void RemoveRange(size_t first, size_t n);

 private:
  void ToSkipList();
  size_t PosOfRank(size_t rank) const;  // packed: position of the member at `rank`
  ZElement PackedAt(size_t pos) const;

  PackedList packed_;
  std::unique_ptr<ZSkipList> list_;
};

// The skiplist with spans (zset_skiplist.cc).
class ZSkipList {
 public:
  ZSkipList();
  ~ZSkipList();
  ZSkipList(const ZSkipList&) = delete;
  ZSkipList& operator=(const ZSkipList&) = delete;

  size_t size() const { return length_; }
  size_t bytes() const { return bytes_; }
  std::optional<double> Score(std::string_view member) const;
  bool Set(std::string_view member, double score);
  bool Remove(std::string_view member);
  std::optional<size_t> Rank(std::string_view member) const;
  ZElement At(size_t rank) const;
  template <typename Fn>
  void ForRange(size_t first, size_t n, bool reverse, Fn&& fn) const;

 private:
  struct Node;
  static constexpr int kMaxLevel = 32;
  Node* NodeAt(size_t rank) const;  // rank 0-based
  void Insert(std::string_view member, double score);
  void Unlink(Node* node);
  int RandomLevel();

  Node* head_;
  Node* tail_ = nullptr;
  int level_ = 1;
  size_t length_ = 0;
  size_t bytes_ = 0;  // nodes' allocations
  boost::unordered_flat_map<std::string_view, Node*> index_;
  std::mt19937 rng_{0x5eed};
};

struct ZSkipList::Node {
  double score;
  Node* backward;
  uint32_t member_len;
  int levels;
  struct Level {
    Node* forward;
    size_t span;
  };
  Level level[1];  // `levels` of them; the member bytes follow

  std::string_view member() const {
    return {reinterpret_cast<const char*>(&level[levels]), member_len};
  }
};

template <typename Fn>
void ZSkipList::ForRange(size_t first, size_t n, bool reverse, Fn&& fn) const {
  Node* x = n == 0 ? nullptr : NodeAt(first);
  for (size_t k = 0; k < n && x != nullptr; ++k) {
    if (!fn(ZElement{x->member(), x->score})) return;
    x = reverse ? x->backward : x->level[0].forward;
  }
}

template <typename Fn>
void ZSetObject::ForRange(size_t first, size_t n, bool reverse, Fn&& fn) const {
  if (list_ != nullptr) return list_->ForRange(first, n, reverse, fn);
  if (reverse) {
    for (size_t k = 0; k < n && k <= first; ++k) {
      if (!fn(ElementAt(first - k))) return;
    }
    return;
  }
  size_t pos = PosOfRank(first);
  for (size_t k = 0; k < n && pos != packed_.end(); ++k) {
    if (!fn(PackedAt(pos))) return;
    pos = packed_.Next(packed_.Next(pos));
  }
}

template <typename Pred>
size_t ZSetObject::LowerBound(Pred&& pred) const {
  size_t lo = 0, hi = Length();
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (pred(ElementAt(mid)))
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

}  // namespace shoal
