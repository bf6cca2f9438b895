"""``python -m codegen diff``: compare spec/openapi.yaml with the latest released spec.

Released specs live in ``spec/released/<version>.yaml``. The comparison walks both parsed
documents (local ``$ref`` resolved) from the point of view of a client generated from the
released one, and sorts every difference it finds into *breaking* or *other*:

Breaking (a client generated from the release can fail against the new spec):
  - a removed path or operation;
  - a removed success (2xx) response or its media type;
  - a new required parameter, request body or request field (or an optional one made required);
  - a narrowed request type (a JSON type, format or alternative taken away, a tighter limit);
  - a removed enum value (requests and responses);
  - a removed response field, a response field no longer required, a widened response type
    or a new enum value in a response (generated clients with closed enums reject it).

Other: everything else the walk sees (added paths, operations, optional fields and parameters,
responses, relaxed limits, documentation-only edits of an operation, the version itself).

Breaking changes fail the check unless the version's major changed, or its minor while the
major is 0 (semantic versioning for 0.x). Either way every change found is listed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, Final

from codegen._config import REPO_ROOT, SPEC_PATH
from codegen._util import HTTP_METHODS, CodegenError, load_spec, rel

RELEASED_DIR: Final = REPO_ROOT / "spec" / "released"

_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
_ALL_TYPES: Final = frozenset({"null", "boolean", "object", "array", "number", "integer", "string"})
# Limits whose increase (lower bounds) or decrease (upper bounds) narrows what is accepted.
_LOWER_BOUNDS: Final = ("minLength", "minItems", "minProperties", "minimum", "exclusiveMinimum")
_UPPER_BOUNDS: Final = ("maxLength", "maxItems", "maxProperties", "maximum", "exclusiveMaximum")


class Direction(Enum):
    """Which way a schema's data flows, seen from the client."""

    REQUEST = "request"
    RESPONSE = "response"


@dataclass(frozen=True)
class Change:
    """One difference between the released spec and the new one."""

    kind: str
    where: str
    breaking: bool
    detail: str = ""

    def line(self) -> str:
        text = f"{self.kind}: {self.where}"
        return f"{text} ({self.detail})" if self.detail else text


@dataclass
class DiffReport:
    """What ``diff_specs`` found, with the two versions compared."""

    old_version: str
    new_version: str
    changes: list[Change] = field(default_factory=list)

    @property
    def breaking(self) -> list[Change]:
        return [c for c in self.changes if c.breaking]

    @property
    def other(self) -> list[Change]:
        return [c for c in self.changes if not c.breaking]

    @property
    def breaking_allowed(self) -> bool:
        return breaking_bump(self.old_version, self.new_version)

    @property
    def ok(self) -> bool:
        return not self.breaking or self.breaking_allowed

    def summary(self) -> str:
        return (
            f"spec diff vs {self.old_version}: {len(self.breaking)} breaking, "
            f"{len(self.other)} other changes"
        )


def parse_version(version: str) -> tuple[int, int, int]:
    """``MAJOR.MINOR.PATCH`` as a tuple; anything else is a CodegenError."""
    match = _VERSION.match(version)
    if match is None:
        raise CodegenError(f"info.version {version!r} is not MAJOR.MINOR.PATCH")
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def breaking_bump(old: str, new: str) -> bool:
    """True when going from ``old`` to ``new`` may break clients: a new major, or a new minor
    while the major is 0."""
    old_v, new_v = parse_version(old), parse_version(new)
    if new_v[0] != old_v[0]:
        return new_v[0] > old_v[0]
    return old_v[0] == 0 and new_v[1] > old_v[1]


def latest_release(folder: Path = RELEASED_DIR) -> Path:
    """The ``<version>.yaml`` in ``folder`` with the highest version."""
    releases = [p for p in folder.glob("*.yaml") if _VERSION.match(p.stem)]
    if not releases:
        raise CodegenError(f"no released spec (<version>.yaml) in {rel(folder)}")
    return max(releases, key=lambda p: parse_version(p.stem))


class _Walker:
    """Compares two documents; ``changes`` collects what it finds."""

    def __init__(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
        self.old_doc = old
        self.new_doc = new
        self.changes: list[Change] = []
        self._seen: set[tuple[str, str, Direction]] = set()

    def add(self, kind: str, where: str, *, breaking: bool, detail: str = "") -> None:
        self.changes.append(Change(kind, where, breaking, detail))

    # -- references ---------------------------------------------------------------------------

    @staticmethod
    def _resolve(doc: Mapping[str, Any], node: Any) -> Any:
        """Follow local ``$ref`` chains (``#/...``) to the referenced object."""
        for _ in range(32):
            if not (isinstance(node, Mapping) and isinstance(node.get("$ref"), str)):
                return node
            ref: str = node["$ref"]
            if not ref.startswith("#/"):
                raise CodegenError(f"only local $ref are supported, got {ref!r}")
            target: Any = doc
            for part in ref[2:].split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                if not isinstance(target, Mapping) or part not in target:
                    raise CodegenError(f"unresolvable $ref {ref!r}")
                target = target[part]
            node = target
        raise CodegenError("$ref chain too long (a cycle of references?)")

    def old(self, node: Any) -> Any:
        return self._resolve(self.old_doc, node)

    def new(self, node: Any) -> Any:
        return self._resolve(self.new_doc, node)

    # -- paths and operations -----------------------------------------------------------------

    def walk(self) -> None:
        old_paths: Mapping[str, Any] = self.old_doc.get("paths") or {}
        new_paths: Mapping[str, Any] = self.new_doc.get("paths") or {}
        for path in old_paths:
            if path not in new_paths:
                self.add("removed-path", path, breaking=True)
        for path in new_paths:
            if path not in old_paths:
                self.add("added-path", path, breaking=False)
        for path in old_paths:
            if path in new_paths:
                self._path_item(path, self.old(old_paths[path]), self.new(new_paths[path]))

    def _path_item(self, path: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
        for method in HTTP_METHODS:
            where = f"{method.upper()} {path}"
            if method in old and method not in new:
                self.add("removed-operation", where, breaking=True)
            elif method in new and method not in old:
                self.add("added-operation", where, breaking=False)
            elif method in old:
                before = len(self.changes)
                self._operation(where, old, new, old[method], new[method])
                if len(self.changes) == before and _canon(old[method]) != _canon(new[method]):
                    self.add("operation-edited", where, breaking=False, detail="documentation")

    def _operation(
        self,
        where: str,
        old_item: Mapping[str, Any],
        new_item: Mapping[str, Any],
        old_op: Mapping[str, Any],
        new_op: Mapping[str, Any],
    ) -> None:
        self._parameters(
            where,
            self._params(self.old, old_item, old_op),
            self._params(self.new, new_item, new_op),
        )
        self._request_body(where, old_op.get("requestBody"), new_op.get("requestBody"))
        self._responses(where, old_op.get("responses") or {}, new_op.get("responses") or {})

    @staticmethod
    def _params(
        resolve: Any, item: Mapping[str, Any], op: Mapping[str, Any]
    ) -> dict[tuple[str, str], Mapping[str, Any]]:
        """Path-level parameters overridden by operation-level ones, keyed by (in, name)."""
        params: dict[tuple[str, str], Mapping[str, Any]] = {}
        for raw in [*(item.get("parameters") or []), *(op.get("parameters") or [])]:
            param = resolve(raw)
            params[(str(param.get("in")), str(param.get("name")))] = param
        return params

    def _parameters(
        self,
        where: str,
        old: Mapping[tuple[str, str], Mapping[str, Any]],
        new: Mapping[tuple[str, str], Mapping[str, Any]],
    ) -> None:
        for key, param in new.items():
            label = f"{where} {key[0]} parameter {key[1]}"
            if key not in old:
                required = bool(param.get("required"))
                kind = "new-required-parameter" if required else "added-parameter"
                self.add(kind, label, breaking=required)
                continue
            if param.get("required") and not old[key].get("required"):
                self.add("parameter-made-required", label, breaking=True)
            elif old[key].get("required") and not param.get("required"):
                self.add("parameter-made-optional", label, breaking=False)
            self._schema(
                label, old[key].get("schema"), param.get("schema"), Direction.REQUEST, depth=0
            )
        for key in old:
            if key not in new:
                self.add(
                    "removed-parameter", f"{where} {key[0]} parameter {key[1]}", breaking=False
                )

    def _request_body(self, where: str, old_raw: Any, new_raw: Any) -> None:
        label = f"{where} request body"
        if new_raw is None:
            if old_raw is not None:
                self.add("removed-request-body", label, breaking=False)
            return
        new = self.new(new_raw)
        if old_raw is None:
            required = bool(new.get("required"))
            kind = "new-required-request-body" if required else "added-request-body"
            self.add(kind, label, breaking=required)
            return
        old = self.old(old_raw)
        if new.get("required") and not old.get("required"):
            self.add("request-body-made-required", label, breaking=True)
        elif old.get("required") and not new.get("required"):
            self.add("request-body-made-optional", label, breaking=False)
        old_content: Mapping[str, Any] = old.get("content") or {}
        new_content: Mapping[str, Any] = new.get("content") or {}
        for media in old_content:
            target = _media_match(media, new_content)
            if target is None:
                self.add("removed-request-media-type", f"{label} {media}", breaking=True)
                continue
            if target != media:  # the server now takes a wider range: nothing a client sent fails
                detail = f"{media} -> {target}"
                self.add("request-media-type-widened", label, breaking=False, detail=detail)
            self._schema(
                f"{label} {media}",
                old_content[media].get("schema"),
                new_content[target].get("schema"),
                Direction.REQUEST,
                depth=0,
            )
        for media in new_content:
            if media not in old_content:
                self.add("added-request-media-type", f"{label} {media}", breaking=False)

    def _responses(self, where: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
        for status, old_raw in old.items():
            label = f"{where} response {status}"
            success = str(status).startswith("2")
            if status not in new:
                kind = "removed-success-response" if success else "removed-response"
                self.add(kind, label, breaking=success)
                continue
            old_content: Mapping[str, Any] = self.old(old_raw).get("content") or {}
            new_content: Mapping[str, Any] = self.new(new[status]).get("content") or {}
            for media, old_media in old_content.items():
                target = _media_match(media, new_content)
                if target is None:
                    self.add("removed-response-media-type", f"{label} {media}", breaking=success)
                    continue
                if target != media:  # a client parsing `media` may now get anything `target` is
                    detail = f"{media} -> {target}"
                    kind = "response-media-type-widened"
                    self.add(kind, label, breaking=success, detail=detail)
                self._schema(
                    f"{label} {media}",
                    old_media.get("schema"),
                    new_content[target].get("schema"),
                    Direction.RESPONSE,
                    depth=0,
                )
            for media in new_content:
                if media not in old_content:
                    self.add("added-response-media-type", f"{label} {media}", breaking=False)
        for status in new:
            if status not in old:
                self.add("added-response", f"{where} response {status}", breaking=False)

    # -- schemas ------------------------------------------------------------------------------

    def _schema(
        self, where: str, old_raw: Any, new_raw: Any, direction: Direction, *, depth: int
    ) -> None:
        if old_raw is None or new_raw is None or depth > 64:
            return
        refs = (_ref(old_raw), _ref(new_raw), direction)
        if refs[0] and refs[1]:
            if refs in self._seen:  # each (schema, schema, direction) pair is compared once
                return
            self._seen.add(refs)
        old = _merge_all_of(self.old, self.old(old_raw))
        new = _merge_all_of(self.new, self.new(new_raw))
        if not isinstance(old, Mapping) or not isinstance(new, Mapping):
            return
        request = direction is Direction.REQUEST
        old_alts, new_alts = _alternatives(old), _alternatives(new)
        if old_alts is not None or new_alts is not None:
            self._composed(where, old, new, direction, depth=depth)
            return
        self._types(where, _types(old), _types(new), request=request)
        self._formats(where, old, new, request=request)
        self._enums(where, _enum(old), _enum(new), request=request)
        self._limits(where, old, new, request=request)
        self._properties(where, old, new, direction, depth=depth)
        if "items" in old and "items" in new:
            self._schema(f"{where}[]", old["items"], new["items"], direction, depth=depth + 1)

    def _types(
        self, where: str, old_types: frozenset[str], new_types: frozenset[str], *, request: bool
    ) -> None:
        lost, gained = old_types - new_types, new_types - old_types
        if request and lost:
            self.add("narrowed-type", where, breaking=True, detail=f"no longer {_names(lost)}")
        elif not request and gained:
            self.add("widened-response-type", where, breaking=True, detail=f"now {_names(gained)}")
        elif lost or gained:
            detail = f"{_names(old_types)} -> {_names(new_types)}"
            self.add("changed-type", where, breaking=False, detail=detail)

    def _formats(
        self, where: str, old: Mapping[str, Any], new: Mapping[str, Any], *, request: bool
    ) -> None:
        old_format, new_format = old.get("format"), new.get("format")
        if old_format != new_format:
            narrowed = request and new_format is not None
            widened = not request and old_format is not None
            kind = "narrowed-format" if narrowed else "changed-format"
            self.add(
                kind,
                where,
                breaking=narrowed or widened,
                detail=f"{old_format or 'none'} -> {new_format or 'none'}",
            )

    def _enums(
        self,
        where: str,
        old_values: list[Any] | None,
        new_values: list[Any] | None,
        *,
        request: bool,
    ) -> None:
        if old_values is None and new_values is None:
            return
        if new_values is None:  # the restriction was lifted
            if not request:
                self.add("response-enum-lifted", where, breaking=True)
            else:
                self.add("request-enum-lifted", where, breaking=False)
            return
        if old_values is None:  # a restriction was added
            self.add("enum-added", where, breaking=request, detail=_values(new_values))
            return
        removed = [v for v in old_values if v not in new_values]
        added = [v for v in new_values if v not in old_values]
        if removed:
            self.add("removed-enum-value", where, breaking=True, detail=_values(removed))
        if added:
            kind = "added-request-enum-value" if request else "added-response-enum-value"
            self.add(kind, where, breaking=not request, detail=_values(added))

    def _limits(
        self, where: str, old: Mapping[str, Any], new: Mapping[str, Any], *, request: bool
    ) -> None:
        for key in (*_LOWER_BOUNDS, *_UPPER_BOUNDS, "pattern"):
            if old.get(key) == new.get(key):
                continue
            tighter = _tighter(key, old.get(key), new.get(key))
            kind = "narrowed-limit" if tighter and request else "changed-limit"
            detail = f"{key} {old.get(key)} -> {new.get(key)}"
            self.add(kind, where, breaking=tighter and request, detail=detail)

    def _properties(
        self,
        where: str,
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        direction: Direction,
        *,
        depth: int,
    ) -> None:
        old_props: Mapping[str, Any] = old.get("properties") or {}
        new_props: Mapping[str, Any] = new.get("properties") or {}
        old_required = set(old.get("required") or [])
        new_required = set(new.get("required") or [])
        request = direction is Direction.REQUEST
        for name in old_props:
            label = f"{where}: {name}"
            if name not in new_props:
                if request:
                    self.add("removed-request-field", label, breaking=False)
                else:
                    self.add("removed-response-field", label, breaking=True)
                continue
            if name in new_required and name not in old_required:
                if request:
                    self.add(
                        "new-required-request-field", label, breaking=True, detail="made required"
                    )
                else:
                    self.add("response-field-made-required", label, breaking=False)
            elif name in old_required and name not in new_required:
                if request:
                    self.add("request-field-made-optional", label, breaking=False)
                else:
                    self.add("response-field-optional", label, breaking=True)
            self._schema(label, old_props[name], new_props[name], direction, depth=depth + 1)
        for name in new_props:
            if name not in old_props:
                label = f"{where}: {name}"
                required = request and name in new_required
                kind = "new-required-request-field" if required else "added-field"
                self.add(kind, label, breaking=required)

    def _composed(
        self,
        where: str,
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        direction: Direction,
        *,
        depth: int,
    ) -> None:
        """At least one side is a ``oneOf``/``anyOf``: compare what the alternatives admit as a
        whole (JSON types, enum values), then the alternatives themselves."""
        request = direction is Direction.REQUEST
        self._types(
            where, _union_types(self.old, old), _union_types(self.new, new), request=request
        )
        self._enums(where, _union_enum(self.old, old), _union_enum(self.new, new), request=request)
        old_alts, new_alts = _alternatives(old), _alternatives(new)
        if old_alts is not None and new_alts is not None:
            for index, (a, b) in enumerate(zip(old_alts, new_alts, strict=False)):
                self._schema(f"{where} [{index}]", a, b, direction, depth=depth + 1)
            detail = f"{len(old_alts)} -> {len(new_alts)} alternatives"
            if len(new_alts) < len(old_alts):
                self.add("removed-alternative", where, breaking=request, detail=detail)
            elif len(new_alts) > len(old_alts):
                self.add("added-alternative", where, breaking=not request, detail=detail)
            return
        # One side only: compare the plain schema with the alternative that matches it best
        # (the first one admitting one of its JSON types).
        if new_alts is not None:
            branch = _best_branch(self.new, new_alts, _types(old))
            self.add("now-alternatives", where, breaking=False, detail=f"{len(new_alts)} of them")
            self._schema(where, old, branch, direction, depth=depth + 1)
        elif old_alts is not None:
            branch = _best_branch(self.old, old_alts, _types(new))
            self.add("no-longer-alternatives", where, breaking=False)
            self._schema(where, branch, new, direction, depth=depth + 1)


def _media_match(media: str, content: Mapping[str, Any]) -> str | None:
    """The entry of ``content`` that covers ``media``: itself, else ``type/*``, else ``*/*``."""
    for candidate in (media, f"{media.split('/', 1)[0]}/*", "*/*"):
        if candidate in content:
            return candidate
    return None


def _alternatives(schema: Mapping[str, Any]) -> list[Any] | None:
    """The ``oneOf`` or ``anyOf`` branches of a schema (unresolved), if it has any."""
    for key in ("oneOf", "anyOf"):
        branches = schema.get(key)
        if isinstance(branches, list) and branches:
            return list(branches)
    return None


def _best_branch(resolve: Any, branches: list[Any], types: frozenset[str]) -> Any:
    for branch in branches:
        if _union_types(resolve, _merge_all_of(resolve, resolve(branch))) & types:
            return branch
    return branches[0]


def _union_types(resolve: Any, schema: Any, depth: int = 0) -> frozenset[str]:
    """The JSON types a schema admits, its alternatives included."""
    if not isinstance(schema, Mapping):
        return _ALL_TYPES
    branches = _alternatives(schema)
    if branches is None or "type" in schema or depth > 16:
        return _types(schema)
    found: set[str] = set()
    for branch in branches:
        found |= _union_types(resolve, _merge_all_of(resolve, resolve(branch)), depth + 1)
    return frozenset(found)


def _union_enum(resolve: Any, schema: Any, depth: int = 0) -> list[Any] | None:
    """The values a schema is restricted to, its alternatives included (None: unrestricted)."""
    if not isinstance(schema, Mapping):
        return None
    branches = _alternatives(schema)
    if branches is None or "enum" in schema or "const" in schema or depth > 16:
        return _enum(schema)
    values: list[Any] = []
    for branch in branches:
        found = _union_enum(resolve, _merge_all_of(resolve, resolve(branch)), depth + 1)
        if found is None:
            return None
        values.extend(v for v in found if v not in values)
    return values


def _ref(node: Any) -> str:
    return str(node["$ref"]) if isinstance(node, Mapping) and "$ref" in node else ""


def _merge_all_of(resolve: Any, schema: Any) -> Any:
    """Fold ``allOf`` parts into one schema (properties and required lists united)."""
    if not isinstance(schema, Mapping) or "allOf" not in schema:
        return schema
    merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
    properties: dict[str, Any] = dict(merged.get("properties") or {})
    required: list[str] = list(merged.get("required") or [])
    for part in schema["allOf"]:
        piece = _merge_all_of(resolve, resolve(part))
        if not isinstance(piece, Mapping):
            continue
        properties.update(piece.get("properties") or {})
        required.extend(r for r in piece.get("required") or [] if r not in required)
        for key, value in piece.items():
            if key not in ("properties", "required"):
                merged.setdefault(key, value)
    merged["properties"] = properties
    merged["required"] = required
    return merged


def _types(schema: Mapping[str, Any]) -> frozenset[str]:
    """The JSON types a schema admits (``number`` includes ``integer``; no type: all)."""
    raw = schema.get("type")
    if raw is None:
        if "const" in schema:
            raw = [_json_type(schema["const"])]
        elif isinstance(schema.get("enum"), list) and schema["enum"]:
            raw = [_json_type(v) for v in schema["enum"]]
        else:
            return _ALL_TYPES
    names = {raw} if isinstance(raw, str) else set(raw)
    if schema.get("nullable") is True:
        names.add("null")
    if "number" in names:
        names.add("integer")
    return frozenset(names)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _enum(schema: Mapping[str, Any]) -> list[Any] | None:
    if "const" in schema:
        return [schema["const"]]
    values = schema.get("enum")
    return list(values) if isinstance(values, list) else None


def _tighter(key: str, old: Any, new: Any) -> bool:
    if key == "pattern":
        return new is not None  # any new or changed pattern may reject what passed before
    if new is None:
        return False
    if old is None:
        return True
    if key in _LOWER_BOUNDS:
        return bool(new > old)
    return bool(new < old)


def _names(types: Iterable[str]) -> str:
    return "|".join(sorted(types))


def _values(values: Iterable[Any]) -> str:
    return ", ".join(json.dumps(v) for v in values)


def _canon(node: Any) -> str:
    return json.dumps(node, sort_keys=True, default=str)


def diff_specs(old: Mapping[str, Any], new: Mapping[str, Any]) -> DiffReport:
    """Every difference between two parsed OpenAPI documents, classified."""
    old_version = str((old.get("info") or {}).get("version", ""))
    new_version = str((new.get("info") or {}).get("version", ""))
    parse_version(old_version)
    parse_version(new_version)
    walker = _Walker(old, new)
    walker.walk()
    if _canon(old.get("servers")) != _canon(new.get("servers")):
        walker.add("servers-changed", "servers", breaking=False)
    report = DiffReport(old_version, new_version, walker.changes)
    if new_version != old_version:
        report.changes.append(
            Change("version", "info.version", False, f"{old_version} -> {new_version}")
        )
    return report


def _lines(report: DiffReport) -> Iterator[str]:
    for change in report.breaking:
        yield f"  breaking  {change.line()}"
    for change in report.other:
        yield f"  other     {change.line()}"


def diff(spec_path: Path = SPEC_PATH, base_path: Path | None = None) -> int:
    """Print the comparison; 1 when a breaking change is not covered by the version bump."""
    base = base_path if base_path is not None else latest_release()
    report = diff_specs(load_spec(base), load_spec(spec_path))
    if parse_version(report.new_version) < parse_version(report.old_version):
        raise CodegenError(
            f"{rel(spec_path)} has info.version {report.new_version}, older than the released "
            f"{report.old_version}"
        )
    for line in _lines(report):
        print(line)
    print(report.summary())
    if report.ok:
        if report.breaking:
            print(
                f"spec diff: breaking changes allowed by the version bump "
                f"{report.old_version} -> {report.new_version}; record them in spec/CHANGELOG.md"
            )
        return 0
    major, minor, _ = parse_version(report.old_version)
    needed = f"0.{minor + 1}.0" if major == 0 else f"{major + 1}.0.0"
    raise CodegenError(
        f"{len(report.breaking)} breaking change(s) against released {report.old_version} "
        f"while info.version is {report.new_version}: undo them, or bump info.version to "
        f"{needed} (a new {'minor while 0.x' if major == 0 else 'major'}) and record them in "
        "spec/CHANGELOG.md"
    )
