#!/usr/bin/env python3
"""Writes the seeds of the third set of fuzz targets (issue 19), except
backup_restore's (made by acquit-store itself: seeds/make_backup_seed/).

    python3 fuzz/seeds/make_set3_seeds.py fuzz/corpus

- stripe_signature: 8 bytes of knobs (where the header ends, the
  tolerance, the clock skew, which byte to flip) then a Stripe-Signature
  header and a webhook body;
- stripe_event: the Stripe event fixtures of crates/sync/tests/fixtures/
  events (every type Acquit acts on, and one it ignores) and of
  crates/stripe/tests/fixtures, copied unchanged;
- relay_payloads: the wire fixtures of crates/relay-protocol/tests/
  fixtures, copied unchanged, and link states at the edges of
  `links::validate` (loopback http, a Stripe Checkout URL with a fragment,
  a paid date in RFC 3339, a void link);
- share_bundle: page plaintexts (length-prefixed summary JSON and PDF
  bytes: an invoice, a quote with a decision and its invoice), a quote
  reply, and a bundle sealed under the target's key (AES-256-GCM, with
  the `cryptography` package) as the relay would serve it;
- png_logo: PNG files (RGB, grey, palette with tRNS, 16-bit RGBA
  interlaced, a 50000x50000 bomb) and recipes for the target's PNG
  builder;
- pdf_render: recipes for the target's document reader (a three-line
  invoice, a 60-line one, a credit note, a quote, a paid invoice with an
  IBAN).
"""
import json
import shutil
import struct
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def write(corpus, target, name, data):
    d = Path(corpus) / target
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    (d / ("seed-" + name)).write_bytes(data)


def stripe_signature(corpus):
    import hashlib
    import hmac
    body = (ROOT / "crates/relay-protocol/tests/fixtures/events_page.json").read_bytes()
    body = json.dumps(json.loads(body)["events"][0]["payload"], separators=(",", ":")).encode()
    t = b"1800000000"
    sig = hmac.new(b"whsec_fuzz_0123456789abcdef", t + b"." + body, hashlib.sha256).hexdigest()
    for name, header in [
        ("signed", b"t=" + t + b",v1=" + sig.encode()),
        ("several", b"t=" + t + b", v1=" + b"0" * 64 + b", v1=" + sig.encode() + b",v0=" + sig.encode()),
        ("v0-only", b"t=" + t + b",v0=" + sig.encode()),
        ("garbage", b"t=99999999999999999999,v1=zz,=,t="),
    ]:
        knobs = struct.pack("<H", len(header)) + bytes([30, 0xF6, 7, 3, 10, 1])
        write(corpus, "stripe_signature", name, knobs + header + body)


def stripe_event(corpus):
    for p in sorted((ROOT / "crates/sync/tests/fixtures/events").glob("*.json")):
        write(corpus, "stripe_event", p.stem.split("_", 1)[1] + ".json", p.read_bytes())
    for name in ["event.json", "event_checkout_session_completed.json"]:
        p = ROOT / "crates/stripe/tests/fixtures" / name
        write(corpus, "stripe_event", "stripe-" + name, p.read_bytes())


def relay_payloads(corpus):
    for p in sorted((ROOT / "crates/relay-protocol/tests/fixtures").glob("*.json")):
        write(corpus, "relay_payloads", p.name, p.read_bytes())
    states = {
        "link-loopback.json": {"status": "open", "pay_url": "http://127.0.0.1:4242/pay/cs_1",
                               "invoice_number": "F-2026-0001", "amount_due": 12000, "currency": "EUR"},
        "link-checkout.json": {"status": "open",
                               "pay_url": "https://checkout.stripe.com/c/pay/cs_test_a1#fidkdWxOYHwnPyd1blpxYHZxWjA0",
                               "invoice_number": "F-2026-0002 <b>", "seller": "L'Atelier & Fils",
                               "stripe_id": "cs_test_a1"},
        "link-paid-rfc3339.json": {"status": "paid", "invoice_number": "F-2026-0003",
                                   "paid_at": "2026-11-23T10:00:00+01:00", "amount_due": 0,
                                   "currency": "eur", "seller": "Atelier"},
        "link-void.json": {"status": "void", "invoice_number": "F-2026-0004", "amount_due": 5000,
                           "currency": "JPY", "seller": "Ёлка"},
    }
    for name, state in states.items():
        write(corpus, "relay_payloads", name, json.dumps(state, ensure_ascii=False))


SUMMARY = {
    "v": 1, "lang": "fr", "kind": "invoice", "number": "F-2026-0001", "seller": "Atelier",
    "client": "Boulangerie Martin", "issue_date": "23/11/2026", "due_date": "23/12/2026",
    "total": "1\u202f200,00\u00a0€", "amount_due": "1\u202f200,00\u00a0€", "currency": "EUR",
    "total_minor": 120000, "amount_due_minor": 120000, "status": "due", "paid_on": None,
    "pay_url": "https://relay.example/p/8f3kQ2xLw9abcdef",
    "bank": {"holder": "Atelier", "iban": "FR76 3000 6000 0112 3456 7890 189", "bic": "AGRIFRPP"},
    "epc_svg": None, "pdf_name": "F-2026-0001.pdf",
}
QUOTE = dict(SUMMARY, kind="quote", number="D-2027-0001", due_date="", amount_due="",
             amount_due_minor=0, status="accepted", pay_url=None, bank=None,
             pdf_name="D-2027-0001.pdf", valid_until="20/02/2027", valid_until_iso="2027-02-20",
             decision={"accepted": True, "by": "Léa Martin", "on": "20/01/2027"},
             invoice={"number": "F-2027-0007", "label": "Facture d’acompte F-2027-0007\u00a0: la voir et la payer",
                      "url": "https://relay.example/v/tok#k=abc"})
KEY = b"fuzz-key-of-the-page-0123456789!"


def page(summary, pdf):
    j = json.dumps(summary, ensure_ascii=False, separators=(",", ":")).encode()
    return struct.pack(">I", len(j)) + j + pdf


def share_bundle(corpus):
    invoice = page(SUMMARY, b"%PDF-1.7\n%fake\n%%EOF\n")
    write(corpus, "share_bundle", "invoice-plain", invoice)
    write(corpus, "share_bundle", "quote-plain", page(QUOTE, b"%PDF-1.7 quote"))
    reply = (ROOT / "crates/relay-protocol/tests/fixtures/quote_reply.json").read_bytes()
    write(corpus, "share_bundle", "reply-plain.json", reply)
    try:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    except ImportError:
        print("no cryptography package: the sealed seed is not written", file=sys.stderr)
        return
    iv = bytes(range(12))
    write(corpus, "share_bundle", "invoice-sealed", b"\x01" + iv + AESGCM(KEY).encrypt(iv, invoice, None))


def png(width, height, depth, color, rows, interlace=0, extra=()):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, color, 0, 0, interlace))
    for kind, data in extra:
        out += chunk(kind, data)
    return out + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def png_logo(corpus):
    rgb = b"".join(b"\x00" + (b"\xff\xff\xff" if 13 < y < 26 else b"\x21\x4d\x8c") * 120 for y in range(40))
    write(corpus, "png_logo", "rgb-120x40.png", png(120, 40, 8, 2, rgb))
    write(corpus, "png_logo", "grey-1x1.png", png(1, 1, 8, 0, b"\x00\x80"))
    palette = bytes(c for i in range(4) for c in (i * 80, 40, 255 - i * 80))
    rows = b"".join(b"\x00" + bytes([0b00011011] * 4) for _ in range(16))
    write(corpus, "png_logo", "palette-2bit-tRNS.png",
          png(16, 16, 2, 3, rows, extra=[(b"PLTE", palette), (b"tRNS", b"\x00\x80")]))
    # 8x8 RGBA 16-bit, Adam7: the passes' rows, filter 0.
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
    raw = b""
    for x0, y0, dx, dy in passes:
        pw, ph = -(-(8 - x0) // dx), -(-(8 - y0) // dy)
        raw += (b"\x00" + b"\x12\x34" * 4 * pw) * ph
    write(corpus, "png_logo", "rgba16-adam7.png", png(8, 8, 16, 6, raw, interlace=1))
    write(corpus, "png_logo", "bomb-50000.png", png(50000, 50000, 8, 2, b"\x00" * 64))
    # Recipes: colour index, depth index, flags (0x40 exact rows, 0x20
    # palette, 1 interlaced), width and height (LE), shift; then pixels.
    write(corpus, "png_logo", "recipe-rgb-exact", bytes([1, 0, 0x40, 120, 0, 40, 0, 0]) + bytes(range(256)))
    write(corpus, "png_logo", "recipe-palette-adam7", bytes([2, 3, 0x41, 33, 0, 17, 0, 0]) + bytes(range(7, 200)))
    write(corpus, "png_logo", "recipe-huge", bytes([4, 1, 0, 0xff, 0xff, 0xff, 0xff, 3]) + b"\x00" * 64)


def text(s):
    b = s.encode()
    assert len(b) < 256
    return bytes([0, len(b)]) + b


def u16(n):
    return struct.pack("<H", n)


def u64(n):
    return struct.pack("<Q", n)


def doc(flags=0, currency=0, iban=None, footer=None, lines=(), number="F-2026-0042",
        url=None, method="Virement", quote=False, credit=("F-2026-0001", "Annulation")):
    """A recipe for pdf_render's reader (its order, field by field)."""
    out = bytes([flags, currency]) + text("Studio Lumière SARL") + text("14 rue des Écoles\n75005 Paris")
    out += b"\x01" + bytes([iban]) if iban is not None else b"\x00"
    out += b"\x01" + text(footer) + text("Pas d'escompte") if footer else b"\x00"
    out += text("Éléonore Dûbois-Lefèvre") + b"\x01" + text("3 Vestergade\n5970 Ærøskøbing\nDanemark") + b"\x01"
    out += u16(len(lines))
    for desc, qty, price, rate in lines:
        # size 1: quantities and prices up to 1e9 (halved by the reader).
        out += b"\x01" + u64(qty * 2000) + u64(price * 2) + bytes([rate, 0]) + text(desc)
    out += u16(9800)  # issue date: 1900-01-01 + 4 * 9800 days (2007)
    out += text(number) + b"\x00" + u16(9810)
    kind = flags >> 2 & 3
    if kind == 3:
        out += text(credit[0]) + text(credit[1])
    out += b"\x01" + text("PO-778") + b"\x00"
    out += (b"\x01" + text(url) + b"\x00") if url else b"\x00"
    if flags & 0x10:
        out += text(method)
    if flags & 0x40:
        out += u16(9830)
    return out


def pdf_render(corpus):
    three = [("Développement, sprint 3 : paiement en ligne, relances automatiques et export comptable", 5, 60000, 0),
             ("Traduction grecque pour Γιώργος Παπαδόπουλος", 1, 45000, 0),
             ("Relecture russe pour Дмитрий Иванов", 2, 12050, 2)]
    write(corpus, "pdf_render", "invoice", doc(lines=three, url="8f3kQ2xLw9"))
    many = [(f"Ligne {i:02} : prestation de conseil", 1, 10000 + i, 0) for i in range(60)]
    write(corpus, "pdf_render", "sixty-lines-en", doc(flags=2, lines=many))
    write(corpus, "pdf_render", "credit-note", doc(flags=3 << 2, lines=three, number="AV-2026-0003"))
    write(corpus, "pdf_render", "quote-letter", doc(flags=0x40 | 0x20, lines=three, number="D-2026-0001"))
    write(corpus, "pdf_render", "paid-iban-footer",
          doc(flags=0x10, iban=0, footer="Assurance décennale : AXA, contrat 123, France entière", lines=three))
    write(corpus, "pdf_render", "franchise-jpy-cjk",
          doc(flags=1, currency=2, lines=[("請求書 テスト 🧾 שלום مرحبا", 3, 1500, 4)], url="abc"))


def main():
    corpus = sys.argv[1] if len(sys.argv) > 1 else "fuzz/corpus"
    for make in [stripe_signature, stripe_event, relay_payloads, share_bundle, png_logo, pdf_render]:
        make(corpus)


if __name__ == "__main__":
    main()
