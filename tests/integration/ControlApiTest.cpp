/// The control routes through the real binary (tyk-compat.md §4): /tyk/ checks the secret before
/// routing and answers Tyk's exact JSON lines; /hello and /ready need no secret. None of them may
/// reach an upstream.

#include "support/GatewayTest.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <set>

namespace sluice::test
{
namespace
{

constexpr const char * kForbidden =
    "{\"status\":\"error\",\"message\":\"Attempted administrative access with invalid or missing key!\"}\n";
constexpr const char * kApiNotFound = "{\"status\":\"error\",\"message\":\"API not found\"}\n";
constexpr const char * kMethodNotSupported = "{\"status\":\"error\",\"message\":\"Method not supported\"}\n";
constexpr const char * kKeyHeader = "X-Tyk-Authorization: s3cret\r\n";

class ControlApi : public GatewayTest
{
protected:
    void SetUp() override
    {
        upstream_.on("/", UpstreamReply::text(200, "upstream"));
        makeGateway().addApi("other", "/other/", upstream_.url(), true);
        ASSERT_TRUE(startGateway());
    }

    HttpTestClient::Exchange get(const std::string & target, const std::string & headers = "")
    {
        HttpTestClient::Exchange reply;
        EXPECT_TRUE(HttpTestClient::exchange(port(), HttpTestClient::getRequest(target, headers), reply)) << target;
        return reply;
    }

    HttpTestClient::Exchange send(const std::string & method, const std::string & target,
                                  const std::string & headers, const std::string & body)
    {
        HttpTestClient::Exchange reply;
        std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers
                              + "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size())
                              + "\r\nConnection: close\r\n\r\n" + body;
        EXPECT_TRUE(HttpTestClient::exchange(port(), request, reply)) << method << " " << target;
        return reply;
    }

    void TearDown() override { EXPECT_EQ(0u, upstream_.requests().size()) << "a control request reached the upstream"; }
};

TEST_F(ControlApi, MissingOrWrongKeyIs403WithTykBody)
{
    for (const char * target : {"/tyk/apis", "/tyk/apis/", "/tyk/apis/sse", "/tyk/reload", "/tyk/x"})
    {
        for (const char * headers : {"", "X-Tyk-Authorization: wrong\r\n", "X-Tyk-Authorization: s3cret2\r\n"})
        {
            auto reply = get(target, headers);
            EXPECT_EQ(403, reply.head.status) << target << " with [" << headers << "]";
            EXPECT_EQ(kForbidden, reply.body) << target << " with [" << headers << "]";
            EXPECT_EQ("application/json", reply.head.headers.value("Content-Type")) << target;
        }
    }
}

TEST_F(ControlApi, ListsTheLoadedApis)
{
    auto reply = get("/tyk/apis", kKeyHeader);
    ASSERT_EQ(200, reply.head.status) << reply.body;
    EXPECT_EQ("application/json", reply.head.headers.value("Content-Type"));
    ASSERT_FALSE(reply.body.empty());
    EXPECT_EQ('\n', reply.body.back()) << "Tyk's doJSONWrite ends the body with a newline";
    Poco::JSON::Array::Ptr apis;
    ASSERT_NO_THROW(apis = Poco::JSON::Parser().parse(reply.body).extract<Poco::JSON::Array::Ptr>()) << reply.body;
    std::set<std::string> ids;
    for (size_t i = 0; i < apis->size(); ++i)
        ids.insert(apis->getObject(static_cast<unsigned>(i))->optValue<std::string>("api_id", ""));
    EXPECT_EQ((std::set<std::string>{"other", "sse"}), ids) << reply.body;
}

TEST_F(ControlApi, ShowsOneApiById)
{
    for (const char * target : {"/tyk/apis/other", "/tyk/apis/other/"})
    {
        auto reply = get(target, kKeyHeader);
        ASSERT_EQ(200, reply.head.status) << target << ": " << reply.body;
        EXPECT_EQ("application/json", reply.head.headers.value("Content-Type"));
        Poco::JSON::Object::Ptr api;
        ASSERT_NO_THROW(api = Poco::JSON::Parser().parse(reply.body).extract<Poco::JSON::Object::Ptr>()) << reply.body;
        EXPECT_EQ("other", api->optValue<std::string>("api_id", "")) << reply.body;
        ASSERT_TRUE(api->isObject("proxy")) << reply.body;
        EXPECT_EQ("/other/", api->getObject("proxy")->optValue<std::string>("listen_path", "")) << reply.body;
        EXPECT_EQ(upstream_.url(), api->getObject("proxy")->optValue<std::string>("target_url", "")) << reply.body;
    }
}

TEST_F(ControlApi, UnknownApiIdIs404ApiNotFound)
{
    auto reply = get("/tyk/apis/nope", kKeyHeader);
    EXPECT_EQ(404, reply.head.status);
    EXPECT_EQ(kApiNotFound, reply.body);
    EXPECT_EQ("application/json", reply.head.headers.value("Content-Type"));
}

TEST_F(ControlApi, UnknownControlPathIsGoNotFoundText)
{
    for (const char * target : {"/tyk/x", "/tyk/", "/tyk/apisx"})
    {
        auto reply = get(target, kKeyHeader);
        EXPECT_EQ(404, reply.head.status) << target;
        EXPECT_EQ("404 page not found\n", reply.body) << target;
    }
}

TEST_F(ControlApi, WritingApisIs405MethodNotSupported)
{
    std::string definition = SluiceProcess::apiDefinition("posted", "/posted/", upstream_.url());
    for (const char * method : {"POST", "PUT", "DELETE"})
    {
        auto reply = send(method, std::string("/tyk/apis") + (std::string(method) == "POST" ? "" : "/other"),
                          kKeyHeader, definition);
        EXPECT_EQ(405, reply.head.status) << method;
        EXPECT_EQ(kMethodNotSupported, reply.body) << method;
    }
    /// Nothing was written or loaded: the list is unchanged.
    auto list = get("/tyk/apis/posted", kKeyHeader);
    EXPECT_EQ(404, list.head.status);
}

TEST_F(ControlApi, ReadyIs200WithoutASecret)
{
    auto reply = get("/ready");
    EXPECT_EQ(200, reply.head.status);
    EXPECT_EQ("application/json", reply.head.headers.value("Content-Type"));
    Poco::JSON::Object::Ptr ready;
    ASSERT_NO_THROW(ready = Poco::JSON::Parser().parse(reply.body).extract<Poco::JSON::Object::Ptr>()) << reply.body;
    EXPECT_EQ("pass", ready->optValue<std::string>("status", "")) << reply.body;
    EXPECT_EQ("Tyk GW Ready", ready->optValue<std::string>("description", "")) << reply.body;
}

TEST_F(ControlApi, HelloRefusesPostWith405)
{
    auto reply = send("POST", "/hello", "", "{}");
    EXPECT_EQ(405, reply.head.status);
    EXPECT_EQ("Method Not Allowed", reply.body);
    /// GET still answers on the same gateway.
    EXPECT_EQ(200, get("/hello").head.status);
}

}
}
