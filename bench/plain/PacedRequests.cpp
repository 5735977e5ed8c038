#include "bench/plain/PacedRequests.h"

#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <system_error>

namespace sluice::bench
{

namespace
{

constexpr int64_t kNsPerMs = 1'000'000;
constexpr int64_t kRetryNs = 100 * kNsPerMs;
constexpr size_t kMaxResponseBytes = 64 * 1024;

/// The value of header `name` (with its colon, lower-case) in `head`, or "" if absent.
std::string headerValue(const std::string & head, const char * name)
{
    size_t length = std::strlen(name);
    for (size_t at = head.find("\r\n"); at != std::string::npos; at = head.find("\r\n", at + 2))
    {
        if (::strncasecmp(head.c_str() + at + 2, name, length) != 0)
            continue;
        size_t begin = head.find_first_not_of(' ', at + 2 + length);
        size_t end = head.find("\r\n", at + 2);
        return begin == std::string::npos || begin >= end ? "" : head.substr(begin, end - begin);
    }
    return "";
}

}

PacedRequests::PacedRequests(int epoll_fd, uint64_t tag, PacedOptions options)
    : epoll_fd_(epoll_fd), tag_(tag), options_(std::move(options)), connections_(options_.connections)
{
    request_ = "GET " + options_.path + " HTTP/1.1\r\nHost: " + options_.target_text
        + "\r\nUser-Agent: sluice_bench_slow_clients\r\n\r\n";
}

PacedRequests::~PacedRequests()
{
    for (auto & connection : connections_)
        if (connection.fd != -1)
            ::close(connection.fd);
}

void PacedRequests::start(int64_t start_ns, int duration_s)
{
    start_ns_ = start_ns;
    total_ = static_cast<uint64_t>(duration_s) * static_cast<uint64_t>(options_.rate);
    for (size_t i = 0; i < connections_.size(); ++i)
        connect(i, start_ns);
}

void PacedRequests::tick(int64_t now_ns)
{
    int64_t period_ns = 1'000'000'000 / options_.rate;
    while (result_.scheduled < total_ && start_ns_ + static_cast<int64_t>(result_.scheduled) * period_ns <= now_ns)
        queue_.push_back(start_ns_ + static_cast<int64_t>(result_.scheduled++) * period_ns);
    int64_t timeout_ns = options_.request_timeout_ms * kNsPerMs;
    while (!queue_.empty() && now_ns - queue_.front() > timeout_ns)
    {
        queue_.pop_front();
        ++result_.timed_out;
    }
    int64_t next_ns = result_.scheduled < total_ ? start_ns_ + static_cast<int64_t>(result_.scheduled) * period_ns
                                                 : now_ns + 100 * kNsPerMs;
    if (!queue_.empty())
        next_ns = std::min(next_ns, queue_.front() + timeout_ns + 1);
    /// Round robin from the connection after the last one used, so that every connection carries requests
    /// (one left idle since its connect would meet the proxy's request-head deadline).
    for (size_t k = 0; k < connections_.size(); ++k)
    {
        size_t i = (next_connection_ + k) % connections_.size();
        Connection & connection = connections_[i];
        if (connection.in_flight >= 0 && now_ns - connection.in_flight > timeout_ns)
        {
            ++result_.timed_out;
            connection.in_flight = -1;
            drop(i, now_ns, ""); /// its response, if it ever comes, must not pass for the next one's
        }
        if (connection.phase == Phase::Connecting && now_ns - connection.connect_started_ns > timeout_ns)
            connectFailed(i, now_ns); /// a full listen backlog: SYNs retried for minutes otherwise
        if (connection.phase == Phase::Closed && now_ns >= connection.retry_ns && !done())
            connect(i, now_ns);
        if (connection.phase == Phase::Ready && connection.in_flight < 0 && !queue_.empty())
        {
            int64_t due_ns = queue_.front();
            queue_.pop_front();
            send(i, due_ns);
            next_connection_ = i + 1;
        }
        if (connection.in_flight >= 0)
            next_ns = std::min(next_ns, connection.in_flight + timeout_ns + 1);
        if (connection.phase == Phase::Closed)
            next_ns = std::min(next_ns, std::max(connection.retry_ns, now_ns + 1));
        if (connection.phase == Phase::Connecting)
            next_ns = std::min(next_ns, connection.connect_started_ns + timeout_ns + 1);
    }
    next_tick_ns_ = next_ns;
}

bool PacedRequests::done() const
{
    return result_.scheduled == total_ && result_.answered + result_.timed_out + result_.failed == total_;
}

void PacedRequests::onEvent(uint32_t index, uint32_t events, int64_t now_ns)
{
    if (index >= connections_.size())
        return;
    if (connections_[index].phase == Phase::Connecting && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
        onConnected(index, now_ns);
    else if (connections_[index].phase == Phase::Ready)
        onReadable(index, now_ns);
}

PacedResult PacedRequests::finish()
{
    for (size_t i = 0; i < connections_.size(); ++i)
    {
        if (connections_[i].in_flight >= 0)
            ++result_.timed_out; /// only if the caller gave up before the timeout
        connections_[i].in_flight = -1;
        if (connections_[i].fd != -1)
            drop(i, 0, "");
    }
    result_.timed_out += queue_.size() + (total_ - result_.scheduled);
    queue_.clear();
    result_.latency = summarizeLatencies(latencies_ns_);
    result_.window_latency = summarizeLatencies(window_latencies_ns_);
    return result_;
}

void PacedRequests::connect(size_t index, int64_t now_ns)
{
    Connection & connection = connections_[index];
    connection.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (connection.fd == -1)
        throw std::system_error(errno, std::generic_category(), "socket() failed");
    ++result_.connects;
    connection.phase = Phase::Connecting;
    connection.connect_started_ns = now_ns;
    connection.received.clear();
    const auto * address = reinterpret_cast<const sockaddr *>(&options_.target);
    if (::connect(connection.fd, address, sizeof(options_.target)) == -1 && errno != EINPROGRESS)
    {
        connectFailed(index, now_ns);
        return;
    }
    epoll_event event{};
    event.events = EPOLLOUT;
    event.data.u64 = (tag_ << 32) | index;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, connection.fd, &event) == -1)
        throw std::system_error(errno, std::generic_category(), "epoll_ctl(ADD) failed");
}

void PacedRequests::onConnected(size_t index, int64_t now_ns)
{
    Connection & connection = connections_[index];
    int error = 0;
    socklen_t length = sizeof(error);
    if (::getsockopt(connection.fd, SOL_SOCKET, SO_ERROR, &error, &length) == -1 || error != 0)
    {
        connectFailed(index, now_ns);
        return;
    }
    connection.phase = Phase::Ready;
    epoll_event event{};
    event.events = EPOLLIN | EPOLLRDHUP;
    event.data.u64 = (tag_ << 32) | index;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, connection.fd, &event) == -1)
        throw std::system_error(errno, std::generic_category(), "epoll_ctl(MOD) failed");
}

void PacedRequests::connectFailed(size_t index, int64_t now_ns)
{
    ++result_.connect_failures;
    drop(index, now_ns, "");
    connections_[index].retry_ns = now_ns + kRetryNs;
}

void PacedRequests::send(size_t index, int64_t due_ns)
{
    Connection & connection = connections_[index];
    connection.in_flight = due_ns;
    /// A request this small always fits an idle connection's empty send buffer whole.
    ssize_t n = ::send(connection.fd, request_.data(), request_.size(), MSG_NOSIGNAL);
    if (n != static_cast<ssize_t>(request_.size()))
        drop(index, due_ns, n == -1 ? std::string("send: ") + std::strerror(errno) : "short send");
}

void PacedRequests::onReadable(size_t index, int64_t now_ns)
{
    Connection & connection = connections_[index];
    char buffer[16 * 1024];
    ssize_t n = ::recv(connection.fd, buffer, sizeof(buffer), 0);
    if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (n <= 0)
    {
        drop(index, now_ns, n == 0 ? "eof" : std::string("recv: ") + std::strerror(errno));
        return;
    }
    if (connection.in_flight < 0)
    {
        drop(index, now_ns, ""); /// bytes nobody asked for: the connection can no longer be trusted
        return;
    }
    connection.received.append(buffer, static_cast<size_t>(n));
    size_t end = connection.received.find("\r\n\r\n");
    if (end == std::string::npos)
    {
        if (connection.received.size() > kMaxResponseBytes)
            drop(index, now_ns, "response head too large");
        return;
    }
    std::string head = connection.received.substr(0, end + 2);
    std::string length_text = headerValue(head, "content-length:");
    if (head.compare(0, 5, "HTTP/") != 0 || head.size() < 12 || length_text.empty())
    {
        drop(index, now_ns, "response without status line or Content-Length");
        return;
    }
    size_t length = std::strtoul(length_text.c_str(), nullptr, 10);
    if (connection.received.size() < end + 4 + length)
        return;
    if (connection.received.size() > end + 4 + length)
    {
        drop(index, now_ns, "more bytes than the response");
        return;
    }
    int status = std::atoi(head.c_str() + 9);
    record(connection.in_flight, now_ns, status);
    connection.in_flight = -1;
    connection.received.clear();
    if (::strcasecmp(headerValue(head, "connection:").c_str(), "close") == 0)
        drop(index, now_ns, "");
}

void PacedRequests::record(int64_t due_ns, int64_t now_ns, int status)
{
    ++result_.answered;
    if (status >= 200 && status < 300)
        ++result_.ok;
    latencies_ns_.push_back(now_ns - due_ns);
    if (due_ns < options_.window_end_ns)
        window_latencies_ns_.push_back(now_ns - due_ns);
}

void PacedRequests::drop(size_t index, int64_t now_ns, const std::string & reason)
{
    Connection & connection = connections_[index];
    if (connection.in_flight >= 0 && !reason.empty())
    {
        ++result_.failed;
        ++result_.failures[reason];
        connection.in_flight = -1;
    }
    if (connection.fd != -1)
        ::close(connection.fd); /// also leaves the epoll set
    connection.fd = -1;
    connection.phase = Phase::Closed;
    connection.retry_ns = now_ns + (reason.empty() ? 0 : kRetryNs);
    connection.received.clear();
}

}
