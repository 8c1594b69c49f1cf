#include "sim/kv_state_machine.h"

#include <gtest/gtest.h>

namespace shoal::sim {
namespace {

KvCommand Cmd(uint64_t client, uint64_t request, OpKind kind, std::string key,
              std::string value = "", std::string expected = "") {
  KvCommand c;
  c.client = client;
  c.request = request;
  c.kind = kind;
  c.key = std::move(key);
  c.value = std::move(value);
  c.expected = std::move(expected);
  return c;
}

TEST(KvCommand, EncodeDecodeRoundTrip) {
  for (const KvCommand& c : {Cmd(1, 2, OpKind::kRead, "k0"), Cmd(3, 4, OpKind::kWrite, "k1", "v9"),
                             Cmd(5, 6, OpKind::kCas, "k2", "v8", "v7")}) {
    auto d = KvCommand::Decode(c.Encode());
    ASSERT_TRUE(d.has_value()) << c.Encode();
    EXPECT_EQ(d->Encode(), c.Encode());
    EXPECT_EQ(d->kind, c.kind);
    EXPECT_EQ(d->value, c.value);
    EXPECT_EQ(d->expected, c.expected);
  }
  EXPECT_EQ(Cmd(3, 4, OpKind::kWrite, "k1", "v9").Encode(), "3 4 w k1 v9");
}

TEST(KvCommand, DecodeRejectsGarbage) {
  for (const char* bad : {"", "v1", "1 2 r", "1 2 w k", "1 2 c k a", "x 2 r k", "1 2 q k",
                          "1 2 r k extra", "1 -2 r k"}) {
    EXPECT_FALSE(KvCommand::Decode(bad).has_value()) << bad;
  }
}

TEST(KvStateMachine, RegistersAndCas) {
  KvStateMachine sm;
  EXPECT_EQ(sm.Apply(Cmd(1, 1, OpKind::kRead, "k")).read, std::nullopt);
  EXPECT_FALSE(sm.Apply(Cmd(1, 2, OpKind::kCas, "k", "v1", "v0")).swapped) << "no value yet";
  sm.Apply(Cmd(1, 3, OpKind::kWrite, "k", "v1"));
  EXPECT_EQ(sm.Apply(Cmd(2, 1, OpKind::kRead, "k")).read, "v1");
  EXPECT_FALSE(sm.Apply(Cmd(2, 2, OpKind::kCas, "k", "v3", "v2")).swapped);
  EXPECT_TRUE(sm.Apply(Cmd(2, 3, OpKind::kCas, "k", "v3", "v1")).swapped);
  EXPECT_EQ(sm.Get("k"), "v3");
  EXPECT_EQ(sm.Get("other"), std::nullopt);
}

// A duplicated proposal applied after the client's next write must not overwrite it.
TEST(KvStateMachine, SessionSkipsDuplicatesAndOlderRequests) {
  KvStateMachine sm;
  EXPECT_FALSE(sm.Apply(Cmd(1, 1, OpKind::kWrite, "k", "v1")).duplicate);
  EXPECT_FALSE(sm.Apply(Cmd(1, 2, OpKind::kWrite, "k", "v2")).duplicate);
  EXPECT_TRUE(sm.Apply(Cmd(1, 1, OpKind::kWrite, "k", "v1")).duplicate);
  EXPECT_TRUE(sm.Apply(Cmd(1, 2, OpKind::kWrite, "k", "v2")).duplicate);
  EXPECT_EQ(sm.Get("k"), "v2");
  EXPECT_FALSE(sm.Apply(Cmd(2, 1, OpKind::kWrite, "k", "v3")).duplicate) << "other client";
  EXPECT_EQ(sm.Get("k"), "v3");
}

TEST(KvStateMachine, EncodeDecodeKeepsRegistersAndSessions) {
  KvStateMachine sm;
  EXPECT_EQ(sm.Encode(), "");
  sm.Apply(Cmd(2, 5, OpKind::kWrite, "b", "v2"));
  sm.Apply(Cmd(1, 7, OpKind::kWrite, "a", "v1"));
  EXPECT_EQ(sm.Encode(), "k a v1\nk b v2\ns 1 7\ns 2 5\n");
  auto d = KvStateMachine::Decode(sm.Encode());
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->Encode(), sm.Encode());
  EXPECT_TRUE(d->Apply(Cmd(1, 7, OpKind::kWrite, "a", "old")).duplicate);
  EXPECT_TRUE(KvStateMachine::Decode("").has_value());
  EXPECT_FALSE(KvStateMachine::Decode("k a v1").has_value()) << "missing newline";
  EXPECT_FALSE(KvStateMachine::Decode("x a v1\n").has_value());
  EXPECT_FALSE(KvStateMachine::Decode("s a 1\n").has_value());
}

}  // namespace
}  // namespace shoal::sim
