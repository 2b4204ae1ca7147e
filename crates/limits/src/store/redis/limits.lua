-- rampart limits: evaluate batched decisions atomically.
-- ARGV: now_us, decision_count, then per decision: policy_count, commit(0|1), and per
-- policy: kind (g|q), a, b. GCRA: a = interval_us, b = burst. Quota: a = limit,
-- b = period_end_us. KEYS: one per policy, in order.
-- Reply, per decision: committed(0|1), then per policy: allowed, remaining, reset_us,
-- retry_us. A decision commits only when every one of its policies admits it.
-- Hot loop: no table is allocated per decision (verdicts go straight into the reply and
-- pending writes into scratch arrays reused across decisions).
local now = tonumber(ARGV[1])
local decisions = tonumber(ARGV[2])
local arg, key, n = 3, 1, 0
local out = {}
local wkey, wkind, wnext, wend = {}, {}, {}, {}

for _ = 1, decisions do
  local count = tonumber(ARGV[arg])
  local commit = ARGV[arg + 1] == '1'
  arg = arg + 2
  local head = n + 1
  n = head
  local admit = true
  for i = 1, count do
    local kind, a, b = ARGV[arg], tonumber(ARGV[arg + 1]), tonumber(ARGV[arg + 2])
    arg = arg + 3
    local k = KEYS[key]
    key = key + 1
    local raw = redis.call('GET', k)
    local stored = raw and tonumber(raw)
    local ok, remaining, reset, retry, nxt
    if kind == 'g' then
      -- GCRA: a = emission interval, b = burst; the state is the theoretical arrival time.
      local tat = stored or now
      if tat < now then tat = now end
      nxt = tat + a
      local ahead = nxt - now
      local cap = a * b
      if ahead > cap then
        ok, remaining, reset, retry = 0, 0, tat - now, ahead - cap
      else
        ok, remaining, reset, retry = 1, math.floor((cap - ahead) / a + 1e-9), ahead, 0
      end
    else
      -- Quota: a = limit, b = end of the period; the state is the count so far.
      local used = stored or 0
      local left = b - now
      if used >= a then
        ok, remaining, reset, retry = 0, 0, left, left
      else
        ok, remaining, reset, retry = 1, a - used - 1, left, 0
      end
    end
    if ok == 0 then admit = false end
    out[n + 1], out[n + 2], out[n + 3], out[n + 4] = ok, remaining, reset, retry
    n = n + 4
    wkey[i], wkind[i], wnext[i], wend[i] = k, kind, nxt, b
  end
  local committed = commit and admit
  out[head] = committed and 1 or 0
  if committed then
    for i = 1, count do
      local k = wkey[i]
      if wkind[i] == 'g' then
        local ttl = math.ceil((wnext[i] - now) / 1000) + 1000
        redis.call('SET', k, string.format('%.17g', wnext[i]), 'PX', string.format('%.0f', ttl))
      else
        redis.call('INCR', k)
        -- Relative expiry: the server's clock may differ from the gateways'.
        redis.call('PEXPIRE', k, string.format('%.0f', math.ceil((wend[i] - now) / 1000) + 1000))
      end
    end
  end
end
return out
