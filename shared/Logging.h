#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <string>

/// Loggers for both roles. One stderr sink (journald under systemd) shared by the named loggers `master`,
/// `worker`, `access` and `stream`, pattern `2026-11-28T12:00:00.123 [info] worker[1234] ...`.
/// The master builds its loggers at start; a worker rebuilds its own right after fork (an spdlog logger must
/// never cross a fork with buffered lines: poco-notes §5).
namespace sluice
{

/// Creates (or re-creates) all loggers at `level` ("debug", "info", "warn", "error").
void setupLogging(const std::string & level);

/// Flushes every logger; call before fork() so no line is written twice.
void flushLogs();

/// Drops every logger (child side of fork, before setupLogging()).
void dropLogs();

std::shared_ptr<spdlog::logger> masterLog();
std::shared_ptr<spdlog::logger> workerLog();
std::shared_ptr<spdlog::logger> accessLog();
std::shared_ptr<spdlog::logger> streamLog();

}
