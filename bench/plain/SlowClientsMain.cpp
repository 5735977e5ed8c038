/// sluice_bench_slow_clients: slow clients that never finish a request head, beside a paced normal
/// client (see SlowClients.h and docs/benchmarks.md). JSON on stdout, one human line on stderr.

#include "bench/ArgParser.h"
#include "bench/BenchSocket.h"
#include "bench/ProcessSampler.h"
#include "bench/plain/SlowClients.h"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <exception>
#include <stdexcept>

namespace
{

constexpr char kUsage[] =
    "usage: sluice_bench_slow_clients --target HOST:PORT [--drippers 1000] [--drip-interval-ms 1000]\n"
    "         [--deadline-s 10] [--tolerance-ms 1000] [--ramp 200] [--duration 20] [--rate 200]\n"
    "         [--connections 4] [--request-timeout-ms 5000] [--drip-path /plain/slow]\n"
    "         [--path /plain/normal] [--rss-pids PID,PID...]\n";

sluice::bench::SlowClientsOptions parseOptions(const sluice::bench::ArgParser & args)
{
    using sluice::bench::parseHostPort;
    sluice::bench::SlowClientsOptions options;
    if (!args.has("target"))
        throw std::invalid_argument("--target is required");
    auto & drippers = options.drippers;
    drippers.target_text = args.getString("target", "");
    drippers.target = parseHostPort(drippers.target_text);
    drippers.path = args.getString("drip-path", drippers.path);
    drippers.count = static_cast<size_t>(args.getIntIn("drippers", 1000, 0, 100'000));
    drippers.interval_ms = static_cast<int>(args.getIntIn("drip-interval-ms", 1000, 1, 60'000));
    drippers.deadline_ms = static_cast<int>(args.getIntIn("deadline-s", 10, 1, 3600)) * 1000;
    drippers.tolerance_ms = static_cast<int>(args.getIntIn("tolerance-ms", 1000, 0, 60'000));
    drippers.ramp = static_cast<size_t>(args.getIntIn("ramp", 200, 1, 100'000));
    auto & paced = options.paced;
    paced.target = drippers.target;
    paced.target_text = drippers.target_text;
    paced.path = args.getString("path", paced.path);
    paced.rate = static_cast<int>(args.getIntIn("rate", 200, 1, 100'000));
    paced.connections = static_cast<size_t>(args.getIntIn("connections", 4, 1, 1000));
    paced.request_timeout_ms = static_cast<int>(args.getIntIn("request-timeout-ms", 5000, 1, 600'000));
    options.duration_s = static_cast<int>(args.getIntIn("duration", 20, 1, 3600));
    options.proxy_pids = sluice::bench::ProcessSampler::parsePidList(args.getString("rss-pids", ""));
    if (drippers.path.empty() || drippers.path[0] != '/' || paced.path.empty() || paced.path[0] != '/')
        throw std::invalid_argument("paths must start with '/'");
    return options;
}

}

int main(int argc, char ** argv)
{
    sluice::bench::SlowClientsOptions options;
    try
    {
        sluice::bench::ArgParser args(argc, argv,
                                      {"target", "drippers", "drip-interval-ms", "deadline-s", "tolerance-ms", "ramp",
                                       "duration", "rate", "connections", "request-timeout-ms", "drip-path", "path",
                                       "rss-pids"},
                                      {});
        options = parseOptions(args);
    }
    catch (const std::exception & error)
    {
        std::fprintf(stderr, "sluice_bench_slow_clients: %s\n%s", error.what(), kUsage);
        return 64;
    }
    try
    {
        uint64_t fd_limit = sluice::bench::raiseFdLimit();
        if (fd_limit < options.drippers.count + options.paced.connections + 64)
            throw std::runtime_error("RLIMIT_NOFILE " + std::to_string(fd_limit) + " is too low for "
                                     + std::to_string(options.drippers.count) + " drippers");
        std::signal(SIGPIPE, SIG_IGN);
        /// Backstop only: the run is bounded by its own phases; this catches a wedged kernel or a bug.
        ::alarm(static_cast<unsigned>(options.connect_phase_timeout_s + options.duration_s
                                      + options.paced.request_timeout_ms / 1000 + 30));
        sluice::bench::SlowClientsResult result = sluice::bench::runSlowClients(options);
        std::printf("%s\n", sluice::bench::slowClientsJson(options, result).c_str());
        std::fflush(stdout);
        std::fprintf(stderr, "%s\n", sluice::bench::slowClientsHuman(result).c_str());
        return result.drippers.connected == 0 && result.paced.answered == 0 ? 3 : 0;
    }
    catch (const std::exception & error)
    {
        std::fprintf(stderr, "sluice_bench_slow_clients: %s\n", error.what());
        return 1;
    }
}
