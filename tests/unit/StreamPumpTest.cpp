#include "worker/ChunkWriter.h"
#include "worker/ChunkedDecoder.h"
#include "worker/StreamPump.h"

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/ringbuffer_sink.h>

#include <chrono>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace sluice::worker;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace
{

const std::string kTykErrorEvent = "event: error\ndata: upstream connection terminated unexpectedly\n\n";
const std::string kTerminal(ChunkWriter::kTerminal);

std::string frame(const std::string & payload) { return ChunkWriter::frame(payload); }

int fdOf(const Poco::Net::StreamSocket & socket) { return static_cast<int>(socket.impl()->sockfd()); }

long long msSince(Clock::time_point t)
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

/// The test's end of one connection: the client of a stream, or its upstream. Reads with deadlines (never blocks
/// for longer), and decodes what it reads when it is a chunked client.
class Peer
{
public:
    Peer(Poco::Net::StreamSocket socket, bool chunked) : socket_(std::move(socket)), chunked_(chunked) {}

    bool send(const std::string & data)
    {
        for (size_t off = 0; off < data.size();)
        {
            ssize_t n = ::send(fdOf(socket_), data.data() + off, data.size() - off, MSG_NOSIGNAL);
            if (n == -1 && errno == EINTR)
                continue;
            if (n == -1)
                return false;
            off += static_cast<size_t>(n);
        }
        return true;
    }

    /// Reads until `done()` holds, the connection ends, or `timeout` passes; returns done().
    bool readUntil(const std::function<bool()> & done, std::chrono::milliseconds timeout)
    {
        auto deadline = Clock::now() + timeout;
        std::vector<char> buffer(64 * 1024);
        while (!done() && !closed_)
        {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
            if (left <= 0)
                break;
            pollfd p{fdOf(socket_), POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left)) <= 0)
                continue;
            ssize_t n = ::recv(fdOf(socket_), buffer.data(), buffer.size(), 0);
            if (n > 0)
                append(buffer.data(), static_cast<size_t>(n));
            else if (n == 0 || errno != EINTR)
                closed_ = true; /// EOF or reset: either way the other side has gone
        }
        return done();
    }

    bool readPayload(size_t size, std::chrono::milliseconds timeout = 2000ms)
    {
        return readUntil([&] { return payload_.size() >= size; }, timeout);
    }

    bool readToClose(std::chrono::milliseconds timeout = 2000ms)
    {
        return readUntil([&] { return closed_; }, timeout);
    }

    void shutdownWrite() { ::shutdown(fdOf(socket_), SHUT_WR); }
    void close() { socket_.close(); }
    void setNonBlocking() { socket_.setBlocking(false); }

    const std::string & raw() const { return raw_; }
    const std::string & payload() const { return payload_; }
    bool closed() const { return closed_; }
    bool complete() const { return decoder_.done(); }
    bool malformed() const { return decoder_.failed(); }
    int fd() const { return fdOf(socket_); }

private:
    void append(const char * data, size_t len)
    {
        raw_.append(data, len);
        if (!chunked_)
        {
            payload_.append(data, len);
            return;
        }
        std::string piece(data, len);
        size_t n = decoder_.decode(piece.data(), piece.size(), piece.data());
        payload_.append(piece.data(), n);
    }

    Poco::Net::StreamSocket socket_;
    bool chunked_;
    ChunkedDecoder decoder_;
    std::string raw_;
    std::string payload_;
    bool closed_ = false;
};

struct Peers
{
    Peer client;
    Peer upstream;
};

/// The value of `key=` in a summary line.
std::string field(const std::string & line, const std::string & key)
{
    std::smatch m;
    if (!std::regex_search(line, m, std::regex("(?:^| )" + key + "=(\\S*)")))
        return "<missing>";
    return m[1];
}

StreamSpec sseSpec()
{
    StreamSpec spec;
    spec.sse = true;
    spec.api_id = "events-api";
    spec.method = "GET";
    spec.path = "/events/feed?x=1";
    spec.client_address = "127.0.0.1:40000";
    spec.status = 200;
    return spec;
}

std::string pattern(size_t offset, size_t len)
{
    std::string s(len, '\0');
    for (size_t i = 0; i < len; ++i)
        s[i] = static_cast<char>('a' + (offset + i) % 26 + ((offset + i) / 26) % 3);
    return s;
}

class StreamPumpTest : public ::testing::Test
{
protected:
    StreamPumpTest() { sink_->set_pattern("%v"); }

    void startPump()
    {
        pump_ = std::make_unique<StreamPump>(settings_, logger_);
        pump_->start();
    }

    /// Connects the two loopback connections of a stream, hands the pump its ends in `spec`, returns the test's.
    Peers adopt(StreamSpec spec)
    {
        bool chunked = spec.client_framing == ClientFraming::Chunked && spec.upstream_framing != UpstreamFraming::Tunnel;
        auto [client_pump_end, client_test_end] = connectPair();
        auto [upstream_pump_end, upstream_test_end] = connectPair();
        spec.client = client_pump_end;
        spec.upstream = upstream_pump_end;
        EXPECT_TRUE(pump_->adopt(std::move(spec)));
        return Peers{Peer(client_test_end, chunked), Peer(upstream_test_end, false)};
    }

    std::pair<Poco::Net::StreamSocket, Poco::Net::StreamSocket> connectPair()
    {
        Poco::Net::StreamSocket test_end;
        test_end.connect(listener_.address());
        Poco::Net::StreamSocket pump_end = listener_.acceptConnection();
        return {pump_end, test_end};
    }

    std::vector<std::string> summaries() const
    {
        std::vector<std::string> lines;
        for (std::string line : sink_->last_formatted())
        {
            while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
                line.pop_back();
            if (line.rfind("stream end ", 0) == 0)
                lines.push_back(line);
        }
        return lines;
    }

    /// The `count`-th summary line, waiting up to `timeout` for it; empty if it never came.
    std::string waitSummary(size_t count = 1, std::chrono::milliseconds timeout = 2000ms) const
    {
        auto deadline = Clock::now() + timeout;
        for (;;)
        {
            auto lines = summaries();
            if (lines.size() >= count)
                return lines[count - 1];
            if (Clock::now() > deadline)
                return {};
            std::this_thread::sleep_for(5ms);
        }
    }

    PumpSettings settings_;
    std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_ =
        std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(4096);
    std::shared_ptr<spdlog::logger> logger_ = std::make_shared<spdlog::logger>("stream-test", sink_);
    Poco::Net::ServerSocket listener_{Poco::Net::SocketAddress("127.0.0.1", 0), 1024};
    std::unique_ptr<StreamPump> pump_;
};

}

TEST_F(StreamPumpTest, RelaysChunkedUpstreamToChunkedClientByteExact)
{
    startPump();
    Peers s = adopt(sseSpec());
    std::vector<std::string> writes = {
        frame("data: one\n\n"),
        "d;ext=1\r\ndata: two\r\n\r\n\r\n",                 /// CRLF event, chunk extension
        frame("data: three\n\ndata: four\n\n"),               /// two events in one chunk
        "7\r\ndata: f\r\n",                                   /// one event split over two chunks and writes
        "5\r\nive\n\n\r\n" + frame("id: 6\r\ndata: six\r\n\r\n"),
    };
    std::string expected = "data: one\n\ndata: two\r\n\r\ndata: three\n\ndata: four\n\ndata: five\n\n"
                           "id: 6\r\ndata: six\r\n\r\n";
    for (const std::string & w : writes)
    {
        ASSERT_TRUE(s.upstream.send(w));
        std::this_thread::sleep_for(5ms);
    }
    ASSERT_TRUE(s.upstream.send("0\r\n\r\n"));
    ASSERT_TRUE(s.client.readToClose());
    EXPECT_EQ(s.client.payload(), expected);
    EXPECT_TRUE(s.client.complete());
    EXPECT_FALSE(s.client.malformed());

    std::string line = waitSummary();
    EXPECT_EQ(line, "stream end api=events-api method=GET path=/events/feed?x=1 client=127.0.0.1:40000 status=200 "
                    "duration_ms=" + field(line, "duration_ms") + " bytes_to_client=" + std::to_string(expected.size())
                    + " bytes_from_client=0 events=6 closed_by=upstream reason=end_of_stream");
    EXPECT_TRUE(pump_->waitIdle(1000ms));
}

TEST_F(StreamPumpTest, ForwardsEachEventAsOneChunkWithin100ms)
{
    startPump();
    Peers s = adopt(sseSpec());
    for (int i = 0; i < 5; ++i)
    {
        std::string event = "id: " + std::to_string(i) + "\ndata: tick " + std::to_string(i) + "\n\n";
        size_t before_raw = s.client.raw().size();
        size_t before = s.client.payload().size();
        auto sent = Clock::now();
        ASSERT_TRUE(s.upstream.send(frame(event)));
        ASSERT_TRUE(s.client.readPayload(before + event.size(), 100ms)) << "event " << i << " held back";
        EXPECT_LT(msSince(sent), 100);
        /// One upstream read becomes exactly one chunk on the client's wire, sent at once.
        EXPECT_EQ(s.client.raw().substr(before_raw), frame(event));
        std::this_thread::sleep_for(20ms);
    }
}

TEST_F(StreamPumpTest, SendsPrefetchedBytesFirst)
{
    startPump();
    StreamSpec spec = sseSpec();
    /// Poco read past the headers: one whole chunk and the start of the next.
    spec.upstream_prefetched = frame("data: first\n\n") + "e\r\ndata: se";
    Peers s = adopt(std::move(spec));
    ASSERT_TRUE(s.client.readPayload(std::string("data: first\n\ndata: se").size()));
    ASSERT_TRUE(s.upstream.send("cond\n\n\r\n" + frame("data: third\n\n")));
    std::string expected = "data: first\n\ndata: second\n\ndata: third\n\n";
    ASSERT_TRUE(s.client.readPayload(expected.size()));
    EXPECT_EQ(s.client.payload(), expected);
}

TEST_F(StreamPumpTest, ClientLeavingClosesTheUpstreamAtOnce)
{
    startPump();
    Peers s = adopt(sseSpec());
    ASSERT_TRUE(s.upstream.send(frame("data: hi\n\n")));
    ASSERT_TRUE(s.client.readPayload(10));
    EXPECT_EQ(pump_->activeStreams(), 1u);

    auto left = Clock::now();
    s.client.close();
    ASSERT_TRUE(s.upstream.readToClose(1000ms)) << "upstream still open after the client left";
    EXPECT_LT(msSince(left), 1000);
    std::string line = waitSummary();
    EXPECT_EQ(field(line, "closed_by"), "client");
    EXPECT_EQ(field(line, "reason"), "client_closed");
    EXPECT_EQ(field(line, "events"), "1");
    EXPECT_TRUE(pump_->waitIdle(1000ms));
    EXPECT_EQ(pump_->activeStreams(), 0u);
}

TEST_F(StreamPumpTest, ClientHalfCloseCountsAsLeaving)
{
    startPump();
    Peers s = adopt(sseSpec());
    s.client.shutdownWrite();
    ASSERT_TRUE(s.upstream.readToClose(1000ms));
    EXPECT_EQ(field(waitSummary(), "reason"), "client_closed");
}

TEST_F(StreamPumpTest, UpstreamCleanEndSendsTerminalChunkThenCloses)
{
    startPump();
    Peers s = adopt(sseSpec());
    ASSERT_TRUE(s.upstream.send(frame("data: last\n\n") + "0\r\nX-Trailer: 1\r\n\r\n"));
    ASSERT_TRUE(s.client.readToClose());
    EXPECT_EQ(s.client.raw(), frame("data: last\n\n") + kTerminal);
    EXPECT_TRUE(s.upstream.readToClose(1000ms)) << "the pump must close the upstream it no longer needs";
    std::string line = waitSummary();
    EXPECT_EQ(field(line, "closed_by"), "upstream");
    EXPECT_EQ(field(line, "reason"), "end_of_stream");
    EXPECT_EQ(field(line, "bytes_to_client"), "12");
}

TEST_F(StreamPumpTest, UpstreamDyingMidChunkGivesSseClientTheTykErrorEvent)
{
    startPump();
    Peers s = adopt(sseSpec());
    ASSERT_TRUE(s.upstream.send(frame("data: ok\n\n") + "20\r\ndata: partial"));
    ASSERT_TRUE(s.client.readPayload(std::string("data: ok\n\ndata: partial").size()));
    s.upstream.close();
    ASSERT_TRUE(s.client.readToClose());
    EXPECT_EQ(s.client.payload(), "data: ok\n\ndata: partial" + kTykErrorEvent);
    /// Tyk's bytes go in a chunk of their own, followed by the terminal chunk.
    std::string tail = frame(kTykErrorEvent) + kTerminal;
    ASSERT_GE(s.client.raw().size(), tail.size());
    EXPECT_EQ(s.client.raw().substr(s.client.raw().size() - tail.size()), tail);
    std::string line = waitSummary();
    EXPECT_EQ(field(line, "closed_by"), "upstream");
    EXPECT_EQ(field(line, "reason"), "upstream_truncated");
    EXPECT_EQ(field(line, "events"), "1");
}

TEST_F(StreamPumpTest, UpstreamResetIsReportedAsSuch)
{
    startPump();
    Peers s = adopt(sseSpec());
    ASSERT_TRUE(s.upstream.send(frame("data: ok\n\n")));
    ASSERT_TRUE(s.client.readPayload(10));
    linger hard{1, 0}; /// close() now sends an RST
    ASSERT_EQ(::setsockopt(s.upstream.fd(), SOL_SOCKET, SO_LINGER, &hard, sizeof hard), 0);
    s.upstream.close();
    ASSERT_TRUE(s.client.readToClose());
    EXPECT_EQ(s.client.payload(), "data: ok\n\n" + kTykErrorEvent);
    EXPECT_TRUE(s.client.complete());
    EXPECT_EQ(field(waitSummary(), "reason"), "upstream_reset");
}

TEST_F(StreamPumpTest, MalformedChunkFramingEndsTheStreamAsBroken)
{
    startPump();
    Peers s = adopt(sseSpec());
    ASSERT_TRUE(s.upstream.send(frame("data: ok\n\n") + "zz\r\n"));
    ASSERT_TRUE(s.client.readToClose());
    EXPECT_EQ(s.client.payload(), "data: ok\n\n" + kTykErrorEvent);
    EXPECT_TRUE(s.client.complete());
    EXPECT_TRUE(s.upstream.readToClose(1000ms));
    EXPECT_EQ(field(waitSummary(), "reason"), "bad_chunk");
}

TEST_F(StreamPumpTest, ContentLengthBodyEndsAfterItsLength)
{
    startPump();
    StreamSpec spec = sseSpec();
    spec.sse = false;
    spec.upstream_framing = UpstreamFraming::ContentLength;
    spec.content_length = 11;
    spec.upstream_prefetched = "hello";
    Peers s = adopt(std::move(spec));
    ASSERT_TRUE(s.upstream.send(" world")); /// and the upstream keeps the connection open
    ASSERT_TRUE(s.client.readToClose());
    EXPECT_EQ(s.client.payload(), "hello world");
    EXPECT_TRUE(s.client.complete());
    EXPECT_TRUE(s.upstream.readToClose(1000ms));
    std::string line = waitSummary();
    EXPECT_EQ(field(line, "reason"), "end_of_stream");
    EXPECT_EQ(field(line, "events"), "0");
}

TEST_F(StreamPumpTest, EmptyContentLengthBodyEndsAtOnce)
{
    startPump();
    StreamSpec spec = sseSpec();
    spec.upstream_framing = UpstreamFraming::ContentLength;
    spec.content_length = 0;
    Peers s = adopt(std::move(spec));
    ASSERT_TRUE(s.client.readToClose());
    EXPECT_EQ(s.client.raw(), kTerminal);
}

TEST_F(StreamPumpTest, TruncatedNonSseBodyGetsNoTerminalChunk)
{
    startPump();
    StreamSpec spec = sseSpec();
    spec.sse = false;
    spec.upstream_framing = UpstreamFraming::ContentLength;
    spec.content_length = 100;
    Peers s = adopt(std::move(spec));
    ASSERT_TRUE(s.upstream.send("0123456789"));
    ASSERT_TRUE(s.client.readPayload(10));
    s.upstream.close();
    ASSERT_TRUE(s.client.readToClose());
    EXPECT_EQ(s.client.payload(), "0123456789");
    EXPECT_FALSE(s.client.complete()) << "a truncated body must not look complete";
    EXPECT_EQ(field(waitSummary(), "reason"), "upstream_truncated");
}

TEST_F(StreamPumpTest, CloseDelimitedUpstreamToRawClient)
{
    startPump();
    StreamSpec spec = sseSpec();
    spec.upstream_framing = UpstreamFraming::CloseDelimited;
    spec.client_framing = ClientFraming::Raw;
    spec.upstream_prefetched = "data: 0\r\n\r\n";
    Peers s = adopt(std::move(spec));
    ASSERT_TRUE(s.upstream.send("data: 1\n\n"));
    ASSERT_TRUE(s.client.readPayload(20));
    ASSERT_TRUE(s.upstream.send("data: 2\n"));
    ASSERT_TRUE(s.upstream.send("\n"));
    s.upstream.close();
    ASSERT_TRUE(s.client.readToClose());
    EXPECT_EQ(s.client.raw(), "data: 0\r\n\r\ndata: 1\n\ndata: 2\n\n");
    std::string line = waitSummary();
    EXPECT_EQ(field(line, "reason"), "end_of_stream");
    EXPECT_EQ(field(line, "events"), "3");
    EXPECT_EQ(field(line, "bytes_to_client"), "29");
}

TEST_F(StreamPumpTest, BackpressureStopsReadingTheUpstreamAndLosesNothing)
{
    settings_.client_buffer_limit = 64 * 1024;
    startPump();
    StreamSpec spec = sseSpec();
    spec.sse = false;
    Peers s = adopt(std::move(spec));

    /// The client reads nothing. Were the pump to buffer without bound, the upstream could write all 64 MB;
    /// with backpressure the kernel buffers fill and the upstream's sends hit EAGAIN after a few MB.
    constexpr size_t kPiece = 16 * 1024;
    constexpr size_t kCeiling = 64 * 1024 * 1024;
    s.upstream.setNonBlocking();
    size_t written = 0;
    std::string pending;
    bool stalled = false;
    auto flood_start = Clock::now();
    while (written < kCeiling && msSince(flood_start) < 3000)
    {
        if (pending.empty())
            pending = frame(pattern(written, kPiece));
        ssize_t n = ::send(s.upstream.fd(), pending.data(), pending.size(), MSG_NOSIGNAL);
        if (n > 0)
        {
            pending.erase(0, static_cast<size_t>(n));
            if (pending.empty())
                written += kPiece;
            continue;
        }
        ASSERT_TRUE(n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) << std::strerror(errno);
        pollfd p{s.upstream.fd(), POLLOUT, 0};
        if (::poll(&p, 1, 300) == 0)
        {
            stalled = true; /// no room for 300 ms: the pump is not reading
            break;
        }
    }
    ASSERT_TRUE(stalled) << "upstream wrote " << written << " bytes without ever blocking";
    EXPECT_LT(written, 32u * 1024 * 1024);

    /// Now the client reads; the upstream finishes its piece, sends 1 MB more and ends. Nothing may be lost.
    fcntl(s.upstream.fd(), F_SETFL, fcntl(s.upstream.fd(), F_GETFL) & ~O_NONBLOCK);
    size_t total = written + kPiece + 1024 * 1024;
    std::thread writer([&] {
        std::string rest = pending;
        for (size_t off = written + kPiece; off < total; off += kPiece)
            rest += frame(pattern(off, kPiece));
        s.upstream.send(rest + kTerminal);
    });
    bool got_all = s.client.readToClose(10000ms);
    writer.join();
    ASSERT_TRUE(got_all);
    ASSERT_EQ(s.client.payload().size(), total);
    EXPECT_TRUE(s.client.payload() == pattern(0, total)) << "payload differs";
    EXPECT_TRUE(s.client.complete());
    EXPECT_EQ(field(waitSummary(), "reason"), "end_of_stream");
}

TEST_F(StreamPumpTest, IdleUpstreamIsEndedCleanlyAfterTheIdleTimeout)
{
    settings_.upstream_idle_timeout = 300ms;
    startPump();
    Peers s = adopt(sseSpec());
    /// Activity keeps the stream alive past the timeout.
    auto last = Clock::now();
    for (int i = 0; i < 6; ++i)
    {
        std::this_thread::sleep_for(100ms);
        last = Clock::now();
        ASSERT_TRUE(s.upstream.send(frame("data: " + std::to_string(i) + "\n\n")));
    }
    EXPECT_TRUE(summaries().empty()) << "ended while the upstream was active";
    ASSERT_TRUE(s.client.readToClose(2000ms));
    EXPECT_GE(msSince(last), 250);
    EXPECT_TRUE(s.client.complete()) << "an idle stream ends like a clean one";
    EXPECT_EQ(s.client.payload().size(), 6u * 9);
    EXPECT_TRUE(s.upstream.readToClose(1000ms));
    std::string line = waitSummary();
    EXPECT_EQ(field(line, "closed_by"), "gateway");
    EXPECT_EQ(field(line, "reason"), "idle_timeout");
}

TEST_F(StreamPumpTest, ClientThatStopsReadingIsClosedAfterTheWriteTimeout)
{
    settings_.client_write_timeout = 300ms;
    settings_.upstream_idle_timeout = 0ms;
    startPump();
    StreamSpec spec = sseSpec();
    spec.sse = false;
    Peers s = adopt(std::move(spec));
    s.upstream.setNonBlocking();
    std::string piece = frame(pattern(0, 16 * 1024));
    std::string pending;
    auto start = Clock::now();
    /// Flood until the pump stops reading (its client queue is full and the client takes nothing).
    while (msSince(start) < 3000)
    {
        if (pending.empty())
            pending = piece;
        ssize_t n = ::send(s.upstream.fd(), pending.data(), pending.size(), MSG_NOSIGNAL);
        if (n > 0)
        {
            pending.erase(0, static_cast<size_t>(n));
            continue;
        }
        pollfd p{s.upstream.fd(), POLLOUT, 0};
        if (::poll(&p, 1, 100) == 0)
            break;
    }
    std::string line = waitSummary(1, 3000ms);
    EXPECT_EQ(field(line, "closed_by"), "client");
    EXPECT_EQ(field(line, "reason"), "write_stall");
    EXPECT_TRUE(s.upstream.readToClose(1000ms));
    EXPECT_TRUE(pump_->waitIdle(1000ms));
}

TEST_F(StreamPumpTest, HeartbeatsOnlyAtEventBoundaries)
{
    settings_.heartbeat_interval = 100ms;
    startPump();
    Peers s = adopt(sseSpec());
    ASSERT_TRUE(s.upstream.send(frame("data: a\n")));
    /// Mid-event for 400 ms: a ping now would split the event.
    s.client.readUntil([] { return false; }, 400ms);
    EXPECT_EQ(s.client.payload(), "data: a\n");
    ASSERT_TRUE(s.upstream.send(frame("\n")));
    ASSERT_TRUE(s.client.readPayload(std::string("data: a\n\n: ping\n\n").size(), 1000ms));
    ASSERT_TRUE(s.upstream.send(frame("data: b\n")));
    s.client.readUntil([] { return false; }, 300ms);
    ASSERT_TRUE(s.upstream.send(frame("\n")));
    s.client.readUntil([] { return false; }, 250ms);
    EXPECT_TRUE(std::regex_match(s.client.payload(), std::regex("data: a\n\n(: ping\n\n)+data: b\n\n(: ping\n\n)+")))
        << s.client.payload();
    s.client.close();
    EXPECT_EQ(field(waitSummary(), "events"), "2") << "heartbeats are not events";
}

TEST_F(StreamPumpTest, NoHeartbeatsOnNonSseStreams)
{
    settings_.heartbeat_interval = 50ms;
    startPump();
    StreamSpec spec = sseSpec();
    spec.sse = false;
    Peers s = adopt(std::move(spec));
    s.client.readUntil([] { return false; }, 300ms);
    EXPECT_EQ(s.client.raw(), "");
}

TEST_F(StreamPumpTest, CloseAllEndsEveryStreamWithTheTerminalChunkAndRefusesNewOnes)
{
    startPump();
    std::vector<Peers> streams;
    for (int i = 0; i < 3; ++i)
    {
        streams.push_back(adopt(sseSpec()));
        ASSERT_TRUE(streams.back().upstream.send(frame("data: " + std::to_string(i) + "\n\n")));
    }
    ASSERT_TRUE(streams[2].upstream.send("20\r\ndata: half"));
    for (Peers & s : streams)
        ASSERT_TRUE(s.client.readPayload(9));
    ASSERT_TRUE(streams[2].client.readPayload(19));

    pump_->closeAll("drain_deadline");
    for (Peers & s : streams)
    {
        ASSERT_TRUE(s.client.readToClose());
        EXPECT_TRUE(s.client.complete()) << "EventSource reconnects only after a clean end";
        EXPECT_EQ(s.client.raw().substr(s.client.raw().size() - kTerminal.size()), kTerminal);
        EXPECT_TRUE(s.upstream.readToClose(1000ms));
    }
    EXPECT_TRUE(pump_->waitIdle(2000ms));
    EXPECT_EQ(pump_->activeStreams(), 0u);
    ASSERT_EQ(summaries().size(), 3u);
    for (const std::string & line : summaries())
    {
        EXPECT_EQ(field(line, "closed_by"), "gateway");
        EXPECT_EQ(field(line, "reason"), "drain_deadline");
    }

    auto [client_pump_end, client_test_end] = connectPair();
    auto [upstream_pump_end, upstream_test_end] = connectPair();
    StreamSpec late = sseSpec();
    late.client = client_pump_end;
    late.upstream = upstream_pump_end;
    EXPECT_FALSE(pump_->adopt(std::move(late)));
    Peer refused_client(client_test_end, true);
    EXPECT_TRUE(refused_client.readToClose(1000ms)) << "a refused stream's sockets are closed";
    EXPECT_EQ(pump_->activeStreams(), 0u);
}

TEST_F(StreamPumpTest, CloseAllGivesAClientThatDoesNotReadAboutOneSecond)
{
    startPump();
    StreamSpec spec = sseSpec();
    spec.sse = false;
    Peers s = adopt(std::move(spec));
    s.upstream.setNonBlocking();
    std::string piece = frame(pattern(0, 16 * 1024));
    std::string pending;
    auto start = Clock::now();
    while (msSince(start) < 3000) /// fill every buffer: the client reads nothing
    {
        if (pending.empty())
            pending = piece;
        ssize_t n = ::send(s.upstream.fd(), pending.data(), pending.size(), MSG_NOSIGNAL);
        if (n > 0)
        {
            pending.erase(0, static_cast<size_t>(n));
            continue;
        }
        pollfd p{s.upstream.fd(), POLLOUT, 0};
        if (::poll(&p, 1, 100) == 0)
            break;
    }
    auto closing = Clock::now();
    pump_->closeAll("shutdown");
    EXPECT_TRUE(s.upstream.readToClose(500ms)) << "the upstream is closed at once, not after the flush";
    std::string line = waitSummary(1, 3000ms);
    EXPECT_GE(msSince(closing), 900);
    EXPECT_LE(msSince(closing), 1600);
    EXPECT_EQ(field(line, "closed_by"), "gateway");
    EXPECT_EQ(field(line, "reason"), "shutdown");
    EXPECT_TRUE(s.client.readToClose(5000ms));
    EXPECT_TRUE(pump_->waitIdle(100ms));
}

TEST_F(StreamPumpTest, TunnelRelaysBothWaysAndPassesHalfCloseOn)
{
    startPump();
    StreamSpec spec = sseSpec();
    spec.sse = false;
    spec.upstream_framing = UpstreamFraming::Tunnel;
    spec.client_framing = ClientFraming::Raw;
    spec.client_prefetched = "hello";
    spec.upstream_prefetched = "HI";
    Peers s = adopt(std::move(spec));
    ASSERT_TRUE(s.upstream.readPayload(5));
    ASSERT_TRUE(s.client.readPayload(2));
    ASSERT_TRUE(s.client.send(" ping"));
    ASSERT_TRUE(s.upstream.readPayload(10));
    EXPECT_EQ(s.upstream.payload(), "hello ping");
    ASSERT_TRUE(s.upstream.send(" pong"));
    ASSERT_TRUE(s.client.readPayload(7));

    s.client.shutdownWrite();
    ASSERT_TRUE(s.upstream.readToClose(1000ms)) << "the client's FIN reaches the upstream";
    ASSERT_TRUE(s.upstream.send(" bye")); /// the other direction still works
    ASSERT_TRUE(s.client.readPayload(11));
    EXPECT_EQ(s.client.payload(), "HI pong bye");
    EXPECT_FALSE(s.client.closed());
    s.upstream.close();
    ASSERT_TRUE(s.client.readToClose(1000ms));
    std::string line = waitSummary();
    EXPECT_EQ(field(line, "closed_by"), "client");
    EXPECT_EQ(field(line, "reason"), "client_closed");
    EXPECT_EQ(field(line, "bytes_from_client"), "10");
    EXPECT_EQ(field(line, "bytes_to_client"), "11");
}

TEST_F(StreamPumpTest, StopClosesRemainingStreamsAbruptly)
{
    startPump();
    Peers s = adopt(sseSpec());
    ASSERT_TRUE(s.upstream.send(frame("data: x\n\n")));
    ASSERT_TRUE(s.client.readPayload(9));
    pump_->stop();
    EXPECT_EQ(pump_->activeStreams(), 0u);
    EXPECT_TRUE(s.client.readToClose(1000ms));
    EXPECT_FALSE(s.client.complete());
    EXPECT_TRUE(s.upstream.readToClose(1000ms));
    EXPECT_EQ(field(waitSummary(), "reason"), "pump_stopped");
}

TEST_F(StreamPumpTest, RelaysAThousandConcurrentStreams)
{
    constexpr size_t kStreams = 1000;
    rlimit rl{};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &rl), 0);
    if (rl.rlim_cur < kStreams * 4 + 100)
    {
        rl.rlim_cur = std::min<rlim_t>(rl.rlim_max, kStreams * 4 + 100);
        ::setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur < kStreams * 4 + 100)
        GTEST_SKIP() << "RLIMIT_NOFILE too low for " << kStreams << " streams";

    startPump();
    std::vector<Peers> streams;
    streams.reserve(kStreams);
    for (size_t i = 0; i < kStreams; ++i)
        streams.push_back(adopt(sseSpec()));
    for (size_t i = 0; i < kStreams; ++i)
        ASSERT_TRUE(streams[i].upstream.send(frame("data: " + std::to_string(i) + "\n\n")));
    for (size_t i = 0; i < kStreams; ++i)
        ASSERT_TRUE(streams[i].client.readPayload(std::to_string(i).size() + 8)) << "stream " << i;
    EXPECT_EQ(pump_->activeStreams(), kStreams);
    for (size_t i = 0; i < kStreams; ++i)
        ASSERT_TRUE(streams[i].upstream.send(kTerminal));
    for (size_t i = 0; i < kStreams; ++i)
    {
        ASSERT_TRUE(streams[i].client.readToClose()) << "stream " << i;
        ASSERT_EQ(streams[i].client.payload(), "data: " + std::to_string(i) + "\n\n");
        ASSERT_TRUE(streams[i].client.complete());
    }
    EXPECT_TRUE(pump_->waitIdle(3000ms));
    EXPECT_EQ(pump_->activeStreams(), 0u);
    EXPECT_EQ(summaries().size(), kStreams);
}
