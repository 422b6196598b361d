// The `charter test` runner: every `expect` of a policy's `test` blocks is decided by a real guard built
// from the compiled bundle. An `approval` expectation holds when the call reached the approval step: the
// runner's approver records that it was asked and rejects, so nothing is ever approved by a test.
// The `given` lines before an expectation in its block are its session's history: ingested text is
// remembered with its source's trust, called tools as calls that ran (their budgets counted).
import { checkText, type ast, type CheckOptions, type CheckResult, type Diagnostic } from "@charter/language";
import { readFileSync } from "node:fs";
import { AuditLog } from "../audit/audit-log.js";
import { MemoryAuditSink } from "../audit/sink.js";
import { verifyAuditLog } from "../audit/verify.js";
import type { Approver } from "../approval/request-approval.js";
import { createGuard } from "../guard/guard.js";

export type Expected = "allow" | "deny" | "approval";

/** A `given` line as the language core gives it (the test case's history; absent before v1). */
type GivenLine =
  | { kind: "ingested"; agent: { value: string }; source: { value: string }; text?: { value: string } }
  | { kind: "called"; agent: { value: string }; tool: { value: string }; args?: ast.JsonValue };

export interface ExpectationResult {
  test: string;
  agent: string;
  tool: string;
  expected: Expected;
  actual: Expected;
  /** The rule and reason of the guard's decision. */
  rule: string;
  reason: string;
  passed: boolean;
  /** 1-based, for people and editors. */
  line: number;
  column: number;
}

export type TestRun =
  | { ok: true; path: string; results: ExpectationResult[]; passed: number; failed: number }
  | { ok: false; path: string; check: CheckResult; errors: Diagnostic[] };

/**
 * The value of an expectation's argument object, as a tool call would carry it: what JSON.parse makes of
 * the same text, so a key `__proto__` is an own property (an assignment would set the prototype instead,
 * and the test would check a call the runtime never sees).
 */
export function jsonOf(v: ast.JsonValue): unknown {
  switch (v.kind) {
    case "string":
    case "number":
    case "bool":
      return v.value;
    case "null":
      return null;
    case "array":
      return v.items.map(jsonOf);
    case "object": {
      const out: Record<string, unknown> = {};
      for (const e of v.entries)
        Object.defineProperty(out, e.key.value, { value: jsonOf(e.value), enumerable: true, writable: true, configurable: true });
      return out;
    }
  }
}

export async function runTestText(text: string, path: string, options: CheckOptions = {}): Promise<TestRun> {
  const check = checkText(text, options);
  if (check.errors > 0) return { ok: false, path, check, errors: check.diagnostics.filter((d) => d.severity === "error") };
  const results: ExpectationResult[] = [];
  for (const decl of check.file.decls) {
    if (decl.kind !== "test") continue;
    for (const e of decl.expects) {
      // A fresh guard per expectation: one expectation's calls must not use up another's rate window.
      let asked = false;
      const approver: Approver = async () => {
        asked = true;
        return { approved: false, approver: "charter-test", note: "charter test never approves" };
      };
      const sink = new MemoryAuditSink();
      const guard = createGuard(check.bundle, { audit: new AuditLog(sink), approver, clock: () => Date.UTC(2026, 0, 1) });
      const session = `test:${decl.name.value}`;
      for (const g of (e as { given?: GivenLine[] }).given ?? []) {
        if (g.kind === "ingested") guard.noteIngested(g.agent.value, session, g.source.value, g.text?.value ?? "");
        else guard.noteCalled({ agent: g.agent.value, session, tool: g.tool.value, args: g.args ? jsonOf(g.args) : undefined });
      }
      const args = e.args ? jsonOf(e.args) : undefined;
      const d = await guard.authorize({ agent: e.agent.value, session, tool: e.tool.value, args });
      const actual: Expected = asked ? "approval" : d.outcome;
      const verified = verifyAuditLog(sink.text());
      const expected = e.outcome.value as Expected;
      const pos = check.lines.position(e.span.start);
      results.push({
        test: decl.name.value,
        agent: e.agent.value,
        tool: e.tool.value,
        expected,
        actual,
        rule: verified.ok ? d.rule : "audit",
        reason: verified.ok ? d.reason : `the decision's audit log does not verify: ${verified.reason}`,
        passed: actual === expected && verified.ok,
        line: pos.line + 1,
        column: pos.character + 1,
      });
    }
  }
  const failed = results.filter((r) => !r.passed).length;
  return { ok: true, path, results, passed: results.length - failed, failed };
}

export async function runTestFile(path: string, options: CheckOptions = {}): Promise<TestRun> {
  return runTestText(readFileSync(path, "utf8"), path, options);
}
