-- Loaded by bench/plain/run.sh as `wrk -s wrk-report.lua`. When wrk is done it prints one JSON line:
-- request count and rate, latency percentiles straight from wrk's histogram (µs -> ms), and every error
-- counter wrk keeps ("Socket errors" and "Non-2xx or 3xx responses" in its text output).
-- With WRK_CHECK_CLOSE=1 it also counts the responses that carry `Connection: close`. wrk reconnects
-- after exactly those, so responses_close = requests proves one request per connection. The check
-- parses every response's headers in Lua, so it is only turned on for the Connection: close runs.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

if os.getenv("WRK_CHECK_CLOSE") == "1" then
  closing, keeping = 0, 0
  function response(status, headers, body)
    local value = ""
    for name, v in pairs(headers) do
      if string.lower(name) == "connection" then value = string.lower(v) end
    end
    if value == "close" then closing = closing + 1 else keeping = keeping + 1 end
  end
end

function done(summary, latency, requests)
  local closing, keeping = -1, -1
  if os.getenv("WRK_CHECK_CLOSE") == "1" then
    closing, keeping = 0, 0
    for _, thread in ipairs(threads) do
      closing = closing + thread:get("closing")
      keeping = keeping + thread:get("keeping")
    end
  end
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"requests":%d,"duration_s":%.3f,"rps":%.1f,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,'
      .. '"mean_ms":%.3f,"socket_errors":%d,"errors_connect":%d,"errors_read":%d,"errors_write":%d,'
      .. '"errors_timeout":%d,"non_2xx_3xx":%d,"responses_close":%d,"responses_keep_alive":%d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1e3, latency:percentile(90) / 1e3, latency:percentile(99) / 1e3,
    latency.max / 1e3, latency.mean / 1e3,
    e.connect + e.read + e.write + e.timeout, e.connect, e.read, e.write, e.timeout, e.status,
    closing, keeping))
end
