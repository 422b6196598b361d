// The inbox's defences, checked over plain HTTP: a token login that sets an HttpOnly SameSite=Strict
// cookie, a strict CSP with nothing from third parties, and state-changing forms refused without our
// Origin or without the session's CSRF token.
import { afterEach, describe, expect, it } from "vitest";
import { TOKENS, deploy, until, type Deployment } from "./approval-fixtures.js";

let d: Deployment | undefined;
afterEach(async () => {
  await d?.close();
  d = undefined;
});

async function login(dep: Deployment, token: string, origin = dep.url): Promise<Response> {
  return fetch(`${dep.url}/inbox/login`, {
    method: "POST",
    redirect: "manual",
    headers: { origin, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token }),
  });
}

async function session(dep: Deployment): Promise<{ cookie: string; csrf: string; html: string }> {
  const r = await login(dep, TOKENS.alice);
  expect(r.status).toBe(303);
  const cookie = r.headers.get("set-cookie")!.split(";")[0]!;
  const html = await (await fetch(`${dep.url}/inbox`, { headers: { cookie } })).text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!;
  return { cookie, csrf, html };
}

function post(
  dep: Deployment,
  path: string,
  cookie: string,
  fields: Record<string, string>,
  origin: string | null = dep.url,
): Promise<Response> {
  return fetch(dep.url + path, {
    method: "POST",
    redirect: "manual",
    headers: { cookie, "content-type": "application/x-www-form-urlencoded", ...(origin ? { origin } : {}) },
    body: new URLSearchParams(fields),
  });
}

describe("inbox security", () => {
  it("serves a login page with a strict CSP and no third-party resources", async () => {
    d = await deploy();
    const r = await fetch(`${d.url}/inbox`);
    expect(r.status).toBe(200);
    const csp = r.headers.get("content-security-policy")!;
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/script-src 'self'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    const html = await r.text();
    expect(html).toContain("Sign in to decide");
    expect(html).not.toMatch(/<script>|\son[a-z]+=|https?:\/\//);
    expect((await fetch(`${d.url}/inbox/inbox.js`)).headers.get("content-type")).toMatch(/javascript/);
  });

  it("a token login sets an HttpOnly SameSite=Strict session cookie; a wrong token or a foreign Origin does not", async () => {
    d = await deploy();
    expect((await login(d, "nope")).status).toBe(401);
    expect((await login(d, TOKENS.admin)).status).toBe(401);
    expect((await login(d, TOKENS.alice, "https://evil.example")).status).toBe(403);
    const r = await login(d, TOKENS.alice);
    expect(r.status).toBe(303);
    expect(r.headers.get("set-cookie")).toMatch(/^charter_inbox=[A-Za-z0-9_-]{43}; Path=\/inbox; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
  });

  it("refuses a decision without our Origin or without the CSRF token, and takes one with both", async () => {
    d = await deploy();
    const call = d.guard.authorize({
      agent: "docs-bot",
      session: "s",
      tool: "publishPage",
      args: { slug: "a", contact: "b" },
      reasoning: "<script>alert(1)</script>",
    });
    const req = await until(() => d!.service.pending()[0], "pending");
    const { cookie, csrf, html } = await session(d);
    // the agent's words are shown, never run
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).not.toContain("<script>alert(1)");
    const fields = { id: req.id, decision: "approve", csrf, args_digest: req.argsDigest };
    expect((await post(d, "/inbox/decide", cookie, fields, "https://evil.example")).status).toBe(403);
    expect((await post(d, "/inbox/decide", cookie, fields, null)).status).toBe(403);
    expect((await post(d, "/inbox/decide", cookie, { ...fields, csrf: "forged" })).status).toBe(403);
    expect((await post(d, "/inbox/decide", "charter_inbox=stolen", fields)).status).toBe(401);
    expect(d.service.get(req.id)!.status).toBe("pending");
    const ok = await post(d, "/inbox/decide", cookie, fields);
    expect(ok.status).toBe(303);
    expect(await call).toMatchObject({ outcome: "allow", approver: "alice" });
    // after sign-out the cookie is worthless
    expect((await post(d, "/inbox/logout", cookie, { csrf })).status).toBe(303);
    expect(await (await fetch(`${d.url}/inbox`, { headers: { cookie } })).text()).toContain("Sign in to decide");
  });

  it("shows an approver outside the groups nothing, and a forced decision is refused and audited", async () => {
    d = await deploy();
    void d.guard.authorize({ agent: "docs-bot", session: "s", tool: "publishPage", args: { slug: "a", contact: "b" } });
    const req = await until(() => d!.service.pending()[0], "pending");
    const r = await login(d, TOKENS.mallory);
    const cookie = r.headers.get("set-cookie")!.split(";")[0]!;
    const html = await (await fetch(`${d.url}/inbox`, { headers: { cookie } })).text();
    expect(html).not.toContain(req.id);
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!;
    await post(d, "/inbox/decide", cookie, { id: req.id, decision: "approve", csrf });
    expect(d.service.get(req.id)!.status).toBe("pending");
    expect(d.sink.records.at(-1)).toMatchObject({ outcome: "forbidden", approver: "mallory-not-a-lead" });
    const after = await (await fetch(`${d.url}/inbox`, { headers: { cookie } })).text();
    expect(after).toMatch(/Not recorded \(HTTP 403\)/);
  });
});
