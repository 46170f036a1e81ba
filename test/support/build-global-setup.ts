import { buildServer } from "../../scripts/build.js";

/**
 * The tests that start the server in a process of its own run what `npm start` runs, the bundle
 * (dist/server.mjs): built once here, from the sources as they are now.
 */
export default async function setup(): Promise<void> {
  await buildServer();
}
