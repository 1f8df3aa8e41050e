//! Studies over many runs. [`batch`]: Monte Carlo ensembles of one scenario; [`compare`]: a
//! base and variants under common random numbers.

pub mod batch;
pub mod compare;
pub mod design;
pub mod experiment;
pub mod results;
pub mod sensitivity;
pub mod table;
