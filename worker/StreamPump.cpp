#include "worker/StreamPump.h"

#include "worker/ChunkWriter.h"
#include "worker/Stream.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace sluice::worker
{
namespace
{

using Clock = std::chrono::steady_clock;

/// One recv() per readiness takes at most this much: one buffer shared by every stream of the pump.
constexpr size_t kReadSize = 64 * 1024;
constexpr int kMaxEvents = 256;
/// Timeouts are found by sweeping the stream table (no timer per stream); 10k streams cost well under 1 ms.
constexpr std::chrono::milliseconds kMaxSweepPeriod{250};
constexpr std::chrono::milliseconds kMinSweepPeriod{10};
/// While draining, sweep often enough that the ~1 s flush limit is kept closely.
constexpr std::chrono::milliseconds kDrainSweepPeriod{50};

[[noreturn]] void throwErrno(const char * call)
{
    throw std::system_error(errno, std::generic_category(), call);
}

}

class StreamPumpImpl
{
public:
    StreamPumpImpl(PumpSettings settings, std::shared_ptr<spdlog::logger> log);
    ~StreamPumpImpl();

    void start();
    bool adopt(StreamSpec && spec);
    size_t activeStreams() const { return active_.load(); }
    void closeAll(const std::string & reason);
    bool waitIdle(std::chrono::milliseconds timeout);
    void stop();

private:
    void run();
    void loop(PumpContext & ctx);
    void wake();
    /// Adoptions, closeAll and stop requests from other threads; returns true when the loop must end.
    bool takeRequests(PumpContext & ctx);
    Stream & addStream(StreamSpec && spec);
    void dispatch(PumpContext & ctx, const epoll_event & event);
    void sweep(PumpContext & ctx);
    void abortAll(PumpContext & ctx, const std::string & reason);
    /// Logs the summary, takes the stream out of the table and counts it finished. The object lives on in
    /// retired_ until the current batch of epoll events is done, since later events may still point at it.
    void retireIfFinished(Stream & stream, Clock::time_point now);
    std::chrono::milliseconds sweepPeriod() const;
    PumpContext makeContext();

    const PumpSettings settings_;
    const std::shared_ptr<spdlog::logger> log_;
    int epoll_fd_ = -1;
    int wake_fd_ = -1;
    std::thread thread_;

    std::mutex mutex_; /// guards the requests below
    std::vector<StreamSpec> incoming_;
    bool closing_ = false;
    bool stopping_ = false;
    std::string close_reason_;

    std::atomic<size_t> active_{0};
    std::mutex idle_mutex_;
    std::condition_variable idle_cv_;

    /// Pump thread only.
    std::vector<std::unique_ptr<Stream>> streams_;
    std::vector<std::unique_ptr<Stream>> retired_;
    std::vector<char> buffer_;
    bool close_applied_ = false;
};

StreamPumpImpl::StreamPumpImpl(PumpSettings settings, std::shared_ptr<spdlog::logger> log)
    : settings_(settings)
    , log_(log ? std::move(log) : spdlog::default_logger())
    , buffer_(ChunkWriter::kHeadroom + kReadSize + ChunkWriter::kTailroom)
{
    epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ == -1)
        throwErrno("epoll_create1()");
    wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd_ == -1)
    {
        int saved = errno;
        ::close(epoll_fd_);
        errno = saved;
        throwErrno("eventfd()");
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = nullptr; /// the one registration that is not a StreamSide
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev) == -1)
    {
        int saved = errno;
        ::close(wake_fd_);
        ::close(epoll_fd_);
        errno = saved;
        throwErrno("epoll_ctl(ADD, eventfd)");
    }
}

StreamPumpImpl::~StreamPumpImpl()
{
    stop();
    ::close(wake_fd_);
    ::close(epoll_fd_);
}

void StreamPumpImpl::start()
{
    std::lock_guard<std::mutex> lock(mutex_);
    if (thread_.joinable() || stopping_)
        return;
    thread_ = std::thread([this] { run(); });
}

bool StreamPumpImpl::adopt(StreamSpec && spec)
{
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!closing_ && !stopping_)
        {
            incoming_.push_back(std::move(spec));
            active_.fetch_add(1);
            wake();
            return true;
        }
    }
    spec.client.close();
    spec.upstream.close();
    return false;
}

void StreamPumpImpl::closeAll(const std::string & reason)
{
    std::lock_guard<std::mutex> lock(mutex_);
    if (closing_)
        return;
    closing_ = true;
    close_reason_ = reason;
    wake();
}

bool StreamPumpImpl::waitIdle(std::chrono::milliseconds timeout)
{
    std::unique_lock<std::mutex> lock(idle_mutex_);
    return idle_cv_.wait_for(lock, timeout, [this] { return active_.load() == 0; });
}

void StreamPumpImpl::stop()
{
    bool running;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
        running = thread_.joinable();
        wake();
    }
    if (running)
    {
        thread_.join();
        return;
    }
    /// Never started (or already stopped): streams that were queued still need their sockets closed and a summary.
    PumpContext ctx = makeContext();
    takeRequests(ctx);
    abortAll(ctx, "pump_stopped");
}

void StreamPumpImpl::wake()
{
    uint64_t one = 1;
    /// EAGAIN means the counter is already non-zero: the pump is woken anyway.
    if (::write(wake_fd_, &one, sizeof one) == -1 && errno != EAGAIN)
        log_->error("stream pump wake-up write() failed: {}", std::strerror(errno));
}

PumpContext StreamPumpImpl::makeContext()
{
    return PumpContext{epoll_fd_, settings_, *log_, buffer_.data() + ChunkWriter::kHeadroom, kReadSize, Clock::now()};
}

void StreamPumpImpl::run()
{
    PumpContext ctx = makeContext();
    try
    {
        loop(ctx);
    }
    catch (const std::exception & e)
    {
        log_->critical("stream pump loop failed, closing {} streams: {}", streams_.size(), e.what());
    }
    {
        /// Whatever ended the loop, nobody would serve a stream adopted from now on.
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    ctx.now = Clock::now();
    takeRequests(ctx);
    abortAll(ctx, "pump_stopped");
}

void StreamPumpImpl::loop(PumpContext & ctx)
{
    std::array<epoll_event, kMaxEvents> events;
    auto next_sweep = Clock::now() + sweepPeriod();
    for (;;)
    {
        /// Rounded up: truncating would spin on epoll_wait(0) through the last millisecond before every sweep.
        auto wait = std::chrono::ceil<std::chrono::milliseconds>(next_sweep - Clock::now()).count();
        int ready = ::epoll_wait(epoll_fd_, events.data(), kMaxEvents, static_cast<int>(std::max<int64_t>(wait, 0)));
        if (ready == -1 && errno != EINTR)
            throwErrno("epoll_wait()");
        ctx.now = Clock::now();
        bool requests = false;
        for (int i = 0; i < ready; ++i)
        {
            if (events[i].data.ptr == nullptr)
                requests = true;
            else
                dispatch(ctx, events[i]);
        }
        retired_.clear();
        if (requests && takeRequests(ctx))
            return;
        next_sweep = std::min(next_sweep, ctx.now + sweepPeriod()); /// a drain shortens the period
        if (ctx.now >= next_sweep)
        {
            sweep(ctx);
            next_sweep = ctx.now + sweepPeriod();
        }
        retired_.clear();
    }
}

bool StreamPumpImpl::takeRequests(PumpContext & ctx)
{
    /// Reset the eventfd before taking the queue: a request arriving in between then wakes the next turn.
    uint64_t count;
    if (::read(wake_fd_, &count, sizeof count) == -1 && errno != EAGAIN)
        log_->error("stream pump wake-up read() failed: {}", std::strerror(errno));
    std::vector<StreamSpec> incoming;
    bool closing;
    bool stopping;
    std::string reason;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        incoming.swap(incoming_);
        closing = closing_;
        stopping = stopping_;
        reason = close_reason_;
    }
    for (StreamSpec & spec : incoming)
    {
        Stream & stream = addStream(std::move(spec));
        try
        {
            stream.start(ctx);
        }
        catch (const std::exception & e)
        {
            log_->error("stream start failed: {}", e.what());
            stream.abort(ctx, "internal_error");
        }
        retireIfFinished(stream, ctx.now);
    }
    if (closing && !close_applied_)
    {
        close_applied_ = true;
        for (size_t i = streams_.size(); i-- > 0;)
        {
            Stream & stream = *streams_[i];
            stream.closeGracefully(ctx, reason);
            retireIfFinished(stream, ctx.now);
        }
    }
    return stopping;
}

Stream & StreamPumpImpl::addStream(StreamSpec && spec)
{
    streams_.push_back(std::make_unique<Stream>(std::move(spec)));
    streams_.back()->setSlot(streams_.size() - 1);
    return *streams_.back();
}

void StreamPumpImpl::dispatch(PumpContext & ctx, const epoll_event & event)
{
    auto * side = static_cast<StreamSide *>(event.data.ptr);
    Stream & stream = side->owner();
    if (stream.finished())
        return;
    try
    {
        stream.onEvent(ctx, *side, event.events);
    }
    catch (const std::exception & e)
    {
        /// Only this stream is lost (e.g. bad_alloc growing its queue); the others go on.
        log_->error("stream failed: {}", e.what());
        stream.abort(ctx, "internal_error");
    }
    retireIfFinished(stream, ctx.now);
}

void StreamPumpImpl::sweep(PumpContext & ctx)
{
    /// Backwards: retiring swaps the last stream, already swept, into the freed slot.
    for (size_t i = streams_.size(); i-- > 0;)
    {
        Stream & stream = *streams_[i];
        try
        {
            stream.sweep(ctx);
        }
        catch (const std::exception & e)
        {
            log_->error("stream failed: {}", e.what());
            stream.abort(ctx, "internal_error");
        }
        retireIfFinished(stream, ctx.now);
    }
}

void StreamPumpImpl::abortAll(PumpContext & ctx, const std::string & reason)
{
    for (size_t i = streams_.size(); i-- > 0;)
    {
        Stream & stream = *streams_[i];
        stream.abort(ctx, reason);
        retireIfFinished(stream, ctx.now);
    }
    retired_.clear();
}

void StreamPumpImpl::retireIfFinished(Stream & stream, Clock::time_point now)
{
    if (!stream.finished())
        return;
    stream.logSummary(*log_, now);
    size_t slot = stream.slot();
    retired_.push_back(std::move(streams_[slot]));
    if (slot + 1 != streams_.size())
    {
        streams_[slot] = std::move(streams_.back());
        streams_[slot]->setSlot(slot);
    }
    streams_.pop_back();
    if (active_.fetch_sub(1) == 1)
    {
        std::lock_guard<std::mutex> lock(idle_mutex_);
        idle_cv_.notify_all();
    }
}

std::chrono::milliseconds StreamPumpImpl::sweepPeriod() const
{
    std::chrono::milliseconds period = close_applied_ ? kDrainSweepPeriod : kMaxSweepPeriod;
    for (auto timeout : {settings_.upstream_idle_timeout, settings_.client_write_timeout, settings_.heartbeat_interval})
    {
        if (timeout.count() > 0)
            period = std::min(period, timeout / 4);
    }
    return std::max(period, kMinSweepPeriod);
}

StreamPump::StreamPump(PumpSettings settings, std::shared_ptr<spdlog::logger> log)
    : impl_(std::make_unique<StreamPumpImpl>(settings, std::move(log)))
{
}

StreamPump::~StreamPump() = default;

void StreamPump::start() { impl_->start(); }

bool StreamPump::adopt(StreamSpec spec) { return impl_->adopt(std::move(spec)); }

size_t StreamPump::activeStreams() const { return impl_->activeStreams(); }

void StreamPump::closeAll(const std::string & reason) { impl_->closeAll(reason); }

bool StreamPump::waitIdle(std::chrono::milliseconds timeout) { return impl_->waitIdle(timeout); }

void StreamPump::stop() { impl_->stop(); }

}
