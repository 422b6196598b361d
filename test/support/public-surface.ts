import { readFileSync } from "node:fs";

/** The names an entry point declares, split into values and types, each sorted. */
export interface Surface {
  values: string[];
  types: string[];
}

/**
 * Reads the export declarations of an entry-point file. Entry points list every name explicitly
 * (`export { a, type B } from "./x.js"`, `export type * as ns from "./y.js"`); an `export *` that
 * would pass a module's names through unlisted is an error here.
 */
export function declaredSurface(file: string): Surface {
  const text = readFileSync(file, "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/\/\/.*$/gm, "");
  if (/export\s+\*\s+from/.test(text)) throw new Error(`${file} re-exports a whole module with \`export *\`: list its names`);
  const values = new Set<string>();
  const types = new Set<string>();
  for (const m of text.matchAll(/export\s+(type\s+)?\{([^}]*)\}/g)) {
    for (const raw of m[2]!.split(",")) {
      const spec = raw.trim();
      if (!spec) continue;
      const isType = m[1] !== undefined || spec.startsWith("type ");
      const name = spec
        .replace(/^type\s+/, "")
        .split(/\s+as\s+/)
        .pop()!
        .trim();
      (isType ? types : values).add(name);
    }
  }
  for (const m of text.matchAll(/export\s+type\s+\*\s+as\s+(\w+)/g)) types.add(m[1]!);
  for (const m of text.matchAll(/export\s+\*\s+as\s+(\w+)/g)) values.add(m[1]!);
  return { values: [...values].sort(), types: [...types].sort() };
}

/** The value names a loaded module actually exports, sorted. */
export function loadedValues(module: Record<string, unknown>): string[] {
  return Object.keys(module).sort();
}
