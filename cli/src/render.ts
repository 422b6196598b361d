// Diagnostics for people, in the style of rustc and Cedar: severity and code, the message, the
// location, the source line with carets under the range, related locations, and a help line that
// links the code's documentation page. Colours only when writing to a terminal.

import type { Diagnostic, LineIndex } from "@charter/language";
import { createColors } from "picocolors";
import { docsLink } from "./io.js";

export type Colors = ReturnType<typeof createColors>;

export function colorsFor(stream: NodeJS.WriteStream): Colors {
  const force = process.env.FORCE_COLOR;
  if (force && force !== "0") return createColors(true);
  const enabled = !!stream.isTTY && !process.env.NO_COLOR && process.env.TERM !== "dumb";
  return createColors(enabled);
}

export function renderDiagnostic(d: Diagnostic, path: string, lines: LineIndex, c: Colors): string {
  const sev = d.severity === "error" ? c.bold(c.red(`error[${d.code}]`)) : c.bold(c.yellow(`${d.severity}[${d.code}]`));
  const out: string[] = [`${sev}${c.bold(`: ${d.message}`)}`];
  const { line, character } = d.range.start;
  const num = String(line + 1);
  const pad = " ".repeat(num.length);
  out.push(`${pad}${c.blue("-->")} ${path}:${line + 1}:${character + 1}`);
  out.push(`${pad} ${c.blue("|")}`);
  out.push(
    ...snippet(
      lines,
      d.range.start.line,
      d.range.start.character,
      d.range.end,
      num.length,
      c,
      d.severity === "error" ? c.red : c.yellow,
      "",
    ),
  );
  for (const r of d.related ?? []) {
    const rnum = String(r.range.start.line + 1).padStart(num.length);
    out.push(`${pad}${c.blue("::")} ${path}:${r.range.start.line + 1}:${r.range.start.character + 1}`);
    out.push(...snippet(lines, r.range.start.line, r.range.start.character, r.range.end, rnum.length, c, c.blue, r.message));
  }
  const help = d.help ? `${d.help} (see ${docsLink(d.code)})` : `see ${docsLink(d.code)}`;
  out.push(`${pad} ${c.blue("=")} ${c.bold("help")}: ${help}`);
  if (d.fix) out.push(`${pad} ${c.blue("=")} ${c.bold("fix")}: ${d.fix.title}`);
  return out.join("\n") + "\n";
}

function snippet(
  lines: LineIndex,
  line: number,
  character: number,
  end: { line: number; character: number },
  width: number,
  c: Colors,
  mark: (s: string) => string,
  label: string,
): string[] {
  const text = lines.lineText(line);
  const num = String(line + 1).padStart(width);
  const endChar = end.line === line ? end.character : text.length;
  const carets = "^".repeat(Math.max(1, endChar - character));
  // tabs keep their width under the caret line so the carets line up
  const lead = text.slice(0, character).replace(/[^\t]/g, " ");
  return [`${c.blue(`${num} |`)} ${text}`, `${" ".repeat(width)} ${c.blue("|")} ${lead}${mark(carets)}${label ? " " + mark(label) : ""}`];
}

export function summaryLine(errors: number, warnings: number, files: number, c: Colors): string {
  const e = `${errors} error${errors === 1 ? "" : "s"}`;
  const w = `${warnings} warning${warnings === 1 ? "" : "s"}`;
  const f = `${files} file${files === 1 ? "" : "s"}`;
  return `${errors ? c.red(e) : e}, ${warnings ? c.yellow(w) : w} in ${f}`;
}
