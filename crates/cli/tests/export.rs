//! `acquit export all --dir DIR`: every CSV and PDF, checked file by file.

mod common;
use common::{Acquit, text};

/// Books with two clients (one with a comma in its name), two invoices, a
/// credit note, a payment, and a draft (which is not exported).
fn books() -> Acquit {
    let acquit = Acquit::new();
    acquit.ok(&["init"]);
    acquit.ok(&[
        "company",
        "set",
        "--name",
        "Atelier Durand",
        "--siren",
        "732829320",
        "--address",
        "12 rue des Lilas\\n75011 Paris",
        "--iban",
        "FR7630006000011234567890189",
    ]);
    acquit.ok(&[
        "client",
        "add",
        "--name",
        "Martin, Fils & Cie",
        "--email",
        "compta@example.org",
    ]);
    acquit.ok(&[
        "client",
        "add",
        "--name",
        "Café des Arts",
        "--address",
        "5 rue Oberkampf, 75011 Paris",
    ]);
    for (client, desc, qty, price, date) in [
        ("1", "Conseil", "2.5", "450", "2026-11-02"),
        ("2", "Photos \"menu\"", "1", "99.99", "2026-11-03"),
    ] {
        let id = acquit.ok(&["invoice", "new", "--client", client]);
        let id = id.trim();
        acquit.ok(&[
            "invoice",
            "add-line",
            id,
            "--desc",
            desc,
            "--qty",
            qty,
            "--unit-price",
            price,
            "--vat",
            "20",
        ]);
        acquit.ok(&["invoice", "issue", id, "--date", date]);
    }
    // A full credit note: a partial one (`--amount`) cannot be rendered to
    // PDF yet ("0 computed line amounts"), with `export pdf` alike.
    acquit.ok(&[
        "credit-note",
        "F-2026-0002",
        "--reason",
        "Geste commercial",
        "--date",
        "2026-11-04",
    ]);
    acquit.ok(&[
        "payment",
        "add",
        "F-2026-0001",
        "--amount",
        "500",
        "--method",
        "transfer",
        "--date",
        "2026-11-05",
        "--reference",
        "VIR 42",
    ]);
    acquit.ok(&["invoice", "new", "--client", "2"]);
    acquit
}

#[test]
fn export_all_writes_every_csv_and_pdf() {
    let acquit = books();
    let dir = acquit.dir.path().join("out").join("export");
    let out = acquit.run(&["export", "all", "--dir", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        format!(
            "2 invoices, 1 credit notes, 2 clients, 1 payments, 1 ledger entries and 3 PDF files written to {}\n",
            dir.display()
        )
    );
    let progress = text(&out.stderr);
    assert!(
        progress.contains("exporting pdf/AV-2026-0001.pdf"),
        "{progress}"
    );

    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    assert_eq!(
        read("invoices.csv"),
        "number,kind,status,issue_date,sale_date,due_date,client_id,client,currency,net,vat,total,amount_due,deposits,credit_notes\r\n\
         F-2026-0001,standard,partially-paid,2026-11-02,2026-11-02,2026-12-02,1,\"Martin, Fils & Cie\",EUR,1125.00,225.00,1350.00,850.00,,\r\n\
         F-2026-0002,standard,cancelled,2026-11-03,2026-11-03,2026-12-03,2,Café des Arts,EUR,99.99,20.00,119.99,0.00,,AV-2026-0001\r\n"
    );
    assert_eq!(
        read("credit_notes.csv"),
        "number,credits,issue_date,client_id,client,currency,net,vat,total,reason\r\n\
         AV-2026-0001,F-2026-0002,2026-11-04,2,Café des Arts,EUR,-99.99,-20.00,-119.99,Geste commercial\r\n"
    );
    assert_eq!(
        read("clients.csv"),
        "id,name,address,email,phone,siren,vat_number,lang,business,vat_exemption,postcode,city,country\r\n\
         1,\"Martin, Fils & Cie\",,compta@example.org,,,,fr,false,none,,,\r\n\
         2,Café des Arts,\"5 rue Oberkampf\n75011 Paris\",,,,,fr,false,none,75011,Paris,FR\r\n"
    );
    assert_eq!(
        read("payments.csv"),
        "id,invoice,received_on,kind,method,amount,currency,fee,reference,reverses,reversed\r\n\
         1,F-2026-0001,2026-11-05,payment,transfer,500.00,EUR,,VIR 42,,false\r\n"
    );
    assert_eq!(
        read("ledger.csv"),
        "date,invoice,client,kind,method,amount,currency,fee,net,reference\r\n\
         2026-11-05,F-2026-0001,\"Martin, Fils & Cie\",payment,transfer,500.00,EUR,,500.00,VIR 42\r\n"
    );
    let mut pdfs: Vec<String> = std::fs::read_dir(dir.join("pdf"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pdfs.sort();
    assert_eq!(
        pdfs,
        ["AV-2026-0001.pdf", "F-2026-0001.pdf", "F-2026-0002.pdf"]
    );
    for pdf in &pdfs {
        let bytes = std::fs::read(dir.join("pdf").join(pdf)).unwrap();
        assert!(bytes.starts_with(b"%PDF-"), "{pdf}");
    }
    // No temporary folder left next to the export.
    let left: Vec<_> = std::fs::read_dir(dir.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, [std::ffi::OsString::from("export")]);

    // A folder that is not empty is refused and left alone.
    let err = acquit.fails(1, &["export", "all", "--dir", dir.to_str().unwrap()]);
    assert!(err.contains("already exists and is not empty"), "{err}");
    assert_eq!(read("payments.csv").lines().count(), 2);
}

#[test]
fn export_all_zip_holds_the_same_files_dated_from_the_books() {
    use std::io::Read as _;
    let acquit = books();
    let out_dir = acquit.dir.path().join("out");
    let zip_path = out_dir.join("acquit.zip");
    let zip_arg = zip_path.to_str().unwrap();
    let out = acquit.run(&["export", "all", "--zip", zip_arg]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        format!(
            "2 invoices, 1 credit notes, 2 clients, 1 payments, 1 ledger entries and 3 PDF files written to {}\n",
            zip_path.display()
        )
    );
    let first = std::fs::read(&zip_path).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(first.clone())).unwrap();
    let names: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
    assert_eq!(
        names,
        [
            "invoices.csv",
            "credit_notes.csv",
            "clients.csv",
            "payments.csv",
            "ledger.csv",
            "pdf/",
            "pdf/F-2026-0001.pdf",
            "pdf/F-2026-0002.pdf",
            "pdf/AV-2026-0001.pdf",
        ]
    );
    let mut entry = |name: &str| {
        let mut file = zip.by_name(name).unwrap();
        assert_eq!(
            file.compression(),
            zip::CompressionMethod::Deflated,
            "{name}"
        );
        let time = file.last_modified().unwrap();
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).unwrap();
        (bytes, (time.year(), time.month(), time.day()))
    };
    // A CSV is dated by the latest date of the books (the payment), a PDF
    // by its issue date: never by the clock.
    let (payments, date) = entry("payments.csv");
    assert_eq!(date, (2026, 11, 5));
    assert_eq!(
        String::from_utf8(payments).unwrap(),
        "id,invoice,received_on,kind,method,amount,currency,fee,reference,reverses,reversed\r\n\
         1,F-2026-0001,2026-11-05,payment,transfer,500.00,EUR,,VIR 42,,false\r\n"
    );
    let (pdf, date) = entry("pdf/F-2026-0001.pdf");
    assert_eq!(date, (2026, 11, 2));
    let single = acquit.dir.path().join("single.pdf");
    acquit.ok(&[
        "invoice",
        "pdf",
        "F-2026-0001",
        "--out",
        single.to_str().unwrap(),
    ]);
    assert!(
        pdf == std::fs::read(&single).unwrap(),
        "the PDF in the zip is byte-identical to `acquit invoice pdf`'s"
    );

    // An existing file is refused and left alone; --force replaces it, and
    // the same books give the same bytes.
    let err = acquit.fails(1, &["export", "all", "--zip", zip_arg]);
    assert!(err.contains("already exists"), "{err}");
    assert!(err.contains("--force"), "{err}");
    assert_eq!(std::fs::read(&zip_path).unwrap(), first);
    acquit.ok(&["export", "all", "--zip", zip_arg, "--force"]);
    assert_eq!(std::fs::read(&zip_path).unwrap(), first);
    // No temporary file left next to it.
    let left: Vec<_> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, [std::ffi::OsString::from("acquit.zip")]);
    // --force belongs to --zip; --dir and --zip exclude each other.
    acquit.fails(2, &["export", "all", "--dir", "x", "--force"]);
    acquit.fails(2, &["export", "all", "--dir", "x", "--zip", "y.zip"]);
}

/// A client's name that a spreadsheet would run as a formula is exported
/// as text; amounts stay numbers; the books and the export are private
/// (issue 19).
#[test]
fn a_formula_typed_as_a_name_is_exported_as_text() {
    let acquit = books();
    let formula = "=HYPERLINK(\"http://x\",\"y\")";
    acquit.ok(&["client", "add", "--name", formula]);
    let id = acquit.ok(&["invoice", "new", "--client", "3"]);
    let id = id.trim();
    acquit.ok(&[
        "invoice",
        "add-line",
        id,
        "--desc",
        "@SUM(A1)",
        "--qty",
        "1",
        "--unit-price",
        "150",
        "--vat",
        "0",
    ]);
    acquit.ok(&["invoice", "issue", id, "--date", "2026-11-06"]);
    acquit.ok(&[
        "payment",
        "add",
        "F-2026-0003",
        "--amount",
        "150",
        "--method",
        "cash",
        "--date",
        "2026-11-06",
        "--reference",
        "+33 6 12 34 56 78",
    ]);
    let dir = acquit.dir.path().join("formula");
    acquit.ok(&["export", "all", "--dir", dir.to_str().unwrap()]);
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    let quoted = "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"";
    assert!(
        read("clients.csv").contains(&format!("\r\n3,{quoted},")),
        "{}",
        read("clients.csv")
    );
    let ledger = read("ledger.csv");
    assert!(
        ledger.contains(&format!(
            "2026-11-06,F-2026-0003,{quoted},payment,cash,150.00,EUR,,150.00,'+33 6 12 34 56 78\r\n"
        )),
        "{ledger}"
    );
    assert!(!ledger.contains(",=") && !ledger.contains(",+"), "{ledger}");
    // A negative amount stays a number.
    assert!(read("credit_notes.csv").contains(",-99.99,-20.00,-119.99,"));

    // Private at rest, as `stat` sees it: the books and the export.
    let stat = |path: &std::path::Path| {
        let out = std::process::Command::new("stat")
            .args(["-c", "%a"])
            .arg(path)
            .output()
            .unwrap();
        text(&out.stdout).trim().to_owned()
    };
    assert_eq!(stat(&acquit.db), "600");
    assert_eq!(stat(&dir), "700");
    assert_eq!(stat(&dir.join("pdf")), "700");
    assert_eq!(stat(&dir.join("clients.csv")), "600");
    assert_eq!(stat(&dir.join("pdf").join("F-2026-0003.pdf")), "600");
}

/// A number written into the file behind Acquit's back (`../x`) never
/// becomes a path: the export stops and writes nothing (issue 19).
#[test]
fn a_number_that_is_a_path_stops_the_export_and_writes_nothing() {
    let acquit = books();
    {
        let db = rusqlite::Connection::open(&acquit.db).unwrap();
        // The locks dropped for the edit and put back, as a program that
        // knows the schema would do: the books still open.
        let triggers: Vec<(String, String)> = db
            .prepare(
                "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'invoices'",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for (trigger, _) in &triggers {
            db.execute(&format!("DROP TRIGGER \"{trigger}\""), [])
                .unwrap();
        }
        db.execute(
            "UPDATE invoices SET number = '../escaped' WHERE number = 'F-2026-0001'",
            [],
        )
        .unwrap();
        for (_, create) in &triggers {
            db.execute(create, []).unwrap();
        }
    }
    let out_dir = acquit.dir.path().join("out");
    let dir = out_dir.join("export");
    let err = acquit.fails(1, &["export", "all", "--dir", dir.to_str().unwrap()]);
    assert!(err.contains("\"../escaped\" cannot name a file"), "{err}");
    assert!(!dir.exists());
    let left = std::fs::read_dir(&out_dir).map(|d| d.count()).unwrap_or(0);
    assert_eq!(left, 0, "nothing written next to the export");
    let pdfs = acquit.dir.path().join("pdfs");
    let err = acquit.fails(1, &["export", "pdf", "--dir", pdfs.to_str().unwrap()]);
    assert!(err.contains("cannot name a file"), "{err}");
    assert!(!acquit.dir.path().join("escaped.pdf").exists());
}
