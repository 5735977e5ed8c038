#include "shared/Logging.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <string>

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
    spdlog::drop_all();
    /// stderr_sink_mt writes each formatted line with one fwrite + flush, so lines of the master and of
    /// every worker sharing the same stderr never interleave inside a line.
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    auto lvl = spdlog::level::from_str(level == "warn" ? "warning" : level);
    const std::string line_pattern = pattern();
    for (const char * name : kNames)
    {
        auto logger = std::make_shared<spdlog::logger>(name, sink);
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

void dropLogs()
{
    spdlog::drop_all();
}

std::shared_ptr<spdlog::logger> masterLog() { return named("master"); }
std::shared_ptr<spdlog::logger> workerLog() { return named("worker"); }
std::shared_ptr<spdlog::logger> accessLog() { return named("access"); }
std::shared_ptr<spdlog::logger> streamLog() { return named("stream"); }

}
