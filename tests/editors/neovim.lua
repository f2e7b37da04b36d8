-- Driver for tests/editor_neovim.rs: runs Neovim's built-in LSP client
-- (Neovim 0.7 API: vim.lsp.start_client + vim.lsp.buf_attach_client)
-- against `timeoutlint server`, headless, and writes what it received as
-- JSON. Started as
--   nvim --headless -n -i NONE --noplugin -u tests/editors/neovim.lua
-- with, in the environment:
--   TIMEOUTLINT_NVIM_SNIPPET  the Neovim 0.7 snippet of editors/README.md,
--                             extracted by the test (it starts the client)
--   TIMEOUTLINT_NVIM_FILES    the files to open, one per line, in order
--   TIMEOUTLINT_NVIM_OUT      where to write the JSON
--   TIMEOUTLINT_NVIM_WAIT_MS  how long to wait for each file's diagnostics
--   TIMEOUTLINT_NVIM_PROBE_FILE, _LINE, _COL  optional: then, on that
--                             opened file's line (1-based) and byte column
--                             (0-based), asks the server for code actions
--                             with the line's diagnostics as Neovim hands
--                             them back (vim.lsp.diagnostic
--                             .get_line_diagnostics, as vim.lsp.buf
--                             .code_action does), and for a hover
--   TIMEOUTLINT_NVIM_EDIT_FILE, _LINE, _TEXT  optional: then replaces that
--                             line (1-based) of that file in its buffer,
--                             unsaved, and reports the diagnostics again
-- `timeoutlint` must be on PATH (the snippet runs `timeoutlint server`).
-- Whatever happens, it writes the JSON (with `error` set on failure) and
-- quits, so the test never waits on an editor stuck at a prompt.

local out_path = os.getenv('TIMEOUTLINT_NVIM_OUT')
local wait_ms = tonumber(os.getenv('TIMEOUTLINT_NVIM_WAIT_MS') or '') or 20000

local report = {
  nvim = vim.fn.execute('version'):match('NVIM v[^\n]*'),
  opened = {},
  publishes = {},
  clients = {},
  buffers = {},
  timed_out = {},
}

-- Every publishDiagnostics the client receives, in order (uri and count),
-- before Neovim's own handler stores them.
local last_publish = vim.loop.now()
local default_handler = vim.lsp.handlers['textDocument/publishDiagnostics']
vim.lsp.handlers['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
  last_publish = vim.loop.now()
  if result then
    table.insert(report.publishes, { uri = result.uri, count = #result.diagnostics })
  end
  return default_handler(err, result, ctx, config)
end

local function count(bufnr)
  return #vim.diagnostic.get(bufnr)
end

-- Every buffer that holds diagnostics: the opened ones, and the ones the
-- client created (unloaded) for the other files the server published.
local function snapshot()
  local by_buf = {}
  for _, d in ipairs(vim.diagnostic.get()) do
    by_buf[d.bufnr] = by_buf[d.bufnr] or {}
    local ns = vim.diagnostic.get_namespace(d.namespace)
    table.insert(by_buf[d.bufnr], {
      namespace = ns and ns.name or vim.NIL,
      source = d.source or vim.NIL,
      code = d.code or vim.NIL,
      severity = d.severity,
      lnum = d.lnum,
      col = d.col,
      end_lnum = d.end_lnum,
      end_col = d.end_col,
      message = d.message,
    })
  end
  local buffers = {}
  for bufnr, diags in pairs(by_buf) do
    table.insert(buffers, {
      file = vim.api.nvim_buf_get_name(bufnr),
      loaded = vim.api.nvim_buf_is_loaded(bufnr),
      modified = vim.bo[bufnr].modified,
      diagnostics = diags,
    })
  end
  table.sort(buffers, function(a, b)
    return a.file < b.file
  end)
  return buffers
end

-- Waits until no publish has come for 1 s.
local function settle()
  vim.wait(wait_ms, function()
    return vim.loop.now() - last_publish > 1000
  end, 50)
end

local function open(file)
  local path = vim.loop.fs_realpath(file) or file
  vim.cmd('edit ' .. vim.fn.fnameescape(path))
  return vim.api.nvim_get_current_buf()
end

local function run()
  vim.cmd('filetype on')
  dofile(os.getenv('TIMEOUTLINT_NVIM_SNIPPET'))
  for file in (os.getenv('TIMEOUTLINT_NVIM_FILES') or ''):gmatch('[^\n]+') do
    local bufnr = open(file)
    -- This file's diagnostics: published now, or already (the server
    -- publishes at every end of a mismatch when the first file opens).
    if not vim.wait(wait_ms, function()
      return count(bufnr) > 0
    end, 50) then
      table.insert(report.timed_out, vim.api.nvim_buf_get_name(bufnr))
      wait_ms = 0 -- one wait spent is enough to fail: do not spend more
    end
    -- The clients attached to it (an initializing client is not listed yet).
    table.insert(report.opened, {
      file = vim.api.nvim_buf_get_name(bufnr),
      filetype = vim.bo[bufnr].filetype,
      clients = vim.tbl_map(function(c)
        return c.name
      end, vim.tbl_values(vim.lsp.buf_get_clients(bufnr))),
    })
  end
  settle()
  for _, c in pairs(vim.lsp.get_active_clients()) do
    table.insert(report.clients, {
      name = c.name,
      offset_encoding = c.offset_encoding,
      position_encoding = c.server_capabilities and c.server_capabilities.positionEncoding or vim.NIL,
      workspace_folders = c.workspace_folders or vim.NIL,
    })
  end
  report.buffers = snapshot()

  -- Code actions and hover, through Neovim's client, on an opened file.
  local probe_file = os.getenv('TIMEOUTLINT_NVIM_PROBE_FILE')
  if probe_file then
    local line = tonumber(os.getenv('TIMEOUTLINT_NVIM_PROBE_LINE')) - 1
    local col = tonumber(os.getenv('TIMEOUTLINT_NVIM_PROBE_COL'))
    local bufnr = open(probe_file)
    local diagnostics = vim.lsp.diagnostic.get_line_diagnostics(bufnr, line)
    local probe = { diagnostics = #diagnostics, with_data = 0, actions = {}, hover = vim.NIL }
    for _, d in ipairs(diagnostics) do
      if d.data and d.data.rule then
        probe.with_data = probe.with_data + 1
      end
    end
    local position = { line = line, character = col }
    local actions = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', {
      textDocument = { uri = vim.uri_from_bufnr(bufnr) },
      range = { start = position, ['end'] = position },
      context = { diagnostics = diagnostics },
    }, wait_ms)
    for _, r in pairs(actions or {}) do
      for _, a in ipairs(r.result or {}) do
        table.insert(probe.actions, {
          title = a.title,
          kind = a.kind or vim.NIL,
          command = a.command and a.command.command or vim.NIL,
          edit = a.edit ~= nil,
        })
      end
    end
    local hovers = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', {
      textDocument = { uri = vim.uri_from_bufnr(bufnr) },
      position = position,
    }, wait_ms)
    for _, r in pairs(hovers or {}) do
      if r.result and r.result.contents then
        probe.hover = r.result.contents.value or vim.NIL
      end
    end
    report.probe = probe
  end

  -- Then, when asked, one line of one file replaced in the buffer, never
  -- written: what the server publishes for the unsaved text.
  local edit_file = os.getenv('TIMEOUTLINT_NVIM_EDIT_FILE')
  if edit_file then
    local line = tonumber(os.getenv('TIMEOUTLINT_NVIM_EDIT_LINE'))
    local text = os.getenv('TIMEOUTLINT_NVIM_EDIT_TEXT')
    local bufnr = open(edit_file)
    local seen = #report.publishes
    vim.api.nvim_buf_set_lines(bufnr, line - 1, line, false, { text })
    if not vim.wait(wait_ms, function()
      return #report.publishes > seen
    end, 50) then
      table.insert(report.timed_out, 'publish after the edit')
    end
    settle()
    report.edited = vim.api.nvim_buf_get_name(bufnr)
    report.after = snapshot()
  end
end

local ok, err = pcall(run)
if not ok then
  report.error = tostring(err)
end
-- (vim.fn.json_encode writes an empty table as [], so the lists stay lists.)
local f = io.open(out_path, 'w')
if f then
  f:write(vim.fn.json_encode(report))
  f:close()
end
-- Shut the servers down (shutdown + exit), then leave.
vim.lsp.stop_client(vim.lsp.get_active_clients())
vim.wait(2000, function()
  return #vim.lsp.get_active_clients() == 0
end, 50)
vim.cmd(ok and 'qall!' or 'cquit 1')
