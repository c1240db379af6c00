import { loginInput } from "@parley/contracts";
import { createUniqueId, Show } from "solid-js";
import { signIn } from "../api";
import { useAuth } from "../auth";
import { createForm, FormAlert, SubmitButton, TextField } from "../components/form";
import { toUiError } from "../errors";

export function SignInPage() {
  const auth = useAuth();
  const headingId = createUniqueId();
  const form = createForm({
    initial: { email: "", password: "" },
    labels: { email: "E-mail", password: "Password" },
    schema: loginInput,
  });
  document.title = "Sign in · Parley";

  const submit = form.handleSubmit(async (input) => {
    try {
      // Signed in, the route moves on to `?next=` or the role's start page (routes.tsx `SignInRoute`).
      auth.signedIn(await signIn(input));
    } catch (err) {
      const info = toUiError(err);
      if (info.code === "LIMIT_EXCEEDED") {
        const wait = info.retryAfterSeconds;
        const when =
          wait === undefined
            ? "in a little while"
            : wait < 90
              ? `in ${wait} seconds`
              : `in ${Math.ceil(wait / 60)} minutes`;
        form.setFormError(`Too many sign-in attempts. Try again ${when}.`);
        return;
      }
      throw err;
    }
  });

  return (
    <div class="signin">
      <main class="signin__panel" aria-labelledby={headingId}>
        <div class="brand brand--large">
          <span class="brand__mark" aria-hidden="true" />
          Parley
        </div>
        <h1 id={headingId} class="signin__title">
          Sign in
        </h1>
        <p class="muted">Moderation, escalations and SLAs for the brands you look after.</p>
        <Show when={auth.notice()}>
          {(notice) => (
            <div class="alert alert--info" role="status">
              {notice()}
            </div>
          )}
        </Show>
        <form class="form" noValidate aria-labelledby={headingId} onSubmit={submit}>
          <FormAlert message={form.formError()} />
          <TextField field={form.field("email")} type="email" autocomplete="username" spellcheck={false} />
          <TextField field={form.field("password")} type="password" autocomplete="current-password" />
          <SubmitButton busy={form.submitting()} label="Sign in" busyLabel="Signing in…" class="button--block" />
        </form>
        <p class="muted">
          <a href="/forgot-password">Forgot your password?</a>
        </p>
      </main>
    </div>
  );
}
