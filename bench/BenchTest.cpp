/// Tests of the benchmark tools themselves: a benchmark that miscounts is worse than none.

#include "bench/BenchSocket.h"
#include "bench/ChunkedSseParser.h"
#include "bench/LatencyStats.h"
#include "bench/ProcessSampler.h"
#include "bench/SseClient.h"
#include "bench/SseEmitter.h"

#include <gtest/gtest.h>

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <csignal>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace sluice::bench
{
namespace
{

std::string chunk(const std::string & body)
{
    char size[16];
    std::snprintf(size, sizeof(size), "%zx\r\n", body.size());
    return size + body + "\r\n";
}

std::string event(int64_t sent_ns, uint64_t seq)
{
    return "id: " + std::to_string(seq) + "\ndata: " + std::to_string(sent_ns) + " " + std::to_string(seq) + " xx\n\n";
}

/// A proxy may re-frame the body however it likes, so every split point must give the same events.
TEST(ChunkedSseParser, FindsTheSameEventsWhereverTheBytesAreSplit)
{
    std::string body = chunk(event(111, 1) + event(222, 2).substr(0, 9)) + chunk(event(222, 2).substr(9))
        + chunk(": ping\n\n") + chunk(event(333, 3)) + "0\r\n\r\n";
    for (size_t piece = 1; piece <= body.size(); ++piece)
    {
        ChunkedSseParser parser;
        std::vector<SseSample> samples;
        for (size_t at = 0; at < body.size(); at += piece)
            ASSERT_TRUE(parser.feed(body.data() + at, std::min(piece, body.size() - at), samples)) << parser.error();
        ASSERT_EQ(samples.size(), 3u) << "piece " << piece;
        EXPECT_EQ(samples[0].sent_ns, 111);
        EXPECT_EQ(samples[1].seq, 2u);
        EXPECT_EQ(samples[2].sent_ns, 333);
        EXPECT_TRUE(parser.finished());
    }
}

TEST(ChunkedSseParser, AcceptsCrlfEventsChunkExtensionsAndRawBodies)
{
    std::vector<SseSample> samples;
    ChunkedSseParser chunked;
    std::string crlf = "data: 5 7 pad\r\n\r\n";
    ASSERT_TRUE(chunked.feed(("11;ext=1\r\n" + crlf + "\r\n").data(), 10 + crlf.size() + 2, samples));
    ChunkedSseParser raw(false);
    std::string raw_body = event(9, 8) + "data: no numbers here\n\n";
    ASSERT_TRUE(raw.feed(raw_body.data(), raw_body.size(), samples));
    ASSERT_EQ(samples.size(), 3u);
    EXPECT_EQ(samples[0].seq, 7u);
    EXPECT_EQ(samples[1].sent_ns, 9);
    EXPECT_EQ(samples[2].sent_ns, -1); /// an event, but not one of ours
}

TEST(ChunkedSseParser, RejectsBrokenFraming)
{
    std::vector<SseSample> samples;
    ChunkedSseParser bad_size;
    EXPECT_FALSE(bad_size.feed("zz\r\nhello", 9, samples));
    EXPECT_NE(bad_size.error().find("chunk-size"), std::string::npos);
    ChunkedSseParser missing_crlf;
    EXPECT_FALSE(missing_crlf.feed("2\r\nabX", 6, samples));
    EXPECT_FALSE(missing_crlf.feed("\r\n", 2, samples)); /// stays failed
}

TEST(LatencyStats, UsesNearestRankPercentiles)
{
    std::vector<int64_t> samples;
    for (int64_t ms = 100; ms >= 1; --ms)
        samples.push_back(ms * 1'000'000);
    LatencySummary summary = summarizeLatencies(samples);
    EXPECT_EQ(summary.count, 100u);
    EXPECT_DOUBLE_EQ(summary.p50_ms, 50);
    EXPECT_DOUBLE_EQ(summary.p90_ms, 90);
    EXPECT_DOUBLE_EQ(summary.p99_ms, 99);
    EXPECT_DOUBLE_EQ(summary.p999_ms, 100);
    EXPECT_DOUBLE_EQ(summary.max_ms, 100);
    EXPECT_DOUBLE_EQ(summary.mean_ms, 50.5);
    EXPECT_EQ(summarizeLatencies({}).count, 0u);
}

TEST(ProcessSampler, ParsesProcFilesEvenWithAwkwardCommandNames)
{
    std::string stat = "42 (a b) c) S 1 42 42 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 1 0";
    EXPECT_EQ(ProcessSampler::parseCpuTicks(stat), 325);
    EXPECT_EQ(ProcessSampler::parseCpuTicks("garbage"), -1);
    EXPECT_EQ(ProcessSampler::parseVmRssKb("Name:\tx\nVmRSS:\t   1234 kB\nRssAnon: 1 kB\n"), 1234);
    EXPECT_EQ(ProcessSampler::parseVmRssKb("Name:\tkthreadd\n"), -1);
    EXPECT_EQ(ProcessSampler::parsePidList("12,34\n56 "), (std::vector<pid_t>{12, 34, 56}));
    EXPECT_THROW(ProcessSampler::parsePidList("12,abc"), std::invalid_argument);
    EXPECT_EQ(ProcessSampler::parseBusyTicks("cpu  10 1 5 1000 7 2 3 4 0 0\ncpu0 1 1 1 1 1 1 1 1 0 0\n"), 25);
    EXPECT_EQ(ProcessSampler::parseBusyTicks("intr 1 2 3"), -1);
}

TEST(ProcessSampler, SumsAProcessAndItsChildren)
{
    pid_t child = ::fork();
    ASSERT_NE(child, -1);
    if (child == 0)
    {
        ::pause();
        ::_exit(0);
    }
    ProcessSampler alone({::getpid()}, false);
    ProcessSampler tree({::getpid()}, true);
    ProcessSampler::Sample one = alone.sample();
    ProcessSampler::Sample both = tree.sample();
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    EXPECT_EQ(one.processes, 1u);
    EXPECT_GT(one.rss_kb, 0);
    EXPECT_EQ(both.processes, 2u);
    EXPECT_GT(both.rss_kb, one.rss_kb);
}

/// Runs an emitter on 127.0.0.1:0 in a thread until destroyed.
class EmitterThread
{
public:
    explicit EmitterThread(int interval_ms, bool event_on_connect = false) : stop_fd_(::eventfd(0, EFD_CLOEXEC))
    {
        EmitterOptions options;
        options.address = parseHostPort("127.0.0.1:0");
        options.interval_ms = interval_ms;
        options.event_bytes = 200;
        options.event_on_connect = event_on_connect;
        emitter_ = std::make_unique<SseEmitter>(options);
        thread_ = std::thread([this] { emitter_->run(stop_fd_, monotonicNs() + 30'000'000'000); });
    }
    ~EmitterThread()
    {
        uint64_t one = 1;
        EXPECT_EQ(::write(stop_fd_, &one, sizeof(one)), 8);
        thread_.join();
        ::close(stop_fd_);
    }
    uint16_t port() const { return emitter_->port(); }
    const EmitterStats & stats() const { return emitter_->stats(); }

private:
    int stop_fd_;
    std::unique_ptr<SseEmitter> emitter_;
    std::thread thread_;
};

ClientOptions clientFor(uint16_t port, size_t streams, int duration_s, int interval_ms)
{
    ClientOptions options;
    options.target_text = "127.0.0.1:" + std::to_string(port);
    options.target = parseHostPort(options.target_text);
    options.path = "/events";
    options.streams = streams;
    options.duration_s = duration_s;
    options.ramp = 7;
    options.ramp_timeout_s = 10;
    options.interval_ms = interval_ms;
    return options;
}

TEST(EmitterAndClient, EveryStreamGetsEveryEventInOrderAndQuickly)
{
    EmitterThread emitter(50);
    SseClient client(clientFor(emitter.port(), 30, 1, 50));
    ClientResult result = client.run();
    EXPECT_EQ(result.established, 30u);
    EXPECT_EQ(result.failed, 0u);
    EXPECT_EQ(result.ended_early, 0u);
    EXPECT_EQ(result.eventsLost(), 0u);
    EXPECT_EQ(result.out_of_order, 0u);
    EXPECT_EQ(result.unparsed, 0u);
    /// 30 streams x 20 events/s x 1 s. The edges of the hold cut about one event per stream either way,
    /// and a starved emitter skips ticks rather than bursting, so the lower bound leaves room for a busy CI box.
    EXPECT_GE(result.events_hold, 30u * 15);
    EXPECT_LE(result.events_hold, 30u * 22);
    EXPECT_EQ(result.latency.count, result.events_hold);
    EXPECT_GT(result.latency.p50_ms, 0);
    EXPECT_LT(result.latency.p50_ms, 20);
    EXPECT_EQ(emitter.stats().peak_streams.load(), 30u);
}

/// With an event on connect and every connect at once, the client times "every stream is live".
TEST(EmitterAndClient, TimesTheFirstEventOfEveryStreamFromTheRampStart)
{
    EmitterThread emitter(10'000, true);
    ClientOptions options = clientFor(emitter.port(), 40, 0, 10'000);
    options.ramp = 40;
    SseClient client(options);
    ClientResult result = client.run();
    EXPECT_EQ(result.established, 40u);
    EXPECT_EQ(result.streams_with_event, 40u);
    EXPECT_EQ(result.first_event.count, 40u);
    EXPECT_GT(result.first_event_all_s, 0);
    EXPECT_LT(result.first_event_all_s, 5);
    EXPECT_LE(result.headers_all_s, result.ramp_s);
    EXPECT_LE(result.first_event.p50_ms, result.first_event_all_s * 1e3);
}

int connectTo(uint16_t port)
{
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address = parseHostPort("127.0.0.1:" + std::to_string(port));
    if (fd != -1 && ::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof(address)) == -1)
    {
        ::close(fd);
        return -1;
    }
    return fd;
}

/// Reads until `enough` holds for what arrived, the peer closes, or 5 s pass.
std::string receiveUntil(int fd, const std::function<bool(const std::string &)> & enough)
{
    std::string text;
    int64_t deadline_ns = monotonicNs() + 5'000'000'000;
    while (!enough(text) && monotonicNs() < deadline_ns)
    {
        pollfd ready{fd, POLLIN, 0};
        if (::poll(&ready, 1, 100) != 1)
            continue;
        char buffer[4096];
        ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
        if (n <= 0)
            break;
        text.append(buffer, static_cast<size_t>(n));
    }
    return text;
}

size_t countOf(const std::string & text, const std::string & needle)
{
    size_t count = 0;
    for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
        ++count;
    return count;
}

/// The plain-request benchmark counts on the upstream: keep-alive, pipelining, exact bodies, honest counters.
TEST(Emitter, AnswersPlainRequestsOnOneKeepAliveConnectionAndCountsThem)
{
    EmitterThread emitter(1000);
    int fd = connectTo(emitter.port());
    ASSERT_NE(fd, -1);
    std::string two = "GET /plain/a HTTP/1.1\r\nHost: x\r\n\r\nGET /plain/b HTTP/1.1\r\nHost: x\r\n\r\n";
    ASSERT_EQ(::send(fd, two.data(), two.size(), MSG_NOSIGNAL), static_cast<ssize_t>(two.size()));
    std::string body(100, 'p');
    std::string replies = receiveUntil(fd, [&](const std::string & text) { return countOf(text, body) == 2; });
    EXPECT_EQ(countOf(replies, "HTTP/1.1 200 OK\r\n"), 2u);
    EXPECT_EQ(countOf(replies, "Content-Length: 100\r\n\r\n" + body), 2u);
    std::string last = "GET /plain/c HTTP/1.1\r\nHost: x\r\nconnection: Close\r\n\r\n";
    ASSERT_EQ(::send(fd, last.data(), last.size(), MSG_NOSIGNAL), static_cast<ssize_t>(last.size()));
    std::string closing = receiveUntil(fd, [](const std::string &) { return false; }); /// until the emitter closes
    EXPECT_EQ(countOf(closing, body), 1u);
    EXPECT_EQ(countOf(closing, "\r\nConnection: close\r\n"), 1u);
    ::close(fd);

    int stats_fd = connectTo(emitter.port());
    ASSERT_NE(stats_fd, -1);
    std::string ask = "GET /_stats HTTP/1.1\r\nHost: x\r\n\r\n";
    ASSERT_EQ(::send(stats_fd, ask.data(), ask.size(), MSG_NOSIGNAL), static_cast<ssize_t>(ask.size()));
    std::string stats = receiveUntil(stats_fd, [](const std::string &) { return false; });
    ::close(stats_fd);
    EXPECT_NE(stats.find("{\"accepted\":2,\"plain_requests\":3,\"open_streams\":0,"), std::string::npos) << stats;
    EXPECT_EQ(emitter.stats().plain_requests.load(), 3u);
}

TEST(EmitterAndClient, ReportsRefusedConnections)
{
    int fd = listenTcp(parseHostPort("127.0.0.1:0"), 1);
    uint16_t port = localPort(fd);
    ::close(fd); /// nothing listens there now
    SseClient client(clientFor(port, 3, 0, 1000));
    ClientResult result = client.run();
    EXPECT_EQ(result.established, 0u);
    EXPECT_EQ(result.failed, 3u);
    EXPECT_EQ(result.failures["connect: Connection refused"], 3u);
}

/// An upstream that skips sequence numbers and then hangs up must show up as loss, not as silence.
TEST(EmitterAndClient, CountsGapsAndStreamsThatEndEarly)
{
    int listen_fd = listenTcp(parseHostPort("127.0.0.1:0"), 4);
    uint16_t port = localPort(listen_fd);
    std::thread upstream([listen_fd] {
        pollfd ready{listen_fd, POLLIN, 0};
        ASSERT_EQ(::poll(&ready, 1, 5000), 1);
        int fd = ::accept(listen_fd, nullptr, nullptr);
        ASSERT_NE(fd, -1);
        char request[1024];
        ASSERT_GT(::recv(fd, request, sizeof(request), 0), 0);
        std::string reply = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        for (uint64_t seq : {1, 2, 5})
            reply += chunk(event(monotonicNs(), seq));
        ASSERT_EQ(::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL), static_cast<ssize_t>(reply.size()));
        ::close(fd);
    });
    SseClient client(clientFor(port, 1, 1, 100));
    ClientResult result = client.run();
    upstream.join();
    ::close(listen_fd);
    EXPECT_EQ(result.established, 1u);
    EXPECT_EQ(result.events_total, 3u);
    EXPECT_EQ(result.lost_gaps, 2u);
    EXPECT_EQ(result.ended_early, 1u);
    EXPECT_GE(result.lost_early_estimate, 8u); /// about 1 s of 100 ms events missed
    EXPECT_EQ(result.eventsLost(), result.lost_gaps + result.lost_early_estimate);
}

}
}
