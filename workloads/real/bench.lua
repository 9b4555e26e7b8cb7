-- bench.lua: the Lua real-program workload of heapbench (written for it).
-- Table churn, string building, closures and binary trees; prints one
-- checksum line that depends on the computation only, never on addresses.
-- usage: lua5.4 bench.lua [SCALE]
local scale = tonumber(arg[1] or "1") or 1
local function sized(n) return math.max(1, math.floor(n * scale)) end
local M = 4294967296
local h = 0
local function mix(v) h = (h * 31 + math.floor(v)) % M end

-- 1. table churn: rounds of tables of small tables, built and dropped
for _ = 1, sized(80) do
  local t = {}
  for i = 1, 20000 do t[i] = { i, tostring(i), x = i * 2 } end
  local s = 0
  for i = 1, #t, 7 do s = s + t[i][1] + #t[i][2] + t[i].x end
  mix(s)
end

-- 2. string building: formatted pieces, concatenation, pattern matching
for _ = 1, sized(40) do
  local parts = {}
  for i = 1, 20000 do parts[#parts + 1] = string.format("%d:%s;", i, string.rep("x", i % 17)) end
  local str = table.concat(parts)
  local count = 0
  for _ in str:gmatch("%d+") do count = count + 1 end
  mix(#str)
  mix(count)
end

-- 3. closures: each captures its own upvalue
for _ = 1, sized(80) do
  local fs = {}
  for i = 1, 20000 do
    local k = i
    fs[i] = function(x) return x + k end
  end
  local s = 0
  for i = 1, #fs do s = s + fs[i](i) end
  mix(s % M)
end

-- 4. binary trees (the benchmarks game's shape)
local function make(d)
  if d == 0 then return {} end
  d = d - 1
  return { make(d), make(d) }
end
local function check(t)
  if t[1] then return 1 + check(t[1]) + check(t[2]) end
  return 1
end
local maxd = 16
local long = make(maxd)
for d = 4, maxd, 2 do
  local iters = sized(2 ^ (maxd - d + 3))
  local c = 0
  for _ = 1, iters do c = c + check(make(d)) end
  mix(c)
end
mix(check(long))
print(string.format("lua checksum=%08x", h))
