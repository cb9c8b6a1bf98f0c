import { describe, expect, it } from "vitest";
import type { InvoiceDetailView } from "../bindings";
import { blankAddress } from "./address";
import { firstDue, headerForm, headerState, needsEurRate } from "./draft";

// Only what the header reads of a draft.
const draft = (over: Partial<InvoiceDetailView>) =>
  ({
    clientId: 4,
    kind: "standard",
    currency: "EUR",
    saleDate: null,
    dueDate: "2027-01-15",
    deposits: [],
    orderRef: null,
    buyerRef: null,
    eurRate: null,
    delivery: null,
    paymentMeans: [],
    ...over,
  }) as InvoiceDetailView;

describe("needsEurRate", () => {
  it("asks for the euro rate of any other currency", () => {
    expect(needsEurRate("USD")).toBe(true);
    expect(needsEurRate(" gbp ")).toBe(true);
    expect(needsEurRate("EUR")).toBe(false);
    expect(needsEurRate("eur")).toBe(false);
    expect(needsEurRate("")).toBe(false);
  });
});

describe("the draft header", () => {
  it("sends the references trimmed, blanks as none", () => {
    const header = {
      ...headerState(draft({})),
      orderRef: "  BC-2027-118 ",
      buyerRef: "   ",
    };
    const form = headerForm(header);
    expect(form.orderRef).toBe("BC-2027-118");
    expect(form.buyerRef).toBeNull();
    expect(form.dueDate).toBe("2027-01-15");
    expect(form.saleDate).toBeNull();
  });

  it("sends the euro rate only for another currency", () => {
    const usd = { ...headerState(draft({ currency: "USD" })), eurRate: "1,085" };
    expect(headerForm(usd).eurRate).toBe("1,085");
    // Back to euros: a rate typed before is not sent (the store refuses one).
    expect(headerForm({ ...usd, currency: "EUR" }).eurRate).toBeNull();
  });

  it("sends the delivery address only while 'deliver elsewhere' is ticked", () => {
    const delivery = { street: "Quai 4", postcode: "13002", city: "Marseille", country: "FR" };
    const loaded = headerState(draft({ delivery }));
    expect(loaded.deliveryElsewhere).toBe(true);
    expect(headerForm(loaded).delivery).toEqual(delivery);
    expect(headerForm({ ...loaded, deliveryElsewhere: false }).delivery).toEqual(blankAddress());
    expect(headerState(draft({})).deliveryElsewhere).toBe(false);
  });

  it("sends the ways to pay as ticked, none for the default", () => {
    const loaded = headerState(draft({ paymentMeans: ["card", "cheque"] }));
    expect(loaded.paymentMeans).toEqual(["card", "cheque"]);
    expect(headerForm(loaded).paymentMeans).toEqual(["card", "cheque"]);
    expect(headerForm(headerState(draft({}))).paymentMeans).toEqual([]);
  });

  it("keeps the deposits of a balance invoice only", () => {
    const balance = { ...headerState(draft({ kind: "balance", deposits: ["F-2026-0004", "F-2026-0007"] })) };
    expect(balance.deposits).toBe("F-2026-0004, F-2026-0007");
    expect(headerForm(balance).deposits).toEqual(["F-2026-0004", "F-2026-0007"]);
    expect(headerForm({ ...balance, kind: "standard" }).deposits).toEqual([]);
  });
});

describe("firstDue", () => {
  it("is the earliest date a gap will block issuing", () => {
    expect(firstDue([])).toBeNull();
    expect(
      firstDue([
        { message: "a", dueFrom: "2027-09-01" },
        { message: "b", dueFrom: null },
        { message: "c", dueFrom: "2026-09-01" },
      ]),
    ).toBe("2026-09-01");
  });
});
