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
      error: "La facture n'a pas pu être chargée. Réessayez dans un instant.",
      quote: "Devis", validUntil: "Valable jusqu'au", quotePdf: "Télécharger le devis (PDF)",
      accepted: "Accepté", declined: "Refusé", on: " le ", by: " par ",
      expiredOn: "Ce devis a expiré le ", expired: "Ce devis a expiré.",
      reply: "Votre réponse", name: "Votre nom", comment: "Commentaire (facultatif)",
      accept: "J'accepte le devis", decline: "Je refuse",
      needName: "Indiquez votre nom pour répondre.",
      tooLong: "Votre commentaire est trop long.",
      thanks: "Merci\u00a0: votre réponse a été transmise à ",
      sendError: "Votre réponse n'a pas pu être envoyée. Réessayez dans un instant.",
      tooMany: "Ce devis a déjà reçu trop de réponses\u00a0: contactez directement l'émetteur.",
      replyGone: "Ce lien n'est plus valide\u00a0: votre réponse n'a pas été transmise."
    },
    en: {
      invoice: "Invoice", credit: "Credit note", from: "From", to: "To", issued: "Issued",
      due: "Due", total: "Total", amountDue: "Amount due", paid: "Invoice paid",
      partly: "Part payment received", pdf: "Download the invoice (PDF)", pay: "Pay online",
      bank: "Pay by bank transfer", holder: "Account holder", iban: "IBAN", bic: "BIC",
      ref: "Reference", qr: "Scan this code with your banking app.",
      badKey: "This link is incomplete: open it exactly as you received it.",
      gone: "This link is no longer valid. Please contact whoever sent you the invoice.",
      error: "The invoice could not be loaded. Please try again in a moment.",
      quote: "Quote", validUntil: "Valid until", quotePdf: "Download the quote (PDF)",
      accepted: "Accepted", declined: "Declined", on: " on ", by: " by ",
      expiredOn: "This quote expired on ", expired: "This quote has expired.",
      reply: "Your answer", name: "Your name", comment: "Comment (optional)",
      accept: "I accept the quote", decline: "I decline",
      needName: "Please enter your name to answer.",
      tooLong: "Your comment is too long.",
      thanks: "Thank you: your answer was sent to ",
      sendError: "Your answer could not be sent. Please try again in a moment.",
      tooMany: "This quote has already received too many answers: please contact the sender.",
      replyGone: "This link is no longer valid: your answer was not sent."
    }
  };
  // acquit_relay_protocol::bundle::VERSION and MAX_REPLY_BYTES.
  var VERSION = 1;
  var MAX_REPLY_BYTES = 4096;
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
    if (bytes.length < 1 + 12 + 16 + 4 || bytes[0] !== VERSION) throw new Error("not a bundle");
    var key = await crypto.subtle.importKey("raw", rawKey, { name: "AES-GCM" }, false, ["decrypt"]);
    var plain = new Uint8Array(await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: bytes.slice(1, 13) }, key, bytes.slice(13)));
    var n = new DataView(plain.buffer, plain.byteOffset, plain.byteLength).getUint32(0);
    var summary = JSON.parse(new TextDecoder().decode(plain.subarray(4, 4 + n)));
    return { summary: summary, pdf: plain.slice(4 + n) };
  }

  // A reply has the bundle's framing without the length prefix:
  // VERSION || iv (12) || AES-256-GCM ciphertext and tag of the JSON.
  async function seal(rawKey, plain) {
    var key = await crypto.subtle.importKey("raw", rawKey, { name: "AES-GCM" }, false, ["encrypt"]);
    var iv = crypto.getRandomValues(new Uint8Array(12));
    var sealed = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv: iv }, key, plain));
    var out = new Uint8Array(1 + iv.length + sealed.length);
    out[0] = VERSION;
    out.set(iv, 1);
    out.set(sealed, 1 + iv.length);
    return out;
  }

  // The visitor's own calendar date, YYYY-MM-DD: validity is the date
  // printed on the quote, as the client reads it where they are.
  function localDate() {
    var d = new Date();
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate());
  }

  function safeUrl(u) {
    return typeof u === "string" &&
      (/^https:\/\/[^\s@]+$/.test(u) || /^http:\/\/(127\.0\.0\.1|localhost)[:/][^\s@]*$/.test(u));
  }

  function show(s, pdf, key) {
    var t = s.lang === "en" ? T.en : T.fr;
    var quote = s.kind === "quote";
    document.documentElement.lang = s.lang === "en" ? "en" : "fr";
    var title = (quote ? t.quote : s.kind === "credit_note" ? t.credit : t.invoice) + " " + s.number;
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
    var due = !quote && s.amount_due_minor > 0;
    if (!quote && (s.status === "paid" || s.status === "partly_paid")) {
      text("paid", (s.status === "paid" ? t.paid : t.partly) + (s.paid_on ? " — " + s.paid_on : ""));
      $("paid").hidden = false;
    }
    var a = $("pdf");
    a.href = URL.createObjectURL(new Blob([pdf], { type: "application/pdf" }));
    a.download = s.pdf_name || (quote ? "devis.pdf" : "facture.pdf");
    text("pdf", quote ? t.quotePdf : t.pdf);
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
    if (quote) showQuote(s, t, key);
    $("msg").hidden = true;
    $("inv").hidden = false;
  }

  function showQuote(s, t, key) {
    $("l-due").hidden = $("due").hidden = true;
    $("l-amount-due").hidden = $("amount-due").hidden = true;
    if (s.valid_until) {
      text("l-valid", t.validUntil);
      text("valid", s.valid_until);
      $("l-valid").hidden = $("valid").hidden = false;
    }
    // A quote without a validity date never expires on its own.
    var until = /^\d{4}-\d{2}-\d{2}$/.test(s.valid_until_iso || "") ? s.valid_until_iso : null;
    var d = s.decision && typeof s.decision === "object" ? s.decision : {};
    var state = "";
    if (s.status === "accepted" || s.status === "declined") {
      state = (s.status === "accepted" ? t.accepted : t.declined) +
        (d.on ? t.on + d.on : "") + (d.by ? t.by + d.by : "");
    } else if (s.status === "expired" || (s.status === "open" && until && localDate() > until)) {
      state = s.valid_until ? t.expiredOn + s.valid_until + "." : t.expired;
    } else if (s.status === "open") {
      offerReply(s, t, key);
    }
    if (state) {
      text("quote-state", state);
      $("quote-state").hidden = false;
    }
    // Once invoiced: the invoice's own page (its key in its fragment), the
    // label written by the app in the client's language.
    var inv = s.invoice && typeof s.invoice === "object" ? s.invoice : null;
    if (inv && safeUrl(inv.url) && typeof inv.label === "string") {
      $("invoice-link").href = inv.url;
      text("invoice-link", inv.label);
      $("invoice-link").hidden = false;
    }
  }

  function offerReply(s, t, key) {
    text("l-reply", t.reply);
    text("l-name", t.name);
    text("l-comment", t.comment);
    text("accept", t.accept);
    text("decline", t.decline);
    $("reply").hidden = false;
    var busy = false;
    function say(message) {
      text("reply-err", message);
      $("reply-err").hidden = false;
    }
    async function errorCode(res) {
      try { return (await res.json()).error; } catch (e) { return ""; }
    }
    async function answer(accepted) {
      if (busy) return;
      var name = $("name").value.trim();
      if (!name) {
        say(t.needName);
        $("name").focus();
        return;
      }
      var comment = $("comment").value.trim();
      var plain = new TextEncoder().encode(JSON.stringify({
        v: 1, quote: s.number, accepted: accepted, name: name, comment: comment || null, on: localDate()
      }));
      if (1 + 12 + plain.length + 16 > MAX_REPLY_BYTES) return say(t.tooLong);
      busy = true;
      $("reply-err").hidden = true;
      $("accept").disabled = $("decline").disabled = true;
      try {
        var res = await fetch(location.pathname.replace(/\/+$/, "") + "/reply", {
          method: "POST",
          headers: { "Content-Type": "application/octet-stream" },
          body: await seal(key, plain),
          cache: "no-store",
          credentials: "omit"
        });
        if (res.status === 204) {
          $("reply").hidden = true;
          text("reply-done", t.thanks + s.seller + ".");
          $("reply-done").hidden = false;
        } else if (res.status === 410) {
          say(t.replyGone);
        } else if (res.status === 429 && (await errorCode(res)) === "too_many_replies") {
          say(t.tooMany);
        } else {
          say(t.sendError);
        }
      } catch (e) {
        say(t.sendError);
      } finally {
        busy = false;
        $("accept").disabled = $("decline").disabled = false;
      }
    }
    $("accept").addEventListener("click", function () { answer(true); });
    $("decline").addEventListener("click", function () { answer(false); });
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
    show(bundle.summary, bundle.pdf, key);
  }

  main().catch(function () { fail(guess.error); });
})();
