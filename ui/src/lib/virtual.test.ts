import { describe, expect, it } from "vitest";
import { pagesFor, scrollToShow, visibleRange } from "./virtual";

describe("visibleRange", () => {
  it("renders the rows in view plus the overscan, never past the ends", () => {
    expect(visibleRange(0, 400, 40, 100_000, 5)).toEqual({ first: 0, end: 15 });
    expect(visibleRange(4_000, 400, 40, 100_000, 5)).toEqual({ first: 95, end: 115 });
    expect(visibleRange(40 * 99_990, 400, 40, 100_000, 5)).toEqual({ first: 99_985, end: 100_000 });
  });

  it("renders nothing for an empty list and little for a short one", () => {
    expect(visibleRange(0, 400, 40, 0, 5)).toEqual({ first: 0, end: 0 });
    expect(visibleRange(0, 400, 40, 3, 5)).toEqual({ first: 0, end: 3 });
  });

  it("keeps the DOM small whatever the total", () => {
    const { first, end } = visibleRange(1_234_560, 900, 40, 100_000, 10);
    expect(end - first).toBeLessThan(100);
  });
});

describe("pagesFor", () => {
  it("names each page that holds a visible row, once", () => {
    expect(pagesFor(95, 115, 100)).toEqual([0, 1]);
    expect(pagesFor(0, 100, 100)).toEqual([0]);
    expect(pagesFor(99_985, 100_000, 100)).toEqual([999]);
    expect(pagesFor(5, 5, 100)).toEqual([]);
  });
});

describe("scrollToShow", () => {
  it("scrolls up or down just enough, or not at all", () => {
    expect(scrollToShow(10, 0, 400, 40)).toBe(40);
    expect(scrollToShow(2, 400, 400, 40)).toBe(80);
    expect(scrollToShow(12, 400, 400, 40)).toBeNull();
    expect(scrollToShow(0, 0, 400, 40)).toBeNull();
  });
});
