// A real editor as the client: Debian's Neovim (0.7+) runs headless with exactly the configuration
// the README gives for Neovim 0.7 as its init file (so the documentation is what is tested), opens an
// invalid example, and reports what its built-in LSP client received from `npx charter lsp --stdio`:
// the diagnostics (codes, lines), a hover, and whether a formatting request changed the buffer.
// Neovim itself is made present by the test command (test/support/setup-neovim.ts).

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, inject, test } from "vitest";
import { formatText } from "@charter/language";
import setupNeovim from "../../test/support/setup-neovim.js";
import { ensureCommand, findCommand } from "../../test/support/debian.js";
import { ROOT } from "./lsp-session.js";

/** The README's Neovim 0.7 block, as a user copies it. */
function readmeSnippet(): string {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const blocks = [...readme.matchAll(/```lua\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const snippet = blocks.find((b) => b.startsWith("-- Neovim 0.7"));
  if (!snippet) throw new Error("README.md has no ```lua block starting with `-- Neovim 0.7`");
  return snippet;
}

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
  -- the README's configuration, loaded with -u, does the rest: filetype, client, attach
  vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("CHARTER_FILE")))
  local buf = vim.api.nvim_get_current_buf()
  local got = vim.wait(30000, function() return #vim.diagnostic.get(buf) > 0 end, 50)
  local client = nil
  for _, c in pairs(vim.lsp.get_active_clients()) do
    if c.name == "charter" then client = c end
  end
  if not client then error("the README's configuration started no charter client (filetype " .. vim.bo[buf].filetype .. ")") end
  local diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local lsp = (d.user_data or {}).lsp or {}
    table.insert(diagnostics, { code = d.code or lsp.code, lnum = d.lnum, severity = d.severity, source = d.source or lsp.source })
  end
  local before = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), "\\n")
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

describe("Neovim's built-in LSP client, configured as the README says", () => {
  test("receives the diagnostics of an invalid example and formats the buffer", () => {
    const nvim = inject("nvim");
    const file = join(work, "policy.charter");
    const source = readFileSync(join(ROOT, EXAMPLE), "utf8");
    writeFileSync(file, source);
    writeFileSync(join(work, "init.lua"), readmeSnippet());
    writeFileSync(join(work, "probe.lua"), PROBE);
    const outFile = join(work, "out.json");
    // from the repository root, where the README says `npx charter` works after set-up
    execFileSync(nvim, ["--headless", "-u", join(work, "init.lua"), "-c", `luafile ${join(work, "probe.lua")}`], {
      cwd: ROOT,
      env: { ...process.env, CHARTER_OUT: outFile, CHARTER_FILE: file, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}` },
      timeout: 60_000,
      stdio: "ignore",
    });
    const seen = JSON.parse(readFileSync(outFile, "utf8"));
    expect(seen.error).toBeUndefined();
    expect(seen.waited).toBe(true);
    // Neovim's lnum is 0-based: CH8001 on the policy name (line 2), CH1004 on `reads user, web` (line 21)
    expect(
      seen.diagnostics.map((d: { code: string; lnum: number; severity: number; source: string }) => [d.code, d.lnum, d.severity, d.source]),
    ).toEqual([
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

describe("the test command's Neovim set-up", () => {
  test("resolves the nvim executable and hands it to the tests", () => {
    const provided: Record<string, unknown> = {};
    setupNeovim({ provide: (key: string, value: unknown) => (provided[key] = value) } as never);
    expect(provided.nvim).toBe(findCommand(["nvim"]));
    expect(execFileSync(provided.nvim as string, ["--version"], { encoding: "utf8" })).toMatch(/^NVIM v0\.(\d+)\./);
    expect(inject("nvim")).toBe(provided.nvim);
  });

  test("fails with one clear line when Neovim is missing and cannot be installed", () => {
    // a PATH with a shell and nothing else: no nvim, no apt-get, and nothing on the machine removed
    const bin = mkdtempSync(join(tmpdir(), "charter-nopath-"));
    symlinkSync(findCommand(["sh"])!, join(bin, "sh"));
    const saved = process.env.PATH;
    process.env.PATH = bin;
    try {
      expect(findCommand(["nvim"])).toBeUndefined();
      expect(() => setupNeovim({ provide: () => {} } as never)).toThrow(
        /^nvim is missing and cannot be installed here \(needs root and apt-get\): install neovim$/,
      );
      expect(() => ensureCommand(["nvim"], ["neovim"])).toThrow("install neovim");
    } finally {
      process.env.PATH = saved;
      rmSync(bin, { recursive: true, force: true });
    }
    expect(findCommand(["nvim"])).toBeTruthy();
  });
});
