import { customerTextForDisplay } from "./customer-text";

/**
 * Text a customer wrote (a comment, a title, a handle), isolated from the page around it: `<bdi dir="auto">` takes
 * its direction from its own first strong letter and cannot reorder the words next to it, and its bidi controls are
 * removed so it cannot reorder itself either.
 */
export function CustomerText(props: { text: string; class?: string }) {
  return (
    <bdi dir="auto" class={props.class}>
      {customerTextForDisplay(props.text)}
    </bdi>
  );
}
