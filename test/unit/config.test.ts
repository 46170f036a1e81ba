import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigError, envSchema, loadConfig } from "../../src/config.js";
import { SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN } from "../../src/simulator-credentials.js";

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

describe("DATABASE_URL", () => {
  it("is a postgres:// or postgresql:// URL, or unset", () => {
    for (const url of ["postgres://hotline:secret@db.example.org:5432/hotline", "postgresql://127.0.0.1/hotline"]) {
      expect(loadConfig({ DATABASE_URL: url }).DATABASE_URL, url).toBe(url);
    }
    expect(loadConfig({ DATABASE_URL: " " }).DATABASE_URL).toBeUndefined();
  });

  it("is named when it is anything else, without repeating a password it carries", () => {
    for (const url of ["mysql://hotline:secret@db.example.org/hotline", "db.example.org:5432", "./data/hotline.db"]) {
      try {
        loadConfig({ DATABASE_URL: url });
        expect.unreachable(url);
      } catch (err) {
        expect((err as Error).message, url).toBe("Invalid configuration:\n  DATABASE_URL: must be a postgres:// or postgresql:// URL");
      }
    }
  });
});

describe("twilio mode is safe to start", () => {
  const account = { TWILIO_ACCOUNT_SID: `AC${"1".repeat(32)}`, TWILIO_AUTH_TOKEN: "a-real-looking-token" };
  const problemsOf = (env: Record<string, string>): string[] => {
    try {
      loadConfig(env);
      return [];
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message.split("\n").slice(1).map((l) => l.trim());
    }
  };

  it("starts with an https origin, or plain http on a loopback host", () => {
    for (const url of ["https://hotline.example.org", "http://127.0.0.1:3000", "http://127.9.8.7", "http://localhost:8080", "http://[::1]:3000"]) {
      expect(loadConfig({ ...account, PUBLIC_BASE_URL: url }).TELEPHONY, url).toBe("twilio");
    }
  });

  it("requires PUBLIC_BASE_URL, whether twilio mode is named or implied by the account", () => {
    for (const env of [account, { ...account, TELEPHONY: "twilio" }]) {
      expect(problemsOf(env)).toEqual([expect.stringMatching(/^PUBLIC_BASE_URL: required when TELEPHONY=twilio/)]);
    }
  });

  it("refuses plain http to a host other machines reach", () => {
    for (const url of ["http://hotline.example.org", "http://10.0.0.5:3000", "http://128.0.0.1", "http://localhost.example.org"]) {
      expect(problemsOf({ ...account, PUBLIC_BASE_URL: url }), url).toEqual([expect.stringMatching(/^PUBLIC_BASE_URL: must be https:\/\//)]);
    }
  });

  it("never accepts the carrier simulator's credentials, and names each bad variable in the one message", () => {
    const problems = problemsOf({ TELEPHONY: "twilio", TWILIO_ACCOUNT_SID: SIMULATOR_ACCOUNT_SID, TWILIO_AUTH_TOKEN: SIMULATOR_AUTH_TOKEN });
    expect(problems.map((p) => p.split(":")[0]).sort()).toEqual(["PUBLIC_BASE_URL", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"]);
    expect(problems.filter((p) => p.includes("simulator"))).toHaveLength(2);
  });

  it("runs the simulator on a non-loopback HOST only when TELEPHONY=simulator is set", () => {
    expect(problemsOf({ HOST: "0.0.0.0" })).toEqual([expect.stringMatching(/^HOST: 0\.0\.0\.0 is not a loopback address; set TELEPHONY=simulator/)]);
    expect(problemsOf({ HOST: "192.168.1.20" })).toHaveLength(1);
    expect(loadConfig({ HOST: "0.0.0.0", TELEPHONY: "simulator" }).TELEPHONY).toBe("simulator");
    for (const host of ["127.0.0.1", "localhost", "::1"]) expect(loadConfig({ HOST: host }).TELEPHONY, host).toBe("simulator");
    expect(loadConfig({ ...account, HOST: "0.0.0.0", PUBLIC_BASE_URL: "https://hotline.example.org" }).TELEPHONY).toBe("twilio");
  });
});
