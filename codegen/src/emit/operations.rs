//! Emits one operation: a method on the crate's `Client` that takes the required parameters,
//! and a builder with a setter per optional parameter and an async `send`.

use proc_macro2::TokenStream;
use quote::quote;

use super::{CrateConfig, doc_attrs, ident, type_tokens};
use crate::docs;
use crate::error::Result;
use crate::ir::{
    BodyKind, CountType, Ir, MultipartPart, Operation, PageTotal, Pagination, Param, ParamLocation, SuccessResponse, TypeRef,
};

/// How a value is taken by a constructor argument or a setter.
enum Taking {
    /// `impl Into<String>`.
    IntoString,
    /// `impl IntoIterator<Item = impl Into<String>>` into a `Vec<String>`.
    IntoStrings,
    /// The type itself.
    Plain(TokenStream),
}

fn taking(t: &TypeRef) -> Taking {
    match t {
        TypeRef::String => Taking::IntoString,
        TypeRef::Vec(inner) if **inner == TypeRef::String => Taking::IntoStrings,
        other => Taking::Plain(type_tokens(other)),
    }
}

fn arg_type(t: &TypeRef) -> TokenStream {
    match taking(t) {
        Taking::IntoString => quote!(impl Into<String>),
        Taking::IntoStrings => {
            quote!(impl IntoIterator<Item = impl Into<String>>)
        }
        Taking::Plain(ty) => ty,
    }
}

fn convert(t: &TypeRef, value: TokenStream) -> TokenStream {
    match taking(t) {
        Taking::IntoString => quote!(#value.into()),
        Taking::IntoStrings => quote!(#value.into_iter().map(Into::into).collect()),
        Taking::Plain(_) => value,
    }
}

pub(super) fn emit_operation(op: &Operation, ir: &Ir, cfg: &CrateConfig) -> Result<TokenStream> {
    let builder = ident(&op.builder);
    let fn_name = ident(&op.fn_name);
    let signature = format!("`{} {}` (operation `{}`).", op.method, docs::code(&op.path), docs::code(&op.id));

    // Required parameters and a required body are arguments of the client method.
    let mut args = Vec::new();
    let mut inits = Vec::new();
    let mut fields = Vec::new();
    let mut setters = Vec::new();
    let mut arg_docs = Vec::new();
    for p in &op.params {
        let name = ident(&p.rust);
        let ty = type_tokens(&p.ty);
        if p.required {
            let at = arg_type(&p.ty);
            args.push(quote!(#name: #at));
            inits.push(match taking(&p.ty) {
                Taking::Plain(_) => quote!(#name),
                _ => {
                    let c = convert(&p.ty, quote!(#name));
                    quote!(#name: #c)
                }
            });
            fields.push(quote!(#name: #ty));
            arg_docs.push(param_doc_line(p));
        } else if let TypeRef::Vec(_) = &p.ty {
            fields.push(quote!(#name: #ty));
            inits.push(quote!(#name: Vec::new()));
            let at = arg_type(&p.ty);
            let c = convert(&p.ty, quote!(value));
            let docs = doc_attrs(p.doc.as_deref(), &[wire_line(p)]);
            setters.push(quote! {
                #docs
                pub fn #name(mut self, value: #at) -> Self {
                    self.#name = #c;
                    self
                }
            });
        } else {
            fields.push(quote!(#name: Option<#ty>));
            inits.push(quote!(#name: None));
            let at = arg_type(&p.ty);
            let c = convert(&p.ty, quote!(value));
            let docs = doc_attrs(p.doc.as_deref(), &[wire_line(p)]);
            setters.push(quote! {
                #docs
                pub fn #name(mut self, value: #at) -> Self {
                    self.#name = Some(#c);
                    self
                }
            });
        }
    }
    let body_write = match &op.body {
        None => quote!(),
        Some(body) => match &body.kind {
            BodyKind::Json(t) => {
                let ty = type_tokens(t);
                let text = body.doc.clone().unwrap_or_else(|| "The request body.".to_owned());
                if body.required {
                    args.push(quote!(body: #ty));
                    inits.push(quote!(body));
                    fields.push(quote!(body: #ty));
                    arg_docs.push(format!("- `body`: {}", first_line(&text)));
                    quote! { req.json(&self.body)?; }
                } else {
                    fields.push(quote!(body: Option<#ty>));
                    inits.push(quote!(body: None));
                    let docs = doc_attrs(Some(&text), &[]);
                    setters.push(quote! {
                        #docs
                        pub fn body(mut self, value: #ty) -> Self {
                            self.body = Some(value);
                            self
                        }
                    });
                    quote! { if let Some(body) = &self.body { req.json(body)?; } }
                }
            }
            BodyKind::Bytes(content_type) => {
                let text = body.doc.clone().unwrap_or_else(|| format!("The request body, sent as `{}`.", docs::code(content_type)));
                fields.push(quote!(body: bytes::Bytes));
                if body.required {
                    args.push(quote!(body: impl Into<bytes::Bytes>));
                    inits.push(quote!(body: body.into()));
                    arg_docs.push(format!("- `body`: {}", first_line(&text)));
                } else {
                    inits.push(quote!(body: bytes::Bytes::new()));
                    let docs = doc_attrs(Some(&text), &[]);
                    setters.push(quote! {
                        #docs
                        pub fn body(mut self, value: impl Into<bytes::Bytes>) -> Self {
                            self.body = value.into();
                            self
                        }
                    });
                }
                quote! { req.bytes(#content_type, self.body.clone()); }
            }
            BodyKind::Multipart(parts) => multipart(parts, &mut fields, &mut inits, &mut setters),
        },
    };

    let checks = op.params.iter().map(bounds_check);
    let sends = op.params.iter().map(|p| write_param(p, ir));
    let (ret, decode) = match &op.response {
        SuccessResponse::Empty => (quote!(()), quote!(.empty())),
        SuccessResponse::Json(t) => (type_tokens(t), quote!(.json())),
        SuccessResponse::JsonOrEmpty(t) => {
            let t = type_tokens(t);
            // An empty body (the 204 beside the 200) decodes as `None`.
            (quote!(Option<#t>), quote!(.json()))
        }
        SuccessResponse::Text => (quote!(String), quote!(.text())),
        SuccessResponse::Binary => (quote!(jumpcloud_core::Binary), quote!(.bytes())),
    };

    let accept = match &op.accept {
        Some(types) => quote! { req.header("accept", #types)?; },
        None => quote!(),
    };
    let idempotent = match op.idempotent {
        Some(yes) => quote! { req.idempotent(#yes); },
        None => quote!(),
    };
    let stream = op.pagination.as_ref().map(emit_stream).unwrap_or_default();
    let send_doc = match &op.error_body {
        Some(TypeRef::Named(n)) => {
            let first = " Sends the request and decodes the response.";
            let second = format!(
                " A status other than 2xx is [`Error::Api`](jumpcloud_core::Error::Api); the spec \
                 declares its body as [`{n}`](crate::types::{n}), which \
                 `error.as_api().map(|e| e.decode::<types::{n}>())` reads."
            );
            quote! {
                #[doc = #first]
                #[doc = ""]
                #[doc = #second]
            }
        }
        _ => quote!(#[doc = " Sends the request and decodes the response."]),
    };
    let path_expr = path_format(op);
    let method = ident(&op.method);
    let api = ident(&cfg.api_variant);
    let id = &op.id;
    let path_template = &op.path;

    let mut method_extra = vec![signature.clone()];
    if !arg_docs.is_empty() {
        method_extra.push(format!("Arguments:\n{}", arg_docs.join("\n")));
    }
    if op.deprecated {
        method_extra.push("Deprecated by the spec.".to_owned());
    }
    let summary = match (&op.summary, &op.description) {
        (Some(s), Some(d)) if d.trim() != s.trim() => Some(format!("{s}\n\n{d}")),
        (Some(s), _) => Some(s.clone()),
        (None, d) => d.clone(),
    };
    let method_docs = doc_attrs(summary.as_deref(), &method_extra_lines(&method_extra));
    let fn_path = format!("[`Client::{}`](crate::Client::{})", crate::naming::split_raw(&op.fn_name).1, crate::naming::split_raw(&op.fn_name).1);
    let builder_doc = format!(" Request builder for {fn_path}: {signature}");

    Ok(quote! {
        impl crate::Client {
            #method_docs
            pub fn #fn_name(&self, #(#args),*) -> #builder {
                #builder {
                    client: self.core.clone(),
                    #(#inits,)*
                }
            }
        }

        #[doc = #builder_doc]
        #[derive(Debug, Clone)]
        #[must_use = "a request builder does nothing until `.send().await`"]
        pub struct #builder {
            client: jumpcloud_core::Client,
            #(#fields,)*
        }

        impl #builder {
            #(#setters)*

            #send_doc
            pub async fn send(self) -> Result<jumpcloud_core::ResponseValue<#ret>, jumpcloud_core::Error> {
                static OPERATION: jumpcloud_core::Operation = jumpcloud_core::Operation {
                    id: #id,
                    method: jumpcloud_core::Method::#method,
                    path: #path_template,
                    api: jumpcloud_core::Api::#api,
                };
                #(#checks)*
                let path = #path_expr;
                #[allow(unused_mut)]
                let mut req = self.client.request(&OPERATION, path);
                #(#sends)*
                #body_write
                #accept
                #idempotent
                req.send().await? #decode
            }

            #stream
        }
    })
}

fn method_extra_lines(extra: &[String]) -> Vec<String> {
    extra.iter().flat_map(|e| e.lines().map(str::to_owned).collect::<Vec<_>>()).collect()
}

fn first_line(text: &str) -> String {
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
    crate::docs::doc_lines(line).join(" ")
}

fn param_doc_line(p: &Param) -> String {
    let text = p.doc.as_deref().map(first_line).unwrap_or_default();
    let rust = crate::naming::split_raw(&p.rust).1;
    if text.is_empty() { format!("- `{rust}`: {}", wire_line(p)) } else { format!("- `{rust}`: {text} ({})", wire_line(p)) }
}

fn wire_line(p: &Param) -> String {
    let loc = match p.location {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
    };
    let bounds = match p.bounds {
        (Some(min), Some(max)) => format!(" From {min} to {max}; other values are rejected before sending."),
        (None, Some(max)) => format!(" At most {max}; larger values are rejected before sending."),
        (Some(min), None) => format!(" At least {min}; smaller values are rejected before sending."),
        (None, None) => String::new(),
    };
    format!("Sent as the {loc} parameter `{}`.{bounds}", docs::code(&p.wire))
}

/// Rejects an integer outside the bounds the spec declares before anything is sent: the API
/// answers such a request with a 400 that names no parameter.
fn bounds_check(p: &Param) -> TokenStream {
    if !matches!(p.ty, TypeRef::I64 | TypeRef::I32) || p.bounds == (None, None) {
        return quote!();
    }
    let name = ident(&p.rust);
    let wire = &p.wire;
    let v = if p.ty == TypeRef::I32 { quote!(i64::from(value)) } else { quote!(value) };
    let (cond, msg) = match p.bounds {
        (Some(min), Some(max)) => (quote!(!(#min..=#max).contains(&#v)), format!("must be from {min} to {max}")),
        (Some(min), None) => (quote!(#v < #min), format!("must be at least {min}")),
        (None, Some(max)) => (quote!(#v > #max), format!("must be at most {max}")),
        (None, None) => return quote!(),
    };
    let fail = quote! {
        return Err(jumpcloud_core::Error::invalid(OPERATION.id, #wire, format!("{}, got {}", #msg, value)));
    };
    if p.required {
        quote! { { let value = self.#name; if #cond { #fail } } }
    } else {
        quote! { if let Some(value) = self.#name && #cond { #fail } }
    }
}

/// The expression that builds the request path, with path parameters percent-encoded.
fn path_format(op: &Operation) -> TokenStream {
    let mut fmt = String::new();
    let mut values = Vec::new();
    let mut rest = op.path.as_str();
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else { break };
        fmt.push_str(&rest[..start].replace('{', "{{").replace('}', "}}"));
        fmt.push_str("{}");
        let var = &rest[start + 1..start + len];
        if let Some(p) = op.params.iter().find(|p| p.location == ParamLocation::Path && p.wire == var) {
            let name = ident(&p.rust);
            values.push(quote!(jumpcloud_core::encode_path_segment(&self.#name)));
        }
        rest = &rest[start + len + 1..];
    }
    fmt.push_str(&rest.replace('{', "{{").replace('}', "}}"));
    if values.is_empty() {
        quote!(String::from(#fmt))
    } else {
        quote!(format!(#fmt, #(#values),*))
    }
}

fn write_param(p: &Param, ir: &Ir) -> TokenStream {
    let name = ident(&p.rust);
    let wire = &p.wire;
    match p.location {
        ParamLocation::Path => quote!(),
        ParamLocation::Query => match &p.ty {
            TypeRef::Vec(inner) if inner.is_scalar(&ir.types) => {
                if p.explode {
                    quote! { for value in &self.#name { req.query(#wire, value); } }
                } else {
                    // `explode: false`: one key, values joined by commas (OpenAPI form style).
                    quote! { req.query_joined(#wire, &self.#name); }
                }
            }
            t if t.is_scalar(&ir.types) => {
                if p.required {
                    quote! { req.query(#wire, &self.#name); }
                } else {
                    quote! { if let Some(value) = &self.#name { req.query(#wire, value); } }
                }
            }
            TypeRef::Vec(_) => quote! {
                if !self.#name.is_empty() { req.query_json(#wire, &self.#name)?; }
            },
            _ => {
                if p.required {
                    quote! { req.query_json(#wire, &self.#name)?; }
                } else {
                    quote! { if let Some(value) = &self.#name { req.query_json(#wire, value)?; } }
                }
            }
        },
        ParamLocation::Header => {
            let value = if p.ty.is_scalar(&ir.types) {
                quote!(value)
            } else {
                quote!(&serde_json::to_string(value).map_err(|e| jumpcloud_core::Error::invalid(OPERATION.id, #wire, e.to_string()))?)
            };
            match &p.ty {
                TypeRef::Vec(_) => quote! {
                    if !self.#name.is_empty() {
                        let joined = self.#name.iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
                        req.header(#wire, &joined)?;
                    }
                },
                _ if p.required => quote! { { let value = &self.#name; req.header(#wire, #value)?; } },
                _ => quote! { if let Some(value) = &self.#name { req.header(#wire, #value)?; } },
            }
        }
    }
}

fn multipart(
    parts: &[MultipartPart],
    fields: &mut Vec<TokenStream>,
    inits: &mut Vec<TokenStream>,
    setters: &mut Vec<TokenStream>,
) -> TokenStream {
    let mut writes = Vec::new();
    for part in parts {
        let name = ident(&part.rust);
        let wire = &part.wire;
        let text = part.doc.clone().unwrap_or_else(|| format!("The `{}` part of the form.", docs::code(wire)));
        let docs = doc_attrs(Some(&text), &[]);
        if part.file {
            fields.push(quote!(#name: Option<(String, bytes::Bytes)>));
            inits.push(quote!(#name: None));
            setters.push(quote! {
                #docs
                ///
                /// `file_name` is sent as the part's file name.
                pub fn #name(mut self, file_name: impl Into<String>, bytes: impl Into<bytes::Bytes>) -> Self {
                    self.#name = Some((file_name.into(), bytes.into()));
                    self
                }
            });
            writes.push(quote! {
                if let Some((file_name, bytes)) = &self.#name {
                    form = form.file(#wire, file_name, "application/octet-stream", bytes.clone());
                }
            });
        } else {
            fields.push(quote!(#name: Option<String>));
            inits.push(quote!(#name: None));
            setters.push(quote! {
                #docs
                pub fn #name(mut self, value: impl Into<String>) -> Self {
                    self.#name = Some(value.into());
                    self
                }
            });
            writes.push(quote! {
                if let Some(value) = &self.#name {
                    form = form.text(#wire, value);
                }
            });
        }
    }
    quote! {
        let mut form = jumpcloud_core::Form::new();
        #(#writes)*
        req.multipart(form);
    }
}

/// `stream()`: every item of a paginated listing, page by page, through the runtime's pager
/// for the operation's strategy.
fn emit_stream(p: &Pagination) -> TokenStream {
    let item_of = |t: &TypeRef| type_tokens(t);
    // Where the caller set the position or the page size on the builder, the pager starts
    // there; the pager then owns both for every later page.
    let (item, pager) = match p {
        Pagination::SkipLimit { skip, limit, counts, total } => {
            let (skip, limit) = (ident(skip), ident(limit));
            let set = match counts {
                CountType::I64 => quote! { let b = b.#skip(skip).#limit(limit); },
                CountType::I32 => quote! {
                    let b = b.#skip(i32::try_from(skip).unwrap_or(i32::MAX)).#limit(i32::try_from(limit).unwrap_or(i32::MAX));
                },
                CountType::String => quote! { let b = b.#skip(skip.to_string()).#limit(limit.to_string()); },
            };
            let read = |field: &proc_macro2::Ident| match counts {
                CountType::I64 => quote!(self.#field),
                CountType::I32 => quote!(self.#field.map(i64::from)),
                CountType::String => quote!(self.#field.as_deref().and_then(|v| v.trim().parse::<i64>().ok())),
            };
            let (start, size) = (read(&skip), read(&limit));
            let (item, call) = page_call(total, quote!(skip_limit_header), quote!(skip_limit_total), set);
            (item, seed_skip_limit(call, start, size))
        }
        Pagination::SearchBody { skip, limit, body_required, total } => {
            let (skip, limit) = (ident(skip), ident(limit));
            let body = if *body_required { quote!(b.body) } else { quote!(b.body.get_or_insert_with(::core::default::Default::default)) };
            let set = quote! {
                let mut b = b;
                let body = &mut #body;
                body.#skip = Some(skip);
                body.#limit = Some(limit);
            };
            let (start, size) = if *body_required {
                (quote!(self.body.#skip), quote!(self.body.#limit))
            } else {
                (quote!(self.body.as_ref().and_then(|b| b.#skip)), quote!(self.body.as_ref().and_then(|b| b.#limit)))
            };
            let (item, call) = page_call(total, quote!(search_body), quote!(search_body), set);
            (item, seed_skip_limit(call, start, size))
        }
        Pagination::SearchAfter { cursor, body_required, item } => {
            let cursor = ident(cursor);
            let body = if *body_required { quote!(b.body) } else { quote!(b.body.get_or_insert_with(::core::default::Default::default)) };
            (
                item_of(item),
                quote! {
                    jumpcloud_core::paginate::search_after(self, |b: Self, cursor| async move {
                        let mut b = b;
                        if let Some(cursor) = cursor {
                            #body.#cursor = Some(cursor);
                        }
                        b.send().await
                    })
                },
            )
        }
        Pagination::PageToken { token_param, items_field, next_field, item } => {
            let (token_param, items_field, next_field) = (ident(token_param), ident(items_field), ident(next_field));
            (
                item_of(item),
                quote! {
                    let first = self.#token_param.clone();
                    let pager = jumpcloud_core::paginate::page_token(self, |b: Self, token| async move {
                        let b = match token {
                            Some(token) => b.#token_param(token),
                            None => b,
                        };
                        let page = b.send().await?.into_inner();
                        Ok(jumpcloud_core::paginate::TokenPage::new(page.#items_field.unwrap_or_default(), page.#next_field))
                    });
                    match first {
                        Some(token) => pager.start_token(token),
                        None => pager,
                    }
                },
            )
        }
    };
    let how = match p {
        Pagination::SkipLimit { total: PageTotal::Header { .. }, .. } => "`skip`/`limit`, with the total in the `x-total-count` response header",
        Pagination::SkipLimit { .. } => "`skip`/`limit`, with the total in the body",
        Pagination::SearchBody { .. } => "`skip`/`limit` inside the request body",
        Pagination::SearchAfter { .. } => "the `search_after` cursor of the `X-Search_after` response header",
        Pagination::PageToken { .. } => "page tokens",
    };
    let doc = format!(
        " Every item of the listing, fetched page by page ({how}) as the stream is polled; \
         at most one page is held in memory. Parameters set on this builder apply to every page."
    );
    quote! {
        #[doc = #doc]
        pub fn stream(self) -> impl jumpcloud_core::paginate::Stream<Item = Result<#item, jumpcloud_core::Error>> + Send + Unpin {
            #pager
        }
    }
}

/// Starts a skip/limit pager at the builder's `skip` and `limit`, where set.
fn seed_skip_limit(call: TokenStream, start: TokenStream, size: TokenStream) -> TokenStream {
    // Read before the builder moves into the pager.
    quote! {
        let (start, size) = (#start, #size);
        #call.resume(start, size)
    }
}

/// The pager call for a skip/limit listing; `set` writes `skip` and `limit` into `b`.
fn page_call(total: &PageTotal, header_fn: TokenStream, body_fn: TokenStream, set: TokenStream) -> (TokenStream, TokenStream) {
    match total {
        PageTotal::Header { item } => (
            type_tokens(item),
            quote! {
                jumpcloud_core::paginate::#header_fn(self, |b: Self, skip, limit| async move {
                    #set
                    b.send().await
                })
            },
        ),
        PageTotal::Body { items_field, total_field, total_is_i32, item } => {
            let (items_field, total_field) = (ident(items_field), ident(total_field));
            let total = if *total_is_i32 { quote!(page.#total_field.map(i64::from)) } else { quote!(page.#total_field) };
            (
                type_tokens(item),
                quote! {
                    jumpcloud_core::paginate::#body_fn(self, |b: Self, skip, limit| async move {
                        #set
                        let page = b.send().await?.into_inner();
                        Ok(jumpcloud_core::paginate::Page::new(page.#items_field.unwrap_or_default(), #total))
                    })
                },
            )
        }
    }
}
