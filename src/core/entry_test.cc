#include "core/entry.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <random>
#include <string>

namespace shoal {
namespace {

struct EntryDeleter {
  void operator()(Entry* e) const { Entry::Destroy(e); }
};
using EntryPtr = std::unique_ptr<Entry, EntryDeleter>;

// Applies a reallocating Entry operation to the owned pointer.
template <typename Op>
void Apply(EntryPtr& p, Op op) {
  Entry* e = op(p.release());
  p.reset(e);
}

std::string Bytes(std::string_view s) { return std::string(s); }

TEST(Entry, EmptyKeyAndValue) {
  EntryPtr e(Entry::Create("", ""));
  EXPECT_EQ(e->key(), "");
  EXPECT_EQ(e->encoding(), Encoding::kRaw);
  EXPECT_EQ(e->type(), ValueType::kString);
  EXPECT_EQ(e->raw_value(), "");
  EXPECT_EQ(e->StringLength(), 0u);
  EXPECT_EQ(e->StringValue(), "");
  EXPECT_EQ(e->next, nullptr);
  EXPECT_EQ(e->access(), 0u);
  EXPECT_FALSE(e->has_expiry_block());

  EntryPtr d(Entry::Create(std::string_view(), std::string_view()));  // null data pointers
  EXPECT_EQ(d->key(), "");
  EXPECT_EQ(d->raw_value(), "");
}

TEST(Entry, BinaryKeyAndValueWithNul) {
  const std::string key("a\0b\xff", 4);
  const std::string value("\0\0x\0\x80\xfe", 6);
  EntryPtr e(Entry::Create(key, value));
  EXPECT_EQ(Bytes(e->key()), key);
  EXPECT_EQ(Bytes(e->raw_value()), value);
  EXPECT_EQ(e->StringLength(), 6u);
}

TEST(Entry, OneMegabyteValueAndLongKey) {
  std::string key(300, 'k');  // two-byte key length varint
  std::string value(1 << 20, '\0');
  for (size_t i = 0; i < value.size(); i++) value[i] = static_cast<char>(i * 131 + 7);
  EntryPtr e(Entry::Create(key, value, /*with_expire=*/true));
  EXPECT_EQ(Bytes(e->key()), key);
  EXPECT_EQ(Bytes(e->raw_value()), value);
  EXPECT_EQ(e->StringLength(), value.size());
  EXPECT_TRUE(e->has_expiry_block());
  EXPECT_GE(e->AllocatedBytes(), value.size() + key.size() + 13 + 12 + 2 + 3);
}

TEST(Entry, IntegerEncoding) {
  struct Case {
    const char* text;
    int64_t v;
  };
  for (Case c : {Case{"0", 0}, Case{"-1", -1}, Case{"7", 7}, Case{"1234567890123", 1234567890123},
                 Case{"9223372036854775807", INT64_MAX}, Case{"-9223372036854775808", INT64_MIN}}) {
    EntryPtr e(Entry::Create("k", c.text));
    ASSERT_EQ(e->encoding(), Encoding::kInt) << c.text;
    EXPECT_EQ(e->int_value(), c.v);
    EXPECT_EQ(e->StringValue(), c.text);
    EXPECT_EQ(e->StringLength(), std::string(c.text).size());
    std::string scratch;
    EXPECT_EQ(e->StringView(scratch), c.text);
    EXPECT_EQ(e->key(), "k");
  }
  for (const char* s : {"-0", "007", " 1", "1 ", "+1", "9223372036854775808",
                        "-9223372036854775809", "1.0", "", "-"}) {
    EntryPtr e(Entry::Create("k", s));
    EXPECT_EQ(e->encoding(), Encoding::kRaw) << s;
    EXPECT_EQ(e->raw_value(), s);
    std::string scratch;
    EXPECT_EQ(e->StringView(scratch), s);
  }
  EntryPtr e(Entry::CreateInt("counter", INT64_MIN, /*with_expire=*/true));
  EXPECT_EQ(e->encoding(), Encoding::kInt);
  EXPECT_EQ(e->int_value(), INT64_MIN);
  EXPECT_EQ(e->StringLength(), 20u);
  EXPECT_EQ(e->key(), "counter");
  EXPECT_TRUE(e->has_expiry_block());
  EXPECT_EQ(e->expire_at_ms(), 0);
  EXPECT_EQ(e->volatile_index(), 0u);
}

TEST(Entry, CompactLayoutForTypicalKey) {
  // 16-byte key + 100-byte value: 13 fixed + 1 + 1 varints + 116 = 131 bytes, one 144-byte glibc
  // chunk (usable 136). Under ASan malloc_usable_size is the request itself.
  const std::string key = "key:000000000042";
  ASSERT_EQ(key.size(), 16u);
  EntryPtr e(Entry::Create(key, std::string(100, 'v')));
  EXPECT_LE(e->AllocatedBytes(), 136u);
  EXPECT_GE(e->AllocatedBytes(), 131u);
  EntryPtr small(Entry::Create("k", "v"));
  EXPECT_LE(small->AllocatedBytes(), 24u);  // 17 bytes: the smallest chunk
}

TEST(Entry, AccessBitsAndExpiryFields) {
  EntryPtr e(Entry::Create("key", "value", /*with_expire=*/true));
  e->set_access(0xabcdef12);
  EXPECT_EQ(e->access(), 0xcdef12u);
  e->set_expire_at_ms(INT64_MAX - 5);
  e->set_volatile_index(0xfffffffe);
  EXPECT_EQ(e->expire_at_ms(), INT64_MAX - 5);
  EXPECT_EQ(e->volatile_index(), 0xfffffffeu);
  EXPECT_EQ(e->access(), 0xcdef12u);
  EXPECT_EQ(e->key(), "key");
  EXPECT_EQ(e->raw_value(), "value");
}

// Sets up an entry with distinctive key, access, next and expiry to check they survive.
EntryPtr MakeMarked(std::string_view key, std::string_view value, bool with_expire) {
  EntryPtr e(Entry::Create(key, value, with_expire));
  e->set_access(0x123456);
  e->next = reinterpret_cast<Entry*>(uintptr_t{0x1000});
  if (with_expire) {
    e->set_expire_at_ms(1700000000123);
    e->set_volatile_index(77);
  }
  return e;
}

// The item block's marks (memcached flags and CAS), distinct from the expiry block's.
constexpr uint32_t kMarkFlags = 0xdeadbeef;
constexpr uint64_t kMarkCas = 0x0123456789abcdefULL;

void MarkItem(Entry& e) {
  e.set_client_flags(kMarkFlags);
  e.set_cas(kMarkCas);
}

void ExpectMarksKept(const Entry& e, std::string_view key, bool with_expire,
                     bool with_item = false) {
  EXPECT_EQ(e.key(), key);
  EXPECT_EQ(e.access(), 0x123456u);
  EXPECT_EQ(e.next, reinterpret_cast<Entry*>(uintptr_t{0x1000}));
  EXPECT_EQ(e.type(), ValueType::kString);
  ASSERT_EQ(e.has_expiry_block(), with_expire);
  if (with_expire) {
    EXPECT_EQ(e.expire_at_ms(), 1700000000123);
    EXPECT_EQ(e.volatile_index(), 77u);
  }
  ASSERT_EQ(e.has_item_block(), with_item);
  if (with_item) {
    EXPECT_EQ(e.client_flags(), kMarkFlags);
    EXPECT_EQ(e.cas(), kMarkCas);
  }
}

TEST(Entry, SetValueTransitionsKeepMetadata) {
  for (bool with_expire : {false, true}) {
    EntryPtr e = MakeMarked("some:key", "hello", with_expire);
    Apply(e, [](Entry* x) { return Entry::SetValue(x, "12345"); });
    EXPECT_EQ(e->encoding(), Encoding::kInt);
    EXPECT_EQ(e->int_value(), 12345);
    ExpectMarksKept(*e, "some:key", with_expire);

    Apply(e, [](Entry* x) { return Entry::SetValue(x, std::string(1000, 'x')); });
    EXPECT_EQ(e->encoding(), Encoding::kRaw);
    EXPECT_EQ(e->raw_value(), std::string(1000, 'x'));
    ExpectMarksKept(*e, "some:key", with_expire);

    Apply(e, [](Entry* x) { return Entry::SetValue(x, "short"); });
    EXPECT_EQ(e->raw_value(), "short");
    EXPECT_LT(e->AllocatedBytes(), 64u);  // trimmed after shrinking
    ExpectMarksKept(*e, "some:key", with_expire);

    Apply(e, [](Entry* x) { return Entry::SetIntValue(x, -42); });
    EXPECT_EQ(e->int_value(), -42);
    EXPECT_EQ(e->StringValue(), "-42");
    ExpectMarksKept(*e, "some:key", with_expire);

    Apply(e, [](Entry* x) { return Entry::SetValue(x, "007"); });
    EXPECT_EQ(e->encoding(), Encoding::kRaw);
    EXPECT_EQ(e->raw_value(), "007");
    ExpectMarksKept(*e, "some:key", with_expire);

    Apply(e, [](Entry* x) { return Entry::SetValue(x, ""); });
    EXPECT_EQ(e->raw_value(), "");
    ExpectMarksKept(*e, "some:key", with_expire);
  }
}

TEST(Entry, SetValueOfSameSizeIsInPlace) {
  EntryPtr e(Entry::Create("k", std::string(100, 'a')));
  Entry* before = e.get();
  Entry* after = Entry::SetValue(e.release(), std::string(100, 'b'));
  e.reset(after);
  EXPECT_EQ(before, after);
  EXPECT_EQ(e->raw_value(), std::string(100, 'b'));
}

TEST(Entry, SetValueFromItsOwnBytes) {
  EntryPtr e(Entry::Create("key", "abcdefghijklmnopqrstuvwxyz"));
  std::string_view self = e->raw_value().substr(3, 5);
  Apply(e, [&](Entry* x) { return Entry::SetValue(x, self); });
  EXPECT_EQ(e->raw_value(), "defgh");
  self = e->raw_value();
  Apply(e, [&](Entry* x) { return Entry::Append(x, self); });
  EXPECT_EQ(e->raw_value(), "defghdefgh");
  self = e->key();
  Apply(e, [&](Entry* x) { return Entry::SetRange(x, 12, self); });
  EXPECT_EQ(e->raw_value(), std::string("defghdefgh\0\0key", 15));
}

TEST(Entry, AppendGrowsGeometrically) {
  EntryPtr e = MakeMarked("log", "start:", /*with_expire=*/true);
  std::string expected = "start:";
  size_t moves = 0;
  for (int i = 0; i < 20000; i++) {
    std::string tail = std::to_string(i) + ",";
    Entry* before = e.get();
    Apply(e, [&](Entry* x) { return Entry::Append(x, tail); });
    if (e.get() != before) moves++;
    expected += tail;
  }
  EXPECT_EQ(e->raw_value(), expected);
  EXPECT_EQ(e->encoding(), Encoding::kRaw);
  ExpectMarksKept(*e, "log", true);
  // Geometric growth: the block was reallocated O(log n) times, not once per append
  // (ASan's realloc always moves, so only count under a normal build's bound loosely).
  EXPECT_LT(moves, 60u);
  EXPECT_LE(e->AllocatedBytes(), expected.size() * 2 + 64);
}

TEST(Entry, AppendToIntegerBecomesRaw) {
  EntryPtr e = MakeMarked("n", "10", false);
  ASSERT_EQ(e->encoding(), Encoding::kInt);
  Apply(e, [](Entry* x) { return Entry::Append(x, "5"); });
  EXPECT_EQ(e->encoding(), Encoding::kRaw);
  EXPECT_EQ(e->raw_value(), "105");
  ExpectMarksKept(*e, "n", false);
  Apply(e, [](Entry* x) { return Entry::Append(x, ""); });
  EXPECT_EQ(e->raw_value(), "105");

  EntryPtr i(Entry::Create("n", "7"));
  Apply(i, [](Entry* x) { return Entry::Append(x, ""); });
  EXPECT_EQ(i->encoding(), Encoding::kRaw);
  EXPECT_EQ(i->raw_value(), "7");
}

TEST(Entry, AppendCrossesVarintWidths) {
  // The value length varint grows from 1 to 2 to 3 bytes: the key must move correctly.
  EntryPtr e = MakeMarked("the-key", "", /*with_expire=*/true);
  std::string expected;
  for (size_t chunk : {100u, 27u, 1u, 16000u, 256u, 100000u}) {
    std::string tail(chunk, static_cast<char>('a' + chunk % 26));
    Apply(e, [&](Entry* x) { return Entry::Append(x, tail); });
    expected += tail;
    ASSERT_EQ(Bytes(e->raw_value()), expected);
    ExpectMarksKept(*e, "the-key", true);
  }
}

TEST(Entry, SetRange) {
  EntryPtr e = MakeMarked("k", "Hello World", false);
  Apply(e, [](Entry* x) { return Entry::SetRange(x, 6, "Redis"); });
  EXPECT_EQ(e->raw_value(), "Hello Redis");
  Apply(e, [](Entry* x) { return Entry::SetRange(x, 6, "Shoal!!"); });
  EXPECT_EQ(e->raw_value(), "Hello Shoal!!");
  Apply(e, [](Entry* x) { return Entry::SetRange(x, 20, "end"); });
  EXPECT_EQ(Bytes(e->raw_value()), std::string("Hello Shoal!!\0\0\0\0\0\0\0end", 23));
  ExpectMarksKept(*e, "k", false);

  // Far beyond the end: zero padded.
  Apply(e, [](Entry* x) { return Entry::SetRange(x, 1 << 20, "X"); });
  std::string_view v = e->raw_value();
  ASSERT_EQ(v.size(), (1u << 20) + 1);
  EXPECT_EQ(v.substr(0, 13), "Hello Shoal!!");
  EXPECT_EQ(v.back(), 'X');
  EXPECT_EQ(v.find_first_not_of('\0', 23), v.size() - 1);
  ExpectMarksKept(*e, "k", false);

  // Empty bytes: no change, not even padding.
  Entry* before = e.get();
  Apply(e, [](Entry* x) { return Entry::SetRange(x, 5 << 20, ""); });
  EXPECT_EQ(e.get(), before);
  EXPECT_EQ(e->StringLength(), (1u << 20) + 1);
}

TEST(Entry, SetRangeOnInteger) {
  EntryPtr e = MakeMarked("k", "12345", true);
  Apply(e, [](Entry* x) { return Entry::SetRange(x, 1, "9"); });
  EXPECT_EQ(e->encoding(), Encoding::kRaw);  // SETRANGE always leaves a raw string
  EXPECT_EQ(e->raw_value(), "19345");
  ExpectMarksKept(*e, "k", true);

  EntryPtr f(Entry::Create("k", "5"));
  Apply(f, [](Entry* x) { return Entry::SetRange(x, 3, "ab"); });
  EXPECT_EQ(Bytes(f->raw_value()), std::string("5\0\0ab", 5));
  EntryPtr g(Entry::Create("k", "5"));
  Apply(g, [](Entry* x) { return Entry::SetRange(x, 0, ""); });
  EXPECT_EQ(g->encoding(), Encoding::kInt);
}

TEST(Entry, WithExpiryBlockBothWays) {
  for (const char* value : {"plain value", "123", ""}) {
    EntryPtr e = MakeMarked("expiring", value, false);
    const Encoding enc = e->encoding();
    Apply(e, [](Entry* x) { return Entry::WithExpiryBlock(x, true); });
    ASSERT_TRUE(e->has_expiry_block());
    EXPECT_EQ(e->expire_at_ms(), 0);
    EXPECT_EQ(e->volatile_index(), 0u);
    EXPECT_EQ(e->encoding(), enc);
    EXPECT_EQ(e->StringValue(), value);
    e->set_expire_at_ms(1700000000123);
    e->set_volatile_index(77);
    ExpectMarksKept(*e, "expiring", true);

    Entry* before = e.get();
    Apply(e, [](Entry* x) { return Entry::WithExpiryBlock(x, true); });  // no-op
    EXPECT_EQ(e.get(), before);
    ExpectMarksKept(*e, "expiring", true);

    Apply(e, [](Entry* x) { return Entry::WithExpiryBlock(x, false); });
    EXPECT_FALSE(e->has_expiry_block());
    EXPECT_EQ(e->encoding(), enc);
    EXPECT_EQ(e->StringValue(), value);
    ExpectMarksKept(*e, "expiring", false);
  }
}

TEST(Entry, WithItemBlockBesideTheExpiryBlock) {
  for (bool with_expire : {false, true}) {
    for (const char* value : {"plain value", "-42", ""}) {
      EntryPtr e = MakeMarked("item", value, with_expire);
      const Encoding enc = e->encoding();
      Apply(e, [](Entry* x) { return Entry::WithItemBlock(x, true); });
      ASSERT_TRUE(e->has_item_block());
      EXPECT_EQ(e->client_flags(), 0u);
      EXPECT_EQ(e->cas(), 0u);
      MarkItem(*e);
      EXPECT_EQ(e->encoding(), enc);
      EXPECT_EQ(e->StringValue(), value);
      ExpectMarksKept(*e, "item", with_expire, true);

      // The expiry block comes and goes under the item block without touching it.
      Apply(e, [&](Entry* x) { return Entry::WithExpiryBlock(x, !with_expire); });
      if (!with_expire) {
        e->set_expire_at_ms(1700000000123);
        e->set_volatile_index(77);
      }
      ExpectMarksKept(*e, "item", !with_expire, true);
      EXPECT_EQ(e->StringValue(), value);

      Apply(e, [](Entry* x) { return Entry::SetValue(x, std::string(300, 'v')); });
      ExpectMarksKept(*e, "item", !with_expire, true);
      Apply(e, [](Entry* x) { return Entry::SetIntValue(x, 7); });
      ExpectMarksKept(*e, "item", !with_expire, true);
      EXPECT_EQ(e->StringValue(), "7");

      Apply(e, [](Entry* x) { return Entry::WithItemBlock(x, false); });
      ExpectMarksKept(*e, "item", !with_expire, false);
      EXPECT_EQ(e->StringValue(), "7");
    }
  }
}

TEST(Entry, RandomOperationsMatchModel) {
  std::mt19937_64 rng(12345);
  const std::string key = "model-key";
  EntryPtr e = MakeMarked(key, "", false);
  std::string model;
  bool expiry = false;
  bool item = false;
  for (int step = 0; step < 3000; step++) {
    const int op = static_cast<int>(rng() % 6);
    std::string data(rng() % 40, '\0');
    for (char& c : data) c = static_cast<char>('0' + rng() % 10);
    if (op == 0) {
      Apply(e, [&](Entry* x) { return Entry::SetValue(x, data); });
      model = data;
    } else if (op == 1) {
      Apply(e, [&](Entry* x) { return Entry::Append(x, data); });
      model += data;
    } else if (op == 2) {
      const size_t offset = rng() % (model.size() + 50);
      Apply(e, [&](Entry* x) { return Entry::SetRange(x, offset, data); });
      if (!data.empty()) {
        if (model.size() < offset + data.size()) model.resize(offset + data.size(), '\0');
        model.replace(offset, data.size(), data);
      }
    } else if (op == 3) {
      const int64_t v = static_cast<int64_t>(rng());
      Apply(e, [&](Entry* x) { return Entry::SetIntValue(x, v); });
      model = std::to_string(v);
    } else if (op == 4) {
      item = !item;
      Apply(e, [&](Entry* x) { return Entry::WithItemBlock(x, item); });
      if (item) MarkItem(*e);
    } else {
      expiry = !expiry;
      Apply(e, [&](Entry* x) { return Entry::WithExpiryBlock(x, expiry); });
      if (expiry) {
        e->set_expire_at_ms(1700000000123);
        e->set_volatile_index(77);
      }
    }
    ASSERT_EQ(e->StringValue(), model) << "step " << step;
    ASSERT_EQ(e->StringLength(), model.size());
    ExpectMarksKept(*e, key, expiry, item);
    if (model.size() > 2000) {
      Apply(e, [&](Entry* x) { return Entry::SetValue(x, "reset"); });
      model = "reset";
    }
  }
}

}  // namespace
}  // namespace shoal
