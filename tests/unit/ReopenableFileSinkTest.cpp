#include "shared/ReopenableFileSink.h"

#include <spdlog/logger.h>

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace sluice;

namespace
{

constexpr int kLinesPerWriter = 2000;
/// Long enough that a buffered sink would split lines across its 4 KB flushes.
const std::string kPayload(300, 'x');

/// A fresh directory, removed with its content.
class ScratchDir
{
public:
    ScratchDir()
    {
        char pattern[] = "/tmp/sluice-sink-test-XXXXXX";
        if (::mkdtemp(pattern) == nullptr)
            throw std::runtime_error(std::string("mkdtemp() failed: ") + std::strerror(errno));
        path_ = pattern;
    }
    ~ScratchDir()
    {
        std::error_code ignored; /// a leftover temp directory must not fail the test that made it
        std::filesystem::remove_all(path_, ignored);
    }
    std::string file(const std::string & name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

std::vector<std::string> readLines(const std::string & path)
{
    std::ifstream in(path, std::ios::binary);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

/// A logger writing only the message, so the file holds exactly what was logged.
std::shared_ptr<spdlog::logger> loggerOn(const std::shared_ptr<ReopenableFileSink> & sink)
{
    auto logger = std::make_shared<spdlog::logger>("test", sink);
    logger->set_pattern("%v");
    return logger;
}

void writeLines(const std::string & path, const std::string & writer)
{
    auto logger = loggerOn(std::make_shared<ReopenableFileSink>(path));
    for (int i = 0; i < kLinesPerWriter; ++i)
        logger->info("{} {} {}", writer, i, kPayload);
}

/// Every line is "<writer> <n> <payload>", and each writer's lines are all there, in order.
void expectIntactLines(const std::string & path, const std::vector<std::string> & writers)
{
    std::vector<std::string> lines = readLines(path);
    EXPECT_EQ(lines.size(), writers.size() * kLinesPerWriter);
    std::map<std::string, int> next;
    size_t broken = 0;
    for (const std::string & line : lines)
    {
        std::istringstream fields(line);
        std::string writer, payload;
        int n = -1;
        fields >> writer >> n >> payload;
        if (payload != kPayload || !fields.eof() || n != next[writer])
        {
            if (++broken <= 3)
                ADD_FAILURE() << "broken or out-of-order line: " << line.substr(0, 80);
            continue;
        }
        ++next[writer];
    }
    EXPECT_EQ(broken, 0u);
    for (const std::string & writer : writers)
        EXPECT_EQ(next[writer], kLinesPerWriter) << writer;
}

}

TEST(ReopenableFileSink, LinesLandInTheFileAsTheyAreLogged)
{
    ScratchDir dir;
    const std::string path = dir.file("sluice.log");
    auto logger = loggerOn(std::make_shared<ReopenableFileSink>(path));
    logger->info("first");
    /// No flush: each line is written at once, with no buffer to lose at fork or crash.
    EXPECT_EQ(readLines(path), std::vector<std::string>{"first"});
    logger->warn("second {}", 2);
    EXPECT_EQ(readLines(path), (std::vector<std::string>{"first", "second 2"}));

    struct stat st{};
    ASSERT_EQ(::stat(path.c_str(), &st), 0) << std::strerror(errno);
    mode_t mask = ::umask(0);
    ::umask(mask);
    EXPECT_EQ(st.st_mode & 0777, 0644u & ~mask);
}

TEST(ReopenableFileSink, AppendsToAnExistingFile)
{
    ScratchDir dir;
    const std::string path = dir.file("sluice.log");
    std::ofstream(path) << "kept\n";
    loggerOn(std::make_shared<ReopenableFileSink>(path))->info("added");
    EXPECT_EQ(readLines(path), (std::vector<std::string>{"kept", "added"}));
}

TEST(ReopenableFileSink, OpenFailureThrowsNamingThePathAndTheReason)
{
    ScratchDir dir;
    const std::string path = dir.file("missing/sluice.log");
    try
    {
        ReopenableFileSink sink(path);
        FAIL() << "opened " << path;
    }
    catch (const std::runtime_error & e)
    {
        EXPECT_EQ(std::string(e.what()), "cannot open log file \"" + path + "\": " + std::strerror(ENOENT));
    }
}

TEST(ReopenableFileSink, ReopenAfterRenameWritesToANewFileAtThePath)
{
    ScratchDir dir;
    const std::string path = dir.file("access.log");
    const std::string rotated = dir.file("access.log.1");
    auto sink = std::make_shared<ReopenableFileSink>(path);
    auto logger = loggerOn(sink);
    logger->info("before rename");
    ASSERT_EQ(std::rename(path.c_str(), rotated.c_str()), 0) << std::strerror(errno);
    /// Until reopen() the old descriptor still points at the renamed file, as after logrotate's mv.
    logger->info("before reopen");
    std::string error;
    ASSERT_TRUE(sink->reopen(&error)) << error;
    logger->info("after reopen");

    EXPECT_EQ(readLines(rotated), (std::vector<std::string>{"before rename", "before reopen"}));
    EXPECT_EQ(readLines(path), std::vector<std::string>{"after reopen"});
}

TEST(ReopenableFileSink, FailedReopenKeepsWritingToTheOldFile)
{
    ScratchDir dir;
    const std::string sub = dir.file("logs");
    std::filesystem::create_directory(sub);
    auto sink = std::make_shared<ReopenableFileSink>(sub + "/sluice.log");
    auto logger = loggerOn(sink);
    logger->info("one");
    /// The directory moves away: the path cannot be opened any more, the open descriptor still works.
    ASSERT_EQ(std::rename(sub.c_str(), dir.file("moved").c_str()), 0) << std::strerror(errno);

    std::string error;
    EXPECT_FALSE(sink->reopen(&error));
    EXPECT_NE(error.find(sub + "/sluice.log"), std::string::npos) << error;
    EXPECT_NE(error.find(std::strerror(ENOENT)), std::string::npos) << error;
    logger->info("two");
    EXPECT_EQ(readLines(dir.file("moved/sluice.log")), (std::vector<std::string>{"one", "two"}));
}

TEST(ReopenableFileSink, CloseDropsLaterLines)
{
    ScratchDir dir;
    const std::string path = dir.file("sluice.log");
    auto sink = std::make_shared<ReopenableFileSink>(path);
    auto logger = loggerOn(sink);
    logger->info("kept");
    sink->close();
    logger->info("dropped");
    EXPECT_EQ(readLines(path), std::vector<std::string>{"kept"});
}

TEST(ReopenableFileSink, TwoThreadsWithTheirOwnSinkNeverInterleaveLines)
{
    ScratchDir dir;
    const std::string path = dir.file("shared.log");
    std::thread a([&] { writeLines(path, "A"); });
    std::thread b([&] { writeLines(path, "B"); });
    a.join();
    b.join();
    expectIntactLines(path, {"A", "B"});
}

TEST(ReopenableFileSink, TwoProcessesAppendingToOneFileNeverInterleaveLines)
{
    ScratchDir dir;
    const std::string path = dir.file("shared.log");
    pid_t child = ::fork();
    ASSERT_NE(child, -1) << std::strerror(errno);
    if (child == 0)
    {
        /// Child: its own sink and descriptor, as a worker has; never return into gtest.
        try
        {
            writeLines(path, "child");
        }
        catch (const std::exception & e)
        {
            std::fprintf(stderr, "child: %s\n", e.what());
            ::_exit(1);
        }
        ::_exit(0);
    }
    writeLines(path, "parent");
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child) << std::strerror(errno);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
    expectIntactLines(path, {"child", "parent"});
}
