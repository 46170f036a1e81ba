import type { TestProject } from "vitest/node";
import { startPostgres } from "./postgres.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** The test cluster's superuser URL (database `postgres`); each test file makes a database of its own. */
    pgAdminUrl: string;
  }
}

/** One PostgreSQL cluster for the whole "postgres" project: initdb costs seconds, a database milliseconds. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPostgres();
  project.provide("pgAdminUrl", server.url);
  return () => server.stop();
}
