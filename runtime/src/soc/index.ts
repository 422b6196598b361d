// SOC export: alerts, guardrail events and isolations to a webhook and to syslog, spooled on disk.
export { SocExporter, openSocExporter, socEventOf, syslogFrame, syslogMessage } from "./soc-exporter.js";
export type { SocConfig, SocEvent, SocSeverity } from "./soc-exporter.js";
