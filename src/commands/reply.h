// ReplySink: how a protocol-neutral command handler produces its reply.
// Each front end implements it with its own codec (RESP2/RESP3 in protocol/resp).
// Thread ownership: a sink belongs to one connection; a handler running on another shard
// may write to it only while that connection's coroutine is suspended waiting for the hop
// (the hop queue provides the happens-before edge).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace shoal {

class ReplySink {
 public:
  virtual ~ReplySink() = default;

  // "+OK"-style status line. `s` must not contain CR or LF.
  virtual void SimpleString(std::string_view s) = 0;
  // Error line; `msg` starts with its code, e.g. "ERR syntax error", "WRONGTYPE ...".
  virtual void Error(std::string_view msg) = 0;
  virtual void Integer(int64_t v) = 0;
  virtual void Bulk(std::string_view s) = 0;
  // A missing value: RESP2 "$-1", RESP3 "_".
  virtual void Null() = 0;
  // A missing aggregate: RESP2 "*-1", RESP3 "_".
  virtual void NullArray() = 0;
  virtual void ArrayHeader(size_t n) = 0;
  // n key/value pairs follow (2n values). RESP2 writes a flat array of 2n.
  virtual void MapHeader(size_t n) = 0;
  // RESP2 writes an array.
  virtual void SetHeader(size_t n) = 0;
  // RESP3 ",<double>"; RESP2 a bulk string of the same text.
  virtual void Double(double v) = 0;
  // RESP3 "#t"/"#f"; RESP2 integer 1/0.
  virtual void Boolean(bool v) = 0;
  // RESP3 verbatim string "=<len>\r\n<fmt>:<text>"; RESP2 a bulk string of `text`.
  // `format` is exactly three characters, e.g. "txt".
  virtual void Verbatim(std::string_view format, std::string_view text) = 0;
  // Out-of-band push (RESP3 ">n"); RESP2 writes an array header.
  virtual void PushHeader(size_t n) = 0;

  // 2 or 3 (RESP); front ends without versions report 2.
  virtual int protocol_version() const = 0;
  // HELLO switches the protocol before writing its own reply; others ignore the call.
  virtual void set_protocol_version(int version) = 0;

  // Convenience: the very common "+OK".
  void Ok() { SimpleString("OK"); }
};

}  // namespace shoal
