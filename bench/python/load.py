#!/usr/bin/env python3
"""Load driver for the Python SDK wechatpayv3 (bench/compare.sh installs 2.0.4 into a venv
under target/sdks/py).

    python bench/python/load.py BASE_URL KEYS_DIR seed|get N C

KEYS_DIR is the folder `wechatpay mock serve --keys-dir` wrote. The SDK is built in
public-key mode (`public_key`, `public_key_id`, supported by 2.0.4) and called through its
generic `core.request(path, method, data)`, which signs the request and verifies every 2xx
answer (raising 'failed to verify the signature' otherwise). wechatpayv3 is synchronous
(requests), so C threads share one WeChatPay instance. Prints one JSON line.

wechatpayv3 has no setting for the API host: its gateway is the attribute
`Core._gate_way = 'https://api.mch.weixin.qq.com'`, so this driver overrides that attribute
to reach the mock. Nothing else is patched.

BENCH_WARMUP=W (default 0): W more requests at concurrency C, unmeasured, before the
measured N, so that the figures describe a warmed-up process.
"""

import json
import os
import re
import resource
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import wechatpayv3
from wechatpayv3 import WeChatPay, WeChatPayType
from wechatpayv3.type import RequestType
from wechatpayv3.utils import load_certificate, rsa_sign, rsa_verify

OUT_TRADE_NO = "1217752501201407033233368018"


def seed_body():
    return {
        "out_trade_no": "TRADE202407041530001",
        "fee_items": [{"fee_type": "EXT_PARKING_PAYMENT_FEE_TYPE_MONTHLY", "amount": 5000}],
        "pay_time": 1719128975,
        "wx_parking_lot_id": "21232735744117624001123604298240",
        "wx_trade_no": "4200001999202407041234567890",
    }


def read(keys_dir, name):
    with open(os.path.join(keys_dir, name), encoding="utf-8") as f:
        return f.read()


def percentile(values, p):
    if not values:
        return 0.0
    rank = -(-p * len(values) // 100)
    return values[min(max(int(rank), 1), len(values)) - 1]


def raw_crypto(wxpay, keys_dir, workload, get_path, iterations=2000):
    """Raw cost (µs of this thread's CPU) of one sign and one verify with the SDK's own
    primitives (utils.rsa_sign / rsa_verify; the `cryptography` package), on this workload's
    message: the floor under its CPU per request. The verify checks a signature by the
    merchant key against the merchant certificate: the same RSA-2048 operation as checking
    the platform's."""
    private_key = wxpay._core._private_key
    public_key = load_certificate(read(keys_dir, "apiclient_cert.pem")).public_key()
    if workload == "seed":
        method, path, body = "POST", "/v3/parking/reminders/ext-payment", json.dumps(seed_body())
        answer = ""
    else:
        method, path, body = "GET", get_path, ""
        answer = json.dumps({"out_trade_no": OUT_TRADE_NO, "trade_state": "SUCCESS"})
    timestamp, nonce = str(int(time.time())), "593BEC0C930BF1AFEB40B4A08C8FB242"
    signature = rsa_sign(private_key, "%s\n%s\n%s\n" % (timestamp, nonce, answer))

    def timed(f):
        before = time.thread_time()
        for _ in range(iterations):
            f()
        return (time.thread_time() - before) * 1e6 / iterations

    sign_us = timed(lambda: rsa_sign(private_key, "%s\n%s\n%s\n%s\n%s\n" % (method, path, timestamp, nonce, body)))

    def verify():
        if not rsa_verify(timestamp, nonce, answer, signature, public_key):
            raise RuntimeError("verify")

    verify_us = timed(verify)
    return sign_us, verify_us


def main():
    if len(sys.argv) != 6 or sys.argv[3] not in ("seed", "get"):
        sys.exit("usage: load.py BASE_URL KEYS_DIR seed|get N C")
    base_url, keys_dir, workload = sys.argv[1], sys.argv[2], sys.argv[3]
    n = int(sys.argv[4])
    c = min(int(sys.argv[5]), n)

    env = {}
    for line in read(keys_dir, "env.sh").splitlines():
        m = re.match(r"^export (\w+)='(.*)'$", line)
        if m:
            env[m.group(1)] = m.group(2).replace("'\\''", "'")
    mchid = env["WECHATPAY_MCHID"]

    wxpay = WeChatPay(
        wechatpay_type=WeChatPayType.NATIVE,
        mchid=mchid,
        private_key=read(keys_dir, "apiclient_key.pem"),
        cert_serial_no=env["WECHATPAY_MERCHANT_SERIAL"],
        appid="wxd678efh567hg6787",
        apiv3_key=read(keys_dir, "apiv3_key.txt").strip(),
        public_key=read(keys_dir, "pub_key.pem"),
        public_key_id=read(keys_dir, "pub_key_id.txt").strip(),
        timeout=(10, 30),
    )
    # No constructor option for the host: point the SDK's gateway at the mock.
    wxpay._core._gate_way = base_url.rstrip("/")

    get_path = "/v3/pay/transactions/out-trade-no/%s?mchid=%s" % (OUT_TRADE_NO, mchid)

    def one():
        if workload == "seed":
            code, _ = wxpay._core.request(
                "/v3/parking/reminders/ext-payment", method=RequestType.POST, data=seed_body()
            )
            if code != 204:
                raise RuntimeError("status %s" % code)
        else:
            code, message = wxpay._core.request(get_path)
            if code != 200 or json.loads(message).get("out_trade_no") != OUT_TRADE_NO:
                raise RuntimeError("status %s body %s" % (code, message))

    sign_us, verify_us = raw_crypto(wxpay, keys_dir, workload, get_path)

    warmup_errors = []
    for _ in range(20):
        try:
            one()
        except Exception as e:  # noqa: BLE001 - counted and reported
            warmup_errors.append(str(e))

    lock = threading.Lock()

    def load(count, latencies, errors):
        """C threads sending `count` requests between them."""
        counter = iter(range(count))

        def worker():
            while True:
                with lock:
                    if next(counter, None) is None:
                        return
                start = time.perf_counter()
                try:
                    one()
                    elapsed = (time.perf_counter() - start) * 1000.0
                    with lock:
                        latencies.append(elapsed)
                except Exception as e:  # noqa: BLE001 - counted and reported
                    with lock:
                        errors.append(str(e))

        with ThreadPoolExecutor(max_workers=c) as pool:
            for future in [pool.submit(worker) for _ in range(min(c, count))]:
                future.result()

    latencies = []
    errors = []
    warmup_load_errors = []
    warmup = max(0, int(os.environ.get("BENCH_WARMUP", "0") or 0))
    if warmup:
        load(warmup, [], warmup_load_errors)
    usage0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    load(n, latencies, errors)
    wall = time.perf_counter() - t0
    usage1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu_ms = ((usage1.ru_utime - usage0.ru_utime) + (usage1.ru_stime - usage0.ru_stime)) * 1000.0
    latencies.sort()
    first_error = errors[0] if errors else (warmup_errors[0] if warmup_errors else None)
    print(
        json.dumps(
            {
                "impl": "python-wechatpayv3",
                "version": wechatpayv3.__version__,
                "runtime": "python %d.%d.%d" % sys.version_info[:3],
                "workload": workload,
                "n": n,
                "c": c,
                "ok": len(latencies),
                "errors": len(errors),
                "warmup_errors": len(warmup_errors),
                "warmup_load": warmup,
                "warmup_load_errors": len(warmup_load_errors),
                "first_error": first_error,
                "wall_s": wall,
                "rps": len(latencies) / wall,
                "cpu_ms_total": cpu_ms,
                "cpu_ms_per_req": cpu_ms / n,
                "p50_ms": percentile(latencies, 50),
                "p99_ms": percentile(latencies, 99),
                # ru_maxrss is in KiB on Linux.
                "peak_rss_mib": usage1.ru_maxrss / 1024.0,
                "sign_us": sign_us,
                "verify_us": verify_us,
                "cpu_per_req_over_sign_verify": cpu_ms * 1000.0 / n / (sign_us + verify_us),
            }
        )
    )


if __name__ == "__main__":
    main()
