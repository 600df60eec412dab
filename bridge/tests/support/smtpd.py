"""A private aiosmtpd for inlay-bridge's tests (started by smtp.rs).

Listens on 127.0.0.1, on ports the OS picks (no race), and prints them as one
JSON line on stdout: {"tlsPort", "starttlsPort"} (--mode tls) or
{"plainPort"} (--mode plaintext: no STARTTLS, AUTH offered in plaintext, so
a test can check the client never sends its password there). Accepts AUTH
PLAIN/LOGIN for --user with the password in $SMTPD_PASSWORD. Recipients
whose local part starts with "nobody" get a 550; every accepted message is
written, as received, into the maildir --maildir (tmp/ then new/), owned by
--uid/--gid, so the test Dovecot serves it. --log gets one line per AUTH and
DATA (never a password). Exits when stdin closes.
"""

import argparse
import asyncio
import json
import os
import ssl
import sys
import threading
import time
import uuid

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

args = argparse.ArgumentParser()
args.add_argument("--mode", choices=["tls", "plaintext"], required=True)
args.add_argument("--cert")
args.add_argument("--key")
args.add_argument("--user", required=True)
args.add_argument("--maildir")
args.add_argument("--uid", type=int, default=-1)
args.add_argument("--gid", type=int, default=-1)
args.add_argument("--size-limit", type=int, default=33554432)
args.add_argument("--log", required=True)
opts = args.parse_args()
PASSWORD = os.environ["SMTPD_PASSWORD"].encode()


def log(line):
    with open(opts.log, "a") as f:
        f.write(line + "\n")


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == opts.user.encode()
        and auth_data.password == PASSWORD
    )
    # Implicit TLS shows only on the transport (session.ssl is STARTTLS's).
    tls = server.transport.get_extra_info("ssl_object") is not None
    log(f"AUTH {mechanism} {'ok' if ok else 'failed'} tls={tls}")
    # handled=False: aiosmtpd then answers 535 itself (True means "already
    # answered" and it would stay silent).
    return AuthResult(success=ok, handled=False)


class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.split("@")[0].startswith("nobody"):
            return f"550 5.1.1 <{address}>: no such user here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content
        log(f"DATA {len(data)} bytes from={envelope.mail_from} to={','.join(envelope.rcpt_tos)}"
            f" options={' '.join(envelope.mail_options)}")
        if opts.maildir:
            name = f"{time.time_ns()}.{uuid.uuid4().hex}.inlay-test"
            tmp = os.path.join(opts.maildir, "tmp", name)
            with open(tmp, "wb") as f:
                f.write(data)
            os.chown(tmp, opts.uid, opts.gid)
            os.rename(tmp, os.path.join(opts.maildir, "new", name))
        return "250 2.0.0 OK: queued"


def smtp(**kw):
    # hostname: aiosmtpd would otherwise resolve our FQDN (slow offline).
    return lambda: SMTP(
        Handler(),
        hostname="smtp.dovecot.test",
        authenticator=authenticator,
        auth_required=True,
        data_size_limit=opts.size_limit,
        **kw,
    )


async def main():
    loop = asyncio.get_running_loop()
    ports = {}
    if opts.mode == "tls":
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(opts.cert, opts.key)
        # Implicit TLS: aiosmtpd only counts STARTTLS as "TLS" for AUTH, so
        # allow AUTH here explicitly; the whole connection is TLS.
        implicit = await loop.create_server(
            smtp(auth_require_tls=False), "127.0.0.1", 0, ssl=ctx)
        starttls = await loop.create_server(
            smtp(tls_context=ctx, require_starttls=True, auth_require_tls=True),
            "127.0.0.1", 0)
        ports["tlsPort"] = implicit.sockets[0].getsockname()[1]
        ports["starttlsPort"] = starttls.sockets[0].getsockname()[1]
    else:
        plain = await loop.create_server(smtp(auth_require_tls=False), "127.0.0.1", 0)
        ports["plainPort"] = plain.sockets[0].getsockname()[1]
    print(json.dumps(ports), flush=True)
    closed = asyncio.Event()

    def wait_stdin():
        sys.stdin.buffer.read()
        loop.call_soon_threadsafe(closed.set)

    threading.Thread(target=wait_stdin, daemon=True).start()
    await closed.wait()


asyncio.run(main())
