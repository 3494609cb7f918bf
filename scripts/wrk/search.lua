-- wrk load script for kavosh /search (issue 7): cycles through benches/queries/queries.txt.
--
--   wrk -t2 -c16 -d30s --latency -s scripts/wrk/search.lua http://127.0.0.1:8080 [-- QUERIES]
--
-- Each request is GET /search?q=<URL-encoded query>&analytics=false (the default reply, with
-- facets and highlights, not counted in the search insights; WRK_SEARCH_COUNTED=1 leaves out
-- analytics=false, to measure what counting costs); WRK_SEARCH_PARAMS (e.g. "&limit=10") is
-- appended verbatim when set. Queries come
-- from the file named after "--", else $KAVOSH_QUERIES, else benches/queries/queries.txt found
-- relative to this script (or the current directory). Threads start at different queries.
-- done() prints one parseable line:
--   wrk_result endpoint=search requests=N seconds=S rps=R p50_ms=.. p90_ms=.. p99_ms=.. max_ms=.. errors=E non2xx=F


local function here()
   local src = debug.getinfo(1, "S").source
   return src:sub(1, 1) == "@" and (src:sub(2):match("^(.*)/[^/]*$") or ".") or "."
end
local common = dofile(here() .. "/common.lua")

local not_counted = os.getenv("WRK_SEARCH_COUNTED") == "1" and "" or "&analytics=false"

common.install("search", function(line, extra)
   return { "/search?q=" .. common.urlencode(line) .. not_counted .. extra }
end)
