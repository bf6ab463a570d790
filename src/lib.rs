//! flowsim: run Amazon Connect contact flows off the cloud.

pub mod flow;
pub mod lambda;
pub mod vanity;
