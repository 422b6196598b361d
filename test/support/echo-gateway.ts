// `charter serve` in this process in front of one stdio tool server: the bench policy (bench/serve.charter,
// built by the real CLI), one agent `bench` with a fresh token, the audit log in a temp dir. For tests
// that are about the gateway's behaviour around one upstream (floods, crashes), not about its config.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { newToken, parseServeConfig, startServe, type ServeHandle, type ServeOptions } from "../../runtime/src/serve/index.js";
import { charter } from "./cli.js";

export interface EchoGateway {
  serve: ServeHandle;
  /** the temp dir holding serve.yaml, the bundle and audit.jsonl */
  dir: string;
  token: { token: string; sha256: string };
}

/** `upstream`: the tool server's script, run with this Node. */
export async function startEchoGateway(
  upstream: string,
  options: Omit<ServeOptions, "config"> & { prefix?: string } = {},
): Promise<EchoGateway> {
  const { prefix = "charter-echo-gateway-", ...serveOptions } = options;
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const built = charter(["build", "bench/serve.charter", "-o", join(dir, "serve.bundle.json")]);
  if (built.status !== 0) throw new Error(`charter build bench/serve.charter failed: ${built.stderr}`);
  const token = newToken();
  const yaml = `
listen: 127.0.0.1:0
bundle: serve.bundle.json
audit: { file: audit.jsonl }
agents:
  bench: { token_sha256: "${token.sha256}", upstreams: [echo], source: api }
upstreams:
  echo: { command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(upstream)}] }
`;
  writeFileSync(join(dir, "serve.yaml"), yaml);
  const parsed = parseServeConfig(yaml, join(dir, "serve.yaml"));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  const serve = await startServe({ watchBundle: false, ...serveOptions, config: parsed.config });
  return { serve, dir, token };
}
