import { bundle, SERVER_BUNDLE } from "../../scripts/build.js";
import { projectPath } from "../../src/project-files.js";

/**
 * The tests that start the server in a process of its own run what `npm start` runs, the bundle
 * (dist/server.mjs): built once here, from the sources as they are now.
 */
export default async function setup(): Promise<void> {
  await bundle(projectPath("src", "server.ts"), SERVER_BUNDLE);
}
