//! Small macros shared by the domain types.

/// Implements `as_str` and `FromStr` for an enum stored as text.
#[macro_export]
macro_rules! text_enum {
    ($ty:ty { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $ty {
            /// The spelling stored in the database and sent over the API.
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
        }

        impl ::std::str::FromStr for $ty {
            type Err = $crate::validation::InputError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok(Self::$variant),)+
                    other => Err($crate::validation::InputError::UnknownVariant(other.chars().take(64).collect())),
                }
            }
        }
    };
}
