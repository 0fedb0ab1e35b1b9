-- wrk script for the soak run (issue 7): a realistic mix of reads over the paths in READS_FILE (one
-- per line, already weighted by repetition) and, on every twentieth request (5%), an audit write:
-- an assignment or an action on one of the officers in WRITE_OFFICERS (comma-separated, assigned
-- beforehand). Reads use the viewer token in TOKEN, writes the auditor token in WRITE_TOKEN.
-- Any status other than 200 counts as an error in the summary line.
local reads = {}
for line in io.lines(os.getenv("READS_FILE")) do
  if #line > 0 then reads[#reads + 1] = line end
end
local officers = {}
for id in string.gmatch(os.getenv("WRITE_OFFICERS"), "[^,]+") do officers[#officers + 1] = id end
local token = os.getenv("TOKEN")
local writeToken = os.getenv("WRITE_TOKEN")
local counter = 0
local thread_id = 0
local non200 = 0

setup = function(thread)
  thread_id = thread_id + 1
  thread:set("id", thread_id)
end

init = function()
  counter = id * 7919
end

request = function()
  counter = counter + 1
  if counter % 20 == 0 then
    local officer = officers[(counter % #officers) + 1]
    local headers = { ["Authorization"] = "Bearer " .. writeToken, ["Content-Type"] = "application/json" }
    if counter % 40 == 0 then
      return wrk.format("PUT", "/api/v1/audit/officers/" .. officer .. "/assignee", headers, '{"assignee_id":"TM001"}')
    end
    return wrk.format("POST", "/api/v1/audit/officers/" .. officer .. "/actions", headers,
      '{"action_type":"Soak review","action_notes":"checked during the soak run"}')
  end
  return wrk.format("GET", reads[(counter % #reads) + 1], { ["Authorization"] = "Bearer " .. token })
end

response = function(status, headers, body)
  if status ~= 200 then non200 = non200 + 1 end
end

done = function(summary, latency, requests)
  io.write(string.format("client side: %d requests, %.0f requests/s, p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms, non-2xx %d, socket errors %d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
