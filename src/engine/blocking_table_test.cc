#include "engine/blocking_table.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "core/list_object.h"
#include "engine/shard.h"

namespace shoal {
namespace {

// Waits for a string key; being served takes the key away (as a pop of the last element).
class TestWaiter final : public BlockedClient {
 public:
  TestWaiter(std::string name, std::vector<std::string>* log, ValueType type = ValueType::kString)
      : BlockedClient(type), name_(std::move(name)), log_(log) {}
  void Serve(Shard&, Db& db, std::string_view key) override {
    log_->push_back(name_ + "<-" + std::string(key));
    db.Delete(db.FindForWrite(key, 0));
  }

 private:
  std::string name_;
  std::vector<std::string>* log_;
};

class BlockingTableTest : public ::testing::Test {
 protected:
  std::shared_ptr<TestWaiter> Waiter(std::string name, ValueType type = ValueType::kString) {
    return std::make_shared<TestWaiter>(std::move(name), &log_, type);
  }
  void Create(int db, std::string_view key) {
    shard_.db(db).Insert(Entry::Create(key, "v"), clock_.NowMs());
  }

  EngineOptions options_;
  ManualClock clock_{1'000'000'000};
  Shard shard_{0, &options_, &clock_};
  BlockingTable& table_ = shard_.blocking();
  std::vector<std::string> log_;
};

TEST_F(BlockingTableTest, ServesInArrivalOrderOnePerCreation) {
  for (const char* name : {"a", "b", "c"}) table_.Add(0, "k", Waiter(name));
  Create(0, "other");
  EXPECT_FALSE(table_.has_ready());
  Create(0, "k");
  shard_.ServeBlocked();
  Create(0, "k");
  shard_.ServeBlocked();
  EXPECT_EQ(log_, (std::vector<std::string>{"a<-k", "b<-k"}));
  EXPECT_EQ(table_.size(), 1u);
  Create(0, "k");
  shard_.ServeBlocked();
  EXPECT_EQ(log_.back(), "c<-k");
  EXPECT_TRUE(table_.empty());
  Create(0, "k");
  EXPECT_FALSE(table_.has_ready());
  EXPECT_NE(shard_.db(0).FindForRead("k", 0), nullptr);  // nobody left to take it
}

TEST_F(BlockingTableTest, SkipsWaitersClaimedElsewhereAndRemoved) {
  auto a = Waiter("a"), b = Waiter("b"), c = Waiter("c");
  table_.Add(0, "k", a);
  table_.Add(0, "k", b);
  table_.Add(0, "k", c);
  ASSERT_TRUE(a->TryClaim());  // timed out, or served through another key
  EXPECT_FALSE(a->TryClaim());
  table_.Remove(0, "k", b.get());
  Create(0, "k");
  shard_.ServeBlocked();
  EXPECT_EQ(log_, (std::vector<std::string>{"c<-k"}));
  EXPECT_TRUE(table_.empty());
}

TEST_F(BlockingTableTest, AKeyNamedTwiceRegistersOnce) {
  auto a = Waiter("a");
  table_.Add(0, "k", a);
  table_.Add(0, "k", a);
  table_.Add(0, "k", Waiter("b"));
  Create(0, "k");
  shard_.ServeBlocked();
  Create(0, "k");
  shard_.ServeBlocked();
  EXPECT_EQ(log_, (std::vector<std::string>{"a<-k", "b<-k"}));
}

TEST_F(BlockingTableTest, OtherTypesAndDatabasesDoNotServe) {
  table_.Add(0, "k", Waiter("list", ValueType::kList));
  table_.Add(1, "j", Waiter("db1"));
  Create(0, "k");  // a string: the list waiter keeps waiting
  Create(0, "j");  // the wrong database
  shard_.ServeBlocked();
  EXPECT_TRUE(log_.empty());
  EXPECT_EQ(table_.size(), 2u);
}

TEST_F(BlockingTableTest, AWaiterForAnotherTypeKeepsItsPlaceAndDoesNotBlockTheOthers) {
  table_.Add(0, "k", Waiter("list", ValueType::kList));
  table_.Add(0, "k", Waiter("s1"));
  table_.Add(0, "k", Waiter("s2"));
  Create(0, "k");  // a string: the first string waiter is served past the list waiter
  shard_.ServeBlocked();
  EXPECT_EQ(log_, (std::vector<std::string>{"s1<-k"}));
  shard_.db(0).Insert(Entry::CreateObject("k", new ListObject()), clock_.NowMs());
  shard_.ServeBlocked();
  EXPECT_EQ(log_, (std::vector<std::string>{"s1<-k", "list<-k"}));
  EXPECT_EQ(table_.size(), 1u);  // s2 still waits
}

TEST_F(BlockingTableTest, LockedKeyIsServedWhenItsLockGoes) {
  table_.Add(0, "k", Waiter("a"));
  const LockRequest tx{{LockKey{0, "k", LockMode::kExclusive}}, false};
  shard_.locks().Acquire(tx);
  Create(0, "k");
  shard_.ServeBlocked();
  EXPECT_TRUE(log_.empty());  // the transaction is not over
  shard_.locks().Release(tx);
  EXPECT_EQ(log_, (std::vector<std::string>{"a<-k"}));
}

TEST_F(BlockingTableTest, SwapDbServesKeysThatNowExist) {
  table_.Add(1, "k", Waiter("a"));
  Create(0, "k");
  shard_.ServeBlocked();
  EXPECT_TRUE(log_.empty());
  shard_.SwapDbs(0, 1);
  EXPECT_EQ(log_, (std::vector<std::string>{"a<-k"}));
  EXPECT_EQ(shard_.db(1).size(), 0u);
  // Inserts are still reported under the right numbers after the swap.
  table_.Add(0, "z", Waiter("b"));
  Create(0, "z");
  shard_.ServeBlocked();
  EXPECT_EQ(log_.back(), "b<-z");
}

}  // namespace
}  // namespace shoal
