/// Operators watch Sluice through its logs: each worker reports its load every `sluice.stats_interval` seconds.

#include "support/GatewayTest.h"

#include <regex>

namespace sluice::test
{
namespace
{

TEST(StatsLog, EachWorkerReportsItsStreamsAndRequestsPeriodically)
{
    FakeUpstream upstream;
    upstream.on("/events/", UpstreamReply::sse());
    upstream.on("/plain", UpstreamReply::text(200, "plain"));
    SluiceOptions options;
    options.worker_processes = 1;
    options.gateway_extra_json = R"({"sluice": {"stats_interval": 1}})";
    SluiceProcess sluice(options);
    sluice.addApi("sse", "/sse/", upstream.url());
    ASSERT_TRUE(sluice.start());

    auto stream = std::make_unique<HttpTestClient>(sluice.port());
    ASSERT_TRUE(stream->send(curlRequest("/sse/events/", sluice.port())));
    ASSERT_TRUE(stream->readHead());
    ASSERT_TRUE(upstream.waitForStreams(1, Millis(2000)));
    for (int i = 0; i < 3; ++i)
    {
        HttpTestClient::Exchange reply;
        ASSERT_TRUE(HttpTestClient::exchange(sluice.port(), HttpTestClient::getRequest("/sse/plain"), reply));
        ASSERT_EQ(200, reply.head.status);
    }
    std::string line;
    ASSERT_TRUE(sluice.waitForLogRegex(
        R"(\[info\] worker\[\d+\] stats pid=\d+ generation=1 connections=\d+ streams=1 requests_total=4 streams_total=1 upstream_errors_total=0)",
        Millis(3000), &line))
        << sluice.logText();
}

}
}
