/**
 * Bidirectional controls (embeddings, overrides, isolates, marks): in customer text they can reverse what a
 * moderator reads ("‮lanigiro" shows as "original"). Taken out for display; the stored text keeps them.
 */
const bidiControls = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** Customer text as displayed: without bidi controls, so it reads in the order it was typed. */
export function customerTextForDisplay(text: string): string {
  return text.replace(bidiControls, "");
}
