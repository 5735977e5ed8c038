#pragma once

/// Exit codes are an interface: the master and systemd act on them.
namespace sluice::exit_code
{
constexpr int kOk = 0;
/// A worker that cannot possibly run with this config (bad listen socket, bad plan): never respawned.
constexpr int kWorkerFatal = 2;
/// Usage error on the command line.
constexpr int kUsage = 64;
/// The configuration is invalid (EX_CONFIG, as Poco's ServerApplication uses it).
constexpr int kConfig = 78;
/// The master could not start for an operating-system reason (bind failed, fork failed…).
constexpr int kStartup = 71;
}
