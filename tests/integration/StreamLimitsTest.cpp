/// `sluice.max_streams_per_worker`: a worker at its stream limit refuses the next stream with a 503
/// and Tyk's JSON error body (never an RST or a silent queue, design.md §7), and serves streams again
/// as soon as one ends.

#include "support/GatewayTest.h"

namespace sluice::test
{
namespace
{

constexpr const char * kUnavailable = "{\n    \"error\": \"Service temporarily unavailable.\"\n}";

class StreamLimits : public GatewayTest
{
protected:
    void SetUp() override
    {
        upstream_.on("/events/", UpstreamReply::sse());
        SluiceOptions options;
        options.worker_processes = 1; /// one worker, so the limit of 1 is the whole gateway's
        options.gateway_extra_json = R"({"sluice": {"max_streams_per_worker": 1}})";
        ASSERT_TRUE(startGateway(options));
    }

    /// Asks for a stream; returns the client with its response head read.
    std::unique_ptr<HttpTestClient> askForStream()
    {
        auto client = std::make_unique<HttpTestClient>(port());
        EXPECT_TRUE(client->connected());
        EXPECT_TRUE(client->send(curlRequest("/sse/events/", port())));
        EXPECT_TRUE(client->readHead(Millis(3000)));
        return client;
    }
};

TEST_F(StreamLimits, StreamOverTheLimitIs503UntilTheFirstEnds)
{
    std::unique_ptr<HttpTestClient> first;
    ASSERT_TRUE(openStream(first));
    /// An event relayed proves the pump owns (and counts) the first stream.
    ASSERT_TRUE(relayEvent(*first, issueEvent(1)));

    auto refused = askForStream();
    EXPECT_EQ(503, refused->head().status) << refused->head().headers.dump();
    ASSERT_TRUE(refused->readBody());
    EXPECT_EQ(kUnavailable, refused->body());
    EXPECT_EQ("application/json", refused->head().headers.value("Content-Type"));
    EXPECT_EQ("tyk.io", refused->head().headers.value("X-Generator"));
    EXPECT_EQ(1u, upstream_.requests().size()) << "the refused stream must not reach the upstream";

    /// Control routes are not streams: still served at the limit.
    HttpTestClient::Exchange hello;
    ASSERT_TRUE(HttpTestClient::exchange(port(), HttpTestClient::getRequest("/hello"), hello));
    EXPECT_EQ(200, hello.head.status);

    /// The first stream still works after the refusal.
    ASSERT_TRUE(relayEvent(*first, issueEvent(2)));
    first->close();
    ASSERT_TRUE(upstream_.waitForPeerClose(0, Millis(1000)));

    /// The pump counts the stream as ended a moment after the upstream sees the close: retry briefly.
    std::unique_ptr<HttpTestClient> second;
    auto served = waitFor(
        [&] {
            second = askForStream();
            return second->head().status == 200;
        },
        Millis(2000), "a stream served after the first ended");
    ASSERT_TRUE(served) << "last answer: " << second->head().status;
    ASSERT_TRUE(upstream_.waitForStreams(2, Millis(2000)));
    std::string event = issueEvent(3);
    ASSERT_TRUE(upstream_.sendEvent(event, 1).has_value());
    EXPECT_TRUE(second->readUntil(event, Millis(2000)));
}

}
}
