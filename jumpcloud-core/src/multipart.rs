//! `multipart/form-data` request bodies (RFC 7578), for uploads such as application logos.
//!
//! Limitation: the form is encoded into one buffer before sending, rather than streamed, so
//! that a retried attempt can send exactly the same bytes again; very large uploads cost their
//! size in memory.

use bytes::{BufMut, Bytes, BytesMut};

/// A `multipart/form-data` body: named text fields and files.
///
/// ```
/// use jumpcloud_core::{Form, Part};
///
/// let form = Form::new()
///     .text("name", "Example")
///     .part("image", Part::bytes(vec![0x89, b'P', b'N', b'G']).file_name("logo.png").mime("image/png"));
/// # let _ = form;
/// ```
#[derive(Clone, Debug, Default)]
pub struct Form {
    parts: Vec<(String, Part)>,
}

/// One field of a [`Form`].
#[derive(Clone, Debug)]
pub struct Part {
    data: Bytes,
    file_name: Option<String>,
    mime: Option<String>,
}

impl Part {
    /// A text field.
    pub fn text(value: impl Into<String>) -> Part {
        Part {
            data: Bytes::from(value.into()),
            file_name: None,
            mime: None,
        }
    }

    /// A binary field, typically a file; give it a [`file_name`](Self::file_name) and a
    /// [`mime`](Self::mime) type.
    pub fn bytes(data: impl Into<Bytes>) -> Part {
        Part {
            data: data.into(),
            file_name: None,
            mime: None,
        }
    }

    /// The file name reported to the server.
    pub fn file_name(mut self, name: impl Into<String>) -> Part {
        self.file_name = Some(name.into());
        self
    }

    /// The part's content type, e.g. `image/png`.
    pub fn mime(mut self, mime: impl Into<String>) -> Part {
        self.mime = Some(mime.into());
        self
    }
}

impl Form {
    /// An empty form.
    pub fn new() -> Form {
        Form::default()
    }

    /// Adds a text field.
    pub fn text(self, name: impl Into<String>, value: impl Into<String>) -> Form {
        self.part(name, Part::text(value))
    }

    /// Adds a file field with its name and content type.
    pub fn file(
        self,
        name: impl Into<String>,
        file_name: impl Into<String>,
        mime: impl Into<String>,
        data: impl Into<Bytes>,
    ) -> Form {
        self.part(name, Part::bytes(data).file_name(file_name).mime(mime))
    }

    /// Adds any part.
    pub fn part(mut self, name: impl Into<String>, part: Part) -> Form {
        self.parts.push((name.into(), part));
        self
    }

    /// Encodes the form; returns the `Content-Type` (with its boundary) and the body.
    ///
    /// A part's content type that could break out of its header line is reported as
    /// `Err((field name, reason))`.
    pub(crate) fn encode(&self) -> Result<(String, Bytes), (String, &'static str)> {
        for (name, part) in &self.parts {
            if let Some(mime) = &part.mime
                && mime.contains(['\r', '\n'])
            {
                return Err((name.clone(), "content type contains a line break"));
            }
        }
        let boundary = self.pick_boundary();
        let size: usize = self
            .parts
            .iter()
            .map(|(name, part)| part.data.len() + name.len() + 160)
            .sum();
        let mut body = BytesMut::with_capacity(size + boundary.len() + 8);
        for (name, part) in &self.parts {
            body.put_slice(b"--");
            body.put_slice(boundary.as_bytes());
            body.put_slice(b"\r\nContent-Disposition: form-data; name=\"");
            put_quoted(&mut body, name);
            body.put_u8(b'"');
            if let Some(file_name) = &part.file_name {
                body.put_slice(b"; filename=\"");
                put_quoted(&mut body, file_name);
                body.put_u8(b'"');
            }
            body.put_slice(b"\r\n");
            if let Some(mime) = &part.mime {
                body.put_slice(b"Content-Type: ");
                body.put_slice(mime.as_bytes());
                body.put_slice(b"\r\n");
            }
            body.put_slice(b"\r\n");
            body.put_slice(&part.data);
            body.put_slice(b"\r\n");
        }
        body.put_slice(b"--");
        body.put_slice(boundary.as_bytes());
        body.put_slice(b"--\r\n");
        let content_type = format!("multipart/form-data; boundary={boundary}");
        Ok((content_type, body.freeze()))
    }

    /// A random boundary that occurs in no part, so that no content can end its part early.
    fn pick_boundary(&self) -> String {
        loop {
            let boundary: String = std::iter::repeat_with(fastrand::alphanumeric)
                .take(32)
                .collect();
            let boundary = format!("jumpcloud-{boundary}");
            let clashes = self.parts.iter().any(|(_, part)| {
                part.data
                    .windows(boundary.len())
                    .any(|window| window == boundary.as_bytes())
            });
            if !clashes {
                return boundary;
            }
        }
    }
}

/// Writes a field or file name inside double quotes, escaping what would end the quotes or the
/// header line the way RFC 7578 and browsers do.
fn put_quoted(body: &mut BytesMut, text: &str) {
    for byte in text.bytes() {
        match byte {
            b'"' => body.put_slice(b"%22"),
            b'\r' => body.put_slice(b"%0D"),
            b'\n' => body.put_slice(b"%0A"),
            other => body.put_u8(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_fields_files_and_escapes_names() {
        let form = Form::new().text("title", "Hello").file(
            "image",
            "a\"b\r\n.png",
            "image/png",
            vec![1u8, 2, 3],
        );
        let (content_type, body) = form.encode().unwrap();
        let boundary = content_type
            .strip_prefix("multipart/form-data; boundary=")
            .unwrap();
        let expected = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nHello\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"image\"; \
             filename=\"a%22b%0D%0A.png\"\r\nContent-Type: image/png\r\n\r\n\u{1}\u{2}\u{3}\r\n\
             --{boundary}--\r\n"
        );
        assert_eq!(body, Bytes::from(expected));
    }

    #[test]
    fn line_breaks_in_a_content_type_are_refused() {
        let form = Form::new().part("f", Part::bytes("x").mime("text/plain\r\nX-Evil: 1"));
        assert_eq!(form.encode().unwrap_err().0, "f");
    }
}
