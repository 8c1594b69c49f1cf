#include "sim/linearizability.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <map>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace shoal::sim {
namespace {

constexpr uint64_t kNever = std::numeric_limits<uint64_t>::max();
constexpr int kAbsent = -1;  // the register's initial state: no value

// An operation of one key with its values interned as small integers (kAbsent for none).
struct Op {
  const Operation* src;
  OpKind kind;
  int value = kAbsent;     // write/cas: new value; read: the value read
  int expected = kAbsent;  // cas
  bool cas_ok = false;
  bool complete = true;
};

// The register's sequential specification: whether op may run in `state`, and the state after.
bool Step(const Op& op, int state, int* next) {
  switch (op.kind) {
    case OpKind::kRead:
      *next = state;
      return op.value == state;
    case OpKind::kWrite:
      *next = op.value;
      return true;
    case OpKind::kCas:
      if (!op.complete) {  // unknown outcome: it swapped if it could
        *next = state == op.expected ? op.value : state;
        return true;
      }
      if (op.cas_ok) {
        *next = op.value;
        return state == op.expected;
      }
      *next = state;
      return state != op.expected;
  }
  return false;
}

struct CacheKey {
  std::vector<uint64_t> bits;
  int state;
  bool operator==(const CacheKey&) const = default;
};

struct CacheKeyHash {
  size_t operator()(const CacheKey& k) const {
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ static_cast<uint64_t>(static_cast<int64_t>(k.state));
    for (uint64_t w : k.bits) {
      h ^= w + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    }
    return static_cast<size_t>(h);
  }
};

// The events of the search, in a doubly linked list that the search unlinks ("lifts") an
// operation's call and return from while it is linearized, as in Lowe's algorithm.
struct Event {
  bool is_call;
  int op;
  uint64_t time;
  int match = -1;  // the other event of the same op
  int prev = -1, next = -1;
};

class KeySearch {
 public:
  KeySearch(std::vector<Op> ops, uint64_t max_steps) : ops_(std::move(ops)), max_steps_(max_steps) {
    BuildEvents();
  }

  // Returns the result for this key (key and detail filled by the caller on failure).
  LinearizabilityResult Run() {
    LinearizabilityResult res;
    const size_t words = (ops_.size() + 63) / 64;
    std::vector<uint64_t> bits(words, 0);
    std::unordered_set<CacheKey, CacheKeyHash> cache;
    struct Frame {
      int call;
      int state;
    };
    std::vector<Frame> stack;
    int state = kAbsent;
    int entry = events_[kHead].next;
    uint64_t steps = 0;
    while (events_[kHead].next != -1) {
      if (++steps > max_steps_) {
        res.linearizable = false;
        res.exhausted = true;
        res.detail =
            fmt::format("gave up after {} steps over {} operations", max_steps_, ops_.size());
        return res;
      }
      Event& ev = events_[entry];
      if (ev.is_call) {
        const Op& op = ops_[ev.op];
        int next = kAbsent;
        if (Step(op, state, &next)) {
          bits[ev.op / 64] |= uint64_t{1} << (ev.op % 64);
          if (cache.insert(CacheKey{bits, next}).second) {
            stack.push_back({entry, state});
            state = next;
            Lift(entry);
            if (stack.size() > best_.size()) {
              best_.clear();
              for (const Frame& f : stack) best_.push_back(events_[f.call].op);
            }
            entry = events_[kHead].next;
            continue;
          }
          bits[ev.op / 64] &= ~(uint64_t{1} << (ev.op % 64));
        }
        entry = ev.next;
        continue;
      }
      // A return whose operation is not linearized yet.
      if (ev.time == kNever) return res;  // only operations without a response remain
      if (stack.size() >= best_.size()) stuck_ = ev.op;
      if (stack.empty()) break;
      Frame f = stack.back();
      stack.pop_back();
      int op = events_[f.call].op;
      bits[op / 64] &= ~(uint64_t{1} << (op % 64));
      state = f.state;
      Unlift(f.call);
      entry = events_[f.call].next;
    }
    if (events_[kHead].next == -1) return res;
    res.linearizable = false;
    res.detail = Explain();
    return res;
  }

 private:
  static constexpr int kHead = 0;

  void BuildEvents() {
    events_.push_back(Event{false, -1, 0});  // the head sentinel
    std::vector<int> order;
    for (size_t i = 0; i < ops_.size(); ++i) {
      const Operation& src = *ops_[i].src;
      int call = static_cast<int>(events_.size());
      events_.push_back(Event{true, static_cast<int>(i), src.invoke});
      int ret = static_cast<int>(events_.size());
      events_.push_back(Event{false, static_cast<int>(i), src.response.value_or(kNever)});
      events_[call].match = ret;
      events_[ret].match = call;
      order.push_back(call);
      order.push_back(ret);
    }
    // By time; at equal times calls first (operations that touch in time overlap).
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
      if (events_[a].time != events_[b].time) return events_[a].time < events_[b].time;
      return events_[a].is_call && !events_[b].is_call;
    });
    int prev = kHead;
    for (int e : order) {
      events_[prev].next = e;
      events_[e].prev = prev;
      prev = e;
    }
  }

  void Unlink(int e) {
    Event& ev = events_[e];
    events_[ev.prev].next = ev.next;
    if (ev.next != -1) events_[ev.next].prev = ev.prev;
  }
  void Relink(int e) {
    Event& ev = events_[e];
    events_[ev.prev].next = e;
    if (ev.next != -1) events_[ev.next].prev = e;
  }
  void Lift(int call) {
    Unlink(call);
    Unlink(events_[call].match);
  }
  void Unlift(int call) {
    Relink(events_[call].match);
    Relink(call);
  }

  std::string Explain() const {
    std::string out = fmt::format("no linearization of {} operations;", ops_.size());
    if (stuck_ >= 0) {
      out += " cannot place " + DescribeOperation(*ops_[stuck_].src) + " after";
    } else {
      out += " longest linearized prefix:";
    }
    if (best_.empty()) out += " nothing";
    for (int op : best_) out += "\n    " + DescribeOperation(*ops_[op].src);
    // The operations concurrent with the one that could not be placed, for context.
    if (stuck_ >= 0) {
      const Operation& s = *ops_[stuck_].src;
      uint64_t s_end = s.response.value_or(kNever);
      out += "\n  operations overlapping it:";
      for (const Op& o : ops_) {
        if (o.src == &s) continue;
        uint64_t end = o.src->response.value_or(kNever);
        if (o.src->invoke <= s_end && s.invoke <= end) out += "\n    " + DescribeOperation(*o.src);
      }
    }
    return out;
  }

  std::vector<Op> ops_;
  uint64_t max_steps_;
  std::vector<Event> events_;
  std::vector<int> best_;  // the longest linearized prefix seen (op indices)
  int stuck_ = -1;         // the op whose return forced the backtrack from the best prefix
};

}  // namespace

std::string DescribeOperation(const Operation& op) {
  std::string when = fmt::format("[{}, {}]", op.invoke,
                                 op.response ? std::to_string(*op.response) : std::string("?"));
  std::string key = op.key.empty() ? std::string() : " " + op.key;
  switch (op.kind) {
    case OpKind::kRead:
      return fmt::format("c{} read{} -> {} {}", op.client, key,
                         !op.response ? "?"
                         : op.read    ? "\"" + *op.read + "\""
                                      : "nil",
                         when);
    case OpKind::kWrite:
      return fmt::format("c{} write{} \"{}\" {}", op.client, key, op.value, when);
    case OpKind::kCas:
      return fmt::format("c{} cas{} \"{}\" -> \"{}\" {} {}", op.client, key, op.expected, op.value,
                         !op.response ? "?"
                         : op.cas_ok  ? "ok"
                                      : "failed",
                         when);
  }
  return "?";
}

LinearizabilityResult CheckLinearizable(const std::vector<Operation>& history, uint64_t max_steps) {
  std::map<std::string, std::vector<const Operation*>> by_key;
  for (const Operation& op : history) {
    if (op.kind == OpKind::kRead && !op.response) continue;  // says nothing
    by_key[op.key].push_back(&op);
  }
  for (const auto& [key, ops] : by_key) {
    std::unordered_map<std::string, int> ids;
    auto intern = [&](const std::string& v) {
      return ids.emplace(v, static_cast<int>(ids.size())).first->second;
    };
    std::vector<Op> interned;
    for (const Operation* src : ops) {
      Op op{src, src->kind};
      op.complete = src->response.has_value();
      op.cas_ok = src->cas_ok;
      if (src->kind == OpKind::kRead) {
        op.value = src->read ? intern(*src->read) : kAbsent;
      } else {
        op.value = intern(src->value);
        if (src->kind == OpKind::kCas) op.expected = intern(src->expected);
      }
      interned.push_back(op);
    }
    LinearizabilityResult r = KeySearch(std::move(interned), max_steps).Run();
    if (!r.linearizable) {
      r.key = key;
      return r;
    }
  }
  return {};
}

size_t HistoryRecorder::Invoke(Operation op) {
  ops_.push_back(std::move(op));
  dropped_.push_back(false);
  return ops_.size() - 1;
}

size_t HistoryRecorder::InvokeRead(uint64_t client, std::string key, uint64_t now) {
  Operation op;
  op.client = client;
  op.key = std::move(key);
  op.kind = OpKind::kRead;
  op.invoke = now;
  return Invoke(std::move(op));
}

size_t HistoryRecorder::InvokeWrite(uint64_t client, std::string key, std::string value,
                                    uint64_t now) {
  Operation op;
  op.client = client;
  op.key = std::move(key);
  op.kind = OpKind::kWrite;
  op.value = std::move(value);
  op.invoke = now;
  return Invoke(std::move(op));
}

size_t HistoryRecorder::InvokeCas(uint64_t client, std::string key, std::string expected,
                                  std::string value, uint64_t now) {
  Operation op;
  op.client = client;
  op.key = std::move(key);
  op.kind = OpKind::kCas;
  op.expected = std::move(expected);
  op.value = std::move(value);
  op.invoke = now;
  return Invoke(std::move(op));
}

void HistoryRecorder::OkRead(size_t id, std::optional<std::string> value, uint64_t now) {
  ops_[id].read = std::move(value);
  ops_[id].response = now;
}

void HistoryRecorder::OkWrite(size_t id, uint64_t now) { ops_[id].response = now; }

void HistoryRecorder::OkCas(size_t id, bool swapped, uint64_t now) {
  ops_[id].cas_ok = swapped;
  ops_[id].response = now;
}

void HistoryRecorder::Fail(size_t id) { dropped_[id] = true; }

void HistoryRecorder::Unknown(size_t id) { ops_[id].response.reset(); }

std::vector<Operation> HistoryRecorder::History() const {
  std::vector<Operation> out;
  for (size_t i = 0; i < ops_.size(); ++i) {
    if (!dropped_[i]) out.push_back(ops_[i]);
  }
  return out;
}

}  // namespace shoal::sim
