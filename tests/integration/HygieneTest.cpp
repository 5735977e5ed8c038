/// The quality bar's "bad input gets a clear error and loses nothing": malformed requests get a 400 and the
/// connection is not left hanging; and a worker's descriptors come back to where they were after streams,
/// requests and failed upstream exchanges have come and gone (no leak per stream or per error).

#include "support/GatewayTest.h"
#include "support/RawConnection.h"
#include "support/UnusedPort.h"

#include <dirent.h>

namespace sluice::test
{
namespace
{

size_t openDescriptors(pid_t pid)
{
    std::string dir = "/proc/" + std::to_string(pid) + "/fd";
    DIR * d = ::opendir(dir.c_str());
    if (!d)
        return 0;
    size_t n = 0;
    while (dirent * e = ::readdir(d))
        if (e->d_name[0] != '.')
            ++n;
    ::closedir(d);
    return n;
}

class Hygiene : public GatewayTest
{
protected:
    void SetUp() override
    {
        upstream_.on("/events/", UpstreamReply::sse());
        upstream_.on("/plain", UpstreamReply::text(200, "plain"));
    }

    /// Sends `bytes` on a fresh connection and returns the status line the gateway answers with.
    std::string statusLineFor(const std::string & bytes)
    {
        RawConnection c = RawConnection::connectTo(port());
        EXPECT_TRUE(c.send(bytes));
        std::string first_line;
        HeaderList headers;
        auto ok = c.readHead(first_line, headers, Millis(3000));
        return ok ? first_line : ok.message();
    }
};

TEST_F(Hygiene, MalformedRequestsGet400)
{
    ASSERT_TRUE(startGateway());
    EXPECT_EQ("HTTP/1.1 400 Bad Request", statusLineFor("GARBAGE\r\n\r\n"));
    EXPECT_EQ("HTTP/1.1 400 Bad Request", statusLineFor("GET /sse/plain HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n"));
    EXPECT_EQ("HTTP/1.1 400 Bad Request",
              statusLineFor("GET /sse/plain HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n"));
    /// A transfer coding other than plain "chunked" leaves the body unframed: refused, never guessed.
    EXPECT_EQ("HTTP/1.1 501 Not Implemented",
              statusLineFor("POST /sse/plain HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
                            "5\r\nhello\r\n0\r\n\r\n"));
    EXPECT_EQ(0u, upstream_.requests().size()) << "a malformed request reached the upstream";
    /// A line without any colon is dropped by Poco's parser (Go would answer 400): what matters is that it never
    /// reaches the upstream as something else.
    EXPECT_EQ("HTTP/1.1 200 OK", statusLineFor("GET /sse/plain HTTP/1.1\r\nHost: a\r\nNo colon here\r\n\r\n"));
    ASSERT_TRUE(upstream_.waitForRequests(1, Millis(1000)));
    const RecordedRequest seen = upstream_.requests().back();
    for (const auto & [name, value] : seen.headers.fields())
        EXPECT_EQ(std::string::npos, (name + value).find("colon")) << name << ": " << value;
}

TEST_F(Hygiene, WorkersGetTheirDescriptorsBackAfterStreamsRequestsAndErrors)
{
    SluiceOptions options;
    options.worker_processes = 1; /// one worker sees all the traffic: its count is the whole story
    makeGateway(options).addApi("dead", "/dead/", "http://127.0.0.1:" + std::to_string(unusedLoopbackPort()));
    ASSERT_TRUE(startGateway(options));
    std::vector<pid_t> workers;
    ASSERT_TRUE(sluice_->waitForWorkers(1, Millis(2000), &workers));
    const size_t baseline = openDescriptors(workers[0]);
    ASSERT_GT(baseline, 0u);

    for (int i = 0; i < 50; ++i)
    {
        std::unique_ptr<HttpTestClient> client;
        ASSERT_TRUE(openStream(client, "/sse/events/", 1));
        ASSERT_TRUE(relayEvent(*client, issueEvent(i)));
        client->close();
        ASSERT_TRUE(upstream_.waitForOpenConnections(0, Millis(2000))) << "stream " << i;
    }
    for (int i = 0; i < 50; ++i)
    {
        HttpTestClient::Exchange reply;
        ASSERT_TRUE(HttpTestClient::exchange(port(), HttpTestClient::getRequest("/sse/plain"), reply, Millis(3000)));
        ASSERT_EQ(200, reply.head.status);
        ASSERT_TRUE(HttpTestClient::exchange(port(), HttpTestClient::getRequest("/dead/x"), reply, Millis(3000)));
        ASSERT_EQ(502, reply.head.status);
    }
    /// Idle keep-alive connections to the upstream may stay pooled: at most max_idle_connections_per_host (2).
    EXPECT_TRUE(waitFor([&] { return openDescriptors(workers[0]) <= baseline + 2; }, Millis(2000),
                        "the worker's descriptors to come back"))
        << "baseline " << baseline << ", now " << openDescriptors(workers[0]);
}


/// Every non-stream connection holds one of the worker's request threads. Idle keep-alive clients must not starve
/// new ones: an idle connection gives its thread back as soon as another connection waits for one.
TEST_F(Hygiene, IdleKeepAliveConnectionsDoNotStarveNewClients)
{
    SluiceOptions options;
    options.worker_processes = 1;
    options.gateway_extra_json = R"({"sluice": {"max_threads": 4, "keepalive_timeout": 30}})";
    ASSERT_TRUE(startGateway(options));
    std::vector<std::unique_ptr<HttpTestClient>> idle;
    for (int i = 0; i < 4; ++i)
    {
        idle.push_back(std::make_unique<HttpTestClient>(port()));
        ASSERT_TRUE(idle.back()->send("GET /sse/plain HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")); /// keep-alive
        ASSERT_TRUE(idle.back()->readHead());
        ASSERT_TRUE(idle.back()->readBody());
        ASSERT_EQ(200, idle.back()->head().status);
        ASSERT_FALSE(idle.back()->eof());
    }
    /// All four threads now sit on idle keep-alive connections (for up to 30 s).
    auto started = Clock::now();
    HttpTestClient::Exchange reply;
    ASSERT_TRUE(HttpTestClient::exchange(port(), HttpTestClient::getRequest("/sse/plain"), reply, Millis(5000)));
    EXPECT_EQ(200, reply.head.status);
    EXPECT_LT(elapsedMs(started, Clock::now()), 1000.0) << "the new client waited for an idle connection to time out";
}
}
}
