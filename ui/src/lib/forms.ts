// Small pure helpers shared by the screens: reading a command's typed error
// into per-field messages, and moving through a list with the keyboard.
import type { InvoiceKindChoice } from "../bindings";
import type { MessageKey } from "./i18n";

/** The shape of the `CommandError` the bindings return. */
export type CommandErrorLike = {
  message: string;
  fields?: { field: string; message: string }[];
};

/** Each field's message (the first one per field), by field name. */
export function fieldErrors(error: CommandErrorLike | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of error?.fields ?? []) {
    if (!(f.field in out)) out[f.field] = f.message;
  }
  return out;
}

/**
 * The error once `field` was edited: without that field's message, and
 * none at all once the last field is fixed (else the form would show the
 * whole message above it, as if no field explained it).
 */
export function withoutField<E extends CommandErrorLike>(error: E | null, field: string): E | null {
  if (!error?.fields?.some((f) => f.field === field)) return error;
  const fields = error.fields.filter((f) => f.field !== field);
  return fields.length > 0 ? { ...error, fields } : null;
}

/** The message to show above a form: only when no field explains it. */
export function formMessage(error: CommandErrorLike | null | undefined): string | null {
  if (!error) return null;
  return error.fields && error.fields.length > 0 ? null : error.message;
}

/**
 * Where the focus goes in a list of `length` rows after `key` on row
 * `index`: ArrowUp/ArrowDown move one row, PageUp/PageDown `pageSize`
 * rows, Home/End jump to the ends; null when the key does not move (or
 * there is nowhere to go).
 */
export function nextRow(index: number, key: string, length: number, pageSize = 10): number | null {
  if (length === 0) return null;
  let next: number;
  switch (key) {
    case "ArrowDown":
      next = Math.min(index + 1, length - 1);
      break;
    case "ArrowUp":
      next = Math.max(index - 1, 0);
      break;
    case "PageDown":
      next = Math.min(index + Math.max(1, pageSize), length - 1);
      break;
    case "PageUp":
      next = Math.max(index - Math.max(1, pageSize), 0);
      break;
    case "Home":
      next = 0;
      break;
    case "End":
      next = length - 1;
      break;
    default:
      return null;
  }
  return next === index ? null : next;
}

/** The title of a document of this kind (a draft is titled as a draft). */
export function documentTitleKey(kind: InvoiceKindChoice, issued: boolean): MessageKey {
  if (!issued) return "draftTitle";
  switch (kind) {
    case "credit_note":
      return "creditNoteTitle";
    case "deposit":
      return "depositTitle";
    case "balance":
      return "balanceTitle";
    case "standard":
      return "invoiceTitle";
  }
}
