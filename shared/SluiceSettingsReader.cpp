#include "shared/SluiceSettingsReader.h"

#include <Poco/String.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <limits>

namespace sluice
{

namespace
{

constexpr int kMaxWorkerProcesses = 64;
constexpr int64_t kIntMax = std::numeric_limits<int>::max();
const char * const kKnownKeys[] = {"worker_processes",       "drain_timeout",            "stream_idle_timeout",
                                   "heartbeat_interval",     "max_threads",              "keepalive_timeout",
                                   "max_streams_per_worker", "max_draining_generations", "log_file",
                                   "access_log_file",        "stats_interval"};

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

/// "" stays "" (stderr, or for access_log_file: wherever log_file goes). Otherwise resolved against the working
/// directory now, so that every worker and every later reopen opens the same file. The file itself may be
/// missing (it is created), its directory may not: that is a typo, caught at load rather than at open.
std::string logFilePath(const JsonFields & sluice, const std::string & key)
{
    std::string path = sluice.getString(key).value_or("");
    if (path.empty())
        return path;
    std::error_code ec;
    std::filesystem::path absolute = std::filesystem::absolute(path, ec);
    if (ec)
        sluice.fail(key, "cannot resolve \"" + path + "\": " + ec.message());
    absolute = absolute.lexically_normal();
    if (!absolute.has_filename())
        sluice.fail(key, "\"" + path + "\" names a directory, not a file");
    std::string directory = absolute.parent_path().string();
    std::filesystem::file_status status = std::filesystem::status(directory, ec);
    if (status.type() == std::filesystem::file_type::not_found)
        sluice.fail(key, "directory \"" + directory + "\" does not exist");
    if (ec)
        sluice.fail(key, "cannot access \"" + directory + "\": " + ec.message());
    if (status.type() != std::filesystem::file_type::directory)
        sluice.fail(key, "\"" + directory + "\" is not a directory");
    return absolute.string();
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
    s.log_file = logFilePath(sluice, "log_file");
    s.access_log_file = logFilePath(sluice, "access_log_file");
    s.stats_interval_s = integerOr(sluice, "stats_interval", 0, kIntMax, s.stats_interval_s);
    return s;
}

}
