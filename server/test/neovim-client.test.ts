// A real editor as the client: Debian's Neovim (0.7+) runs headless with its built-in LSP client
// against `node cli/bin/charter.js lsp --stdio`, opens an invalid example, and reports what it
// received: the diagnostics (codes, lines) and whether a formatting request changed the buffer.

import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { formatText } from "../../language/src/index.js";
import { ROOT } from "./lsp-session.js";

const EXAMPLE = "examples/invalid/CH1004-unknown-reference.charter";
const work = mkdtempSync(join(tmpdir(), "charter-nvim-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const PROBE = `
local out = os.getenv("CHARTER_OUT")
local function finish(result)
  local f = io.open(out, "w")
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd("qa!")
end
local ok, err = pcall(function()
  vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("CHARTER_FILE")))
  local buf = vim.api.nvim_get_current_buf()
  local id = vim.lsp.start_client({
    name = "charter",
    cmd = { os.getenv("CHARTER_NODE"), os.getenv("CHARTER_ROOT") .. "/cli/bin/charter.js", "lsp", "--stdio" },
    root_dir = os.getenv("CHARTER_ROOT"),
    init_options = { debounceMs = 0 },
  })
  vim.lsp.buf_attach_client(buf, id)
  local got = vim.wait(20000, function() return #vim.diagnostic.get(buf) > 0 end, 50)
  local diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local lsp = (d.user_data or {}).lsp or {}
    table.insert(diagnostics, { code = d.code or lsp.code, lnum = d.lnum, severity = d.severity, source = d.source or lsp.source })
  end
  local before = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), "\\n")
  local client = vim.lsp.get_client_by_id(id)
  local hover = client.request_sync("textDocument/hover", { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = 20, character = 9 } }, 10000, buf)
  local params = vim.lsp.util.make_formatting_params({ tabSize = 2, insertSpaces = true })
  local response = client.request_sync("textDocument/formatting", params, 10000, buf)
  if response and response.result then
    vim.lsp.util.apply_text_edits(response.result, buf, client.offset_encoding)
  end
  local after = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), "\\n")
  finish({
    version = vim.version(),
    waited = got,
    diagnostics = diagnostics,
    edits = response and response.result and #response.result or -1,
    changed = before ~= after,
    after = after,
    hover = hover and hover.result and hover.result.contents.value or vim.NIL,
  })
end)
if not ok then finish({ error = tostring(err) }) end
`;

describe("Neovim's built-in LSP client", () => {
  test("receives the diagnostics of an invalid example and formats the buffer", () => {
    const which = spawnSync("nvim", ["--version"], { encoding: "utf8" });
    if (which.error || which.status !== 0) {
      throw new Error("neovim is not installed: this test needs a real editor (`apt-get install -y neovim`, as .ci/run does)");
    }
    const file = join(work, "policy.charter");
    const source = readFileSync(join(ROOT, EXAMPLE), "utf8");
    writeFileSync(file, source);
    writeFileSync(join(work, "probe.lua"), PROBE);
    const outFile = join(work, "out.json");
    execFileSync("nvim", ["--headless", "-u", "NONE", "-c", "luafile probe.lua"], {
      cwd: work,
      env: { ...process.env, CHARTER_OUT: outFile, CHARTER_FILE: file, CHARTER_ROOT: ROOT, CHARTER_NODE: process.execPath },
      timeout: 60_000,
      stdio: "ignore",
    });
    const seen = JSON.parse(readFileSync(outFile, "utf8"));
    expect(seen.error).toBeUndefined();
    expect(seen.waited).toBe(true);
    // Neovim's lnum is 0-based: CH8001 on the policy name (line 2), CH1004 on `reads user, web` (line 21)
    expect(seen.diagnostics.map((d: { code: string; lnum: number; severity: number; source: string }) => [d.code, d.lnum, d.severity, d.source])).toEqual([
      ["CH8001", 1, 2, "charter"],
      ["CH1004", 20, 1, "charter"],
    ]);
    expect(seen.edits).toBeGreaterThan(0);
    expect(seen.changed).toBe(true);
    const formatted = formatText(source);
    expect(formatted.ok && seen.after + "\n").toBe(formatted.ok && formatted.text);
    expect(seen.hover).toContain("**source** `user`");
  });
});
