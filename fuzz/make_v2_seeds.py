#!/usr/bin/env python3
"""Writes the seed corpora of the APIv2 fuzz targets, fuzz/corpus/v2_xml_parse/ and
fuzz/corpus/v2_answer_verify/: real-shaped answers and callbacks, signed here with Python's
hashlib and hmac under the key the v2_answer_verify target uses (independently of the
crate), a refund notification encrypted with the `cryptography` package, and the hostile
shapes the reader must refuse. Deterministic: re-running reproduces the files byte for byte.

    python3 fuzz/make_v2_seeds.py
"""

import base64
import hashlib
import hmac
from pathlib import Path

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

FUZZ = Path(__file__).resolve().parent
KEY = "192006250b4c09247ec02edce69f6a2d"  # the v2_answer_verify target's key


def write(target, name, data):
    path = FUZZ / "corpus" / target / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode())


def string_to_sign(fields):
    pairs = sorted(((k, v) for k, v in fields.items() if k != "sign" and v != ""), key=lambda kv: kv[0].encode())
    return "&".join(f"{k}={v}" for k, v in pairs)


def signed(fields, sign_type="MD5"):
    message = f"{string_to_sign(fields)}&key={KEY}".encode()
    if sign_type == "MD5":
        sign = hashlib.md5(message).hexdigest().upper()
    else:
        sign = hmac.new(KEY.encode(), message, hashlib.sha256).hexdigest().upper()
    return {**fields, "sign": sign}


def xml(fields, root="xml"):
    body = "".join(f"<{k}><![CDATA[{v.replace(']]>', ']]]]><![CDATA[>')}]]></{k}>" for k, v in fields.items())
    return f"<{root}>{body}</{root}>"


def refund_req_info(fields):
    padder = padding.PKCS7(128).padder()
    plaintext = padder.update(xml(fields, "root").encode()) + padder.finalize()
    key = hashlib.md5(KEY.encode()).hexdigest().encode()
    encryptor = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    return base64.b64encode(encryptor.update(plaintext) + encryptor.finalize()).decode()


ORDER = {
    "return_code": "SUCCESS", "return_msg": "OK", "appid": "wx2421b1c4370ec43b", "mch_id": "10000100",
    "nonce_str": "IITRi8Iabbblz1Jc", "result_code": "SUCCESS", "prepay_id": "wx201411101639507cbf6ffd8b0779950874",
    "trade_type": "JSAPI", "attach": "a<b>&c]]>d",
}
DECLINED = {
    "return_code": "SUCCESS", "result_code": "FAIL", "err_code": "ORDERPAID", "err_code_des": "该订单已支付",
    "nonce_str": "n",
}
REFUSED = {"return_code": "FAIL", "return_msg": "签名错误"}
REFUND = {
    "return_code": "SUCCESS", "appid": "wx2421b1c4370ec43b", "mch_id": "10000100", "nonce_str": "TeqClE3i0mvn3DrK",
    "req_info": refund_req_info({"out_refund_no": "R1", "refund_fee": "100", "refund_status": "SUCCESS"}),
}
HOSTILE = {
    "doctype": '<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><xml><a>&b;</a></xml>',
    "entities": "<xml><a>&lt;&gt;&amp;&quot;&apos;&#x4E2D;&#25991;&#13;</a></xml>",
    "declaration": '\ufeff<?xml version="1.0" encoding="UTF-8"?><!-- c --><xml><a/><b></b></xml>',
    "nested": "<xml><a><b>1</b></a></xml>",
    "duplicate": "<xml><a>1</a><a>2</a></xml>",
    "truncated": "<xml><a><![CDATA[x",
}


def main():
    answers = {
        "md5_order": (0, xml(signed(ORDER))),
        "hmac_order": (1, xml(signed({**ORDER, "sign_type": "HMAC-SHA256"}, "HMAC-SHA256"))),
        "md5_declined": (0, xml(signed(DECLINED))),
        "refused": (0, xml(REFUSED)),
        "unsigned_redpack": (2, xml({"return_code": "SUCCESS", "result_code": "SUCCESS", "mch_billno": "1"})),
        "refund_notification": (2, xml(REFUND)),
    }
    for name, (mode, body) in answers.items():
        write("v2_answer_verify", name, bytes([mode]) + body.encode())
        write("v2_xml_parse", name, body)
    for name, body in HOSTILE.items():
        write("v2_xml_parse", name, body)
    write("v2_answer_verify", "doctype", b"\x00" + HOSTILE["doctype"].encode())
    print("wrote fuzz/corpus/v2_xml_parse/ and fuzz/corpus/v2_answer_verify/")


if __name__ == "__main__":
    main()
