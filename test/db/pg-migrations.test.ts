// PostgreSQL only: its migrations and connection. SQLite's are opened by every other test.
import { readFileSync } from "node:fs";
import { eq } from "drizzle-orm";
import { getTableConfig } from "drizzle-orm/pg-core";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openPgDatabase, type PgDb } from "../../db/pg-connection.js";
import * as schema from "../../db/schema-pg.js";
import { startPostgres, type TestPostgres } from "../support/postgres.js";

let server: TestPostgres;
let admin: pg.Client;
const opened: PgDb[] = [];

beforeAll(async () => {
  server = await startPostgres();
  admin = new pg.Client(server.url);
  await admin.connect();
});
afterEach(async () => {
  await Promise.all(opened.splice(0).filter((db) => !db.$client.ended).map((db) => db.$client.end()));
});
afterAll(async () => {
  await admin?.end();
  await server?.stop();
});

/** Each test gets an empty database of its own on the one server. */
let databases = 0;
async function emptyDatabase(): Promise<string> {
  const name = `hotline_${++databases}`;
  await admin.query(`create database ${name}`);
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  return url.toString();
}

async function open(url: string): Promise<PgDb> {
  const db = await openPgDatabase(url);
  opened.push(db);
  return db;
}

/** The tables of db/schema-pg.ts as lines: columns with their nullability, primary keys, indexes. */
function schemaFileShape(): string[] {
  return Object.values(schema).flatMap((table) => {
    const config = getTableConfig(table);
    return [
      ...config.columns.map((c) => `${config.name}.${c.name}${c.notNull ? " not null" : ""}${c.primary ? " primary key" : ""}`),
      ...config.indexes.map(({ config: i }) => {
        const columns = i.columns.map((c) => (c as { name: string }).name).join(", ");
        return `${config.name} ${i.unique ? "unique index" : "index"} ${i.name} (${columns})${i.where ? " partial" : ""}`;
      }),
    ];
  });
}

/** The same lines, as the database has them. */
async function databaseShape(db: PgDb): Promise<string[]> {
  const { rows: columns } = await db.$client.query<{ table_name: string; column_name: string; is_nullable: string; primary: boolean }>(`
    select c.table_name, c.column_name, c.is_nullable, exists (
      select 1 from information_schema.table_constraints t
      join information_schema.key_column_usage k using (constraint_schema, constraint_name)
      where t.constraint_type = 'PRIMARY KEY' and k.table_name = c.table_name and k.column_name = c.column_name
    ) as primary
    from information_schema.columns c where c.table_schema = 'public'`);
  const { rows: indexes } = await db.$client.query<{ tablename: string; indexname: string; indexdef: string }>(
    "select tablename, indexname, indexdef from pg_indexes where schemaname = 'public' and indexname not like '%\\_pkey'",
  );
  return [
    ...columns.map((c) => `${c.table_name}.${c.column_name}${c.is_nullable === "NO" ? " not null" : ""}${c.primary ? " primary key" : ""}`),
    ...indexes.map((i) => {
      const [, unique, columnList] = /^CREATE (UNIQUE )?INDEX \S+ ON \S+ USING btree \(([^)]*)\)/.exec(i.indexdef) ?? [];
      return `${i.tablename} ${unique ? "unique index" : "index"} ${i.indexname} (${columnList})${i.indexdef.includes(" WHERE ") ? " partial" : ""}`;
    }),
  ];
}

/** Every migration in db/migrations-pg, each applied once. */
const MIGRATIONS = (JSON.parse(readFileSync("db/migrations-pg/meta/_journal.json", "utf8")) as { entries: unknown[] }).entries.length;
const migrationsApplied = async (db: PgDb) => Number((await db.$client.query("select count(*) from drizzle.__drizzle_migrations")).rows[0].count);

const call: typeof schema.calls.$inferInsert = {
  sid: "CA1",
  direction: "inbound",
  state: "queued",
  createdAt: 1_767_225_600_123,
  ivrPath: [{ node: "language-menu", at: 1_767_225_600_123, input: "1", language: "th" }],
  holdsLine: true,
};

describe("PostgreSQL migrations", () => {
  it("create every table, column, primary key and index of db/schema-pg.ts", async () => {
    const db = await open(await emptyDatabase());
    const expected = schemaFileShape();
    expect(expected.length).toBeGreaterThan(100);
    expect((await databaseShape(db)).sort()).toEqual(expected.sort());
  });

  it("store a call and an event and read them back: times beyond 32 bits as numbers, JSON as jsonb", async () => {
    const db = await open(await emptyDatabase());
    await db.insert(schema.calls).values(call);
    const [stored] = await db.select().from(schema.calls).where(eq(schema.calls.sid, "CA1"));
    expect(stored).toMatchObject({ ...call, fromRaw: "", priority: "normal", ivrRetries: 0, queuedAt: null });

    const data = { digits: "1", prompt: { th: "กด 1 เพื่อภาษาไทย", en: "press 1" }, retries: [1, 2], none: null };
    const [inserted] = await db.insert(schema.events).values({ at: call.createdAt, type: "call.queued", callSid: "CA1", data }).returning();
    const id = inserted!.id;
    const [event] = await db.select().from(schema.events).where(eq(schema.events.id, id));
    expect(event).toMatchObject({ at: call.createdAt, type: "call.queued", callSid: "CA1", data, dedupeKey: null });
    const { rows } = await db.$client.query("select jsonb_typeof(data) as kind, data #>> '{prompt,th}' as th from events where id = $1", [id]);
    expect(rows).toEqual([{ kind: "object", th: "กด 1 เพื่อภาษาไทย" }]);
  });

  it("keep the partial unique indexes partial: one keyed event per key, one open callback per number", async () => {
    const db = await open(await emptyDatabase());
    const event = { at: 1, type: "status" };
    await db.insert(schema.events).values([event, event, { ...event, dedupeKey: "CA1:completed:3" }]);
    await expect(db.insert(schema.events).values({ ...event, dedupeKey: "CA1:completed:3" })).rejects.toMatchObject({ cause: { code: "23505" } });

    const item = { number: "+66812345678", reason: "overflow", firstMissedAt: 1, lastMissedAt: 1, dueAt: 2 } as const;
    await db.insert(schema.callbacks).values([{ ...item, status: "reached" }, { ...item, status: "unreachable" }, item, { ...item, number: null }, { ...item, number: null }]);
    await expect(db.insert(schema.callbacks).values({ ...item, status: "claimed" })).rejects.toMatchObject({ cause: { code: "23505" } });
  });

  it("are applied once: opening again changes nothing, and closing leaves no connection behind", async () => {
    const url = await emptyDatabase();
    const first = await open(url);
    await first.insert(schema.calls).values(call);
    const shape = await databaseShape(first);
    expect(await migrationsApplied(first)).toBe(MIGRATIONS);
    await first.$client.end();

    const again = await open(url);
    expect(await migrationsApplied(again)).toBe(MIGRATIONS);
    expect(await databaseShape(again)).toEqual(shape);
    expect(await again.select().from(schema.calls)).toMatchObject([call]);
    await again.$client.end();
    // A server process ends a moment after its client said goodbye: polled, not assumed.
    const connections = async () => (await admin.query("select count(*)::int as n from pg_stat_activity where application_name = 'hotline'")).rows[0].n;
    await expect.poll(connections, { timeout: 5_000 }).toBe(0);
  });

  it("let instances start at once on an empty database: one migrates, the others find it done", async () => {
    const url = await emptyDatabase();
    const instances = await Promise.all([open(url), open(url), open(url)]);
    expect(await migrationsApplied(instances[0]!)).toBe(MIGRATIONS);
    expect(await instances[2]!.select().from(schema.calls)).toEqual([]);
  });
});
