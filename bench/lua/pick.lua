-- Each request picks at random: {id} becomes a random line of IDS_FILE and {r} a random
-- integer in [0, RANDOM_N) (zero-padded to RANDOM_DIGITS), substituted in PATH_T and BODY_T. METHOD (default GET),
-- KEY (bearer key) from the environment. Used by bench/scale.py: lookups of random
-- emails among a million members, and awards spread over 10,000 members.
local key = os.getenv("KEY")
local path_t = os.getenv("PATH_T") or "/"
local body_t = os.getenv("BODY_T")
local method = os.getenv("METHOD") or "GET"
local n = tonumber(os.getenv("RANDOM_N") or "1")
local digits = tonumber(os.getenv("RANDOM_DIGITS") or "0")
local ids_file = os.getenv("IDS_FILE")
local ids = {}
local thread_id = 0

function setup(thread)
  thread:set("tid", thread_id)
  thread_id = thread_id + 1
end

function init(args)
  math.randomseed(os.time() * 100 + (tid or 0))
  if ids_file and ids_file ~= "" then
    for line in io.lines(ids_file) do
      if line ~= "" then ids[#ids + 1] = line end
    end
  end
end

local function fill(s, id, r)
  return (s:gsub("{id}", id):gsub("{r}", r))
end

function request()
  local id = #ids > 0 and ids[math.random(#ids)] or ""
  local r = string.format("%0" .. digits .. "d", math.random(0, n - 1))
  local headers = {}
  if key and key ~= "" then headers["Authorization"] = "Bearer " .. key end
  local body = nil
  if body_t then
    headers["Content-Type"] = "application/json"
    body = fill(body_t, id, r)
  end
  return wrk.format(method, fill(path_t, id, r), headers, body)
end
