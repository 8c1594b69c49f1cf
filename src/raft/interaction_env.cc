// Commands of the transcript language (one per block; output follows `----`):
//
//   add-nodes N [voters=(1,2,3)] [index=K] [prevote=true] [checkquorum=true]
//             [max-inflight=N] [election=10] [heartbeat=1]
//       Creates N nodes with the next ids. With voters, each storage starts from a snapshot at
//       index K (default 1, term 1, hard state term 1) with that membership; without, the node is
//       empty and waits to be caught up by a leader. Node i's PRNG seed is i.
//   campaign ID | propose ID DATA | propose-conf-change ID v4|r3 | read-index ID CTX
//   transfer-leadership from=ID to=ID | report-unreachable ID TARGET
//   tick ID [N]           N ticks (default 1)
//   tick-election ID      a leader: election_tick ticks; others: exactly enough ticks to reach
//                         the drawn randomized election timeout
//   tick-heartbeat ID     heartbeat_tick ticks
//   process-ready ID...   prints and handles each node's Ready (persist, queue messages,
//                         apply, Advance)
//   deliver-msgs [drop=true] ID...   steps (or drops) every queued message for the nodes
//   stabilize [ID...]     process-ready and deliver-msgs until nothing moves
//   partition A B ... [/ C D ...]  cuts the listed groups apart (one group: from everyone)
//   heal                  removes every partition
//   compact ID INDEX      snapshot the storage at INDEX and drop the log up to it
//   status ID | raft-log ID | raft-state
#include "raft/interaction_env.h"

#include <algorithm>
#include <sstream>

#include <fmt/format.h>

#include "raft/errors.h"

namespace shoal::raft::testing {
namespace {

uint64_t ToU64(const std::string& s) { return std::stoull(s); }

std::vector<NodeId> ParseList(const std::string& v) {
  std::vector<NodeId> out;
  std::string inner = v;
  if (!inner.empty() && inner.front() == '(') inner = inner.substr(1, inner.size() - 2);
  std::stringstream ss(inner);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) out.push_back(ToU64(item));
  }
  return out;
}

std::string Indent(const std::string& text, const std::string& indent) {
  if (indent.empty()) return text;
  std::string out;
  std::stringstream ss(text);
  std::string line;
  while (std::getline(ss, line)) out += indent + line + "\n";
  return out;
}

std::string DescribeReady(const Ready& rd) {
  std::string out = fmt::format("Ready MustSync={}:\n", rd.must_sync ? "true" : "false");
  if (rd.soft_state) {
    out +=
        fmt::format("Lead:{} State:{}\n", rd.soft_state->lead, StateRoleName(rd.soft_state->role));
  }
  if (rd.hard_state) out += "HardState " + DescribeHardState(*rd.hard_state) + "\n";
  if (!rd.read_states.empty()) {
    out += "ReadStates:\n";
    for (const auto& rs : rd.read_states) {
      out += fmt::format("Index:{} RequestCtx:\"{}\"\n", rs.index, rs.request_ctx);
    }
  }
  if (!rd.entries.empty()) {
    out += "Entries:\n";
    for (const auto& e : rd.entries) out += DescribeEntry(e) + "\n";
  }
  if (rd.snapshot) out += "Snapshot " + DescribeSnapshot(*rd.snapshot) + "\n";
  if (!rd.committed_entries.empty()) {
    out += "CommittedEntries:\n";
    for (const auto& e : rd.committed_entries) out += DescribeEntry(e) + "\n";
  }
  return out;
}

}  // namespace

Command ParseCommand(const std::string& line) {
  Command c;
  std::stringstream ss(line);
  ss >> c.name;
  std::string tok;
  while (ss >> tok) {
    auto eq = tok.find('=');
    if (eq == std::string::npos) {
      c.args.push_back(tok);
    } else {
      c.kv[tok.substr(0, eq)] = tok.substr(eq + 1);
    }
  }
  return c;
}

Result<Snapshot> EnvStorage::GetSnapshot() const {
  auto stored = mem.GetSnapshot();
  if (!stored.ok() || node == nullptr) return stored;
  // A fresh snapshot of the applied state, as a real application would produce.
  uint64_t applied = node->raft().log().applied();
  if (applied <= stored->metadata.index) return stored;
  auto term = mem.Term(applied);
  if (!term.ok()) return stored;
  Snapshot snap;
  snap.metadata.index = applied;
  snap.metadata.term = *term;
  snap.metadata.conf_state = node->raft().GetConfState();
  for (const auto& d : *applied_data) snap.data += d + ";";
  return snap;
}

InteractionEnv::Node* InteractionEnv::Find(NodeId id) {
  for (auto& n : nodes_) {
    if (n->id == id) return n.get();
  }
  return nullptr;
}

InteractionEnv::Node& InteractionEnv::Get(const std::string& id) {
  Node* n = Find(ToU64(id));
  RAFT_CHECK(n != nullptr, "no node " + id);
  return *n;
}

std::vector<NodeId> InteractionEnv::Ids(const Command& cmd) const {
  std::vector<NodeId> ids;
  for (const auto& a : cmd.args) ids.push_back(ToU64(a));
  if (ids.empty()) {
    for (const auto& n : nodes_) ids.push_back(n->id);
  }
  return ids;
}

bool InteractionEnv::Partitioned(NodeId a, NodeId b) const {
  if (groups_.empty()) return false;
  auto ga = groups_.find(a), gb = groups_.find(b);
  int x = ga == groups_.end() ? 0 : ga->second;
  int y = gb == groups_.end() ? 0 : gb->second;
  return x != y;
}

std::string InteractionEnv::AddNodes(const Command& cmd) {
  uint64_t count = ToU64(cmd.args.at(0));
  std::vector<NodeId> voters;
  if (cmd.kv.count("voters")) voters = ParseList(cmd.kv.at("voters"));
  uint64_t index = cmd.kv.count("index") ? ToU64(cmd.kv.at("index")) : 1;
  std::string out;
  for (uint64_t i = 0; i < count; ++i) {
    auto n = std::make_unique<Node>();
    n->id = nodes_.size() + 1;
    n->storage = std::make_unique<EnvStorage>();
    if (!voters.empty()) {
      Snapshot snap;
      snap.metadata.index = index;
      snap.metadata.term = 1;
      snap.metadata.conf_state.voters = voters;
      std::sort(snap.metadata.conf_state.voters.begin(), snap.metadata.conf_state.voters.end());
      (void)n->storage->mem.ApplySnapshot(snap);
      // The bootstrap entries belong to term 1: the first election is for term 2.
      HardState hs;
      hs.term = 1;
      hs.commit = index;
      n->storage->mem.SetHardState(hs);
    }
    Config& c = n->config;
    c.id = n->id;
    c.storage = n->storage.get();
    c.election_tick = cmd.kv.count("election") ? std::stoi(cmd.kv.at("election")) : 10;
    c.heartbeat_tick = cmd.kv.count("heartbeat") ? std::stoi(cmd.kv.at("heartbeat")) : 1;
    c.pre_vote = cmd.kv.count("prevote") && cmd.kv.at("prevote") == "true";
    c.check_quorum = cmd.kv.count("checkquorum") && cmd.kv.at("checkquorum") == "true";
    if (cmd.kv.count("max-inflight")) c.max_inflight_msgs = ToU64(cmd.kv.at("max-inflight"));
    c.max_size_per_msg = cmd.kv.count("max-msg-size") ? ToU64(cmd.kv.at("max-msg-size")) : kNoLimit;
    c.random_seed = n->id;
    auto raw = RawNode::Create(c);
    if (!raw.ok()) return "error: " + raw.status().message() + "\n";
    n->raw = std::move(raw).value();
    n->storage->node = n->raw.get();
    n->storage->applied_data = &n->applied;
    const Raft& r = n->raw->raft();
    out += fmt::format("{}: {} term={} commit={} applied={} lastindex={} {}\n", n->id,
                       StateRoleName(r.role()), r.term(), r.log().committed(), r.log().applied(),
                       r.log().LastIndex(), DescribeConfState(r.GetConfState()));
    nodes_.push_back(std::move(n));
  }
  return out;
}

std::string InteractionEnv::ProcessReady(Node& n, const std::string& indent) {
  if (!n.raw->HasReady()) return Indent("<empty Ready>\n", indent);
  Ready rd = n.raw->GetReady();
  std::string out = DescribeReady(rd);
  // 1. Persist: snapshot, entries, hard state.
  if (rd.snapshot) {
    Status s = n.storage->mem.ApplySnapshot(*rd.snapshot);
    RAFT_CHECK(s.ok(), s.message());
    n.applied.assign(1, "snapshot@" + std::to_string(rd.snapshot->metadata.index));
  }
  Status s = n.storage->mem.Append(rd.entries);
  RAFT_CHECK(s.ok(), s.message());
  if (rd.hard_state) n.storage->mem.SetHardState(*rd.hard_state);
  // 2. Send.
  if (!rd.messages.empty()) out += "Messages:\n";
  for (Message& m : rd.messages) {
    out += DescribeMessage(m);
    if (Partitioned(m.from, m.to)) {
      out += " [dropped: partition]";
    } else {
      mailbox_[m.to].push_back(m);
    }
    out += "\n";
  }
  // 3. Apply.
  for (const Entry& e : rd.committed_entries) {
    if (e.type == EntryType::kConfChange) {
      auto cc = DecodeConfChange(e.data);
      RAFT_CHECK(cc.ok(), cc.status().message());
      ConfState cs = n.raw->ApplyConfChange(*cc);
      out += "applied " + DescribeConfChange(*cc) + ": " + DescribeConfState(cs) + "\n";
    } else if (!e.data.empty()) {
      n.applied.push_back(e.data);
    }
  }
  // 4. Advance.
  n.raw->Advance();
  return Indent(out, indent);
}

std::string InteractionEnv::DeliverMsgs(NodeId id, const std::string& indent, bool drop) {
  auto it = mailbox_.find(id);
  if (it == mailbox_.end() || it->second.empty()) return "";
  std::vector<Message> msgs = std::exchange(it->second, {});
  std::string out;
  Node* n = Find(id);
  for (Message& m : msgs) {
    out += DescribeMessage(m);
    if (drop || n == nullptr) {
      out += " [dropped]\n";
      continue;
    }
    out += "\n";
    Status s = n->raw->Step(std::move(m));
    if (!s.ok()) out += "error: " + s.message() + "\n";
  }
  return Indent(out, indent);
}

std::string InteractionEnv::Stabilize(const std::vector<NodeId>& ids) {
  std::string out;
  for (;;) {
    bool moved = false;
    for (NodeId id : ids) {
      Node* n = Find(id);
      if (n == nullptr || !n->raw->HasReady()) continue;
      moved = true;
      out += fmt::format("> {} handling Ready\n", id);
      out += ProcessReady(*n, "  ");
    }
    for (NodeId id : ids) {
      auto it = mailbox_.find(id);
      if (it == mailbox_.end() || it->second.empty()) continue;
      moved = true;
      out += fmt::format("> {} receiving messages\n", id);
      out += DeliverMsgs(id, "  ", false);
    }
    if (!moved) return out;
  }
}

std::string InteractionEnv::TickElection(Node& n) {
  const Raft& r = n.raw->raft();
  int ticks = r.role() == StateRole::kLeader
                  ? n.config.election_tick
                  : std::max(1, r.randomized_election_timeout() - r.election_elapsed());
  for (int i = 0; i < ticks; ++i) n.raw->Tick();
  return "";
}

std::string InteractionEnv::NodeStatusText(Node& n) {
  NodeStatus st = n.raw->GetStatus();
  std::string out = fmt::format("{}: {} term={} lead={} commit={} applied={}\n", st.id,
                                StateRoleName(st.soft_state.role), st.hard_state.term,
                                st.soft_state.lead, st.hard_state.commit, st.applied);
  for (const auto& [id, pr] : st.progress) {
    out += fmt::format("  {}: {}\n", id, pr.ToString());
  }
  return out;
}

std::string InteractionEnv::RaftLog(Node& n) {
  const auto& log = n.raw->raft().log();
  std::vector<Entry> ents = log.AllEntries();
  if (ents.empty()) {
    return fmt::format("log is empty: first index={}, last index={}\n", log.FirstIndex(),
                       log.LastIndex());
  }
  std::string out;
  for (const Entry& e : ents) out += DescribeEntry(e) + "\n";
  return out;
}

std::string InteractionEnv::RaftState() {
  std::string out;
  for (const auto& n : nodes_) {
    const Raft& r = n->raw->raft();
    out += fmt::format("{}: {} term={} lead={} commit={} last={}\n", n->id, StateRoleName(r.role()),
                       r.term(), r.lead(), r.log().committed(), r.log().LastIndex());
  }
  return out;
}

std::string InteractionEnv::Compact(Node& n, uint64_t index) {
  ConfState cs = n.raw->raft().GetConfState();
  std::string data;
  for (const auto& d : n.applied) data += d + ";";
  auto snap = n.storage->mem.CreateSnapshot(index, &cs, data);
  if (!snap.ok()) return "error: " + snap.status().message() + "\n";
  Status s = n.storage->mem.Compact(index);
  if (!s.ok()) return "error: " + s.message() + "\n";
  return RaftLog(n);
}

std::string InteractionEnv::Handle(const Command& cmd) {
  std::string out;
  const std::string& name = cmd.name;
  if (name == "add-nodes") {
    out = AddNodes(cmd);
  } else if (name == "campaign") {
    Status s = Get(cmd.args.at(0)).raw->Campaign();
    if (!s.ok()) out = "error: " + s.message() + "\n";
  } else if (name == "propose") {
    Status s = Get(cmd.args.at(0)).raw->Propose(cmd.args.at(1));
    if (!s.ok()) out = "error: " + s.message() + "\n";
  } else if (name == "propose-conf-change") {
    const std::string& spec = cmd.args.at(1);
    ConfChange cc;
    cc.type = spec[0] == 'r' ? ConfChangeType::kRemoveNode : ConfChangeType::kAddNode;
    cc.node_id = ToU64(spec.substr(1));
    Status s = Get(cmd.args.at(0)).raw->ProposeConfChange(cc);
    if (!s.ok()) out = "error: " + s.message() + "\n";
  } else if (name == "read-index") {
    Get(cmd.args.at(0)).raw->ReadIndex(cmd.args.at(1));
  } else if (name == "transfer-leadership") {
    Get(cmd.kv.at("from")).raw->TransferLeader(ToU64(cmd.kv.at("to")));
  } else if (name == "report-unreachable") {
    Get(cmd.args.at(0)).raw->ReportUnreachable(ToU64(cmd.args.at(1)));
  } else if (name == "tick") {
    int n = cmd.args.size() > 1 ? std::stoi(cmd.args[1]) : 1;
    for (int i = 0; i < n; ++i) Get(cmd.args.at(0)).raw->Tick();
  } else if (name == "tick-election") {
    for (NodeId id : Ids(cmd)) out += TickElection(*Find(id));
  } else if (name == "tick-heartbeat") {
    for (NodeId id : Ids(cmd)) {
      Node* n = Find(id);
      for (int i = 0; i < n->config.heartbeat_tick; ++i) n->raw->Tick();
    }
  } else if (name == "process-ready") {
    auto ids = Ids(cmd);
    for (NodeId id : ids) {
      if (ids.size() > 1) out += fmt::format("> {} handling Ready\n", id);
      out += ProcessReady(*Find(id), ids.size() > 1 ? "  " : "");
    }
  } else if (name == "deliver-msgs") {
    bool drop = cmd.kv.count("drop") && cmd.kv.at("drop") == "true";
    for (NodeId id : Ids(cmd)) out += DeliverMsgs(id, "", drop);
  } else if (name == "stabilize") {
    out = Stabilize(Ids(cmd));
  } else if (name == "partition") {
    groups_.clear();
    int group = 1;
    for (const auto& a : cmd.args) {
      if (a == "/") {
        ++group;
      } else {
        groups_[ToU64(a)] = group;
      }
    }
  } else if (name == "heal") {
    groups_.clear();
  } else if (name == "compact") {
    out = Compact(Get(cmd.args.at(0)), ToU64(cmd.args.at(1)));
  } else if (name == "status") {
    out = NodeStatusText(Get(cmd.args.at(0)));
  } else if (name == "raft-log") {
    out = RaftLog(Get(cmd.args.at(0)));
  } else if (name == "raft-state") {
    out = RaftState();
  } else {
    out = "error: unknown command " + name + "\n";
  }
  if (out.empty()) out = "ok\n";
  return out;
}

}  // namespace shoal::raft::testing
