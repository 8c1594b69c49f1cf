#include "server/connection.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <string>
#include <vector>

#include "base/logging.h"
#include "base/strings.h"
#include "protocol/resp/resp_parser.h"
#include "protocol/resp/resp_writer.h"
#include "server/server.h"

namespace shoal {

namespace {

using boost::asio::ip::tcp;

constexpr size_t kInitialBuffer = 16 * 1024;
constexpr size_t kMinFreeSpace = 4 * 1024;
// Replies are flushed at the end of each read batch, or earlier once this much is pending.
constexpr size_t kFlushThreshold = 1024 * 1024;
// Requests parsed ahead of execution at most (bounds the per-batch argument arena).
constexpr size_t kMaxBatch = 256;

auto Token() { return boost::asio::as_tuple(boost::asio::use_awaitable); }

std::string Endpoint(const tcp::endpoint& ep) {
  std::string addr = ep.address().to_string();
  return addr + ":" + std::to_string(ep.port());
}

// The input buffer: bytes [start, end) are unconsumed; the parser sees them from `start`.
struct InputBuffer {
  std::vector<char> data = std::vector<char>(kInitialBuffer);
  size_t start = 0;
  size_t end = 0;

  std::string_view pending() const { return {data.data() + start, end - start}; }
  // Makes room for at least `want` more bytes, compacting before growing.
  void Reserve(size_t want) {
    if (data.size() - end >= want) return;
    if (start > 0) {
      std::copy(data.begin() + static_cast<long>(start), data.begin() + static_cast<long>(end),
                data.begin());
      end -= start;
      start = 0;
    }
    if (data.size() - end < want) data.resize(std::max(data.size() * 2, end + want));
  }
  void ShrinkIfIdle() {
    if (start == end) {
      start = end = 0;
      if (data.size() > 4 * kInitialBuffer) data = std::vector<char>(kInitialBuffer);
    }
  }
};

// One client's session. Lives in the ServeConnection coroutine frame.
//
// Each read is followed by a batch: the complete requests in the buffer are parsed ahead
// (their arguments are views into the input buffer, which does not change until the batch is
// done), then run in order; a run of consecutive requests for the same other shard goes there
// in one hop. All replies of the batch leave in one write.
class Connection {
 public:
  Connection(Server& server, tcp::socket& socket, ClientState& client)
      : server_(server),
        socket_(socket),
        client_(client),
        dispatcher_(server.dispatcher()),
        limits_(server.config().limits) {}

  boost::asio::awaitable<void> Serve() {
    while (!closing_) {
      size_t buffered = in_.end - in_.start;
      size_t hint = parser_.bytes_hint();
      in_.Reserve(std::max(kMinFreeSpace, hint > buffered ? hint - buffered : size_t{0}));
      auto [ec, n] = co_await socket_.async_read_some(
          boost::asio::buffer(in_.data.data() + in_.end, in_.data.size() - in_.end), Token());
      if (ec) break;
      in_.end += n;
      client_.last_interaction_ms = SystemClock::Instance().NowMs();
      while (!closing_ && in_.start < in_.end) {
        size_t parsed = ParseBatch();
        co_await ExecuteBatch();
        in_.start += parsed;
        if (!parse_error_.empty()) {
          writer_.Error(parse_error_);
          closing_ = true;
        }
        if (writer_.buffer().size() >= kFlushThreshold) co_await Flush();
        if (parsed == 0) break;  // the rest is an incomplete request: read more
      }
      in_.ShrinkIfIdle();
      if (!writer_.buffer().empty()) co_await Flush();
    }
  }

 private:
  struct Request {
    size_t first_arg;  // in args_
    size_t argc;
  };

  // Parses complete requests from the buffer into requests_/args_; returns the bytes they
  // use. Stops at an incomplete request (kept by the parser for the next read), a protocol
  // error (parse_error_), kMaxBatch requests, or an inline request, which is handled alone
  // because its arguments may live in the parser's own storage.
  size_t ParseBatch() {
    requests_.clear();
    args_.clear();
    resp::ParserLimits parser_limits;
    parser_limits.max_bulk_len = limits_.proto_max_bulk_len.load(std::memory_order_relaxed);
    parser_limits.auth_required = !client_.authenticated;
    parser_.set_limits(parser_limits);
    size_t offset = 0;
    while (requests_.size() < kMaxBatch && in_.start + offset < in_.end) {
      std::string_view data = in_.pending().substr(offset);
      bool inline_request = data[0] != '*';
      if (inline_request && !requests_.empty()) break;
      resp::ParseStatus status = parser_.Parse(data);
      if (status == resp::ParseStatus::kIncomplete) {
        if (in_.end - in_.start - offset >
            limits_.client_query_buffer_limit.load(std::memory_order_relaxed)) {
          SHOAL_LOG(warn, "event=client_closed id={} reason=query_buffer_limit", client_.id);
          closing_ = true;
        }
        break;
      }
      if (status == resp::ParseStatus::kError) {
        parse_error_ = "ERR " + std::string(parser_.error());
        SHOAL_LOG(info, "event=protocol_error id={} addr={} error=\"{}\"", client_.id, client_.addr,
                  parser_.error());
        break;
      }
      const std::vector<std::string_view>& args = parser_.args();
      if (!args.empty()) {
        requests_.push_back(Request{args_.size(), args.size()});
        args_.insert(args_.end(), args.begin(), args.end());
      }
      offset += parser_.consumed();
      if (inline_request || !client_.authenticated) break;  // AUTH changes the limits
      parser_.Reset();
    }
    return offset;
  }

  CommandContext Context(const Request& r) {
    return CommandContext{CmdArgs(args_).subspan(r.first_arg, r.argc),
                          &writer_,
                          &client_,
                          &server_.shards(),
                          &server_,
                          nullptr,
                          &dispatcher_};
  }

  boost::asio::awaitable<void> ExecuteBatch() {
    for (size_t i = 0; i < requests_.size() && !closing_;) {
      CommandContext ctx = Context(requests_[i]);
      uint32_t target = client_.reply_mode == ClientState::ReplyMode::kOn
                            ? dispatcher_.RemoteTarget(ctx)
                            : Dispatcher::kNotRemote;
      if (target != Dispatcher::kNotRemote) {
        run_.clear();
        run_.push_back(ctx);
        for (size_t j = i + 1; j < requests_.size(); j++) {
          CommandContext next = Context(requests_[j]);
          if (dispatcher_.RemoteTarget(next) != target) break;
          run_.push_back(next);
        }
        co_await dispatcher_.DispatchBatch(target, run_);
        client_.last_command = ToLower(run_.back().args[0].substr(0, 64));
        i += run_.size();
        continue;
      }
      co_await ExecuteOne(ctx);
      i++;
    }
  }

  boost::asio::awaitable<void> ExecuteOne(CommandContext& ctx) {
    size_t mark = writer_.buffer().size();
    if (!dispatcher_.TryInline(ctx)) co_await dispatcher_.Dispatch(ctx);
    client_.last_command = ToLower(ctx.args[0].substr(0, 64));  // CLIENT LIST cmd=
    writer_.set_protocol_version(client_.resp);
    // CLIENT REPLY OFF|SKIP: the reply was produced but is not sent.
    using Mode = ClientState::ReplyMode;
    if (client_.reply_mode == Mode::kOff || client_.reply_mode == Mode::kSkipThis) {
      writer_.buffer().resize(mark);
      if (client_.reply_mode == Mode::kSkipThis) client_.reply_mode = Mode::kOn;
    }
    if (client_.reply_mode == Mode::kSkipNext) client_.reply_mode = Mode::kSkipThis;
    if (client_.close_after_reply || client_.killed) closing_ = true;
  }

  boost::asio::awaitable<void> Flush() {
    auto [ec, written] =
        co_await boost::asio::async_write(socket_, boost::asio::buffer(writer_.buffer()), Token());
    writer_.Clear();
    if (ec) closing_ = true;
  }

  Server& server_;
  tcp::socket& socket_;
  ClientState& client_;
  Dispatcher& dispatcher_;
  const ConnectionLimits& limits_;
  resp::RequestParser parser_;
  resp::RespWriter writer_;
  InputBuffer in_;
  std::vector<Request> requests_;
  std::vector<std::string_view> args_;
  std::vector<CommandContext> run_;
  std::string parse_error_;
  bool closing_ = false;
};

}  // namespace

boost::asio::awaitable<void> ServeConnection(Server& server, tcp::socket socket, uint32_t shard) {
  if (!server.AdmitConnection()) {
    resp::RespWriter writer;
    writer.Error("ERR max number of clients reached");
    co_await boost::asio::async_write(socket, boost::asio::buffer(writer.buffer()), Token());
    co_return;
  }
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);

  ClientState client;
  client.id = server.NextClientId();
  client.shard = shard;
  client.created_ms = SystemClock::Instance().NowMs();
  client.last_interaction_ms = client.created_ms;
  client.authenticated = !server.auth_required();
  client.addr = Endpoint(socket.remote_endpoint(ignored));
  client.laddr = Endpoint(socket.local_endpoint(ignored));
  ClientRegistry& registry = server.clients(shard);
  registry.Add(&client, [&socket] {
    boost::system::error_code ec;
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
  });
  SHOAL_LOG(debug, "event=client_connected id={} addr={} shard={}", client.id, client.addr, shard);

  // Runs on every exit path, including destruction of the suspended coroutine at shutdown.
  struct Cleanup {
    Server& server;
    ClientRegistry& registry;
    ClientState& client;
    ~Cleanup() {
      registry.Remove(&client);
      server.ReleaseConnection();
      SHOAL_LOG(debug, "event=client_closed id={}", client.id);
    }
  } cleanup{server, registry, client};

  Connection connection(server, socket, client);
  co_await connection.Serve();
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

}  // namespace shoal
