#include "sim/raft_sim.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include <fmt/format.h>

#include "raft/errors.h"
#include "sim/linearizability.h"

namespace shoal::sim {

using raft::Entry;
using raft::EntryType;
using raft::Message;
using raft::NodeId;
using raft::StateRole;

struct RaftSim::Node {
  NodeId id = raft::kNone;
  // Durable: survives crashes.
  raft::MemoryStorage storage;
  // Volatile: lost on a crash.
  std::unique_ptr<raft::RawNode> raw;
  KvStateMachine kv;  // the state machine
  uint64_t applied = 0;
  uint64_t down_until = 0;  // crashed while now_ < down_until
  uint64_t restarts = 0;
};

RaftSim::RaftSim(const SimOptions& options)
    : opt_(options),
      rng_(options.seed),
      clients_(options.clients, options.nodes, [this](const std::string& line) { Trace(line); }) {
  raft::ConfState cs;
  for (int i = 1; i <= opt_.nodes; ++i) cs.voters.push_back(static_cast<NodeId>(i));
  for (int i = 1; i <= opt_.nodes; ++i) {
    auto n = std::make_unique<Node>();
    n->id = static_cast<NodeId>(i);
    n->storage.SetInitialConfState(cs);
    nodes_.push_back(std::move(n));
  }
  for (auto& n : nodes_) Restart(*n);
}

RaftSim::~RaftSim() = default;

void RaftSim::Trace(const std::string& line) {
  if (opt_.trace)
    std::fprintf(stderr, "[t=%llu] %s\n", static_cast<unsigned long long>(now_), line.c_str());
}

void RaftSim::Fail(std::string what) {
  if (!result_.violation) {
    result_.violation = fmt::format("seed {} tick {}: {}", opt_.seed, now_, what);
  }
}

void RaftSim::Restart(Node& n) {
  raft::Config c;
  c.id = n.id;
  c.storage = &n.storage;
  c.election_tick = 10;
  c.heartbeat_tick = 2;
  c.pre_vote = opt_.pre_vote;
  c.check_quorum = opt_.check_quorum;
  c.max_inflight_msgs = 4;
  c.max_size_per_msg = 64;
  // A different stream per node and per incarnation, all derived from the run's seed.
  c.random_seed = opt_.seed * 1000003 + n.id * 101 + n.restarts;
  auto raw = raft::RawNode::Create(c);
  if (!raw.ok()) {
    Fail("restart failed: " + raw.status().message());
    return;
  }
  n.raw = std::move(raw).value();
  // The state machine is rebuilt from the snapshot, then committed entries are re-applied.
  auto snap = n.storage.GetSnapshot();
  n.kv = KvStateMachine();
  n.applied = 0;
  if (snap.ok() && !snap->Empty()) {
    auto kv = KvStateMachine::Decode(snap->data);
    if (!kv) Fail(fmt::format("node {} restarts from an undecodable snapshot", n.id));
    n.kv = kv.value_or(KvStateMachine());
    n.applied = snap->metadata.index;
  }
  Trace(fmt::format("node {} starts (term {}, commit {})", n.id, n.raw->raft().term(),
                    n.raw->raft().log().committed()));
}

void RaftSim::Crash(Node& n) {
  Trace(fmt::format("node {} crashes", n.id));
  n.raw.reset();  // unstable entries, volatile state and unsent messages are gone
  n.restarts++;
  clients_.OnCrash(n.id, now_);
  n.down_until = now_ + 5 + rng_.Uniform(40);
  result_.crashes++;
}

bool RaftSim::Linked(NodeId a, NodeId b) const {
  if (group_.empty()) return true;
  return group_.at(a) == group_.at(b);
}

void RaftSim::ChangePartition() {
  group_.clear();
  if (rng_.Chance(1, 2)) {
    Trace("network heals");
    return;
  }
  std::string desc;
  for (auto& n : nodes_) {
    group_[n->id] = static_cast<int>(rng_.Uniform(2));
    desc += fmt::format(" {}:{}", n->id, group_[n->id]);
  }
  Trace("partition" + desc);
}

void RaftSim::Send(Message m, bool faults) {
  result_.messages++;
  if (faults && rng_.Chance(1, 20)) {  // dropped
    ReportSnapshot(m, false);
    return;
  }
  uint64_t delay = faults ? rng_.Uniform(4) : 0;
  if (faults && rng_.Chance(1, 30)) network_.push_back({now_ + rng_.Uniform(6), m});  // dup
  network_.push_back({now_ + delay, std::move(m)});
}

void RaftSim::ReportSnapshot(const Message& m, bool delivered) {
  // The transport tells the sender how a snapshot went (RawNode::ReportSnapshot contract).
  if (m.type != raft::MessageType::kSnap) return;
  Node& from = *nodes_[m.from - 1];
  if (from.raw) from.raw->ReportSnapshot(m.to, delivered);
}

void RaftSim::Deliver() {
  // Messages due now, in send order among equal times (delays reorder the rest).
  std::vector<InFlight> due, later;
  for (auto& f : network_) (f.deliver_at <= now_ ? due : later).push_back(std::move(f));
  network_ = std::move(later);
  std::stable_sort(due.begin(), due.end(), [](const InFlight& a, const InFlight& b) {
    return a.deliver_at < b.deliver_at;
  });
  for (auto& f : due) {
    Node& to = *nodes_[f.msg.to - 1];
    bool ok = to.raw && Linked(f.msg.from, f.msg.to);
    ReportSnapshot(f.msg, ok);
    if (ok) (void)to.raw->Step(std::move(f.msg));
  }
}

void RaftSim::Apply(Node& n, const Entry& e) {
  if (e.index != n.applied + 1) {
    Fail(fmt::format("node {} applied index {} after {}", n.id, e.index, n.applied));
  }
  n.applied = e.index;
  auto [it, inserted] = applied_.emplace(e.index, std::make_pair(e.term, e.data));
  if (!inserted && (it->second.first != e.term || it->second.second != e.data)) {
    Fail(fmt::format(
        "state machine safety: node {} applied {}/{} \"{}\" at index {}, another "
        "node applied {}/{} \"{}\"",
        n.id, e.term, e.index, e.data, e.index, it->second.first, e.index, it->second.second));
  }
  if (inserted) {
    // applied_ grows by one index at a time: a node applies i only after i - 1, or after a
    // snapshot of a prefix that some node applied before.
    if (e.index != state_at_.size()) {
      Fail(fmt::format("applied index {} is not the next one ({})", e.index, state_at_.size()));
    }
    if (e.type == EntryType::kNormal && !e.data.empty()) {
      auto cmd = KvCommand::Decode(e.data);
      if (cmd) reference_.Apply(*cmd);
    }
    state_at_.push_back(reference_.Encode());
  }
  if (e.type != EntryType::kNormal || e.data.empty()) return;  // a new leader's empty entry
  auto cmd = KvCommand::Decode(e.data);
  if (!cmd) {
    Fail(fmt::format("node {} applied undecodable entry {} \"{}\"", n.id, e.index, e.data));
    return;
  }
  clients_.OnApplied(n.id, *cmd, n.kv.Apply(*cmd), now_);
}

Admission RaftSim::Submit(const ClientRequest& req) {
  Node& n = *nodes_[req.node - 1];
  if (!n.raw) return {};
  NodeId lead = n.raw->raft().lead();
  if (lead == raft::kNone) return {};  // nobody to forward to: refuse rather than drop
  if (req.UsesLog()) return {n.raw->Propose(req.cmd.Encode()).ok(), lead};
  if (req.reads == ReadMode::kLeaderUnsafe && lead != n.id) return {false, lead};
  if (req.reads == ReadMode::kReadIndex) n.raw->ReadIndex(req.ReadContext());
  return {true, lead};
}

void RaftSim::ProcessReady(Node& n) {
  while (n.raw && n.raw->HasReady()) {
    raft::Ready rd = n.raw->GetReady();
    // A crash while the Ready is being written loses all of it (nothing was synced).
    if (faults_ && rng_.Chance(1, 2000)) {
      Crash(n);
      return;
    }
    if (rd.snapshot) {
      if (!n.storage.ApplySnapshot(*rd.snapshot).ok()) Fail("snapshot out of date");
      // The snapshot must be exactly the prefix every node applied (state machine safety).
      const uint64_t index = rd.snapshot->metadata.index;
      if (index >= state_at_.size() || state_at_[index] != rd.snapshot->data) {
        Fail(fmt::format("node {} got a snapshot at {} that differs from the applied log", n.id,
                         index));
      }
      n.kv = KvStateMachine::Decode(rd.snapshot->data).value_or(KvStateMachine());
      n.applied = index;
    }
    if (rd.soft_state) clients_.OnLeaderChange(n.id, rd.soft_state->lead, now_);
    for (const raft::ReadState& rs : rd.read_states) clients_.OnReadState(n.id, rs);
    if (!n.storage.Append(rd.entries).ok()) Fail("storage append failed");
    if (rd.hard_state) n.storage.SetHardState(*rd.hard_state);
    for (Message& m : rd.messages) Send(std::move(m), true);
    for (const Entry& e : rd.committed_entries) Apply(n, e);
    clients_.OnProgress(n.id, n.applied, n.kv, now_);
    n.raw->Advance();
  }
}

void RaftSim::MaybeCompact(Node& n) {
  if (!n.raw || n.applied < n.storage.FirstIndex() + 8) return;
  if (!rng_.Chance(1, 20)) return;
  uint64_t index = n.applied - rng_.Uniform(4);
  if (index < n.storage.FirstIndex()) return;
  // The state as of `index`: the applied prefix.
  raft::ConfState cs = n.raw->raft().GetConfState();
  if (n.storage.CreateSnapshot(index, &cs, state_at_.at(index)).ok() &&
      n.storage.Compact(index).ok()) {
    Trace(fmt::format("node {} compacts through {}", n.id, index));
  }
}

void RaftSim::Step(bool faults) {
  ++now_;
  faults_ = faults;
  if (faults) {
    if (rng_.Chance(1, 60)) ChangePartition();
    for (auto& n : nodes_) {
      if (n->raw && rng_.Chance(1, 250)) Crash(*n);
    }
  } else {
    group_.clear();
  }
  for (auto& n : nodes_) {
    if (!n->raw && (now_ >= n->down_until || !faults)) Restart(*n);
  }
  Deliver();
  for (auto& n : nodes_) {
    if (n->raw) n->raw->Tick();
  }
  clients_.Tick(now_, rng_, invoking_, [this](const ClientRequest& req) { return Submit(req); });
  for (auto& n : nodes_) ProcessReady(*n);
  // Unsafe local reads are answered here, from the state after this step's Readies.
  for (auto& n : nodes_) {
    if (n->raw) clients_.OnProgress(n->id, n->applied, n->kv, now_);
  }
  for (auto& n : nodes_) MaybeCompact(*n);
  Check();
}

void RaftSim::Check() {
  // Election safety: at most one leader per term.
  for (auto& n : nodes_) {
    if (!n->raw || n->raw->raft().role() != StateRole::kLeader) continue;
    uint64_t term = n->raw->raft().term();
    auto [it, inserted] = leader_of_term_.emplace(term, n->id);
    if (inserted) {
      result_.leaders_elected++;
      Trace(fmt::format("node {} leads term {}", n->id, term));
    } else if (it->second != n->id) {
      Fail(fmt::format("election safety: nodes {} and {} both lead term {}", it->second, n->id,
                       term));
    }
  }
  // Record what leaders commit, with the term they committed it in.
  for (auto& n : nodes_) {
    if (!n->raw || n->raw->raft().role() != StateRole::kLeader) continue;
    const raft::RaftLog& log = n->raw->raft().log();
    uint64_t from = committed_.empty() ? 1 : committed_.rbegin()->first + 1;
    for (uint64_t i = std::max(from, log.FirstIndex()); i <= log.committed(); ++i) {
      committed_[i] = {log.TermOrZero(i), n->raw->raft().term()};
      result_.committed = std::max(result_.committed, i);
    }
  }
  // Leader completeness: a leader of a term after the one an entry was committed in has it.
  for (auto& n : nodes_) {
    if (!n->raw || n->raw->raft().role() != StateRole::kLeader) continue;
    const raft::Raft& r = n->raw->raft();
    for (auto it = committed_.lower_bound(r.log().FirstIndex()); it != committed_.end(); ++it) {
      const auto [entry_term, commit_term] = it->second;
      if (r.term() <= commit_term) continue;
      if (r.log().TermOrZero(it->first) != entry_term) {
        Fail(
            fmt::format("leader completeness: leader {} of term {} lacks {}/{} committed in "
                        "term {}",
                        n->id, r.term(), entry_term, it->first, commit_term));
      }
    }
  }
  // Log matching: two logs with the same term at an index agree on everything before it.
  for (size_t a = 0; a < nodes_.size(); ++a) {
    for (size_t b = a + 1; b < nodes_.size(); ++b) {
      if (!nodes_[a]->raw || !nodes_[b]->raw) continue;
      const raft::RaftLog& la = nodes_[a]->raw->raft().log();
      const raft::RaftLog& lb = nodes_[b]->raw->raft().log();
      uint64_t lo = std::max(la.FirstIndex(), lb.FirstIndex());
      uint64_t hi = std::min(la.LastIndex(), lb.LastIndex());
      // The highest index where both have the same term.
      uint64_t match = 0;
      for (uint64_t i = hi; i >= lo && i > 0; --i) {
        if (la.TermOrZero(i) == lb.TermOrZero(i)) {
          match = i;
          break;
        }
      }
      for (uint64_t i = lo; i < match; ++i) {
        if (la.TermOrZero(i) != lb.TermOrZero(i)) {
          Fail(fmt::format("log matching: nodes {} and {} agree at {} but differ at {}",
                           nodes_[a]->id, nodes_[b]->id, match, i));
        }
      }
      if (match >= lo) {
        // (index, term) names one entry: the data must agree too.
        auto ea = la.Slice(match, match + 1, raft::kNoLimit);
        auto eb = lb.Slice(match, match + 1, raft::kNoLimit);
        if (ea.ok() && eb.ok() && *ea != *eb) {
          Fail(fmt::format("log matching: nodes {} and {} hold different entries at {}",
                           nodes_[a]->id, nodes_[b]->id, match));
        }
      }
    }
  }
}

SimResult RaftSim::Run() {
  for (int i = 0; i < opt_.steps && !result_.violation; ++i) Step(true);
  // Liveness once the faults stop: a leader, every node caught up to its commit, and clients
  // served.
  const uint64_t completed_before_quiet = clients_.completed();
  for (int i = 0; i < opt_.quiet_steps && !result_.violation; ++i) {
    invoking_ = i < opt_.quiet_steps / 2;  // then let everything settle
    Step(false);
  }
  if (!result_.violation) {
    const Node* leader = nullptr;
    for (auto& n : nodes_) {
      if (n->raw && n->raw->raft().role() == StateRole::kLeader) leader = n.get();
    }
    if (leader == nullptr) {
      Fail("liveness: no leader after the quiet period");
    } else {
      uint64_t commit = leader->raw->raft().log().committed();
      for (auto& n : nodes_) {
        if (n->applied < commit) {
          const auto& prs = leader->raw->raft().progress();
          auto pr = prs.find(n->id);
          std::string lag = "no progress";
          if (pr != prs.end()) lag = pr->second.ToString();
          std::string mine = "down";
          if (n->raw) {
            const raft::Raft& r = n->raw->raft();
            mine = fmt::format("{} term {} commit {} log [{}, {}]", raft::StateRoleName(r.role()),
                               r.term(), r.log().committed(), r.log().FirstIndex(),
                               r.log().LastIndex());
          }
          Fail(
              fmt::format("liveness: node {} applied {} < leader {} commit {} (leader sees {}; "
                          "node is {})",
                          n->id, n->applied, leader->id, commit, lag, mine));
        }
      }
    }
    if (clients_.completed() == completed_before_quiet) {
      Fail("liveness: no client operation completed in the quiet period");
    }
  }
  clients_.Finish(now_);
  result_.ops_completed = clients_.completed();
  result_.ops_unanswered = clients_.unanswered();
  if (!result_.violation) CheckHistory();
  return result_;
}

void RaftSim::CheckHistory() {
  LinearizabilityResult r = CheckLinearizable(clients_.History(), opt_.check_max_steps);
  if (r.linearizable) return;
  Fail(fmt::format("linearizability{}: key {}: {}", r.exhausted ? " (search gave up)" : "", r.key,
                   r.detail));
}

}  // namespace shoal::sim
