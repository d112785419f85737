#!/usr/bin/env python3
"""Interoperability driver for the Python SDK wechatpayv3 (scripts/interop/run.sh installs
2.0.4 into a venv under target/sdks/py).

    python scripts/interop/python/interop.py PART BASE_URL KEYS_DIR

PART is what to check against the sandbox at BASE_URL, whose files are in KEYS_DIR:
  v3   the catalogued APIv3 operations of scripts/interop/cases.json, a media upload
       (the SDK's image_upload) and a body missing a required field (a plain sandbox)
  bad  every answer is refused (a sandbox started with --fault bad-signature)
  cert platform-certificate mode (a sandbox started with --mode certificate): the SDK built
       without a public key, on the exported certificates folder (`cert_dir`), downloads
       /v3/certificates itself (its `_update_certificates`: decrypted with the APIv3 key),
       then verifies an operation's answer with the certificate

wechatpayv3 speaks APIv3 only: it has no APIv2 (XML) client, so it has no v2 part.

The SDK is built in public-key mode (`public_key`, `public_key_id`) and called through its
generic `core.request(path, method, data)`, which signs the request and verifies every 2xx
answer (raising 'failed to verify the signature' otherwise); a non-2xx answer comes back as
(status, text). It has no setting for the API host (`Core._gate_way` is
'https://api.mch.weixin.qq.com'), so this driver sets that attribute to reach the sandbox;
nothing else is patched. The constructor runs before that can be set and, in certificate
mode, downloads the certificates unless `cert_dir` holds a valid one; so that no request can
ever leave for the real host, every driver sets `proxy` to a closed port on 127.0.0.1 for
https (the sandbox is plain http). Prints one line per check: `ok|FAIL|skip python CHECK
DETAIL`.
"""

import json
import os
import re
import shutil
import sys
import tempfile
from base64 import b64decode
from urllib.parse import quote, urlencode

from cryptography.hazmat.primitives.serialization import Encoding
from wechatpayv3 import WeChatPay, WeChatPayType
from wechatpayv3.type import RequestType

SDK = "python"
FAILURES = 0


def report(ok, check, detail):
    global FAILURES
    if not ok:
        FAILURES += 1
    print("%s %s %s %s" % ("ok" if ok else "FAIL", SDK, check, detail), flush=True)


def read(keys_dir, name):
    with open(os.path.join(keys_dir, name), encoding="utf-8") as f:
        return f.read()


def load_cases():
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cases.json"), encoding="utf-8") as f:
        return json.load(f)


def target(case):
    """The request target: the template with its path variables, then the query."""
    path = "/" + re.sub(r"\{(\w+)\}", lambda m: quote(case["params"][m.group(1)], safe=""), case["template"])
    if case["query"]:
        path += "?" + urlencode([tuple(pair) for pair in case["query"]])
    return path


def send(wxpay, case, body):
    return wxpay._core.request(target(case), method=RequestType[case["method"]], data=body)


def answer_problems(case, code, text, mchid):
    problems = []
    if code != case["status"]:
        problems.append("status %s, documented %s" % (code, case["status"]))
    try:
        data = json.loads(text) if text else {}
    except (TypeError, ValueError):
        return problems + ["the answer is not JSON: %r" % (text[:100],)]
    missing = [f for f in case["fields"] if f not in data]
    if missing:
        problems.append("missing " + ",".join(missing))
    for field, value in case["echo"].items():
        if str(data.get(field)) != value:
            problems.append("%s=%r, sent %s" % (field, data.get(field), value))
    # The merchant is only in the Authorization header unless the request names one.
    named = set(case["params"]) | {k for k, _ in case["query"]} | set(case["body"] or {})
    if "mchid" in data and "mchid" not in named and data["mchid"] != mchid:
        problems.append("mchid %s, the caller is %s" % (data["mchid"], mchid))
    if case["status"] == 204 and text:
        problems.append("a 204 with a body: %r" % (text,))
    return problems


def v3(wxpay, cases):
    for case in cases:
        check = "v3:" + case["id"]
        what = "%s /%s" % (case["method"], case["template"])
        try:
            code, text = send(wxpay, case, case["body"])
        except Exception as e:  # noqa: BLE001 - reported
            report(False, check, "%s: %s" % (what, e))
            continue
        problems = answer_problems(case, code, text, wxpay._core._mchid)
        echo = " + echo of " + ",".join(case["echo"]) if case["echo"] else ""
        report(not problems, check, "%s: %s" % (what, "; ".join(problems)) if problems else
               "%s -> %s, answer signature verified by the SDK, %d documented field(s)%s"
               % (what, code, len(case["fields"]), echo))

    # A media upload through the SDK's own helper: meta JSON + the file, multipart.
    png = b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "interop.png")
        with open(path, "wb") as f:
            f.write(png)
        try:
            code, text = wxpay.image_upload(path)
            media_id = json.loads(text).get("media_id") if code == 200 else None
            report(bool(media_id), "v3:media-upload",
                   "image_upload -> POST /v3/merchant/media/upload (multipart meta + file) -> %s %s" % (code, text))
        except Exception as e:  # noqa: BLE001 - reported
            report(False, "v3:media-upload", "image_upload: %s" % (e,))

    # A body missing a required field: 400 PARAM_ERROR naming it.
    refund = next(c for c in cases if c["id"] == "refund-create")
    body = {k: v for k, v in refund["body"].items() if k != "out_refund_no"}
    try:
        code, text = send(wxpay, refund, body)
        data = json.loads(text) if isinstance(text, str) and text.startswith("{") else {}
        ok = code == 400 and data.get("code") == "PARAM_ERROR" and "out_refund_no" in data.get("message", "")
        report(ok, "v3:missing-field", "POST /%s without out_refund_no -> the SDK returns (%s, %s)" % (refund["template"], code, text))
    except Exception as e:  # noqa: BLE001 - reported
        report(False, "v3:missing-field", str(e))


def bad(wxpay, cases):
    for case in cases:
        check = "bad-signature:" + case["id"]
        what = "%s /%s" % (case["method"], case["template"])
        try:
            code, _ = send(wxpay, case, case["body"])
            report(False, check, "%s: a tampered answer was accepted (%s)" % (what, code))
        except Exception as e:  # noqa: BLE001 - the expected refusal
            report("failed to verify the signature" in str(e), check, "%s -> refused: %s" % (what, e))


def cert(wxpay, cases, keys_dir):
    exported = {}
    folder = os.path.join(keys_dir, "certificates")
    for name in os.listdir(folder):
        m = re.match(r"^wechatpay_([0-9A-Fa-f]+)\.pem$", name)
        if m:
            exported[m.group(1).upper()] = read(folder, name)
    core = wxpay._core
    # What the constructor loaded from cert_dir, then what the SDK downloads itself.
    core._update_certificates()
    downloaded = {"%X" % c.serial_number: c for c in core._certificates}
    problems = []
    if not downloaded:
        problems.append("the SDK kept no certificate from /v3/certificates")
    for serial, certificate in downloaded.items():
        pem = certificate.public_bytes(Encoding.PEM).decode()
        if serial not in exported:
            problems.append("downloaded %s is not among the exported certificates %s" % (serial, list(exported)))
        elif exported[serial].strip() != pem.strip():
            problems.append("%s decrypts to another certificate than the exported one" % serial)
    report(not problems, "cert:certificates-download", "; ".join(problems) if problems else
           "_update_certificates: GET /v3/certificates, decrypted with the APIv3 key: %s = the exported certificate"
           % ",".join(downloaded))
    case = next(c for c in cases if c["id"] == "refund-query")
    what = "%s /%s" % (case["method"], case["template"])
    try:
        code, text = send(wxpay, case, case["body"])
        problems = answer_problems(case, code, text, wxpay._core._mchid)
        report(not problems, "cert:refund-query", "%s: %s" % (what, "; ".join(problems)) if problems else
               "%s -> %s, answer verified with the platform certificate" % (what, code))
    except Exception as e:  # noqa: BLE001 - reported
        report(False, "cert:refund-query", "%s: %s" % (what, e))


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("v3", "bad", "cert"):
        sys.exit("usage: interop.py v3|bad|cert BASE_URL KEYS_DIR")
    part, base_url, keys_dir = sys.argv[1:]
    env = {}
    for line in read(keys_dir, "env.sh").splitlines():
        m = re.match(r"^export (\w+)='(.*)'$", line)
        if m:
            env[m.group(1)] = m.group(2).replace("'\\''", "'")
    if part == "cert":
        # The SDK writes what it downloads into cert_dir: give it a copy of the folder.
        scratch = tempfile.mkdtemp(prefix="interop-certs-")
        cert_dir = shutil.copytree(os.path.join(keys_dir, "certificates"), os.path.join(scratch, "certificates"))
        keys = {"cert_dir": cert_dir}
    else:
        keys = {"public_key": read(keys_dir, "pub_key.pem"), "public_key_id": read(keys_dir, "pub_key_id.txt").strip()}
    wxpay = WeChatPay(
        wechatpay_type=WeChatPayType.NATIVE,
        mchid=env["WECHATPAY_MCHID"],
        private_key=read(keys_dir, "apiclient_key.pem"),
        cert_serial_no=env["WECHATPAY_MERCHANT_SERIAL"],
        appid="wxd678efh567hg6787",
        apiv3_key=read(keys_dir, "apiv3_key.txt").strip(),
        timeout=(10, 30),
        proxy={"https": "http://127.0.0.1:9"},
        **keys,
    )
    wxpay._core._gate_way = base_url.rstrip("/")
    cases = load_cases()
    if part == "cert":
        try:
            cert(wxpay, cases, keys_dir)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    else:
        {"v3": v3, "bad": bad}[part](wxpay, cases)
    sys.exit(1 if FAILURES else 0)


if __name__ == "__main__":
    main()
