// vitest global setup: a private PostgreSQL 15 for the tests, in a temp dir, on 127.0.0.1 and a free
// port, with password (SCRAM) authentication over TCP so the audit roles' logins are real. The binaries
// come from Debian's `postgresql` package (installed by ensureCommand when missing). PostgreSQL refuses
// to run as root, so when the tests run as root the cluster belongs to the `postgres` OS user
// (runuser). Tests read the superuser URL with inject("postgresUrl"); teardown stops and deletes it.
import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { randomBytes } from "node:crypto";
import { ensureCommand } from "./debian.js";
import { freePort } from "./free-port.js";

declare module "vitest" {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

interface Provider {
  provide(key: "postgresUrl", value: string): void;
}

function osUser(): { uid: number; gid: number; name: string } | undefined {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return undefined;
  const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
  return { uid, gid, name: "postgres" };
}

export default async function setup(project: Provider): Promise<() => void> {
  const initdb = ensureCommand(["/usr/lib/postgresql/15/bin/initdb", "initdb"], ["postgresql"]);
  const bin = dirname(initdb);
  const dir = mkdtempSync(join(tmpdir(), "charter-pg-"));
  const data = join(dir, "data");
  const password = randomBytes(12).toString("hex");
  const pwfile = join(dir, "pw");
  writeFileSync(pwfile, password + "\n");
  const user = osUser();
  if (user) {
    chownSync(dir, user.uid, user.gid);
    chownSync(pwfile, user.uid, user.gid);
  }
  chmodSync(dir, 0o700);
  const run = (cmd: string, args: string[]): void => {
    const [file, argv] = user ? ["runuser", ["-u", user.name, "--", cmd, ...args]] : [cmd, args];
    execFileSync(file, argv, { stdio: ["ignore", "ignore", "inherit"], cwd: dir });
  };
  const port = await freePort();
  run(initdb, [
    "-D",
    data,
    "-U",
    "postgres",
    "--pwfile",
    pwfile,
    "--auth-local=trust",
    "--auth-host=scram-sha-256",
    "-E",
    "UTF8",
    "--no-instructions",
  ]);
  run(join(bin, "pg_ctl"), [
    "-D",
    data,
    "-l",
    join(dir, "log"),
    "-w",
    "-t",
    "60",
    "-o",
    `-p ${port} -h 127.0.0.1 -k ${dir} -c fsync=off -c max_connections=50`,
    "start",
  ]);
  project.provide("postgresUrl", `postgres://postgres:${password}@127.0.0.1:${port}/postgres`);
  return () => {
    try {
      run(join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
