/**
 * Customer messages with recurring complaints planted among noise, for the topic discovery's tests and its
 * timing: each planted topic is written many ways (paraphrases, order numbers, links, @mentions, emoji), in
 * English or French; the noise is one-off messages that share no salient word with the planted topics.
 */

export type PlantedTopic = "parcel_not_delivered" | "refund_missing" | "app_crash_login";

/**
 * The planted topics' paraphrases, composed: an opening, the complaint's core (where the words the topic shares
 * sit) and a detail, so no two paraphrases need share more than the core; `{n}` becomes an order number.
 */
export const plantedParaphrases: Record<PlantedTopic, { openings: string[]; cores: string[]; details: string[] }> = {
  parcel_not_delivered: {
    openings: ["", "Hi, ", "@brand ", "Seriously, ", "Hello? "],
    cores: [
      "my parcel still hasn't been delivered",
      "parcel not delivered and the tracking is not moving",
      "where is my parcel? tracking says delivered but nothing came",
      "the tracking of my parcel hasn't moved, still not delivered",
      "parcel never delivered",
    ],
    details: ["", ", order #{n}", " 😡", " https://track.example.com/{n}", " since Monday!!!", ". Order {n}"],
  },
  refund_missing: {
    openings: ["", "Bonjour, ", "@marque ", "Franchement, ", "Encore une fois : "],
    cores: [
      "toujours pas reçu mon remboursement",
      "remboursement jamais reçu",
      "j'attends mon remboursement",
      "quand vais-je recevoir le remboursement de ma commande ?",
      "aucun remboursement sur mon compte",
      "mon remboursement n'est toujours pas arrivé",
    ],
    details: [
      "",
      " (commande {n})",
      " 😤",
      " depuis trois semaines",
      ", c'est inadmissible",
      " après le retour du colis",
    ],
  },
  app_crash_login: {
    openings: ["", "Hey, ", "Ugh, ", "@brand "],
    cores: [
      "the app crashes every time I log in",
      "app keeps crashing at login",
      "login crashes the app",
      "your app crashed again when logging in",
      "can't log in, the app just crashes",
    ],
    details: ["", " on my Android phone", " since the last update", " 🙄", ", please fix"],
  },
};

/** Small deterministic generator (mulberry32), so every run plants the same texts. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const syllables = "ka lo mi ne ru sa ti vo ze bu da fe gi ho ju ly pe qu ra so".split(" ");

/** A made-up word of three to four syllables: noise that no other message repeats. */
function noiseWord(random: () => number): string {
  const length = 4 + Math.floor(random() * 2);
  let word = "";
  for (let i = 0; i < length; i++) word += syllables[Math.floor(random() * syllables.length)];
  return word;
}

const noiseFrames = [
  "{w} {w} the {w}, so {w}!",
  "Is the {w} {w} or {w}?",
  "{w} et {w} avec le {w} ?",
  "Ist der {w} auch in {w}?",
  "¿{w} {w} en la {w}?",
  "{w} my {w} {w} {w}",
  "le {w} de {w}, {w} {w} !",
];

/** A one-off message: a frame with made-up words. */
export function noiseText(random: () => number): string {
  const frame = noiseFrames[Math.floor(random() * noiseFrames.length)] ?? "{w}";
  return frame.replace(/\{w\}/g, () => noiseWord(random));
}

/** A paraphrase of a planted topic, with an order number. */
export function plantedText(topic: PlantedTopic, random: () => number): string {
  const { openings, cores, details } = plantedParaphrases[topic];
  const pick = (parts: string[]) => parts[Math.floor(random() * parts.length)] ?? "";
  const text = `${pick(openings)}${pick(cores)}${pick(details)}`;
  return text.replace(/\{n\}/g, () => String(100000 + Math.floor(random() * 900000)));
}

/** `counts` planted messages per topic and `noise` one-off ones, shuffled. */
export function plantedMessages(
  counts: Partial<Record<PlantedTopic, number>>,
  noise: number,
  seed = 7,
): Array<{ text: string; topic: PlantedTopic | null }> {
  const random = seededRandom(seed);
  const messages: Array<{ text: string; topic: PlantedTopic | null }> = [];
  for (const [topic, count] of Object.entries(counts) as Array<[PlantedTopic, number]>) {
    for (let i = 0; i < count; i++) messages.push({ text: plantedText(topic, random), topic });
  }
  for (let i = 0; i < noise; i++) messages.push({ text: noiseText(random), topic: null });
  for (let i = messages.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [messages[i], messages[j]] = [messages[j] as (typeof messages)[number], messages[i] as (typeof messages)[number]];
  }
  return messages;
}

/** A planted week: how many messages of each topic, and of noise, arrive in the week starting `weekStart`. */
export interface PlantedWeek {
  weekStart: string;
  counts: Partial<Record<PlantedTopic, number>>;
  noise: number;
}

/**
 * Messages spread over weeks: each week's messages at distinct hours of its Monday to Saturday (12:00 UTC on,
 * so each lands on the same local date in European zones), topic and noise mixed.
 */
export function plantedWeeks(
  weeks: readonly PlantedWeek[],
  seed = 11,
): Array<{ text: string; topic: PlantedTopic | null; receivedAt: Date }> {
  return weeks.flatMap((week, index) =>
    plantedMessages(week.counts, week.noise, seed + index).map((message, position) => ({
      ...message,
      receivedAt: new Date(Date.parse(`${week.weekStart}T12:00:00Z`) + (position % 6) * 864e5 + position * 60_000),
    })),
  );
}
