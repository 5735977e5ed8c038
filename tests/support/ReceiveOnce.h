#pragma once

#include "support/WaitFor.h"

#include <string>

namespace sluice::test
{

/// What one receiveOnce() call did.
enum class Received
{
    Nothing,     /// no socket, already at EOF, or the deadline passed with nothing to read
    Interrupted, /// poll() was interrupted by a signal; nothing read
    Recv,        /// recv() returned: bytes appended, or EOF / an error recorded
};

/// The read step HttpTestClient and RawConnection share: one poll()+recv() on the connected socket `fd`, waiting
/// until `deadline` at most. Bytes that arrive are appended to `into`; EOF or a recv() error sets `eof` and
/// `end_reason` ("eof" or the error text). `recv_at`, when given, gets the time recv() returned.
Received receiveOnce(int fd, Clock::time_point deadline, std::string & into, bool & eof, std::string & end_reason,
                     Clock::time_point * recv_at = nullptr);

}
