import { defaultMaxReplyLength, type Platform } from "@parley/contracts";
import { For, type JSX, Show } from "solid-js";
import { platformLabels } from "../../roles";
import { authorityOptions, type ProtocolDocument } from "./protocol-editor";

const authorityLabel = (authority: string) =>
  authorityOptions.find((option) => option.value === authority)?.label ?? authority;

function Section(props: { title: string; when: boolean; empty: string; children: JSX.Element }) {
  return (
    <>
      <h3 class="playbook__section">{props.title}</h3>
      <Show when={props.when} fallback={<p class="muted">{props.empty}</p>}>
        {props.children}
      </Show>
    </>
  );
}

/** A protocol version, read-only: what stakeholders without admin rights, and every past version, show. */
export function ProtocolDocumentView(props: { document: ProtocolDocument }) {
  const doc = () => props.document;
  return (
    <div class="protocol-view">
      <Section title="Voice" when={doc().voiceGuidelines.length > 0} empty="No voice guidelines.">
        <p class="protocol-view__voice">{doc().voiceGuidelines}</p>
      </Section>
      <Section title="Categories" when={true} empty="">
        <div class="table-wrap">
          <table class="table" aria-label="Categories">
            <thead>
              <tr>
                <th scope="col">Category</th>
                <th scope="col">Priority</th>
                <th scope="col">Authority</th>
                <th scope="col">Matches</th>
              </tr>
            </thead>
            <tbody>
              <For each={doc().categories}>
                {(category) => (
                  <tr>
                    <td class="cell--primary">
                      {category.name} <span class="muted mono">{category.key}</span>
                      <Show when={category.riskFlags.length > 0}>
                        <span class="muted"> · {category.riskFlags.join(", ")}</span>
                      </Show>
                    </td>
                    <td>{category.priority}</td>
                    <td>{authorityLabel(category.authority)}</td>
                    <td>
                      {[
                        ...(category.match.keywords ?? []),
                        ...(category.match.phrases ?? []).map((phrase) => `“${phrase}”`),
                        ...(category.match.patterns ?? []).map((pattern) => `/${pattern}/`),
                      ].join(", ")}
                      <Show when={(category.match.languages ?? []).length > 0}>
                        <span class="muted"> (in {(category.match.languages ?? []).join(", ")})</span>
                      </Show>
                    </td>
                  </tr>
                )}
              </For>
              <tr>
                <td class="cell--primary">
                  Anything else <span class="muted mono">{doc().defaultCategory.key}</span>
                </td>
                <td>{doc().defaultCategory.priority}</td>
                <td>{authorityLabel(doc().defaultCategory.authority)}</td>
                <td class="muted">No category matched</td>
              </tr>
            </tbody>
          </table>
        </div>
      </Section>
      <Section title="Approved answers" when={doc().approvedAnswers.length > 0} empty="No approved answers.">
        <ul class="protocol-view__list">
          <For each={doc().approvedAnswers}>
            {(answer) => (
              <li>
                <strong>{answer.categoryKey}</strong>
                <span class="muted">
                  {" "}
                  ·{" "}
                  {answer.platforms
                    ? answer.platforms.map((platform) => platformLabels[platform]).join(", ")
                    : "every platform"}
                </span>
                <p>{answer.text}</p>
              </li>
            )}
          </For>
        </ul>
      </Section>
      <Section title="Forbidden phrases" when={doc().forbiddenPhrases.length > 0} empty="No forbidden phrases.">
        <ul class="protocol-view__list">
          <For each={doc().forbiddenPhrases}>
            {(entry) => (
              <li>
                <strong>“{entry.phrase}”</strong> <span class="muted">— {entry.reason}</span>
              </li>
            )}
          </For>
        </ul>
      </Section>
      <Section title="Moderation rules" when={doc().moderationRules.length > 0} empty="No moderation rules.">
        <ul class="protocol-view__list">
          <For each={doc().moderationRules}>
            {(rule) => (
              <li>
                {rule.kind.replace("_", " ")} → <strong>{rule.action}</strong>
                <span class="muted">
                  {rule.kind === "profanity" ? ` (${rule.words.length} words)` : ""}
                  {rule.kind === "spam" ? ` (${rule.patterns.length} patterns)` : ""}
                  {rule.kind === "personal_data" ? ` (${rule.personalData.join(", ")})` : ""}
                </span>
              </li>
            )}
          </For>
        </ul>
      </Section>
      <Section
        title="Acknowledgement templates"
        when={doc().acknowledgementTemplates.length > 0}
        empty="No acknowledgement templates."
      >
        <ul class="protocol-view__list">
          <For each={doc().acknowledgementTemplates}>{(template) => <li>{template}</li>}</For>
        </ul>
      </Section>
      <Section
        title="Maximum reply length"
        when={Object.keys(doc().maxReplyLength).length > 0}
        empty="Each platform's default."
      >
        <ul class="protocol-view__list" aria-label="Maximum reply length">
          <For each={Object.entries(doc().maxReplyLength) as Array<[Platform, number]>}>
            {([platform, limit]) => (
              <li>
                {platformLabels[platform]}: <strong>{limit} characters</strong>{" "}
                <span class="muted">(default {defaultMaxReplyLength[platform]})</span>
              </li>
            )}
          </For>
        </ul>
      </Section>
    </div>
  );
}
