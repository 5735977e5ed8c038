#include "master/WorkerSet.h"

#include "shared/Channel.h"
#include "shared/ExitCodes.h"
#include "shared/Logging.h"
#include "worker/WorkerProcess.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

namespace sluice::master
{

WorkerSet::WorkerSet(std::function<void()> before_child_runs) : before_child_runs_(std::move(before_child_runs))
{
}

WorkerSet::~WorkerSet()
{
    for (WorkerRecord & r : records_)
        if (r.channel_fd != -1)
            ::close(r.channel_fd);
}

WorkerRecord & WorkerSet::spawn(const PlanPtr & plan, Poco::Net::ServerSocket & listen, unsigned generation, int slot)
{
    ChannelPair channel = openChannelPair();
    flushLogs(); /// a line still buffered at fork would be written twice (poco-notes §5)
    pid_t pid = ::fork();
    if (pid == -1)
    {
        int err = errno;
        ::close(channel.master_fd);
        ::close(channel.worker_fd);
        throw std::system_error(err, std::generic_category(), "fork() failed");
    }
    if (pid == 0)
    {
        /// Child. Drop every descriptor that belongs to the master or a sibling: a sibling's channel kept open
        /// here would hide that sibling's master-gone EOF.
        ::close(channel.master_fd);
        for (WorkerRecord & r : records_)
            ::close(r.channel_fd);
        before_child_runs_();
        try
        {
            worker::runWorker(worker::WorkerLaunch{plan, listen, channel.worker_fd, generation, slot});
        }
        catch (const std::exception & e)
        {
            workerLog()->error("worker failed to start: {}", e.what());
            flushLogs();
        }
        ::_exit(exit_code::kWorkerFatal); /// fatal: never return into the master's loop in the child
    }

    ::close(channel.worker_fd);
    ::fcntl(channel.master_fd, F_SETFL, ::fcntl(channel.master_fd, F_GETFL) | O_NONBLOCK);
    WorkerRecord record;
    record.pid = pid;
    record.generation = generation;
    record.slot = slot;
    record.channel_fd = channel.master_fd;
    record.started = Clock::now();
    records_.push_back(record);
    return records_.back();
}

WorkerRecord * WorkerSet::findByPid(pid_t pid)
{
    auto it = std::find_if(records_.begin(), records_.end(), [pid](const WorkerRecord & r) { return r.pid == pid; });
    return it == records_.end() ? nullptr : &*it;
}

WorkerRecord * WorkerSet::findByChannel(int fd)
{
    auto it = std::find_if(records_.begin(), records_.end(),
                           [fd](const WorkerRecord & r) { return r.channel_fd == fd; });
    return it == records_.end() ? nullptr : &*it;
}

void WorkerSet::remove(pid_t pid)
{
    auto it = std::find_if(records_.begin(), records_.end(), [pid](const WorkerRecord & r) { return r.pid == pid; });
    if (it == records_.end())
        return;
    if (it->channel_fd != -1)
        ::close(it->channel_fd);
    records_.erase(it);
}

std::string describeWaitStatus(int status)
{
    if (WIFEXITED(status))
        return "exit(" + std::to_string(WEXITSTATUS(status)) + ")";
    if (WIFSIGNALED(status))
        return "signal(" + std::to_string(WTERMSIG(status)) + ")";
    return "unknown(" + std::to_string(status) + ")";
}

}
