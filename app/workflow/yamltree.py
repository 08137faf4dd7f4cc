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


def parse(text: str, source: str) -> Doc:
    """Parse YAML safely, keeping lines; raise WorkflowError for bad YAML or duplicate keys."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        locations: dict[KeyPath, Location] = {(): Location(source, 1)}
        if node is None:  # an empty file is an empty mapping: it overrides nothing
            return Doc(MappingProxyType({}), locations, source)
        data = _convert(loader, node, (), source, locations, frozenset())
        return Doc(data, locations, source)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "not valid YAML"
        raise WorkflowError(
            source,
            "",
            "valid YAML",
            mark.line + 1 if mark else None,
            hint=f"{problem} (check the indentation, and quote text containing ': ' or ' #')",
        ) from error
    except yaml.YAMLError as error:
        raise WorkflowError(source, "", "valid YAML", None, hint=str(error)) from error
    finally:
        loader.dispose()


def _convert(
    loader: yaml.SafeLoader,
    node: yaml.Node,
    path: KeyPath,
    source: str,
    locations: dict[KeyPath, Location],
    parents: frozenset[int],
) -> object:
    if id(node) in parents:  # `&a [*a]` would otherwise recurse forever
        raise WorkflowError(source, format_path(path), "no recursive alias", node.start_mark.line + 1)
    inner = parents | {id(node)}
    if not isinstance(node, yaml.ScalarNode) and node.tag not in _PLAIN_TAGS:
        # The constructor is bypassed for collections, so refuse tags here (`!!python/...`).
        raise WorkflowError(
            source,
            format_path(path),
            "valid YAML",
            node.start_mark.line + 1,
            hint=f"unsupported tag {node.tag}",
        )
    if isinstance(node, yaml.MappingNode):
        _check_unique_keys(node, path, source)
        # Resolves `<<: *anchor` merge keys as SafeLoader does: merged pairs come first,
        # so the mapping's own keys, later, win.
        loader.flatten_mapping(node)
        result: dict[str, object] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise WorkflowError(source, format_path(path), "a plain key", line)
            # Keys are taken as written, so `1:` and `"1":` are the same key "1".
            key = str(key_node.value)
            raw = value_node.value if isinstance(value_node, yaml.ScalarNode) else None
            locations[(*path, key)] = Location(source, line, raw)
            result[key] = _convert(loader, value_node, (*path, key), source, locations, inner)
        return MappingProxyType(result)
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item_node in enumerate(node.value):
            raw = item_node.value if isinstance(item_node, yaml.ScalarNode) else None
            locations[(*path, index)] = Location(source, item_node.start_mark.line + 1, raw)
            items.append(_convert(loader, item_node, (*path, index), source, locations, inner))
        return tuple(items)
    return loader.construct_object(node, deep=True)


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
