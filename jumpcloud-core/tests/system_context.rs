//! System Context auth: the signature covers exactly the request line and date that are sent.
//!
//! The keys in `tests/data` were generated for these tests only and protect nothing.

use jumpcloud_testkit as support;

use jumpcloud_core::{Api, Client, Error, Method, Operation, SystemContext};
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::DecodePublicKey as _;
use rsa::sha2::Sha256;
use rsa::signature::Verifier as _;
use serde_json::json;
use support::{MockServer, Reply};

const PKCS1: &str = include_str!("data/system_context_pkcs1.pem");
const PKCS8: &str = include_str!("data/system_context_pkcs8.pem");
const PUBLIC: &str = include_str!("data/system_context_public.pem");

/// `openssl dgst -sha256 -sign system_context_pkcs1.pem` over [`KNOWN_MESSAGE`], base64.
/// PKCS#1 v1.5 signatures are deterministic, so an independent implementation must agree.
const KNOWN_SIGNATURE: &str = "0qY1lQ6brGkDiTNVy4dIVgYJ3+IOVJ2tHW99n/7jWpjQ+0URUzWAv6oSIp9hZtn8nuadM/clBlex8y39KuGfmTj9RB1PXAzt+pMs8wT3UA6OcCmwhwcwBMbTP53/VDzohzhqbXdHedY3dQOPHwxX8CYrB0C32ZKT8ELOOnDUiGRlYbRpstznVUir8HZ1J5t9/dXzQRxknDypaGoFKgVf3byBRFkOWtgq7WguHgBGwM4D2DL5hHP8fdWVCDriy58LKyXpv5XCER2aSbIpss6rc3wWYeaFfSPLXhv/vQpszOmUvq7QNhQdxAweE41AQplGdsG82Gp4A5Y70Iy2XPOcCQ==";
const KNOWN_MESSAGE: &str = "GET /api/systems/5f0c1b2a3d4e5f6a7b8c9d0e?fields=os HTTP/1.1\ndate: Thu, 17 Nov 2016 23:06:26 GMT";

static GET_SYSTEM: Operation = Operation {
    id: "systems_get",
    method: Method::GET,
    path: "/systems/{id}",
    api: Api::V1,
};

fn signature_of(authorization: &str) -> &str {
    authorization
        .rsplit_once("signature=\"")
        .and_then(|(_, rest)| rest.strip_suffix('"'))
        .expect("a signature parameter")
}

#[test]
fn signatures_match_an_independent_implementation() {
    for pem in [PKCS1, PKCS8] {
        let context = SystemContext::from_pem("5f0c1b2a3d4e5f6a7b8c9d0e", pem).unwrap();
        let authorization = context.authorization(
            &Method::GET,
            "/api/systems/5f0c1b2a3d4e5f6a7b8c9d0e?fields=os",
            "Thu, 17 Nov 2016 23:06:26 GMT",
        );
        assert_eq!(
            SystemContext::signing_string(
                &Method::GET,
                "/api/systems/5f0c1b2a3d4e5f6a7b8c9d0e?fields=os",
                "Thu, 17 Nov 2016 23:06:26 GMT"
            ),
            KNOWN_MESSAGE
        );
        assert_eq!(
            authorization,
            format!(
                "Signature keyId=\"system/5f0c1b2a3d4e5f6a7b8c9d0e\",headers=\"request-line date\",\
                 algorithm=\"rsa-sha256\",signature=\"{KNOWN_SIGNATURE}\""
            )
        );
    }
}

#[tokio::test]
async fn requests_carry_a_date_and_a_signature_over_what_was_sent() {
    let server = MockServer::sequence(vec![
        Reply::json(200, &json!({"id": "s1"})),
        Reply::json(200, &json!({"id": "s1"})),
    ])
    .await;
    let context = SystemContext::from_pem("5f0c1b2a3d4e5f6a7b8c9d0e", PKCS1).unwrap();
    let client = Client::builder()
        .system_context(context)
        .base_url(Api::V1, format!("{}/api", server.url()))
        .build()
        .unwrap();

    let mut req = client.request(&GET_SYSTEM, "/systems/5f0c1b2a3d4e5f6a7b8c9d0e".to_owned());
    req.query("fields", "os hostname");
    req.send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .unwrap();
    let mut req = client.raw(Method::PUT, Api::V1, "/systems/5f0c1b2a3d4e5f6a7b8c9d0e");
    req.json(&json!({"displayName": "x"})).unwrap();
    req.send().await.unwrap();

    let verifier = VerifyingKey::<Sha256>::from_public_key_pem(PUBLIC).unwrap();
    for sent in server.requests() {
        assert_eq!(sent.header("x-api-key"), None);
        let date = sent.header("date").expect("a Date header");
        httpdate::parse_http_date(date).expect("an HTTP date");
        let authorization = sent
            .header("authorization")
            .expect("an Authorization header");
        assert!(
            authorization.starts_with(
                "Signature keyId=\"system/5f0c1b2a3d4e5f6a7b8c9d0e\",headers=\"request-line date\",\
                 algorithm=\"rsa-sha256\",signature=\""
            ),
            "{authorization}"
        );
        // Rebuild the signed text from what the server actually received.
        let message = format!("{} {} HTTP/1.1\ndate: {date}", sent.method, sent.target);
        let signature = base64_decode(signature_of(authorization));
        let signature = Signature::try_from(signature.as_slice()).unwrap();
        verifier
            .verify(message.as_bytes(), &signature)
            .unwrap_or_else(|e| panic!("signature does not verify over {message:?}: {e}"));
    }
    assert_eq!(
        server.requests()[0].target,
        "/api/systems/5f0c1b2a3d4e5f6a7b8c9d0e?fields=os%20hostname"
    );
}

#[test]
fn keys_and_ids_are_checked_and_the_key_is_never_shown() {
    let err = SystemContext::from_pem("abc", "not a key").unwrap_err();
    assert!(matches!(err, Error::Config { .. }), "{err:?}");
    let err = SystemContext::from_pem("abc\",x=\"y", PKCS1).unwrap_err();
    assert!(err.to_string().contains("system id"), "{err}");

    let context = SystemContext::from_pem("abc", PKCS8).unwrap();
    let body_line = PKCS8.lines().nth(1).unwrap();
    let client = Client::builder()
        .system_context(context.clone())
        .build()
        .unwrap();
    for shown in [
        format!("{context:?}"),
        format!("{client:?}"),
        format!("{:?}", Client::builder().system_context(context)),
    ] {
        assert!(!shown.contains(body_line), "{shown}");
        assert!(shown.contains("abc"), "{shown}");
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}
