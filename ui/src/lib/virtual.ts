// The arithmetic of a virtualized list of fixed-height rows: which rows to
// put in the DOM for a scroll position, which pages of the store to ask for,
// where to scroll so a row shows. Pure, so it is unit-tested without a DOM.

/** The rows [first, end) to render around the viewport, `overscan` extra each side. */
export function visibleRange(
  scrollTop: number,
  viewport: number,
  rowHeight: number,
  total: number,
  overscan: number,
): { first: number; end: number } {
  if (total <= 0 || rowHeight <= 0) return { first: 0, end: 0 };
  const top = Math.max(0, Math.floor(scrollTop / rowHeight));
  const bottom = Math.ceil((Math.max(0, scrollTop) + Math.max(0, viewport)) / rowHeight);
  const first = Math.min(total, Math.max(0, top - overscan));
  const end = Math.min(total, Math.max(first, bottom + overscan));
  return { first, end };
}

/** The page numbers (of `pageSize` rows) that hold rows [first, end). */
export function pagesFor(first: number, end: number, pageSize: number): number[] {
  if (end <= first) return [];
  const pages: number[] = [];
  for (let p = Math.floor(first / pageSize); p <= Math.floor((end - 1) / pageSize); p++) pages.push(p);
  return pages;
}

/**
 * The scroll position that shows row `index` whole, moving as little as
 * possible from `scrollTop` (null when it already shows).
 */
export function scrollToShow(index: number, scrollTop: number, viewport: number, rowHeight: number): number | null {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewport) return Math.max(0, bottom - viewport);
  return null;
}
