/// The master/worker process model under faults and stop: a killed worker is replaced while the
/// other one keeps serving, a killed master takes its workers with it and frees the port, and a
/// graceful stop ends open streams cleanly before the master exits 0.

#include "support/GatewayTest.h"
#include "support/LoopbackSocket.h"
#include "support/ProcessInfo.h"

#include <sys/wait.h>

#include <algorithm>
#include <csignal>
#include <thread>

namespace sluice::test
{
namespace
{

class ProcessLifecycle : public GatewayTest
{
protected:
    void SetUp() override
    {
        upstream_.on("/events/", UpstreamReply::sse());
        upstream_.on("/plain", UpstreamReply::text(200, "plain"));
    }

    /// One request on a fresh connection; empty string on success, else what went wrong.
    std::string tryRequest(const std::string & target)
    {
        HttpTestClient::Exchange reply;
        auto ok = HttpTestClient::exchange(port(), HttpTestClient::getRequest(target), reply, Millis(2000));
        if (!ok)
            return ok.message();
        if (reply.head.status != 200)
            return "status " + std::to_string(reply.head.status);
        return "";
    }
};

TEST_F(ProcessLifecycle, KilledWorkerIsRespawnedWhileTheOtherKeepsServing)
{
    ASSERT_TRUE(startGateway());
    std::vector<pid_t> workers;
    ASSERT_TRUE(sluice_->waitForWorkers(2, Millis(2000), &workers));
    const pid_t victim = workers[0];
    ASSERT_EQ(0, ::kill(victim, SIGKILL)) << errnoText();
    /// kill() returns before the victim is gone; from here on it can take no connection.
    ASSERT_TRUE(waitForProcessesGone({victim}, Millis(1000)));

    /// Requests keep succeeding while the master notices and replaces the worker.
    std::vector<pid_t> now;
    int requests = 0;
    const auto deadline = Clock::now() + Millis(5000);
    bool replaced = false;
    while (Clock::now() < deadline && !(replaced && requests >= 20))
    {
        std::string error = tryRequest(requests % 2 ? "/hello" : "/sse/plain");
        EXPECT_EQ("", error) << "request " << requests << " after the worker kill";
        ++requests;
        now = sluice_->workerPids();
        replaced = now.size() == 2 && std::find(now.begin(), now.end(), victim) == now.end();
    }
    ASSERT_TRUE(replaced) << "children after 5 s: " << pidList(now);
    EXPECT_FALSE(processAlive(victim));
    EXPECT_TRUE(sluice_->waitForLogRegex("worker exited pid=" + std::to_string(victim) + " .*status=signal\\(9\\)",
                                         Millis(1000)));
    pid_t fresh = now[0] == workers[1] ? now[1] : now[0];
    EXPECT_TRUE(sluice_->waitForLog("worker started pid=" + std::to_string(fresh), Millis(1000)));
    EXPECT_TRUE(sluice_->waitForLog("worker ready pid=" + std::to_string(fresh), Millis(2000)));
    EXPECT_EQ("", tryRequest("/sse/plain"));
}

TEST_F(ProcessLifecycle, KilledMasterTakesItsWorkersDownAndFreesThePort)
{
    ASSERT_TRUE(startGateway());
    ASSERT_EQ("", tryRequest("/sse/plain"));
    std::vector<pid_t> workers;
    ASSERT_TRUE(sluice_->waitForWorkers(2, Millis(2000), &workers));
    /// An open stream must not keep a worker (or the port) alive either.
    std::unique_ptr<HttpTestClient> client;
    ASSERT_TRUE(openStream(client));

    ASSERT_TRUE(sluice_->signal(SIGKILL));
    auto status = sluice_->waitExit(Millis(2000));
    ASSERT_TRUE(status.has_value());
    EXPECT_TRUE(WIFSIGNALED(*status) && WTERMSIG(*status) == SIGKILL) << describeStatus(*status);
    auto killed = Clock::now();
    ASSERT_TRUE(waitForProcessesGone(workers, Millis(2000)));
    std::printf("workers gone %.0f ms after the master was killed\n", elapsedMs(killed, Clock::now()));
    std::string why;
    EXPECT_TRUE(portIsFree(port(), why)) << "port " << port() << ": " << why;
    EXPECT_TRUE(client->waitEof(Millis(1000)));
}

TEST_F(ProcessLifecycle, GracefulStopEndsOpenStreamsCleanlyAndExitsZero)
{
    SluiceOptions options;
    options.drain_timeout_s = 2;
    ASSERT_TRUE(startGateway(options));
    std::vector<pid_t> workers;
    ASSERT_TRUE(sluice_->waitForWorkers(2, Millis(2000), &workers));
    std::unique_ptr<HttpTestClient> first;
    std::unique_ptr<HttpTestClient> second;
    ASSERT_TRUE(openStream(first, "/sse/events/", 1));
    ASSERT_TRUE(openStream(second, "/sse/events/?n=2", 2));
    std::string event = issueEvent(1);
    ASSERT_TRUE(relayEvent(*first, event));
    ASSERT_TRUE(second->readUntil(event, Millis(2000)));

    auto stop = Clock::now();
    ASSERT_TRUE(sluice_->signal(SIGTERM));
    const Millis deadline((options.drain_timeout_s * 1000) + 1500);
    for (auto * client : {first.get(), second.get()})
    {
        ASSERT_TRUE(client->readBody(deadline)) << "stream did not end by the drain deadline";
        EXPECT_TRUE(client->terminalChunkSeen());
        EXPECT_EQ(0u, client->body().find(event));
        EXPECT_TRUE(client->waitEof(Millis(1000)));
    }
    auto status = sluice_->waitExit(deadline + Millis(1500));
    ASSERT_TRUE(status.has_value()) << "master still running after the drain deadline";
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << describeStatus(*status);
    std::printf("graceful stop took %.0f ms\n", elapsedMs(stop, Clock::now()));
    EXPECT_TRUE(waitForProcessesGone(workers, Millis(1000)));
    EXPECT_EQ(1u, sluice_->countLog("stop requested signal=TERM"));
    EXPECT_EQ(1u, sluice_->countLog("master exiting status=0"));
    EXPECT_EQ(2u, sluice_->countLog("status=exit(0)")) << sluice_->logText();
    std::string why;
    EXPECT_TRUE(portIsFree(port(), why)) << why;
}

/// design.md §2: a draining worker lets its streams run until they end or the drain deadline.
TEST_F(ProcessLifecycle, StreamsKeepFlowingDuringTheDrain)
{
    SluiceOptions options;
    options.drain_timeout_s = 3;
    ASSERT_TRUE(startGateway(options));
    std::unique_ptr<HttpTestClient> client;
    ASSERT_TRUE(openStream(client));
    ASSERT_TRUE(relayEvent(*client, issueEvent(1)));
    ASSERT_TRUE(sluice_->signal(SIGTERM));
    ASSERT_TRUE(sluice_->waitForLog("stop requested signal=TERM", Millis(1000)));
    EXPECT_TRUE(relayEvent(*client, issueEvent(2), Millis(1000))) << "the stream stopped as soon as the drain began";
    /// The upstream ends the stream itself: the worker may then finish before the deadline.
    auto ended = Clock::now();
    upstream_.endStream();
    EXPECT_TRUE(client->readBody(Millis(1000)));
    auto status = sluice_->waitExit(Millis(3000));
    ASSERT_TRUE(status.has_value());
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << describeStatus(*status);
    std::printf("master exited %.0f ms after the last stream ended (drain deadline 3000 ms)\n",
                elapsedMs(ended, Clock::now()));
}

}
}
