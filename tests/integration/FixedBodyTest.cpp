/// Responses with a Content-Length: `http_server_options.flush_interval` (milliseconds, as Tyk's
/// code reads it) bounds how long written bytes wait in the gateway, and HEAD answers keep the
/// upstream's Content-Length without a body.

#include "support/GatewayTest.h"
#include "support/RawConnection.h"

#include <thread>

namespace sluice::test
{
namespace
{

class FixedBody : public GatewayTest
{
};

TEST_F(FixedBody, FlushIntervalSendsTheFirstHalfLongBeforeTheSecond)
{
    /// 20 bytes announced, written in two halves 1.5 s apart.
    UpstreamReply slow;
    slow.kind = UpstreamReply::Kind::Stream;
    slow.chunked = false;
    slow.headers = {{"Content-Type", "text/plain"}, {"Content-Length", "20"}};
    upstream_.on("/fixed", slow);
    SluiceOptions options;
    options.gateway_extra_json = R"({"http_server_options": {"flush_interval": 100}})";
    ASSERT_TRUE(startGateway(options));

    HttpTestClient client(port());
    ASSERT_TRUE(client.send(curlRequest("/sse/fixed", port())));
    ASSERT_TRUE(client.readHead());
    EXPECT_EQ(200, client.head().status);
    EXPECT_EQ("20", client.head().headers.value("Content-Length")) << client.head().headers.dump();
    EXPECT_FALSE(client.head().headers.has("Transfer-Encoding")) << client.head().headers.dump();
    ASSERT_TRUE(upstream_.waitForStreams(1, Millis(2000)));

    auto first_sent = upstream_.sendEvent("0123456789");
    ASSERT_TRUE(first_sent.has_value());
    ASSERT_TRUE(client.readUntil("0123456789", Millis(1400)));
    double first_latency = elapsedMs(*first_sent, client.pieces().back().at);
    EXPECT_LT(first_latency, 1000.0);
    std::printf("first half reached the client %.1f ms after the upstream wrote it\n", first_latency);

    std::this_thread::sleep_until(*first_sent + Millis(1500));
    auto second_sent = upstream_.sendEvent("abcdefghij");
    ASSERT_TRUE(second_sent.has_value());
    ASSERT_TRUE(client.readBody(Millis(2000)));
    EXPECT_EQ("0123456789abcdefghij", client.body());
    EXPECT_LT(client.pieces().front().at, *second_sent) << "the first half waited for the second";
}

TEST_F(FixedBody, HeadKeepsTheUpstreamContentLengthAndSendsNoBody)
{
    UpstreamReply head;
    head.headers = {{"Content-Type", "text/plain"}, {"Content-Length", "20"}}; /// what a HEAD answer looks like
    upstream_.on("/doc", head);
    ASSERT_TRUE(startGateway());

    RawConnection client = RawConnection::connectTo(port());
    ASSERT_TRUE(client.connected());
    ASSERT_TRUE(client.send("HEAD /sse/doc HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
    std::string status_line;
    HeaderList headers;
    ASSERT_TRUE(client.readHead(status_line, headers, Millis(3000)));
    EXPECT_EQ("HTTP/1.1 200 OK", status_line);
    EXPECT_EQ("20", headers.value("Content-Length")) << headers.dump();
    EXPECT_EQ("text/plain", headers.value("Content-Type")) << headers.dump();
    EXPECT_FALSE(headers.has("Transfer-Encoding")) << headers.dump();
    ASSERT_TRUE(client.waitEof(Millis(2000)));
    EXPECT_EQ("", client.received()) << "a HEAD answer has no body";

    ASSERT_TRUE(upstream_.waitForRequests(1, Millis(1000)));
    EXPECT_EQ("HEAD", upstream_.requests().front().method);
    EXPECT_EQ("/doc", upstream_.requests().front().target);
}

}
}
