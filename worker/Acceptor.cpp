#include "worker/Acceptor.h"

#include "shared/Logging.h"

#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/StreamSocketImpl.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <system_error>
#include <thread>

namespace sluice::worker
{

Acceptor::Acceptor(int listen_fd, Poco::Net::TCPServerDispatcher & dispatcher, int max_queued)
    : listen_fd_(listen_fd), dispatcher_(dispatcher), max_queued_(max_queued), thread_("acceptor")
{
    wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd_ == -1)
        throw std::system_error(errno, std::generic_category(), "eventfd() failed");
}

Acceptor::~Acceptor()
{
    stop();
    ::close(wake_fd_);
}

void Acceptor::start()
{
    thread_.start(*this);
}

void Acceptor::stop()
{
    stop_ = true;
    uint64_t one = 1;
    if (::write(wake_fd_, &one, sizeof one) == -1 && errno != EAGAIN)
        workerLog()->error("write(eventfd) failed: {}", std::strerror(errno));
    if (thread_.isRunning())
        thread_.join();
}

void Acceptor::run()
{
    auto log = workerLog();
    auto last_fd_warning = std::chrono::steady_clock::time_point{};
    while (!stop_)
    {
        if (dispatcher_.queuedConnections() >= max_queued_)
        {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
            continue;
        }
        pollfd p[2] = {{listen_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
        if (::poll(p, 2, 1000) <= 0)
            continue;
        /// A drain that began while we slept in poll() must not take one more connection: it stays in the shared
        /// backlog for the next generation, which serves it with the new config.
        if (stop_)
            break;
        int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd == -1)
        {
            /// EAGAIN: another worker won the race (the socket is non-blocking on purpose).
            if (errno == EMFILE || errno == ENFILE)
            {
                auto now = std::chrono::steady_clock::now();
                if (now - last_fd_warning > std::chrono::seconds(5))
                {
                    log->error("accept4() failed: {}; connections wait in the backlog", std::strerror(errno));
                    last_fd_warning = now;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
            continue;
        }
        int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        try
        {
            dispatcher_.enqueue(Poco::Net::StreamSocket(new Poco::Net::StreamSocketImpl(fd)));
            accepted_.fetch_add(1);
        }
        catch (const Poco::Exception & e)
        {
            log->error("cannot queue an accepted connection: {}", e.displayText());
        }
    }
}

}
