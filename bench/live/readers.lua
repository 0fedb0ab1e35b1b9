-- wrk script for the live benchmark's readers (issue 14): every connection is a dashboard client
-- rotating over the paths in READS_FILE (one per line: officer list pages with filters, officer
-- details, branches), with the viewer token in TOKEN on every request. Each thread starts at its
-- own offset so the threads do not walk the paths in step.
--
-- THINK_MS (optional, default 0) is a pause before each request, per connection; 0 means every
-- connection sends its next request as soon as the previous answer arrives (a closed loop, the
-- heaviest load 100 clients can make).
--
-- Any status other than 2xx or 304 is an error (wrk itself only counts >= 400). The last line is
-- machine-readable: "readers-result key=value ..." for scripts/bench-live.sh's summary.
local reads = {}
for line in io.lines(os.getenv("READS_FILE")) do
  if #line > 0 then reads[#reads + 1] = line end
end
local token = os.getenv("TOKEN")
local think = tonumber(os.getenv("THINK_MS") or "0") or 0
local threads = {}
local counter = 0
-- Globals, not locals: done() reads them from each thread with thread:get, which sees globals only.
bad = 0
statuses = {}

setup = function(thread)
  threads[#threads + 1] = thread
  thread:set("id", #threads)
end

init = function()
  counter = id * 7919
end

request = function()
  counter = counter + 1
  return wrk.format("GET", reads[(counter % #reads) + 1], { ["Authorization"] = "Bearer " .. token })
end

if think > 0 then
  delay = function()
    return think
  end
end

response = function(status, headers, body)
  if not ((status >= 200 and status < 300) or status == 304) then
    bad = bad + 1
    statuses[status] = (statuses[status] or 0) + 1
  end
end

done = function(summary, latency, requests)
  local bad_total = 0
  local by_status = {}
  for _, thread in ipairs(threads) do
    bad_total = bad_total + (thread:get("bad") or 0)
    local s = thread:get("statuses") or {}
    for code, n in pairs(s) do by_status[code] = (by_status[code] or 0) + n end
  end
  local codes = {}
  for code, n in pairs(by_status) do codes[#codes + 1] = code .. ":" .. n end
  local socket = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("readers: %d requests, %.0f requests/s, p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms, not 2xx/304 %d%s, socket errors %d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    bad_total, (#codes > 0) and (" (" .. table.concat(codes, " ") .. ")") or "", socket))
  io.write(string.format("readers-result requests=%d rps=%.1f p50=%.3f p95=%.3f p99=%.3f max=%.3f bad=%d socket=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    bad_total, socket))
end
