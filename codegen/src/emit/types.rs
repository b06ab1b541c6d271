//! Emits named types: structs, string enums that keep unknown values, and aliases.

use proc_macro2::TokenStream;
use quote::quote;

use super::{doc_attrs, ident, type_tokens};
use crate::error::Result;
use crate::ir::{Field, Ir, TypeDef, TypeKind, Variant};

pub(super) fn emit_type(def: &TypeDef, _ir: &Ir) -> Result<TokenStream> {
    let origin = match &def.component {
        Some(c) => format!("Schema `{}`.", crate::docs::code(c)),
        None => format!("Inline schema at `#{}`.", crate::docs::code(&def.source)),
    };
    let docs = doc_attrs(def.doc.as_deref(), &[origin]);
    let name = ident(&def.name);
    Ok(match &def.kind {
        TypeKind::Struct(fields) => emit_struct(&name, &docs, fields),
        TypeKind::Enum(variants) => emit_enum(&name, &docs, variants),
        TypeKind::Alias(target) => {
            let target = type_tokens(target);
            quote! {
                #docs
                pub type #name = #target;
            }
        }
    })
}

fn emit_struct(name: &proc_macro2::Ident, docs: &TokenStream, fields: &[Field]) -> TokenStream {
    let fields = fields.iter().map(|f| {
        let mut extra = Vec::new();
        if f.required {
            extra.push("Required by the spec; `None` when the API leaves it out.".to_owned());
        }
        if f.read_only {
            extra.push("Read-only: set by the API.".to_owned());
        }
        if f.deprecated {
            extra.push("Deprecated by the spec.".to_owned());
        }
        if f.clearable {
            extra.push(
                "`None` leaves the field out of a request (unchanged); `Some(None)` sends `null`, \
                 which clears it. A replacing `PUT` clears fields that are left out."
                    .to_owned(),
            );
        }
        let text = f.doc.clone().unwrap_or_else(|| format!("The `{}` property.", crate::docs::code(&f.wire)));
        let docs = doc_attrs(Some(&text), &extra);
        let rust = ident(&f.rust);
        let plain = crate::naming::split_raw(&f.rust).1;
        let mut ty = type_tokens(&f.ty);
        if f.boxed {
            ty = quote!(Box<#ty>);
        }
        let wire = &f.wire;
        let rename = if plain == wire { quote!() } else { quote!(rename = #wire,) };
        if f.clearable {
            return quote! {
                #docs
                #[serde(#rename default, skip_serializing_if = "Option::is_none", deserialize_with = "jumpcloud_core::nullable::deserialize")]
                pub #rust: Option<Option<#ty>>,
            };
        }
        quote! {
            #docs
            #[serde(#rename default, skip_serializing_if = "Option::is_none")]
            pub #rust: Option<#ty>,
        }
    });
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }
    }
}

fn emit_enum(name: &proc_macro2::Ident, docs: &TokenStream, variants: &[Variant]) -> TokenStream {
    let decl = variants.iter().map(|v| {
        let doc = format!(" `{}`", v.wire.replace('`', "'"));
        let id = ident(&v.rust);
        quote! { #[doc = #doc] #id, }
    });
    let to_str = variants.iter().map(|v| {
        let id = ident(&v.rust);
        let w = &v.wire;
        quote! { Self::#id => #w, }
    });
    let from_str = variants.iter().map(|v| {
        let id = ident(&v.rust);
        let w = &v.wire;
        quote! { #w => Self::#id, }
    });
    quote! {
        #docs
        ///
        /// Values the spec does not list are kept in [`Unknown`](Self::Unknown) and sent back
        /// unchanged.
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #(#decl)*
            /// A value this version of the spec does not list.
            Unknown(String),
        }

        impl #name {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#to_str)*
                    Self::Unknown(other) => other.as_str(),
                }
            }
        }

        impl From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#from_str)*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl From<String> for #name {
            fn from(value: String) -> Self {
                Self::from(value.as_str())
            }
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <std::borrow::Cow<'de, str> as serde::Deserialize<'de>>::deserialize(deserializer)?;
                Ok(Self::from(value.as_ref()))
            }
        }
    }
}
