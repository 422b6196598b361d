// Which policy files the Action looks at: the `paths` input names files, folders (every *.charter
// below) or globs (`*` within a name, `**` across folders), relative to the repository root. The
// same matcher selects policies in the base commit, so a deleted policy is seen as well.
//
// Symbolic links are walked, never trusted: a policy reached through a link (the file itself, or a
// folder on its way) is returned apart, so that the caller refuses it. Otherwise the file the gate
// checks and the file `charter build` reads could differ, and the link's target could change where
// `paths` does not look.

import { lstatSync, readdirSync, realpathSync, statSync } from "node:fs";
import { isAbsolute, join, posix, relative, sep } from "node:path";

const SKIP = new Set([".git", "node_modules"]);

/** A repository-relative path with `/` that lies under a folder the walk skips. */
export const isSkipped = (path: string) => path.split("/").some((part) => SKIP.has(part));

const toPosix = (p: string) => p.split(sep).join("/");

/** A file the walk reached through a symbolic link. */
export interface LinkedFile {
  /** where it appears, repository-relative with / */
  path: string;
  /** the symbolic link on its way (the file itself, or a folder above it) */
  link: string;
  /** where the link points: repository-relative when inside it, else absolute; undefined when dangling */
  target: string | undefined;
}

export interface Walk {
  /** plain files reached without any link */
  files: string[];
  linked: LinkedFile[];
  /** links to folders outside the repository, not followed */
  outsideFolderLinks: LinkedFile[];
}

function targetOf(root: string, full: string): { real: string | undefined; shown: string | undefined } {
  try {
    const real = realpathSync(full);
    const rel = relative(root, real);
    return { real, shown: rel && !rel.startsWith("..") && !isAbsolute(rel) ? toPosix(rel) : real };
  } catch {
    return { real: undefined, shown: undefined };
  }
}

/** Every file below `root`, as relative paths with `/`; links followed inside the repository, once. */
export function walkRepository(rootDir: string): Walk {
  const root = realpathSync(rootDir);
  const files: string[] = [];
  const linked: LinkedFile[] = [];
  const outsideFolderLinks: LinkedFile[] = [];
  const visited = new Set<string>([root]);
  const walk = (dir: string, rel: string, via: { link: string; target: string | undefined } | undefined) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (SKIP.has(entry.name)) continue;
      const full = join(dir, entry.name);
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isSymbolicLink()) {
        const { real, shown } = targetOf(root, full);
        const link = via ?? { link: path, target: shown };
        let isDir = false;
        try {
          isDir = statSync(full).isDirectory();
        } catch {
          // dangling: reported as a linked file, never read
        }
        if (!isDir) linked.push({ path, ...link });
        else if (real && shown !== real) {
          if (!visited.has(real)) {
            visited.add(real);
            walk(full, path, link);
          }
        } else outsideFolderLinks.push({ path, ...link });
      } else if (entry.isDirectory()) walk(full, path, via);
      else if (entry.isFile()) via ? linked.push({ path, ...via }) : files.push(path);
    }
  };
  walk(root, "", undefined);
  files.sort();
  linked.sort((a, b) => (a.path < b.path ? -1 : 1));
  return { files, linked, outsideFolderLinks };
}

/** Every plain file below `root` (no links), as a relative path with `/`. */
export function walkFiles(root: string): string[] {
  return walkRepository(root).files;
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
const normalize = (raw: string) =>
  posix
    .normalize(raw.replace(/\\/g, "/"))
    .replace(/^\.\/?/, "")
    .replace(/\/$/, "");

/** A predicate over repository-relative paths: does `paths` select this policy file? */
export function policyMatcher(paths: readonly string[], isFolder: (p: string) => boolean): (file: string) => boolean {
  const tests = paths.map((raw) => {
    const p = normalize(raw);
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

export interface Discovery {
  /** the selected policy files, plain files all the way */
  files: string[];
  /** selected paths that are, or lie below, a symbolic link: refused */
  linked: LinkedFile[];
  /** every plain file in the working tree (for renames and moves out of `paths`) */
  all: string[];
  unmatched: string[];
}

/** The selected policy files in the working tree, the selected links, and the inputs that matched nothing. */
export function discoverPolicies(root: string, paths: readonly string[]): Discovery {
  const isFolder = (p: string) => {
    try {
      return statSync(join(root, p)).isDirectory();
    } catch {
      return false;
    }
  };
  const { files: all, linked, outsideFolderLinks } = walkRepository(root);
  const selected = policyMatcher(paths, isFolder);
  const files = all.filter(selected);
  const selectedLinks = linked.filter((l) => selected(l.path));
  // a folder link leaving the repository is not walked: refuse it when `paths` could reach below it
  const exact = paths.map(normalize).filter((p) => !isGlob(p));
  for (const l of outsideFolderLinks) {
    const below = exact.filter((p) => p.startsWith(l.path + "/"));
    if (selected(`${l.path}/policy.charter`) || below.length) selectedLinks.push({ ...l, path: below[0] ?? `${l.path}/` });
  }
  const everything = [...all, ...linked.map((l) => l.path)];
  const unmatched = paths.filter((p) => !everything.some(policyMatcher([p], isFolder)));
  return { files, linked: selectedLinks, all, unmatched };
}

/** How a path of the base commit stands in the working tree. */
export type HeadState =
  | { kind: "file" }
  | { kind: "absent" }
  /** it, or a folder on its way, is a symbolic link */
  | { kind: "linked"; link: string; target: string | undefined }
  /** something other than a plain file: a folder, a socket */
  | { kind: "other" };

/**
 * Looks at a path component by component without following links, and by exact name, so that on a
 * case-insensitive file system `Shop.charter` does not stand in for a deleted `shop.charter`.
 */
export function headState(rootDir: string, path: string): HeadState {
  const root = realpathSync(rootDir);
  const parts = path.split("/");
  let dir = root;
  for (let i = 0; i < parts.length; i++) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return { kind: "absent" };
    }
    if (!names.includes(parts[i]!)) return { kind: "absent" };
    const full = join(dir, parts[i]!);
    const st = lstatSync(full);
    const sofar = parts.slice(0, i + 1).join("/");
    if (st.isSymbolicLink()) return { kind: "linked", link: sofar, target: targetOf(root, full).shown };
    if (i === parts.length - 1) return st.isFile() ? { kind: "file" } : { kind: "other" };
    if (!st.isDirectory()) return { kind: "other" };
    dir = full;
  }
  return { kind: "absent" };
}
