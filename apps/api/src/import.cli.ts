import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { parseItemsCsv } from "@parley/connectors";
import { AppError } from "@parley/contracts";
import { createSecretBox } from "@parley/core/kernel";
import { findIngestChannel, ingestChannelItems } from "@parley/core/moderation";
import { closeDatabase, createDatabase } from "@parley/db";
import { prepareDatabase } from "./bootstrap";
import { parseEnv } from "./env";

/*
 * CSV backfill: `npm run import -- --channel <channel id> file.csv`. The file is validated whole first (any bad
 * cell: nothing stored, every problem listed), then stored through the same use case as live ingest, in
 * batches of 1000 items, each batch one transaction. Idempotent: running it twice stores nothing new.
 */

const usage = "Usage: npm run import -- --channel <channel id> <file.csv>";
const batchSize = 1000;

/**
 * The embedded server `npm start` is running on, if any. Starting our own on the same data directory would
 * stop it (a left-over server is treated as stale), so the import connects to the running one instead.
 */
function runningEmbeddedUrl(dataDir: string): string | undefined {
  const pidFile = path.resolve(dataDir, "pg", "postmaster.pid");
  if (!existsSync(pidFile)) return undefined;
  const [pidLine, , , portLine] = readFileSync(pidFile, "utf8").split("\n");
  const pid = Number.parseInt(pidLine ?? "", 10);
  const port = Number.parseInt(portLine ?? "", 10);
  if (!Number.isInteger(pid) || !Number.isInteger(port)) return undefined;
  try {
    process.kill(pid, 0);
  } catch {
    return undefined;
  }
  return `postgres://postgres:postgres@127.0.0.1:${port}/parley`;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    options: { channel: { type: "string" }, help: { type: "boolean", short: "h" } },
    allowPositionals: true,
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const file = positionals[0];
  if (!values.channel || !file || positionals.length > 1) {
    console.error(usage);
    return 2;
  }
  const items = parseItemsCsv(readFileSync(file, "utf8"), { now: new Date() });
  const env = parseEnv(process.env);
  const database = await prepareDatabase({
    ...env,
    DATABASE_URL: env.DATABASE_URL ?? runningEmbeddedUrl(env.DATA_DIR),
  });
  const db = createDatabase({ url: database.appUrl, max: 2 });
  try {
    const channel = await findIngestChannel(db, values.channel, { secretBox: createSecretBox(database.appSecret) });
    if (!channel) throw new AppError("NOT_FOUND", `Channel ${values.channel} not found`);
    const totals = { received: 0, created: 0, duplicates: 0, edited: 0 };
    for (let start = 0; start < items.length; start += batchSize) {
      const events = items.slice(start, start + batchSize).map((item) => ({ op: "upsert" as const, item }));
      const result = await ingestChannelItems(db, channel, events);
      totals.received += result.received;
      totals.created += result.created;
      totals.duplicates += result.duplicates;
      totals.edited += result.edited;
    }
    console.log(
      `Imported ${totals.received} rows into channel ${channel.id}: ${totals.created} created, ${totals.edited} edited, ${totals.duplicates} already there.`,
    );
    return 0;
  } finally {
    await closeDatabase(db);
    await database.embedded?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof AppError) {
      console.error(`Import failed: ${error.message}`);
      const fields = error.details.fields;
      if (fields) for (const [where, problem] of Object.entries(fields)) console.error(`  ${where}: ${problem}`);
    } else {
      console.error(`Import failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    process.exit(1);
  },
);
