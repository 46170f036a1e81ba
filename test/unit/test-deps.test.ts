import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

// scripts/test-deps.sh with dpkg-query, id and apt-get replaced by stubs on PATH: every branch runs,
// and nothing on this machine is installed or removed.
const stubs = mkdtempSync(join(tmpdir(), "test-deps-"));
const aptLog = join(stubs, "apt-get.log");
const stub = (name: string, body: string) => {
  writeFileSync(join(stubs, name), `#!/usr/bin/env bash\n${body}\n`);
  chmodSync(join(stubs, name), 0o755);
};
stub("dpkg-query", `for p in $STUB_INSTALLED; do [[ "\${@: -1}" == "$p" ]] && { printf 'install ok installed'; exit 0; }; done; exit 1`);
stub("id", `echo "$STUB_UID"`);
stub("apt-get", `echo "$*" >> "${aptLog}"`);
afterAll(() => rmSync(stubs, { recursive: true, force: true }));

function run(args: string[], env: { installed: string; uid: number }) {
  rmSync(aptLog, { force: true });
  const res = spawnSync("bash", ["scripts/test-deps.sh", ...args], {
    encoding: "utf8",
    env: { ...process.env, PATH: `${stubs}:${process.env.PATH}`, STUB_INSTALLED: env.installed, STUB_UID: String(env.uid) },
  });
  let apt: string[] = [];
  try {
    apt = readFileSync(aptLog, "utf8").trim().split("\n");
  } catch {
    /* apt-get never ran */
  }
  return { code: res.status, stdout: res.stdout, stderr: res.stderr, apt };
}

describe("the test command's Debian packages", () => {
  it("go straight on when everything on the list is installed", () => {
    const res = run([], { installed: "chromium fonts-tlwg-loma postgresql haproxy sox libsox-fmt-mp3", uid: 1000 });
    expect(res).toMatchObject({ code: 0, apt: [] });
    expect(res.stdout).toContain("present: chromium fonts-tlwg-loma postgresql haproxy sox libsox-fmt-mp3");
  });

  it("are installed as root, after refreshing the package lists, only those missing", () => {
    const res = run([], { installed: "chromium postgresql", uid: 0 });
    expect(res.code).toBe(0);
    expect(res.apt).toEqual(["update -q", "install -y -q fonts-tlwg-loma haproxy sox libsox-fmt-mp3"]);
  });

  it("are named with the exact command for anyone else, and the tests do not run", () => {
    const res = run([], { installed: "", uid: 1000 });
    expect(res).toMatchObject({ code: 1, apt: [] });
    expect(res.stderr).toContain("\n  apt-get update && apt-get install -y chromium fonts-tlwg-loma postgresql haproxy sox libsox-fmt-mp3\n");
  });

  it("with --check are only reported, even as root", () => {
    const res = run(["--check", "chromium", "haproxy"], { installed: "chromium", uid: 0 });
    expect(res).toMatchObject({ code: 1, apt: [] });
    expect(res.stderr).toContain("apt-get update && apt-get install -y haproxy\n");
  });
});
