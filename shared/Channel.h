#pragma once

#include <cstdint>
#include <string>

/// The master <-> worker channel: one AF_UNIX SOCK_SEQPACKET socketpair per worker, carrying small fixed-size
/// messages. SEQPACKET keeps message boundaries (no partial reads) and, like any AF_UNIX socket, can pass file
/// descriptors later. A worker that reads EOF knows its master is gone.
namespace sluice
{

enum class ChannelCommand : uint32_t
{
    Ready = 1,         /// worker -> master: serving (generation, slot, pid)
    Drain = 2,         /// master -> worker: stop accepting, finish, end streams by `deadline_ms` from now
    ReopenLogs = 3,    /// master -> worker: reopen log files
    ReloadRequest = 4, /// worker -> master: /tyk/reload was called (request_id echoes back in ReloadDone)
    ReloadDone = 5,    /// master -> worker: result of a reload (ok, text = reason)
    DrainStarted = 6,  /// worker -> master: no longer accepting (its listening fd is closed)
    Serve = 7,         /// master -> worker: start accepting (the worker's whole generation is ready)
};

struct ChannelMessage
{
    ChannelCommand command = ChannelCommand::Ready;
    uint32_t generation = 0;
    int32_t slot = 0;
    int32_t pid = 0;
    int64_t deadline_ms = 0;
    uint64_t request_id = 0;
    uint32_t ok = 0;
    char text[236] = {};

    void setText(const std::string & s);
    std::string textString() const;
};
static_assert(sizeof(ChannelMessage) == 272, "the channel message is a fixed-size POD");

struct ChannelPair
{
    int master_fd = -1;
    int worker_fd = -1;
};

/// Creates the socketpair (both ends close-on-exec). Throws std::system_error on failure.
ChannelPair openChannelPair();

/// Sends one message; false on error (errno set). Never raises SIGPIPE.
bool sendChannelMessage(int fd, const ChannelMessage & message);

enum class ReceiveStatus
{
    Message,
    Eof,
    WouldBlock,
    Error,
};

/// Receives one message (honours the fd's blocking mode).
ReceiveStatus receiveChannelMessage(int fd, ChannelMessage & message);

}
