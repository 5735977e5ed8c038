#pragma once

#include <Poco/Net/StreamSocket.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace sluice::worker
{

class Stream;

/// One socket of a detached stream (client or upstream) and the bytes waiting to be written to it.
/// The queue is allocated only when the kernel does not take a whole send, and freed as soon as it drains, so an
/// idle stream holds no buffer at all. The epoll registration always matches what the side wants: readable while
/// it reads, writable only while bytes are queued, not registered at all when it wants neither (so a level-triggered
/// hang-up on a paused socket cannot spin the loop).
class StreamSide
{
public:
    using Clock = std::chrono::steady_clock;

    enum class ReadStatus
    {
        Data,   /// bytes were read
        Again,  /// nothing to read now
        Eof,    /// the peer closed its sending direction
        Failed, /// a socket error (errno kept in lastError())
    };

    enum class SendStatus
    {
        Sent,   /// the kernel took everything
        Queued, /// some or all bytes wait in the queue for EPOLLOUT
        Failed, /// a socket error (errno kept in lastError())
    };

    StreamSide(const Poco::Net::StreamSocket & socket, Stream & owner);

    Stream & owner() const { return owner_; }
    int fd() const { return fd_; }
    bool isOpen() const { return fd_ != -1; }

    /// Switches the socket to non-blocking and turns Nagle off. Returns an error text, empty on success.
    std::string prepare();

    /// One recv() into `buffer`; `received` is set for ReadStatus::Data.
    ReadStatus receive(char * buffer, size_t size, size_t & received);

    /// Sends at once when nothing is queued, otherwise keeps order by queueing; queues what the kernel did not take.
    SendStatus send(const char * data, size_t len, Clock::time_point now);

    /// Writes queued bytes until the kernel refuses more; false on a socket error.
    bool flush(Clock::time_point now);

    size_t queued() const { return queue_.size() - queue_head_; }

    /// When the queue last became non-empty or last shrank: the write-stall clock.
    Clock::time_point lastWriteProgress() const { return last_write_progress_; }

    /// Makes the epoll registration match wantsRead() and queued(). Returns an error text, empty on success.
    std::string syncInterest(int epoll_fd);

    bool wantsRead() const { return !paused_ && !read_done_; }
    bool paused() const { return paused_; }
    void setPaused(bool paused) { paused_ = paused; }
    bool readDone() const { return read_done_; }
    void setReadDone() { read_done_ = true; }
    /// Non-tunnel clients: a FIN alone means the client is gone, so ask epoll for EPOLLRDHUP too.
    void setWatchHangup() { watch_hangup_ = true; }

    /// Half-closes (FIN) once the queue is empty; call again after each flush until it happens.
    void shutdownWriteWhenDrained() { shutdown_wanted_ = true; shutdownIfDrained(); }
    bool writeShut() const { return write_shut_; }

    /// Sends FIN and reads away whatever the peer sent, so that close() does not turn into an RST that could
    /// destroy bytes still in flight to the peer.
    void shutdownAndDrain(char * scratch, size_t size);

    /// Deregisters and closes the socket; the queue is freed.
    void close(int epoll_fd);

    int lastError() const { return last_error_; }

private:
    void enqueue(const char * data, size_t len);
    void shutdownIfDrained();

    Poco::Net::StreamSocket socket_;
    std::string queue_;
    size_t queue_head_ = 0;
    Clock::time_point last_write_progress_{};
    Stream & owner_;
    int fd_;
    int last_error_ = 0;
    uint32_t registered_events_ = 0;
    bool registered_ = false;
    bool paused_ = false;
    bool read_done_ = false;
    bool watch_hangup_ = false;
    bool shutdown_wanted_ = false;
    bool write_shut_ = false;
};

}
