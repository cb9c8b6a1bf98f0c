// The draft header as the editor edits it, and what it sends: the client,
// kind, currency, dates and deposits, plus the references, the euro rate
// and this invoice's own delivery address. Rust reads and checks all of it
// (`update_draft`); this only shapes the form.
import type {
  AddressForm,
  ComingGap,
  DraftHeaderForm_Deserialize,
  InvoiceDetailView,
  InvoiceKindChoice,
  PaymentMeansChoice,
} from "../bindings";
import { blankAddress, isBlankAddress, loadedAddress } from "./address";

export type HeaderState = {
  clientId: number;
  kind: InvoiceKindChoice;
  currency: string;
  saleDate: string;
  dueDate: string;
  /** Deposit numbers, separated by commas or spaces. */
  deposits: string;
  orderRef: string;
  buyerRef: string;
  eurRate: string;
  /** "Deliver elsewhere" ticked: `delivery` is sent. */
  deliveryElsewhere: boolean;
  delivery: AddressForm;
  /** The ways to pay ticked; none: Rust's default at issue. */
  paymentMeans: PaymentMeansChoice[];
};

/** An invoice not in euros states its VAT in euros too: it asks for the rate. */
export function needsEurRate(currency: string): boolean {
  const code = currency.trim().toUpperCase();
  return code !== "" && code !== "EUR";
}

/** The header of a draft, ready to edit. */
export function headerState(draft: InvoiceDetailView): HeaderState {
  return {
    clientId: draft.clientId,
    kind: draft.kind,
    currency: draft.currency,
    saleDate: draft.saleDate ?? "",
    dueDate: draft.dueDate ?? "",
    deposits: draft.deposits.join(", "),
    orderRef: draft.orderRef ?? "",
    buyerRef: draft.buyerRef ?? "",
    eurRate: draft.eurRate ?? "",
    deliveryElsewhere: draft.delivery != null && !isBlankAddress(draft.delivery),
    delivery: loadedAddress(draft.delivery),
    paymentMeans: [...(draft.paymentMeans ?? [])],
  };
}

/** What `updateDraft` takes: blanks as none, what is hidden not sent. */
export function headerForm(header: HeaderState): DraftHeaderForm_Deserialize {
  const text = (s: string) => (s.trim() === "" ? null : s.trim());
  return {
    clientId: header.clientId,
    kind: header.kind,
    currency: header.currency,
    saleDate: header.saleDate || null,
    dueDate: header.dueDate || null,
    deposits: header.kind === "balance" ? header.deposits.split(/[,;\s]+/).filter((d) => d !== "") : [],
    orderRef: text(header.orderRef),
    buyerRef: text(header.buyerRef),
    eurRate: needsEurRate(header.currency) ? text(header.eurRate) : null,
    delivery: header.deliveryElsewhere ? header.delivery : blankAddress(),
    paymentMeans: header.paymentMeans,
  };
}

/** The earliest date from which one of these gaps will block issuing. */
export function firstDue(gaps: readonly ComingGap[]): string | null {
  const dates = gaps.map((g) => g.dueFrom).filter((d): d is string => typeof d === "string");
  return dates.length === 0 ? null : dates.reduce((a, b) => (b < a ? b : a));
}
