#!/usr/bin/env node
// Interoperability driver for the Node SDK wechatpay-axios-plugin (scripts/interop/run.sh
// installs 0.9.6 under target/sdks/node and sets NODE_PATH to it).
//
//   node scripts/interop/node/interop.js PART BASE_URL KEYS_DIR
//
// PART is what to check against the sandbox at BASE_URL, whose files are in KEYS_DIR:
//   v3      the catalogued APIv3 operations of scripts/interop/cases.json, a media upload and
//           a body missing a required field (a plain `wechatpay mock serve`)
//   bad     every answer is refused (a sandbox started with --fault bad-signature)
//   v2      APIv2 orderquery signed with MD5 and with HMAC-SHA256 (a plain sandbox)
//   v2-bad  the APIv2 answer is refused (a sandbox started with --fault v2-bad-sign)
//   v2-tls  APIv2 refund with the merchant certificate as the TLS client certificate, and
//           without it (a sandbox started with --tls)
//   cert    platform-certificate mode: certs {SERIAL: the exported platform certificate};
//           /v3/certificates downloaded, verified and decrypted with the APIv3 key, and an
//           operation verified with the certificate (a sandbox started with --mode certificate)
//
// The SDK is configured as its README says: mchid, serial, privateKey, certs
// {PUB_KEY_ID: public key} (public-key mode), secret (the APIv2 key), merchant {cert, key}
// (the client certificate, plus the sandbox CA as `ca`). Nothing of the SDK is patched.
// Prints one line per check: `ok|FAIL|skip node CHECK DETAIL`.
'use strict';

const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { Wechatpay, Multipart, Hash, Aes } = require('wechatpay-axios-plugin');

const SDK = 'node';
const [part, baseURL, keysDir] = process.argv.slice(2);
if (!['v3', 'bad', 'v2', 'v2-bad', 'v2-tls', 'cert'].includes(part) || !baseURL || !keysDir) {
  console.error('usage: interop.js v3|bad|v2|v2-bad|v2-tls|cert BASE_URL KEYS_DIR');
  process.exit(2);
}

const read = (name) => fs.readFileSync(path.join(keysDir, name), 'utf8');
const env = {};
for (const line of read('env.sh').split('\n')) {
  const m = /^export (\w+)='(.*)'$/.exec(line);
  if (m) env[m[1]] = m[2].replace(/'\\''/g, "'");
}
const mchid = env.WECHATPAY_MCHID;
const tls = part === 'v2-tls';

// The exported platform certificates (certificates/wechatpay_<serial>.pem), by serial.
function platformCertificates() {
  const folder = path.join(keysDir, 'certificates');
  return Object.fromEntries(fs.readdirSync(folder)
    .map((name) => /^wechatpay_([0-9A-Fa-f]+)\.pem$/.exec(name))
    .filter(Boolean)
    .map(([name, serial]) => [serial, fs.readFileSync(path.join(folder, name), 'utf8')]));
}

function client({ withClientCertificate = true } = {}) {
  const merchant = withClientCertificate
    ? { cert: read('apiclient_cert.pem'), key: read('apiclient_key.pem') }
    : {};
  if (tls) merchant.ca = read('sandbox_ca.pem');
  return new Wechatpay({
    baseURL,
    mchid,
    serial: env.WECHATPAY_MERCHANT_SERIAL,
    privateKey: read('apiclient_key.pem'),
    certs: part === 'cert' ? platformCertificates() : { [read('pub_key_id.txt').trim()]: read('pub_key.pem') },
    secret: read('apiv2_key.txt').trim(),
    merchant,
  });
}
const wxpay = client();

let failures = 0;
function report(ok, check, detail) {
  if (!ok) failures += 1;
  console.log(`${ok ? 'ok' : 'FAIL'} ${SDK} ${check} ${detail}`);
}
// An error as the SDK gives it: its code, the HTTP status and the platform's code/message.
function describe(e) {
  const r = e && e.response;
  const body = r && r.data !== undefined ? JSON.stringify(r.data) : '';
  return `${(e && e.code) || ''} ${r ? `HTTP ${r.status}` : ''} ${(e && e.message) || e} ${body}`.trim().slice(0, 300);
}

const cases = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'cases.json'), 'utf8'));

// One catalogued operation through the SDK's chain: `wxpay.chain(template)` with the path
// variables and `params` in the config (the SDK fills `{name}` from the config).
function send(c, body) {
  const config = { ...c.params };
  if (c.query.length) config.params = Object.fromEntries(c.query);
  const endpoint = wxpay.chain(c.template);
  const method = c.method.toLowerCase();
  return ['get', 'delete'].includes(method) ? endpoint[method](config) : endpoint[method](body, config);
}

// The answer's status, its documented required fields and the values it must echo.
function answerProblems(c, res) {
  const problems = [];
  if (res.status !== c.status) problems.push(`status ${res.status}, documented ${c.status}`);
  const data = res.data && typeof res.data === 'object' ? res.data : {};
  const missing = c.fields.filter((f) => !(f in data));
  if (missing.length) problems.push(`missing ${missing.join(',')}`);
  for (const [field, value] of Object.entries(c.echo)) {
    if (String(data[field]) !== value) problems.push(`${field}=${JSON.stringify(data[field])}, sent ${value}`);
  }
  // The merchant is only in the Authorization header unless the request names one.
  const named = new Set([...Object.keys(c.params), ...c.query.map(([k]) => k), ...Object.keys(c.body || {})]);
  if ('mchid' in data && !named.has('mchid') && data.mchid !== mchid) problems.push(`mchid ${data.mchid}, the caller is ${mchid}`);
  if (c.status === 204 && res.data) problems.push(`a 204 with a body: ${JSON.stringify(res.data)}`);
  return problems;
}

async function v3() {
  for (const c of cases) {
    const check = `v3:${c.id}`;
    const what = `${c.method} /${c.template}`;
    try {
      const res = await send(c, c.body);
      const problems = answerProblems(c, res);
      report(!problems.length, check,
        problems.length ? `${what}: ${problems.join('; ')}`
          : `${what} -> ${res.status}, answer signature verified by the SDK, ${c.fields.length} documented field(s)${Object.keys(c.echo).length ? ` + echo of ${Object.keys(c.echo).join(',')}` : ''}`);
    } catch (e) {
      report(false, check, `${what}: ${describe(e)}`);
    }
  }

  // A media upload through the SDK's Multipart: the signature covers the meta JSON.
  const file = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64',
  );
  const meta = { filename: 'interop.png', sha256: Hash.sha256(file) };
  const form = new Multipart();
  form.append('meta', JSON.stringify(meta), 'meta.json');
  form.append('file', file, 'interop.png');
  try {
    const res = await wxpay.v3.merchant.media.upload.post(form, { meta, headers: form.getHeaders() });
    const ok = res.status === 200 && typeof res.data.media_id === 'string' && res.data.media_id.length > 0;
    report(ok, 'v3:media-upload', `POST /v3/merchant/media/upload (multipart meta + file) -> ${res.status} ${JSON.stringify(res.data)}`);
  } catch (e) {
    report(false, 'v3:media-upload', describe(e));
  }

  // A body missing a required field: 400 PARAM_ERROR naming it, seen through the SDK's error.
  const refund = cases.find((c) => c.id === 'refund-create');
  const body = { ...refund.body };
  delete body.out_refund_no;
  try {
    const res = await send(refund, body);
    report(false, 'v3:missing-field', `POST /${refund.template} without out_refund_no answered ${res.status}`);
  } catch (e) {
    const r = e.response || {};
    const data = r.data || {};
    const ok = r.status === 400 && data.code === 'PARAM_ERROR' && String(data.message).includes('out_refund_no');
    report(ok, 'v3:missing-field', `POST /${refund.template} without out_refund_no -> SDK error ${describe(e)}`);
  }
}

// Against --fault bad-signature: each answer must be refused by the SDK's verifier.
async function bad() {
  for (const c of cases) {
    const check = `bad-signature:${c.id}`;
    try {
      const res = await send(c, c.body);
      report(false, check, `${c.method} /${c.template}: a tampered answer was accepted (${res.status})`);
    } catch (e) {
      const ok = e.code === 'EV3_RES_HEADER_SIGNATURE_DIGEST';
      report(ok, check, `${c.method} /${c.template} -> refused: ${describe(e).slice(0, 120)}`);
    }
  }
}

const ORDER = { appid: 'wxd678efh567hg6787', out_trade_no: '1217752501201407033233368018' };

// APIv2: the SDK signs (MD5 unless sign_type says HMAC-SHA256), sends XML, and checks the
// answer's return_code, result_code and sign (by its length: 32 MD5, 64 HMAC-SHA256).
async function v2() {
  for (const signType of ['MD5', 'HMAC-SHA256']) {
    const check = `v2:orderquery-${signType.toLowerCase()}`;
    const data = { ...ORDER, mch_id: mchid };
    if (signType !== 'MD5') data.sign_type = signType;
    try {
      const res = await wxpay.v2.pay.orderquery(data);
      const a = res.data;
      const signLength = signType === 'MD5' ? 32 : 64;
      const problems = [];
      if (a.return_code !== 'SUCCESS' || a.result_code !== 'SUCCESS') problems.push(`return ${a.return_code}/${a.result_code}`);
      if (a.out_trade_no !== ORDER.out_trade_no) problems.push(`out_trade_no ${a.out_trade_no}`);
      if (!a.trade_state) problems.push('no trade_state');
      if (!a.sign || a.sign.length !== signLength) problems.push(`sign ${a.sign} is not ${signType}`);
      report(!problems.length, check, problems.length ? problems.join('; ')
        : `POST /pay/orderquery (XML, ${signType}) -> return_code SUCCESS, trade_state ${a.trade_state}, answer sign (${signType}) verified by the SDK`);
    } catch (e) {
      report(false, check, describe(e));
    }
  }
}

async function v2Bad() {
  try {
    const res = await wxpay.v2.pay.orderquery({ ...ORDER, mch_id: mchid });
    report(false, 'v2:bad-sign', `an answer signed with another key was accepted: ${JSON.stringify(res.data)}`);
  } catch (e) {
    report(e.code === 'EV2_RES_SIGNATURE_NOT_EQUAL', 'v2:bad-sign', `POST /pay/orderquery -> refused: ${describe(e).slice(0, 120)}`);
  }
}

async function v2Tls() {
  const refund = {
    appid: ORDER.appid,
    mch_id: mchid,
    transaction_id: '4200001999202407041234567890',
    out_trade_no: ORDER.out_trade_no,
    out_refund_no: 'R20240704153000001',
    total_fee: '100',
    refund_fee: '100',
    sign_type: 'HMAC-SHA256',
  };
  try {
    // `security: true` makes the SDK send the `merchant` certificate (an https.Agent).
    const res = await wxpay.v2.secapi.pay.refund(refund, { security: true });
    const a = res.data;
    const ok = a.return_code === 'SUCCESS' && a.result_code === 'SUCCESS' && a.out_refund_no === refund.out_refund_no && !!a.refund_id;
    report(ok, 'v2:refund-mtls', `POST /secapi/pay/refund over HTTPS (sandbox CA trusted, merchant certificate as client certificate) -> ${a.return_code}/${a.result_code}, refund_id ${a.refund_id}, answer sign verified by the SDK`);
  } catch (e) {
    report(false, 'v2:refund-mtls', describe(e));
  }
  try {
    // The same TLS setup (the sandbox CA trusted), without a certificate to present.
    const res = await client({ withClientCertificate: false }).v2.secapi.pay.refund(refund, { security: true });
    report(false, 'v2:refund-no-certificate', `answered without a client certificate: ${JSON.stringify(res.data)}`);
  } catch (e) {
    const data = (e.response && e.response.data) || {};
    report(data.err_code === 'CA_ERROR', 'v2:refund-no-certificate', `POST /secapi/pay/refund without a client certificate -> SDK error ${e.code}, err_code ${data.err_code}`);
  }
}

// Platform-certificate mode: the certificates download as the SDK's docs do it (GET
// v3/certificates, each encrypt_certificate decrypted with AesGcm and the APIv3 key), then
// an operation whose answer the SDK verifies with the certificate.
async function cert() {
  const exported = platformCertificates();
  try {
    const res = await wxpay.v3.certificates.get();
    const problems = [];
    const serials = [];
    for (const item of res.data.data || []) {
      const e = item.encrypt_certificate || {};
      const pem = Aes.AesGcm.decrypt(e.ciphertext, read('apiv3_key.txt').trim(), e.nonce, e.associated_data);
      const actual = new crypto.X509Certificate(pem).serialNumber;
      serials.push(item.serial_no);
      if (actual.toUpperCase() !== String(item.serial_no).toUpperCase()) problems.push(`serial_no ${item.serial_no} names a certificate of serial ${actual}`);
      if (!exported[item.serial_no]) problems.push(`serial_no ${item.serial_no} is not among the exported certificates`);
      else if (exported[item.serial_no].trim() !== pem.trim()) problems.push(`${item.serial_no} decrypts to another certificate than the exported one`);
    }
    if (!serials.length) problems.push(`no certificate in ${JSON.stringify(res.data)}`);
    report(!problems.length, 'cert:certificates-download', problems.length ? problems.join('; ')
      : `GET /v3/certificates -> ${res.status}, verified with the platform certificate, ${serials.join(',')} decrypted with the APIv3 key = the exported certificate`);
  } catch (e) {
    report(false, 'cert:certificates-download', describe(e));
  }
  const c = cases.find((x) => x.id === 'refund-query');
  try {
    const res = await send(c, c.body);
    const problems = answerProblems(c, res);
    const serial = res.headers['wechatpay-serial'];
    if (!exported[serial]) problems.push(`Wechatpay-Serial ${serial} is not the platform certificate's`);
    report(!problems.length, 'cert:refund-query', problems.length ? problems.join('; ')
      : `${c.method} /${c.template} -> ${res.status}, answer verified with the platform certificate ${serial}`);
  } catch (e) {
    report(false, 'cert:refund-query', describe(e));
  }
}

({ v3, bad, v2, 'v2-bad': v2Bad, 'v2-tls': v2Tls, cert })[part]()
  .then(() => process.exit(failures ? 1 : 0))
  .catch((e) => { report(false, part, `driver error: ${e && e.stack}`); process.exit(1); });
