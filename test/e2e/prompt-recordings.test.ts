import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { readWav, toneWav } from "../../src/recordings/wav-audio.js";
import { startCallCenter, type CallCenter } from "../support/call-center.js";
import { TEST_ADMIN_TOKEN } from "../support/hotline-fixture.js";

// Staff record the prompts Twilio cannot speak: by phone or by upload, heard by callers only once approved.
let cc: CallCenter;
let agentToken: string;
beforeAll(async () => {
  cc = await startCallCenter();
  const agent = await cc.api("POST", "/api/agents", { body: { name: "Agent", languages: ["km"], endpoint: "client:recagent" } });
  agentToken = agent.body.token;
});
afterAll(async () => cc.stopAll());

const SUPERVISOR_PHONE = "+66891230001";

async function upload(prompt: string, language: string, body: Buffer | string, opts: { token?: string; type?: string } = {}) {
  const res = await fetch(`${cc.baseUrl}/api/recordings?prompt=${prompt}&language=${language}`, {
    method: "POST",
    headers: { authorization: `Bearer ${opts.token ?? TEST_ADMIN_TOKEN}`, "content-type": opts.type ?? "audio/wav" },
    body: typeof body === "string" ? body : new Uint8Array(body),
  });
  return { status: res.status, body: await res.json() };
}
const recordings = async () => (await cc.api("GET", "/api/recordings")).body.recordings as Array<{ id: number; prompt: string; language: string; status: string; source: string; durationMs: number }>;
const coverageOf = async (language: string, prompt: string) => {
  const report = (await cc.api("GET", "/api/recordings/coverage")).body as { prompts: Array<{ prompt: string; language: string; how: string; drafts: number[] }>; fallback: Record<string, string[]> };
  return { cell: report.prompts.find((p) => p.language === language && p.prompt === prompt)!, fallback: report.fallback };
};

/** A first-time Khmer caller up to the main menu: everything they heard. */
async function khmerMainMenuIntro(from: string) {
  const call = await cc.callIn(from, ["3"]);
  const heard = call.transcript.slice();
  await call.hangup();
  await cc.settle();
  return heard;
}

describe("recording a prompt by phone", () => {
  it("ends with a draft that callers hear only after a supervisor approves it; pressing 2 records again", async () => {
    const phone = cc.carrier.endpoint(SUPERVISOR_PHONE).setMode("answer");
    const started = await cc.api("POST", "/api/recordings/sessions", { body: { prompt: "main-menu-intro", language: "km", phone: SUPERVISOR_PHONE } });
    expect(started.status).toBe(201);
    await cc.settle();
    const call = phone.calls[0]!;
    await call.waitFor("record");
    // Khmer has no Twilio voice: told the text is on screen, then the beep.
    expect(call.transcript.map((p) => p.verb)).toEqual(["say", "say", "beep"]);
    expect(call.heard()[0]).toMatch(/shown on the recordings page/);

    await cc.clock.advance(3_000);
    call.press("#");
    await cc.settle();
    const [firstTake] = cc.carrier.recordings();
    expect(call.transcript.at(-2)).toMatchObject({ verb: "play", url: `${cc.carrier.url}/2010-04-01/Accounts/${cc.carrier.accountSid}/Recordings/${firstTake!.sid}`, during: "gather" });

    call.press("2");
    await cc.settle();
    await call.waitFor("record");
    await cc.clock.advance(5_000);
    call.press("#");
    await cc.settle();
    expect(cc.carrier.recordings()).toHaveLength(2);
    call.press("1");
    await cc.settle();
    expect(call.status).toBe("completed");

    const session = (await cc.api("GET", `/api/recordings/sessions/${started.body.id}`)).body;
    expect(session).toMatchObject({ status: "kept", takes: 2, recording: { prompt: "main-menu-intro", language: "km", status: "draft", source: "phone", durationMs: 5000 } });
    const id = session.recordingId as number;
    // The kept take is the second one, fetched from the carrier and stored as 8 kHz mono.
    const draftAudio = Buffer.from(await (await fetch(`${cc.baseUrl}/api/recordings/${id}/audio`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } })).arrayBuffer());
    expect(readWav(draftAudio)).toMatchObject({ sampleRate: 8000, channels: 1, durationMs: 5000 });

    // Before approval: the Khmer caller still hears Thai, and the recording is not public.
    const before = await khmerMainMenuIntro("+66812223344");
    expect(before.some((p) => p.url?.includes("/audio/recorded/"))).toBe(false);
    const intro = (heard: typeof before) => heard.findIndex((p) => p.verb === "say" && p.text?.startsWith("กรุณาเลือกเรื่อง"));
    expect(intro(before)).toBeGreaterThan(0);
    expect((await fetch(`${cc.baseUrl}/audio/recorded/${id}.wav`)).status).toBe(404);

    expect((await cc.api("POST", `/api/recordings/${id}/approve`)).body).toMatchObject({ id, status: "approved" });
    const after = await khmerMainMenuIntro("+66812223345");
    expect(after.filter((p) => p.url === `${cc.baseUrl}/audio/recorded/${id}.wav`)).toHaveLength(1);
    expect(intro(after)).toBe(-1);
    const served = await fetch(`${cc.baseUrl}/audio/recorded/${id}.wav`);
    expect(served.headers.get("content-type")).toBe("audio/wav");
    expect(Buffer.from(await served.arrayBuffer()).equals(draftAudio)).toBe(true);
    expect((await coverageOf("km", "main-menu-intro")).cell.how).toBe("human");
    // Approving twice is refused: it is no longer a draft.
    expect((await cc.api("POST", `/api/recordings/${id}/approve`)).status).toBe(409);
  });
});

describe("uploading a prompt", () => {
  it("refuses what is not audio, stereo, or longer than 60 s with a 400 naming the problem, storing nothing", async () => {
    const before = (await recordings()).length;
    const notAudio = await upload("welcome", "lo", "hello, this is not a sound", { type: "application/octet-stream" });
    expect(notAudio).toMatchObject({ status: 400, body: { error: "not_audio", message: expect.stringMatching(/not a WAV or MP3/) } });
    const stereo = await upload("welcome", "lo", toneWav(2, { channels: 2 }));
    expect(stereo).toMatchObject({ status: 400, body: { error: "not_mono", message: expect.stringMatching(/2 channels/) } });
    const long = await upload("welcome", "lo", toneWav(61));
    expect(long).toMatchObject({ status: 400, body: { error: "too_long", message: expect.stringMatching(/61\.0 s.*at most 60 s/) } });
    const unknownPrompt = await upload("no-such-prompt", "lo", toneWav(1));
    expect(unknownPrompt.status).toBe(400);
    expect(await recordings()).toHaveLength(before);
  });

  it("turns a good 44.1 kHz WAV into an 8 kHz mono draft that waits for approval", async () => {
    const res = await upload("welcome", "lo", toneWav(2, { sampleRate: 44_100 }));
    expect(res).toMatchObject({ status: 201, body: { prompt: "welcome", language: "lo", status: "draft", source: "upload", format: "wav-pcm16-8k", durationMs: 2000 } });
    const audio = Buffer.from(await (await fetch(`${cc.baseUrl}/api/recordings/${res.body.id}/audio`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } })).arrayBuffer());
    expect(readWav(audio)).toMatchObject({ sampleRate: 8000, channels: 1, durationMs: 2000 });
  });

  it("decodes an MP3 (through sox) into the same 8 kHz mono WAV draft", async () => {
    const mp3 = await new Promise<Buffer>((resolve, reject) => {
      const sox = execFile("sox", ["-t", "wav", "-", "-t", "mp3", "-"], { encoding: "buffer" }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
      sox.stdin!.end(toneWav(3, { sampleRate: 22_050 }));
    });
    expect(mp3.subarray(0, 3).toString("latin1")).not.toBe("RIF");
    const res = await upload("menu-violence", "km", mp3, { type: "audio/mpeg" });
    expect(res).toMatchObject({ status: 201, body: { status: "draft", format: "wav-pcm16-8k" } });
    // MP3 frames pad the ends a little: about 3 s.
    expect(res.body.durationMs).toBeGreaterThan(2900);
    expect(res.body.durationMs).toBeLessThan(3200);
  });
});

describe("coverage", () => {
  it("shows human, machine, voice and fallback per language and prompt, the drafts waiting, and languages that fall back", async () => {
    const draft = await upload("menu-other", "lo", toneWav(1));
    const lo = await coverageOf("lo", "menu-other");
    expect(lo.cell).toEqual({ prompt: "menu-other", language: "lo", how: "fallback:th", text: expect.any(String), drafts: [draft.body.id] });
    expect((await coverageOf("my", "menu-other")).cell.how).toBe("machine");
    expect((await coverageOf("th", "menu-other")).cell.how).toBe("voice");
    expect(lo.fallback.lo).toContain("menu-other");
    expect(lo.fallback.th).toBeUndefined();

    await cc.api("POST", `/api/recordings/${draft.body.id}/approve`);
    const approved = await coverageOf("lo", "menu-other");
    expect(approved.cell).toMatchObject({ how: "human", drafts: [] });
    expect(approved.fallback.lo).not.toContain("menu-other");
  });

  it("flows:check reads approved recordings and drafts from the database, or says it ran without it", async () => {
    // The server's own database, whichever engine it runs on; then one that is not there.
    const url = cc.config.DATABASE_URL;
    const run = (database: "server's" | "missing") => {
      const where = url
        ? { DATABASE_URL: database === "missing" ? url.replace(/\/[^/]*$/, "/no_such_database") : url }
        : { DATABASE_URL: "", DB_FILE: join(cc.dir, database === "missing" ? "missing.db" : "hotline.db") };
      return promisify(execFile)("npx", ["tsx", "scripts/flows-check.ts"], { env: { ...process.env, ...where } });
    };
    // What the server wrote so far is committed before another process reads it.
    await cc.hotline.services.ctx.storage.durable();
    const withDb = (await run("server's")).stdout;
    expect(withDb).toMatch(/^menu-other\s+tts\s+machine\s+→th\s+human\s/m);
    expect(withDb).toMatch(/draft awaiting approval: lo "welcome" #\d+ \(upload, 2\.0 s\)/);
    const without = (await run("missing")).stdout;
    expect(without).toMatch(/ran without the database/);
    expect(without).toMatch(/^menu-other\s+tts\s+machine\s+→th\s+→th\s/m);
  });
});

describe("roles", () => {
  it("agents get 403 on every recording route", async () => {
    const asAgent = (method: string, path: string, body?: unknown) => cc.api(method, path, { token: agentToken, body });
    expect((await asAgent("GET", "/api/recordings")).status).toBe(403);
    expect((await asAgent("GET", "/api/recordings/coverage")).status).toBe(403);
    expect((await asAgent("POST", "/api/recordings/sessions", { prompt: "welcome", language: "km", phone: SUPERVISOR_PHONE })).status).toBe(403);
    expect((await asAgent("POST", "/api/recordings/1/approve")).status).toBe(403);
    expect((await upload("welcome", "km", toneWav(1), { token: agentToken })).status).toBe(403);
  });
});
