// The structured postal addresses of the company, client and draft forms:
// what a blank one is, and the countries of their select. Rust checks them
// (the core's ISO 3166 table, five-digit French postcodes); this only
// prepares what the forms show and send.
import { commands, type AddressForm, type CountryOption, type FormChoices } from "../bindings";
import type { Locale } from "./i18n";

/** The parts of an address, as the field names end (`addressPostcode`). */
export const ADDRESS_PARTS = ["Street", "Postcode", "City", "Country"] as const;
export type AddressPart = (typeof ADDRESS_PARTS)[number];

/** An empty address, in France (the country the core assumes when none is given). */
export function blankAddress(): AddressForm {
  return { street: "", postcode: "", city: "", country: "FR" };
}

/** An address as loaded: no country means France, as the core reads it. */
export function loadedAddress(address: AddressForm | null | undefined): AddressForm {
  if (!address) return blankAddress();
  return { ...address, country: address.country.trim() === "" ? "FR" : address.country };
}

/** Nothing typed but the country: the store keeps no address. */
export function isBlankAddress(address: AddressForm): boolean {
  return [address.street, address.postcode, address.city].every((part) => part.trim() === "");
}

/** The countries as the user's language sorts their names (accents included). */
export function sortCountries(countries: readonly CountryOption[], locale: Locale): CountryOption[] {
  const collator = new Intl.Collator(locale, { sensitivity: "base" });
  return [...countries].sort((a, b) => collator.compare(a.name, b.name));
}

/** The name of the field with this part: `addressPostcode`, `deliveryCity`. */
export function partField(prefix: string, part: AddressPart): string {
  return `${prefix}${part}`;
}

// The lists change only with the language: asked once per language.
const asked = new Map<Locale, Promise<FormChoices | null>>();

/** The selects' lists (legal forms, activities, units, sorted countries), or null if Rust refused. */
export function formChoices(locale: Locale): Promise<FormChoices | null> {
  let choices = asked.get(locale);
  if (!choices) {
    choices = commands.formChoices(locale).then((result) => {
      if (result.status === "error") {
        asked.delete(locale);
        return null;
      }
      return { ...result.data, countries: sortCountries(result.data.countries, locale) };
    });
    asked.set(locale, choices);
  }
  return choices;
}
