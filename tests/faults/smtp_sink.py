"""A small real SMTP server for the fault tests: it speaks enough SMTP for Django's SMTP backend
and keeps each mail it ACCEPTED (answered "250" after the data). With `hold` set it reads a mail's
whole data and then waits before answering, like a slow mail server: a client killed meanwhile
has delivered nothing, exactly as with a real server, which only takes a mail on its "250"."""

from __future__ import annotations

import socketserver
import threading


class MailSink:
    def __init__(self):
        self.accepted: list[bytes] = []
        self.hold = False
        self.holding = threading.Event()  # set while a mail is held
        self.released = threading.Event()
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                sink._session(self.rfile, self.wfile)

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"smtp://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def release(self) -> None:
        """Stop holding: a held mail is dropped (its client is gone), later mails are accepted."""
        self.hold = False
        self.released.set()

    def close(self) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()

    def _session(self, rfile, wfile) -> None:
        def reply(line: str) -> None:
            wfile.write(line.encode() + b"\r\n")
            wfile.flush()

        reply("220 sink ESMTP")
        while line := rfile.readline():
            verb = line.split(b" ", 1)[0].strip().upper()
            if verb == b"EHLO":
                reply("250-sink")
                reply("250 8BITMIME")
            elif verb == b"DATA":
                reply("354 go on")
                data = self._read_data(rfile)
                if data is None:
                    return
                if self.hold:
                    self.holding.set()
                    self.released.wait(120)
                    return  # never answered: not accepted
                self.accepted.append(data)
                reply("250 accepted")
            elif verb == b"QUIT":
                reply("221 bye")
                return
            else:  # HELO, MAIL, RCPT, RSET, NOOP
                reply("250 ok")

    @staticmethod
    def _read_data(rfile) -> bytes | None:
        lines = []
        while line := rfile.readline():
            if line in (b".\r\n", b".\n"):
                return b"".join(lines)
            lines.append(line)
        return None  # the client went away mid-data
