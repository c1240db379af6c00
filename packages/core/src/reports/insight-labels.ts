/**
 * What a customer's message says beyond sentiment, for the insight report: **purchase intent** (they want to buy),
 * **product feedback** (a defect, a suggestion or an opinion about the product itself), **satisfied** /
 * **dissatisfied** (about the service they get: answers, delivery, refunds) and **thanks** (gratitude).
 *
 * Local and explainable: phrase rules in English, French, German and Spanish, every language's rules applied to
 * every text (a comment's language is often too short to tell, and the phrases barely collide); each label comes
 * with the phrase that set it. Pure: no I/O, no model. Its precision and recall on a hand-labelled sample are
 * printed by `insight-labels.test.ts`.
 *
 * The text is matched in one form: `normaliseForComparison` (NFKC, invisible characters, look-alike letters,
 * lower case), accents removed, ß as ss and a letter repeated three times or more as one ("merciii", "graciasss"),
 * so rules are written without accents.
 */
import { normaliseForComparison } from "../protocols/normalise-text";

export const insightLabels = ["purchase_intent", "product_feedback", "satisfied", "dissatisfied", "thanks"] as const;
export type InsightLabel = (typeof insightLabels)[number];

export interface InsightClassification {
  labels: InsightLabel[];
  /** For each label, the phrase of the text that set it. */
  evidence: Partial<Record<InsightLabel, string>>;
}

/**
 * One alternation of phrase rules, matched anywhere in the text on word boundaries. The text is matched with its
 * accents removed, so letters are ASCII and the boundaries are too (without the `u` flag the rules run about twice
 * as fast).
 */
const phrases = (...rules: string[]) => new RegExp(`(?<![a-z0-9])(?:${rules.join("|")})(?![a-z0-9])`, "g");

/** An eye-roll and its kin, or "/s": whatever precedes it is sarcasm. */
const sarcasmMarker = /[\u{1F644}\u{1F612}\u{1F921}\u{1F643}\u{1F611}]|\/s(?![a-z])/u;

/** Up to `n` words. */
const words = (n: number) => `(?: [^ ]+){0,${n}}`;

/** Words that negate what follows them closely ("never buy", "n'achète plus", "nicht kaufen", "no compro"). */
const negator =
  /(?:^|[^\p{L}])(?:not|never|no longer|won't|wont|don't|dont|didn't|ne|n'|jamais|nie|nicht|kein\w*|nunca|jamas|no)(?:[^\p{L}]|$)/u;

/**
 * Gratitude: "thank you", "merci", "danke", "gracias" and their common forms. "Dank" alone is left out: in German it
 * is mostly the preposition ("dank euch ist mein Urlaub ruiniert").
 */
const thanksCue = phrases(
  "thank(?:s|x| you| u| ya)?",
  "thx",
  "tysm",
  "ty",
  "cheers",
  "much appreciated",
  "(?:really |truly |i |we )?appreciate (?:it|that|this|your|the|you)",
  "grateful",
  "thankful",
  "merci",
  "mille mercis",
  "(?:je vous |on vous |nous vous )?remercie",
  "remerciements?",
  "danke(?:schon|sehr)?",
  "(?:vielen|besten|herzlichen|tausend|lieben) dank",
  "(?:ich )?bedanke mich",
  "dankbar",
  "(?:muchas |mil |un millon de )?gracias",
  "(?:os|te|se|le|les) lo agradezco",
  "agradezco",
  "agradecid[oa]s?",
  "se agradece",
);

/**
 * A thanks that is not gratitude, judged on what follows the cue: sarcasm ("thanks for nothing", "merci pour rien",
 * "danke für nichts", "gracias por nada", "thanks for ignoring me"), thanks in advance, a refusal ("no thanks" is
 * judged on what precedes), thanks followed by "but" (a complaint), and "thanks to …" / "gracias a …" going on to a
 * consequence ("thanks to you my parcel is lost").
 */
const thanksNotGratitudeAfter = new RegExp(
  [
    `^,?${words(3)},? (?:for|pour|de|fur|dass|por|para)${words(4)} (?:nothing|nada|rien|nichts|ignor\\w*|m'avoir ignore\\w*|wast\\w*|ruin\\w*|the runaround|copy ?-?paste\\w*|automati\\w*|standard\\w*|generic|canned|template\\w*)(?![\\p{L}])`,
    "^(?: a lot| so much| again)? for (?:nothing|ignoring|wasting|ruining|losing)",
    "^ (?:in advance|d'avance|par avance|im voraus|de antemano|por adelantado)",
    `^${words(2)},? (?:but|mais|aber|pero) `,
    "^ (?:to|a) (?:you|ti|vosotros|usted|ustedes|your|the|this)(?: [^ ,.!?]+){1,}",
    "^ needed",
  ].join("|"),
  "u",
);
const thanksRefusedBefore = /(?:^|[^\p{L}])(?:no|non|nein|sans facon|nee)[ ,]*$/u;

const rules: Record<Exclude<InsightLabel, "thanks">, RegExp> = {
  purchase_intent: phrases(
    // English
    `where (?:can|could|do|would) (?:i|we|you|one)${words(2)} (?:buy|get|order|purchase|find)`,
    "where to (?:buy|get|order)",
    `(?:i|we)(?:'d| would|'ll| will| want to| wanna|'m going to| am going to|'m gonna)(?: like to| love to)? (?:buy|order|purchase|pre-?order|get one|get two)`,
    `how (?:do|can|could) (?:i|we)${words(1)} (?:buy|order|purchase|pre-?order)`,
    `can (?:i|we) (?:buy|order|get|purchase)`,
    "(?:is|are) (?:this|these|it|they|the [^ ]+) (?:available|in stock)",
    "(?:back )?in stock",
    "do you (?:ship|deliver) to",
    "take my money",
    "(?:want|wanna|going) to (?:buy|order|get one|get two)",
    "restock(?:ing|ed)?",
    "(?:sold|available|stocked) (?:in|at)",
    "(?:discount|promo|voucher) code",
    "need this",
    "how much (?:is|are|does|do|for)",
    "what(?:'s| is) the price",
    "(?:ordering|buying) (?:it |one |two )?(?:now|today|right now)",
    "do you have (?:it|this|these|them|one) in",
    // French
    "ou (?:peut-on|puis-je|peut on|puis je|acheter|trouver|commander)",
    "ou (?:je peux|on peut|est-ce qu'on peut|est ce qu'on peut) (?:acheter|commander|trouver)",
    "je (?:veux|voudrais|souhaite|vais|compte)(?: le| la| les| l')? ?(?:commander|acheter|precommander)",
    "je (?:commande|l'achete|le prends|la prends)",
    "comment (?:commander|acheter|passer commande|precommander)",
    "combien",
    "code promo",
    "(?:il est |c'est |elle est )?dispo(?:nible)? (?:ou|en|chez)",
    "(?:vendue?s?|disponibles?) (?:chez|en magasin)",
    "je (?:le|la|les) veux",
    "je voudrais en (?:prendre|acheter|commander)",
    "quel (?:est le )?prix",
    `(?:sera|est|seront|sont)(?:-t-elle|-t-il|-elle|-il)?(?: de nouveau| a nouveau)? disponibles?`,
    "de nouveau en stock",
    "vous livrez",
    "(?:vous )?(?:l'|les )avez en",
    // German
    `wo (?:kann|konnte|konnen) (?:ich|man|wir)${words(5)} (?:kaufen|bestellen|bekommen)`,
    "wo gibt es (?:das|die|den|sie|es|ihn)",
    "wo gibt's",
    `ich (?:mochte|will|werde|wurde gern|wurde gerne)${words(4)} (?:bestellen|kaufen|haben)`,
    "(?:bestelle|kaufe) ich (?:gleich|sofort|jetzt)",
    `wie (?:kann|konnte) (?:ich|man)${words(4)} (?:bestellen|kaufen)`,
    "was kostet",
    "wo (?:bekomme|bekommt|kaufe|finde) (?:ich|man)",
    "(?:gibt es|gibt's|gibts) (?:das|die|den|ihn|sie|es) (?:bei|im|in)",
    "rabattcode",
    `(?:mochte|will|wurde gern|wurde gerne)${words(3)} (?:bestellen|kaufen)`,
    "brauch(?:e)? ich",
    "wieder (?:lieferbar|verfugbar|auf lager|vorratig)",
    "liefert ihr",
    "gibt es (?:das|die|den|ihn|sie|es) auch in",
    // Spanish
    "donde (?:puedo |se puede |podemos |lo puedo |la puedo )?(?:comprar|conseguir|pedir|encontrar)",
    `(?:quiero|quisiera|me gustaria|voy a|vamos a)${words(2)} (?:comprar|pedir|encargar)`,
    "lo (?:pido|compro|necesito|quiero)",
    "(?:donde|lo|los|la|las) (?:venden|vendeis)",
    "codigo (?:de )?descuento",
    "como (?:puedo |se puede )?(?:comprar|pedir|hacer un pedido)",
    "cuanto (?:cuesta|vale|sale)",
    "(?:que|cual es el) precio",
    "(?:vuelve|volvera|volveran|vuelven) a estar disponibles?",
    "(?:haceis|hacen|haces) envios",
    "(?:lo|los|la|las) (?:teneis|tienen|tienes) en",
  ),
  product_feedback: phrases(
    // English: defects
    "(?:stopped|stops|doesn't|does not|won't|don't|isn't|not) work(?:ing)?",
    "keeps? crashing",
    "crash(?:es|ed|ing)?",
    "bugs?",
    "glitch(?:es|y)?",
    "broke",
    "broken",
    "defective",
    "faulty",
    "falling apart",
    "ripped",
    "leak(?:s|ing)",
    "drains?",
    "(?:doesn't|does not|won't|don't|isn't|not) (?:close|fit|charge|turn on|open|seal|stay|last)",
    "crack(?:ed|s)?",
    "(?:old|previous|original) (?:recipe|version|formula|design)",
    "(?:could|can) you (?:make|add|bring)",
    "(?:bigger|smaller|larger) sizes?",
    // English: suggestions and opinions of the product
    "(?:would|it'd|it would) be (?:great|nice|good|cool|awesome|better) if",
    "please (?:add|bring back|make)",
    "you should (?:add|make|bring|offer|sell)",
    "i wish (?:it|you|they|there)",
    "feature request",
    "suggestion",
    "bring back",
    "(?:too|way too|a bit|far too) (?:sweet|salty|small|big|expensive|tight|short|long|loud|heavy|bland)",
    "(?:love|loving|hate) (?:it|this|these|the new|the old|my new|the taste|the design|the flavou?r)",
    "quality",
    // French
    "(?:ne |n')?(?:fonctionne|marche) (?:pas|plus|toujours pas)",
    "plante",
    "casse(?:e|s)?",
    "(?:tombe|tombee) en panne",
    "en panne",
    "defectueu(?:x|se)",
    "(?:se )?dechire",
    "qualite",
    "(?:ferme|s'ouvre|charge|s'allume|tient) mal",
    "fissure\\w*",
    "(?:ancienne|l'ancienne|premiere) (?:recette|version|formule)",
    "ce serait (?:bien|top|genial|super|cool) (?:de|d'|si|que|d)",
    "vous devriez (?:ajouter|proposer|faire|sortir)",
    "(?:il faudrait|pourriez-vous|pouvez-vous) ajouter",
    "sent (?:vraiment )?(?:bon|mauvais)",
    "je (?:le |la |les )?recommande",
    "(?:super|excellent|mauvais|bon) produit",
    `j'ai achete${words(5)} (?:parfait|genial|super|top|nul)`,
    // German
    "funktioniert (?:nicht|immer noch nicht|nicht mehr)",
    `sturzt${words(2)} ab`,
    "kaputt",
    "defekt",
    "fehler",
    "qualitat",
    "(?:schliesst|passt|ladt|halt|geht) nicht (?:richtig|mehr|zu)",
    "(?:gesprungen|gerissen|zerbrochen)",
    "(?:alte|alten|fruhere) (?:rezept|version|design|rezeptur)",
    "(?:ware|waer) (?:schon|toll|super|cool|gut|klasse),? wenn",
    `bitte${words(4)} (?:hinzufugen|einbauen|anbieten)`,
    `fugt${words(3)} hinzu`,
    "vorschlag",
    "gefallt mir",
    "(?:tolles|super|gutes|schlechtes) produkt",
    "(?:empfehlen|empfehle)",
    "lauft super",
    // Spanish
    "no funciona",
    "(?:sigue sin|deja de|dejo de) funcionar",
    "se cuelga",
    "se rompio",
    "rot[oa]",
    "defectuos[oa]",
    "error",
    "fall(?:o|a)",
    "calidad",
    "no (?:cierra|carga|enciende|encaja|dura)",
    "(?:se )?(?:rajo|agrieto|partio)",
    "(?:receta|version|formula) (?:antigua|anterior)",
    "seria (?:genial|bueno|ideal|estupendo) (?:que|si)",
    "deberian (?:anadir|sacar|hacer|poner)",
    "sugerencia",
    "(?:esta|es) (?:buenisimo|riquisimo|malisimo|horrible)",
    "lo recomiendo",
    "(?:producto|sabor) (?:increible|buenisimo)",
    "va genial",
  ),
  satisfied: phrases(
    // English
    "(?:great|good|excellent|amazing|fantastic|brilliant|quick|fast|speedy|superb) (?:customer )?(?:service|support|response|reply|help|job|team)",
    "(?:you|you guys|they|he|she|the team|your team|your support team)(?: were| are|'re| was| is)? (?:so |really |very |super )?(?:helpful|great|amazing|brilliant|excellent|the best)",
    "(?:problem|issue)(?: is| was| has been)? (?:solved|fixed|sorted|resolved)",
    "sorted(?: now)?",
    "that fixed it",
    "(?:very |so |really )?(?:happy|pleased|satisfied) with",
    "very happy",
    "exactly what i needed",
    "(?:super |very |really )?(?:quick|fast|speedy|prompt) (?:answer|reply|response|turnaround)",
    "well done",
    "impressive",
    // French
    `(?:service|sav|equipe)${words(2)} (?:au top|impeccable|excellent|genial|parfait|rapide)`,
    "reponse (?:super |tres )?rapide",
    "reactivite",
    "(?:tres )?(?:satisfaite?|contente?) (?:de|du)",
    "tres (?:satisfaite?|contente?)",
    "(?:probleme )?(?:resolu|regle)",
    "c'est parfait",
    "bravo",
    // German
    `(?:super|toller|tolle|guter|gute|schneller|schnelle|klasse|top)${words(1)} (?:service|kundenservice|support|hilfe|antwort)`,
    "(?:sehr )?zufrieden",
    "(?:blitz)?schnelle (?:antwort|ruckmeldung|hilfe)",
    "(?:problem )?(?:ist )?gelost",
    "hat geklappt",
    "top",
    "genau das wollte ich",
    // Spanish
    "(?:buen|excelente|gran|rapido) (?:servicio|trabajo)",
    "(?:excelente|buena|gran) atencion",
    "(?:rapida )?respuesta rapida",
    "rapida respuesta",
    "(?:muy )?(?:satisfech[oa]|content[oa])",
    "problema resuelto",
    "ya funciona",
    "justo lo que necesitaba",
  ),
  dissatisfied: phrases(
    // English
    "(?:worst|terrible|awful|horrible|appalling|useless|shocking|poor|bad) (?:customer )?(?:service|support|experience|company)",
    "still (?:waiting|no|not|hasn't|haven't|nothing)",
    "(?:hasn't|has not|haven't|have not|never|not) (?:arrived|come|received|turned up|been delivered|been refunded)",
    "where(?:'s| is) my (?:order|parcel|package|refund)",
    "(?:nobody|no one|noone) (?:answers|replies|responds|gets back|cares)",
    "no (?:response|reply|answer)",
    "unacceptable",
    "ridiculous",
    "disgrace(?:ful)?",
    "shameful",
    "disappointed",
    "fed up",
    "furious",
    "never (?:buy|order|shop)\\w* (?:from|with|here|again)",
    "never again",
    "wast(?:e|ed|ing) (?:my|of|our) (?:time|afternoon|day|morning)",
    "wasting my",
    "ignor(?:ed|ing) (?:me|us)",
    "on hold for",
    "(?:lost|losing|lose) my (?:parcel|package|order)",
    "(?:parcel|package|order) is lost",
    "(?:for|pour|fur|por) (?:absolutely |gar |rien du tout|nada de )?(?:nothing|rien|nichts|nada)",
    "(?:go|shop|buy|order) elsewhere",
    "(?:aller|commander|acheter) ailleurs",
    "(?:woanders|anderswo) (?:bestellen|kaufen)",
    "(?:comprar|pedir) en otro sitio",
    "(?:not|never) (?:happy|satisfied|pleased)",
    "until you fix",
    "just fix it",
    "still nothing",
    "useless",
    "in the rain",
    // French
    "toujours pas (?:recu|de reponse|de nouvelles|arrive|rembourse)",
    "(?:j'attends|attends|j'attend) toujours",
    "inadmissible",
    "inacceptable",
    "honteu(?:x|se)",
    "quelle honte",
    "scandal\\w*",
    "lamentable",
    "deplorable",
    `(?:service client|sav)${words(1)} (?:nul|deplorable|lamentable|catastrophique)`,
    "personne ne (?:repond|rappelle)",
    "decue?",
    "(?:n'est |ne sont )?jamais (?:arrivee?s?|recue?s?)",
    "plus jamais",
    "(?:il est |elle est )?ou (?:est )?mon (?:colis|remboursement)",
    "ou est ma commande",
    "perdu mon colis",
    "(?:pas|plus) (?:satisfaite?|contente?)",
    "pour rien",
    "m'avoir ignoree?",
    "rate mon (?:train|vol|avion)",
    "sans nouvelles",
    "toujours rien",
    "ne sert a rien",
    "sous la pluie",
    "(?:ne )?(?:commanderai|acheterai) plus",
    // German
    "immer noch (?:keine antwort|kein geld|keine ruckmeldung|nicht (?:da|angekommen|erstattet|geliefert))",
    `(?:warte|warten)${words(3)} (?:seit|immer noch)`,
    "warte seit",
    "unverschamt",
    "frechheit",
    "katastrophe",
    "skandal",
    "schande",
    "(?:schlecht|mies|katastrophal)\\w* (?:service|kundenservice|support)",
    "schlechteste[rs]?",
    "enttauscht",
    "(?:niemand|keiner) (?:meldet|antwortet|ruft)",
    "keine antwort",
    "nie wieder",
    "nie an",
    "kam nie",
    "wo bleibt (?:meine|mein)",
    `(?:paket|bestellung)${words(3)} verloren`,
    "(?:nicht|gar nicht|nicht sehr) zufrieden",
    "fur nichts",
    "ignoriert",
    "ruiniert",
    "immer noch nichts",
    "nutzlos",
    "in den regen",
    "(?:bestelle|kaufe) ich nichts mehr",
    // Spanish
    "sigo (?:esperando|sin)",
    `(?:llevo|llevamos)${words(3)} esperando`,
    "verguenza",
    "pesimo",
    "fatal",
    "horrible (?:servicio|atencion)",
    "lamentable",
    "inaceptable",
    "indignante",
    "nadie (?:responde|contesta)",
    "decepcionad[oa]",
    "nunca (?:llego|me llego)",
    "no (?:me )?ha llegado",
    "no volvere a (?:comprar|pedir)",
    "donde esta mi (?:pedido|paquete|reembolso)",
    "perder mi (?:paquete|pedido)",
    "no estoy(?: nada)? (?:satisfech[oa]|content[oa])",
    "por nada",
    "ignorarme",
    "perdi el (?:vuelo|tren)",
    "no sirve (?:para nada|de nada)",
    "y nada",
    "bajo la lluvia",
    "nunca mas (?:compro|pido)",
  ),
};

/** The form rules are matched against: normalised for comparison, accents removed, ß as ss. */
export function insightText(text: string): string {
  return normaliseForComparison(text)
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(/ß/g, "ss")
    .replace(/(\p{L})\1{2,}/gu, "$1");
}

/** Clauses end at sentence punctuation: a negator in an earlier sentence does not reach a phrase. */
const clauseStart = (text: string, index: number) => {
  const before = text.slice(0, index);
  return (
    Math.max(before.lastIndexOf("."), before.lastIndexOf("!"), before.lastIndexOf("?"), before.lastIndexOf(",")) + 1
  );
};

/** The last three words of the clause before a phrase hold a negator ("never buy", "je n'achète"…). */
function negated(text: string, index: number): boolean {
  const lead = text.slice(clauseStart(text, index), index).trim().split(" ").slice(-3).join(" ");
  return lead !== "" && negator.test(` ${lead} `);
}

function firstMatch(rule: RegExp, text: string, accept: (match: RegExpExecArray) => boolean): string | undefined {
  for (const match of text.matchAll(rule)) if (accept(match)) return match[0];
  return undefined;
}

function findGratitude(text: string): string | undefined {
  return firstMatch(thanksCue, text, (match) => {
    const end = match.index + match[0].length;
    const after = text.slice(end);
    if (thanksNotGratitudeAfter.test(after) || sarcasmMarker.test(after)) return false;
    if (thanksRefusedBefore.test(text.slice(0, match.index))) return false;
    // "I won't thank you", "je ne vous remercie pas": a negator just before the cue.
    return !/(?:^|[^\p{L}])(?:not|never|won't|don't|ne|nicht|nunca)(?: [^ ]+)?(?: )?$/u.test(
      text.slice(0, match.index),
    );
  });
}

/**
 * The labels of one customer message (its title and body together). A message can carry several ("thanks, ordering
 * now!" is thanks and purchase intent). Dissatisfaction wins over satisfaction in the same message ("great job
 * losing my parcel again"), and an eye-roll or "/s" is dissatisfaction; purchase intent needs its phrase not negated ("I'll never buy").
 */
export function classifyInsight(text: string): InsightClassification {
  const prepared = insightText(text);
  const evidence: Partial<Record<InsightLabel, string>> = {};
  const intent = firstMatch(rules.purchase_intent, prepared, (match) => !negated(prepared, match.index));
  if (intent) evidence.purchase_intent = intent;
  const feedback = firstMatch(rules.product_feedback, prepared, () => true);
  if (feedback) evidence.product_feedback = feedback;
  const dissatisfied = firstMatch(rules.dissatisfied, prepared, () => true) ?? sarcasmMarker.exec(prepared)?.[0];
  if (dissatisfied) evidence.dissatisfied = dissatisfied;
  else {
    const satisfied = firstMatch(rules.satisfied, prepared, (match) => !negated(prepared, match.index));
    if (satisfied) evidence.satisfied = satisfied;
  }
  const thanks = findGratitude(prepared);
  if (thanks) evidence.thanks = thanks;
  return { labels: insightLabels.filter((label) => evidence[label] !== undefined), evidence };
}
