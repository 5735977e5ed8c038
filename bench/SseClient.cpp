#include "bench/SseClient.h"

#include "bench/BenchSocket.h"
#include "bench/ProcessSampler.h"

#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace sluice::bench
{

namespace
{

constexpr size_t kMaxHeadBytes = 16 * 1024;
constexpr size_t kReadBufferBytes = 64 * 1024;
constexpr int kPollMs = 100;
constexpr int64_t kNsPerMs = 1'000'000;
constexpr int64_t kNsPerSecond = 1'000'000'000;

double ownCpuSeconds()
{
    rusage usage{};
    if (::getrusage(RUSAGE_SELF, &usage) == -1)
        return 0;
    auto seconds = [](const timeval & t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

/// True if the response head says `Transfer-Encoding: chunked` (header names are case-insensitive).
bool isChunked(const std::string & head)
{
    size_t at = 0;
    while ((at = head.find("\r\n", at)) != std::string::npos)
    {
        at += 2;
        if (::strncasecmp(head.c_str() + at, "transfer-encoding:", 18) != 0)
            continue;
        size_t end = head.find("\r\n", at);
        std::string value = head.substr(at + 18, end - at - 18);
        std::transform(value.begin(), value.end(), value.begin(), [](unsigned char c) { return std::tolower(c); });
        return value.find("chunked") != std::string::npos;
    }
    return false;
}

}

double ClientResult::rssPerStreamKb() const
{
    if (established == 0 || proxy_processes == 0)
        return 0;
    return static_cast<double>(rss_held_kb - rss_baseline_kb) / static_cast<double>(established);
}

SseClient::SseClient(ClientOptions options) : options_(std::move(options)), streams_(options_.streams)
{
    epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ == -1)
        throw std::system_error(errno, std::generic_category(), "epoll_create1() failed");
    request_ = "GET " + options_.path + " HTTP/1.1\r\nHost: " + options_.target_text
        + "\r\nAccept: text/event-stream\r\nUser-Agent: sluice_bench_client\r\n\r\n";
    read_buffer_.resize(kReadBufferBytes);
    latencies_ns_.reserve(std::min<size_t>(options_.streams * static_cast<size_t>(options_.duration_s + 2) * 1000
                                               / static_cast<size_t>(std::max(1, options_.interval_ms)),
                                           50'000'000));
}

SseClient::~SseClient()
{
    for (auto & stream : streams_)
        if (stream.fd != -1)
            ::close(stream.fd);
    ::close(epoll_fd_);
}

ClientResult SseClient::run()
{
    ProcessSampler proxy(options_.proxy_pids, options_.proxy_descendants);
    ProcessSampler emitter(options_.emitter_pid > 0 ? std::vector<pid_t>{options_.emitter_pid} : std::vector<pid_t>{}, false);
    result_.requested = options_.streams;
    if (!proxy.empty())
        result_.rss_baseline_kb = proxy.sample().rss_kb;

    int64_t ramp_start_ns = monotonicNs();
    rampUp();
    hold_start_ns_ = monotonicNs();
    result_.ramp_s = static_cast<double>(hold_start_ns_ - ramp_start_ns) / 1e9;

    ProcessSampler::Sample proxy_before = proxy.sample();
    double emitter_before = emitter.sample().cpu_seconds;
    double client_before = ownCpuSeconds();
    double machine_before = ProcessSampler::machineBusySeconds();
    hold(proxy);
    ProcessSampler::Sample proxy_after = proxy.sample();
    result_.proxy_cpu_s = proxy_after.cpu_seconds - proxy_before.cpu_seconds;
    result_.emitter_cpu_s = emitter.sample().cpu_seconds - emitter_before;
    result_.client_cpu_s = ownCpuSeconds() - client_before;
    result_.machine_cpu_s = ProcessSampler::machineBusySeconds() - machine_before;
    result_.rss_held_kb = proxy_after.rss_kb;
    result_.rss_peak_kb = std::max(result_.rss_peak_kb, proxy_after.rss_kb);
    result_.proxy_processes = proxy.empty() ? 0 : proxy_after.processes;

    int64_t hold_end_ns = monotonicNs();
    result_.hold_s = static_cast<double>(hold_end_ns - hold_start_ns_) / 1e9;
    int64_t interval_ns = static_cast<int64_t>(options_.interval_ms) * kNsPerMs;
    for (auto & stream : streams_)
    {
        if (stream.phase == Phase::Closed && stream.ended_ns != 0)
            result_.lost_early_estimate += static_cast<uint64_t>((hold_end_ns - stream.ended_ns) / interval_ns);
        if (stream.fd != -1)
            ::close(stream.fd);
        stream.fd = -1;
    }
    result_.latency = summarizeLatencies(std::move(latencies_ns_));
    summarizeRamp(ramp_start_ns);
    return result_;
}

void SseClient::summarizeRamp(int64_t ramp_start_ns)
{
    std::vector<int64_t> first_event_ns;
    int64_t last_headers_ns = ramp_start_ns;
    for (const auto & stream : streams_)
    {
        last_headers_ns = std::max(last_headers_ns, stream.headers_ns);
        if (stream.first_event_ns != 0)
            first_event_ns.push_back(stream.first_event_ns - ramp_start_ns);
    }
    result_.headers_all_s = static_cast<double>(last_headers_ns - ramp_start_ns) / 1e9;
    result_.streams_with_event = first_event_ns.size();
    result_.first_event = summarizeLatencies(std::move(first_event_ns));
    result_.first_event_all_s = result_.first_event.max_ms / 1e3;
}

void SseClient::rampUp()
{
    int64_t deadline_ns = monotonicNs() + options_.ramp_timeout_s * kNsPerSecond;
    while (result_.established + result_.failed < result_.requested)
    {
        int64_t now_ns = monotonicNs();
        if (now_ns >= deadline_ns)
        {
            result_.ramp_timed_out = true;
            for (size_t i = 0; i < streams_.size(); ++i)
                if (streams_[i].phase == Phase::Idle || streams_[i].phase == Phase::Connecting
                    || streams_[i].phase == Phase::AwaitingHeaders)
                    failStream(i, "ramp_timeout");
            return;
        }
        while (in_flight_ < options_.ramp && next_to_open_ < streams_.size())
            openStream(next_to_open_++, now_ns);
        pollOnce(kPollMs);
        expireSlowConnects(monotonicNs());
    }
}

void SseClient::hold(const ProcessSampler & proxy)
{
    int64_t end_ns = hold_start_ns_ + options_.duration_s * kNsPerSecond;
    int64_t next_sample_ns = hold_start_ns_ + kNsPerSecond;
    for (int64_t now_ns = monotonicNs(); now_ns < end_ns; now_ns = monotonicNs())
    {
        pollOnce(static_cast<int>(std::min<int64_t>(kPollMs, (end_ns - now_ns + kNsPerMs - 1) / kNsPerMs)));
        if (!proxy.empty() && monotonicNs() >= next_sample_ns)
        {
            result_.rss_peak_kb = std::max(result_.rss_peak_kb, proxy.sample().rss_kb);
            next_sample_ns += kNsPerSecond;
        }
    }
}

void SseClient::openStream(size_t index, int64_t now_ns)
{
    Stream & stream = streams_[index];
    stream.started_ns = now_ns;
    stream.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (stream.fd == -1)
    {
        failStream(index, std::string("socket: ") + std::strerror(errno));
        return;
    }
    stream.phase = Phase::Connecting;
    ++in_flight_;
    const auto * address = reinterpret_cast<const sockaddr *>(&options_.target);
    if (::connect(stream.fd, address, sizeof(options_.target)) == -1 && errno != EINPROGRESS)
    {
        failStream(index, std::string("connect: ") + std::strerror(errno));
        return;
    }
    watch(stream.fd, EPOLLOUT, index, EPOLL_CTL_ADD); /// writable = connected (or failed: see SO_ERROR)
}

void SseClient::pollOnce(int timeout_ms)
{
    epoll_event events[512];
    int count = ::epoll_wait(epoll_fd_, events, 512, timeout_ms);
    if (count == -1 && errno != EINTR)
        throw std::system_error(errno, std::generic_category(), "epoll_wait() failed");
    for (int i = 0; i < count; ++i)
    {
        size_t index = static_cast<size_t>(events[i].data.u64);
        Phase phase = streams_[index].phase;
        if (phase == Phase::Connecting)
            onConnected(index);
        else if (phase == Phase::AwaitingHeaders || phase == Phase::Streaming)
            onReadable(index);
    }
}

void SseClient::onConnected(size_t index)
{
    Stream & stream = streams_[index];
    int error = 0;
    socklen_t length = sizeof(error);
    if (::getsockopt(stream.fd, SOL_SOCKET, SO_ERROR, &error, &length) == -1)
        error = errno;
    if (error != 0)
    {
        failStream(index, std::string("connect: ") + std::strerror(error));
        return;
    }
    /// A fresh socket's send buffer always takes a request this small whole.
    ssize_t sent = ::send(stream.fd, request_.data(), request_.size(), MSG_NOSIGNAL);
    if (sent != static_cast<ssize_t>(request_.size()))
    {
        failStream(index, std::string("send: ") + (sent == -1 ? std::strerror(errno) : "short write"));
        return;
    }
    stream.phase = Phase::AwaitingHeaders;
    watch(stream.fd, EPOLLIN | EPOLLRDHUP, index, EPOLL_CTL_MOD);
}

void SseClient::onReadable(size_t index)
{
    Stream & stream = streams_[index];
    ssize_t n = ::recv(stream.fd, read_buffer_.data(), read_buffer_.size(), 0);
    int64_t now_ns = monotonicNs(); /// the arrival time of every event completed by this read
    if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (n <= 0)
    {
        std::string reason = n == 0 ? "eof" : std::string("recv: ") + std::strerror(errno);
        if (stream.phase == Phase::AwaitingHeaders)
            failStream(index, reason + " before response headers");
        else
            endStream(index, now_ns, reason);
        return;
    }
    if (stream.phase == Phase::AwaitingHeaders)
    {
        stream.head.append(read_buffer_.data(), static_cast<size_t>(n));
        auto end = stream.head.find("\r\n\r\n");
        if (end == std::string::npos)
        {
            if (stream.head.size() > kMaxHeadBytes)
                failStream(index, "response headers too large");
            return;
        }
        if (!onHeaders(stream))
        {
            failStream(index, "status " + stream.head.substr(9, 3));
            return;
        }
        std::string body = stream.head.substr(end + 4);
        std::string().swap(stream.head);
        if (!stream.parser.feed(body.data(), body.size(), samples_))
            endStream(index, now_ns, "framing: " + stream.parser.error());
    }
    else if (!stream.parser.feed(read_buffer_.data(), static_cast<size_t>(n), samples_))
        endStream(index, now_ns, "framing: " + stream.parser.error());
    onEvents(stream, now_ns);
    if (stream.phase == Phase::Streaming && stream.parser.finished())
        endStream(index, now_ns, "response ended");
}

bool SseClient::onHeaders(Stream & stream)
{
    if (stream.head.compare(0, 5, "HTTP/") != 0 || stream.head.size() < 12 || stream.head.compare(9, 3, "200") != 0)
        return false;
    stream.parser = ChunkedSseParser(isChunked(stream.head));
    stream.phase = Phase::Streaming;
    stream.headers_ns = monotonicNs();
    ++result_.established;
    --in_flight_;
    return true;
}

void SseClient::onEvents(Stream & stream, int64_t now_ns)
{
    for (const SseSample & sample : samples_)
    {
        ++result_.events_total;
        if (stream.first_event_ns == 0)
            stream.first_event_ns = now_ns;
        if (sample.sent_ns < 0)
        {
            ++result_.unparsed;
            continue;
        }
        if (stream.last_seq != 0 && sample.seq > stream.last_seq + 1)
            result_.lost_gaps += sample.seq - stream.last_seq - 1;
        else if (stream.last_seq != 0 && sample.seq <= stream.last_seq)
            ++result_.out_of_order;
        stream.last_seq = std::max(stream.last_seq, sample.seq);
        if (hold_start_ns_ != 0)
        {
            ++result_.events_hold;
            latencies_ns_.push_back(now_ns - sample.sent_ns);
        }
    }
    samples_.clear();
}

void SseClient::failStream(size_t index, const std::string & reason)
{
    Stream & stream = streams_[index];
    if (stream.phase == Phase::Connecting || stream.phase == Phase::AwaitingHeaders)
        --in_flight_;
    if (stream.fd != -1)
        ::close(stream.fd);
    stream.fd = -1;
    stream.phase = Phase::Closed;
    ++result_.failed;
    ++result_.failures[reason];
}

void SseClient::endStream(size_t index, int64_t now_ns, const std::string & reason)
{
    Stream & stream = streams_[index];
    ::close(stream.fd);
    stream.fd = -1;
    stream.phase = Phase::Closed;
    stream.ended_ns = now_ns;
    ++result_.ended_early;
    ++result_.early_ends[reason];
}

void SseClient::expireSlowConnects(int64_t now_ns)
{
    int64_t timeout_ns = options_.connect_timeout_ms * kNsPerMs;
    for (size_t i = 0; i < next_to_open_; ++i)
    {
        Phase phase = streams_[i].phase;
        if ((phase == Phase::Connecting || phase == Phase::AwaitingHeaders) && now_ns - streams_[i].started_ns > timeout_ns)
            failStream(i, phase == Phase::Connecting ? "connect timeout" : "response headers timeout");
    }
}

void SseClient::watch(int fd, uint32_t events, size_t index, int operation)
{
    epoll_event event{};
    event.events = events;
    event.data.u64 = index;
    if (::epoll_ctl(epoll_fd_, operation, fd, &event) == -1)
        throw std::system_error(errno, std::generic_category(), "epoll_ctl() failed");
}

}
