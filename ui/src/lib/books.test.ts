import { describe, expect, it } from "vitest";
import { fill, findingActionKey, ledgerMethod, periodRange, rangeInverted } from "./books";

describe("periodRange", () => {
  const day = (y: number, m: number, d: number) => new Date(y, m - 1, d, 12);

  it("covers whole months and years, to their last day", () => {
    expect(periodRange("this-month", day(2026, 11, 23))).toEqual({ from: "2026-11-01", to: "2026-11-30" });
    expect(periodRange("this-month", day(2028, 2, 10))).toEqual({ from: "2028-02-01", to: "2028-02-29" });
    expect(periodRange("this-year", day(2026, 11, 23))).toEqual({ from: "2026-01-01", to: "2026-12-31" });
  });

  it("takes last month across a year's start", () => {
    expect(periodRange("last-month", day(2026, 11, 23))).toEqual({ from: "2026-10-01", to: "2026-10-31" });
    expect(periodRange("last-month", day(2027, 1, 5))).toEqual({ from: "2026-12-01", to: "2026-12-31" });
    expect(periodRange("last-month", day(2026, 3, 31))).toEqual({ from: "2026-02-01", to: "2026-02-28" });
  });

  it("leaves all time open and custom dates as typed (empty is open)", () => {
    expect(periodRange("all", day(2026, 11, 23))).toEqual({ from: null, to: null });
    expect(periodRange("custom", day(2026, 11, 23), { from: "2026-05-01", to: "" })).toEqual({
      from: "2026-05-01",
      to: null,
    });
  });
});

describe("rangeInverted", () => {
  it("is true only when both bounds are set and the start is later", () => {
    expect(rangeInverted({ from: "2026-02-01", to: "2026-01-31" })).toBe(true);
    expect(rangeInverted({ from: "2026-01-31", to: "2026-01-31" })).toBe(false);
    expect(rangeInverted({ from: "2026-02-01", to: null })).toBe(false);
  });
});

describe("fill", () => {
  it("replaces known placeholders and keeps the others", () => {
    expect(fill("{n} paid, {x}", { n: 3 })).toBe("3 paid, {x}");
    expect(fill("avoir de {amount} sur {invoice}", { amount: "12,00 €", invoice: "F-1" })).toBe(
      "avoir de 12,00 € sur F-1",
    );
  });
});

describe("findingActionKey", () => {
  it("asks to sync a payment of an Acquit link, to record a foreign one, to check the rest", () => {
    expect(findingActionKey("missing-in-acquit", true)).toBe("actionSync");
    expect(findingActionKey("missing-in-acquit", false)).toBe("actionRecord");
    expect(findingActionKey("unknown-to-stripe", true)).toBe("actionCheck");
  });
});

describe("ledgerMethod", () => {
  it("keeps Stripe's label and translates the other methods", () => {
    expect(ledgerMethod("fr", "stripe", "STRIPE card")).toBe("STRIPE card");
    expect(ledgerMethod("fr", "transfer", "transfer")).toBe("Virement");
    expect(ledgerMethod("en", "card-terminal", "card-terminal")).toBe("Card (terminal)");
  });
});
