"""A small HTTP/1.1 keep-alive client on asyncio streams (stdlib only), for the live benchmark.

One `Pool` per host: a request takes an idle connection (or opens one), sends the request with a
Content-Length body, reads the answer (Content-Length, chunked, or none for 204/304) and puts the
connection back unless the server said `Connection: close`. A request that fails on a reused
connection before any answer byte arrived (the server closed an idle keep-alive connection) is
sent once more on a new connection; every other failure is raised to the caller.
"""
import asyncio


class HTTPError(Exception):
    pass


class Response:
    __slots__ = ("status", "headers", "body")

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body


class _Connection:
    def __init__(self, reader, writer):
        self.reader = reader
        self.writer = writer
        self.reused = False

    def close(self):
        try:
            self.writer.close()
        except Exception:
            pass


class Pool:
    def __init__(self, host, port, timeout=30.0):
        self.host = host
        self.port = port
        self.timeout = timeout
        self.idle = []
        self.opened = 0

    async def _connect(self):
        reader, writer = await asyncio.open_connection(self.host, self.port, limit=1 << 20)
        self.opened += 1
        return _Connection(reader, writer)

    async def request(self, method, path, headers=None, body=b""):
        for attempt in (0, 1):
            connection = self.idle.pop() if self.idle else await self._connect()
            try:
                response, keep = await asyncio.wait_for(self._exchange(connection, method, path, headers or {}, body),
                                                        self.timeout)
            except _NoAnswer:
                connection.close()
                if connection.reused and attempt == 0:
                    continue
                raise HTTPError(f"{method} {path}: the connection closed before an answer")
            except BaseException:
                connection.close()
                raise
            if keep:
                connection.reused = True
                self.idle.append(connection)
            else:
                connection.close()
            return response
        raise HTTPError(f"{method} {path}: no answer")

    async def _exchange(self, connection, method, path, headers, body):
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        for name, value in headers.items():
            head.append(f"{name}: {value}")
        if body or method in ("POST", "PUT"):
            head.append(f"Content-Length: {len(body)}")
        data = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body
        try:
            connection.writer.write(data)
            await connection.writer.drain()
            status_line = await connection.reader.readline()
        except (ConnectionError, OSError):
            raise _NoAnswer()
        if not status_line:
            raise _NoAnswer()
        parts = status_line.decode("latin-1").split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
            raise HTTPError(f"{method} {path}: not an HTTP answer: {status_line[:80]!r}")
        status = int(parts[1])
        response_headers = {}
        while True:
            line = await connection.reader.readline()
            if not line:
                raise HTTPError(f"{method} {path}: the connection closed in the headers")
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode("latin-1").partition(":")
            response_headers[name.strip().lower()] = value.strip()
        if status in (204, 304) or method == "HEAD" or 100 <= status < 200:
            payload = b""
        elif response_headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size_line = await connection.reader.readline()
                size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while (await connection.reader.readline()) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(await connection.reader.readexactly(size))
                await connection.reader.readexactly(2)
            payload = b"".join(chunks)
        elif "content-length" in response_headers:
            payload = await connection.reader.readexactly(int(response_headers["content-length"]))
        else:
            payload = await connection.reader.read()
            return Response(status, response_headers, payload), False
        keep = response_headers.get("connection", "").lower() != "close"
        return Response(status, response_headers, payload), keep

    def close(self):
        for connection in self.idle:
            connection.close()
        self.idle.clear()


class _NoAnswer(Exception):
    pass
