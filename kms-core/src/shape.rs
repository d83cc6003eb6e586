//! The macro that declares the request, response and model structs of the API.

/// Declares a `#[non_exhaustive]` struct with public fields, a `new` taking the `required`
/// fields, and a `with_*` setter for each `optional` (stored as `Option<T>`) and `default`
/// (stored as `T`, starting at `T::default()`) field. Non-exhaustive structs cannot be built
/// with a literal outside this crate, so `new` plus setters is how every crate builds them.
macro_rules! shape {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( required {
                $( $(#[$rmeta:meta])* $req:ident : $rty:ty, )*
            } )?
            $( optional {
                $( $(#[$ometa:meta])* $opt:ident : $oty:ty => $oset:ident, )*
            } )?
            $( default {
                $( $(#[$dmeta:meta])* $def:ident : $dty:ty => $dset:ident, )*
            } )?
        }
    ) => {
        $(#[$meta])*
        #[non_exhaustive]
        pub struct $name {
            $( $( $(#[$rmeta])* pub $req: $rty, )* )?
            $( $( $(#[$ometa])* pub $opt: Option<$oty>, )* )?
            $( $( $(#[$dmeta])* pub $def: $dty, )* )?
        }

        #[allow(clippy::new_without_default)]
        impl $name {
            /// Creates it from its required fields; every other field starts unset.
            #[must_use]
            pub fn new($( $( $req: impl Into<$rty> ),* )?) -> Self {
                Self {
                    $( $( $req: $req.into(), )* )?
                    $( $( $opt: None, )* )?
                    $( $( $def: Default::default(), )* )?
                }
            }

            $( $(
                #[doc = concat!("Sets `", stringify!($opt), "`.")]
                #[must_use]
                pub fn $oset(mut self, $opt: impl Into<$oty>) -> Self {
                    self.$opt = Some($opt.into());
                    self
                }
            )* )?

            $( $(
                #[doc = concat!("Sets `", stringify!($def), "`.")]
                #[must_use]
                pub fn $dset(mut self, $def: impl Into<$dty>) -> Self {
                    self.$def = $def.into();
                    self
                }
            )* )?
        }
    };
}

pub(crate) use shape;
