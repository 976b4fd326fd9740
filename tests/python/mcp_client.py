"""Drives Maigie's /mcp with the official MCP Python SDK, as an external agent would.

Usage: mcp_client.py URL WRITER_TOKEN READER_TOKEN

WRITER_TOKEN has the read and write scopes, READER_TOKEN only read. Runs the same
conversation twice: over a session (the initialize handshake, `mode="legacy"`) and
over the current stateless revision (`server/discover`, `mode="auto"`). Prints one
JSON object with what it saw; the Rust test (tests/tests/api/mcp.rs) asserts on it.
"""

import asyncio
import json
import sys

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client


def text_of(result):
    return "".join(getattr(block, "text", "") for block in result.content)


def meta_of(result):
    meta = result.meta
    if meta is None:
        return {}
    if hasattr(meta, "model_dump"):
        return meta.model_dump(by_alias=True, exclude_none=True)
    return dict(meta)


def seen(result):
    meta = meta_of(result)
    return {
        "is_error": bool(result.is_error),
        "text": text_of(result),
        "structured": result.structured_content,
        "action_id": meta.get("action_id"),
    }


async def conversation(url, writer, reader, mode):
    sent = []  # (method, Mcp-Session-Id request header, status) of every HTTP request

    async def record(response):
        request = response.request
        sent.append([request.method, request.headers.get("mcp-session-id"), response.status_code])

    def http(token):
        client = create_mcp_http_client(headers={"Authorization": f"Bearer {token}"})
        client.event_hooks = {"response": [record]}
        return client

    out = {}
    async with http(writer) as http_client:
        transport = streamable_http_client(url, http_client=http_client)
        async with Client(transport, mode=mode) as client:
            out["protocol"] = client.protocol_version
            info = client.server_info
            out["server"] = info.name if info else None
            tools = await client.list_tools()
            out["tools"] = sorted(tool.name for tool in tools.tools)
            create = next(tool for tool in tools.tools if tool.name == "create_task")
            out["create_task_schema"] = create.input_schema
            title = f"From the Python SDK ({mode})"
            out["write"] = seen(await client.call_tool("create_task", {"title": title, "priority": "high"}))
            out["read"] = seen(await client.call_tool("list_tasks", {}))
            out["invalid"] = seen(await client.call_tool("create_task", {"title": "x", "priority": "huge"}))
    async with http(reader) as http_client:
        transport = streamable_http_client(url, http_client=http_client)
        async with Client(transport, mode=mode) as client:
            tools = await client.list_tools()
            out["reader_tools"] = sorted(tool.name for tool in tools.tools)
            out["refused"] = seen(await client.call_tool("create_task", {"title": "Nope"}))
    out["http"] = sent
    return out


async def main():
    url, writer, reader = sys.argv[1:4]
    result = {}
    for mode in ("legacy", "auto"):
        result[mode] = await conversation(url, writer, reader, mode)
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
