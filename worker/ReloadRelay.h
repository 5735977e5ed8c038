#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace sluice { struct ChannelMessage; }

/// Carries GET /tyk/reload from a request thread to the master over the worker's channel, and the master's answer
/// back to a request that asked to block (?block=true). The worker's main thread, which owns the channel's
/// reading side, hands every ReloadDone to complete().
namespace sluice::worker
{

class ReloadRelay
{
public:
    explicit ReloadRelay(int channel_fd) : channel_fd_(channel_fd) {}

    struct Result
    {
        bool ok = false;
        std::string message;
    };

    /// Asks the master for a reload. Without `wait`, returns as soon as the request is sent (Tyk answers at
    /// once too); with it, waits up to `timeout` for the master's verdict.
    Result request(bool wait, std::chrono::milliseconds timeout);

    /// Main thread: a ReloadDone arrived.
    void complete(const ChannelMessage & done);

private:
    const int channel_fd_;
    std::mutex mutex_;
    std::condition_variable done_;
    uint64_t next_id_ = 1;
    std::map<uint64_t, std::optional<Result>> waiting_;
};

}
