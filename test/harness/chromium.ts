// Headless Chromium for the UI tests: Debian's /usr/bin/chromium driven by playwright-core
// (pinned in package.json to a version that drives it), a fresh profile per launch, removed at
// close. Outside CI a missing chromium skips with a one-line reason; in CI (.ci/run installs it)
// it never skips.

import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BrowserContext, chromium } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** Why the browser tests cannot run here, or false. */
export function chromiumSkip(): string | false {
  if (existsSync(CHROMIUM) || process.env.CI === "true") return false;
  return "needs Debian's chromium (apt-get install chromium); runs in CI";
}

/** A browser with a fresh --user-data-dir (playwright passes it as the persistent context's directory). */
export async function launchChromium(viewport = { width: 1400, height: 1000 }): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), "ioamkit-chromium-"));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** test-artifacts/ at the repository root (gitignored): screenshots kept for people to look at. */
export function artifactPath(name: string): string {
  const dir = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..", "..", "test-artifacts");
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}
