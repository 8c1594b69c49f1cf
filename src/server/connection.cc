#include "server/connection.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/logging.h"
#include "base/strings.h"
#include "commands/multi_family.h"
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
// A squashed request's scratch reply buffer is kept for reuse up to this capacity.
constexpr size_t kMaxKeptScratch = 64 * 1024;

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

// PeerWatch over the connection's socket: readable with nothing to read means the peer closed.
// A stale completion (after Stop, or after a new Start) is recognised by its generation.
class SocketPeerWatch final : public PeerWatch {
 public:
  explicit SocketPeerWatch(tcp::socket& socket) : socket_(socket) {}
  ~SocketPeerWatch() override { *generation_ = 0; }

  void Start(std::function<void()> on_gone) override {
    const uint64_t mine = ++*generation_;
    socket_.async_wait(tcp::socket::wait_read,
                       [this, generation = generation_, mine,
                        on_gone = std::move(on_gone)](const boost::system::error_code& ec) {
                         if (*generation != mine) return;  // stopped; `this` may be gone
                         boost::system::error_code ignored;
                         if (ec || socket_.available(ignored) == 0) on_gone();
                       });
  }
  void Stop() override {
    ++*generation_;
    boost::system::error_code ignored;
    socket_.cancel(ignored);
  }

 private:
  tcp::socket& socket_;
  std::shared_ptr<uint64_t> generation_ = std::make_shared<uint64_t>(0);
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
        limits_(server.config().limits),
        peer_watch_(socket) {
    client_.peer_watch = &peer_watch_;
  }
  ~Connection() { client_.peer_watch = nullptr; }

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

  // Runs the parsed batch in order. Commands that complete inline run without suspending;
  // a run of consecutive requests for the same other shard goes there in one hop.
  boost::asio::awaitable<void> ExecuteBatch() {
    contexts_.clear();
    for (const Request& r : requests_) {
      contexts_.push_back(Context(r));
      Dispatcher::Lookup(contexts_.back());
    }
    dispatcher_.Prefetch(contexts_);
    // One clock reading for the commands that run inline back to back (as Redis caches its
    // time per event-loop turn), taken again after anything that suspended.
    int64_t now_ms = SystemClock::Instance().NowMs();
    for (size_t i = 0; i < contexts_.size() && !closing_;) {
      CommandContext& ctx = contexts_[i];
      if (size_t end = SquashedRunEnd(i); end > i) {
        co_await ExecuteSquashed(i, end);
        now_ms = SystemClock::Instance().NowMs();
        i = end;
        continue;
      }
      uint32_t target = client_.reply_mode == ClientState::ReplyMode::kOn
                            ? dispatcher_.RemoteTarget(ctx)
                            : Dispatcher::kNotRemote;
      if (target != Dispatcher::kNotRemote) {
        size_t end = i + 1;
        while (end < contexts_.size() && dispatcher_.RemoteTarget(contexts_[end]) == target) end++;
        std::span<CommandContext> run(contexts_.data() + i, end - i);
        co_await dispatcher_.DispatchBatch(target, run);
        now_ms = SystemClock::Instance().NowMs();
        client_.last_command = ToLower(run.back().args[0].substr(0, 64));
        i = end;
        continue;
      }
      size_t mark = writer_.buffer().size();
      ctx.now_ms = now_ms;
      if (!dispatcher_.TryInline(ctx)) {
        ctx.now_ms = 0;  // it may wait: read the clock when it runs
        co_await dispatcher_.Dispatch(ctx);
        now_ms = SystemClock::Instance().NowMs();
      }
      AfterCommand(ctx, mark);
      i++;
    }
  }

  // The end of the run of requests from `begin` that may run in parallel (`pipeline-squash`),
  // or `begin` when there is no such run spanning two or more shards.
  size_t SquashedRunEnd(size_t begin) {
    if (client_.reply_mode != ClientState::ReplyMode::kOn) return begin;
    size_t end = begin;
    uint32_t first_owner = Dispatcher::kNoOwner;
    bool several_shards = false;
    const PipelineSquash mode = limits_.pipeline_squash.load(std::memory_order_relaxed);
    while (end < contexts_.size() && Dispatcher::Squashable(contexts_[end], mode)) {
      uint32_t owner = dispatcher_.OwnerShard(contexts_[end]);
      if (owner == Dispatcher::kNoOwner) break;
      if (end == begin) first_owner = owner;
      several_shards = several_shards || owner != first_owner;
      end++;
    }
    return several_shards ? end : begin;
  }

  // Runs contexts_[begin, end) with Dispatcher::DispatchParallel, each into its own scratch
  // writer, then appends their replies in pipeline order.
  boost::asio::awaitable<void> ExecuteSquashed(size_t begin, size_t end) {
    std::span<CommandContext> run(contexts_.data() + begin, end - begin);
    while (scratch_.size() < run.size()) scratch_.push_back(std::make_unique<resp::RespWriter>());
    for (size_t k = 0; k < run.size(); k++) {
      scratch_[k]->Clear();
      scratch_[k]->set_protocol_version(client_.resp);
      run[k].out = scratch_[k].get();
    }
    co_await dispatcher_.DispatchParallel(run);
    for (size_t k = 0; k < run.size(); k++) {
      std::string& reply = scratch_[k]->buffer();
      writer_.buffer().append(reply);
      if (reply.capacity() > kMaxKeptScratch) reply = std::string();
    }
    client_.last_command = ToLower(run.back().args[0].substr(0, 64));
    if (client_.close_after_reply || client_.killed) closing_ = true;
  }

  // Bookkeeping after one command's reply was written from `reply_mark` on.
  void AfterCommand(const CommandContext& ctx, size_t reply_mark) {
    client_.last_command = ToLower(ctx.args[0].substr(0, 64));  // CLIENT LIST cmd=
    writer_.set_protocol_version(client_.resp);
    // CLIENT REPLY OFF|SKIP: the reply was produced but is not sent.
    using Mode = ClientState::ReplyMode;
    if (client_.reply_mode == Mode::kOff || client_.reply_mode == Mode::kSkipThis) {
      writer_.buffer().resize(reply_mark);
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
  std::vector<CommandContext> contexts_;                    // the batch's requests, in order
  std::vector<std::unique_ptr<resp::RespWriter>> scratch_;  // replies of a squashed run
  std::string parse_error_;
  bool closing_ = false;
  SocketPeerWatch peer_watch_;
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
  co_await EndTransaction(server.shards(), client);  // its WATCHes go with it
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

}  // namespace shoal
