"""The virus-scan hook every evidence file passes before it is stored.

`get_scanner()` returns a ClamAV client when `CLAMAV_SOCKET` or `CLAMAV_HOST` is set; otherwise a stub
that knows only the EICAR test string, so the refusal path works (and is tested) on every machine.
Both read the file from its start and leave its position at 0. A scanner that cannot give a verdict
raises `ScannerUnavailable`: callers must treat that as "not checked" and refuse the file (fail closed).
"""

import logging
import re
import socket
import struct
import time
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from django.conf import settings

logger = logging.getLogger(__name__)

# The industry-standard harmless test file (https://www.eicar.org/download-anti-malware-testfile/).
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
EICAR_SIGNATURE = "Eicar-Test-Signature"

READ_CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True)
class ScanResult:
    """A verdict: clean, or the name of the signature that matched; and which scanner gave it."""

    clean: bool
    signature: str | None
    scanner: str


class ScannerUnavailable(Exception):
    """The scanner could not be reached or gave no verdict: the file has not been checked."""


class Scanner(Protocol):
    name: str

    def scan(self, file: BinaryIO) -> ScanResult: ...


def _chunks(file, size: int = READ_CHUNK_BYTES):
    """The file's bytes from its start, in chunks; its position is back at 0 afterwards."""
    file.seek(0)
    try:
        while chunk := file.read(size):
            yield chunk
    finally:
        file.seek(0)


class EicarStubScanner:
    """Finds the EICAR test string anywhere in the file's raw bytes, and nothing else.

    It does not unpack archives: EICAR inside a compressed zip member is not seen (ClamAV would see it).
    """

    name = "eicar-stub"

    def scan(self, file: BinaryIO) -> ScanResult:
        tail = b""
        for chunk in _chunks(file):
            # Keep the end of the previous chunk, so a string split across two chunks is still found.
            window = tail + chunk
            if EICAR in window:
                return ScanResult(clean=False, signature=EICAR_SIGNATURE, scanner=self.name)
            tail = window[-(len(EICAR) - 1) :]
        return ScanResult(clean=True, signature=None, scanner=self.name)


_FOUND = re.compile(r"^stream: (?P<signature>.{1,200}) FOUND$")


class ClamdScanner:
    """A client for clamd's INSTREAM command, over TCP or a unix socket.

    Protocol (clamd(8), "INSTREAM"): send `zINSTREAM\\0`, then the file as chunks, each prefixed by its
    length as a 4-byte big-endian unsigned integer, then a zero length. clamd answers one NUL-terminated
    line: `stream: OK`, `stream: <signature> FOUND`, or something ending `ERROR` (for instance
    `INSTREAM size limit exceeded. ERROR` when the file is longer than its StreamMaxLength, after which it
    closes the connection). Anything but OK or FOUND is no verdict, so it raises `ScannerUnavailable`.
    `timeout` bounds the whole conversation, scanning included.
    """

    name = "clamav"

    def __init__(
        self,
        *,
        host: str = "",
        port: int = 3310,
        socket_path: str = "",
        timeout: float = 30.0,
        chunk_bytes: int = READ_CHUNK_BYTES,
    ):
        if not host and not socket_path:
            raise ValueError("ClamdScanner needs a host or a socket path.")
        self.host = host
        self.port = port
        self.socket_path = socket_path
        self.timeout = timeout
        # Each chunk must be below clamd's StreamMaxLength (25 MB or more): 64 KB is far below it.
        self.chunk_bytes = chunk_bytes

    def __repr__(self):
        where = self.socket_path or f"{self.host}:{self.port}"
        return f"<ClamdScanner {where}>"

    def scan(self, file: BinaryIO) -> ScanResult:
        deadline = time.monotonic() + self.timeout
        try:
            with self._connect() as connection:
                reply = self._converse(connection, file, deadline)
        except TimeoutError as exc:
            raise ScannerUnavailable(f"clamd at {self!r} did not answer within {self.timeout} seconds") from exc
        except OSError as exc:
            raise ScannerUnavailable(f"clamd at {self!r} could not be reached: {exc}") from exc

        if reply == "stream: OK":
            return ScanResult(clean=True, signature=None, scanner=self.name)
        if match := _FOUND.match(reply):
            return ScanResult(clean=False, signature=match["signature"], scanner=self.name)
        raise ScannerUnavailable(f"clamd at {self!r} gave no verdict: {reply[:200]!r}")

    def _connect(self) -> socket.socket:
        if self.socket_path:
            connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                connection.settimeout(self.timeout)
                connection.connect(self.socket_path)
            except OSError:
                connection.close()
                raise
            return connection
        return socket.create_connection((self.host, self.port), timeout=self.timeout)

    def _converse(self, connection: socket.socket, file: BinaryIO, deadline: float) -> str:
        def remaining() -> float:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("clamd conversation deadline passed")
            return left

        try:
            connection.settimeout(remaining())
            connection.sendall(b"zINSTREAM\0")
            for chunk in _chunks(file, self.chunk_bytes):
                connection.settimeout(remaining())
                connection.sendall(struct.pack("!L", len(chunk)))
                connection.sendall(chunk)
            connection.settimeout(remaining())
            connection.sendall(struct.pack("!L", 0))
        except (BrokenPipeError, ConnectionResetError) as exc:
            # clamd stops reading and closes once a stream passes StreamMaxLength; its reason may still be
            # waiting to be read.
            try:
                reason = self._read_reply(connection, remaining)
            except OSError:
                reason = ""
            raise ScannerUnavailable(f"clamd at {self!r} closed the connection: {reason or exc}") from exc
        return self._read_reply(connection, remaining)

    @staticmethod
    def _read_reply(connection: socket.socket, remaining) -> str:
        reply = b""
        while b"\0" not in reply and len(reply) < 4096:
            connection.settimeout(remaining())
            data = connection.recv(4096)
            if not data:
                break
            reply += data
        return reply.split(b"\0", 1)[0].decode("utf-8", errors="replace").strip()


def get_scanner() -> Scanner:
    """The scanner the settings choose: clamd over `CLAMAV_SOCKET` or `CLAMAV_HOST`, else the EICAR stub."""
    socket_path = getattr(settings, "CLAMAV_SOCKET", "")
    host = getattr(settings, "CLAMAV_HOST", "")
    if socket_path or host:
        return ClamdScanner(
            host=host,
            port=getattr(settings, "CLAMAV_PORT", 3310),
            socket_path=socket_path,
            timeout=getattr(settings, "CLAMAV_TIMEOUT", 30.0),
        )
    if not settings.DEBUG:
        # Allowed (the spec asks for ClamAV "when configured"), but never silently.
        logger.warning(
            "No virus scanner is configured (set CLAMAV_SOCKET or CLAMAV_HOST): evidence files are checked "
            "only for the EICAR test string."
        )
    return EicarStubScanner()
