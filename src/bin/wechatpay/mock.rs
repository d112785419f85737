//! `wechatpay mock serve`: the embedded mock as a standalone sandbox.

use std::path::Path;
use std::time::Duration;

use wechatpay::mock::{Fault, MockRoute, MockServer, SandboxFiles, SigningMode};

use crate::exit::{self, Failure};
use crate::{MockServeArgs, Mode};

/// The routes served unless `--no-default-routes`.
const DEFAULT_ROUTES: &str = r#"[
  {"method": "POST", "path": "/v3/parking/reminders/ext-payment", "status": 204},
  {"method": "GET", "path": "/v3/pay/transactions/out-trade-no/{out_trade_no}", "status": 200, "body": {
    "appid": "wxd678efh567hg6787", "mchid": "1900000001", "out_trade_no": "{out_trade_no}",
    "transaction_id": "4200001999202407041234567890", "trade_type": "NATIVE", "trade_state": "SUCCESS",
    "trade_state_desc": "支付成功", "success_time": "2024-07-04T15:30:00+08:00",
    "amount": {"total": 100, "payer_total": 100, "currency": "CNY", "payer_currency": "CNY"}
  }},
  {"method": "POST", "path": "/v3/pay/transactions/native", "status": 200,
   "body": {"code_url": "weixin://wxpay/bizpayurl?pr=mockpr0"}},
  {"method": "POST", "path": "/v3/pay/transactions/out-trade-no/{out_trade_no}/close", "status": 204}
]"#;

/// Writes `profiles.toml` with a `[mock]` profile naming the sandbox files (relative to it).
fn write_profile(files: &SandboxFiles, base_url: &str) -> std::io::Result<()> {
    let name = |path: &Path| {
        path.strip_prefix(&files.dir)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/")
    };
    let text = format!(
        "# The wechatpay mock sandbox as a profile:\n\
         #   wechatpay --config {config} --profile mock request GET v3/certificates\n\
         # Test keys only: never use them for anything real.\n\
         [mock]\n\
         mchid = \"{mchid}\"\n\
         merchant_serial = \"{serial}\"\n\
         private_key = \"{key}\"\n\
         public_key_id = \"{id}\"\n\
         public_key = \"{public_key}\"\n\
         certificates = \"{certificates}\"\n\
         apiv3_key_file = \"{apiv3}\"\n\
         base_url = \"{base_url}\"\n",
        config = files.dir.join("profiles.toml").display(),
        mchid = wechatpay::mock::MCHID,
        serial = wechatpay::mock::MERCHANT_SERIAL,
        key = name(&files.private_key),
        id = wechatpay::mock::PLATFORM_PUBLIC_KEY_ID,
        public_key = name(&files.public_key),
        certificates = name(&files.certificates),
        apiv3 = name(&files.apiv3_key),
    );
    std::fs::write(files.dir.join("profiles.toml"), text)
}

pub async fn serve(args: MockServeArgs) -> Result<u8, Failure> {
    if !(0.0..=1.0).contains(&args.fault_rate) {
        return Err(Failure::usage("--fault-rate must be between 0.0 and 1.0"));
    }
    let mode = match args.mode {
        Mode::PublicKey => SigningMode::PublicKey,
        Mode::Certificate => SigningMode::Certificate,
    };
    let mock = MockServer::builder()
        .mode(mode)
        .port(args.port)
        .try_start()
        .map_err(|e| Failure::other(format!("cannot listen on 127.0.0.1:{}: {e}", args.port)))?;
    let base_url = mock.base_url();
    mock.reuse_signatures(args.reuse_signatures);

    let mut routes = Vec::new();
    if !args.no_default_routes {
        routes.extend(MockRoute::parse_list(DEFAULT_ROUTES).map_err(|e| Failure::other(e.to_string()))?);
    }
    if let Some(file) = &args.routes {
        let text = std::fs::read_to_string(file)
            .map_err(|e| Failure::usage(format!("cannot read the routes file {}: {e}", file.display())))?;
        routes.extend(MockRoute::parse_list(&text).map_err(|e| Failure::usage(format!("{}: {e}", file.display())))?);
    }
    mock.add_routes(&routes);

    let faults: Vec<Fault> = args.faults.iter().filter_map(|name| Fault::from_name(name)).collect();
    match faults.as_slice() {
        [] => {}
        [fault] if args.fault_rate >= 1.0 => mock.set_fault(Some(fault.clone())),
        _ => mock.set_random_faults(args.fault_rate, &faults),
    }

    let dir = args
        .keys_dir
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join("wechatpay-mock"));
    let files = mock
        .write_keys(&dir)
        .map_err(|e| Failure::other(format!("cannot write the keys into {}: {e}", dir.display())))?;
    write_profile(&files, &base_url).map_err(|e| {
        Failure::other(format!(
            "cannot write {}: {e}",
            files.dir.join("profiles.toml").display()
        ))
    })?;

    // The first line tells where it listens (scripts and tests read it).
    println!("listening on {base_url}");
    println!("keys, ids and env.sh in {} (test keys only)", files.dir.display());
    println!("  point tools at it:  . {}", files.env_sh.display());
    println!(
        "signing mode: {}",
        match mode {
            SigningMode::PublicKey => "public key",
            _ => "certificate",
        }
    );
    for route in &routes {
        println!("route: {} {} -> {}", route.method, route.path, route.status);
    }
    if args.reuse_signatures {
        println!("reusing signatures: an answer body signed in the same second is not signed again");
    }
    if !args.faults.is_empty() {
        println!(
            "faults: {} on {}% of answers",
            args.faults.join(", "),
            (args.fault_rate * 100.0).round()
        );
    }
    println!("Ctrl-C or SIGTERM stops it");

    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    #[cfg(unix)]
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(|e| Failure::other(format!("cannot listen for SIGTERM: {e}")))?;
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let mut seen = 0;
    loop {
        #[cfg(unix)]
        let terminated = terminate.recv();
        #[cfg(not(unix))]
        let terminated = std::future::pending::<Option<()>>();
        tokio::select! {
            _ = &mut ctrl_c => break,
            _ = terminated => break,
            _ = tick.tick() => {
                for request in mock.requests_since(seen) {
                    seen += 1;
                    println!(
                        "{} {}  verified: {}",
                        request.method,
                        request.target,
                        if request.verified { "yes" } else { "no" }
                    );
                }
            }
        }
    }
    println!("stopped after {seen} request(s)");
    Ok(exit::OK)
}
