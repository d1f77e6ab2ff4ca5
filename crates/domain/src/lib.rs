//! The pure core: schedules (RRULE + time zone), the event lifecycle, impact on shown
//! status and the newtypes that parse user input. Nothing here does IO or reads the clock;
//! every function that depends on time takes `now`. A crate of its own, so the compiler
//! keeps it that way: it cannot reach the store, the web layer or the clock.

pub mod text_enum;

pub mod builder;
pub mod check;
pub mod describe;
pub mod format;
pub mod ical;
pub mod impact;
pub mod incident;
pub mod lifecycle;
pub mod matcher;
pub mod notice;
pub mod rollup;
pub mod schedule;
pub mod validate;

pub use validate::FieldError;
