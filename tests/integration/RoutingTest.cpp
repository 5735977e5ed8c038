/// Routing extras through the real binary (tyk-compat.md §3.3-§3.5): path cleaning (301) and
/// skip_url_cleaning, strict routes, load balancing over a target_list, version_data errors, the
/// request body limit, the /<api_id>/ route and inactive APIs.

#include "support/GatewayTest.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <utility>
#include <vector>

namespace sluice::test
{
namespace
{

class Routing : public GatewayTest
{
protected:
    void SetUp() override { upstream_.on("/", UpstreamReply::text(200, "routed")); }

    HttpTestClient::Exchange get(const std::string & target)
    {
        HttpTestClient::Exchange reply;
        EXPECT_TRUE(HttpTestClient::exchange(port(), HttpTestClient::getRequest(target), reply)) << target;
        return reply;
    }

    /// GET `target`: expects 200 from the upstream and returns the request-target it received.
    std::string upstreamTargetFor(const std::string & target)
    {
        size_t before = upstream_.requests().size();
        auto reply = get(target);
        EXPECT_EQ(200, reply.head.status) << target << ": " << reply.body;
        EXPECT_EQ("routed", reply.body) << target;
        if (!upstream_.waitForRequests(before + 1, Millis(1000)))
            return "<not proxied>";
        return upstream_.requests().back().target;
    }

    void expectNotFound(const std::string & target)
    {
        size_t before = upstream_.requests().size();
        auto reply = get(target);
        EXPECT_EQ(404, reply.head.status) << target;
        EXPECT_EQ("Not Found", reply.body) << target;
        EXPECT_EQ(before, upstream_.requests().size()) << target << " reached the upstream";
    }
};

TEST_F(Routing, UncleanPathsGet301ToTheCleanedPath)
{
    ASSERT_TRUE(startGateway());
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"/sse//events/", "/sse/events/"},
        {"/sse/./events/?a=1&b=2", "/sse/events/?a=1&b=2"},
        {"/sse/x/../events/", "/sse/events/"},
        {"//sse/events", "/sse/events"},
    };
    for (const auto & [target, location] : cases)
    {
        auto reply = get(target);
        EXPECT_EQ(301, reply.head.status) << target;
        EXPECT_EQ(location, reply.head.headers.value("Location")) << target;
        EXPECT_EQ("", reply.body) << target;
    }
    EXPECT_EQ(0u, upstream_.requests().size());
}

TEST_F(Routing, SkipUrlCleaningProxiesUncleanPaths)
{
    SluiceOptions options;
    options.gateway_extra_json = R"({"http_server_options": {"skip_url_cleaning": true}})";
    ASSERT_TRUE(startGateway(options));
    auto reply = get("/sse//events/");
    EXPECT_EQ(200, reply.head.status);
    EXPECT_FALSE(reply.head.headers.has("Location")) << reply.head.headers.dump();
    ASSERT_TRUE(upstream_.waitForRequests(1, Millis(1000)));
    /// "/sse/" stripped once from "/sse//events/" leaves "/events/".
    EXPECT_EQ("/events/", upstream_.requests().back().target);
}

/// A strict listen path "/app" serves "/app" and "/app/..." only; "/apple" is a 404 even though the
/// catch-all API at "/" would match it (no fall-through).
TEST_F(Routing, StrictRoutesDoNotMatchLongerWordsNorFallThrough)
{
    SluiceOptions options;
    options.gateway_extra_json = R"({"http_server_options": {"enable_strict_routes": true}})";
    SluiceProcess & gateway = makeGateway(options);
    gateway.addApi("app", "/app", upstream_.url(), true);
    gateway.addApi("root", "/", upstream_.url(), false);
    ASSERT_TRUE(startGateway());
    EXPECT_EQ("/", upstreamTargetFor("/app"));
    EXPECT_EQ("/x", upstreamTargetFor("/app/x"));
    expectNotFound("/apple");
    EXPECT_EQ("/zzz", upstreamTargetFor("/zzz"));
}

/// Without strict routes a listen path is a raw string prefix (Tyk: "/sse" serves "/ssefoo").
TEST_F(Routing, WithoutStrictRoutesAListenPathIsARawPrefix)
{
    SluiceProcess & gateway = makeGateway();
    gateway.addApi("app", "/app", upstream_.url(), true);
    gateway.addApi("root", "/", upstream_.url(), false);
    ASSERT_TRUE(startGateway());
    EXPECT_EQ("/le", upstreamTargetFor("/apple"));
    EXPECT_EQ("/zzz", upstreamTargetFor("/zzz"));
}

class LoadBalancing : public Routing
{
protected:
    void TearDown() override { sluice_.reset(); } /// the gateway goes before second_
    FakeUpstream second_;
};

TEST_F(LoadBalancing, TargetListAlternatesBetweenUpstreams)
{
    second_.on("/", UpstreamReply::text(200, "routed"));
    /// The second entry has no scheme: Tyk adds http://.
    std::string extra = R"({"proxy": {"enable_load_balancing": true, "target_list": [")" + upstream_.url()
                        + R"(", "127.0.0.1:)" + std::to_string(second_.port()) + R"("]}})";
    makeGateway().addApi("lb", "/lb/", upstream_.url(), true, extra);
    ASSERT_TRUE(startGateway());

    /// One client connection: one worker, whose round robin the requests then see in order.
    HttpTestClient client(port());
    ASSERT_TRUE(client.connected());
    std::string order;
    for (int n = 0; n < 6; ++n)
    {
        size_t first_before = upstream_.requests().size();
        size_t second_before = second_.requests().size();
        std::string target = "/lb/r" + std::to_string(n);
        ASSERT_TRUE(client.send("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
        ASSERT_TRUE(client.readHead());
        ASSERT_TRUE(client.readBody());
        EXPECT_EQ(200, client.head().status) << target;
        bool first = upstream_.requests().size() == first_before + 1;
        bool second = second_.requests().size() == second_before + 1;
        ASSERT_NE(first, second) << target << " reached " << (first ? "both" : "neither") << " upstreams";
        EXPECT_EQ("/r" + std::to_string(n), first ? upstream_.requests().back().target : second_.requests().back().target);
        order += first ? 'A' : 'B';
    }
    EXPECT_TRUE(order == "ABABAB" || order == "BABABA") << "round robin order " << order;
}

/// An API definition written out whole: version_data must not be merged with the default one.
std::string withVersions(const std::string & api_id, const std::string & listen_path, const std::string & target,
                         const std::string & versions_json)
{
    return R"({"name": ")" + api_id + R"(", "api_id": ")" + api_id + R"(", "org_id": "default",
        "use_keyless": true, "active": true,
        "version_data": {"not_versioned": true, "versions": )" + versions_json + R"(},
        "proxy": {"listen_path": ")" + listen_path + R"(", "strip_listen_path": true, "target_url": ")" + target + R"("}})";
}

TEST_F(Routing, NonVersionedApiWithoutADefaultVersionIs403)
{
    SluiceProcess & gateway = makeGateway();
    gateway.addApiFile("two.json", withVersions("two", "/two/", upstream_.url(),
                                                R"({"v1": {"name": "v1"}, "v2": {"name": "v2"}})"));
    gateway.addApiFile("one.json", withVersions("one", "/one/", upstream_.url(), R"({"v1": {"name": "v1"}})"));
    ASSERT_TRUE(startGateway());
    auto reply = get("/two/x");
    EXPECT_EQ(403, reply.head.status);
    EXPECT_EQ("{\n    \"error\": \"No default API version for this non-versioned API found\"\n}", reply.body);
    EXPECT_EQ("application/json", reply.head.headers.value("Content-Type"));
    EXPECT_EQ(0u, upstream_.requests().size());
    /// Exactly one version, whatever its name, is the default.
    EXPECT_EQ("/x", upstreamTargetFor("/one/x"));
}

TEST_F(Routing, BodyOverMaxRequestBodySizeIs413)
{
    SluiceOptions options;
    options.gateway_extra_json = R"({"http_server_options": {"max_request_body_size": 10}})";
    ASSERT_TRUE(startGateway(options));
    auto post = [&](const std::string & body) {
        HttpTestClient::Exchange reply;
        EXPECT_TRUE(HttpTestClient::exchange(port(),
                                             "POST /sse/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: "
                                                 + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body,
                                             reply));
        return reply;
    };
    auto too_big = post("12345678901");
    EXPECT_EQ(413, too_big.head.status);
    EXPECT_EQ("Request Entity Too Large\n", too_big.body);
    EXPECT_EQ(0u, upstream_.requests().size());

    auto fits = post("1234567890");
    EXPECT_EQ(200, fits.head.status);
    ASSERT_TRUE(upstream_.waitForRequests(1, Millis(1000)));
    EXPECT_EQ("1234567890", upstream_.requests().back().body);

    /// A chunked body has no length to check up front: it is counted, and refused before the upstream sees it.
    auto post_chunked = [&](const std::string & chunks) {
        HttpTestClient::Exchange reply;
        EXPECT_TRUE(HttpTestClient::exchange(port(),
                                             "POST /sse/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: "
                                             "chunked\r\nConnection: close\r\n\r\n" + chunks + "0\r\n\r\n",
                                             reply));
        return reply;
    };
    auto chunked_too_big = post_chunked("6\r\n123456\r\n5\r\n78901\r\n");
    EXPECT_EQ(413, chunked_too_big.head.status);
    EXPECT_EQ("Request Entity Too Large\n", chunked_too_big.body);
    EXPECT_EQ(1u, upstream_.requests().size());

    auto chunked_fits = post_chunked("6\r\n123456\r\n4\r\n7890\r\n");
    EXPECT_EQ(200, chunked_fits.head.status);
    ASSERT_TRUE(upstream_.waitForRequests(2, Millis(1000)));
    EXPECT_EQ("1234567890", upstream_.requests().back().body);
}

/// Tyk registers every API at /<api_id>/ too; requests through that route are not stripped.
TEST_F(Routing, ApiIdRouteReachesTheUpstreamUnstripped)
{
    makeGateway().addApi("myapi", "/mine/", upstream_.url(), true);
    ASSERT_TRUE(startGateway());
    EXPECT_EQ("/myapi/deep/x?q=1", upstreamTargetFor("/myapi/deep/x?q=1"));
    EXPECT_EQ("/deep/x", upstreamTargetFor("/mine/deep/x"));
}

/// Sluice honours `active: false` (a documented difference from Tyk, which ignores the flag).
TEST_F(Routing, InactiveApiIsNotServed)
{
    makeGateway().addApi("off", "/off/", upstream_.url(), true, R"({"active": false})");
    ASSERT_TRUE(startGateway());
    expectNotFound("/off/x");
    expectNotFound("/off/");
    HttpTestClient::Exchange listed;
    ASSERT_TRUE(HttpTestClient::exchange(port(),
                                         HttpTestClient::getRequest("/tyk/apis/off", "X-Tyk-Authorization: s3cret\r\n"),
                                         listed));
    EXPECT_EQ(404, listed.head.status) << listed.body;
    EXPECT_EQ("/x", upstreamTargetFor("/sse/x")) << "the active API next to it is served";
}

}
}
