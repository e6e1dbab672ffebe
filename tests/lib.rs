//! Cross-crate integration tests for scm-sim live in this package's `tests/` folder.
