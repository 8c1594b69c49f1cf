// Every case is a byte stream and the transcript the parser must produce for it; each stream
// is parsed in one piece and again fed one more byte at a time (every split point), and the
// transcripts must match. The expected replies were checked against memcached 1.6.18.
#include "protocol/memcache/mc_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace shoal::memcache {
namespace {

std::string Describe(const Request& r) {
  static const char* kNames[] = {
      "get",   "gets",   "gat",  "gats", "set",   "add",       "replace", "append",    "prepend",
      "cas",   "delete", "incr", "decr", "touch", "flush_all", "version", "verbosity", "quit",
      "stats", "mg",     "ms",   "md",   "ma",    "mn",        "me"};
  std::string s = kNames[static_cast<int>(r.command)];
  for (std::string_view k : r.keys) s += " k=" + std::string(k);
  if (r.bad_key) s += " bad_key";
  if (r.flags) s += " f=" + std::to_string(r.flags);
  if (r.exptime) s += " e=" + std::to_string(r.exptime);
  if (r.cas) s += " cas=" + std::to_string(r.cas);
  if (r.delta) s += " d=" + std::to_string(r.delta);
  if (r.level) s += " l=" + std::to_string(r.level);
  if (r.noreply) s += " noreply";
  if (!r.data.empty()) s += " data=" + std::string(r.data);
  if (!r.data_terminated) s += " unterminated";
  if (r.too_large) s += " too_large";
  for (std::string_view t : r.tokens) s += " t=" + std::string(t);
  return s;
}

// Parses `stream`, given to the parser `step` more bytes at a time (0: all at once), and
// returns the transcript; pending bytes at the end show as "pending N".
std::vector<std::string> Run(std::string_view stream, size_t step, ParserLimits limits = {}) {
  RequestParser parser(limits);
  std::vector<std::string> out;
  std::string buf;  // the unconsumed bytes, copied so the parser never sees old addresses
  size_t fed = 0;
  bool last_was_skip = false;  // consecutive skips add up into one "skipped N" line
  for (;;) {
    const size_t n = step == 0 ? stream.size() - fed : std::min(step, stream.size() - fed);
    buf.append(stream.substr(fed, n));
    fed += n;
    for (;;) {
      std::string copy = buf;
      const ParseStatus st = parser.Parse(copy);
      if (st == ParseStatus::kIncomplete) {
        EXPECT_EQ(parser.consumed(), 0u);
        break;
      }
      if (st == ParseStatus::kClose) {
        out.push_back("CLOSE");
        return out;
      }
      if (st == ParseStatus::kSkipped) {
        size_t total = parser.consumed();
        if (last_was_skip) {
          total += std::stoul(out.back().substr(8));
          out.pop_back();
        }
        out.push_back("skipped " + std::to_string(total));
      } else if (st == ParseStatus::kRequest) {
        out.push_back(Describe(parser.request()));
      } else {
        out.push_back(std::string(parser.reply_suppressed() ? "(quiet) " : "") +
                      std::string(parser.reply()));
      }
      last_was_skip = st == ParseStatus::kSkipped;
      buf.erase(0, parser.consumed());
    }
    if (fed == stream.size()) break;
  }
  if (!buf.empty()) out.push_back("pending " + std::to_string(buf.size()));
  return out;
}

void Expect(std::string_view stream, const std::vector<std::string>& want,
            ParserLimits limits = {}) {
  EXPECT_EQ(Run(stream, 0, limits), want) << "whole: " << stream;
  for (size_t step : {1, 2, 3, 7}) {
    EXPECT_EQ(Run(stream, step, limits), want) << "step " << step << ": " << stream;
  }
}

TEST(McParser, Empty) { Expect("", {}); }

TEST(McParser, StorageCommands) {
  Expect("set a 5 0 3\r\nabc\r\n", {"set k=a f=5 data=abc"});
  Expect("add a 0 10 0\r\n\r\n", {"add k=a e=10"});
  Expect("replace a 1 -1 2 noreply\r\nhi\r\n", {"replace k=a f=1 e=-1 noreply data=hi"});
  Expect("append a 0 0 1\r\nx\r\nprepend b 0 0 1\r\ny\r\n",
         {"append k=a data=x", "prepend k=b data=y"});
  Expect("cas a 0 0 1 999\r\nx\r\n", {"cas k=a cas=999 data=x"});
  Expect("cas a 0 0 1 18446744073709551615 noreply\r\nx\r\n",
         {"cas k=a cas=18446744073709551615 noreply data=x"});
  // A sixth token that is not "noreply" is ignored, as memcached does.
  Expect("set a 0 0 1 foo\r\nz\r\n", {"set k=a data=z"});
  // Bare "\n" ends the line; the block still needs "\r\n".
  Expect("set a 0 0 1\nz\r\n", {"set k=a data=z"});
  Expect("set a 0 0 1\nz\n", {"pending 14"});
  // Binary data, "\r\n" and NUL inside the block.
  Expect(std::string_view("set b 0 0 5\r\n\r\n\0\n\xff\r\n", 20),
         {std::string("set k=b data=\r\n\0\n\xff", 18)});
}

TEST(McParser, StorageNumbersAsMemcached) {
  Expect("set a 4294967296 0 1\r\nz\r\n", {"set k=a data=z"});  // flags truncate to 32 bits
  Expect("set a 4294967295 0 1\r\nz\r\n", {"set k=a f=4294967295 data=z"});
  Expect("set a -1 0 1\r\nz\r\n", {"CLIENT_ERROR bad command line format", "ERROR"});
  Expect("set a x 0 1\r\nz\r\n", {"CLIENT_ERROR bad command line format", "ERROR"});
  Expect("set a 0 0 -1\r\n", {"CLIENT_ERROR bad command line format"});
  Expect("set a 0 0 1x\r\n", {"CLIENT_ERROR bad command line format"});
  // exptime truncates to 32 bits (to a Unix time in 2008: expired), as memcached's cast does.
  Expect("set a 0 99999999999 1\r\nz\r\n", {"set k=a e=1215752191 data=z"});
  Expect("cas a 0 0 1 -5\r\nz\r\n", {"CLIENT_ERROR bad command line format", "ERROR"});
  // noreply is seen first, so even the error is suppressed.
  Expect("cas a 0 0 1 noreply\r\nz\r\n", {"(quiet) CLIENT_ERROR bad command line format", "ERROR"});
}

TEST(McParser, StorageErrors) {
  Expect("set a 0 0 3\r\nabcd\r\nget a\r\n", {"CLIENT_ERROR bad data chunk", "ERROR", "get k=a"});
  Expect("set a 0 0 1 noreply\r\nzz\r\n", {"(quiet) CLIENT_ERROR bad data chunk", "ERROR"});
  Expect("set a 0 0\r\n", {"ERROR"});
  Expect("set a 0 0 1 noreply x\r\nz\r\n", {"ERROR", "ERROR"});
  Expect("cas a 0 0 1\r\nz\r\n", {"ERROR", "ERROR"});
  const std::string long_key(251, 'k');
  Expect("set " + long_key + " 0 0 1\r\nz\r\n", {"CLIENT_ERROR bad command line format", "ERROR"});
  Expect("set " + long_key.substr(1) + " 0 0 1\r\nz\r\n",
         {"set k=" + long_key.substr(1) + " data=z"});
}

TEST(McParser, TooLargeItemIsSkippedNotBuffered) {
  ParserLimits small;
  small.max_item = 4;
  Expect("set a 0 0 5\r\n12345\r\nget a\r\n",
         {"SERVER_ERROR object too large for cache", "skipped 7", "get k=a"}, small);
  Expect("set a 0 0 4\r\n1234\r\n", {"set k=a data=1234"}, small);
  Expect("ms a 5 T0\r\n12345\r\nmn\r\n", {"ms k=a too_large t=T0", "skipped 7", "mn"}, small);
  // A huge declared block is dropped as it arrives.
  RequestParser p;
  ASSERT_EQ(p.Parse("set a 0 0 2000000000\r\n"), ParseStatus::kReply);
  EXPECT_EQ(p.reply(), "SERVER_ERROR object too large for cache");
  std::string chunk(1 << 16, 'x');
  EXPECT_EQ(p.Parse(chunk), ParseStatus::kSkipped);
  EXPECT_EQ(p.consumed(), chunk.size());
}

TEST(McParser, Retrieval) {
  Expect("get a b  c\r\n", {"get k=a k=b k=c"});
  Expect("gets a\r\nbget b\r\n", {"gets k=a", "get k=b"});
  Expect("gat 100 a b\r\ngats -1 a\r\n", {"gat k=a k=b e=100", "gats k=a e=-1"});
  Expect("gat 100\r\n", {"gat e=100"});
  Expect("gat a\r\ngat\r\nget\r\n", {"CLIENT_ERROR invalid exptime argument", "ERROR", "ERROR"});
  Expect("  get a\r\n", {"get k=a"});
  Expect("get a\tb\r\n", {"get k=a\tb"});                       // only spaces separate tokens
  Expect(std::string_view("get a\0b c\r\n", 11), {"get k=a"});  // cut at NUL, as a C string
  const std::string long_key(251, 'k');
  Expect("get a " + long_key + " b\r\n", {"get k=a bad_key"});
  std::string many = "get";
  std::vector<std::string> keys;
  std::string want = "get";
  for (int i = 0; i < 40; i++) {
    many += " k" + std::to_string(i);
    want += " k=k" + std::to_string(i);
  }
  Expect(many + "\r\n", {want});  // more than memcached's 24 tokens
}

TEST(McParser, OtherCommands) {
  Expect("delete a\r\ndelete a 0\r\ndelete a noreply\r\ndelete a 0 noreply\r\n",
         {"delete k=a", "delete k=a", "delete k=a noreply", "delete k=a noreply"});
  Expect("delete a 1\r\ndelete\r\ndelete a 0 x\r\n",
         {"CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]", "ERROR",
          "CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]"});
  Expect("incr a 5\r\ndecr a 18446744073709551615 noreply\r\n",
         {"incr k=a d=5", "decr k=a d=18446744073709551615 noreply"});
  Expect("incr a x\r\nincr a -1\r\nincr a\r\n",
         {"CLIENT_ERROR invalid numeric delta argument",
          "CLIENT_ERROR invalid numeric delta argument", "ERROR"});
  Expect("touch a 10\r\ntouch a x noreply\r\n",
         {"touch k=a e=10", "(quiet) CLIENT_ERROR invalid exptime argument"});
  Expect("flush_all\r\nflush_all 10\r\nflush_all noreply\r\nflush_all 0 noreply\r\n",
         {"flush_all", "flush_all e=10", "flush_all noreply", "flush_all noreply"});
  Expect("flush_all x\r\nflush_all 1 2 3\r\n", {"CLIENT_ERROR invalid exptime argument", "ERROR"});
  Expect("version\r\nquit\r\nverbosity 1\r\nverbosity\r\nverbosity x\r\n",
         {"version", "quit", "verbosity l=1", "ERROR", "CLIENT_ERROR bad command line format"});
  Expect("stats\r\nstats settings\r\n", {"stats", "stats t=settings"});
}

TEST(McParser, UnknownAndMalformed) {
  Expect("bogus\r\nGET a\r\nx\r\n\r\n\n", {"ERROR", "ERROR", "ERROR", "ERROR", "ERROR"});
  Expect("mx a\r\n", {"ERROR"});
  Expect("GET / HTTP/1.1\r\nget a\r\n", {"CLOSE"});
  Expect("sget / HTTP/1.1\r\n", {"ERROR"});  // memcached checks HTTP only past its letters
}

TEST(McParser, LineLimits) {
  ParserLimits l;
  l.max_line = 16;
  l.max_get_line = 64;
  Expect(std::string(17, 'x'), {"CLOSE"}, l);
  Expect(std::string(16, 'x'), {"pending 16"}, l);
  Expect("get " + std::string(30, 'k') + "\r\n", {"get k=" + std::string(30, 'k')}, l);
  Expect("get " + std::string(70, 'k'), {"CLOSE"}, l);
  Expect("set " + std::string(20, 'k'), {"CLOSE"}, l);
}

TEST(McParser, MetaCommands) {
  Expect("mn\r\nmg a v f t\r\nmg\r\nmd a q\r\nma n D10 MD\r\nme a\r\n",
         {"mn", "mg k=a t=v t=f t=t", "ERROR", "md k=a t=q", "ma k=n t=D10 t=MD", "me k=a"});
  Expect("mg " + std::string(251, 'k') + " v\r\nmd\r\nme\r\n",
         {"CLIENT_ERROR bad command line format", "ERROR", "CLIENT_ERROR bad command line format"});
  Expect("ms a 2 T0 F7\r\nhi\r\n", {"ms k=a data=hi t=T0 t=F7"});
  Expect("ms a 0\r\n\r\n", {"ms k=a"});
  Expect("ms a 2\r\nhiX\r\nmn\r\n", {"ms k=a data=hi unterminated", "ERROR", "mn"});
  Expect("ms\r\nms a\r\nms a x\r\nms a -1\r\n",
         {"ERROR", "CLIENT_ERROR bad command line format", "CLIENT_ERROR bad command line format",
          "CLIENT_ERROR bad command line format"});
  std::string flags = "ms a 1";
  for (int i = 0; i < 17; i++) flags += " T1";
  Expect(flags + "\r\nz\r\n", {"CLIENT_ERROR options flags too long", "ERROR"});
}

}  // namespace
}  // namespace shoal::memcache
