#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <string>

/// Loggers for both roles: the named loggers `master`, `worker`, `access` and `stream`, pattern
/// `2026-11-28T12:00:00.123 [info] worker[1234] ...`. By default one stderr sink (journald under systemd) serves
/// them all; with `sluice.log_file` / `sluice.access_log_file` they append to files instead, which reopenLogs()
/// opens again after logrotate moved them (SIGUSR1).
/// The master builds its loggers at start; a worker rebuilds its own right after fork (an spdlog logger must
/// never cross a fork with buffered lines: poco-notes §5), opening its own descriptors.
namespace sluice
{

/// Where the loggers write; "" = stderr.
struct LogFiles
{
    std::string log_file;        /// master, worker and stream
    std::string access_log_file; /// access; "" = wherever log_file goes
};

/// Creates (or re-creates) all loggers at `level` ("debug", "info", "warn", "error"), writing to stderr.
void setupLogging(const std::string & level);

/// Same, writing to `files`. Throws std::runtime_error ("cannot open log file \"PATH\": <errno text>") when a
/// file cannot be opened; the loggers in place before the call are then left as they were.
void setupLogging(const std::string & level, const LogFiles & files);

/// Reopens every log file (SIGUSR1 after rotation). True when all reopened (and always for stderr); on failure
/// the file keeps its old descriptor and `error`, when given, says which path failed and why.
bool reopenLogs(std::string * error = nullptr);

/// Flushes every logger; call before fork() so no line is written twice.
void flushLogs();

/// Drops every logger and closes the log files' descriptors (child side of fork, before setupLogging()): a worker
/// opens its own, so it never holds its master's files open.
void dropLogs();

std::shared_ptr<spdlog::logger> masterLog();
std::shared_ptr<spdlog::logger> workerLog();
std::shared_ptr<spdlog::logger> accessLog();
std::shared_ptr<spdlog::logger> streamLog();

}
