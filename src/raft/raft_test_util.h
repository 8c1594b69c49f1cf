// Test helpers (tests only): a Network of Raft nodes in one thread that behaves as the
// application would — after every step a node persists its unstable state into its
// MemoryStorage (then Raft::OnPersisted), applies committed entries, and only then are its
// messages delivered ("persist before send"). Messages can be dropped per link or per node.
// Thread-safety: one owner.
#pragma once

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "raft/errors.h"
#include "raft/raft.h"
#include "raft/storage.h"

namespace shoal::raft::testing {

// Entries 1..n with the given terms.
inline std::vector<Entry> EntriesWithTerms(const std::vector<uint64_t>& terms) {
  std::vector<Entry> out;
  for (size_t i = 0; i < terms.size(); ++i) out.push_back(Entry{terms[i], i + 1, {}, {}});
  return out;
}

inline Message Msg(MessageType type, NodeId from, NodeId to, uint64_t term = 0) {
  Message m;
  m.type = type;
  m.from = from;
  m.to = to;
  m.term = term;
  return m;
}

class Network {
 public:
  using Tweak = std::function<void(Config&)>;

  // Nodes `ids`, all voters. logs[id]: terms of the node's initial entries 1..n (its hard
  // state term is the last of them).
  explicit Network(std::vector<NodeId> ids, Tweak tweak = {},
                   std::map<NodeId, std::vector<uint64_t>> logs = {}) {
    ConfState cs;
    cs.voters = ids;
    std::sort(cs.voters.begin(), cs.voters.end());
    for (NodeId id : ids) {
      auto& n = nodes_[id];
      n.storage = std::make_unique<MemoryStorage>();
      n.storage->SetInitialConfState(cs);
      if (auto it = logs.find(id); it != logs.end() && !it->second.empty()) {
        RAFT_CHECK(n.storage->Append(EntriesWithTerms(it->second)).ok(), "append");
        HardState hs;
        hs.term = it->second.back();
        n.storage->SetHardState(hs);
      }
      Config c;
      c.id = id;
      c.election_tick = 10;
      c.heartbeat_tick = 1;
      c.storage = n.storage.get();
      c.random_seed = id;
      if (tweak) tweak(c);
      auto r = Raft::Create(c);
      RAFT_CHECK(r.ok(), r.ok() ? "" : r.status().message());
      n.raft = std::move(r).value();
    }
  }

  Raft& raft(NodeId id) { return *nodes_.at(id).raft; }
  MemoryStorage& storage(NodeId id) { return *nodes_.at(id).storage; }
  const std::vector<std::string>& applied(NodeId id) { return nodes_.at(id).applied; }

  // Persists and applies what `id` has produced, like processing a Ready.
  void Persist(NodeId id) {
    auto& n = nodes_.at(id);
    Raft& r = *n.raft;
    if (const auto& snap = r.log().UnstableSnapshot()) {
      Snapshot s = *snap;
      RAFT_CHECK(n.storage->ApplySnapshot(s).ok(), "apply snapshot");
      r.OnSnapshotPersisted(s.metadata.index);
    }
    std::vector<Entry> ents = r.log().UnstableEntries();
    RAFT_CHECK(n.storage->Append(ents).ok(), "append");
    n.storage->SetHardState(r.GetHardState());
    if (!ents.empty()) r.OnPersisted(ents.back().index, ents.back().term);
    std::vector<Entry> committed = r.log().NextCommittedEntries();
    for (const Entry& e : committed) {
      if (e.type == EntryType::kConfChange) {
        auto cc = DecodeConfChange(e.data);
        RAFT_CHECK(cc.ok(), "conf change");
        r.ApplyConfChange(*cc);
      } else if (!e.data.empty()) {
        n.applied.push_back(e.data);
      }
    }
    if (!committed.empty()) r.OnApplied(committed.back().index);
  }

  // Steps m into its recipient and delivers everything that follows until quiet.
  void Send(Message m) { Deliver({std::move(m)}); }

  void Deliver(std::vector<Message> msgs) {
    std::deque<Message> queue(msgs.begin(), msgs.end());
    while (!queue.empty()) {
      Message m = std::move(queue.front());
      queue.pop_front();
      if (Dropped(m)) continue;
      auto it = nodes_.find(m.to);
      if (it == nodes_.end()) continue;
      (void)it->second.raft->Step(m);
      Persist(m.to);
      for (Message& out : it->second.raft->TakeMessages()) queue.push_back(std::move(out));
    }
  }

  // Local inputs to `id`, then delivery.
  Status Local(NodeId id, Message m) {
    m.to = id;
    if (m.from == kNone && m.type != MessageType::kReadIndex) m.from = id;
    Status s = raft(id).Step(std::move(m));
    Flush(id);
    return s;
  }
  void Campaign(NodeId id) { (void)Local(id, Msg(MessageType::kHup, id, id)); }
  Status Propose(NodeId id, std::string data, EntryType type = EntryType::kNormal) {
    Message m = Msg(MessageType::kProp, id, id);
    m.entries.push_back(Entry{0, 0, type, std::move(data)});
    return Local(id, std::move(m));
  }
  Status ProposeConfChange(NodeId id, ConfChangeType type, NodeId node) {
    ConfChange cc;
    cc.type = type;
    cc.node_id = node;
    return Propose(id, EncodeConfChange(cc), EntryType::kConfChange);
  }
  void Tick(NodeId id, int n = 1) {
    for (int i = 0; i < n; ++i) raft(id).Tick();
    Flush(id);
  }
  void Flush(NodeId id) {
    Persist(id);
    Deliver(raft(id).TakeMessages());
  }

  // Link faults.
  void Cut(NodeId a, NodeId b) {
    cut_.insert({a, b});
    cut_.insert({b, a});
  }
  void Isolate(NodeId id) {
    for (auto& [other, n] : nodes_) {
      if (other != id) Cut(id, other);
    }
  }
  void Recover() {
    cut_.clear();
    drop_types_.clear();
  }
  void DropType(MessageType t) { drop_types_.insert(t); }
  // Every message delivered so far can be inspected by a filter that returns true to drop.
  std::function<bool(const Message&)> filter;

 private:
  struct Node {
    std::unique_ptr<MemoryStorage> storage;
    std::unique_ptr<Raft> raft;
    std::vector<std::string> applied;
  };

  bool Dropped(const Message& m) const {
    if (cut_.count({m.from, m.to}) != 0) return true;
    if (drop_types_.count(m.type) != 0) return true;
    return filter && filter(m);
  }

  std::map<NodeId, Node> nodes_;
  std::set<std::pair<NodeId, NodeId>> cut_;
  std::set<MessageType> drop_types_;
};

}  // namespace shoal::raft::testing
