"""Read back the BibTeX that export writes, the way BibTeX itself reads it.

BibTeX delimits a braced value by counting braces and ignores backslashes while counting, so
`{a \\} b}` ends after `\\`. This reader does the same, then undoes export's LaTeX escapes, so a
test can compare what BibTeX would see with what was stored.
"""

from __future__ import annotations

import re

_UNESCAPE = [
    (r"\textbackslash{}", "\\"),
    (r"\textbraceleft{}", "{"),
    (r"\textbraceright{}", "}"),
    (r"\^{}", "^"),
    (r"\~{}", "~"),
    *((f"\\{c}", c) for c in "&%$#_"),
]


def entries(text: str) -> list[tuple[str, str, dict[str, str]]]:
    """(type, key, {field: raw value}) per entry; AssertionError where BibTeX would stumble."""
    out = []
    pos = 0
    while (at := text.find("@", pos)) != -1:
        m = re.compile(r"@(\w+)\{([^,\s{}]+),").match(text, at)
        assert m, f"no entry head at {at}: {text[at : at + 40]!r}"
        fields, pos = {}, m.end()
        while True:
            f = re.compile(r"\s*(\w+)\s*=\s*\{").match(text, pos)
            if not f:
                break
            value, pos = _braced(text, f.end())
            fields[f[1]] = value
            pos = re.compile(r"\s*,?").match(text, pos).end()
        close = re.compile(r"\s*\}").match(text, pos)
        assert close, f"entry {m[2]} does not close at {pos}: {text[pos : pos + 40]!r}"
        out.append((m[1], m[2], fields))
        pos = close.end()
    return out


def _braced(text: str, start: int) -> tuple[str, int]:
    depth, i = 1, start
    while depth:
        assert i < len(text), "a braced value runs to the end of the file"
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        i += 1
    return text[start : i - 1], i


def unescape(value: str) -> str:
    """The text a value stands for: outer grouping braces removed, export's escapes undone."""
    if value.startswith("{") and value.endswith("}"):
        value = value[1:-1]
    out, i = [], 0
    while i < len(value):
        for code, char in _UNESCAPE:
            if value.startswith(code, i):
                out.append(char)
                i += len(code)
                break
        else:
            out.append(value[i])
            i += 1
    return "".join(out)
