#include "core/hash_object.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>

namespace shoal {
namespace {

std::map<std::string, std::string> Contents(const HashObject& h) {
  std::map<std::string, std::string> out;
  h.ForEach([&](std::string_view f, std::string_view v) { out.emplace(f, v); });
  return out;
}

TEST(HashObjectTest, StaysPackedWhileSmall) {
  HashObject h;
  HashLimits limits;
  EXPECT_TRUE(h.Set("f", "v", limits));
  EXPECT_FALSE(h.Set("f", "w", limits));
  EXPECT_EQ(h.Get("f", 0), "w");
  EXPECT_EQ(h.Get("g", 0), std::nullopt);
  EXPECT_EQ(h.EncodingName(), "listpack");
  EXPECT_EQ(h.Length(), 1u);
  EXPECT_TRUE(h.Delete("f"));
  EXPECT_FALSE(h.Delete("f"));
  EXPECT_EQ(h.Length(), 0u);
}

TEST(HashObjectTest, ConvertsPastTheEntryAndValueLimits) {
  HashLimits limits{.max_packed_entries = 4, .max_packed_value = 8};
  HashObject many;
  for (int i = 0; i < 4; ++i) many.Set("f" + std::to_string(i), "v", limits);
  EXPECT_TRUE(many.packed());
  many.Set("f4", "v", limits);
  EXPECT_FALSE(many.packed());
  EXPECT_EQ(many.Length(), 5u);
  EXPECT_EQ(many.Get("f0", 0), "v");

  HashObject big;
  big.Set("f", "short", limits);
  big.Set("f", "a value longer than eight", limits);
  EXPECT_EQ(big.EncodingName(), "hashtable");
  EXPECT_EQ(big.Get("f", 0), "a value longer than eight");
  EXPECT_EQ(big.Length(), 1u);
}

TEST(HashObjectTest, FieldDeadlinesExpireLazily) {
  HashObject h;
  HashLimits limits;
  h.Set("a", "1", limits);
  h.Set("b", "2", limits);
  EXPECT_FALSE(h.SetFieldExpire("missing", 100));
  EXPECT_TRUE(h.SetFieldExpire("a", 100));
  EXPECT_EQ(h.EncodingName(), "hashtable");
  EXPECT_EQ(h.FieldExpireAt("a", 50), 100);
  EXPECT_EQ(h.FieldExpireAt("b", 50), 0);
  EXPECT_EQ(h.Get("a", 99), "1");
  EXPECT_EQ(h.Get("a", 100), std::nullopt);  // deleted on access
  EXPECT_EQ(h.Length(), 1u);
  EXPECT_EQ(h.fields_with_deadline(), 0u);

  h.SetFieldExpire("b", 10);
  h.PurgeExpired(10);
  EXPECT_EQ(h.Length(), 0u);
}

TEST(HashObjectTest, SetAndPersistDropTheDeadline) {
  HashObject h;
  HashLimits limits;
  h.Set("a", "1", limits);
  h.SetFieldExpire("a", 100);
  EXPECT_TRUE(h.PersistField("a"));
  EXPECT_FALSE(h.PersistField("a"));
  h.SetFieldExpire("a", 100);
  h.Set("a", "2", limits);
  EXPECT_EQ(h.FieldExpireAt("a", 0), 0);
  EXPECT_EQ(h.fields_with_deadline(), 0u);
}

TEST(HashObjectTest, CloneAndRandomOperationsMatchAMap) {
  std::mt19937 rng(11);
  HashLimits limits{.max_packed_entries = 16, .max_packed_value = 20};
  HashObject h;
  std::map<std::string, std::string> model;
  for (int step = 0; step < 3000; ++step) {
    std::string f = "f" + std::to_string(rng() % 40);
    if (rng() % 3 == 0) {
      EXPECT_EQ(h.Delete(f), model.erase(f) == 1);
    } else {
      std::string v(rng() % 30, 'x');
      EXPECT_EQ(h.Set(f, v, limits), model.count(f) == 0);
      model[f] = v;
    }
    ASSERT_EQ(h.Length(), model.size());
  }
  EXPECT_EQ(Contents(h), model);
  std::unique_ptr<Object> copy = h.Clone();
  EXPECT_EQ(Contents(static_cast<HashObject&>(*copy)), model);
  EXPECT_GT(h.MemoryBytes(), 0u);
}

}  // namespace
}  // namespace shoal

namespace shoal {
namespace {

TEST(EntryObjectTest, EntryOwnsItsObjectUntilAStringReplacesIt) {
  auto* h = new HashObject();
  h->Set("f", "v", HashLimits{});
  Entry* e = Entry::CreateObject("key", h, /*with_expire=*/true);
  EXPECT_EQ(e->type(), ValueType::kHash);
  EXPECT_EQ(e->encoding(), Encoding::kObject);
  EXPECT_EQ(e->object(), h);
  EXPECT_EQ(e->key(), "key");
  e->set_expire_at_ms(1234);
  EXPECT_EQ(e->MemoryBytes(), e->AllocatedBytes() + h->MemoryBytes());
  e = Entry::SetValue(e, "now a string");  // deletes the hash (ASan reports a leak otherwise)
  EXPECT_EQ(e->type(), ValueType::kString);
  EXPECT_EQ(e->raw_value(), "now a string");
  EXPECT_EQ(e->expire_at_ms(), 1234);
  Entry::Destroy(e);
  Entry::Destroy(Entry::CreateObject("k2", new HashObject()));
}

}  // namespace
}  // namespace shoal
