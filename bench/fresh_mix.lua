-- wrk script: a mix of staff pages where every search is a new query (a word no article has is
-- excluded, so nothing is reused from the request before). Usage, with a session cookie from
-- logging in: wrk -t1 -c4 -d20s --latency -H "Cookie: tonlage_session=…" -s bench/fresh_mix.lua URL
counter = 0
request = function()
  counter = counter + 1
  local n = "+-w" .. counter .. "x"
  local paths = {
    "/search?q=polisen" .. n,
    "/search?q=skolan+resultat" .. n .. "&district=araby",
    "/districts/araby",
    "/search?q=explosion" .. n .. "&sort=date",
  }
  return wrk.format("GET", paths[(counter % 4) + 1])
end
