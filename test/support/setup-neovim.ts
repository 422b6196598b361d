// vitest global setup: test/lsp-neovim.test.ts drives the language server from a real editor, so
// the test command makes sure Neovim is there (installed from Debian when missing) and hands its
// path to the test. A machine that cannot install it fails here, with one line saying why.
import type { TestProject } from "vitest/node";
import { ensureCommand } from "./debian.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** the Neovim executable the editor test runs */
    nvim: string;
  }
}

export default function setup(project: TestProject): void {
  project.provide("nvim", ensureCommand(["nvim"], ["neovim"]));
}
