/** Reading and writing WAV files in TypeScript: enough for what staff upload and what Twilio plays best. */

export interface Pcm {
  sampleRate: number;
  channels: number;
  /** The first channel's samples, -1…1 (uploads with more channels are refused before anyone listens). */
  samples: Float32Array;
  durationMs: number;
}

/** A file that is not a WAV we can read, with the reason in words for the person who uploaded it. */
export class WavError extends Error {}

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_ALAW = 6;
const FORMAT_MULAW = 7;
const FORMAT_EXTENSIBLE = 0xfffe;

export const isWav = (bytes: Buffer) => bytes.length >= 12 && bytes.toString("ascii", 0, 4) === "RIFF" && bytes.toString("ascii", 8, 12) === "WAVE";

/** G.711 μ-law and A-law, as ITU-T G.711 defines them. */
function mulaw(byte: number): number {
  const u = ~byte & 0xff;
  const magnitude = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4);
  return (u & 0x80 ? 0x84 - magnitude : magnitude - 0x84) / 32768;
}
function alaw(byte: number): number {
  const a = byte ^ 0x55;
  const exponent = (a & 0x70) >> 4;
  let magnitude = (a & 0x0f) << 4;
  magnitude = exponent === 0 ? magnitude + 8 : (magnitude + 0x108) << (exponent - 1);
  return (a & 0x80 ? magnitude : -magnitude) / 32768;
}

function sampleReader(format: number, bits: number): ((b: Buffer, at: number) => number) | undefined {
  if (format === FORMAT_PCM && bits === 8) return (b, at) => (b[at]! - 128) / 128;
  if (format === FORMAT_PCM && bits === 16) return (b, at) => b.readInt16LE(at) / 32768;
  if (format === FORMAT_PCM && bits === 24) return (b, at) => b.readIntLE(at, 3) / 8388608;
  if (format === FORMAT_PCM && bits === 32) return (b, at) => b.readInt32LE(at) / 2147483648;
  if (format === FORMAT_FLOAT && bits === 32) return (b, at) => b.readFloatLE(at);
  if (format === FORMAT_MULAW && bits === 8) return (b, at) => mulaw(b[at]!);
  if (format === FORMAT_ALAW && bits === 8) return (b, at) => alaw(b[at]!);
  return undefined;
}

/** Parses a RIFF/WAVE file: PCM 8/16/24/32-bit, 32-bit float, μ-law or A-law. */
export function readWav(bytes: Buffer): Pcm {
  if (!isWav(bytes)) throw new WavError("not a WAV file (no RIFF/WAVE header)");
  let fmt: { format: number; channels: number; sampleRate: number; blockAlign: number; bits: number } | undefined;
  let data: Buffer | undefined;
  for (let at = 12; at + 8 <= bytes.length; ) {
    const id = bytes.toString("ascii", at, at + 4);
    const size = bytes.readUInt32LE(at + 4);
    const body = bytes.subarray(at + 8, Math.min(bytes.length, at + 8 + size));
    if (id === "fmt " && body.length >= 16) {
      let format = body.readUInt16LE(0);
      // WAVE_FORMAT_EXTENSIBLE names the real format in the first two bytes of its sub-format GUID.
      if (format === FORMAT_EXTENSIBLE && body.length >= 26) format = body.readUInt16LE(24);
      fmt = { format, channels: body.readUInt16LE(2), sampleRate: body.readUInt32LE(4), blockAlign: body.readUInt16LE(12), bits: body.readUInt16LE(14) };
    } else if (id === "data") {
      data = body;
    }
    // Chunks are padded to an even length.
    at += 8 + size + (size % 2);
  }
  if (!fmt) throw new WavError("the WAV file has no format chunk");
  if (!data) throw new WavError("the WAV file has no audio data");
  const read = sampleReader(fmt.format, fmt.bits);
  if (!read) throw new WavError(`the WAV file's encoding (format ${fmt.format}, ${fmt.bits}-bit) is not one we can read: use PCM, float, μ-law or A-law`);
  if (fmt.channels < 1 || fmt.sampleRate < 1000 || fmt.sampleRate > 384_000) throw new WavError("the WAV file's header is damaged (channels or sample rate)");
  const frameBytes = fmt.blockAlign || (fmt.bits / 8) * fmt.channels;
  const frames = Math.floor(data.length / frameBytes);
  if (frames === 0) throw new WavError("the WAV file holds no audio");
  const samples = new Float32Array(frames);
  for (let i = 0; i < frames; i++) samples[i] = read(data, i * frameBytes);
  return { sampleRate: fmt.sampleRate, channels: fmt.channels, samples, durationMs: Math.round((frames * 1000) / fmt.sampleRate) };
}

/**
 * To another sample rate: each output sample averages the input samples it covers (a box low-pass, so
 * a 44.1 kHz upload does not alias into the 4 kHz telephone band), or interpolates when going up.
 */
export function resample(samples: Float32Array, from: number, to: number): Float32Array {
  if (from === to) return samples;
  const ratio = from / to;
  const out = new Float32Array(Math.max(1, Math.floor(samples.length / ratio)));
  for (let i = 0; i < out.length; i++) {
    const start = i * ratio;
    if (ratio <= 1) {
      const j = Math.floor(start);
      const frac = start - j;
      out[i] = samples[j]! * (1 - frac) + (samples[Math.min(j + 1, samples.length - 1)] ?? 0) * frac;
      continue;
    }
    const first = Math.floor(start);
    const last = Math.min(samples.length, Math.floor(start + ratio));
    let sum = 0;
    for (let j = first; j < last; j++) sum += samples[j]!;
    out[i] = sum / Math.max(1, last - first);
  }
  return out;
}

/** A mono 16-bit PCM WAV file. */
export function writeWav(samples: Float32Array, sampleRate: number): Buffer {
  const data = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) data.writeInt16LE(Math.round(Math.max(-1, Math.min(1, samples[i]!)) * 32767), i * 2);
  const header = Buffer.alloc(44);
  header.write("RIFF", 0, "ascii");
  header.writeUInt32LE(36 + data.length, 4);
  header.write("WAVE", 8, "ascii");
  header.write("fmt ", 12, "ascii");
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(FORMAT_PCM, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write("data", 36, "ascii");
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/** A tone of the given length (multi-channel when asked): how the built-in carrier's test phone "speaks", and how tests make uploads. */
export function toneWav(seconds: number, opts: { sampleRate?: number; channels?: number; hz?: number } = {}): Buffer {
  const rate = opts.sampleRate ?? 8000;
  const channels = opts.channels ?? 1;
  const frames = Math.round(seconds * rate);
  const data = Buffer.alloc(frames * channels * 2);
  for (let i = 0; i < frames; i++) {
    const v = Math.round(Math.sin((2 * Math.PI * (opts.hz ?? 440) * i) / rate) * 0.3 * 32767);
    for (let c = 0; c < channels; c++) data.writeInt16LE(v, (i * channels + c) * 2);
  }
  const header = writeWav(new Float32Array(0), rate);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(rate * 2 * channels, 28);
  header.writeUInt16LE(2 * channels, 32);
  header.writeUInt32LE(36 + data.length, 4);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}
