// What `charter serve --check` (and the CLI before a start) verifies beyond the config's shape, without
// starting a server or connecting anywhere: the files the config names exist and hold what they should
// (the bundle loads and, with public_key, is signed by it; keys and the baseline parse), the folders the
// gateway writes into exist or can be created, and the environment variables named for SOC headers are
// set. Each problem names the key and line of the value at fault, with a hint.
import { readFileSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { loadCheckpointKey, loadCheckpointPublicKey } from "../audit/checkpoint.js";
import { loadBundle } from "../bundle/load-bundle.js";
import { directoryProblem, explainFileError } from "../io-errors.js";
import { parseBaseline } from "../monitor/baseline.js";
import { type ConfigProblem, type ServeConfig, socExporterConfig } from "./config.js";

export interface PreflightOptions {
  /** the environment the gateway will run in (SOC header variables); default process.env */
  env?: Record<string, string | undefined>;
}

export function checkServeFiles(config: ServeConfig, options: PreflightOptions = {}): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const problem = (key: string, message: string): void => {
    const pos = config.positions?.get(key) ?? { line: 1, column: 1 };
    problems.push({ key, line: pos.line, column: pos.column, message });
  };
  const read = (key: string, path: string, what: string, writtenBy = ""): string | undefined => {
    try {
      return readFileSync(path, "utf8");
    } catch (e) {
      const missing = (e as NodeJS.ErrnoException).code === "ENOENT" && writtenBy !== "" ? `; ${writtenBy}` : "";
      problem(key, `cannot read ${what} ${path}: ${explainFileError(e, path)}${missing}`);
      return undefined;
    }
  };

  let publicKey: string | undefined;
  if (config.publicKey !== undefined) {
    const readable = config.publicKey.startsWith("ed25519:") || read("public_key", config.publicKey, "the public key") !== undefined;
    if (readable) {
      const key = loadCheckpointPublicKey(config.publicKey);
      if (key.ok) publicKey = key.key;
      else problem("public_key", key.message);
    }
  }
  const bundleText = read("bundle", config.bundle, "the bundle", "charter build POLICY.charter -o FILE writes one");
  if (bundleText !== undefined) {
    const loaded = loadBundle(bundleText, publicKey ? { publicKey } : {});
    if (!loaded.ok)
      problem(
        "bundle",
        `${config.bundle}: bundle refused (${loaded.error.kind}): ${loaded.error.message}${
          loaded.error.kind === "json" || loaded.error.kind === "format" || loaded.error.kind === "schema"
            ? "; write it with charter build POLICY.charter -o FILE"
            : ""
        }`,
      );
  }
  if (config.baseline !== undefined) {
    const text = read("baseline", config.baseline, "the baseline", "charter baseline build LOG writes one");
    if (text !== undefined) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        problem("baseline", `${config.baseline} is not JSON (${(e as Error).message}); charter baseline build writes one`);
      }
      if (value !== undefined) {
        const parsed = parseBaseline(value);
        if (!parsed.ok) problem("baseline", `${config.baseline}: ${parsed.error.message} (charter baseline build writes one)`);
      }
    }
  }

  const a = config.audit;
  if (a.file !== undefined) {
    const isDir = (() => {
      try {
        return statSync(a.file).isDirectory();
      } catch {
        return false;
      }
    })();
    if (isDir) problem("audit.file", `${a.file} is a directory; name the log file inside it (e.g. ${a.file}/charter.jsonl)`);
    else {
      const why = directoryProblem(dirname(a.file));
      if (why !== undefined) problem("audit.file", `cannot create the audit log's directory ${dirname(a.file)}: ${why}`);
    }
  }
  if (a.checkpointKey !== undefined) {
    if (read("audit.checkpoint_key", a.checkpointKey, "the checkpoint key", "charter keygen --out KEY writes one") !== undefined) {
      const key = loadCheckpointKey(a.checkpointKey);
      if (!key.ok) problem("audit.checkpoint_key", key.message);
    }
  }

  for (const u of config.upstreams.values()) {
    if (u.cwd === undefined) continue;
    const why = (() => {
      try {
        return statSync(u.cwd).isDirectory() ? undefined : `${u.cwd} is a file, not a directory`;
      } catch (e) {
        return explainFileError(e, u.cwd);
      }
    })();
    if (why !== undefined) problem(`upstreams.${u.name}.cwd`, `cannot run upstream ${u.name} in ${u.cwd}: ${why}`);
  }

  if (config.soc !== undefined) {
    const why = directoryProblem(config.soc.spool);
    if (why !== undefined) problem("soc.spool", `cannot create the SOC spool ${config.soc.spool}: ${why}`);
    const resolved = socExporterConfig(config, options.env ?? process.env);
    if (!resolved.ok) problems.push(...resolved.problems);
  }
  return problems;
}
