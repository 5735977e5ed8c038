/// Log files and rotation, as logrotate does it: `mv` the files, then SIGUSR1 to the master. The master reopens
/// its own files and tells every worker to reopen theirs; later lines go to new files at the configured paths
/// while the renamed files keep everything written before. Also: an unopenable log file stops startup with 71.

#include "support/FakeUpstream.h"
#include "support/HttpTestClient.h"
#include "support/SluiceProcess.h"
#include "support/TempDir.h"

#include <sys/wait.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

namespace sluice::test
{
namespace
{

size_t countOf(const std::string & text, const std::string & needle)
{
    size_t count = 0;
    for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size()))
        ++count;
    return count;
}

/// Waits until the file at `path` holds at least `count` occurrences of `needle`.
::testing::AssertionResult waitForInFile(const std::string & path, const std::string & needle, Millis timeout,
                                         size_t count = 1)
{
    return waitFor([&] { return countOf(readFile(path), needle) >= count; }, timeout,
                   std::to_string(count) + " x \"" + needle + "\" in " + path);
}

class LogFiles : public ::testing::Test
{
protected:
    void SetUp() override { upstream_.on("/plain", UpstreamReply::text(200, "plain")); }

    /// Starts sluice with `sluice_json` merged into its "sluice" object.
    ::testing::AssertionResult startWith(const std::string & sluice_json)
    {
        SluiceOptions options;
        options.gateway_extra_json = R"({"sluice": )" + sluice_json + "}";
        sluice_ = std::make_unique<SluiceProcess>(options);
        sluice_->addApi("sse", "/sse/", upstream_.url(), true);
        return sluice_->start();
    }

    ::testing::AssertionResult request(const std::string & target)
    {
        HttpTestClient::Exchange reply;
        if (auto ok = HttpTestClient::exchange(sluice_->port(), HttpTestClient::getRequest(target), reply); !ok)
            return ok;
        if (reply.head.status != 200)
            return ::testing::AssertionFailure() << target << ": status " << reply.head.status;
        return ::testing::AssertionSuccess();
    }

    void rename(const std::string & from, const std::string & to)
    {
        ASSERT_EQ(0, std::rename(from.c_str(), to.c_str())) << from << ": " << std::strerror(errno);
    }

    void expectNoCritical(const std::string & path)
    {
        EXPECT_EQ(0u, countOf(readFile(path), "[critical]")) << path << ":\n" << readFile(path);
    }

    /// Declared in destruction order's reverse: sluice stops first, then its log directory goes, then the upstream.
    FakeUpstream upstream_;
    TempDir logs_;
    std::unique_ptr<SluiceProcess> sluice_;
};

TEST_F(LogFiles, Usr1ReopensTheMainAndAccessFilesAfterTheyWereRenamed)
{
    const std::string main_log = logs_.file("sluice.log");
    const std::string access_log = logs_.file("access.log");
    ASSERT_TRUE(startWith(R"({"log_file": ")" + main_log + R"(", "access_log_file": ")" + access_log + R"("})"));
    ASSERT_TRUE(waitForInFile(main_log, "worker serving", Millis(5000), 2));

    ASSERT_TRUE(request("/sse/plain/before"));
    /// The access line is written once the response is out, so the client can be first.
    ASSERT_TRUE(waitForInFile(access_log, "path=/sse/plain/before", Millis(2000)));
    EXPECT_EQ(1u, countOf(readFile(main_log), "master started")) << readFile(main_log);
    EXPECT_EQ(0u, countOf(readFile(main_log), "path=/sse/plain/before")) << "access line in the main file";
    EXPECT_EQ(0u, countOf(readFile(access_log), "master started")) << "lifecycle line in the access file";
    EXPECT_EQ(0u, sluice_->countLog("master started")) << "with log_file set stderr gets no lifecycle lines";

    rename(main_log, main_log + ".1");
    rename(access_log, access_log + ".1");
    ASSERT_TRUE(sluice_->signal(SIGUSR1));
    /// The master's line, then one per worker (each reopens its own descriptors): only then is every process done.
    ASSERT_TRUE(waitForInFile(main_log, "logs reopened signal=USR1 workers=2", Millis(3000)));
    ASSERT_TRUE(waitForInFile(main_log, "logs reopened pid=", Millis(3000), 2));

    ASSERT_TRUE(request("/sse/plain/after"));
    ASSERT_TRUE(waitForInFile(access_log, "path=/sse/plain/after", Millis(2000)));

    const std::string rotated_main = readFile(main_log + ".1");
    const std::string rotated_access = readFile(access_log + ".1");
    EXPECT_EQ(1u, countOf(rotated_access, "path=/sse/plain/before")) << rotated_access;
    EXPECT_EQ(0u, countOf(rotated_access, "path=/sse/plain/after")) << rotated_access;
    EXPECT_EQ(0u, countOf(readFile(access_log), "path=/sse/plain/before")) << readFile(access_log);
    EXPECT_EQ(1u, countOf(rotated_main, "master started")) << rotated_main;
    EXPECT_EQ(2u, countOf(rotated_main, "worker serving")) << rotated_main;
    EXPECT_EQ(0u, countOf(rotated_main, "logs reopened")) << rotated_main;
    EXPECT_EQ(0u, countOf(readFile(main_log), "master started")) << readFile(main_log);
    for (const std::string & path : {main_log, access_log, main_log + ".1", access_log + ".1"})
        expectNoCritical(path);
}

TEST_F(LogFiles, AccessLinesFollowLogFileAndAWorkerSignalledDirectlyReopens)
{
    const std::string main_log = logs_.file("sluice.log");
    ASSERT_TRUE(startWith(R"({"log_file": ")" + main_log + R"("})"));
    std::vector<pid_t> workers;
    ASSERT_TRUE(sluice_->waitForWorkers(2, Millis(5000), &workers));
    ASSERT_TRUE(waitForInFile(main_log, "worker serving", Millis(5000), 2));
    ASSERT_TRUE(request("/sse/plain/one"));
    ASSERT_TRUE(waitForInFile(main_log, "path=/sse/plain/one", Millis(2000)));

    rename(main_log, main_log + ".1");
    ASSERT_EQ(0, ::kill(workers[0], SIGUSR1)) << std::strerror(errno);
    const std::string line = "logs reopened pid=" + std::to_string(workers[0]) + " trigger=signal=USR1";
    ASSERT_TRUE(waitForInFile(main_log, line, Millis(3000)));
    /// Only that worker let go of the renamed file; the master and the other worker still write there.
    EXPECT_EQ(1u, countOf(readFile(main_log), "logs reopened")) << readFile(main_log);
    expectNoCritical(main_log);
    expectNoCritical(main_log + ".1");
}

TEST_F(LogFiles, AnUnopenableLogFileStopsStartupWith71)
{
    /// The directory exists (the config is valid) but the path is a directory: only open() can tell.
    const std::string path = logs_.mkdir("not-a-file");
    SluiceOptions options;
    options.gateway_extra_json = R"({"sluice": {"log_file": ")" + path + R"("}})";
    sluice_ = std::make_unique<SluiceProcess>(options);
    sluice_->writeConfig();
    ASSERT_TRUE(sluice_->launch({"--conf", "{conf}"}));
    auto status = sluice_->waitExit(Millis(5000));
    ASSERT_TRUE(status.has_value()) << "still running; log:\n" << sluice_->logText();
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 71) << describeStatus(*status);
    EXPECT_EQ(sluice_->logText(), "sluice: cannot open log file \"" + path + "\": " + std::strerror(EISDIR) + "\n");
}

}
}
