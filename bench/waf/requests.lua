-- wrk script for every row of the WAF benchmark, so that wrk does the same work per request
-- whatever is measured.
--
--   wrk ... -s requests.lua http://HOST:PORT -- PATH [BODY_FILE CONTENT_TYPE]
--
-- Without BODY_FILE every request is `GET PATH`; with it, `POST PATH` carrying the file's bytes
-- with the given Content-Type. Every request has the headers of a real browser-ish client
-- (Host shop.example.com, User-Agent, Accept, Accept-Language), since CRS scores requests that
-- lack them. The request is formatted once in init(), so wrk's cost per request is constant.
--
-- At the end, done() prints one machine-readable line:
--   RESULT requests_per_sec p50_us p99_us requests non_2xx socket_errors

local prepared

function init(args)
  local path = args[1] or "/"
  local headers = {
    ["Host"] = "shop.example.com",
    ["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    ["Accept"] = "text/html,application/json;q=0.9,*/*;q=0.8",
    ["Accept-Language"] = "en-US,en;q=0.5",
  }
  local body_file = args[2]
  if body_file == nil or body_file == "" then
    prepared = wrk.format("GET", path, headers)
    return
  end

  local file = assert(io.open(body_file, "rb"))
  local body = file:read("*a")
  file:close()
  headers["Content-Type"] = assert(args[3], "a body needs a content type")
  prepared = wrk.format("POST", path, headers, body)
end

function request()
  return prepared
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  local socket_errors = e.connect + e.read + e.write + e.timeout
  io.write(string.format("RESULT %.1f %d %d %d %d %d\n",
    summary.requests / seconds, latency:percentile(50), latency:percentile(99),
    summary.requests, e.status, socket_errors))
end
