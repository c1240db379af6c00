// Sign-in with an unknown e-mail against a wrong password for a real user, interleaved in the same run: the two
// must take similar time, or the answer's timing tells a stranger which e-mails have an account. Both go through
// `checkCredentials` (the attempt's reservation, the argon2id check or its decoy, the failure's audit entry) on
// the app's role. Median of each, and their ratio.
// Run: node --import tsx tests/bench/sign-in.bench.ts
import { checkCredentials, hashPassword } from "@parley/auth";
import { AppError } from "@parley/contracts";
import { closeDatabase, createDatabase } from "@parley/db";
import { addBenchMember, describeMachine, percentile, seedBenchAgency, startBenchDatabase } from "./bench-database";

/** Pairs of attempts (one of each), after the warm-up; each from its own address, so no limit applies. */
const PAIRS = 40;
const WARM_UP = 5;
/** Unknown e-mail's median over the wrong password's: within this band either way. */
const MAX_SKEW = 1.25;

const bench = await startBenchDatabase();
let missed = false;
try {
  const agency = await seedBenchAgency(bench, { clients: 1 });
  const owner = createDatabase({ url: bench.ownerUrl, max: 2 });
  const appDb = createDatabase({ url: bench.appUrl, max: 2 });
  try {
    const email = "known@bench.test";
    await addBenchMember(owner, {
      agencyId: agency.agencyId,
      role: "moderator",
      assignments: [],
      login: { email, passwordHash: await hashPassword("the right password") },
    });

    const attempt = async (options: { email: string; ip: string }): Promise<number> => {
      const started = performance.now();
      const failed = await checkCredentials(appDb, { ...options, password: "a wrong guess" }).then(
        () => false,
        (error: unknown) => error instanceof AppError && error.code === "UNAUTHENTICATED",
      );
      if (!failed) throw new Error(`${options.email} was not refused as a wrong sign-in`);
      return performance.now() - started;
    };
    const wrong: number[] = [];
    const unknown: number[] = [];
    for (let pair = 0; pair < WARM_UP + PAIRS; pair++) {
      // Alternate which goes first, so neither always follows the other's writes.
      const first = pair % 2 === 0 ? "wrong" : "unknown";
      const times = { wrong: 0, unknown: 0 };
      for (const kind of first === "wrong" ? (["wrong", "unknown"] as const) : (["unknown", "wrong"] as const)) {
        times[kind] = await attempt({
          email: kind === "wrong" ? email : `nobody-${pair}@bench.test`,
          ip: `198.51.${kind === "wrong" ? 100 : 101}.${pair}`,
        });
      }
      if (pair < WARM_UP) continue;
      wrong.push(times.wrong);
      unknown.push(times.unknown);
    }

    const wrongMs = percentile(wrong, 50);
    const unknownMs = percentile(unknown, 50);
    const ratio = unknownMs / wrongMs;
    missed = ratio > MAX_SKEW || ratio < 1 / MAX_SKEW;
    console.log(describeMachine());
    console.log(`wrong password (baseline): median ${wrongMs.toFixed(1)} ms over ${wrong.length}`);
    console.log(`unknown e-mail:            median ${unknownMs.toFixed(1)} ms over ${unknown.length}`);
    console.log(
      `ratio unknown / wrong: ${ratio.toFixed(2)} (target ${(1 / MAX_SKEW).toFixed(2)}–${MAX_SKEW.toFixed(2)}) ${missed ? "FAIL" : "PASS"}`,
    );
  } finally {
    await closeDatabase(appDb);
    await closeDatabase(owner);
  }
} finally {
  await bench.stop();
}
process.exit(missed ? 1 : 0);
