#include "shared/SluiceSettingsReader.h"

#include <Poco/String.h>

#include <unistd.h>

#include <algorithm>
#include <limits>

namespace sluice
{

namespace
{

constexpr int kMaxWorkerProcesses = 64;
constexpr int64_t kIntMax = std::numeric_limits<int>::max();
const char * const kKnownKeys[] = {"worker_processes",       "drain_timeout", "stream_idle_timeout",
                                   "heartbeat_interval",     "max_threads",   "keepalive_timeout",
                                   "max_streams_per_worker", "max_draining_generations"};

void refuseUnknownKeys(const JsonFields & sluice)
{
    for (const std::string & key : sluice.keys())
    {
        bool known = std::any_of(std::begin(kKnownKeys), std::end(kKnownKeys),
                                 [&key](const char * k) { return Poco::icompare(key, k) == 0; });
        if (known)
            continue;
        std::string list;
        for (const char * k : kKnownKeys)
            list += std::string(list.empty() ? "" : ", ") + k;
        sluice.fail(key, "unknown key (known keys: " + list + ")");
    }
}

int onlineCores()
{
    long cores = ::sysconf(_SC_NPROCESSORS_ONLN);
    if (cores == -1 || cores < 1)
        return 1;
    return static_cast<int>(std::min<long>(cores, kMaxWorkerProcesses));
}

int integerOr(const JsonFields & sluice, const std::string & key, int64_t min, int64_t max, int fallback)
{
    std::optional<int64_t> value = sluice.getInt(key);
    if (!value)
        return fallback;
    if (*value < min || *value > max)
        sluice.fail(key, rangeReason(min, max, *value));
    return static_cast<int>(*value);
}

int workerProcesses(const JsonFields & sluice)
{
    Poco::Dynamic::Var value = sluice.getValue("worker_processes");
    if (value.isString())
    {
        if (value.extract<std::string>() != "auto")
            sluice.fail("worker_processes", "expected an integer or \"auto\", got " + JsonFields::describe(value));
        return onlineCores();
    }
    return integerOr(sluice, "worker_processes", 1, kMaxWorkerProcesses, onlineCores());
}

}

SluiceSettings readSluiceSettings(const std::optional<JsonFields> & sluice_object, int graceful_shutdown_timeout_s)
{
    JsonFields sluice = sluice_object ? *sluice_object : JsonFields::empty("", "sluice");
    refuseUnknownKeys(sluice);
    SluiceSettings s;
    s.worker_processes = workerProcesses(sluice);
    s.drain_timeout_s = integerOr(sluice, "drain_timeout", 0, kIntMax, graceful_shutdown_timeout_s);
    s.stream_idle_timeout_s = integerOr(sluice, "stream_idle_timeout", 0, kIntMax, s.stream_idle_timeout_s);
    s.heartbeat_interval_s = integerOr(sluice, "heartbeat_interval", 0, kIntMax, s.heartbeat_interval_s);
    s.max_streams_per_worker = integerOr(sluice, "max_streams_per_worker", 1, kIntMax, 0);
    s.max_threads = integerOr(sluice, "max_threads", 4, 4096, s.max_threads);
    s.keepalive_timeout_s = integerOr(sluice, "keepalive_timeout", 1, kIntMax, s.keepalive_timeout_s);
    s.max_draining_generations =
        integerOr(sluice, "max_draining_generations", 1, 1000, s.max_draining_generations);
    return s;
}

}
