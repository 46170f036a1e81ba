import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bundle, SERVER_BUNDLE } from "../../scripts/build.js";
import { projectPath } from "../../src/project-files.js";

// What `npm start` runs is the bundle the tests that start a server process run (test/support/child-server.ts).
describe("the server bundle (scripts/build.ts)", () => {
  const dir = mkdtempSync(join(tmpdir(), "hotline-build-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is what npm start runs, on plain Node with source maps, after building it", () => {
    const { scripts } = JSON.parse(readFileSync(projectPath("package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(scripts.build).toBe("tsx scripts/build.ts");
    expect(scripts.start).toBe(`npm run --silent build && exec node --enable-source-maps ${relative(projectPath(), SERVER_BUNDLE)}`);
  });

  it("holds all of the project's own code: what it imports is Node's or a package's, and its source map names the sources", async () => {
    const out = join(dir, "server.mjs");
    await bundle(projectPath("src", "server.ts"), out);
    const code = readFileSync(out, "utf8");
    const specifiers = [...code.matchAll(/^\s*import\s[^"']*["']([^"']+)["']/gm)].map((m) => m[1]!);
    expect(specifiers.length).toBeGreaterThan(10);
    expect(specifiers.filter((s) => s.startsWith(".") || s.startsWith("/"))).toEqual([]);
    expect(code).toContain("//# sourceMappingURL=server.mjs.map");
    const map = JSON.parse(readFileSync(`${out}.map`, "utf8")) as { sources: string[] };
    expect(map.sources.some((s) => s.endsWith("src/server.ts"))).toBe(true);
    // Written whole or not at all: no temporary file is left beside it.
    expect(existsSync(`${out}.${process.pid}.tmp`)).toBe(false);
  });

  it("finds the project's files from the project root (the bundle finds them the same way: the child-server tests run it)", () => {
    expect(existsSync(projectPath("package.json"))).toBe(true);
    expect(existsSync(projectPath("db", "migrations"))).toBe(true);
    expect(existsSync(projectPath("web", "favicon.svg"))).toBe(true);
  });
});
