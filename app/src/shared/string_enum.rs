//! Enums stored and sent as short snake_case strings: one declaration gives the enum,
//! its serde form, the list of all values, the text, the checked parse of input and
//! the checked decoding of what the database holds.

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(value: &str) -> Result<Self, $crate::error::ErrorKey> {
                Self::ALL.iter().copied().find(|v| v.as_str() == value).ok_or($crate::error::ErrorKey::InvalidChoice)
            }

            /// A value read from the database; an unknown one is logged and fails.
            #[cfg(feature = "ssr")]
            pub fn decode(value: &str) -> Result<Self, $crate::error::AppError> {
                Self::parse(value).map_err(|_| $crate::shared::unknown_stored_value(stringify!($name), value))
            }
        }
    };
}
pub(crate) use string_enum;
