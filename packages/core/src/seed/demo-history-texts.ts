/**
 * What the demo's worked history says, per client: its customers' messages by category (the same complaints worded
 * several ways, in the languages its audience writes in), the moderators' acknowledgements and answers, and the thanks
 * some customers write once answered. The reports read them like any text: recurring topics, intent, feedback and
 * satisfaction labels, the gratitude index. Placeholder texts left all of that empty in the demo.
 */

export type DemoLanguage = "en" | "fr" | "de" | "es";

export interface DemoMessage {
  text: string;
  language: DemoLanguage;
}

export interface DemoClientTexts {
  /** Customers' messages by category key (every category of the client's traffic plan has some). */
  messages: Record<string, readonly DemoMessage[]>;
  /** A complaint that started in the history's last week: most of its category's messages then. */
  rising: { categoryKey: string; messages: readonly DemoMessage[] };
  acknowledgements: readonly string[];
  /** The useful answer by category key. */
  answers: Record<string, readonly string[]>;
  /** The brand's short reply to a customer's thanks. */
  welcomes: readonly string[];
  /** The category a customer's thanks is filed under. */
  thanksCategoryKey: string;
}

const en = (text: string): DemoMessage => ({ text, language: "en" });
const fr = (text: string): DemoMessage => ({ text, language: "fr" });
const de = (text: string): DemoMessage => ({ text, language: "de" });
const es = (text: string): DemoMessage => ({ text, language: "es" });

/** Thanks after an answer, by language (the gratitude index counts them). */
export const demoThanks: Record<DemoLanguage, readonly string[]> = {
  en: [
    "Thank you, that sorted it!",
    "Thanks a lot, really quick reply",
    "Brilliant, thanks for the help",
    "Thank you so much, all working now",
    "thanks!! you guys are great",
  ],
  fr: ["Merci beaucoup, problème résolu !", "Merci pour la réponse rapide", "Super, merci !"],
  de: ["Vielen Dank, hat geklappt!", "Danke für die schnelle Hilfe", "Danke, jetzt funktioniert alles"],
  es: ["¡Muchas gracias, ya funciona!", "Gracias por la respuesta rápida", "Mil gracias, problema resuelto"],
};

export const demoClientTexts: Record<string, DemoClientTexts> = {
  "Hexfall Games": {
    messages: {
      launch_outage: [
        en("Servers down again? Can't connect to the EU lobby since the patch"),
        en("Stuck on 'connecting to server' for an hour, is there an outage?"),
        en("Game keeps crashing when I load the second level after the update"),
        en("Matchmaking is broken, every game disconnects after two minutes"),
        en("Error code 0x80 every time I try to log in, servers down?"),
        fr("Impossible de se connecter au serveur depuis la mise à jour"),
        fr("Le jeu plante au chargement du niveau 2, c'est injouable"),
        de("Server schon wieder down? Ich kann mich seit dem Patch nicht verbinden"),
        de("Das Spiel stürzt nach dem Update ständig ab"),
        es("¿Los servidores están caídos? No puedo conectarme desde ayer"),
      ],
      account_hacked: [
        en("Someone hacked my account and changed the email, please help"),
        en("My account was stolen, all my skins are gone and I can't log in"),
        en("Got an email that my password was changed, it wasn't me!"),
        fr("Mon compte a été piraté, l'adresse mail a été changée"),
        de("Mein Konto wurde gehackt, jemand hat das Passwort geändert"),
        es("Me han robado la cuenta, cambiaron el correo"),
      ],
      refund: [
        en("I want a refund, the game crashes every time on my PC"),
        en("Bought the season pass twice by mistake, how do I get a refund?"),
        en("Still waiting for my refund after two weeks, this is ridiculous"),
        fr("Je voudrais un remboursement, j'ai été débité deux fois"),
        de("Ich möchte mein Geld zurück, der Season Pass wurde doppelt abgebucht"),
        es("Quiero un reembolso, me cobraron dos veces el pase de temporada"),
      ],
      preorder_bonus: [
        en("Where can I buy the collector's edition? Sold out everywhere"),
        en("I pre-ordered but the bonus skin isn't in my inventory"),
        en("Is the deluxe edition available on Switch? Take my money"),
        en("How do I pre-order the expansion on PlayStation?"),
        fr("Où peut-on acheter l'édition collector ? Je la veux"),
        de("Wo kann ich die Collector's Edition noch kaufen?"),
        es("¿Dónde puedo comprar la edición coleccionista?"),
      ],
      praise: [
        en("Love the new season, amazing work team"),
        en("Best update so far, the new map is gorgeous"),
        en("It would be great if you could add a photo mode"),
        fr("La nouvelle saison est géniale, bravo à l'équipe"),
        de("Die neue Map gefällt mir richtig gut"),
        es("La nueva temporada va genial, lo recomiendo"),
      ],
      general: [
        en("When is the next patch coming out?"),
        en("Is there a patch for the controller issue on PC?"),
        en("Will there be cross-play with Xbox at some point?"),
        en("My controller doesn't work in the menus since yesterday"),
        fr("Quand sort la prochaine mise à jour ?"),
        de("Wann kommt das nächste Update?"),
        es("¿Cuándo sale el próximo parche?"),
      ],
    },
    rising: {
      categoryKey: "launch_outage",
      messages: [
        en("Voice chat stopped working since Tuesday's hotfix"),
        en("Voice chat is broken again, nobody can hear me in party"),
        en("Anyone else with no voice chat after the hotfix?"),
        fr("Le chat vocal ne fonctionne plus depuis le correctif"),
        de("Voice-Chat funktioniert seit dem Hotfix nicht mehr"),
      ],
    },
    acknowledgements: [
      "Thanks for letting us know, we're looking into it and will get back to you shortly.",
      "Sorry about this! Our team is on it, we'll update you here as soon as we know more.",
    ],
    answers: {
      launch_outage: [
        "The EU servers are back up, please restart the launcher. Sorry for the trouble!",
        "A fix is live: update to the latest patch and the crash should be gone.",
      ],
      account_hacked: [
        "We've secured your account and restored your email. Please set a new password and turn on two-factor sign-in.",
      ],
      refund: ["Your refund has been issued, it should reach your account within 5 working days."],
      preorder_bonus: [
        "The collector's edition is restocked on our store today. Pre-order bonuses land in your inventory within 24 h.",
      ],
      praise: ["Thank you! The whole team is reading this, glad you're enjoying the season."],
      general: ["The next patch is out on Thursday, the notes are on our site tomorrow."],
    },
    welcomes: ["Glad we could help, have fun!", "Anytime, see you in game!"],
    thanksCategoryKey: "praise",
  },
  Brightmart: {
    messages: {
      order_status: [
        en("Where is my order? Placed it ten days ago and nothing"),
        en("My order still says processing after a week"),
        en("Order #4471 hasn't shipped yet, any update?"),
        en("Tracking hasn't moved in four days, is my order lost?"),
        es("¿Dónde está mi pedido? Lo hice hace diez días"),
      ],
      delivery: [
        en("My parcel was marked delivered but it never arrived"),
        en("Parcel not delivered, the driver says nobody was home but I was"),
        en("Tracking not moving since Monday, where is my package?"),
        en("Three weeks and my order still hasn't arrived, this is ridiculous"),
        en("Do you deliver to Canada? Can't find it at checkout"),
        es("Mi paquete no ha llegado y dice entregado"),
      ],
      returns: [
        en("How do I return a jacket I bought online?"),
        en("The blender is leaking after two uses, I want to return it"),
        en("Zipper broke after a week, can I get a replacement?"),
        en("Still no refund for the return I sent three weeks ago"),
        es("¿Cómo puedo devolver un producto defectuoso?"),
      ],
      product_safety: [
        en("My toaster caught fire this morning, this is dangerous"),
        en("The kids' lamp gets extremely hot, is it safe?"),
        en("Smell of burning plastic from the space heater, please advise"),
      ],
      price_complaint: [
        en("The price went up by $20 overnight, why?"),
        en("Your website shows a different price than the store"),
        en("The promo code isn't working at checkout"),
      ],
      general: [
        en("Is this available in store or online only?"),
        en("Do you have this sofa in grey?"),
        en("How much is shipping to Alaska?"),
        en("Love the new store layout, great service from the team in Queens"),
        es("¿Cuánto cuesta el envío a Puerto Rico?"),
      ],
    },
    rising: {
      categoryKey: "delivery",
      messages: [
        en("Parcel locker code not working, can't get my order out"),
        en("The locker code you sent me doesn't open the locker"),
        en("Third day trying to pick up from the parcel locker, code invalid"),
      ],
    },
    acknowledgements: [
      "Sorry to hear that! Please send us your order number in a private message and we'll check right away.",
      "Thanks for reaching out, we're checking with our delivery team and will be back to you shortly.",
    ],
    answers: {
      order_status: ["Your order left our warehouse today, the tracking link is in your inbox."],
      delivery: [
        "The courier confirmed a wrong address scan; a replacement ships today at no cost.",
        "We've opened a claim with the carrier and refunded you in full.",
      ],
      returns: ["Returns are free within 30 days: print the label from your account and drop it at any store."],
      product_safety: [
        "Please stop using the product. We've arranged a collection and a full refund, and our safety team will call you.",
      ],
      price_complaint: ["We've matched the store price and refunded the difference to your card."],
      general: ["Yes, it's in stock in most stores, you can check your local store on the product page."],
    },
    welcomes: ["You're welcome, happy shopping!", "Glad we could sort it out!"],
    thanksCategoryKey: "general",
  },
  "Cobalt Bank": {
    messages: {
      fraud: [
        en("My card was charged twice for the same shop, can you check?"),
        en("There's a payment I don't recognise on my account"),
        en("Still locked out, and now I see a €240 card payment I did not make"),
        de("Auf meinem Konto ist eine Abbuchung, die ich nicht kenne"),
        de("Meine Karte wurde gestohlen, bitte sofort sperren"),
      ],
      app_access: [
        en("Since the update your app says my password is wrong"),
        en("Can't log in to the app, it keeps asking for a new code"),
        en("The app keeps crashing when I open my statements"),
        de("Die App funktioniert seit dem Update nicht mehr"),
        de("Ich kann mich nicht in die App einloggen, der Code kommt nicht an"),
        fr("L'application ne marche plus depuis la mise à jour"),
      ],
      fees_and_rates: [
        en("Why was I charged an overdraft fee when I had money in my account?"),
        en("What's the interest rate on the savings account now?"),
        en("The new monthly account fee is ridiculous"),
        de("Warum wurden mir Kontoführungsgebühren berechnet?"),
      ],
      loans_mortgages: [
        en("Are mortgage rates going down next month? Thinking about remortgaging"),
        en("How long does a loan application usually take?"),
        de("Wie lange dauert die Prüfung meines Kreditantrags?"),
      ],
      complaint_regulator: [
        en("Third week without an answer. I'm filing a formal complaint with the ombudsman"),
        en("This is unacceptable, I will report you to the regulator"),
        de("Ich werde mich bei der BaFin beschweren, niemand antwortet"),
      ],
      general: [
        en("Are the branches open on Saturday?"),
        en("How do I change my address?"),
        en("Great service at the Mitte branch today, very helpful staff"),
        de("Haben die Filialen am Samstag geöffnet?"),
      ],
    },
    rising: {
      categoryKey: "app_access",
      messages: [
        en("Face ID login stopped working after the app update"),
        en("Face ID doesn't work anymore, have to type my PIN every time"),
        de("Face ID funktioniert in der App nicht mehr"),
      ],
    },
    acknowledgements: [
      "We're sorry for the trouble. Please don't share account details here; we've sent you a private message.",
      "Thanks for telling us, our team is looking into it and will get back to you shortly.",
    ],
    answers: {
      fraud: ["We've blocked the card and refunded the payment. A new card is on its way."],
      app_access: [
        "Please update the app to the latest version and sign in again; the login issue is fixed.",
        "We've reset your app access, you'll get a new activation code by SMS.",
      ],
      fees_and_rates: ["We've checked your account and refunded the fee; it was charged in error."],
      loans_mortgages: ["Loan decisions usually take 3 working days; an adviser will call you tomorrow."],
      complaint_regulator: [
        "We've escalated your case to our complaints team, who will contact you today. We're sorry it took this long.",
      ],
      general: ["Yes, most branches are open on Saturday from 9:00 to 13:00."],
    },
    welcomes: ["You're welcome, have a good day!", "Glad we could help."],
    thanksCategoryKey: "general",
  },
};
