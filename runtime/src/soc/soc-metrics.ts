// The SOC export on serve's /metrics: what waits in the spool per receiver, whether the last send to it
// worked, and how many events it took. Read from the exporter when scraped; nothing on the decision path.
import { Counter, Gauge, type Registry } from "prom-client";
import type { SocExporter } from "./soc-exporter.js";

export function registerSocMetrics(soc: SocExporter, registry: Registry): void {
  new Gauge({
    name: "charter_soc_pending_bytes",
    help: "SOC events spooled and not yet taken by the receiver, in bytes",
    labelNames: ["receiver"] as const,
    registers: [registry],
    collect() {
      for (const s of soc.status()) this.set({ receiver: s.name }, s.pendingBytes);
    },
  });
  new Gauge({
    name: "charter_soc_receiver_up",
    help: "1 when the last attempt to send to the SOC receiver succeeded, 0 while it fails (events wait in the spool)",
    labelNames: ["receiver"] as const,
    registers: [registry],
    collect() {
      for (const s of soc.status()) this.set({ receiver: s.name }, s.lastError === undefined ? 1 : 0);
    },
  });
  const counted = new Map<string, number>();
  new Counter({
    name: "charter_soc_events_delivered_total",
    help: "SOC events the receiver took since the gateway started",
    labelNames: ["receiver"] as const,
    registers: [registry],
    collect() {
      for (const s of soc.status()) {
        const before = counted.get(s.name) ?? 0;
        if (s.delivered > before) this.inc({ receiver: s.name }, s.delivered - before);
        else this.inc({ receiver: s.name }, 0);
        counted.set(s.name, s.delivered);
      }
    },
  });
}
