// ListObject: the value of a list key. A sequence of PackedList nodes (Redis's quicklist
// idea): each node holds up to ListLimits' bytes (or entries), pushes and pops work on the
// end nodes, an index walks the node counts. OBJECT ENCODING is "listpack" while the list has
// never needed a second node and "quicklist" after (one way, like the other types).
//
// Thread ownership: see core/object.h.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/object.h"
#include "core/packed_list.h"

namespace shoal {

// list-max-listpack-size: -1..-5 caps a node at 4, 8, 16, 32 or 64 KiB; n > 0 at n entries
// (and 8 KiB, Redis's safety limit).
struct ListLimits {
  int64_t max_listpack_size = -2;

  size_t node_bytes() const;
  size_t node_entries() const;
};

class ListObject final : public Object {
 public:
  ListObject() = default;
  ~ListObject() override;

  ValueType type() const override { return ValueType::kList; }

  std::string_view EncodingName() const override;
  size_t MemoryBytes() const override;
  size_t Length() const override { return length_; }
  std::unique_ptr<Object> Clone() const override;
  // count, then each element (varint length and bytes), head first.
  void Serialize(std::string* out) const override;

  enum class End { kHead, kTail };
  void Push(End end, std::string_view v, const ListLimits& limits);
  // Removes and returns the element at `end`; the list must not be empty.
  std::string Pop(End end);

  // Index from the head (0 .. Length()-1); nullopt out of range.
  std::optional<std::string_view> At(size_t index) const;
  void Set(size_t index, std::string_view v, const ListLimits& limits);
  // Inserts `v` before or after the first element equal to `pivot`; false if none.
  bool InsertAt(std::string_view pivot, bool after, std::string_view v, const ListLimits& limits);
  // LREM: removes up to |count| elements equal to `v`, from the head when count >= 0 (0 = all),
  // from the tail when count < 0. Returns how many.
  size_t Remove(int64_t count, std::string_view v);
  // LTRIM: keeps the elements [first, first + n).
  void Keep(size_t first, size_t n);

  // fn(index, element) for elements [first, first + n) in order; fn returns false to stop.
  template <typename Fn>
  void ForRange(size_t first, size_t n, Fn&& fn) const;
  // The same from the tail: indexes Length()-1-first down, n of them.
  template <typename Fn>
  void ForRangeReverse(size_t first, size_t n, Fn&& fn) const;

 private:
  // The node holding `index` and the index within it.
  std::pair<size_t, size_t> Locate(size_t index) const;
  static size_t PosOf(const PackedList& node, size_t i);
  bool HasRoom(const PackedList& node, std::string_view v, const ListLimits& limits) const;
  // Runs fn(node) and keeps node_bytes_ in step with the node's allocation.
  template <typename Fn>
  void Change(PackedList& node, Fn&& fn);
  void DropEmptyNodes();

  std::deque<PackedList> nodes_;
  size_t length_ = 0;
  size_t node_bytes_ = 0;  // AllocatedBytes() of every node
  bool quicklist_ = false;
};

template <typename Fn>
void ListObject::ForRange(size_t first, size_t n, Fn&& fn) const {
  if (n == 0) return;
  auto [node, i] = Locate(first);
  size_t index = first;
  for (; node < nodes_.size(); ++node, i = 0) {
    const PackedList& l = nodes_[node];
    for (size_t pos = PosOf(l, i); pos != l.end(); pos = l.Next(pos)) {
      if (!fn(index, l.At(pos)) || ++index == first + n) return;
    }
  }
}

template <typename Fn>
void ListObject::ForRangeReverse(size_t first, size_t n, Fn&& fn) const {
  if (n == 0) return;
  // Nodes are forward-only: collect one node's positions at a time, then walk them backwards.
  size_t index = length_ - 1 - first;
  auto [node, i] = Locate(index);
  std::vector<size_t> positions;
  for (size_t left = n;; --node) {
    const PackedList& l = nodes_[node];
    positions.clear();
    size_t pos = l.begin();
    for (size_t k = 0; k <= i; ++k, pos = l.Next(pos)) positions.push_back(pos);
    for (size_t k = positions.size(); k-- > 0;) {
      if (!fn(index, l.At(positions[k])) || --left == 0) return;
      --index;
    }
    if (node == 0) return;
    i = nodes_[node - 1].size() - 1;
  }
}

}  // namespace shoal
