/// sluice_reload_load --port P [--path /] [--connections 8] [--duration 30] [--timeout-ms 3000]
/// Keep-alive HTTP load on 127.0.0.1:P for the reload benchmark: each connection sends sequential GETs and opens a
/// new connection only when the server ended the old one with `Connection: close` (not an error) or after a
/// failure. Stops after --duration seconds (a hard cap) or at SIGINT/SIGTERM, then prints one JSON line on stdout
/// and one human line on stderr.

#include "bench/reload/KeepAliveClient.h"
#include "bench/reload/LoadCounters.h"
#include "bench/ArgParser.h"

#include <csignal>
#include <cstdio>
#include <ctime>
#include <exception>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

int main(int argc, char ** argv)
{
    using namespace sluice::bench::reload;
    try
    {
        sluice::bench::ArgParser args(argc, argv, {"port", "path", "connections", "duration", "timeout-ms"}, {});
        if (!args.has("port"))
            throw std::invalid_argument("--port is required");
        LoadTarget target;
        target.port = static_cast<uint16_t>(args.getIntIn("port", 0, 1, 65535));
        target.path = args.getString("path", "/");
        target.timeout = std::chrono::milliseconds(args.getIntIn("timeout-ms", 3000, 10, 60000));
        const int connections = static_cast<int>(args.getIntIn("connections", 8, 1, 256));
        const auto duration = std::chrono::seconds(args.getIntIn("duration", 30, 1, 600));

        /// The client threads inherit the mask; this thread waits for the stop signal or the end of the run.
        sigset_t stop_signals;
        sigemptyset(&stop_signals);
        sigaddset(&stop_signals, SIGINT);
        sigaddset(&stop_signals, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
        std::signal(SIGPIPE, SIG_IGN);

        std::atomic<bool> stop{false};
        const auto started = Clock::now();
        const auto until = started + duration;
        std::vector<LoadCounters> counters(static_cast<size_t>(connections));
        std::vector<std::thread> threads;
        for (int i = 0; i < connections; ++i)
            threads.emplace_back([&, i] { KeepAliveClient(target, counters[static_cast<size_t>(i)]).run(stop, until); });

        while (Clock::now() < until)
        {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
            timespec wait{static_cast<time_t>(left / 1000), static_cast<long>(left % 1000) * 1000000L};
            if (::sigtimedwait(&stop_signals, nullptr, &wait) > 0)
                break;
        }
        stop = true;
        for (auto & thread : threads)
            thread.join();
        const double seconds = std::chrono::duration<double>(Clock::now() - started).count();

        LoadCounters total;
        for (const auto & c : counters)
            total.merge(c);
        std::printf("%s\n", total.json(connections, seconds).c_str());
        std::fflush(stdout);
        std::fprintf(stderr, "%s\n", total.human(connections, seconds).c_str());
        return 0;
    }
    catch (const std::exception & e)
    {
        std::fprintf(stderr, "sluice_reload_load: %s\n", e.what());
        return 2;
    }
}
