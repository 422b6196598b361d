import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  findAadhaars,
  findEmails,
  findIbans,
  findIndianPans,
  findPaymentCards,
  findPhones,
  findSensitive,
  ibanMod97Valid,
  luhnValid,
  verhoeffCheckDigit,
  verhoeffValid,
} from "../src/output/index.js";

const texts = (spans: { start: number; end: number }[], text: string) => spans.map((s) => text.slice(s.start, s.end));

describe("checksums", () => {
  it("Luhn accepts known test cards and rejects one-digit changes", () => {
    for (const n of ["4111111111111111", "5555555555554444", "378282246310005", "6011111111111117", "3530111333300000"]) {
      expect(luhnValid(n)).toBe(true);
      const last = Number(n.at(-1));
      expect(luhnValid(n.slice(0, -1) + ((last + 1) % 10))).toBe(false);
    }
    expect(luhnValid("")).toBe(false);
    expect(luhnValid("41111111111x1111")).toBe(false);
  });

  it("mod-97 accepts registry examples and rejects a swapped pair", () => {
    for (const n of ["GB82WEST12345698765432", "DE89370400440532013000", "FR1420041010050500013M02606", "NO9386011117947"]) {
      expect(ibanMod97Valid(n)).toBe(true);
    }
    expect(ibanMod97Valid("GB82WEST12345698765423")).toBe(false);
    expect(ibanMod97Valid("GB82 WEST")).toBe(false);
  });

  it("Verhoeff matches the published examples", () => {
    expect(verhoeffValid("2363")).toBe(true);
    expect(verhoeffCheckDigit("236")).toBe("3");
    expect(verhoeffCheckDigit("12345")).toBe("1");
    expect(verhoeffValid("2364")).toBe(false);
  });

  it("Verhoeff catches every single-digit error and adjacent transposition", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: 3, maxLength: 14 }),
        fc.nat(),
        fc.integer({ min: 1, max: 9 }),
        (body, at, delta) => {
          const valid = body + verhoeffCheckDigit(body);
          expect(verhoeffValid(valid)).toBe(true);
          const i = at % valid.length;
          const changed = valid.slice(0, i) + ((Number(valid[i]) + delta) % 10) + valid.slice(i + 1);
          expect(verhoeffValid(changed)).toBe(false);
          const j = at % (valid.length - 1);
          if (valid[j] !== valid[j + 1]) {
            const swapped = valid.slice(0, j) + valid[j + 1] + valid[j] + valid.slice(j + 2);
            expect(verhoeffValid(swapped)).toBe(false);
          }
        },
      ),
    );
  });
});

describe("emails", () => {
  it("finds addresses and stops at sentence punctuation", () => {
    const t = "Write to bob.smith+po@mail.company.com. Or (eve@evil.example)!";
    expect(texts(findEmails(t), t)).toEqual(["bob.smith+po@mail.company.com", "eve@evil.example"]);
  });
  it("ignores near misses", () => {
    for (const t of ["user@localhost", "@handle", "a@b.c", "x@-bad.com", "version 1.2@3.4", ".bob@x.com"]) {
      expect(texts(findEmails(t), t).filter((e) => e.startsWith("."))).toEqual([]);
    }
    expect(findEmails("user@localhost and a@b.c")).toEqual([]);
  });
});

describe("phones", () => {
  it("finds international, NANP and Indian mobile numbers", () => {
    const t = "Call +1 (415) 555-2671, 415-555-2671, (415) 555 2671, +44 20 7946 0958, +91 98765 43210 or 9876543210.";
    expect(texts(findPhones(t), t).sort()).toEqual(
      ["+1 (415) 555-2671", "415-555-2671", "(415) 555 2671", "+44 20 7946 0958", "+91 98765 43210", "9876543210"].sort(),
    );
  });
  it("ignores dates, amounts, versions, IPs and IDs", () => {
    const t =
      "On 2026-11-02 at 12:30 we paid 1,234,567.89 for v10.2.3 at 192.168.100.200, order ORD-4155552671, id 1234567890, 98765432101234";
    expect(findPhones(t)).toEqual([]);
  });
});

describe("payment cards", () => {
  it("finds Luhn-valid numbers of card networks, grouped or not", () => {
    const t = "Visa 4111 1111 1111 1111, MC 5555-5555-5555-4444, Amex 3782 822463 10005, plain 6011111111111117.";
    expect(texts(findPaymentCards(t), t)).toEqual(["4111 1111 1111 1111", "5555-5555-5555-4444", "3782 822463 10005", "6011111111111117"]);
  });
  it("ignores Luhn failures, non-card prefixes, timestamps and mixed separators", () => {
    const t = "4111 1111 1111 1112 and 1234567812345670 and 1718000000000 and 4111 1111-1111 1111 and 9111111111111119";
    expect(findPaymentCards(t)).toEqual([]);
    expect(luhnValid("1234567812345670")).toBe(true); // a Luhn-valid number that is still not a card
  });
});

describe("IBANs", () => {
  it("finds compact and grouped IBANs, cut at the country's length", () => {
    const t = "Pay GB82 WEST 1234 5698 7654 32 or DE89370400440532013000 today";
    expect(texts(findIbans(t), t)).toEqual(["GB82 WEST 1234 5698 7654 32", "DE89370400440532013000"]);
  });
  it("ignores a bad check, a wrong length and unknown countries", () => {
    expect(findIbans("GB82 WEST 1234 5698 7654 33")).toEqual([]);
    expect(findIbans("DE8937040044053201300")).toEqual([]);
    expect(findIbans("ZZ82WEST12345698765432")).toEqual([]);
  });
});

describe("Indian PAN and Aadhaar", () => {
  it("finds PANs with a valid holder-type letter", () => {
    const t = "PAN ABCPE1234F and AAACB1234C; not ABCXE1234F, abcpe1234f or XABCPE1234F";
    expect(texts(findIndianPans(t), t)).toEqual(["ABCPE1234F", "AAACB1234C"]);
  });
  it("finds Verhoeff-valid Aadhaar numbers, grouped or not", () => {
    const body = "23456789012";
    const valid = body + verhoeffCheckDigit(body);
    const grouped = `${valid.slice(0, 4)} ${valid.slice(4, 8)} ${valid.slice(8)}`;
    const t = `UID ${valid} or ${grouped}`;
    expect(texts(findAadhaars(t), t)).toEqual([valid, grouped]);
  });
  it("ignores a wrong check digit, a leading 0 or 1, and longer runs", () => {
    const body = "23456789012";
    const check = Number(verhoeffCheckDigit(body));
    expect(findAadhaars(body + ((check + 1) % 10))).toEqual([]);
    const one = "12345678901";
    expect(findAadhaars(one + verhoeffCheckDigit(one))).toEqual([]);
    expect(findAadhaars("9" + body + check)).toEqual([]);
  });
});

describe("findSensitive", () => {
  it("reports each span once, the most certain kind winning", () => {
    const t = "card 4111111111111111 mail a.b@company.com";
    expect(findSensitive(t).map((s) => s.kind)).toEqual(["payment_card", "email"]);
  });
  it("does not read phone numbers out of URLs", () => {
    expect(findSensitive("see https://company.com/orders/9876543210 ok")).toEqual([]);
  });
});
