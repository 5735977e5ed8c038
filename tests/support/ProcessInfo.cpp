#include "support/ProcessInfo.h"

#include "support/TempDir.h"

#include <dirent.h>

#include <cstdlib>
#include <sstream>

namespace sluice::test
{

namespace
{

/// The fields after "(comm)" of /proc/<pid>/stat: comm may contain spaces and parentheses.
std::vector<std::string> statFields(pid_t pid)
{
    std::string stat = readFile("/proc/" + std::to_string(pid) + "/stat");
    size_t close = stat.rfind(')');
    if (close == std::string::npos)
        return {};
    std::istringstream rest(stat.substr(close + 1));
    std::vector<std::string> fields;
    for (std::string field; rest >> field;)
        fields.push_back(field);
    return fields; /// fields[0] = state (field 3), fields[1] = ppid (field 4), fields[19] = starttime (22)
}

}

std::vector<pid_t> childrenOf(pid_t pid)
{
    std::istringstream text(readFile("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children"));
    std::vector<pid_t> children;
    for (pid_t child; text >> child;)
        children.push_back(child);
    return children;
}

bool processAlive(pid_t pid)
{
    auto fields = statFields(pid);
    return !fields.empty() && fields[0] != "Z" && fields[0] != "X";
}

std::optional<unsigned long long> processStartTime(pid_t pid)
{
    auto fields = statFields(pid);
    if (fields.size() < 20)
        return std::nullopt;
    return std::strtoull(fields[19].c_str(), nullptr, 10);
}

std::optional<pid_t> parentOf(pid_t pid)
{
    auto fields = statFields(pid);
    if (fields.size() < 2)
        return std::nullopt;
    return static_cast<pid_t>(std::atoi(fields[1].c_str()));
}

std::vector<pid_t> processesWithArgument(const std::string & needle)
{
    std::vector<pid_t> found;
    DIR * proc = ::opendir("/proc");
    if (proc == nullptr)
        return found;
    while (dirent * entry = ::readdir(proc))
    {
        char * end = nullptr;
        long pid = std::strtol(entry->d_name, &end, 10);
        if (pid <= 0 || *end != '\0')
            continue;
        std::string cmdline = readFile(std::string("/proc/") + entry->d_name + "/cmdline");
        if (cmdline.find(needle) != std::string::npos && processAlive(static_cast<pid_t>(pid)))
            found.push_back(static_cast<pid_t>(pid));
    }
    ::closedir(proc);
    return found;
}

std::string pidList(const std::vector<pid_t> & pids)
{
    std::string text;
    for (pid_t pid : pids)
        text += (text.empty() ? "" : " ") + std::to_string(pid);
    return text.empty() ? "(none)" : text;
}

::testing::AssertionResult waitForProcessesGone(const std::vector<pid_t> & pids, Millis timeout)
{
    std::vector<pid_t> alive;
    auto gone = [&] {
        alive.clear();
        for (pid_t pid : pids)
            if (processAlive(pid))
                alive.push_back(pid);
        return alive.empty();
    };
    auto result = waitFor(gone, timeout, "processes " + pidList(pids) + " to exit");
    if (!result)
        result << "; still alive: " << pidList(alive);
    return result;
}

}
