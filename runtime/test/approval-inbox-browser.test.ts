// The inbox in a real browser: Debian's chromium, driven by playwright-core. A security lead signs in
// with a token, sees the pending request with the agent's reasoning beside the policy's facts, approves
// it with a comment, and the waiting call completes. Screenshots go to .artifacts/ (gitignored).
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../../test/support/paths.js";
import { TOKENS, deploy, until, type Deployment } from "./approval-fixtures.js";

const ARTIFACTS = join(ROOT, ".artifacts");
let d: Deployment;
let context: BrowserContext;
let profile: string;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  d = await deploy();
  profile = mkdtempSync(join(tmpdir(), "charter-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1280, height: 900 },
  });
});

afterAll(async () => {
  await context?.close();
  await d?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe("inbox in chromium", () => {
  it("sign in, see the request and its reasoning, approve it, the call completes", async () => {
    const problems: string[] = [];
    const page = await context.newPage();
    page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
    page.on("pageerror", (e) => problems.push(e.message));

    let runs = 0;
    const call = d.guard
      .authorize({
        agent: "docs-bot",
        session: "sess-42",
        tool: "publishPage",
        args: { slug: "release-notes-2-4", contact: "jo.bloggs@example.com" },
        reasoning: "Release 2.4 shipped at 14:00. The notes were reviewed in PR #812; publishing them now so the changelog link works.",
      })
      .then((x) => {
        if (x.outcome === "allow") runs++;
        return x;
      });
    const pending = await until(() => d.service.pending()[0], "the pending request");

    await page.goto(`${d.url}/inbox`);
    await expect(page.getByRole("heading", { name: "Sign in to decide" }).isVisible()).resolves.toBe(true);
    await page.getByLabel("Approver token").fill("wrong-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toMatch(/does not belong to an approver/);
    await page.screenshot({ path: join(ARTIFACTS, "inbox-login.png") });
    problems.length = 0; // the refused sign-in answered 401, as it should
    await page.getByLabel("Approver token").fill(TOKENS.alice);
    await page.getByRole("button", { name: "Sign in" }).click();

    const card = page.locator(`article[id="${pending.id}"]`);
    await card.waitFor();
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's Locator.innerText, not a DOM read: the test checks the rendered text the approver sees
    const text = await card.innerText();
    expect(text).toContain("docs-bot");
    expect(text).toContain("publishPage");
    expect(text).toContain("Release 2.4 shipped at 14:00");
    expect(text).toContain("playbooks/unpublish-page.md");
    expect(text).toMatch(/publishPage is tier high and needs approval by docs-leads/);
    expect(text).toMatch(/\[email:hmac-sha256:[0-9a-f]{32}\]/);
    expect(text).not.toContain("jo.bloggs");
    expect(text).toMatch(/\d+m \d{2}s left|1m|2m/);
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === "charter_inbox")).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/inbox" });
    await page.screenshot({ path: join(ARTIFACTS, "inbox-pending.png"), fullPage: true });

    await card.getByLabel(/Comment/).fill("Checked the diff in PR #812; fine to publish.");
    await card.getByRole("button", { name: "Approve" }).click();
    await page.getByRole("status").waitFor();
    await expect(page.getByRole("status").textContent()).resolves.toMatch(/Approved .*: the call runs now/);
    const decision = await call;
    expect(decision).toMatchObject({ outcome: "allow", approver: "alice", approvalId: pending.id });
    expect(runs).toBe(1);
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's Locator.innerText: the history as the approver sees it rendered
    const history = await page.locator("section.history").innerText();
    expect(history).toContain("approved");
    expect(history).toContain("Checked the diff in PR #812");
    await page.screenshot({ path: join(ARTIFACTS, "inbox-approved.png"), fullPage: true });
    expect(problems).toEqual([]);
  });

  it("a page on another origin cannot make the signed-in approver decide (CSRF)", async () => {
    const call = d.guard.authorize({ agent: "docs-bot", session: "sess-43", tool: "publishPage", args: { slug: "x", contact: "y" } });
    const pending = await until(() => d.service.pending()[0], "the second pending request");
    // on a phone-sized screen the request still reads top to bottom
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 400, height: 860 });
    await phone.goto(`${d.url}/inbox`);
    await phone.locator(`article[id="${pending.id}"]`).waitFor();
    await phone.screenshot({ path: join(ARTIFACTS, "inbox-phone.png"), fullPage: true });
    await phone.close();
    const page = await context.newPage();
    // the session cookie from the first test is in this browser profile; a form posted from elsewhere
    // carries neither our Origin nor the CSRF token (and SameSite=Strict keeps the cookie back)
    await page.setContent(
      `<form method="post" action="${d.url}/inbox/decide"><input name="id" value="${pending.id}"><input name="decision" value="approve"></form>`,
    );
    await Promise.all([page.waitForNavigation(), page.locator("form").evaluate((f) => (f as unknown as { submit(): void }).submit())]);
    expect(await page.content()).toMatch(/Refused|sign in|Sign in/);
    expect(d.service.get(pending.id)!.status).toBe("pending");
    d.service.withdrawAll("test over");
    expect(await call).toMatchObject({ outcome: "deny" });
  });
});
