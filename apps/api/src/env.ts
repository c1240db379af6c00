import { z } from "zod";

const port = z.coerce.number().int().min(1).max(65535);
const postgresUrl = z
  .string()
  .refine((value) => /^postgres(ql)?:\/\//.test(value), { message: "must be a postgres:// URL" });

export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: port.default(3000),
  /** Owner connection: migrations and seeding. Unset: an embedded PostgreSQL under DATA_DIR/pg. */
  DATABASE_URL: postgresUrl.optional(),
  /** Connection as the app role (parley_app). Unset: derived from DATABASE_URL, with a password set at start-up. */
  DATABASE_APP_URL: postgresUrl.optional(),
  /** Folder for the embedded database and the generated local APP_SECRET. */
  DATA_DIR: z.string().min(1).default(".data"),
  /** Key material for encrypting channel secrets and credentials. Required in production. */
  APP_SECRET: z.string().min(32, { message: "must be at least 32 characters" }).optional(),
  /** Password of the demo users the seed creates. */
  DEMO_PASSWORD: z.string().min(8, { message: "must be at least 8 characters" }).default("parley-demo"),
  /** Honour X-Forwarded-Proto / X-Forwarded-For from a reverse proxy. */
  TRUST_PROXY: z
    .enum(["0", "1", "true", "false"])
    .default("0")
    .transform((value) => value === "1" || value === "true"),
  /** Skip seeding the demo agency on an empty database. */
  SEED_DEMO: z
    .enum(["0", "1", "true", "false"])
    .default("1")
    .transform((value) => value === "1" || value === "true"),
});

export type Env = z.infer<typeof envSchema>;

/** Parses the environment once; the error message names every bad variable on one line. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`).join("; ");
    throw new Error(`Invalid environment: ${problems}`);
  }
  if (result.data.NODE_ENV === "production" && !result.data.APP_SECRET) {
    throw new Error("Invalid environment: APP_SECRET is required in production");
  }
  return result.data;
}
