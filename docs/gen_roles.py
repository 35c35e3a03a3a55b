"""A griffe extension for the documentation site: Sphinx roles in docstrings become links.

sidepay's docstrings are numpy style and name other objects with Sphinx roles
(``:func:`run_all```, ``:class:`~sidepay.errors.InputError```). mkdocstrings renders
Markdown, where a role would show as stray colons and backticks. This extension rewrites
each role into an *optional* cross-reference: a link when the target is rendered somewhere
on the site, plain code otherwise. It never hides a docstring and adds no warning of its
own; the numpy parser's checks (unknown parameters, missing types) still fail the strict
build.

A short name is looked up the way a reader would: in the object itself (a method of the
documented class), its class, its module, then the ``sidepay`` front door. The Sphinx
``~`` prefix shows only the last component; ``title <target>`` shows the title.

Also: a paragraph that ends with ``::`` (reST's "literal block follows") ends with ``:``,
and a reST simple table (columns framed by ``=====  =====`` lines) becomes a Markdown table.

And: griffe reads ``__all__`` statically, which fails where ``__all__`` is computed
(``[..., *sorted(_LAZY)]`` in the lazy front door). For such a module the list is taken
from the imported module instead, so the API pages show exactly the public names that
``from sidepay import *`` gives. Importing ``sidepay`` and its subpackages is cheap (their
names are loaded lazily); an import that fails fails the build.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:func|class|meth|mod|data|attr|exc|obj|const):`(?P<body>[^`]+)`")
_LITERAL_MARK = re.compile(r"(\S)::[ \t]*$", re.MULTILINE)


def _lookup(root: griffe.Module, path: str) -> griffe.Object | griffe.Alias | None:
    """The object at dotted ``path`` under the loaded package ``root``, or None."""
    if path == root.path:
        return root
    if not path.startswith(root.path + "."):
        return None
    try:
        return root[path[len(root.path) + 1 :]]
    except (KeyError, ValueError, griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None


def _resolve(root: griffe.Module, obj: griffe.Object, name: str) -> str | None:
    """The dotted path ``name`` refers to from inside ``obj``'s docstring, if it exists."""
    name = name.lstrip(".")
    scopes: list[str] = []
    here: griffe.Object | None = obj
    while here is not None:  # the object, its class, its module, its package, ...
        scopes.append(here.path)
        here = here.parent
    candidates = [name] + [f"{scope}.{name}" for scope in scopes]
    for candidate in candidates:
        if _lookup(root, candidate) is not None:
            return candidate
    return None


_BORDER = re.compile(r"^ *=+(?: +=+)+ *$")


def _simple_tables(text: str) -> str:
    """Turn reST simple tables (border, header, border, rows, border) into Markdown tables."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        is_table = _BORDER.match(lines[i]) and i + 2 < len(lines) and _BORDER.match(lines[i + 2])
        end = None
        if is_table:
            end = next((j for j in range(i + 3, len(lines)) if _BORDER.match(lines[j])), None)
        if end is None:
            out.append(lines[i])
            i += 1
            continue
        starts = [m.start() for m in re.finditer(r"=+", lines[i])]

        def cells(line: str, starts: list[int] = starts) -> str:
            bounds = [*starts, max(len(line), starts[-1]) + 1]
            row = [line[bounds[k] : bounds[k + 1]].strip() for k in range(len(starts))]
            return "| " + " | ".join(row) + " |"

        out.append(cells(lines[i + 1]))
        out.append("|" + "---|" * len(starts))
        out.extend(cells(line) for line in lines[i + 3 : end] if line.strip())
        i = end + 1
    return "\n".join(out)


def _rewrite(root: griffe.Module, obj: griffe.Object, text: str) -> str:
    def one(match: re.Match[str]) -> str:
        body = match["body"].strip()
        titled = re.fullmatch(r"(?P<title>.+?)\s*<(?P<target>[^>]+)>", body)
        if titled:
            title, target = titled["title"], titled["target"]
        else:
            target = body.lstrip("~")
            title = target.rsplit(".", 1)[-1] if body.startswith("~") else target
        target = target.removesuffix("()")
        path = _resolve(root, obj, target)
        code = f"<code>{title}</code>"
        if path is None:
            return code
        return f'<autoref identifier="{path}" optional>{code}</autoref>'

    text = _ROLE.sub(one, _simple_tables(text))
    return _LITERAL_MARK.sub(r"\1:", text)


def _runtime_exports(mod: griffe.Module) -> None:
    """Take ``__all__`` from the imported module where griffe could not read it statically.

    A lazy package (module ``__getattr__``) may also export names it never imports, not
    even under ``TYPE_CHECKING``: each such name becomes an alias of the submodule that
    defines it, so it is documented like an imported one.
    """
    if "__all__" not in mod.members:
        return
    if not mod.exports:
        names = getattr(importlib.import_module(mod.path), "__all__", None)
        if names:
            mod.exports = [str(name) for name in names]
    for name in mod.exports or ():
        name = str(name)
        if name in mod.members:
            continue
        home = next(
            (
                sub
                for sub in mod.modules.values()
                if name in sub.members and not sub.members[name].is_alias
            ),
            None,
        )
        if home is not None:
            mod.set_member(name, griffe.Alias(name, home.members[name], parent=mod))


class SphinxRoles(griffe.Extension):
    """Rewrite Sphinx roles in every docstring of the loaded package (see module docstring)."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        todo: list[griffe.Object] = [pkg]
        seen: set[int] = set()
        while todo:
            obj = todo.pop()
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            if isinstance(obj, griffe.Module):
                _runtime_exports(obj)
            if obj.docstring is not None:
                obj.docstring.value = _rewrite(pkg, obj, obj.docstring.value)
            todo.extend(
                member
                for member in obj.members.values()
                if not member.is_alias and isinstance(member, griffe.Object)
            )
