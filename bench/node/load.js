#!/usr/bin/env node
// Load driver for the Node SDK wechatpay-axios-plugin (bench/compare.sh installs 0.9.6 under
// target/sdks/node and sets NODE_PATH to it).
//
//   node bench/node/load.js BASE_URL KEYS_DIR seed|get N C
//
// KEYS_DIR is the folder `wechatpay mock serve --keys-dir` wrote. The SDK is configured the
// way its README says: mchid, serial, privateKey (file://), certs {PUB_KEY_ID: file://pub_key.pem}
// (public-key mode), and the SDK verifies every 2xx answer against `certs` (a bad signature
// becomes an EV3_RES_HEADER_SIGNATURE_DIGEST error). Prints one JSON line.
//
// BENCH_WARMUP=W (default 0): W more requests at concurrency C, unmeasured, before the
// measured N, so that the figures describe a warmed-up process (V8's JIT and heap sizing).
'use strict';

const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { Wechatpay, Rsa, Formatter } = require('wechatpay-axios-plugin');

const [baseURL, keysDir, workload, nArg, cArg] = process.argv.slice(2);
if (!baseURL || !keysDir || !['seed', 'get'].includes(workload) || !(+nArg > 0) || !(+cArg > 0)) {
  console.error('usage: load.js BASE_URL KEYS_DIR seed|get N C');
  process.exit(2);
}
const N = +nArg;
const C = Math.min(+cArg, N);
const WARMUP = Math.max(0, Math.floor(+(process.env.BENCH_WARMUP || 0)) || 0);

// The `export NAME='value'` lines of env.sh.
const env = {};
for (const line of fs.readFileSync(path.join(keysDir, 'env.sh'), 'utf8').split('\n')) {
  const m = /^export (\w+)='(.*)'$/.exec(line);
  if (m) env[m[1]] = m[2].replace(/'\\''/g, "'");
}
const mchid = env.WECHATPAY_MCHID;
const publicKeyId = fs.readFileSync(path.join(keysDir, 'pub_key_id.txt'), 'utf8').trim();

const wxpay = new Wechatpay({
  baseURL,
  mchid,
  serial: env.WECHATPAY_MERCHANT_SERIAL,
  privateKey: `file://${path.resolve(keysDir, 'apiclient_key.pem')}`,
  certs: { [publicKeyId]: `file://${path.resolve(keysDir, 'pub_key.pem')}` },
});

const OUT_TRADE_NO = '1217752501201407033233368018';
const seedBody = () => ({
  out_trade_no: 'TRADE202407041530001',
  fee_items: [{ fee_type: 'EXT_PARKING_PAYMENT_FEE_TYPE_MONTHLY', amount: 5000 }],
  pay_time: 1719128975,
  wx_parking_lot_id: '21232735744117624001123604298240',
  wx_trade_no: '4200001999202407041234567890',
});

async function one() {
  if (workload === 'seed') {
    const res = await wxpay.v3.parking.reminders.extPayment.post(seedBody());
    if (res.status !== 204) throw new Error(`status ${res.status}`);
  } else {
    const res = await wxpay.v3.pay.transactions.outTradeNo._out_trade_no_.get({
      params: { mchid },
      out_trade_no: OUT_TRADE_NO,
    });
    if (res.status !== 200 || !res.data || res.data.out_trade_no !== OUT_TRADE_NO) {
      throw new Error(`status ${res.status} body ${JSON.stringify(res.data)}`);
    }
  }
}

function percentile(sorted, p) {
  if (!sorted.length) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(Math.max(rank, 1), sorted.length) - 1];
}

async function main() {
  // Raw cost of one sign and one verify with the SDK's own primitives (Rsa.sign, Rsa.verify;
// Node's OpenSSL), on this workload's message: the floor under its CPU per request. The
// verify checks a signature by the merchant key against the merchant certificate: the same
// RSA-2048 operation as checking the platform's.
function rawCrypto(iterations = 2000) {
  const privateKey = Rsa.from(`file://${path.resolve(keysDir, 'apiclient_key.pem')}`, Rsa.KEY_TYPE_PRIVATE);
  const publicKey = crypto.createPublicKey(fs.readFileSync(path.join(keysDir, 'apiclient_cert.pem')));
  const [method, uri, body] = workload === 'seed'
    ? ['POST', '/v3/parking/reminders/ext-payment', JSON.stringify(seedBody())]
    : ['GET', `/v3/pay/transactions/out-trade-no/${OUT_TRADE_NO}?mchid=${mchid}`, ''];
  const timestamp = Formatter.timestamp();
  const nonce = Formatter.nonce();
  const answer = workload === 'seed' ? '' : JSON.stringify({ out_trade_no: OUT_TRADE_NO, trade_state: 'SUCCESS' });
  const signature = Rsa.sign(Formatter.response(timestamp, nonce, answer), privateKey);
  const time = (f) => {
    const before = process.cpuUsage();
    for (let i = 0; i < iterations; i += 1) f();
    const used = process.cpuUsage(before);
    return (used.user + used.system) / iterations;
  };
  const signUs = time(() => Rsa.sign(Formatter.request(method, uri, timestamp, nonce, body), privateKey));
  const verifyUs = time(() => {
    if (!Rsa.verify(Formatter.response(timestamp, nonce, answer), signature, publicKey)) throw new Error('verify');
  });
  return { signUs, verifyUs };
}

// Warm-up, as the Rust load generator does (JIT, first connection).
  const warmupErrors = [];
  for (let i = 0; i < 20; i += 1) {
    try { await one(); } catch (e) { warmupErrors.push(e); }
  }
  const { signUs, verifyUs } = rawCrypto();
  // C concurrent loops sending `count` requests between them.
  async function load(count, latencies, errors) {
    let next = 0;
    async function worker() {
      while (next < count) {
        next += 1;
        const start = process.hrtime.bigint();
        try {
          await one();
          latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
        } catch (e) {
          errors.push((e && (e.code || e.message)) || String(e));
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(C, count) }, worker));
  }
  const latencies = [];
  const errors = [];
  const warmupLoadErrors = [];
  if (WARMUP > 0) await load(WARMUP, [], warmupLoadErrors);
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await load(N, latencies, errors);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  latencies.sort((a, b) => a - b);
  const record = {
    impl: 'node-wechatpay-axios-plugin',
    version: require('wechatpay-axios-plugin/package.json').version,
    runtime: `node ${process.version}`,
    workload,
    n: N,
    c: C,
    ok: latencies.length,
    errors: errors.length,
    warmup_errors: warmupErrors.length,
    warmup_load: WARMUP,
    warmup_load_errors: warmupLoadErrors.length,
    first_error: errors[0] || (warmupErrors[0] && (warmupErrors[0].code || warmupErrors[0].message)) || null,
    wall_s: wall,
    rps: latencies.length / wall,
    cpu_ms_total: cpuMs,
    cpu_ms_per_req: cpuMs / N,
    p50_ms: percentile(latencies, 50),
    p99_ms: percentile(latencies, 99),
    peak_rss_mib: process.resourceUsage().maxRSS / 1024,
    sign_us: signUs,
    verify_us: verifyUs,
    cpu_per_req_over_sign_verify: (cpuMs * 1000) / N / (signUs + verifyUs),
  };
  console.log(JSON.stringify(record));
}

main().catch((e) => { console.error(e); process.exit(1); });
