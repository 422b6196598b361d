// vitest global setup: the inbox's browser test drives Debian's chromium through playwright-core (which
// never downloads a browser); a fresh machine gets the package installed here.
import { ensureCommand } from "./debian.js";

export default function setup(): void {
  ensureCommand(["chromium", "/usr/bin/chromium"], ["chromium"]);
}
