"""A small local stand-in for the Telegram Bot API, for tests and the simulator.

Why not the npm ``telegram-test-api``: it does not satisfy PTB 22 (no ``is_bot``, dates in
milliseconds, no long polling, 500 on unknown methods). This server speaks just enough of the
real protocol: ``POST /bot<token>/<method>`` with JSON, form or multipart bodies; every call is
recorded as ``(method, params)``; ``getUpdates`` long-polls an injectable queue honouring
``offset``/``timeout``/``limit``; unknown methods answer ``{"ok": false, "error_code": 404}``.

It runs a ``ThreadingHTTPServer`` on 127.0.0.1 (a free port) in a background thread, so a test
can block on ``wait_for`` or feed updates from any thread while the bot's asyncio loop polls.

    with BotApiStub() as api:
        app = build_application(engine, api.token, base_url=api.base_url, ...)
        api.put_update({...})

For load tests, ``BotApiStub(threaded=False)`` + ``await serve_async()`` serves the same protocol
from the running event loop instead (keep-alive HTTP/1.1, no thread per connection, a fraction
of the CPU per call); ``getUpdates`` then answers at once instead of long-polling.
"""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import itertools
import json
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["DEFAULT_TOKEN", "DROP", "BotApiStub", "Call"]

DEFAULT_TOKEN = "123456789:TEST-stub-token_abcdefghijklmnop"
# Parameters Telegram takes as JSON-serialized objects; PTB sends them JSON-encoded in forms.
JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "results",
        "commands",
        "entities",
        "caption_entities",
        "allowed_updates",
        "scope",
        "link_preview_options",
        "reply_parameters",
        "button",
        "media",
    }
)
INT_PARAMS = frozenset({"chat_id", "message_id", "offset", "limit", "timeout", "user_id", "cache_time"})


@dataclass
class Call:
    """One recorded Bot API request."""

    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    at: float = field(default_factory=time.time)


DROP = 0  # a "code" for fail_next: the connection is closed without any answer


class _Dropped(Exception):
    """The request is answered by closing the connection (a proxy or network failure)."""


class _ApiError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


class BotApiStub:
    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        username: str = "FactTestBot",
        first_name: str = "FactBot",
        host: str = "127.0.0.1",
        port: int = 0,
        threaded: bool = True,
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_user = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": first_name,
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }
        self.calls: list[Call] = []
        self.commands: list[dict[str, Any]] = []
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._chats: dict[int, dict[str, Any]] = {}
        self._failures: dict[str, list[tuple[int, str]]] = {}
        self._cond = threading.Condition()
        self._closing = False
        self._address = (host, port)
        self._server: ThreadingHTTPServer | None = None
        if threaded:
            self._server = ThreadingHTTPServer((host, port), self._handler_class())
            self._server.daemon_threads = True
        self._thread: threading.Thread | None = None
        self._async_server: asyncio.Server | None = None
        self.connections = 0  # opened to the asyncio front end (keep-alive check)
        self.latency = 0.0  # asyncio front end: seconds before each answer (a distant Bot API)

    # ------------------------------------------------------------------ lifecycle

    @property
    def port(self) -> int:
        if self._async_server is not None:
            return int(self._async_server.sockets[0].getsockname()[1])
        if self._server is None:
            raise RuntimeError("an unthreaded stub has no port before serve_async()")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder.base_url``: PTB appends the token."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    def start(self) -> BotApiStub:
        if self._server is None:
            raise RuntimeError("BotApiStub(threaded=False) serves with serve_async()")
        self._thread = threading.Thread(target=self._server.serve_forever, name="botapi-stub", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._cond:
            self._closing = True
            self._cond.notify_all()  # release hanging long polls
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    async def serve_async(self) -> BotApiStub:
        """Serve from the running event loop (``threaded=False`` stubs); stop with ``aclose``."""
        if self._async_server is not None:
            raise RuntimeError("already serving")
        loop = asyncio.get_running_loop()
        self._async_server = await loop.create_server(lambda: _AsyncHttp(self), *self._address)
        return self

    async def aclose(self) -> None:
        server, self._async_server = self._async_server, None
        if server is not None:
            server.close()
            await server.wait_closed()

    def __enter__(self) -> BotApiStub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ test controls

    def put_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for ``getUpdates`` (an ``update_id`` is assigned when missing)."""
        with self._cond:
            update = dict(update)
            update.setdefault("update_id", next(self._next_update_id))
            self._remember_chats(update)
            self._updates.append(update)
            self._cond.notify_all()
        return update

    def remember_update(self, update: dict[str, Any]) -> None:
        """Learn chat types from an update fed to the bot directly (not via ``getUpdates``)."""
        with self._cond:
            self._remember_chats(update)

    def fail_next(self, method: str, code: int = 400, description: str = "Bad Request: injected") -> None:
        """Make the next call of ``method`` fail, to exercise the bot's error handling: with an
        API error (``code`` 400, 429, 500, 502 …) or, for ``code=DROP``, a dropped connection."""
        with self._cond:
            self._failures.setdefault(method.lower(), []).append((code, description))

    def calls_of(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method.lower() == method.lower()]

    def clear(self) -> None:
        with self._cond:
            self.calls.clear()

    def wait_for(
        self, method: str, predicate: Callable[[Call], bool] = lambda c: True, timeout: float = 10.0
    ) -> Call:
        """Block until a matching call was recorded (thread-safe; use from a worker thread)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for c in self.calls:
                    if c.method.lower() == method.lower() and predicate(c):
                        return c
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"no {method} call within {timeout}s; saw {[c.method for c in self.calls]}"
                    )
                self._cond.wait(remaining)

    async def await_call(
        self, method: str, predicate: Callable[[Call], bool] = lambda c: True, timeout: float = 10.0
    ) -> Call:
        """``wait_for`` for asyncio code: polls without blocking the event loop."""
        import asyncio

        deadline = time.monotonic() + timeout
        while True:
            for c in self.calls_of(method):
                if predicate(c):
                    return c
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {method} call within {timeout}s")
            await asyncio.sleep(0.02)

    # ------------------------------------------------------------------ protocol

    def _remember_chats(self, update: dict[str, Any]) -> None:
        for key in ("message", "edited_message", "channel_post", "edited_channel_post"):
            chat = (update.get(key) or {}).get("chat")
            if chat and "id" in chat:
                self._chats[int(chat["id"])] = chat
        cq = update.get("callback_query") or {}
        chat = (cq.get("message") or {}).get("chat")
        if chat and "id" in chat:
            self._chats[int(chat["id"])] = chat

    def _chat(self, chat_id: Any) -> dict[str, Any]:
        try:
            cid = int(chat_id)
        except (TypeError, ValueError) as exc:
            raise _ApiError(400, "Bad Request: chat not found") from exc
        return self._chats.get(cid) or {"id": cid, "type": "private" if cid > 0 else "group"}

    def _message(self, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
        chat = self._chat(params.get("chat_id"))
        counter = self._message_ids.setdefault(chat["id"], itertools.count(1000))
        msg: dict[str, Any] = {
            "message_id": extra.pop("message_id", None) or next(counter),
            "date": int(time.time()),  # seconds, as Telegram sends it
            "chat": chat,
            "from": {k: self.bot_user[k] for k in ("id", "is_bot", "first_name", "username")},
        }
        if isinstance(params.get("reply_markup"), dict) and "inline_keyboard" in params["reply_markup"]:
            msg["reply_markup"] = params["reply_markup"]
        msg.update(extra)
        return msg

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 50.0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + timeout
        with self._cond:
            if offset:  # confirming: updates below offset are gone for good
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and not self._closing:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            return self._updates[:limit]

    def dispatch(
        self, path: str, content_type: str, body: bytes, *, long_poll: bool = True
    ) -> tuple[int, dict[str, Any]]:
        """One HTTP request → (status, JSON payload); both front ends call this."""
        url = urllib.parse.urlsplit(path)
        prefix = f"/bot{self.token}/"
        if not url.path.startswith(prefix):
            return HTTPStatus.UNAUTHORIZED, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        method = url.path[len(prefix) :]
        try:
            params, files = _parse_body(content_type, body)
            params = {**_coerce(dict(urllib.parse.parse_qsl(url.query))), **params}
            if not long_poll:
                params.pop("timeout", None)
            result = self.handle(method, params, files)
        except _ApiError as err:
            status = err.code if err.code in (400, 401, 403, 404, 409, 429, 500, 502, 503, 504) else 400
            return status, {"ok": False, "error_code": err.code, "description": err.description}
        except ValueError as err:
            return 400, {"ok": False, "error_code": 400, "description": f"Bad Request: {err}"}
        return HTTPStatus.OK, {"ok": True, "result": result}

    def handle(self, method: str, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        name = method.lower()
        with self._cond:
            self.calls.append(Call(method, params, files))
            self._cond.notify_all()
            failures = self._failures.get(name)
            if failures:
                code, description = failures.pop(0)
                if code == DROP:
                    raise _Dropped(method)
                raise _ApiError(code, description)
        if name == "getme":
            return self.bot_user
        if name == "getupdates":
            return self._get_updates(params)
        if name in {"deletewebhook", "setwebhook", "answercallbackquery", "answerinlinequery"}:
            return True
        if name in {"sendchataction", "deletemessage", "setmydescription", "setmyshortdescription"}:
            return True
        if name == "getwebhookinfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": len(self._updates)}
        if name == "setmycommands":
            self.commands = list(params.get("commands") or [])
            return True
        if name == "getmycommands":
            return self.commands
        if name == "deletemycommands":
            self.commands = []
            return True
        if name == "sendmessage":
            if not params.get("text"):
                raise _ApiError(400, "Bad Request: message text is empty")
            return self._message(params, text=params["text"])
        if name == "sendphoto":
            photo = files.get("photo") or params.get("photo")
            if not photo:
                raise _ApiError(400, "Bad Request: there is no photo in the request")
            size = len(photo) if isinstance(photo, bytes) else 0
            sizes = [
                {"file_id": f"photo-{len(self.calls)}-{w}", "file_unique_id": f"u{len(self.calls)}{w}",
                 "width": w, "height": w * 3 // 4, "file_size": size}
                for w in (320, 800)
            ]  # fmt: skip
            extra: dict[str, Any] = {"photo": sizes}
            if params.get("caption"):
                extra["caption"] = params["caption"]
            return self._message(params, **extra)
        if name in {"editmessagetext", "editmessagereplymarkup"}:
            if params.get("inline_message_id"):
                return True
            extra = {"message_id": int(params.get("message_id") or 0), "edit_date": int(time.time())}
            if name == "editmessagetext":
                extra["text"] = params.get("text", "")
            return self._message(params, **extra)
        raise _ApiError(404, f"Not Found: method {method} is not implemented by the stub")

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out as two small writes: without this, Nagle's algorithm waits
            # for the client's delayed ACK and every call takes ~40 ms.
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet server
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                self.do_POST()

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                try:
                    reply = stub.dispatch(self.path, self.headers.get("Content-Type", ""), body)
                except _Dropped:
                    self.close_connection = True
                    return
                self._reply(*reply)

            def _reply(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler


class _AsyncHttp(asyncio.Protocol):
    """Just enough HTTP/1.1 for a Bot API client: keep-alive, ``Content-Length`` bodies."""

    def __init__(self, stub: BotApiStub) -> None:
        self._stub = stub
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._stub.connections += 1

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while self._transport is not None:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            lines = self._buffer[:end].decode("latin-1").split("\r\n")
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            if "chunked" in headers.get("transfer-encoding", "").lower():
                self._respond(411, {"ok": False, "error_code": 411, "description": "Length Required"}, True)
                return
            length = int(headers.get("content-length") or 0)
            if len(self._buffer) < end + 4 + length:
                return
            body = bytes(self._buffer[end + 4 : end + 4 + length])
            del self._buffer[: end + 4 + length]
            parts = lines[0].split(" ")
            path = parts[1] if len(parts) > 1 else "/"
            try:
                status, payload = self._stub.dispatch(
                    path, headers.get("content-type", ""), body, long_poll=False
                )
            except _Dropped:
                self._transport.close()
                self._transport = None
                return
            close = headers.get("connection", "").lower() == "close"
            if self._stub.latency > 0:
                asyncio.get_running_loop().call_later(
                    self._stub.latency, self._respond, status, payload, close
                )
            else:
                self._respond(status, payload, close)

    def _respond(self, status: int, payload: dict[str, Any], close: bool) -> None:
        if self._transport is None:  # the client went away meanwhile
            return
        data = json.dumps(payload, ensure_ascii=False).encode()
        head = [
            f"HTTP/1.1 {status} {HTTPStatus(status).phrase}",
            "Content-Type: application/json",
            f"Content-Length: {len(data)}",
        ]
        if close:
            head.append("Connection: close")
        self._transport.write("\r\n".join([*head, "", ""]).encode() + data)
        if close:
            self._transport.close()
            self._transport = None

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None


def _coerce(params: dict[str, Any]) -> dict[str, Any]:
    """Form values are strings; decode the JSON-typed and integer ones like Telegram does."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, str) and key in JSON_PARAMS:
            value = json.loads(value)
        elif isinstance(value, str) and key in INT_PARAMS and value.lstrip("-").isdigit():
            value = int(value)
        elif isinstance(value, str) and value in ("true", "false"):
            value = value == "true"
        out[key] = value
    return out


def _parse_body(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    if not body:
        return {}, {}
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/json":
        data = json.loads(body)
        if not isinstance(data, dict):
            raise ValueError("JSON body must be an object")
        return data, {}
    if kind == "application/x-www-form-urlencoded":
        return _coerce(dict(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))), {}
    if kind == "multipart/form-data":
        head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        params: dict[str, Any] = {}
        files: dict[str, bytes] = {}
        for part in msg.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            if part.get_filename() is not None:
                files[str(name)] = payload
            else:
                params[str(name)] = payload.decode()
        return _coerce(params), files
    raise ValueError(f"unsupported content type {kind!r}")


def main() -> None:  # pragma: no cover - manual use: python -m bot.botapi_stub
    stub = BotApiStub().start()
    print(f"Bot API stub on {stub.base_url} token {stub.token}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        stub.stop()


if __name__ == "__main__":  # pragma: no cover
    main()
