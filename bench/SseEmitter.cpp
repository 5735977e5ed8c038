#include "bench/SseEmitter.h"

#include "bench/BenchSocket.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <system_error>

namespace sluice::bench
{

namespace
{

constexpr char kStreamHeaders[] = "HTTP/1.1 200 OK\r\n"
                                  "Content-Type: text/event-stream\r\n"
                                  "Transfer-Encoding: chunked\r\n"
                                  "Cache-Control: no-cache\r\n"
                                  "\r\n";
constexpr char kNotAllowed[] = "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
constexpr size_t kMaxRequestBytes = 16 * 1024;
constexpr int64_t kLateNs = 10'000'000;
constexpr int64_t kAcceptPauseNs = 100'000'000;
/// Phases k * golden ratio (mod 1) are spread evenly over the interval for any number of streams.
constexpr double kGoldenFraction = 0.6180339887498949;
constexpr uint32_t kStreamEvents = EPOLLIN | EPOLLRDHUP;

enum class Request
{
    Stream,
    Plain,
    Stats,
    NotAllowed,
};

Request classify(const std::string & head)
{
    if (head.compare(0, 4, "GET ") != 0)
        return Request::NotAllowed;
    if (head.compare(4, 6, "/plain") == 0)
        return Request::Plain;
    if (head.compare(4, 8, "/_stats ") == 0)
        return Request::Stats;
    return Request::Stream;
}

/// True if the head (up to `end`) has a `Connection: close` header; names and values are case-insensitive.
bool asksToClose(const std::string & buffer, size_t end)
{
    std::string head = buffer.substr(0, end);
    std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return std::tolower(c); });
    return head.find("\r\nconnection: close") != std::string::npos;
}

}

struct SseEmitter::Connection
{
    int fd = -1;
    uint64_t serial = 0;
    bool streaming = false;
    uint64_t seq = 0;
    std::string request; /// until the request head is complete
    std::string pending; /// bytes the socket did not take yet
};

SseEmitter::SseEmitter(const EmitterOptions & options) : options_(options)
{
    listen_fd_ = listenTcp(options.address, 4096);
    port_ = localPort(listen_fd_);
    epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ == -1)
    {
        int saved = errno;
        ::close(listen_fd_);
        throw std::system_error(saved, std::generic_category(), "epoll_create1() failed");
    }
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = listen_fd_;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &event) == -1)
        throw std::system_error(errno, std::generic_category(), "epoll_ctl(ADD listener) failed");
    epoch_ns_ = monotonicNs();
    std::string head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(options.plain_body_bytes);
    std::string body = "\r\n\r\n" + std::string(options.plain_body_bytes, 'p');
    plain_response_ = head + body;
    plain_close_response_ = head + "\r\nConnection: close" + body;
}

SseEmitter::~SseEmitter()
{
    for (auto & connection : connections_)
        if (connection)
            ::close(connection->fd);
    ::close(epoll_fd_);
    ::close(listen_fd_);
}

void SseEmitter::run(int stop_fd, int64_t deadline_ns)
{
    epoll_event stop_event{};
    stop_event.events = EPOLLIN;
    stop_event.data.fd = stop_fd;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, stop_fd, &stop_event) == -1)
        throw std::system_error(errno, std::generic_category(), "epoll_ctl(ADD stop fd) failed");
    epoll_event events[256];
    bool stop = false;
    while (!stop)
    {
        int64_t now_ns = monotonicNs();
        if (now_ns >= deadline_ns)
            break;
        if (accept_paused_until_ns_ != 0 && now_ns >= accept_paused_until_ns_)
        {
            epoll_event listen_event{};
            listen_event.events = EPOLLIN;
            listen_event.data.fd = listen_fd_;
            if (::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, listen_fd_, &listen_event) == -1)
                throw std::system_error(errno, std::generic_category(), "epoll_ctl(MOD listener) failed");
            accept_paused_until_ns_ = 0;
        }
        int count = ::epoll_wait(epoll_fd_, events, 256, waitTimeoutMs(now_ns, deadline_ns));
        if (count == -1 && errno == EINTR)
            continue;
        if (count == -1)
            throw std::system_error(errno, std::generic_category(), "epoll_wait() failed");
        now_ns = monotonicNs();
        bool accept_ready = false;
        for (int i = 0; i < count; ++i)
        {
            int fd = events[i].data.fd;
            if (fd == stop_fd)
                stop = true;
            else if (fd == listen_fd_)
                accept_ready = true; /// after this batch, so no new stream reuses an fd the batch still names
            else if (static_cast<size_t>(fd) < connections_.size() && connections_[fd])
            {
                uint32_t flags = events[i].events;
                if (flags & EPOLLERR)
                    closeConnection(fd);
                if ((flags & EPOLLOUT) && connections_[fd])
                    onWritable(*connections_[fd]);
                if ((flags & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) && connections_[fd])
                    onReadable(*connections_[fd], now_ns);
            }
        }
        if (accept_ready)
            acceptAll(now_ns);
        sendDueEvents(monotonicNs());
    }
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, stop_fd, nullptr);
    for (size_t fd = 0; fd < connections_.size(); ++fd)
        if (connections_[fd])
            closeConnection(static_cast<int>(fd));
}

int SseEmitter::waitTimeoutMs(int64_t now_ns, int64_t deadline_ns) const
{
    int64_t next_ns = std::min(deadline_ns, now_ns + 1'000'000'000);
    if (!schedule_.empty())
        next_ns = std::min(next_ns, schedule_.top().due_ns);
    if (accept_paused_until_ns_ != 0)
        next_ns = std::min(next_ns, accept_paused_until_ns_);
    if (next_ns <= now_ns)
        return 0;
    return static_cast<int>((next_ns - now_ns + 999'999) / 1'000'000);
}

void SseEmitter::acceptAll(int64_t now_ns)
{
    for (;;)
    {
        int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd == -1)
        {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
            {
                /// The listener stays readable while we cannot accept: stop polling it for a moment
                /// instead of spinning. Visible to the client as slow connects, not as a silent loss.
                std::fprintf(stderr, "sluice_bench_upstream: accept4() failed: %s (pausing accepts)\n",
                             std::strerror(errno));
                epoll_event listen_event{};
                listen_event.data.fd = listen_fd_;
                if (::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, listen_fd_, &listen_event) == -1)
                    throw std::system_error(errno, std::generic_category(), "epoll_ctl(MOD listener) failed");
                accept_paused_until_ns_ = now_ns + kAcceptPauseNs;
                return;
            }
            throw std::system_error(errno, std::generic_category(), "accept4() failed");
        }
        int one = 1;
        if (::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == -1)
            std::fprintf(stderr, "sluice_bench_upstream: setsockopt(TCP_NODELAY) failed: %s\n", std::strerror(errno));
        epoll_event event{};
        event.events = kStreamEvents;
        event.data.fd = fd;
        if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) == -1)
            throw std::system_error(errno, std::generic_category(), "epoll_ctl(ADD stream) failed");
        if (static_cast<size_t>(fd) >= connections_.size())
            connections_.resize(static_cast<size_t>(fd) + 1);
        connections_[fd] = std::make_unique<Connection>();
        connections_[fd]->fd = fd;
        connections_[fd]->serial = next_serial_++;
        ++stats_.accepted;
    }
}

void SseEmitter::onReadable(Connection & connection, int64_t now_ns)
{
    char buffer[4096];
    ssize_t n = ::recv(connection.fd, buffer, sizeof(buffer), 0);
    if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (n <= 0)
    {
        closeConnection(connection.fd); /// the peer left (EOF) or reset
        return;
    }
    if (connection.streaming)
        return; /// a streaming peer has nothing more to say; whatever it sends is dropped
    connection.request.append(buffer, static_cast<size_t>(n));
    if (answerRequests(connection, now_ns) && connection.request.size() > kMaxRequestBytes)
        closeConnection(connection.fd);
}

bool SseEmitter::answerRequests(Connection & connection, int64_t now_ns)
{
    size_t end = 0;
    while (!connection.streaming && (end = connection.request.find("\r\n\r\n")) != std::string::npos)
    {
        Request request = classify(connection.request);
        bool close = asksToClose(connection.request, end);
        connection.request.erase(0, end + 4);
        if (request == Request::Stream)
            return startStream(connection, now_ns);
        if (request == Request::Plain)
        {
            const std::string & reply = close ? plain_close_response_ : plain_response_;
            if (!sendOrQueue(connection, reply.data(), reply.size()))
                return false;
            ++stats_.plain_requests;
            if (!close)
                continue;
        }
        else if (request == Request::Stats)
        {
            std::string stats = statsJson();
            if (!sendOrQueue(connection, stats.data(), stats.size()))
                return false;
        }
        else if (!sendOrQueue(connection, kNotAllowed, sizeof(kNotAllowed) - 1))
            return false;
        closeConnection(connection.fd); /// only after a small answer, which a socket takes whole
        return false;
    }
    return true;
}

std::string SseEmitter::statsJson() const
{
    std::string body = "{\"accepted\":" + std::to_string(stats_.accepted.load()) + ",\"plain_requests\":"
        + std::to_string(stats_.plain_requests.load()) + ",\"open_streams\":" + std::to_string(stats_.open_streams.load())
        + ",\"events_sent\":" + std::to_string(stats_.events_sent.load()) + "}\n";
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size())
        + "\r\nConnection: close\r\n\r\n" + body;
}

void SseEmitter::onWritable(Connection & connection)
{
    ssize_t n = ::send(connection.fd, connection.pending.data(), connection.pending.size(), MSG_NOSIGNAL);
    if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (n == -1)
    {
        closeConnection(connection.fd);
        return;
    }
    connection.pending.erase(0, static_cast<size_t>(n));
    if (!connection.pending.empty())
        return;
    epoll_event event{};
    event.events = kStreamEvents;
    event.data.fd = connection.fd;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, connection.fd, &event) == -1)
        throw std::system_error(errno, std::generic_category(), "epoll_ctl(MOD stream) failed");
}

bool SseEmitter::startStream(Connection & connection, int64_t now_ns)
{
    connection.streaming = true;
    std::string().swap(connection.request);
    uint64_t open = ++stats_.open_streams;
    if (open > stats_.peak_streams)
        stats_.peak_streams = open;
    int64_t interval_ns = static_cast<int64_t>(options_.interval_ms) * 1'000'000;
    double position = std::fmod(static_cast<double>(streams_started_++) * kGoldenFraction, 1.0);
    int64_t phase_ns = options_.stagger ? static_cast<int64_t>(position * static_cast<double>(interval_ns)) : 0;
    /// The first tick of this stream's phase that lies in the future.
    int64_t elapsed_ns = now_ns - epoch_ns_ - phase_ns;
    int64_t ticks = elapsed_ns < 0 ? 0 : elapsed_ns / interval_ns + 1;
    schedule_.push(Due{epoch_ns_ + phase_ns + ticks * interval_ns, connection.fd, connection.serial});
    if (!sendOrQueue(connection, kStreamHeaders, sizeof(kStreamHeaders) - 1))
        return false;
    if (!options_.event_on_connect)
        return true;
    int fd = connection.fd;
    sendEvent(connection); /// the scheduled events follow from seq 2; a failed send closes the connection
    return connections_[fd] != nullptr;
}

void SseEmitter::sendDueEvents(int64_t now_ns)
{
    int64_t interval_ns = static_cast<int64_t>(options_.interval_ms) * 1'000'000;
    while (!schedule_.empty() && schedule_.top().due_ns <= now_ns)
    {
        Due due = schedule_.top();
        schedule_.pop();
        auto alive = [&] {
            return static_cast<size_t>(due.fd) < connections_.size() && connections_[due.fd]
                && connections_[due.fd]->serial == due.serial;
        };
        if (!alive())
            continue; /// the stream closed since it was scheduled
        int64_t late_ns = now_ns - due.due_ns;
        if (late_ns > kLateNs)
            ++stats_.late_events;
        if (late_ns > stats_.max_late_ns)
            stats_.max_late_ns = late_ns;
        sendEvent(*connections_[due.fd]);
        if (!alive())
            continue;
        /// Far behind (the machine stalled): skip ahead rather than fire a burst of catch-up events.
        due.due_ns += interval_ns;
        if (due.due_ns <= now_ns)
            due.due_ns = now_ns + interval_ns;
        schedule_.push(due);
    }
}

void SseEmitter::sendEvent(Connection & connection)
{
    ++connection.seq;
    char head[96];
    int head_size = std::snprintf(head, sizeof(head), "id: %llu\ndata: %lld %llu ",
                                  static_cast<unsigned long long>(connection.seq),
                                  static_cast<long long>(monotonicNs()),
                                  static_cast<unsigned long long>(connection.seq));
    size_t body_size = std::max(options_.event_bytes, static_cast<size_t>(head_size) + 2);
    char size_line[24];
    int size_line_size = std::snprintf(size_line, sizeof(size_line), "%zx\r\n", body_size);
    event_buffer_.clear();
    event_buffer_.append(size_line, static_cast<size_t>(size_line_size));
    event_buffer_.append(head, static_cast<size_t>(head_size));
    event_buffer_.append(body_size - static_cast<size_t>(head_size) - 2, 'x');
    event_buffer_.append("\n\n\r\n");
    if (sendOrQueue(connection, event_buffer_.data(), event_buffer_.size()))
        ++stats_.events_sent;
}

bool SseEmitter::sendOrQueue(Connection & connection, const char * bytes, size_t size)
{
    if (!connection.pending.empty())
    {
        if (connection.pending.size() + size > options_.max_buffered_bytes)
        {
            ++stats_.slow_closed;
            closeConnection(connection.fd);
            return false;
        }
        connection.pending.append(bytes, size);
        return true;
    }
    ssize_t n = ::send(connection.fd, bytes, size, MSG_NOSIGNAL);
    if (n == -1 && errno == EINTR)
        n = ::send(connection.fd, bytes, size, MSG_NOSIGNAL);
    if (n == static_cast<ssize_t>(size))
        return true;
    if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK)
    {
        closeConnection(connection.fd);
        return false;
    }
    size_t sent = n == -1 ? 0 : static_cast<size_t>(n);
    connection.pending.assign(bytes + sent, size - sent);
    epoll_event event{};
    event.events = kStreamEvents | EPOLLOUT;
    event.data.fd = connection.fd;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, connection.fd, &event) == -1)
        throw std::system_error(errno, std::generic_category(), "epoll_ctl(MOD stream) failed");
    return true;
}

void SseEmitter::closeConnection(int fd)
{
    auto & connection = connections_[fd];
    if (connection->streaming)
        --stats_.open_streams;
    ::close(fd); /// also removes it from the epoll set
    connection.reset();
}

}
