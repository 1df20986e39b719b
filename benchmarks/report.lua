-- wrk reporter: one JSON line with throughput and latency percentiles (microseconds).
done = function(summary, latency, requests)
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "rps": %.2f, "p50": %d, "p95": %d, "p99": %d, "max": %d, ' ..
    '"errors": %d, "non2xx": %d}\n',
    summary.requests, summary.requests / secs, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect + e.read + e.write + e.timeout, e.status))
end
