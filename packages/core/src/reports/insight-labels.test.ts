import { describe, expect, it } from "vitest";
import { classifyInsight, type InsightLabel, insightLabels } from "./insight-labels";
import { insightHeldOutSample, insightSample, type LabelledComment, labelsOf } from "./insight-sample.fixture";

interface Score {
  label: InsightLabel;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
}

function printScores(name: string, sample: readonly LabelledComment[]): Score[] {
  const { scores, misses } = scoreSample(sample);
  const table = scores.map(
    (score) =>
      `${score.label.padEnd(17)} precision ${score.precision.toFixed(3)} recall ${score.recall.toFixed(3)} ` +
      `(tp ${score.truePositives}, fp ${score.falsePositives}, fn ${score.falseNegatives})`,
  );
  console.log(
    `insight labels, ${name} (${sample.length} comments):\n${table.join("\n")}\nmisread:\n${misses.join("\n")}`,
  );
  return scores;
}

function scoreSample(sample: readonly LabelledComment[]): { scores: Score[]; misses: string[] } {
  const misses: string[] = [];
  const scores = insightLabels.map((label) => ({ label, truePositives: 0, falsePositives: 0, falseNegatives: 0 }));
  for (const entry of sample) {
    const expected = labelsOf(entry);
    const { labels, evidence } = classifyInsight(entry[1]);
    const found = new Set(labels);
    for (const score of scores) {
      const want = expected.has(score.label);
      const got = found.has(score.label);
      if (want && got) score.truePositives++;
      if (!want && got) score.falsePositives++;
      if (want && !got) score.falseNegatives++;
    }
    if ([...expected].sort().join(" ") !== [...found].sort().join(" ")) {
      misses.push(
        `${entry[0]} ${JSON.stringify(entry[1])}: want [${entry[2]}] got [${labels}] ${JSON.stringify(evidence)}`,
      );
    }
  }
  return {
    misses,
    scores: scores.map((score) => ({
      ...score,
      precision: score.truePositives / Math.max(1, score.truePositives + score.falsePositives),
      recall: score.truePositives / Math.max(1, score.truePositives + score.falseNegatives),
    })),
  };
}

describe("insight labels on the hand-labelled sample", () => {
  it("holds at least 200 comments in each of EN, FR, DE and ES", () => {
    expect(insightSample.length).toBeGreaterThanOrEqual(200);
    for (const language of ["en", "fr", "de", "es"]) {
      expect(insightSample.filter((entry) => entry[0] === language).length).toBeGreaterThanOrEqual(45);
    }
  });

  it("labels thanks with precision ≥ 0.95 and the others with precision ≥ 0.85 (figures printed)", () => {
    const scores = printScores("sample the rules were written with", insightSample);
    for (const score of scores) {
      expect(score.precision, score.label).toBeGreaterThanOrEqual(score.label === "thanks" ? 0.95 : 0.85);
      expect(score.recall, score.label).toBeGreaterThanOrEqual(0.8);
    }
  });
});

describe("insight labels on the held-out sample", () => {
  // Measured when written (never tuned against): precision 1.0 for every label but thanks (0.87: "oh thanks, very
  // helpful... not" and "danke für nix" read as gratitude); recall 1.0 for thanks, 0.67 dissatisfied, 0.44 product
  // feedback, 0.15 purchase intent, 0.11 satisfied. The labels are reliable when they fire and miss many phrasings:
  // counts are lower bounds, the gratitude index the one figure to trust.
  it("keeps precision ≥ 0.85 for every label and recall ≥ 0.9 for thanks on comments it was not written against", () => {
    const scores = printScores("held-out sample", insightHeldOutSample);
    for (const score of scores) expect(score.precision, score.label).toBeGreaterThanOrEqual(0.85);
    expect(scores.find((score) => score.label === "thanks")?.recall).toBeGreaterThanOrEqual(0.9);
  });
});

describe("gratitude is told from sarcasm, refusal and politeness", () => {
  it.each([
    ["Thank you so much!", true],
    ["Merci beaucoup !", true],
    ["Vielen Dank!", true],
    ["¡Muchas gracias!", true],
    ["Thanks for nothing", false],
    ["Merci pour rien", false],
    ["Danke für nichts", false],
    ["Gracias por nada", false],
    ["No thanks", false],
    ["Non merci", false],
    ["Nein danke", false],
    ["No gracias", false],
    ["Thanks in advance", false],
    ["Merci d'avance", false],
    ["Danke im Voraus", false],
    ["Gracias de antemano", false],
    ["Thanks to you my parcel is lost", false],
    ["De nada", false],
  ])("%s → thanks: %s", (text, thanks) => {
    expect(classifyInsight(text).labels.includes("thanks")).toBe(thanks);
  });

  it("names the phrase behind each label", () => {
    expect(classifyInsight("Danke, bestelle ich gleich").evidence).toEqual({
      purchase_intent: "bestelle ich gleich",
      thanks: "danke",
    });
  });
});
