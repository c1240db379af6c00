import { loginInput } from "@parley/contracts";
import { Show } from "solid-js";
import { signIn } from "../api";
import { useAuth } from "../auth";
import { createForm, FormAlert, SubmitButton, TextField } from "../components/form";
import { SignedOutPage } from "../components/page";
import { toUiError } from "../errors";

export function SignInPage() {
  const auth = useAuth();
  const form = createForm({
    initial: { email: "", password: "" },
    labels: { email: "E-mail", password: "Password" },
    schema: loginInput,
  });

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
    <SignedOutPage title="Sign in">
      <p class="muted">Moderation, escalations and SLAs for the brands you look after.</p>
      <Show when={auth.notice()}>
        {(notice) => (
          <div class="alert alert--info" role="status">
            {notice()}
          </div>
        )}
      </Show>
      <form class="form" noValidate aria-label="Sign in" onSubmit={submit}>
        <FormAlert message={form.formError()} />
        <TextField field={form.field("email")} type="email" autocomplete="username" spellcheck={false} />
        <TextField field={form.field("password")} type="password" autocomplete="current-password" />
        <SubmitButton busy={form.submitting()} label="Sign in" busyLabel="Signing in…" class="button--block" />
      </form>
      <p class="muted">
        <a href="/forgot-password">Forgot your password?</a>
      </p>
    </SignedOutPage>
  );
}
