//! How domain values are stored, and read back strictly. The `Any` driver knows only
//! integers and text, so instants are Unix seconds, durations seconds, flags 0/1 and
//! enums their words (each enum column has a CHECK constraint in both schemas). Rows turn
//! them back into domain types with `#[sqlx(try_from = "…")]` through the wrappers here;
//! a value that does not fit (an instant out of range, a flag of 2, an unknown zone) is a
//! decode error naming the column, never a silent 1970 or a default.

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;

/// Why a stored value cannot be read back.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Corrupt(String);

/// Unix seconds, as stored for an instant or a duration.
#[derive(Debug, Clone, Copy, sqlx::Type)]
#[sqlx(transparent)]
pub struct Seconds(pub i64);

impl TryFrom<Seconds> for DateTime<Utc> {
    type Error = Corrupt;

    fn try_from(s: Seconds) -> Result<Self, Corrupt> {
        DateTime::from_timestamp(s.0, 0).ok_or_else(|| Corrupt(format!("instant {} is out of range", s.0)))
    }
}

impl TryFrom<Seconds> for TimeDelta {
    type Error = Corrupt;

    fn try_from(s: Seconds) -> Result<Self, Corrupt> {
        TimeDelta::try_seconds(s.0).ok_or_else(|| Corrupt(format!("duration {} s is out of range", s.0)))
    }
}

/// A nullable instant.
#[derive(Debug, Clone, Copy, sqlx::Type)]
#[sqlx(transparent)]
pub struct MaybeSeconds(pub Option<i64>);

impl TryFrom<MaybeSeconds> for Option<DateTime<Utc>> {
    type Error = Corrupt;

    fn try_from(s: MaybeSeconds) -> Result<Self, Corrupt> {
        s.0.map(|s| DateTime::try_from(Seconds(s))).transpose()
    }
}

/// A 0/1 flag.
#[derive(Debug, Clone, Copy, sqlx::Type)]
#[sqlx(transparent)]
pub struct Flag(pub i64);

impl TryFrom<Flag> for bool {
    type Error = Corrupt;

    fn try_from(f: Flag) -> Result<Self, Corrupt> {
        match f.0 {
            0 => Ok(false),
            1 => Ok(true),
            n => Err(Corrupt(format!("flag {n} is neither 0 nor 1"))),
        }
    }
}

/// An IANA time zone name.
#[derive(Debug, Clone, sqlx::Type)]
#[sqlx(transparent)]
pub struct ZoneName(pub String);

impl TryFrom<ZoneName> for Tz {
    type Error = Corrupt;

    fn try_from(z: ZoneName) -> Result<Self, Corrupt> {
        z.0.parse().map_err(|_| Corrupt(format!("unknown time zone {:?}", z.0)))
    }
}

/// A nullable enum word (`Option<E>` for any `E: TryFrom<String>`).
#[derive(Debug, Clone, sqlx::Type)]
#[sqlx(transparent)]
pub struct MaybeText(pub Option<String>);

impl<E: TryFrom<String>> TryFrom<MaybeText> for Option<E> {
    type Error = E::Error;

    fn try_from(t: MaybeText) -> Result<Self, E::Error> {
        t.0.map(E::try_from).transpose()
    }
}
