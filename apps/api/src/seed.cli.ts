import { prepareDatabase } from "./bootstrap";
import { describeDemoLogins, seedDemoOnce } from "./demo";
import { parseEnv } from "./env";

const env = parseEnv(process.env);
const database = await prepareDatabase(env);
try {
  const data = await seedDemoOnce(env, database);
  console.log(data ? "Seeded the demo agencies." : "The database already has data; nothing seeded.");
  const logins = describeDemoLogins(env);
  if (logins) console.log(logins);
} finally {
  await database.embedded?.stop();
}
