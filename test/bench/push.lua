-- wrk script for `npm run bench`: PUT the body in $BENCH_BODY_FILE (text format) round-robin to
-- $BENCH_PREFIX..($BENCH_OFFSET + i mod $BENCH_GROUPS), and print one machine-readable summary line.
local body, prefix, groups, offset
local i = 0

function init(args)
  local f = assert(io.open(os.getenv("BENCH_BODY_FILE"), "rb"))
  body = f:read("*a")
  f:close()
  prefix = os.getenv("BENCH_PREFIX")
  groups = tonumber(os.getenv("BENCH_GROUPS"))
  offset = tonumber(os.getenv("BENCH_OFFSET") or "0")
  wrk.headers["Content-Type"] = "text/plain; version=0.0.4"
end

function request()
  local p = prefix .. tostring(offset + (i % groups))
  i = i + 1
  return wrk.format("PUT", p, nil, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
