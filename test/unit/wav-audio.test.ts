import { describe, expect, it } from "vitest";
import { AudioProblem, normaliseAudio } from "../../src/recordings/audio-normaliser.js";
import { readWav, resample, toneWav, WavError, writeWav } from "../../src/recordings/wav-audio.js";

/** A WAV header and data in a given encoding, built by hand: the shapes other tools write. */
function wav(format: number, bits: number, rate: number, data: Buffer, opts: { extensible?: boolean; extraChunk?: boolean } = {}): Buffer {
  const fmt = Buffer.alloc(opts.extensible ? 40 : 16);
  fmt.writeUInt16LE(opts.extensible ? 0xfffe : format, 0);
  fmt.writeUInt16LE(1, 2);
  fmt.writeUInt32LE(rate, 4);
  fmt.writeUInt32LE((rate * bits) / 8, 8);
  fmt.writeUInt16LE(bits / 8, 12);
  fmt.writeUInt16LE(bits, 14);
  if (opts.extensible) fmt.writeUInt16LE(format, 24);
  const chunk = (id: string, body: Buffer) => Buffer.concat([Buffer.from(id, "ascii"), Buffer.from(Uint32Array.of(body.length).buffer), body, Buffer.alloc(body.length % 2)]);
  const body = Buffer.concat([Buffer.from("WAVE"), chunk("fmt ", fmt), ...(opts.extraChunk ? [chunk("LIST", Buffer.from("odd"))] : []), chunk("data", data)]);
  return Buffer.concat([Buffer.from("RIFF"), Buffer.from(Uint32Array.of(body.length).buffer), body]);
}

describe("WAV files", () => {
  it("reads μ-law (as Twilio records), extensible 24-bit PCM after an odd-sized chunk, and 16-bit PCM it wrote itself", () => {
    // μ-law 0xff is silence, 0x80 the loudest positive sample.
    const ulaw = readWav(wav(7, 8, 8000, Buffer.from([0xff, 0x80, 0x00])));
    expect(Array.from(ulaw.samples).map((v) => Math.round(v * 100) / 100)).toEqual([0, 0.98, -0.98]);
    const pcm24 = Buffer.alloc(6);
    pcm24.writeIntLE(4_194_304, 0, 3);
    pcm24.writeIntLE(-8_388_608, 3, 3);
    expect(Array.from(readWav(wav(1, 24, 48_000, pcm24, { extensible: true, extraChunk: true })).samples)).toEqual([0.5, -1]);
    const again = readWav(writeWav(Float32Array.of(0.5, -0.25), 8000));
    expect(again).toMatchObject({ sampleRate: 8000, channels: 1 });
    expect(Array.from(again.samples).map((v) => Math.round(v * 1000) / 1000)).toEqual([0.5, -0.25]);
  });

  it("refuses what it cannot read, saying why", () => {
    expect(() => readWav(Buffer.from("RIFF0000WAVEdata"))).toThrow(WavError);
    expect(() => readWav(wav(2, 4, 8000, Buffer.alloc(10)))).toThrow(/format 2, 4-bit/);
  });

  it("resamples by length and keeps a telephone-band tone's level, while a tone above 4 kHz is filtered down", () => {
    const rate = 44_100;
    const tone = (hz: number) => Float32Array.from({ length: rate }, (_, i) => Math.sin((2 * Math.PI * hz * i) / rate));
    const rms = (s: Float32Array) => Math.sqrt(s.reduce((sum, v) => sum + v * v, 0) / s.length);
    const voice = resample(tone(440), rate, 8000);
    expect(voice.length).toBe(8000);
    expect(rms(voice)).toBeGreaterThan(0.68);
    expect(rms(resample(tone(5_500), rate, 8000))).toBeLessThan(0.35);
  });

  it("normalises an 8-bit 11 kHz upload to 8 kHz 16-bit, and names the problem of a stereo one", async () => {
    const eightBit = wav(1, 8, 11_025, Buffer.alloc(11_025, 200));
    const out = await normaliseAudio(eightBit);
    expect(readWav(out.wav)).toMatchObject({ sampleRate: 8000, channels: 1 });
    expect(out.durationMs).toBe(1000);
    await expect(normaliseAudio(toneWav(1, { channels: 2 }))).rejects.toThrow(AudioProblem);
  });
});
