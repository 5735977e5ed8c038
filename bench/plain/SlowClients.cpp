#include "bench/plain/SlowClients.h"

#include "bench/BenchSocket.h"
#include "bench/ProcessSampler.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <sstream>
#include <system_error>

namespace sluice::bench
{

namespace
{

constexpr uint64_t kDripperTag = 1;
constexpr uint64_t kPacedTag = 2;
constexpr int64_t kNsPerMs = 1'000'000;
constexpr int64_t kMaxWaitNs = 100 * kNsPerMs;

/// One epoll set shared by both kinds of connection; each event goes to its owner by the tag.
class Loop
{
public:
    Loop() : fd_(::epoll_create1(EPOLL_CLOEXEC))
    {
        if (fd_ == -1)
            throw std::system_error(errno, std::generic_category(), "epoll_create1() failed");
    }
    ~Loop() { ::close(fd_); }
    Loop(const Loop &) = delete;
    Loop & operator=(const Loop &) = delete;
    int fd() const { return fd_; }

    /// Waits until `until_ns` at most (nanosecond precision: the paced schedule depends on it), then
    /// hands the events out and ticks both sets.
    void once(DripperSet & drippers, PacedRequests * paced, int64_t until_ns)
    {
        int64_t wait_ns = std::clamp<int64_t>(until_ns - monotonicNs(), 0, kMaxWaitNs);
        timespec timeout{static_cast<time_t>(wait_ns / 1'000'000'000), static_cast<long>(wait_ns % 1'000'000'000)};
        epoll_event events[256];
        int count = ::epoll_pwait2(fd_, events, 256, &timeout, nullptr);
        if (count == -1 && errno != EINTR)
            throw std::system_error(errno, std::generic_category(), "epoll_pwait2() failed");
        int64_t now_ns = monotonicNs();
        for (int i = 0; i < count; ++i)
        {
            auto index = static_cast<uint32_t>(events[i].data.u64 & 0xffffffffu);
            if (events[i].data.u64 >> 32 == kDripperTag)
                drippers.onEvent(index, events[i].events, now_ns);
            else if (paced)
                paced->onEvent(index, events[i].events, now_ns);
        }
        now_ns = monotonicNs();
        if (paced)
            paced->tick(now_ns);
        drippers.tick(now_ns);
    }

private:
    int fd_;
};

std::string fixed(double value, int decimals)
{
    char text[64];
    std::snprintf(text, sizeof(text), "%.*f", decimals, value);
    return text;
}

template <typename Counts>
std::string jsonCounts(const Counts & counts)
{
    std::string text = "{";
    for (const auto & [reason, count] : counts)
    {
        std::string quoted;
        for (char c : reason)
            if (static_cast<unsigned char>(c) >= 0x20)
                quoted += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
        text += (text.size() > 1 ? ",\"" : "\"") + quoted + "\":" + std::to_string(count);
    }
    return text + "}";
}

}

SlowClientsResult runSlowClients(SlowClientsOptions options)
{
    Loop loop;
    ProcessSampler proxy(options.proxy_pids, true);
    DripperSet drippers(loop.fd(), kDripperTag, options.drippers);
    int64_t connect_end_ns = monotonicNs() + options.connect_phase_timeout_s * 1'000'000'000LL;
    drippers.tick(monotonicNs());
    while (!drippers.connectsDone() && monotonicNs() < connect_end_ns)
        loop.once(drippers, nullptr, std::min(drippers.nextTickNs(), connect_end_ns));

    int64_t start_ns = monotonicNs();
    options.paced.window_end_ns = start_ns + (options.drippers.deadline_ms - options.drippers.tolerance_ms) * kNsPerMs;
    PacedRequests paced(loop.fd(), kPacedTag, options.paced);
    double cpu_before = proxy.sample().cpu_seconds;
    paced.start(start_ns, options.duration_s);
    int64_t schedule_end_ns = start_ns + options.duration_s * 1'000'000'000LL;
    while (monotonicNs() < schedule_end_ns)
        loop.once(drippers, &paced, std::min({paced.nextTickNs(), drippers.nextTickNs(), schedule_end_ns}));
    SlowClientsResult result;
    ProcessSampler::Sample proxy_after = proxy.sample();
    result.proxy_cpu_s = proxy_after.cpu_seconds - cpu_before;
    result.proxy_rss_kb = proxy_after.rss_kb;
    int64_t drain_end_ns = schedule_end_ns + options.paced.request_timeout_ms * kNsPerMs;
    while (!paced.done() && monotonicNs() < drain_end_ns)
        loop.once(drippers, &paced, std::min({paced.nextTickNs(), drippers.nextTickNs(), drain_end_ns}));
    result.measured_s = static_cast<double>(monotonicNs() - start_ns) / 1e9;
    result.drippers = drippers.finish();
    result.paced = paced.finish();
    return result;
}

std::string slowClientsJson(const SlowClientsOptions & options, const SlowClientsResult & result)
{
    const DripperResult & d = result.drippers;
    const PacedResult & p = result.paced;
    std::ostringstream json;
    json << "{\"target\":\"" << options.drippers.target_text << "\",\"drippers\":" << d.requested
         << ",\"drippers_connected\":" << d.connected << ",\"drippers_failed\":" << d.failed
         << ",\"dripper_failures\":" << jsonCounts(d.failures) << ",\"connect_s\":" << fixed(d.connect_s, 3)
         << ",\"dripped_bytes\":" << d.bytes_sent << ",\"deadline_s\":" << fixed(options.drippers.deadline_ms / 1e3, 1)
         << ",\"tolerance_s\":" << fixed(options.drippers.tolerance_ms / 1e3, 1)
         << ",\"drippers_closed_early\":" << d.closed_early << ",\"drippers_closed_on_time\":" << d.closed_on_time
         << ",\"drippers_closed_late\":" << d.closed_late << ",\"drippers_open_at_end\":" << d.open_at_end
         << ",\"close_kinds\":" << jsonCounts(d.close_kinds);
    /// Times and latencies only exist if something was closed or answered: a 0 would read as "instant".
    if (d.closed_after.count > 0)
        json << ",\"closed_after_p50_s\":" << fixed(d.closed_after.p50_ms / 1e3, 3)
             << ",\"closed_after_max_s\":" << fixed(d.closed_after.max_ms / 1e3, 3);
    json << ",\"rate\":" << options.paced.rate << ",\"connections\":" << options.paced.connections
         << ",\"requests_scheduled\":" << p.scheduled << ",\"requests_answered\":" << p.answered
         << ",\"requests_2xx\":" << p.ok << ",\"requests_non_2xx\":" << p.answered - p.ok
         << ",\"requests_timed_out\":" << p.timed_out << ",\"requests_failed\":" << p.failed
         << ",\"request_failures\":" << jsonCounts(p.failures) << ",\"connects\":" << p.connects
         << ",\"connect_failures\":" << p.connect_failures;
    if (p.latency.count > 0)
        json << ",\"mean_ms\":" << fixed(p.latency.mean_ms, 3) << ",\"p50_ms\":" << fixed(p.latency.p50_ms, 3)
             << ",\"p90_ms\":" << fixed(p.latency.p90_ms, 3) << ",\"p99_ms\":" << fixed(p.latency.p99_ms, 3)
             << ",\"max_ms\":" << fixed(p.latency.max_ms, 3);
    json << ",\"window_answered\":" << p.window_latency.count;
    if (p.window_latency.count > 0)
        json << ",\"window_p50_ms\":" << fixed(p.window_latency.p50_ms, 3)
             << ",\"window_p99_ms\":" << fixed(p.window_latency.p99_ms, 3)
             << ",\"window_max_ms\":" << fixed(p.window_latency.max_ms, 3);
    json << ",\"measured_s\":" << fixed(result.measured_s, 3) << ",\"proxy_cpu_s\":" << fixed(result.proxy_cpu_s, 2)
         << ",\"proxy_rss_kb\":" << result.proxy_rss_kb << "}";
    return json.str();
}

std::string slowClientsHuman(const SlowClientsResult & result)
{
    const DripperResult & d = result.drippers;
    const PacedResult & p = result.paced;
    std::ostringstream line;
    line << "drippers " << d.connected << "/" << d.requested << " connected in " << fixed(d.connect_s, 2)
         << " s; closed on time " << d.closed_on_time << ", early " << d.closed_early << ", late " << d.closed_late
         << ", open at end " << d.open_at_end << " (closed after p50 " << fixed(d.closed_after.p50_ms / 1e3, 2)
         << " s, max " << fixed(d.closed_after.max_ms / 1e3, 2) << " s); requests " << p.ok << " ok / "
         << p.scheduled << " scheduled (timed out " << p.timed_out << ", failed " << p.failed << "), latency ms p50 "
         << fixed(p.latency.p50_ms, 3) << " p99 " << fixed(p.latency.p99_ms, 3) << " max " << fixed(p.latency.max_ms, 3)
         << "; proxy CPU " << fixed(result.proxy_cpu_s, 2) << " s";
    return line.str();
}

}
