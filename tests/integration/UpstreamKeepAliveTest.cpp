/// Upstream connection reuse: sequential requests reuse one pooled keep-alive connection to the
/// upstream; `proxy_close_connections: true` turns that off (one connection per request, each
/// announced with Connection: close), as Tyk's DisableKeepAlives does.

#include "support/GatewayTest.h"

namespace sluice::test
{
namespace
{

class UpstreamKeepAlive : public GatewayTest
{
protected:
    void SetUp() override { upstream_.on("/", UpstreamReply::text(200, "pooled")); }

    /// Five requests one after the other on one client connection (so on one worker and its pool).
    void fiveSequentialRequests()
    {
        HttpTestClient client(port());
        ASSERT_TRUE(client.connected());
        for (int n = 0; n < 5; ++n)
        {
            std::string target = "/sse/r" + std::to_string(n);
            ASSERT_TRUE(client.send("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")) << target;
            ASSERT_TRUE(client.readHead()) << target;
            ASSERT_TRUE(client.readBody()) << target;
            EXPECT_EQ(200, client.head().status) << target;
            EXPECT_EQ("pooled", client.body()) << target;
        }
        ASSERT_TRUE(upstream_.waitForRequests(5, Millis(1000)));
    }
};

TEST_F(UpstreamKeepAlive, SequentialRequestsShareOneUpstreamConnection)
{
    ASSERT_TRUE(startGateway());
    ASSERT_NO_FATAL_FAILURE(fiveSequentialRequests());
    EXPECT_EQ(1u, upstream_.acceptedConnections());
    for (const auto & request : upstream_.requests())
        EXPECT_FALSE(equalsIgnoreCase("close", request.headers.value("Connection"))) << request.headers.dump();
}

TEST_F(UpstreamKeepAlive, ProxyCloseConnectionsUsesOneConnectionPerRequest)
{
    SluiceOptions options;
    options.gateway_extra_json = R"({"proxy_close_connections": true})";
    ASSERT_TRUE(startGateway(options));
    ASSERT_NO_FATAL_FAILURE(fiveSequentialRequests());
    EXPECT_EQ(5u, upstream_.acceptedConnections());
    for (const auto & request : upstream_.requests())
        EXPECT_TRUE(equalsIgnoreCase("close", request.headers.value("Connection"))) << request.headers.dump();
    EXPECT_TRUE(upstream_.waitForOpenConnections(0, Millis(1000)));
}

}
}
