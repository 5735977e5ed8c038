/// An HTTP/1.0 client cannot read chunked framing: its SSE stream is sent raw and delimited by the
/// connection close, still event by event as the upstream writes.

#include "support/GatewayTest.h"

namespace sluice::test
{
namespace
{

class Http10Client : public GatewayTest
{
protected:
    void SetUp() override
    {
        upstream_.on("/events/", UpstreamReply::sse());
        ASSERT_TRUE(startGateway());
    }
};

TEST_F(Http10Client, SseStreamIsCloseDelimitedAndNotChunked)
{
    HttpTestClient client(port());
    ASSERT_TRUE(client.send("GET /sse/events/ HTTP/1.0\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"));
    ASSERT_TRUE(client.readHead());
    EXPECT_EQ(200, client.head().status);
    EXPECT_EQ("text/event-stream", client.head().headers.value("Content-Type"));
    EXPECT_FALSE(client.head().headers.has("Transfer-Encoding")) << client.head().headers.dump();
    EXPECT_FALSE(client.head().headers.has("Content-Length")) << client.head().headers.dump();
    EXPECT_EQ(HttpTestClient::Framing::UntilClose, client.framing());
    ASSERT_TRUE(upstream_.waitForStreams(1, Millis(2000)));

    std::string written;
    for (int n = 1; n <= 3; ++n)
    {
        std::string event = issueEvent(n, n == 2);
        written += event;
        auto sent = upstream_.sendEvent(event);
        ASSERT_TRUE(sent.has_value());
        ASSERT_TRUE(client.readUntil(written, Millis(2000))) << "event " << n;
        EXPECT_LT(elapsedMs(*sent, client.pieces().back().at), 100.0) << "event " << n;
    }
    upstream_.endStream();
    ASSERT_TRUE(client.waitEof(Millis(1000)));
    /// Raw bytes only: no chunk sizes, no terminal chunk, no error event.
    EXPECT_EQ(written, client.body()) << "raw:\n" << client.raw();
    EXPECT_TRUE(sluice_->waitForLogRegex(R"(stream end api=sse .*closed_by=upstream)", Millis(2000)));
}

}
}
