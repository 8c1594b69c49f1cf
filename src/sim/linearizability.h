// A linearizability checker for histories of a key-value store of registers (read, write,
// compare-and-set), in the style of Wing & Gong with Lowe's memoization (as in Porcupine): a
// depth-first search for a total order of the operations that respects real time (an operation
// that returned before another was invoked comes first) and the sequential semantics of a
// register, remembering every (set of linearized operations, register value) already explored
// so no configuration is searched twice.
//
// Keys are independent registers, and linearizability is local (Herlihy & Wing): the history
// of each key is checked on its own, which keeps the search small.
//
// An operation without a response (timed out, client or node crashed) may have taken effect at
// any moment after its invocation, or never: a write or CAS without a response may be
// linearized anywhere after its invocation or left out; a read without a response says nothing
// and is ignored. An operation known not to have taken effect (refused before it was sent)
// should simply not be in the history.
//
// Thread-safety: pure functions over values; HistoryRecorder has one owner.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace shoal::sim {

enum class OpKind : uint8_t { kRead, kWrite, kCas };

struct Operation {
  uint64_t client = 0;  // for messages only
  std::string key;      // the register; "" for a single-register history
  OpKind kind = OpKind::kRead;
  std::string value;     // kWrite, kCas: the value written
  std::string expected;  // kCas: the value the register must hold for the swap
  // kRead: the value read, nullopt when the key had no value (the initial state).
  std::optional<std::string> read;
  bool cas_ok = false;  // kCas: whether the swap was reported done
  uint64_t invoke = 0;
  // nullopt: no response; the operation may have taken effect any time after invoke, or never.
  std::optional<uint64_t> response;
};

struct LinearizabilityResult {
  bool linearizable = true;
  // The search gave up after max_steps: nothing is known (linearizable is false then).
  bool exhausted = false;
  std::string key;     // the first key found not linearizable (or exhausted)
  std::string detail;  // the operations involved, for a failure message
};

// Checks a history: operations in any order, with invoke <= response. Every key starts
// without a value. max_steps bounds the search per key.
LinearizabilityResult CheckLinearizable(const std::vector<Operation>& history,
                                        uint64_t max_steps = 20'000'000);

std::string DescribeOperation(const Operation& op);

// Records a client history as it happens: Invoke when a client sends a request, then exactly
// one of Ok* (answered), Fail (definitely not executed: removed from the history) or
// Unknown (no answer: left without a response).
class HistoryRecorder {
 public:
  // Returns the id to complete the operation with.
  size_t InvokeRead(uint64_t client, std::string key, uint64_t now);
  size_t InvokeWrite(uint64_t client, std::string key, std::string value, uint64_t now);
  size_t InvokeCas(uint64_t client, std::string key, std::string expected, std::string value,
                   uint64_t now);
  void OkRead(size_t id, std::optional<std::string> value, uint64_t now);
  void OkWrite(size_t id, uint64_t now);
  void OkCas(size_t id, bool swapped, uint64_t now);
  void Fail(size_t id);
  void Unknown(size_t id);

  // The completed history (operations failed are left out).
  std::vector<Operation> History() const;
  size_t size() const { return ops_.size(); }

 private:
  size_t Invoke(Operation op);

  std::vector<Operation> ops_;
  std::vector<bool> dropped_;
};

}  // namespace shoal::sim
