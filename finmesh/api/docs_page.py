"""GET /docs: the API reference as one page drawn from the OpenAPI document, with no
script or stylesheet from outside (Swagger UI loads its files from a public CDN, which a
closed bank network cannot reach). The machine-readable document stays at /openapi.json."""

from __future__ import annotations

from html import escape
from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

STYLE = (
    "body{font:14px/1.45 system-ui,sans-serif;max-width:1000px;margin:20px auto;padding:0 16px;"
    "color:#1d2433}code,pre{background:#f0f2f6;padding:1px 4px;border-radius:3px}"
    "h2{border-bottom:1px solid #d6dae3;padding-bottom:4px}"
    ".op{border:1px solid #d6dae3;border-radius:6px;padding:8px 12px;margin:8px 0}"
    ".m{font-weight:700;display:inline-block;min-width:56px}"
)


def install(app: FastAPI) -> None:
    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(render(app.openapi()))


def render(spec: dict[str, Any]) -> str:
    info = spec.get("info", {})
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{escape(info.get('title', 'API'))}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(info.get('title', ''))} {escape(info.get('version', ''))}</h1>",
        "<p>Machine-readable: <a href='/openapi.json'>/openapi.json</a>. "
        "Operators also have a web console at <a href='/console'>/console</a>.</p>",
        f"<pre>{escape(info.get('description', ''))}</pre>",
    ]
    by_tag: dict[str, list[str]] = {}
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            tag = (op.get("tags") or ["other"])[0]
            text = op.get("description") or op.get("summary") or ""
            by_tag.setdefault(tag, []).append(
                f"<div class='op'><span class='m'>{escape(method.upper())}</span>"
                f"<code>{escape(path)}</code><div>{escape(text)}</div></div>"
            )
    for tag, ops in by_tag.items():
        parts.append(f"<h2>{escape(tag)}</h2>{''.join(ops)}")
    parts.append("</body></html>")
    return "".join(parts)
