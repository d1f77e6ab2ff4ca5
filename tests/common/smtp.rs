//! A small SMTP server on loopback for the notification tests: it speaks the protocol
//! (greeting, EHLO, MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT) to lettre
//! over TCP, keeps what it receives, and can refuse on demand.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Debug, Clone)]
pub struct Received {
    pub to: Vec<String>,
    pub data: String,
}

/// How the server answers RCPT TO.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Accept,
    /// 451: try again later, for the next `n` recipients.
    Temporary(usize),
    /// 550: never.
    Permanent,
    /// Hang up without a word, for the next `n` recipients (a server going away).
    Vanish(usize),
    /// Say nothing for a few seconds, for the next `n` recipients (a server timing out).
    Stall(usize),
}

#[derive(Clone)]
pub struct SmtpSink {
    pub addr: SocketAddr,
    pub received: Arc<Mutex<Vec<Received>>>,
    pub mode: Arc<Mutex<Mode>>,
    /// How long each message takes to accept.
    pub delay: Arc<Mutex<Duration>>,
}

impl SmtpSink {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let sink = Self {
            addr: listener.local_addr().unwrap(),
            received: Arc::default(),
            mode: Arc::new(Mutex::new(Mode::Accept)),
            delay: Arc::default(),
        };
        let s = sink.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let s = s.clone();
                tokio::spawn(async move {
                    let _ = s.session(socket).await;
                });
            }
        });
        sink
    }

    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    pub fn set_mode(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    pub fn messages(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Waits (briefly, in real time) until `n` messages have arrived.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let got = self.messages();
            if got.len() >= n {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "expected {n} messages, got {}: {got:#?}",
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn session(&self, socket: tokio::net::TcpStream) -> std::io::Result<()> {
        let (read, mut write) = socket.into_split();
        let mut lines = BufReader::new(read).lines();
        write.write_all(b"220 sink.test ESMTP\r\n").await?;
        let mut to = Vec::new();
        while let Some(line) = lines.next_line().await? {
            let upper = line.to_ascii_uppercase();
            let reply: &[u8] = if upper.starts_with("EHLO") {
                b"250-sink.test\r\n250 8BITMIME\r\n"
            } else if upper.starts_with("HELO") || upper.starts_with("MAIL FROM") || upper.starts_with("NOOP") {
                b"250 OK\r\n"
            } else if upper.starts_with("RSET") {
                to.clear();
                b"250 OK\r\n"
            } else if upper.starts_with("RCPT TO") {
                // Decide under the lock, act after it (the lock is not held across a wait).
                let answer = {
                    let mut mode = self.mode.lock().unwrap();
                    let now = *mode;
                    *mode = match now {
                        Mode::Temporary(n) if n > 1 => Mode::Temporary(n - 1),
                        Mode::Vanish(n) if n > 1 => Mode::Vanish(n - 1),
                        Mode::Stall(n) if n > 1 => Mode::Stall(n - 1),
                        Mode::Permanent => Mode::Permanent,
                        _ => Mode::Accept,
                    };
                    now
                };
                match answer {
                    Mode::Accept => {
                        to.push(line[8..].trim().trim_matches(['<', '>', ':']).to_string());
                        b"250 OK\r\n"
                    }
                    Mode::Temporary(_) => b"451 4.3.0 try again later\r\n",
                    Mode::Permanent => b"550 5.1.1 no such mailbox\r\n",
                    Mode::Vanish(_) => return Ok(()),
                    Mode::Stall(_) => {
                        tokio::time::sleep(Duration::from_secs(3)).await;
                        return Ok(());
                    }
                }
            } else if upper.starts_with("DATA") {
                write.write_all(b"354 go ahead\r\n").await?;
                let mut data = String::new();
                while let Some(l) = lines.next_line().await? {
                    if l == "." {
                        break;
                    }
                    data.push_str(l.strip_prefix('.').unwrap_or(&l));
                    data.push_str("\r\n");
                }
                let delay = *self.delay.lock().unwrap();
                tokio::time::sleep(delay).await;
                self.received.lock().unwrap().push(Received {
                    to: std::mem::take(&mut to),
                    data,
                });
                b"250 OK queued\r\n"
            } else if upper.starts_with("QUIT") {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            } else {
                b"500 what?\r\n"
            };
            write.write_all(reply).await?;
        }
        Ok(())
    }
}
