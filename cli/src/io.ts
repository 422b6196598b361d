// The CLI's only contact with the file system and the terminal: reading policy files (folders
// expand to every *.charter below them), writing results, and turning failures into exit code 2
// with a message instead of a stack trace.

import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { explainFileError } from "@charter/runtime";
import { globSync } from "tinyglobby";

/** A usage or I/O problem: printed as one line, exit code 2 (spec §6). */
export class UsageError extends Error {}

/** `cannot read PATH: <what is wrong, in words, and what to do>` for a failed file operation. */
export function fileError(access: "read" | "write", path: string, error: unknown): UsageError {
  return new UsageError(`cannot ${access} ${path}: ${explainFileError(error, path, access)}`);
}

export function expandPaths(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (!existsSync(p)) throw new UsageError(`no such file or folder: ${p}`);
    if (statSync(p).isDirectory()) {
      const found = globSync("**/*.charter", { cwd: p, ignore: ["**/node_modules/**"] }).sort();
      out.push(...found.map((f) => join(p, f)));
    } else out.push(p);
  }
  return [...new Set(out)];
}

export function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw fileError("read", path, e);
  }
}

/** The bytes of a policy file: the language core decodes them and reports invalid UTF-8 where it is. */
export function readBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw fileError("read", path, e);
  }
}

/** The folder of the installed package (cli/dist/.. or cli/src/..), to find docs/ beside it. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, "docs", "diagnostics"))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}

/** The documentation page of a code, as a path relative to the working directory when it exists. */
export function docsLink(code: string): string {
  const page = join(packageRoot(), "docs", "diagnostics", `${code}.md`);
  const rel = relative(process.cwd(), page);
  return existsSync(page) ? (rel.startsWith("..") ? resolve(page) : rel) : `docs/diagnostics/${code}.md`;
}

export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith("..") ? rel : path;
}
