//! Studies over many runs. [`batch`]: Monte Carlo ensembles of one scenario.

pub mod batch;
