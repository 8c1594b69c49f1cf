#include "protocol/resp/resp_parser.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <random>
#include <string>
#include <string_view>
#include <vector>

// Counts heap allocations while a test asks for it (see AllocationCounter below). The writer
// test uses the same counter through shoal::resp::testing::AllocationsSince.
namespace {
std::atomic<size_t> g_allocations{0};
}  // namespace

// GCC cannot see that these new and delete replacements pair malloc with free.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

void* operator new(size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }

namespace shoal::resp {
namespace testing {
size_t AllocationCount() { return g_allocations.load(std::memory_order_relaxed); }
}  // namespace testing

namespace {

using Requests = std::vector<std::vector<std::string>>;

// "*<n>\r\n" then "$<len>\r\n<arg>\r\n" for each argument.
std::string Multibulk(const std::vector<std::string>& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const std::string& a : args) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

// One argument as the parser returned it: a view into the input (recorded by offset, so that
// runs over differently split and moved buffers compare equal) or bytes the parser owns.
struct ArgRecord {
  bool in_input = false;
  size_t offset = 0;  // in the whole input, if in_input
  std::string bytes;  // if !in_input
  size_t len = 0;
  bool operator==(const ArgRecord&) const = default;
};

// What a byte stream parses to.
struct Outcome {
  std::vector<std::vector<ArgRecord>> requests;
  std::vector<size_t> ends;  // offset in the input where each request ended
  ParseStatus final_status = ParseStatus::kIncomplete;
  std::string error;
  size_t pending_start = 0;  // where the unfinished (or failing) request starts
  bool operator==(const Outcome&) const = default;
};

std::string Describe(const std::vector<size_t>& cuts) {
  std::string s = "cuts:";
  for (size_t i = 0; i < cuts.size() && i < 20; i++) s += " " + std::to_string(cuts[i]);
  if (cuts.size() > 20) s += " ...(" + std::to_string(cuts.size()) + ")";
  return s;
}

// Feeds `input` to a fresh parser as a connection would: bytes arrive in pieces ending at each
// offset of `cuts` (increasing, the last one input.size()); after each arrival the parser runs
// until it needs more. Every Parse call sees the pending bytes at a different address (the two
// copies alternate), so the parser must not keep pointers between calls. With `repeat`, an
// incomplete request is also re-parsed once with no new bytes.
Outcome Feed(const std::string& copy_a, const std::string& copy_b, const std::vector<size_t>& cuts,
             const ParserLimits& limits, bool repeat) {
  Outcome out;
  RequestParser parser(limits);
  size_t start = 0;
  size_t max_hint = 0;
  int which = 0;
  for (size_t avail : cuts) {
    while (start < avail) {
      const std::string& buf = (which ^= 1) ? copy_a : copy_b;
      std::string_view view(buf.data() + start, avail - start);
      ParseStatus status = parser.Parse(view);
      if (status == ParseStatus::kIncomplete && repeat) status = parser.Parse(view);
      if (status == ParseStatus::kComplete) {
        size_t used = parser.consumed();
        EXPECT_GT(used, 0u);
        EXPECT_LE(used, view.size());
        if (max_hint != 0) {
          EXPECT_LE(max_hint, used);
        }
        max_hint = 0;
        std::vector<ArgRecord> args;
        for (std::string_view a : parser.args()) {
          ArgRecord r;
          r.len = a.size();
          const char* lo = view.data();
          const char* hi = view.data() + used;
          if (a.data() >= lo && a.data() + a.size() <= hi) {
            r.in_input = true;
            r.offset = start + static_cast<size_t>(a.data() - lo);
          } else {
            // Parser-owned bytes: only inline arguments, never overlapping the input.
            EXPECT_TRUE(a.data() + a.size() <= lo || a.data() >= view.data() + view.size());
            EXPECT_LE(a.size(), limits.max_inline_len);
            r.bytes.assign(a);
          }
          args.push_back(std::move(r));
        }
        out.requests.push_back(std::move(args));
        start += used;
        out.ends.push_back(start);
        continue;
      }
      if (status == ParseStatus::kError) {
        out.final_status = ParseStatus::kError;
        out.error = std::string(parser.error());
        EXPECT_EQ(out.error.find_first_of("\r\n"), std::string::npos);
        EXPECT_EQ(parser.Parse(view), ParseStatus::kError);  // errors are sticky
        out.pending_start = start;
        return out;
      }
      max_hint = std::max(max_hint, parser.bytes_hint());
      break;
    }
  }
  out.pending_start = start;
  return out;
}

Requests ToStrings(const std::string& input, const Outcome& o) {
  Requests r;
  for (const auto& req : o.requests) {
    std::vector<std::string> args;
    for (const ArgRecord& a : req) {
      args.push_back(a.in_input ? input.substr(a.offset, a.len) : a.bytes);
    }
    r.push_back(std::move(args));
  }
  return r;
}

enum class Splits {
  kAll,     // every split point
  kSample,  // big inputs: a sample of split points
};

// Parses `input` in one piece and checks the expectation (`error` empty: no error, and
// `pending` bytes of an unfinished request left at the end), then checks that every way of
// splitting it gives exactly the same outcome: at every byte boundary, byte by byte, and in
// random pieces.
void CheckAllSplits(const std::string& input, const Requests& requests, const std::string& error,
                    size_t pending, const ParserLimits& limits, Splits splits) {
  const size_t n = input.size();
  const std::string copy_a = input;
  const std::string copy_b = input;

  Outcome whole = Feed(copy_a, copy_b, {n}, limits, false);
  EXPECT_EQ(ToStrings(input, whole), requests);
  if (error.empty()) {
    EXPECT_EQ(whole.final_status, ParseStatus::kIncomplete) << whole.error;
    EXPECT_EQ(n - whole.pending_start, pending);
  } else {
    EXPECT_EQ(whole.final_status, ParseStatus::kError);
    EXPECT_EQ(whole.error, error);
  }
  if (::testing::Test::HasFailure()) return;

  auto expect_same = [&](const std::vector<size_t>& cuts, bool repeat) {
    Outcome o = Feed(copy_a, copy_b, cuts, limits, repeat);
    if (o == whole) return true;
    ADD_FAILURE() << "split outcome differs, " << Describe(cuts) << "; error '" << o.error
                  << "' vs '" << whole.error << "', " << o.requests.size() << " vs "
                  << whole.requests.size() << " requests";
    return false;
  };

  // Every single split point.
  std::vector<size_t> points;
  if (splits == Splits::kAll || n < 4096) {
    for (size_t k = 0; k <= n; k++) points.push_back(k);
  } else {
    for (size_t k = 0; k < 200; k++) {
      points.push_back(k);
      points.push_back(n - k);
    }
    std::mt19937_64 rng(n);
    for (int i = 0; i < 400; i++) points.push_back(rng() % (n + 1));
  }
  for (size_t k : points) {
    if (!expect_same({k, n}, k % 2 == 0)) return;
  }

  // Byte by byte.
  std::vector<size_t> cuts;
  for (size_t k = 1; k <= n; k++) cuts.push_back(k);
  if (!expect_same(cuts, false)) return;

  // Random pieces, small and large.
  std::mt19937_64 rng(12345 + n);
  for (int round = 0; round < 50; round++) {
    cuts.clear();
    size_t max_piece = round % 2 == 0 ? 8 : 1 + n / 3;
    for (size_t at = 0; at < n;) {
      at = std::min(n, at + 1 + rng() % max_piece);
      cuts.push_back(at);
    }
    if (cuts.empty()) cuts.push_back(0);
    if (!expect_same(cuts, round % 3 == 0)) return;
  }
}

// The input parses to `requests`, then leaves `pending` bytes of an unfinished request.
void ExpectParse(const std::string& input, const Requests& requests, size_t pending = 0,
                 const ParserLimits& limits = {}, Splits splits = Splits::kAll) {
  CheckAllSplits(input, requests, "", pending, limits, splits);
}

// The input parses to `requests`, then fails with `error`.
void ExpectError(const std::string& input, const Requests& requests, const std::string& error,
                 const ParserLimits& limits = {}, Splits splits = Splits::kAll) {
  CheckAllSplits(input, requests, error, 0, limits, splits);
}

// ---- multibulk ----

TEST(RequestParser, SimpleMultibulk) {
  ExpectParse("*1\r\n$4\r\nPING\r\n", {{"PING"}});
  ExpectParse("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n", {{"SET", "key", "value"}});
}

TEST(RequestParser, Pipeline) {
  std::string in = Multibulk({"SET", "a", "1"}) + "PING\r\n" + Multibulk({"GET", "a"}) +
                   "ECHO \"x y\"\n" + "*0\r\n" + Multibulk({"DEL", "a", "b", "c"}) + "\r\n";
  ExpectParse(
      in,
      {{"SET", "a", "1"}, {"PING"}, {"GET", "a"}, {"ECHO", "x y"}, {}, {"DEL", "a", "b", "c"}, {}});
}

TEST(RequestParser, PipelineEndingInAPartialRequest) {
  std::string in = Multibulk({"GET", "a"}) + "*2\r\n$3\r\nGET\r\n$5\r\nab";
  ExpectParse(in, {{"GET", "a"}}, 19);
  ExpectParse("PING\r\nECH", {{"PING"}}, 3);
  ExpectParse("*", {}, 1);
  ExpectParse("*1\r", {}, 3);
  ExpectParse("*1\r\n$3\r", {}, 7);
  ExpectParse("*1\r\n$3\r\nfoo\r", {}, 12);
}

TEST(RequestParser, EmptyAndNullMultibulk) {
  ExpectParse("*0\r\n", {{}});
  ExpectParse("*-1\r\n", {{}});
  // As Redis: any count <= 0 is an empty request.
  ExpectParse("*-5\r\n*-9223372036854775808\r\n", {{}, {}});
}

TEST(RequestParser, EmptyBulk) {
  ExpectParse("*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", {{"ECHO", ""}});
  ExpectParse("*3\r\n$0\r\n\r\n$0\r\n\r\n$0\r\n\r\n", {{"", "", ""}});
}

TEST(RequestParser, BinaryBulk) {
  std::string bin("a\r\nb\0c\r\n*1\r\n$\xff\x80", 14);
  ExpectParse(Multibulk({"SET", bin, std::string(1, '\0')}), {{"SET", bin, std::string(1, '\0')}});
}

TEST(RequestParser, Unicode) {
  std::string s = "h\xC3\xA9llo w\xC3\xB6rld \xE2\x9C\x93 \xF0\x9F\x90\x9F";
  ExpectParse(Multibulk({"SET", s, s}), {{"SET", s, s}});
  ExpectParse("SET " + s.substr(0, 6) + " \"" + s + "\"\r\n", {{"SET", s.substr(0, 6), s}});
}

TEST(RequestParser, HugeBulk) {
  std::string big(1 << 20, 'x');
  for (size_t i = 0; i < big.size(); i += 997) big[i] = static_cast<char>(i);
  ExpectParse(Multibulk({"SET", "k", big}) + Multibulk({"GET", "k"}),
              {{"SET", "k", big}, {"GET", "k"}});
}

TEST(RequestParser, ManyArguments) {
  std::vector<std::string> args = {"MSET"};
  for (int i = 0; i < 500; i++) args.push_back(std::to_string(i));
  ExpectParse(Multibulk(args), {args});
}

TEST(RequestParser, VeryManyArgumentsSampledSplits) {
  std::vector<std::string> args = {"RPUSH", "list"};
  for (int i = 0; i < 20000; i++) args.push_back(std::to_string(i % 1000));
  ExpectParse(Multibulk(args), {args}, 0, {}, Splits::kSample);
}

TEST(RequestParser, LargeCountsWaitForData) {
  ExpectParse("*2147483647\r\n$1\r\na\r\n", {}, 20);
  ExpectParse("*1\r\n$536870912\r\nabc", {}, 19);
}

TEST(RequestParser, MultibulkCountErrors) {
  const std::string kInvalid = "Protocol error: invalid multibulk length";
  for (const char* in : {"*2147483648\r\n", "*99999999999999999999\r\n", "*\r\n", "*abc\r\n",
                         "*01\r\n", "*-0\r\n", "*+1\r\n", "* 1\r\n", "*1 \r\n", "*1\n\r\n",
                         "*-\r\n", "*1.5\r\n", "*123456789012345678901\r\n"}) {
    SCOPED_TRACE(in);
    ExpectError(in, {}, kInvalid);
  }
  // The error comes after the requests before it.
  ExpectError("PING\r\n*x\r\nPING\r\n", {{"PING"}}, kInvalid);
}

TEST(RequestParser, BulkLengthErrors) {
  const std::string kInvalid = "Protocol error: invalid bulk length";
  for (const char* in :
       {"*1\r\n$-1\r\n", "*1\r\n$-5\r\n", "*1\r\n$\r\n", "*1\r\n$01\r\n", "*1\r\n$x\r\n",
        "*1\r\n$99999999999999999999\r\n", "*1\r\n$9223372036854775807\r\n", "*1\r\n$536870913\r\n",
        "*2\r\n$1\r\na\r\n$1x\r\n"}) {
    SCOPED_TRACE(in);
    ExpectError(in, {}, kInvalid);
  }
}

TEST(RequestParser, ExpectedDollar) {
  ExpectError("*1\r\n:5\r\n", {}, "Protocol error: expected '$', got ':'");
  ExpectError("*2\r\n$1\r\na\r\nb\r\n", {}, "Protocol error: expected '$', got 'b'");
  // Redis maps CR and LF in error texts to spaces.
  ExpectError("*1\r\n\r\n", {}, "Protocol error: expected '$', got ' '");
  ExpectError("*1\r\n\n\r\n", {}, "Protocol error: expected '$', got ' '");
  // printf("%c", 0) ends Redis's C string.
  ExpectError(std::string("*1\r\n\0\r\n", 7), {}, "Protocol error: expected '$', got '");
  // As Redis, the check waits for the whole line.
  ExpectParse("*1\r\nx", {}, 5);
  ExpectParse("*1\r\nxyz\r", {}, 8);
}

TEST(RequestParser, TrailingBytesAreSkippedAsRedisDoes) {
  // Redis does not check the two bytes after a count, a length or a bulk.
  ExpectParse("*1\rX$3\rYfooAB*1\r\n$1\r\nz\r\n", {{"foo"}, {"z"}});
}

TEST(RequestParser, TooBigCountAndLengthLines) {
  ParserLimits small;
  small.max_inline_len = 10;
  // Up to max_inline_len bytes without '\r': still waiting.
  ExpectParse("*123456789", {}, 10, small);
  ExpectParse("*123456789\r", {}, 11, small);
  ExpectError("*000000001\r\n$1\r\na\r\n", {}, "Protocol error: invalid multibulk length", small);
  // One more: too big, whether or not the '\r' follows later.
  ExpectError("*1234567890", {}, "Protocol error: too big mbulk count string", small);
  ExpectError("*1234567890\r\n", {}, "Protocol error: too big mbulk count string", small);
  ExpectParse("*1\r\n$12345678", {}, 13, small);
  ExpectError("*1\r\n$1234567890", {}, "Protocol error: too big bulk count string", small);
  ExpectError("*1\r\nabcdefghijklmnop", {}, "Protocol error: too big bulk count string", small);

  // The limit counts the bytes before the '\r', with or without the fast path for numbers.
  ParserLimits tiny;
  tiny.max_inline_len = 3;
  ExpectParse("*12\r\n", {}, 5, tiny);
  ExpectError("*123\r\n", {}, "Protocol error: too big mbulk count string", tiny);
  ExpectParse("*1\r\n$12\r\n", {}, 9, tiny);
  ExpectError("*1\r\n$123\r\n", {}, "Protocol error: too big bulk count string", tiny);
  // 18 digits (the fast path's most) and 19.
  ExpectError("*1\r\n$123456789012345678\r\n", {}, "Protocol error: invalid bulk length");
  ExpectError("*1234567890123456789\r\n", {}, "Protocol error: invalid multibulk length");

  // The default 64 KB.
  ExpectParse("*" + std::string(64 * 1024 - 1, '1'), {}, 64 * 1024, {}, Splits::kSample);
  ExpectError("*" + std::string(64 * 1024, '1'), {}, "Protocol error: too big mbulk count string",
              {}, Splits::kSample);
  ExpectError("*1\r\n$" + std::string(64 * 1024, '1'), {},
              "Protocol error: too big bulk count string", {}, Splits::kSample);
}

TEST(RequestParser, BulkLimit) {
  ParserLimits small;
  small.max_bulk_len = 10;
  ExpectParse(Multibulk({"SET", "k", "0123456789"}), {{"SET", "k", "0123456789"}}, 0, small);
  ExpectError(Multibulk({"SET", "k", "0123456789A"}), {}, "Protocol error: invalid bulk length",
              small);
}

TEST(RequestParser, MultibulkLimit) {
  ParserLimits small;
  small.max_multibulk_len = 3;
  ExpectParse(Multibulk({"a", "b", "c"}), {{"a", "b", "c"}}, 0, small);
  ExpectError(Multibulk({"a", "b", "c", "d"}), {}, "Protocol error: invalid multibulk length",
              small);
}

TEST(RequestParser, UnauthenticatedLimits) {
  ParserLimits unauth;
  unauth.auth_required = true;
  std::vector<std::string> ten(10, "x");
  ExpectParse(Multibulk(ten), {ten}, 0, unauth);
  ten.push_back("y");
  ExpectError(Multibulk(ten), {}, "Protocol error: unauthenticated multibulk length", unauth);
  std::string v(16384, 'v');
  ExpectParse(Multibulk({"AUTH", v}), {{"AUTH", v}}, 0, unauth);
  ExpectError(Multibulk({"AUTH", v + "w"}), {}, "Protocol error: unauthenticated bulk length",
              unauth);
  // Invalid lengths are reported as such first.
  ExpectError("*-1x\r\n", {}, "Protocol error: invalid multibulk length", unauth);
}

// ---- inline ----

TEST(RequestParser, InlineBasic) {
  ExpectParse("PING\r\n", {{"PING"}});
  ExpectParse("PING\n", {{"PING"}});
  ExpectParse("SET  key\tvalue  \r\n", {{"SET", "key", "value"}});
  ExpectParse("  GET k\n\tGET k2\r\n", {{"GET", "k"}, {"GET", "k2"}});
  ExpectParse("PING", {}, 4);
  // Only a '\r' right before the '\n' belongs to the line end; others separate arguments.
  ExpectParse("a\rb\r\r\n", {{"a", "b"}});
}

TEST(RequestParser, InlineEmptyLines) {
  ExpectParse("\r\n\n   \r\n\t\n", {{}, {}, {}, {}});
  ExpectParse("\n" + Multibulk({"PING"}), {{}, {"PING"}});
}

TEST(RequestParser, InlineSpacesAsSdssplitargs) {
  // \v and \f are skipped between arguments but do not end an unquoted one.
  ExpectParse("\va\vb\f c\n", {{"a\vb\f", "c"}});
  // Bytes that are not ASCII are ordinary.
  ExpectParse("\xff\xfe \x80\n", {{"\xff\xfe", "\x80"}});
  // Deviation: a NUL byte is an ordinary byte (Redis stops scanning the line at it).
  ExpectParse(std::string("a\0b c\n", 6), {{std::string("a\0b", 3), "c"}});
  // A line starting with '*' after a space is inline.
  ExpectParse(" *1\r\n", {{"*1"}});
}

TEST(RequestParser, InlineQuotes) {
  ExpectParse("SET \"a b\" 'c d'\r\n", {{"SET", "a b", "c d"}});
  ExpectParse("\"\" ''\n", {{"", ""}});
  ExpectParse("ECHO \"\\x41\\x7a\\xfF\\n\\r\\t\\b\\a\\\\\\\"\\q\"\n",
              {{"ECHO", "Az\xff\n\r\t\b\a\\\"q"}});
  // \x without two hex digits is just 'x'.
  ExpectParse("\"\\xZZ\" \"\\x4\"\n", {{"xZZ", "x4"}});
  ExpectParse("'it\\'s' 'a\\b\"c'\n", {{"it's", "a\\b\"c"}});
  // Quotes may start in the middle of an argument.
  ExpectParse("ab\"c d\"\te'f g' h\n", {{"abc d", "ef g", "h"}});
  // The closing quote may be followed by any isspace() character.
  ExpectParse("\"a\"\vb\n", {{"a", "b"}});
  ExpectParse("\"a\"\r\n", {{"a"}});
  ExpectParse("'a'\r\r\n", {{"a"}});
  // Escaped arguments and plain ones mixed, over many lines.
  ExpectParse("SET \"k\\x01\" v\nGET \"k\\x01\"\nGET plain\n",
              {{"SET", "k\x01", "v"}, {"GET", "k\x01"}, {"GET", "plain"}});
}

TEST(RequestParser, InlineUnbalancedQuotes) {
  const std::string kUnbalanced = "Protocol error: unbalanced quotes in request";
  for (const char* in : {"SET \"a\n", "SET 'a\n", "\"abc\"def\n", "'abc'x\n", "\"a\\\"\n",
                         "\"a\\\n", "'a\\'\n", "GET \"\n", "\"a\"\"b\"\n"}) {
    SCOPED_TRACE(in);
    ExpectError(in, {}, kUnbalanced);
  }
  ExpectError("PING\nGET \"x\nPING\n", {{"PING"}}, kUnbalanced);
}

TEST(RequestParser, InlineTooBig) {
  ParserLimits small;
  small.max_inline_len = 16;
  ExpectParse(std::string(16, 'a'), {}, 16, small);
  ExpectParse(std::string(16, 'a') + "\n", {{std::string(16, 'a')}}, 0, small);
  ExpectError(std::string(17, 'a'), {}, "Protocol error: too big inline request", small);
  ExpectError(std::string(17, 'a') + "\n", {}, "Protocol error: too big inline request", small);
  ExpectError("PING\n" + std::string(40, 'a'), {{"PING"}}, "Protocol error: too big inline request",
              small);

  ExpectParse(std::string(64 * 1024, 'a'), {}, 64 * 1024, {}, Splits::kSample);
  ExpectError(std::string(64 * 1024 + 1, 'a'), {}, "Protocol error: too big inline request", {},
              Splits::kSample);
}

// ---- API details, without split checks ----

TEST(RequestParser, ArgsPointIntoData) {
  RequestParser p;
  std::string in = Multibulk({"GET", "key"});
  ASSERT_EQ(p.Parse(in), ParseStatus::kComplete);
  ASSERT_EQ(p.args().size(), 2u);
  EXPECT_EQ(p.args()[0].data(), in.data() + 8);
  EXPECT_EQ(p.args()[1].data(), in.data() + 17);
  EXPECT_EQ(p.consumed(), in.size());
}

TEST(RequestParser, BytesHint) {
  RequestParser p;
  std::string in = "*2\r\n$3\r\nSET\r\n$100\r\nab";
  EXPECT_EQ(p.Parse(std::string_view(in).substr(0, 10)), ParseStatus::kIncomplete);
  EXPECT_EQ(p.bytes_hint(), 8u + 5u);
  EXPECT_EQ(p.Parse(in), ParseStatus::kIncomplete);
  EXPECT_EQ(p.bytes_hint(), 13u + 6u + 102u);
  in += std::string(98, 'c') + "\r\n";
  EXPECT_EQ(p.Parse(in), ParseStatus::kComplete);
  EXPECT_EQ(p.consumed(), 13u + 6u + 102u);
  EXPECT_EQ(p.bytes_hint(), 0u);
  EXPECT_EQ(p.Parse("*1\r\n"), ParseStatus::kIncomplete);
  EXPECT_EQ(p.bytes_hint(), 0u);
}

TEST(RequestParser, EmptyInputIsIncomplete) {
  RequestParser p;
  EXPECT_EQ(p.Parse(""), ParseStatus::kIncomplete);
  EXPECT_EQ(p.Parse("PING\n"), ParseStatus::kComplete);
  EXPECT_EQ(p.Parse(""), ParseStatus::kIncomplete);
}

TEST(RequestParser, ErrorIsStickyUntilReset) {
  RequestParser p;
  EXPECT_EQ(p.Parse("*x\r\n"), ParseStatus::kError);
  EXPECT_EQ(p.Parse("PING\n"), ParseStatus::kError);
  EXPECT_EQ(p.error(), "Protocol error: invalid multibulk length");
  p.Reset();
  EXPECT_EQ(p.error(), "");
  EXPECT_EQ(p.Parse("PING\n"), ParseStatus::kComplete);
  EXPECT_EQ(p.args().size(), 1u);
}

TEST(RequestParser, SetLimits) {
  RequestParser p;
  ParserLimits l;
  l.max_bulk_len = 2;
  p.set_limits(l);
  EXPECT_EQ(p.limits().max_bulk_len, 2u);
  EXPECT_EQ(p.Parse("*1\r\n$3\r\nabc\r\n"), ParseStatus::kError);
  EXPECT_EQ(p.error(), "Protocol error: invalid bulk length");
}

TEST(RequestParser, CommonCaseDoesNotAllocate) {
  RequestParser p;
  std::string pipeline = Multibulk({"SET", "key:000001", "value"}) + "GET key:000001\r\n" +
                         Multibulk({"INCR", "counter"});
  auto run = [&] {
    std::string_view rest = pipeline;
    size_t n = 0;
    while (!rest.empty()) {
      EXPECT_EQ(p.Parse(rest), ParseStatus::kComplete);
      n += p.args().size();
      rest.remove_prefix(p.consumed());
    }
    return n;
  };
  EXPECT_EQ(run(), 7u);  // warm up the argument vectors
  size_t before = testing::AllocationCount();
  for (int i = 0; i < 100; i++) run();
  EXPECT_EQ(testing::AllocationCount() - before, 0u);
}

// A 1M-argument multibulk arriving 7 bytes at a time, and a 64 MB bulk arriving 16 KB at a
// time, from a buffer that moves each time: quadratic rescanning would not finish.
TEST(RequestParser, SlowArrivalIsLinear) {
  std::string in = "*1000001\r\n$5\r\nRPUSH\r\n";
  for (int i = 0; i < 1000000; i++) in += "$1\r\nx\r\n";
  std::string copy = in;
  RequestParser p;
  ParseStatus s = ParseStatus::kIncomplete;
  for (size_t avail = 7; s == ParseStatus::kIncomplete; avail = std::min(in.size(), avail + 7)) {
    s = p.Parse(std::string_view(avail % 2 ? in : copy).substr(0, avail));
  }
  ASSERT_EQ(s, ParseStatus::kComplete);
  EXPECT_EQ(p.args().size(), 1000001u);
  EXPECT_EQ(p.consumed(), in.size());

  std::string big = "*2\r\n$3\r\nSET\r\n$67108864\r\n" + std::string(64 << 20, 'b') + "\r\n";
  p.Reset();
  s = ParseStatus::kIncomplete;
  for (size_t avail = 16384; s == ParseStatus::kIncomplete;
       avail = std::min(big.size(), avail + 16384)) {
    s = p.Parse(std::string_view(big).substr(0, avail));
    if (s == ParseStatus::kIncomplete) {
      EXPECT_EQ(p.bytes_hint(), big.size());
    }
  }
  ASSERT_EQ(s, ParseStatus::kComplete);
  EXPECT_EQ(p.args()[1].size(), 64u << 20);
}

}  // namespace
}  // namespace shoal::resp
