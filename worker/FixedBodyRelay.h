#pragma once

#include <chrono>
#include <cstdint>
#include <istream>
#include <ostream>

/// Copies a fixed-length response body from the upstream to the client in a request thread, passing every read on
/// as it arrives (peek + readsome: poco-notes §3 measured that the usual copy loops hold data for seconds) and
/// flushing per Tyk's flush_interval: at most that long after a write, or only at the end when it is zero.
namespace sluice::worker
{

struct RelayResult
{
    int64_t bytes = 0;
    bool complete = false;     /// all `length` bytes were relayed
    bool client_gone = false;  /// a write to the client failed
};

/// `upstream_fd` lets the relay wait for upstream data with a deadline while bytes are waiting to be flushed.
RelayResult relayFixedBody(std::istream & in, int upstream_fd, std::ostream & out, int64_t length,
                           std::chrono::milliseconds flush_interval);

}
