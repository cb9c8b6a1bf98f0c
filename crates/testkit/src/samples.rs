//! Demo documents (`acquit_pdf::Document`s) for the tests and benches of
//! the PDF and the Factur-X: a seller under each VAT regime, a buyer, an
//! invoice, a long one, a credit note, a balance after a deposit, the PAID
//! stamp; a PNG logo made byte by byte.

use acquit_core::ids::{Bic, Email, Iban, Siren, Siret, VatNumber};
use acquit_core::tax::compute;
use acquit_core::{
    Client, Currency, Discount, InvoiceKind, Lang, Line, LineInput, Quantity, Seller, VatRate,
    VatRegime,
};
use acquit_pdf::{DepositRef, Document, PaidStamp, Paper};
use chrono::NaiveDate;

pub use crate::books::eur;

pub const PAYMENT_URL: &str = "https://relay.example.fr/p/8f3kQ2xLw9";
pub const NUMBER: &str = "F-2026-0042";

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub fn seller(regime: VatRegime) -> Seller {
    let siren = Siren::parse("732829320").unwrap();
    let mut s = Seller::new(
        "Studio Lumière SARL",
        "14 rue des Écoles\n75005 Paris\nFrance",
    );
    s.siret = Some(Siret::parse("73282932000074").unwrap());
    s.vat_number = match regime {
        VatRegime::Standard => Some(VatNumber::french_from_siren(&siren)),
        VatRegime::Franchise => None,
    };
    s.siren = Some(siren);
    s.email = Some(Email::parse("contact@studio-lumiere.fr").unwrap());
    s.iban = Some(Iban::parse("FR76 3000 6000 0112 3456 7890 189").unwrap());
    s.bic = Some(Bic::parse("AGRIFRPP").unwrap());
    s.vat_regime = regime;
    s
}

pub fn buyer(lang: Lang) -> Client {
    let mut c = Client::new("Éléonore Dûbois-Lefèvre");
    c.address = Some("3 Vestergade\n5970 Ærøskøbing\nDanemark".into());
    c.siren = Some(Siren::parse("552100554").unwrap());
    c.lang = lang;
    c.business = true;
    c
}

fn line(description: &str, qty: i64, price: i64, bp: u32, discount: Discount) -> Line {
    Line {
        description: description.into(),
        input: LineInput {
            quantity: Quantity::units(qty),
            unit_price: eur(price),
            vat_rate: VatRate::from_basis_points(bp).unwrap(),
            discount,
        },
        nature: None,
        unit: None,
    }
}

pub fn lines(regime: VatRegime) -> Vec<Line> {
    let (a, b) = match regime {
        VatRegime::Standard => (2000, 550),
        VatRegime::Franchise => (0, 0),
    };
    vec![
        line(
            "Développement de l'application de facturation, sprint 3 : paiement en ligne, relances automatiques et export comptable",
            5,
            60_000,
            a,
            Discount::Percent(1000),
        ),
        line(
            "Traduction grecque pour Γιώργος Παπαδόπουλος",
            1,
            45_000,
            a,
            Discount::None,
        ),
        line(
            "Relecture russe pour Дмитрий Иванов",
            2,
            12_050,
            b,
            Discount::None,
        ),
    ]
}

/// A standard invoice, nothing paid yet: both QR codes.
pub fn invoice(lang: Lang) -> Document {
    document(lang, VatRegime::Standard, lines(VatRegime::Standard))
}

pub fn document(lang: Lang, regime: VatRegime, lines: Vec<Line>) -> Document {
    let inputs: Vec<LineInput> = lines.iter().map(|l| l.input.clone()).collect();
    let totals = compute(&inputs, Currency::EUR, regime).unwrap();
    Document {
        kind: InvoiceKind::Standard,
        number: NUMBER.into(),
        issue_date: date(2026, 11, 2),
        sale_date: Some(date(2026, 10, 31)),
        due_date: date(2026, 12, 2),
        seller: seller(regime),
        buyer: buyer(lang),
        lines,
        amount_due: totals.total,
        totals,
        deposits: vec![],
        credits: None,
        reason: None,
        details: Default::default(),
        category: None,
        payment_url: Some(PAYMENT_URL.into()),
        paid: None,
        logo_png: None,
        lang,
        paper: Paper::A4,
        quote: None,
    }
}

pub fn paid(mut doc: Document) -> Document {
    doc.paid = Some(PaidStamp {
        date: date(2026, 11, 23),
        method: match doc.lang {
            Lang::Fr => "Virement".into(),
            Lang::En => "Bank transfer".into(),
        },
        paid: doc.totals.total,
        remaining: eur(0),
    });
    doc.amount_due = eur(0);
    doc
}

pub fn long_invoice(n: usize) -> Document {
    let lines = (1..=n)
        .map(|i| {
            let text = if i % 7 == 0 {
                format!("Ligne {i:02} : accompagnement, ateliers et support technique sur plusieurs jours avec compte rendu détaillé")
            } else {
                format!("Ligne {i:02} : prestation de conseil")
            };
            line(&text, 1, 10_000 + i as i64, 2000, Discount::None)
        })
        .collect();
    document(Lang::Fr, VatRegime::Standard, lines)
}

pub fn credit_note(lang: Lang) -> Document {
    let mut doc = invoice(lang);
    doc.kind = InvoiceKind::CreditNote;
    doc.number = "AV-2026-0003".into();
    doc.totals = doc.totals.full_credit().unwrap();
    doc.amount_due = eur(0);
    doc.credits = Some(NUMBER.into());
    doc.reason = Some(match lang {
        Lang::Fr => "Annulation de la commande".into(),
        Lang::En => "Order cancelled".into(),
    });
    doc
}

pub fn balance(lang: Lang) -> Document {
    let mut doc = invoice(lang);
    doc.kind = InvoiceKind::Balance;
    doc.number = "F-2026-0050".into();
    let deposit_lines = [line("Acompte 30 %", 1, 100_000, 2000, Discount::None).input];
    let deposit = compute(&deposit_lines, Currency::EUR, VatRegime::Standard).unwrap();
    doc.totals = doc
        .totals
        .balance_after(std::slice::from_ref(&deposit))
        .unwrap();
    doc.amount_due = doc.totals.total;
    doc.deposits = vec![DepositRef {
        number: "F-2026-0031".into(),
        issue_date: date(2026, 10, 1),
        total: deposit.total,
    }];
    doc
}

/// A small RGB PNG (a blue square with a white band), encoded by hand with
/// stored deflate blocks so the tests need no image library.
pub fn logo_png(width: u32, height: u32) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xffff_ffff_u32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend(data);
        out.extend(&body);
        out.extend(crc32(&body).to_be_bytes());
    }
    let mut raw = Vec::new();
    for y in 0..height {
        raw.push(0); // filter: none
        for _ in 0..width {
            let band = y > height / 3 && y < 2 * height / 3;
            raw.extend(if band { [255, 255, 255] } else { [33, 77, 140] });
        }
    }
    let mut z = vec![0x78, 0x01];
    let chunks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, block) in chunks.iter().enumerate() {
        z.push(u8::from(i + 1 == chunks.len()));
        let len = block.len() as u16;
        z.extend(len.to_le_bytes());
        z.extend((!len).to_le_bytes());
        z.extend(*block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in &raw {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    z.extend(((b << 16) | a).to_be_bytes());
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &z);
    chunk(&mut png, b"IEND", &[]);
    png
}
