import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The project's directory: the nearest one above this module holding package.json. Found, not written
 * as a path relative to this file, because the same code runs from two places: its sources (tests, tsx)
 * and the bundle `npm start` runs (dist/server.mjs, scripts/build.ts), one file at another depth.
 */
const ROOT = (() => {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
  }
})();

/** A file or directory of the project (web pages, migrations, sources bundled for the browser). */
export const projectPath = (...segments: string[]): string => join(ROOT, ...segments);
