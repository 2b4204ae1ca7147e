-- wrk script used for every configuration of the gateway benchmark, so that wrk does the same
-- work per request whatever is measured.
--
--   wrk ... -s requests.lua URL -- [TOKENS_FILE]
--
-- Without TOKENS_FILE every request is a plain GET of URL. With it, each request carries
-- `Authorization: Bearer <token>`, taking the file's tokens in turn (one per line); each wrk
-- thread starts at a different place in the list. Requests are formatted once in init(), so the
-- per-request cost in wrk is one table lookup.
--
-- At the end, done() prints one machine-readable line:
--   RESULT requests_per_sec p50_us p99_us requests non_2xx socket_errors

local thread_count = 0

function setup(thread)
  thread:set("thread_index", thread_count)
  thread_count = thread_count + 1
end

local prepared = {}
local next_index = 0

function init(args)
  local path = args[1]
  if path == nil or path == "" then
    prepared[1] = wrk.format("GET")
  else
    local file = assert(io.open(path, "r"))
    for token in file:lines() do
      if token ~= "" then
        prepared[#prepared + 1] = wrk.format("GET", nil, { Authorization = "Bearer " .. token })
      end
    end
    file:close()
    assert(#prepared > 0, "no tokens in " .. path)
  end

  -- Spread the threads over the list (thread 1 of 1000 tokens starts at 919, not at 0).
  next_index = ((thread_index or 0) * 7919) % #prepared
end

function request()
  next_index = next_index % #prepared + 1
  return prepared[next_index]
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  local socket_errors = e.connect + e.read + e.write + e.timeout
  io.write(string.format("RESULT %.1f %d %d %d %d %d\n",
    summary.requests / seconds, latency:percentile(50), latency:percentile(99),
    summary.requests, e.status, socket_errors))
end
