/// Issue 3: how a reload is asked for and how it answers. SIGHUP and /tyk/reload (plain, blocking, secret
/// required); an invalid config, or a field Tyk would apply that Sluice does not implement yet, is refused with
/// file, key and reason while the old generation keeps serving (d); triggers during a reload in progress
/// coalesce into one more; systemd hears RELOADING=1 then READY=1.

#include "support/GatewayTest.h"
#include "support/ProcessInfo.h"
#include "support/ReloadSteps.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <future>
#include <regex>

namespace sluice::test
{
namespace
{

const std::string kOk = "{\"status\":\"ok\",\"message\":\"\"}\n";

class ReloadTriggers : public GatewayTest
{
protected:
    void SetUp() override { upstream_.on("/plain", UpstreamReply::text(200, "plain")); }

    std::string plainStatus()
    {
        HttpTestClient::Exchange reply;
        auto ok = HttpTestClient::exchange(port(), HttpTestClient::getRequest("/sse/plain"), reply, Millis(3000));
        return ok ? std::to_string(reply.head.status) + " " + reply.body : ok.message();
    }

    size_t readyWorkers(unsigned generation)
    {
        return logMatches(*sluice_, "worker ready pid=\\d+ generation=" + std::to_string(generation) + " ").size();
    }
};

TEST_F(ReloadTriggers, InvalidConfigIsRefusedAndTheOldGenerationKeepsServing)
{
    ASSERT_TRUE(startGateway());
    std::vector<pid_t> workers;
    ASSERT_TRUE(sluice_->waitForWorkers(2, Millis(2000), &workers));
    const std::string broken = sluice_->dir().file("apps/broken.json");
    sluice_->dir().write("apps/broken.json",
                         SluiceProcess::apiDefinition("broken", "/broken/", "ftp://127.0.0.1:21/files"));

    HttpTestClient::Exchange reply;
    ASSERT_TRUE(tykReload(port(), true, "s3cret", reply));
    EXPECT_EQ(500, reply.head.status);
    const std::string prefix = "{\"status\":\"error\",\"message\":\"reload failed: " + broken + ": proxy.target_url: ";
    EXPECT_EQ(0u, reply.body.find(prefix)) << reply.body;
    EXPECT_EQ('\n', reply.body.back());
    ASSERT_TRUE(sluice_->waitForLog("reload refused: " + broken + ": proxy.target_url: ", Millis(2000)));
    EXPECT_EQ(1u, logMatches(*sluice_, "\\[error\\] master\\[\\d+\\] reload refused: .*broken.json: proxy.target_url: "
                                       ".+; generation 1 keeps serving$").size());

    /// A refused SIGHUP says the same; nothing was forked, the same workers serve the old config.
    ASSERT_TRUE(sluice_->signal(SIGHUP));
    ASSERT_TRUE(sluice_->waitForLog("reload refused: " + broken, Millis(2000), 2));
    EXPECT_EQ(0u, sluice_->countLog("generation 2 starting"));
    EXPECT_EQ(workers, sluice_->workerPids());
    EXPECT_EQ("200 plain", plainStatus());
    HttpTestClient::Exchange missing;
    ASSERT_TRUE(HttpTestClient::exchange(port(), HttpTestClient::getRequest("/broken/x"), missing));
    EXPECT_EQ(404, missing.head.status) << "the refused API is served";

    /// Fixed: the next reload goes through and serves the new API.
    upstream_.on("/files/x", UpstreamReply::text(200, "now valid"));
    sluice_->dir().write("apps/broken.json",
                         SluiceProcess::apiDefinition("broken", "/broken/", upstream_.url() + "/files"));
    ASSERT_TRUE(tykReload(port(), true, "s3cret", reply));
    EXPECT_EQ(200, reply.head.status);
    EXPECT_EQ(kOk, reply.body);
    EXPECT_TRUE(sluice_->waitForLog("generation 2 ready workers=2", Millis(2000)));
    ASSERT_TRUE(HttpTestClient::exchange(port(), HttpTestClient::getRequest("/broken/x"), missing));
    EXPECT_EQ(200, missing.head.status);
    EXPECT_EQ("now valid", missing.body);
    EXPECT_TRUE(waitForProcessesGone(workers, Millis(3000)));
}

TEST_F(ReloadTriggers, AFieldSluiceDoesNotImplementIsRefusedAndTheOldGenerationKeepsServing)
{
    /// An IP allow list Tyk would enforce cannot be honoured yet: the reload that adds one is refused as a whole
    /// (never served without it), and the running generation keeps serving as before.
    ASSERT_TRUE(startGateway());
    std::vector<pid_t> workers;
    ASSERT_TRUE(sluice_->waitForWorkers(2, Millis(2000), &workers));
    const std::string file = sluice_->dir().file("apps/sse.json");
    sluice_->dir().write("apps/sse.json", SluiceProcess::apiDefinition("sse", "/sse/", upstream_.url(), true,
                                                                       R"({"allowed_ips": ["192.0.2.1"]})"));

    HttpTestClient::Exchange reply;
    ASSERT_TRUE(tykReload(port(), true, "s3cret", reply));
    EXPECT_EQ(500, reply.head.status);
    EXPECT_EQ(0u, reply.body.find("{\"status\":\"error\",\"message\":\"reload failed: " + file + ": allowed_ips: "))
        << reply.body;
    ASSERT_TRUE(sluice_->waitForLog("reload refused: " + file + ": allowed_ips: IP allow lists are not supported yet",
                                    Millis(2000)));
    EXPECT_EQ(0u, sluice_->countLog("generation 2 starting"));
    EXPECT_EQ(workers, sluice_->workerPids());
    EXPECT_EQ("200 plain", plainStatus());
}

TEST_F(ReloadTriggers, TykReloadNeedsTheSecretAndAnswersAtOnceOrWhenDone)
{
    ASSERT_TRUE(startGateway());
    HttpTestClient::Exchange reply;
    for (std::string secret : {"", "wrong"})
    {
        ASSERT_TRUE(tykReload(port(), true, secret, reply));
        EXPECT_EQ(403, reply.head.status) << "secret \"" << secret << "\"";
        EXPECT_EQ("{\"status\":\"error\",\"message\":\"Attempted administrative access with invalid or missing key!\"}\n",
                  reply.body);
    }
    EXPECT_EQ(0u, sluice_->countLog("reload requested"));

    /// Plain: answered at once, the reload follows.
    ASSERT_TRUE(tykReload(port(), false, "s3cret", reply));
    EXPECT_EQ(200, reply.head.status);
    EXPECT_EQ(kOk, reply.body);
    EXPECT_EQ("application/json", reply.head.headers.value("Content-Type"));
    ASSERT_TRUE(sluice_->waitForLog("generation 2 ready", Millis(3000)));
    EXPECT_EQ(1u, logMatches(*sluice_, "reload requested api=/tyk/reload worker_pid=\\d+ serving_generation=1").size());

    /// Blocking: answered only once every new worker is ready.
    ASSERT_TRUE(tykReload(port(), true, "s3cret", reply));
    EXPECT_EQ(200, reply.head.status);
    EXPECT_EQ(kOk, reply.body);
    EXPECT_EQ(2u, readyWorkers(3)) << "the blocking reload answered before generation 3 was ready";
    EXPECT_TRUE(sluice_->waitForWorkers(2, Millis(3000)));
    EXPECT_EQ("200 plain", plainStatus());
}

TEST_F(ReloadTriggers, TriggersDuringAReloadCoalesceIntoOneMore)
{
    ASSERT_TRUE(startGateway());
    unsigned generation = 2;
    std::vector<pid_t> frozen;
    ASSERT_TRUE(reloadAndFreezeNewWorkers(*sluice_, 2, generation, frozen));
    const unsigned held = generation;

    /// While generation `held` cannot become ready: three signals and two blocking API calls.
    for (int i = 0; i < 3; ++i)
    {
        ASSERT_TRUE(sluice_->signal(SIGHUP));
        ASSERT_TRUE(sluice_->waitForLog("a reload is in progress, queued", Millis(2000), i + 1));
    }
    auto blocking = [this] {
        HttpTestClient::Exchange reply;
        auto ok = tykReload(port(), true, "s3cret", reply);
        return ok ? std::to_string(reply.head.status) + " " + reply.body : ok.message();
    };
    auto first = std::async(std::launch::async, blocking);
    auto second = std::async(std::launch::async, blocking);
    ASSERT_TRUE(sluice_->waitForLog("a reload is in progress, queued", Millis(3000), 5));
    EXPECT_EQ(std::future_status::timeout, first.wait_for(Millis(100))) << "answered before the reload ran";
    EXPECT_EQ(0u, sluice_->countLog("generation " + std::to_string(held) + " ready"));

    resume(frozen);
    ASSERT_TRUE(sluice_->waitForLog("generation " + std::to_string(held) + " ready", Millis(3000)));
    /// Exactly one more reload serves all five requests, and the blocking callers hear when it is done.
    ASSERT_TRUE(sluice_->waitForLog("generation " + std::to_string(held + 1) + " ready", Millis(3000)));
    EXPECT_EQ("200 " + kOk, first.get());
    EXPECT_EQ("200 " + kOk, second.get());
    EXPECT_EQ(1u, sluice_->countLog("reload requested queued"));
    EXPECT_TRUE(sluice_->waitForWorkers(2, Millis(3000)));
    std::this_thread::sleep_for(Millis(300));
    EXPECT_EQ(0u, sluice_->countLog("generation " + std::to_string(held + 2) + " starting"));
    EXPECT_EQ("200 plain", plainStatus());
}

/// A unix datagram socket standing in for systemd's NOTIFY_SOCKET.
class NotifySocket
{
public:
    explicit NotifySocket(const std::string & path) : path_(path)
    {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        path.copy(address.sun_path, sizeof address.sun_path - 1);
        if (fd_ == -1 || ::bind(fd_, reinterpret_cast<sockaddr *>(&address), sizeof address) == -1)
            ADD_FAILURE() << "cannot bind the notify socket " << path << ": " << std::strerror(errno);
    }
    ~NotifySocket() { ::close(fd_); }

    /// Every datagram received so far, in order.
    const std::vector<std::string> & messages()
    {
        char buffer[4096];
        ssize_t n;
        while ((n = ::recv(fd_, buffer, sizeof buffer, 0)) > 0)
            messages_.emplace_back(buffer, static_cast<size_t>(n));
        return messages_;
    }
    ::testing::AssertionResult waitForCount(size_t count, Millis timeout)
    {
        auto result = waitFor([&] { return messages().size() >= count; }, timeout, std::to_string(count) + " notifications");
        for (const auto & m : messages_)
            result << "\n  [" << m << "]";
        return result;
    }

private:
    std::string path_;
    int fd_ = -1;
    std::vector<std::string> messages_;
};

TEST_F(ReloadTriggers, SystemdHearsReloadingThenReady)
{
    makeGateway();
    NotifySocket notify(sluice_->dir().file("notify.sock"));
    /// The environment is read at exec; nothing else in the test process reads it meanwhile.
    ::setenv("NOTIFY_SOCKET", sluice_->dir().file("notify.sock").c_str(), 1);
    auto started = sluice_->start();
    ::unsetenv("NOTIFY_SOCKET");
    ASSERT_TRUE(started);
    ASSERT_TRUE(notify.waitForCount(1, Millis(2000)));
    EXPECT_EQ(0u, notify.messages()[0].find("READY=1\nSTATUS=serving generation 1 on 127.0.0.1:"))
        << notify.messages()[0];

    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    const long long now_usec = now.tv_sec * 1000000LL + now.tv_nsec / 1000;
    ASSERT_TRUE(reloadBySignal(*sluice_, 2));
    ASSERT_TRUE(notify.waitForCount(3, Millis(2000)));
    std::smatch match;
    const std::string reloading = notify.messages()[1];
    ASSERT_TRUE(std::regex_match(reloading, match, std::regex("RELOADING=1\nMONOTONIC_USEC=(\\d+)\nSTATUS=.+")))
        << reloading;
    long long usec = std::stoll(match[1].str());
    EXPECT_GE(usec, now_usec);
    EXPECT_LT(usec, now_usec + 5000000LL) << "MONOTONIC_USEC is not CLOCK_MONOTONIC";
    EXPECT_EQ(0u, notify.messages()[2].find("READY=1\nSTATUS=serving generation 2 on 127.0.0.1:"))
        << notify.messages()[2];

    /// A refused reload still ends the RELOADING state, with the reason in STATUS.
    sluice_->dir().write("apps/bad.json", "{ not json");
    ASSERT_TRUE(sluice_->signal(SIGHUP));
    ASSERT_TRUE(notify.waitForCount(5, Millis(2000)));
    EXPECT_EQ(0u, notify.messages()[3].find("RELOADING=1\n")) << notify.messages()[3];
    EXPECT_EQ(0u, notify.messages()[4].find("READY=1\nSTATUS=reload refused: " + sluice_->dir().file("apps/bad.json")))
        << notify.messages()[4];
}

}
}
