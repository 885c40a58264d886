"""A tiny SMTP server for tests: refuses (451) until told to accept, records what it takes."""

from __future__ import annotations

import socketserver
import threading


class FakeSMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Session)
        self.accepting = False
        self.refused = 0
        self.messages: list[str] = []
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def __enter__(self) -> FakeSMTPServer:
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.shutdown()
        self.server_close()


class _Session(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        server: FakeSMTPServer = self.server
        self.reply("220 fake.test ESMTP")
        while line := self.rfile.readline():
            command = line.decode(errors="replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.reply("250 fake.test")
            elif command.startswith("MAIL FROM"):
                if not server.accepting:
                    with server.lock:
                        server.refused += 1
                    self.reply("451 4.3.0 try again later")
                else:
                    self.reply("250 OK")
            elif command.startswith("RCPT TO"):
                self.reply("250 OK")
            elif command == "DATA":
                self.reply("354 end with .")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
                    lines.append(data.decode(errors="replace"))
                with server.lock:
                    server.messages.append("".join(lines))
                self.reply("250 queued")
            elif command == "RSET" or command == "NOOP":
                self.reply("250 OK")
            elif command == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")
