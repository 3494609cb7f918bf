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

local function here()
   local src = debug.getinfo(1, "S").source
   return src:sub(1, 1) == "@" and (src:sub(2):match("^(.*)/[^/]*$") or ".") or "."
end
local common = dofile(here() .. "/common.lua")

-- UTF-8 characters of s (Lua 5.1 / LuaJIT has no utf8 library).
local function chars(s)
   local out = {}
   for ch in s:gmatch("[%z\1-\127\194-\244][\128-\191]*") do out[#out + 1] = ch end
   return out
end

local ZWNJ = "\226\128\140"

common.install("suggest", function(line, extra)
   local paths = {}
   for word in line:gsub('"', " "):gmatch("%S+") do
      local cs = chars(word)
      local prefix = ""
      for i = 1, math.min(6, #cs) do
         prefix = prefix .. cs[i]
         if i >= 2 and cs[i] ~= ZWNJ then
            paths[#paths + 1] = "/suggest?q=" .. common.urlencode(prefix) .. extra
         end
      end
   end
   return paths
end)
