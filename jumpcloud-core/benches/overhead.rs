//! Client overhead per call: one small GET against a local server, through `jumpcloud-core`
//! and through a bare `reqwest` request doing the same work (same headers, same query, JSON
//! decoding), measured in the same run and reported as a ratio.
//!
//! ```text
//! cargo bench -p jumpcloud-core --bench overhead
//! ```
//!
//! The server runs on its own thread and runtime so that its work is not billed to either
//! client. Rounds alternate between the two clients and the median round is reported, which
//! keeps a noisy neighbour from favouring one side.

use jumpcloud_testkit as support;

use std::time::{Duration, Instant};

use jumpcloud_core::{Api, Client, Method, Operation, encode_path_segment};
use serde::Deserialize;
use support::{MockServer, Reply, TEST_KEY};

const CALLS_PER_ROUND: u32 = 2_000;
const ROUNDS: usize = 7;

static MEMBERS: Operation = Operation {
    id: "graph_systemGroupMembersList",
    method: Method::GET,
    path: "/systemgroups/{group_id}/members",
    api: Api::V2,
};

#[derive(Deserialize)]
#[allow(dead_code)]
struct Connection {
    to: Target,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Target {
    id: String,
    #[serde(rename = "type")]
    kind: String,
}

fn main() {
    let (url_tx, url_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let body = serde_json::json!([
                {"to": {"id": "bbbbbbbbbbbbbbbbbbbb0061", "type": "system"}},
                {"to": {"id": "bbbbbbbbbbbbbbbbbbbb0062", "type": "system"}}
            ]);
            let reply = Reply::json(200, &body).header("x-total-count", "2");
            let server = MockServer::start(move |_| reply.clone()).await;
            url_tx.send(server.url()).unwrap();
            std::future::pending::<()>().await;
        });
    });
    let base = url_rx.recv().unwrap();

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let client = Client::builder()
            .api_key(TEST_KEY)
            .org_id("org-bench")
            .base_url(Api::V2, format!("{base}/api/v2"))
            .build()
            .unwrap();
        // With the default `rustls` feature reqwest is built without a crypto provider of its
        // own (see the README); a client configured by reqwest itself needs a process default.
        #[cfg(all(feature = "rustls", not(feature = "native-tls")))]
        let _ = rustls::crypto::ring::default_provider().install_default();
        let bare = reqwest::Client::builder().build().unwrap();

        let via_core = || async {
            let path = format!("/systemgroups/{}/members", encode_path_segment("g1"));
            let mut req = client.request(&MEMBERS, path);
            req.query("limit", &100).query("skip", &0);
            let members = req
                .send()
                .await
                .unwrap()
                .json::<Vec<Connection>>()
                .unwrap();
            assert_eq!(members.len(), 2);
        };
        let via_reqwest = || async {
            // The URL is built per call, as generated code has to.
            let url = format!(
                "{base}/api/v2/systemgroups/{}/members?limit={}&skip={}",
                "g1", 100, 0
            );
            let response = bare
                .get(&url)
                .header("accept", "application/json")
                .header("x-api-key", TEST_KEY)
                .header("x-org-id", "org-bench")
                .send()
                .await
                .unwrap();
            assert!(response.status().is_success());
            let body = response.bytes().await.unwrap();
            let members: Vec<Connection> = serde_json::from_slice(&body).unwrap();
            assert_eq!(members.len(), 2);
        };

        // Warm up connections, allocator and caches on both sides.
        for _ in 0..500 {
            via_core().await;
            via_reqwest().await;
        }

        let mut core_rounds = Vec::new();
        let mut bare_rounds = Vec::new();
        for round in 0..ROUNDS {
            // Alternate which side goes first so that drift does not favour one of them.
            let order = if round % 2 == 0 { [true, false] } else { [false, true] };
            for use_core in order {
                let started = Instant::now();
                for _ in 0..CALLS_PER_ROUND {
                    if use_core {
                        via_core().await;
                    } else {
                        via_reqwest().await;
                    }
                }
                let per_call = started.elapsed() / CALLS_PER_ROUND;
                if use_core {
                    core_rounds.push(per_call);
                } else {
                    bare_rounds.push(per_call);
                }
            }
        }

        let core = median(&mut core_rounds);
        let bare = median(&mut bare_rounds);
        let overhead = core.as_secs_f64() / bare.as_secs_f64() - 1.0;
        println!("one small GET against 127.0.0.1, {ROUNDS} rounds of {CALLS_PER_ROUND} calls, median round:");
        println!("  bare reqwest    {:>8.1} µs/call", micros(bare));
        println!("  jumpcloud-core  {:>8.1} µs/call", micros(core));
        println!(
            "  ratio {:.3} ({:+.1}% , {:+.1} µs/call)",
            core.as_secs_f64() / bare.as_secs_f64(),
            overhead * 100.0,
            micros(core) - micros(bare)
        );
    });
}

fn median(samples: &mut [Duration]) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}
