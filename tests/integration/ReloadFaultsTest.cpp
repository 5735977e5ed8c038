/// Issue 3 (f) and the failure paths of a generation switch: a new worker that dies before Ready, or a new
/// generation that never gets ready, fails the reload and leaves the serving generation alone; a serving worker
/// killed mid-reload is replaced or drained. In every case the master stays responsive: the next reload works
/// and traffic flows.

#include "support/GatewayTest.h"
#include "support/ProcessInfo.h"
#include "support/ReloadSteps.h"

#include <algorithm>
#include <csignal>

namespace sluice::test
{
namespace
{

class ReloadFaults : public GatewayTest
{
protected:
    void SetUp() override { upstream_.on("/plain", UpstreamReply::text(200, "plain")); }

    /// `count` fresh-connection requests; "" when all answered 200 "plain".
    std::string requestsFail(int count)
    {
        for (int i = 0; i < count; ++i)
        {
            HttpTestClient::Exchange reply;
            auto ok = HttpTestClient::exchange(port(), HttpTestClient::getRequest("/sse/plain"), reply, Millis(3000));
            if (!ok)
                return "request " + std::to_string(i) + ": " + ok.message();
            if (reply.head.status != 200 || reply.body != "plain")
                return "request " + std::to_string(i) + ": " + std::to_string(reply.head.status) + " " + reply.body;
        }
        return "";
    }

    /// Starts the gateway and a reload whose new workers are frozen before Ready; fills generation_ (the frozen one),
    /// frozen_ and serving_.
    ::testing::AssertionResult startWithAFrozenReload()
    {
        if (auto ok = startGateway(); !ok)
            return ok;
        if (auto ok = reloadAndFreezeNewWorkers(*sluice_, 2, generation_, frozen_); !ok)
            return ok;
        return findServing();
    }

    unsigned generation_ = 2;
    std::vector<pid_t> frozen_;
    std::vector<pid_t> serving_;

    /// The serving workers while `frozen_` (a new generation) waits: the master's other children once any
    /// drained generation has left. Which generation serves is only known here, since reloadAndFreezeNewWorkers
    /// lets a generation that reported Ready too quickly complete its switch and tries again.
    ::testing::AssertionResult findServing()
    {
        std::vector<pid_t> children;
        if (auto ok = sluice_->waitForWorkers(frozen_.size() + 2, Millis(3000), &children); !ok)
            return ok;
        serving_.clear();
        for (pid_t pid : children)
            if (std::find(frozen_.begin(), frozen_.end(), pid) == frozen_.end())
                serving_.push_back(pid);
        return ::testing::AssertionSuccess();
    }

    /// After a failed reload: the next one (a blocking /tyk/reload) succeeds, and the gateway settles on
    /// two workers of the new generation.
    void expectNextReloadWorks(unsigned next_generation)
    {
        HttpTestClient::Exchange reply;
        ASSERT_TRUE(tykReload(port(), true, "s3cret", reply));
        EXPECT_EQ(200, reply.head.status) << reply.body;
        EXPECT_TRUE(sluice_->waitForLog("generation " + std::to_string(next_generation) + " ready workers=2", Millis(2000)));
        EXPECT_TRUE(sluice_->waitForWorkers(2, Millis(3000)));
        EXPECT_EQ("", requestsFail(20));
    }
};

TEST_F(ReloadFaults, NewWorkerKilledBeforeReadyFailsTheReloadOnly)
{
    ASSERT_TRUE(startWithAFrozenReload());

    ASSERT_EQ(0, ::kill(frozen_[0], SIGKILL));
    const std::string failed = "reload failed: worker pid=" + std::to_string(frozen_[0]);
    ASSERT_TRUE(sluice_->waitForLog(failed, Millis(2000)));
    EXPECT_EQ(1u, logMatches(*sluice_, failed + " slot=\\d exited before it was ready, status=signal\\(9\\); generation "
                                            + std::to_string(generation_ - 1) + " keeps serving").size());
    /// The other frozen worker is killed by the master (SIGKILL works on a stopped process); nothing is respawned.
    EXPECT_TRUE(waitForProcessesGone(frozen_, Millis(2000)));
    resume(frozen_);
    EXPECT_TRUE(sluice_->waitForWorkers(2, Millis(2000)));
    /// A killed worker stays the master's child (a zombie) until it is reaped: wait for that, then compare.
    EXPECT_TRUE(waitFor([&] { return sluice_->workerPids() == serving_; }, Millis(2000), "only the serving workers"))
        << pidList(sluice_->workerPids()) << " vs " << pidList(serving_);
    EXPECT_EQ(0u, sluice_->countLog("worker respawn scheduled"));
    EXPECT_EQ("", requestsFail(20));
    expectNextReloadWorks(generation_ + 1);
}

TEST_F(ReloadFaults, ServingWorkerKilledDuringAReloadIsReplacedAndTheSwitchCompletes)
{
    ASSERT_TRUE(startWithAFrozenReload());

    ASSERT_EQ(0, ::kill(serving_[0], SIGKILL));
    ASSERT_TRUE(sluice_->waitForLog("worker exited pid=" + std::to_string(serving_[0]), Millis(2000)));
    /// The serving generation stays whole while the switch waits: the killed slot is respawned.
    ASSERT_TRUE(sluice_->waitForLog("worker respawn scheduled generation=" + std::to_string(generation_ - 1), Millis(2000)));
    EXPECT_TRUE(waitFor([&] { return sluice_->workerPids().size() == 4; }, Millis(3000), "the respawned worker"))
        << pidList(sluice_->workerPids());
    EXPECT_EQ("", requestsFail(20));

    resume(frozen_);
    ASSERT_TRUE(sluice_->waitForLog("generation " + std::to_string(generation_) + " ready workers=2", Millis(3000)));
    EXPECT_TRUE(sluice_->waitForWorkers(2, Millis(3000)));
    std::vector<pid_t> now = sluice_->workerPids();
    std::sort(now.begin(), now.end());
    std::sort(frozen_.begin(), frozen_.end());
    EXPECT_EQ(frozen_, now);
    EXPECT_EQ("", requestsFail(20));
    expectNextReloadWorks(generation_ + 1);
}

TEST_F(ReloadFaults, GenerationNotReadyInTenSecondsIsKilledAndTheOldOneKeepsServing)
{
    ASSERT_TRUE(startWithAFrozenReload());
    const auto frozen_at = Clock::now();
    EXPECT_EQ("", requestsFail(5));

    const std::string failed = "reload failed: generation " + std::to_string(generation_) + " was not ready within 10 s";
    ASSERT_TRUE(sluice_->waitForLog(failed, Millis(12000)));
    EXPECT_GE(elapsedMs(frozen_at, Clock::now()), 9000.0);
    EXPECT_EQ(1u, sluice_->countLog(failed + "; generation " + std::to_string(generation_ - 1) + " keeps serving"));
    EXPECT_TRUE(waitForProcessesGone(frozen_, Millis(2000)));
    resume(frozen_);
    /// A killed worker stays the master's child (a zombie) until it is reaped: wait for that, then compare.
    EXPECT_TRUE(waitFor([&] { return sluice_->workerPids() == serving_; }, Millis(2000), "only the serving workers"))
        << pidList(sluice_->workerPids()) << " vs " << pidList(serving_);
    EXPECT_EQ("", requestsFail(20));
    expectNextReloadWorks(generation_ + 1);
}

}
}
