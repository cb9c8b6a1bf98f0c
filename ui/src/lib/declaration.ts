// Pure helpers of the Declaration screen: the period picked as the code
// Rust reads (`2027-Q1`, `2027-03`), the default period, month names, and
// how alarming a threshold's level is. The rules and amounts come from Rust.
import type { ThresholdLevelChoice } from "../bindings";
import type { Locale } from "./i18n";

export const QUARTERS = ["Q1", "Q2", "Q3", "Q4"] as const;
export const MONTHS = ["01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"] as const;
/** A quarter or a month of a year. */
export type Span = (typeof QUARTERS)[number] | (typeof MONTHS)[number];

/** `2027-Q1`, `2027-03`: what `commands.declaration` reads. */
export function periodCode(year: number, span: Span): string {
  return `${String(year).padStart(4, "0")}-${span}`;
}

/** The quarter a local `YYYY-MM-DD` day falls in. */
export function quarterOf(isoDay: string): { year: number; span: Span } {
  const year = Number(isoDay.slice(0, 4));
  const month = Number(isoDay.slice(5, 7));
  return { year, span: QUARTERS[Math.min(3, Math.max(0, Math.ceil(month / 3) - 1))] ?? "Q1" };
}

/** "mars", "March". */
export function monthName(locale: Locale, month: string): string {
  const format = new Intl.DateTimeFormat(locale === "fr" ? "fr-FR" : "en-GB", { month: "long", timeZone: "UTC" });
  return format.format(new Date(Date.UTC(2000, Number(month) - 1, 1)));
}

/** How a threshold's level is shown: fine, a warning, or crossed. */
export function levelTone(level: ThresholdLevelChoice): "ok" | "warn" | "over" {
  switch (level) {
    case "below":
      return "ok";
    case "near":
      return "warn";
    case "crossed":
    case "near-higher":
    case "higher-crossed":
      return "over";
  }
}

/** The width of a threshold's gauge, in percent of the bar (0–100). */
export function gauge(percent: number): number {
  return Math.max(0, Math.min(100, percent));
}
