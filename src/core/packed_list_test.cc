#include "core/packed_list.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace shoal {
namespace {

std::vector<std::string> Contents(const PackedList& l) {
  std::vector<std::string> out;
  for (size_t pos = l.begin(); pos != l.end(); pos = l.Next(pos)) out.emplace_back(l.At(pos));
  return out;
}

// The position of the i-th element.
size_t PosOf(const PackedList& l, size_t i) {
  size_t pos = l.begin();
  while (i-- > 0) pos = l.Next(pos);
  return pos;
}

TEST(PackedListTest, EmptyOwnsNothing) {
  PackedList l;
  EXPECT_EQ(l.size(), 0u);
  EXPECT_EQ(l.AllocatedBytes(), 0u);
  EXPECT_EQ(l.begin(), l.end());
  EXPECT_EQ(l.Find("x"), l.end());
}

TEST(PackedListTest, PushInsertReplaceErase) {
  PackedList l;
  l.PushBack("a");
  l.PushBack("");
  l.PushBack(std::string(300, 'z'));  // two-byte length prefix
  l.Insert(l.begin(), "first");
  EXPECT_EQ(Contents(l), (std::vector<std::string>{"first", "a", "", std::string(300, 'z')}));
  l.Replace(PosOf(l, 3), "short");
  l.Replace(PosOf(l, 1), std::string(200, 'y'));
  EXPECT_EQ(Contents(l), (std::vector<std::string>{"first", std::string(200, 'y'), "", "short"}));
  l.Erase(PosOf(l, 1), 2);
  EXPECT_EQ(Contents(l), (std::vector<std::string>{"first", "short"}));
  EXPECT_EQ(l.size(), 2u);
  l.Erase(l.begin(), 2);
  EXPECT_TRUE(l.empty());
  EXPECT_EQ(l.AllocatedBytes(), 0u);
}

TEST(PackedListTest, BinarySafeAndFindWithStride) {
  PackedList l;
  std::string bin("\0\xff\n", 3);
  for (std::string s : {std::string("f1"), std::string("v1"), bin, std::string("f1")}) {
    l.PushBack(s);
  }
  EXPECT_EQ(l.Find("f1", l.begin(), 2), l.begin());
  EXPECT_EQ(l.Find(bin, l.begin(), 2), PosOf(l, 2));
  // "f1" as a value (odd position) is not found as a field.
  PackedList values;
  values.PushBack("k");
  values.PushBack("f1");
  EXPECT_EQ(values.Find("f1", values.begin(), 2), values.end());
  EXPECT_EQ(values.Find("f1"), PosOf(values, 1));
}

TEST(PackedListTest, InsertOfAViewIntoItself) {
  PackedList l;
  l.PushBack(std::string(100, 'q'));
  for (int i = 0; i < 10; ++i) l.PushBack(l.At(l.begin()));  // may reallocate under the view
  for (const std::string& s : Contents(l)) EXPECT_EQ(s, std::string(100, 'q'));
  l.Replace(PosOf(l, 3), l.At(l.begin()));
  EXPECT_EQ(Contents(l)[3], std::string(100, 'q'));
}

TEST(PackedListTest, RandomOperationsMatchAVector) {
  std::mt19937 rng(7);
  PackedList l;
  std::vector<std::string> model;
  for (int step = 0; step < 5000; ++step) {
    std::string v(rng() % 150, static_cast<char>('a' + rng() % 26));
    size_t i = model.empty() ? 0 : rng() % (model.size() + 1);
    switch (rng() % 4) {
      case 0:
      case 1:
        l.Insert(PosOf(l, i), v);
        model.insert(model.begin() + static_cast<ptrdiff_t>(i), v);
        break;
      case 2:
        if (i < model.size()) {
          l.Replace(PosOf(l, i), v);
          model[i] = v;
        }
        break;
      case 3:
        if (i < model.size()) {
          size_t n = std::min<size_t>(1 + rng() % 3, model.size() - i);
          l.Erase(PosOf(l, i), n);
          model.erase(model.begin() + static_cast<ptrdiff_t>(i),
                      model.begin() + static_cast<ptrdiff_t>(i + n));
        }
        break;
    }
    ASSERT_EQ(l.size(), model.size());
  }
  EXPECT_EQ(Contents(l), model);
  PackedList copy = l.Clone();
  EXPECT_EQ(Contents(copy), model);
}

}  // namespace
}  // namespace shoal
