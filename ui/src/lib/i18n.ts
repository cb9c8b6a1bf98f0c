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
};

export type MessageKey = keyof typeof fr;
const MESSAGES: Record<Locale, Record<MessageKey, string>> = { fr, en };

export function t(locale: Locale, key: MessageKey): string {
  return MESSAGES[locale][key];
}

export const MESSAGE_KEYS = Object.keys(fr) as MessageKey[];
