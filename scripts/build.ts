// `npm run build`: the server as one JavaScript file, dist/server.mjs, which `npm start` runs on plain Node.
// Run from its sources through tsx, the server held about 50 MB more (the loader, every module's
// transformed text and source map) and started slower; packages stay in node_modules, imported as they are.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { basename, dirname } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { projectPath } from "../src/project-files.js";

/** Where `npm start` (and the tests and bench that start the server as it does) find it. */
export const SERVER_BUNDLE = projectPath("dist", "server.mjs");

/**
 * Bundles `entry` (a TypeScript module of the project) into `outfile`, with its source map beside it
 * (`node --enable-source-maps` then reports errors at the sources' lines). Written to temporary names
 * and renamed: a process starting meanwhile sees the old bundle or the new one, never half of one.
 */
export async function bundle(entry: string, outfile: string): Promise<void> {
  const { outputFiles } = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    sourcemap: "linked",
    write: false,
    logLevel: "warning",
  });
  mkdirSync(dirname(outfile), { recursive: true });
  const temporary = outputFiles.map((file) => ({ file, to: `${file.path}.${process.pid}.tmp` }));
  for (const { file, to } of temporary) writeFileSync(to, file.contents);
  // The map first: the bundle that names it must never be there without it.
  const mapsFirst = temporary.sort((a, b) => Number(b.file.path.endsWith(".map")) - Number(a.file.path.endsWith(".map")));
  for (const { file, to } of mapsFirst) renameSync(to, file.path);
  if (!outputFiles.some((f) => basename(f.path) === basename(outfile))) throw new Error(`esbuild wrote no ${outfile}`);
}

/** The server's bundle, SERVER_BUNDLE, from src/server.ts as it is now. */
export const buildServer = (): Promise<void> => bundle(projectPath("src", "server.ts"), SERVER_BUNDLE);

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await buildServer();
