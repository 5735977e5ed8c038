#include "support/GatewayTest.h"

#include <ctime>

namespace sluice::test
{

std::string issueEvent(int n, bool crlf)
{
    std::time_t now = std::time(nullptr);
    std::tm local{};
    ::localtime_r(&now, &local);
    char clock[16];
    std::strftime(clock, sizeof clock, "%H:%M:%S", &local);
    const char * end = crlf ? "\r\n" : "\n";
    return std::string("data: Message: ") + std::to_string(n) + " - the time is " + clock + end + end;
}

std::string curlRequest(const std::string & target, uint16_t port)
{
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port)
           + "\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n";
}

SluiceProcess & GatewayTest::makeGateway(SluiceOptions options)
{
    sluice_ = std::make_unique<SluiceProcess>(std::move(options));
    sluice_->addApi("sse", "/sse/", upstream_.url(), true);
    return *sluice_;
}

::testing::AssertionResult GatewayTest::startGateway(SluiceOptions options)
{
    if (!sluice_)
        makeGateway(std::move(options));
    return sluice_->start();
}

::testing::AssertionResult GatewayTest::openStream(std::unique_ptr<HttpTestClient> & client,
                                                   const std::string & target, size_t upstream_streams)
{
    client = std::make_unique<HttpTestClient>(port());
    if (auto ok = client->connected(); !ok)
        return ok;
    if (auto ok = client->send(curlRequest(target, port())); !ok)
        return ok;
    if (auto ok = client->readHead(Millis(5000)); !ok)
        return ok;
    if (client->head().status != 200)
        return ::testing::AssertionFailure() << "stream answered " << client->head().status << " "
                                             << client->head().reason << "\n" << client->head().headers.dump();
    return upstream_.waitForStreams(upstream_streams, Millis(2000));
}

::testing::AssertionResult GatewayTest::relayEvent(HttpTestClient & client, const std::string & event,
                                                   Millis timeout)
{
    std::string before = client.body();
    if (!upstream_.sendEvent(event))
        return ::testing::AssertionFailure() << "no open upstream stream took the event";
    return client.readUntil(before + event, timeout);
}

}
