// RequestParser: the pure, incremental parser of RESP client requests, both multibulk
// ("*<n>\r\n$<len>\r\n<bytes>\r\n...") and inline ("SET k \"v\"\n"), with the acceptance rules
// and the error texts of Redis 7 (networking.c processMultibulkBuffer/processInlineBuffer and
// sds.c sdssplitargs). docs/resp.md lists the limits, the errors and the few deliberate
// differences from Redis.
//
// Thread: a parser belongs to one connection and is used by that connection's thread only.
// It does no I/O, reads no clock and never throws.
//
// Invariants:
//  - Between calls the parser keeps offsets relative to the start of the current request,
//    never pointers, so the caller may move its buffer between calls.
//  - Every byte of a request is examined once, however the request is split across calls:
//    a 512 MB bulk arriving 16 KB at a time, or a 1M-argument multibulk arriving a few bytes
//    at a time, costs time linear in its size.
//  - The result for a given byte stream does not depend on where it was split.
//  - In the common case (a whole request already buffered) Parse allocates nothing beyond
//    growing vectors it keeps between requests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace shoal::resp {

struct ParserLimits {
  // proto-max-bulk-len: a longer bulk is "invalid bulk length".
  size_t max_bulk_len = 512 * 1024 * 1024;
  // As Redis: a larger multibulk count is "invalid multibulk length".
  int64_t max_multibulk_len = INT32_MAX;
  // PROTO_INLINE_MAX_SIZE. Also bounds, as in Redis, the multibulk count line and the bulk
  // length lines: that many bytes without their terminator is an error.
  size_t max_inline_len = 64 * 1024;
  // As Redis 7.0.15+ for a client that still has to authenticate: a multibulk count above 10
  // or a bulk length above 16384 is refused ("unauthenticated multibulk/bulk length").
  bool auth_required = false;
};

enum class ParseStatus { kComplete, kIncomplete, kError };

class RequestParser {
 public:
  explicit RequestParser(ParserLimits limits = {});

  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  // Takes effect for the lines and bulks parsed from now on.
  void set_limits(const ParserLimits& limits) { limits_ = limits; }
  const ParserLimits& limits() const { return limits_; }

  // `data` holds the unconsumed input and starts at the first byte of the current request.
  // After kIncomplete the caller calls again with the same bytes plus zero or more new ones
  // (possibly at another address); the parser resumes where it stopped. After kComplete the
  // next call starts a new request (the caller has dropped consumed() bytes). After kError
  // every call returns kError until Reset().
  ParseStatus Parse(std::string_view data);

  // After kComplete: the bytes this request used, and its arguments. The views point into
  // `data` (or, for inline arguments that had quotes, into storage owned by the parser) and
  // stay valid until the next Parse/Reset or until `data` changes. A request with no
  // arguments (a blank inline line, "*0\r\n", "*-1\r\n") completes with args().empty(): the
  // caller skips it.
  size_t consumed() const { return consumed_; }
  const std::vector<std::string_view>& args() const { return args_; }

  // After kError: Redis's exact error text without the "-ERR " prefix, e.g.
  // "Protocol error: invalid multibulk length". The caller replies "-ERR <text>" and closes.
  // The text contains no CR or LF.
  std::string_view error() const { return error_; }

  // The total bytes (from the start of the request) the current request is known to need,
  // so the caller can reserve buffer space for a big bulk; 0 when not known.
  size_t bytes_hint() const;

  // Forgets the current request, and any error.
  void Reset();

 private:
  enum class State : uint8_t {
    kStart,     // nothing parsed yet
    kInline,    // searching the '\n' of an inline request
    kCount,     // searching the '\r' of "*<n>"
    kBulkLen,   // searching the '\r' of "$<len>"
    kBulkData,  // waiting for <len> bytes plus two
    kComplete,
    kError,
  };
  // One multibulk argument, as an offset from the start of the request.
  struct ArgRef {
    size_t offset;
    size_t len;
  };

  enum class LineStatus : uint8_t { kOk, kIncomplete, kTooLong, kBadPrefix, kBadNumber };
  struct LineRead {
    LineStatus status = LineStatus::kIncomplete;
    int64_t value = 0;  // kOk: the number
    size_t next = 0;    // kOk: the offset after the line
  };

  // Reads a "<prefix><integer>\r<any byte>" line (a count or a bulk length) at `line_start`,
  // with Redis's checks in Redis's order.
  LineRead ReadNumberLine(std::string_view data, size_t line_start, char prefix);
  ParseStatus ParseInline(std::string_view data);
  ParseStatus ParseMultibulk(std::string_view data);
  // Splits an inline line as sdssplitargs does; false on unbalanced quotes.
  bool SplitInline(std::string_view line);
  // Looks for `term` in the line starting at `line_start`, resuming at scan_. Returns its
  // offset, kNotFound if the line may still end, or kTooLong once more than `max_len` bytes
  // of the line have been seen without it.
  size_t FindLineEnd(std::string_view data, size_t line_start, char term, size_t max_len);
  ParseStatus Fail(std::string_view text);
  ParseStatus FailExpectedDollar(char got);
  ParseStatus Complete(std::string_view data);

  static constexpr size_t kNotFound = static_cast<size_t>(-1);
  static constexpr size_t kTooLong = static_cast<size_t>(-2);

  ParserLimits limits_;
  State state_ = State::kStart;
  size_t pos_ = 0;         // the next byte to parse, from the start of the request
  size_t scan_ = 0;        // bytes of the current line already searched end here
  int64_t remaining_ = 0;  // multibulk arguments still to read
  size_t bulk_len_ = 0;    // length of the bulk being read (kBulkData)
  size_t consumed_ = 0;
  std::vector<ArgRef> refs_;
  std::vector<std::string_view> args_;
  std::string storage_;  // inline arguments that had quotes or escapes
  std::string error_;
};

}  // namespace shoal::resp
