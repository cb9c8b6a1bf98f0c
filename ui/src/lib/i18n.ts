// French first, English too. The app follows the system language and falls
// back to English for any language it does not speak; the user can switch.
// Labels carry their own colon: French puts a no-break space before it.

export const LOCALES = ["fr", "en"] as const;
export type Locale = (typeof LOCALES)[number];

/** Picks the first of the user's preferred languages that Acquit speaks. */
export function pickLocale(preferred: readonly string[]): Locale {
  for (const tag of preferred) {
    const primary = tag.trim().toLowerCase().split(/[-_]/)[0];
    const found = LOCALES.find((l) => l === primary);
    if (found) return found;
  }
  return "en";
}

const fr = {
  tagline: "Des factures qui se font payer.",
  emptyTitle: "Prêt à facturer",
  emptyBody:
    "Vos factures, clients et paiements resteront sur cet ordinateur, dans un fichier SQLite que vous gardez.",
  version: "Version",
  logs: "Journaux\u00a0:",
  build: "Compilation\u00a0:",
  debugBuild: "développement",
  releaseBuild: "production",
  language: "Langue",
  loadError: "Impossible de lire les informations de l’application\u00a0:",
  invoices: "Factures",
  search: "Rechercher un numéro ou un client",
  allStatuses: "Tous les statuts",
  colNumber: "Numéro",
  colClient: "Client",
  colIssued: "Émise le",
  colDue: "Échéance",
  colTotal: "Total TTC",
  colAmountDue: "Reste dû",
  colStatus: "Statut",
  draftLabel: "Brouillon",
  noInvoices: "Aucune facture ne correspond.",
  loadMore: "Afficher plus",
  database: "Base\u00a0:",
  status_draft: "Brouillon",
  status_issued: "Émise",
  status_processing: "Paiement en cours",
  "status_partially-paid": "Partiellement payée",
  status_paid: "Payée",
  status_cancelled: "Annulée",
  creditNote: "Avoir",
  overdue: "En retard",
} as const;

// Every locale has exactly the keys of the French one (checked by tsc).
const en: Record<keyof typeof fr, string> = {
  tagline: "Invoices that get paid.",
  emptyTitle: "Ready to invoice",
  emptyBody:
    "Your invoices, clients and payments stay on this computer, in a SQLite file you keep.",
  version: "Version",
  logs: "Logs:",
  build: "Build:",
  debugBuild: "development",
  releaseBuild: "release",
  language: "Language",
  loadError: "Could not read the app's information:",
  invoices: "Invoices",
  search: "Search a number or a client",
  allStatuses: "All statuses",
  colNumber: "Number",
  colClient: "Client",
  colIssued: "Issued",
  colDue: "Due",
  colTotal: "Total",
  colAmountDue: "Amount due",
  colStatus: "Status",
  draftLabel: "Draft",
  noInvoices: "No invoice matches.",
  loadMore: "Show more",
  database: "Database:",
  status_draft: "Draft",
  status_issued: "Issued",
  status_processing: "Payment processing",
  "status_partially-paid": "Partially paid",
  status_paid: "Paid",
  status_cancelled: "Cancelled",
  creditNote: "Credit note",
  overdue: "Overdue",
};

export type MessageKey = keyof typeof fr;
const MESSAGES: Record<Locale, Record<MessageKey, string>> = { fr, en };

export function t(locale: Locale, key: MessageKey): string {
  return MESSAGES[locale][key];
}

export const MESSAGE_KEYS = Object.keys(fr) as MessageKey[];

export const STATUSES = ["draft", "issued", "processing", "partially-paid", "paid", "cancelled"] as const;
export type Status = (typeof STATUSES)[number];

/** The label of an invoice status; an unknown one is shown as is. */
export function statusLabel(locale: Locale, status: string): string {
  const key = `status_${status}`;
  return (MESSAGE_KEYS as string[]).includes(key) ? t(locale, key as MessageKey) : status;
}

const EN_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** A `YYYY-MM-DD` date as people read it: `09/09/2026`, `9 Sep 2026`; `—` when absent. */
export function formatDate(locale: Locale, iso: string | null | undefined): string {
  const match = iso ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso) : null;
  if (!match) return iso ?? "—";
  const [, year, month, day] = match as unknown as [string, string, string, string];
  return locale === "fr"
    ? `${day}/${month}/${year}`
    : `${Number(day)} ${EN_MONTHS[Number(month) - 1]} ${year}`;
}
