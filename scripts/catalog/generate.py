#!/usr/bin/env python3
"""Builds the operation catalogue embedded by the `catalog` feature (src/catalog/).

    python3 scripts/catalog/generate.py ../shared/data/wechatpay-openapi src/catalog/catalog.json.gz

The input is a folder holding a Swagger 2.0 description of the WeChat Pay merchant APIs
(`docs/swagger.yaml` and the files it refers to), its `LICENSE` and a `SOURCE.md` naming the
version and commit it was copied from. The output is one JSON document, gzip-compressed when
its name ends in `.gz`, byte for byte the same on every run for the same input:

    {
      "format": 1,
      "source": {"version", "commit", "date"},    from SOURCE.md
      "license": "...",                           the input's LICENSE, verbatim
      "schemas": [node, ...],                     interned: children are indexes into this list
      "operations": [operation, ...]              sorted by chain path, then method
    }

A schema node keeps the keywords listed in SCHEMA_KEYWORDS; `properties` becomes a list of
`[name, index]` pairs in source order and `items` an index. `$ref`s are resolved (relative
file paths; fragments written `#/a/b` or `#Name`), their sibling keywords laid over the
target, and `allOf` members merged into one node. Equal nodes are stored once.

An operation is:

    {"method": "POST", "path": "/v3/...", "protocol": "v3" | "v2", "summary": "...",
     "tags": [...], "roles": [...], "cert": true?, "base_uri": "..."?, "deprecated": true?,
     "wire": "/pay/micropay"?   (v2 only: the path on the wire; `path` is `/v2` + it)
     "params": [{"name", "in": "path"|"query"|"header"|"formData", "required": bool, "schema": i}],
     "request": i?, "status": 200, "response": i?}

YAML scalars are read the YAML 1.2 way (the way the JavaScript tools that consume this
description read them): only true/false are booleans, only plain decimal numbers are numbers,
and dates stay strings, so `example: 2018-06-08` or `example: 0102` keep their text.

Only the Python standard library and PyYAML are used. Anything odd in the input is reported
on standard error; the output does not depend on it.
"""

import gzip
import io
import json
import os
import re
import sys

import yaml

METHODS = ("get", "post", "put", "patch", "delete", "head", "options")

# Keywords a schema node keeps, in the order they are written out.
SCHEMA_KEYWORDS = (
    "type",
    "format",
    "description",
    "enum",
    "required",
    "properties",
    "items",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minItems",
    "maxItems",
    "pattern",
    "nullable",
    "default",
    "example",
)
# Keywords dropped on purpose: XML names and CDATA flags of v2 bodies, the schema of the JSON
# text some v2 strings carry (`x-json`, with its `x-key`), titles.
DROPPED_KEYWORDS = {"xml", "x-cdata", "x-json", "x-key", "title", "readOnly"}
# Swagger 2.0's types (`file` for a multipart form's file part).
TYPES = ("string", "number", "integer", "boolean", "array", "object", "file")
PARAMETER_KEYWORDS = {"name", "in", "required", "require", "schema"}


def warn(message):
    print(f"generate.py: {message}", file=sys.stderr)


class Yaml12Loader(yaml.SafeLoader):
    """A SafeLoader that resolves plain scalars like YAML 1.2's core schema, minus timestamps."""


Yaml12Loader.yaml_implicit_resolvers = {}
for _tag, _regexp, _first in (
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:int", r"^[-+]?(?:0|[1-9][0-9]*)$", "-+0123456789"),
    (
        "tag:yaml.org,2002:float",
        r"^[-+]?(?:(?:0|[1-9][0-9]*)\.[0-9]*(?:[eE][-+]?[0-9]+)?|(?:0|[1-9][0-9]*)[eE][-+]?[0-9]+)$",
        "-+0123456789",
    ),
):
    Yaml12Loader.add_implicit_resolver(_tag, re.compile(_regexp), list(_first))


class Generator:
    def __init__(self, root):
        self.docs = os.path.join(root, "docs")
        self.files = {}
        self.memo = {}  # (file, fragment parts) -> normalised schema
        self.stack = []  # refs being normalised, to stop on recursion
        self.table = []  # interned nodes
        self.index = {}  # canonical text -> index in table

    # -- files and references ---------------------------------------------------------------

    def load(self, rel):
        rel = os.path.normpath(rel)
        if rel not in self.files:
            with open(os.path.join(self.docs, rel), encoding="utf-8") as f:
                self.files[rel] = yaml.load(f, Loader=Yaml12Loader)
        return self.files[rel]

    def resolve(self, ref, file):
        """Returns (file, key, node) for a `$ref` written in `file` (a path relative to docs/)."""
        target, _, fragment = ref.partition("#")
        target = os.path.normpath(os.path.join(os.path.dirname(file), target)) if target else file
        node = self.load(target)
        if fragment.startswith("/"):
            parts = [p.replace("~1", "/").replace("~0", "~") for p in fragment[1:].split("/")]
        elif fragment:
            parts = [fragment]  # the non-standard `File.yaml#Name`
        else:
            parts = []
        for part in parts:
            if isinstance(node, list):
                node = node[int(part)]
            elif isinstance(node, dict) and part in node:
                node = node[part]
            else:
                raise KeyError(f"{file}: $ref {ref} does not resolve")
        return target, (target, tuple(parts)), node

    # -- schemas ------------------------------------------------------------------------------

    def schema(self, node, file, where):
        """Normalises one schema: a dict of SCHEMA_KEYWORDS with nested normalised schemas."""
        if not isinstance(node, dict):
            warn(f"{where}: schema is not a mapping: {node!r}")
            return {}
        if "$ref" in node:
            target_file, key, target = self.resolve(node["$ref"], file)
            if key in self.stack:
                warn(f"{where}: recursive $ref {node['$ref']}: left open")
                base = {"description": f"(recursive: {key[1][-1] if key[1] else key[0]})"}
            elif key in self.memo:
                base = self.memo[key]
            else:
                self.stack.append(key)
                base = self.schema(target, target_file, f"{target_file}#{'/'.join(key[1])}")
                self.stack.pop()
                self.memo[key] = base
            rest = {k: v for k, v in node.items() if k != "$ref"}
            return merge(base, self.schema(rest, file, where)) if rest else base
        if "allOf" in node:
            out = {}
            for i, member in enumerate(node["allOf"]):
                out = merge(out, self.schema(member, file, f"{where}/allOf/{i}"))
            rest = {k: v for k, v in node.items() if k != "allOf"}
            return merge(out, self.schema(rest, file, where)) if rest else out
        out = {}
        strays = {}
        if "properties" in node and not isinstance(node["properties"], dict):
            # An empty `properties:` whose entries slipped one indentation level left: the
            # unknown keys beside it that hold a schema are taken back as properties.
            strays = {
                k: v
                for k, v in node.items()
                if k not in SCHEMA_KEYWORDS and k not in DROPPED_KEYWORDS and isinstance(v, dict) and "type" in v
            }
            warn(f"{where}: `properties` is empty; {sorted(strays)} beside it taken as properties")
            node = {k: v for k, v in node.items() if k not in strays}
            node["properties"] = strays
        for k, v in node.items():
            if k in DROPPED_KEYWORDS or v is None:
                continue  # an empty `description:` says nothing
            if k == "properties":
                props, required = [], []
                for name, sub in v.items():
                    props.append((str(name), self.schema(sub, file, f"{where}/{name}")))
                    if isinstance(sub, dict) and sub.get("required") is True:
                        warn(f"{where}/{name}: `required: true` on the property: listed in its parent's `required`")
                        required.append(str(name))
                out[k] = props
                if required:
                    out["required"] = (out.get("required") or []) + required
            elif k == "items":
                if isinstance(v, list):  # tuple form: keep the first
                    warn(f"{where}: items is a list")
                    v = v[0] if v else {}
                out[k] = self.schema(v, file, f"{where}/items")
            elif k == "type":
                if isinstance(v, str) and v.strip() in TYPES:
                    if v.strip() != v:
                        warn(f"{where}: type {v!r} trimmed")
                    out[k] = v.strip()
                else:
                    warn(f"{where}: type {v!r} is no type: dropped")
            elif k == "required":
                if isinstance(v, list):
                    out[k] = [str(x) for x in v if str(x) not in out.get(k, [])] + out.get(k, [])
                elif v is True:
                    pass  # a property's own `required: true`: its parent lists it (above)
                else:
                    warn(f"{where}: required is {v!r}, not a list: ignored")
            elif k in SCHEMA_KEYWORDS:
                out[k] = v
            else:
                warn(f"{where}: unknown keyword {k!r} dropped")
        return out

    def intern(self, node):
        """Stores a normalised schema (and its children) once; returns its index."""
        entry = {}
        for k in SCHEMA_KEYWORDS:
            if k not in node:
                continue
            v = node[k]
            if k == "properties":
                v = [[name, self.intern(sub)] for name, sub in v]
            elif k == "items":
                v = self.intern(v)
            entry[k] = v
        text = json.dumps(entry, sort_keys=True, ensure_ascii=False)
        if text not in self.index:
            self.index[text] = len(self.table)
            self.table.append(entry)
        return self.index[text]

    # -- operations ---------------------------------------------------------------------------

    def parameter(self, prm, file, where):
        if "$ref" in prm:
            target_file, _, target = self.resolve(prm["$ref"], file)
            rest = {k: v for k, v in prm.items() if k != "$ref"}
            return self.parameter({**target, **rest}, target_file, where)
        name, place = prm.get("name"), prm.get("in")
        required = prm.get("required")
        if required is None and "require" in prm:
            warn(f"{where}: parameter {name}: `require` read as `required`")
            required = prm["require"]
        if place == "body":
            node = self.schema(prm.get("schema", {}), file, f"{where}/body")
        else:
            # Swagger 2.0 writes a non-body parameter's schema keywords on the parameter.
            node = self.schema({k: v for k, v in prm.items() if k not in PARAMETER_KEYWORDS}, file, f"{where}/{name}")
            if isinstance(prm.get("schema"), dict):
                node = merge(node, self.schema(prm["schema"], file, f"{where}/{name}/schema"))
        return {"name": str(name), "in": place, "required": required is True or place == "path", "schema": node}

    def operation(self, path, method, op, file, shared=()):
        where = f"{method.upper()} {path}"
        first = path.split("/")[1] if path.count("/") > 1 else ""
        protocol = "v3" if first in ("v3", "hk", "global") else "v2"
        out = {"method": method.upper(), "path": path if protocol == "v3" else "/v2" + path, "protocol": protocol}
        if protocol == "v2":
            out["wire"] = path
        out["summary"] = str(op.get("summary", ""))
        tags = op.get("tags")
        if tags is None and "tag" in op:
            warn(f"{where}: `tag` read as `tags`")
            tags = op["tag"]
        out["tags"] = [str(t) for t in tags or []]
        out["roles"] = [str(r) for r in op.get("x-role") or []]
        if op.get("x-api-cert-required") is True:
            out["cert"] = True
        base = op.get("x-base-uri")
        if base is None and "x-baseuri" in op:
            warn(f"{where}: `x-baseuri` read as `x-base-uri`")
            base = op["x-baseuri"]
        if base:
            out["base_uri"] = str(base)
        if op.get("deprecated") is True:
            out["deprecated"] = True
        params, body = [], None
        # Parameters of the path item apply to each of its operations, unless redefined there.
        own = op.get("parameters") or []
        keys = {(p.get("name"), p.get("in")) for p in own if isinstance(p, dict)}
        inherited = [p for p in shared if not isinstance(p, dict) or (p.get("name"), p.get("in")) not in keys]
        for prm in inherited + own:
            p = self.parameter(prm, file, where)
            if p["in"] == "body":
                body = p["schema"]
            elif p["in"] in ("path", "query", "header", "formData"):
                params.append({**p, "schema": self.intern(p["schema"])})
            else:
                warn(f"{where}: parameter {p['name']} in {p['in']!r} dropped")
        declared = re.findall(r"\{([^}]*)\}", path)
        have = [p["name"] for p in params if p["in"] == "path"]
        for name in declared:
            if name not in have:
                warn(f"{where}: path variable {name} undocumented: added as a string")
                params.append({"name": name, "in": "path", "required": True, "schema": self.intern({"type": "string"})})
        for name in have:
            if name not in declared:
                warn(f"{where}: path parameter {name} is not in the path")
        out["params"] = params
        if body is not None:
            out["request"] = self.intern(body)
        status, response = success(op.get("responses") or {})
        if status is None:
            warn(f"{where}: no documented success status")
        else:
            out["status"] = status
        if isinstance(response, dict) and "schema" in response and response["schema"] is not None:
            out["response"] = self.intern(self.schema(response["schema"], file, f"{where}/response"))
        return out

    def build(self, root):
        spec = self.load("swagger.yaml")
        operations = []
        referenced = set()
        for path, item in spec["paths"].items():
            file = "swagger.yaml"
            if "$ref" in item:
                file, _, item = self.resolve(item["$ref"], "swagger.yaml")
                referenced.add(file)
            for method, op in item.items():
                if method in METHODS:
                    operations.append(self.operation(path, method, op, file, item.get("parameters") or []))
        for top in ("v3", "v2", "hk", "global"):
            for dirpath, _, names in os.walk(os.path.join(self.docs, top)):
                for name in names:
                    rel = os.path.relpath(os.path.join(dirpath, name), self.docs)
                    if name.endswith(".yaml") and rel not in referenced:
                        warn(f"{rel}: not referenced from swagger.yaml: left out")
        order = {m.upper(): i for i, m in enumerate(METHODS)}
        operations.sort(key=lambda o: (o["path"], order[o["method"]]))
        return {
            "format": 1,
            "source": source(root),
            "license": open(os.path.join(root, "LICENSE"), encoding="utf-8").read(),
            "schemas": self.table,
            "operations": operations,
        }


def merge(a, b):
    """`b` laid over `a`, as `allOf` and `$ref` siblings need: properties and required lists
    are united (a property in both is merged), other keywords of `b` win."""
    out = dict(a)
    for k, v in b.items():
        if k == "properties" and "properties" in out:
            props = list(out["properties"])
            names = [n for n, _ in props]
            for name, sub in v:
                if name in names:
                    i = names.index(name)
                    props[i] = (name, merge(props[i][1], sub))
                else:
                    props.append((name, sub))
                    names.append(name)
            out[k] = props
        elif k == "required" and "required" in out:
            out[k] = out[k] + [x for x in v if x not in out[k]]
        elif k == "items" and "items" in out:
            out[k] = merge(out[k], v)
        else:
            out[k] = v
    return out


def success(responses):
    """The documented success status (the lowest 2xx, else the lowest 3xx) and its response."""
    codes = {}
    for code, response in responses.items():
        try:
            codes[int(code)] = response
        except ValueError:
            continue
    for lo in (200, 300):
        found = sorted(c for c in codes if lo <= c < lo + 100)
        if found:
            return found[0], codes[found[0]]
    return None, None


def source(root):
    text = open(os.path.join(root, "SOURCE.md"), encoding="utf-8").read()
    m = re.search(r"version\s+([0-9][\w.\-]*),\s*commit\s+([0-9a-f]+),\s*(\d{4}-\d{2}-\d{2})", text)
    if not m:
        raise SystemExit("generate.py: SOURCE.md names no `version X, commit Y, YYYY-MM-DD`")
    return {"version": m.group(1), "commit": m.group(2), "date": m.group(3)}


def main(argv):
    if len(argv) != 3:
        raise SystemExit(f"usage: {argv[0]} INPUT_DIR OUTPUT(.json|.json.gz)")
    root, output = argv[1], argv[2]
    catalog = Generator(root).build(root)
    text = json.dumps(catalog, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
    if output.endswith(".gz"):
        buf = io.BytesIO()
        # Fixed name-less header and mtime 0: the same input gives the same bytes.
        with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
            gz.write(text)
        data = buf.getvalue()
    else:
        data = text
    with open(output, "wb") as f:
        f.write(data)
    ops = catalog["operations"]
    print(
        f"{output}: {len(ops)} operations, {len(catalog['schemas'])} schemas, "
        f"{len(text)} bytes of JSON, {len(data)} written",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main(sys.argv)
