#pragma once

#include "support/HttpTestClient.h"
#include "support/SluiceProcess.h"
#include "support/UnusedPort.h"
#include "support/WaitFor.h"

#include <gtest/gtest.h>

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

/// Small steps shared by the reload tests (issue 3): trigger a reload and wait for its verdict in the log, call
/// /tyk/reload, number SSE events, and look at the master's children and descriptors in /proc. freeLoopbackPort()
/// comes with it, from UnusedPort.h.
namespace sluice::test
{

/// SIGHUP to the master, then waits for `generation <generation> ready` in the log.
::testing::AssertionResult reloadBySignal(SluiceProcess & sluice, unsigned generation, Millis timeout = Millis(5000));

/// Holds a reload in progress: sends SIGHUP and SIGSTOPs each worker the master forks for the new generation
/// before it reports Ready, so the switch waits until the test SIGCONTs them (or kills them). A worker can be
/// quicker than the test; then that reload is let through and the next one tried, up to 5 times. On success
/// `generation` is the frozen generation's number (it starts as the number the next reload will get) and
/// `frozen` its `workers` workers. Every frozen worker must be resumed or killed by the test.
::testing::AssertionResult reloadAndFreezeNewWorkers(SluiceProcess & sluice, size_t workers, unsigned & generation,
                                                     std::vector<pid_t> & frozen);

/// SIGCONT to every pid in `pids`.
void resume(const std::vector<pid_t> & pids);

/// GET /tyk/reload (`?block=true` when `block`) with `X-Tyk-Authorization: <secret>` unless `secret` is empty.
::testing::AssertionResult tykReload(uint16_t port, bool block, const std::string & secret,
                                     HttpTestClient::Exchange & out, Millis timeout = Millis(15000));

/// One numbered SSE event: "id: <n>\ndata: event <n>\n\n" (one upstream write, so one chunk).
std::string numberedEvent(int n);

/// The ids of the numbered events in `body`, in order, as the client received them.
std::vector<int> eventIds(const std::string & body);

/// "" when `ids` is first..last without gaps or repeats, else a description of the first problem.
std::string sequenceProblem(const std::vector<int> & ids, int first);

/// Number of open descriptors of `pid` (entries of /proc/<pid>/fd); -1 when it cannot be read.
int openFdCount(pid_t pid);

/// Log lines matching the ECMAScript regex `pattern`.
std::vector<std::string> logMatches(const SluiceProcess & sluice, const std::string & pattern);

}
