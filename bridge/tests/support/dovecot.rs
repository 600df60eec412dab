//! A private Dovecot (`dovecot -F -c <tmp>/dovecot.conf`) on 127.0.0.1 for
//! the real-server tests: its own base_dir, state_dir, log, passwd-file users,
//! maildir and a self-signed certificate made by rcgen, all in a temp dir
//! that is removed (after stopping Dovecot) on drop. The Debian package's own
//! service is not used and its ports (143/993) are never touched.

use std::fs;
use std::io::Read;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub const DOVECOT: &str = "/usr/sbin/dovecot";
pub const USER: &str = "alice";
pub const PASSWORD: &str = "correct horse";

const START_TIMEOUT: Duration = Duration::from_secs(15);
const STOP_TIMEOUT: Duration = Duration::from_secs(5);

/// What the plain listener offers.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `ssl = required`: an implicit-TLS listener and a plain one offering
    /// STARTTLS (LOGIN only after TLS).
    Tls,
    /// `ssl = no`: one plain listener, no STARTTLS (and LOGINDISABLED).
    PlaintextOnly,
}

pub struct Dovecot {
    child: Option<Child>,
    dir: PathBuf,
    /// Owner of the maildir (the `dovecot` system user).
    pub uid: u32,
    pub gid: u32,
    /// Plain listener (STARTTLS in `Mode::Tls`).
    pub plain_port: u16,
    /// Implicit-TLS listener (`Mode::Tls` only; 0 otherwise).
    pub tls_port: u16,
    /// DER of the certificate for `localhost` (self-signed, or signed by
    /// the private CA).
    pub cert: Vec<u8>,
    /// The private CA's PEM ([`start_with_private_ca`] only).
    pub ca_pem: Option<PathBuf>,
}

/// Starts a private Dovecot. Fails (never skips) when Dovecot is not
/// installed: `./build.sh test` installs it (`ensure_dovecot`).
pub fn start(mode: Mode) -> Dovecot {
    start_as(mode, false)
}

/// A `Mode::Tls` Dovecot whose certificate a private CA signed (`ca_pem`).
pub fn start_with_private_ca() -> Dovecot {
    start_as(Mode::Tls, true)
}

fn start_as(mode: Mode, private_ca: bool) -> Dovecot {
    assert!(
        Path::new(DOVECOT).exists(),
        "{DOVECOT} not found: these tests need a real IMAP server. Run ./build.sh test, or apt-get install dovecot-imapd"
    );
    // Free ports are picked by binding port 0 and releasing it; retry if
    // another process grabs one in between.
    let mut last = String::new();
    for _ in 0..3 {
        match Dovecot::try_start(mode, private_ca) {
            Ok(d) => return d,
            Err(e) => last = e,
        }
    }
    panic!("dovecot did not start: {last}");
}

/// A port on 127.0.0.1 that nothing listens on (just released).
pub fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn id(flag: &str, name: &str) -> u32 {
    let out = Command::new("id").args([flag, name]).output().unwrap();
    assert!(
        out.status.success(),
        "no system user {name}: is dovecot-imapd installed?"
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

impl Dovecot {
    fn try_start(mode: Mode, private_ca: bool) -> Result<Dovecot, String> {
        let dir = super::fresh_dir("dovecot");
        fs::create_dir_all(dir.join("mail")).unwrap();
        // Dovecot's unprivileged processes (dovenull, dovecot) must traverse
        // the dir; the mail processes run as the `dovecot` user and create
        // the maildir.
        set_mode(&dir, 0o755);
        set_mode(&dir.join("mail"), 0o1777);

        let (key_path, cert, ca_pem) = if private_ca {
            let (_, key, cert, ca) = super::private_ca_signed(&dir);
            (key, cert, Some(ca))
        } else {
            let (_, key, cert) = super::self_signed(&dir);
            (key, cert, None)
        };
        set_mode(&key_path, 0o600);

        // Mail runs as the package's `dovecot` user: Dovecot refuses UID 0
        // for mail access, and first_valid_uid must admit the system UID.
        let (uid, gid) = (id("-u", "dovecot"), id("-g", "dovecot"));
        // The maildir exists up front, owned by the mail user, so the test
        // SMTP server can deliver into new/ before anyone logs in.
        for sub in ["", "cur", "new", "tmp"] {
            let p = dir.join("mail").join(USER).join(sub);
            fs::create_dir_all(&p).unwrap();
            std::os::unix::fs::chown(&p, Some(uid), Some(gid)).unwrap();
        }
        let d = dir.display();
        fs::write(
            dir.join("users"),
            format!("{USER}:{{PLAIN}}{PASSWORD}:{uid}:{gid}::{d}/mail/{USER}::\n"),
        )
        .unwrap();

        let plain_port = free_port();
        let tls_port = if mode == Mode::Tls { free_port() } else { 0 };
        let (ssl, listeners) = match mode {
            Mode::Tls => (
                format!("ssl = required\nssl_cert = <{d}/cert.pem\nssl_key = <{d}/key.pem\n"),
                format!(
                    "  inet_listener imap {{\n    address = 127.0.0.1\n    port = {plain_port}\n  }}\n  \
                     inet_listener imaps {{\n    address = 127.0.0.1\n    port = {tls_port}\n    ssl = yes\n  }}\n"
                ),
            ),
            Mode::PlaintextOnly => (
                "ssl = no\n".to_string(),
                format!(
                    "  inet_listener imap {{\n    address = 127.0.0.1\n    port = {plain_port}\n  }}\n"
                ),
            ),
        };
        let conf = format!(
            "base_dir = {d}/run\n\
             state_dir = {d}/state\n\
             log_path = {d}/dovecot.log\n\
             info_log_path = {d}/dovecot.log\n\
             instance_name = inlay-test-{plain_port}\n\
             listen = 127.0.0.1\n\
             protocols = imap\n\
             default_internal_user = dovecot\n\
             default_login_user = dovenull\n\
             first_valid_uid = {uid}\n\
             last_valid_uid = {uid}\n\
             disable_plaintext_auth = yes\n\
             auth_mechanisms = plain\n\
             auth_failure_delay = 0\n\
             {ssl}\
             passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN {d}/users\n}}\n\
             userdb {{\n  driver = passwd-file\n  args = {d}/users\n}}\n\
             mail_location = maildir:{d}/mail/%u\n\
             namespace inbox {{\n  inbox = yes\n  separator = /\n  \
             mailbox Sent {{\n    special_use = \\Sent\n    auto = create\n  }}\n}}\n\
             service imap-login {{\n{listeners}}}\n"
        );
        fs::write(dir.join("dovecot.conf"), conf).unwrap();

        let child = Command::new(DOVECOT)
            .arg("-F")
            .arg("-c")
            .arg(dir.join("dovecot.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot spawn {DOVECOT}: {e}"))?;
        let mut dc = Dovecot {
            child: Some(child),
            dir,
            uid,
            gid,
            plain_port,
            tls_port,
            cert,
            ca_pem,
        };
        let ports: Vec<u16> = [plain_port, tls_port]
            .into_iter()
            .filter(|&p| p != 0)
            .collect();
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let child = dc.child.as_mut().unwrap();
            if let Ok(Some(status)) = child.try_wait() {
                let mut err = String::new();
                let _ = child.stderr.take().unwrap().read_to_string(&mut err);
                return Err(format!("exited with {status}: {err}{}", dc.log()));
            }
            let up = ports.iter().all(|&p| {
                TcpStream::connect_timeout(
                    &SocketAddr::from((Ipv4Addr::LOCALHOST, p)),
                    Duration::from_millis(200),
                )
                .is_ok()
            });
            if up {
                return Ok(dc);
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "ports {ports:?} not open after {START_TIMEOUT:?}{}",
                    dc.log()
                ));
            }
            sleep(Duration::from_millis(50));
        }
    }

    /// Changes the user's password, so the next login needs the new one.
    /// Dovecot's passwd-file driver looks at the file's mtime and size at most
    /// once per second of its clock (`passwd_file_sync` skips the stat when
    /// `last_sync_time == ioloop_time`): a login in the same second as the
    /// last lookup would still see the old password. So the file is replaced
    /// whole (rename, never a half-written file) and this returns only once
    /// the wall clock has moved into a later second than the write.
    pub fn set_password(&self, password: &str) {
        let path = self.dir.join("users");
        let line = fs::read_to_string(&path).unwrap();
        let mut fields: Vec<&str> = line.trim_end().split(':').collect();
        let new = format!("{{PLAIN}}{password}");
        fields[1] = &new;
        let staged = self.dir.join("users.new");
        fs::write(&staged, format!("{}\n", fields.join(":"))).unwrap();
        fs::rename(&staged, &path).unwrap();
        let written = unix_seconds();
        while unix_seconds() <= written {
            sleep(Duration::from_millis(20));
        }
        sleep(Duration::from_millis(50));
    }

    /// The user's maildir (with cur/ new/ tmp/).
    pub fn maildir(&self) -> PathBuf {
        self.dir.join("mail").join(USER)
    }

    /// PEM files of the certificate and its key.
    pub fn cert_pem_path(&self) -> PathBuf {
        self.dir.join("cert.pem")
    }
    pub fn key_pem_path(&self) -> PathBuf {
        self.dir.join("key.pem")
    }

    /// Dovecot's log so far (for assertion messages).
    pub fn log(&self) -> String {
        let log = fs::read_to_string(self.dir.join("dovecot.log")).unwrap_or_default();
        format!("\n--- dovecot.log ---\n{log}")
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // SIGTERM lets the master stop its children (SIGKILL would orphan
            // auth/log/anvil); SIGKILL only if it does not stop in time.
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let deadline = Instant::now() + STOP_TIMEOUT;
            while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
                sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = fs::remove_dir_all(&self.dir);
    }
}

fn set_mode(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(p, fs::Permissions::from_mode(mode)).unwrap();
}

fn unix_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs()
}
