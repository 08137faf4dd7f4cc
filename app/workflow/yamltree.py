"""YAML documents that remember where each value was written.

Errors must point at a line, and after a repository config is merged over a preset
(and over any file it `_extends`) a value may come from any of several files. So a
parsed document is its data plus, for every key path, the file and line it came
from; merging carries those along. The data is read-only (mapping proxies and
tuples) because parsed presets are cached and shared.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

import yaml

from app.workflow.errors import WorkflowError

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Location:
    source: str  # the file, as shown in messages: "workflows/default.yml", "acme/web:.github/x.yml"
    line: int  # 1-based
    raw: str | None = None  # a scalar's text as written (YAML reads `000000` as the int 0)
    column: int | None = None  # 1-based, of the key (or list item) when known


@dataclass(frozen=True)
class Doc:
    data: object  # Mapping[str, object] | tuple[object, ...] | scalar | None
    locations: Mapping[KeyPath, Location]
    source: str

    def locate(self, path: KeyPath) -> Location:
        """Where `path` was written, or failing that its nearest written parent."""
        for end in range(len(path), -1, -1):
            found = self.locations.get(path[:end])
            if found is not None:
                return found
        return Location(self.source, 1)


def format_path(path: KeyPath) -> str:
    """("severities", 1, "ack_within") -> "severities[1].ack_within"."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


# Bounds on a file people write (a repository's config is anyone's push away): a config
# is a few hundred values (the largest preset has about 400), so these are generous.
# Aliases repeat their anchor without copying it in the text, so nested ones multiply
# (the "billion laughs": 350 bytes that expand to millions of values). The bound on
# values is counted while converting, which is where aliases are expanded.
MAX_BYTES: Final = 64 * 1024
MAX_NODES: Final = 10_000
MAX_DEPTH: Final = 40

# libyaml's parser is about 15x faster than PyYAML's own (a 64 KB file: 8 ms instead
# of 120 ms of the event loop) and refuses nesting past 1000 levels by itself.
_LOADER: Final = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader


def parse(text: str, source: str) -> Doc:
    """Parse YAML safely, keeping lines; raise WorkflowError for bad YAML or duplicate keys.

    The work is bounded before anything is expanded: at most MAX_BYTES of text,
    MAX_NODES values once aliases are expanded, MAX_DEPTH levels of nesting.
    """
    size = len(text.encode("utf-8", errors="replace"))
    if size > MAX_BYTES:
        raise WorkflowError(
            source,
            "",
            f"a file of at most {MAX_BYTES // 1024} KB",
            1,
            got=f"{size:,} bytes",
            hint="a config is a few KB; split shared parts out with _extends",
        )
    loader = _LOADER(text)
    try:
        try:
            node = loader.get_single_node()
        except RecursionError:  # PyYAML's own composer recurses (libyaml stops at 1000 levels)
            raise WorkflowError(source, "", f"at most {MAX_DEPTH} levels of nesting", 1) from None
        locations: dict[KeyPath, Location] = {(): Location(source, 1, column=1)}
        if node is None:  # an empty file is an empty mapping: it overrides nothing
            return Doc(MappingProxyType({}), locations, source)
        data = _Converter(loader, source, locations).convert(node, (), frozenset())
        return Doc(data, locations, source)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "not valid YAML"
        raise WorkflowError(
            source,
            "",
            "valid YAML",
            mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
            hint=f"{problem} (check the indentation, and quote text containing ': ' or ' #')",
        ) from error
    except yaml.YAMLError as error:
        raise WorkflowError(source, "", "valid YAML", None, hint=str(error)) from error
    finally:
        loader.dispose()


class _Converter:
    """Nodes to read-only data, recording where each key was written, within MAX_NODES."""

    def __init__(
        self, constructor: yaml.constructor.SafeConstructor, source: str, locations: dict[KeyPath, Location]
    ) -> None:
        self.constructor = constructor
        self.source = source
        self.locations = locations
        self.nodes = 0

    def fail(self, path: KeyPath, expected: str, node: yaml.Node, *, hint: str = "") -> WorkflowError:
        mark = node.start_mark
        return WorkflowError(
            self.source, format_path(path), expected, mark.line + 1, column=mark.column + 1, hint=hint
        )

    def where(self, node: yaml.Node) -> Location:
        raw = node.value if isinstance(node, yaml.ScalarNode) else None
        return Location(self.source, node.start_mark.line + 1, raw, node.start_mark.column + 1)

    def convert(self, node: yaml.Node, path: KeyPath, parents: frozenset[int]) -> object:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            # Named by the top-level key being expanded: deeper, the nodes are the anchor's.
            top = self.locations.get(path[:1]) or self.where(node)
            raise WorkflowError(
                self.source,
                format_path(path[:1]),
                f"at most {MAX_NODES:,} values",
                top.line,
                column=top.column,
                hint="counted with anchors and aliases expanded: an alias repeats all of its anchor",
            )
        if len(parents) >= MAX_DEPTH:
            raise self.fail(path, f"at most {MAX_DEPTH} levels of nesting", node)
        if id(node) in parents:  # `&a [*a]` would otherwise recurse forever
            raise self.fail(path, "no recursive alias", node)
        inner = parents | {id(node)}
        if not isinstance(node, yaml.ScalarNode) and node.tag not in _PLAIN_TAGS:
            # The constructor is bypassed for collections, so refuse tags here (`!!python/...`).
            raise self.fail(path, "valid YAML", node, hint=f"unsupported tag {node.tag}")
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path, inner)
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, item_node in enumerate(node.value):
                self.locations[(*path, index)] = self.where(item_node)
                items.append(self.convert(item_node, (*path, index), inner))
            return tuple(items)
        return self.constructor.construct_object(node, deep=True)

    def mapping(self, node: yaml.MappingNode, path: KeyPath, parents: frozenset[int]) -> object:
        _check_unique_keys(node, path, self.source)
        result: dict[str, object] = {}
        # `<<: *anchor` (or a list of them) merges those mappings' keys in, as SafeLoader
        # does: the mapping's own keys win, and of the merged ones the earlier. Merged
        # here rather than by the loader's flatten_mapping, whose lists of pairs double
        # with each level of nested merges before anything can count them.
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag == _MERGE_TAG:
                merged = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                for sub in reversed(merged):
                    if not isinstance(sub, yaml.MappingNode):
                        raise self.fail(path, "a mapping (or list of mappings) after '<<'", sub)
                    data = self.convert(sub, path, parents)
                    assert isinstance(data, Mapping)
                    result.update(data)
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(path, "a plain key", key_node)
            if key_node.tag == _MERGE_TAG:
                continue
            # Keys are taken as written, so `1:` and `"1":` are the same key "1".
            key = str(key_node.value)
            location = self.where(key_node)
            raw = value_node.value if isinstance(value_node, yaml.ScalarNode) else None
            self.locations[(*path, key)] = Location(self.source, location.line, raw, location.column)
            result[key] = self.convert(value_node, (*path, key), parents)
        return MappingProxyType(result)


_PLAIN_TAGS: Final = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})
_MERGE_TAG: Final = "tag:yaml.org,2002:merge"


def _check_unique_keys(node: yaml.MappingNode, path: KeyPath, source: str) -> None:
    # YAML lets the last duplicate win silently; in a config that hides a mistake.
    seen: set[str] = set()
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE_TAG:
            continue
        key = str(key_node.value)
        if key in seen:
            raise WorkflowError(
                source,
                format_path((*path, key)),
                "each key once",
                key_node.start_mark.line + 1,
                column=key_node.start_mark.column + 1,
                hint="this key is written twice in the same mapping",
            )
        seen.add(key)


def merge(base: Doc, over: Doc) -> Doc:
    """`over` on top of `base`: mappings merge key by key, anything else is replaced.

    Lists replace rather than append, as in Probot's config merge: a repository that
    lists its own severities means exactly those.
    """
    locations: dict[KeyPath, Location] = {}
    data = _merge(base.data, over.data, (), base.locations, over.locations, locations)
    return Doc(data, MappingProxyType(locations), over.source)


def _subtree(locations: Mapping[KeyPath, Location], path: KeyPath) -> dict[KeyPath, Location]:
    size = len(path)
    return {p: loc for p, loc in locations.items() if p[:size] == path}


def _merge(
    base: object,
    over: object,
    path: KeyPath,
    base_locations: Mapping[KeyPath, Location],
    over_locations: Mapping[KeyPath, Location],
    out: dict[KeyPath, Location],
) -> object:
    if not (isinstance(base, Mapping) and isinstance(over, Mapping)):
        out.update(_subtree(over_locations, path))
        return over
    where = over_locations.get(path) or base_locations.get(path)
    if where is not None:
        out[path] = where
    result: dict[str, object] = {}
    for key, value in base.items():
        if key not in over:
            result[key] = value
            out.update(_subtree(base_locations, (*path, key)))
    for key, value in over.items():
        if key in base:
            result[key] = _merge(base[key], value, (*path, key), base_locations, over_locations, out)
        else:
            result[key] = value
            out.update(_subtree(over_locations, (*path, key)))
    return MappingProxyType(result)


def without_keys(doc: Doc, keys: frozenset[str]) -> Doc:
    """The document minus some top-level keys (the repository-only ones, before merging)."""
    if not isinstance(doc.data, Mapping):
        return doc
    data = {k: v for k, v in doc.data.items() if k not in keys}
    locations = {p: loc for p, loc in doc.locations.items() if not (p and p[0] in keys)}
    return Doc(MappingProxyType(data), MappingProxyType(locations), doc.source)
