//! The local SQLite store of invoices, clients, payments and the journal.
//!
//! Owns the schema and its migrations, the gapless numbering transaction,
//! the hash-chained journal and online backups. Depends on `acquit-core`
//! only. Empty until the core and store issue lands.
