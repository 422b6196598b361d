// Behavioural monitoring against baselines: thresholds that can actually fire (CH4001–CH4003) and
// effective monitoring of tool rate, data volume and PII in outputs for every agent (CH4004).

import * as A from "../ast.js";
import type { CheckContext } from "./context.js";
import { agentBody, insertIntoBlock } from "./edits.js";

const MONITOR_SKELETON =
  "monitor { tool_rate > 2.0x baseline within 5m => alert high  data_volume > 3.0x baseline per session => alert medium  output pii => redact }";

export function checkMonitoring(ctx: CheckContext): void {
  const blocks: A.MonitorBlock[] = [];
  for (const d of ctx.file.decls) {
    if (d.kind === "defaults") blocks.push(...A.itemsOf(d.items, "monitor"));
    if (d.kind === "agent") blocks.push(...A.itemsOf(d.items, "monitor"));
  }
  for (const b of blocks) {
    for (const r of b.rules) {
      if ((r.kind === "tool_rate" || r.kind === "data_volume") && !(r.multiplier.value > 1)) {
        ctx.report({
          code: "CH4001",
          span: r.multiplier.span,
          message: `${r.kind} multiplier ${r.multiplier.raw} is not above 1.0x: it would fire on normal behaviour`,
          help: "use a multiple of the baseline above 1.0x, e.g. 2.0x",
        });
      }
      if (r.kind === "tool_rate" && !(r.window.ms > 0)) {
        ctx.report({
          code: "CH4003",
          span: r.window.span,
          message: `monitoring window ${r.window.raw} is not positive`,
          help: "use a window such as 5m",
        });
      }
      if (r.kind === "novel_sequence" && !(r.score.value >= 0 && r.score.value <= 1)) {
        ctx.report({
          code: "CH4002",
          span: r.score.span,
          message: `novel_sequence score ${r.score.raw} is outside 0..1`,
          help: "novelty is a score between 0 (seen before) and 1 (never seen), e.g. 0.85",
        });
      }
    }
  }
  for (const a of ctx.model.agents) {
    const eff = ctx.model.effective(a);
    const kinds = new Set(eff.monitor?.rules.map((r) => r.kind) ?? []);
    const missing = (["tool_rate", "data_volume", "output_pii"] as const).filter((k) => !kinds.has(k));
    if (missing.length === 0) continue;
    const shown = missing.map((m) => (m === "output_pii" ? "output pii" : m));
    ctx.report({
      code: "CH4004",
      span: a.name.span,
      message: eff.monitor
        ? `agent '${a.name.value}' is not monitored for ${shown.join(", ")}`
        : `agent '${a.name.value}' has no monitoring (no monitor block of its own, none in defaults)`,
      help: "a hijacked agent shows up as unusual behaviour: monitor tool_rate, data_volume and output pii, in the agent or in defaults",
      ...(eff.monitor
        ? {
            related: [
              { span: eff.monitor.keywordSpan, message: eff.monitorFromDefaults ? "monitoring from defaults" : "its monitor block" },
            ],
          }
        : { fix: { title: "Add a monitor block", edits: [insertIntoBlock(ctx.text, agentBody(ctx.text, a), MONITOR_SKELETON)] } }),
    });
  }
}
