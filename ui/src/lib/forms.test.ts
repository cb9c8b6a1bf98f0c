import { describe, expect, it } from "vitest";
import { documentTitleKey, fieldErrors, formMessage, nextRow, withoutField } from "./forms";

describe("fieldErrors", () => {
  it("maps each field to its first message", () => {
    const error = {
      message: "a; b; c",
      fields: [
        { field: "email", message: "a" },
        { field: "siren", message: "b" },
        { field: "email", message: "c" },
      ],
    };
    expect(fieldErrors(error)).toEqual({ email: "a", siren: "b" });
    expect(formMessage(error)).toBeNull();
  });

  it("leaves an error about no field to the form", () => {
    expect(fieldErrors(null)).toEqual({});
    expect(fieldErrors({ message: "there is no client 4" })).toEqual({});
    expect(formMessage({ message: "there is no client 4", fields: [] })).toBe("there is no client 4");
  });
});

describe("withoutField", () => {
  const error = {
    message: "a; b",
    fields: [
      { field: "addressPostcode", message: "a" },
      { field: "siren", message: "b" },
    ],
  };

  it("drops the message of the field edited, keeps the others", () => {
    const left = withoutField(error, "addressPostcode");
    expect(fieldErrors(left)).toEqual({ siren: "b" });
    expect(formMessage(left)).toBeNull();
    expect(withoutField(error, "email")).toBe(error);
  });

  it("leaves nothing once the last field is fixed", () => {
    expect(withoutField(withoutField(error, "addressPostcode"), "siren")).toBeNull();
    expect(withoutField(null, "siren")).toBeNull();
    const general = { message: "there is no client 4", fields: [] };
    expect(withoutField(general, "siren")).toBe(general);
  });
});

describe("nextRow", () => {
  it("moves one row with the arrows and stops at the ends", () => {
    expect(nextRow(0, "ArrowDown", 3)).toBe(1);
    expect(nextRow(2, "ArrowDown", 3)).toBeNull();
    expect(nextRow(1, "ArrowUp", 3)).toBe(0);
    expect(nextRow(0, "ArrowUp", 3)).toBeNull();
  });

  it("jumps with Home and End, ignores other keys", () => {
    expect(nextRow(1, "Home", 5)).toBe(0);
    expect(nextRow(1, "End", 5)).toBe(4);
    expect(nextRow(1, "PageDown", 100, 20)).toBe(21);
    expect(nextRow(95, "PageDown", 100, 20)).toBe(99);
    expect(nextRow(30, "PageUp", 100, 20)).toBe(10);
    expect(nextRow(5, "PageUp", 100, 20)).toBe(0);
    expect(nextRow(1, "Enter", 5)).toBeNull();
    expect(nextRow(0, "ArrowDown", 0)).toBeNull();
  });
});

describe("documentTitleKey", () => {
  it("titles each kind of document", () => {
    expect(documentTitleKey("standard", true)).toBe("invoiceTitle");
    expect(documentTitleKey("credit_note", true)).toBe("creditNoteTitle");
    expect(documentTitleKey("deposit", true)).toBe("depositTitle");
    expect(documentTitleKey("balance", true)).toBe("balanceTitle");
    expect(documentTitleKey("standard", false)).toBe("draftTitle");
  });
});
