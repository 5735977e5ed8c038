#pragma once

#include "support/FakeUpstream.h"
#include "support/HttpTestClient.h"
#include "support/SluiceProcess.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace sluice::test
{

/// One event of the issue's upstream: "data: Message: N - the time is HH:MM:SS" + blank line,
/// with LF or CRLF line ends.
std::string issueEvent(int n, bool crlf = false);

/// The issue's request as curl sends it: GET `target`, Host, User-Agent, Accept.
std::string curlRequest(const std::string & target, uint16_t port);

/// Fixture for tests with one FakeUpstream behind one sluice. The upstream outlives the gateway
/// (members are destroyed in reverse order), so the gateway's teardown sees a live upstream.
class GatewayTest : public ::testing::Test
{
protected:
    /// Creates the gateway with the issue's API ("sse": listen_path /sse/, strip, -> upstream_),
    /// without starting it, so a test can add APIs first.
    SluiceProcess & makeGateway(SluiceOptions options = {});
    /// makeGateway(options) (unless already made) and start().
    ::testing::AssertionResult startGateway(SluiceOptions options = {});
    uint16_t port() const { return sluice_->port(); }

    /// Opens `target` through the gateway with the curl request and reads the response head, then
    /// waits until the upstream has `upstream_streams` streams.
    ::testing::AssertionResult openStream(std::unique_ptr<HttpTestClient> & client,
                                          const std::string & target = "/sse/events/", size_t upstream_streams = 1);
    /// Sends `event` from the upstream (all streams) and waits until `client` has it.
    ::testing::AssertionResult relayEvent(HttpTestClient & client, const std::string & event,
                                          Millis timeout = Millis(2000));

    FakeUpstream upstream_;
    std::unique_ptr<SluiceProcess> sluice_;
};

}
