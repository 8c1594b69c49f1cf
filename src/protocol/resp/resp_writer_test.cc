#include "protocol/resp/resp_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>

#include "base/strings.h"

namespace shoal::resp {
namespace testing {
size_t AllocationCount();  // resp_parser_test.cc
}  // namespace testing

namespace {

// The bytes `write` produces in RESP2 and in RESP3.
std::string Encode(int version, const std::function<void(RespWriter&)>& write) {
  RespWriter w;
  w.set_protocol_version(version);
  write(w);
  return w.buffer();
}

void ExpectBytes(const std::function<void(RespWriter&)>& write, const std::string& resp2,
                 const std::string& resp3) {
  EXPECT_EQ(Encode(2, write), resp2);
  EXPECT_EQ(Encode(3, write), resp3);
}

TEST(RespWriter, ProtocolVersion) {
  RespWriter w;
  EXPECT_EQ(w.protocol_version(), 2);
  w.set_protocol_version(3);
  EXPECT_EQ(w.protocol_version(), 3);
  w.set_protocol_version(2);
  EXPECT_EQ(w.protocol_version(), 2);
}

TEST(RespWriter, SimpleString) {
  ExpectBytes([](RespWriter& w) { w.SimpleString("OK"); }, "+OK\r\n", "+OK\r\n");
  ExpectBytes([](RespWriter& w) { w.SimpleString(""); }, "+\r\n", "+\r\n");
  ExpectBytes([](RespWriter& w) { w.Ok(); }, "+OK\r\n", "+OK\r\n");
}

TEST(RespWriter, Error) {
  ExpectBytes([](RespWriter& w) { w.Error("ERR syntax error"); }, "-ERR syntax error\r\n",
              "-ERR syntax error\r\n");
  ExpectBytes([](RespWriter& w) { w.Error("ERR a\r\nb\nc\rd"); }, "-ERR a  b c d\r\n",
              "-ERR a  b c d\r\n");
  ExpectBytes([](RespWriter& w) { w.Error("WRONGTYPE Operation against a key"); },
              "-WRONGTYPE Operation against a key\r\n", "-WRONGTYPE Operation against a key\r\n");
}

TEST(RespWriter, Integer) {
  ExpectBytes([](RespWriter& w) { w.Integer(0); }, ":0\r\n", ":0\r\n");
  ExpectBytes([](RespWriter& w) { w.Integer(-42); }, ":-42\r\n", ":-42\r\n");
  ExpectBytes([](RespWriter& w) { w.Integer(INT64_MAX); }, ":9223372036854775807\r\n",
              ":9223372036854775807\r\n");
  ExpectBytes([](RespWriter& w) { w.Integer(INT64_MIN); }, ":-9223372036854775808\r\n",
              ":-9223372036854775808\r\n");
}

TEST(RespWriter, Bulk) {
  ExpectBytes([](RespWriter& w) { w.Bulk("hello"); }, "$5\r\nhello\r\n", "$5\r\nhello\r\n");
  ExpectBytes([](RespWriter& w) { w.Bulk(""); }, "$0\r\n\r\n", "$0\r\n\r\n");
  std::string bin("a\r\n\0b", 5);
  ExpectBytes([&](RespWriter& w) { w.Bulk(bin); }, "$5\r\n" + bin + "\r\n",
              "$5\r\n" + bin + "\r\n");
  std::string big(100000, 'z');
  ExpectBytes([&](RespWriter& w) { w.Bulk(big); }, "$100000\r\n" + big + "\r\n",
              "$100000\r\n" + big + "\r\n");
}

TEST(RespWriter, Nulls) {
  ExpectBytes([](RespWriter& w) { w.Null(); }, "$-1\r\n", "_\r\n");
  ExpectBytes([](RespWriter& w) { w.NullArray(); }, "*-1\r\n", "_\r\n");
}

TEST(RespWriter, Aggregates) {
  ExpectBytes([](RespWriter& w) { w.ArrayHeader(0); }, "*0\r\n", "*0\r\n");
  ExpectBytes([](RespWriter& w) { w.ArrayHeader(3); }, "*3\r\n", "*3\r\n");
  ExpectBytes([](RespWriter& w) { w.MapHeader(0); }, "*0\r\n", "%0\r\n");
  ExpectBytes([](RespWriter& w) { w.MapHeader(2); }, "*4\r\n", "%2\r\n");
  ExpectBytes([](RespWriter& w) { w.SetHeader(5); }, "*5\r\n", "~5\r\n");
  ExpectBytes([](RespWriter& w) { w.PushHeader(3); }, "*3\r\n", ">3\r\n");
  ExpectBytes([](RespWriter& w) { w.ArrayHeader(1234567890123); }, "*1234567890123\r\n",
              "*1234567890123\r\n");
}

TEST(RespWriter, Double) {
  ExpectBytes([](RespWriter& w) { w.Double(1.5); }, "$3\r\n1.5\r\n", ",1.5\r\n");
  ExpectBytes([](RespWriter& w) { w.Double(0); }, "$1\r\n0\r\n", ",0\r\n");
  ExpectBytes([](RespWriter& w) { w.Double(-2); }, "$2\r\n-2\r\n", ",-2\r\n");
  ExpectBytes([](RespWriter& w) { w.Double(0.1); }, "$19\r\n0.10000000000000001\r\n",
              ",0.10000000000000001\r\n");
  ExpectBytes([](RespWriter& w) { w.Double(1e21); }, "$5\r\n1e+21\r\n", ",1e+21\r\n");
  ExpectBytes([](RespWriter& w) { w.Double(INFINITY); }, "$3\r\ninf\r\n", ",inf\r\n");
  ExpectBytes([](RespWriter& w) { w.Double(-INFINITY); }, "$4\r\n-inf\r\n", ",-inf\r\n");
  ExpectBytes([](RespWriter& w) { w.Double(NAN); }, "$3\r\nnan\r\n", ",nan\r\n");
  ExpectBytes([](RespWriter& w) { w.Double(-NAN); }, "$3\r\nnan\r\n", ",nan\r\n");
}

TEST(RespWriter, DoubleTextIsFormatDouble) {
  for (double v :
       {0.0, -0.0, 1.0, -1.0, 3.14159, 1e-300, 5e-324, 1.7976931348623157e308, 123456789012345678.0,
        0.30000000000000004, -1e21, std::numeric_limits<double>::infinity(), std::nan("")}) {
    std::string text = FormatDouble(v);
    EXPECT_EQ(Encode(3, [&](RespWriter& w) { w.Double(v); }), "," + text + "\r\n");
    EXPECT_EQ(Encode(2, [&](RespWriter& w) { w.Double(v); }),
              "$" + std::to_string(text.size()) + "\r\n" + text + "\r\n");
  }
}

TEST(RespWriter, Boolean) {
  ExpectBytes([](RespWriter& w) { w.Boolean(true); }, ":1\r\n", "#t\r\n");
  ExpectBytes([](RespWriter& w) { w.Boolean(false); }, ":0\r\n", "#f\r\n");
}

TEST(RespWriter, Verbatim) {
  ExpectBytes([](RespWriter& w) { w.Verbatim("txt", "Some string"); }, "$11\r\nSome string\r\n",
              "=15\r\ntxt:Some string\r\n");
  ExpectBytes([](RespWriter& w) { w.Verbatim("mkd", ""); }, "$0\r\n\r\n", "=4\r\nmkd:\r\n");
  // As Redis: a short format is padded with spaces; a long one is cut.
  ExpectBytes([](RespWriter& w) { w.Verbatim("t", "x"); }, "$1\r\nx\r\n", "=5\r\nt  :x\r\n");
  ExpectBytes([](RespWriter& w) { w.Verbatim("text", "x"); }, "$1\r\nx\r\n", "=5\r\ntex:x\r\n");
}

TEST(RespWriter, NestedReplyAndClear) {
  auto write = [](RespWriter& w) {
    w.MapHeader(2);
    w.Bulk("a");
    w.Integer(1);
    w.Bulk("b");
    w.ArrayHeader(2);
    w.Null();
    w.Boolean(true);
  };
  ExpectBytes(write, "*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n*2\r\n$-1\r\n:1\r\n",
              "%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n*2\r\n_\r\n#t\r\n");
  RespWriter w;
  write(w);
  size_t capacity = w.buffer().capacity();
  w.Clear();
  EXPECT_EQ(w.buffer(), "");
  EXPECT_EQ(w.buffer().capacity(), capacity);
  w.Ok();
  EXPECT_EQ(w.buffer(), "+OK\r\n");
}

TEST(RespWriter, SwitchingVersionAffectsLaterReplies) {
  RespWriter w;
  w.Null();
  w.set_protocol_version(3);
  w.Null();
  EXPECT_EQ(w.buffer(), "$-1\r\n_\r\n");
}

TEST(RespWriter, WorksThroughReplySink) {
  RespWriter w;
  w.set_protocol_version(3);
  ReplySink& sink = w;
  sink.SetHeader(1);
  sink.Double(2.5);
  EXPECT_EQ(sink.protocol_version(), 3);
  EXPECT_EQ(w.buffer(), "~1\r\n,2.5\r\n");
}

TEST(RespWriter, NoAllocationOnceTheBufferIsLargeEnough) {
  for (int version : {2, 3}) {
    RespWriter w;
    w.set_protocol_version(version);
    w.buffer().reserve(4096);
    size_t before = testing::AllocationCount();
    for (int i = 0; i < 10; i++) {
      w.SimpleString("OK");
      w.Error("ERR x\ny");
      w.Integer(-1234567);
      w.Bulk("value");
      w.Null();
      w.NullArray();
      w.ArrayHeader(2);
      w.MapHeader(2);
      w.SetHeader(2);
      w.PushHeader(2);
      w.Double(0.1);
      w.Double(INFINITY);
      w.Boolean(true);
      w.Verbatim("txt", "hello");
    }
    EXPECT_EQ(testing::AllocationCount() - before, 0u);
    EXPECT_LE(w.buffer().size(), 4096u);
  }
}

}  // namespace
}  // namespace shoal::resp
