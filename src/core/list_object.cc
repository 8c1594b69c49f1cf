#include "core/list_object.h"

#include <algorithm>
#include <vector>

#include "core/varint.h"

namespace shoal {

namespace {
constexpr size_t kSafetyBytes = 8192;  // a node with an entry-count limit stays below this
}  // namespace

size_t ListLimits::node_bytes() const {
  if (max_listpack_size > 0) return kSafetyBytes;
  const int64_t level = std::clamp<int64_t>(-max_listpack_size, 1, 5);
  return size_t{4096} << (level - 1);
}

size_t ListLimits::node_entries() const {
  return max_listpack_size > 0 ? static_cast<size_t>(max_listpack_size) : SIZE_MAX;
}

ListObject::~ListObject() = default;

std::string_view ListObject::EncodingName() const { return quicklist_ ? "quicklist" : "listpack"; }

size_t ListObject::MemoryBytes() const {
  // The deque's own blocks: one 512-byte map chunk per 64 nodes, roughly.
  return HeapBytes(sizeof(*this)) + node_bytes_ + (nodes_.size() / 64 + 1) * 512;
}

std::unique_ptr<Object> ListObject::Clone() const {
  auto copy = std::make_unique<ListObject>();
  for (const PackedList& n : nodes_) copy->nodes_.push_back(n.Clone());
  copy->length_ = length_;
  copy->node_bytes_ = node_bytes_;
  copy->quicklist_ = quicklist_;
  return copy;
}

void ListObject::Serialize(std::string* out) const {
  AppendVarint(out, length_);
  ForRange(0, length_, [out](size_t, std::string_view v) {
    AppendVarint(out, v.size());
    out->append(v);
    return true;
  });
}

template <typename Fn>
void ListObject::Change(PackedList& node, Fn&& fn) {
  const size_t before = node.AllocatedBytes();
  fn(node);
  node_bytes_ = node_bytes_ + node.AllocatedBytes() - before;
}

bool ListObject::HasRoom(const PackedList& node, std::string_view v,
                         const ListLimits& limits) const {
  if (node.empty()) return true;
  return node.size() < limits.node_entries() &&
         node.end() + VarintBytes(v.size()) + v.size() <= limits.node_bytes();
}

void ListObject::Push(End end, std::string_view v, const ListLimits& limits) {
  const bool head = end == End::kHead;
  if (nodes_.empty() || !HasRoom(head ? nodes_.front() : nodes_.back(), v, limits)) {
    if (head)
      nodes_.emplace_front();
    else
      nodes_.emplace_back();
    quicklist_ = quicklist_ || nodes_.size() > 1;
  }
  PackedList& node = head ? nodes_.front() : nodes_.back();
  Change(node, [&](PackedList& l) { l.Insert(head ? l.begin() : l.end(), v); });
  length_++;
}

size_t ListObject::PosOf(const PackedList& node, size_t i) {
  size_t pos = node.begin();
  while (i-- > 0) pos = node.Next(pos);
  return pos;
}

std::string ListObject::Pop(End end) {
  PackedList& node = end == End::kHead ? nodes_.front() : nodes_.back();
  const size_t pos = end == End::kHead ? node.begin() : PosOf(node, node.size() - 1);
  std::string v(node.At(pos));
  Change(node, [pos](PackedList& l) { l.Erase(pos); });
  length_--;
  if (node.empty()) {  // only an end node can have become empty
    if (end == End::kHead)
      nodes_.pop_front();
    else
      nodes_.pop_back();
  }
  return v;
}

void ListObject::DropEmptyNodes() {
  std::erase_if(nodes_, [](const PackedList& n) { return n.empty(); });
}

std::pair<size_t, size_t> ListObject::Locate(size_t index) const {
  // From the nearer end: LINDEX -1 and pops at the tail stay cheap on long lists.
  if (index >= length_ / 2) {
    size_t after = length_ - index;  // elements from index to the end, inclusive
    for (size_t node = nodes_.size(); node-- > 0;) {
      if (after <= nodes_[node].size()) return {node, nodes_[node].size() - after};
      after -= nodes_[node].size();
    }
  }
  for (size_t node = 0; node < nodes_.size(); ++node) {
    if (index < nodes_[node].size()) return {node, index};
    index -= nodes_[node].size();
  }
  return {nodes_.size(), 0};
}

std::optional<std::string_view> ListObject::At(size_t index) const {
  if (index >= length_) return std::nullopt;
  auto [node, i] = Locate(index);
  return nodes_[node].At(PosOf(nodes_[node], i));
}

void ListObject::Set(size_t index, std::string_view v, const ListLimits&) {
  const auto [node, i] = Locate(index);
  const size_t at = i;  // lambdas may not capture structured bindings before clang 16
  Change(nodes_[node], [&](PackedList& l) { l.Replace(PosOf(l, at), v); });
}

bool ListObject::InsertAt(std::string_view pivot, bool after, std::string_view v,
                          const ListLimits& limits) {
  for (size_t node = 0; node < nodes_.size(); ++node) {
    PackedList& l = nodes_[node];
    size_t pos = l.Find(pivot);
    if (pos == l.end()) continue;
    if (after) pos = l.Next(pos);
    if (!HasRoom(l, v, limits)) {
      // Split the node at the insertion point; the element goes to the end of the first half.
      PackedList tail;
      size_t moved = 0;
      for (size_t p = pos; p != l.end(); p = l.Next(p), ++moved) tail.PushBack(l.At(p));
      Change(l, [&](PackedList& n) {
        if (moved != 0) n.Erase(pos, moved);
      });
      node_bytes_ += tail.AllocatedBytes();
      if (!tail.empty())
        nodes_.insert(nodes_.begin() + static_cast<ptrdiff_t>(node) + 1, std::move(tail));
      quicklist_ = true;
      pos = nodes_[node].end();
    }
    Change(nodes_[node], [&](PackedList& n) { n.Insert(pos, v); });
    length_++;
    return true;
  }
  return false;
}

size_t ListObject::Remove(int64_t count, std::string_view v) {
  // Indexes of the matches, in the direction asked, then erased from the back so earlier
  // positions stay valid.
  std::vector<size_t> matches;
  const size_t limit = count == 0 ? SIZE_MAX : static_cast<size_t>(count < 0 ? -count : count);
  auto match = [&](size_t index, std::string_view e) {
    if (e == v) matches.push_back(index);
    return matches.size() < limit;
  };
  if (count >= 0)
    ForRange(0, length_, match);
  else
    ForRangeReverse(0, length_, match);
  std::sort(matches.begin(), matches.end());
  for (size_t k = matches.size(); k-- > 0;) {
    const auto [node, i] = Locate(matches[k]);
    const size_t at = i;
    Change(nodes_[node], [&](PackedList& l) { l.Erase(PosOf(l, at)); });
    length_--;
  }
  DropEmptyNodes();
  return matches.size();
}

void ListObject::Keep(size_t first, size_t n) {
  // Whole nodes go at once; only the node where the kept range starts or ends is edited.
  size_t drop_tail = length_ - first - n;
  while (drop_tail > 0 && nodes_.back().size() <= drop_tail) {
    drop_tail -= nodes_.back().size();
    node_bytes_ -= nodes_.back().AllocatedBytes();
    nodes_.pop_back();
  }
  if (drop_tail > 0) {
    Change(nodes_.back(),
           [&](PackedList& l) { l.Erase(PosOf(l, l.size() - drop_tail), drop_tail); });
  }
  size_t drop_head = first;
  while (drop_head > 0 && nodes_.front().size() <= drop_head) {
    drop_head -= nodes_.front().size();
    node_bytes_ -= nodes_.front().AllocatedBytes();
    nodes_.pop_front();
  }
  if (drop_head > 0) {
    Change(nodes_.front(), [&](PackedList& l) { l.Erase(l.begin(), drop_head); });
  }
  length_ = n;
}

}  // namespace shoal
