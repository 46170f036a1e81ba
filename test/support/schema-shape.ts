import { getTableName, is, type Column } from "drizzle-orm";
import { getTableConfig as pgTableConfig, PgTable } from "drizzle-orm/pg-core";
import { getTableConfig as sqliteTableConfig, SQLiteTable } from "drizzle-orm/sqlite-core";

/**
 * A schema module of either engine as plain lines of text, table by table: what must be the same on
 * both (names, kinds of value, nullability, keys, indexes), and nothing that is the engine's own (its
 * column types, how a default is written).
 */
export function schemaShape(module: Record<string, unknown>): Map<string, string[]> {
  const shape = new Map<string, string[]>();
  for (const table of Object.values(module)) {
    if (is(table, SQLiteTable)) shape.set(getTableName(table), tableLines(sqliteTableConfig(table)));
    else if (is(table, PgTable)) shape.set(getTableName(table), tableLines(pgTableConfig(table)));
  }
  return shape;
}

/** What one schema has and the other lacks, "-" for the first and "+" for the second: empty when they agree. */
export function shapeDifferences(first: Map<string, string[]>, second: Map<string, string[]>): string[] {
  const lines = (shape: Map<string, string[]>) => [...shape].flatMap(([table, facts]) => [`${table}: table`, ...facts.map((f) => `${table}: ${f}`)]);
  const a = lines(first);
  const b = lines(second);
  return [...a.filter((l) => !b.includes(l)).map((l) => `- ${l}`), ...b.filter((l) => !a.includes(l)).map((l) => `+ ${l}`)];
}

/** The parts of getTableConfig that both dialects have, with the same meaning. */
interface TableConfig {
  columns: Column[];
  indexes: { config: { name?: string; columns: unknown[]; unique: boolean; where?: unknown } }[];
  foreignKeys: { reference(): { columns: Column[]; foreignTable: SQLiteTable | PgTable; foreignColumns: Column[] } }[];
  primaryKeys: { columns: Column[] }[];
}

/** A PostgreSQL custom bytea column holds what SQLite's blob in buffer mode holds: the same kind of value. */
const kind = (c: Column) => (c.dataType === "custom" && c.getSQLType() === "bytea" ? "buffer" : c.dataType);

const names = (columns: unknown[]) => columns.map((c) => (c as { name?: string }).name ?? "<expression>").join(", ");

function tableLines(config: TableConfig): string[] {
  const columns = config.columns.map((c) =>
    [
      `column ${c.name} ${kind(c)}`,
      c.notNull && "not null",
      c.primary && "primary key",
      c.isUnique && "unique",
      c.hasDefault && "has default",
      c.enumValues && `one of ${c.enumValues.join("|")}`,
    ]
      .filter(Boolean)
      .join(" "),
  );
  // A partial index is the same index only with the same condition; its SQL text differs by engine, so
  // only its presence is compared here (the Postgres test reads the condition back from the database).
  const indexes = config.indexes.map(({ config: i }) => `${i.unique ? "unique index" : "index"} ${i.name} (${names(i.columns)})${i.where ? " partial" : ""}`);
  const foreignKeys = config.foreignKeys.map((fk) => {
    const ref = fk.reference();
    return `foreign key (${names(ref.columns)}) references ${getTableName(ref.foreignTable)} (${names(ref.foreignColumns)})`;
  });
  const primaryKeys = config.primaryKeys.map((pk) => `primary key (${names(pk.columns)})`);
  return [...columns, ...indexes, ...foreignKeys, ...primaryKeys].sort();
}
