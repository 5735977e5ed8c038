/// sluice_bench_upstream: the SSE emitter the benchmark proxies to (see SseEmitter.h and docs/benchmarks.md).

#include "bench/ArgParser.h"
#include "bench/BenchSocket.h"
#include "bench/SseEmitter.h"

#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>
#include <system_error>

namespace
{

constexpr char kUsage[] =
    "usage: sluice_bench_upstream [--listen 127.0.0.1:0] [--port-file FILE] [--interval-ms 1000]\n"
    "                             [--event-bytes 128] [--mode stagger|burst] [--event-on-connect]\n"
    "                             [--plain-bytes 100] [--lifetime-s 3600]\n";

sluice::bench::EmitterOptions parseOptions(const sluice::bench::ArgParser & args)
{
    sluice::bench::EmitterOptions options;
    options.address = sluice::bench::parseHostPort(args.getString("listen", "127.0.0.1:0"));
    options.interval_ms = static_cast<int>(args.getInt("interval-ms", 1000));
    int64_t event_bytes = args.getInt("event-bytes", 128);
    std::string mode = args.getString("mode", "stagger");
    if (options.interval_ms < 1 || event_bytes < 1 || event_bytes > 1 << 20)
        throw std::invalid_argument("--interval-ms and --event-bytes must be positive (event-bytes <= 1 MiB)");
    if (mode != "stagger" && mode != "burst")
        throw std::invalid_argument("--mode must be stagger or burst");
    options.event_bytes = static_cast<size_t>(event_bytes);
    options.stagger = mode == "stagger";
    options.event_on_connect = args.has("event-on-connect");
    options.plain_body_bytes = static_cast<size_t>(args.getIntIn("plain-bytes", 100, 0, 1 << 20));
    return options;
}

/// SIGTERM/SIGINT arrive through a signalfd the emitter's epoll loop watches, so it stops between events.
int openStopSignalFd()
{
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    if (::sigprocmask(SIG_BLOCK, &signals, nullptr) == -1)
        throw std::system_error(errno, std::generic_category(), "sigprocmask() failed");
    int fd = ::signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK);
    if (fd == -1)
        throw std::system_error(errno, std::generic_category(), "signalfd() failed");
    return fd;
}

}

int main(int argc, char ** argv)
{
    sluice::bench::EmitterOptions options;
    int64_t lifetime_s = 0;
    std::string port_file;
    try
    {
        sluice::bench::ArgParser args(argc, argv, {"listen", "port-file", "interval-ms", "event-bytes", "mode", "plain-bytes", "lifetime-s"},
                                      {"event-on-connect"});
        options = parseOptions(args);
        lifetime_s = args.getInt("lifetime-s", 3600);
        port_file = args.getString("port-file", "");
    }
    catch (const std::exception & error)
    {
        std::fprintf(stderr, "sluice_bench_upstream: %s\n%s", error.what(), kUsage);
        return 64;
    }
    try
    {
        uint64_t fd_limit = sluice::bench::raiseFdLimit();
        std::signal(SIGPIPE, SIG_IGN);
        int stop_fd = openStopSignalFd();
        sluice::bench::SseEmitter emitter(options);
        std::fprintf(stderr, "sluice_bench_upstream listening on 127.0.0.1:%u interval_ms=%d event_bytes=%zu mode=%s fd_limit=%llu\n",
                     emitter.port(), options.interval_ms, options.event_bytes, options.stagger ? "stagger" : "burst",
                     static_cast<unsigned long long>(fd_limit));
        if (!port_file.empty())
            sluice::bench::writeFileAtomically(port_file, std::to_string(emitter.port()) + "\n");
        emitter.run(stop_fd, sluice::bench::monotonicNs() + lifetime_s * 1'000'000'000);
        const auto & stats = emitter.stats();
        std::fprintf(stderr, "sluice_bench_upstream exiting accepted=%llu peak_streams=%llu events_sent=%llu "
                             "slow_closed=%llu late_events=%llu max_late_ms=%.1f plain_requests=%llu\n",
                     static_cast<unsigned long long>(stats.accepted.load()),
                     static_cast<unsigned long long>(stats.peak_streams.load()),
                     static_cast<unsigned long long>(stats.events_sent.load()),
                     static_cast<unsigned long long>(stats.slow_closed.load()),
                     static_cast<unsigned long long>(stats.late_events.load()),
                     static_cast<double>(stats.max_late_ns.load()) / 1e6,
                     static_cast<unsigned long long>(stats.plain_requests.load()));
        ::close(stop_fd);
        return 0;
    }
    catch (const std::exception & error)
    {
        std::fprintf(stderr, "sluice_bench_upstream: %s\n", error.what());
        return 1;
    }
}
