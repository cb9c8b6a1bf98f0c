import { describe, expect, it } from "vitest";
import { SHORTCUTS, shortcutFor } from "./shortcuts";

const press = (key: string, tagName = "BODY", mods: Partial<{ ctrlKey: boolean; altKey: boolean; metaKey: boolean }> = {}) =>
  shortcutFor({ key, ctrlKey: false, altKey: false, metaKey: false, ...mods, target: { tagName } });

describe("shortcuts", () => {
  it("maps single keys to actions outside fields", () => {
    expect(press("?")).toEqual({ kind: "help" });
    expect(press("/")).toEqual({ kind: "search" });
    expect(press("n", "BUTTON")).toEqual({ kind: "new-invoice" });
    expect(press("d")).toEqual({ kind: "go", screen: "quotes" });
  });

  it("never takes a key typed in a field or with a modifier", () => {
    for (const tag of ["INPUT", "TEXTAREA", "SELECT", "input"]) expect(press("n", tag)).toBeNull();
    expect(shortcutFor({ key: "n", ctrlKey: false, altKey: false, metaKey: false, target: { tagName: "DIV", isContentEditable: true } })).toBeNull();
    expect(press("n", "BODY", { ctrlKey: true })).toBeNull();
    expect(press("s", "BODY", { metaKey: true })).toBeNull();
    expect(press("x")).toBeNull();
  });

  it("has one action per key", () => {
    const keys = SHORTCUTS.map((s) => s.key);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
