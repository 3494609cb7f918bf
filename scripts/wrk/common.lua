-- Shared by scripts/wrk/search.lua and suggest.lua: finds the query file, spreads wrk's
-- threads over the request paths, and prints one parseable line when the run is done:
--   wrk_result endpoint=E requests=N seconds=S rps=R p50_ms=.. p90_ms=.. p99_ms=.. max_ms=.. errors=E non2xx=F
-- A script calls install(endpoint, paths_of_line): paths_of_line(line, extra) returns the
-- request paths for one line of queries.txt; extra is $WRK_<ENDPOINT>_PARAMS, appended verbatim.

local M = {}

local function script_dir()
   local src = debug.getinfo(1, "S").source
   if src:sub(1, 1) == "@" then
      return src:sub(2):match("^(.*)/[^/]*$") or "."
   end
   return "."
end

local function find_queries(arg1)
   local candidates = {}   -- (a nil in a table constructor would end ipairs early)
   for _, p in ipairs({ arg1 or "", os.getenv("KAVOSH_QUERIES") or "",
                        script_dir() .. "/../../benches/queries/queries.txt",
                        "benches/queries/queries.txt" }) do
      if p ~= "" then candidates[#candidates + 1] = p end
   end
   for i, p in ipairs(candidates) do
      local f = io.open(p, "r")
      if f then return f end
      if i <= 2 and p == (arg1 or os.getenv("KAVOSH_QUERIES")) then
         error("cannot open queries file " .. p)
      end
   end
   error("queries.txt not found: pass its path after -- or set KAVOSH_QUERIES")
end

function M.urlencode(s)
   return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function M.install(endpoint, paths_of_line)
   local function load_paths(arg1)
      local f = find_queries(arg1)
      local extra = os.getenv("WRK_" .. endpoint:upper() .. "_PARAMS") or ""
      local paths = {}
      for line in f:lines() do
         line = line:gsub("\r$", "")
         if line:match("%S") then
            for _, p in ipairs(paths_of_line(line, extra)) do paths[#paths + 1] = p end
         end
      end
      f:close()
      if #paths == 0 then error("no requests made of the queries file") end
      return paths
   end

   -- setup() runs in the main Lua state once per thread: number the threads (a global of
   -- each thread's own state, read by init()).
   local threads_seen = 0
   function setup(thread)
      thread:set("wrk_thread_no", threads_seen)
      threads_seen = threads_seen + 1
   end

   local paths, idx
   function init(args)
      paths = load_paths(args[1])
      -- spread threads over the list so they do not send the same request at the same moment
      idx = ((wrk_thread_no or 0) * 61) % #paths + 1
   end

   function request()
      local p = paths[idx]
      idx = idx % #paths + 1
      return wrk.format("GET", p)
   end

   function done(summary, latency, requests)
      local e = summary.errors
      local secs = summary.duration / 1e6
      io.write(string.format(
         "wrk_result endpoint=%s requests=%d seconds=%.2f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f errors=%d non2xx=%d\n",
         endpoint, summary.requests, secs, summary.requests / secs,
         latency:percentile(50) / 1000, latency:percentile(90) / 1000,
         latency:percentile(99) / 1000, latency.max / 1000,
         e.connect + e.read + e.write + e.timeout, e.status))
   end
end

return M
