// Lexical normalisation of POSIX paths, as `path under [...]` means it: `.` and empty segments drop
// out, `..` removes the segment before it (never above the root). No file system is consulted, so
// symbolic links are the tool's business; the runtime matches a value normalised the same way.

/** `/srv//docs/./a/../b/` → `/srv/docs/b`; undefined for a relative path or one with a NUL byte. */
export function normalisePosixPath(path: string): string | undefined {
  if (!path.startsWith("/") || path.includes("\u0000")) return undefined;
  const out: string[] = [];
  for (const seg of path.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") out.pop();
    else out.push(seg);
  }
  return "/" + out.join("/");
}

/** Whether normalised `path` is `root` or inside it (whole segments: /srv/docs2 is not in /srv/docs). */
export function pathIsUnder(path: string, root: string): boolean {
  if (root === "/") return true;
  return path === root || path.startsWith(root + "/");
}
