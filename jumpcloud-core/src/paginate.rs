//! Pagers: every page of a listing as one [`Stream`] of items.
//!
//! JumpCloud pages its listings in four different ways, and applying the wrong rule loses
//! items silently, so each paginated operation names its strategy:
//!
//! | strategy | used by | the closure receives | it returns | the pager stops when |
//! |---|---|---|---|---|
//! | [`skip_limit_header`] | v2 lists (bare arrays) | `skip`, `limit` | `ResponseValue<Vec<T>>` | `skip >= x-total-count`, or after three empty pages in a row; without the header, on an empty page |
//! | [`skip_limit_total`] | v1 lists (`{totalCount, results}`) | `skip`, `limit` | [`Page<T>`] | `skip >= totalCount`, or after three empty pages in a row; without it, on an empty page |
//! | [`search_body`] | search operations with skip/limit in the body | `skip`, `limit` | either of the above | as above |
//! | [`search_after`] | Directory Insights events | the `search_after` cursor | `ResponseValue<Vec<T>>` | `X-Result-Count < X-Limit`, or a paging header is missing; an error when a cursor comes back |
//! | [`page_token`] | token-paged imports (`nextPageToken`, `skipToken`) | the page token | [`TokenPage<T>`] | the next token is absent or empty; an error when a token comes back |
//!
//! A short page never ends a skip/limit listing: JumpCloud drops entries that point at deleted
//! objects *after* applying `limit`, so a page can be short in the middle of a listing. `skip`
//! therefore advances by the page size requested, not by the items received. Pages ask for
//! [`MAX_PAGE_SIZE`] items unless told otherwise, and never more.
//!
//! For the same reason a single empty page does not end a listing whose total is known: it may
//! be a page of deleted entries. [`EMPTY_PAGES_TO_END`] empty pages in a row do, whatever the
//! total says, so that a total larger than what the server lists (say `i64::MAX`) cannot keep
//! the pager asking for empty pages forever.
//!
//! Cursor and token pagers remember every cursor or token they have followed (and the one
//! they started from): a server that hands one back again, right away or after a cycle
//! (A, B, A), ends the listing with [`Error::Pagination`] instead of looping. The memory this
//! takes grows with the number of pages, by the size of one cursor or token each.
//!
//! # For generated code
//!
//! Every function takes the operation's request builder, which must be `Clone` (it is cloned
//! once per page), and a closure that sends one page given the builder and the cursor.
//! Retries happen inside each page's `send`. The pager holds one page at a time.
//!
//! ```no_run
//! use futures_util::StreamExt as _;
//! use jumpcloud_core::paginate::{self, Page, TokenPage};
//! use jumpcloud_core::{Error, ResponseValue};
//!
//! # #[derive(Clone)] struct Members;
//! # impl Members {
//! #     fn skip(self, _: i64) -> Self { self }
//! #     fn limit(self, _: i64) -> Self { self }
//! #     async fn send(self) -> Result<ResponseValue<Vec<String>>, Error> { Err(Error::Pagination { message: String::new() }) }
//! # }
//! # #[derive(Clone)] struct Users;
//! # struct UserList { results: Option<Vec<String>>, total_count: Option<i64> }
//! # impl Users {
//! #     fn skip(self, _: i64) -> Self { self }
//! #     fn limit(self, _: i64) -> Self { self }
//! #     async fn send(self) -> Result<ResponseValue<UserList>, Error> { Err(Error::Pagination { message: String::new() }) }
//! # }
//! # #[derive(Clone)] struct Imports;
//! # struct ImportList { users: Option<Vec<String>>, next_page_token: Option<String> }
//! # impl Imports {
//! #     fn page_token(self, _: String) -> Self { self }
//! #     fn max_results(self, _: i64) -> Self { self }
//! #     async fn send(self) -> Result<ResponseValue<ImportList>, Error> { Err(Error::Pagination { message: String::new() }) }
//! # }
//! # async fn demo(members: Members, users: Users, imports: Imports) -> Result<(), Error> {
//! // v2: total in the `x-total-count` header; the closure only sets skip and limit.
//! let stream = paginate::skip_limit_header(members, |b, skip, limit| async move {
//!     b.skip(skip).limit(limit).send().await
//! });
//!
//! // v1: total in the body; the closure splits the body into items and total.
//! let stream = paginate::skip_limit_total(users, |b, skip, limit| async move {
//!     let list = b.skip(skip).limit(limit).send().await?.into_inner();
//!     Ok(Page::new(list.results.unwrap_or_default(), list.total_count))
//! });
//!
//! // Page tokens: the closure sets the token when there is one.
//! let mut stream = paginate::page_token(imports, |b, token| async move {
//!     let b = b.max_results(paginate::MAX_PAGE_SIZE);
//!     let b = match token { Some(token) => b.page_token(token), None => b };
//!     let list = b.send().await?.into_inner();
//!     Ok(TokenPage::new(list.users.unwrap_or_default(), list.next_page_token))
//! });
//!
//! // Pagers are `Unpin` when the builder and closure are, so `next` works directly.
//! while let Some(user) = stream.next().await {
//!     let user = user?;
//!     # let _ = user;
//! }
//! # Ok(())
//! # }
//! ```
//!
//! A generated method can return the pager as
//! `impl futures_core::Stream<Item = Result<T, jumpcloud_core::Error>>`; callers who want to
//! start elsewhere or use smaller pages call [`Pager::start`] / [`Pager::page_size`] (skip and
//! limit), [`Pager::start_after`] (Directory Insights) or [`Pager::start_token`] before
//! polling, which generated code can expose by returning the [`Pager`] type itself.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::FusedStream;
pub use futures_core::Stream;
use serde_json::Value;

use crate::error::Error;
use crate::response::ResponseValue;

/// The most items JumpCloud returns per page; larger `limit`s are rejected with a 400.
pub const MAX_PAGE_SIZE: i64 = 100;

/// How many empty pages in a row end a skip/limit listing even though its total says there
/// are more items (see the [module documentation](self)).
pub const EMPTY_PAGES_TO_END: u32 = 3;

/// One page of a skip/limit listing whose total count is in the body (v1 lists, searches).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The page's items.
    pub items: Vec<T>,
    /// The number of items in the whole listing, if the server said; a negative count is
    /// treated as unknown.
    pub total: Option<u64>,
}

impl<T> Page<T> {
    /// A page with the listing's total count as the body gives it.
    pub fn new(items: Vec<T>, total: Option<i64>) -> Self {
        Page {
            items,
            total: total.and_then(|n| u64::try_from(n).ok()),
        }
    }
}

/// What a skip/limit closure may return: a page of items and, if known, the listing's total.
pub trait SkipLimitPage {
    /// The listed item.
    type Item;
    /// The items and the total, if the response carries one.
    fn into_page(self) -> Page<Self::Item>;
}

impl<T> SkipLimitPage for Page<T> {
    type Item = T;

    fn into_page(self) -> Page<T> {
        self
    }
}

/// A v2 list response: the total is the `x-total-count` header.
impl<T> SkipLimitPage for ResponseValue<Vec<T>> {
    type Item = T;

    fn into_page(self) -> Page<T> {
        let total = self
            .header("x-total-count")
            .and_then(|v| v.trim().parse::<u64>().ok());
        Page {
            items: self.into_inner(),
            total,
        }
    }
}

/// One page of a token-paged listing.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenPage<T> {
    /// The page's items.
    pub items: Vec<T>,
    /// The token of the next page; absent or empty on the last page.
    pub next_token: Option<String>,
}

impl<T> TokenPage<T> {
    /// A page and the token that fetches the next one.
    pub fn new(items: Vec<T>, next_token: Option<String>) -> Self {
        TokenPage { items, next_token }
    }
}

mod sealed {
    pub trait Sealed {}
}

/// A pagination strategy bound to a request builder and a fetch closure; implemented by
/// [`SkipLimit`], [`SearchAfter`] and [`PageToken`] only.
pub trait Strategy: sealed::Sealed {
    /// The listed item.
    type Item;
    /// The future of one page request.
    type Fut: Future;
    /// Starts the request for the next page, or returns `None` when the listing is complete.
    fn next_request(&mut self) -> Option<Self::Fut>;
    /// Takes a finished page: moves the cursor on and hands back the page's items, and an
    /// error when the listing cannot go on (yielded after the items).
    fn page_done(
        &mut self,
        output: <Self::Fut as Future>::Output,
    ) -> (Vec<Self::Item>, Option<Error>);
}

/// The [`Stream`] of items of a paginated listing; made by the functions of this module.
///
/// It yields each page's items in order, fetching the next page only when the current one is
/// used up, and ends after the first error.
#[must_use = "a pager does nothing unless polled"]
pub struct Pager<S: Strategy> {
    strategy: S,
    pending: Option<Pin<Box<S::Fut>>>,
    buffer: std::vec::IntoIter<S::Item>,
    /// The error that ends the listing, due once the buffered items are out.
    failure: Option<Error>,
    done: bool,
}

impl<S: Strategy> Pager<S> {
    fn new(strategy: S) -> Self {
        Pager {
            strategy,
            pending: None,
            buffer: Vec::new().into_iter(),
            failure: None,
            done: false,
        }
    }
}

// The page future is boxed and nothing else is ever pinned in place, so moving a pager is fine
// whatever its type parameters are.
impl<S: Strategy> Unpin for Pager<S> {}

impl<S: Strategy> Stream for Pager<S> {
    type Item = Result<S::Item, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.buffer.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            if let Some(error) = this.failure.take() {
                this.done = true;
                return Poll::Ready(Some(Err(error)));
            }
            if this.done {
                return Poll::Ready(None);
            }
            let pending = match &mut this.pending {
                Some(pending) => pending,
                None => match this.strategy.next_request() {
                    Some(request) => this.pending.insert(Box::pin(request)),
                    None => {
                        this.done = true;
                        return Poll::Ready(None);
                    }
                },
            };
            let output = match pending.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(output) => output,
            };
            this.pending = None;
            let (items, failure) = this.strategy.page_done(output);
            this.buffer = items.into_iter();
            this.failure = failure;
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let buffered = self.buffer.len();
        if self.done && self.failure.is_none() {
            (buffered, Some(buffered))
        } else {
            (buffered, None)
        }
    }
}

impl<S: Strategy> FusedStream for Pager<S> {
    fn is_terminated(&self) -> bool {
        self.done && self.buffer.len() == 0 && self.failure.is_none()
    }
}

impl<S: Strategy> std::fmt::Debug for Pager<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pager")
            .field("buffered", &self.buffer.len())
            .field("fetching", &self.pending.is_some())
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

/// Skip/limit pagination state; see [`skip_limit_header`], [`skip_limit_total`] and
/// [`search_body`].
pub struct SkipLimit<B, F> {
    builder: B,
    fetch: F,
    skip: i64,
    limit: i64,
    total: Option<u64>,
    /// Empty pages received in a row.
    empty_run: u32,
    finished: bool,
}

impl<B, F> sealed::Sealed for SkipLimit<B, F> {}

impl<B, F, Fut, P> Strategy for SkipLimit<B, F>
where
    B: Clone,
    F: FnMut(B, i64, i64) -> Fut,
    Fut: Future<Output = Result<P, Error>>,
    P: SkipLimitPage,
{
    type Item = P::Item;
    type Fut = Fut;

    fn next_request(&mut self) -> Option<Fut> {
        if self.finished {
            return None;
        }
        Some((self.fetch)(self.builder.clone(), self.skip, self.limit))
    }

    fn page_done(&mut self, output: Result<P, Error>) -> (Vec<P::Item>, Option<Error>) {
        let page = match output {
            Ok(page) => page.into_page(),
            Err(error) => return (Vec::new(), Some(error)),
        };
        if page.total.is_some() {
            self.total = page.total;
        }
        let received = page.items.len();
        tracing::debug!(
            skip = self.skip,
            limit = self.limit,
            received,
            total = self.total,
            "page"
        );
        match self.skip.checked_add(self.limit) {
            Some(next) => self.skip = next,
            None => self.finished = true,
        }
        if received == 0 {
            self.empty_run = self.empty_run.saturating_add(1);
        } else {
            self.empty_run = 0;
        }
        // Limitation: without a total, only an empty page ends the listing; a server that
        // ignored `skip` would be paged forever (JumpCloud's do not). With a total, three
        // empty pages in a row end it, so three consecutive pages made only of deleted
        // entries end it early.
        self.finished |= match self.total {
            Some(total) => {
                u64::try_from(self.skip).is_ok_and(|skip| skip >= total)
                    || self.empty_run >= EMPTY_PAGES_TO_END
            }
            None => received == 0,
        };
        (page.items, None)
    }
}

impl<B, F> Pager<SkipLimit<B, F>>
where
    SkipLimit<B, F>: Strategy,
{
    /// Starts at `skip` instead of 0 (negative counts as 0). Call before polling.
    pub fn start(mut self, skip: i64) -> Self {
        self.strategy.skip = skip.max(0);
        self
    }

    /// Asks for `limit` items per page instead of [`MAX_PAGE_SIZE`], clamped to
    /// `1..=MAX_PAGE_SIZE`. Call before polling.
    pub fn page_size(mut self, limit: i64) -> Self {
        self.strategy.limit = limit.clamp(1, MAX_PAGE_SIZE);
        self
    }

    /// [`start`](Self::start) and [`page_size`](Self::page_size) where given: generated
    /// `stream()` methods pass the `skip` and `limit` a caller set on the request builder.
    pub fn resume(self, skip: Option<i64>, limit: Option<i64>) -> Self {
        let pager = match skip {
            Some(skip) => self.start(skip),
            None => self,
        };
        match limit {
            Some(limit) => pager.page_size(limit),
            None => pager,
        }
    }
}

fn skip_limit<B, F>(builder: B, fetch: F) -> SkipLimit<B, F> {
    SkipLimit {
        builder,
        fetch,
        skip: 0,
        limit: MAX_PAGE_SIZE,
        total: None,
        empty_run: 0,
        finished: false,
    }
}

/// Pages a v2 list: `fetch(builder, skip, limit)` sends one page and returns the bare array
/// with its headers; the pager continues while `skip < x-total-count` (or, without the header,
/// until a page is empty).
pub fn skip_limit_header<B, T, F, Fut>(builder: B, fetch: F) -> Pager<SkipLimit<B, F>>
where
    B: Clone,
    F: FnMut(B, i64, i64) -> Fut,
    Fut: Future<Output = Result<ResponseValue<Vec<T>>, Error>>,
{
    Pager::new(skip_limit(builder, fetch))
}

/// Pages a v1 list: `fetch(builder, skip, limit)` sends one page and returns its items and
/// the body's `totalCount` as a [`Page`]; the pager continues while `skip < totalCount` (or,
/// without it, until a page is empty).
pub fn skip_limit_total<B, T, F, Fut>(builder: B, fetch: F) -> Pager<SkipLimit<B, F>>
where
    B: Clone,
    F: FnMut(B, i64, i64) -> Fut,
    Fut: Future<Output = Result<Page<T>, Error>>,
{
    Pager::new(skip_limit(builder, fetch))
}

/// Pages a search whose `skip` and `limit` travel in the request body:
/// `fetch(builder, skip, limit)` writes them into the body and sends it. It may return a
/// [`Page`] (total in the body) or a `ResponseValue<Vec<T>>` (total in `x-total-count`).
pub fn search_body<B, P, F, Fut>(builder: B, fetch: F) -> Pager<SkipLimit<B, F>>
where
    B: Clone,
    F: FnMut(B, i64, i64) -> Fut,
    Fut: Future<Output = Result<P, Error>>,
    P: SkipLimitPage,
{
    Pager::new(skip_limit(builder, fetch))
}

/// Directory Insights pagination state; see [`search_after`].
pub struct SearchAfter<B, F> {
    builder: B,
    fetch: F,
    cursor: Option<Vec<Value>>,
    /// Every cursor followed or started from, as compact JSON text.
    /// Limitation: it grows by one cursor per page for the life of the listing.
    seen: HashSet<String>,
    finished: bool,
}

impl<B, F> sealed::Sealed for SearchAfter<B, F> {}

const X_RESULT_COUNT: &str = "x-result-count";
const X_LIMIT: &str = "x-limit";
const X_SEARCH_AFTER: &str = "x-search_after";

impl<B, F, Fut, T> Strategy for SearchAfter<B, F>
where
    B: Clone,
    F: FnMut(B, Option<Vec<Value>>) -> Fut,
    Fut: Future<Output = Result<ResponseValue<Vec<T>>, Error>>,
{
    type Item = T;
    type Fut = Fut;

    fn next_request(&mut self) -> Option<Fut> {
        if self.finished {
            return None;
        }
        Some((self.fetch)(self.builder.clone(), self.cursor.clone()))
    }

    fn page_done(
        &mut self,
        output: Result<ResponseValue<Vec<T>>, Error>,
    ) -> (Vec<T>, Option<Error>) {
        let response = match output {
            Ok(response) => response,
            Err(error) => return (Vec::new(), Some(error)),
        };
        // Whatever happens to the cursor, this page's items are delivered.
        self.finished = true;
        let next = self.next_cursor(&response);
        let failure = match next {
            Ok(Some((next, text))) => {
                self.finished = false;
                self.seen.insert(text);
                self.cursor = Some(next);
                None
            }
            Ok(None) => None,
            Err(error) => Some(error),
        };
        (response.into_inner(), failure)
    }
}

impl<B, F> SearchAfter<B, F> {
    /// The cursor of the next page and its compact text, or `None` when this page was the last
    /// one.
    fn next_cursor<T>(
        &mut self,
        response: &ResponseValue<T>,
    ) -> Result<Option<(Vec<Value>, String)>, Error> {
        let count = header_count(response, X_RESULT_COUNT)?;
        let limit = header_count(response, X_LIMIT)?;
        let cursor = response.header(X_SEARCH_AFTER);
        tracing::debug!(?count, ?limit, has_cursor = cursor.is_some(), "page");

        // A full page means there may be more; a missing header means there is no way on.
        let full =
            matches!((count, limit), (Some(count), Some(limit)) if count == limit && count > 0);
        let Some(raw) = cursor.filter(|_| full) else {
            return Ok(None);
        };
        let next: Vec<Value> = serde_json::from_str(raw).map_err(|e| Error::Pagination {
            message: format!("the X-Search_after header {raw:?} is not a JSON array: {e}"),
        })?;
        if self.seen.is_empty()
            && let Some(start) = &self.cursor
        {
            // The cursor a listing was started from counts as followed.
            self.seen.insert(cursor_text(start));
        }
        let text = cursor_text(&next);
        if self.seen.contains(&text) {
            return Err(Error::Pagination {
                message: format!(
                    "X-Search_after repeats the earlier cursor {raw}; stopping rather than \
                     fetching the same pages forever"
                ),
            });
        }
        Ok(Some((next, text)))
    }
}

/// A cursor as compact JSON text, so that `[1, "a"]` and `[1,"a"]` compare equal.
fn cursor_text(cursor: &[Value]) -> String {
    // Serializing JSON values cannot fail; the debug form is only a fallback for the type
    // system's sake.
    serde_json::to_string(cursor).unwrap_or_else(|_| format!("{cursor:?}"))
}

fn header_count<T>(response: &ResponseValue<T>, name: &str) -> Result<Option<u64>, Error> {
    match response.header(name) {
        None => Ok(None),
        // Integers, not strings: "100" and "99" compare the wrong way as text.
        Some(raw) => raw
            .trim()
            .parse::<u64>()
            .map(Some)
            .map_err(|_| Error::Pagination {
                message: format!("the {name} header {raw:?} is not a count"),
            }),
    }
}

impl<B, F> Pager<SearchAfter<B, F>>
where
    SearchAfter<B, F>: Strategy,
{
    /// Continues from a cursor saved from an earlier `X-Search_after` header. Call before
    /// polling.
    pub fn start_after(mut self, cursor: Vec<Value>) -> Self {
        self.strategy.cursor = Some(cursor);
        self
    }
}

/// Pages Directory Insights events: `fetch(builder, search_after)` sends the query, with
/// `search_after` in the body when it is `Some`. The pager continues while the response's
/// `X-Result-Count` equals its `X-Limit`, taking the next cursor from `X-Search_after`, and
/// stops when a page is short or a header is missing. The page size is the query's own
/// `limit` (the API allows up to 10 000 here).
pub fn search_after<B, T, F, Fut>(builder: B, fetch: F) -> Pager<SearchAfter<B, F>>
where
    B: Clone,
    F: FnMut(B, Option<Vec<Value>>) -> Fut,
    Fut: Future<Output = Result<ResponseValue<Vec<T>>, Error>>,
{
    Pager::new(SearchAfter {
        builder,
        fetch,
        cursor: None,
        seen: HashSet::new(),
        finished: false,
    })
}

/// Page-token pagination state; see [`page_token`].
pub struct PageToken<B, F> {
    builder: B,
    fetch: F,
    token: Option<String>,
    /// Every token followed or started from.
    /// Limitation: it grows by one token per page for the life of the listing.
    seen: HashSet<String>,
    finished: bool,
}

impl<B, F> sealed::Sealed for PageToken<B, F> {}

impl<B, F, Fut, T> Strategy for PageToken<B, F>
where
    B: Clone,
    F: FnMut(B, Option<String>) -> Fut,
    Fut: Future<Output = Result<TokenPage<T>, Error>>,
{
    type Item = T;
    type Fut = Fut;

    fn next_request(&mut self) -> Option<Fut> {
        if self.finished {
            return None;
        }
        Some((self.fetch)(self.builder.clone(), self.token.clone()))
    }

    fn page_done(&mut self, output: Result<TokenPage<T>, Error>) -> (Vec<T>, Option<Error>) {
        let page = match output {
            Ok(page) => page,
            Err(error) => return (Vec::new(), Some(error)),
        };
        let next = page.next_token.filter(|token| !token.is_empty());
        tracing::debug!(
            received = page.items.len(),
            has_next = next.is_some(),
            "page"
        );
        if let Some(token) = self.token.take() {
            // The token this page was fetched with (the start token included) is followed.
            self.seen.insert(token);
        }
        match next {
            Some(next) if self.seen.contains(&next) => {
                self.finished = true;
                let error = Error::Pagination {
                    message: "the next page token repeats an earlier one; stopping rather \
                              than fetching the same pages forever"
                        .to_owned(),
                };
                (page.items, Some(error))
            }
            next => {
                self.finished = next.is_none();
                self.token = next;
                (page.items, None)
            }
        }
    }
}

impl<B, F> Pager<PageToken<B, F>>
where
    PageToken<B, F>: Strategy,
{
    /// Starts from a saved page token instead of the first page. Call before polling.
    pub fn start_token(mut self, token: impl Into<String>) -> Self {
        self.strategy.token = Some(token.into());
        self
    }
}

/// Pages a token-paged listing (`pageToken`/`nextPageToken`, `skipToken`):
/// `fetch(builder, token)` sends one page, with the token when it is `Some`, and returns its
/// items and next token as a [`TokenPage`]. The pager stops when the next token is absent or
/// empty. The closure sets the page size (`maxResults`, `top`), at most [`MAX_PAGE_SIZE`].
pub fn page_token<B, T, F, Fut>(builder: B, fetch: F) -> Pager<PageToken<B, F>>
where
    B: Clone,
    F: FnMut(B, Option<String>) -> Fut,
    Fut: Future<Output = Result<TokenPage<T>, Error>>,
{
    Pager::new(PageToken {
        builder,
        fetch,
        token: None,
        seen: HashSet::new(),
        finished: false,
    })
}
