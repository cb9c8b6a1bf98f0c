//! The `acquit` command line over the same core and database as the app.
