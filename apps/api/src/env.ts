import { parseOutboundAllowlist } from "@parley/contracts";
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
  /**
   * How many reverse proxies in front of the app to trust: the client's address is taken that many entries from
   * the right of X-Forwarded-For (each proxy appends the address it saw), and X-Forwarded-Proto is honoured.
   * 0: both headers are ignored. `true`/`false` are read as 1/0.
   */
  TRUST_PROXY: z
    .string()
    .default("0")
    .refine((value) => /^(\d{1,2}|true|false)$/.test(value), { message: "must be a number of proxy hops (0, 1, 2…)" })
    .transform((value) => (value === "true" ? 1 : value === "false" ? 0 : Number(value))),
  /**
   * The address people reach Parley at (`https://parley.example.com`): the session cookie is `Secure` when it is
   * https, the CSRF check compares each Origin's scheme, host and port with it, and links in invitations and
   * password resets point at it. Unset: the request's own origin.
   */
  PUBLIC_URL: z
    .url({ protocol: /^https?$/, message: "must be an http(s) URL such as https://parley.example.com" })
    .refine((value) => new URL(value).pathname === "/" && !new URL(value).search && !new URL(value).hash, {
      message: "must be an origin only (scheme, host, port), without a path",
    })
    .transform((value) => new URL(value).origin)
    .optional(),
  /**
   * Outbound addresses a tenant may point Parley at although they are plain `http:` or private (loopback, private
   * ranges, link-local, metadata…): comma-separated host names, IP addresses or CIDR ranges. For tests and local
   * fakes; empty in production.
   */
  OUTBOUND_ALLOWLIST: z
    .string()
    .default("")
    .transform((value, ctx) => {
      const parsed = parseOutboundAllowlist(value);
      if (!parsed.ok) {
        ctx.addIssue({ code: "custom", message: parsed.message });
        return z.NEVER;
      }
      return parsed.allowlist;
    }),
  /** Meta Graph API base URL for replies, hides and deletes on Facebook and Instagram. */
  META_GRAPH_BASE_URL: z
    .url({ protocol: /^https?$/, message: "must be an http(s) URL" })
    .default("https://graph.facebook.com/v21.0"),
  /**
   * Where the sandbox platform answers sandbox channels' deliveries: this API itself. Unset:
   * `http://127.0.0.1:$PORT`. Set it when the process cannot reach itself there (several processes behind a proxy).
   */
  SANDBOX_BASE_URL: z.url({ protocol: /^https?$/, message: "must be an http(s) URL" }).optional(),
  /** The sandbox platform's typical answer time (ms): each answer waits between half and one and a half times it. */
  SANDBOX_LATENCY_MS: z.coerce
    .number({ message: "must be a number of milliseconds" })
    .int({ message: "must be a whole number of milliseconds" })
    .min(0, { message: "must be from 0 to 10000" })
    .max(10_000, { message: "must be from 0 to 10000" })
    .default(400),
  /** Stripe secret key: pushing finalized invoices. Unset: push is refused (INVALID_STATE). */
  STRIPE_SECRET_KEY: z.string().min(1).optional(),
  /** Verifies `Stripe-Signature` on POST /webhooks/stripe. */
  STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),
  /** Another Stripe API base URL (a local test server); default https://api.stripe.com. */
  STRIPE_API_BASE: z.url({ protocol: /^https?$/, message: "must be an http(s) URL" }).optional(),
  /** SMTP server for escalation e-mails (`smtp://user:pass@host:port`, `smtps://…`). Unset: in-app notices only. */
  SMTP_URL: z.url({ protocol: /^smtps?$/, message: "must be an smtp:// or smtps:// URL" }).optional(),
  /** Sender of escalation e-mails. */
  SMTP_FROM: z.string().min(3).default("Parley <no-reply@parley.invalid>"),
  /** Inngest mode (with INNGEST_EVENT_KEY to send events); unset with INNGEST_DEV too: the embedded workflow driver. */
  INNGEST_SIGNING_KEY: z.string().min(1).optional(),
  INNGEST_EVENT_KEY: z.string().min(1).optional(),
  /** Inngest mode against a local Inngest Dev Server (no signatures). */
  INNGEST_DEV: z
    .enum(["0", "1", "true", "false"])
    .default("0")
    .transform((value) => value === "1" || value === "true"),
  /** A self-hosted Inngest server. */
  INNGEST_BASE_URL: z.url({ protocol: /^https?$/, message: "must be an http(s) URL" }).optional(),
  /** How often the embedded workflow driver polls its due wake-ups (ms); tests shorten it. */
  WORKFLOW_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(1_000),
  /** How often spike detection looks at every client's incoming rate (ms); tests shorten it. */
  SPIKE_WATCH_MS: z.coerce.number().int().min(100).max(3_600_000).default(5_000),
  /** Skip seeding the demo agency on an empty database. */
  SEED_DEMO: z
    .enum(["0", "1", "true", "false"])
    .default("1")
    .transform((value) => value === "1" || value === "true"),
  /** Lowest level written to the log (JSON lines on stdout; human-readable outside production). */
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Bearer token of `GET /metrics` (Prometheus text). Unset: /metrics answers 404. */
  METRICS_TOKEN: z.string().min(16, { message: "must be at least 16 characters" }).optional(),
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
