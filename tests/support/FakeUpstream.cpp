#include "support/FakeUpstream.h"

#include "support/EphemeralLoopback.h"
#include "support/LoopbackSocket.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <stdexcept>

namespace sluice::test
{

namespace
{

constexpr size_t kMaxHead = 1 << 20;
constexpr int kPollStepMs = 20;

std::string statusLine(const UpstreamReply & reply)
{
    return "HTTP/1.1 " + std::to_string(reply.status) + " " + reply.reason + "\r\n";
}

bool hasHeader(const UpstreamReply & reply, const std::string & name)
{
    return std::any_of(reply.headers.begin(), reply.headers.end(),
                       [&](const auto & field) { return equalsIgnoreCase(field.first, name); });
}

std::string headerBlock(const UpstreamReply & reply)
{
    std::string text;
    for (const auto & [name, value] : reply.headers)
        text += name + ": " + value + "\r\n";
    return text;
}

}

FakeUpstream::FakeUpstream()
{
    std::string why;
    listen_fd_ = bindEphemeralLoopback(128, port_, why);
    if (listen_fd_ == -1)
        throw std::runtime_error("FakeUpstream: " + why);
    acceptor_ = std::thread([this] { acceptLoop(); });
}

FakeUpstream::~FakeUpstream()
{
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        /// Wakes threads blocked in recv(); the fds stay owned (and closed) by their threads.
        for (int fd : open_fds_)
            ::shutdown(fd, SHUT_RDWR);
    }
    changed_.notify_all();
    acceptor_.join();
    /// No new threads can appear once the acceptor is gone.
    for (auto & thread : connection_threads_)
        thread.join();
    ::close(listen_fd_);
}

std::string FakeUpstream::url() const
{
    return "http://127.0.0.1:" + std::to_string(port_);
}

void FakeUpstream::on(const std::string & path_prefix, UpstreamReply reply)
{
    std::lock_guard lock(mutex_);
    replies_[path_prefix] = std::move(reply);
}

UpstreamReply FakeUpstream::replyFor(const std::string & path) const
{
    std::lock_guard lock(mutex_);
    const UpstreamReply * best = nullptr;
    size_t best_length = 0;
    for (const auto & [prefix, reply] : replies_)
        if (path.compare(0, prefix.size(), prefix) == 0 && (best == nullptr || prefix.size() > best_length))
        {
            best = &reply;
            best_length = prefix.size();
        }
    return best ? *best : UpstreamReply::text(404, "no route in FakeUpstream for " + path);
}

void FakeUpstream::acceptLoop()
{
    while (true)
    {
        {
            std::lock_guard lock(mutex_);
            if (stopping_)
                return;
        }
        pollfd p{listen_fd_, POLLIN, 0};
        if (::poll(&p, 1, kPollStepMs) <= 0)
            continue;
        int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd == -1)
            continue;
        std::lock_guard lock(mutex_);
        if (stopping_)
        {
            ::close(fd);
            return;
        }
        ++accepted_;
        open_fds_.push_back(fd);
        connection_threads_.emplace_back([this, fd] { serve(fd); });
        changed_.notify_all();
    }
}

bool FakeUpstream::readRequest(int fd, std::string & buffer, RecordedRequest & out)
{
    char data[16384];
    size_t end;
    while ((end = buffer.find("\r\n\r\n")) == std::string::npos)
    {
        if (buffer.size() > kMaxHead)
            return false;
        ssize_t n = ::recv(fd, data, sizeof data, 0);
        if (n <= 0)
            return false;
        buffer.append(data, static_cast<size_t>(n));
    }
    std::string request_line;
    if (!parseHead(buffer.substr(0, end), request_line, out.headers))
        return false;
    buffer.erase(0, end + 4);
    size_t sp1 = request_line.find(' ');
    size_t sp2 = request_line.rfind(' ');
    if (sp1 == std::string::npos || sp2 == sp1)
        return false;
    out.method = request_line.substr(0, sp1);
    out.target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
    out.version = request_line.substr(sp2 + 1);

    auto encoding = out.headers.get("Transfer-Encoding");
    out.chunked = encoding && equalsIgnoreCase(*encoding, "chunked");
    ChunkParser chunks;
    size_t length = std::strtoull(out.headers.value("Content-Length").c_str(), nullptr, 10);
    while (true)
    {
        if (out.chunked)
        {
            std::vector<std::string> pieces;
            chunks.parse(buffer, pieces);
            for (const auto & piece : pieces)
                out.body += piece;
            if (chunks.done())
                break;
            if (chunks.failed())
                return false;
        }
        else
        {
            size_t take = std::min(length - out.body.size(), buffer.size());
            out.body.append(buffer, 0, take);
            buffer.erase(0, take);
            if (out.body.size() == length)
                break;
        }
        ssize_t n = ::recv(fd, data, sizeof data, 0);
        if (n <= 0)
            return false;
        buffer.append(data, static_cast<size_t>(n));
    }
    out.at = Clock::now();
    return true;
}

bool FakeUpstream::pause(int ms)
{
    std::unique_lock lock(mutex_);
    return !changed_.wait_for(lock, Millis(ms), [this] { return stopping_; });
}

void FakeUpstream::sendFixed(int fd, const UpstreamReply & reply)
{
    std::string response = statusLine(reply) + headerBlock(reply);
    if (!hasHeader(reply, "Content-Length") && !hasHeader(reply, "Transfer-Encoding"))
        response += "Content-Length: " + std::to_string(reply.body.size()) + "\r\n";
    response += "\r\n" + reply.body;
    sendAll(fd, response);
}

int FakeUpstream::startStream(int fd, const UpstreamReply & reply)
{
    std::lock_guard lock(mutex_);
    auto stream = std::make_unique<Stream>();
    stream->fd = fd;
    stream->chunked = reply.chunked;
    /// Headers go out under the lock so that no event can overtake them.
    sendAll(fd, statusLine(reply) + headerBlock(reply) + "\r\n");
    streams_.push_back(std::move(stream));
    changed_.notify_all();
    return static_cast<int>(streams_.size()) - 1;
}

void FakeUpstream::watchIdle(int fd, int stream_index)
{
    while (true)
    {
        {
            std::lock_guard lock(mutex_);
            if (stopping_ || (stream_index >= 0 && streams_[stream_index]->ended))
                return;
        }
        pollfd p{fd, POLLIN | POLLRDHUP, 0};
        if (::poll(&p, 1, kPollStepMs) <= 0)
            continue;
        char byte[4096];
        ssize_t n = ::recv(fd, byte, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n == -1 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (n > 0)
        {
            /// Unexpected bytes on an idle stream (a pipelined request): consume and keep watching.
            ssize_t drained = ::recv(fd, byte, sizeof byte, MSG_DONTWAIT);
            (void)drained;
            continue;
        }
        std::lock_guard lock(mutex_);
        if (stream_index >= 0 && !streams_[stream_index]->ended)
        {
            streams_[stream_index]->closed_by_peer = true;
            streams_[stream_index]->closed_at = Clock::now();
        }
        changed_.notify_all();
        return;
    }
}

void FakeUpstream::serve(int fd)
{
    std::string buffer;
    int stream_index = -1;
    while (true)
    {
        RecordedRequest request;
        if (!readRequest(fd, buffer, request))
            break;
        std::string path = request.path();
        bool client_wants_close = equalsIgnoreCase(request.headers.value("Connection"), "close");
        {
            std::lock_guard lock(mutex_);
            requests_.push_back(std::move(request));
        }
        changed_.notify_all();
        UpstreamReply reply = replyFor(path);
        if (reply.header_delay_ms > 0 && !pause(reply.header_delay_ms))
            break;
        if (reply.kind == UpstreamReply::Kind::Fixed)
        {
            sendFixed(fd, reply);
            if (client_wants_close)
                break;
            continue;
        }
        if (reply.kind == UpstreamReply::Kind::Stream)
            stream_index = startStream(fd, reply);
        if (reply.kind != UpstreamReply::Kind::CloseAbruptly)
            watchIdle(fd, stream_index);
        break;
    }
    std::lock_guard lock(mutex_);
    if (stream_index >= 0)
        streams_[stream_index]->fd = -1;
    open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), fd), open_fds_.end());
    ::close(fd);
    changed_.notify_all();
}

std::vector<RecordedRequest> FakeUpstream::requests() const
{
    std::lock_guard lock(mutex_);
    return requests_;
}

::testing::AssertionResult FakeUpstream::waitForRequests(size_t count, Millis timeout)
{
    std::unique_lock lock(mutex_);
    if (changed_.wait_for(lock, timeout, [&] { return requests_.size() >= count; }))
        return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "upstream received " << requests_.size() << " requests, expected "
                                         << count << " within " << timeout.count() << " ms";
}

size_t FakeUpstream::acceptedConnections() const
{
    std::lock_guard lock(mutex_);
    return accepted_;
}

size_t FakeUpstream::openConnections() const
{
    std::lock_guard lock(mutex_);
    return open_fds_.size();
}

::testing::AssertionResult FakeUpstream::waitForOpenConnections(size_t count, Millis timeout)
{
    std::unique_lock lock(mutex_);
    if (changed_.wait_for(lock, timeout, [&] { return open_fds_.size() == count; }))
        return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "upstream has " << open_fds_.size() << " open connections, expected "
                                         << count << " within " << timeout.count() << " ms";
}

size_t FakeUpstream::streamCount() const
{
    std::lock_guard lock(mutex_);
    return streams_.size();
}

::testing::AssertionResult FakeUpstream::waitForStreams(size_t count, Millis timeout)
{
    std::unique_lock lock(mutex_);
    if (changed_.wait_for(lock, timeout, [&] { return streams_.size() >= count; }))
        return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "upstream started " << streams_.size() << " streams, expected " << count
                                         << " within " << timeout.count() << " ms";
}

std::optional<Clock::time_point> FakeUpstream::sendEvent(const std::string & bytes, int stream)
{
    std::lock_guard lock(mutex_);
    std::optional<Clock::time_point> sent;
    for (int i = 0; i < static_cast<int>(streams_.size()); ++i)
    {
        Stream & s = *streams_[i];
        if ((stream != kAllStreams && stream != i) || s.fd == -1 || s.ended || s.closed_by_peer)
            continue;
        auto now = Clock::now();
        if (sendAll(s.fd, s.chunked ? chunk(bytes) : bytes) && !sent)
            sent = now;
    }
    return sent;
}

void FakeUpstream::endStream(int stream, StreamEnd how)
{
    {
        std::lock_guard lock(mutex_);
        for (int i = 0; i < static_cast<int>(streams_.size()); ++i)
        {
            Stream & s = *streams_[i];
            if ((stream != kAllStreams && stream != i) || s.fd == -1 || s.ended)
                continue;
            s.ended = true;
            if (how == StreamEnd::Clean && s.chunked)
                sendAll(s.fd, "0\r\n\r\n");
            if (how == StreamEnd::Reset)
            {
                linger hard{1, 0};
                ::setsockopt(s.fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
            }
            else
                ::shutdown(s.fd, SHUT_WR); /// FIN now; the serving thread closes the fd
        }
    }
    changed_.notify_all();
}

::testing::AssertionResult FakeUpstream::waitForPeerClose(int stream, Millis timeout)
{
    std::unique_lock lock(mutex_);
    if (stream < 0 || stream >= static_cast<int>(streams_.size()))
        return ::testing::AssertionFailure() << "no upstream stream #" << stream;
    if (changed_.wait_for(lock, timeout, [&] { return streams_[stream]->closed_by_peer; }))
        return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "the gateway did not close upstream stream #" << stream << " within "
                                         << timeout.count() << " ms";
}

bool FakeUpstream::closedByPeer(int stream) const
{
    std::lock_guard lock(mutex_);
    return stream >= 0 && stream < static_cast<int>(streams_.size()) && streams_[stream]->closed_by_peer;
}

Clock::time_point FakeUpstream::peerClosedAt(int stream) const
{
    std::lock_guard lock(mutex_);
    return streams_.at(stream)->closed_at;
}

}
