// Containment: code-executing agents run in a sandbox with resource limits, an explicit network
// allowlist and no persistent filesystem (CH6001–CH6004); document-processing agents only read
// (CH6005), because the documents they process are the injection vector.

import * as A from "../ast.js";
import type { CheckContext } from "./context.js";
import { agentBody, insertIntoBlock } from "./edits.js";

export function checkSandbox(ctx: CheckContext): void {
  for (const a of ctx.model.agents) {
    const kind = A.prop(a.items, "kind")?.value.value;
    const sandbox = A.item(a.items, "sandbox");
    if (kind === "code-executing" && !sandbox) {
      ctx.report({
        code: "CH6001",
        span: a.name.span,
        message: `code-executing agent '${a.name.value}' has no sandbox`,
        help: "code an attacker may have written runs here: add sandbox { filesystem ephemeral network [] cpu 1 memory 512MiB time 60s }",
        fix: {
          title: "Add a sandbox",
          edits: [
            insertIntoBlock(ctx.text, agentBody(ctx.text, a), "sandbox { filesystem ephemeral network [] cpu 1 memory 512MiB time 60s }"),
          ],
        },
      });
    }
    if (sandbox) {
      const missing = (["cpu", "memory", "time"] as const).filter((k) => !A.prop(sandbox.items, k));
      if (missing.length) {
        const defaults: Record<string, string> = { cpu: "cpu 1", memory: "memory 512MiB", time: "time 60s" };
        ctx.report({
          code: "CH6002",
          span: sandbox.keywordSpan,
          message: `sandbox of '${a.name.value}' has no ${missing.join(", ")} limit`,
          help: "bound what runaway or hostile code can consume: cpu, memory and time",
          fix: {
            title: `Add ${missing.map((m) => defaults[m]).join(", ")}`,
            edits: [insertIntoBlock(ctx.text, sandbox.bodySpan, missing.map((m) => defaults[m]).join(" "))],
          },
        });
      }
      if (!A.prop(sandbox.items, "network")) {
        ctx.report({
          code: "CH6003",
          span: sandbox.keywordSpan,
          message: `sandbox of '${a.name.value}' has no network allowlist`,
          help: "list the hosts it may reach, or network [] for none: an open network is an exfiltration channel",
          fix: { title: "Add `network []`", edits: [insertIntoBlock(ctx.text, sandbox.bodySpan, "network []")] },
        });
      }
      const fs = A.prop(sandbox.items, "filesystem");
      if (kind === "code-executing" && fs?.value.value === "persistent") {
        ctx.report({
          code: "CH6004",
          span: fs.value.span,
          message: `code-executing agent '${a.name.value}' has a persistent sandbox filesystem`,
          help: "what one run writes, the next runs: use filesystem ephemeral (or read-only)",
          fix: { title: "Use `ephemeral`", edits: [{ span: fs.value.span, newText: "ephemeral" }] },
        });
      }
    }
    if (kind === "document-processing") {
      for (const t of ctx.model.tools(a)) {
        const scope = A.prop(t.items, "scope");
        if (scope && scope.value.value !== "read") {
          ctx.report({
            code: "CH6005",
            span: scope.value.span,
            message: `document-processing agent '${a.name.value}' has tool '${t.name.value}' with scope ${scope.value.value}`,
            help: "an agent that reads untrusted documents should only read; hand actions to another agent through talks_to/exposes",
          });
        }
      }
    }
  }
}
