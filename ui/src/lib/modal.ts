// A dialog that holds the keyboard while open and gives it back: Tab and
// Shift+Tab go round its own controls, and on closing the focus returns
// to what had it when the dialog opened (the button that opened it), if
// that is still on the screen. Used as `use:modal` on each dialog's box;
// each dialog still focuses its own first control (its safest one).

const FOCUSABLE =
  'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function modal(node: HTMLElement) {
  const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;

  function onKey(event: KeyboardEvent) {
    if (event.key !== "Tab") return;
    const items = Array.from(node.querySelectorAll<HTMLElement>(FOCUSABLE));
    const first = items[0];
    const last = items[items.length - 1];
    if (!first || !last) return;
    const at = document.activeElement;
    if (!node.contains(at) || (event.shiftKey && at === first)) {
      event.preventDefault();
      (event.shiftKey ? last : first).focus();
    } else if (!event.shiftKey && at === last) {
      event.preventDefault();
      first.focus();
    }
  }

  node.addEventListener("keydown", onKey);
  return {
    destroy() {
      node.removeEventListener("keydown", onKey);
      if (before && document.contains(before)) before.focus();
    },
  };
}
