#include "bench/reload/KeepAliveClient.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <thread>

namespace sluice::bench::reload
{

namespace
{

constexpr size_t kMaxHead = 64 * 1024;

std::string lower(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    return text;
}

/// The value of header `name` (lower case) in `head` (status line + fields, CRLF separated), or "".
std::string headerValue(const std::string & head, const std::string & name)
{
    size_t pos = head.find("\r\n");
    while (pos != std::string::npos && pos + 2 < head.size())
    {
        size_t start = pos + 2;
        size_t end = head.find("\r\n", start);
        std::string line = head.substr(start, end == std::string::npos ? std::string::npos : end - start);
        size_t colon = line.find(':');
        if (colon != std::string::npos && lower(line.substr(0, colon)) == name)
        {
            size_t value = line.find_first_not_of(" \t", colon + 1);
            return value == std::string::npos ? "" : line.substr(value);
        }
        pos = end;
    }
    return "";
}

int remainingMs(Clock::time_point deadline)
{
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return static_cast<int>(std::max<long long>(left, 0));
}

}

KeepAliveClient::KeepAliveClient(LoadTarget target, LoadCounters & counters)
    : target_(std::move(target)), counters_(counters)
{
    request_ = "GET " + target_.path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(target_.port)
               + "\r\nUser-Agent: sluice_reload_load\r\nAccept: */*\r\n\r\n";
}

KeepAliveClient::~KeepAliveClient()
{
    closeConnection();
}

void KeepAliveClient::closeConnection()
{
    if (fd_ != -1)
        ::close(fd_);
    fd_ = -1;
}

void KeepAliveClient::run(const std::atomic<bool> & stop, Clock::time_point until)
{
    while (!stop.load(std::memory_order_relaxed) && Clock::now() < until)
    {
        if (fd_ == -1 && !connect())
        {
            /// A refused connect returns at once: do not spin on it.
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
            continue;
        }
        auto started = Clock::now();
        Outcome outcome = exchange();
        counters_.count(outcome);
        if (outcome == Outcome::Ok)
            counters_.latency(std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started).count());
        /// After a failure the connection's state is unknown; after Connection: close it is over.
        if ((outcome != Outcome::Ok && outcome != Outcome::Non2xx) || close_after_)
            closeConnection();
    }
    closeConnection();
}

bool KeepAliveClient::connect()
{
    buffer_.clear();
    eof_ = false;
    close_after_ = false;
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd_ == -1)
    {
        counters_.count(Outcome::ConnectError);
        return false;
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(target_.port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int error = 0;
    if (::connect(fd_, reinterpret_cast<sockaddr *>(&address), sizeof address) == -1)
    {
        error = errno;
        if (error == EINPROGRESS)
        {
            pollfd p{fd_, POLLOUT, 0};
            int ready = ::poll(&p, 1, static_cast<int>(target_.timeout.count()));
            socklen_t length = sizeof error;
            if (ready == 0)
                error = ETIMEDOUT;
            else if (ready == -1 || ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length) == -1)
                error = errno;
        }
    }
    if (error != 0)
    {
        closeConnection();
        counters_.count(error == ECONNREFUSED ? Outcome::ConnectRefused
                        : error == ETIMEDOUT  ? Outcome::Timeout
                                              : Outcome::ConnectError);
        return false;
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    counters_.connectionOpened();
    return true;
}

Outcome KeepAliveClient::receive(Clock::time_point deadline, bool response_started)
{
    pollfd p{fd_, POLLIN, 0};
    int ready = ::poll(&p, 1, remainingMs(deadline));
    if (ready == 0)
        return Outcome::Timeout;
    if (ready == -1)
        return errno == EINTR ? Outcome::Ok : Outcome::Reset;
    char data[65536];
    ssize_t n = ::recv(fd_, data, sizeof data, 0);
    if (n > 0)
    {
        buffer_.append(data, static_cast<size_t>(n));
        return Outcome::Ok;
    }
    if (n == 0)
    {
        eof_ = true;
        return response_started ? Outcome::EofMidResponse : Outcome::EofBeforeResponse;
    }
    return errno == EAGAIN || errno == EINTR ? Outcome::Ok : Outcome::Reset;
}

Outcome KeepAliveClient::exchange()
{
    close_after_ = false;
    const auto deadline = Clock::now() + target_.timeout;
    for (size_t sent = 0; sent < request_.size();)
    {
        ssize_t n = ::send(fd_, request_.data() + sent, request_.size() - sent, MSG_NOSIGNAL);
        if (n > 0)
        {
            sent += static_cast<size_t>(n);
            continue;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN)
            return Outcome::Reset; /// EPIPE or ECONNRESET: the server closed the connection under us
        pollfd p{fd_, POLLOUT, 0};
        if (::poll(&p, 1, remainingMs(deadline)) == 0)
            return Outcome::Timeout;
    }
    while (true)
    {
        size_t head_end;
        while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos)
        {
            if (buffer_.size() > kMaxHead)
                return Outcome::BadResponse;
            if (Outcome o = receive(deadline, !buffer_.empty()); o != Outcome::Ok)
                return o;
        }
        if (buffer_.compare(0, 7, "HTTP/1.") != 0 || buffer_.size() < 12)
            return Outcome::BadResponse;
        int status = std::atoi(buffer_.c_str() + 9);
        std::string head = buffer_.substr(0, head_end);
        std::string connection = lower(headerValue(head, "connection"));
        bool http10 = buffer_.compare(0, 8, "HTTP/1.0") == 0;
        close_after_ = connection.find("close") != std::string::npos
                       || (http10 && connection.find("keep-alive") == std::string::npos);
        if (status / 100 == 1)
        {
            buffer_.erase(0, head_end + 4); /// 100 Continue and friends: the real answer follows
            continue;
        }
        if (status != 204 && status != 304)
        {
            if (Outcome o = readBody(head_end + 4, deadline); o != Outcome::Ok)
                return o;
        }
        else
            buffer_.erase(0, head_end + 4);
        if (close_after_)
            counters_.closeAnnounced();
        return status / 100 == 2 ? Outcome::Ok : Outcome::Non2xx;
    }
}

Outcome KeepAliveClient::readBody(size_t body_start, Clock::time_point deadline)
{
    std::string head = buffer_.substr(0, body_start);
    bool chunked = lower(headerValue(head, "transfer-encoding")).find("chunked") != std::string::npos;
    std::string length_text = headerValue(head, "content-length");
    if (!chunked && length_text.empty())
    {
        /// Delimited by the close: the end of the body is the end of the connection.
        while (!eof_)
            if (Outcome o = receive(deadline, true); o != Outcome::Ok && !eof_)
                return o;
        close_after_ = true;
        buffer_.clear();
        return Outcome::Ok;
    }
    size_t end = 0; /// one past the body's last byte, once known
    if (!chunked)
        end = body_start + std::strtoull(length_text.c_str(), nullptr, 10);
    size_t pos = body_start; /// chunked: start of the next size line
    while (true)
    {
        if (!chunked && buffer_.size() >= end)
            break;
        if (chunked)
        {
            size_t line_end = buffer_.find("\r\n", pos);
            if (line_end != std::string::npos)
            {
                char * parsed = nullptr;
                unsigned long long size = std::strtoull(buffer_.c_str() + pos, &parsed, 16);
                if (parsed == buffer_.c_str() + pos)
                    return Outcome::BadResponse;
                if (size == 0)
                {
                    /// Trailer fields, then an empty line.
                    size_t line = line_end + 2;
                    size_t next;
                    while ((next = buffer_.find("\r\n", line)) != std::string::npos && next != line)
                        line = next + 2;
                    if (next == line)
                    {
                        end = next + 2;
                        break;
                    }
                }
                else if (buffer_.size() >= line_end + 2 + size + 2)
                {
                    pos = line_end + 2 + size;
                    if (buffer_.compare(pos, 2, "\r\n") != 0)
                        return Outcome::BadResponse;
                    pos += 2;
                    continue;
                }
            }
        }
        if (Outcome o = receive(deadline, true); o != Outcome::Ok)
            return o;
    }
    buffer_.erase(0, end);
    return Outcome::Ok;
}

}
