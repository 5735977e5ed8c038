/// Issue 3 (e): rapid reloads with open streams cannot pile up old generations. Past
/// `sluice.max_draining_generations` the oldest draining generation ends its streams at once (cleanly), so the
/// master's children and descriptors stay bounded however many reloads come (nginx's old workers pile up until
/// memory runs out).

#include "support/GatewayTest.h"
#include "support/ProcessInfo.h"
#include "support/ReloadSteps.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <thread>

namespace sluice::test
{
namespace
{

constexpr int kReloads = 50;
constexpr int kCap = 3;
constexpr int kWorkers = 2;
constexpr int kFirstStreams = 20;
constexpr int kStreamsPerGeneration = 2;

/// Samples the master's children and open descriptors every 2 ms and keeps the maxima.
class ProcessSampler
{
public:
    explicit ProcessSampler(pid_t master) : master_(master)
    {
        thread_ = std::thread([this] {
            const auto give_up = Clock::now() + Millis(30000);
            while (!stop_ && Clock::now() < give_up)
            {
                max_children_ = std::max(max_children_.load(), static_cast<int>(childrenOf(master_).size()));
                max_fds_ = std::max(max_fds_.load(), openFdCount(master_));
                std::this_thread::sleep_for(Millis(2));
            }
        });
    }
    ~ProcessSampler() { stop(); }
    void stop()
    {
        stop_ = true;
        if (thread_.joinable())
            thread_.join();
    }
    int maxChildren() const { return max_children_; }
    int maxFds() const { return max_fds_; }

private:
    pid_t master_;
    std::atomic<bool> stop_{false};
    std::atomic<int> max_children_{0};
    std::atomic<int> max_fds_{0};
    std::thread thread_;
};

class ReloadLimits : public GatewayTest
{
protected:
    void SetUp() override { upstream_.on("/events/", UpstreamReply::sse()); }

    /// Opens `count` streams and waits until the upstream has them all.
    void openStreams(int count)
    {
        size_t before = upstream_.streamCount();
        for (int i = 0; i < count; ++i)
        {
            clients_.push_back(std::make_unique<HttpTestClient>(port()));
            ASSERT_TRUE(clients_.back()->send(curlRequest("/sse/events/", port())));
            ASSERT_TRUE(clients_.back()->readHead(Millis(3000)));
            ASSERT_EQ(200, clients_.back()->head().status);
        }
        ASSERT_TRUE(upstream_.waitForStreams(before + count, Millis(3000)));
    }

    std::vector<std::unique_ptr<HttpTestClient>> clients_;
};

TEST_F(ReloadLimits, FiftyReloadsWithOpenStreamsStayWithinTheDrainingCap)
{
    SluiceOptions options;
    options.worker_processes = kWorkers;
    options.drain_timeout_s = 30; /// nothing may end by itself during the test: only the cap ends streams
    options.gateway_extra_json = R"({"sluice": {"max_draining_generations": 3}})";
    ASSERT_TRUE(startGateway(options));
    ASSERT_TRUE(sluice_->waitForWorkers(kWorkers, Millis(2000)));
    const int base_fds = openFdCount(sluice_->pid());
    ASSERT_GT(base_fds, 0);
    openStreams(kFirstStreams);

    ProcessSampler sampler(sluice_->pid());
    const auto started = Clock::now();
    for (unsigned generation = 2; generation <= kReloads + 1; ++generation)
    {
        ASSERT_TRUE(reloadBySignal(*sluice_, generation));
        /// Each generation gets streams of its own, so that it has something to drain when its turn comes.
        openStreams(kStreamsPerGeneration);
    }
    const double took = elapsedMs(started, Clock::now());
    /// Settled: the serving generation plus at most `kCap` draining ones.
    ASSERT_TRUE(waitFor([&] { return sluice_->workerPids().size() <= (kCap + 1) * kWorkers; }, Millis(5000),
                        "the hurried generations to exit"))
        << pidList(sluice_->workerPids());
    sampler.stop();
    const int settled_fds = openFdCount(sluice_->pid());
    std::printf("%d reloads in %.0f ms: max children %d, max master fds %d (base %d, settled %d), %zu generations "
                "closed over the cap\n",
                kReloads, took, sampler.maxChildren(), sampler.maxFds(), base_fds, settled_fds,
                sluice_->countLog("too many draining generations"));

    /// Serving + starting + `kCap` draining generations, plus one hurried generation on its way out.
    const int bound = (kCap + 3) * kWorkers;
    EXPECT_LE(sampler.maxChildren(), bound);
    /// The master holds one channel per worker; nothing else may grow with the reloads.
    EXPECT_LE(sampler.maxFds(), base_fds + bound - kWorkers);
    EXPECT_LE(settled_fds, base_fds + kCap * kWorkers);
    EXPECT_GE(sluice_->countLog("too many draining generations"), static_cast<size_t>(kReloads - kCap - 10));
    EXPECT_EQ(0u, sluice_->countLog("missed its drain deadline"));

    /// The first streams belonged to generation 1, closed by the cap long before its 30 s deadline: cleanly.
    for (int i = 0; i < kFirstStreams; ++i)
    {
        ASSERT_TRUE(clients_[i]->readBody(Millis(2000))) << "stream " << i << " of generation 1 is still open";
        EXPECT_TRUE(clients_[i]->terminalChunkSeen()) << "stream " << i;
    }
    /// The newest generations' streams still flow.
    const std::string event = numberedEvent(7);
    ASSERT_TRUE(upstream_.sendEvent(event));
    for (size_t i = clients_.size() - kStreamsPerGeneration * kCap; i < clients_.size(); ++i)
        EXPECT_TRUE(clients_[i]->readUntil(event, Millis(2000))) << "stream " << i;

    /// Leave quickly: streams whose clients go away end at once, so the drain at teardown is short.
    clients_.clear();
}

}
}
