"""A scripted OpenAI-compatible chat-completions server (stdlib only) for tests.

Each POST /v1/chat/completions takes the next step of the script (the last step repeats):
  {"content": "..."}                          -> 200, assistant message with that text
  {"tool_calls": [{"name": ..., "arguments": {...}}, ...]}  -> 200, assistant tool calls
  {"status": 500, "body": {...}, "headers": {"retry-after-ms": "1"}}  -> that HTTP error
  any step may add {"delay": seconds} before it answers.
Every request body is recorded in `server.requests`. Run standalone with
`python -m tests.servers.scripted_openai script.json` (prints the port).
"""
from __future__ import annotations

import json
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def completion(step: dict, model: str) -> dict:
    message: dict = {"role": "assistant", "content": step.get("content")}
    if step.get("tool_calls"):
        message["tool_calls"] = [
            {"id": f"call_{i}_{uuid.uuid4().hex[:6]}", "type": "function",
             "function": {"name": c["name"], "arguments": json.dumps(c.get("arguments", {}))}}
            for i, c in enumerate(step["tool_calls"])]
    return {"id": f"chatcmpl-{uuid.uuid4().hex[:8]}", "object": "chat.completion", "created": int(time.time()),
            "model": model, "choices": [{"index": 0, "message": message,
                                         "finish_reason": "tool_calls" if step.get("tool_calls") else "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}


class _Handler(BaseHTTPRequestHandler):
    server: "ScriptedServer"

    def log_message(self, *args):  # keep test output clean
        pass

    def _send(self, status: int, body: dict, headers: dict | None = None):
        data = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test)

    def do_GET(self):
        if self.path.rstrip("/").endswith("/models"):
            return self._send(200, {"object": "list", "data": [{"id": "scripted", "object": "model"}]})
        self._send(404, {"error": {"message": f"no route {self.path}"}})

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        step = self.server.next_step(self.path, body, {k.lower(): v for k, v in self.headers.items()})
        if step.get("delay"):
            time.sleep(step["delay"])
        if "status" in step and step["status"] != 200:
            return self._send(step["status"], step.get("body", {"error": {"message": f"scripted {step['status']}"}}),
                              step.get("headers"))
        self._send(200, completion(step, body.get("model", "scripted")), step.get("headers"))


class ScriptedServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, script: list[dict], host: str = "127.0.0.1", port: int = 0):
        super().__init__((host, port), _Handler)
        self.script = list(script) or [{"content": ""}]
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"http://{self.server_address[0]}:{self.server_address[1]}/v1"

    def next_step(self, path: str, body: dict, headers: dict) -> dict:
        with self._lock:
            self.requests.append(body)
            self.headers.append(headers)
            return self.script[min(len(self.requests) - 1, len(self.script) - 1)]

    def set_script(self, script: list[dict]) -> None:
        with self._lock:
            self.script, self.requests, self.headers = list(script), [], []

    def start(self) -> "ScriptedServer":
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


def main(argv: list[str]) -> None:
    script = json.loads(open(argv[0]).read()) if argv else [{"content": "{}"}]
    server = ScriptedServer(script, port=int(argv[1]) if len(argv) > 1 else 0)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
