/// Close propagation on a live stream, both ways: a client leaving must free the upstream
/// connection (within 1 s, even while the upstream is silent), and an upstream ending must end the
/// client's stream promptly.

#include "support/GatewayTest.h"

#include <cstdio>

namespace sluice::test
{
namespace
{

class StreamClose : public GatewayTest
{
protected:
    void SetUp() override
    {
        upstream_.on("/events/", UpstreamReply::sse());
        ASSERT_TRUE(startGateway());
    }
};

TEST_F(StreamClose, ClientDisconnectClosesTheUpstreamWithinOneSecond)
{
    std::unique_ptr<HttpTestClient> client;
    ASSERT_TRUE(openStream(client));
    ASSERT_TRUE(relayEvent(*client, issueEvent(1)));
    ASSERT_FALSE(upstream_.closedByPeer(0)) << "the gateway closed the upstream while the client was still there";
    auto left = Clock::now();
    client->close();
    /// The upstream stays silent: the gateway must notice the client itself, not on the next write.
    ASSERT_TRUE(upstream_.waitForPeerClose(0, Millis(1000)));
    std::printf("upstream closed %.3f ms after the client left\n", elapsedMs(left, upstream_.peerClosedAt(0)));
    EXPECT_TRUE(upstream_.waitForOpenConnections(0, Millis(1000)));
    EXPECT_TRUE(sluice_->waitForLogRegex(R"(stream end api=sse .*closed_by=client)", Millis(2000)));
}

TEST_F(StreamClose, ClientDisconnectBeforeTheFirstEventClosesTheUpstream)
{
    std::unique_ptr<HttpTestClient> client;
    ASSERT_TRUE(openStream(client));
    ASSERT_FALSE(upstream_.closedByPeer(0));
    client->close();
    EXPECT_TRUE(upstream_.waitForPeerClose(0, Millis(1000)));
}

TEST_F(StreamClose, UpstreamEndEndsTheClientStreamPromptly)
{
    std::unique_ptr<HttpTestClient> client;
    ASSERT_TRUE(openStream(client));
    std::string event = issueEvent(1);
    ASSERT_TRUE(relayEvent(*client, event));
    auto ended = Clock::now();
    upstream_.endStream(0, StreamEnd::Clean);
    ASSERT_TRUE(client->readBody(Millis(1000)));
    EXPECT_TRUE(client->terminalChunkSeen());
    ASSERT_TRUE(client->waitEof(Millis(1000)));
    EXPECT_LT(elapsedMs(ended, Clock::now()), 500.0);
    EXPECT_EQ(event, client->body());
    EXPECT_EQ("eof", client->endReason());
}

/// The upstream dies mid-body (FIN without the terminal chunk): the client must not hang.
TEST_F(StreamClose, UpstreamAbortEndsTheClientStreamPromptly)
{
    std::unique_ptr<HttpTestClient> client;
    ASSERT_TRUE(openStream(client));
    std::string event = issueEvent(1);
    ASSERT_TRUE(relayEvent(*client, event));
    upstream_.endStream(0, StreamEnd::Fin);
    ASSERT_TRUE(client->waitEof(Millis(1000)));
    /// Tyk's handleCopyError (tyk-compat.md §2): what arrived before the break is intact, then an SSE
    /// error event, then a clean end of the chunked body.
    EXPECT_EQ(event + "event: error\ndata: upstream connection terminated unexpectedly\n\n", client->body());
    EXPECT_TRUE(client->terminalChunkSeen());
}

}
}
