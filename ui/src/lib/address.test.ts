import { beforeEach, describe, expect, it, vi } from "vitest";

const formChoicesCommand = vi.hoisted(() => vi.fn());
vi.mock("../bindings", () => ({ commands: { formChoices: formChoicesCommand } }));

import { blankAddress, formChoices, isBlankAddress, loadedAddress, partField, sortCountries } from "./address";

describe("addresses", () => {
  it("start blank in France, as the core reads an address without a country", () => {
    expect(blankAddress()).toEqual({ street: "", postcode: "", city: "", country: "FR" });
    expect(loadedAddress(null)).toEqual(blankAddress());
    const older = { street: "8 rue de la Roquette", postcode: "75011", city: "Paris", country: "" };
    expect(loadedAddress(older).country).toBe("FR");
    expect(loadedAddress({ ...older, country: "BE" }).country).toBe("BE");
  });

  it("are blank until a street, postcode or city is typed", () => {
    expect(isBlankAddress({ ...blankAddress(), country: "DE" })).toBe(true);
    expect(isBlankAddress({ ...blankAddress(), street: "  \n " })).toBe(true);
    expect(isBlankAddress({ ...blankAddress(), city: "Lyon" })).toBe(false);
  });

  it("name their fields as Rust reports their errors", () => {
    expect(partField("address", "Postcode")).toBe("addressPostcode");
    expect(partField("delivery", "Street")).toBe("deliveryStreet");
  });
});

describe("sortCountries", () => {
  const countries = [
    { code: "EE", name: "Estonie" },
    { code: "AE", name: "Émirats arabes unis" },
    { code: "FR", name: "France" },
    { code: "EG", name: "Égypte" },
    { code: "AF", name: "Afghanistan" },
  ];

  it("sorts names as French reads them, accents with their letter", () => {
    expect(sortCountries(countries, "fr").map((c) => c.code)).toEqual(["AF", "EG", "AE", "EE", "FR"]);
  });

  it("leaves the list it was given as it was", () => {
    sortCountries(countries, "en");
    expect(countries[0]?.code).toBe("EE");
  });
});

describe("formChoices", () => {
  const data = {
    legalForms: [{ value: "ei", hasShareCapital: false }],
    activities: ["goods"],
    units: ["day"],
    paymentMeans: ["transfer"],
    countries: [
      { code: "FR", name: "France" },
      { code: "BE", name: "Belgique" },
    ],
  };

  beforeEach(() => formChoicesCommand.mockReset());

  it("asks Rust once per language and sorts the countries", async () => {
    formChoicesCommand.mockResolvedValue({ status: "ok", data });
    const first = await formChoices("fr");
    await formChoices("fr");
    expect(formChoicesCommand).toHaveBeenCalledTimes(1);
    expect(first?.countries.map((c) => c.code)).toEqual(["BE", "FR"]);
    await formChoices("en");
    expect(formChoicesCommand).toHaveBeenCalledTimes(2);
  });

  it("asks again after a refusal", async () => {
    formChoicesCommand.mockResolvedValueOnce({ status: "error", error: { message: "no", fields: [] } });
    // A language not asked by the test above.
    expect(await formChoices("de" as "fr")).toBeNull();
    formChoicesCommand.mockResolvedValueOnce({ status: "ok", data });
    expect(await formChoices("de" as "fr")).not.toBeNull();
    expect(formChoicesCommand).toHaveBeenCalledTimes(2);
  });
});
