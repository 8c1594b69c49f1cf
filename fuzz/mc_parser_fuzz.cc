// libFuzzer target for shoal::memcache::RequestParser.
//
// Input layout: byte 0 picks the limits, byte 1 seeds how the stream is split, the rest is
// the byte stream a client sends. The stream is parsed in one piece and in random pieces,
// each Parse call seeing the pending bytes in a fresh, exactly sized heap copy (so ASan
// catches a parser that keeps pointers between calls or reads past the data). Both runs
// must produce the same transcript, and every result must satisfy the parser's contract.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "protocol/memcache/mc_parser.h"

namespace {

using shoal::fuzz::Check;
using shoal::fuzz::Rng;
using shoal::memcache::ParserLimits;
using shoal::memcache::ParseStatus;
using shoal::memcache::Request;
using shoal::memcache::RequestParser;

bool Inside(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

// A request as text, checking that every view points into the request's bytes.
std::string Describe(const Request& r, std::string_view bytes, const ParserLimits& limits) {
  std::string s = std::to_string(static_cast<int>(r.command));
  for (std::string_view k : r.keys) {
    Check(Inside(k, bytes), "key inside the request");
    Check(!k.empty() && k.size() <= limits.max_key, "key size");
    s.append(" k").append(k);
  }
  for (std::string_view t : r.tokens) {
    Check(Inside(t, bytes), "token inside the request");
    s.append(" t").append(t);
  }
  Check(Inside(r.data, bytes), "data inside the request");
  Check(r.data.size() <= limits.max_item, "data within the item limit");
  s.append(" d").append(r.data);
  s += std::to_string(r.flags) + "/" + std::to_string(r.exptime) + "/" + std::to_string(r.cas) +
       "/" + std::to_string(r.delta) + "/" + std::to_string(r.level) + "/" +
       std::to_string(r.noreply) + std::to_string(r.data_terminated) + std::to_string(r.too_large) +
       std::to_string(r.bad_key);
  return s;
}

std::vector<std::string> Run(std::string_view stream, const ParserLimits& limits, bool split,
                             uint8_t seed) {
  std::vector<std::string> out;
  RequestParser parser(limits);
  static constexpr size_t kMaxPieces[] = {1, 2, 3, 7, 16, 64, 512, 4096};
  Rng rng{0x9E3779B97F4A7C15ull ^ seed};
  const size_t max_piece = kMaxPieces[seed % 8];
  size_t start = 0, avail = 0;
  uint64_t skipped = 0;
  do {
    avail = split ? avail + 1 + rng.Next() % max_piece : stream.size();
    if (avail > stream.size()) avail = stream.size();
    while (start < avail) {
      const size_t len = avail - start;
      std::unique_ptr<char[]> copy(new char[len]);
      std::memcpy(copy.get(), stream.data() + start, len);
      const std::string_view view(copy.get(), len);
      const ParseStatus st = parser.Parse(view);
      if (st == ParseStatus::kIncomplete) {
        Check(parser.consumed() == 0, "incomplete consumes nothing");
        // Without a line end, only a bounded amount may wait.
        Check(view.find('\n') != std::string_view::npos || len <= limits.max_get_line,
              "pending line is bounded");
        break;
      }
      if (st == ParseStatus::kClose) {
        out.push_back("close");
        return out;
      }
      const size_t used = parser.consumed();
      Check(used > 0 && used <= len, "0 < consumed <= size");
      if (st == ParseStatus::kSkipped) {
        skipped += used;
      } else {
        if (skipped > 0) out.push_back("skip" + std::to_string(skipped));
        skipped = 0;
        if (st == ParseStatus::kRequest) {
          out.push_back(Describe(parser.request(), view.substr(0, used), limits));
        } else {
          const std::string_view reply = parser.reply();
          Check(!reply.empty() && reply.find_first_of("\r\n") == std::string_view::npos,
                "reply is one non-empty line");
          out.push_back(std::string(reply) + (parser.reply_suppressed() ? "/q" : ""));
        }
      }
      start += used;
    }
  } while (avail < stream.size());
  if (skipped > 0) out.push_back("skip" + std::to_string(skipped));
  out.push_back("pending" + std::to_string(stream.size() - start));
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t config = data[0];
  const uint8_t seed = data[1];
  std::string_view stream(reinterpret_cast<const char*>(data + 2), size - 2);
  ParserLimits limits;
  if (config & 1) {
    // Small limits, so that every limit is reachable by short inputs.
    limits.max_line = 4 + ((config >> 1) & 31);
    limits.max_get_line = limits.max_line + ((config >> 3) & 63);
    limits.max_key = 1 + ((config >> 4) & 7);
    limits.max_item = (config >> 5) & 7;
  }
  Check(Run(stream, limits, false, seed) == Run(stream, limits, true, seed),
        "split and whole parses agree");
  return 0;
}
