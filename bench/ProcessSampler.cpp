#include "bench/ProcessSampler.h"

#include <dirent.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace sluice::bench
{

namespace
{

double ticksPerSecond()
{
    static const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
    return ticks;
}

std::string readProcFile(const std::string & path)
{
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

}

ProcessSampler::ProcessSampler(std::vector<pid_t> roots, bool include_descendants)
    : roots_(std::move(roots)), include_descendants_(include_descendants)
{
}

ProcessSampler::Sample ProcessSampler::sample() const
{
    Sample result;
    for (pid_t pid : currentPids())
    {
        std::string base = "/proc/" + std::to_string(pid);
        int64_t rss_kb = parseVmRssKb(readProcFile(base + "/status"));
        int64_t ticks = parseCpuTicks(readProcFile(base + "/stat"));
        if (rss_kb < 0 || ticks < 0)
            continue; /// exited between listing and reading
        result.rss_kb += rss_kb;
        result.cpu_seconds += static_cast<double>(ticks) / ticksPerSecond();
        ++result.processes;
    }
    return result;
}

std::vector<pid_t> ProcessSampler::currentPids() const
{
    std::vector<pid_t> pids;
    std::set<pid_t> seen;
    for (pid_t root : roots_)
        if (seen.insert(root).second)
            pids.push_back(root);
    /// Breadth-first over /proc/<pid>/task/*/children; `seen` stops any cycle from pid reuse.
    for (size_t i = 0; include_descendants_ && i < pids.size(); ++i)
        for (pid_t child : childrenOf(pids[i]))
            if (seen.insert(child).second)
                pids.push_back(child);
    return pids;
}

std::vector<pid_t> ProcessSampler::childrenOf(pid_t pid)
{
    std::vector<pid_t> children;
    std::string tasks = "/proc/" + std::to_string(pid) + "/task";
    DIR * dir = ::opendir(tasks.c_str());
    if (dir == nullptr)
        return children; /// the process is gone: no children to report
    while (dirent * entry = ::readdir(dir))
    {
        if (entry->d_name[0] == '.')
            continue;
        std::istringstream list(readProcFile(tasks + "/" + entry->d_name + "/children"));
        for (pid_t child; list >> child;)
            children.push_back(child);
    }
    ::closedir(dir);
    return children;
}

std::vector<pid_t> ProcessSampler::parsePidList(const std::string & text)
{
    std::vector<pid_t> pids;
    std::string token;
    std::istringstream stream(text);
    while (stream >> token)
    {
        std::istringstream parts(token);
        for (std::string part; std::getline(parts, part, ',');)
        {
            if (part.empty())
                continue;
            char * end = nullptr;
            long pid = std::strtol(part.c_str(), &end, 10);
            if (*end != '\0' || pid <= 0)
                throw std::invalid_argument("'" + part + "' is not a pid");
            pids.push_back(static_cast<pid_t>(pid));
        }
    }
    return pids;
}

double ProcessSampler::machineBusySeconds()
{
    int64_t ticks = parseBusyTicks(readProcFile("/proc/stat"));
    return ticks < 0 ? 0 : static_cast<double>(ticks) / ticksPerSecond();
}

int64_t ProcessSampler::parseBusyTicks(const std::string & proc_stat_text)
{
    if (proc_stat_text.compare(0, 4, "cpu ") != 0)
        return -1;
    std::istringstream fields(proc_stat_text.substr(4, proc_stat_text.find('\n') - 4));
    int64_t value[8] = {};
    for (int64_t & field : value)
        if (!(fields >> field))
            return -1;
    /// user nice system idle iowait irq softirq steal: idle and iowait are the only not-busy ones.
    return value[0] + value[1] + value[2] + value[5] + value[6] + value[7];
}

int64_t ProcessSampler::parseVmRssKb(const std::string & status_text)
{
    auto at = status_text.find("\nVmRSS:");
    if (at == std::string::npos)
        return -1;
    return std::strtoll(status_text.c_str() + at + 7, nullptr, 10);
}

int64_t ProcessSampler::parseCpuTicks(const std::string & stat_text)
{
    auto paren = stat_text.rfind(')');
    if (paren == std::string::npos)
        return -1;
    /// After "pid (comm)" come: state(3) ppid pgrp session tty_nr tpgid flags minflt cminflt majflt
    /// cmajflt utime(14) stime(15).
    std::istringstream fields(stat_text.substr(paren + 1));
    std::string field;
    int64_t utime = -1;
    int64_t stime = -1;
    for (int number = 3; number <= 15 && fields >> field; ++number)
    {
        if (number == 14)
            utime = std::strtoll(field.c_str(), nullptr, 10);
        if (number == 15)
            stime = std::strtoll(field.c_str(), nullptr, 10);
    }
    return utime < 0 || stime < 0 ? -1 : utime + stime;
}

}
