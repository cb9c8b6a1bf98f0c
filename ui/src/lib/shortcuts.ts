// Keyboard shortcuts of the whole window: single keys, as in mail clients,
// never while the user types in a field (a letter there is text) nor with
// Ctrl, Alt or Meta (those belong to the system and the text fields).
// `?` lists them; each is documented here and in that list.

export type Action =
  | { kind: "help" }
  | { kind: "search" }
  | { kind: "new-invoice" }
  | { kind: "go"; screen: "list" | "quotes" | "clients" | "ledger" | "settings" };

export const SHORTCUTS: { key: string; action: Action }[] = [
  { key: "?", action: { kind: "help" } },
  { key: "/", action: { kind: "search" } },
  { key: "n", action: { kind: "new-invoice" } },
  { key: "i", action: { kind: "go", screen: "list" } },
  { key: "d", action: { kind: "go", screen: "quotes" } },
  { key: "c", action: { kind: "go", screen: "clients" } },
  { key: "r", action: { kind: "go", screen: "ledger" } },
  { key: "s", action: { kind: "go", screen: "settings" } },
];

/** What a key press asks for, or null (typing, a modifier, another key). */
export function shortcutFor(event: {
  key: string;
  ctrlKey: boolean;
  altKey: boolean;
  metaKey: boolean;
  target: { tagName?: string; isContentEditable?: boolean } | null;
}): Action | null {
  if (event.ctrlKey || event.altKey || event.metaKey) return null;
  const tag = event.target?.tagName?.toUpperCase() ?? "";
  if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || event.target?.isContentEditable) return null;
  return SHORTCUTS.find((s) => s.key === event.key)?.action ?? null;
}
