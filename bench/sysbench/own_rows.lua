-- The write load of ordo's integrity tests and engine benchmark that sysbench can run
-- with --mysql-ignore-errors=none: oltp_write_only's transaction (BEGIN; UPDATE k;
-- UPDATE c; DELETE and re-INSERT one row; COMMIT, every statement prepared) on
-- sbtest1, but each thread picks its rows from its own slice of the ids. Threads then
-- never wait for each other's row locks, so the deadlocks that end a stock
-- oltp_write_only run without any schema change (two threads deleting and
-- re-inserting near the same ids) cannot happen: any client error left is ordo's.
--
--   sysbench bench/sysbench/own_rows.lua --table-size=N --threads=T \
--     --mysql-ignore-errors=none ... run
-- (the table: `sysbench oltp_write_only --tables=1 --table-size=N prepare`)

sysbench.cmdline.options = {
  table_size = {"Rows of sbtest1, ids 1..table_size (as prepared)", 10000},
  tables = {"Must be 1: the load writes sbtest1 only", 1},
}

local INT = sysbench.sql.type.INT
local CHAR = sysbench.sql.type.CHAR
local C_TEMPLATE = "###########-###########-###########-###########-###########-" ..
                   "###########-###########-###########-###########-###########"
local PAD_TEMPLATE = "###########-###########-###########-###########-###########"

-- One prepared statement and its bound parameters.
local function prepared(sql, ...)
  local s = {stmt = con:prepare(sql), params = {}}
  for _, t in ipairs({...}) do
    local p = t == CHAR and s.stmt:bind_create(CHAR, 120) or s.stmt:bind_create(INT)
    table.insert(s.params, p)
  end
  if #s.params > 0 then s.stmt:bind_param(unpack(s.params)) end
  return s
end

function thread_init()
  if sysbench.opt.tables ~= 1 then error("own_rows.lua writes sbtest1 only: --tables=1") end
  local slice = math.floor(sysbench.opt.table_size / sysbench.opt.threads)
  if slice < 1 then error("own_rows.lua: fewer rows than threads") end
  first_id = sysbench.tid * slice + 1
  last_id = first_id + slice - 1
  drv = sysbench.sql.driver()
  con = drv:connect()
  st = {
    begin = prepared("BEGIN"),
    commit = prepared("COMMIT"),
    bump_k = prepared("UPDATE sbtest1 SET k=k+1 WHERE id=?", INT),
    set_c = prepared("UPDATE sbtest1 SET c=? WHERE id=?", CHAR, INT),
    delete = prepared("DELETE FROM sbtest1 WHERE id=?", INT),
    insert = prepared("INSERT INTO sbtest1 (id, k, c, pad) VALUES (?, ?, ?, ?)", INT, INT, CHAR, CHAR),
  }
end

local function own_id()
  return sysbench.rand.uniform(first_id, last_id)
end

function event()
  st.begin.stmt:execute()
  st.bump_k.params[1]:set(own_id())
  st.bump_k.stmt:execute()
  st.set_c.params[1]:set_rand_str(C_TEMPLATE)
  st.set_c.params[2]:set(own_id())
  st.set_c.stmt:execute()
  local id = own_id()
  st.delete.params[1]:set(id)
  st.delete.stmt:execute()
  st.insert.params[1]:set(id)
  st.insert.params[2]:set(sysbench.rand.uniform(1, sysbench.opt.table_size))
  st.insert.params[3]:set_rand_str(C_TEMPLATE)
  st.insert.params[4]:set_rand_str(PAD_TEMPLATE)
  st.insert.stmt:execute()
  st.commit.stmt:execute()
end

function thread_done()
  for _, s in pairs(st) do s.stmt:close() end
  con:disconnect()
end
