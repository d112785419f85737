#!/usr/bin/env python3
"""Checks that the library's modules only look down.

Every `crate::...` path in `src/` (outside comments and the binary) is mapped to the
top-level module it names (items re-exported at the crate root are mapped through the
`pub use` lines of `src/lib.rs`), and must belong to a strictly lower layer than the module
it is used in, or to the same top-level module. The one exception is the handle pair:
`client` and `request` use each other (a `Client` starts a `Chain`, a `RequestBuilder` holds
its `Client`).

Usage: python3 scripts/layers.py   (exit status 1 and one line per violation otherwise)
"""

import pathlib
import re
import sys

# The layers, bottom to top. This list is the one place the order is written down.
LAYERS = [
    ["text", "env"],
    ["catalog"],
    ["error", "clock"],
    ["crypto"],
    ["protocol"],
    ["auth"],
    ["mock"],
    ["response"],
    ["wire"],
    ["trust"],
    ["send"],
    ["sensitive", "notify", "download", "pay_params"],
    ["request", "client"],
    ["blocking"],
]
HANDLE_PAIR = {("client", "request"), ("request", "client")}

ROOT = pathlib.Path(__file__).resolve().parent.parent
SRC = ROOT / "src"


def layer_of(module):
    for rank, modules in enumerate(LAYERS):
        if module in modules:
            return rank
    return None


def root_reexports():
    """Maps each item re-exported at the crate root to the module it comes from."""
    lib = (SRC / "lib.rs").read_text()
    items = {}
    for match in re.finditer(r"pub use ([a-z_]+)((?:::[a-z_]+)*)(?:::\{([^}]*)\}|::([A-Za-z_]+))?;", lib, re.S):
        module, rest, group, single = match.groups()
        names = [n.strip() for n in (group or single or "").split(",") if n.strip()]
        if not names and rest:
            names = [rest.split("::")[-1]]
        for name in names:
            items[name.split(" as ")[-1].strip()] = module
    return items


def code_lines(path):
    """The file's lines with comments removed (line comments and doc comments)."""
    for number, line in enumerate(path.read_text().splitlines(), 1):
        stripped = line.split("//", 1)[0]
        if stripped.strip():
            yield number, stripped


def main():
    reexports = root_reexports()
    unknown_modules = set()
    violations = []
    for path in sorted(SRC.rglob("*.rs")):
        relative = path.relative_to(SRC)
        if relative.parts[0] == "bin" or relative == pathlib.Path("lib.rs"):
            continue
        module = relative.parts[0].removesuffix(".rs")
        own = layer_of(module)
        if own is None:
            unknown_modules.add(module)
            continue
        for number, line in code_lines(path):
            for name in re.findall(r"\bcrate::([A-Za-z_][A-Za-z0-9_]*)", line):
                target = name if name[0].islower() else reexports.get(name)
                if target is None:
                    violations.append(f"{relative}:{number}: crate::{name} is not a module or a root re-export")
                    continue
                if target == module or (module, target) in HANDLE_PAIR:
                    continue
                rank = layer_of(target)
                if rank is None:
                    unknown_modules.add(target)
                elif rank >= own:
                    violations.append(
                        f"{relative}:{number}: {module} (layer {own}) uses crate::{name} from {target} (layer {rank})"
                    )
    for module in sorted(unknown_modules):
        violations.append(f"module {module} is in no layer: add it to LAYERS in scripts/layers.py")
    for violation in violations:
        print(violation)
    if violations:
        print(f"{len(violations)} layering violation(s)", file=sys.stderr)
        return 1
    print(f"layers ok: {sum(len(m) for m in LAYERS)} modules in {len(LAYERS)} layers, each using only lower ones")
    return 0


if __name__ == "__main__":
    sys.exit(main())
