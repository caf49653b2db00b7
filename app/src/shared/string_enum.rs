//! Enums stored and sent as short snake_case strings: one declaration gives the enum,
//! its serde form, the list of all values, the text and the checked parse.

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
        }
    };
}
pub(crate) use string_enum;
