//! conformance: rule checks for Windows service code.
#![deny(missing_docs)]
