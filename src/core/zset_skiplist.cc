// ZSkipList (declared in zset_object.h): a skiplist ordered by (score, member) whose links
// carry spans (how many elements they jump), so rank lookups are O(log n) as in Redis's
// zskiplist. Nodes are single blocks: header, `levels` links, then the member bytes; the
// index maps member views (into the nodes, which never move) to nodes.
#include <malloc.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>

#include "core/zset_object.h"

namespace shoal {

namespace {
bool Less(double score, std::string_view member, double other_score, std::string_view other) {
  return score < other_score || (score == other_score && member < other);
}
}  // namespace

ZSkipList::ZSkipList() {
  const size_t n = offsetof(Node, level) + kMaxLevel * sizeof(Node::Level);
  head_ = static_cast<Node*>(std::calloc(1, n));
  if (head_ == nullptr) std::abort();
  head_->levels = kMaxLevel;
}

ZSkipList::~ZSkipList() {
  Node* x = head_->level[0].forward;
  while (x != nullptr) {
    Node* next = x->level[0].forward;
    std::free(x);
    x = next;
  }
  std::free(head_);
}

int ZSkipList::RandomLevel() {
  int level = 1;
  while (level < kMaxLevel && (rng_() & 0xFFFF) < 0xFFFF / 4) level++;  // p = 1/4, as Redis
  return level;
}

std::optional<double> ZSkipList::Score(std::string_view member) const {
  auto it = index_.find(member);
  if (it == index_.end()) return std::nullopt;
  return it->second->score;
}

void ZSkipList::Insert(std::string_view member, double score) {
  Node* update[kMaxLevel];
  size_t rank[kMaxLevel];
  Node* x = head_;
  for (int i = level_ - 1; i >= 0; --i) {
    rank[i] = i == level_ - 1 ? 0 : rank[i + 1];
    while (x->level[i].forward != nullptr &&
           Less(x->level[i].forward->score, x->level[i].forward->member(), score, member)) {
      rank[i] += x->level[i].span;
      x = x->level[i].forward;
    }
    update[i] = x;
  }
  const int levels = RandomLevel();
  if (levels > level_) {
    for (int i = level_; i < levels; ++i) {
      rank[i] = 0;
      update[i] = head_;
      head_->level[i].span = length_;
    }
    level_ = levels;
  }
  const size_t n =
      offsetof(Node, level) + static_cast<size_t>(levels) * sizeof(Node::Level) + member.size();
  x = static_cast<Node*>(std::malloc(n));
  if (x == nullptr) std::abort();
  x->score = score;
  x->member_len = static_cast<uint32_t>(member.size());
  x->levels = levels;
  if (!member.empty()) std::memcpy(&x->level[levels], member.data(), member.size());
  for (int i = 0; i < levels; ++i) {
    x->level[i].forward = update[i]->level[i].forward;
    update[i]->level[i].forward = x;
    x->level[i].span = update[i]->level[i].span - (rank[0] - rank[i]);
    update[i]->level[i].span = (rank[0] - rank[i]) + 1;
  }
  for (int i = levels; i < level_; ++i) update[i]->level[i].span++;
  x->backward = update[0] == head_ ? nullptr : update[0];
  if (x->level[0].forward != nullptr)
    x->level[0].forward->backward = x;
  else
    tail_ = x;
  length_++;
  bytes_ += malloc_usable_size(x);
  index_.emplace(x->member(), x);
}

void ZSkipList::Unlink(Node* node) {
  Node* update[kMaxLevel];
  Node* x = head_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->level[i].forward != nullptr && x->level[i].forward != node &&
           Less(x->level[i].forward->score, x->level[i].forward->member(), node->score,
                node->member())) {
      x = x->level[i].forward;
    }
    update[i] = x;
  }
  for (int i = 0; i < level_; ++i) {
    if (update[i]->level[i].forward == node) {
      update[i]->level[i].span += node->level[i].span - 1;
      update[i]->level[i].forward = node->level[i].forward;
    } else {
      update[i]->level[i].span -= 1;
    }
  }
  if (node->level[0].forward != nullptr)
    node->level[0].forward->backward = node->backward;
  else
    tail_ = node->backward;
  while (level_ > 1 && head_->level[level_ - 1].forward == nullptr) level_--;
  length_--;
  index_.erase(node->member());
  bytes_ -= malloc_usable_size(node);
  std::free(node);
}

bool ZSkipList::Set(std::string_view member, double score) {
  auto it = index_.find(member);
  if (it == index_.end()) {
    Insert(member, score);
    return true;
  }
  if (it->second->score != score) {
    std::string copy(member);  // `member` may view the node being freed
    Unlink(it->second);
    Insert(copy, score);
  }
  return false;
}

bool ZSkipList::Remove(std::string_view member) {
  auto it = index_.find(member);
  if (it == index_.end()) return false;
  Unlink(it->second);
  return true;
}

std::optional<size_t> ZSkipList::Rank(std::string_view member) const {
  auto it = index_.find(member);
  if (it == index_.end()) return std::nullopt;
  const Node* node = it->second;
  size_t rank = 0;
  const Node* x = head_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->level[i].forward != nullptr &&
           !Less(node->score, node->member(), x->level[i].forward->score,
                 x->level[i].forward->member())) {
      rank += x->level[i].span;
      x = x->level[i].forward;
    }
    if (x == node) return rank - 1;
  }
  return std::nullopt;  // unreachable: the node is in the list
}

ZSkipList::Node* ZSkipList::NodeAt(size_t rank) const {
  const size_t target = rank + 1;
  size_t traversed = 0;
  Node* x = head_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->level[i].forward != nullptr && traversed + x->level[i].span <= target) {
      traversed += x->level[i].span;
      x = x->level[i].forward;
    }
    if (traversed == target) return x;
  }
  return nullptr;
}

ZElement ZSkipList::At(size_t rank) const {
  const Node* x = NodeAt(rank);
  return {x->member(), x->score};
}

}  // namespace shoal
