// The Action's only contact with git: resolving the base commit and reading files as they were
// there. Runs `git` in the workspace; a shallow clone without the base gets one targeted fetch.

import { execFileSync } from "node:child_process";
import { SetupError } from "./inputs.js";

function git(cwd: string, args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
}

function tryGit(cwd: string, args: string[]): string | undefined {
  try {
    return git(cwd, args);
  } catch {
    return undefined;
  }
}

export function repoRoot(cwd: string): string {
  const top = tryGit(cwd, ["rev-parse", "--show-toplevel"]);
  if (!top) throw new SetupError(`${cwd} is not a git checkout: run actions/checkout before this Action`);
  return top.trim();
}

/** The commit a ref names, fetching it once from origin when the clone is too shallow to hold it. */
export function resolveCommit(root: string, ref: string): string {
  const find = () => tryGit(root, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`])?.trim();
  let sha = find();
  if (!sha) {
    tryGit(root, ["fetch", "--no-tags", "--depth=1", "origin", ref]);
    sha = find();
  }
  if (!sha)
    throw new SetupError(`base ref '${ref}' is not in this clone: check out with fetch-depth: 0 (actions/checkout) or set base-ref`);
  return sha;
}

/** A file's text at a commit; undefined when it did not exist there. */
export function showAtCommit(root: string, commit: string, path: string): string | undefined {
  return tryGit(root, ["show", `${commit}:${path}`]);
}

/** Every file path (relative, with /) in a commit's tree. */
export function filesAtCommit(root: string, commit: string): string[] {
  return git(root, ["ls-tree", "-r", "--name-only", "-z", commit]).split("\0").filter(Boolean);
}

/** The mode of a path in a commit's tree (`100644`, `120000` for a symbolic link); undefined when absent. */
export function modeAtCommit(root: string, commit: string, path: string): string | undefined {
  const line = tryGit(root, ["ls-tree", "-z", commit, "--", path])?.split("\0")[0];
  const m = line ? /^(\d+) \w+ [0-9a-f]+\t(.*)$/s.exec(line) : null;
  return m && m[2] === path ? m[1] : undefined;
}

/**
 * Renames from a commit to the working tree, as git detects them (similar content, any name): each
 * old path with its new one. Untracked files are not seen; the caller also matches by policy name.
 */
export function renamesSince(root: string, commit: string): Map<string, string> {
  const out = new Map<string, string>();
  const raw = tryGit(root, ["diff", "--no-ext-diff", "-M", "--name-status", "-z", commit, "--"]);
  if (!raw) return out;
  const parts = raw.split("\0");
  for (let i = 0; i < parts.length; ) {
    const status = parts[i++]!;
    if (!status) continue;
    if (status.startsWith("R") || status.startsWith("C")) {
      const from = parts[i++]!;
      const to = parts[i++]!;
      if (status.startsWith("R")) out.set(from, to);
    } else i++;
  }
  return out;
}
