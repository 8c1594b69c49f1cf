#include "core/list_object.h"

#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <string>
#include <vector>

namespace shoal {
namespace {

using End = ListObject::End;

std::vector<std::string> Contents(const ListObject& l) {
  std::vector<std::string> out;
  l.ForRange(0, l.Length(), [&](size_t, std::string_view v) {
    out.emplace_back(v);
    return true;
  });
  return out;
}

TEST(ListObjectTest, PushPopBothEnds) {
  ListObject l;
  ListLimits limits;
  l.Push(End::kTail, "b", limits);
  l.Push(End::kHead, "a", limits);
  l.Push(End::kTail, "", limits);
  EXPECT_EQ(Contents(l), (std::vector<std::string>{"a", "b", ""}));
  EXPECT_EQ(l.EncodingName(), "listpack");
  EXPECT_EQ(l.Pop(End::kTail), "");
  EXPECT_EQ(l.Pop(End::kHead), "a");
  EXPECT_EQ(l.Length(), 1u);
  EXPECT_EQ(l.At(0), "b");
  EXPECT_EQ(l.At(1), std::nullopt);
}

TEST(ListObjectTest, SpillsIntoMoreNodes) {
  ListObject l;
  ListLimits limits{.max_listpack_size = 4};  // 4 entries per node
  for (int i = 0; i < 10; ++i) l.Push(End::kTail, std::to_string(i), limits);
  EXPECT_EQ(l.EncodingName(), "quicklist");
  for (size_t i = 0; i < 10; ++i) EXPECT_EQ(l.At(i), std::to_string(i));
  std::vector<std::string> back;
  l.ForRangeReverse(1, 4, [&](size_t i, std::string_view v) {
    EXPECT_EQ(std::to_string(i), v);
    back.emplace_back(v);
    return true;
  });
  EXPECT_EQ(back, (std::vector<std::string>{"8", "7", "6", "5"}));
  l.Keep(3, 4);
  EXPECT_EQ(Contents(l), (std::vector<std::string>{"3", "4", "5", "6"}));
  EXPECT_EQ(l.Length(), 4u);
}

TEST(ListObjectTest, RandomOperationsMatchADeque) {
  std::mt19937 rng(3);
  for (int64_t size : {-1, 3, 7}) {
    ListLimits limits{.max_listpack_size = size};
    ListObject l;
    std::deque<std::string> model;
    for (int step = 0; step < 6000; ++step) {
      std::string v = std::to_string(rng() % 20) + std::string(rng() % 3 == 0 ? 300 : 0, 'x');
      switch (rng() % 9) {
        case 0:
        case 1:
          l.Push(End::kHead, v, limits);
          model.push_front(v);
          break;
        case 2:
        case 3:
          l.Push(End::kTail, v, limits);
          model.push_back(v);
          break;
        case 4:
          if (!model.empty()) {
            ASSERT_EQ(l.Pop(End::kHead), model.front());
            model.pop_front();
          }
          break;
        case 5:
          if (!model.empty()) {
            ASSERT_EQ(l.Pop(End::kTail), model.back());
            model.pop_back();
          }
          break;
        case 6:
          if (!model.empty()) {
            size_t i = rng() % model.size();
            l.Set(i, v, limits);
            model[i] = v;
          }
          break;
        case 7: {
          std::string pivot = std::to_string(rng() % 20);
          bool after = rng() % 2 == 0;
          auto it = std::find_if(model.begin(), model.end(),
                                 [&](const std::string& e) { return e == pivot; });
          ASSERT_EQ(l.InsertAt(pivot, after, v, limits), it != model.end());
          if (it != model.end()) model.insert(after ? it + 1 : it, v);
          break;
        }
        case 8: {
          std::string target = std::to_string(rng() % 20);
          int64_t count = static_cast<int64_t>(rng() % 5) - 2;
          size_t removed = 0;
          const size_t limit = count == 0 ? SIZE_MAX : static_cast<size_t>(std::abs(count));
          if (count >= 0) {
            for (auto it = model.begin(); it != model.end() && removed < limit;) {
              if (*it == target) {
                it = model.erase(it);
                removed++;
              } else {
                ++it;
              }
            }
          } else {
            for (size_t i = model.size(); i-- > 0 && removed < limit;) {
              if (model[i] == target) {
                model.erase(model.begin() + static_cast<ptrdiff_t>(i));
                removed++;
              }
            }
          }
          ASSERT_EQ(l.Remove(count, target), removed);
          break;
        }
      }
      ASSERT_EQ(l.Length(), model.size());
    }
    EXPECT_EQ(Contents(l), std::vector<std::string>(model.begin(), model.end()));
    std::unique_ptr<Object> copy = l.Clone();
    EXPECT_EQ(Contents(static_cast<ListObject&>(*copy)),
              std::vector<std::string>(model.begin(), model.end()));
    if (model.size() > 4) {
      l.Keep(1, model.size() - 3);
      EXPECT_EQ(Contents(l), std::vector<std::string>(model.begin() + 1, model.end() - 2));
    }
  }
}

}  // namespace
}  // namespace shoal
