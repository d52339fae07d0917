"""A fake clamd for tests: speaks INSTREAM for real over TCP on loopback or a unix socket, in a thread.

It reads the command and the length-prefixed chunks, and answers as clamd does: `stream: Eicar-Signature
FOUND` when the EICAR string is in what it received, `stream: OK` otherwise, and `INSTREAM size limit
exceeded. ERROR` (then closes) when the stream passes its `stream_max_length`. `mode="silent"` reads the
file and never answers (a scanner that hangs); `mode="garbage"` answers something clamd never says;
`mode="hangup"` closes the connection straight after the command.
"""

import socket
import socketserver
import struct
import threading

from accreditation.scanning import EICAR


class FakeClamd:
    def __init__(self, *, unix_path=None, stream_max_length: int = 25 * 1024 * 1024, mode: str = "scan"):
        self.stream_max_length = stream_max_length
        self.mode = mode
        self.commands: list[bytes] = []
        self.chunk_lengths: list[int] = []
        self.received = b""
        self._release = threading.Event()
        fake = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                fake._handle(self.request)

        if unix_path is not None:
            self.server = socketserver.ThreadingUnixStreamServer(str(unix_path), Handler)
            self.address = str(unix_path)
        else:
            self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
            self.host, self.port = self.server.server_address
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._release.set()
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)

    @staticmethod
    def _read_exactly(connection: socket.socket, count: int) -> bytes:
        data = b""
        while len(data) < count:
            more = connection.recv(count - len(data))
            if not more:
                raise ConnectionError("client went away")
            data += more
        return data

    def _handle(self, connection: socket.socket):
        connection.settimeout(10)
        command = b""
        while not command.endswith((b"\0", b"\n")):
            command += self._read_exactly(connection, 1)
        self.commands.append(command)
        if self.mode == "hangup":
            return
        if command not in (b"zINSTREAM\0", b"nINSTREAM\n"):
            connection.sendall(b"UNKNOWN COMMAND\0")
            return
        received = b""
        while True:
            (length,) = struct.unpack("!L", self._read_exactly(connection, 4))
            self.chunk_lengths.append(length)
            if length == 0:
                break
            if len(received) + length > self.stream_max_length:
                connection.sendall(b"INSTREAM size limit exceeded. ERROR\0")
                return  # clamd closes the connection without reading the rest
            received += self._read_exactly(connection, length)
        self.received = received
        if self.mode == "silent":
            self._release.wait(timeout=30)
            return
        if self.mode == "garbage":
            connection.sendall(b"stream: something odd\0")
            return
        reply = b"stream: Eicar-Signature FOUND\0" if EICAR in received else b"stream: OK\0"
        connection.sendall(reply)
