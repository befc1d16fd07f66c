-- Count, read, record, for every read of a batch, in one call (tokens/read/redis-token-reader.ts builds the call).
--
-- KEYS: the audit stream, then each distinct token and rate counter the batch names, once.
-- ARGV: now (ms), the counters' lifetime (ms), the stream's length, fail closed (1/0), the audit entry's field, and
--   the reads as one JSON array, four values a read: its limit (0: not counted), where its token and its counter
--   are in KEYS, and its audit entry but for the fingerprint (audit/packed-audit-entry.ts).
-- Answers {words, values}: words, one a read, comma-separated: the index of its token value in values, -index when
--   served without an audit entry, L (the first read past its client's limit in this window), l (limited),
--   m (missing), a (no audit entry, so no token); values, each distinct token value served, once.

local now = tonumber(ARGV[1])
local reads = cjson.decode(ARGV[6])

-- A counter moves once per client by all of the batch's reads of it; each read is then judged by its own place in
-- the count, as if it had made its own INCR.
local wanted, counted = {}, {}
for at = 1, #reads, 4 do
  local limit, counter = reads[at], reads[at + 2]
  if limit > 0 then wanted[counter] = (wanted[counter] or 0) + 1 end
end
for counter, n in pairs(wanted) do
  local after = redis.call('INCRBY', KEYS[counter], n)
  if after == n then redis.call('PEXPIRE', KEYS[counter], ARGV[2]) end
  counted[counter] = after - n
end

local failClosed = ARGV[4] == '1'
local found, fingerprints, values, words, answers, recorded = {}, {}, {}, {}, {}, false
for at = 1, #reads, 4 do
  local limit, token, counter = reads[at], reads[at + 1], reads[at + 2]
  local answer = nil
  if limit > 0 then
    local place = counted[counter] + 1
    counted[counter] = place
    if place == limit + 1 then answer = 'L' elseif place > limit then answer = 'l' end
  end
  if not answer then
    -- A token that several reads of the batch name is fetched once. Its expiry, beside it, is judged by the vault's
    -- clock (now), so that Redis and the vault agree on a token's last second.
    local index = found[token]
    if index == nil then
      local value = redis.call('GET', KEYS[token])
      index = false
      if value then
        local expires, fingerprint = string.match(value, '^v2:(%d+):([%w_-]*):')
        if not expires or tonumber(expires) > now then
          index = #values + 1
          values[index] = value
          fingerprints[index] = fingerprint or ''
          words[index] = tostring(index)
        end
      end
      found[token] = index
    end
    if not index then
      answer = 'm'
    else
      -- pcall: an entry that cannot be written (a full memory, say) is an answer, not an error of the whole batch.
      local entry = redis.pcall('XADD', KEYS[1], '*', ARGV[5], reads[at + 3] .. fingerprints[index])
      local written = type(entry) ~= 'table' or not entry.err
      recorded = recorded or written
      if written then answer = words[index] elseif failClosed then answer = 'a' else answer = '-' .. words[index] end
    end
  end
  answers[#answers + 1] = answer
end
if recorded then redis.pcall('XTRIM', KEYS[1], 'MAXLEN', '~', ARGV[3]) end
return {table.concat(answers, ','), values}
