-- rampart limits: evaluate batched decisions atomically.
-- ARGV: now_us, decision_count, then per decision: policy_count, commit(0|1), and per
-- policy: kind (g|q), a, b. GCRA: a = interval_us, b = burst. Quota: a = limit,
-- b = period_end_us. KEYS: one per policy, in order.
-- Reply, per decision: committed(0|1), then per policy: allowed, remaining, reset_us,
-- retry_us. A decision commits only when every one of its policies admits it.
local now = tonumber(ARGV[1])
local decisions = tonumber(ARGV[2])
local arg = 3
local key = 1
local out = {}

local function gcra(stored, interval, burst)
  local tat = stored or now
  if tat < now then tat = now end
  local nxt = tat + interval
  local ahead = nxt - now
  local cap = interval * burst
  if ahead > cap then
    return {0, 0, tat - now, ahead - cap}, nil
  end
  local remaining = math.floor((cap - ahead) / interval + 1e-9)
  return {1, remaining, ahead, 0}, nxt
end

local function quota(stored, limit, period_end)
  local used = stored or 0
  local left = period_end - now
  if used >= limit then
    return {0, 0, left, left}, nil
  end
  return {1, limit - used - 1, left, 0}, used + 1
end

for _ = 1, decisions do
  local count = tonumber(ARGV[arg])
  local commit = ARGV[arg + 1] == '1'
  arg = arg + 2
  local verdicts, writes = {}, {}
  local admit = true
  for i = 1, count do
    local kind, a, b = ARGV[arg], tonumber(ARGV[arg + 1]), tonumber(ARGV[arg + 2])
    arg = arg + 3
    local k = KEYS[key]
    key = key + 1
    local raw = redis.call('GET', k)
    local stored = raw and tonumber(raw)
    local verdict, nxt
    if kind == 'g' then
      verdict, nxt = gcra(stored, a, b)
    else
      verdict, nxt = quota(stored, a, b)
    end
    if verdict[1] == 0 then admit = false end
    verdicts[i] = verdict
    writes[i] = {kind, k, nxt, b}
  end
  local committed = commit and admit
  if committed then
    for i = 1, count do
      local kind, k, nxt, b = writes[i][1], writes[i][2], writes[i][3], writes[i][4]
      if kind == 'g' then
        local ttl = math.ceil((nxt - now) / 1000) + 1000
        redis.call('SET', k, string.format('%.17g', nxt), 'PX', string.format('%.0f', ttl))
      else
        redis.call('INCR', k)
        -- Relative expiry: the server's clock may differ from the gateways'.
        redis.call('PEXPIRE', k, string.format('%.0f', math.ceil((b - now) / 1000) + 1000))
      end
    end
  end
  out[#out + 1] = committed and 1 or 0
  for i = 1, count do
    for j = 1, 4 do out[#out + 1] = verdicts[i][j] end
  end
end
return out
