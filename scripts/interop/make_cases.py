#!/usr/bin/env python3
"""Writes scripts/interop/cases.json: the catalogued APIv3 operations that run.sh sends
through the other SDKs, each with what `wechatpay api example` gives for it (path
variables, query, body) and what `wechatpay api show` documents for its answer (status,
required top-level fields). Run it again when the catalogue changes:

    python3 scripts/interop/make_cases.py target/release/wechatpay > scripts/interop/cases.json

`echo` maps the answer's fields named like a path variable or a top-level text field of
the body to that value: the answer must carry what the request said (a query of refund R
answers refund R; a refund created as R answers R).
"""

import json
import re
import subprocess
import sys

# (id, METHOD, template): GET with a path variable and query, GET with a query holding
# `+` and `:`, POST with a nested body and Chinese text, PATCH, PUT, DELETE with and without
# an answer body, path variables in the middle and at the end.
OPERATIONS = [
    ("refund-query", "GET", "v3/refund/domestic/refunds/{out_refund_no}"),
    ("refund-create", "POST", "v3/refund/domestic/refunds"),
    ("favor-stocks-list", "GET", "v3/marketing/favor/stocks"),
    ("transfer-batch-query", "GET", "v3/transfer/batches/out-batch-no/{out_batch_no}"),
    ("busifavor-budget-patch", "PATCH", "v3/marketing/busifavor/stocks/{stock_id}/budget"),
    ("complaint-notify-put", "PUT", "v3/merchant-service/complaint-notifications"),
    ("complaint-notify-delete", "DELETE", "v3/merchant-service/complaint-notifications"),
    ("busifavor-code-delete", "DELETE", "v3/marketing/busifavor/stocks/{stock_id}/couponcodes/{coupon_code}"),
]


def main():
    binary = sys.argv[1]
    cases = []
    for case_id, method, template in OPERATIONS:
        example = subprocess.run([binary, "api", "example", method, template, "--params"],
                                 capture_output=True, text=True, check=True)
        body = json.loads(example.stdout) if example.stdout.strip() else None
        params, query = {}, []
        for kind, name, value in re.findall(r"--(param|query) ([^=\s]+)=(\S*)", example.stderr):
            if kind == "param":
                params[name] = value
            else:
                query.append([name, value])
        show = json.loads(subprocess.run([binary, "api", "show", method, template, "--json"],
                                         capture_output=True, text=True, check=True).stdout)
        answer = (show.get("response_body") or {}).get("properties", [])
        sent = {k: v for k, v in (body or {}).items() if isinstance(v, str)}
        sent.update(params)
        cases.append({
            "id": case_id,
            "method": method,
            "template": template,
            "params": params,
            "query": query,
            "body": body,
            "status": show["status"],
            "fields": [p["name"] for p in answer if p["required"]],
            "echo": {p["name"]: sent[p["name"]] for p in answer if p["name"] in sent},
        })
    json.dump(cases, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
