/// Issue 3 (b) and (c): open SSE streams across reloads. A stream stays on the generation that accepted it and
/// keeps flowing, event by event, until the drain deadline; then it ends with the terminal chunk (so EventSource
/// reconnects with Last-Event-ID). New requests after a reload see the new config, old streams keep their old
/// upstream.

#include "support/GatewayTest.h"
#include "support/ReloadSteps.h"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <regex>
#include <thread>

namespace sluice::test
{
namespace
{

/// Sends numbered events to every open upstream stream every `period` until stopped, remembering when each was
/// written, so a test can tell which events were sent before a deadline.
class EventTicker
{
public:
    EventTicker(FakeUpstream & upstream, Millis period) : upstream_(upstream), period_(period) {}
    ~EventTicker() { stop(); }

    void start()
    {
        thread_ = std::thread([this] {
            const auto give_up = Clock::now() + Millis(20000); /// bounded even if the test never stops it
            while (!stop_ && Clock::now() < give_up)
            {
                int n = static_cast<int>(sent_.size()) + 1;
                auto at = upstream_.sendEvent(numberedEvent(n));
                if (at)
                {
                    std::lock_guard lock(mutex_);
                    sent_.push_back(*at);
                }
                std::this_thread::sleep_for(period_);
            }
        });
    }
    void stop()
    {
        stop_ = true;
        if (thread_.joinable())
            thread_.join();
    }
    /// The highest event number written before `deadline` (0 if none).
    int lastSentBefore(Clock::time_point deadline) const
    {
        std::lock_guard lock(mutex_);
        int last = 0;
        for (size_t i = 0; i < sent_.size(); ++i)
            if (sent_[i] < deadline)
                last = static_cast<int>(i) + 1;
        return last;
    }
    int sent() const
    {
        std::lock_guard lock(mutex_);
        return static_cast<int>(sent_.size());
    }

private:
    FakeUpstream & upstream_;
    Millis period_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    mutable std::mutex mutex_;
    std::vector<Clock::time_point> sent_;
};

class ReloadStreams : public GatewayTest
{
protected:
    void SetUp() override
    {
        upstream_.on("/events/", UpstreamReply::sse());
        upstream_.on("/plain", UpstreamReply::text(200, "from upstream one"));
        second_.on("/events/", UpstreamReply::sse());
        second_.on("/plain", UpstreamReply::text(200, "from upstream two"));
    }
    /// The gateway goes first: its teardown must still see both upstreams.
    void TearDown() override { sluice_.reset(); }

    std::string plainBody()
    {
        HttpTestClient::Exchange reply;
        auto ok = HttpTestClient::exchange(port(), HttpTestClient::getRequest("/sse/plain"), reply, Millis(3000));
        if (!ok)
            return ok.message();
        return std::to_string(reply.head.status) + " " + reply.body;
    }

    FakeUpstream second_;
};

TEST_F(ReloadStreams, HundredStreamsSurviveFiveReloadsUntilTheDrainDeadline)
{
    constexpr int kStreams = 100;
    constexpr int kDrainS = 3;
    SluiceOptions options;
    options.drain_timeout_s = kDrainS;
    ASSERT_TRUE(startGateway(options));

    std::vector<std::unique_ptr<HttpTestClient>> clients;
    for (int i = 0; i < kStreams; ++i)
    {
        clients.push_back(std::make_unique<HttpTestClient>(port()));
        ASSERT_TRUE(clients.back()->send(curlRequest("/sse/events/?client=" + std::to_string(i), port())));
    }
    for (auto & client : clients)
    {
        ASSERT_TRUE(client->readHead(Millis(5000)));
        ASSERT_EQ(200, client->head().status);
    }
    ASSERT_TRUE(upstream_.waitForStreams(kStreams, Millis(5000)));

    EventTicker ticker(upstream_, Millis(20));
    ticker.start();
    ASSERT_TRUE(waitFor([&] { return ticker.sent() >= 5; }, Millis(2000), "the first events"));
    /// Generation 1 (every stream) starts draining when generation 2 is ready; the deadline runs from there.
    ASSERT_TRUE(reloadBySignal(*sluice_, 2));
    const auto drain_started = Clock::now();
    for (unsigned generation = 3; generation <= 6; ++generation)
    {
        std::this_thread::sleep_for(Millis(150));
        ASSERT_TRUE(reloadBySignal(*sluice_, generation));
    }
    /// The newest generation serves while generation 1 still streams.
    EXPECT_EQ("200 from upstream one", plainBody());

    const auto deadline = drain_started + Millis(kDrainS * 1000);
    std::this_thread::sleep_until(deadline + Millis(1500));
    ticker.stop();
    /// Events written up to shortly before the deadline reached every stream (the master's "ready" line comes a
    /// little after the worker's drain started, hence the margin).
    const int must_have = ticker.lastSentBefore(deadline - Millis(300));
    ASSERT_GT(must_have, 100) << "the ticker fell behind";
    for (int i = 0; i < kStreams; ++i)
    {
        HttpTestClient & client = *clients[i];
        ASSERT_TRUE(client.readBody(Millis(2000))) << "stream " << i << " did not end cleanly";
        EXPECT_TRUE(client.terminalChunkSeen()) << "stream " << i;
        std::vector<int> ids = eventIds(client.body());
        EXPECT_EQ("", sequenceProblem(ids, 1)) << "stream " << i;
        ASSERT_FALSE(ids.empty()) << "stream " << i;
        EXPECT_GE(ids.back(), must_have) << "stream " << i << " was cut before the drain deadline";
        EXPECT_TRUE(client.waitEof(Millis(1000))) << "stream " << i;
    }
    EXPECT_EQ(static_cast<size_t>(kStreams), sluice_->countLog("closed_by=gateway reason=drain_deadline"));
    /// Both generation-1 workers waited for the full deadline, then closed their share of the streams.
    const std::regex drained_re(R"(worker drained pid=\d+ generation=1 streams_closed_at_deadline=(\d+) elapsed_ms=(\d+))");
    int closed = 0;
    for (const auto & line : logMatches(*sluice_, "worker drained pid=\\d+ generation=1 "))
    {
        std::smatch match;
        ASSERT_TRUE(std::regex_search(line, match, drained_re)) << line;
        closed += std::stoi(match[1].str());
        EXPECT_GE(std::stoi(match[2].str()), kDrainS * 1000) << line;
        EXPECT_LE(std::stoi(match[2].str()), kDrainS * 1000 + 1500) << line;
    }
    EXPECT_EQ(kStreams, closed);
    EXPECT_EQ(0u, sluice_->countLog("missed its drain deadline"));
    EXPECT_TRUE(sluice_->waitForWorkers(2, Millis(2000)));
}

TEST_F(ReloadStreams, NewTargetServesNewRequestsWhileOldStreamsKeepTheirUpstream)
{
    SluiceOptions options;
    options.drain_timeout_s = 3;
    ASSERT_TRUE(startGateway(options));
    std::unique_ptr<HttpTestClient> old_stream;
    ASSERT_TRUE(openStream(old_stream));
    ASSERT_TRUE(relayEvent(*old_stream, numberedEvent(1)));
    EXPECT_EQ("200 from upstream one", plainBody());

    sluice_->addApi("sse", "/sse/", second_.url());
    sluice_->writeConfig();
    ASSERT_TRUE(reloadBySignal(*sluice_, 2));
    const auto drain_started = Clock::now();

    size_t one_requests = upstream_.requests().size();
    for (int i = 0; i < 10; ++i)
        EXPECT_EQ("200 from upstream two", plainBody()) << "request " << i << " after the reload";
    EXPECT_EQ(one_requests, upstream_.requests().size()) << "a new request still went to upstream one";

    std::unique_ptr<HttpTestClient> new_stream = std::make_unique<HttpTestClient>(port());
    ASSERT_TRUE(new_stream->send(curlRequest("/sse/events/", port())));
    ASSERT_TRUE(new_stream->readHead());
    ASSERT_EQ(200, new_stream->head().status);
    ASSERT_TRUE(second_.waitForStreams(1, Millis(2000)));
    EXPECT_EQ(1u, upstream_.streamCount()) << "the new stream went to upstream one";

    /// The old stream is still upstream one's, and only upstream one's.
    ASSERT_TRUE(relayEvent(*old_stream, numberedEvent(2)));
    std::string from_two = "id: 900\ndata: from upstream two\n\n";
    ASSERT_TRUE(second_.sendEvent(from_two));
    ASSERT_TRUE(new_stream->readUntil(from_two, Millis(2000)));
    ASSERT_TRUE(relayEvent(*old_stream, numberedEvent(3)));
    EXPECT_EQ(numberedEvent(1) + numberedEvent(2) + numberedEvent(3), old_stream->body());
    EXPECT_EQ(from_two, new_stream->body());

    /// At the deadline the old stream ends cleanly; the new one goes on.
    ASSERT_TRUE(old_stream->readBody(Millis(3000 + 1500)));
    EXPECT_TRUE(old_stream->terminalChunkSeen());
    EXPECT_GE(elapsedMs(drain_started, Clock::now()), 2700.0) << "the old stream ended before its drain deadline";
    std::string later = "id: 901\ndata: still flowing\n\n";
    ASSERT_TRUE(second_.sendEvent(later));
    EXPECT_TRUE(new_stream->readUntil(from_two + later, Millis(2000)));
    EXPECT_FALSE(new_stream->eof());
}

}
}
