// The `charter serve` config: every mistake is a problem naming its key and line, and the example of
// DEPLOYMENT.md §1 parses as written.
import { describe, expect, it } from "vitest";
import { describeConfigProblems, parseServeConfig } from "../src/serve/index.js";

const H = "a".repeat(64);
const problems = (text: string) => {
  const r = parseServeConfig(text, "/etc/charter/serve.yaml");
  if (r.ok) throw new Error("expected problems");
  return describeConfigProblems("serve.yaml", r.problems);
};

describe("serve config", () => {
  it("parses the example of DEPLOYMENT.md §1, resolving paths against the config's folder", () => {
    const r = parseServeConfig(
      `listen: 127.0.0.1:8787
bundle: dist/procurement.bundle.json
public_key: keys/release.pub
audit: { file: audit/charter.jsonl }
state: { memory: {} }
agents:
  procurement-assistant-v2:
    token_sha256: "${"9f2c".repeat(16)}"
    upstreams: [erp, mail]
    source: api
upstreams:
  erp:  { command: ["node", "erp-server.js"], env: { ERP_URL: "http://127.0.0.1:9000" } }
  mail: { url: "http://127.0.0.1:9100/mcp" }
approvers:
  alice: { token_sha256: "${"41ab".repeat(16)}", groups: ["procurement-leads"] }
admin: { token_sha256: "${"77d0".repeat(16)}" }
`,
      "/etc/charter/serve.yaml",
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config).toMatchObject({
      host: "127.0.0.1",
      port: 8787,
      bundle: "/etc/charter/dist/procurement.bundle.json",
      publicKey: "/etc/charter/keys/release.pub",
      audit: { file: "/etc/charter/audit/charter.jsonl" },
    });
    expect(r.config.upstreams.get("erp")).toMatchObject({ command: ["node", "erp-server.js"], env: { ERP_URL: "http://127.0.0.1:9000" } });
    expect(r.config.upstreams.get("mail")).toMatchObject({ url: "http://127.0.0.1:9100/mcp" });
    expect(r.config.agents.get("procurement-assistant-v2")).toMatchObject({ upstreams: ["erp", "mail"], source: "api" });
    expect(r.config.approvers.get("alice")).toMatchObject({ groups: ["procurement-leads"] });
  });

  it("names unknown keys with their line and a did-you-mean", () => {
    expect(problems(`bundle: b.json\naudit: { file: a }\nagents: {}\nupstreams: {}\nlisten_on: 1\n`)).toBe(
      "serve.yaml:5:1: listen_on: unknown key 'listen_on' (did you mean 'listen'?)",
    );
  });

  it("names type errors, plain tokens instead of hashes, unknown upstreams and shared tokens", () => {
    const out = problems(`bundle: b.json
audit: { file: a, fsync: "yes" }
agents:
  a: { token_sha256: "secret-token", upstreams: [erp], source: api }
  b: { token_sha256: "${H}", upstreams: [nope], source: api }
  c: { token_sha256: "${H}", upstreams: erp, source: api }
upstreams:
  erp: { command: [node, x.js], url: "http://x/mcp" }
`);
    expect(out).toContain("serve.yaml:2:26: audit.fsync: expected true or false");
    expect(out).toContain("serve.yaml:4:22: agents.a.token_sha256: expected 64 hex digits");
    expect(out).toMatch(/serve.yaml:5:\d+: agents.b.upstreams\[0\]: no upstream named 'nope'/);
    expect(out).not.toContain("no upstream named 'erp'"); // erp is declared, only broken
    expect(out).toContain("agents.c.upstreams: expected a list of strings");
    expect(out).toMatch(/serve.yaml:6:22: agents.c.token_sha256: the same token hash is already used by agent b/);
    expect(out).toContain(
      "serve.yaml:8:8: upstreams.erp: an upstream is either { command: [PROGRAM, ARGS…] } (stdio) or { url: http://…/mcp }",
    );
  });

  it("reports YAML syntax errors with their line, and required keys", () => {
    expect(problems(`bundle: [b.json\n`)).toMatch(/^serve.yaml:\d+:\d+: /);
    expect(problems(`listen: 127.0.0.1:1\n`)).toContain("serve.yaml:1:1: bundle: missing required key 'bundle'");
  });

  it("reads the JWT section", () => {
    const r = parseServeConfig(
      `bundle: b.json\naudit: { file: a }\njwt: { jwks_url: "https://idp/jwks.json", issuer: "https://idp", audience: charter }\nagents:\n  bot: { upstreams: [], source: api }\nupstreams: {}\n`,
      "/x/s.yaml",
    );
    expect(r.ok && r.config.jwt).toEqual({
      jwksUrl: "https://idp/jwks.json",
      issuer: "https://idp",
      audience: "charter",
      agentClaim: "sub",
    });
  });
});
