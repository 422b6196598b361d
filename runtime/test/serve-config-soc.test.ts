// The `soc:` section of the serve config and the URL schemes of audit.postgres and state.redis: every
// mistake is a problem naming its key and line; webhook header values come from the environment, never
// from the file.
import { describe, expect, it } from "vitest";
import { describeConfigProblems, parseServeConfig, socExporterConfig } from "../src/serve/index.js";

const BASE = `bundle: b.json\naudit: { file: a.jsonl }\nagents: {}\nupstreams: {}\n`;
const problems = (text: string) => {
  const r = parseServeConfig(text, "/etc/charter/serve.yaml");
  if (r.ok) throw new Error("expected problems");
  return describeConfigProblems("serve.yaml", r.problems);
};
const parsed = (text: string) => {
  const r = parseServeConfig(text, "/etc/charter/serve.yaml");
  if (!r.ok) throw new Error(describeConfigProblems("serve.yaml", r.problems));
  return r.config;
};

describe("serve config: soc", () => {
  it("reads a webhook and a syslog receiver, the spool relative to the config's folder", () => {
    const config = parsed(`${BASE}soc:
  spool: spool/soc
  webhook:
    url: https://siem.example/hooks/charter
    headers_from_env: { Authorization: SIEM_AUTH, X-Tenant: SIEM_TENANT }
  syslog: { host: siem.example, port: 6514, facility: local4 }
`);
    expect(config.soc).toEqual({
      spool: "/etc/charter/spool/soc",
      webhook: { url: "https://siem.example/hooks/charter", headersFromEnv: { Authorization: "SIEM_AUTH", "X-Tenant": "SIEM_TENANT" } },
      syslog: { host: "siem.example", port: 6514, facility: 20 },
    });
    const resolved = socExporterConfig(config, { SIEM_AUTH: "Bearer s3cret", SIEM_TENANT: "acme" });
    expect(resolved).toEqual({
      ok: true,
      soc: {
        spool: "/etc/charter/spool/soc",
        webhook: { url: "https://siem.example/hooks/charter", headers: { Authorization: "Bearer s3cret", "X-Tenant": "acme" } },
        syslog: { host: "siem.example", port: 6514, facility: 20 },
      },
    });
    // syslog alone, facility by default 13 (log audit)
    expect(parsed(`${BASE}soc: { spool: s, syslog: { host: 127.0.0.1, port: 514 } }\n`).soc).toEqual({
      spool: "/etc/charter/s",
      syslog: { host: "127.0.0.1", port: 514, facility: 13 },
    });
  });

  it("names an unset header variable at its line, and never accepts header values in the file", () => {
    const config = parsed(`${BASE}soc:
  spool: s
  webhook:
    url: http://127.0.0.1:9/x
    headers_from_env:
      Authorization: SIEM_AUTH
`);
    const r = socExporterConfig(config, {});
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(describeConfigProblems("serve.yaml", r.problems)).toBe(
      "serve.yaml:10:22: soc.webhook.headers_from_env.Authorization: the environment variable SIEM_AUTH is not set; set it to the value of the Authorization header before starting charter serve",
    );
    expect(problems(`${BASE}soc:\n  spool: s\n  webhook: { url: "http://x/y", headers: { Authorization: "Bearer s3cret" } }\n`)).toContain(
      "serve.yaml:7:33: soc.webhook.headers: header values are secrets and never live in the config: name the environment variable holding each one",
    );
  });

  it("checks every key with its line", () => {
    const out = problems(`${BASE}soc:
  webhook: { url: "ftp://siem/x", headers_from_env: { "Bad Header": X, Authorization: "not a name" } }
  syslog: { host: siem, port: 70000, facility: locl4 }
  extra: 1
`);
    expect(out).toContain("serve.yaml:6:3: soc.spool: missing required key 'spool'");
    expect(out).toContain("serve.yaml:6:19: soc.webhook.url: expected an http:// or https:// URL, got 'ftp://siem/x'");
    expect(out).toContain("serve.yaml:6:55: soc.webhook.headers_from_env.Bad Header: 'Bad Header' is not an HTTP header name");
    expect(out).toMatch(/serve.yaml:6:\d+: soc.webhook.headers_from_env.Authorization: expected the name of an environment variable/);
    expect(out).toContain("serve.yaml:7:31: soc.syslog.port: expected a TCP port (1-65535)");
    expect(out).toContain("serve.yaml:7:48: soc.syslog.facility: expected a syslog facility: 0-23 or a name (did you mean 'local4'?)");
    expect(out).toContain("serve.yaml:8:3: soc.extra: unknown key 'extra' (expected one of: spool, webhook, syslog)");
    expect(problems(`${BASE}soc: { spool: s }\n`)).toContain(
      "serve.yaml:5:1: soc: name a receiver: webhook: { url: … } or syslog: { host: …, port: … } (or both)",
    );
    expect(problems(`${BASE}soc: { spool: s, syslog: { port: 514 } }\n`)).toContain("soc.syslog.host: missing required key 'host'");
    expect(problems(`${BASE}soc: { spool: s, webhook: { url: "https://charter:s3cret@siem.example/x" } }\n`)).toBe(
      "serve.yaml:5:34: soc.webhook.url: credentials in the URL are secrets and never live in the config: send them as a header whose value comes from the environment, headers_from_env: { Authorization: SIEM_AUTH }",
    );
  });
});

describe("serve config: store URLs", () => {
  it("refuses an audit store that is not PostgreSQL and shared state that is not Redis, hiding passwords", () => {
    const out = problems(
      `bundle: b.json\naudit: { postgres: "mysql://root:hunter2@db/charter" }\nstate: { redis: "http://127.0.0.1:6379" }\nagents: {}\nupstreams: {}\n`,
    );
    expect(out).toContain(
      "serve.yaml:2:20: audit.postgres: expected a postgres:// or postgresql:// URL, got 'mysql://root:***@db/charter' (PostgreSQL is the only database the audit log goes to)",
    );
    expect(out).toContain("serve.yaml:3:17: state.redis: expected a redis:// or rediss:// (TLS) URL, got 'http://127.0.0.1:6379'");
    expect(out).not.toContain("hunter2");
    expect(out).not.toContain("say where the audit log goes");
    const ok = parsed(
      `bundle: b.json\naudit: { postgres: "postgresql://gw@db/charter" }\nstate: { redis: "rediss://cache:6380" }\nagents: {}\nupstreams: {}\n`,
    );
    expect(ok.audit.postgres).toBe("postgresql://gw@db/charter");
    expect(ok.state).toEqual({ kind: "redis", url: "rediss://cache:6380" });
  });
});
