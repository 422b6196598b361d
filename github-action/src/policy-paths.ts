// Which policy files the Action looks at: the `paths` input names files, folders (every *.charter
// below) or globs (`*` within a name, `**` across folders), relative to the repository root. The
// same matcher selects policies in the base commit, so a deleted policy is seen as well.

import { readdirSync, statSync } from "node:fs";
import { join, posix, relative, sep } from "node:path";

const SKIP = new Set([".git", "node_modules"]);

/** Every file below `root`, as a relative path with `/`. */
export function walkFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (SKIP.has(entry.name)) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) out.push(relative(root, full).split(sep).join("/"));
    }
  };
  walk(root);
  return out.sort();
}

function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === "*" && glob[i + 1] === "*") {
      // `**/` matches zero or more folders; a trailing `**` everything below
      if (glob[i + 2] === "/") {
        re += "(?:.*/)?";
        i += 2;
      } else {
        re += ".*";
        i += 1;
      }
    } else if (ch === "*") re += "[^/]*";
    else if (ch === "?") re += "[^/]";
    else re += ch.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

const isGlob = (p: string) => /[*?]/.test(p);

/** A predicate over repository-relative paths: does `paths` select this policy file? */
export function policyMatcher(paths: readonly string[], isFolder: (p: string) => boolean): (file: string) => boolean {
  const tests = paths.map((raw) => {
    const p = posix.normalize(raw.replace(/\\/g, "/")).replace(/^\.\/?/, "").replace(/\/$/, "");
    if (isGlob(p)) {
      const re = globToRegExp(p);
      return (f: string) => re.test(f);
    }
    if (p === "" || p === ".") return (f: string) => f.endsWith(".charter");
    if (isFolder(p)) return (f: string) => f.startsWith(p + "/") && f.endsWith(".charter");
    return (f: string) => f === p;
  });
  return (file) => tests.some((t) => t(file));
}

/** The selected policy files in the working tree, and the inputs that matched nothing. */
export function discoverPolicies(root: string, paths: readonly string[]): { files: string[]; unmatched: string[] } {
  const isFolder = (p: string) => {
    try {
      return statSync(join(root, p)).isDirectory();
    } catch {
      return false;
    }
  };
  const all = walkFiles(root);
  const files = all.filter(policyMatcher(paths, isFolder));
  const unmatched = paths.filter((p) => !all.some(policyMatcher([p], isFolder)));
  return { files, unmatched };
}
