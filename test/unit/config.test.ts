import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigError, envSchema, loadConfig } from "../../src/config.js";

describe("configuration", () => {
  it(".env.example lists every setting, each with a comment above it, and its values load", () => {
    const lines = readFileSync(".env.example", "utf8").split("\n");
    const listed = new Map<string, string>();
    lines.forEach((line, i) => {
      const m = /^#?\s?([A-Z][A-Z0-9_]+)=(.*)$/.exec(line);
      if (!m) return;
      expect(lines.slice(0, i).reverse().find((l) => !/^#?\s?[A-Z][A-Z0-9_]+=/.test(l))?.startsWith("#"), `${m[1]} has a comment`).toBe(true);
      if (!line.startsWith("#")) listed.set(m[1]!, m[2]!);
      else listed.set(m[1]!, "");
    });
    expect([...listed.keys()].sort()).toEqual(Object.keys(envSchema.shape).sort());
    const set = Object.fromEntries([...listed].filter(([, v]) => v !== ""));
    expect(() => loadConfig(set)).not.toThrow();
  });

  it("names every bad variable in one message", () => {
    try {
      loadConfig({ PORT: "x", LINES: "-3", REFERRAL_DUE_HOURS: "0" });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      for (const name of ["PORT", "LINES", "REFERRAL_DUE_HOURS"]) expect((err as Error).message).toContain(name);
    }
  });
});
