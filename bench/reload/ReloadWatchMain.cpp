/// sluice_reload_watch --pid MASTER [--signal HUP] [--workers 2] [--timeout-ms 30000]
/// Sends one reload signal to a master the caller started and prints, as one JSON line, how long until its new
/// workers existed and until its old workers were gone (bench/reload/run.sh uses it for nginx and sluice alike).

#include "bench/ArgParser.h"
#include "bench/reload/WorkerWatch.h"

#include <csignal>
#include <cstdio>
#include <exception>
#include <sstream>
#include <stdexcept>

namespace
{

using namespace sluice::bench::reload;

std::string pidArray(const std::vector<pid_t> & pids)
{
    std::ostringstream out;
    out << "[";
    for (size_t i = 0; i < pids.size(); ++i)
        out << (i ? "," : "") << pids[i];
    out << "]";
    return out.str();
}

int signalNumber(const std::string & name)
{
    if (name == "HUP")
        return SIGHUP;
    if (name == "USR2")
        return SIGUSR2;
    throw std::invalid_argument("option --signal: '" + name + "' is not HUP or USR2");
}

}

int main(int argc, char ** argv)
{
    try
    {
        sluice::bench::ArgParser args(argc, argv, {"pid", "signal", "workers", "timeout-ms"}, {});
        if (!args.has("pid"))
            throw std::invalid_argument("--pid is required");
        auto master = static_cast<pid_t>(args.getIntIn("pid", 0, 2, 1 << 22));
        std::string signal_name = args.getString("signal", "HUP");
        auto workers = static_cast<size_t>(args.getIntIn("workers", 2, 1, 256));
        auto timeout = std::chrono::milliseconds(args.getIntIn("timeout-ms", 30000, 100, 120000));
        WatchResult r = watchReload(master, signalNumber(signal_name), workers, timeout);
        std::printf("{\"pid\":%d,\"signal\":\"%s\",\"new_workers_ms\":%.2f,\"old_gone_ms\":%.2f,\"old_workers\":%s,"
                    "\"new_workers\":%s}\n",
                    static_cast<int>(master), signal_name.c_str(), r.new_workers_ms, r.old_gone_ms,
                    pidArray(r.before).c_str(), pidArray(r.fresh).c_str());
        return r.new_workers_ms < 0 ? 1 : 0;
    }
    catch (const std::exception & e)
    {
        std::fprintf(stderr, "sluice_reload_watch: %s\n", e.what());
        return 2;
    }
}
