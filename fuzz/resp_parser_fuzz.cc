// libFuzzer target for shoal::resp::RequestParser.
//
// Input layout: byte 0 picks the limits, byte 1 seeds how the stream is split, the rest is
// the byte stream a client sends. The stream is parsed twice: in one piece, and in pieces
// where every Parse call sees the pending bytes in a fresh, exactly sized heap copy (the
// previous one freed), so ASan catches a parser that keeps pointers between calls or reads
// past the data. Both runs must agree exactly, and every result must satisfy the parser's
// invariants.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "protocol/resp/resp_parser.h"

namespace {

using shoal::fuzz::Check;
using shoal::fuzz::Rng;
using shoal::resp::ParserLimits;
using shoal::resp::ParseStatus;
using shoal::resp::RequestParser;

struct Arg {
  bool in_input;
  size_t offset;  // in the stream, if in_input
  std::string bytes;
  bool operator==(const Arg&) const = default;
};

struct Outcome {
  std::vector<std::vector<Arg>> requests;
  std::vector<size_t> ends;
  bool error = false;
  std::string error_text;
  size_t pending_start = 0;
  bool operator==(const Outcome&) const = default;
};

Outcome Run(std::string_view stream, const ParserLimits& limits, bool split, uint8_t seed) {
  Outcome out;
  RequestParser parser(limits);
  static constexpr size_t kMaxPieces[] = {1, 2, 3, 7, 16, 64, 512, 4096};
  Rng rng{0x9E3779B97F4A7C15ull ^ seed};
  const size_t max_piece = kMaxPieces[seed % 8];
  size_t start = 0;
  size_t avail = 0;
  size_t max_hint = 0;
  std::unique_ptr<char[]> copy;
  do {
    avail = split ? avail + 1 + rng.Next() % max_piece : stream.size();
    if (avail > stream.size()) avail = stream.size();
    while (start < avail) {
      // A fresh copy of exactly the pending bytes at a new address each call.
      size_t len = avail - start;
      std::unique_ptr<char[]> fresh(new char[len]);
      std::memcpy(fresh.get(), stream.data() + start, len);
      copy = std::move(fresh);
      std::string_view view(copy.get(), len);
      ParseStatus status = parser.Parse(view);
      if (status == ParseStatus::kComplete) {
        size_t used = parser.consumed();
        Check(used > 0 && used <= len, "0 < consumed <= size");
        Check(max_hint == 0 || max_hint <= used, "bytes_hint <= consumed");
        max_hint = 0;
        std::vector<Arg> args;
        for (std::string_view a : parser.args()) {
          const char* lo = view.data();
          if (a.data() >= lo && a.data() + a.size() <= lo + used) {
            args.push_back(Arg{true, start + static_cast<size_t>(a.data() - lo), std::string()});
            // Only the size is compared for views, so look at the bytes here (ASan).
            args.back().bytes.assign(std::to_string(a.size()));
          } else {
            Check(a.data() + a.size() <= lo || a.data() >= lo + len,
                  "arg is inside the request or outside the data");
            Check(a.size() <= limits.max_inline_len, "parser-owned arg is an inline arg");
            args.push_back(Arg{false, 0, std::string(a)});
          }
        }
        out.requests.push_back(std::move(args));
        start += used;
        out.ends.push_back(start);
        continue;
      }
      if (status == ParseStatus::kError) {
        std::string_view e = parser.error();
        Check(e.substr(0, 16) == "Protocol error: ", "error text prefix");
        Check(e.find_first_of("\r\n") == std::string_view::npos, "no CR/LF in error");
        Check(parser.Parse(view) == ParseStatus::kError, "errors are sticky");
        out.error = true;
        out.error_text = std::string(e);
        out.pending_start = start;
        return out;
      }
      max_hint = std::max(max_hint, parser.bytes_hint());
      if (split && (rng.Next() & 7) == 0) {
        // Calling again with no new bytes changes nothing.
        Check(parser.Parse(view) == ParseStatus::kIncomplete, "re-parse stays incomplete");
      }
      break;
    }
  } while (avail < stream.size());
  out.pending_start = start;
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
    limits.max_inline_len = 1 + ((config >> 1) & 31);
    limits.max_bulk_len = (config >> 3) & 15;
    limits.max_multibulk_len = (config >> 4) & 7;
  }
  limits.auth_required = (config & 0x80) != 0;

  Outcome whole = Run(stream, limits, false, seed);
  Outcome pieces = Run(stream, limits, true, seed);
  Check(whole == pieces, "split and whole parses agree");
  Check(whole.pending_start <= stream.size(), "pending start inside the stream");
  return 0;
}
