#!/usr/bin/env python3
"""Writes the small hand-made PDF seeds of the facturx_check_pdf target.

    python3 fuzz/seeds/make_pdf_seeds.py fuzz/corpus/facturx_check_pdf

- seed-plain.pdf: one empty page, no embedded file (not a Factur-X);
- seed-embedded-plain.pdf: a factur-x.xml embedded as an uncompressed
  stream, named by /UF, listed in /Names /EmbeddedFiles and /AF;
- seed-embedded-flate.pdf: the same with /FlateDecode and a UTF-16BE /F
  name "ZUGFeRD-invoice.xml";
- seed-other-file.pdf: an embedded file with another name (notes.txt).

The real Factur-X seed (seed-acquit-F-2026-0001.pdf) is made by Acquit
itself: see fuzz/README.md.
"""
import sys
import zlib
from pathlib import Path

XML = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
       b'<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:'
       b'standard:CrossIndustryInvoice:100"><rsm:ExchangedDocument/>'
       b'</rsm:CrossIndustryInvoice>\n')


def pdf(objects):
    """A PDF from its objects (bytes, numbered from 1; 1 is the catalog)."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def stream(dict_entries, data):
    return b"<< %s /Length %d >>\nstream\n" % (dict_entries, len(data)) + data + b"\nendstream"


PAGES = [
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
    stream(b"", b"BT /F1 12 Tf 72 770 Td (Facture) Tj ET"),
]


def with_file(name_key, name, data, filters=b""):
    catalog = (b"<< /Type /Catalog /Pages 2 0 R /AF [5 0 R] "
               b"/Names << /EmbeddedFiles << /Names [" + name + b" 5 0 R] >> >> >>")
    filespec = (b"<< /Type /Filespec /" + name_key + b" " + name +
                b" /AFRelationship /Data /EF << /F 6 0 R >> >>")
    embedded = stream(b"/Type /EmbeddedFile /Subtype /text#2Fxml " + filters, data)
    return pdf([catalog] + PAGES + [filespec, embedded])


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    seeds = {
        "seed-plain.pdf": pdf([b"<< /Type /Catalog /Pages 2 0 R >>"] + PAGES),
        "seed-embedded-plain.pdf": with_file(b"UF", b"(factur-x.xml)", XML),
        "seed-embedded-flate.pdf": with_file(
            b"F",
            b"<" + ("\ufeffZUGFeRD-invoice.xml".encode("utf-16-be").hex().upper().encode()) + b">",
            zlib.compress(XML),
            b"/Filter /FlateDecode",
        ),
        "seed-other-file.pdf": with_file(b"UF", b"(notes.txt)", b"not an invoice\n"),
    }
    for name, data in seeds.items():
        (out / name).write_bytes(data)


if __name__ == "__main__":
    main()
