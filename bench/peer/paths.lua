-- Each request goes to the next path of the file $PATHS (one path a line), so load
-- spreads over many members instead of one hot row. METHOD (POST), BODY and KEY come
-- from the environment; wrk's two threads start half the list apart.
local paths = {}
for line in io.lines(os.getenv("PATHS")) do
  if line ~= "" then paths[#paths + 1] = line end
end
local method = os.getenv("METHOD") or "POST"
local body = os.getenv("BODY") or "{}"
local key = os.getenv("KEY")
local headers = {["Content-Type"] = "application/json"}
if key and key ~= "" then headers["Authorization"] = "Bearer " .. key end
local thread_id = 0
local i = 0

function setup(thread)
  thread:set("offset", thread_id * math.floor(#paths / 2))
  thread_id = thread_id + 1
end

function request()
  i = i + 1
  local p = paths[(offset + i) % #paths + 1]
  return wrk.format(method, p, headers, method == "GET" and nil or body)
end
