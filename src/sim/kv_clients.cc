#include "sim/kv_clients.h"

#include <utility>

#include <fmt/format.h>

namespace shoal::sim {

std::string ClientRequest::ReadContext() const {
  return fmt::format("read {} {}", cmd.client, cmd.request);
}

KvClients::KvClients(const ClientOptions& options, int nodes, TraceFn trace)
    : opt_(options), nodes_(nodes), trace_(std::move(trace)), last_written_(options.keys) {
  for (int i = 1; i <= opt_.clients; ++i) {
    Client c;
    c.id = static_cast<uint64_t>(i);
    clients_.push_back(c);
  }
}

uint64_t KvClients::Stamp(uint64_t now) {
  if (now != stamp_tick_) {
    stamp_tick_ = now;
    stamp_seq_ = 0;
  }
  // A client stamps at most an invocation and a response per tick (ClientOptions::clients).
  return now * kEventsPerTick + stamp_seq_++;
}

void KvClients::Tick(uint64_t now, raft::Rng& rng, bool invoke, const Submit& submit) {
  for (Client& c : clients_) {
    if (c.pending && now >= c.pending->deadline) Abandon(c, now, "timed out");
  }
  if (!invoke) return;
  for (Client& c : clients_) {
    if (!c.pending && now >= c.next_invoke) Invoke(c, now, rng, submit);
  }
}

void KvClients::Invoke(Client& c, uint64_t now, raft::Rng& rng, const Submit& submit) {
  ClientRequest req;
  req.reads = opt_.reads;
  req.cmd.client = c.id;
  req.cmd.request = c.next_request++;
  uint64_t key = rng.Uniform(static_cast<uint64_t>(opt_.keys));
  req.cmd.key = fmt::format("k{}", key);
  uint64_t pick = rng.Uniform(10);
  if (pick < 4) {
    req.cmd.kind = OpKind::kRead;
  } else if (pick < 8) {
    req.cmd.kind = OpKind::kWrite;
    req.cmd.value = fmt::format("v{}", next_value_++);
  } else {
    // Expecting the last value sent to the key makes the swap succeed unless a concurrent
    // write won; "v0" (never written) is the expectation before any write.
    req.cmd.kind = OpKind::kCas;
    req.cmd.expected = last_written_[key].empty() ? "v0" : last_written_[key];
    req.cmd.value = fmt::format("v{}", next_value_++);
  }
  if (c.guess == raft::kNone || rng.Chance(1, 5)) {
    req.node = static_cast<raft::NodeId>(1 + rng.Uniform(static_cast<uint64_t>(nodes_)));
  } else {
    req.node = c.guess;
  }
  uint64_t think = rng.Uniform(3);

  Admission adm = submit(req);
  c.guess = adm.leader_hint;  // the next request goes to the leader this node knows
  if (!adm.accepted) {
    c.next_invoke = now + 1;
    if (trace_) trace_(fmt::format("client {} refused by node {}", c.id, req.node));
    return;
  }
  if (req.cmd.kind != OpKind::kRead) last_written_[key] = req.cmd.value;
  Pending p;
  p.req = req;
  p.deadline = now + opt_.timeout_ticks;
  p.leader = adm.leader_hint;
  p.think = think;
  const uint64_t t = Stamp(now);
  switch (req.cmd.kind) {
    case OpKind::kRead:
      p.op = history_.InvokeRead(c.id, req.cmd.key, t);
      if (req.LocalRead()) p.read_index = 0;
      break;
    case OpKind::kWrite:
      p.op = history_.InvokeWrite(c.id, req.cmd.key, req.cmd.value, t);
      break;
    case OpKind::kCas:
      p.op = history_.InvokeCas(c.id, req.cmd.key, req.cmd.expected, req.cmd.value, t);
      break;
  }
  if (trace_)
    trace_(fmt::format("client {} sends \"{}\" to node {}", c.id, req.cmd.Encode(), req.node));
  c.pending = std::move(p);
}

void KvClients::Respond(Client& c, const KvResult& res, uint64_t now) {
  const Pending& p = *c.pending;
  const uint64_t t = Stamp(now);
  switch (p.req.cmd.kind) {
    case OpKind::kRead:
      history_.OkRead(p.op, res.read, t);
      break;
    case OpKind::kWrite:
      history_.OkWrite(p.op, t);
      break;
    case OpKind::kCas:
      history_.OkCas(p.op, res.swapped, t);
      break;
  }
  if (trace_) {
    std::string out = p.req.cmd.kind == OpKind::kRead  ? res.read.value_or("nil")
                      : p.req.cmd.kind == OpKind::kCas ? (res.swapped ? "swapped" : "not swapped")
                                                       : "ok";
    trace_(fmt::format("client {} answered by node {}: \"{}\" -> {}", c.id, p.req.node,
                       p.req.cmd.Encode(), out));
  }
  completed_++;
  c.next_invoke = now + p.think;
  c.pending.reset();
}

void KvClients::Abandon(Client& c, uint64_t now, const char* why) {
  history_.Unknown(c.pending->op);
  if (trace_) {
    trace_(fmt::format("client {}: \"{}\" at node {} gets no response ({})", c.id,
                       c.pending->req.cmd.Encode(), c.pending->req.node, why));
  }
  unanswered_++;
  c.guess = raft::kNone;
  c.next_invoke = now + 1;
  c.pending.reset();
}

void KvClients::OnReadState(raft::NodeId node, const raft::ReadState& rs) {
  for (Client& c : clients_) {
    if (!c.pending || c.pending->req.node != node || c.pending->read_index) continue;
    if (c.pending->req.UsesLog() || c.pending->req.ReadContext() != rs.request_ctx) continue;
    c.pending->read_index = rs.index;
  }
}

void KvClients::OnApplied(raft::NodeId node, const KvCommand& cmd, const KvResult& res,
                          uint64_t now) {
  if (res.duplicate || cmd.client == 0 || cmd.client > clients_.size()) return;
  Client& c = clients_[cmd.client - 1];
  if (!c.pending || c.pending->req.node != node || !c.pending->req.UsesLog()) return;
  if (c.pending->req.cmd.request != cmd.request) return;
  Respond(c, res, now);
}

void KvClients::OnProgress(raft::NodeId node, uint64_t applied, const KvStateMachine& kv,
                           uint64_t now) {
  for (Client& c : clients_) {
    if (!c.pending || c.pending->req.node != node || !c.pending->read_index) continue;
    if (applied < *c.pending->read_index) continue;
    KvResult res;
    res.read = kv.Get(c.pending->req.cmd.key);
    Respond(c, res, now);
  }
}

void KvClients::OnCrash(raft::NodeId node, uint64_t now) {
  for (Client& c : clients_) {
    if (c.pending && c.pending->req.node == node) Abandon(c, now, "node crashed");
  }
}

void KvClients::OnLeaderChange(raft::NodeId node, raft::NodeId lead, uint64_t now) {
  for (Client& c : clients_) {
    if (!c.pending || c.pending->req.node != node || c.pending->leader == lead) continue;
    Abandon(c, now, "node changed leader");
  }
}

void KvClients::Finish(uint64_t now) {
  for (Client& c : clients_) {
    if (c.pending) Abandon(c, now, "run over");
  }
}

}  // namespace shoal::sim
