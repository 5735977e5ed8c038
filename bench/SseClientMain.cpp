/// sluice_bench_client: holds N SSE streams through a proxy and reports latency, loss, proxy RSS and CPU
/// (see SseClient.h and docs/benchmarks.md). JSON on stdout, one human line on stderr.

#include "bench/ArgParser.h"
#include "bench/BenchSocket.h"
#include "bench/ClientReport.h"
#include "bench/ProcessSampler.h"
#include "bench/SseClient.h"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <exception>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace
{

constexpr char kUsage[] =
    "usage: sluice_bench_client --target HOST:PORT [--path /sse/events] [--streams 1] [--duration 10]\n"
    "         [--ramp 500] [--connect-timeout-ms 10000] [--ramp-timeout 120] [--interval-ms 1000]\n"
    "         [--rss-pids PID,PID...] [--rss-pids-file FILE] [--no-descendants] [--emitter-pid PID]\n";

std::string readFile(const std::string & path)
{
    std::ifstream file(path);
    if (!file)
        throw std::invalid_argument("cannot read " + path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

sluice::bench::ClientOptions parseOptions(const sluice::bench::ArgParser & args)
{
    sluice::bench::ClientOptions options;
    if (!args.has("target"))
        throw std::invalid_argument("--target is required");
    options.target_text = args.getString("target", "");
    options.target = sluice::bench::parseHostPort(options.target_text);
    options.path = args.getString("path", options.path);
    options.streams = static_cast<size_t>(args.getInt("streams", 1));
    options.duration_s = static_cast<int>(args.getInt("duration", options.duration_s));
    options.ramp = static_cast<size_t>(args.getInt("ramp", static_cast<int64_t>(options.ramp)));
    options.connect_timeout_ms = static_cast<int>(args.getInt("connect-timeout-ms", options.connect_timeout_ms));
    options.ramp_timeout_s = static_cast<int>(args.getInt("ramp-timeout", options.ramp_timeout_s));
    options.interval_ms = static_cast<int>(args.getInt("interval-ms", options.interval_ms));
    std::string pids = args.getString("rss-pids", "");
    if (args.has("rss-pids-file"))
        pids += " " + readFile(args.getString("rss-pids-file", ""));
    options.proxy_pids = sluice::bench::ProcessSampler::parsePidList(pids);
    options.proxy_descendants = !args.has("no-descendants");
    options.emitter_pid = static_cast<pid_t>(args.getInt("emitter-pid", 0));
    if (options.streams < 1 || options.streams > 1'000'000 || options.duration_s < 0 || options.ramp < 1
        || options.connect_timeout_ms < 1 || options.ramp_timeout_s < 1 || options.interval_ms < 1
        || options.path.empty() || options.path[0] != '/')
        throw std::invalid_argument("an option is out of range (streams >= 1, ramp >= 1, path starts with '/')");
    return options;
}

}

int main(int argc, char ** argv)
{
    sluice::bench::ClientOptions options;
    try
    {
        sluice::bench::ArgParser args(argc, argv,
                                      {"target", "path", "streams", "duration", "ramp", "connect-timeout-ms", "ramp-timeout",
                                       "interval-ms", "rss-pids", "rss-pids-file", "emitter-pid"},
                                      {"no-descendants"});
        options = parseOptions(args);
    }
    catch (const std::exception & error)
    {
        std::fprintf(stderr, "sluice_bench_client: %s\n%s", error.what(), kUsage);
        return 64;
    }
    try
    {
        uint64_t fd_limit = sluice::bench::raiseFdLimit();
        if (fd_limit < options.streams + 64)
            throw std::runtime_error("RLIMIT_NOFILE " + std::to_string(fd_limit) + " is too low for "
                                     + std::to_string(options.streams) + " streams");
        std::signal(SIGPIPE, SIG_IGN);
        /// Backstop only: run() is bounded by its own timeouts; this catches a wedged kernel or a bug.
        ::alarm(static_cast<unsigned>(options.ramp_timeout_s + options.duration_s + 30));
        sluice::bench::SseClient client(options);
        sluice::bench::ClientResult result = client.run();
        std::printf("%s\n", sluice::bench::clientReportJson(options, result).c_str());
        std::fflush(stdout);
        std::fprintf(stderr, "%s\n", sluice::bench::clientReportHuman(options, result).c_str());
        return result.established == 0 ? 3 : 0;
    }
    catch (const std::exception & error)
    {
        std::fprintf(stderr, "sluice_bench_client: %s\n", error.what());
        return 1;
    }
}
