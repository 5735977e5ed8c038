#include "worker/ReloadRelay.h"

#include "shared/Channel.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sluice::worker
{

ReloadRelay::Result ReloadRelay::request(bool wait, std::chrono::milliseconds timeout)
{
    ChannelMessage m;
    m.command = ChannelCommand::ReloadRequest;
    m.pid = ::getpid();
    m.ok = wait ? 1 : 0; /// the master answers only requests that wait
    std::unique_lock<std::mutex> lock(mutex_);
    m.request_id = next_id_++;
    if (wait)
        waiting_[m.request_id];
    /// SEQPACKET sends are atomic per message, so request threads may send concurrently with the main thread.
    if (!sendChannelMessage(channel_fd_, m))
    {
        waiting_.erase(m.request_id);
        return Result{false, std::string("cannot reach the master: ") + std::strerror(errno)};
    }
    if (!wait)
        return Result{true, ""};
    bool answered = done_.wait_for(lock, timeout, [&] { return waiting_[m.request_id].has_value(); });
    Result result = answered ? *waiting_[m.request_id] : Result{false, "timed out waiting for the reload to finish"};
    waiting_.erase(m.request_id);
    return result;
}

void ReloadRelay::complete(const ChannelMessage & done)
{
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = waiting_.find(done.request_id);
    if (it == waiting_.end())
        return;
    it->second = Result{done.ok != 0, done.textString()};
    done_.notify_all();
}

}
