//! Identifiers and tokens (an order number in a path variable, a token in the query) never
//! reach an error's `Display` or `Debug`, nor any tracing event or span, even when the
//! request fails in transport and is retried.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};
use wechatpay::RetryPolicy;
use wechatpay::mock::MockServer;

const ORDER: &str = "SECRETORDER20241130";
const TOKEN: &str = "SECRETTOKEN6XIv5TUPto7pByrT";

/// Records every field of every span and event, as text.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<String>>>);

struct Fields<'a>(&'a mut Vec<String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push(format!("{}={value:?}", field.name()));
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut lines = self.0.lock().unwrap();
        span.record(&mut Fields(&mut lines));
        Id::from_u64(lines.len() as u64 + 1)
    }

    fn record(&self, _: &Id, values: &Record<'_>) {
        values.record(&mut Fields(&mut self.0.lock().unwrap()));
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        event.record(&mut Fields(&mut self.0.lock().unwrap()));
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

fn assert_clean(what: &str, text: &str) {
    for secret in [ORDER, TOKEN] {
        assert!(!text.contains(secret), "{what} shows {secret}: {text}");
    }
}

#[test]
fn a_transport_failure_shows_the_host_and_template_but_no_identifier() {
    // A port nothing listens on: every attempt is refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mock = MockServer::start();
    let client = mock
        .client_builder()
        .base_url(&format!("http://127.0.0.1:{port}/"))
        .unwrap()
        .retry(RetryPolicy::new(2).backoff(Duration::from_millis(1), Duration::from_millis(2)))
        .build()
        .unwrap();
    let recorder = Recorder::default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let err = tracing::subscriber::with_default(recorder.clone(), || {
        runtime.block_on(
            client
                .chain("v3/pay/transactions/out-trade-no/{out_trade_no}")
                .get()
                .param("out_trade_no", ORDER)
                .query("token", TOKEN)
                .send(),
        )
    })
    .unwrap_err();
    assert_eq!(err.attempts(), 2, "{err:?}");
    let shown = err.to_string();
    assert_clean("Display", &shown);
    assert_clean("Debug", &format!("{err:?}"));
    assert_clean("the last cause", &err.last_cause().to_string());
    assert!(shown.contains("127.0.0.1"), "the host stays: {shown}");
    assert!(
        shown.contains("/v3/pay/transactions/out-trade-no/{out_trade_no}"),
        "the template stays: {shown}"
    );
    let events = recorder.0.lock().unwrap().join("\n");
    assert!(events.contains("request failed"), "the failures are logged: {events}");
    assert_clean("a tracing event", &events);
}
