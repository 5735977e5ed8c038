#include "worker/StreamSide.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace sluice::worker
{
namespace
{

/// Bounded so that a peer streaming at us cannot keep the pump thread in one socket.
constexpr int kMaxDrainReads = 4;

std::string failure(const char * call)
{
    return std::string(call) + " failed: " + std::strerror(errno);
}

}

StreamSide::StreamSide(const Poco::Net::StreamSocket & socket, Stream & owner)
    : socket_(socket)
    , owner_(owner)
    , fd_(socket.impl()->initialized() ? static_cast<int>(socket.impl()->sockfd()) : -1)
{
}

std::string StreamSide::prepare()
{
    if (fd_ == -1)
        return "socket is not open";
    int flags = ::fcntl(fd_, F_GETFL);
    if (flags == -1)
        return failure("fcntl(F_GETFL)");
    if (::fcntl(fd_, F_SETFL, flags | O_NONBLOCK) == -1)
        return failure("fcntl(F_SETFL, O_NONBLOCK)");
    /// Poco already disables Nagle on its sockets; do it anyway, each event must leave at once (design §7).
    int one = 1;
    /// Not TCP (a UNIX socket in a test): no Nagle to turn off.
    if (::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == -1 && errno != EOPNOTSUPP
        && errno != ENOPROTOOPT)
        return failure("setsockopt(TCP_NODELAY)");
    return {};
}

StreamSide::ReadStatus StreamSide::receive(char * buffer, size_t size, size_t & received)
{
    for (;;)
    {
        ssize_t n = ::recv(fd_, buffer, size, 0);
        if (n > 0)
        {
            received = static_cast<size_t>(n);
            return ReadStatus::Data;
        }
        if (n == 0)
            return ReadStatus::Eof;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return ReadStatus::Again;
        last_error_ = errno;
        return ReadStatus::Failed;
    }
}

StreamSide::SendStatus StreamSide::send(const char * data, size_t len, Clock::time_point now)
{
    if (write_shut_ || fd_ == -1)
    {
        last_error_ = fd_ == -1 ? EBADF : EPIPE;
        return SendStatus::Failed;
    }
    if (queued() != 0)
    {
        enqueue(data, len);
        return SendStatus::Queued;
    }
    size_t sent = 0;
    while (sent < len)
    {
        ssize_t n = ::send(fd_, data + sent, len - sent, MSG_NOSIGNAL);
        if (n == -1)
        {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            last_error_ = errno;
            return SendStatus::Failed;
        }
        sent += static_cast<size_t>(n);
    }
    if (sent == len)
        return SendStatus::Sent;
    enqueue(data + sent, len - sent);
    last_write_progress_ = now;
    return SendStatus::Queued;
}

bool StreamSide::flush(Clock::time_point now)
{
    while (queued() != 0)
    {
        ssize_t n = ::send(fd_, queue_.data() + queue_head_, queued(), MSG_NOSIGNAL);
        if (n == -1)
        {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            last_error_ = errno;
            return false;
        }
        queue_head_ += static_cast<size_t>(n);
        last_write_progress_ = now;
    }
    if (queued() == 0)
    {
        std::string().swap(queue_); /// an idle stream keeps no buffer
        queue_head_ = 0;
        shutdownIfDrained();
    }
    return true;
}

void StreamSide::enqueue(const char * data, size_t len)
{
    /// Drop the consumed front once it is most of the buffer, so the queue does not creep along in memory.
    if (queue_head_ != 0 && queue_head_ >= queue_.size() / 2)
    {
        queue_.erase(0, queue_head_);
        queue_head_ = 0;
    }
    queue_.append(data, len);
}

std::string StreamSide::syncInterest(int epoll_fd)
{
    if (fd_ == -1)
        return {};
    uint32_t wanted = 0;
    if (wantsRead())
        wanted |= EPOLLIN | (watch_hangup_ ? EPOLLRDHUP : 0u);
    if (queued() != 0)
        wanted |= EPOLLOUT;
    if (registered_ && wanted == registered_events_)
        return {};
    if (wanted == 0)
    {
        if (!registered_)
            return {};
        registered_ = false;
        if (::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd_, nullptr) == -1)
            return failure("epoll_ctl(DEL)");
        return {};
    }
    epoll_event ev{};
    ev.events = wanted;
    ev.data.ptr = this;
    int op = registered_ ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (::epoll_ctl(epoll_fd, op, fd_, &ev) == -1)
        return failure(registered_ ? "epoll_ctl(MOD)" : "epoll_ctl(ADD)");
    registered_ = true;
    registered_events_ = wanted;
    return {};
}

void StreamSide::shutdownIfDrained()
{
    if (!shutdown_wanted_ || write_shut_ || queued() != 0 || fd_ == -1)
        return;
    /// A peer that already reset the connection makes this fail; the next read or write reports that properly.
    ::shutdown(fd_, SHUT_WR);
    write_shut_ = true;
}

void StreamSide::shutdownAndDrain(char * scratch, size_t size)
{
    if (fd_ == -1)
        return;
    if (!write_shut_)
        ::shutdown(fd_, SHUT_WR); /// best effort, as above: the close that follows is what matters
    write_shut_ = true;
    for (int i = 0; i < kMaxDrainReads; ++i)
    {
        if (::recv(fd_, scratch, size, MSG_DONTWAIT) <= 0)
            break;
    }
}

void StreamSide::close(int epoll_fd)
{
    if (fd_ == -1)
        return;
    /// Explicit DEL: the pump never dup()s, but a descriptor shared with a child would otherwise stay registered.
    if (registered_ && ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd_, nullptr) == -1 && errno != ENOENT)
        last_error_ = errno;
    registered_ = false;
    socket_.close();
    fd_ = -1;
    std::string().swap(queue_);
    queue_head_ = 0;
}

}
