#include "bench/plain/DripperSet.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace sluice::bench
{

namespace
{

constexpr int64_t kNsPerMs = 1'000'000;
constexpr int64_t kConnectPollNs = 10 * kNsPerMs;
constexpr size_t kKeepReceived = 256;

}

DripperSet::DripperSet(int epoll_fd, uint64_t tag, DripperOptions options)
    : epoll_fd_(epoll_fd), tag_(tag), options_(std::move(options)), drippers_(options_.count)
{
    result_.requested = options_.count;
    head_ = "GET " + options_.path + " HTTP/1.1\r\nHost: " + options_.target_text
        + "\r\nUser-Agent: sluice_bench_slow_clients\r\nX-Drip: ";
}

DripperSet::~DripperSet()
{
    for (auto & dripper : drippers_)
        if (dripper.fd != -1)
            ::close(dripper.fd);
}

void DripperSet::tick(int64_t now_ns)
{
    if (started_ns_ == 0)
        started_ns_ = now_ns;
    while (in_flight_ < options_.ramp && next_to_open_ < drippers_.size())
        open(next_to_open_++, now_ns);
    noteConnectsDone(now_ns);
    int64_t next_ns = connectsDone() ? now_ns + 1000 * kNsPerMs : now_ns + kConnectPollNs;
    int64_t connect_timeout_ns = options_.connect_timeout_ms * kNsPerMs;
    for (size_t i = 0; i < drippers_.size(); ++i)
    {
        Dripper & dripper = drippers_[i];
        if (dripper.phase == Phase::Connecting && now_ns - dripper.started_ns > connect_timeout_ns)
            failConnect(i, "connect timeout");
        if (dripper.phase != Phase::Open)
            continue;
        if (dripper.next_byte_ns <= now_ns)
            sendByte(i, now_ns);
        if (dripper.phase == Phase::Open)
            next_ns = std::min(next_ns, dripper.next_byte_ns);
    }
    next_tick_ns_ = next_ns;
}

void DripperSet::onEvent(uint32_t index, uint32_t events, int64_t now_ns)
{
    if (index >= drippers_.size())
        return;
    Dripper & dripper = drippers_[index];
    if (dripper.phase == Phase::Connecting && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
    {
        onConnected(index, now_ns);
        return;
    }
    if (dripper.phase != Phase::Open)
        return;
    char buffer[4096];
    ssize_t n = ::recv(dripper.fd, buffer, sizeof(buffer), 0);
    if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (n > 0)
    {
        /// A proxy may answer (408, 400) before it closes: kept for the close kind.
        if (dripper.received.size() < kKeepReceived)
            dripper.received.append(buffer, std::min(static_cast<size_t>(n), kKeepReceived - dripper.received.size()));
        return;
    }
    closedByPeer(index, now_ns, n == 0 ? "eof" : std::string("recv: ") + std::strerror(errno));
}

DripperResult DripperSet::finish()
{
    for (size_t i = 0; i < drippers_.size(); ++i)
    {
        Dripper & dripper = drippers_[i];
        if (dripper.phase == Phase::Idle || dripper.phase == Phase::Connecting)
            failConnect(i, "run ended before the connect");
        else if (dripper.phase == Phase::Open)
            ++result_.open_at_end;
        if (dripper.fd != -1)
            ::close(dripper.fd);
        dripper.fd = -1;
    }
    int64_t deadline_ns = options_.deadline_ms * kNsPerMs;
    int64_t tolerance_ns = options_.tolerance_ms * kNsPerMs;
    for (int64_t after_ns : closed_after_ns_)
    {
        if (after_ns < deadline_ns - tolerance_ns)
            ++result_.closed_early;
        else if (after_ns <= deadline_ns + tolerance_ns)
            ++result_.closed_on_time;
        else
            ++result_.closed_late;
    }
    result_.closed_after = summarizeLatencies(closed_after_ns_);
    return result_;
}

void DripperSet::open(size_t index, int64_t now_ns)
{
    Dripper & dripper = drippers_[index];
    dripper.started_ns = now_ns;
    dripper.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (dripper.fd == -1)
    {
        failConnect(index, std::string("socket: ") + std::strerror(errno));
        return;
    }
    dripper.phase = Phase::Connecting;
    ++in_flight_;
    const auto * address = reinterpret_cast<const sockaddr *>(&options_.target);
    if (::connect(dripper.fd, address, sizeof(options_.target)) == -1 && errno != EINPROGRESS)
    {
        failConnect(index, std::string("connect: ") + std::strerror(errno));
        return;
    }
    watch(index, EPOLLOUT, EPOLL_CTL_ADD);
}

void DripperSet::onConnected(size_t index, int64_t now_ns)
{
    Dripper & dripper = drippers_[index];
    int error = 0;
    socklen_t length = sizeof(error);
    if (::getsockopt(dripper.fd, SOL_SOCKET, SO_ERROR, &error, &length) == -1)
        error = errno;
    if (error != 0)
    {
        failConnect(index, std::string("connect: ") + std::strerror(error));
        return;
    }
    --in_flight_;
    ++result_.connected;
    noteConnectsDone(now_ns);
    dripper.phase = Phase::Open;
    dripper.connected_ns = now_ns;
    watch(index, EPOLLIN | EPOLLRDHUP, EPOLL_CTL_MOD);
    sendByte(index, now_ns);
}

void DripperSet::sendByte(size_t index, int64_t now_ns)
{
    Dripper & dripper = drippers_[index];
    char byte = dripper.sent < head_.size() ? head_[dripper.sent] : 'a';
    ssize_t n = ::send(dripper.fd, &byte, 1, MSG_NOSIGNAL);
    if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
    {
        closedByPeer(index, now_ns, std::string("send: ") + std::strerror(errno));
        return;
    }
    if (n == 1)
    {
        ++dripper.sent;
        ++result_.bytes_sent;
    }
    dripper.next_byte_ns = now_ns + options_.interval_ms * kNsPerMs;
}

void DripperSet::failConnect(size_t index, const std::string & reason)
{
    Dripper & dripper = drippers_[index];
    if (dripper.phase == Phase::Connecting)
        --in_flight_;
    if (dripper.fd != -1)
        ::close(dripper.fd);
    dripper.fd = -1;
    dripper.phase = Phase::Closed;
    ++result_.failed;
    ++result_.failures[reason];
}

void DripperSet::noteConnectsDone(int64_t now_ns)
{
    if (connects_timed_ || !connectsDone())
        return;
    connects_timed_ = true;
    result_.connect_s = static_cast<double>(now_ns - started_ns_) / 1e9;
}

void DripperSet::closedByPeer(size_t index, int64_t now_ns, const std::string & kind)
{
    Dripper & dripper = drippers_[index];
    ::close(dripper.fd);
    dripper.fd = -1;
    dripper.phase = Phase::Closed;
    closed_after_ns_.push_back(now_ns - dripper.connected_ns);
    std::string said = dripper.received.substr(0, dripper.received.find("\r\n"));
    ++result_.close_kinds[said.empty() ? kind : kind + " after \"" + said + "\""];
}

void DripperSet::watch(size_t index, uint32_t events, int operation)
{
    epoll_event event{};
    event.events = events;
    event.data.u64 = (tag_ << 32) | index;
    if (::epoll_ctl(epoll_fd_, operation, drippers_[index].fd, &event) == -1)
        throw std::system_error(errno, std::generic_category(), "epoll_ctl() failed");
}

}
