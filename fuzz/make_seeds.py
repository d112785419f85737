#!/usr/bin/env python3
"""Writes the seed corpora in fuzz/corpus/<target>/: small, meaningful inputs for each target.

Made from the project's own material: catalogue paths from ../shared/data/v3-endpoints.tsv,
the mock's keys in src/mock/keys/, the request-signature known answer in tests/fixtures/kat/
and the AES-GCM vectors in tests/fixtures/aes_gcm/. Signatures are computed here with the
Python `cryptography` package, independently of the crate. RSASSA-PKCS1-v1_5 and AES-GCM are
deterministic, so re-running reproduces the files byte for byte:

    python3 fuzz/make_seeds.py

The corpora are committed; fuzzing needs neither Python nor this script.
"""

import base64
import json
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FUZZ = Path(__file__).resolve().parent
ROOT = FUZZ.parent
KEYS = ROOT / "src" / "mock" / "keys"
CATALOGUE = ROOT.parent / "shared" / "data" / "v3-endpoints.tsv"

SCHEME = "WECHATPAY2-SHA256-RSA2048"
MCHID = "1900000001"
MERCHANT_SERIAL = "3775B6A45ACD588826D15E583A95F5DD00000000"
PUBLIC_KEY_ID = "PUB_KEY_ID_0114232134912410000000000000"
NOW = 1719128975  # the `now` the response_verify target uses by default


def write(target, name, data):
    path = FUZZ / "corpus" / target / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode())


def sign(key_file, message):
    key = serialization.load_pem_private_key((KEYS / key_file).read_bytes(), password=None)
    return base64.b64encode(key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()


def path_expand():
    templates = [line.split("\t")[1] for line in CATALOGUE.read_text().splitlines() if line.strip()]

    def pick(predicate):
        return next(t for t in templates if predicate(t))

    seeds = {
        # As the catalogue writes them, with their variables' values.
        "out_trade_no": pick(lambda t: t == "/v3/pay/transactions/out-trade-no/{out_trade_no}")
        + "\nout_trade_no=1217752501201407033233368018",
        "two_variables": pick(lambda t: t == "/v3/lovefeast/users/{openid}/orders/out-trade-no/{out_trade_no}")
        + "\nopenid=oUpF8uMuAJO_M2pxb1Q9zNjWeS6o\nout_trade_no=TRADE202407041530001",
        "trailing_slash": pick(lambda t: t.endswith("/")),
        "no_variable": pick(lambda t: "{" not in t and "-" in t),
        # As a caller chains them: camelCase and `_name_` segments.
        "camel_case": "v3/merchantService/complaintsV2/_complaint_id_/negotiationHistorys\ncomplaint_id=200201820200101080076610000",
        "ext_payment": "v3/parking/reminders/extPayment",
        # Values that try to change the path: all must come out percent-encoded or refused.
        "hostile_value": "v3/refund/domestic/refunds/{out_refund_no}\nout_refund_no=a/b?c#d%2Fe f+&=..",
        "dot_value": "v3/refund/domestic/refunds/{out_refund_no}\nout_refund_no=..",
        "unused_param": "v3/certificates\nid=1",
        "inner_variable": "v3/x/pre{id}.json\nid=\u6d4b\u8bd5/1",
    }
    for name, text in seeds.items():
        write("path_expand", name, text)


def authorization_header():
    nonce, timestamp = "593BEC0C930BF1AFEB40B4A08C8FB242", "1554208460"
    signature = (ROOT / "tests" / "fixtures" / "kat" / "get_signature.b64").read_text().strip()
    fields = [
        ("mchid", MCHID),
        ("nonce_str", nonce),
        ("signature", signature),
        ("timestamp", timestamp),
        ("serial_no", MERCHANT_SERIAL),
    ]

    def header(pairs, sep=","):
        return SCHEME + " " + sep.join(f'{k}="{v}"' for k, v in pairs)

    write("authorization_header", "known_answer", header(fields))
    write("authorization_header", "reordered_with_spaces", header(reversed(fields), sep=", "))
    write("authorization_header", "field_missing", header(fields[:4]))
    write("authorization_header", "field_twice", header(fields + fields[:1]))
    write("authorization_header", "unquoted", header(fields).replace('"1554208460"', "1554208460"))
    write("authorization_header", "other_scheme", header(fields).replace(SCHEME, "WECHATPAY2-SM2-WITH-SM3"))


def response_verify():
    def answer(name, body, timestamp=NOW, nonce="5K8264ILTKCH16CQ2502SI8ZNMTM67VS", serial=PUBLIC_KEY_ID,
               signature_type=SCHEME, now=NOW, signature=None):
        ts = str(timestamp)
        if signature is None:
            signature = sign("platform_pub_key_private.pem", f"{ts}\n{nonce}\n".encode() + body + b"\n")
        lines = [ts, nonce, signature, serial, signature_type, str(now)]
        write("response_verify", name, "\n".join(lines).encode() + b"\n" + body)

    answer("json_body", b'{"code_url":"weixin://wxpay/bizpayurl?pr=p4lpSuKzz"}')
    answer("empty_body_204", b"")
    answer("no_signature_type", "{\"attach\":\"测试\"}".encode(), signature_type="")
    answer("skewed_clock", b"{}", now=NOW + 301)
    answer("unknown_serial", b"{}", serial="5157F09EFDC096DE15EBE81A47057A7232F1B8E1")
    answer("signtest_probe", b"{}", signature="WECHATPAY/SIGNTEST/" + "A" * 64)
    answer("repeated_nonce", b"{}", nonce="n1\0n2", signature="c2ln")


def key_loading():
    for name in ["platform_public_key.pem", "platform_cert.pem", "merchant_key.pem"]:
        write("key_loading", name, (KEYS / name).read_bytes())
    write("key_loading", "merchant_key_pkcs1.pem", (ROOT / "tests" / "fixtures" / "kat" / "merchant_key_pkcs1.pem").read_bytes())
    public = serialization.load_pem_public_key((KEYS / "platform_public_key.pem").read_bytes())
    pkcs1 = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1)
    write("key_loading", "platform_public_key_pkcs1.pem", pkcs1)
    write("key_loading", "id_then_public_key", PUBLIC_KEY_ID.encode() + b"\n" + (KEYS / "platform_public_key.pem").read_bytes())


def aes_gcm_decrypt():
    def seed(nonce, ad, ciphertext_b64):
        return bytes([len(nonce)]) + nonce + bytes([len(ad)]) + ad + ciphertext_b64.encode()

    vectors = json.loads((ROOT / "tests" / "fixtures" / "aes_gcm" / "vectors.json").read_text())["vectors"]
    for v in vectors:
        write("aes_gcm_decrypt", v["name"], seed(v["nonce"].encode(), v["associated_data"].encode(), v["ciphertext_b64"]))
    key = vectors[0]["key"].encode()
    small = base64.b64encode(AESGCM(key).encrypt(b"a1B2c3D4e5F6", b'{"ok":true}', b"transaction")).decode()
    write("aes_gcm_decrypt", "small", seed(b"a1B2c3D4e5F6", b"transaction", small))
    empty = base64.b64encode(AESGCM(key).encrypt(b"Zy9Xw8Vu7Ts6", b"", b"")).decode()
    write("aes_gcm_decrypt", "empty_plaintext", seed(b"Zy9Xw8Vu7Ts6", b"", empty))
    write("aes_gcm_decrypt", "short_nonce", seed(b"a1B2c3", b"", small))


if __name__ == "__main__":
    path_expand()
    authorization_header()
    response_verify()
    key_loading()
    aes_gcm_decrypt()
