/// Issue 3 (a): reloads under constant keep-alive load lose nothing. nginx fails this (design.md §7: a draining
/// worker closes idle keep-alive connections just as clients send on them); a Sluice worker that drains answers
/// the next request on each connection with `Connection: close` instead, so clients never see an error.

#include "support/GatewayTest.h"
#include "support/KeepAliveLoad.h"
#include "support/ReloadSteps.h"

#include <cstdio>
#include <regex>
#include <thread>

namespace sluice::test
{
namespace
{

constexpr int kClients = 8;
constexpr int kReloads = 20;
constexpr const char * kBody = "fixed response for the reload load\n";

class ReloadUnderLoad : public GatewayTest
{
protected:
    void SetUp() override { upstream_.on("/fixed", UpstreamReply::text(200, kBody)); }
};

TEST_F(ReloadUnderLoad, TwentyReloadsUnderKeepAliveLoadFailNoRequest)
{
    SluiceOptions options;
    options.drain_timeout_s = 5;
    ASSERT_TRUE(startGateway(options));
    KeepAliveLoad load(port(), "/sse/fixed", kBody, kClients, Millis(20000));
    load.start();
    ASSERT_TRUE(load.waitForOk(200, Millis(5000)));

    const auto started = Clock::now();
    for (unsigned generation = 2; generation <= kReloads + 1; ++generation)
    {
        uint64_t before = load.counts().ok;
        ASSERT_TRUE(reloadBySignal(*sluice_, generation)) << "reload " << generation - 1;
        /// Let the new generation take traffic (and the old one drain) before the next reload.
        ASSERT_TRUE(load.waitForOk(before + 50, Millis(3000))) << "after reload " << generation - 1;
        std::this_thread::sleep_for(Millis(50));
    }
    /// Every drained worker exits by itself, so the last generation is all that is left.
    EXPECT_TRUE(sluice_->waitForWorkers(2, Millis(3000)));
    uint64_t before = load.counts().ok;
    ASSERT_TRUE(load.waitForOk(before + 100, Millis(3000)));
    load.stop();
    LoadCounts counts = load.counts();
    std::printf("%d reloads in %.0f ms under %d keep-alive clients: %s\n", kReloads,
                elapsedMs(started, Clock::now()), kClients, counts.summary().c_str());

    EXPECT_EQ(0u, counts.failures()) << counts.summary();
    for (const auto & sample : counts.samples)
        ADD_FAILURE() << "failed request: " << sample;
    /// The drains really happened under the load: clients were told to reconnect, not cut off.
    EXPECT_GE(counts.closes_announced, static_cast<uint64_t>(kReloads)) << counts.summary();
    EXPECT_EQ(static_cast<size_t>(kReloads + 1), logMatches(*sluice_, "generation \\d+ ready workers=2 ").size());
    /// Old workers finished their keep-alive connections well before the 5 s deadline: none was cut at it.
    const std::regex drained_re(
        R"(worker drained pid=\d+ generation=\d+ streams_closed_at_deadline=0 elapsed_ms=(\d+))");
    auto drained = logMatches(*sluice_, R"(worker drained pid=\d+ generation=\d+ )");
    EXPECT_EQ(static_cast<size_t>(2 * kReloads), drained.size());
    for (const auto & line : drained)
    {
        std::smatch match;
        ASSERT_TRUE(std::regex_search(line, match, drained_re)) << line;
        EXPECT_LT(std::stoi(match[1].str()), 4000) << "a draining worker waited for its deadline: " << line;
    }
    EXPECT_EQ(0u, sluice_->countLog("missed its drain deadline"));
}

}
}
