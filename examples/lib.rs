//! Runnable examples for scm-sim; each lives in its own module and has a test that drives it.
