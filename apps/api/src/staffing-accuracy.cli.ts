/**
 * `npm run staffing:accuracy`: the staffing forecast's error on the last 4 weeks held out, per agency and client,
 * on the database `npm start` uses (the embedded one under DATA_DIR unless DATABASE_URL is set; seeded with the
 * demo when empty). For a fresh demo: `DATA_DIR=$(mktemp -d) npm run staffing:accuracy`.
 */
import { resolveScope } from "@parley/core/agencies";
import { comparedDecays, getForecastAccuracy } from "@parley/core/staffing";
import { closeDatabase, createDatabase, schema, withTenant } from "@parley/db";
import { and, asc, eq } from "drizzle-orm";
import { prepareDatabase } from "./bootstrap";
import { seedDemoOnce } from "./demo";
import { parseEnv } from "./env";

const env = parseEnv(process.env);
const database = await prepareDatabase(env);
const owner = createDatabase({ url: database.ownerUrl, max: 2 });
const app = createDatabase({ url: database.appUrl, max: 2 });
const percent = (share: number | null | undefined) => (share == null ? "—" : `${(share * 100).toFixed(1)} %`);
const utc = (at: Date) => `${at.toISOString().slice(0, 16).replace("T", " ")} UTC`;
try {
  if (await seedDemoOnce(env, database)) console.log("Seeded the demo agencies.");
  const agencies = await owner.select().from(schema.agencies).orderBy(asc(schema.agencies.createdAt));
  for (const agency of agencies) {
    const [lead] = await withTenant(owner, { agencyId: agency.id, clientIds: null }, (tx) =>
      tx
        .select({ userId: schema.memberships.userId })
        .from(schema.memberships)
        .where(and(eq(schema.memberships.agencyId, agency.id), eq(schema.memberships.role, "owner")))
        .limit(1),
    );
    const scope = lead ? await resolveScope(app, { userId: lead.userId, agencyId: agency.id }) : null;
    if (!scope) continue;
    const accuracy = await withTenant(app, { agencyId: agency.id, clientIds: null, userId: scope.actorId }, (tx) =>
      getForecastAccuracy(scope, tx),
    );
    console.log(`\n${agency.name}: forecast error on the ${accuracy.heldOutWeeks} weeks held out`);
    console.log(`  ${utc(accuracy.heldOutFrom)} → ${utc(accuracy.heldOutTo)}; weeks weighted ${accuracy.decay}^age`);
    const others = comparedDecays.filter((decay) => decay !== accuracy.decay);
    const header = [
      "client".padEnd(22),
      "weeks fitted",
      "items",
      "hourly WAPE",
      "daily WAPE",
      "bias",
      "same as last week",
      ...others.map((decay) => `decay ${decay} (hourly)`),
    ];
    console.log(`  ${header.join(" | ")}`);
    for (const client of accuracy.clients) {
      const result = client.accuracy;
      if (!result) {
        console.log(`  ${client.clientName.padEnd(22)} | not enough history`);
        continue;
      }
      const row = [
        client.clientName.padEnd(22),
        String(result.fittedWeeks).padStart(12),
        String(result.actualTotal).padStart(5),
        percent(result.method.hourlyWape).padStart(11),
        percent(result.method.dailyWape).padStart(10),
        percent(result.method.bias).padStart(7),
        percent(result.naive.hourlyWape).padStart(17),
        ...others.map((decay) => percent(client.byDecay.find((entry) => entry.decay === decay)?.hourlyWape)),
      ];
      console.log(`  ${row.join(" | ")}`);
    }
  }
} finally {
  await Promise.all([closeDatabase(owner), closeDatabase(app)]);
  await database.embedded?.stop();
}
