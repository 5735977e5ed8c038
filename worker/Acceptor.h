#pragma once

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/TCPServerDispatcher.h>
#include <Poco/Runnable.h>
#include <Poco/Thread.h>

#include <atomic>
#include <cstdint>

/// A worker's accept loop, replacing Poco's TCPServer so that draining can stop accepting without touching the
/// listening socket shared with the other workers (poco-notes §1: shutdown() on it would refuse connections for
/// every process; TCPServer::stop() drops queued connections with an RST).
namespace sluice::worker
{

class Acceptor : public Poco::Runnable
{
public:
    /// `listen_fd` is the non-blocking socket shared by all workers. Connections are handed to `dispatcher`;
    /// while its queue holds `max_queued`, new connections wait in the kernel backlog instead of being dropped.
    Acceptor(int listen_fd, Poco::Net::TCPServerDispatcher & dispatcher, int max_queued);
    ~Acceptor();

    void start();
    /// Stops accepting and joins the thread; wakes it at once (a drain must not take one more connection).
    void stop();

    void run() override;

    /// Connections handed to the dispatcher so far (each is later either served or refused by it).
    uint64_t accepted() const { return accepted_.load(); }

private:
    const int listen_fd_;
    Poco::Net::TCPServerDispatcher & dispatcher_;
    const int max_queued_;
    std::atomic<bool> stop_{false};
    int wake_fd_ = -1; /// eventfd: stop() makes it readable
    std::atomic<uint64_t> accepted_{0};
    Poco::Thread thread_;
};

}
