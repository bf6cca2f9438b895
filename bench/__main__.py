"""``python -m bench``: measure, print a table, write ``bench/results.json``.

Sections (each a key of results.json, each figure a summary over rounds):

- ``proxy_sync_ratio``  ATHGatewayClient.proxy() / raw httpx2.Client, median per call
- ``api_sync_ratio``    ATHNativeClient.api() / raw httpx2.Client, median per call
- ``proxy_async_ratio`` N concurrent AsyncATHGatewayClient.proxy() / raw httpx2.AsyncClient
- ``proxy_async_instructions_ratio`` the same burst's instructions per call (valgrind's
  cachegrind, client process only: independent of the machine's load)
- ``proxy_async_vs_aiohttp`` the same burst on the SDK's aiohttp engine (``http="aiohttp"``),
  instructions per call / raw aiohttp's (the async floor)
- ``proxy_async_httpx2_vs_aiohttp`` the SDK on its default httpx2 engine / raw aiohttp's
- ``attestation_ratio`` AttestationSigner.mint() / raw cryptography ES256, per JWT
- ``handshake_vs_peer`` register->authorize->consent->token, ours / ath-sdk 0.1.0
- ``import_vs_peer``    cold ``import ath``, ours / ath-sdk 0.1.0
- ``cli_startup_ratio`` ``ath --version`` in a fresh process / ``python -c "import httpx2"``
- ``rss_10k_proxy_mb``  peak RSS of a fresh process making 10 000 proxy() calls
- ``construct_vs_peer`` a new ATHGatewayClient, ours / ath-sdk 0.1.0 (median per client)
- ``handshake_sdk_vs_peer`` the SDK's own time per handshake (wire and stack excluded)
- ``handshake_sdk_instructions_ratio`` the same work in instructions (cachegrind), each
  SDK replaying answers recorded from the stack in place of the wire
- ``import_vs_httpx2`` cold ``import ath`` / cold ``import httpx2``, same venv
- ``rss_10k_proxy_vs_httpx2`` peak RSS after 10 000 proxy() calls / raw httpx2's
- ``proxy_10k_tokens_ratio`` proxy() holding 10 000 tokens + 256 pending / holding one
- ``proxy_10k_users_ratio``  for_user(u).proxy() with 10 000 users holding tokens / one user
- ``proxy_otel_ratio``  proxy() traced (OpenTelemetry SDK, in-memory exporter) / untraced

- ``proxy_store_file_ratio``  proxy() with a FileStore / raw httpx2.Client, median per call
- ``proxy_store_redis_ratio`` proxy() with a RedisStore / raw httpx2.Client, median per call
- ``fleet_registrations_8``   registration requests from 8 processes started together on
  an empty store (FileStore and RedisStore; the larger count)

Method: every round times both sides interleaved (alternating blocks, the order
flipping); a figure is the median, min and max over rounds. Each round also records
its noise, how far the ratio wandered within it (``bench._stats.ratio_noise``); a
round whose noise exceeds the section's limit is flagged too noisy and not counted.
A figure with at least half its rounds clean is met or missed on the clean rounds'
median; with fewer, it is still met (missed) when every round lies below (above) the
target by more than that round's noise, and otherwise gets the verdict "too noisy".

A failed or timed-out round (what ``ROUND_ERRORS`` lists: a call's timeout, a child
that failed or hung, a section's bound passed) is recorded in ``failed_rounds`` with
its error (secrets redacted) and the run goes on; a figure none of whose rounds
completed gets the verdict "failed". The exit status is non-zero only for a harness
error (any other exception) or, with ``--strict``, a missed target.

Everything talks to 127.0.0.1 only: a minimal server (``bench.fastserver``) in a
child process for the per-call figures, the embedded local stack for handshakes.
Every loop is bounded in count and time; children are ended on any exit.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import importlib.metadata
import json
import math
import os
import platform
import queue
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import httpx2

from ath import ATHError
from ath.stores import FileStore, RedisStore
from bench._common import TOKEN
from bench._proc import ROOT, FastServer, install_cleanup, run_json
from bench._stats import NOISE_LIMIT, Deadline, median, ratio_noise, summary

if TYPE_CHECKING:
    from ath.testing import LocalStack
from bench._venvs import ensure_clean_ours, ensure_peer
from bench._venvs import peer_versions as read_peer_versions

DEFAULT_OUT: Final = ROOT / "bench" / "results.json"
SECTIONS: Final = (
    "proxy_sync_ratio",
    "api_sync_ratio",
    "proxy_async_ratio",
    "proxy_async_instructions_ratio",
    "proxy_async_vs_aiohttp",
    "proxy_async_httpx2_vs_aiohttp",
    "attestation_ratio",
    "handshake_vs_peer",
    "import_vs_peer",
    "cli_startup_ratio",
    "rss_10k_proxy_mb",
    "construct_vs_peer",
    "handshake_sdk_vs_peer",
    "handshake_sdk_instructions_ratio",
    "import_vs_httpx2",
    "rss_10k_proxy_vs_httpx2",
    "proxy_10k_tokens_ratio",
    "proxy_10k_users_ratio",
    "proxy_otel_ratio",
    "proxy_store_file_ratio",
    "proxy_store_redis_ratio",
    "fleet_registrations_8",
)
TARGETS: Final[dict[str, float | None]] = {
    "proxy_sync_ratio": 1.05,
    "api_sync_ratio": 1.05,
    "proxy_async_ratio": 1.0,
    "proxy_async_instructions_ratio": 1.0,
    "proxy_async_vs_aiohttp": 1.5,
    "proxy_async_httpx2_vs_aiohttp": None,
    "attestation_ratio": 1.15,
    "handshake_vs_peer": 1.0,
    "import_vs_peer": 0.5,
    "cli_startup_ratio": 1.3,
    "rss_10k_proxy_mb": None,
    "construct_vs_peer": 0.1,
    "handshake_sdk_vs_peer": 0.6,
    "handshake_sdk_instructions_ratio": 0.6,
    "import_vs_httpx2": 1.1,
    "rss_10k_proxy_vs_httpx2": 1.15,
    "proxy_10k_tokens_ratio": 1.05,
    "proxy_10k_users_ratio": 1.05,
    "proxy_otel_ratio": 1.10,
    "proxy_store_file_ratio": 1.05,
    "proxy_store_redis_ratio": 1.05,
    "fleet_registrations_8": 1.0,
}
#: The noise limit per section (default ``bench._stats.NOISE_LIMIT``): handshakes and
#: constructions are few, slow samples that wander more than per-call timings.
NOISE_LIMITS: Final[dict[str, float]] = {
    "handshake_vs_peer": 0.3,
    "handshake_sdk_vs_peer": 0.3,
    "construct_vs_peer": 0.3,
}
#: Which runner fills which sections (``--only`` picks sections; their runner runs).
RUNNERS: Final[dict[str, tuple[str, ...]]] = {
    "proxy_sync": ("proxy_sync_ratio",),
    "api_sync": ("api_sync_ratio",),
    "proxy_async": ("proxy_async_ratio",),
    "instructions": (
        "proxy_async_instructions_ratio",
        "proxy_async_vs_aiohttp",
        "proxy_async_httpx2_vs_aiohttp",
    ),
    "attestation": ("attestation_ratio",),
    "tokens": ("proxy_10k_tokens_ratio",),
    "users": ("proxy_10k_users_ratio",),
    "otel": ("proxy_otel_ratio",),
    "rss": ("rss_10k_proxy_mb", "rss_10k_proxy_vs_httpx2"),
    "construct": ("construct_vs_peer",),
    "handshake": ("handshake_vs_peer", "handshake_sdk_vs_peer", "handshake_sdk_instructions_ratio"),
    "imports": ("import_vs_peer", "import_vs_httpx2"),
    "store_file": ("proxy_store_file_ratio",),
    "store_redis": ("proxy_store_redis_ratio",),
    "fleet": ("fleet_registrations_8",),
    "cli": ("cli_startup_ratio",),
}
PACKAGES: Final = ("ath-sdk", "httpx2", "httpcore2", "h11", "cryptography", "attrs")


@dataclass(frozen=True)
class Settings:
    rounds: int
    sync_calls: int
    async_concurrency: int
    async_reps: int
    jwt_count: int
    handshakes: int
    handshake_warmup: int
    import_runs: int
    cli_runs: int
    rss_calls: int
    construct_batches: int
    construct_batch: int
    held_tokens: int
    pending_authorizations: int
    section_seconds: float
    held_users: int = 10_000
    fleet_rounds: int = 3
    fleet_members: int = 8
    #: Rounds of the instruction counts (each 4 runs under cachegrind; a count barely varies).
    instr_rounds: int = 2
    #: Replayed handshakes per run of the handshake instruction count.
    handshake_instr_count: int = 20


FULL: Final = Settings(
    rounds=5,
    sync_calls=2000,
    async_concurrency=1000,
    async_reps=6,
    jwt_count=2000,
    handshakes=60,
    handshake_warmup=3,
    import_runs=20,
    cli_runs=15,
    rss_calls=10_000,
    construct_batches=20,
    construct_batch=10,
    held_tokens=10_000,
    pending_authorizations=256,
    section_seconds=600.0,
)
QUICK: Final = Settings(
    rounds=2,
    sync_calls=60,
    async_concurrency=50,
    async_reps=1,
    jwt_count=60,
    handshakes=2,
    handshake_warmup=1,
    import_runs=2,
    cli_runs=2,
    rss_calls=200,
    construct_batches=2,
    construct_batch=3,
    held_tokens=1000,
    pending_authorizations=16,
    section_seconds=60.0,
    fleet_rounds=1,
    fleet_members=2,  # the smoke test checks the figure's shape, not the fleet's size
    held_users=1000,
    instr_rounds=1,
    handshake_instr_count=2,
)


@dataclass
class Section:
    """One key of results.json: per-round values, their noise, what they were made of."""

    key: str
    values: list[float] = field(default_factory=list)
    noise: list[float | None] = field(default_factory=list)
    detail: dict[str, list[float]] = field(default_factory=dict)
    unit: str = "ratio"
    note: str = ""
    stopped: str = ""
    #: Rounds that failed or timed out: ``{"round": n, "error": text}`` (n counts every
    #: round tried, from 1); their figures are missing, the run went on.
    failed: list[dict[str, Any]] = field(default_factory=list)

    @property
    def tried(self) -> int:
        return len(self.values) + len(self.failed)

    def note_stop(self, planned: int) -> None:
        done = self.tried
        _progress(f"{self.key}: stopping after {done}/{planned} rounds (time bound)")
        self.stopped = f"stopped after {done} of {planned} rounds: the next would pass the bound"

    def fail(self, error: str) -> None:
        """A round that raised: recorded with its (redacted) error instead of a figure."""
        self.failed.append({"round": self.tried + 1, "error": error})

    def add(self, value: float, noise: float | None, **detail: float) -> None:
        """One round: its figure and its noise (``ratio_noise``; None: not a timing)."""
        self.values.append(value)
        self.noise.append(noise)
        for name, v in detail.items():
            self.detail.setdefault(name, []).append(v)

    @property
    def noise_limit(self) -> float:
        return NOISE_LIMITS.get(self.key, NOISE_LIMIT)

    def noisy(self) -> list[bool]:
        return [n is not None and n > self.noise_limit for n in self.noise]

    def result(self) -> dict[str, Any]:
        target = TARGETS[self.key]
        if not self.values:
            return self._no_figure(target)
        flags = self.noisy()
        clean = [v for v, bad in zip(self.values, flags, strict=True) if not bad]
        out = summary(clean or self.values)
        out["rounds"] = [float(v) for v in self.values]
        out["failed_rounds"] = list(self.failed)
        out["unit"] = self.unit
        out["target"] = target
        out["pass"] = None if target is None else out["median"] <= target
        out["noise"] = [None if n is None else round(n, 4) for n in self.noise]
        out["noise_limit"] = self.noise_limit
        out["noisy_rounds"] = [i + 1 for i, bad in enumerate(flags) if bad]
        out["counted_rounds"] = len(clean) or len(self.values)
        if target is None:
            out["verdict"] = "-"
        elif 2 * len(clean) >= len(self.values):
            out["verdict"] = "met" if out["pass"] else "missed"
        elif all(
            v * (1 + (n or 0)) <= target for v, n in zip(self.values, self.noise, strict=True)
        ):
            out["verdict"] = "met"  # every round below target by more than its noise
        elif all(v / (1 + (n or 0)) > target for v, n in zip(self.values, self.noise, strict=True)):
            out["verdict"] = "missed"  # every round above target by more than its noise
        else:
            out["verdict"] = "too noisy"
        out["detail"] = {name: summary(vals) for name, vals in self.detail.items()}
        return self._notes(out)

    def _no_figure(self, target: float | None) -> dict[str, Any]:
        """Every round failed: no figure, the verdict "failed" (not a missed target)."""
        out: dict[str, Any] = {"median": None, "min": None, "max": None, "rounds": []}
        out["failed_rounds"] = list(self.failed)
        out.update(unit=self.unit, target=target)
        out["pass"] = None
        out.update(noise=[], noise_limit=self.noise_limit, noisy_rounds=[], counted_rounds=0)
        out.update(verdict="failed", detail={})
        return self._notes(out)

    def _notes(self, out: dict[str, Any]) -> dict[str, Any]:
        if self.note:
            out["note"] = self.note
        if self.stopped:
            out["stopped"] = self.stopped
        return out


def _versions(names: tuple[str, ...]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name in names:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "missing"
    return found


def _progress(text: str) -> None:
    print(f"bench: {text}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------- sections


def _round_done(section: Section, rounds: int) -> None:
    r = len(section.values)
    noise = section.noise[-1]
    flag = ""
    if noise is not None:
        flag = f" (noise {noise:.3f}" + (", too noisy)" if section.noisy()[-1] else ")")
    _progress(f"{section.key} round {r}/{rounds}: {section.values[-1]:.3f}{flag}")


#: What a round may raise and leave the run going: a call that failed or timed out
#: (sockets, httpx2, the SDK), a child process that failed or hung, a bound passed
#: (``BudgetExceeded`` is a RuntimeError), a fleet member that never reported. The round
#: is recorded as failed, with its error, and the run goes on. Anything else (a
#: TypeError, a KeyError...) is a bug of the harness: it ends the run, non-zero.
ROUND_ERRORS: Final = (
    OSError,  # TimeoutError and asyncio's timeouts among them
    RuntimeError,
    httpx2.HTTPError,
    ATHError,
    subprocess.SubprocessError,
    queue.Empty,
    json.JSONDecodeError,
)
_PEM_BLOCK: Final = re.compile(r"-----BEGIN [A-Z0-9 ]+-----.*?-----END [A-Z0-9 ]+-----", re.S)
#: The secrets this run knows (its token, the loaded client's secret, the agent key,
#: added by main()): never written into an error, whatever raised it.
_SECRETS: list[str] = [TOKEN, "bench-secret"]
MAX_ERROR_CHARS: Final = 600


def describe_error(exc: BaseException) -> str:
    """``Type: message`` for results.json: secrets and private keys replaced, the
    checkout's path made relative, cut to MAX_ERROR_CHARS."""
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    text = _PEM_BLOCK.sub("[private key]", text)
    for secret in _SECRETS:
        text = text.replace(secret, "[redacted]")
    return text.replace(str(ROOT), ".")[:MAX_ERROR_CHARS]


def _rounds(planned: int, deadline: Deadline | None, *sections: Section) -> Iterator[int]:
    """Round numbers for ``sections`` (measured together), stopping early, noted in
    each, once the deadline has passed or the next round would likely pass it."""
    lead = sections[0]
    for r in range(planned):
        if deadline is not None and lead.tried:
            spent = deadline.seconds - deadline.left()
            if deadline.expired() or deadline.left() < spent / lead.tried:
                for section in sections:
                    section.note_stop(planned)
                return
        yield r


@contextlib.contextmanager
def _round(planned: int, *sections: Section) -> Iterator[None]:
    """One round: what it raises among ROUND_ERRORS is recorded in every section as a
    failed round, and the caller's loop goes on."""
    try:
        yield
    except ROUND_ERRORS as exc:
        error = describe_error(exc)
        for section in sections:
            section.fail(error)
            _progress(f"{section.key} round {section.tried}/{planned} failed: {error}")


def run_micro(key: str, url: str, pem: str, s: Settings) -> list[Section]:
    from bench._micro import api_sync_round, proxy_async_round, proxy_sync_round

    section = Section(key)
    deadline = Deadline(s.section_seconds, key)
    for _ in _rounds(s.rounds, deadline, section):
        with _round(s.rounds, section):
            if key == "proxy_sync_ratio":
                pair = proxy_sync_round(url, pem, calls=s.sync_calls, deadline=deadline)
                section.add(
                    pair.ratio, pair.noise, ours_us=pair.ours * 1e6, baseline_us=pair.base * 1e6
                )
            elif key == "api_sync_ratio":
                pair = api_sync_round(url, pem, calls=s.sync_calls, deadline=deadline)
                section.add(
                    pair.ratio, pair.noise, ours_us=pair.ours * 1e6, baseline_us=pair.base * 1e6
                )
            else:
                bursts = proxy_async_round(
                    url, pem, concurrency=s.async_concurrency, reps=s.async_reps, deadline=deadline
                )
                section.add(
                    bursts.ratio,
                    bursts.noise,
                    ours_ms=median(bursts.ours) * 1e3,
                    baseline_ms=median(bursts.base) * 1e3,
                )
            _round_done(section, s.rounds)
    if key == "proxy_async_ratio":
        section.note = (
            f"{s.async_concurrency} concurrent calls through 20 kept-alive connections on "
            "both sides (bench._micro.BURST_LIMITS); per "
            f"round the median over {s.async_reps} time-adjacent pairs of ours/baseline"
        )
    else:
        section.note = f"median of {s.sync_calls} calls per side per round"
    return [section]


def run_instructions(url: str, s: Settings) -> list[Section]:
    from bench._instr import proxy_async_instructions

    how = (
        f"instructions per call of {s.async_concurrency} concurrent proxy() calls through 20 "
        "connections, client process only (valgrind cachegrind, bench.instr_burst); one count "
        "per side per round: load does not change it"
    )
    section = Section("proxy_async_instructions_ratio", note=how + "; / raw httpx2.AsyncClient")
    floor = Section(
        "proxy_async_vs_aiohttp",
        note=how + '; the SDK on its aiohttp engine (http="aiohttp") / raw aiohttp.ClientSession',
    )
    engine = Section(
        "proxy_async_httpx2_vs_aiohttp",
        note=how + "; the SDK on its default httpx2 engine / raw aiohttp.ClientSession",
    )
    # eight interpreters under valgrind per round (~50x slower than without): --quick's
    # 60 s per section cannot hold one
    deadline = Deadline(max(s.section_seconds, 800.0), section.key)
    for _ in _rounds(s.instr_rounds, deadline, section, floor, engine):
        with _round(s.instr_rounds, section, floor, engine):
            got = proxy_async_instructions(url, concurrency=s.async_concurrency, deadline=deadline)
            section.add(got.ratio, 0.0, ours_per_call=got.ours, baseline_per_call=got.base)
            floor.add(
                got.aiohttp_engine_vs_aiohttp,
                0.0,
                ours_per_call=got.ours_aiohttp,
                aiohttp_per_call=got.aiohttp,
            )
            engine.add(got.vs_aiohttp, 0.0, ours_per_call=got.ours, aiohttp_per_call=got.aiohttp)
            for done in (section, floor, engine):
                _round_done(done, s.instr_rounds)
    return [section, floor, engine]


def run_tokens(url: str, pem: str, s: Settings) -> list[Section]:
    from bench._micro import proxy_tokens_round

    section = Section(
        "proxy_10k_tokens_ratio",
        note=f"proxy() of a client holding {s.held_tokens} tokens (one per provider) and "
        f"{s.pending_authorizations} pending authorizations / of a client holding one "
        f"token; both in one process, median of {s.sync_calls} calls per side per round",
    )
    deadline = Deadline(s.section_seconds, section.key)
    for _ in _rounds(s.rounds, deadline, section):
        with _round(s.rounds, section):
            pair = proxy_tokens_round(
                url,
                pem,
                calls=s.sync_calls,
                tokens=s.held_tokens,
                pending=s.pending_authorizations,
                deadline=deadline,
            )
            section.add(pair.ratio, pair.noise, loaded_us=pair.ours * 1e6, one_us=pair.base * 1e6)
            _round_done(section, s.rounds)
    return [section]


def run_users(url: str, pem: str, s: Settings) -> list[Section]:
    from bench._micro import proxy_users_round

    section = Section(
        "proxy_10k_users_ratio",
        note=f"client.for_user(u).proxy() with {s.held_users} users holding a token each "
        "(each call for another user) / with one user holding a token; both in one "
        f"process, median of {s.sync_calls} calls per side per round",
    )
    deadline = Deadline(s.section_seconds, section.key)
    for _ in _rounds(s.rounds, deadline, section):
        with _round(s.rounds, section):
            pair = proxy_users_round(
                url, pem, calls=s.sync_calls, users=s.held_users, deadline=deadline
            )
            section.add(pair.ratio, pair.noise, loaded_us=pair.ours * 1e6, one_us=pair.base * 1e6)
            _round_done(section, s.rounds)
    return [section]


def run_otel(url: str, pem: str, s: Settings) -> list[Section]:
    from bench._otel import proxy_otel_round

    section = Section(
        "proxy_otel_ratio",
        note="proxy() of a client built with an OpenTelemetry tracer provider set (SDK, "
        "simple processor, in-memory exporter: two spans and a traceparent per call) / "
        f"of one built with none; both in one process, median of {s.sync_calls} calls "
        "per side per round",
    )
    deadline = Deadline(s.section_seconds, section.key)
    for _ in _rounds(s.rounds, deadline, section):
        with _round(s.rounds, section):
            pair = proxy_otel_round(url, pem, calls=s.sync_calls, deadline=deadline)
            section.add(
                pair.ratio,
                pair.noise,
                traced_us=pair.ours * 1e6,
                off_us=pair.base * 1e6,
                otel_sdk_two_spans_us=pair.sdk_two_spans * 1e6,
                otel_sdk_documented_spans_us=pair.sdk_documented_spans * 1e6,
                sdk_floor_ratio=pair.floor_ratio,
            )
            _round_done(section, s.rounds)
    return [section]


def run_attestation(url: str, pem: str, s: Settings) -> list[Section]:
    from bench._attest import attestation_round
    from bench._common import agent_id_for

    section = Section("attestation_ratio", note=f"{s.jwt_count} JWTs per side per round")
    deadline = Deadline(s.section_seconds, "attestation_ratio")
    for _ in _rounds(s.rounds, deadline, section):
        with _round(s.rounds, section):
            pair = attestation_round(
                pem, agent_id_for(url), url, count=s.jwt_count, deadline=deadline
            )
            section.add(
                pair.ratio, pair.noise, ours_us=pair.ours * 1e6, baseline_us=pair.base * 1e6
            )
            _round_done(section, s.rounds)
    return [section]


def run_construct(url: str, peer_python: str, s: Settings) -> list[Section]:
    from bench._handshake import construct_round

    per_round = s.construct_batches * s.construct_batch
    section = Section(
        "construct_vs_peer",
        note=f"ATHGatewayClient(url, agent_id, pem) then close(); median of {per_round} "
        f"new clients per SDK per round (batches of {s.construct_batch} alternating, after "
        "one untimed batch), each SDK in its own interpreter",
    )
    deadline = Deadline(s.section_seconds, section.key)
    for r in _rounds(s.rounds, deadline, section):
        with _round(s.rounds, section):
            cr = construct_round(
                url,
                peer_python,
                round_no=r,
                batches=s.construct_batches,
                batch=s.construct_batch,
                deadline=deadline,
            )
            section.add(
                cr.ratio,
                cr.noise,
                ours_ms=median(cr.ours) * 1e3,
                peer_ms=median(cr.peer) * 1e3,
                ours_first_batch_max_ms=max(cr.ours[: s.construct_batch]) * 1e3,
            )
            _round_done(section, s.rounds)
    return [section]


def run_handshake(peer_python: str, s: Settings, env: dict[str, Any]) -> list[Section]:
    from ath.testing import LocalStack
    from bench._handshake import handshake_round

    counts = f"median of {s.handshakes} handshakes per SDK per round (after {s.handshake_warmup} "
    total = Section(
        "handshake_vs_peer",
        note=counts + "warm-up), consent walked by the same driver for both",
    )
    sdk = Section(
        "handshake_sdk_vs_peer",
        note=counts + "warm-up): the driver's CPU time in register + authorize + token "
        "minus its CPU time inside httpx2.HTTPTransport.handle_request and body reads (the "
        "wire); the stack runs in another process. sdk_wall_ratio: the same in wall time; "
        "register_ratio, authorize_ratio, token_ratio: the same per step",
    )
    deadline = Deadline(s.section_seconds, "handshake_vs_peer")
    with LocalStack() as stack:
        for _ in _rounds(s.rounds, deadline, total, sdk):
            with _round(s.rounds, total, sdk):
                hs = handshake_round(
                    stack,
                    peer_python,
                    round_no=len(total.values),
                    count=s.handshakes,
                    warmup=s.handshake_warmup,
                    deadline=deadline,
                )
                total.add(
                    hs.ratio("total"),
                    hs.noise("total"),
                    ours_ms=median(hs.ours["total"]) * 1e3,
                    peer_ms=median(hs.peer["total"]) * 1e3,
                    consent_ms=median(hs.ours["consent"] + hs.peer["consent"]) * 1e3,
                    ours_construct_ms=median(hs.ours["construct"]) * 1e3,
                    peer_construct_ms=median(hs.peer["construct"]) * 1e3,
                )
                sdk.add(
                    hs.ratio("sdk"),
                    hs.noise("sdk"),
                    ours_sdk_ms=median(hs.ours["sdk"]) * 1e3,
                    peer_sdk_ms=median(hs.peer["sdk"]) * 1e3,
                    sdk_wall_ratio=hs.ratio("sdk_wall"),
                    register_ratio=hs.ratio("sdk_register"),
                    authorize_ratio=hs.ratio("sdk_authorize"),
                    token_ratio=hs.ratio("sdk_token"),
                    ours_wire_ms=median(hs.ours["wire"]) * 1e3,
                    peer_wire_ms=median(hs.peer["wire"]) * 1e3,
                    ours_requests=median(hs.ours["requests"]),
                    peer_requests=median(hs.peer["requests"]),
                )
                env["peer"]["driver_reported_version"] = hs.peer_version
                _round_done(total, s.rounds)
                _round_done(sdk, s.rounds)
        instr = _handshake_instructions(stack, peer_python, s)
    return [total, sdk, instr]


def _handshake_instructions(stack: LocalStack, peer_python: str, s: Settings) -> Section:
    from bench._instr import handshake_instructions

    section = Section(
        "handshake_sdk_instructions_ratio",
        note=f"instructions per register + authorize + token, client process only (valgrind "
        f"cachegrind, bench.handshake_replay): {s.handshake_instr_count} handshakes minus "
        f"{s.handshake_instr_count} constructions per SDK, each SDK answered from its own "
        "real handshake's recorded answers at the transport the timed figure counts as the "
        "wire; one count per side per round: load does not change it",
    )
    # four interpreters under valgrind per round, the peer's constructions ~1 s each there
    deadline = Deadline(max(s.section_seconds, 800.0), section.key)
    for r in _rounds(s.instr_rounds, deadline, section):
        with _round(s.instr_rounds, section):
            got = handshake_instructions(
                stack, peer_python, round_no=r, count=s.handshake_instr_count, deadline=deadline
            )
            section.add(got.ratio, 0.0, ours_per_handshake=got.ours, peer_per_handshake=got.peer)
            _round_done(section, s.instr_rounds)
    return section


def run_imports(clean_python: str, peer_python: str, s: Settings) -> list[Section]:
    from bench._imports import import_costs, importtime_us

    vs_peer = Section(
        "import_vs_peer",
        note=f"wall(import ath) - wall(pass), median of {s.import_runs} fresh interpreters; "
        "ours from bench/.clean-venv (runtime deps only, like the peer's venv); "
        "ours_dev_venv_ms: the same in the development venv",
    )
    vs_httpx = Section(
        "import_vs_httpx2",
        note=f"wall(import ath) / wall(import httpx2), each minus wall(pass), median of "
        f"{s.import_runs} fresh interpreters of bench/.clean-venv (runtime deps only)",
    )
    deadline = Deadline(s.section_seconds, "import_vs_peer")
    launches = {
        "ours": (clean_python, "import ath"),
        "peer": (peer_python, "import ath"),
        "httpx2": (clean_python, "import httpx2"),
        "dev": (sys.executable, "import ath"),
    }
    for _ in _rounds(s.rounds, deadline, vs_peer, vs_httpx):
        with _round(s.rounds, vs_peer, vs_httpx):
            cost = import_costs(launches, runs=s.import_runs, deadline=deadline)
            ours, peer, httpx2 = cost["ours"].seconds, cost["peer"].seconds, cost["httpx2"].seconds
            vs_peer.add(
                ours / peer,
                ratio_noise(cost["ours"].samples, cost["peer"].samples),
                ours_ms=ours * 1e3,
                peer_ms=peer * 1e3,
                ours_dev_venv_ms=cost["dev"].seconds * 1e3,
                ours_importtime_ms=importtime_us(clean_python) / 1e3,
                peer_importtime_ms=importtime_us(peer_python) / 1e3,
            )
            vs_httpx.add(
                ours / httpx2,
                ratio_noise(cost["ours"].samples, cost["httpx2"].samples),
                ours_ms=ours * 1e3,
                httpx2_ms=httpx2 * 1e3,
                httpx_importtime_ms=importtime_us(clean_python, "httpx2") / 1e3,
            )
            _round_done(vs_peer, s.rounds)
            _round_done(vs_httpx, s.rounds)
    return [vs_peer, vs_httpx]


def run_cli_startup(s: Settings) -> list[Section]:
    from bench._cli import startup_costs

    section = Section(
        "cli_startup_ratio",
        note=f"wall(ath --version) / wall(python -c 'import httpx2'), fresh processes, "
        f"median of {s.cli_runs} launches each per round, alternating",
    )
    deadline = Deadline(s.section_seconds, "cli_startup_ratio")
    for _ in _rounds(s.rounds, deadline, section):
        with _round(s.rounds, section):
            cost = startup_costs(runs=s.cli_runs, deadline=deadline)
            cli, httpx2 = median(cost["cli"]), median(cost["httpx2"])
            section.add(
                cli / httpx2,
                ratio_noise(cost["cli"], cost["httpx2"]),
                cli_ms=cli * 1e3,
                httpx2_ms=httpx2 * 1e3,
            )
            _round_done(section, s.rounds)
    return [section]


def run_rss(url: str, pem: str, clean_python: str, s: Settings) -> list[Section]:
    from bench._proc import child_env
    from bench.rss import PEM_VARIABLE

    where = "bench/.clean-venv (runtime deps only)"
    absolute = Section(
        "rss_10k_proxy_mb",
        unit="MB",
        note=f"peak RSS (VmHWM on Linux, else ru_maxrss) of a fresh process of {where} after "
        f"{s.rss_calls} proxy() calls; raw_httpx2_mb: the same calls with httpx2 alone",
    )
    ratio = Section(
        "rss_10k_proxy_vs_httpx2",
        note=f"peak RSS after {s.rss_calls} proxy() calls / after the same calls with raw "
        f"httpx2, fresh processes of {where}, the order flipping every round",
    )
    deadline = Deadline(s.section_seconds, "rss_10k_proxy_mb")
    base = [clean_python, "-I", "-m", "bench.rss", "--url", url, "--calls", str(s.rss_calls)]
    for r in _rounds(s.rounds, deadline, absolute, ratio):
        with _round(s.rounds, absolute, ratio):
            deadline.check()
            bound = str(max(deadline.left(), 1.0))
            found: dict[bool, Any] = {}
            for raw in (False, True) if r % 2 == 0 else (True, False):
                cmd = [*base, "--max-seconds", bound] + (["--raw"] if raw else [])
                found[raw] = run_json(
                    cmd, timeout=deadline.left() + 30, env=child_env({PEM_VARIABLE: pem})
                )
            ours, raw_mb = float(found[False]["maxrss_mb"]), float(found[True]["maxrss_mb"])
            absolute.add(
                ours,
                None,
                after_setup_mb=float(found[False]["setup_maxrss_mb"]),
                raw_httpx2_mb=raw_mb,
                ours_calls_per_s=float(found[False]["calls"]) / float(found[False]["seconds"]),
            )
            ratio.add(ours / raw_mb, None, ours_mb=ours, raw_httpx2_mb=raw_mb)
            _progress(
                f"rss_10k_proxy_mb round {r + 1}/{s.rounds}: {ours:.1f} MB, {ours / raw_mb:.3f}"
            )
    return [absolute, ratio]


def run_store_micro(key: str, url: str, pem: str, s: Settings, redis_url: str) -> list[Section]:
    from bench._stores import proxy_store_round

    section = Section(key, note=f"median of {s.sync_calls} calls per side per round")
    deadline = Deadline(s.section_seconds, key)
    with tempfile.TemporaryDirectory() as folder:
        for r in _rounds(s.rounds, deadline, section):
            with _round(s.rounds, section):
                store: Any = (
                    FileStore(Path(folder) / f"store-{r}.json")
                    if key == "proxy_store_file_ratio"
                    else RedisStore(redis_url, prefix=f"bench-{r}-{os.getpid()}")
                )
                pair = proxy_store_round(url, pem, store, calls=s.sync_calls, deadline=deadline)
                section.add(
                    pair.ratio, pair.noise, ours_us=pair.ours * 1e6, baseline_us=pair.base * 1e6
                )
                _round_done(section, s.rounds)
    return [section]


def run_fleet(s: Settings, redis_url: str) -> list[Section]:
    from bench._stores import fleet_round

    section = Section(
        "fleet_registrations_8",
        unit="count",
        note=f"registration requests the local stack received from {s.fleet_members} spawned "
        "processes "
        "started together (a barrier) on an empty store; the larger of FileStore and "
        "RedisStore per round",
    )
    for r in _rounds(min(s.rounds, s.fleet_rounds), None, section):
        with _round(min(s.rounds, s.fleet_rounds), section):
            file_count, file_ids = fleet_round("file", redis_url, members=s.fleet_members)
            redis_count, redis_ids = fleet_round("redis", redis_url, members=s.fleet_members)
            section.add(
                float(max(file_count, redis_count)),
                None,
                file_store=float(file_count),
                redis_store=float(redis_count),
                distinct_client_ids=float(max(file_ids, redis_ids)),
            )
            _progress(f"fleet_registrations_8 round {r + 1}: {section.values[-1]:.0f}")
    return [section]


# ---------------------------------------------------------------------- report


def _fmt(value: float | None, unit: str) -> str:
    if value is None:  # every round failed
        return "-"
    if unit == "count":
        return f"{value:.0f}"
    return f"{value:.1f}" if unit == "MB" else f"{value:.3f}"


def table(results: dict[str, Any]) -> str:
    head = (
        f"{'figure':<24} {'median':>8} {'min':>8} {'max':>8} {'target':>8}  "
        f"{'verdict':<10} noisy rounds, failed rounds"
    )
    lines = [head, "-" * len(head)]
    for key in SECTIONS:
        if key not in results:
            continue
        r = results[key]
        unit = r["unit"]
        target = "-" if r["target"] is None else f"<= {r['target']:g}"
        noisy = r["noisy_rounds"]
        failed = r.get("failed_rounds", [])
        tried = len(r["rounds"]) + len(failed)
        flagged = f"{len(noisy)}/{len(r['rounds'])}" + (f" {noisy}" if noisy else "")
        if failed:
            flagged += f", {len(failed)}/{tried} failed {[f['round'] for f in failed]}"
        lines.append(
            f"{key:<24} {_fmt(r['median'], unit):>8} {_fmt(r['min'], unit):>8} "
            f"{_fmt(r['max'], unit):>8} {target:>8}  {r['verdict']:<10} {flagged}"
        )
        details = ", ".join(
            f"{name} {d['median']:.4g} [{d['min']:.4g}..{d['max']:.4g}]"
            for name, d in r["detail"].items()
        )
        if details:
            lines.append(f"{'':<4}{details}")
        for f in failed:
            lines.append(f"{'':<4}round {f['round']} failed: {f['error'].splitlines()[0][:160]}")
    return "\n".join(lines)


def _sdk_commit() -> str:
    """The checkout measured: ``git describe --always --dirty``, or "unknown"."""
    try:
        done = subprocess.run(
            ["git", "describe", "--always", "--dirty"],  # noqa: S607 - git from PATH
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else "unknown"


def sdk_fingerprint() -> str:
    """A short hash of the SDK's sources (ath/, generated/): tells whether they changed
    while the bench ran (a concurrent edit mixes two states in one results file)."""
    digest = hashlib.sha256()
    for folder in ("ath", "generated"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            digest.update(path.relative_to(ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def environment(peer: dict[str, str] | None) -> dict[str, Any]:
    return {
        "sdk_commit": _sdk_commit(),
        "sdk_sources_at_start": sdk_fingerprint(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count() or 0,
        "loadavg_1min_at_start": round(os.getloadavg()[0], 2),
        "packages": _versions(PACKAGES),
        "peer": {"packages": peer or {}, "version": (peer or {}).get("ath-sdk", "missing")},
    }


def write_results(path: Path, results: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(results, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _check_finite(results: dict[str, Any]) -> None:
    for key in SECTIONS:
        if key in results:
            for stat in ("median", "min", "max"):
                value = results[key][stat]
                if value is None and results[key]["verdict"] == "failed":
                    continue  # no figure: every round failed, each with its error
                if not math.isfinite(value):
                    raise RuntimeError(f"{key}.{stat} is not a finite number")


def _no_proxies() -> None:
    # Loopback only: an HTTP(S)_PROXY in the environment must not reroute anything.
    for name in list(os.environ):
        if name.lower() in {"http_proxy", "https_proxy", "all_proxy"}:
            del os.environ[name]
    os.environ["NO_PROXY"] = "127.0.0.1,localhost"


@contextlib.contextmanager
def _stopping(server: Any) -> Iterator[None]:
    try:
        yield
    finally:
        if server is not None:
            server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="tiny counts (smoke test)")
    parser.add_argument("--rounds", type=int, help="override the number of rounds")
    parser.add_argument(
        "--only", action="append", choices=SECTIONS, help="run only this section (repeatable)"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results JSON path")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--section-seconds",
        type=float,
        help="the time bound of each section (default 600, --quick 60): a round still "
        "running at the bound fails, recorded as such, and the section stops",
    )
    parser.add_argument(
        "--stall-connections-beyond",
        type=int,
        metavar="N",
        help="fault injection, for the bench's own tests: the fast server never answers "
        "on a connection opened while N others are open, as an overloaded server would not",
    )
    args = parser.parse_args(argv)

    settings = QUICK if args.quick else FULL
    if args.rounds is not None:
        if not 1 <= args.rounds <= 50:
            parser.error("--rounds must be within 1..50")
        settings = Settings(**{**settings.__dict__, "rounds": args.rounds})
    if args.section_seconds is not None:
        if not 0 < args.section_seconds <= 7200:
            parser.error("--section-seconds must be within (0, 7200]")
        settings = Settings(**{**settings.__dict__, "section_seconds": args.section_seconds})
    wanted = [k for k in SECTIONS if not args.only or k in args.only]

    install_cleanup()
    _no_proxies()
    started = time.monotonic()
    peer_python: str | None = None
    clean_python: str | None = None
    peer_versions: dict[str, str] | None = None
    needs = {k for name in ("construct", "handshake", "imports") for k in RUNNERS[name]}
    if needs & set(wanted):
        path, peer_versions = ensure_peer()
        peer_python = str(path)
    else:
        peer_versions = read_peer_versions()
    if set(RUNNERS["imports"] + RUNNERS["rss"]) & set(wanted):
        clean_python = str(ensure_clean_ours())
    env = environment(peer_versions)

    from ath import generate_private_key

    pem = generate_private_key()
    _SECRETS.append(pem)
    sections: list[Section] = []
    redis_server = None
    if {"proxy_store_redis_ratio", "fleet_registrations_8"} & set(wanted):
        from ath.testing._redis_server import RedisServer

        redis_dir = tempfile.TemporaryDirectory()
        redis_server = RedisServer(Path(redis_dir.name))
        redis_server.start()
    redis_url = redis_server.url if redis_server is not None else ""
    with (
        FastServer(
            max_seconds=settings.section_seconds * len(RUNNERS) + 300,
            stall_beyond=args.stall_connections_beyond,
        ) as server,
        _stopping(redis_server),
    ):
        url = server.url
        runs: dict[str, Callable[[], list[Section]]] = {
            "proxy_sync": lambda: run_micro("proxy_sync_ratio", url, pem, settings),
            "api_sync": lambda: run_micro("api_sync_ratio", url, pem, settings),
            "proxy_async": lambda: run_micro("proxy_async_ratio", url, pem, settings),
            "instructions": lambda: run_instructions(url, settings),
            "attestation": lambda: run_attestation(url, pem, settings),
            "tokens": lambda: run_tokens(url, pem, settings),
            "users": lambda: run_users(url, pem, settings),
            "otel": lambda: run_otel(url, pem, settings),
            "rss": lambda: run_rss(url, pem, str(clean_python), settings),
            "construct": lambda: run_construct(url, str(peer_python), settings),
            "handshake": lambda: run_handshake(str(peer_python), settings, env),
            "imports": lambda: run_imports(str(clean_python), str(peer_python), settings),
            "store_file": lambda: run_store_micro(
                "proxy_store_file_ratio", url, pem, settings, redis_url
            ),
            "store_redis": lambda: run_store_micro(
                "proxy_store_redis_ratio", url, pem, settings, redis_url
            ),
            "fleet": lambda: run_fleet(settings, redis_url),
            "cli": lambda: run_cli_startup(settings),
        }
        for name, keys in RUNNERS.items():
            if set(keys) & set(wanted):
                sections.extend(runs[name]())

    results: dict[str, Any] = {
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "full",
        "seconds": round(time.monotonic() - started, 1),
        "settings": settings.__dict__,
        "environment": env,
    }
    env["loadavg_1min_at_end"] = round(os.getloadavg()[0], 2)
    env["sdk_sources_at_end"] = sdk_fingerprint()
    if env["sdk_sources_at_end"] != env["sdk_sources_at_start"]:
        print(
            "bench: WARNING: ath/ or generated/ changed during the run; "
            "the figures mix two versions of the SDK",
            file=sys.stderr,
        )
    by_key = {section.key: section.result() for section in sections}
    for key in SECTIONS:
        if key in by_key:
            results[key] = by_key[key]
    _check_finite(results)
    write_results(args.out, results)

    e = env
    print(
        f"ath-sdk {e['packages']['ath-sdk']} ({e['sdk_commit']}) vs peer {e['peer']['version']}"
        f" | Python "
        f"{e['python']} on {e['platform']} ({e['cpu_count']} CPUs) | httpx2 "
        f"{e['packages']['httpx2']}, "
        f"cryptography {e['packages']['cryptography']} | {settings.rounds} rounds"
        + (" (quick)" if args.quick else "")
        + f" | load {e['loadavg_1min_at_start']} -> {e['loadavg_1min_at_end']}"
    )
    print(table(results))
    shown = args.out.resolve()
    if shown.is_relative_to(ROOT):
        shown = shown.relative_to(ROOT)
    print(f"wrote {shown} in {results['seconds']}s")
    missed = [k for k in SECTIONS if k in results and results[k]["verdict"] == "missed"]
    noisy = [k for k in SECTIONS if k in results and results[k]["verdict"] == "too noisy"]
    met = [k for k in SECTIONS if k in results and results[k]["verdict"] == "met"]
    failed = [k for k in SECTIONS if k in results and results[k]["failed_rounds"]]
    print(
        f"verdict: {len(met)} met, {len(missed)} missed"
        + (f" ({', '.join(missed)})" if missed else "")
        + f", {len(noisy)} too noisy to judge"
        + (f" ({', '.join(noisy)}: re-run on a quieter machine)" if noisy else "")
        + (
            f"; rounds failed in {', '.join(failed)} (recorded in results.json: "
            "re-run on a quieter machine)"
            if failed
            else ""
        )
    )
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
