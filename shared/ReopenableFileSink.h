#pragma once

#include <spdlog/sinks/base_sink.h>

#include <mutex>
#include <string>

/// A log file that logrotate can move away: SIGUSR1 -> reopen() opens the path again (nginx's USR1).
namespace sluice
{

/// An spdlog sink appending to one file. Each formatted line goes out in ONE ::write() on an O_APPEND descriptor
/// with no stdio buffer in between, so the master and every worker may append to the same file and no line is
/// ever split or mixed with another (poco-notes §5 measured 1.8% corrupted lines with a buffered sink).
/// flush() has nothing to do: a line is in the kernel as soon as it is logged.
class ReopenableFileSink final : public spdlog::sinks::base_sink<std::mutex>
{
public:
    /// Opens (creates, mode 0644) `path` for appending. Throws std::runtime_error
    /// "cannot open log file \"PATH\": <errno text>".
    explicit ReopenableFileSink(std::string path);
    ~ReopenableFileSink() override;

    /// Opens the path again and swaps the descriptor under the sink's lock, letting go of a file that was renamed
    /// (rotated) meanwhile. On failure the old descriptor stays in use and false is returned, with the reason in
    /// `error` when given.
    bool reopen(std::string * error = nullptr);

    /// Closes the descriptor; later lines are dropped. For the child side of fork(): a worker must not keep its
    /// master's file open (a rotated file would never be let go of while the worker lives).
    void close();

    const std::string & path() const { return path_; }

protected:
    void sink_it_(const spdlog::details::log_msg & msg) override;
    void flush_() override {}

private:
    const std::string path_;
    int fd_ = -1; /// guarded by mutex_ once constructed
};

}
