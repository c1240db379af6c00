/**
 * Pages behind the links Parley hands out (accept an invitation, reset a password), asking for a reset link, and
 * changing one's own password. The first three work signed out; each sets the session the server answers with.
 */
import {
  invitationAcceptInput,
  invitationSignUpInput,
  passwordChangeInput,
  passwordResetInput,
  passwordResetRequestInput,
} from "@parley/contracts";
import { type RouteSectionProps, useNavigate } from "@solidjs/router";
import { createResource, createSignal, Match, Show, Switch } from "solid-js";
import { acceptInvitation, fetchInvitation, fetchPasswordReset, requestPasswordReset, resetPassword } from "../../api";
import { useAuth } from "../../auth";
import { createForm, FormAlert, SubmitButton, TextField } from "../../components/form";
import { Card, Page, SignedOutPage } from "../../components/page";
import { toUiError } from "../../errors";
import { formatDateTime } from "../../format";
import { homeFor, roleLabels } from "../../roles";
import { trpc } from "../../trpc";

function useEnter() {
  const auth = useAuth();
  const navigate = useNavigate();
  return (me: Parameters<typeof auth.signedIn>[0]) => {
    auth.signedIn(me);
    navigate(me.current ? homeFor(me.current.role) : "/", { replace: true });
  };
}

function LinkProblem(props: { error: unknown }) {
  return (
    <>
      <div class="alert alert--error" role="alert">
        {toUiError(props.error).message}
      </div>
      <p>
        <a href="/sign-in">Go to sign-in</a>
      </p>
    </>
  );
}

export function AcceptInvitationPage(props: RouteSectionProps) {
  const enter = useEnter();
  const token = () => props.params.token ?? "";
  const [found] = createResource(token, fetchInvitation);
  const signUp = createForm({
    initial: { name: "", password: "" },
    labels: { name: "Your name", password: "Choose a password" },
    schema: invitationSignUpInput,
    toInput: (values) => ({ token: token(), name: values.name || found()?.invitation.name, password: values.password }),
  });
  const signIn = createForm({
    initial: { password: "" },
    labels: { password: "Your Parley password" },
    schema: invitationAcceptInput,
    toInput: (values) => ({ token: token(), password: values.password }),
  });
  const join = createForm({
    initial: {},
    labels: {},
    schema: invitationAcceptInput,
    toInput: () => ({ token: token() }),
  });
  return (
    <SignedOutPage title="Join an agency">
      <Switch>
        <Match when={found.error}>
          <LinkProblem error={found.error} />
        </Match>
        <Match when={found()}>
          {(shown) => (
            <>
              <p>
                You are invited to <strong>{shown().invitation.agencyName}</strong> as{" "}
                {roleLabels[shown().invitation.role]} ({shown().invitation.email}). The link works until{" "}
                {formatDateTime(shown().invitation.expiresAt)}.
              </p>
              <Switch>
                <Match when={shown().invitation.account === "new"}>
                  <form
                    class="form"
                    noValidate
                    aria-label="Create your account"
                    onSubmit={signUp.handleSubmit(async (input) => enter(await acceptInvitation(input)))}
                  >
                    <FormAlert message={signUp.formError()} />
                    <TextField field={signUp.field("name")} autocomplete="name" />
                    <TextField field={signUp.field("password")} type="password" autocomplete="new-password" />
                    <SubmitButton busy={signUp.submitting()} label="Create account and join" busyLabel="Joining…" />
                  </form>
                </Match>
                <Match when={shown().signedInAsInvitee}>
                  <form
                    class="form"
                    noValidate
                    aria-label="Accept the invitation"
                    onSubmit={join.handleSubmit(async (input) => enter(await acceptInvitation(input)))}
                  >
                    <FormAlert message={join.formError()} />
                    <SubmitButton busy={join.submitting()} label="Accept and join" busyLabel="Joining…" />
                  </form>
                </Match>
                <Match when={true}>
                  <form
                    class="form"
                    noValidate
                    aria-label="Sign in to accept"
                    onSubmit={signIn.handleSubmit(async (input) => enter(await acceptInvitation(input)))}
                  >
                    <p class="muted">You already have a Parley account: sign in to accept.</p>
                    <FormAlert message={signIn.formError()} />
                    <TextField field={signIn.field("password")} type="password" autocomplete="current-password" />
                    <SubmitButton busy={signIn.submitting()} label="Sign in and join" busyLabel="Joining…" />
                  </form>
                </Match>
              </Switch>
            </>
          )}
        </Match>
      </Switch>
    </SignedOutPage>
  );
}

export function ResetPasswordPage(props: RouteSectionProps) {
  const enter = useEnter();
  const token = () => props.params.token ?? "";
  const [found] = createResource(token, fetchPasswordReset);
  const form = createForm({
    initial: { password: "" },
    labels: { password: "New password" },
    schema: passwordResetInput,
    toInput: (values) => ({ token: token(), password: values.password }),
  });
  return (
    <SignedOutPage title="Choose a new password">
      <Switch>
        <Match when={found.error}>
          <LinkProblem error={found.error} />
        </Match>
        <Match when={found()}>
          {(shown) => (
            <form
              class="form"
              noValidate
              aria-label="Choose a new password"
              onSubmit={form.handleSubmit(async (input) => enter(await resetPassword(input)))}
            >
              <p>
                For {shown().reset.email}. Every session of this account ends, and you are signed in with the new
                password.
              </p>
              <FormAlert message={form.formError()} />
              <TextField field={form.field("password")} type="password" autocomplete="new-password" />
              <SubmitButton busy={form.submitting()} label="Set password" busyLabel="Saving…" />
            </form>
          )}
        </Match>
      </Switch>
    </SignedOutPage>
  );
}

export function ForgotPasswordPage() {
  const form = createForm({ initial: { email: "" }, labels: { email: "E-mail" }, schema: passwordResetRequestInput });
  const [sent, setSent] = createSignal<"emailed" | "no-mail" | null>(null);
  return (
    <SignedOutPage title="Forgot your password?">
      <Show
        when={sent()}
        fallback={
          <form
            class="form"
            noValidate
            aria-label="Ask for a reset link"
            onSubmit={form.handleSubmit(async (input) => {
              const answer = await requestPasswordReset(input.email);
              setSent(answer.emailed ? "emailed" : "no-mail");
            })}
          >
            <FormAlert message={form.formError()} />
            <TextField field={form.field("email")} type="email" autocomplete="username" spellcheck={false} />
            <SubmitButton busy={form.submitting()} label="Send me a link" busyLabel="Sending…" />
          </form>
        }
      >
        <div class="alert alert--info" role="status">
          {sent() === "emailed"
            ? "If that address has a Parley account, a reset link is on its way. It works once, within the hour."
            : "This Parley sends no e-mail: ask an owner of your agency for a reset link."}
        </div>
      </Show>
      <p>
        <a href="/sign-in">Back to sign-in</a>
      </p>
    </SignedOutPage>
  );
}

export function ChangePasswordPage() {
  const form = createForm({
    initial: { currentPassword: "", newPassword: "" },
    labels: { currentPassword: "Current password", newPassword: "New password" },
    schema: passwordChangeInput,
  });
  const [done, setDone] = createSignal(false);
  return (
    <Page title="Change password" lead="Your other sessions end when you change it; this one stays.">
      <Card title="Change password">
        <Show when={done()}>
          <div class="alert alert--info" role="status">
            Password changed. You are signed out everywhere else.
          </div>
        </Show>
        <form
          class="form"
          noValidate
          aria-label="Change password"
          onSubmit={form.handleSubmit(async (input) => {
            await trpc.me.changePassword.mutate(input);
            form.reset({});
            setDone(true);
          })}
        >
          <FormAlert message={form.formError()} />
          <TextField field={form.field("currentPassword")} type="password" autocomplete="current-password" />
          <TextField field={form.field("newPassword")} type="password" autocomplete="new-password" />
          <SubmitButton busy={form.submitting()} label="Change password" busyLabel="Saving…" />
        </form>
      </Card>
    </Page>
  );
}
