-- wrk load script for kavosh /suggest (issue 7): cycles through prefixes of the words of
-- benches/queries/queries.txt, as typed: every prefix of 2..6 letters of each word, in order.
--
--   wrk -t2 -c16 -d30s --latency -s scripts/wrk/suggest.lua http://127.0.0.1:8080 [-- QUERIES]
--
-- Each request is GET /suggest?q=<URL-encoded prefix>; WRK_SUGGEST_PARAMS is appended verbatim
-- when set. Queries come from the file named after "--", else $KAVOSH_QUERIES, else
-- benches/queries/queries.txt found relative to this script (or the current directory). Threads
-- start at different prefixes.
-- done() prints one parseable line:
--   wrk_result endpoint=suggest requests=N seconds=S rps=R p50_ms=.. p90_ms=.. p99_ms=.. max_ms=.. errors=E non2xx=F

local ENDPOINT = "suggest"

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
      if f then return f, p end
      if i <= 2 and p == (arg1 or os.getenv("KAVOSH_QUERIES")) then
         error("cannot open queries file " .. p)
      end
   end
   error("queries.txt not found: pass its path after -- or set KAVOSH_QUERIES")
end

local function urlencode(s)
   return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

-- UTF-8 characters of s (Lua 5.1 / LuaJIT has no utf8 library).
local function chars(s)
   local out = {}
   for ch in s:gmatch("[%z\1-\127\194-\244][\128-\191]*") do out[#out + 1] = ch end
   return out
end

local ZWNJ = "\226\128\140"

local function load_paths(arg1)
   local f, _ = find_queries(arg1)
   local extra = os.getenv("WRK_SUGGEST_PARAMS") or ""
   local paths = {}
   for line in f:lines() do
      line = line:gsub("\r$", ""):gsub('"', " ")
      for word in line:gmatch("%S+") do
         local cs = chars(word)
         local prefix = ""
         for i = 1, math.min(6, #cs) do
            prefix = prefix .. cs[i]
            if i >= 2 and cs[i] ~= ZWNJ then
               paths[#paths + 1] = "/suggest?q=" .. urlencode(prefix) .. extra
            end
         end
      end
   end
   f:close()
   if #paths == 0 then error("no prefixes") end
   return paths
end

-- setup() runs in the main Lua state once per thread: number the threads (a global of each
-- thread's own state, read by init()).
local threads_seen = 0
function setup(thread)
   thread:set("wrk_thread_no", threads_seen)
   threads_seen = threads_seen + 1
end

local paths, idx
function init(args)
   paths = load_paths(args[1])
   -- spread threads over the list so they do not send the same query at the same moment
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
      ENDPOINT, summary.requests, secs, summary.requests / secs,
      latency:percentile(50) / 1000, latency:percentile(90) / 1000,
      latency:percentile(99) / 1000, latency.max / 1000,
      e.connect + e.read + e.write + e.timeout, e.status))
end
