//! End-to-end load benchmark: N requests at concurrency C through ONE client against a
//! `wechatpay mock serve` running in another process, so this process's CPU is the
//! client's alone.
//!
//! ```sh
//! cargo build --release --features cli --bin wechatpay
//! cargo build --release -p wechatpay-perf --bin loadgen
//! target/release/wechatpay mock serve --reuse-signatures --keys-dir target/sandbox > mock.log &
//! target/release/loadgen "$(head -1 mock.log | cut -d' ' -f3)" target/sandbox get 2000 50
//! ```
//!
//! Arguments: `BASE_URL KEYS_DIR WORKLOAD N C [--probe] [--calibrate ITERATIONS] [--multi-thread]
//! [--count-allocs] [--transport client|raw]`.
//! - `BASE_URL`: the mock's URL (`-` reads `WECHATPAY_BASE_URL` from `KEYS_DIR/env.sh`);
//! - `KEYS_DIR`: the folder `mock serve --keys-dir` wrote (`env.sh`, `apiclient_key.pem`,
//!   `pub_key.pem`, `pub_key_id.txt`, `certificates/`);
//! - `WORKLOAD`: `seed` (POST v3/parking/reminders/ext-payment, the seed body, 204) or `get`
//!   (GET v3/pay/transactions/out-trade-no/{out_trade_no} with a param and `mchid`, 200 JSON);
//! - `--probe`: a task that sleeps 1 ms in a loop on the same runtime during the load (and
//!   for 500 ms idle before it), and the same on a plain OS thread; reports how late they
//!   wake: the task's lateness beyond the thread's is what the executor (signing and
//!   verifying inline included) does to other tasks, the thread's is CPU contention alone.
//!   Also times SHA-256 of 2 and 5 MiB (what an in-memory upload hashes inline).
//! - `BENCH_WARMUP=W` (environment): W more requests at concurrency C, unmeasured, before
//!   the measured N (bench/compare.sh sets it for every SDK alike);
//! - `--count-allocs`: counts heap allocations during the load and reports them per request
//!   (the counting itself costs a little CPU, so leave it off when measuring CPU).
//! - `--transport raw`: the load skips the client and its HTTP stack: hand-written HTTP/1.1
//!   on one TCP connection per task, with the same signing, verification and JSON check
//!   (`raw.rs`). Its CPU per request is the floor any APIv3 client can reach here.
//!
//! Before the load it measures the raw cost of one sign (`Signer::authorize_with`) and one
//! verify (`auth::verify::verify` of an answer this mock really sent) on this workload, and
//! reports the client CPU per request against it. Client CPU is user+sys of the whole
//! process from /proc/self/stat (10 ms ticks; keep N large enough); peak RSS is VmHWM.
//! Prints a human table, then one JSON line (the last line of output).

mod raw;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wechatpay::auth::PlatformKeys;
use wechatpay::auth::signing::Signer;

/// Counts heap allocations while `COUNTING` is on (`--count-allocs`); otherwise a plain
/// pass-through to the system allocator at the cost of one relaxed load.
mod alloc_counter {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

    pub static COUNTING: AtomicBool = AtomicBool::new(false);
    pub static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
    pub static BYTES: AtomicU64 = AtomicU64::new(0);

    pub struct Counting;

    // SAFETY: every call is forwarded unchanged to `System`.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            if COUNTING.load(Ordering::Relaxed) {
                ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
                BYTES.fetch_add(layout.size() as u64, Ordering::Relaxed);
            }
            // SAFETY: the caller's contract is passed on.
            unsafe { System.alloc(layout) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: the caller's contract is passed on.
            unsafe { System.dealloc(ptr, layout) }
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            if COUNTING.load(Ordering::Relaxed) {
                ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
                BYTES.fetch_add(new_size as u64, Ordering::Relaxed);
            }
            // SAFETY: the caller's contract is passed on.
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }

    /// (allocations, bytes) counted so far.
    pub fn snapshot() -> (u64, u64) {
        (ALLOCATIONS.load(Ordering::Relaxed), BYTES.load(Ordering::Relaxed))
    }
}

#[global_allocator]
static ALLOCATOR: alloc_counter::Counting = alloc_counter::Counting;

/// The DESIGN seed request body.
fn seed_body() -> Value {
    json!({
        "out_trade_no": "TRADE202407041530001",
        "fee_items": [{ "fee_type": "EXT_PARKING_PAYMENT_FEE_TYPE_MONTHLY", "amount": 5000 }],
        "pay_time": 1719128975,
        "wx_parking_lot_id": "21232735744117624001123604298240",
        "wx_trade_no": "4200001999202407041234567890"
    })
}

/// The path variable of the `get` workload (one value, so the cheap-mode mock reuses its
/// signature of the answer).
const OUT_TRADE_NO: &str = "1217752501201407033233368018";

#[derive(Clone, Copy, PartialEq)]
enum Workload {
    Seed,
    Get,
}

impl Workload {
    fn name(self) -> &'static str {
        match self {
            Workload::Seed => "seed",
            Workload::Get => "get",
        }
    }
}

struct Args {
    base_url: String,
    keys_dir: PathBuf,
    workload: Workload,
    n: usize,
    c: usize,
    probe: bool,
    count_allocs: bool,
    raw_transport: bool,
    /// BENCH_WARMUP: unmeasured requests at concurrency C before the measured N.
    warmup: usize,
    calibrate: usize,
    multi_thread: bool,
}

fn usage() -> ! {
    eprintln!(
        "usage: loadgen BASE_URL KEYS_DIR seed|get N C [--probe] [--calibrate ITERATIONS] [--multi-thread] [--count-allocs] [--transport client|raw]"
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut positional = Vec::new();
    let mut probe = false;
    let mut count_allocs = false;
    let mut raw_transport = false;
    let mut multi_thread = false;
    let mut calibrate = 2000;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--probe" => probe = true,
            "--multi-thread" => multi_thread = true,
            "--count-allocs" => count_allocs = true,
            "--transport" => match args.next().as_deref() {
                Some("raw") => raw_transport = true,
                Some("client") => raw_transport = false,
                _ => usage(),
            },
            "--calibrate" => {
                calibrate = args.next().and_then(|v| v.parse().ok()).unwrap_or_else(|| usage());
            }
            "-h" | "--help" => usage(),
            _ => positional.push(arg),
        }
    }
    let [base_url, keys_dir, workload, n, c] = positional.as_slice() else {
        usage()
    };
    let workload = match workload.as_str() {
        "seed" => Workload::Seed,
        "get" => Workload::Get,
        _ => usage(),
    };
    let (Ok(n), Ok(c)) = (n.parse::<usize>(), c.parse::<usize>()) else {
        usage()
    };
    if n == 0 || c == 0 {
        usage()
    }
    Args {
        base_url: base_url.clone(),
        keys_dir: PathBuf::from(keys_dir),
        workload,
        n,
        c: c.min(n),
        probe,
        count_allocs,
        raw_transport,
        warmup: std::env::var("BENCH_WARMUP")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
        calibrate: calibrate.max(1),
        multi_thread,
    }
}

/// The `export NAME='value'` lines of the sandbox's env.sh.
fn env_sh(dir: &Path) -> std::collections::HashMap<String, String> {
    let text = std::fs::read_to_string(dir.join("env.sh")).unwrap_or_default();
    text.lines()
        .filter_map(|line| line.strip_prefix("export "))
        .filter_map(|line| line.split_once('='))
        .map(|(name, value)| {
            let value = value.trim();
            let value = value
                .strip_prefix('\'')
                .and_then(|v| v.strip_suffix('\''))
                .unwrap_or(value);
            (name.to_owned(), value.replace(r"'\''", "'"))
        })
        .collect()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| {
        eprintln!("loadgen: cannot read {}: {e}", path.display());
        std::process::exit(3)
    })
}

/// user+sys CPU of the whole process, in milliseconds (10 ms resolution).
fn process_cpu_ms() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the `(comm)`: state is field 3, utime 14, stime 15 (clock ticks, 100/s).
    let rest = stat.rsplit_once(") ").map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    (ticks(11) + ticks(12)) as f64 * 10.0
}

/// CPU time of the calling thread in nanoseconds (/proc/thread-self/schedstat), if available.
fn thread_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// CPU time of this process's live threads, in nanoseconds (/proc/self/task/*/schedstat):
/// finer than /proc/self/stat, but blind to threads that ended; for short measurements.
fn live_threads_cpu_ns() -> u64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("schedstat")).ok())
        .filter_map(|text| text.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

/// CPU µs per signature: inline on the executor, then each in `spawn_blocking` with
/// `concurrency` of them in flight, as the client would if it moved signing off the executor.
async fn offload_cost(
    signer: Signer,
    target: String,
    body: Vec<u8>,
    method: &'static str,
    now: i64,
    concurrency: usize,
) -> (f64, f64) {
    const ITERATIONS: usize = 4000;
    let signer = Arc::new(signer);
    let (target, body) = (Arc::new(target), Arc::new(body));
    let sign = {
        let (signer, target, body) = (signer.clone(), target.clone(), body.clone());
        move || {
            std::hint::black_box(
                signer
                    .authorize_with(method, &target, &body, now, "593BEC0C930BF1AFEB40B4A08C8FB242")
                    .expect("signing works"),
            );
        }
    };
    let cpu0 = live_threads_cpu_ns();
    for _ in 0..ITERATIONS {
        sign();
    }
    let inline = (live_threads_cpu_ns() - cpu0) as f64 / ITERATIONS as f64 / 1000.0;
    let next = Arc::new(AtomicUsize::new(0));
    let cpu0 = live_threads_cpu_ns();
    let tasks: Vec<_> = (0..concurrency.min(ITERATIONS))
        .map(|_| {
            let (next, sign) = (next.clone(), sign.clone());
            tokio::spawn(async move {
                while next.fetch_add(1, Ordering::Relaxed) < ITERATIONS {
                    let _ = tokio::task::spawn_blocking(sign.clone()).await;
                }
            })
        })
        .collect();
    for task in tasks {
        let _ = task.await;
    }
    let offloaded = (live_threads_cpu_ns() - cpu0) as f64 / ITERATIONS as f64 / 1000.0;
    (inline, offloaded)
}

/// A `VmXXX:   N kB` line of /proc/self/status, in MiB.
fn status_mib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The `p`-th percentile of sorted values.
fn percentile<T: Copy + Default>(sorted: &[T], p: f64) -> T {
    if sorted.is_empty() {
        return T::default();
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Sends one request of the workload and checks the answer (the client has verified it).
async fn one(client: &wechatpay::Client, workload: Workload, body: &Value) -> Result<wechatpay::Response, String> {
    let res = match workload {
        Workload::Seed => client
            .chain("v3/parking/reminders/ext-payment")
            .post(body.clone())
            .await
            .map_err(|e| e.to_string())?,
        Workload::Get => client
            .chain("v3/pay/transactions/out-trade-no/{out_trade_no}")
            .get()
            .param("out_trade_no", OUT_TRADE_NO)
            .query("mchid", client.mchid())
            .await
            .map_err(|e| e.to_string())?,
    };
    if res.verified_by().is_none() {
        return Err("answer not verified".into());
    }
    match workload {
        Workload::Seed if res.status() != 204 => Err(format!("status {}", res.status())),
        Workload::Get => {
            let order: Value = res.json().map_err(|e| e.to_string())?;
            if res.status() != 200 || order["out_trade_no"] != OUT_TRADE_NO {
                return Err(format!("status {} body {order}", res.status()));
            }
            Ok(res)
        }
        _ => Ok(res),
    }
}

/// Lateness of 1 ms sleeps, in microseconds.
#[derive(Default)]
struct ProbeStats {
    samples: usize,
    p50_us: u64,
    p99_us: u64,
    max_us: u64,
}

impl ProbeStats {
    fn of(mut lateness: Vec<u64>) -> Self {
        lateness.sort_unstable();
        ProbeStats {
            samples: lateness.len(),
            p50_us: percentile(&lateness, 50.0),
            p99_us: percentile(&lateness, 99.0),
            max_us: lateness.last().copied().unwrap_or(0),
        }
    }

    fn json(&self) -> Value {
        json!({"samples": self.samples, "p50_us": self.p50_us, "p99_us": self.p99_us, "max_us": self.max_us})
    }
}

/// Two 1 ms tickers running while a phase runs: a task on the load's own runtime (what the
/// executor does to other tasks) and a plain OS thread (what the CPU contention alone does).
struct Probe {
    stop: Arc<tokio::sync::Notify>,
    stop_thread: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<Vec<u64>>,
    thread: std::thread::JoinHandle<Vec<u64>>,
}

impl Probe {
    fn start() -> Probe {
        let stop = Arc::new(tokio::sync::Notify::new());
        let stopped = stop.clone();
        let task = tokio::spawn(async move {
            let mut lateness = Vec::with_capacity(1 << 16);
            let stopped = stopped.notified();
            tokio::pin!(stopped);
            loop {
                let start = Instant::now();
                tokio::select! {
                    _ = &mut stopped => break,
                    _ = tokio::time::sleep(Duration::from_millis(1)) => lateness.push(late_us(start)),
                }
            }
            lateness
        });
        let stop_thread = Arc::new(AtomicBool::new(false));
        let stopped = stop_thread.clone();
        let thread = std::thread::spawn(move || {
            let mut lateness = Vec::with_capacity(1 << 16);
            while !stopped.load(Ordering::Relaxed) {
                let start = Instant::now();
                std::thread::sleep(Duration::from_millis(1));
                lateness.push(late_us(start));
            }
            lateness
        });
        Probe {
            stop,
            stop_thread,
            task,
            thread,
        }
    }

    /// Stops both tickers: (the task's lateness, the thread's lateness).
    async fn finish(self) -> (ProbeStats, ProbeStats) {
        self.stop.notify_one();
        self.stop_thread.store(true, Ordering::Relaxed);
        let task = self.task.await.unwrap_or_default();
        let thread = self.thread.join().unwrap_or_default();
        (ProbeStats::of(task), ProbeStats::of(thread))
    }
}

/// How much later than 1 ms after `start` it is now, in microseconds.
fn late_us(start: Instant) -> u64 {
    start.elapsed().saturating_sub(Duration::from_millis(1)).as_micros() as u64
}

fn main() {
    let args = parse_args();
    // The client on one thread by default, as a lean batch client would run it (the lowest
    // CPU and memory per request); --multi-thread spreads it over both cores for throughput.
    let runtime = if args.multi_thread {
        tokio::runtime::Builder::new_multi_thread().enable_all().build()
    } else {
        tokio::runtime::Builder::new_current_thread().enable_all().build()
    };
    runtime.expect("a tokio runtime").block_on(run(args));
}

/// `n` requests from `c` tasks taking request numbers, through the client or, given `raw`,
/// without it; returns the latencies (µs) of the successful ones and the errors.
async fn load(
    client: &wechatpay::Client,
    workload: Workload,
    body: &Value,
    raw: Option<Arc<raw::Raw>>,
    n: usize,
    c: usize,
) -> TaskResults {
    if let Some(raw) = raw {
        return raw::run(raw, n, c).await;
    }
    let next = Arc::new(AtomicUsize::new(0));
    let tasks = (0..c.min(n))
        .map(|_| {
            let (client, next, body) = (client.clone(), next.clone(), body.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = Vec::new();
                while next.fetch_add(1, Ordering::Relaxed) < n {
                    let start = Instant::now();
                    match one(&client, workload, &body).await {
                        Ok(_) => latencies.push(start.elapsed().as_micros() as u64),
                        Err(e) => errors.push(e),
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    gather(tasks, n).await
}

/// Latencies (µs) of the successful requests, and the errors of the others.
type TaskResults = (Vec<u64>, Vec<String>);

/// Awaits the load's tasks and merges what they report; a task that failed is one error.
async fn gather(tasks: Vec<tokio::task::JoinHandle<TaskResults>>, n: usize) -> TaskResults {
    let mut latencies = Vec::with_capacity(n);
    let mut errors = Vec::new();
    for task in tasks {
        match task.await {
            Ok((l, e)) => {
                latencies.extend(l);
                errors.extend(e);
            }
            Err(e) => errors.push(format!("task failed: {e}")),
        }
    }
    (latencies, errors)
}

async fn run(args: Args) {
    let env = env_sh(&args.keys_dir);
    let get = |name: &str, default: &str| env.get(name).cloned().unwrap_or_else(|| default.to_owned());
    let base_url = if args.base_url == "-" {
        get("WECHATPAY_BASE_URL", "")
    } else {
        args.base_url.clone()
    };
    let mchid = get("WECHATPAY_MCHID", wechatpay::mock::MCHID);
    let serial = get("WECHATPAY_MERCHANT_SERIAL", wechatpay::mock::MERCHANT_SERIAL);
    let private_key = read(&args.keys_dir.join("apiclient_key.pem"));
    let public_key_id = read(&args.keys_dir.join("pub_key_id.txt")).trim().to_owned();
    let public_key = read(&args.keys_dir.join("pub_key.pem"));

    // ONE client, trusting the public key and the certificate(s) the sandbox exported, so
    // either signing mode of the mock verifies.
    let mut builder = wechatpay::Client::builder()
        .mchid(&mchid)
        .merchant_serial(&serial)
        .private_key_pem(&private_key)
        .and_then(|b| b.platform_public_key(&public_key_id, &public_key))
        .and_then(|b| b.base_url(&base_url))
        .unwrap_or_else(|e| {
            eprintln!("loadgen: bad configuration: {e}");
            std::process::exit(3)
        });
    let certificates = args.keys_dir.join("certificates");
    if certificates.is_dir() {
        builder = builder.platform_certificates_dir(&certificates).unwrap_or_else(|e| {
            eprintln!("loadgen: bad certificates in {}: {e}", certificates.display());
            std::process::exit(3)
        });
    }
    let client = builder.build().unwrap_or_else(|e| {
        eprintln!("loadgen: cannot build the client: {e}");
        std::process::exit(3)
    });
    let body = seed_body();

    // Warm-up (first connection, lazy initialisation), keeping one real answer to verify.
    let mut sample = None;
    for _ in 0..20 {
        match one(&client, args.workload, &body).await {
            Ok(res) => sample = Some(res),
            Err(e) => {
                eprintln!("loadgen: the warm-up request failed: {e}");
                std::process::exit(1)
            }
        }
    }
    let sample = sample.expect("at least one warm-up request");

    // Raw cost of one sign + one verify of this workload, on this thread.
    let signer = Signer::new(&mchid, &serial, &private_key).expect("the key signed the warm-up requests");
    let mut keys = PlatformKeys::default();
    keys.add_public_key(&public_key_id, &public_key)
        .expect("the key verified the warm-up answers");
    let (method, target, sign_body) = match args.workload {
        Workload::Seed => (
            "POST",
            "/v3/parking/reminders/ext-payment".to_owned(),
            serde_json::to_vec(&body).expect("JSON"),
        ),
        Workload::Get => (
            "GET",
            format!("/v3/pay/transactions/out-trade-no/{OUT_TRADE_NO}?mchid={mchid}"),
            Vec::new(),
        ),
    };
    let now = client.now();
    let time_loop = |f: &dyn Fn()| {
        let (cpu0, wall0) = (thread_cpu_ns(), Instant::now());
        for _ in 0..args.calibrate {
            f();
        }
        let wall = wall0.elapsed().as_nanos() as f64;
        let cpu = match (cpu0, thread_cpu_ns()) {
            (Some(a), Some(b)) if b > a => (b - a) as f64,
            _ => wall,
        };
        cpu / args.calibrate as f64 / 1000.0
    };
    let sign_us = time_loop(&|| {
        std::hint::black_box(
            signer
                .authorize_with(method, &target, &sign_body, now, "593BEC0C930BF1AFEB40B4A08C8FB242")
                .expect("signing works"),
        );
    });
    let verify_us = time_loop(&|| {
        std::hint::black_box(
            wechatpay::auth::verify::verify(sample.headers(), sample.bytes(), client.now(), &keys)
                .expect("the mock's answer verifies"),
        );
    });
    let sign_verify_us = sign_us + verify_us;
    drop(sample);

    // Probe: how late a 1 ms sleep wakes, idle first (the timers' own granularity).
    let idle_probe = if args.probe {
        let probe = Probe::start();
        tokio::time::sleep(Duration::from_millis(500)).await;
        Some(probe.finish().await)
    } else {
        None
    };

    // --transport raw: the same work without the client (see raw.rs).
    let raw = args.raw_transport.then(|| {
        let address = url::Url::parse(&base_url)
            .ok()
            .filter(|url| url.scheme() == "http" && url.path() == "/")
            .and_then(|url| Some(format!("{}:{}", url.host_str()?, url.port_or_known_default()?)))
            .unwrap_or_else(|| {
                eprintln!("loadgen: --transport raw needs an http://HOST:PORT/ base URL");
                std::process::exit(2)
            });
        Arc::new(raw::Raw {
            host: address.clone(),
            address,
            method,
            target: target.clone(),
            body: (args.workload == Workload::Seed).then(|| body.clone()),
            signer: signer.clone(),
            keys: keys.clone(),
            serial: public_key_id.clone(),
            expect_order: (args.workload == Workload::Get).then_some(OUT_TRADE_NO),
        })
    });

    // Unmeasured warm-up load (BENCH_WARMUP), then the measured load.
    let warmup_errors = if args.warmup > 0 {
        load(&client, args.workload, &body, raw.clone(), args.warmup, args.c)
            .await
            .1
    } else {
        Vec::new()
    };
    for e in warmup_errors.iter().take(5) {
        eprintln!("loadgen: warm-up error: {e}");
    }
    let probe = args.probe.then(Probe::start);
    alloc_counter::COUNTING.store(args.count_allocs, Ordering::Relaxed);
    let allocs0 = alloc_counter::snapshot();
    let cpu0 = process_cpu_ms();
    let wall0 = Instant::now();
    let (mut latencies, errors) = load(&client, args.workload, &body, raw, args.n, args.c).await;
    let wall = wall0.elapsed().as_secs_f64();
    let cpu_ms = process_cpu_ms() - cpu0;
    let allocs1 = alloc_counter::snapshot();
    alloc_counter::COUNTING.store(false, Ordering::Relaxed);
    let allocations = args.count_allocs.then(|| {
        (
            (allocs1.0 - allocs0.0) as f64 / args.n as f64,
            (allocs1.1 - allocs0.1) as f64 / args.n as f64,
        )
    });
    let load_probe = match probe {
        Some(probe) => Some(probe.finish().await),
        None => None,
    };
    latencies.sort_unstable();
    let ok = latencies.len();
    let cpu_per_request_ms = cpu_ms / args.n as f64;
    let ratio = cpu_per_request_ms * 1000.0 / sign_verify_us;
    let peak_rss = status_mib("VmHWM:");

    // Hashing an in-memory upload runs inline too: time it for the probe report.
    let hashing: Vec<(usize, f64)> = if args.probe {
        [2usize, 5]
            .iter()
            .map(|&mib| {
                let content = vec![0x5au8; mib << 20];
                let start = Instant::now();
                std::hint::black_box(wechatpay::crypto::sha256_hex(&content));
                (mib, start.elapsed().as_secs_f64() * 1000.0)
            })
            .collect()
    } else {
        Vec::new()
    };

    // What moving signing off the executor would cost per request.
    let offload = if args.probe {
        Some(offload_cost(signer.clone(), target.clone(), sign_body.clone(), method, now, args.c).await)
    } else {
        None
    };

    let p50 = percentile(&latencies, 50.0) as f64 / 1000.0;
    let p99 = percentile(&latencies, 99.0) as f64 / 1000.0;
    let rps = ok as f64 / wall;
    println!(
        "loadgen: workload {}, {} requests, concurrency {}, backend {}, {} runtime, {}, mock {base_url}",
        args.workload.name(),
        args.n,
        args.c,
        wechatpay::crypto::backend(),
        if args.multi_thread {
            "multi-thread"
        } else {
            "current-thread"
        },
        if args.raw_transport {
            "transport raw HTTP/1.1 (the floor, not the client)"
        } else {
            "transport wechatpay::Client"
        }
    );
    let row = |label: &str, value: String| println!("| {label:<56} | {value:>20} |");
    println!("| {:<56} | {:>20} |", "metric", "value");
    println!("|{}|{}|", "-".repeat(58), "-".repeat(22));
    row("requests/s", format!("{rps:.0}"));
    row("client CPU ms/request (user+sys)", format!("{cpu_per_request_ms:.3}"));
    row("raw sign µs (Signer::authorize_with)", format!("{sign_us:.1}"));
    row("raw verify µs (auth::verify::verify)", format!("{verify_us:.1}"));
    row(
        "CPU/request ÷ raw (sign+verify) (target ≤ 1.5x)",
        format!("{ratio:.2}x"),
    );
    row("latency p50 / p99 ms", format!("{p50:.2} / {p99:.2}"));
    row("peak RSS MiB (VmHWM)", format!("{peak_rss:.1}"));
    if let Some((count, bytes)) = allocations {
        row(
            "heap allocations / bytes per request",
            format!("{count:.1} / {bytes:.0}"),
        );
    }
    row("verified answers / errors", format!("{ok} / {}", errors.len()));
    let lateness = |s: &ProbeStats| format!("{} / {} / {}", s.p50_us, s.p99_us, s.max_us);
    if let (Some((idle_task, idle_thread)), Some((task, thread))) = (&idle_probe, &load_probe) {
        let rows = [
            ("executor task, idle", idle_task),
            ("executor task, load", task),
            ("OS thread, idle", idle_thread),
            ("OS thread, load", thread),
        ];
        for (label, stats) in rows {
            row(&format!("1 ms ticker, {label}: late µs p50/p99/max"), lateness(stats));
        }
    }
    for (mib, ms) in &hashing {
        row(
            &format!("SHA-256 of {mib} MiB in memory (inline), ms"),
            format!("{ms:.2}"),
        );
    }
    if let Some((inline, offloaded)) = offload {
        row("sign CPU µs, inline on the executor", format!("{inline:.1}"));
        row(
            &format!("sign CPU µs, in spawn_blocking ({} in flight)", args.c.min(4000)),
            format!("{offloaded:.1}"),
        );
    }
    for e in errors.iter().take(5) {
        eprintln!("loadgen: error: {e}");
    }
    let record = json!({
        "impl": if args.raw_transport { "rust-raw-floor" } else { "rust-wechatpay" },
        "runtime": if args.multi_thread { "multi_thread" } else { "current_thread" },
        "transport": if args.raw_transport { "raw" } else { "client" },
        "warmup_load": args.warmup,
        "warmup_load_errors": warmup_errors.len(),
        "workload": args.workload.name(),
        "n": args.n,
        "c": args.c,
        "ok": ok,
        "errors": errors.len(),
        "wall_s": wall,
        "rps": rps,
        "cpu_ms_total": cpu_ms,
        "cpu_ms_per_req": cpu_per_request_ms,
        "p50_ms": p50,
        "p99_ms": p99,
        "peak_rss_mib": peak_rss,
        "backend": wechatpay::crypto::backend(),
        "sign_us": sign_us,
        "verify_us": verify_us,
        "cpu_per_req_over_sign_verify": ratio,
        "allocations_per_req": allocations.map(|(count, _)| count),
        "allocated_bytes_per_req": allocations.map(|(_, bytes)| bytes),
        "probe_idle_task": idle_probe.as_ref().map(|(task, _)| task.json()),
        "probe_idle_thread": idle_probe.as_ref().map(|(_, thread)| thread.json()),
        "probe_load_task": load_probe.as_ref().map(|(task, _)| task.json()),
        "probe_load_thread": load_probe.as_ref().map(|(_, thread)| thread.json()),
        "sign_cpu_us_inline": offload.map(|(inline, _)| inline),
        "sign_cpu_us_spawn_blocking": offload.map(|(_, offloaded)| offloaded),
        "sha256_ms": hashing.iter().map(|(mib, ms)| json!({"mib": mib, "ms": ms})).collect::<Vec<_>>(),
    });
    println!("{record}");
    if !errors.is_empty() {
        std::process::exit(1);
    }
}
