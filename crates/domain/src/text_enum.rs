//! Enums spelled as fixed words: in the API, in forms and in the database. One macro
//! gives each the same spelling both ways, the parse error that names the field and the
//! choices, and the strict conversion the store uses when reading a row back.

/// A stored value that is none of the enum's words: the row is corrupt (the database's
/// CHECK constraints should make this impossible), and reading it fails loudly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {value:?} in the database")]
pub struct UnknownValue {
    pub what: &'static str,
    pub value: String,
}

/// `text_enum!(Type, "what", "CHOICES" , Variant => "TEXT", …)`: `as_str`, `parse`
/// (case-insensitive, trimmed, for input), `Display`, and `TryFrom<String>` (exact, for
/// stored values).
#[doc(hidden)]
#[macro_export]
macro_rules! __text_enum {
    ($ty:ident, $what:literal, $choices:literal, $($variant:ident => $text:literal),+ $(,)?) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$(Self::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }

            /// Input as a person writes it: any case, surrounding space ignored.
            pub fn parse(field: &str, value: &str) -> Result<Self, $crate::FieldError> {
                let value = value.trim();
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str().eq_ignore_ascii_case(value))
                    .ok_or_else(|| $crate::FieldError::new(field, concat!("must be one of ", $choices)))
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl TryFrom<String> for $ty {
            type Error = $crate::text_enum::UnknownValue;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == value)
                    .ok_or($crate::text_enum::UnknownValue { what: $what, value })
            }
        }
    };
}

pub use crate::__text_enum as text_enum;
