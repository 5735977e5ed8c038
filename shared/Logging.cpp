#include "shared/Logging.h"

#include "shared/ReopenableFileSink.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <string>
#include <vector>

namespace sluice
{

namespace
{

/// The pid is written into the pattern once: spdlog's %P calls getpid() for every line. setupLogging() runs again
/// in each worker after fork, so the value is always the caller's own.
std::string pattern()
{
    return "%Y-%m-%dT%H:%M:%S.%e [%l] %n[" + std::to_string(::getpid()) + "] %v";
}
constexpr const char * kNames[] = {"master", "worker", "access", "stream"};

/// The file sinks of the current loggers, for reopenLogs() and dropLogs(). Only touched by the thread that sets
/// up logging and handles signals (the master's loop, a worker's main thread).
std::vector<std::shared_ptr<ReopenableFileSink>> file_sinks;

/// stderr for "", else a file sink (remembered in `opened`).
spdlog::sink_ptr makeSink(const std::string & path, std::vector<std::shared_ptr<ReopenableFileSink>> & opened)
{
    if (path.empty())
    {
        /// stderr_sink_mt writes each formatted line with one fwrite + flush, so lines of the master and of
        /// every worker sharing the same stderr never interleave inside a line.
        return std::make_shared<spdlog::sinks::stderr_sink_mt>();
    }
    auto sink = std::make_shared<ReopenableFileSink>(path);
    opened.push_back(sink);
    return sink;
}

std::shared_ptr<spdlog::logger> named(const char * name)
{
    auto logger = spdlog::get(name);
    if (!logger)
    {
        /// Only reachable before setupLogging(): keep the caller working rather than crash on a null logger.
        setupLogging("info");
        logger = spdlog::get(name);
    }
    return logger;
}

}

void setupLogging(const std::string & level)
{
    setupLogging(level, LogFiles{});
}

void setupLogging(const std::string & level, const LogFiles & files)
{
    /// Every sink is opened before anything is dropped, so a path that cannot be opened leaves the old loggers.
    std::vector<std::shared_ptr<ReopenableFileSink>> opened;
    spdlog::sink_ptr main_sink = makeSink(files.log_file, opened);
    bool own_access = !files.access_log_file.empty() && files.access_log_file != files.log_file;
    spdlog::sink_ptr access_sink = own_access ? makeSink(files.access_log_file, opened) : main_sink;

    spdlog::drop_all();
    file_sinks = std::move(opened);
    auto lvl = spdlog::level::from_str(level == "warn" ? "warning" : level);
    const std::string line_pattern = pattern();
    for (const char * name : kNames)
    {
        auto logger = std::make_shared<spdlog::logger>(name, std::string(name) == "access" ? access_sink : main_sink);
        logger->set_pattern(line_pattern);
        logger->set_level(lvl);
        logger->flush_on(spdlog::level::trace);
        spdlog::register_logger(logger);
    }
}

void flushLogs()
{
    spdlog::apply_all([](const std::shared_ptr<spdlog::logger> & l) { l->flush(); });
}

bool reopenLogs(std::string * error)
{
    bool all = true;
    for (const auto & sink : file_sinks)
    {
        std::string why;
        if (sink->reopen(&why))
            continue;
        if (error)
            *error += (all ? "" : "; ") + why;
        all = false;
    }
    return all;
}

void dropLogs()
{
    /// Loggers copied across fork() (a shared_ptr kept by the master's objects) may outlive the registry: close
    /// the descriptors themselves, not just the references.
    for (const auto & sink : file_sinks)
        sink->close();
    file_sinks.clear();
    spdlog::drop_all();
}

std::shared_ptr<spdlog::logger> masterLog() { return named("master"); }
std::shared_ptr<spdlog::logger> workerLog() { return named("worker"); }
std::shared_ptr<spdlog::logger> accessLog() { return named("access"); }
std::shared_ptr<spdlog::logger> streamLog() { return named("stream"); }

}
