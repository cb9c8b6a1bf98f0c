// Pure helpers of the books screens (ledger, credit notes, reconciliation):
// the ledger's periods as dates, message placeholders, and which action a
// reconciliation finding asks for. Amounts come formatted from Rust.
import type { PaymentFindingKind, PaymentMethodChoice } from "../bindings";
import type { Locale, MessageKey } from "./i18n";
import { t } from "./i18n";

export const PERIODS = ["this-month", "last-month", "this-year", "all", "custom"] as const;
export type PeriodChoice = (typeof PERIODS)[number];

/** Inclusive `YYYY-MM-DD` bounds; null is open-ended. */
export type Range = { from: string | null; to: string | null };

function iso(year: number, month: number, day: number): string {
  const pad = (n: number, width: number) => String(n).padStart(width, "0");
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** The last day of `month` (1–12) of `year`. */
function lastDay(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one.
  return new Date(year, month, 0).getDate();
}

/** The days `choice` covers on the local day `today`; `custom` for custom dates. */
export function periodRange(choice: PeriodChoice, today: Date, custom: Range = { from: null, to: null }): Range {
  const year = today.getFullYear();
  const month = today.getMonth() + 1;
  switch (choice) {
    case "this-month":
      return { from: iso(year, month, 1), to: iso(year, month, lastDay(year, month)) };
    case "last-month": {
      const [y, m] = month === 1 ? [year - 1, 12] : [year, month - 1];
      return { from: iso(y, m, 1), to: iso(y, m, lastDay(y, m)) };
    }
    case "this-year":
      return { from: iso(year, 1, 1), to: iso(year, 12, 31) };
    case "all":
      return { from: null, to: null };
    case "custom":
      return { from: custom.from || null, to: custom.to || null };
  }
}

/** Both bounds set and the start after the end (ISO dates compare as text). */
export function rangeInverted(range: Range): boolean {
  return range.from !== null && range.to !== null && range.from > range.to;
}

/** `text` with each `{name}` replaced by `values[name]` (unknown ones kept). */
export function fill(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  );
}

/** What to do about a reconciliation finding. */
export function findingActionKey(kind: PaymentFindingKind, hasInvoice: boolean): MessageKey {
  if (kind === "missing-in-acquit") return hasInvoice ? "actionSync" : "actionRecord";
  return "actionCheck";
}

/** A ledger line's method: Stripe's as the ledger prints it ("STRIPE card"), the others translated. */
export function ledgerMethod(locale: Locale, method: PaymentMethodChoice, methodLabel: string): string {
  return method === "stripe" ? methodLabel : t(locale, `method_${method}`);
}
