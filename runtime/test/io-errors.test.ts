// explainFileError on the errors the file system really raises: each code in words with what to do,
// naming the missing folder a write needs; unknown codes keep the code and the system's text.
import { mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { explainFileError, redactUrl } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "charter-io-errors-"));
writeFileSync(join(dir, "file"), "x");

function raised(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error("expected an error");
}

describe("explainFileError", () => {
  it("a missing file, and a missing folder when reading or writing", () => {
    expect(
      explainFileError(
        raised(() => readFileSync(join(dir, "nosuch.json"))),
        join(dir, "nosuch.json"),
      ),
    ).toBe("no such file; check the path");
    const deep = join(dir, "nodir/sub/audit.jsonl");
    expect(
      explainFileError(
        raised(() => readFileSync(deep)),
        deep,
      ),
    ).toBe(`no such file (the directory ${join(dir, "nodir/sub")} does not exist either); check the path`);
    expect(
      explainFileError(
        raised(() => openSync(deep, "wx")),
        deep,
        "write",
      ),
    ).toBe(`the directory ${join(dir, "nodir/sub")} does not exist; create it (mkdir -p ${join(dir, "nodir/sub")})`);
    const relative = "no-such-folder-here/x.lock";
    expect(
      explainFileError(
        raised(() => openSync(relative, "wx")),
        relative,
        "write",
      ),
    ).toBe(`the directory no-such-folder-here does not exist; create it (mkdir -p no-such-folder-here) (relative to ${process.cwd()})`);
  });

  it("a directory where a file belongs, and a file where a directory belongs", () => {
    expect(
      explainFileError(
        raised(() => readFileSync(dir)),
        dir,
      ),
    ).toBe(`${dir} is a directory, not a file; name a file inside it`);
    const under = join(dir, "file/x.json");
    expect(
      explainFileError(
        raised(() => readFileSync(under)),
        under,
      ),
    ).toBe("a part of the path is a file, not a directory; check the path");
  });

  it("permissions, a full disk, and codes it does not know", () => {
    const denied = Object.assign(new Error("EACCES: permission denied, open '/var/log/x'"), { code: "EACCES" });
    expect(explainFileError(denied, "/var/log/x", "write")).toMatch(
      /^permission denied: the user running charter may not create or write it/,
    );
    const full = Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" });
    expect(explainFileError(full, "/x", "write")).toBe("the disk is full; free some space");
    const odd = Object.assign(new Error("EXDEV: cross-device link not permitted"), { code: "EXDEV" });
    expect(explainFileError(odd, "/x")).toBe("EXDEV: cross-device link not permitted");
  });
});

// One helper for every message and report that names a database or cache URL (serve, the audit sinks,
// the Redis state, `charter incident`); two of them used to keep a password whose user name was empty.
describe("redactUrl", () => {
  it("replaces the password, also under an empty user name, and leaves other URLs alone", () => {
    expect(redactUrl("postgres://charter:s3cret@db:5432/audit")).toBe("postgres://charter:***@db:5432/audit");
    expect(redactUrl("postgresql://:s3cret@db/audit")).toBe("postgresql://:***@db/audit");
    expect(redactUrl("redis://:s3cret@cache:6379/0")).toBe("redis://:***@cache:6379/0");
    expect(redactUrl("rediss://default:p%40ss@cache:6380")).toBe("rediss://default:***@cache:6380");
    expect(redactUrl("redis://cache:6379")).toBe("redis://cache:6379");
    expect(redactUrl("audit/charter.jsonl")).toBe("audit/charter.jsonl");
  });
});
