# ruff: noqa: RUF001 - the Chinese table and the en dashes of ranges are meant
"""``python -m bench.readme``: rewrite the performance tables of README.md and
README.zh-CN.md from ``bench/results.json`` (the part between the
``<!-- bench-table -->`` and ``<!-- /bench-table -->`` markers), so that the READMEs
always show every figure of the last full run with its target and verdict.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any, Final

from bench.__main__ import DEFAULT_OUT, SECTIONS
from bench._proc import ROOT

START: Final = "<!-- bench-table -->"
END: Final = "<!-- /bench-table -->"

#: What each figure measures, in English and Chinese.
WHAT: Final[dict[str, tuple[str, str]]] = {
    "proxy_sync_ratio": (
        "`ATHGatewayClient.proxy()` / raw `httpx2.Client` with the same headers, small JSON GET",
        "`ATHGatewayClient.proxy()` / 携带相同请求头的原生 `httpx2.Client`，小 JSON GET",
    ),
    "api_sync_ratio": (
        "`ATHNativeClient.api()` / raw `httpx2.Client`",
        "`ATHNativeClient.api()` / 原生 `httpx2.Client`",
    ),
    "proxy_async_ratio": (
        "1 000 concurrent `AsyncATHGatewayClient.proxy()` / raw `httpx2.AsyncClient`",
        "1 000 个并发的 `AsyncATHGatewayClient.proxy()` / 原生 `httpx2.AsyncClient`",
    ),
    "proxy_async_instructions_ratio": (
        "the same 1 000 concurrent calls, instructions per call (cachegrind, client process "
        "only: load-independent)",
        "同样的 1 000 个并发调用，每次调用执行的指令数（cachegrind，仅客户端进程：不受负载影响）",
    ),
    "proxy_async_vs_aiohttp": (
        'the same on the SDK\'s aiohttp engine (`http="aiohttp"`), instructions per call '
        "/ raw `aiohttp.ClientSession` (the async floor)",
        '同上，使用 SDK 的 aiohttp 引擎（`http="aiohttp"`），每次调用的指令数 / 原生 '
        "`aiohttp.ClientSession`（异步的下限）",
    ),
    "proxy_async_httpx2_vs_aiohttp": (
        "the same on the default httpx2 engine, instructions per call / raw "
        "`aiohttp.ClientSession`",
        "同上，使用默认的 httpx2 引擎，每次调用的指令数 / 原生 `aiohttp.ClientSession`",
    ),
    "attestation_ratio": (
        "one attestation JWT / a raw `cryptography` ES256 sign + base64url of the same claims",
        "一个 attestation JWT / 对相同 claims 直接用 `cryptography` 做 ES256 签名并 base64url 编码",
    ),
    "handshake_vs_peer": (
        "register → authorize → consent → token against the local stack / the public ath-sdk 0.1.0",
        "针对本地栈的 register → authorize → consent → token / 公开的 ath-sdk 0.1.0",
    ),
    "import_vs_peer": (
        "cold `import ath` / the public ath-sdk 0.1.0's",
        "冷启动 `import ath` / 公开的 ath-sdk 0.1.0",
    ),
    "rss_10k_proxy_mb": (
        "peak RSS of a process making 10 000 proxy calls",
        "执行 10 000 次 proxy 调用的进程的峰值 RSS",
    ),
    "construct_vs_peer": (
        "a new `ATHGatewayClient` (median) / the public ath-sdk 0.1.0's",
        "新建一个 `ATHGatewayClient`（中位数）/ 公开的 ath-sdk 0.1.0",
    ),
    "handshake_sdk_vs_peer": (
        "the SDK's own CPU time per register → authorize → token (wire and stack excluded) "
        "/ the peer's",
        "每次 register → authorize → token 中 SDK 自身的 CPU 时间（不含网络与本地栈）/ 对方的",
    ),
    "handshake_sdk_instructions_ratio": (
        "the same work in instructions (cachegrind), each SDK answered from its own recorded "
        "handshake in place of the wire / the peer's",
        "同样的工作以指令数计（cachegrind），每个 SDK 以其自身录制的握手应答代替网络 / 对方的",
    ),
    "import_vs_httpx2": (
        "cold `import ath` / cold `import httpx2`, same runtime-only venv",
        "冷启动 `import ath` / 冷启动 `import httpx2`，同一个只含运行时依赖的 venv",
    ),
    "rss_10k_proxy_vs_httpx2": (
        "peak RSS after 10 000 proxy calls / raw httpx2 making the same calls",
        "10 000 次 proxy 调用后的峰值 RSS / 原生 httpx2 做同样调用",
    ),
    "proxy_10k_tokens_ratio": (
        "`proxy()` holding 10 000 tokens and 256 pending authorizations / holding one token",
        "持有 10 000 个 token 和 256 个待完成授权时的 `proxy()` / 只持有一个 token 时",
    ),
    "proxy_10k_users_ratio": (
        "`client.for_user(u).proxy()` with 10 000 users holding tokens / with one user",
        "10 000 个用户各持有 token 时的 `client.for_user(u).proxy()` / 只有一个用户时",
    ),
    "proxy_otel_ratio": (
        "`proxy()` traced (OpenTelemetry SDK, in-memory exporter) / untraced (no provider set)",
        "开启 OpenTelemetry 追踪（SDK，内存导出器）的 `proxy()` / 未设置 provider 时",
    ),
    "proxy_store_file_ratio": (
        "`proxy()` with a `FileStore` / raw `httpx2.Client`",
        "使用 `FileStore` 的 `proxy()` / 原生 `httpx2.Client`",
    ),
    "proxy_store_redis_ratio": (
        "`proxy()` with a `RedisStore` / raw `httpx2.Client`",
        "使用 `RedisStore` 的 `proxy()` / 原生 `httpx2.Client`",
    ),
    "fleet_registrations_8": (
        "registration requests from 8 processes started together on an empty store",
        "8 个同时启动的进程在空存储上发出的注册请求数",
    ),
}
VERDICTS: Final[dict[str, tuple[str, str]]] = {
    "met": ("met", "达到"),
    "missed": ("**missed**", "**未达到**"),
    "too noisy": ("too noisy", "噪声过大"),
    "failed": ("**every round failed**", "**每轮均失败**"),
    "-": ("–", "–"),
}
HEAD: Final = (
    "| figure | what | median | min–max | target | verdict |\n|---|---|---|---|---|---|",
    "| figure | 测量内容 | 中位数 | 最小–最大 | 目标 | 结论 |\n|---|---|---|---|---|---|",
)


def _value(v: float | None, unit: str) -> str:
    if v is None:  # every round failed
        return "–"
    if unit == "count":
        return f"{v:.0f}"
    return f"{v:.1f} MB" if unit == "MB" else f"{v:.3f}"


def table(results: dict[str, Any], lang: int) -> str:
    """The table's Markdown (``lang`` 0: English, 1: Chinese)."""
    env = results["environment"]
    intro = (
        f"Run of {results['generated_at'][:10]}: Python {env['python']}, "
        f"{env['cpu_count']} CPUs, httpx2 {env['packages']['httpx2']}, "
        f"load average {env['loadavg_1min_at_start']} → {env.get('loadavg_1min_at_end', '?')}.",
        f"{results['generated_at'][:10]} 的运行：Python {env['python']}，{env['cpu_count']} 个 "
        f"CPU，httpx2 {env['packages']['httpx2']}，负载 {env['loadavg_1min_at_start']} → "
        f"{env.get('loadavg_1min_at_end', '?')}。",
    )[lang]
    rows = [intro, "", HEAD[lang]]
    for key in SECTIONS:
        if key not in results or key not in WHAT:
            continue
        r = results[key]
        unit = r["unit"]
        target = "–" if r["target"] is None else f"≤ {r['target']:g}"
        noisy_rounds = r.get("noisy_rounds", [])
        flagged = f"{len(noisy_rounds)}/{len(r['rounds'])}"
        noisy = (
            "" if not noisy_rounds else (f" ({flagged} noisy)", f"（{flagged} 轮噪声过大）")[lang]
        )
        failed = len(r.get("failed_rounds", []))
        if failed:
            tried = failed + len(r["rounds"])
            noisy += (f" ({failed}/{tried} failed)", f"（{failed}/{tried} 轮失败）")[lang]
        # results written before the noise method carry only pass
        verdict = r.get("verdict") or {True: "met", False: "missed", None: "-"}[r["pass"]]
        rows.append(
            f"| `{key}` | {WHAT[key][lang]} | {_value(r['median'], unit)} | "
            f"{_value(r['min'], unit)}–{_value(r['max'], unit)} | {target} | "
            f"{VERDICTS[verdict][lang]}{noisy} |"
        )
    return "\n".join(rows)


def rewrite(path: Path, results: dict[str, Any], lang: int) -> bool:
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise SystemExit(f"{path.name}: no {START} ... {END} block")
    new = pattern.sub(lambda _: f"{START}\n{table(results, lang)}\n{END}", text)
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.readme", description=__doc__)
    parser.add_argument("--results", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    results = json.loads(args.results.read_text(encoding="utf-8"))
    if results.get("mode") != "full":
        raise SystemExit("the READMEs show full runs only: run `make bench` first")
    for name, lang in (("README.md", 0), ("README.zh-CN.md", 1)):
        changed = rewrite(ROOT / name, results, lang)
        print(f"{name}: {'updated' if changed else 'unchanged'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
