import { describe, expect, it } from "vitest";
import { LOCALES, MESSAGE_KEYS, STATUSES, counted, formatDate, pickLocale, statusLabel, t } from "./i18n";

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

describe("statusLabel", () => {
  it("names every status the store derives, in both languages", () => {
    for (const status of STATUSES) {
      expect(statusLabel("fr", status)).not.toBe(status);
      expect(statusLabel("en", status)).not.toBe(status);
    }
    expect(statusLabel("fr", "partially-paid")).toBe("Partiellement payée");
    expect(statusLabel("en", "paid")).toBe("Paid");
  });
});

describe("formatDate", () => {
  it("writes dates the way each language reads them", () => {
    expect(formatDate("fr", "2026-09-09")).toBe("09/09/2026");
    expect(formatDate("en", "2026-09-09")).toBe("9 Sep 2026");
    expect(formatDate("en", "2026-12-31")).toBe("31 Dec 2026");
    expect(formatDate("fr", null)).toBe("—");
    expect(formatDate("fr", "not a date")).toBe("not a date");
  });
});

describe("counted", () => {
  it("follows each language's singular", () => {
    expect(counted("fr", 0, "dashInvoiceOne", "dashInvoices")).toBe("0 facture");
    expect(counted("fr", 1, "dashInvoiceOne", "dashInvoices")).toBe("1 facture");
    expect(counted("fr", 3, "dashInvoiceOne", "dashInvoices")).toBe("3 factures");
    expect(counted("en", 0, "dashInvoiceOne", "dashInvoices")).toBe("0 invoices");
    expect(counted("en", 1, "dashInvoiceOne", "dashInvoices")).toBe("1 invoice");
  });
  it("groups thousands as each language writes them", () => {
    expect(counted("fr", 3003, "dashInvoiceOne", "dashInvoices")).toBe("3\u202f003 factures");
    expect(counted("en", 100000, "documentOne", "documentMany")).toBe(`100,000 ${t("en", "documentMany")}`);
  });
});
