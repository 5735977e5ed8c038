/// Errors the gateway produces itself, with Tyk's exact bodies (tyk-compat.md §5). Sluice answers
/// 502 for a refused upstream (Tyk: 500) as its contract says.

#include "support/GatewayTest.h"
#include "support/LoopbackSocket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace sluice::test
{
namespace
{

constexpr const char * kProxyError = "{\n    \"error\": \"There was a problem proxying the request\"\n}";
constexpr const char * kTimeoutError = "{\n    \"error\": \"Upstream service reached hard timeout.\"\n}";

/// A loopback port nothing listens on: bound to learn a free number, then closed.
uint16_t closedPort()
{
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    EXPECT_NE(-1, ::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address)) << errnoText();
    EXPECT_NE(-1, ::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length)) << errnoText();
    ::close(fd);
    return ntohs(address.sin_port);
}

class ErrorResponses : public GatewayTest
{
};

TEST_F(ErrorResponses, NoRouteIs404NotFound)
{
    ASSERT_TRUE(startGateway());
    for (const char * target : {"/nothing/here", "/sse", "/ss/events/"})
    {
        HttpTestClient::Exchange reply;
        ASSERT_TRUE(HttpTestClient::exchange(port(), HttpTestClient::getRequest(target), reply)) << target;
        EXPECT_EQ(404, reply.head.status) << target;
        EXPECT_EQ("Not Found", reply.body) << target;
    }
    EXPECT_EQ(0u, upstream_.requests().size());
}

TEST_F(ErrorResponses, RefusedUpstreamIs502WithTykBody)
{
    makeGateway().addApi("down", "/down/", "http://127.0.0.1:" + std::to_string(closedPort()), true);
    ASSERT_TRUE(startGateway());
    HttpTestClient::Exchange reply;
    ASSERT_TRUE(HttpTestClient::exchange(port(), HttpTestClient::getRequest("/down/x"), reply));
    EXPECT_EQ(502, reply.head.status);
    EXPECT_EQ(kProxyError, reply.body);
    EXPECT_EQ("application/json", reply.head.headers.value("Content-Type"));
}

TEST_F(ErrorResponses, SilentUpstreamIs504AfterProxyDefaultTimeout)
{
    upstream_.on("/slow/", UpstreamReply::hang());
    SluiceOptions options;
    options.proxy_default_timeout_s = 1;
    ASSERT_TRUE(startGateway(options));
    auto asked = Clock::now();
    HttpTestClient::Exchange reply;
    ASSERT_TRUE(HttpTestClient::exchange(port(), HttpTestClient::getRequest("/sse/slow/"), reply, Millis(5000)));
    double waited = elapsedMs(asked, Clock::now());
    EXPECT_EQ(504, reply.head.status);
    EXPECT_EQ(kTimeoutError, reply.body);
    EXPECT_EQ("application/json", reply.head.headers.value("Content-Type"));
    EXPECT_GE(waited, 900.0);
    EXPECT_LT(waited, 2500.0);
    EXPECT_TRUE(upstream_.waitForRequests(1, Millis(100)));
}

/// An upstream that drops the connection without answering is a proxying problem too.
TEST_F(ErrorResponses, UpstreamClosingWithoutAnswerIs502)
{
    upstream_.on("/drop/", UpstreamReply::closeAbruptly());
    ASSERT_TRUE(startGateway());
    HttpTestClient::Exchange reply;
    ASSERT_TRUE(HttpTestClient::exchange(port(), HttpTestClient::getRequest("/sse/drop/"), reply));
    EXPECT_EQ(502, reply.head.status);
    EXPECT_EQ(kProxyError, reply.body);
}

/// Headers that arrive late but within proxy_default_timeout are not a timeout.
TEST_F(ErrorResponses, SlowHeadersWithinTheTimeoutAreServed)
{
    UpstreamReply slow = UpstreamReply::text(200, "late but fine");
    slow.header_delay_ms = 400;
    upstream_.on("/slow/", slow);
    SluiceOptions options;
    options.proxy_default_timeout_s = 1;
    ASSERT_TRUE(startGateway(options));
    HttpTestClient::Exchange reply;
    ASSERT_TRUE(HttpTestClient::exchange(port(), HttpTestClient::getRequest("/sse/slow/"), reply));
    EXPECT_EQ(200, reply.head.status);
    EXPECT_EQ("late but fine", reply.body);
}

}
}
