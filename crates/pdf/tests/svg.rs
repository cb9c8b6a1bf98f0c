//! The SVG backend (the app's preview) against the PDF of the same
//! document: same text runs, same pages, valid and escaped XML, QR codes
//! that decode, the same stamp. Both come from one display list, so these
//! tests check the SVG translation, not a second layout.

mod common;

use acquit_core::{Lang, VatRegime};
use acquit_pdf::{Mark, display_list, epc_payload, render, render_svg};
use common::*;

fn demo_documents() -> Vec<(&'static str, acquit_pdf::Document)> {
    let mut logo = invoice(Lang::Fr);
    logo.logo_png = Some(logo_png(120, 40));
    vec![
        ("invoice-fr", invoice(Lang::Fr)),
        ("invoice-en", invoice(Lang::En)),
        ("paid-fr", paid(invoice(Lang::Fr))),
        ("paid-en", paid(invoice(Lang::En))),
        ("credit-fr", credit_note(Lang::Fr)),
        ("balance-en", balance(Lang::En)),
        (
            "franchise-fr",
            document(Lang::Fr, VatRegime::Franchise, lines(VatRegime::Franchise)),
        ),
        ("long-fr", long_invoice(60)),
        ("logo-fr", logo),
    ]
}

/// The text of every `<text>` element of one SVG page, in document order.
fn svg_texts(svg: &str) -> Vec<String> {
    let xml = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{e}:\n{svg}"));
    xml.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or_default().to_owned())
        .collect()
}

/// The text runs of one page of the display list, the stamp's included.
fn list_texts(marks: &[Mark]) -> Vec<String> {
    let mut texts = Vec::new();
    for mark in marks {
        match mark {
            Mark::Text { text, .. } => texts.push(text.clone()),
            Mark::Stamp(stamp) => texts.extend(list_texts(&stamp.texts)),
            _ => {}
        }
    }
    texts
}

/// The non-blank characters of `text`, sorted: the same multiset whatever
/// order and spacing a tool puts them in.
fn chars(text: &str) -> Vec<char> {
    let mut c: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    c.sort_unstable();
    c
}

#[test]
fn every_page_has_the_text_runs_of_the_display_list_in_order() {
    for (name, doc) in demo_documents() {
        let list = display_list(&doc).unwrap();
        let pages = render_svg(&doc).unwrap();
        assert_eq!(pages.len(), list.pages.len(), "{name}");
        for (i, (svg, marks)) in pages.iter().zip(&list.pages).enumerate() {
            let expected = list_texts(marks);
            assert!(expected.len() > 10, "{name} page {}", i + 1);
            assert_eq!(svg_texts(svg), expected, "{name} page {}", i + 1);
        }
    }
}

/// pdftotext reads the PDF's characters back; the SVG page must hold the
/// very same ones (order and spacing aside: pdftotext rebuilds lines its
/// own way), and the same number of pages.
#[test]
fn the_svg_holds_the_same_characters_as_the_pdf_page_by_page() {
    for (name, doc) in demo_documents() {
        let pdf = render(&doc).unwrap();
        let svgs = render_svg(&doc).unwrap();
        assert_eq!(svgs.len(), pdf.pages, "{name}: page count");
        let path = write(&format!("svg-{name}.pdf"), &pdf.bytes);
        for (i, svg) in svgs.iter().enumerate() {
            let from_pdf = pdftotext(&path, Some(i + 1));
            let from_svg = svg_texts(svg).concat();
            assert_eq!(
                chars(&from_svg),
                chars(&from_pdf),
                "{name} page {}:\nSVG: {from_svg}\nPDF: {from_pdf}",
                i + 1
            );
        }
    }
}

#[test]
fn a_sixty_line_invoice_has_as_many_svg_pages_as_pdf_pages() {
    let doc = long_invoice(60);
    let pdf = render(&doc).unwrap();
    let svgs = render_svg(&doc).unwrap();
    assert!(pdf.pages >= 2, "{} pages", pdf.pages);
    assert_eq!(svgs.len(), pdf.pages);
    let last = svg_texts(svgs.last().unwrap()).join(" ");
    assert!(last.contains("Total TTC"), "{last}");
    assert!(
        last.contains(&format!("Page {0} / {0}", pdf.pages)),
        "{last}"
    );
}

#[test]
fn the_same_document_gives_the_same_svg() {
    for (name, doc) in demo_documents() {
        assert_eq!(
            render_svg(&doc).unwrap(),
            render_svg(&doc).unwrap(),
            "{name}"
        );
    }
    let doc = paid(invoice(Lang::Fr));
    let here = render_svg(&doc).unwrap();
    let there = std::thread::spawn(move || render_svg(&doc).unwrap())
        .join()
        .unwrap();
    assert_eq!(here, there);
}

#[test]
fn each_page_is_a_self_contained_svg_of_the_paper_size() {
    for (name, doc) in demo_documents() {
        for svg in render_svg(&doc).unwrap() {
            let xml = roxmltree::Document::parse(&svg).unwrap();
            let root = xml.root_element();
            assert_eq!(root.tag_name().name(), "svg", "{name}");
            assert_eq!(
                root.tag_name().namespace(),
                Some("http://www.w3.org/2000/svg")
            );
            assert_eq!(root.attribute("viewBox"), Some("0 0 595.28 841.89"));
            // Nothing fetched from elsewhere: no external reference.
            assert!(!svg.contains("href=\"http"), "{name}");
            for text in xml.descendants().filter(|n| n.has_tag_name("text")) {
                assert_eq!(text.attribute("font-family"), Some("Noto Sans"));
                assert!(matches!(text.attribute("font-weight"), Some("400" | "700")));
                assert_eq!(
                    text.attribute(("http://www.w3.org/XML/1998/namespace", "space")),
                    Some("preserve")
                );
            }
        }
    }
    let mut letter = invoice(Lang::En);
    letter.paper = acquit_pdf::Paper::Letter;
    let svg = &render_svg(&letter).unwrap()[0];
    assert!(svg.contains("viewBox=\"0 0 612 792\""), "{}", &svg[..200]);
}

#[test]
fn special_characters_are_escaped_and_read_back_intact() {
    let mut doc = invoice(Lang::Fr);
    let tricky = "Vis <M6> & écrous \"inox\" <script>alert(1)</script>";
    doc.lines[0].description = tricky.into();
    doc.buyer.name = "Dupont & Fils <SARL>".into();
    let svg = &render_svg(&doc).unwrap()[0];
    assert!(!svg.contains("<script"), "unescaped markup");
    assert!(svg.contains("&lt;script&gt;") && svg.contains("Dupont &amp; Fils"));
    let texts = svg_texts(svg).join("\n");
    assert!(texts.contains("Dupont & Fils <SARL>"), "{texts}");
    // The description may wrap: compare it with its spaces collapsed.
    assert!(flat(&texts).contains(tricky), "{texts}");
}

#[test]
fn the_paid_stamp_is_rotated_translucent_and_on_the_first_page_only() {
    let svgs = render_svg(&paid(long_invoice(60))).unwrap();
    let xml = roxmltree::Document::parse(&svgs[0]).unwrap();
    let stamp = xml
        .descendants()
        .find(|n| n.has_tag_name("g"))
        .expect("a stamp group");
    assert_eq!(stamp.attribute("fill-opacity"), Some("0.45"));
    assert_eq!(stamp.attribute("stroke-opacity"), Some("0.45"));
    let transform = stamp.attribute("transform").unwrap();
    assert!(transform.ends_with("rotate(-18)"), "{transform}");
    let texts: Vec<&str> = stamp
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(texts, ["PAYÉE", "le 23/11/2026 · Virement"]);
    for svg in &svgs[1..] {
        assert!(!svg.contains("<g"), "stamp on a later page");
    }
    assert!(!render_svg(&invoice(Lang::Fr)).unwrap()[0].contains("<g"));
}

#[test]
fn the_logo_is_embedded_as_a_data_url_and_a_broken_one_left_out() {
    let mut doc = invoice(Lang::Fr);
    let png = logo_png(120, 40);
    doc.logo_png = Some(png.clone());
    let svg = &render_svg(&doc).unwrap()[0];
    let xml = roxmltree::Document::parse(svg).unwrap();
    let images: Vec<_> = xml
        .descendants()
        .filter(|n| n.has_tag_name("image"))
        .collect();
    assert_eq!(images.len(), 1);
    let href = images[0].attribute("href").unwrap();
    let data = href.strip_prefix("data:image/png;base64,").unwrap();
    assert_eq!(data.len(), png.len().div_ceil(3) * 4);
    // 120 × 40 px fitted into the 150 × 48 pt box: the height limits.
    assert_eq!(images[0].attribute("width"), Some("144"));
    assert_eq!(images[0].attribute("height"), Some("48"));

    doc.logo_png = Some(b"not a png".to_vec());
    assert!(!render_svg(&doc).unwrap()[0].contains("<image"));
}

#[test]
fn warnings_come_from_the_layout_shared_by_both_backends() {
    let mut doc = invoice(Lang::Fr);
    doc.buyer.name = "李小龍 SARL".into();
    doc.logo_png = Some(b"not a png".to_vec());
    let list = display_list(&doc).unwrap();
    assert_eq!(list.warnings.len(), 4, "{:?}", list.warnings);
    assert_eq!(list.warnings, render(&doc).unwrap().warnings);
    // The SVG still shows the name (the webview may have the glyphs).
    assert!(render_svg(&doc).unwrap()[0].contains("李小龍 SARL"));
}

/// Fills the rectangles of a QR `<path>` (`M x y H x V y H x Z` runs, as the
/// backend writes them) into a grey map at `scale` pixels per point, with
/// a white quiet zone, and returns it as a binary PGM.
fn rasterize_qr(d: &str, scale: f32) -> Vec<u8> {
    let mut rects = Vec::new();
    for run in d.split('Z').filter(|r| !r.is_empty()) {
        let nums: Vec<f32> = run
            .split(['M', 'H', 'V', ' '])
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().unwrap())
            .collect();
        let [x0, y0, x1, y1, back] = nums[..] else {
            panic!("unexpected run {run:?}");
        };
        assert_eq!(back, x0, "{run}");
        rects.push((x0, y0, x1, y1));
    }
    let min_x = rects.iter().map(|r| r.0).fold(f32::MAX, f32::min);
    let min_y = rects.iter().map(|r| r.1).fold(f32::MAX, f32::min);
    let max_x = rects.iter().map(|r| r.2).fold(f32::MIN, f32::max);
    let max_y = rects.iter().map(|r| r.3).fold(f32::MIN, f32::max);
    let quiet = 40usize;
    let w = ((max_x - min_x) * scale) as usize + 2 * quiet;
    let h = ((max_y - min_y) * scale) as usize + 2 * quiet;
    let mut pixels = vec![255u8; w * h];
    for (x0, y0, x1, y1) in rects {
        let px = |v: f32, min: f32| ((v - min) * scale).round() as usize + quiet;
        for y in px(y0, min_y)..px(y1, min_y) {
            for x in px(x0, min_x)..px(x1, min_x) {
                pixels[y * w + x] = 0;
            }
        }
    }
    let mut pgm = format!("P5\n{w} {h}\n255\n").into_bytes();
    pgm.extend(pixels);
    pgm
}

#[test]
fn both_qr_codes_in_the_svg_decode_to_the_expected_payloads() {
    let doc = invoice(Lang::Fr);
    let epc = epc_payload(
        &doc.seller.legal_name,
        doc.seller.iban.as_ref().unwrap(),
        doc.seller.bic.as_ref(),
        doc.amount_due,
        NUMBER,
    )
    .unwrap();
    let svg = &render_svg(&doc).unwrap()[0];
    let xml = roxmltree::Document::parse(svg).unwrap();
    let paths: Vec<&str> = xml
        .descendants()
        .filter(|n| n.has_tag_name("path"))
        .map(|n| n.attribute("d").unwrap())
        .collect();
    assert_eq!(paths.len(), 2, "one path per QR code");
    let mut decoded = Vec::new();
    for (i, d) in paths.iter().enumerate() {
        let path = write(&format!("svg-qr-{i}.pgm"), &rasterize_qr(d, 150.0 / 72.0));
        let o = run(
            "zbarimg",
            &["-q", "--raw", "-Sbinary", path.to_str().unwrap()],
        );
        assert!(
            o.status.success(),
            "zbarimg found no code in path {i}: {o:?}"
        );
        decoded.push(String::from_utf8(o.stdout).unwrap());
    }
    assert_eq!(
        decoded
            .iter()
            .map(|s| s.trim_end_matches('\n'))
            .collect::<Vec<_>>(),
        [PAYMENT_URL, epc.as_str()]
    );
}

#[test]
fn nothing_to_pay_means_no_qr_code_in_the_svg_either() {
    for doc in [paid(invoice(Lang::Fr)), credit_note(Lang::En)] {
        assert!(!render_svg(&doc).unwrap()[0].contains("<path"));
    }
}
