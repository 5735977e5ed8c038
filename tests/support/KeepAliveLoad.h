#pragma once

#include "support/WaitFor.h"

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sluice::test
{

/// What a KeepAliveLoad saw. A `Connection: close` answer is the server's polite way to end a keep-alive
/// connection (a draining worker says so on its next response): counted in `closes_announced`, never a failure.
struct LoadCounts
{
    uint64_t ok = 0;               /// 200 with the expected body
    uint64_t connections = 0;      /// connections opened (first one per client included)
    uint64_t closes_announced = 0; /// responses carrying Connection: close
    uint64_t connect_failed = 0;   /// connect() refused or failed
    uint64_t send_failed = 0;      /// the request could not be written (reset/EPIPE)
    uint64_t eof_before_response = 0; /// the server closed the connection instead of answering (nginx's failure)
    uint64_t reset = 0;            /// recv() error while waiting for or reading the response
    uint64_t timeout = 0;          /// no complete response within the per-request timeout
    uint64_t bad_status = 0;       /// a status other than 200
    uint64_t bad_body = 0;         /// 200 with another body, or a malformed response
    /// The first few failures, described, for the assertion message.
    std::vector<std::string> samples;

    uint64_t failures() const
    {
        return connect_failed + send_failed + eof_before_response + reset + timeout + bad_status + bad_body;
    }
    /// "ok=.. failures=.. (connect_failed=.. ...)" for messages and printouts.
    std::string summary() const;
};

/// Constant keep-alive HTTP load on 127.0.0.1: `clients` threads, each with one keep-alive connection, sending
/// sequential GETs of `target` and checking each answer is 200 with `expected_body`. A client reconnects only
/// when the server announced Connection: close. Bounded: every thread stops at stop() or after `max_duration`,
/// whichever comes first, and every request has a 3 s timeout.
class KeepAliveLoad
{
public:
    KeepAliveLoad(uint16_t port, std::string target, std::string expected_body, int clients,
                  Millis max_duration = Millis(30000));
    ~KeepAliveLoad();
    KeepAliveLoad(const KeepAliveLoad &) = delete;
    KeepAliveLoad & operator=(const KeepAliveLoad &) = delete;

    void start();
    /// Stops and joins every client thread (idempotent).
    void stop();
    /// Waits until at least `count` requests succeeded (a load that does not get going fails the test early).
    ::testing::AssertionResult waitForOk(uint64_t count, Millis timeout);
    LoadCounts counts() const;

private:
    void runClient();
    void record(uint64_t LoadCounts::*counter, const std::string & what);

    uint16_t port_;
    std::string request_;
    std::string expected_body_;
    int clients_;
    Millis max_duration_;
    std::atomic<bool> stop_{false};
    std::vector<std::thread> threads_;
    mutable std::mutex mutex_;
    LoadCounts counts_;
};

}
