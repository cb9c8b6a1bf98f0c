//! The wire types of the relay's HTTP API, shared by the relay and the app
//! (see INTERFACES.md). Serde types only: no I/O, no Acquit domain types.
