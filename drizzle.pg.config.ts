import { defineConfig } from "drizzle-kit";

// PostgreSQL's migrations, generated from its own schema: `npm run db:generate:pg`.
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema-pg.ts",
  out: "./db/migrations-pg",
});
