#include "master/CommandLine.h"
#include "master/Master.h"
#include "shared/Config.h"
#include "shared/ExitCodes.h"
#include "shared/Logging.h"

#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>

using namespace sluice;

namespace
{

/// Each stream holds two descriptors: take the whole hard limit (design.md §7).
void raiseDescriptorLimit()
{
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) == -1)
        return;
    rlim_t before = rl.rlim_cur;
    rl.rlim_cur = rl.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &rl) == -1)
        masterLog()->warn("setrlimit(RLIMIT_NOFILE, {}) failed: {}", rl.rlim_max, std::strerror(errno));
    masterLog()->info("descriptor limit soft={} (was {}) hard={}", rl.rlim_cur, before, rl.rlim_max);
}

}

int main(int argc, char ** argv)
{
    std::string error;
    auto cl = master::parseCommandLine(std::vector<std::string>(argv + 1, argv + argc), error);
    if (!cl)
    {
        std::fprintf(stderr, "sluice: %s\n%s", error.c_str(), master::usageText());
        return exit_code::kUsage;
    }
    if (cl->help)
    {
        std::fputs(master::usageText(), stdout);
        return exit_code::kOk;
    }
    if (cl->version)
    {
        std::printf("sluice %s\n", SLUICE_VERSION);
        return exit_code::kOk;
    }

    PlanPtr plan;
    try
    {
        plan = loadPlan(cl->conf_path, currentEnvironment());
    }
    catch (const ConfigError & e)
    {
        std::fprintf(stderr, "sluice: config error: %s\n", e.what());
        return exit_code::kConfig;
    }
    if (cl->test_only)
    {
        std::printf("sluice: configuration file %s test is successful (%zu APIs)\n", cl->conf_path.c_str(),
                    plan->apis.size());
        return exit_code::kOk;
    }

    /// Inherited by every worker; Poco sends without MSG_NOSIGNAL (poco-notes §5).
    std::signal(SIGPIPE, SIG_IGN);
    /// The master keeps these files until it exits: a reload gives the new workers the new plan's paths, but the
    /// master's own destination changes only on restart (its loggers are held by long-lived objects).
    const SluiceSettings & settings = plan->gateway.sluice;
    try
    {
        setupLogging(plan->gateway.log_level, LogFiles{settings.log_file, settings.access_log_file});
    }
    catch (const std::runtime_error & e)
    {
        std::fprintf(stderr, "sluice: %s\n", e.what()); /// "cannot open log file \"PATH\": <errno text>"
        return exit_code::kStartup;
    }
    raiseDescriptorLimit();
    try
    {
        master::Master m(master::MasterOptions{cl->conf_path, cl->port_file}, plan);
        return m.run();
    }
    catch (const std::exception & e)
    {
        masterLog()->error("cannot start: {}", e.what());
        flushLogs();
        return exit_code::kStartup;
    }
}
