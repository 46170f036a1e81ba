import { spawn } from "node:child_process";
import { isWav, readWav, resample, WavError, writeWav, type Pcm } from "./wav-audio.js";

/** What Twilio plays best: telephone audio needs no more, and <Play> starts sooner on a small file. */
export const PLAYBACK_RATE = 8000;
export const MAX_SECONDS = 60;

/** Why an upload cannot be a prompt: `code` for programs, `message` for the person who sent it. */
export class AudioProblem extends Error {
  constructor(
    readonly code: "not_audio" | "unreadable" | "not_mono" | "too_long" | "mp3_unavailable",
    message: string,
  ) {
    super(message);
  }
}

export interface NormalisedAudio {
  wav: Buffer;
  durationMs: number;
}

/** An MP3 starts with an ID3 tag or an MPEG audio frame sync (11 set bits). */
const isMp3 = (b: Buffer) => (b.length >= 3 && b.toString("ascii", 0, 3) === "ID3") || (b.length >= 2 && b[0] === 0xff && (b[1]! & 0xe0) === 0xe0);

/**
 * MP3 is decoded by Debian's sox (with libsox-fmt-mp3): one small, well-known program rather than an
 * MP3 decoder of our own; WAV needs none (src/recordings/wav-audio.ts).
 */
function mp3ToWav(bytes: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sox = spawn("sox", ["-t", "mp3", "-", "-t", "wav", "-e", "signed-integer", "-b", "16", "-"], { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let err = "";
    sox.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    sox.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    sox.on("error", () => reject(new AudioProblem("mp3_unavailable", "this server cannot read MP3 files (sox is not installed): upload a WAV file")));
    sox.on("close", (code) => {
      if (code === 0) return resolve(Buffer.concat(out));
      if (/no handler for file extension|not supported|no handler/i.test(err)) {
        return reject(new AudioProblem("mp3_unavailable", "this server cannot read MP3 files (sox has no MP3 support: libsox-fmt-mp3): upload a WAV file"));
      }
      reject(new AudioProblem("unreadable", "the MP3 file could not be decoded: it may be damaged"));
    });
    // A damaged file can make sox stop reading early: that is its answer, not ours to crash on.
    sox.stdin.on("error", () => {});
    sox.stdin.end(bytes);
  });
}

async function decode(bytes: Buffer): Promise<Pcm> {
  try {
    if (isWav(bytes)) return readWav(bytes);
    if (isMp3(bytes)) return readWav(await mp3ToWav(bytes));
  } catch (err) {
    if (err instanceof WavError) throw new AudioProblem("unreadable", `the audio file could not be read: ${err.message}`);
    throw err;
  }
  throw new AudioProblem("not_audio", "the file is not a WAV or MP3 audio file");
}

/** Checks an upload (readable, mono, at most 60 s) and turns it into 8 kHz mono 16-bit PCM WAV. */
export async function normaliseAudio(bytes: Buffer): Promise<NormalisedAudio> {
  const pcm = await decode(bytes);
  if (pcm.channels !== 1) throw new AudioProblem("not_mono", `the recording has ${pcm.channels} channels: a prompt must be mono (one channel)`);
  if (pcm.durationMs > MAX_SECONDS * 1000) {
    throw new AudioProblem("too_long", `the recording lasts ${(pcm.durationMs / 1000).toFixed(1)} s: a prompt may last at most ${MAX_SECONDS} s`);
  }
  const samples = resample(pcm.samples, pcm.sampleRate, PLAYBACK_RATE);
  return { wav: writeWav(samples, PLAYBACK_RATE), durationMs: Math.round((samples.length * 1000) / PLAYBACK_RATE) };
}
