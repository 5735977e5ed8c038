#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>

namespace sluice::test
{

using Clock = std::chrono::steady_clock;
using Millis = std::chrono::milliseconds;

/// Polls `condition` (every few ms) until it holds or `timeout` passes. The failure message names
/// `what` and the timeout, so a failing wait says what never happened (Envoy's waitFor style).
::testing::AssertionResult waitFor(const std::function<bool()> & condition, Millis timeout, const std::string & what);

/// Milliseconds between two instants, as a double (for latency assertions and messages).
double elapsedMs(Clock::time_point from, Clock::time_point to);

}
