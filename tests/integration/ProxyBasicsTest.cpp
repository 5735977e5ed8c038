/// Plain proxying through the real binary: Tyk's strip/join and query rules, X-Forwarded-For,
/// hop-by-hop removal both ways, request bodies in both framings, keep-alive and /hello.

#include "support/GatewayTest.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <utility>
#include <vector>

namespace sluice::test
{
namespace
{

class ProxyBasics : public GatewayTest
{
protected:
    void SetUp() override { upstream_.on("/", UpstreamReply::text(200, "upstream body")); }

    /// GET `target` on a new connection; expects 200 and returns the request the upstream saw last.
    RecordedRequest proxied(const std::string & request)
    {
        size_t before = upstream_.requests().size();
        HttpTestClient::Exchange reply;
        EXPECT_TRUE(HttpTestClient::exchange(port(), request, reply));
        EXPECT_EQ(200, reply.head.status) << reply.body;
        EXPECT_TRUE(upstream_.waitForRequests(before + 1, Millis(1000)));
        auto requests = upstream_.requests();
        return requests.size() > before ? requests.back() : RecordedRequest{};
    }
};

/// tyk-compat.md §3.4: strip once, join with a single slash, target query first.
TEST_F(ProxyBasics, StripsTheListenPathAndJoinsPathAndQuery)
{
    SluiceProcess & gateway = makeGateway();
    gateway.addApi("a", "/a/", upstream_.url(), true);
    gateway.addApi("b", "/b/", upstream_.url() + "/base/", true);
    gateway.addApi("c", "/c/", upstream_.url() + "/base", false);
    gateway.addApi("d", "/d", upstream_.url() + "/b?k=1", true);
    ASSERT_TRUE(startGateway());
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"/sse/events/", "/events/"},   {"/sse/ev?x=1", "/ev?x=1"},       {"/a/ev?x=1", "/ev?x=1"},
        {"/b/", "/base"},               {"/b/deep/er", "/base/deep/er"}, {"/c/a", "/base/c/a"},
        {"/d/a?x=2", "/b/a?k=1&x=2"},   {"/d/a", "/b/a?k=1"},
    };
    for (const auto & [client_target, upstream_target] : cases)
        EXPECT_EQ(upstream_target, proxied(HttpTestClient::getRequest(client_target)).target) << client_target;
}

TEST_F(ProxyBasics, AppendsThePeerToXForwardedFor)
{
    ASSERT_TRUE(startGateway());
    EXPECT_EQ("127.0.0.1", proxied(HttpTestClient::getRequest("/sse/x")).headers.value("X-Forwarded-For"));
    EXPECT_EQ("203.0.113.7, 127.0.0.1",
              proxied(HttpTestClient::getRequest("/sse/x", "X-Forwarded-For: 203.0.113.7\r\n"))
                  .headers.value("X-Forwarded-For"));
    auto two = proxied(HttpTestClient::getRequest("/sse/x", "X-Forwarded-For: 10.0.0.1\r\nX-Forwarded-For: 10.0.0.2\r\n"));
    EXPECT_EQ(1u, two.headers.count("X-Forwarded-For")) << two.headers.dump();
    EXPECT_EQ("10.0.0.1, 10.0.0.2, 127.0.0.1", two.headers.value("X-Forwarded-For"));
}

TEST_F(ProxyBasics, RemovesHopByHopRequestHeaders)
{
    ASSERT_TRUE(startGateway());
    auto seen = proxied("GET /sse/hop HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        "Connection: close, X-Custom-Hop\r\n"
                        "X-Custom-Hop: drop me\r\n"
                        "Keep-Alive: timeout=5\r\n"
                        "Proxy-Connection: keep-alive\r\n"
                        "Proxy-Authorization: Basic Zm9vOmJhcg==\r\n"
                        "TE: gzip\r\n"
                        "Trailer: X-Checksum\r\n"
                        "Upgrade: foo/1\r\n"
                        "X-End-To-End: keep me\r\n"
                        "Authorization: Bearer abc\r\n\r\n");
    for (const char * hop : {"X-Custom-Hop", "Keep-Alive", "Proxy-Connection", "Proxy-Authorization", "TE", "Trailer",
                             "Upgrade"})
        EXPECT_FALSE(seen.headers.has(hop)) << hop << " reached the upstream:\n" << seen.headers.dump();
    EXPECT_EQ(std::string::npos, seen.headers.value("Connection").find("Custom")) << seen.headers.dump();
    EXPECT_EQ("keep me", seen.headers.value("X-End-To-End"));
    EXPECT_EQ("Bearer abc", seen.headers.value("Authorization"));
}

TEST_F(ProxyBasics, RemovesHopByHopResponseHeaders)
{
    UpstreamReply reply = UpstreamReply::text(200, "payload");
    reply.headers.insert(reply.headers.end(), {{"Connection", "keep-alive, X-Up-Hop"},
                                               {"X-Up-Hop", "drop me"},
                                               {"Keep-Alive", "timeout=5, max=100"},
                                               {"Proxy-Authenticate", "Basic realm=x"},
                                               {"X-End-To-End", "keep me"}});
    upstream_.on("/hop", reply);
    ASSERT_TRUE(startGateway());
    HttpTestClient::Exchange got;
    ASSERT_TRUE(HttpTestClient::exchange(port(), HttpTestClient::getRequest("/sse/hop"), got));
    EXPECT_EQ(200, got.head.status);
    EXPECT_EQ("payload", got.body);
    for (const char * hop : {"X-Up-Hop", "Keep-Alive", "Proxy-Authenticate"})
        EXPECT_FALSE(got.head.headers.has(hop)) << hop << " reached the client:\n" << got.head.headers.dump();
    EXPECT_EQ(std::string::npos, got.head.headers.value("Connection").find("X-Up-Hop")) << got.head.headers.dump();
    EXPECT_EQ("keep me", got.head.headers.value("X-End-To-End"));
}

/// Bytes a text-only path would damage: NUL, CR, LF, high bytes, and more than one socket buffer.
std::string binaryBody(size_t size)
{
    std::string body(size, '\0');
    for (size_t i = 0; i < size; ++i)
        body[i] = static_cast<char>((i * 131 + i / 7) & 0xff);
    return body;
}

TEST_F(ProxyBasics, PostBodyWithContentLengthReachesTheUpstreamIntact)
{
    ASSERT_TRUE(startGateway());
    std::string body = binaryBody(200 * 1024);
    auto seen = proxied("POST /sse/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
                        "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
    EXPECT_EQ("POST", seen.method);
    EXPECT_EQ("/upload", seen.target);
    EXPECT_EQ(body.size(), seen.body.size());
    EXPECT_TRUE(seen.body == body) << "body bytes differ";
}

TEST_F(ProxyBasics, ChunkedPostBodyReachesTheUpstreamIntact)
{
    ASSERT_TRUE(startGateway());
    std::string body = binaryBody(70 * 1024);
    std::string framed = chunk(body.substr(0, 5)) + "3;ext=1\r\n" + body.substr(5, 3) + "\r\n" + chunk(body.substr(8))
                         + "0\r\n\r\n";
    auto seen = proxied("POST /sse/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                        "Connection: close\r\n\r\n" + framed);
    EXPECT_EQ("POST", seen.method);
    EXPECT_EQ(body.size(), seen.body.size());
    EXPECT_TRUE(seen.body == body) << "body bytes differ";
}

/// Both framings on one request: chunked wins, and the upstream must never see the Content-Length beside it
/// (it could frame the body differently: request smuggling).
TEST_F(ProxyBasics, ChunkedBodyWithAContentLengthReachesTheUpstreamChunkedOnly)
{
    ASSERT_TRUE(startGateway());
    auto seen = proxied("POST /sse/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3\r\n"
                        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunk("hello world") + "0\r\n\r\n");
    EXPECT_EQ("hello world", seen.body);
    EXPECT_FALSE(seen.headers.has("Content-Length")) << seen.headers.dump();
    EXPECT_EQ("chunked", seen.headers.value("Transfer-Encoding"));
}

TEST_F(ProxyBasics, KeepAliveConnectionServesSeveralRequests)
{
    ASSERT_TRUE(startGateway());
    HttpTestClient client(port());
    ASSERT_TRUE(client.connected());
    for (const char * target : {"/sse/one", "/hello", "/sse/two", "/nothing", "/sse/three"})
    {
        ASSERT_TRUE(client.send(std::string("GET ") + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")) << target;
        ASSERT_TRUE(client.readHead()) << target;
        ASSERT_TRUE(client.readBody()) << target;
        EXPECT_NE("close", client.head().headers.value("Connection")) << target;
        EXPECT_FALSE(client.eof()) << target;
    }
    auto requests = upstream_.requests();
    ASSERT_EQ(3u, requests.size());
    EXPECT_EQ("/one", requests[0].target);
    EXPECT_EQ("/three", requests[2].target);
}

TEST_F(ProxyBasics, HelloAnswersHealthyJson)
{
    ASSERT_TRUE(startGateway());
    HttpTestClient::Exchange reply;
    ASSERT_TRUE(HttpTestClient::exchange(port(), HttpTestClient::getRequest("/hello"), reply));
    EXPECT_EQ(200, reply.head.status);
    EXPECT_EQ(0u, reply.head.headers.value("Content-Type").find("application/json"));
    Poco::JSON::Object::Ptr health;
    ASSERT_NO_THROW(health = Poco::JSON::Parser().parse(reply.body).extract<Poco::JSON::Object::Ptr>()) << reply.body;
    EXPECT_EQ("pass", health->optValue<std::string>("status", "")) << reply.body;
    EXPECT_EQ(0u, upstream_.requests().size());
}

}
}
