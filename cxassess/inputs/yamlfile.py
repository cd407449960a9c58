"""Reading YAML files safely, keeping the node tree for line numbers.

Templates, client folders, wave settings, targets and import mappings are all YAML written by
hand: they are parsed as plain data only (no tags, no anchors or aliases, no repeated keys),
with a bounded size and a clear word about the wrong encoding, and the node tree is returned
beside the data so that later checks can point at the line a problem stands on.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from ..core.errors import CxError

MAX_YAML_BYTES = 2_000_000


class _SafeNoAliasLoader(yaml.SafeLoader):
    """Safe YAML without aliases or repeated keys: no object construction, no 'billion laughs',
    and no value silently lost to a second ``key:`` in the same mapping."""

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(
                None,
                None,
                f"YAML alias *{event.anchor} is not allowed (anchors & and aliases * are refused); "
                "write the value out in full",
                event.start_mark,
            )
        return super().compose_node(parent, index)

    def construct_yaml_timestamp(self, node):  # type: ignore[no-untyped-def]
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not a real date ({exc}); write it as YYYY-MM-DD", node.start_mark
            ) from None

    def construct_mapping(self, node, deep=False):  # type: ignore[no-untyped-def]
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.get(key)
                except TypeError:  # an unhashable key; the constructor reports it
                    continue
                if first is not None:
                    raise yaml.constructor.ConstructorError(
                        None,
                        None,
                        f"key {key!r} appears twice in the same mapping (first on line {first}); "
                        "YAML would keep only the last one, so remove or rename one",
                        key_node.start_mark,
                    )
                seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


_SafeNoAliasLoader.add_constructor("tag:yaml.org,2002:timestamp", _SafeNoAliasLoader.construct_yaml_timestamp)


def yaml_path(loc: tuple) -> str:
    """``('pillars', 2, 'questions', 0, 'id')`` -> ``pillars[2].questions[0].id``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def line_of(node: yaml.Node | None, loc: tuple) -> int | None:
    """Line number of the deepest node along ``loc`` (1-based), for error messages."""
    line = None
    for part in loc:
        if node is None:
            break
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            node = next(
                (v for k, v in node.value if k.value == str(part) or (isinstance(part, int) and k.value == part)),
                None,
            )
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            node = None
    if node is not None:
        line = node.start_mark.line + 1
    return line


def read_bytes(path: str | os.PathLike) -> bytes:
    """A file's bytes, or CxError saying why it cannot be read."""
    path = Path(path)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise CxError.at(path, "file not found") from None
    except IsADirectoryError:
        raise CxError.at(path, "is a folder, expected a YAML file") from None
    except OSError as exc:
        raise CxError.at(path, f"cannot be read: {exc.strerror}") from None


def read_yaml(path: str | os.PathLike, raw: bytes | None = None) -> tuple[Any, yaml.Node | None]:
    """Parse a YAML file (or its already read bytes) safely; returns the data and its node tree (for line numbers)."""
    path = Path(path)
    raw = read_bytes(path) if raw is None else raw
    if len(raw) > MAX_YAML_BYTES:
        raise CxError.at(path, f"is {len(raw):,} bytes; a YAML file here may be at most {MAX_YAML_BYTES:,}")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CxError.at(path, "is UTF-16 text; save it as UTF-8 (in Notepad: Save as, Encoding UTF-8)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CxError.at(path, f"is not UTF-8 text (byte {exc.start}); save it as UTF-8", row=line) from None
    try:
        loader = _SafeNoAliasLoader(text)
    except yaml.reader.ReaderError as exc:  # a control character, found before any parsing
        line = text[: max(exc.position, 0)].count("\n") + 1
        raise CxError.at(path, f"holds the control character #x{exc.character:04X}, which YAML does not allow; "
                         "remove it (or save the file again as plain UTF-8 text)", row=line) from None
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if problem.startswith("could not determine a constructor for the tag"):
            tag = problem.rsplit(" ", 1)[-1].replace("tag:yaml.org,2002:", "!!")
            problem = f"the tag {tag} is refused (these files are data, never code); remove it"
        if exc.problem and exc.context and exc.context_mark and mark and exc.context_mark.line != mark.line:
            where = f"line {exc.context_mark.line + 1}"
            if exc.context.startswith("while "):
                problem += f" ({exc.context} that starts on {where})"
            else:
                problem = f"{exc.context} ({where}), {problem}"
        raise CxError.at(path, f"invalid YAML: {problem}", row=mark.line + 1 if mark else None) from None
    except (yaml.YAMLError, ValueError, OverflowError) as exc:
        raise CxError.at(path, f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    return data, node
