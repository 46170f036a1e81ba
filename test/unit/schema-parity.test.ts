import { bigint, integer as pgInteger, pgTable, text as pgText, uniqueIndex as pgUniqueIndex } from "drizzle-orm/pg-core";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import * as sqliteSchema from "../../db/schema.js";
import * as pgSchema from "../../db/schema-pg.js";
import { schemaShape, shapeDifferences } from "../support/schema-shape.js";

describe("the SQLite and PostgreSQL schemas", () => {
  it("have the same tables, columns, keys and indexes", () => {
    const sqlite = schemaShape(sqliteSchema);
    expect([...sqlite.keys()]).toEqual(expect.arrayContaining(["calls", "events", "callbacks", "queue_entries", "users"]));
    // The differences themselves are the failure message: one line per column or index that differs.
    expect(shapeDifferences(sqlite, schemaShape(pgSchema))).toEqual([]);
  });

  it("differ, line by line, when one side changes a column, an index or a table", () => {
    const sqlite = {
      t: sqliteTable("t", { id: integer("id").primaryKey(), at: integer("at").notNull(), note: text("note") }, (t) => [index("t_at_idx").on(t.at)]),
    };
    const pg = {
      t: pgTable("t", { id: pgInteger("id").primaryKey().generatedByDefaultAsIdentity(), at: bigint("at", { mode: "number" }), note: pgText("note") }, (t) => [pgUniqueIndex("t_at_idx").on(t.at)]),
      u: pgTable("u", { id: pgInteger("id").primaryKey() }),
    };
    expect(shapeDifferences(schemaShape(sqlite), schemaShape(pg))).toEqual([
      "- t: column at number not null",
      "- t: index t_at_idx (at)",
      "+ t: column at number",
      "+ t: unique index t_at_idx (at)",
      "+ u: table",
      "+ u: column id number not null primary key",
    ]);
  });
});
