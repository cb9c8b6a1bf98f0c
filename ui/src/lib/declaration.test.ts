import { describe, expect, it } from "vitest";
import { gauge, levelTone, monthName, periodCode, quarterOf } from "./declaration";

describe("the declaration's period", () => {
  it("is written as Rust reads it", () => {
    expect(periodCode(2027, "Q1")).toBe("2027-Q1");
    expect(periodCode(2027, "03")).toBe("2027-03");
  });

  it("defaults to the quarter of today", () => {
    expect(quarterOf("2026-12-06")).toEqual({ year: 2026, span: "Q4" });
    expect(quarterOf("2027-01-01")).toEqual({ year: 2027, span: "Q1" });
    expect(quarterOf("2027-03-31")).toEqual({ year: 2027, span: "Q1" });
    expect(quarterOf("2027-04-01")).toEqual({ year: 2027, span: "Q2" });
  });

  it("names months in each language", () => {
    expect(monthName("fr", "03")).toBe("mars");
    expect(monthName("en", "12")).toBe("December");
  });
});

describe("thresholds", () => {
  it("warn from near and alarm once crossed", () => {
    expect(levelTone("below")).toBe("ok");
    expect(levelTone("near")).toBe("warn");
    for (const level of ["crossed", "near-higher", "higher-crossed"] as const) expect(levelTone(level)).toBe("over");
  });

  it("fill their gauge up to the threshold, never beyond the bar", () => {
    expect(gauge(42)).toBe(42);
    expect(gauge(180)).toBe(100);
    expect(gauge(-3)).toBe(0);
  });
});
