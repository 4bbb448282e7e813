-- wrk -s bench/lua/patch.lua http://127.0.0.1:18080/api/v1/platforms/tabmis
-- A write with history: the status of tabmis alternates between operational and piloting, so
-- (almost) every request changes the row, bumps its version and appends a change_log entry.
-- Needs BENCH_TOKEN in the environment: a BTC token from `ndp-registry token issue --ministry BTC`.
-- wrk runs one Lua state per thread, so each thread alternates on its own; with several
-- connections two consecutive PATCHes may carry the same status, and the second is then a no-op.
local token = os.getenv("BENCH_TOKEN") or error("BENCH_TOKEN is not set")
local path = wrk.path
local headers = {
  ["Content-Type"] = "application/merge-patch+json",
  ["Authorization"] = "Bearer " .. token,
}
local bodies = { '{"status":"operational"}', '{"status":"piloting"}' }
local n = 0

request = function()
  n = n + 1
  return wrk.format("PATCH", path, headers, bodies[n % 2 + 1])
end
