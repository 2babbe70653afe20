-- Each request gets a unique counter substituted for {n} in PATH and BODY, so every
-- order, refund or code is new (threads interleave disjoint counters).
local counter = 0
local thread_id = 0
local threads = {}
local key = os.getenv("KEY")
local path_t = os.getenv("PATH_T") or "/"
local body_t = os.getenv("BODY_T") or "{}"
local method = os.getenv("METHOD") or "POST"
-- The benchmark round (bench/run.py): each round's numbers are apart from the others'.
local round = tonumber(os.getenv("ROUND") or "0")
-- Extra headers as "name=value;name=value" (the ShopSocially face's partner-id/api-key).
local extra = {}
for pair in string.gmatch(os.getenv("HEADERS") or "", "[^;]+") do
  local name, value = pair:match("^([^=]+)=(.*)$")
  if name then extra[name] = value end
end

function setup(thread)
  thread:set("tid", thread_id)
  thread_id = thread_id + 1
end

function request()
  counter = counter + 1
  local n = tostring(tid * 10000000 + round * 1000000 + counter)
  local headers = {["Content-Type"] = "application/json"}
  if key and key ~= "" then headers["Authorization"] = "Bearer " .. key end
  for name, value in pairs(extra) do headers[name] = value end
  return wrk.format(method, (path_t:gsub("{n}", n)), headers, (body_t:gsub("{n}", n)))
end
