-- wrk script for scripts/load_fleet.py: people browsing the public pages and
-- sending the consultation form, through nginx, as a browser would (the form
-- is fetched first; its CSRF cookie, CSRF token and one-time form token go
-- back with the post). Paths come from the environment: LOAD_PAGES
-- (space-separated), LOAD_RUN (marker prefix for the rows), LOAD_ORIGIN.

local pages = {}
for path in string.gmatch(os.getenv("LOAD_PAGES") or "/", "%S+") do pages[#pages + 1] = path end
local run = os.getenv("LOAD_RUN") or "L"
local origin = os.getenv("LOAD_ORIGIN") or "https://127.0.0.1"
local form = "/admissions/consultation/"
local thanks = "/admissions/thank-you/consultation/"

local threads = {}
local counter = 1

function setup(thread)
  thread:set("id", counter)
  threads[#threads + 1] = thread
  counter = counter + 1
end

-- Per thread (each thread has its own Lua state).
local tokens = {}        -- forms fetched and not yet sent: {cookie, csrf, form_token}
local sent, thanked, other_post, forms_fetched, n = 0, 0, 0, 0, 0

local function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

-- A name is letters only: digits of the marker become capitals A-J.
local letters = {["0"]="A", ["1"]="B", ["2"]="C", ["3"]="D", ["4"]="E", ["5"]="F", ["6"]="G", ["7"]="H", ["8"]="I", ["9"]="J"}

function request()
  n = n + 1
  local slot = n % 10
  -- 6 in 10 page views, 2 form views, 2 posts (when a fetched form is at hand).
  if slot < 2 and #tokens > 0 then
    local t = table.remove(tokens, 1)
    sent = sent + 1
    local marker = run .. "t" .. id .. "n" .. sent
    local body = "csrfmiddlewaretoken=" .. urlencode(t.csrf) .. "&form_token=" .. urlencode(t.form_token)
      .. "&utm_campaign=" .. marker .. "&first_name=" .. string.gsub(marker, "%d", letters)
      .. "&last_name=Load&phone=&email=" .. string.lower(marker) .. "%40example.com"
      .. "&best_time_to_call=any&who_needs_help=self&caller_relation=&level_of_care=&message=Load+test."
      .. "&heard_about=search&contact_consent=on&website="
    return wrk.format("POST", form, {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Cookie"] = t.cookie,
      ["Origin"] = origin,
      ["Referer"] = origin .. form,
    }, body)
  elseif slot < 4 then
    return wrk.format("GET", form)
  end
  return wrk.format("GET", pages[(n % #pages) + 1])
end

function response(status, headers, body)
  -- Responses of a thread's connections arrive in any order: tell them apart
  -- by what they are, not by the order the requests were made.
  if status == 200 and body and string.find(body, 'name="form_token"', 1, true) then
    local cookie = headers["Set-Cookie"] or headers["set-cookie"] or ""
    cookie = string.match(cookie, "(__Host%-csrftoken=[^;]+)") or string.match(cookie, "(csrftoken=[^;]+)")
    local csrf = string.match(body, 'name="csrfmiddlewaretoken" value="([^"]+)"')
    local ft = string.match(body, 'name="form_token" value="([^"]+)"')
    if cookie and csrf and ft then
      forms_fetched = forms_fetched + 1
      tokens[#tokens + 1] = {cookie = cookie, csrf = csrf, form_token = ft}
    end
  elseif status == 303 then
    if (headers["Location"] or headers["location"]) == thanks then thanked = thanked + 1 else other_post = other_post + 1 end
  elseif status ~= 200 then
    other_post = other_post + 1  -- only a post can answer anything but 200 or 303 here
  end
  -- Publish the running totals for done().
  wrk.thread:set("sent", sent)
  wrk.thread:set("thanked", thanked)
  wrk.thread:set("other_post", other_post)
  wrk.thread:set("forms", forms_fetched)
end

function done(summary, latency, requests)
  local s, t, o, f = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    s = s + (thread:get("sent") or 0)
    t = t + (thread:get("thanked") or 0)
    o = o + (thread:get("other_post") or 0)
    f = f + (thread:get("forms") or 0)
  end
  io.write(string.format("LOAD posts_sent=%d posts_thanked=%d not_200_or_thanks=%d forms_fetched=%d\n", s, t, o, f))
  io.write(string.format("LOAD requests=%d errors_connect=%d errors_read=%d errors_write=%d errors_status=%d errors_timeout=%d\n",
    summary.requests, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout))
  io.write(string.format("LOAD latency_p50_ms=%.1f latency_p99_ms=%.1f\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
