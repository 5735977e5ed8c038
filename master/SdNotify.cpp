#include "master/SdNotify.h"

#include <systemd/sd-daemon.h>

#include <ctime>

namespace sluice::master
{

namespace
{

void send(const std::string & state)
{
    /// unset_environment = 0: workers are forked, not exec'd, and never notify themselves.
    sd_notify(0, state.c_str());
}

}

void notifyReady(const std::string & status)
{
    send("READY=1\nSTATUS=" + status);
}

void notifyReloading(const std::string & status)
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    unsigned long long usec = static_cast<unsigned long long>(ts.tv_sec) * 1000000ULL
        + static_cast<unsigned long long>(ts.tv_nsec) / 1000ULL;
    send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec) + "\nSTATUS=" + status);
}

void notifyStopping(const std::string & status)
{
    send("STOPPING=1\nSTATUS=" + status);
}

}
