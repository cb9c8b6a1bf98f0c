import { describe, expect, it } from "vitest";
import { LOCALES, MESSAGE_KEYS, pickLocale, t } from "./i18n";

describe("pickLocale", () => {
  const cases: [string[], string][] = [
    [["fr-FR", "en-US"], "fr"],
    [["fr_CA"], "fr"],
    [["en-GB", "fr-FR"], "en"],
    [["de-DE", "fr-BE"], "fr"],
    [["de-DE", "es-ES"], "en"],
    [["  FR  "], "fr"],
    [[], "en"],
  ];
  for (const [preferred, expected] of cases) {
    it(`${JSON.stringify(preferred)} -> ${expected}`, () => {
      expect(pickLocale(preferred)).toBe(expected);
    });
  }
});

describe("messages", () => {
  it("every locale translates every key to a non-empty text", () => {
    expect(MESSAGE_KEYS).toContain("tagline");
    for (const locale of LOCALES) {
      for (const key of MESSAGE_KEYS) {
        expect(t(locale, key).trim(), `${locale}.${key}`).not.toBe("");
      }
    }
  });

  it("French and English differ where the words differ", () => {
    expect(t("fr", "tagline")).toBe("Des factures qui se font payer.");
    expect(t("en", "tagline")).toBe("Invoices that get paid.");
  });
});


describe("French typography", () => {
  it("puts a no-break space before a colon", () => {
    for (const key of MESSAGE_KEYS) {
      const text = t("fr", key);
      if (text.includes(":")) expect(text, key).toMatch(/\u00a0:/);
    }
    expect(t("fr", "logs")).toBe("Journaux\u00a0:");
  });
});
