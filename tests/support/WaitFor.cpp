#include "support/WaitFor.h"

#include <thread>

namespace sluice::test
{

::testing::AssertionResult waitFor(const std::function<bool()> & condition, Millis timeout, const std::string & what)
{
    const auto deadline = Clock::now() + timeout;
    /// Short polling steps: the conditions watched here (files, /proc, counters) have no change notification.
    while (true)
    {
        if (condition())
            return ::testing::AssertionSuccess();
        if (Clock::now() >= deadline)
            return ::testing::AssertionFailure() << "timed out after " << timeout.count() << " ms waiting for " << what;
        std::this_thread::sleep_for(Millis(5));
    }
}

double elapsedMs(Clock::time_point from, Clock::time_point to)
{
    return std::chrono::duration<double, std::milli>(to - from).count();
}

}
