//! `acquit share NUMBER [--revoke]`: the client's invoice page, end-to-end
//! encrypted, on the relay.
//!
//! Prints `https://<relay>/v/<token>#k=<key>`: the relay keeps only
//! ciphertext; the key is in the fragment, which browsers never send. The
//! page shows the invoice, its PDF, "Payer en ligne" while a link is open,
//! and the transfer details; each sync that touches the invoice republishes
//! it (paid state, stamped PDF). `--revoke` makes the page say the link is
//! no longer valid, for good; sharing again gives a new URL.

use std::path::Path;

use acquit_documents::share::{self, ShareError};
use clap::Args;
use serde::Serialize;

use crate::online::{self, Need, Online};
use crate::{CliError, open, to_json};

#[derive(Debug, Args)]
pub struct ShareArgs {
    /// The invoice's number, e.g. F-2026-0001
    #[arg(value_name = "NUMBER")]
    number: String,
    /// Withdraw the page: its link then says it is no longer valid
    #[arg(long)]
    revoke: bool,
    /// Print JSON for scripts
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Serialize)]
struct ShareJson {
    invoice_number: String,
    url: Option<String>,
    revoked: bool,
}

pub fn run(args: ShareArgs, path: &Path) -> Result<String, CliError> {
    let mut store = open(path)?;
    // Checked before any network: an unknown number or a draft.
    store.invoice(&args.number)?;
    let online = Online::connect(&store, Need::Any)?;
    let Some(relay) = online.relay.as_ref() else {
        return Err(CliError::rejected(
            "no relay is set: the invoice page is served by your relay; set one with `acquit relay set --url URL --inbox ID` (token on stdin)",
        ));
    };
    if args.revoke {
        let revoked = online
            .block_on(share::revoke(&mut store, relay, &args.number))
            .map_err(share_error)?;
        if args.json {
            return Ok(to_json(&ShareJson {
                invoice_number: args.number,
                url: None,
                revoked: revoked.is_some(),
            }));
        }
        return Ok(match revoked {
            Some(_) => format!(
                "The page of {} is revoked: its link now says it is no longer valid.\n",
                args.number
            ),
            None => format!("{} is not shared: nothing to revoke.\n", args.number),
        });
    }
    let shared = online
        .block_on(share::share(&mut store, relay, &args.number))
        .map_err(share_error)?;
    if args.json {
        return Ok(to_json(&ShareJson {
            invoice_number: shared.share.invoice_number,
            url: Some(shared.url),
            revoked: false,
        }));
    }
    Ok(format!("{}\n", shared.url))
}

pub(crate) fn share_error(error: ShareError) -> CliError {
    match error {
        ShareError::Store(e) => CliError::Store(e),
        ShareError::Document(acquit_documents::DocumentError::Store(e)) => CliError::Store(e),
        ShareError::Document(e @ acquit_documents::DocumentError::Draft(_)) => {
            CliError::rejected(e)
        }
        ShareError::Relay(e) => online::relay_error(e),
        ShareError::TooLarge(_) => CliError::rejected(error),
        other => CliError::Outside(other.to_string()),
    }
}
