(function () {
  "use strict";
  var T = {
    fr: {
      invoice: "Facture", credit: "Avoir", from: "De", to: "Pour", issued: "Date d’émission",
      due: "Échéance", total: "Total", amountDue: "Reste à payer", paid: "Facture acquittée",
      partly: "Acompte reçu", pdf: "Télécharger la facture (PDF)", pay: "Payer en ligne",
      bank: "Payer par virement", holder: "Titulaire", iban: "IBAN", bic: "BIC",
      ref: "Référence à indiquer", qr: "Scannez ce code avec votre application bancaire.",
      badKey: "Ce lien est incomplet : ouvrez-le exactement tel qu'il vous a été envoyé.",
      gone: "Ce lien n'est plus valide. Contactez l'émetteur de la facture.",
      error: "La facture n'a pas pu être chargée. Réessayez dans un instant."
    },
    en: {
      invoice: "Invoice", credit: "Credit note", from: "From", to: "To", issued: "Issued",
      due: "Due", total: "Total", amountDue: "Amount due", paid: "Invoice paid",
      partly: "Part payment received", pdf: "Download the invoice (PDF)", pay: "Pay online",
      bank: "Pay by bank transfer", holder: "Account holder", iban: "IBAN", bic: "BIC",
      ref: "Reference", qr: "Scan this code with your banking app.",
      badKey: "This link is incomplete: open it exactly as you received it.",
      gone: "This link is no longer valid. Please contact whoever sent you the invoice.",
      error: "The invoice could not be loaded. Please try again in a moment."
    }
  };
  var nav = typeof navigator !== "undefined" ? navigator.language || "" : "";
  var guess = /^en/i.test(nav) ? T.en : T.fr;

  function $(id) { return document.getElementById(id); }
  function text(id, value) { $(id).textContent = value == null ? "" : String(value); }
  function fail(message) {
    text("msg", message);
    $("msg").hidden = false;
    $("inv").hidden = true;
  }

  function fromBase64url(s) {
    var b = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
    var out = new Uint8Array(b.length);
    for (var i = 0; i < b.length; i++) out[i] = b.charCodeAt(i);
    return out;
  }

  // The key from the fragment `#k=…`: 32 bytes, base64url without padding.
  function keyFromHash(hash) {
    var m = /(?:^#|&)k=([A-Za-z0-9_-]{43})(?:&|$)/.exec(hash || "");
    return m ? fromBase64url(m[1]) : null;
  }

  // bundle = 0x01 || iv (12) || AES-256-GCM ciphertext and tag;
  // plaintext = u32 big-endian JSON length || summary JSON || PDF.
  async function openBundle(bytes, rawKey) {
    if (bytes.length < 1 + 12 + 16 + 4 || bytes[0] !== 1) throw new Error("not a bundle");
    var key = await crypto.subtle.importKey("raw", rawKey, { name: "AES-GCM" }, false, ["decrypt"]);
    var plain = new Uint8Array(await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: bytes.slice(1, 13) }, key, bytes.slice(13)));
    var n = new DataView(plain.buffer, plain.byteOffset, plain.byteLength).getUint32(0);
    var summary = JSON.parse(new TextDecoder().decode(plain.subarray(4, 4 + n)));
    return { summary: summary, pdf: plain.slice(4 + n) };
  }

  function safeUrl(u) {
    return typeof u === "string" &&
      (/^https:\/\/[^\s@]+$/.test(u) || /^http:\/\/(127\.0\.0\.1|localhost)[:/][^\s@]*$/.test(u));
  }

  function show(s, pdf) {
    var t = s.lang === "en" ? T.en : T.fr;
    document.documentElement.lang = s.lang === "en" ? "en" : "fr";
    var title = (s.kind === "credit_note" ? t.credit : t.invoice) + " " + s.number;
    document.title = title;
    text("title", title);
    text("seller", s.seller);
    text("client", s.client);
    text("l-from", t.from);
    text("l-to", t.to);
    text("l-issued", t.issued);
    text("issued", s.issue_date);
    text("l-due", t.due);
    text("due", s.due_date);
    text("l-total", t.total);
    text("total", s.total);
    text("l-amount-due", t.amountDue);
    text("amount-due", s.amount_due);
    var due = s.amount_due_minor > 0;
    if (s.status === "paid" || s.status === "partly_paid") {
      text("paid", (s.status === "paid" ? t.paid : t.partly) + (s.paid_on ? " — " + s.paid_on : ""));
      $("paid").hidden = false;
    }
    var a = $("pdf");
    a.href = URL.createObjectURL(new Blob([pdf], { type: "application/pdf" }));
    a.download = s.pdf_name || "facture.pdf";
    text("pdf", t.pdf);
    if (due && safeUrl(s.pay_url)) {
      $("pay").href = s.pay_url;
      text("pay", t.pay);
      $("pay").hidden = false;
    }
    if (due && s.bank) {
      text("l-bank", t.bank);
      text("l-holder", t.holder);
      text("holder", s.bank.holder);
      text("l-iban", t.iban);
      text("iban", s.bank.iban);
      text("l-bic", t.bic);
      text("bic", s.bank.bic || "");
      $("bic-row").hidden = $("bic-row-l").hidden = !s.bank.bic;
      text("l-ref", t.ref);
      text("ref", s.number);
      if (typeof s.epc_svg === "string" && s.epc_svg.indexOf("<svg") === 0) {
        $("qr").src = "data:image/svg+xml;base64," + btoa(s.epc_svg);
        $("qr").alt = t.qr;
        text("qr-note", t.qr);
        $("qr-box").hidden = false;
      }
      $("bank").hidden = false;
    }
    $("msg").hidden = true;
    $("inv").hidden = false;
  }

  async function main() {
    var key = keyFromHash(location.hash);
    if (!key) return fail(guess.badKey);
    var res = await fetch(location.pathname.replace(/\/+$/, "") + "/bundle",
      { cache: "no-store", credentials: "omit" });
    if (res.status === 404 || res.status === 410) return fail(guess.gone);
    if (!res.ok) return fail(guess.error);
    var bundle;
    try {
      bundle = await openBundle(new Uint8Array(await res.arrayBuffer()), key);
    } catch (e) {
      return fail(guess.badKey);
    }
    show(bundle.summary, bundle.pdf);
  }

  main().catch(function () { fail(guess.error); });
})();
