// `charter serve` with `jwt:`: a JWT signed by the issuer's key (published as a JWKS by a server the test
// starts) names the agent in its `sub` claim; a wrong audience, an expired token or another key is a 401.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from "jose";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseServeConfig, startServe, type ServeHandle } from "../src/serve/index.js";
import { charter } from "../../test/support/cli.js";
// @ts-expect-error: a plain ESM fixture without types
import { startNotesServer } from "./fixtures/serve/notes.mjs";

const dir = mkdtempSync(join(tmpdir(), "charter-serve-jwt-"));
const ISSUER = "https://idp.test";
let jwks: Server;
let serve: ServeHandle;
let notes: { url: string; close(): Promise<void> };
let key: CryptoKey;
let otherKey: CryptoKey;

const sign = (claims: Record<string, unknown>, k = key, exp: string | number = "5m", aud = "charter") =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: "ES256", kid: "k1" })
    .setIssuer(ISSUER)
    .setAudience(aud)
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(k);

async function status(token: string): Promise<number> {
  const res = await fetch(serve.url + "/mcp", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", authorization: `Bearer ${token}` },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "x", version: "1" } },
    }),
  });
  await res.body?.cancel();
  return res.status;
}

beforeAll(async () => {
  const pair = await generateKeyPair("ES256");
  key = pair.privateKey;
  otherKey = (await generateKeyPair("ES256")).privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "ES256", use: "sig" };
  jwks = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((r) => jwks.listen(0, "127.0.0.1", r));
  notes = await startNotesServer();
  const bundle = join(dir, "b.json");
  expect(charter(["build", "runtime/test/fixtures/serve/gateway.charter", "-o", bundle]).status).toBe(0);
  const config = `
listen: 127.0.0.1:0
bundle: b.json
audit: { file: audit.jsonl }
jwt: { jwks_url: "http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json", issuer: "${ISSUER}", audience: charter }
agents:
  librarian: { upstreams: [notes], source: api }
upstreams:
  notes: { url: "${notes.url}" }
`;
  writeFileSync(join(dir, "serve.yaml"), config);
  const parsed = parseServeConfig(config, join(dir, "serve.yaml"));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  serve = await startServe({ config: parsed.config, log: () => {}, watchBundle: false });
});

afterAll(async () => {
  await serve?.close();
  await notes?.close();
  jwks?.closeAllConnections();
  await new Promise((r) => jwks?.close(r));
});

describe("charter serve with JWTs", () => {
  it("accepts a JWT of the issuer whose sub names an agent, and serves that agent", async () => {
    const client = new Client({ name: "jwt-agent", version: "1.0.0" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(serve.url + "/mcp"), {
        requestInit: { headers: { Authorization: `Bearer ${await sign({ sub: "librarian" })}` } },
      }),
    );
    expect((await client.listTools()).tools.map((t) => t.name)).toContain("lookup");
    expect((await client.callTool({ name: "lookup", arguments: { word: "jwt" } })).isError).toBeFalsy();
    await client.close();
  });

  it("refuses another audience, an expired token, another key and an agent it does not serve", async () => {
    expect(await status(await sign({ sub: "librarian" }, key, "5m", "someone-else"))).toBe(401);
    expect(await status(await sign({ sub: "librarian" }, key, Math.floor(Date.now() / 1000) - 60))).toBe(401);
    expect(await status(await sign({ sub: "librarian" }, otherKey))).toBe(401);
    expect(await status(await sign({ sub: "archivist" }))).toBe(401);
    expect(await status(await sign({ sub: "librarian" }))).toBe(200);
  });
});
