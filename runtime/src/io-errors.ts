// Operating-system errors in plain words: ENOENT, EISDIR, EACCES and friends become what is wrong and what
// to do ("the directory audit does not exist; create it (mkdir -p audit)"), for every message that names a
// file the user gave us. Pure apart from looking at which parent folders exist; never throws.
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";

/** What the failed call was doing with the path: reading a file, or creating/writing one. */
export type FileAccess = "read" | "write";

/**
 * The reason a file operation on `path` failed, in words with a hint: the text after
 * `cannot read PATH: `. Unknown errors keep their code and the system's message.
 */
export function explainFileError(error: unknown, path: string, access: FileAccess = "read"): string {
  const e = error as NodeJS.ErrnoException | undefined;
  const code = e?.code;
  switch (code) {
    case "ENOENT": {
      const missing = missingDirectory(path);
      if (missing !== undefined)
        return access === "write"
          ? `the directory ${missing} does not exist; create it (mkdir -p ${missing})${relativeNote(path)}`
          : `no such file (the directory ${missing} does not exist either); check the path${relativeNote(path)}`;
      return access === "write" ? `the path does not exist${relativeNote(path)}` : `no such file; check the path${relativeNote(path)}`;
    }
    case "EISDIR":
      return `${path} is a directory, not a file; name a file${access === "write" ? " to create" : ""} inside it`;
    case "ENOTDIR":
      return `a part of the path is a file, not a directory; check the path`;
    case "EACCES":
    case "EPERM":
      return `permission denied: the user running charter may not ${access === "write" ? "create or write" : "read"} it; check the owner and mode of the file and its directories (ls -ld)`;
    case "ENOSPC":
      return "the disk is full; free some space";
    case "EROFS":
      return "the file system is read-only; choose a writable location";
    case "EMFILE":
    case "ENFILE":
      return "too many open files; raise the limit (ulimit -n) or close other programs";
    case "ELOOP":
      return "too many symbolic links (a link points to itself?); check the path";
    case "ENAMETOOLONG":
      return "the path is too long";
    case undefined:
      return (e as Error | undefined)?.message ?? String(error);
    default:
      return (e as Error).message.startsWith(code) ? (e as Error).message : `${code}: ${(e as Error).message}`;
  }
}

/** The folder `path` should be in when that folder does not exist (mkdir -p creates the whole chain). */
function missingDirectory(path: string): string | undefined {
  const dir = dirname(path);
  return dir !== "." && dir !== dirname(dir) && !existsSync(dir) ? dir : undefined;
}

function relativeNote(path: string): string {
  return isAbsolute(path) ? "" : ` (relative to ${process.cwd()})`;
}

/** Whether `dir` exists or could be created with mkdir -p: the reason it cannot, or undefined. */
export function directoryProblem(dir: string): string | undefined {
  let probe = resolve(dir);
  while (!existsSync(probe) && probe !== dirname(probe)) probe = dirname(probe);
  try {
    if (!statSync(probe).isDirectory()) return `${probe} is a file, not a directory`;
    accessSync(probe, constants.W_OK);
  } catch (e) {
    return explainFileError(e, probe, "write");
  }
  return undefined;
}

/**
 * A PostgreSQL connection error in words, for the ones whose driver message says nothing to an operator.
 * `url` must already be redacted.
 */
export function explainPostgresError(message: string, url: string): string {
  const noPassword = /(SASL: )?(SCRAM-SERVER-FIRST-MESSAGE: )?client password must be a string/;
  if (noPassword.test(message))
    return message.replace(
      noPassword,
      `the server asks for a password and ${url} has none; set PGPASSWORD in the gateway's environment (or ~/.pgpass) rather than writing it into the config`,
    );
  if (/password authentication failed/.test(message)) return `${message}; check the user and the password (PGPASSWORD) for ${url}`;
  if (/ECONNREFUSED/.test(message)) return `${message}: nothing listens at ${url}; is PostgreSQL running there?`;
  return message;
}

/**
 * The URL with its password replaced, for messages and reports: `postgres://charter:***@db/audit`. An
 * empty user name counts too (`redis://:***@cache:6379`, how Redis passwords are usually given).
 */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@]*@/, "//$1:***@");
}
