/// The pump's timers on live SSE streams: `sluice.heartbeat_interval` sends `: ping` comments to an
/// idle client, only between events; `sluice.stream_idle_timeout` ends a stream whose upstream has
/// gone silent, cleanly (terminal chunk) and with a summary line saying why.

#include "support/GatewayTest.h"

#include <thread>

namespace sluice::test
{
namespace
{

constexpr const char * kPing = ": ping\n\n";

class Heartbeat : public GatewayTest
{
protected:
    void SetUp() override
    {
        upstream_.on("/events/", UpstreamReply::sse());
        SluiceOptions options;
        options.gateway_extra_json = R"({"sluice": {"heartbeat_interval": 1}})";
        ASSERT_TRUE(startGateway(options));
    }
};

TEST_F(Heartbeat, IdleStreamGetsAPingChunkAboutEverySecond)
{
    std::unique_ptr<HttpTestClient> client;
    ASSERT_TRUE(openStream(client));
    std::string event = issueEvent(1);
    ASSERT_TRUE(relayEvent(*client, event));
    ASSERT_TRUE(client->readUntil(event + kPing + kPing, Millis(3000)));

    const auto & pieces = client->pieces();
    ASSERT_EQ(3u, pieces.size()) << client->raw();
    EXPECT_EQ(event, pieces[0].data);
    for (size_t i = 1; i < pieces.size(); ++i)
    {
        /// Each heartbeat is its own chunk, an SSE comment, so EventSource clients ignore it.
        EXPECT_EQ(kPing, pieces[i].data) << "piece " << i;
        double gap = elapsedMs(pieces[i - 1].at, pieces[i].at);
        EXPECT_GE(gap, 900.0) << "piece " << i;
        EXPECT_LE(gap, 1700.0) << "piece " << i;
    }
    /// Heartbeats are not events.
    client->close();
    std::string line;
    ASSERT_TRUE(sluice_->waitForLogRegex(R"(stream end api=sse .*closed_by=client)", Millis(2000), &line));
    EXPECT_NE(std::string::npos, line.find(" events=1 ")) << line;
}

TEST_F(Heartbeat, NoPingInsideAnEvent)
{
    std::unique_ptr<HttpTestClient> client;
    ASSERT_TRUE(openStream(client));
    const std::string first_half = "event: tick\ndata: first half";
    const std::string second_half = ", second half\n\n";
    ASSERT_TRUE(relayEvent(*client, first_half));
    /// 2.5 heartbeat intervals of silence in the middle of an event: a ping here would corrupt it.
    std::this_thread::sleep_for(Millis(2500));
    ASSERT_TRUE(relayEvent(*client, second_half));
    EXPECT_EQ(first_half + second_half, client->body()) << "raw:\n" << client->raw();

    /// At the event boundary the heartbeat resumes.
    auto resumed_from = Clock::now();
    ASSERT_TRUE(client->readUntil(first_half + second_half + kPing, Millis(2000)));
    EXPECT_LE(elapsedMs(resumed_from, client->pieces().back().at), 1700.0);
}

class IdleTimeout : public GatewayTest
{
protected:
    void SetUp() override
    {
        upstream_.on("/events/", UpstreamReply::sse());
        SluiceOptions options;
        options.gateway_extra_json = R"({"sluice": {"stream_idle_timeout": 1}})";
        ASSERT_TRUE(startGateway(options));
    }
};

TEST_F(IdleTimeout, SilentUpstreamStreamIsEndedAfterAboutOneSecond)
{
    std::unique_ptr<HttpTestClient> client;
    ASSERT_TRUE(openStream(client));
    /// Events 400 ms apart keep the stream alive well past the 1 s timeout.
    std::string written;
    Clock::time_point last_write;
    for (int n = 1; n <= 4; ++n)
    {
        if (n > 1)
            std::this_thread::sleep_for(Millis(400));
        std::string event = issueEvent(n);
        written += event;
        last_write = Clock::now();
        ASSERT_TRUE(relayEvent(*client, event)) << "event " << n << " (the stream ended while active)";
    }
    ASSERT_TRUE(client->readBody(Millis(3000)));
    double silent_for = elapsedMs(last_write, Clock::now());
    EXPECT_TRUE(client->terminalChunkSeen()) << client->raw();
    EXPECT_EQ(written, client->body());
    EXPECT_GE(silent_for, 900.0);
    EXPECT_LE(silent_for, 2000.0);
    EXPECT_TRUE(client->waitEof(Millis(1000)));
    EXPECT_TRUE(upstream_.waitForPeerClose(0, Millis(1000)));
    std::string line;
    ASSERT_TRUE(sluice_->waitForLogRegex(R"(stream end api=sse method=GET path=/sse/events/ .*closed_by=gateway reason=idle_timeout)",
                                         Millis(2000), &line));
    EXPECT_NE(std::string::npos, line.find(" events=4 ")) << line;
}

}
}
